/* The `time` CSR's cache (Core::set_time_cache, the hart's linear form of time): reads
 * answered without asking the timer must be the values the timer gives. Hart 0 reads
 * `time` in tight loops (translated, they answer inline) around everything that ends
 * such a stretch: its own mtime writes (forwards, backwards, a 32-bit half) with no
 * other bus access between, wfi sleeps, timer interrupts, quantum boundaries, a
 * privilege change that forbids the read (mcounteren/scounteren.TM: an illegal
 * instruction trap, not a cached value), and an mtime write by hart 1 while hart 0
 * only reads `time`. It checks what it can itself (steps of one tick, values near what
 * was written, deadlines passed) and prints a hash of every value and instret it saw:
 * tests/cpu/time_cache.sh compares it with the interpreter's and with a lock-step run
 * (which reads the timer every time).
 * Built with -DTWO_HARTS, it runs on two harts (vp run --smp 2, no lock-step then). */
#include "test.h"
#define CLINT 0x2000000
#define MTIMECMP (CLINT + 0x4000)
#define MTIME (CLINT + 0xbff8)
#define HASH(r) slli t6, s11, 5; sub s11, t6, s11; add s11, s11, r
#define HASH_IRQ(r) slli t3, s11, 5; sub s11, t3, s11; add s11, s11, r
TEST_BEGIN
  csrr t0, mhartid
  bnez t0, hart1
  li s0, MTIME
  li s1, MTIMECMP
  li s11, 0
  li t0, -1; sd t0, 0(s1)

  /* A: 300 steps of `time`, each by one tick, a steady number of instructions apart
   * (100 at 1 GHz and 10 MHz, give or take the 2-instruction loop and the bookkeeping). */
  rdtime s3
8: rdtime a0                    /* from the start of a step */
  beq a0, s3, 8b
  mv s3, a0
  csrr s4, minstret
  li s2, 300
1: rdtime a0
  beq a0, s3, 1b
  csrr a1, minstret
  HASH(a0); HASH(a1)
  sub t0, a0, s3; li gp, 2; li t1, 1; bne t0, t1, fail
  sub t0, a1, s4; li gp, 3; li t1, 80; bltu t0, t1, fail; li t1, 120; bgeu t0, t1, fail
  mv s3, a0
  mv s4, a1
  addi s2, s2, -1
  bnez s2, 1b

  /* B: mtime written between two reads (no other bus access): the second read sees it. */
  li s2, 200
  li s5, 0x123456789000
2: rdtime a0
  sd s5, 0(s0)
  rdtime a1
  HASH(a1)
  sub t0, a1, s5; li gp, 4; li t1, 3; bgeu t0, t1, fail
  rdtime a0
  li t0, 0x77; sw t0, 4(s0)     /* the high half only */
  rdtime a1
  HASH(a1)
  srli t0, a1, 32; li gp, 5; li t1, 0x77; bne t0, t1, fail
  /* alternately forwards and backwards */
  li t0, 0x5a5a5a5a000
  xor s5, s5, t0
  addi s2, s2, -1
  bnez s2, 2b

  /* C: wfi sleeps until mtime reaches mtimecmp; the next read is past it. */
  li t0, 0x80; csrw mie, t0     /* MTIE; mstatus.MIE off: wfi wakes, no trap */
  li s2, 60
3: rdtime t0
  addi t0, t0, 37
  sd t0, 0(s1)
  rdtime a0
  rdtime a0
  wfi
  rdtime a1
  HASH(a1)
  ld t0, 0(s1); li gp, 6; bltu a1, t0, fail
  addi s2, s2, -1
  bnez s2, 3b
  li t0, -1; sd t0, 0(s1)
  csrw mie, zero

  /* D: timer interrupts while the loop only reads `time`; the handler reads it too. */
  EXPECT_TRAP(irq_handler)
  li s4, 0
  rdtime t0; addi t0, t0, 7; sd t0, 0(s1)
  li t0, 0x80; csrw mie, t0
  csrsi mstatus, 8
  li s5, 5000000
4: rdtime a0
  addi s5, s5, -1
  li gp, 7; beqz s5, fail
  li t1, 60; bltu s4, t1, 4b
  csrci mstatus, 8
  csrw mie, zero
  li t0, -1; sd t0, 0(s1)
  NO_TRAP

  /* E: S and U mode read `time` while mcounteren.TM (and scounteren.TM) allow it, then
   * M clears the bit and returns: the same read must trap. s7: the mode, s6: the phase. */
  li s7, 0x800
  li s4, 100
e_loop:
  li t0, 2; csrw mcounteren, t0; csrw scounteren, t0
  li s6, 0
  EXPECT_TRAP(e_trap)
  li t0, MSTATUS_MPP; csrc mstatus, t0; csrs mstatus, s7
  la t0, lower; csrw mepc, t0
  mret
e_trap:
  csrr t0, mcause
  beqz s6, e_ecall
  li gp, 8; li t1, 2; bne t0, t1, fail   /* illegal instruction */
  addi s4, s4, -1
  bnez s4, e_loop
  beqz s7, e_done
  li s7, 0                      /* the same in U mode */
  li s4, 100
  j e_loop
e_ecall:
  li gp, 9; li t1, 8; bltu t0, t1, fail; li t1, 10; bgeu t0, t1, fail  /* ecall from U or S */
  beqz s7, 1f
  csrw mcounteren, zero
  j 2f
1: csrw scounteren, zero
2: li s6, 1
  la t0, lower_again; csrw mepc, t0
  mret                          /* back to the mode the ecall came from */
lower:
  rdtime a0
  rdtime a1
  sub t0, a1, a0; li gp, 10; li t1, 2; bgeu t0, t1, fail
  ecall
lower_again:
  rdtime a0
  li gp, 11; j fail
e_done:
  NO_TRAP
  csrw mcounteren, zero; csrw scounteren, zero

#ifdef TWO_HARTS
  /* F: hart 1 writes mtime while hart 0 only reads `time`: hart 0 sees the jump. */
  rdtime s3
  la t0, flag; li t1, 1; sd t1, 0(t0)
  li t0, 0x10000000000
  add s3, s3, t0                /* hart 1 adds 2^42 */
  li s5, 20000000
5: rdtime a0
  addi s5, s5, -1
  li gp, 12; beqz s5, fail
  bltu a0, s3, 5b
  HASH(a0)
#endif

  /* the hash through HTIF, then pass */
  li t0, 60
6: srl t1, s11, t0
  andi t1, t1, 15
  li t2, 10; bltu t1, t2, 7f
  addi t1, t1, 'a' - 10 - '0'
7: addi t1, t1, '0'
  call htif_putc
  addi t0, t0, -4
  bgez t0, 6b
  li t1, '\n'
  call htif_putc
  j pass

htif_putc:                      /* t1: the character */
  li t2, 0x0101000000000000
  or t1, t1, t2
  la t2, tohost
  sd t1, 0(t2)
1: ld t1, 0(t2)
  bnez t1, 1b
  ret

irq_handler:                    /* t5 is the trap vector's; the loop uses a0, s4, s5 */
  csrr t0, mcause
  li t1, 0x8000000000000007; li gp, 13; bne t0, t1, fail
  rdtime t2
  HASH_IRQ(t2)
  csrr t0, minstret
  HASH_IRQ(t0)
  ld t0, 0(s1); li gp, 14; bltu t2, t0, fail
  addi t0, t2, 13
  sd t0, 0(s1)
  addi s4, s4, 1
  mret

hart1:
  la t0, flag
1: ld t1, 0(t0)
  beqz t1, 1b
  li t1, 3000                   /* hart 0 is in its read loop by now */
2: addi t1, t1, -1
  bnez t1, 2b
  li s0, MTIME
  ld t1, 0(s0)
  li t2, 0x10000000000
  add t1, t1, t2
  sd t1, 0(s0)
3: wfi
  j 3b

TEST_END
  .align 3
flag: .dword 0
