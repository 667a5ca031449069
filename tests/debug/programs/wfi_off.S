// Stuck: waiting for an interrupt with every interrupt disabled.
  .section .text.init
  .globl _start
_start:
  csrw mie, zero
  csrci mstatus, 8
  .globl sleep_forever
sleep_forever:
  wfi
  j sleep_forever
