// The RISC-V semihosting call sequence (RISC-V semihosting 2.1), as guests
// such as MicroPython's QEMU port write it: uncompressed, on one page.
#pragma once
static inline long semihost(long op, const void* arg) {
  register long a0 asm("a0") = op;
  register const void* a1 asm("a1") = arg;
  asm volatile(".option push\n.option norvc\n.option norelax\n.balign 16\n"
               "slli x0, x0, 0x1f\nebreak\nsrai x0, x0, 7\n.option pop"
               : "+r"(a0)
               : "r"(a1)
               : "memory");
  return a0;
}
enum {
  SYS_OPEN = 0x01, SYS_CLOSE = 0x02, SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_WRITE = 0x05, SYS_READ = 0x06,
  SYS_READC = 0x07, SYS_ISERROR = 0x08, SYS_ISTTY = 0x09, SYS_SEEK = 0x0a, SYS_FLEN = 0x0c, SYS_REMOVE = 0x0e,
  SYS_CLOCK = 0x10, SYS_TIME = 0x11, SYS_SYSTEM = 0x12, SYS_ERRNO = 0x13, SYS_GET_CMDLINE = 0x15,
  SYS_HEAPINFO = 0x16, SYS_EXIT = 0x18, SYS_ELAPSED = 0x30, SYS_TICKFREQ = 0x31,
};
#define ADP_Stopped_ApplicationExit 0x20026
