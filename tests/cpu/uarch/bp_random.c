/* Random branch: no predictor can do better than ~50% on it. */
#include "uarch.h"
#define N 100000
int main(void) {
  uint64_t a = 0;
  for (uint64_t i = 0; i < N; i++) BRANCH_IF((rnd() >> 32) & 1, a);
  put_hex(a);
  return a > N / 3 && a < 2 * N / 3 ? 0 : 1;
}
