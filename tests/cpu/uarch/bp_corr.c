/* Correlation: B repeats the random branch A just before it (global history of
 * length 1 suffices: gshare learns it, bimodal cannot); a 30-iteration inner
 * loop follows, then C repeats A again at a distance of 32 branches (only a
 * long-history predictor such as TAGE learns C and the loop exit). */
#include "uarch.h"
#define N 20000
int main(void) {
  uint64_t a = 0, b = 0, c = 0;
  for (uint64_t i = 0; i < N; i++) {
    uint64_t r = (rnd() >> 32) & 1;
    BRANCH_IF(r, a);
    BRANCH_IF(r, b);
    __asm__ volatile("li t0, 30\n1:\taddi t0, t0, -1\n\tbnez t0, 1b" ::: "t0");
    BRANCH_IF(r, c);
  }
  put_hex(a + b + c);
  return a == b && b == c ? 0 : 1;
}
