// Not stuck: hart 1 parks in wfi with every interrupt disabled (the usual way
// to keep secondary harts out of the way) while hart 0 does the work and passes.
  .section .text.init
  .globl _start
_start:
  csrr a0, mhartid
  bnez a0, park
  li s0, 100000
1:
  addi s0, s0, -1
  bnez s0, 1b
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
  j .
park:
  csrw mie, zero
  wfi
  j park
