// Interrupts through the CLINT (0x2000000): timer via WFI, software, vectored
// mtvec, S-mode delegation, priority and enables.
#include "test.h"
#define CLINT 0x2000000
#define MTIMECMP (CLINT + 0x4000)
#define MTIME (CLINT + 0xbff8)
#define TRAP_CHECK(n, cause) NO_TRAP; csrr a0, mcause; CHECK(n, a0, cause)
TEST_BEGIN
  li s0, CLINT
  li s1, MTIMECMP
  li s2, MTIME
  li t0, -1; sd t0, 0(s1)
  // time advances
  rdtime a1
  ld a2, 0(s2)
  li gp, 1; bltu a2, a1, fail
  // timer interrupt wakes WFI
  li t0, 0x80; csrw mie, t0                     // MTIE
  ld t0, 0(s2); addi t0, t0, 50; sd t0, 0(s1)
  EXPECT_TRAP(1f)
  csrsi mstatus, 8                              // MIE
2: wfi
  j 2b
1: TRAP_CHECK(2, 0x8000000000000007)
  ld a0, 0(s2); ld a1, 0(s1); li gp, 3; bltu a0, a1, fail   // mtime >= mtimecmp
  csrr a0, mip; andi a0, a0, 0x80; CHECK(4, a0, 0x80)        // MTIP pending
  li t0, -1; sd t0, 0(s1)
  csrr a0, mip; andi a0, a0, 0x80; CHECK(5, a0, 0)
  csrr a0, mstatus; andi a0, a0, 0x88; CHECK(6, a0, 0x80)    // MIE cleared, MPIE set
  // WFI with interrupts globally disabled still wakes, without trapping
  ld t0, 0(s2); addi t0, t0, 20; sd t0, 0(s1)
  wfi
  csrr a0, mip; andi a0, a0, 0x80; CHECK(7, a0, 0x80)
  li t0, -1; sd t0, 0(s1)
  // software interrupt, vectored mode
  la t0, vectors; ori t0, t0, 1; csrw mtvec, t0
  li t0, 0x8; csrw mie, t0                      // MSIE
  EXPECT_TRAP(1f)
  li t0, 1; sw t0, 0(s0)                        // msip = 1
  csrsi mstatus, 8
  nop
  j fail
1: TRAP_CHECK(8, 0x8000000000000003)
  la t0, which; ld a0, 0(t0); CHECK(9, a0, 3)   // came through vector 3
  sw zero, 0(s0)
  la t0, trap_vector; csrw mtvec, t0
  // priority: MSI before MTI... both pending: MTI (7) loses to MSI (3)
  li t0, 0x88; csrw mie, t0
  ld t0, 0(s2); sd t0, 0(s1)                    // MTIP now
  li t0, 1; sw t0, 0(s0)
  EXPECT_TRAP(1f)
  csrsi mstatus, 8
  j fail
1: TRAP_CHECK(10, 0x8000000000000003)
  sw zero, 0(s0)
  li t0, -1; sd t0, 0(s1)
  csrw mie, zero
  // delegated supervisor software interrupt, taken in S only
  li t0, 2; csrw mideleg, t0
  li t0, 2; csrw mie, t0                        // SSIE
  csrsi mip, 2                                  // SSIP
  csrsi mstatus, 8                              // M: delegated interrupts never trap to M
  nop
  csrci mstatus, 8
  la t0, s_handler; csrw stvec, t0
  li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, 0x800; csrs mstatus, t0
  la t0, s_code; csrw mepc, t0
  NO_TRAP
  mret
s_code:
  nop                                           // SIE=0: pending, not taken
  csrsi sstatus, 2                              // SIE=1 -> trap to s_handler
  nop
  li gp, 11
  la t0, which; ld a0, 0(t0); li t1, 0x8000000000000001; bne a0, t1, fail
  csrr a0, sip; andi a0, a0, 2; CHECK(12, a0, 0)
  // U-mode: S-level interrupts are enabled regardless of SIE
  j pass
s_handler:
  csrr t0, scause; la t1, which; sd t0, 0(t1)
  csrci sip, 2
  sret

  .align 6
  .option push
  .option norvc
vectors:
  j fail
  j fail
  j fail
  j v3
  j fail
  j fail
  j fail
  j fail
  .option pop
v3:
  li t0, 3; la t1, which; sd t0, 0(t1)
  j trap_vector
TEST_END
  .data
  .align 3
which: .dword 0
