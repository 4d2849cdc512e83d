# The "hello" demo image: busybox's httpd serving a page that names its
# allocation. The page is written at start from $NOMAD_ALLOC_ID.
image "hello" {
  tag      = "1.0"
  base     = "empty"
  binaries = ["/bin/busybox"]
  dirs     = ["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/www", "/tmp", "/etc", "/proc", "/dev", "/sys", "/root"]
  files {
    content = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
    to      = "/etc/passwd"
  }
  files {
    content = "root:x:0:\nnogroup:x:65534:\n"
    to      = "/etc/group"
  }
  symlinks = { "/bin/sh" = "busybox" }
  run   = ["/bin/busybox --install -s /bin"]
  cmd   = ["/bin/sh", "-c", "echo \"hello from $NOMAD_ALLOC_ID\" > /www/index.html; exec httpd -f -v -p 80 -h /www"]
  ports = [80]
  env   = { PATH = "/bin:/sbin:/usr/bin:/usr/sbin" }
}
