/* Harts waiting for a start flag as OpenSBI 1.1's HSM wait does on the harts Linux
 * has not started yet: MSIP is pending (an IPI nobody cleared) and enabled in mie,
 * mstatus.MIE = 0, so every `wfi` returns at once and the loop spins: wfi, a call to
 * a load of the flag that saves and restores s0 on the stack, a branch back. Hart 0
 * raises the other harts' msip, then sets their flags one by one after delay loops
 * spanning many quanta; each released hart records minstret and mcycle and counts
 * itself done; hart 0 passes (HTIF 1) when all are. The translator counts such
 * laps without running them (dispatcher.cpp, skip_spin): tests/smp/spin_exact.sh
 * runs this translated and interpreted and compares every simulated statistic.
 */
#ifndef NHARTS
#define NHARTS 4
#endif
#ifndef DELAY
#define DELAY 150000
#endif
#define CLINT_MSIP 0x2000000
#define MIP_MSIP 8

  .section .text.init
  .globl _start
_start:
  csrr s0, mhartid
  la t0, trap; csrw mtvec, t0
  li t0, NHARTS
  bgeu s0, t0, park
  bnez s0, waiter

  /* hart 0: msip of harts 1 .. NHARTS-1 */
  li t0, CLINT_MSIP
  li t1, 1
  li t2, 1
1: slli t3, t2, 2
  add t3, t3, t0
  sw t1, 0(t3)
  addi t2, t2, 1
  li t4, NHARTS
  bltu t2, t4, 1b
  /* release them one by one, a different delay before each */
  la s1, flags
  li s2, 1
release:
  li t5, DELAY
  mul t5, t5, s2
2: addi t5, t5, -1
  bnez t5, 2b
  slli t3, s2, 3
  add t3, s1, t3
  li t1, 1
  sd t1, 0(t3)
  addi s2, s2, 1
  li t4, NHARTS
  bltu s2, t4, release
  la t0, done
3: lw t1, 0(t0)
  li t2, NHARTS - 1
  bne t1, t2, 3b
  li t0, 1
  la t1, tohost
  sd t0, 0(t1)
  j park

waiter:
  li t0, MIP_MSIP
  csrw mie, t0
  la s1, flags
  slli t0, s0, 3
  add s1, s1, t0
  la sp, stacks + 64
  slli t0, s0, 6
  add sp, sp, t0
  li s2, 1
4: wfi
  mv a0, s1
  call read_flag
  bne a0, s2, 4b
  csrr t0, minstret
  csrr t1, mcycle
  la t2, results
  slli t3, s0, 4
  add t2, t2, t3
  sd t0, 0(t2)
  sd t1, 8(t2)
  la t0, done
  li t1, 1
  amoadd.w zero, t1, (t0)
  csrw mie, zero
  j park

/* OpenSBI's atomic_read as built (-O2 with a frame pointer) */
read_flag:
  addi sp, sp, -16
  sd s0, 8(sp)
  addi s0, sp, 16
  ld a0, 0(a0)
  fence ir, ir
  ld s0, 8(sp)
  addi sp, sp, 16
  ret

park:
  wfi
  j park

trap:                          /* no trap is expected */
  csrr t0, mcause
  slli t0, t0, 1
  ori t0, t0, 1
  la t1, tohost
  sd t0, 0(t1)
  j park

  .section .tohost, "aw"
  .balign 64
  .globl tohost
tohost: .dword 0
  .balign 64
  .globl fromhost
fromhost: .dword 0

  .data
  .balign 64
flags: .dword 0, 0, 0, 0, 0, 0, 0, 0
done: .word 0
  .balign 64
results: .fill 2 * NHARTS, 8, 0
  .balign 64
stacks: .fill 8 * NHARTS, 8, 0
