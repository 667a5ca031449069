#pragma once
// Timing-only, non-blocking set-associative caches for the pipeline models:
// tags, dirty and prefetched bits, replacement state and the cycle each line's
// fill completes; no data (data stays in the memory model). A miss takes an
// MSHR until its fill returns; later accesses to a line still being filled
// wait for that fill (MSHR hits, i.e. secondary misses) instead of missing
// again. Dirty victims and written-through stores leave through a write
// buffer. `mshrs: 0` is a blocking cache (nothing is served while a miss is
// outstanding). An optional prefetcher watches the demand accesses. Pure C++.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "models/cpu/histogram.h"
#include "models/cpu/memory/mem_level.h"
#include "models/cpu/memory/prefetcher.h"

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
  unsigned mshrs = 8;           // outstanding misses; 0: blocking cache
  unsigned write_buffer = 8;    // write-back / write-through buffer entries (0: writes are synchronous)
  PrefetcherConfig prefetcher;
};

const char* replacement_name(Replacement r);

class Cache final : public MemLevel {
 public:
  // next: the level below (another cache, DRAM or fixed-latency memory); not owned.
  Cache(const CacheConfig& cfg, MemLevel* next);
  ~Cache() override;

  // Returns the cycle the data is available (reads) or the write is done. Inline
  // (the class is final): callers through a Cache pointer get hit() inline.
  __attribute__((always_inline)) uint64_t access(uint64_t addr, MemOp op, uint64_t t, uint64_t pc) override {
    const uint64_t done = hit(addr, op, t);
    return __builtin_expect(done != 0, 1) ? done : access_slow(addr, op, t, pc);
  }
  // access() in two parts: hit(), then access_slow() if it returned 0.
  //
  // hit(): a demand read, or a store to a write-back cache, hitting a filled,
  // not prefetched line when the prefetcher (if any) ignores hits; makes its
  // statistics and replacement update exactly as access() would and returns
  // when it is done. 0 (nothing changed) for any other access.
  __attribute__((always_inline)) uint64_t hit(uint64_t addr, MemOp op, uint64_t t) {
    return plain_hit(addr, op, t) ? t + cfg_.hit_latency : 0;
  }
  // hit() for a caller that needs only whether it hit (then done at t + hit latency).
  __attribute__((always_inline)) bool plain_hit(uint64_t addr, MemOp op, uint64_t t) {
    if (t < hit_from_[static_cast<unsigned>(op)]) return false;
    const uint64_t line = addr >> line_shift_;
    const unsigned set = static_cast<unsigned>(line) & set_mask_;
    Line* const l = mru_[set];
    if (l->tag != line) return plain_hit_other(line, op, t);
    if (l->ready > t || l->prefetched) return false;
    count_hit(*l, op);
    return true;
  }
  // Drops every line (no write-backs): fence.i for an I-cache, or a reset.
  void invalidate_all();
  // Whether the line holding addr is present (or being filled).
  bool contains(uint64_t addr) const;

  const CacheConfig& config() const { return cfg_; }
  unsigned sets() const { return sets_; }

  struct Stats {
    uint64_t accesses = 0, hits = 0, misses = 0, mshr_hits = 0;
    uint64_t reads = 0, writes = 0, read_misses = 0, write_misses = 0;
    uint64_t evictions = 0, writebacks = 0, writes_through = 0;
    uint64_t mshr_full_cycles = 0, write_buffer_full_cycles = 0, blocked_cycles = 0;
    // Prefetching: requests issued; first demand uses of prefetched lines that had
    // arrived (useful) or were still in flight (late); prefetched lines evicted
    // unused; requests for lines already present; requests dropped (no MSHR).
    uint64_t pf_issued = 0, pf_useful = 0, pf_late = 0, pf_covered = 0, pf_unused = 0, pf_redundant = 0,
             pf_dropped = 0;
    uint64_t demand_misses = 0, demand_misses_without_pf = 0;  // misses + covered: the misses without prefetching
  };
  const Stats& stats() const {
    fold_counts();
    return st_;
  }
  // Stats::accesses is reads + writes (every request is one of them), brought
  // up to date here rather than counted: call before reading it through
  // for_each_counter()'s storage.
  void fold_counts() const { st_.accesses = st_.reads + st_.writes; }

  // Counters relative to the cache's name ("hits", "prefetch.useful", ...).
  void for_each_counter(const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) const;
  void for_each_ratio(const std::function<void(const std::string&, const std::string&, const std::string&,
                                               const std::string&)>& f) const;

 private:
  struct Line {
    uint64_t tag;    // line number; kInvalid when empty
    uint64_t ready;  // cycle the fill completes
    uint64_t stamp;  // LRU: last use; FIFO: fill time
    uint8_t dirty, prefetched;
  };
  // A demand read or write-back write hitting a filled line: its statistics and dirty bit.
  void count_hit(Line& l, MemOp op) {
    ++st_.hits;
    if (op == MemOp::kRead) {
      ++st_.reads;
    } else {
      ++st_.writes;
      l.dirty = 1;
    }
  }
  unsigned victim(unsigned set);
  // Makes the way the set's most recently used.
  void touch(unsigned set, unsigned way) {
    Line* const l = &lines_[size_t{set} * assoc_ + way];
    mru_[set] = l;
    if (cfg_.replacement == Replacement::kLru) l->stamp = ++clock_;
    else if (cfg_.replacement == Replacement::kTreePlru) touch_plru(set, way);
  }
  void touch_plru(unsigned set, unsigned way);
  // plain_hit() when the line is not the set's MRU one (out of line: keeps the
  // callers' inline hit path short).
  bool plain_hit_other(uint64_t line, MemOp op, uint64_t t);
  // Everything hit() does not serve (cache.cpp).
  uint64_t access_slow(uint64_t addr, MemOp op, uint64_t t, uint64_t pc);
  int find(uint64_t line) const;
  uint64_t alloc_mshr(uint64_t t, unsigned& slot);
  uint64_t buffered_write(uint64_t addr, MemOp op, uint64_t t);
  // Evicts the victim way of `set` at cycle t; returns when its write-back was accepted.
  uint64_t evict(unsigned set, unsigned way, uint64_t t);
  void install(unsigned set, unsigned way, uint64_t line, uint64_t ready, bool dirty, bool prefetched);
  void prefetch(uint64_t line, uint64_t t);
  void write_through(uint64_t addr, uint64_t t);

  CacheConfig cfg_;
  MemLevel* next_;
  std::unique_ptr<Prefetcher> pf_;
  bool pf_hits_ = false;
  unsigned sets_, line_shift_, assoc_, set_mask_;
  std::vector<Line> lines_;      // sets * assoc
  std::vector<uint64_t> plru_;   // tree-PLRU bits per set (assoc - 1 bits)
  std::vector<uint64_t> mshr_free_;
  std::vector<uint64_t> wbuf_;   // write buffer: completion cycle per entry, FIFO
  unsigned wbuf_head_ = 0;
  uint64_t wbuf_last_start_ = 0;
  uint64_t busy_until_ = 0;      // blocking cache: the outstanding miss completes
  uint64_t clock_ = 0;
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;
  // Per set, the line (way) used last: hitting it again changes no replacement
  // state (LRU: it has the set's latest stamp; tree-PLRU: its bits already point
  // away). A pointer, so that a hit on it needs no set arithmetic.
  std::vector<Line*> mru_;
  // Per MemOp, the first cycle hit() may serve it: busy_until_ for demand
  // reads and write-back stores (none if the prefetcher watches hits), else never.
  uint64_t hit_from_[4];
  bool hit_ops_[4] = {};
  void set_busy(uint64_t until) {
    busy_until_ = until;
    for (unsigned i = 0; i < 4; ++i) hit_from_[i] = hit_ops_[i] ? until : ~0ull;
  }
  Histogram mshr_occ_;
  mutable Stats st_;  // mutable: fold_counts()
  static constexpr uint64_t kInvalid = ~0ull;
};

}  // namespace vp::cpu
