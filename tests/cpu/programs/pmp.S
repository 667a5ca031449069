// PMP: NAPOT/TOR/NA4 matching, priority, S/U denial, M-mode bypass and lock.
#include "test.h"
#define TRAP_CHECK(n, cause) NO_TRAP; csrr a0, mcause; CHECK(n, a0, cause)
#define GOTO_S(label) li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, 0x800; csrs mstatus, t0; \
                      la t0, label; csrw mepc, t0; mret
#define NAPOT 0x18
#define TOR 0x08
#define NA4 0x10
#define L 0x80
TEST_BEGIN
  // entry 0: NAPOT 4 KiB over `guard` with no permissions; entry 1: everything RWX
  la t0, guard; srli t0, t0, 2; ori t0, t0, (4096 / 8 - 1) >> 1; csrw pmpaddr0, t0
  li t0, -1; csrw pmpaddr1, t0
  li t0, (0x1f << 8) | NAPOT; csrw pmpcfg0, t0
  csrr a0, pmpcfg0; CHECK(1, a0, (0x1f << 8) | NAPOT)
  // M-mode ignores unlocked entries
  la s0, guard
  ld a0, 0(s0); CHECK(2, a0, 0x77)
  EXPECT_TRAP(1f)
  GOTO_S(s1)
s1:
  ld a0, 0(s0)
  j fail
1: TRAP_CHECK(3, 5)
  csrr a0, mtval; la t1, guard; li gp, 4; bne a0, t1, fail
  EXPECT_TRAP(1f)
  GOTO_S(s2)
s2:
  sd zero, 8(s0)
  j fail
1: TRAP_CHECK(5, 7)
  // TOR: entry 0 OFF (base), entry 1 TOR read-only up to the end of the page
  la t0, guard; srli t0, t0, 2; csrw pmpaddr0, t0
  la t0, guard + 4096; srli t0, t0, 2; csrw pmpaddr1, t0
  li t0, -1; csrw pmpaddr2, t0
  li t0, (0x1f << 16) | ((TOR | 1) << 8); csrw pmpcfg0, t0
  NO_TRAP
  EXPECT_TRAP(1f)
  GOTO_S(s3)
s3:
  ld a0, 0(s0)                 // readable
  li t1, 0x77; bne a0, t1, fail
  sd zero, 0(s0)               // not writable
  j fail
1: TRAP_CHECK(6, 7)
  // NA4: one word not executable, rest RWX
  la t0, na4_word; srli t0, t0, 2; csrw pmpaddr0, t0
  li t0, -1; csrw pmpaddr1, t0
  li t0, (0x1f << 8) | (NA4 | 3); csrw pmpcfg0, t0
  EXPECT_TRAP(1f)
  GOTO_S(na4_word)
1: TRAP_CHECK(8, 1)
  // an 8-byte access only half inside the 4-byte region fails (partial match)
  EXPECT_TRAP(1f)
  GOTO_S(s4)
s4:
  la t1, na4_word
  ld a0, 0(t1)
  j fail
1: TRAP_CHECK(7, 5)
  // no matching entry -> S/U denied
  li t0, NAPOT | 7; csrw pmpcfg0, t0   // only entry 0 (NA4 word... now NAPOT 8 bytes)
  EXPECT_TRAP(1f)
  GOTO_S(s1)
1: TRAP_CHECK(9, 1)
  // PMP boundary inside a page: a block cached while the page was uniform (M,
  // no entries) must not carry S-mode past the end of its executable part.
  csrw pmpcfg0, zero
  EXPECT_TRAP(1f)
  li s2, 0
  j pmp_code                           // M: all of it, up to the ecall
1: TRAP_CHECK(20, 11)
  CHECK(21, s2, 20)
  la t0, pmp_code + 16; srli t0, t0, 2; csrw pmpaddr0, t0
  li t0, -1; csrw pmpaddr1, t0
  li t0, ((TOR | 3) << 8) | (TOR | 7); csrw pmpcfg0, t0   // X below pmp_code + 16 only
  EXPECT_TRAP(1f)
  li s2, 0
  GOTO_S(pmp_code)
1: TRAP_CHECK(22, 1)
  csrr a0, mtval; la t1, pmp_code + 16; li gp, 23; bne a0, t1, fail
  CHECK(24, s2, 4)
  EXPECT_TRAP(1f)
  li s2, 0
  j pmp_code                           // M is not subject to unlocked entries
1: TRAP_CHECK(25, 11)
  CHECK(26, s2, 20)
  // A 32-bit instruction whose second half is outside the executable region:
  // access fault with tval = address of that half (priv. spec 3.1.16).
  la t0, pmp_code2; srli t0, t0, 2; csrw pmpaddr0, t0
  li t0, ((TOR | 3) << 8) | (NA4 | 5); csrw pmpcfg0, t0
  EXPECT_TRAP(1f)
  li s2, 0
  GOTO_S(pmp_code2)
1: TRAP_CHECK(27, 1)
  csrr a0, mtval; la t1, pmp_code2 + 4; li gp, 28; bne a0, t1, fail
  CHECK(29, s2, 0)
  // lock: entry 0 read-only and locked applies to M too; cannot be changed
  la t0, guard; srli t0, t0, 2; ori t0, t0, (4096 / 8 - 1) >> 1; csrw pmpaddr0, t0
  li t0, -1; csrw pmpaddr1, t0
  li t0, (0x1f << 8) | (L | NAPOT | 1); csrw pmpcfg0, t0
  ld a0, 0(s0); CHECK(10, a0, 0x77)
  EXPECT_TRAP(1f)
  sd zero, 0(s0)
  j fail
1: TRAP_CHECK(11, 7)
  csrw pmpcfg0, zero
  csrr a0, pmpcfg0; andi a0, a0, 0xff; CHECK(12, a0, L | NAPOT | 1)
  csrr s1, pmpaddr0; csrw pmpaddr0, zero; csrr a0, pmpaddr0; li gp, 13; bne a0, s1, fail
  j pass
TEST_END
  .data
  .align 12
guard: .dword 0x77
  .align 12
  .text
  .align 3
na4_word:
  nop
  nop
  j fail
  .align 12
pmp_code:
  .option push
  .option norvc
  addi s2, s2, 1
  addi s2, s2, 1
  addi s2, s2, 1
  addi s2, s2, 1
  addi s2, s2, 16                      // pmp_code + 16
  ecall
  .align 2
pmp_code2:
  .option rvc
  c.nop
  .option norvc
  addi s2, s2, 1                       // pmp_code2 + 2: halves in two PMP regions
  ecall
  .option pop
