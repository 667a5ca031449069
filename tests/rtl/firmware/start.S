/* Entry: a stack, main(), and main's return value as the HTIF exit code. */
  .section .text.init
  .globl _start
_start:
  la sp, _stack_top
  call main
  slli a0, a0, 1
  ori a0, a0, 1
  la t1, tohost
  sd a0, 0(t1)
1: j 1b

  .section .tohost, "aw"
  .align 6; .globl tohost; tohost: .dword 0
  .align 6; .globl fromhost; fromhost: .dword 0
