/* Streaming read over 128 KiB (4x a 32 KiB L1D): one miss per 64-byte line. */
#include "uarch.h"
#define WORDS (128 * 1024 / 8)
static uint64_t buf[WORDS];
int main(void) {
  uint64_t s = 0;
  for (uint64_t i = 0; i < WORDS; i++) s += ((volatile uint64_t*)buf)[i];
  put_hex(s);
  return s == 0 ? 0 : 1;
}
