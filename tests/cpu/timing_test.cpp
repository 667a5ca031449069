// Unit tests of the pipeline timing models (no SystemC): cache MSHRs, write
// buffer and blocking caches, prefetchers, DRAM row timing, TLB walks, the
// store-set predictor, and the in-order and out-of-order backends on short
// synthetic instruction streams with known schedules.
#include <gtest/gtest.h>

#include <vector>

#include "models/cpu/memory/cache.h"
#include "models/cpu/memory/dram.h"
#include "models/cpu/memory/tlb.h"
#include "models/cpu/o3/store_set.h"
#include "models/cpu/pipeline.h"

namespace vp::cpu {
namespace {

CacheConfig l1(unsigned mshrs, unsigned hit = 1) {
  CacheConfig c;
  c.enabled = true;
  c.size = 4096;
  c.assoc = 4;
  c.line = 64;
  c.hit_latency = hit;
  c.mshrs = mshrs;
  return c;
}

// A level below that records what reaches it.
struct Recorder final : MemLevel {
  unsigned latency = 50;
  std::vector<std::pair<uint64_t, MemOp>> seen;
  uint64_t access(uint64_t addr, MemOp op, uint64_t t, uint64_t) override {
    seen.emplace_back(addr, op);
    return t + latency;
  }
};

TEST(Cache, MissFillsAndLaterAccessesHitOrWaitForTheFill) {
  FixedLatencyMemory mem(50);
  Cache c(l1(4, 2), &mem);
  EXPECT_EQ(c.access(0x1000, MemOp::kRead, 0, 0), 52u);   // tag check 2, then 50 below
  EXPECT_EQ(c.access(0x1008, MemOp::kRead, 10, 0), 52u);  // same line, fill in flight: MSHR hit
  EXPECT_EQ(c.access(0x1010, MemOp::kRead, 100, 0), 102u);
  EXPECT_EQ(c.stats().misses, 1u);
  EXPECT_EQ(c.stats().mshr_hits, 1u);
  EXPECT_EQ(c.stats().hits, 1u);
}

TEST(Cache, MshrsBoundOutstandingMisses) {
  FixedLatencyMemory mem(50);
  Cache c(l1(2), &mem);
  EXPECT_EQ(c.access(0x0000, MemOp::kRead, 0, 0), 51u);
  EXPECT_EQ(c.access(0x0040, MemOp::kRead, 0, 0), 51u);
  EXPECT_EQ(c.access(0x0080, MemOp::kRead, 0, 0), 101u);  // waits for the first MSHR
  EXPECT_EQ(c.stats().mshr_full_cycles, 50u);
}

TEST(Cache, BlockingCacheServesNothingWhileAMissIsOutstanding) {
  FixedLatencyMemory mem(50);
  Cache c(l1(0), &mem);
  c.access(0x0000, MemOp::kRead, 0, 0);
  EXPECT_EQ(c.access(0x0040, MemOp::kRead, 100, 0), 151u);
  EXPECT_EQ(c.access(0x0080, MemOp::kRead, 110, 0), 202u);  // behind the miss to 0x40, then its own
  EXPECT_EQ(c.access(0x0000, MemOp::kRead, 120, 0), 203u);  // even a hit waits
  EXPECT_EQ(c.stats().blocked_cycles, (151u - 110) + (202u - 120));
}

TEST(Cache, DirtyVictimsLeaveThroughTheWriteBuffer) {
  Recorder below;
  CacheConfig cfg = l1(8);
  cfg.size = 64 * 2;  // one set of two ways
  cfg.assoc = 2;
  cfg.write_buffer = 1;
  Cache c(cfg, &below);
  c.access(0x0000, MemOp::kWrite, 0, 0);
  c.access(0x1000, MemOp::kWrite, 0, 0);
  c.access(0x2000, MemOp::kRead, 100, 0);  // evicts dirty 0x0000
  ASSERT_GE(below.seen.size(), 4u);
  EXPECT_EQ(below.seen[2], std::make_pair(uint64_t{0x0000}, MemOp::kWriteback));
  EXPECT_EQ(c.stats().writebacks, 1u);
  // The second write-back (at 102, after the tag check) waits for the only
  // buffer entry: the first one took it at 101 and is 50 cycles below.
  const uint64_t t = c.access(0x3000, MemOp::kRead, 101, 0);  // evicts dirty 0x1000
  EXPECT_EQ(c.stats().write_buffer_full_cycles, 151u - 102u);
  EXPECT_EQ(t, 151u + 50u);
}

TEST(Cache, WriteBackArrivalsAllocateWithoutAFill) {
  Recorder below;
  Cache c(l1(8), &below);
  c.access(0x4000, MemOp::kWriteback, 0, 0);
  EXPECT_TRUE(c.contains(0x4000));
  EXPECT_TRUE(below.seen.empty());
}

// A reference set-associative cache (presence only) for the replacement
// policies, written independently of Cache: LRU and FIFO as ordered lists per
// set, tree-PLRU with one bit per tree node.
struct ReferenceCache {
  Replacement policy;
  unsigned sets, assoc;
  std::vector<std::vector<uint64_t>> order;  // LRU: least recent first; FIFO: oldest first
  std::vector<std::vector<uint64_t>> ways;   // PLRU: line per way (~0: empty)
  std::vector<std::vector<bool>> node;       // PLRU: node bits (1: the victim is in the upper half)
  ReferenceCache(Replacement r, unsigned s, unsigned a)
      : policy(r), sets(s), assoc(a), order(s), ways(s, std::vector<uint64_t>(a, ~0ull)),
        node(s, std::vector<bool>(2 * a, false)) {}
  void plru_use(unsigned set, unsigned way) {
    unsigned n = 1, lo = 0;
    for (unsigned span = assoc / 2; span >= 1; span /= 2) {
      const bool upper = way >= lo + span;
      node[set][n] = !upper;
      if (upper) lo += span;
      n = 2 * n + upper;
    }
  }
  // True if the line was present.
  bool access(uint64_t line) {
    const unsigned set = static_cast<unsigned>(line % sets);
    if (policy == Replacement::kTreePlru) {
      auto& w = ways[set];
      for (unsigned i = 0; i < assoc; ++i)
        if (w[i] == line) {
          plru_use(set, i);
          return true;
        }
      unsigned v = 0;
      while (v < assoc && w[v] != ~0ull) ++v;
      if (v == assoc) {
        unsigned n = 1, lo = 0;
        for (unsigned span = assoc / 2; span >= 1; span /= 2) {
          const bool upper = node[set][n];
          if (upper) lo += span;
          n = 2 * n + upper;
        }
        v = lo;
      }
      w[v] = line;
      plru_use(set, v);
      return false;
    }
    auto& o = order[set];
    for (size_t i = 0; i < o.size(); ++i)
      if (o[i] == line) {
        if (policy == Replacement::kLru) {
          o.erase(o.begin() + static_cast<long>(i));
          o.push_back(line);
        }
        return true;
      }
    if (o.size() == assoc) o.erase(o.begin());
    o.push_back(line);
    return false;
  }
};

// Hits in any way, repeated hits on a set's most recently used way and misses,
// mixed: every access hits or misses as in the reference, and the counts agree.
TEST(Cache, ReplacementMatchesAReferenceUnderMixedHits) {
  for (Replacement r : {Replacement::kLru, Replacement::kTreePlru, Replacement::kFifo}) {
    SCOPED_TRACE(replacement_name(r));
    FixedLatencyMemory mem(20);
    CacheConfig cfg = l1(8);
    cfg.size = 64 * 4 * 4;  // 4 sets of 4 ways
    cfg.replacement = r;
    Cache c(cfg, &mem);
    ReferenceCache ref(r, 4, 4);
    uint64_t x = 12345, t = 0, hits = 0, writes = 0;
    for (unsigned i = 0; i < 20000; ++i) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      // Mostly a few hot lines per set (MRU and non-MRU hits), sometimes a cold one.
      const uint64_t line = (x >> 60) < 13 ? (x >> 33) % 20 : (x >> 33) % 64;
      const MemOp op = (x >> 20) % 4 == 0 ? MemOp::kWrite : MemOp::kRead;
      writes += op == MemOp::kWrite;
      t += 100;  // every fill is done before the next access
      const bool hit = ref.access(line);
      hits += hit;
      const uint64_t done = c.access(line * 64 + (x >> 8) % 64, op, t, 0);
      ASSERT_EQ(done == t + cfg.hit_latency, hit) << "access " << i << " line " << line;
    }
    EXPECT_EQ(c.stats().hits, hits);
    EXPECT_EQ(c.stats().misses, 20000 - hits);
    EXPECT_EQ(c.stats().writes, writes);
    EXPECT_EQ(c.stats().accesses, 20000u);
  }
}

// A line whose fill is still in flight, or that was prefetched, is no plain
// hit even in its set's most recently used way.
TEST(Cache, InFlightAndPrefetchedLinesAreNotPlainHits) {
  FixedLatencyMemory mem(50);
  CacheConfig cfg = l1(8);
  cfg.prefetcher.type = "next_line";
  Cache c(cfg, &mem);
  EXPECT_EQ(c.access(0x1000, MemOp::kRead, 0, 0), 51u);    // miss; prefetches 0x1040
  EXPECT_EQ(c.access(0x1000, MemOp::kRead, 10, 0), 51u);   // MSHR hit on the most recent way
  EXPECT_EQ(c.access(0x1040, MemOp::kRead, 200, 0), 201u); // the prefetched line's first use
  EXPECT_EQ(c.stats().mshr_hits, 1u);
  EXPECT_EQ(c.stats().pf_useful, 1u);
  EXPECT_EQ(c.access(0x1040, MemOp::kRead, 300, 0), 301u);
  EXPECT_EQ(c.stats().hits, 2u);
}

// fence.i on an I-cache: lines hit before (each its set's most recently used
// way) miss afterwards, and the cache fills and hits again as when new.
TEST(Cache, InvalidateAllDropsLinesHitBefore) {
  FixedLatencyMemory mem(50);
  Cache c(l1(8), &mem);
  for (uint64_t a = 0; a < 0x400; a += 0x40) c.access(a, MemOp::kRead, 0, 0);
  EXPECT_EQ(c.access(0x0, MemOp::kRead, 1000, 0), 1001u);
  EXPECT_EQ(c.access(0x3c0, MemOp::kRead, 1000, 0), 1001u);
  c.invalidate_all();
  EXPECT_FALSE(c.contains(0x0));
  EXPECT_EQ(c.access(0x0, MemOp::kRead, 2000, 0), 2051u);
  EXPECT_EQ(c.access(0x3c0, MemOp::kRead, 2000, 0), 2051u);
  EXPECT_EQ(c.access(0x0, MemOp::kRead, 3000, 0), 3001u);
  EXPECT_EQ(c.stats().misses, 18u);
  EXPECT_EQ(c.stats().hits, 3u);
}

TEST(Prefetcher, StrideRunsAheadOfAStream) {
  FixedLatencyMemory mem(30);
  CacheConfig cfg = l1(8);
  cfg.size = 32 * 1024;
  cfg.prefetcher = {"stride", 4, 64, 4};
  Cache c(cfg, &mem);
  uint64_t t = 0;
  for (uint64_t a = 0; a < 64 * 256; a += 8) t = c.access(0x100000 + a, MemOp::kRead, t + 4, 0x80000010);
  EXPECT_LE(c.stats().read_misses, 6u);  // training, then `distance` lines before the first request
  EXPECT_GT(c.stats().pf_useful, 240u);
  EXPECT_EQ(c.stats().pf_late, 0u);
}

TEST(Prefetcher, NextLineOnMissesTaggedAlsoOnFirstUse) {
  for (const char* type : {"next_line", "tagged"}) {
    FixedLatencyMemory mem(10);
    CacheConfig cfg = l1(8);
    cfg.size = 32 * 1024;
    cfg.prefetcher = {type, 1, 64, 0};
    Cache c(cfg, &mem);
    uint64_t t = 0;
    for (uint64_t line = 0; line < 100; ++line) t = c.access(line * 64, MemOp::kRead, t + 50, 0);
    if (std::string(type) == "next_line")
      EXPECT_EQ(c.stats().read_misses, 50u) << type;  // every other line
    else
      EXPECT_EQ(c.stats().read_misses, 1u) << type;
  }
}

TEST(Prefetcher, StreamFollowsDescendingAccesses) {
  FixedLatencyMemory mem(10);
  CacheConfig cfg = l1(8);
  cfg.size = 32 * 1024;
  cfg.prefetcher = {"stream", 4, 8, 0};
  Cache c(cfg, &mem);
  uint64_t t = 0;
  for (uint64_t line = 200; line > 100; --line) t = c.access(line * 64, MemOp::kRead, t + 20, 0);
  EXPECT_LE(c.stats().read_misses, 3u);
}

TEST(Dram, RowHitClosedBankAndConflictLatencies) {
  DramConfig d;
  d.enabled = true;
  d.banks = 4;
  d.row_size = 1024;
  d.t_cas = 10;
  d.t_rcd = 12;
  d.t_ras = 30;
  d.t_pre = 14;
  d.t_rrd = 2;
  d.t_burst = 4;
  d.latency = 20;
  Dram m(d);
  // Closed bank: latency/2 + tRCD + tCAS + tBURST + latency/2.
  EXPECT_EQ(m.access(0x0000, MemOp::kRead, 0, 0), 10u + 12 + 10 + 4 + 10);
  // Open row: tCAS + tBURST.
  EXPECT_EQ(m.access(0x0040, MemOp::kRead, 1000, 0), 1000u + 10 + 10 + 4 + 10);
  // Another row of bank 0 (rows interleave over 4 banks): precharge + activate.
  EXPECT_EQ(m.access(4 * 1024, MemOp::kRead, 2000, 0), 2000u + 10 + 14 + 12 + 10 + 4 + 10);
  // Precharge no earlier than tRAS after the activation.
  Dram n(d);
  n.access(0x0000, MemOp::kRead, 0, 0);  // activates at 10
  EXPECT_EQ(n.access(4 * 1024, MemOp::kRead, 0, 0), 10u + 30 + 14 + 12 + 10 + 4 + 10);
  EXPECT_EQ(m.stats().row_hits, 1u);
  EXPECT_EQ(m.stats().row_misses, 1u);
  EXPECT_EQ(m.stats().row_conflicts, 1u);
}

// L1D (2 ways), L2 (4 ways, one set), L3 (16 sets): a line pushed out of L1D and
// L2 by other lines of their only set is still in the L3.
MemoryConfig three_levels(bool with_l3) {
  MemoryConfig m;
  m.l1d = l1(8, 1);
  m.l1d.size = 128;
  m.l1d.assoc = 2;
  m.l2 = l1(8, 10);
  m.l2.size = 256;
  m.l2.assoc = 4;
  m.l3 = l1(8, 30);
  m.l3.enabled = with_l3;
  m.memory_latency = 100;
  return m;
}

TEST(MemoryHierarchy, L3HitsAfterL1AndL2Evictions) {
  MemoryHierarchy h(three_levels(true));
  EXPECT_EQ(h.load(0x0000, 0, 0), 1u + 10 + 30 + 100);  // every tag check, then memory
  for (uint64_t a = 0x40; a <= 0x100; a += 0x40) h.load(a, 0, 1000);  // 4 more lines: L1D and L2 evict 0x0000
  EXPECT_EQ(h.load(0x0000, 0, 5000), 5000u + 1 + 10 + 30);  // L3 hit
  EXPECT_EQ(h.l1d()->stats().read_misses, 6u);
  MemoryHierarchy no_l3(three_levels(false));
  no_l3.load(0x0000, 0, 0);
  for (uint64_t a = 0x40; a <= 0x100; a += 0x40) no_l3.load(a, 0, 1000);
  EXPECT_EQ(no_l3.load(0x0000, 0, 5000), 5000u + 1 + 10 + 100);  // back to memory
}

TEST(Tlb, MissWalksEveryLevel) {
  Tlb t({true, 4, 0, 20});
  EXPECT_EQ(t.lookup(0x5000, 3, 100), 160u);
  EXPECT_EQ(t.lookup(0x5ff8, 3, 200), 200u);
  for (uint64_t p = 1; p <= 4; ++p) t.lookup(p << 12, 4, 300);  // evicts page 5 (LRU)
  EXPECT_EQ(t.lookup(0x5000, 4, 1000), 1080u);
  EXPECT_EQ(t.stats().misses, 6u);
}

// Many pages, alternating (hits found through the hint table or the scan),
// against a reference LRU TLB: the same walks.
TEST(Tlb, LruMatchesAReferenceForManyPages) {
  for (unsigned assoc : {0u, 4u}) {
    Tlb t({true, 16, assoc, 10});
    const unsigned ways = assoc ? assoc : 16, sets = 16 / ways;
    std::vector<std::vector<uint64_t>> ref(sets);  // least recently used first
    uint64_t x = 99, misses = 0, now = 0;
    for (unsigned i = 0; i < 20000; ++i) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      const uint64_t vpn = (x >> 60) < 12 ? (x >> 33) % 24 : (x >> 33) % 200;
      auto& o = ref[vpn % sets];
      bool hit = false;
      for (size_t k = 0; k < o.size(); ++k)
        if (o[k] == vpn) {
          o.erase(o.begin() + static_cast<long>(k));
          hit = true;
          break;
        }
      if (!hit && o.size() == ways) o.erase(o.begin());
      o.push_back(vpn);
      misses += !hit;
      now += 1000;
      ASSERT_EQ(t.lookup(vpn << 12, 3, now) == now, hit) << "lookup " << i << " assoc " << assoc;
    }
    EXPECT_EQ(t.stats().misses, misses);
  }
}

TEST(StoreSet, ViolationsJoinAndMergeSets) {
  StoreSet s(64, 16, 0);
  EXPECT_EQ(s.set_of(0x100), StoreSet::kNone);
  s.violation(0x100, 0x200);
  EXPECT_NE(s.set_of(0x100), StoreSet::kNone);
  EXPECT_EQ(s.set_of(0x100), s.set_of(0x200));
  s.violation(0x300, 0x400);
  s.violation(0x100, 0x400);  // merge into the smaller id
  EXPECT_EQ(s.set_of(0x400), s.set_of(0x200));
}

// --- Backends on synthetic instruction streams -------------------------------------

constexpr uint32_t kExt = kExtI | kExtM | kExtA | kExtF | kExtD | kExtC | kExtZicsr | kExtZifencei;
uint32_t addi(unsigned rd, unsigned rs1, int imm) { return (uint32_t(imm) << 20) | rs1 << 15 | rd << 7 | 0x13; }
uint32_t add(unsigned rd, unsigned rs1, unsigned rs2) { return rs2 << 20 | rs1 << 15 | rd << 7 | 0x33; }
uint32_t ld(unsigned rd, unsigned rs1) { return rs1 << 15 | 3u << 12 | rd << 7 | 0x03; }
uint32_t sd(unsigned rs2, unsigned rs1) { return rs2 << 20 | rs1 << 15 | 3u << 12 | 0x23; }
uint32_t csrrw(unsigned rd, unsigned csr, unsigned rs1) { return csr << 20 | rs1 << 15 | 1u << 12 | rd << 7 | 0x73; }

uint32_t jal_back(uint64_t bytes) {  // jal x0, -bytes
  const uint32_t imm = static_cast<uint32_t>(-static_cast<int64_t>(bytes));
  return ((imm >> 20) & 1) << 31 | ((imm >> 1) & 0x3ff) << 21 | ((imm >> 11) & 1) << 20 | ((imm >> 12) & 0xff) << 12 |
         0x6f;
}

// Runs `body` as a loop at 0x80000000 (identity-mapped, closed by a jal back);
// memory instructions access addr(iteration, index).
struct Loop {
  explicit Loop(PipelineConfig c) : p(c) {}
  Pipeline p;
  uint64_t instructions = 0;
  template <typename Addr>
  void run(const std::vector<uint32_t>& body, int iterations, Addr addr) {
    constexpr uint64_t start = 0x80000000;
    const Insn back = decode(jal_back(4 * body.size()), kExt);
    std::vector<Insn> code;
    for (uint32_t raw : body) code.push_back(decode(raw, kExt));
    for (int it = 0; it < iterations; ++it) {
      uint64_t pc = start;
      for (size_t k = 0; k < code.size(); ++k, pc += 4) {
        const uint64_t a = addr(it, static_cast<int>(k));
        p.retire(code[k], RetireInfo{pc, pc, pc + 4, a, a, true, 0, 0});
      }
      p.retire(back, RetireInfo{pc, pc, start, 0, 0, true, 0, 0});
      instructions += code.size() + 1;
    }
  }
  void run(const std::vector<uint32_t>& body, int iterations) {
    run(body, iterations, [](int, int) { return uint64_t{0x80100000}; });
  }
  // Measures from here on (after a warm-up that filled the caches and predictors).
  void mark() {
    i0 = instructions;
    c0 = p.cycles();
  }
  double ipc() const { return static_cast<double>(instructions - i0) / static_cast<double>(cycles()); }
  uint64_t cycles() const { return p.cycles() - c0; }
  uint64_t i0 = 0, c0 = 0;
  uint64_t counter(const std::string& name) {
    uint64_t v = 0;
    p.for_each_counter([&](const std::string& n, const std::string&, const uint64_t* c) {
      if (n == name) v = *c;
    });
    return v;
  }
};

PipelineConfig o3(unsigned width, unsigned rob) {
  PipelineConfig c;
  c.backend = Backend::kO3;
  c.o3.fetch_width = c.o3.decode_width = c.o3.rename_width = c.o3.issue_width = c.o3.commit_width = width;
  c.o3.rob = rob;
  c.o3.iq = rob;
  c.o3.int_regs = 32 + rob;
  c.o3.units[static_cast<unsigned>(Fu::kAlu)] = width;
  return c;
}

std::vector<uint32_t> independent_adds(int n) {
  std::vector<uint32_t> b;
  for (int i = 0; i < n; ++i) b.push_back(addi(1 + i % 30, 0, i));
  return b;
}

TEST(O3, IndependentInstructionsIssueAtTheMachineWidth) {
  for (unsigned w : {1u, 2u, 4u}) {
    Loop l(o3(w, 128));
    l.run(independent_adds(63), 5);
    l.mark();
    l.run(independent_adds(63), 100);
    EXPECT_GT(l.ipc(), 0.85 * w) << "width " << w;
    EXPECT_LE(l.ipc(), w + 0.01) << "width " << w;
  }
}

TEST(O3, ADependenceChainRunsAtOnePerCycle) {
  Loop l(o3(4, 128));
  l.run(std::vector<uint32_t>(63, addi(5, 5, 1)), 5);
  l.mark();
  l.run(std::vector<uint32_t>(63, addi(5, 5, 1)), 100);
  EXPECT_NEAR(l.ipc(), 64.0 / 63, 0.05);
}

TEST(O3, TheRobBoundsHowMuchWorkHidesAMiss) {
  // A load missing to memory, then 60 independent adds: a 32-entry ROB fills
  // behind each miss; a 256-entry one overlaps several misses.
  std::vector<uint32_t> body = {ld(10, 11)};
  for (uint32_t a : independent_adds(60)) body.push_back(a);
  uint64_t cycles[2];
  int k = 0;
  for (unsigned rob : {32u, 256u}) {
    PipelineConfig c = o3(4, rob);
    c.memory_latency = 200;
    Loop l(c);
    l.run(body, 40, [](int it, int) { return 0x90000000ull + uint64_t(it) * 4096; });
    cycles[k++] = l.p.cycles();
  }
  EXPECT_GT(cycles[0], 2 * cycles[1]);
}

TEST(O3, LoadsAfterStoresToTheSameWordAreForwarded) {
  Loop l(o3(4, 128));
  l.run({sd(5, 6), ld(5, 6)}, 100, [](int, int) { return uint64_t{0x80101000}; });
  EXPECT_EQ(l.counter("o3.lsq.forwarded_loads"), 100u);
  EXPECT_EQ(l.counter("l1d.reads"), 0u);
}

TEST(O3, CsrAccessesSerialize) {
  std::vector<uint32_t> with = {csrrw(0, 0x340, 5)}, without = {addi(9, 0, 1)};
  for (uint32_t a : independent_adds(8)) with.push_back(a), without.push_back(a);
  Loop s(o3(4, 128)), t(o3(4, 128));
  s.run(with, 5);
  t.run(without, 5);
  s.mark();
  t.mark();
  s.run(with, 200);
  t.run(without, 200);
  EXPECT_GT(s.cycles(), 2 * t.cycles());
  EXPECT_EQ(s.counter("o3.serializing"), 205u);
}

TEST(InOrder, NeverMoreThanOneInstructionPerCycle) {
  Loop l{PipelineConfig{}};
  l.run(independent_adds(63), 5);
  l.mark();
  l.run(independent_adds(63), 100);
  EXPECT_LE(l.ipc(), 1.0);
  EXPECT_GT(l.ipc(), 0.95);
}

TEST(InOrder, LoadUseCostsOneBubble) {
  Loop s{PipelineConfig{}}, t{PipelineConfig{}};
  s.run({ld(5, 6), add(7, 5, 5)}, 5);  // uses the load right away
  t.run({ld(5, 6), add(7, 8, 8)}, 5);
  s.mark();
  t.mark();
  const uint64_t lu = s.counter("stalls.load_use");
  s.run({ld(5, 6), add(7, 5, 5)}, 200);
  t.run({ld(5, 6), add(7, 8, 8)}, 200);
  EXPECT_EQ(s.cycles() - t.cycles(), 200u);
  EXPECT_EQ(s.counter("stalls.load_use") - lu, 200u);
}

}  // namespace
}  // namespace vp::cpu
