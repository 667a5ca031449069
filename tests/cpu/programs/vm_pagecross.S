// Fetches across virtual page boundaries (priv. spec 4.3: each page translated
// on its own). Virtually adjacent pages are mapped to physical pages that are
// not adjacent and hold different code, so a hart that decodes past a page end
// at the physically next address runs the wrong instructions. Covered, under
// Sv39 and Sv48: a 32-bit instruction straddling two pages, a 16-bit one ending
// a page, the second page mapped on demand by an M-mode handler (invalid PTE,
// then a PTE without X) and by an S-mode handler for U-mode code (delegated
// page fault, as Linux does), a PTE changed under cached code (sfence.vma), and
// a satp write to other page tables.
#include "test.h"
#define V 1
#define R 2
#define W 4
#define X 8
#define U 16
#define A 64
#define D 128
#define KX (V | R | X | A | D)      // S-mode code page
#define UX (V | R | X | U | A | D)  // U-mode code page
#define VBASE 0x40000000
#define VA(k) (VBASE + (k) * 0x1000)
// addi a0, a0, imm: split into halves to place a 32-bit instruction across pages.
#define ADDI_A0(imm) ((((imm) & 0xfff) << 20) | (10 << 15) | (10 << 7) | 0x13)
// Test numbers carry the round (s1 = 0 for Sv39, 100 for Sv48).
#define CK(n, reg, val) li gp, n; add gp, gp, s1; li t6, val; bne reg, t6, fail
#define CKR(n, reg, reg2) li gp, n; add gp, gp, s1; bne reg, reg2, fail
// l0 entry k -> physical page `page` with `flags`; in table `tbl`.
#define MAP(tbl, k, page, flags) la t0, page; srli t0, t0, 12; slli t0, t0, 10; \
                                 ori t0, t0, flags; la t1, tbl; sd t0, ((k) * 8)(t1)
#define UNMAP(tbl, k) la t1, tbl; sd zero, ((k) * 8)(t1)
// Run from virtual address `va` in mode `mpp` (0x800: S, 0: U) with a0 = 0;
// the code ends with ecall, which lands at `back`.
#define RUN(va, mpp, back) EXPECT_TRAP(back); li a0, 0; li t0, va; csrw mepc, t0;  \
                           li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, mpp;        \
                           csrs mstatus, t0; mret
// After the ecall: cause, where it was, the sum of the immediates executed.
#define ENDED(n, cause, epc, sum) NO_TRAP; csrr t0, mcause; CK(n, t0, cause); \
                                  csrr t0, mepc; CK(n + 1, t0, epc); CK(n + 2, a0, sum)
// Expected page fault for the on-demand handlers: s2 tval, s3 epc, s4 PTE
// address, s5 new PTE, s6 where the ecall goes afterwards; s8 counts faults.
#define ON_DEMAND(tval, epc, k, page, flags, back) li s2, tval; li s3, epc;   \
    la t0, page; srli t0, t0, 12; slli t0, t0, 10; ori s5, t0, flags;       \
    la s4, l0; addi s4, s4, (k) * 8; la s6, back; li s8, 0

TEST_BEGIN
  // Both rounds share l1/l0; root[2] is an identity gigapage for the handlers.
  li t0, (0x80000000 >> 12) << 10 | V | R | W | X | A | D; la t1, root; sd t0, 16(t1)
  la t1, root_b; sd t0, 16(t1)
  MAP(root, 1, l1, V)
  MAP(l1, 0, l0, V)
  MAP(root48, 0, root, V)
  MAP(root_b, 1, l1_b, V)
  MAP(l1_b, 0, l0_b, V)
  MAP(root48_b, 0, root_b, V)
  MAP(l0_b, 0, p_a32, KX)           // other tables: page 1 holds the other code
  MAP(l0_b, 1, p_b32_alt, KX)

  li s1, 0
  la t0, root; srli t0, t0, 12; li t1, 8 << 60; or s0, t0, t1
  la t0, root_b; srli t0, t0, 12; or s7, t0, t1
  call round
  li s1, 100
  la t0, root48; srli t0, t0, 12; li t1, 9 << 60; or s0, t0, t1
  la t0, root48_b; srli t0, t0, 12; or s7, t0, t1
  call round
  csrw satp, zero
  j pass

// One round of every case with satp = s0 (s7: the other tables, same mode).
round:
  csrw satp, s0
  sfence.vma
  MAP(l0, 0, p_a32, KX)
  MAP(l0, 1, p_b32, KX)
  MAP(l0, 2, p_b32, KX)             // its end holds code ending in a 16-bit insn
  MAP(l0, 3, p_b16, KX)
  UNMAP(l0, 4)
  UNMAP(l0, 5)
  UNMAP(l0, 6)
  UNMAP(l0, 7)
  sfence.vma

  // 1. A 32-bit instruction across VA(0)/VA(1); decoding goes on in VA(1).
  RUN(VA(0) + 0xff8, 0x800, 1f)
1: ENDED(1, 9, VA(1) + 8, 31)
  RUN(VA(0) + 0xff8, 0x800, 1f)      // again, from cached and chained blocks
1: ENDED(4, 9, VA(1) + 8, 31)

  // 2. A 16-bit instruction ends VA(2); VA(3) starts with a 32-bit one.
  RUN(VA(2) + 0xff8, 0x800, 1f)
1: ENDED(7, 9, VA(3) + 6, 31)
  RUN(VA(2) + 0xff8, 0x800, 1f)
1: ENDED(10, 9, VA(3) + 6, 31)

  // 3. Second half in a page that is not mapped yet: instruction page fault with
  // tval = address of the missing half, epc = start of the instruction.
  MAP(l0, 4, p_a32, KX)
  ON_DEMAND(VA(5), VA(4) + 0xffe, 5, p_b32, KX, 2f)
  EXPECT_TRAP(m_fault)
  li a0, 0; li t0, VA(4) + 0xff8; csrw mepc, t0
  li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, 0x800; csrs mstatus, t0; mret
2: ENDED(13, 9, VA(5) + 8, 31)
  CK(16, s8, 1)

  // 4. The same with the second page mapped but not executable.
  MAP(l0, 5, p_b32, V | R | A | D)
  sfence.vma
  ON_DEMAND(VA(5), VA(4) + 0xffe, 5, p_b32, KX, 2f)
  EXPECT_TRAP(m_fault)
  li a0, 0; li t0, VA(4) + 0xff8; csrw mepc, t0
  li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, 0x800; csrs mstatus, t0; mret
2: ENDED(17, 9, VA(5) + 8, 31)
  CK(20, s8, 1)

  // 5. A 16-bit instruction ends the page; the next page is mapped on demand.
  MAP(l0, 6, p_b32, KX)
  ON_DEMAND(VA(7), VA(7), 7, p_b16, KX, 2f)
  EXPECT_TRAP(m_fault)
  li a0, 0; li t0, VA(6) + 0xff8; csrw mepc, t0
  li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, 0x800; csrs mstatus, t0; mret
2: ENDED(21, 9, VA(7) + 6, 31)
  CK(24, s8, 1)

  // 6. U-mode code, page fault delegated to an S-mode handler (Linux's case).
  MAP(l0, 4, p_a32, UX)
  UNMAP(l0, 5)
  sfence.vma
  la t0, s_fault; csrw stvec, t0
  li t0, 1 << 12; csrw medeleg, t0
  ON_DEMAND(VA(5), VA(4) + 0xffe, 5, p_b32, UX, 2f)
  RUN(VA(4) + 0xff8, 0, 2f)
2: ENDED(25, 8, VA(5) + 8, 31)
  CK(28, s8, 1)
  csrw medeleg, zero

  // 7. A PTE changed under cached code: after sfence.vma the new page is used.
  MAP(l0, 1, p_b32_alt, KX)
  sfence.vma
  RUN(VA(0) + 0xff8, 0x800, 1f)
1: ENDED(29, 9, VA(1) + 8, 226)
  MAP(l0, 1, p_b32, KX)
  sfence.vma
  RUN(VA(0) + 0xff8, 0x800, 1f)
1: ENDED(32, 9, VA(1) + 8, 31)

  // 8. satp switched to other tables that map VA(1) elsewhere, and back.
  csrw satp, s7
  sfence.vma
  RUN(VA(0) + 0xff8, 0x800, 1f)
1: ENDED(35, 9, VA(1) + 8, 226)
  csrw satp, s0
  sfence.vma
  RUN(VA(0) + 0xff8, 0x800, 1f)
1: ENDED(38, 9, VA(1) + 8, 31)
  ret

// M-mode handler: checks the fault, maps the page, retries the instruction.
m_fault:
  addi s8, s8, 1
  csrr t0, mcause; CK(60, t0, 12)
  csrr t0, mtval; CKR(61, t0, s2)
  csrr t0, mepc; CKR(62, t0, s3)
  sd s5, 0(s4)
  sfence.vma
  la t4, expect_trap; sd s6, 0(t4)
  mret

// S-mode handler (runs from the identity gigapage).
s_fault:
  addi s8, s8, 1
  csrr t0, scause; CK(70, t0, 12)
  csrr t0, stval; CKR(71, t0, s2)
  csrr t0, sepc; CKR(72, t0, s3)
  sd s5, 0(s4)
  sfence.vma
  la t4, expect_trap; sd s6, 0(t4)
  sret
TEST_END

// Code pages, physically consecutive (section offsets 0x0000..0x4fff); never
// mapped in this order.
  .section .text.pages, "ax"
  .option push
  .option norelax
  .align 12
// A32: ends with addi 1, c.addi 2 and the low half of addi 4.
p_a32:
  .org 0xff8
  .option norvc
  addi a0, a0, 1
  .option rvc
  c.addi a0, 2
  .half ADDI_A0(4) & 0xffff
// Poison: what a hart decoding at the physically next address would find.
p_zero:
  .fill 0x1000, 1, 0
// B32: high half of addi 4, addi 8, c.addi 16, ecall. Its end: addi 1,
// c.addi 2, c.addi 4 (a 16-bit instruction ending the page).
p_b32:
  .half ADDI_A0(4) >> 16
  .option norvc
  addi a0, a0, 8
  .option rvc
  c.addi a0, 16
  .option norvc
  ecall
  .org 0x2ff8
  addi a0, a0, 1
  .option rvc
  c.addi a0, 2
  c.addi a0, 4
// B32 alternative: the high half makes the straddling insn addi 64; then
// addi 128, c.addi 31, ecall (sum 226 with A32).
p_b32_alt:
  .half ADDI_A0(64) >> 16
  .option norvc
  addi a0, a0, 128
  .option rvc
  c.addi a0, 31
  .option norvc
  ecall
  .org 0x4000
// B16: addi 8, c.addi 16, ecall (sum 31 after A16).
p_b16:
  addi a0, a0, 8
  .option rvc
  c.addi a0, 16
  .option norvc
  ecall
  .org 0x5000
  .option pop

  .data
  .align 12
root: .fill 512, 8, 0
l1: .fill 512, 8, 0
l0: .fill 512, 8, 0
root48: .fill 512, 8, 0
root_b: .fill 512, 8, 0
l1_b: .fill 512, 8, 0
l0_b: .fill 512, 8, 0
root48_b: .fill 512, 8, 0
