// MicroPython's QEMU port ends a run with SYS_EXIT: a1 points to (reason,
// code) on RV64. EXIT_CODE and REASON come from the build; with DIRECT the
// reason itself goes in a1, as 32-bit guests do.
  .section .text.init
  .globl _start
_start:
  li a0, 0x04                  // SYS_WRITE0
  la a1, message
  call semihost
  li a0, 0x18                  // SYS_EXIT
#ifdef DIRECT
  li a1, REASON
#else
  la a1, block
#endif
  call semihost
  j .

  .option push
  .option norvc
  .balign 16
semihost:
  slli x0, x0, 0x1f
  ebreak
  srai x0, x0, 7
  ret
  .option pop

  .data
  .align 3
block:
  .dword REASON, EXIT_CODE
message:
  .asciz "bye from semihosting\n"
