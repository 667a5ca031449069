// Sdtrig (Debug spec 1.0, chapter 5) as guest software sees it: tinfo,
// tselect, tcontrol.mte, mcontrol and mcontrol6 triggers on execute, load and
// store with breakpoint exceptions, NAPOT ranges, chains, store data match,
// hit bits, and what the guest may not set (dmode, action 1, unknown types).
#include "test.h"
#define TSELECT 0x7a0
#define TDATA1 0x7a1
#define TDATA2 0x7a2
#define TINFO 0x7a4
#define TCONTROL 0x7a5
#define MTE 8
#define MC_LOAD 1
#define MC_STORE 2
#define MC_EXEC 4
#define MC_M (1 << 6)
#define TYPE2 (2 << 60)
#define TYPE6 (6 << 60)
#define MATCH(m) ((m) << 7)
#define CHAIN (1 << 11)
#define SELECT6 (1 << 21)
#define HIT2 (1 << 20)
#define HIT6 (1 << 22)

TEST_BEGIN
  csrr a0, TINFO
  CHECK(1, a0, (1 << 24) | (1 << 2) | (1 << 6) | (1 << 15))
  csrwi TSELECT, 1
  csrr a0, TSELECT
  CHECK(2, a0, 1)
  li t0, 100                   // no trigger 100: tselect keeps its value
  csrw TSELECT, t0
  csrr a0, TSELECT
  CHECK(3, a0, 1)
  csrw TSELECT, zero
  csrr a0, TDATA1              // reset value: mcontrol, nothing enabled
  CHECK(4, a0, TYPE2)
  // dmode and action 1 belong to Debug Mode: a guest write drops them.
  li t0, TYPE2 | (1 << 59) | (1 << 12) | MC_M | MC_EXEC
  csrw TDATA1, t0
  csrr a0, TDATA1
  CHECK(5, a0, TYPE2 | MC_M | MC_EXEC)

  // tcontrol.mte = 0: M-mode breakpoint triggers do not fire.
  csrw TCONTROL, zero
  la t0, t_exec0
  csrw TDATA2, t0
  NO_TRAP
t_exec0:
  nop

  // An execute trigger: breakpoint exception before the instruction, mepc = mtval = its address.
  csrwi TCONTROL, MTE
  la t0, t_exec1
  csrw TDATA2, t0
  EXPECT_TRAP(1f)
t_exec1:
  j fail
1:
  csrr a0, mcause
  CHECK(6, a0, 3)
  csrr a0, mepc
  la a1, t_exec1
  li gp, 7
  bne a0, a1, fail
  csrr a0, mtval
  li gp, 8
  bne a0, a1, fail
  csrr a0, TCONTROL            // the trap into M-mode moved mte to mpte
  CHECK(9, a0, 0x80)
  csrr a0, TDATA1
  li t0, HIT2
  and a0, a0, t0
  CHECK(10, a0, HIT2)

  // A load trigger fires before the load: the destination keeps its value.
  csrwi TCONTROL, MTE
  li t0, TYPE2 | MC_M | MC_LOAD
  csrw TDATA1, t0
  la s1, data1
  csrw TDATA2, s1
  li a0, 5
  EXPECT_TRAP(1f)
  lw a0, 0(s1)
  j fail
1:
  csrr a1, mcause
  CHECK(11, a1, 3)
  CHECK(12, a0, 5)
  csrr a1, mtval
  li gp, 13
  bne a1, s1, fail
  csrwi TCONTROL, MTE
  NO_TRAP
  sw zero, 0(s1)               // a store does not fire a load trigger

  // A store trigger: the store does not happen.
  li t0, TYPE2 | MC_M | MC_STORE
  csrw TDATA1, t0
  li a0, 0x77
  EXPECT_TRAP(1f)
  sw a0, 0(s1)
  j fail
1:
  lw a1, 0(s1)
  CHECK(14, a1, 0)

  // mcontrol6, NAPOT over the 8 bytes at data2: a byte store inside fires, next to it does not.
  csrwi TCONTROL, MTE
  la s2, data2
  ori t0, s2, 3
  csrw TDATA2, t0
  li t0, TYPE6 | MATCH(1) | MC_M | MC_STORE
  csrw TDATA1, t0
  csrr a0, TDATA1
  CHECK(15, a0, TYPE6 | MATCH(1) | MC_M | MC_STORE)
  NO_TRAP
  sb a0, 8(s2)
  EXPECT_TRAP(1f)
  sb a0, 5(s2)
  j fail
1:
  csrr a0, mcause
  CHECK(16, a0, 3)
  csrr a0, TDATA1
  li t0, HIT6
  and a0, a0, t0
  CHECK(17, a0, HIT6)

  // A chain: trigger 1 (>= data3, chained) and trigger 2 (< data3 + 16) make [data3, data3 + 16).
  csrwi TCONTROL, MTE
  li t0, TYPE2
  csrw TDATA1, t0              // trigger 0 off
  csrwi TSELECT, 1
  la s3, data3
  csrw TDATA2, s3
  li t0, TYPE6 | MATCH(2) | CHAIN | MC_M | MC_STORE
  csrw TDATA1, t0
  csrwi TSELECT, 2
  addi t0, s3, 16
  csrw TDATA2, t0
  li t0, TYPE6 | MATCH(3) | MC_M | MC_STORE
  csrw TDATA1, t0
  NO_TRAP
  sd zero, 16(s3)              // above the range: only ">=" matches
  sd zero, -8(s3)              // below it: only "<" matches
  EXPECT_TRAP(1f)
  sd zero, 8(s3)
  j fail
1:
  csrr a0, mcause
  CHECK(18, a0, 3)

  // Store data match (select = 1): only a store of 0x1234 fires.
  csrwi TCONTROL, MTE
  li t0, TYPE6
  csrw TDATA1, t0              // trigger 2 off
  csrwi TSELECT, 1
  csrw TDATA1, t0              // trigger 1 off
  csrw TSELECT, zero
  li t0, 0x1234
  csrw TDATA2, t0
  li t0, TYPE6 | SELECT6 | MC_M | MC_STORE
  csrw TDATA1, t0
  NO_TRAP
  li a0, 0x1233
  sd a0, 0(s1)
  EXPECT_TRAP(1f)
  li a0, 0x1234
  sd a0, 0(s1)
  j fail
1:
  csrr a0, mcause
  CHECK(19, a0, 3)

  // An unsupported type reads back as "disabled" (15).
  li t0, 5 << 60
  csrw TDATA1, t0
  csrr a0, TDATA1
  srli a0, a0, 60
  CHECK(20, a0, 15)
  NO_TRAP
TEST_END

  .data
  .align 4
data1: .dword 0
data2: .dword 0, 0
  .align 4
  .dword 0
data3: .dword 0, 0, 0, 0
