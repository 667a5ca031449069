// Sv39/Sv48: translation, permission faults, hardware A/D update, SUM, MXR,
// MPRV, non-canonical addresses, delegation of page faults to S-mode.
#include "test.h"
#define V 1
#define R 2
#define W 4
#define X 8
#define U 16
#define A 64
#define D 128
#define VBASE 0x40000000
#define TRAP_CHECK(n, cause) NO_TRAP; csrr a0, mcause; CHECK(n, a0, cause)
#define GOTO_S(label) li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, 0x800; csrs mstatus, t0; \
                      la t0, label; csrw mepc, t0; mret
#define GOTO_U(label) li t0, MSTATUS_MPP; csrc mstatus, t0; la t0, label; csrw mepc, t0; mret
// pte(table, index, target, flags)
#define PTE(table, idx, target, flags) la t0, target; srli t0, t0, 12; slli t0, t0, 10; \
                                       ori t0, t0, flags; la t1, table; sd t0, (idx*8)(t1)
TEST_BEGIN
  // root[2]: identity gigapage 0x80000000 (kernel, RWX)
  li t0, (0x80000000 >> 12) << 10 | V | R | W | X | A | D; la t1, root; sd t0, 16(t1)
  PTE(root, 1, l1, V)
  PTE(l1, 0, l0, V)
  PTE(l0, 0, page_rw, V | R | W)              // A/D clear: hardware sets them
  PTE(l0, 1, page_ro, V | R | A)
  PTE(l0, 2, page_u, V | R | W | U | A | D)
  PTE(l0, 3, page_x, V | X | A)
  // l0[4] stays invalid
  la t0, root; srli t0, t0, 12; li t1, 8 << 60; or t0, t0, t1; csrw satp, t0
  sfence.vma
  csrr a0, satp; srli a0, a0, 60; CHECK(1, a0, 8)

  NO_TRAP
  GOTO_S(s1)
s1:
  li s0, VBASE
  ld a0, 0(s0); CHECK(2, a0, 0x1234)
  la t0, l0; ld a0, 0(t0); andi a0, a0, A | D; CHECK(3, a0, A)      // A set, D not
  li t1, 0x5678; sd t1, 8(s0)
  la t0, l0; ld a0, 0(t0); andi a0, a0, A | D; CHECK(4, a0, A | D)
  la t0, page_rw; ld a0, 8(t0); CHECK(5, a0, 0x5678)                // same physical page
  // store to read-only page
  EXPECT_TRAP(1f)
  li t1, VBASE + 0x1000
  sd zero, 0(t1)
  j fail
1: TRAP_CHECK(6, 15)
  csrr a0, mtval; CHECK(7, a0, VBASE + 0x1000)
  csrr a0, mstatus; srli a0, a0, 11; andi a0, a0, 3; CHECK(8, a0, 1)  // from S
  // invalid PTE
  EXPECT_TRAP(1f)
  GOTO_S(s2)
s2:
  li t1, VBASE + 0x4000
  ld a0, 0(t1)
  j fail
1: TRAP_CHECK(9, 13)
  csrr a0, mtval; CHECK(10, a0, VBASE + 0x4000)
  // fetch from a non-executable page
  EXPECT_TRAP(1f)
  GOTO_S(VBASE + 0x1000)
1: TRAP_CHECK(11, 12)
  csrr a0, mtval; CHECK(12, a0, VBASE + 0x1000)
  // S access to a U page: fault without SUM, fine with SUM
  EXPECT_TRAP(1f)
  GOTO_S(s3)
s3:
  li t1, VBASE + 0x2000
  ld a0, 0(t1)
  j fail
1: TRAP_CHECK(13, 13)
  li t0, MSTATUS_SUM; csrs mstatus, t0
  NO_TRAP
  GOTO_S(s4)
s4:
  li t1, VBASE + 0x2000
  ld a0, 0(t1); CHECK(14, a0, 0x4321)
  li t0, MSTATUS_SUM; csrc sstatus, t0
  // execute-only page readable only with MXR
  EXPECT_TRAP(1f)
  li t1, VBASE + 0x3000
  ld a0, 0(t1)
  j fail
1: TRAP_CHECK(15, 13)
  li t0, MSTATUS_MXR; csrs mstatus, t0
  NO_TRAP
  GOTO_S(s5)
s5:
  li t1, VBASE + 0x3000
  ld a0, 0(t1); CHECK(16, a0, 0x9999)
  li t0, MSTATUS_MXR; csrc sstatus, t0
  // non-canonical address
  EXPECT_TRAP(1f)
  li t1, 0x0000008000000000
  ld a0, 0(t1)
  j fail
1: TRAP_CHECK(17, 13)
  // U-mode: U page fine, supervisor page faults; code page is not U -> fetch fault
  EXPECT_TRAP(1f)
  GOTO_U(s1)
1: TRAP_CHECK(18, 12)
  // delegate load page faults to S
  la t0, s_handler; csrw stvec, t0
  li t0, 1 << 13; csrw medeleg, t0
  NO_TRAP
  GOTO_S(s6)
s6:
  li t1, VBASE + 0x4000
  ld a0, 0(t1)                  // -> s_handler, which skips the load
  csrr a0, scause; CHECK(19, a0, 13)
  csrr a0, stval; CHECK(20, a0, VBASE + 0x4000)
  // MPRV from M: loads translated with MPP = S
  EXPECT_TRAP(s6_back)           // (S can write expect_trap: identity-mapped)
  ecall                         // back to M
s6_back:
  NO_TRAP
  csrw medeleg, zero
  li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, 0x800 | MSTATUS_MPRV; csrs mstatus, t0
  li t1, VBASE
  ld a0, 0(t1); CHECK(21, a0, 0x1234)
  li t0, MSTATUS_MPRV; csrc mstatus, t0
  // Sv48: one more level on top of the same tables
  PTE(root48, 0, root, V)
  la t0, root48; srli t0, t0, 12; li t1, 9 << 60; or t0, t0, t1; csrw satp, t0
  sfence.vma
  csrr a0, satp; srli a0, a0, 60; CHECK(22, a0, 9)
  NO_TRAP
  GOTO_S(s7)
s7:
  li t1, VBASE
  ld a0, 0(t1); CHECK(23, a0, 0x1234)
  // sfence.vma after changing a PTE
  la t0, l0; sd zero, 8(t0)     // unmap VBASE+0x1000
  sfence.vma
  EXPECT_TRAP(1f)
  li t1, VBASE + 0x1000
  ld a0, 0(t1)
  j fail
1: TRAP_CHECK(24, 13)
  // unsupported satp mode write is ignored
  csrr s1, satp
  li t0, 10 << 60; csrw satp, t0; csrr a0, satp; li gp, 25; bne a0, s1, fail
  csrw satp, zero
  j pass

s_handler:
  csrr t0, sepc; addi t0, t0, 4; csrw sepc, t0
  sret
TEST_END
  .data
  .align 12
root: .fill 512, 8, 0
l1: .fill 512, 8, 0
l0: .fill 512, 8, 0
root48: .fill 512, 8, 0
page_rw: .dword 0x1234
  .align 12
page_ro: .dword 0x1111
  .align 12
page_u: .dword 0x4321
  .align 12
page_x: .dword 0x9999
  .align 12
