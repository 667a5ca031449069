// misaligned: trap -> address-misaligned exceptions with tval (run with misaligned=trap).
#include "test.h"
#define TRAP_CHECK(n, cause) NO_TRAP; csrr a0, mcause; CHECK(n, a0, cause)
TEST_BEGIN
  la s0, buf
  EXPECT_TRAP(1f)
  ld a0, 1(s0)
  j fail
1: TRAP_CHECK(1, 4)
  csrr a0, mtval; addi t0, s0, 1; li gp, 2; bne a0, t0, fail
  EXPECT_TRAP(1f)
  sw a0, 2(s0)
  j fail
1: TRAP_CHECK(3, 6)
  csrr a0, mtval; addi t0, s0, 2; li gp, 4; bne a0, t0, fail
  ld a0, 8(s0)             // aligned still fine
  j pass
TEST_END
  .data
  .align 3
buf: .dword 0, 0
