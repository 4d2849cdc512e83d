# The "nginx-nomad" demo image, published under the article's names:
# pot "nginx-nomad-amd64-13_1", tag "1.1.13", path /nginx-nomad/.
# Debian's nginx-light binary with its libraries, a minimal nginx.conf
# logging to the jail's stdout/stderr, and busybox for a shell (alloc exec).
# The job gives "daemon off" in its args, as in the article.
image "nginx-nomad-amd64-13_1" {
  tag      = "1.1.13"
  base     = "empty"
  binaries = ["/usr/sbin/nginx", "/bin/busybox"]
  dirs = [
    "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/etc/nginx", "/var/lib/nginx", "/var/log/nginx",
    "/run", "/tmp", "/proc", "/dev", "/sys", "/root", "/usr/share/nginx/html",
  ]
  files {
    from = "nginx.conf"
    to   = "/etc/nginx/nginx.conf"
  }
  files {
    from = "/etc/nginx/mime.types"
    to   = "/etc/nginx/mime.types"
  }
  files {
    from = "index.html"
    to   = "/usr/share/nginx/html/index.html"
  }
  files {
    content = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
    to      = "/etc/passwd"
  }
  files {
    content = "root:x:0:\nnogroup:x:65534:\n"
    to      = "/etc/group"
  }
  # nginx -t checks the config and that every library resolves inside the
  # image; it opens the log paths, so the files it creates in /dev go again
  # (the runtime mounts its own /dev).
  symlinks = { "/bin/sh" = "busybox" }
  run   = ["/bin/busybox --install -s /bin", "nginx -t", "rm -f /dev/stdout /dev/stderr /run/nginx.pid"]
  cmd   = ["nginx", "-g", "daemon off;"]
  ports = [80]
  env   = { PATH = "/usr/sbin:/usr/bin:/sbin:/bin" }
}
