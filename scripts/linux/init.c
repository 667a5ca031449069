/* /sbin/init of vp's Linux guest (docs/linux.md): mounts the pseudo file
 * systems, runs /bin/sh on the console, reaps orphans, and powers the machine
 * off (after a sync) when the shell exits. Static, built by scripts/build-linux.sh. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void try_mount(const char *source, const char *target, const char *type, unsigned long flags) {
  mkdir(target, 0755);
  if (mount(source, target, type, flags, NULL) != 0 && errno != EBUSY)
    fprintf(stderr, "init: mount %s on %s: %s\n", type, target, strerror(errno));
}

int main(void) {
  if (getpid() != 1) {
    fprintf(stderr, "init: must run as process 1\n");
    return 1;
  }
  try_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  try_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC);
  try_mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID);
  try_mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV);
  setenv("PATH", "/bin:/sbin", 1);
  setenv("HOME", "/root", 1);

  /* The console: what the kernel gave us (console= on the command line). */
  int fd = open("/dev/console", O_RDWR);
  if (fd >= 0) {
    dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
    if (fd > 2) close(fd);
  }
  printf("init: vp Linux guest; type 'help' for the shell's commands, 'poweroff' or 'exit' to stop\n");
  fflush(stdout);

  pid_t shell = fork();
  if (shell == 0) {
    setsid();
    ioctl(0, TIOCSCTTY, 1); /* the console is the shell's terminal: Ctrl-C reaches its commands */
    char *argv[] = {"sh", NULL};
    execv("/bin/sh", argv);
    perror("init: /bin/sh");
    _exit(127);
  }
  /* Process 1 adopts every orphan: reap them until the shell is gone. */
  for (;;) {
    int status;
    pid_t pid = wait(&status);
    if (pid == shell || (pid < 0 && errno == ECHILD)) break;
  }
  sync();
  printf("init: shell exited, powering off\n");
  fflush(stdout);
  reboot(RB_POWER_OFF);
  perror("init: reboot");
  for (;;) pause();
}
