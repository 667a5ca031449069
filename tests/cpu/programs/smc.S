// Code that changes under hot (translated) paths: stores + fence.i into a function in
// another page and into the caller's own page (chained jumps), a rewrite on every loop
// iteration, a write through a second virtual mapping of the code page, remapping the
// code's virtual page (PTE change + sfence.vma), switching satp, and PMP taking execute
// permission away (Unpriv. spec 3.2 fence.i; Priv. spec 4.2.1 sfence.vma, 3.7 PMP).
// Each function runs N times first so the translator has translated and linked it.
#include "test.h"
#define V 1
#define R 2
#define W 4
#define X 8
#define A 64
#define D 128
#define VX 0x40000000        /* the code page, executable */
#define VW 0x40001000        /* the same physical page, writable */
#define N 200
#define NAPOT 0x18
#define LI_A0(imm) (((imm) << 20) | 0x513)
#define TRAP_CHECK(n, cause) NO_TRAP; csrr a0, mcause; CHECK(n, a0, cause)
#define GOTO_S(label) li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, 0x800; csrs mstatus, t0; \
                      la t0, label; csrw mepc, t0; mret
// s2 = sum of N calls of the function at register `fn`
#define CALL_N(fn) li s1, N; li s2, 0; 9: jalr fn; add s2, s2, a0; addi s1, s1, -1; bnez s1, 9b
#define PTE(table, idx, target, flags) la t0, target; srli t0, t0, 12; slli t0, t0, 10; \
                                       ori t0, t0, flags; la t1, table; sd t0, (idx*8)(t1)
TEST_BEGIN
  // 1. a function in another page, patched by a store and fence.i
  la s4, far_fn
  CALL_N(s4); CHECK(1, s2, 3 * N)
  li t1, LI_A0(7); sw t1, 0(s4); fence.i
  CALL_N(s4); CHECK(2, s2, 7 * N)

  // 2. the loop and the patched function share a page (direct, linked jumps)
  call near_test

  // 3. a rewrite on every iteration of a hot loop: a0 = i & 15
  li s1, N; li s2, 0; li s5, 0
  la s4, near_fn2
1: andi t1, s1, 15; add s5, s5, t1
  slli t1, t1, 20; ori t1, t1, 0x513; sw t1, 0(s4); fence.i
  jalr s4; add s2, s2, a0
  addi s1, s1, -1; bnez s1, 1b
  li gp, 5; bne s2, s5, fail

  // 4. virtual memory (S-mode): VX and VW map code_page, the identity gigapage the rest
  li t0, (0x80000000 >> 12) << 10 | V | R | W | X | A | D; la t1, root; sd t0, 16(t1)
  la t1, root2; sd t0, 16(t1)
  PTE(root, 1, l1, V)
  PTE(l1, 0, l0, V)
  PTE(l0, 0, code_page, V | X | A)
  PTE(l0, 1, code_page, V | R | W | A | D)
  PTE(root2, 1, l1b, V)
  PTE(l1b, 0, l0b, V)
  PTE(l0b, 0, code_page, V | X | A)
  la t0, root; srli t0, t0, 12; li t1, 8 << 60; or t0, t0, t1; csrw satp, t0
  sfence.vma
  EXPECT_TRAP(1f)
  GOTO_S(s_vm)
1: TRAP_CHECK(13, 9)                 // ecall from S: all checks in S passed
  csrw satp, zero
  sfence.vma

  // 5. PMP takes execute permission from a hot function's page
  EXPECT_TRAP(1f)
  GOTO_S(s_pmp)
1: TRAP_CHECK(14, 9)
  CHECK(15, s2, 3 * N)
  la t0, pmp_page; srli t0, t0, 2; ori t0, t0, (4096 / 8 - 1) >> 1; csrw pmpaddr0, t0
  li t0, -1; csrw pmpaddr1, t0
  li t0, (0x1f << 8) | NAPOT | R; csrw pmpcfg0, t0
  EXPECT_TRAP(1f)
  GOTO_S(s_pmp)
1: TRAP_CHECK(16, 1)                 // instruction access fault at the function's entry
  la t1, pmp_fn
  csrr a0, mtval; li gp, 17; bne a0, t1, fail
  csrr a0, mepc; li gp, 18; bne a0, t1, fail
  j pass

s_vm:
  li s4, VX
  CALL_N(s4); CHECK(6, s2, 3 * N)
  // write through the other mapping of the same physical page
  li t0, VW; li t1, LI_A0(7); sw t1, 0(t0); fence.i
  CALL_N(s4); CHECK(7, s2, 7 * N)
  // remap VX to another page: the translations of the old mapping must not run
  la t0, code_page2; srli t0, t0, 12; slli t0, t0, 10; ori t0, t0, V | X | A
  la t1, l0; sd t0, 0(t1)
  sfence.vma
  CALL_N(s4); CHECK(8, s2, 5 * N)
  // another address space where VX is code_page again
  la t0, root2; srli t0, t0, 12; li t1, 8 << 60; or t0, t0, t1; csrw satp, t0
  sfence.vma
  CALL_N(s4); CHECK(9, s2, 7 * N)
  ecall

s_pmp:
  la s4, pmp_fn
  CALL_N(s4)
  ecall
TEST_END

  .text
  .option push
  .option norvc
  .balign 4096
far_fn:
  li a0, 3
  ret

  .balign 4096
near_test:
  mv s3, ra
  li s1, N; li s2, 0
1: jal near_fn; add s2, s2, a0; addi s1, s1, -1; bnez s1, 1b
  CHECK(3, s2, 3 * N)
  la t0, near_fn; li t1, LI_A0(7); sw t1, 0(t0); fence.i
  li s1, N; li s2, 0
1: jal near_fn; add s2, s2, a0; addi s1, s1, -1; bnez s1, 1b
  CHECK(4, s2, 7 * N)
  mv ra, s3
  ret
near_fn:
  li a0, 3
  ret
near_fn2:
  li a0, 0
  ret

  .balign 4096
code_page:
  li a0, 3
  ret
  .balign 4096
code_page2:
  li a0, 5
  ret
  .balign 4096
pmp_page:
pmp_fn:
  li a0, 3
  ret
  .balign 4096
  .option pop

  .data
  .align 12
root: .fill 512, 8, 0
l1: .fill 512, 8, 0
l0: .fill 512, 8, 0
root2: .fill 512, 8, 0
l1b: .fill 512, 8, 0
l0b: .fill 512, 8, 0
