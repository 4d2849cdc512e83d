#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

/* One line per attempt: "<name>: blocked (<why>)" or "<name>: ESCAPED". */
static void report(const char *name, int failed, int err) {
  if (failed) printf("%s: blocked (%s)\n", name, strerror(err));
  else printf("%s: ESCAPED\n", name);
  fflush(stdout);
}

int main(int argc, char **argv) {
  int r;
  r = mount("none", "/mnt", "tmpfs", 0, NULL); report("mount", r != 0, errno);
  pid_t child = fork();
  if (child == 0) { pause(); _exit(0); }
  r = ptrace(PTRACE_ATTACH, child, NULL, NULL); report("ptrace", r != 0, errno);
  kill(child, SIGKILL); waitpid(child, NULL, 0);
  r = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP); report("raw-socket", r < 0, errno);
  r = socket(AF_PACKET, SOCK_RAW, htons(3)); report("packet-socket", r < 0, errno);
  r = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY); report("write-proc-sys", r < 0, errno);
  r = open("/proc/sysrq-trigger", O_WRONLY); report("write-sysrq-trigger", r < 0, errno);
  { char buf[4] = {0}; int fd = open("/proc/kcore", O_RDONLY); ssize_t n = fd < 0 ? -1 : read(fd, buf, 4);
    report("read-proc-kcore", fd < 0 || n <= 0, fd < 0 ? errno : ENODATA); }
  r = unshare(CLONE_NEWUSER); report("unshare-userns", r != 0, errno);
  r = unshare(CLONE_NEWNS); report("unshare-mountns", r != 0, errno);
  r = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0); report("keyctl", r < 0, errno);
  r = syscall(SYS_bpf, 0, NULL, 0); report("bpf", r < 0 && errno == EPERM, errno);
  mknod("/tmp/hostdisk", S_IFBLK | 0600, makedev(8, 0));
  r = open("/tmp/hostdisk", O_RDONLY); report("open-host-disk", r < 0, errno);
  r = open("/dev/kmsg", O_RDONLY); report("read-dev-kmsg", r < 0, errno);
  if (argc > 2) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
    inet_pton(AF_INET, argv[1], &a.sin_addr);
    connect(s, (struct sockaddr *)&a, sizeof a);
    struct pollfd p = { .fd = s, .events = POLLOUT };
    int ready = poll(&p, 1, 2000);
    int soerr = 0; socklen_t len = sizeof soerr;
    getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &len);
    report("reach-node-api", ready <= 0 || soerr != 0, ready <= 0 ? ETIMEDOUT : soerr);
  }
  return 0;
}
