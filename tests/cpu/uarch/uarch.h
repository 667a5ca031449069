/* Helpers for the pipeline-mode microbenchmarks. */
#include <stdint.h>

extern volatile uint64_t tohost, fromhost;

/* HTIF console output (device 1, command 1), one character at a time. */
static void put_char(char c) {
  tohost = (1ull << 56) | (1ull << 48) | (uint8_t)c;
  while (tohost) {}
}
static void put_hex(uint64_t v) {
  for (int i = 60; i >= 0; i -= 4) put_char("0123456789abcdef"[(v >> i) & 15]);
  put_char('\n');
}

static uint64_t rng_state = 88172645463325252ull;
static inline uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* A real conditional branch (the compiler cannot if-convert it): counter += cond != 0. */
#define BRANCH_IF(cond, counter) \
  __asm__ volatile("beqz %1, 1f\n\taddi %0, %0, 1\n1:" : "+r"(counter) : "r"(cond))
