// The time CSR is a read-only shadow of the CLINT's mtime (priv. spec 3.2.1):
// it reads what mtime holds, also after the guest writes mtime (forwards,
// backwards, one 32-bit half), in M, S and U mode, and a deadline computed from
// rdtime after such a write is still in the future.
#include "test.h"
#define CLINT 0x2000000
#define MTIMECMP (CLINT + 0x4000)
#define MTIME (CLINT + 0xbff8)
#define CLOSE 100                   /* ticks (10 us at 10 MHz): time between two reads */
// a2 - base must lie in [0, CLOSE)
#define NEAR(n, base) li gp, n; bltu a2, base, fail; sub t2, a2, base; li t1, CLOSE; bgeu t2, t1, fail
#define GOTO(mpp, label) li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, mpp; csrs mstatus, t0; \
                         la t0, label; csrw mepc, t0; mret
TEST_BEGIN
  li s0, MTIME
  li s1, MTIMECMP
  li t0, -1; sd t0, 0(s1)
  // time lies between two reads of mtime
  ld a1, 0(s0); rdtime a2; ld a3, 0(s0)
  li gp, 1; bltu a2, a1, fail
  li gp, 2; bltu a3, a2, fail
  // a write moves it forward
  li s2, 0x123456789000
  sd s2, 0(s0)
  rdtime a2; NEAR(3, s2)
  csrr a2, time; NEAR(4, s2)
  ld a1, 0(s0); rdtime a2; NEAR(5, a1)
  // and backward
  li s2, 1000
  sd s2, 0(s0)
  rdtime a2; NEAR(6, s2)
  // one 32-bit half
  li t0, 7; sw t0, 4(s0)
  rdtime a2; srli a2, a2, 32; CHECK(7, a2, 7)
  // a deadline from rdtime: not pending at once; pending once mtime reaches it
  li s2, 0x40000000000
  sd s2, 0(s0)
  li t0, 0x80; csrw mie, t0         // MTIE, mstatus.MIE off: wfi wakes, no trap
  rdtime t0; addi t0, t0, 50; sd t0, 0(s1)
  csrr a0, mip; andi a0, a0, 0x80; CHECK(8, a0, 0)
  wfi
  csrr a0, mip; andi a0, a0, 0x80; CHECK(9, a0, 0x80)
  rdtime a2; ld a1, 0(s1); li gp, 10; bltu a2, a1, fail
  li t0, -1; sd t0, 0(s1)
  csrw mie, zero
  // S and U mode see the same count (mcounteren/scounteren.TM)
  li t0, 2; csrw mcounteren, t0; csrw scounteren, t0
  li s2, 0x7700000000
  sd s2, 0(s0)
  EXPECT_TRAP(1f)
  GOTO(0x800, lower)
1: NO_TRAP
  csrr a0, mcause; CHECK(11, a0, 9)
  NEAR(12, s2)
  li s2, 0x5500000000
  sd s2, 0(s0)
  EXPECT_TRAP(1f)
  GOTO(0, lower)
1: NO_TRAP
  csrr a0, mcause; CHECK(13, a0, 8)
  NEAR(14, s2)
  j pass
lower:
  rdtime a2
  ecall
TEST_END
