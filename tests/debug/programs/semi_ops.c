// Every semihosting operation vp offers, called the way MicroPython's QEMU
// port calls them (the raw sequence, no C library). Prints "ok"/"FAIL" per
// check and exits through SYS_EXIT with the number of failures.
#include "semihost.h"

static int failures;
static void puts_(const char* s) { semihost(SYS_WRITE0, s); }
static void check(int ok, const char* what) {
  puts_(ok ? "ok   " : "FAIL ");
  puts_(what);
  puts_("\n");
  failures += !ok;
}
static long len(const char* s) {
  long n = 0;
  while (s[n]) ++n;
  return n;
}

int main(void) {
  char c = 'C';
  semihost(SYS_WRITEC, &c);
  semihost(SYS_WRITEC, "\n");
  long out_h[3] = {(long)":tt", 4, 3};
  long out = semihost(SYS_OPEN, out_h);
  check(out > 0, "open :tt for writing");
  const char msg[] = "write to :tt\n";
  long w[3] = {out, (long)msg, sizeof msg - 1};
  check(semihost(SYS_WRITE, w) == 0, "write returns 0 bytes left");
  check(semihost(SYS_ISTTY, &out) == 1, "istty(:tt)");
  long in_h[3] = {(long)":tt", 0, 3};
  long in = semihost(SYS_OPEN, in_h);
  check(in > 0, "open :tt for reading");
  check(semihost(SYS_READC, 0) == 'x', "readc gets stdin's first byte");
  char buf[8] = {0};
  long r[3] = {in, (long)buf, 4};
  check(semihost(SYS_READ, r) == 4 - 2 && buf[0] == 'y' && buf[1] == '\n', "read gets the rest of the line");
  check(semihost(SYS_CLOSE, &in) == 0, "close");
  check(semihost(SYS_CLOSE, &in) == -1, "close twice fails");
  long freq = semihost(SYS_TICKFREQ, 0);
  check(freq == 1000000000, "tickfreq is 1 GHz (simulated nanoseconds)");
  unsigned long long ticks = 0;
  check(semihost(SYS_ELAPSED, &ticks) == 0 && ticks > 0, "elapsed");
  check(semihost(SYS_CLOCK, 0) >= 0, "clock");
  check(semihost(SYS_TIME, 0) > 1600000000, "time is the host's (seconds since 1970)");
  long bad[3] = {(long)"a.txt", 0, 5};
  check(semihost(SYS_OPEN, bad) == -1, "files are refused without --semihosting=ROOT");
  check(semihost(SYS_ERRNO, 0) == 13, "errno is EACCES");
  long st = -1;
  check(semihost(SYS_ISERROR, &st) == 1, "iserror(-1)");
  long heap[4] = {0};
  void* heap_at = heap;
  check(semihost(SYS_HEAPINFO, &heap_at) == 0 && heap[0] >= 0x80000000 && heap[2] > heap[0], "heapinfo");
  char cmd[128] = {0};
  long cl[2] = {(long)cmd, sizeof cmd};
  check(semihost(SYS_GET_CMDLINE, cl) == 0 && cl[1] == len(cmd) && cl[1] > 0, "get_cmdline");
  long feat_h[3] = {(long)":semihosting-features", 0, 21};
  long feat = semihost(SYS_OPEN, feat_h);
  check(feat > 0 && semihost(SYS_FLEN, &feat) == 5, "features file has 5 bytes");
  char magic[5] = {0};
  long fr[3] = {feat, (long)magic, 5};
  check(semihost(SYS_READ, fr) == 0 && magic[0] == 'S' && magic[3] == 'B' && (magic[4] & 1), "features: SHFB, exit_extended");
  long sys[2] = {(long)"ls", 2};
  check(semihost(SYS_SYSTEM, sys) == -1, "system is refused");
  check(semihost(0x99, 0) == -1, "an unknown operation returns -1");
  long block[2] = {ADP_Stopped_ApplicationExit, failures};
  semihost(SYS_EXIT, block);
  return 100;  // not reached
}

void secondary(void) {
  for (;;) continue;
}
