// RV64M including division by zero and overflow (Unpriv. spec table 13.1).
#include "test.h"
TEST_BEGIN
  TEST_RR(1, mul, 0xfffffffffffffffe, -1, 2)
  TEST_RR(2, mulh, -1, -1, 2)
  TEST_RR(3, mulhu, 1, -1, 2)
  TEST_RR(4, mulhsu, -1, -1, 2)
  TEST_RR(5, mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000)
  TEST_RR(6, mulw, 0xffffffff80000000, 0x40000000, 2)
  TEST_RR(7, div, -3, 7, -2)
  TEST_RR(8, rem, 1, 7, -2)
  TEST_RR(9, rem, -1, -7, 2)
  TEST_RR(10, div, -1, 5, 0)                                   // by zero
  TEST_RR(11, divu, -1, 5, 0)
  TEST_RR(12, rem, 5, 5, 0)
  TEST_RR(13, remu, 5, 5, 0)
  TEST_RR(14, div, 0x8000000000000000, 0x8000000000000000, -1) // overflow
  TEST_RR(15, rem, 0, 0x8000000000000000, -1)
  TEST_RR(16, divw, 0xffffffff80000000, 0x80000000, -1)
  TEST_RR(17, remw, 0, 0x80000000, -1)
  TEST_RR(18, divw, -1, 7, 0)
  TEST_RR(19, divuw, -1, 7, 0)
  TEST_RR(20, remw, 7, 7, 0)
  TEST_RR(21, remuw, 0xffffffff80000000, 0x80000000, 0)     // sign-extended result
  TEST_RR(22, divuw, 0x7fffffff, 0xfffffffe, 2)
  TEST_RR(23, divuw, 0xffffffffffffffff, 0xffffffff, 1)
  TEST_RR(24, divu, 0x7fffffffffffffff, -1, 2)
  TEST_RR(25, remw, -1, -7, 2)
  j pass
TEST_END
