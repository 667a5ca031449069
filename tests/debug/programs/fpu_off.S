// Stuck: floating point with the FPU off (mstatus.FS = 0) and a trap handler
// that returns to the faulting instruction.
  .section .text.init
  .globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li t0, 0x6000
  csrc mstatus, t0             // FS = 0: the FPU is off
  li a0, 1
  .globl use_fpu
use_fpu:
  fcvt.d.l fa0, a0             // illegal while FS = 0
  j use_fpu

  .align 2
  .globl handler
handler:                       // a naive handler: back to the same instruction
  mret
