/* A value carried through memory: every iteration stores it and loads it
 * straight back, so each load depends on the store before it. An out-of-order
 * core forwards the data from its store queue; the loads never reach the L1D. */
#include "uarch.h"
#define ITERS 10000
static uint64_t slot;
int main(void) {
  uint64_t v = 0;
  uint64_t* p = &slot;
  for (int i = 0; i < ITERS; i++)
    __asm__ volatile("sd %0, 0(%1)\n\tld %0, 0(%1)\n\taddi %0, %0, 1" : "+r"(v) : "r"(p) : "memory");
  put_hex(v);
  return v == ITERS && slot == ITERS - 1 ? 0 : 1;
}
