/* Stores into RAM by components other than the hart (configs/rtl-crc32.yaml):
 * the RTL DMA (DPI-C, through DMI) and the mailbox (debug transport) write
 * memory the hart then reads (under lock-step, the interpreter's copy of
 * memory must see the same bytes), and a device store into the granule of an
 * LR reservation makes the SC fail while one elsewhere does not (RISC-V
 * unpriv. spec, "Load-Reserved/Store-Conditional Instructions": a store by
 * another agent to the reservation set). main's return value is the exit
 * code (0: pass). */
#include <stdint.h>

#include "mbox.h"

#define DMA_BASE   0x10011000UL
#define DMA_SRC    0x00
#define DMA_DST    0x08
#define DMA_LEN    0x10
#define DMA_CTRL   0x14
#define DMA_STATUS 0x18

#define REG32(a) (*(volatile uint32_t *)(uintptr_t)(a))

static inline uint64_t lr_d(volatile uint64_t *p) {
  uint64_t v;
  __asm__ volatile("lr.d %0, (%1)" : "=r"(v) : "r"(p) : "memory");
  return v;
}
/* 0 when the store happened. */
static inline uint64_t sc_d(volatile uint64_t *p, uint64_t v) {
  uint64_t r;
  __asm__ volatile("sc.d %0, %2, (%1)" : "=&r"(r) : "r"(p), "r"(v) : "memory");
  return r;
}

/* Copies len bytes (a multiple of 4) with the RTL DMA and waits until it is done;
 * its STATUS (2: done, 4: error). */
static uint32_t dma_copy(const void *src, void *dst, uint32_t len) {
  REG32(DMA_BASE + DMA_STATUS) = 6;
  REG32(DMA_BASE + DMA_SRC) = (uint32_t)(uintptr_t)src;
  REG32(DMA_BASE + DMA_SRC + 4) = (uint32_t)((uintptr_t)src >> 32);
  REG32(DMA_BASE + DMA_DST) = (uint32_t)(uintptr_t)dst;
  REG32(DMA_BASE + DMA_DST + 4) = (uint32_t)((uintptr_t)dst >> 32);
  REG32(DMA_BASE + DMA_LEN) = len;
  REG32(DMA_BASE + DMA_CTRL) = 1;
  uint32_t s;
  while ((s = REG32(DMA_BASE + DMA_STATUS)) & 1) {}
  return s;
}

static uint32_t src[64] __attribute__((aligned(64)));
static volatile uint32_t dst[64] __attribute__((aligned(64)));
/* Each in its own reservation granule (64 bytes). */
static volatile uint64_t word __attribute__((aligned(64)));
static volatile uint64_t other __attribute__((aligned(64)));
static const uint64_t pattern[1] __attribute__((aligned(64))) = {0x0123456789abcdefull};

int main(void) {
  /* The DMA writes memory the hart reads. */
  for (unsigned i = 0; i < 64; ++i) src[i] = 0x9e3779b9u * (i + 1);
  if (dma_copy(src, (void *)dst, sizeof src) != 2) return 2;
  for (unsigned i = 0; i < 64; ++i)
    if (dst[i] != src[i]) return 3;

  /* The mailbox writes memory the hart reads. */
  if (mbox(MBOX_MEMSET, (uintptr_t)dst, 0x5a, sizeof dst, 0) != 0) return 4;
  for (unsigned i = 0; i < 64; ++i)
    if (dst[i] != 0x5a5a5a5au) return 5;

  /* Reservations: a mailbox store elsewhere leaves it, one into it breaks it. */
  word = 1;
  lr_d(&word);
  if (mbox(MBOX_MEMSET, (uintptr_t)&other, 0x11, 8, 0) != 0) return 6;
  if (sc_d(&word, 2) != 0 || word != 2) return 7;
  lr_d(&word);
  if (mbox(MBOX_MEMSET, (uintptr_t)&word, 0x22, 8, 0) != 0) return 8;
  if (sc_d(&word, 3) == 0) return 9;
  if (word != 0x2222222222222222ull) return 10;

  /* The same with the DMA. */
  lr_d(&word);
  if (dma_copy(pattern, (void *)&other, 8) != 2) return 11;
  if (sc_d(&word, 4) != 0 || word != 4) return 12;
  lr_d(&word);
  if (dma_copy(pattern, (void *)&word, 8) != 2) return 13;
  if (sc_d(&word, 5) == 0) return 14;
  if (word != pattern[0] || other != pattern[0]) return 15;

  mbox_print("device_stores firmware: DMA and mailbox stores seen, reservations broken\n");
  return 0;
}
