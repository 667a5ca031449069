/* Fast-forward / region-of-interest test program: a long set-up phase, a
 * region of interest between vp_roi.h markers (in roi_kernel, also reachable
 * by symbol), more work after it, then the exit marker with code 3. Prints a
 * checksum through HTIF so runs can be compared. */
#include <stdint.h>

#include "../uarch/uarch.h"
#include "vp_roi.h"

#define N 4096
static uint64_t table[N];

__attribute__((noinline)) static uint64_t setup(void) {
  uint64_t s = 0;
  for (int round = 0; round < 20; ++round)
    for (int i = 0; i < N; ++i) {
      table[i] = table[i] * 6364136223846793005ull + (uint64_t)i + (uint64_t)round;
      s += table[i] >> 7;
    }
  return s;
}

/* The region of interest: data-dependent branches and a strided walk. */
__attribute__((noinline)) uint64_t roi_kernel(void) {
  uint64_t s = 0;
  for (int round = 0; round < 8; ++round)
    for (int i = 0; i < N; i += 3) {
      const uint64_t v = table[(i * 7) & (N - 1)];
      BRANCH_IF((v >> 29) & 1, s);  /* high LCG bits: hard to predict */
      s += v >> 11;
    }
  return s;
}

int main(void) {
  uint64_t sum = setup();
  vp_dump_stats();
  vp_roi_begin();
  sum ^= roi_kernel();
  vp_roi_end();
  sum += setup();
  put_hex(sum);
  vp_exit(3);
  return 0;
}
