// Stuck: a jump to itself that no interrupt can leave (mstatus.MIE = 0, as at
// reset). With -DTIMER the machine timer interrupt is enabled (mie.MTIE and
// mstatus.MIE, its deadline far away): the same loop then waits for an
// interrupt that can come, and is not stuck.
  .section .text.init
  .globl _start
_start:
#ifdef TIMER
  la t0, handler
  csrw mtvec, t0
  li t0, 0x80
  csrs mie, t0
  csrsi mstatus, 8
#else
  csrci mstatus, 8
#endif
  .globl spin_forever
spin_forever:
  j spin_forever
  .align 2
handler:
  mret
