/* CSR accesses serialize the pipeline (they execute at the ROB head and the
 * younger instructions wait for them to commit): independent adds around a
 * csrr of mscratch gain little from an out-of-order core. */
#include "uarch.h"
#define ITERS 5000
int main(void) {
  uint64_t a = 0, b = 0, c = 0, v = 0;
  for (uint64_t i = 0; i < ITERS; i++)
    __asm__ volatile("csrw mscratch, %4\n\tadd %0,%0,%4\n\tadd %1,%1,%4\n\tcsrr %3, mscratch\n\tadd %2,%2,%3"
                     : "+r"(a), "+r"(b), "+r"(c), "=r"(v) : "r"(i));
  put_hex(a + b + c);
  return a == b && b == c ? 0 : 1;
}
