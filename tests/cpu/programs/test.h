/* Self-checking bare-metal test helpers: results through HTIF (tohost). */
#pragma once

#define MSTATUS_MPP   0x1800
#define MSTATUS_FS    0x6000
#define MSTATUS_MPRV  0x20000
#define MSTATUS_SUM   0x40000
#define MSTATUS_MXR   0x80000

/* gp holds the current test number; a failure exits with it. */
#define TEST_BEGIN                                  \
  .section .text.init;                              \
  .globl _start;                                    \
_start:                                             \
  la t0, trap_vector; csrw mtvec, t0;               \
  li t0, -1; csrw pmpaddr0, t0;                     \
  li t0, 0x1f; csrw pmpcfg0, t0;                    \
  li t0, MSTATUS_FS; csrs mstatus, t0;              \
  csrwi fcsr, 0;                                    \
  li gp, 0;                                         \
  j test_main;                                      \
  .align 2;                                         \
trap_vector:                                        \
  la t5, expect_trap; ld t5, 0(t5);                 \
  beqz t5, unexpected_trap;                         \
  jr t5;                                            \
unexpected_trap:                                    \
  csrr t6, mcause; li gp, 1000; add gp, gp, t6;     \
  j fail;                                           \
  .text;                                            \
test_main:

#define TEST_END                                    \
pass:                                               \
  li t0, 1;                                         \
  la t1, tohost; sd t0, 0(t1);                      \
1: j 1b;                                            \
fail:                                               \
  slli t0, gp, 1; ori t0, t0, 1;                    \
  la t1, tohost; sd t0, 0(t1);                      \
1: j 1b;                                            \
  .section .tohost, "aw";                           \
  .align 6; .globl tohost; tohost: .dword 0; .size tohost, 8; \
  .align 6; .globl fromhost; fromhost: .dword 0; .size fromhost, 8; \
  .data;                                            \
  .align 3; expect_trap: .dword 0;                  \
  .align 3; trap_cause: .dword 0;                   \
  .align 3; trap_tval: .dword 0;                    \
  .align 3; trap_epc: .dword 0;

/* Check register against a 64-bit constant. */
#define CHECK(n, reg, val) li gp, n; li t6, val; bne reg, t6, fail
#define TEST_RR(n, inst, val, a, b) li a1, a; li a2, b; inst a0, a1, a2; CHECK(n, a0, val)
#define TEST_RI(n, inst, val, a, imm) li a1, a; inst a0, a1, imm; CHECK(n, a0, val)
#define TEST_R(n, inst, val, a) li a1, a; inst a0, a1; CHECK(n, a0, val)

/* Arrange for the next trap to land at label `resume` with cause/tval recorded. */
#define EXPECT_TRAP(handler) la t5, handler; la t4, expect_trap; sd t5, 0(t4)
#define NO_TRAP la t4, expect_trap; sd zero, 0(t4)
