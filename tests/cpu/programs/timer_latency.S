// A timer interrupt reaches a hart spinning in a (translated) loop on time: the hart
// may run ahead of the other processes within its quantum, but must sync when the
// timer's event is due, so the interrupt is taken within about one quantum (10 us =
// 100 ticks on configs/virt.yaml; cpu_run: 100 ticks per 10000-instruction slice).
#include "test.h"
#define CLINT 0x2000000
#define MTIMECMP (CLINT + 0x4000)
#define MTIME (CLINT + 0xbff8)
#define ROUNDS 8
#define LATE_MAX 250
TEST_BEGIN
  li s1, MTIMECMP
  li s2, MTIME
  li t0, 0x80; csrw mie, t0                   // MTIE
  li s3, ROUNDS
1: ld t0, 0(s2); addi t0, t0, 137; sd t0, 0(s1); mv s4, t0
  EXPECT_TRAP(2f)
  csrsi mstatus, 8                            // MIE
  li s5, 0
3: addi s5, s5, 1; j 3b                       // spin until the interrupt
2: NO_TRAP
  csrr a0, mcause; CHECK(1, a0, 0x8000000000000007)
  li gp, 2; beqz s5, fail                     // the loop ran
  ld a1, 0(s2); sub a1, a1, s4                // ticks after the deadline
  li gp, 3; blt a1, zero, fail                // not early
  li t0, LATE_MAX; li gp, 4; bgeu a1, t0, fail
  li t0, -1; sd t0, 0(s1)
  addi s3, s3, -1; bnez s3, 1b
  j pass
TEST_END
