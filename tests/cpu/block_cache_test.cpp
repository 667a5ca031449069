// The core's block storage: the open-addressed pc table, the block arena, and
// blocks kept across fence.i (compared with memory before they run again).
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <unordered_map>

#include "flat_machine.h"
#include "models/cpu/block_arena.h"
#include "models/cpu/pc_table.h"
#include "models/cpu/translator.h"

namespace vp::cpu {
namespace {

// Random inserts, replacements, erases and clears against std::unordered_map: every
// lookup agrees, through growth, shrinking clears and backward-shift erases of
// colliding keys (pcs 2 bytes apart, pages, and arbitrary keys).
TEST(PcTable, AgreesWithAReferenceMap) {
  PcTable<int> t(6);
  std::unordered_map<uint64_t, int*> ref;
  std::vector<int> values(64);
  std::mt19937_64 rng(7);
  auto key = [&]() -> uint64_t {
    switch (rng() % 3) {
      case 0: return 0x80000000 + 2 * (rng() % 3000);  // dense pcs: long probe runs
      case 1: return rng() % 512;                       // page numbers, including 0
      default: return rng();
    }
  };
  size_t max_capacity = 0;
  for (int step = 0; step < 200000; ++step) {
    const unsigned op = rng() % 100;
    const uint64_t k = key();
    if (op < 55) {
      int* v = &values[rng() % values.size()];
      t.insert(k, v);
      ref[k] = v;
    } else if (op < 90) {
      auto it = ref.find(k);
      int* want = it == ref.end() ? nullptr : it->second;
      ASSERT_EQ(t.erase(k), want) << "step " << step;
      if (it != ref.end()) ref.erase(it);
    } else if (op < 99) {
      auto it = ref.find(k);
      ASSERT_EQ(t.find(k), it == ref.end() ? nullptr : it->second) << "step " << step;
    } else if (rng() % 20 == 0) {
      t.clear();
      ref.clear();
    }
    ASSERT_EQ(t.size(), ref.size());
    max_capacity = std::max(max_capacity, t.capacity());
    if (step % 5000 == 0) {
      for (auto& kv : ref) ASSERT_EQ(t.find(kv.first), kv.second);
      size_t seen = 0;
      t.for_each([&](uint64_t k2, int* v) {
        ++seen;
        ASSERT_EQ(ref.at(k2), v);
      });
      ASSERT_EQ(seen, ref.size());
    }
  }
  EXPECT_GT(max_capacity, size_t{4096}) << "the table grew";
  EXPECT_LE(t.size() * 2, t.capacity()) << "load factor at most 1/2";
}

TEST(PcTable, ClearShrinksATableThatHoldsLittle) {
  PcTable<int> t(6);
  int v = 0;
  for (uint64_t k = 0; k < 20000; ++k) t.insert(k * 2, &v);
  const size_t big = t.capacity();
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.capacity(), big) << "a full table is emptied in place";
  t.insert(1, &v);
  t.clear();
  EXPECT_LT(t.capacity(), big) << "a nearly empty one shrinks";
  EXPECT_EQ(t.find(2), nullptr);
  t.insert(2, &v);
  EXPECT_EQ(t.find(2), &v);
}

TEST(BlockArena, HandsOutAlignedDisjointMemoryAndReusesItAfterReset) {
  BlockArena a;
  std::vector<std::pair<uint8_t*, size_t>> got;
  std::mt19937 rng(3);
  for (int i = 0; i < 5000; ++i) {
    const size_t n = 1 + rng() % 4200;
    auto* p = static_cast<uint8_t*>(a.alloc(n));
    ASSERT_EQ(reinterpret_cast<uintptr_t>(p) % BlockArena::kAlign, 0u);
    std::memset(p, i & 0xff, n);
    got.emplace_back(p, n);
  }
  for (size_t i = 0; i < got.size(); ++i)  // nothing overwrote an earlier allocation
    for (size_t j = 0; j < got[i].second; ++j) ASSERT_EQ(got[i].first[j], i & 0xff);
  std::set<uint8_t*> starts;
  for (auto& g : got) starts.insert(g.first);
  EXPECT_EQ(starts.size(), got.size());
  const size_t reserved = a.reserved();
  uint8_t* const first = got[0].first;
  a.reset();
  EXPECT_EQ(a.used(), 0u);
  EXPECT_EQ(a.alloc(16), first) << "reset starts over in the first chunk";
  for (int i = 1; i < 5000; ++i) a.alloc(got[i].second);
  EXPECT_EQ(a.reserved(), reserved) << "the same allocations fit in the chunks already held";
}

constexpr uint32_t kLiA0_1 = 0x00100513;  // addi a0,zero,1
constexpr uint32_t kLiA0_7 = 0x00700513;  // addi a0,zero,7
constexpr uint32_t kJPlus12 = 0x00c0006f; // j .+12
constexpr uint32_t kFenceI = 0x0000100f;
constexpr uint32_t kJMinus20 = 0xfedff06f;  // j .-20

// 0x00: li a0,1 ; j 0x10 ... 0x10: fence.i ; j 0x00. Block A (li, j) runs, then its
// first instruction is rewritten behind the core's back (another hart, a DMA
// transfer: no store by this core), then this core runs fence.i and A again: it must
// see the new instruction, with and without translation, also when A was linked to.
class FenceI : public ::testing::TestWithParam<bool> {
 protected:
  CoreConfig config() const {
    CoreConfig cfg;
    cfg.translate = GetParam();
    cfg.translate_after = 1;
    return cfg;
  }
  void load(test::FlatMachine& m) {
    m.load_words(0x80000000, {kLiA0_1, kJPlus12, 0, 0, kFenceI, kJMinus20});
  }
};

TEST_P(FenceI, SeesCodeWrittenBehindTheCore) {
  test::FlatMachine m(1u << 20, config());
  load(m);
  uint64_t done = 0;
  m.core().run(2 + 4 * 10, done);  // li, j, then 10 rounds of fence.i, j, li, j: A is hot and linked
  EXPECT_EQ(m.core().reg(10), 1u);
  EXPECT_EQ(m.core().pc(), 0x80000010u);
  m.load_words(0x80000000, {kLiA0_7});  // not seen by the core
  m.core().run(4, done);                // fence.i, j, li, j (all of A: translated code may run it)
  EXPECT_EQ(m.core().reg(10), 7u);
  EXPECT_EQ(m.core().instret(), 46u);
}

TEST_P(FenceI, KeepsBlocksWhoseBytesAreUnchanged) {
  test::FlatMachine m(1u << 20, config());
  load(m);
  uint64_t done = 0;
  m.core().run(6, done);  // li, j, fence.i, j, li, j
  const uint64_t built = m.core().blocks_built();
  EXPECT_EQ(built, 3u) << "li+j, fence.i, j";
  m.core().run(400, done);  // 100 more fence.i
  EXPECT_EQ(m.core().blocks_built(), built) << "no block was built again";
  EXPECT_EQ(m.core().reg(10), 1u);
  EXPECT_EQ(m.core().instret(), 406u);
}

INSTANTIATE_TEST_SUITE_P(Core, FenceI, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "translated" : "interpreted"; });

// A loop that stores into its own block every iteration (the same word: the block
// is dropped and built again each time) for long enough that the dropped blocks
// fill the arena's dead limit several times over: all blocks are flushed then and
// the arena reused, and the loop still counts right.
TEST_P(FenceI, CodeRewrittenWithoutFenceReusesTheArena) {
  test::FlatMachine m(1u << 20, config());
  m.load_words(0x80000000, {
      0x00150513,  // addi a0,a0,1
      0x00b62023,  // sw a1,0(a2): rewrites the addi with itself
      0xfed51ce3,  // bne a0,a3,-8
      0x0000006f,  // j .
  });
  const uint64_t rounds = 700000;  // > 3 x 64 MiB / (block + 3 instructions)
  m.core().set_reg(11, 0x00150513);
  m.core().set_reg(12, 0x80000000);
  m.core().set_reg(13, rounds);
  uint64_t done = 0;
  m.core().run(3 * rounds + 1, done);
  EXPECT_EQ(m.core().reg(10), rounds);
  EXPECT_EQ(m.core().pc(), 0x8000000cu);
  EXPECT_GE(m.core().blocks_built(), rounds);
}

}  // namespace
}  // namespace vp::cpu
