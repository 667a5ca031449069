/* Independent work: 24 adds per iteration on 8 accumulators (8 independent
 * chains), so a W-wide out-of-order core can retire close to W per cycle while
 * a scalar in-order pipeline retires at most one. */
#include "uarch.h"
#define ITERS 20000
#define ADDS                                                                                       \
  "add %0,%0,%8\n\tadd %1,%1,%8\n\tadd %2,%2,%8\n\tadd %3,%3,%8\n\t"                               \
  "add %4,%4,%8\n\tadd %5,%5,%8\n\tadd %6,%6,%8\n\tadd %7,%7,%8\n\t"
int main(void) {
  uint64_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8;
  for (uint64_t i = 0; i < ITERS; i++)
    __asm__ volatile(ADDS ADDS ADDS : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f), "+r"(g), "+r"(h)
                     : "r"(i));
  const uint64_t s = a + b + c + d + e + f + g + h;
  put_hex(s);
  /* Each accumulator gains 3 * sum(i) = 3 * ITERS * (ITERS - 1) / 2. */
  return s == 36 + 8 * 3 * (uint64_t)ITERS * (ITERS - 1) / 2 ? 0 : 1;
}
