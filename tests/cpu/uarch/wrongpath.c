/* Wrong-path loads prefetch for the right path. Phase 1 walks the lines of a
 * fresh array; at each a random branch (mispredicted about half of the time)
 * guards a load of the line. When the branch is not taken but predicted
 * taken, only the wrong path loads the line. Phase 2 then reads every line:
 * with wrong-path execution, the lines the wrong path loaded are already in
 * the L1D (the array fits in it). */
#include "uarch.h"
#define LINES 256           /* 16 KiB: fits the 32 KiB L1D */
#define ROUNDS 64
static uint64_t a[ROUNDS][LINES * 8] __attribute__((aligned(64)));
int main(void) {
  uint64_t s = 0, n = 0;
  for (unsigned r = 0; r < ROUNDS; r++) {
    uint64_t* p = a[r];
    for (unsigned i = 0; i < LINES; i++) {
      uint64_t c = (rnd() >> 32) & 1, v;
      /* if (c) s += p[i * 8]; as a real branch with the load on its taken side */
      __asm__ volatile("bnez %2, 1f\n\tj 2f\n1:\tld %1, 0(%3)\n\tadd %0, %0, %1\n2:"
                       : "+r"(s), "=&r"(v) : "r"(c), "r"(p + i * 8) : "memory");
      n += c;
    }
    for (unsigned i = 0; i < LINES; i++) s += p[i * 8];
  }
  put_hex(s + n);
  return n > ROUNDS * LINES / 3 && n < 2 * ROUNDS * LINES / 3 ? 0 : 1;
}
