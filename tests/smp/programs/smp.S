/* SMP on NHARTS harts of configs/virt.yaml (vp run --smp NHARTS): every hart
 * starts at _start with a0 = mhartid. Hart 0 reports through HTIF: 1 = pass,
 * (n << 1) | 1 = check n failed.
 *
 * 1. Counters: each hart adds 1, ITER times, to a 64-bit counter with an
 *    LR/SC loop, to a 32-bit counter with LR/SC, and to another with amoadd;
 *    every total must be exactly NHARTS * ITER (a lost update = a reservation
 *    that survived another hart's store, or a torn AMO).
 * 2. Reservations: hart 2 keeps storing to `shared` with plain stores (the DMI
 *    fast path), counting its stores in `shared_count`. Hart 1 takes a
 *    reservation on `shared`, reads the count, waits a few instructions for it
 *    to grow by 2 (then hart 2 stored to `shared` after the LR) and tries SC:
 *    every SC after such an observed store must fail, and some must have been
 *    observed (a hart switch fell between LR and SC). Then hart 1 runs short
 *    LR/SC sequences on a granule that nobody else stores to while hart 2
 *    stores next to it in the same page: every SC must succeed, however many
 *    quantum switches fall between LR and SC.
 * 4. (before 2 and 3) A timer per hart: each hart sets its own mtimecmp to a
 *    deadline 1000 ticks after the previous hart's and sleeps until its MTIP: it
 *    must wake at its own deadline.
 * 3. fence.i across harts: hart 1 runs code, hart 0 rewrites it with plain
 *    stores and sends hart 1 a software interrupt (CLINT msip, as SBI's remote
 *    fence.i does); hart 1 wakes from WFI, runs fence.i and must see the new code.
 */
#ifndef NHARTS
#define NHARTS 4
#endif
#ifndef ITER
#define ITER 20000
#endif
#define ATTEMPTS 2000
#define CLINT_MSIP 0x2000000
#define MIP_MSIP 8
#define MIP_MTIP 0x80
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME 0x200bff8
#define TIMER_SPACING 1000

  .section .text.init
  .globl _start
_start:
  csrr s0, mhartid
  la t0, trap; csrw mtvec, t0
  li t0, NHARTS
  bgeu s0, t0, park            /* more harts than the test uses */

  /* 1. counters */
  li s1, ITER
  la s2, counter64
  la s3, counter32
  la s4, counter_amo
  li s5, 1
count:
1: lr.d t0, (s2)
  addi t0, t0, 1
  sc.d t1, t0, (s2)
  bnez t1, 1b
2: lr.w t0, (s3)
  addiw t0, t0, 1
  sc.w t1, t0, (s3)
  bnez t1, 2b
  amoadd.w zero, s5, (s4)
  addi s1, s1, -1
  bnez s1, count
  la t0, done
  amoadd.w zero, s5, (t0)
  la t0, done                  /* wait for every hart: the totals are final */
3: lw t1, 0(t0)
  li t2, NHARTS
  bne t1, t2, 3b

  /* 4. a timer per hart: mtimecmp[hart] = now + 1000 * (hart + 1) ticks; the
     hart sleeps in WFI until its own MTIP, which must come at its deadline
     (not another hart's: they are 1000 ticks apart) */
  li t0, CLINT_MTIME
  ld t1, 0(t0)
  addi t2, s0, 1
  li t3, TIMER_SPACING
  mul t2, t2, t3
  add s6, t1, t2               /* the deadline */
  li t0, CLINT_MTIMECMP
  slli t3, s0, 3
  add s7, t0, t3               /* &mtimecmp[hart] */
  sd s6, 0(s7)
  li t0, MIP_MTIP
  csrw mie, t0                 /* WFI wakes on MTIP; mstatus.MIE = 0: no trap */
7: wfi
  csrr t1, mip
  andi t1, t1, MIP_MTIP
  beqz t1, 7b
  li t0, CLINT_MTIME
  ld t1, 0(t0)
  li t4, 1                     /* on time */
  bgeu t1, s6, 1f
  li t4, 2                     /* early: woken by another hart's timer */
1: li t3, TIMER_SPACING / 2
  add t3, s6, t3
  bltu t1, t3, 1f
  li t4, 3                     /* late */
1: li t0, -1
  sd t0, 0(s7)                 /* no more timer interrupts */
  csrw mie, zero
  la t0, timer_verdict
  slli t3, s0, 2
  add t0, t0, t3
  sw t4, 0(t0)
  la t0, timer_done
  amoadd.w zero, s5, (t0)

  li t0, 1; beq s0, t0, hart1
  li t0, 2; beq s0, t0, hart2
  bnez s0, park

  /* hart 0: check the totals */
  li gp, 1
  li t2, NHARTS * ITER
  ld t1, counter64
  bne t1, t2, fail
  li gp, 2
  lwu t1, counter32
  bne t1, t2, fail
  li gp, 3
  lwu t1, counter_amo
  bne t1, t2, fail

  /* 4. every hart's timer woke it on time (gp = 10 + hart) */
  la t0, timer_done
6: lw t1, 0(t0)
  li t2, NHARTS
  bne t1, t2, 6b
  la s2, timer_verdict
  li gp, 10
  li t3, 10 + NHARTS
6: lw t1, 0(s2)
  li t2, 1
  bne t1, t2, fail
  addi s2, s2, 4
  addi gp, gp, 1
  bne gp, t3, 6b

  /* 3. wait until hart 1 ran patch_me (it returned 1), then rewrite it */
  la t0, ran_once
4: lw t1, 0(t0)
  beqz t1, 4b
  la t0, patch_me
  li t1, 0x00200513            /* addi a0, zero, 2 */
  sw t1, 0(t0)
  li t0, CLINT_MSIP + 4        /* msip of hart 1 */
  li t1, 1
  sw t1, 0(t0)
  /* wait for hart 1's verdicts */
  la t0, verdict
5: lw t1, 0(t0)
  beqz t1, 5b
  li gp, 4                     /* SC after another hart's plain store succeeded */
  lw t2, sc_after_store
  bnez t2, fail
  li gp, 7                     /* no hart switch fell between LR and SC: 2a tested nothing */
  lw t2, observed
  beqz t2, fail
  li gp, 5                     /* an SC with no store to its granule failed */
  lw t2, sc_untouched
  li t3, ATTEMPTS
  bne t2, t3, fail
  li gp, 6                     /* hart 1 ran the old code after fence.i */
  lw t2, patched_result
  li t3, 2
  bne t2, t3, fail
  li t0, 1
  la t1, tohost
  sd t0, 0(t1)
  j park

hart1:
  /* 2a. reserve, wait (bounded) until hart 2 stored to it twice more: SC must fail */
  la s2, shared
  la s8, shared_count
1: ld t1, 0(s8)                 /* hart 2 is storing already */
  beqz t1, 1b
  li s6, ATTEMPTS
  li s7, 0                     /* SCs after an observed store */
  li s9, 0                     /* SCs after an observed store that succeeded */
12: lr.d t0, (s2)
  ld t4, 0(s8)                 /* read after the LR: the second store from now follows it */
  addi t4, t4, 2
  li t5, 8                     /* a few instructions: within the reservation window */
13: ld t6, 0(s8)
  bgeu t6, t4, 14f
  addi t5, t5, -1
  bnez t5, 13b
  sc.d t1, t0, (s2)            /* nothing observed: either outcome is allowed */
  j 15f
14: sc.d t1, t0, (s2)
  addi s7, s7, 1
  bnez t1, 15f
  addi s9, s9, 1
15: andi t5, s6, 15              /* attempts of varying length: hart switches */
16: addi t5, t5, -1              /* fall at every point of an attempt */
  bgez t5, 16b
  addi s6, s6, -1
  bnez s6, 12b
  sw s7, observed, t2
  sw s9, sc_after_store, t2
  li t1, 1
  sw t1, phase_a_done, t2
  /* 2b. LR/SC on a granule nobody else stores to, while hart 2 stores to the
     next granule of the same page: every SC must succeed */
  la s2, untouched
  li s6, ATTEMPTS
  li s7, 0
10: lr.d t0, (s2)
  addi t0, t0, 1
  nop; nop; nop; nop
  sc.d t1, t0, (s2)
  bnez t1, 11f
  addi s7, s7, 1
11: addi s6, s6, -1
  bnez s6, 10b
  sw s7, sc_untouched, t2
  li t1, 1
  sw t1, phase_b_done, t2
  /* 3. run patch_me (returns 1), then sleep until hart 0's IPI */
  call patch_me
  li t1, 1
  bne a0, t1, 8f
  sw t1, ran_once, t2
  csrw mie, MIP_MSIP           /* WFI wakes on msip; mstatus.MIE = 0: no trap */
9: wfi
  csrr t1, mip
  andi t1, t1, MIP_MSIP
  beqz t1, 9b
  li t0, CLINT_MSIP + 4
  sw zero, 0(t0)
  fence.i
  call patch_me
8: sw a0, patched_result, t2
  li t1, 1
  sw t1, verdict, t2
  j park

hart2:
  la s2, shared
  la s8, shared_count
1: sd s5, 0(s2)                /* plain store into hart 1's reservation */
  ld t1, 0(s8)
  addi t1, t1, 1
  sd t1, 0(s8)
  lw t1, phase_a_done
  beqz t1, 1b
  la s2, untouched
2: sd s5, 64(s2)               /* the next granule: hart 1's SCs may succeed */
  lw t1, phase_b_done
  beqz t1, 2b
  j park

park:
  wfi
  j park

fail:
  slli t0, gp, 1
  ori t0, t0, 1
  la t1, tohost
  sd t0, 0(t1)
  j park

trap:                          /* no trap is expected */
  csrr gp, mcause
  addi gp, gp, 100
  j fail

/* Code on a page of its own, so that hart 0's stores to it take the DMI fast path. */
  .section .text.patch, "ax"
  .balign 4096
  .option push
  .option norvc                /* 4-byte instructions: hart 0 rewrites the first one */
patch_me:
  addi a0, zero, 1
  ret
  .option pop

  .section .tohost, "aw"
  .balign 64
  .globl tohost
tohost: .dword 0
  .balign 64
  .globl fromhost
fromhost: .dword 0

  .data
  .balign 4096
counter64: .dword 0
  .balign 64
counter32: .word 0
  .balign 64
counter_amo: .word 0
  .balign 64
done: .word 0
  .balign 64
shared: .dword 0
  .balign 64
untouched: .dword 0
  .balign 64
untouched_neighbour: .dword 0
  .balign 64
timer_done: .word 0
timer_verdict: .word 0, 0, 0, 0, 0, 0, 0, 0
  .balign 64
shared_count: .dword 0
phase_a_done: .word 0
phase_b_done: .word 0
observed: .word 0
ran_once: .word 0
verdict: .word 0
sc_after_store: .word 0
sc_untouched: .word 0
patched_result: .word 0
