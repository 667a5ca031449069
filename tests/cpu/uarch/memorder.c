/* A store whose address is known late (it comes out of a divide) followed by
 * a load of the same location whose address is ready at once. Without memory
 * dependence prediction the load runs ahead of the store and reads stale data:
 * a memory-order violation, and the load is squashed and refetched. The
 * store-set predictor learns the pair after the first violation. */
#include "uarch.h"
#define ITERS 5000
static uint64_t buf[8];
int main(void) {
  uint64_t sum = 0;
  for (uint64_t i = 0; i < ITERS; i++) {
    const uint64_t x = i + 1;
    __asm__ volatile(
        "divu t0, %[x], %[x]\n\t"  /* 1, slowly */
        "addi t0, t0, -1\n\t"
        "slli t0, t0, 3\n\t"
        "add t0, t0, %[base]\n\t"  /* &buf[0], late */
        "sd %[i], 0(t0)\n\t"
        "ld t1, 0(%[base])\n\t"    /* the same word, address ready early */
        "add %[sum], %[sum], t1"
        : [sum] "+r"(sum)
        : [x] "r"(x), [base] "r"(buf), [i] "r"(i)
        : "t0", "t1", "memory");
  }
  put_hex(sum);
  return sum == (uint64_t)ITERS * (ITERS - 1) / 2 ? 0 : 1;
}
