// Start-up for the C test programs: FPU on, a stack per hart, hart 0 runs
// main(), the others secondary(); main's return value ends the run through
// the SiFive test finisher (0: pass; n: fail with code n). An unexpected trap
// ends it with 99.
  .section .text.init
  .globl _start
_start:
  la t0, unexpected_trap
  csrw mtvec, t0
  li t0, 0x6000               // mstatus.FS = dirty: the FPU is on
  csrs mstatus, t0
  csrr a0, mhartid
  la sp, __stack_top
  slli t1, a0, 14
  sub sp, sp, t1
  bnez a0, 1f
  call main
  j finish
1:
  call secondary
  j finish

  .globl finish
finish:
  li t0, 0x100000
  beqz a0, 2f
  slli a0, a0, 16
  li t1, 0x3333
  or a0, a0, t1
  sw a0, 0(t0)
  j .
2:
  li t1, 0x5555
  sw t1, 0(t0)
  j .

  .align 2
unexpected_trap:
  li a0, 99
  j finish
