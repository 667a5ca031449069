// RV64I: arithmetic, shifts, W-ops sign extension, loads/stores, branches, jumps.
#include "test.h"
TEST_BEGIN
  TEST_RR(1, add, 0x0000000100000000, 0xffffffff, 1)
  TEST_RR(2, sub, -1, 0, 1)
  TEST_RR(3, addw, 0xffffffff80000000, 0x7fffffff, 1)      // sign-extends bit 31
  TEST_RR(4, subw, 0x7fffffff, 0x80000000, 1)
  TEST_RI(5, addiw, 0xffffffff80000000, 0x7fffffff, 1)
  TEST_RI(6, addiw, 0, 0xffffffff00000000, 0)                // upper bits dropped
  TEST_RR(7, sll, 0x8000000000000000, 1, 63)
  TEST_RR(8, sll, 2, 1, 65)                                  // shift amount mod 64
  TEST_RR(9, srl, 1, 0x8000000000000000, 63)
  TEST_RR(10, sra, -1, 0x8000000000000000, 63)
  TEST_RR(11, sllw, 0xffffffff80000000, 1, 31)
  TEST_RR(12, srlw, 0x7fffffff, 0xffffffff, 1)
  TEST_RR(13, sraw, 0xffffffffffffffff, 0x80000000, 31)
  TEST_RR(14, srlw, 0xffffffff80000000, 0x80000000, 32)     // shift amount mod 32
  TEST_RI(15, slliw, 0xffffffff80000000, 1, 31)
  TEST_RI(16, srliw, 1, 0x80000000, 31)
  TEST_RI(17, sraiw, 0xffffffffffffffff, 0x80000000, 31)
  TEST_RI(18, srai, 0xfffffffffffffff0, 0x8000000000000000, 59)
  TEST_RR(19, slt, 1, -1, 0)
  TEST_RR(20, sltu, 0, -1, 0)
  TEST_RI(21, slti, 1, -5, -4)
  TEST_RI(22, sltiu, 1, 5, -1)                              // imm sign-extended, unsigned compare
  TEST_RR(23, xor, 0xff00ff00ff00ff00, 0xffffffff00000000, 0x00ff00ffff00ff00)
  TEST_RI(24, andi, 0xf0, 0xfff0, 0xff)
  TEST_RI(25, ori, -1, 0, -1)
  TEST_RI(26, xori, ~0x123, 0x123, -1)
  // lui/auipc
  lui a0, 0x80000
  CHECK(27, a0, 0xffffffff80000000)
1: auipc a0, 0
  la a1, 1b
  li gp, 28; bne a0, a1, fail
  // loads: sign/zero extension
  la s0, data
  lb a0, 0(s0);  CHECK(30, a0, 0xffffffffffffff81)
  lbu a0, 0(s0); CHECK(31, a0, 0x81)
  lh a0, 0(s0);  CHECK(32, a0, 0xffffffffffff8281)
  lhu a0, 0(s0); CHECK(33, a0, 0x8281)
  lw a0, 0(s0);  CHECK(34, a0, 0xffffffff84838281)
  lwu a0, 0(s0); CHECK(35, a0, 0x84838281)
  ld a0, 0(s0);  CHECK(36, a0, 0x8887868584838281)
  lb a0, -1(s0); CHECK(37, a0, 0x7f)
  // stores
  li a1, 0x1122334455667788
  sd a1, 8(s0); ld a0, 8(s0); CHECK(40, a0, 0x1122334455667788)
  sw zero, 8(s0); ld a0, 8(s0); CHECK(41, a0, 0x1122334400000000)
  sh a1, 12(s0); ld a0, 8(s0); CHECK(42, a0, 0x1122778800000000)
  sb a1, 15(s0); ld a0, 8(s0); CHECK(43, a0, 0x8822778800000000)
  // misaligned (emulated by default)
  ld a0, 1(s0); CHECK(44, a0, 0x0088878685848382)
  li a1, 0x0102030405060708
  sd a1, 17(s0); ld a0, 17(s0); CHECK(45, a0, 0x0102030405060708)
  lw a0, 3(s0); CHECK(46, a0, 0xffffffff87868584)
  // branches
  li gp, 50
  li a1, -1; li a2, 1
  blt a2, a1, fail
  bge a1, a2, fail
  bltu a1, a2, fail
  bgeu a2, a1, fail
  beq a1, a2, fail
  bne a1, a1, fail
  li gp, 51
  blt a1, a2, 1f; j fail
1: bgeu a1, a2, 1f; j fail
1: beq a1, a1, 1f; j fail
1:
  // jal/jalr link values, jalr clears bit 0
  li gp, 52
  jal ra, 2f
1: j fail
2: la a0, 1b; bne ra, a0, fail
  la a1, 3f; addi a1, a1, 1
  jalr t0, 0(a1)
  j fail
3: li gp, 53
  // x0 stays zero
  li gp, 54
  addi zero, zero, 5
  bnez zero, fail
  // fence/fence.i are harmless
  fence rw, rw
  fence.i
  // self-modifying code with fence.i
  li gp, 55
  la a0, smc
  li a1, 0x00700513   // li a0, 7
  sw a1, 0(a0)
  fence.i
  call smc
  CHECK(56, a0, 7)
  j pass
TEST_END
  .data
  .byte 0x7f
data:
  .byte 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88
  .dword 0, 0, 0, 0
  .text
  .option push
  .option norvc
smc:
  li a0, 3
  ret
  .option pop
