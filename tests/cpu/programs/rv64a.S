// RV64A: AMOs, LR/SC success and failure.
#include "test.h"
TEST_BEGIN
  la s0, word
  li a1, 5; sd a1, 0(s0)
  li a2, 3
  amoadd.d a0, a2, (s0); CHECK(1, a0, 5)
  ld a0, 0(s0); CHECK(2, a0, 8)
  amoswap.d a0, zero, (s0); CHECK(3, a0, 8)
  li a1, 0xffffffff; sw a1, 0(s0)
  li a2, 1
  amoadd.w a0, a2, (s0); CHECK(4, a0, -1)           // sign-extended old value
  lw a0, 0(s0); CHECK(5, a0, 0)
  li a1, -5; sd a1, 0(s0)
  li a2, 3
  amomin.d a0, a2, (s0); ld a0, 0(s0); CHECK(6, a0, -5)
  amominu.d a0, a2, (s0); ld a0, 0(s0); CHECK(7, a0, 3)
  li a2, -1
  amomax.d a0, a2, (s0); ld a0, 0(s0); CHECK(8, a0, 3)
  amomaxu.d a0, a2, (s0); ld a0, 0(s0); CHECK(9, a0, -1)
  li a2, 0xf0
  amoand.d a0, a2, (s0); ld a0, 0(s0); CHECK(10, a0, 0xf0)
  li a2, 0x0f
  amoor.d a0, a2, (s0); ld a0, 0(s0); CHECK(11, a0, 0xff)
  amoxor.d a0, a2, (s0); ld a0, 0(s0); CHECK(12, a0, 0xf0)
  // LR/SC success
  lr.d a0, (s0)
  li a1, 42
  sc.d a2, a1, (s0); CHECK(13, a2, 0)
  ld a0, 0(s0); CHECK(14, a0, 42)
  // SC without reservation fails and does not store
  li a1, 7
  sc.d a2, a1, (s0); CHECK(15, a2, 1)
  ld a0, 0(s0); CHECK(16, a0, 42)
  // SC to another address fails
  lr.w a0, (s0)
  addi s1, s0, 8
  sc.w a2, a1, (s1)
  CHECK(17, a2, 1)
  // reservation lost after a failed SC
  lr.w a0, (s0)
  addi s1, s0, 8
  sc.w a2, a1, (s1)
  sc.w a2, a1, (s0)
  CHECK(18, a2, 1)
  // misaligned AMO raises store/AMO address misaligned (cause 6)
  EXPECT_TRAP(1f)
  addi s1, s0, 1
  amoadd.d a0, a1, (s1)
  j fail
1: NO_TRAP
  csrr a0, mcause; CHECK(19, a0, 6)
  j pass
TEST_END
  .data
  .align 3
word: .dword 0, 0
