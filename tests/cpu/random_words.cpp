// Prints N pseudo-random 32-bit words as assembler `.word` lines (deterministic per seed).
#include <cstdint>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 0) : 1;
  const unsigned n = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 0)) : 4096;
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (unsigned i = 0; i < n; ++i) {
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;  // xorshift64
    uint32_t w = static_cast<uint32_t>(s >> 16);
    // Half of the words get a valid 32-bit major opcode so that more of them decode.
    if (i & 1) w |= 3;
    std::printf("  .word 0x%08x\n", w);
  }
  return 0;
}
