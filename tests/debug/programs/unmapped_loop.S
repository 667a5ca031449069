// Stuck: a driver polls a device register where no device is mapped; the trap
// handler skips the faulting load, so the loop polls forever.
  .section .text.init
  .globl _start
_start:
  la t0, skip
  csrw mtvec, t0
  li s0, 0x50000000            // nothing is mapped here on virt
  li a1, 0
  .globl poll
poll:
  lw a1, 0(s0)                 // load access fault
  andi a1, a1, 1
  beqz a1, poll
  j .

  .align 2
  .globl skip
skip:
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mret
