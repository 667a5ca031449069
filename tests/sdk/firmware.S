# Drives the two plugin devices of tests/sdk/external/platform.yaml and ends the
# run through the SiFive test finisher: pass, or fail with the number of the check.
  .section .text.init
  .globl _start
_start:
  la t0, on_trap
  csrw mtvec, t0
  li s0, 0x20000000          # dev.scratch_counter (C++ plugin)
  li t0, 40
  sd t0, 0(s0)               # VALUE = 40
  li t0, 2
  sd t0, 8(s0)               # VALUE += 2
  li t0, 1
  sd t0, 0x20(s0)            # VALUE += step (3, from the platform file)
  ld t1, 0(s0)
  li t2, 45
  li a0, 1
  bne t1, t2, fail
  ld t1, 0x18(s0)
  li t2, 3
  li a0, 2
  bne t1, t2, fail
  ld t1, 0x10(s0)            # one guest read of VALUE so far
  li t2, 1
  li a0, 3
  bne t1, t2, fail

  li s1, 0x20001000          # rtl.adder (Verilated RTL plugin)
  li t0, 1234
  sw t0, 0(s1)
  li t0, 4321
  sw t0, 4(s1)
  lw t1, 8(s1)
  li t2, 5555
  li a0, 4
  bne t1, t2, fail
  lw t1, 12(s1)
  li t2, 5332114             # 1234 * 4321
  li a0, 5
  bne t1, t2, fail
  li s2, 0                   # PSLVERR must become a load access fault (mcause 5)
  lw t1, 0x10(s1)
  li t2, 5
  li a0, 6
  bne s2, t2, fail

  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
1: j 1b

fail:
  li t0, 0x100000
  slli a0, a0, 16
  li t1, 0x3333
  or t1, t1, a0
  sw t1, 0(t0)
1: j 1b

  .align 2
on_trap:
  csrr s2, mcause
  csrr t3, mepc
  addi t3, t3, 4
  csrw mepc, t3
  mret
