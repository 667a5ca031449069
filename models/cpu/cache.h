#pragma once
// Timing-only set-associative caches for the pipeline model: tags, valid and
// dirty bits and replacement state, no data (data stays in the memory model).
// access() returns the latency in cycles of an access through this level and
// the levels below it. Pure C++, no SystemC.
#include <cstdint>
#include <string>
#include <vector>

namespace vp::cpu {

enum class Replacement : uint8_t { kLru, kTreePlru, kRandom, kFifo };

struct CacheConfig {
  bool enabled = false;
  uint64_t size = 32 * 1024;  // bytes
  unsigned assoc = 8;
  unsigned line = 64;         // bytes, power of two
  Replacement replacement = Replacement::kLru;
  bool write_back = true;       // false: write-through (stores also go to the next level)
  bool write_allocate = true;   // false: a write miss does not fill the line
  unsigned hit_latency = 1;     // cycles
};

const char* replacement_name(Replacement r);

class Cache {
 public:
  // next == nullptr: misses go to memory with `memory_latency` cycles.
  Cache(const CacheConfig& cfg, Cache* next, unsigned memory_latency);

  // Latency in cycles of an access to physical address `addr`.
  unsigned access(uint64_t addr, bool write);
  // Drops every line (no write-backs): fence.i for an I-cache, or a reset.
  void invalidate_all();

  const CacheConfig& config() const { return cfg_; }
  unsigned sets() const { return sets_; }

  struct Stats {
    uint64_t accesses = 0, hits = 0, misses = 0;
    uint64_t reads = 0, writes = 0, read_misses = 0, write_misses = 0;
    uint64_t evictions = 0, writebacks = 0, writes_through = 0;
  };
  const Stats& stats() const { return st_; }

 private:
  unsigned victim(unsigned set);
  void touch(unsigned set, unsigned way);
  unsigned fill_latency(uint64_t line_addr);

  CacheConfig cfg_;
  Cache* next_;
  unsigned mem_latency_;
  unsigned sets_, line_shift_, assoc_;
  std::vector<uint64_t> tags_;   // sets * assoc; kInvalid when empty
  std::vector<uint64_t> stamp_;  // LRU: last use; FIFO: fill time
  std::vector<uint8_t> dirty_;
  std::vector<uint64_t> plru_;   // tree-PLRU bits per set (assoc - 1 bits)
  uint64_t clock_ = 0;
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;
  uint64_t mru_line_ = ~0ull;    // the last line hit (repeated hits change no state)
  Stats st_;
  static constexpr uint64_t kInvalid = ~0ull;
};

}  // namespace vp::cpu
