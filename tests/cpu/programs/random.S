// Executes pseudo-random 32-bit words in U-mode. Every trap skips to the next
// word; PMP confines U-mode to the page of random code. Passes when the end is
// reached; an endless loop in the random code is ended by --max-instructions.
#include "test.h"
#define MPP 0x1800
TEST_BEGIN
  la t0, handler; csrw mtvec, t0
  // PMP: entry 0 = the random code pages (RWX), nothing else for U.
  la t0, region; srli t0, t0, 2; ori t0, t0, (16384 / 8 - 1) >> 1; csrw pmpaddr0, t0
  li t0, 0x1f; csrw pmpcfg0, t0
  la t0, region; la t1, cursor; sd t0, 0(t1)
  csrw mepc, t0
  li t0, MPP; csrc mstatus, t0
  mret
handler:
  csrr t0, mepc
  la t1, region; bltu t0, t1, 2f
  la t1, region_end; bgeu t0, t1, 2f
  addi t0, t0, 4; andi t0, t0, -4
  j 3f
2: la t1, cursor; ld t0, 0(t1); addi t0, t0, 4
3: la t1, cursor; sd t0, 0(t1)
  la t1, region_end; bgeu t0, t1, pass
  csrw mepc, t0
  li t1, MPP; csrc mstatus, t1
  mret
TEST_END
  .data
  .align 3
cursor: .dword 0
  .align 14
region:
#include "random_words.inc"
region_end:
  .align 14
