/* /bin/sh of vp's Linux guest (docs/linux.md): a small interactive shell.
 * One command per line: words separated by blanks, '...' and "..." quote,
 * "> FILE" and ">> FILE" redirect the output. Built-in commands below; any
 * other word runs the program of that name from /bin or /sbin (or a path).
 * Static, built by scripts/build-linux.sh. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORDS 64

static int status; /* of the last command */

static int copy_fd(int in, const char *name) {
  char buf[4096];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(1, buf, (size_t)n) != n) return perror("write"), 1;
  if (n < 0) return fprintf(stderr, "cat: %s: %s\n", name, strerror(errno)), 1;
  return 0;
}

static int cmd_cat(int argc, char **argv) {
  if (argc == 1) return copy_fd(0, "stdin");
  int rc = 0;
  for (int i = 1; i < argc; ++i) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
      rc = 1;
      continue;
    }
    rc |= copy_fd(fd, argv[i]);
    close(fd);
  }
  return rc;
}

static int cmd_echo(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) printf("%s%s", i > 1 ? " " : "", argv[i]);
  printf("\n");
  return 0;
}

static int cmd_ls(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : ".";
  DIR *d = opendir(dir);
  if (!d) return fprintf(stderr, "ls: %s: %s\n", dir, strerror(errno)), 1;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    if (lstat(path, &st) == 0)
      printf("%c%04o %8lld  %s\n", S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : '-',
             (unsigned)(st.st_mode & 07777), (long long)st.st_size, e->d_name);
    else
      printf("?      ? %8s  %s\n", "", e->d_name);
  }
  closedir(d);
  return 0;
}

/* Counts lines, words and bytes of files (or stdin), as wc does. */
static int cmd_wc(int argc, char **argv) {
  int rc = 0;
  for (int i = argc > 1 ? 1 : 0; i < argc; ++i) {
    int fd = i ? open(argv[i], O_RDONLY) : 0;
    if (fd < 0) {
      fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
      rc = 1;
      continue;
    }
    long lines = 0, words = 0, bytes = 0;
    int in_word = 0;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
      for (ssize_t k = 0; k < n; ++k, ++bytes) {
        const char c = buf[k];
        lines += c == '\n';
        const int blank = c == ' ' || c == '\t' || c == '\n';
        words += !blank && !in_word;
        in_word = !blank;
      }
    printf("%7ld %7ld %7ld %s\n", lines, words, bytes, i ? argv[i] : "");
    if (i) close(fd);
  }
  return rc;
}

/* Lines of a file that contain a string. */
static int cmd_grep(int argc, char **argv) {
  if (argc < 2) return fprintf(stderr, "usage: grep TEXT [FILE]\n"), 2;
  FILE *f = argc > 2 ? fopen(argv[2], "r") : stdin;
  if (!f) return fprintf(stderr, "grep: %s: %s\n", argv[2], strerror(errno)), 2;
  char line[4096];
  int found = 0;
  while (fgets(line, sizeof line, f))
    if (strstr(line, argv[1])) fputs(line, stdout), found = 1;
  if (f != stdin) fclose(f);
  return found ? 0 : 1;
}

static int cmd_uname(void) {
  struct utsname u;
  if (uname(&u) != 0) return perror("uname"), 1;
  printf("%s %s %s %s %s\n", u.sysname, u.nodename, u.release, u.version, u.machine);
  return 0;
}

static int cmd_mount(int argc, char **argv) {
  if (argc == 1) {
    char *args[] = {"cat", "/proc/mounts", NULL};
    return cmd_cat(2, args);
  }
  if (argc != 4) return fprintf(stderr, "usage: mount [TYPE SOURCE DIR]\n"), 2;
  if (mount(argv[2], argv[3], argv[1], 0, NULL) != 0)
    return fprintf(stderr, "mount: %s: %s\n", argv[3], strerror(errno)), 1;
  return 0;
}

static int cmd_sleep(int argc, char **argv) {
  if (argc != 2) return fprintf(stderr, "usage: sleep SECONDS\n"), 2;
  struct timespec t = {atoi(argv[1]), 0};
  nanosleep(&t, NULL);
  return 0;
}

static void power(int how) {
  sync();
  if (reboot(how) != 0) perror("reboot");
}

static int run_program(char **argv) {
  pid_t pid = fork();
  if (pid < 0) return perror("fork"), 1;
  if (pid == 0) {
    if (strchr(argv[0], '/')) {
      execv(argv[0], argv);
    } else {
      char path[4096];
      const char *dirs[] = {"/bin", "/sbin"};
      for (int i = 0; i < 2; ++i) {
        snprintf(path, sizeof path, "%s/%s", dirs[i], argv[0]);
        execv(path, argv);
      }
    }
    fprintf(stderr, "sh: %s: %s\n", argv[0], errno == ENOENT ? "command not found" : strerror(errno));
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return 1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static const char *help_text =
    "built-in: cat [FILE..]  cd [DIR]  echo [WORD..]  exit  grep TEXT [FILE]  help  ls [DIR]  mkdir DIR\n"
    "          mount [TYPE SOURCE DIR]  nproc  poweroff  pwd  reboot  rm FILE  sleep N  status  sync\n"
    "          uname  wc [FILE..]\n"
    "> FILE and >> FILE redirect a command's output; other words run /bin or /sbin programs.\n";

/* Runs one parsed command; returns its exit status. */
static int run(int argc, char **argv) {
  const char *c = argv[0];
  if (!strcmp(c, "cat")) return cmd_cat(argc, argv);
  if (!strcmp(c, "echo")) return cmd_echo(argc, argv);
  if (!strcmp(c, "ls")) return cmd_ls(argc, argv);
  if (!strcmp(c, "wc")) return cmd_wc(argc, argv);
  if (!strcmp(c, "grep")) return cmd_grep(argc, argv);
  if (!strcmp(c, "uname")) return cmd_uname();
  if (!strcmp(c, "mount")) return cmd_mount(argc, argv);
  if (!strcmp(c, "sleep")) return cmd_sleep(argc, argv);
  if (!strcmp(c, "help")) return fputs(help_text, stdout), 0;
  if (!strcmp(c, "status")) return printf("%d\n", status), status;
  if (!strcmp(c, "nproc")) return printf("%ld\n", sysconf(_SC_NPROCESSORS_ONLN)), 0;
  if (!strcmp(c, "pwd")) {
    char buf[4096];
    return getcwd(buf, sizeof buf) ? (puts(buf), 0) : (perror("pwd"), 1);
  }
  if (!strcmp(c, "cd")) {
    const char *dir = argc > 1 ? argv[1] : "/root";
    return chdir(dir) == 0 ? 0 : (fprintf(stderr, "cd: %s: %s\n", dir, strerror(errno)), 1);
  }
  if (!strcmp(c, "mkdir") && argc == 2)
    return mkdir(argv[1], 0755) == 0 ? 0 : (fprintf(stderr, "mkdir: %s: %s\n", argv[1], strerror(errno)), 1);
  if (!strcmp(c, "rm") && argc == 2)
    return unlink(argv[1]) == 0 ? 0 : (fprintf(stderr, "rm: %s: %s\n", argv[1], strerror(errno)), 1);
  if (!strcmp(c, "sync")) return sync(), 0;
  if (!strcmp(c, "poweroff")) return power(RB_POWER_OFF), 1;
  if (!strcmp(c, "reboot")) return power(RB_AUTOBOOT), 1;
  return run_program(argv);
}

/* Splits a line into words (quotes group, > and >> redirect). Returns the
 * number of words, or -1 after printing a syntax error. */
static int parse(const char *line, char **argv, char **redirect, int *append) {
  static char words[8192]; /* each word's characters and its terminating NUL */
  int argc = 0;
  char *out = words;
  const char *p = line;
  *redirect = NULL;
  int want_file = 0;
  while (*p) {
    while (*p == ' ' || *p == '\t' || *p == '\n') ++p;
    if (!*p) break;
    if (*p == '>') {
      *append = p[1] == '>';
      p += *append ? 2 : 1;
      want_file = 1;
      continue;
    }
    char *word = out;
    while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '>') {
      if (*p == '\'' || *p == '"') {
        const char q = *p++;
        while (*p && *p != q) *out++ = *p++;
        if (*p != q) return fprintf(stderr, "sh: unterminated %c\n", q), -1;
        ++p;
      } else {
        *out++ = *p++;
      }
    }
    *out++ = '\0'; /* the delimiter stays: a blank is skipped, a '>' redirects */
    if (want_file) {
      *redirect = word;
      want_file = 0;
    } else if (argc < MAX_WORDS - 1) {
      argv[argc++] = word;
    } else {
      return fprintf(stderr, "sh: too many words\n"), -1;
    }
  }
  if (want_file) return fprintf(stderr, "sh: > needs a file name\n"), -1;
  argv[argc] = NULL;
  return argc;
}

int main(void) {
  char line[4096];
  const int interactive = isatty(0);
  for (;;) {
    if (interactive) {
      char cwd[1024];
      printf("vp:%s# ", getcwd(cwd, sizeof cwd) ? cwd : "?");
      fflush(stdout);
    }
    if (!fgets(line, sizeof line, stdin)) break;
    char *argv[MAX_WORDS], *redirect;
    int append = 0;
    const int argc = parse(line, argv, &redirect, &append);
    if (argc <= 0) {
      if (argc < 0) status = 2;
      continue;
    }
    if (!strcmp(argv[0], "exit")) return argc > 1 ? atoi(argv[1]) : status;
    int saved = -1;
    if (redirect) {
      int fd = open(redirect, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC), 0644);
      if (fd < 0) {
        fprintf(stderr, "sh: %s: %s\n", redirect, strerror(errno));
        status = 1;
        continue;
      }
      fflush(stdout);
      saved = dup(1);
      dup2(fd, 1);
      close(fd);
    }
    status = run(argc, argv);
    fflush(stdout);
    if (saved >= 0) dup2(saved, 1), close(saved);
  }
  return status;
}
