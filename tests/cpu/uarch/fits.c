/* A 16 KiB working set read 20 times: fits a 32 KiB L1D, misses only when cold. */
#include "uarch.h"
#define WORDS (16 * 1024 / 8)
static uint64_t buf[WORDS];
int main(void) {
  uint64_t s = 0;
  for (int r = 0; r < 20; r++)
    for (uint64_t i = 0; i < WORDS; i++) s += ((volatile uint64_t*)buf)[i] + 1;
  put_hex(s);
  return s == 20 * WORDS ? 0 : 1;
}
