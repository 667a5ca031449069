// Unit tests of the conditional branch predictors (no SystemC): each predictor
// runs a deterministic synthetic branch stream and must give the recorded
// number of correct predictions, the recorded hash of its prediction sequence
// and the recorded extra statistics. The figures were recorded with the
// straightforward implementations; a faster rewrite must reproduce them bit
// for bit (pipeline-mode statistics depend on every prediction).
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/cpu/branch_predictor.h"
#include "models/cpu/btb.h"
#include "models/cpu/return_stack.h"

namespace vp::cpu {
namespace {

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A program-like stream: static branches (96 unless given) of five kinds,
// visited in a random walk. Kinds: loop back-edges with fixed trip counts, periodic
// patterns, branches equal to an XOR of outcomes up to ~600 branches back
// (only long tagged histories can see those), biased random branches, and
// always/never-taken branches.
class Stream {
 public:
  explicit Stream(uint64_t seed, unsigned branches = 96) : seed_(seed), count_(branches) {
    for (unsigned i = 0; i < count_; ++i) {
      Branch b;
      b.pc = 0x80000000ull + 0x40ull * i + 2 * (splitmix(seed_) & 7);
      b.kind = static_cast<unsigned>(splitmix(seed_) % 5);
      b.param = 2 + static_cast<unsigned>(splitmix(seed_) % 23);
      b.lag1 = 1 + static_cast<unsigned>(splitmix(seed_) % 40);
      b.lag2 = 1 + static_cast<unsigned>(splitmix(seed_) % 600);
      branches_.push_back(b);
    }
    past_.assign(kPast, 0);
  }

  // The next branch: pc, taken target and outcome.
  void next(uint64_t& pc, uint64_t& target, bool& taken) {
    Branch& b = branches_[cur_];
    bool t = false;
    switch (b.kind) {
      case 0: t = ++b.count % b.param != 0; break;                   // loop
      case 1: t = (++b.count * 7 / b.param) & 1; break;               // periodic
      case 2: t = past(b.lag1) ^ past(b.lag2); break;                 // correlated
      case 3: t = splitmix(seed_) % 100 < 10 + 4 * b.param; break;    // biased random
      default: t = b.param & 1; break;                                // fixed
    }
    pc = b.pc;
    target = t || b.kind != 0 ? b.pc - 0x20 : b.pc + 0x100;
    taken = t;
    past_[pos_++ & (kPast - 1)] = t;
    // Loops mostly repeat themselves; otherwise walk to a nearby branch.
    if (!(b.kind == 0 && t)) {
      const uint64_t r = splitmix(seed_);
      cur_ = (cur_ + 1 + static_cast<unsigned>(r % 3) + ((r >> 8) % 16 == 0 ? static_cast<unsigned>(r >> 16) : 0)) %
             count_;
    }
  }

 private:
  static constexpr unsigned kPast = 1024;
  struct Branch {
    uint64_t pc;
    unsigned kind, param, lag1, lag2, count = 0;
  };
  bool past(unsigned lag) const { return past_[(pos_ - lag) & (kPast - 1)]; }
  uint64_t seed_;
  unsigned count_;
  std::vector<Branch> branches_;
  std::vector<uint8_t> past_;
  uint64_t pos_ = kPast;
  unsigned cur_ = 0;
};

struct Outcome {
  uint64_t correct = 0, hash = 0;
  std::vector<std::pair<std::string, uint64_t>> extra;
};

// n branches through predict_update(), or through predict() then update().
Outcome run(const BranchPredictorConfig& cfg, unsigned n, bool split, uint64_t seed = 1, unsigned branches = 96) {
  auto bp = make_branch_predictor(cfg);
  Stream s(seed, branches);
  Outcome o;
  o.hash = 0xcbf29ce484222325ull;
  for (unsigned i = 0; i < n; ++i) {
    uint64_t pc, target;
    bool taken;
    s.next(pc, target, taken);
    bool pred;
    if (split) {
      pred = bp->predict(pc, target);
      bp->update(pc, target, taken);
    } else {
      pred = bp->predict_update(pc, target, taken);
    }
    o.correct += pred == taken;
    o.hash = (o.hash ^ (pred ? 1 : 0)) * 0x100000001b3ull;
  }
  bp->extra_stats([&](const std::string& name, const uint64_t* v) { o.extra.emplace_back(name, *v); });
  return o;
}

BranchPredictorConfig tage(unsigned tables, unsigned min_h, unsigned max_h, unsigned tag, unsigned base_bits,
                           unsigned tagged_bits) {
  BranchPredictorConfig c;
  c.type = "tage";
  c.tables = tables;
  c.min_history = min_h;
  c.max_history = max_h;
  c.tag_bits = tag;
  c.table_bits = base_bits;
  c.tagged_table_bits = tagged_bits;
  return c;
}

struct Expect {
  const char* what;
  BranchPredictorConfig cfg;
  uint64_t correct, hash, provider_hits, allocations;
};

// 300,000 branches: past the TAGE useful-bit reset at 2^18 updates.
constexpr unsigned kBranchCount = 300000;

std::vector<Expect> tage_cases() {
  std::vector<Expect> v;
  v.push_back({"defaults (rvsim API)", tage(4, 4, 64, 9, 12, 10), 269891, 0x76274260440f3746ull, 166549, 30026});
  v.push_back({"virt-pipeline", tage(4, 5, 130, 9, 12, 10), 268465, 0x47994c095c63bbc8ull, 156652, 31491});
  v.push_back({"application-core", tage(8, 4, 640, 8, 13, 11), 270597, 0x3f34870e494e629eull, 182696, 29403});
  v.push_back({"m1-like", tage(8, 4, 640, 10, 14, 12), 271058, 0x70596c779cea884bull, 184731, 28942});
  v.push_back({"one table", tage(1, 4, 37, 4, 4, 4), 233427, 0xc88f40ea194491a4ull, 43377, 53949});
  v.push_back({"sixteen tables, 1024 history", tage(16, 1, 1024, 16, 6, 5), 263913, 0x0e50e3e50b2720ccull, 195102, 36087});
  v.push_back({"odd sizes", tage(5, 3, 301, 7, 9, 7), 263625, 0x0811d03bbdc2d908ull, 139465, 36258});
  BranchPredictorConfig lists = tage(3, 0, 0, 0, 11, 9);
  lists.histories = {3, 17, 200};
  lists.tag_widths = {5, 16, 11};
  v.push_back({"explicit lengths and widths", lists, 266597, 0x7f4567147c308a96ull, 108029, 33386});
  BranchPredictorConfig wide = tage(6, 2, 900, 13, 20, 20);
  wide.tag_widths = {4, 16, 9, 12, 15, 6};
  v.push_back({"20-bit tables, mixed tags", wide, 270233, 0xdb2c1c3283c784bcull, 216794, 29767});
  // length % w == 1 + length % (w - 1) in every table: the outgoing bit's two
  // places in the tag coincide.
  BranchPredictorConfig shared = tage(5, 0, 0, 0, 10, 8);
  shared.histories = {17, 53, 150, 233, 310};
  shared.tag_widths = {5, 8, 13, 16, 13};
  v.push_back({"tag folds sharing the outgoing bit", shared, 259042, 0x855245a660b1cfc5ull, 46846, 40958});
  return v;
}

TEST(Tage, PredictionsMatchTheRecordedSequence) {
  for (const Expect& e : tage_cases()) {
    SCOPED_TRACE(e.what);
    const Outcome o = run(e.cfg, kBranchCount, false);
    ASSERT_EQ(o.extra.size(), 2u);
    EXPECT_EQ(o.extra[0].first, "tage.provider_hits");
    EXPECT_EQ(o.extra[1].first, "tage.allocations");
    EXPECT_EQ(o.correct, e.correct);
    EXPECT_EQ(o.hash, e.hash);
    EXPECT_EQ(o.extra[0].second, e.provider_hits);
    EXPECT_EQ(o.extra[1].second, e.allocations);
  }
}

// 5,000 static branches: the tagged tables fill up and alias, so the exact
// index and tag hashes (not only the prediction logic) decide the predictions.
TEST(Tage, ManyBranchesMatchTheRecordedSequence) {
  const uint64_t expect[][4] = {
      {246583, 0x0fa1fdca3942c576ull, 57119, 53355},  // defaults (rvsim API)
      {245979, 0x9f10f378a69afff6ull, 44458, 53993},  // virt-pipeline
      {251327, 0x713a0bd0b05aa0b8ull, 91576, 48673},  // application-core
      {255716, 0x1e41749293232c23ull, 115995, 44284},  // m1-like
      {237077, 0x766e0e0c63b61892ull, 41218, 51146},  // one table
      {238816, 0x9dcb12f8e2a473fdull, 23592, 61183},  // sixteen tables, 1024 history
      {238915, 0x355afb0987525f6eull, 25234, 60962},  // odd sizes
      {242295, 0xe557ee428284dd20ull, 50183, 57666},  // explicit lengths and widths
      {262283, 0x27c884ffc4e051c6ull, 187218, 37717},  // 20-bit tables, mixed tags
      {239168, 0x59e5e8ab70449493ull, 13033, 60832},  // tag folds sharing the outgoing bit
  };
  const std::vector<Expect> cases = tage_cases();
  ASSERT_EQ(cases.size(), std::size(expect));
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].what);
    const Outcome o = run(cases[i].cfg, kBranchCount, false, 3, 5000);
    EXPECT_EQ(o.correct, expect[i][0]);
    EXPECT_EQ(o.hash, expect[i][1]);
    EXPECT_EQ(o.extra[0].second, expect[i][2]);
    EXPECT_EQ(o.extra[1].second, expect[i][3]);
  }
}

TEST(Tage, PredictAndUpdateCallsMatchPredictUpdate) {
  for (const Expect& e : tage_cases()) {
    SCOPED_TRACE(e.what);
    const Outcome a = run(e.cfg, 50000, false, 7), b = run(e.cfg, 50000, true, 7);
    EXPECT_EQ(a.correct, b.correct);
    EXPECT_EQ(a.hash, b.hash);
    EXPECT_EQ(a.extra, b.extra);
  }
}

TEST(BranchPredictors, EveryTypeMatchesTheRecordedSequence) {
  struct Case {
    const char* type;
    uint64_t correct, hash;
  };
  const Case cases[] = {{"static", 56920, 0x4fa0ef91d99420a5ull},     {"btfn", 262082, 0xb281b52636f13df1ull},
                        {"bimodal", 257561, 0x25a8a246133648beull},    {"gshare", 251088, 0x63b4caf2e318cf9bull},
                        {"tournament", 273047, 0x110042ef9b994316ull}, {"perceptron", 267566, 0xacafa88363a91da3ull}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type);
    BranchPredictorConfig cfg;
    cfg.type = c.type;
    const Outcome o = run(cfg, kBranchCount, false);
    EXPECT_EQ(o.correct, c.correct);
    EXPECT_EQ(o.hash, c.hash);
  }
}

// A TAGE shape it cannot build is refused, naming the parameter (the checks the
// template rewrite carried over from the original constructor).
TEST(BranchPredictors, TageRefusesImpossibleShapes) {
  struct Bad {
    const char* what;
    void (*set)(BranchPredictorConfig&);
  };
  const Bad bad[] = {
      {"tables must be between 1 and 16", [](BranchPredictorConfig& c) { c.tables = 0; }},
      {"tables must be between 1 and 16", [](BranchPredictorConfig& c) { c.tables = 17; }},
      {"tagged_table_bits must be between 4 and 20", [](BranchPredictorConfig& c) { c.tagged_table_bits = 21; }},
      {"histories must list one length per table", [](BranchPredictorConfig& c) { c.histories = {8, 16}; }},
      {"tag_widths must list one width per table", [](BranchPredictorConfig& c) { c.tag_widths = {9}; }},
      {"history lengths must be between 1 and 1024", [](BranchPredictorConfig& c) { c.max_history = 2000; }},
      {"tag widths must be between 4 and 16", [](BranchPredictorConfig& c) { c.tag_widths = {9, 9, 9, 17}; }},
      {"history lengths must increase", [](BranchPredictorConfig& c) { c.histories = {8, 16, 16, 32}; }},
  };
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.what);
    BranchPredictorConfig cfg;
    cfg.type = "tage";
    b.set(cfg);
    try {
      make_branch_predictor(cfg);
      ADD_FAILURE() << "accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(b.what), std::string::npos) << e.what();
    }
  }
}

// The BTB as specified: set-associative, indexed by pc >> 1, true LRU (the
// first least recently used way is the victim).
class ReferenceBtb {
 public:
  ReferenceBtb(unsigned entries, unsigned assoc) : sets_(entries / assoc), assoc_(assoc), e_(entries) {}
  bool lookup(uint64_t pc, uint64_t& target) {
    Way* s = set(pc);
    for (unsigned w = 0; w < assoc_; ++w)
      if (s[w].pc == pc) {
        s[w].stamp = ++clock_;
        target = s[w].target;
        return true;
      }
    return false;
  }
  void update(uint64_t pc, uint64_t target) {
    Way* s = set(pc);
    Way* v = &s[0];
    for (unsigned w = 0; w < assoc_; ++w) {
      if (s[w].pc == pc) {
        v = &s[w];
        break;
      }
      if (s[w].stamp < v->stamp) v = &s[w];
    }
    *v = {pc, target, ++clock_};
  }

 private:
  struct Way { uint64_t pc = ~0ull, target = 0, stamp = 0; };
  Way* set(uint64_t pc) { return &e_[((pc >> 1) & (sets_ - 1)) * assoc_]; }
  unsigned sets_, assoc_;
  std::vector<Way> e_;
  uint64_t clock_ = 0;
};

// lookup(), update() and the fused lookup_update() (the branch unit's taken
// branch) give what the reference gives, on a pc stream that conflicts in
// the sets and in the BTB's per-pc hints.
TEST(Btb, MatchesTheReferenceLru) {
  struct Shape { unsigned entries, assoc, pcs; };
  for (const Shape& sh : {Shape{512, 4, 3000}, Shape{28, 28, 60}, Shape{16, 1, 40}, Shape{64, 8, 5000}}) {
    SCOPED_TRACE(sh.entries);
    Btb btb(sh.entries, sh.assoc);
    ReferenceBtb ref(sh.entries, sh.assoc);
    uint64_t seed = sh.entries;
    unsigned hits = 0;
    for (unsigned i = 0; i < 200000; ++i) {
      const uint64_t r = splitmix(seed);
      const uint64_t pc = 0x80000000ull + 2 * (r % sh.pcs);
      const uint64_t target = 0x1000 + 4 * ((r >> 20) % 3);  // a pc's target changes now and then
      uint64_t t = 0, u = 0;
      switch ((r >> 40) % 4) {
        case 0: {  // lookup only (a jal that hits)
          const bool a = btb.lookup(pc, t), b = ref.lookup(pc, u);
          ASSERT_EQ(a, b) << i;
          if (a) {
            ASSERT_EQ(t, u) << i;
          }
          break;
        }
        case 1:  // update only (a mispredicted taken branch)
          btb.update(pc, target);
          ref.update(pc, target);
          break;
        case 2: {  // lookup then update (an indirect jump)
          const bool a = btb.lookup(pc, t);
          btb.update(pc, target);
          const bool b = ref.lookup(pc, u);
          ref.update(pc, target);
          ASSERT_EQ(a, b) << i;
          if (a) {
            ASSERT_EQ(t, u) << i;
          }
          break;
        }
        default: {  // a taken branch predicted taken
          const bool a = btb.lookup_update(pc, target);
          const bool b = ref.lookup(pc, u) && u == target;
          ref.update(pc, target);
          ASSERT_EQ(a, b) << i;
          hits += a;
        }
      }
    }
    EXPECT_GT(hits, 100u);  // the fused hit path ran
  }
}

// The return-address stack (which wraps without a division) behaves as a modulo
// ring that forgets its oldest entry.
TEST(ReturnStack, MatchesAModuloRing) {
  for (unsigned n : {1u, 3u, 8u}) {
    SCOPED_TRACE(n);
    ReturnStack ras(n);
    std::vector<uint64_t> ring(n);
    size_t top = 0, depth = 0;
    uint64_t seed = n;
    for (unsigned i = 0; i < 20000; ++i) {
      const uint64_t r = splitmix(seed);
      if (r % 5 < 3) {
        ras.push(r);
        top = (top + 1) % n;
        ring[top] = r;
        depth = std::min<size_t>(depth + 1, n);
      } else {
        uint64_t a = 0;
        const bool ok = ras.pop(a);
        ASSERT_EQ(ok, depth > 0) << i;
        if (ok) {
          ASSERT_EQ(a, ring[top]) << i;
          top = (top + n - 1) % n;
          --depth;
        }
      }
    }
  }
}

}  // namespace
}  // namespace vp::cpu
