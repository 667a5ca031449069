/* Dependency chain of loads: each load's address is the previous load's result,
 * eight back-to-back per iteration, so each waits for its predecessor (load-use). */
#include "uarch.h"
#define NODES 512
#define ITERS 2000
static uint64_t* next[NODES];
int main(void) {
  for (int i = 0; i < NODES; i++) next[i] = (uint64_t*)&next[(i * 7 + 1) % NODES];
  uint64_t* p = (uint64_t*)&next[0];
  for (int i = 0; i < ITERS; i++)
    __asm__ volatile("ld %0, 0(%0)\n\tld %0, 0(%0)\n\tld %0, 0(%0)\n\tld %0, 0(%0)\n\t"
                     "ld %0, 0(%0)\n\tld %0, 0(%0)\n\tld %0, 0(%0)\n\tld %0, 0(%0)"
                     : "+r"(p));
  put_hex((uint64_t)((uint64_t**)p - (uint64_t**)next));
  return 0;
}
