#pragma once
// Hardware prefetchers attached to a cache level: they watch the level's
// demand accesses and name lines to fetch ahead. One interface, one file per
// algorithm (prefetcher.cpp: next-line and tagged; stride_prefetcher.cpp;
// stream_prefetcher.cpp). Addresses are line numbers (address >> line shift).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vp::cpu {

struct PrefetcherConfig {
  std::string type = "none";  // none, next_line, stride, stream, tagged
  unsigned degree = 2;        // lines requested per trigger (1..16)
  unsigned table_size = 64;   // stride: PC-indexed entries; stream: tracked streams
  unsigned distance = 0;      // stride, stream: lines skipped ahead of the access before the first request
};

// What a demand access found.
enum class PrefetchEvent : uint8_t {
  kMiss,            // line absent (primary miss)
  kHit,             // line present, not brought by a prefetch (or already used)
  kPrefetchedHit,   // first demand use of a prefetched line (present or in flight)
};

class Prefetcher {
 public:
  static constexpr unsigned kMaxDegree = 16;
  virtual ~Prefetcher() = default;
  // A demand access to byte address `addr` (in line `line`) by the instruction
  // at pc (0 if unknown). Writes the lines to prefetch to out[] and returns how
  // many (at most kMaxDegree).
  virtual unsigned observe(uint64_t pc, uint64_t addr, uint64_t line, PrefetchEvent ev, uint64_t* out) = 0;
  // True if the prefetcher wants to see plain hits (stride training needs
  // every access; the others only misses and first uses of prefetched lines).
  virtual bool wants_hits() const { return false; }
};

const std::vector<std::string>& prefetcher_types();
// nullptr for type "none"; throws std::invalid_argument on bad parameters.
std::unique_ptr<Prefetcher> make_prefetcher(const PrefetcherConfig& cfg, unsigned line_bytes);
std::unique_ptr<Prefetcher> make_stride_prefetcher(const PrefetcherConfig& cfg, unsigned line_bytes);
std::unique_ptr<Prefetcher> make_stream_prefetcher(const PrefetcherConfig& cfg);

}  // namespace vp::cpu
