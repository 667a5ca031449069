/* Reads one word every STRIDE bytes, once, over a region far larger than the
 * caches, so every access goes to DRAM. With STRIDE 64 consecutive lines fall
 * in the open row of their bank (row hits); with a stride of several rows each
 * access lands in another row of its bank (row conflicts). Built twice:
 * -DSTRIDE=64 and -DSTRIDE=8192. */
#include "uarch.h"
#ifndef STRIDE
#define STRIDE 64
#endif
#define ACCESSES 4096
/* RAM far above the program (virt: 256 MiB from 0x80000000), never written,
 * so reads return zero and no start-up code touches it. */
#define REGION ((const uint8_t*)0x88000000ul)
int main(void) {
  uint64_t s = 0;
  for (uint64_t i = 0; i < ACCESSES; i++) s += ((volatile const uint64_t*)(REGION + i * STRIDE))[0];
  put_hex(s);
  return s == 0 ? 0 : 1;
}
