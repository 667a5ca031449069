// Exceptions: causes, tval, epc; privilege checks in U and S mode; counters.
#include "test.h"
#define UNMAPPED 0x50000000
#define TRAP_CHECK(n, cause) NO_TRAP; csrr a0, mcause; CHECK(n, a0, cause)
TEST_BEGIN
  // illegal instruction: tval holds the encoding
  EXPECT_TRAP(1f)
t_illegal:
  .word 0xc0001073              // csrrw x0, cycle, x0: write to a read-only CSR
  j fail
1: TRAP_CHECK(1, 2)
  csrr a0, mtval; CHECK(2, a0, 0xc0001073)
  csrr a0, mepc; la a1, t_illegal; li gp, 3; bne a0, a1, fail
  // unknown CSR
  EXPECT_TRAP(1f)
  csrr a0, 0x7c0
  j fail
1: TRAP_CHECK(4, 2)
  // all-zero halfword is illegal
  EXPECT_TRAP(1f)
  .half 0
  j fail
1: TRAP_CHECK(5, 2)
  // ecall / ebreak from M
  EXPECT_TRAP(1f)
t_ecall:
  ecall
  j fail
1: TRAP_CHECK(6, 11)
  csrr a0, mepc; la a1, t_ecall; li gp, 7; bne a0, a1, fail
  EXPECT_TRAP(1f)
t_ebreak:
  ebreak
  j fail
1: TRAP_CHECK(8, 3)
  csrr a0, mtval; la a1, t_ebreak; li gp, 9; bne a0, a1, fail
  // access faults from the bus
  li s1, UNMAPPED
  EXPECT_TRAP(1f)
  ld a0, 0(s1)
  j fail
1: TRAP_CHECK(10, 5)
  csrr a0, mtval; CHECK(11, a0, UNMAPPED)
  EXPECT_TRAP(1f)
  sw a0, 8(s1)
  j fail
1: TRAP_CHECK(12, 7)
  csrr a0, mtval; CHECK(13, a0, UNMAPPED + 8)
  EXPECT_TRAP(1f)
  jalr ra, 0(s1)
  j fail
1: TRAP_CHECK(14, 1)
  csrr a0, mepc; CHECK(15, a0, UNMAPPED)
  // misa / mhartid / mstatus.UXL
  csrr a0, misa; srli a0, a0, 62; CHECK(16, a0, 2)
  csrr a0, misa; andi a0, a0, 0x100; CHECK(17, a0, 0x100)   // I
  csrr a0, mhartid; CHECK(18, a0, 0)
  csrr a0, mstatus; srli a0, a0, 32; andi a0, a0, 15; CHECK(19, a0, 0xa)
  // medeleg/mideleg WARL masks
  li t0, -1; csrw medeleg, t0; csrr a0, medeleg; CHECK(20, a0, 0xb3ff)
  csrw medeleg, zero
  csrw mideleg, t0; csrr a0, mideleg; CHECK(21, a0, 0x222)
  csrw mideleg, zero
  // mtvec keeps only legal modes
  csrr s2, mtvec
  li t0, 0x80000003; csrw mtvec, t0; csrr a0, mtvec; CHECK(22, a0, 0x80000000)
  csrw mtvec, s2

  // ---- U-mode ----
  csrw mcounteren, zero
  la t0, umode1; csrw mepc, t0
  li t0, MSTATUS_MPP; csrc mstatus, t0
  EXPECT_TRAP(1f)
  mret
umode1:
  csrr a0, mstatus             // M CSR from U: illegal
  j fail
1: TRAP_CHECK(30, 2)
  csrr a0, mstatus; li t0, MSTATUS_MPP; and a0, a0, t0; CHECK(31, a0, 0)   // MPP was U
  la t0, umode2; csrw mepc, t0
  EXPECT_TRAP(1f)
  mret
umode2:
  rdcycle a0                    // mcounteren.CY = 0
  j fail
1: TRAP_CHECK(32, 2)
  li t0, 7; csrw mcounteren, t0; csrw scounteren, t0
  la t0, umode3; csrw mepc, t0
  EXPECT_TRAP(1f)
  mret
umode3:
  rdcycle a0
  rdtime a0
  rdinstret a0
  ecall
  j fail
1: TRAP_CHECK(33, 8)
  la t0, umode4; csrw mepc, t0
  EXPECT_TRAP(1f)
  mret
umode4:
  wfi                           // illegal in U-mode
  j fail
1: TRAP_CHECK(34, 2)
  la t0, umode5; csrw mepc, t0
  EXPECT_TRAP(1f)
  mret
umode5:
  sret
  j fail
1: TRAP_CHECK(35, 2)

  // ---- S-mode ----
  li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, 0x800; csrs mstatus, t0
  la t0, smode1; csrw mepc, t0
  EXPECT_TRAP(1f)
  mret
smode1:
  csrr a0, sstatus
  csrw sscratch, a0
  csrr a0, mstatus
  j fail
1: TRAP_CHECK(40, 2)
  csrr a0, mstatus; srli a0, a0, 11; andi a0, a0, 3; CHECK(41, a0, 1)   // MPP = S
  li t0, 0x800; csrs mstatus, t0
  la t0, smode2; csrw mepc, t0
  EXPECT_TRAP(1f)
  mret
smode2:
  ecall
  j fail
1: TRAP_CHECK(42, 9)
  // TVM: satp access and sfence.vma trap
  li t0, 0x100000; csrs mstatus, t0
  li t0, 0x800; csrs mstatus, t0
  la t0, smode3; csrw mepc, t0
  EXPECT_TRAP(1f)
  mret
smode3:
  csrr a0, satp
  j fail
1: TRAP_CHECK(43, 2)
  li t0, 0x800; csrs mstatus, t0
  la t0, smode4; csrw mepc, t0
  EXPECT_TRAP(1f)
  mret
smode4:
  sfence.vma
  j fail
1: TRAP_CHECK(44, 2)
  li t0, 0x100000; csrc mstatus, t0
  // TW: wfi traps in S
  li t0, 0x200000; csrs mstatus, t0
  li t0, 0x800; csrs mstatus, t0
  la t0, smode5; csrw mepc, t0
  EXPECT_TRAP(1f)
  mret
smode5:
  wfi
  j fail
1: TRAP_CHECK(45, 2)
  li t0, 0x200000; csrc mstatus, t0
  // TSR: sret traps in S
  li t0, 0x400000; csrs mstatus, t0
  li t0, 0x800; csrs mstatus, t0
  la t0, smode6; csrw mepc, t0
  EXPECT_TRAP(1f)
  mret
smode6:
  sret
  j fail
1: TRAP_CHECK(46, 2)
  li t0, 0x400000; csrc mstatus, t0
  // mret to S clears MPRV
  li t0, 0x20800; csrs mstatus, t0
  la t0, smode7; csrw mepc, t0
  EXPECT_TRAP(1f)
  mret
smode7:
  ecall
1: TRAP_CHECK(47, 9)
  csrr a0, mstatus; li t0, MSTATUS_MPRV; and a0, a0, t0; CHECK(48, a0, 0)
  // minstret counts retired instructions
  csrr a1, minstret
  nop
  nop
  csrr a2, minstret
  sub a0, a2, a1; CHECK(49, a0, 3)
  j pass
TEST_END
