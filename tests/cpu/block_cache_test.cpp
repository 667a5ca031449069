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

// How a core runs its blocks in these tests: the interpreter; translated code (every
// block translated on its first run); the translator's dispatcher interpreting blocks
// not translated yet (cold code: CoreConfig::translate_after never reached).
enum class Engine { kInterpreter, kTranslator, kDispatcher };
CoreConfig engine_config(Engine e) {
  CoreConfig cfg;
  cfg.translate = e != Engine::kInterpreter;
  cfg.translate_after = e == Engine::kDispatcher ? 1u << 30 : 1;
  return cfg;
}
std::string engine_name(const ::testing::TestParamInfo<Engine>& info) {
  switch (info.param) {
    case Engine::kInterpreter: return "interpreted";
    case Engine::kTranslator: return "translated";
    default: return "dispatched";
  }
}
const auto kEngines = ::testing::Values(Engine::kInterpreter, Engine::kTranslator, Engine::kDispatcher);

// 0x00: li a0,1 ; j 0x10 ... 0x10: fence.i ; j 0x00. Block A (li, j) runs, then its
// first instruction is rewritten behind the core's back (another hart, a DMA
// transfer: no store by this core), then this core runs fence.i and A again: it must
// see the new instruction, with and without translation, also when A was linked to
// (a translated jump or a successor link of the block before it).
class FenceI : public ::testing::TestWithParam<Engine> {
 protected:
  CoreConfig config() const { return engine_config(GetParam()); }
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

INSTANTIATE_TEST_SUITE_P(Core, FenceI, kEngines, engine_name);

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

// The run loops find the next block through the last block's successor links
// (Core::successor) instead of the block table. A link must not outlive what the
// lookup it replaces depends on: the fetch translation (sfence.vma, satp), and the
// block (code stored by this core).
class SuccessorLinks : public ::testing::TestWithParam<Engine> {
 protected:
  static constexpr uint64_t kRoot1 = 0x80010000, kRoot2 = 0x80013000;
  static constexpr uint64_t kCode1 = 0x80020000, kCode2 = 0x80021000;  // li a0,1 / li a0,2 ; ret
  static constexpr uint64_t kVa = 0x40000000;
  static uint64_t satp(uint64_t root) { return 8ull << 60 | root >> 12; }
  static uint64_t leaf_pte(uint64_t pa) { return pa >> 12 << 10 | 0x4b; }  // V R X A
  void set_pte(test::FlatMachine& m, uint64_t pa, uint64_t pte) { m.load(pa, &pte, 8); }
  // Sv39: a gigapage maps 0x80000000 onto itself; page kVa maps to `code` through
  // tables at root + 0x1000 and root + 0x2000.
  void map(test::FlatMachine& m, uint64_t root, uint64_t code) {
    set_pte(m, root + 2 * 8, 0x80000ull << 10 | 0xcf);
    set_pte(m, root + 1 * 8, (root + 0x1000) >> 12 << 10 | 1);
    set_pte(m, root + 0x1000, (root + 0x2000) >> 12 << 10 | 1);
    set_pte(m, root + 0x2000, leaf_pte(code));
  }
};

// 0x00: lui t0,0x40000 ; jalr t0 (calls kVa) ; bnez a1,0x10 ; j 0x00
// 0x10: csrw satp,a2 ; beqz a3,0x1c ; sfence.vma ; 0x1c: li a1,0 ; j 0x00
// In S-mode; each lap calls kVa (li a0,N ; ret). With a1 set, one lap writes satp
// (a2) and, with a3 set, runs sfence.vma.
TEST_P(SuccessorLinks, FollowTheFetchTranslation) {
  CoreConfig cfg = engine_config(GetParam());
  cfg.pmp_entries = 0;  // S-mode may reach all memory
  test::FlatMachine m(1u << 20, cfg);
  m.load_words(0x80000000, {0x400002b7, 0x000280e7, 0x00059463, 0xff5ff06f, 0x18061073, 0x00068463, 0x12000073,
                            0x00000593, 0xfe1ff06f});
  m.load_words(kCode1, {0x00100513, 0x00008067});
  m.load_words(kCode2, {0x00200513, 0x00008067});
  map(m, kRoot1, kCode1);
  map(m, kRoot2, kCode2);
  Core& c = m.core();
  c.set_priv(Priv::S);
  ASSERT_TRUE(c.poke_csr(0x180, satp(kRoot1)));
  uint64_t done = 0;
  // The lap that writes satp (and runs sfence.vma), back at 0x00.
  auto change = [&](uint64_t new_satp, bool sfence) {
    c.set_reg(11, 1);
    c.set_reg(12, new_satp);
    c.set_reg(13, sfence);
    c.run(sfence ? 10 : 9, done);
    EXPECT_EQ(c.pc(), 0x80000000u);
  };
  // k laps; returns what the last call of kVa set a0 to.
  auto laps = [&](unsigned k) {
    c.set_reg(10, 0);
    c.run(6 * k, done);
    EXPECT_EQ(c.pc(), 0x80000000u);
    return c.reg(10);
  };
  EXPECT_EQ(laps(40), 1u) << "every block linked (and hot)";
  // The page table now maps kVa to the other code; sfence.vma makes it seen.
  set_pte(m, kRoot1 + 0x2000, leaf_pte(kCode2));
  change(satp(kRoot1), true);
  EXPECT_EQ(laps(1), 2u) << "after sfence.vma";
  EXPECT_EQ(laps(40), 2u);
  set_pte(m, kRoot1 + 0x2000, leaf_pte(kCode1));
  change(satp(kRoot1), true);
  EXPECT_EQ(laps(1), 1u) << "after sfence.vma, mapped back";
  EXPECT_EQ(laps(40), 1u);
  // Another address space (vp keeps the TLB of each satp value: no sfence.vma needed).
  change(satp(kRoot2), false);
  EXPECT_EQ(laps(1), 2u) << "satp: the second table";
  EXPECT_EQ(laps(40), 2u);
  change(satp(kRoot1), false);
  EXPECT_EQ(laps(1), 1u) << "satp: back to the first (its TLB entries come back)";
  EXPECT_EQ(laps(40), 1u);
}

// Page walks keep the verdict on each level's table page (PMP lets S-mode read all
// of it, it is RAM); a PMP change must void it: PMP now denies reading the last-level
// table, so the next fetch of kVa (the change flushed the TLB) faults.
TEST_P(SuccessorLinks, PageWalksFollowPmpChanges) {
  test::FlatMachine m(1u << 20, engine_config(GetParam()));
  m.load_words(0x80000000, {0x400002b7, 0x000280e7, 0x00059463, 0xff5ff06f});
  m.load_words(kCode1, {0x00100513, 0x00008067});
  map(m, kRoot1, kCode1);
  Core& c = m.core();
  constexpr uint64_t kAll = (1ull << 54) - 1;  // NAPOT: all of memory
  ASSERT_TRUE(c.poke_csr(0x3b0, kAll));        // pmpaddr0
  ASSERT_TRUE(c.poke_csr(0x3a0, 0x1f));        // pmpcfg0: NAPOT RWX
  c.set_priv(Priv::S);
  ASSERT_TRUE(c.poke_csr(0x180, satp(kRoot1)));
  uint64_t done = 0;
  c.run(6 * 40, done);
  EXPECT_EQ(c.reg(10), 1u);
  ASSERT_EQ(c.pc(), 0x80000000u);
  ASSERT_TRUE(c.poke_csr(0x3b0, (kRoot1 + 0x2000) >> 2 | 0x1ff));  // entry 0: the table's 4 KiB, no access
  ASSERT_TRUE(c.poke_csr(0x3b1, kAll));                            // entry 1: the rest, RWX
  ASSERT_TRUE(c.poke_csr(0x3a0, 0x1f18));
  c.run(3, done);  // lui, jalr, the fetch at kVa
  EXPECT_EQ(c.priv(), Priv::M);
  uint64_t cause = 0, tval = 0;
  ASSERT_TRUE(c.peek_csr(0x342, cause));
  ASSERT_TRUE(c.peek_csr(0x343, tval));
  EXPECT_EQ(cause, kInsnAccessFault) << "the walk's PTE read is denied";
  EXPECT_EQ(tval, kVa);
}

// 0x00: jal 0x20 ; beqz a1,0x00 ; sw a3,0(a2) ; li a1,0 ; j 0x00 ... 0x20: li a0,1 ; ret.
// With a1 set, one lap stores a3 over the first instruction at 0x20 (this core's
// store: the block there is dropped at once, fence.i or not).
TEST_P(SuccessorLinks, DieWithCodeThisCoreStores) {
  test::FlatMachine m(1u << 20, engine_config(GetParam()));
  m.load_words(0x80000000, {0x020000ef, 0xfe058ee3, 0x00d62023, 0x00000593, 0xff1ff06f, 0, 0, 0,
                            0x00100513, 0x00008067});
  Core& c = m.core();
  c.set_reg(12, 0x80000020);
  uint64_t done = 0;
  c.run(4 * 40, done);  // jal, li, ret, beqz
  EXPECT_EQ(c.reg(10), 1u);
  EXPECT_EQ(c.pc(), 0x80000000u);
  for (uint32_t v = 2; v < 6; ++v) {
    c.set_reg(11, 1);
    c.set_reg(13, 0x00000513 | v << 20);  // li a0,v
    c.run(4 + 3 + 4 * 40, done);          // the lap that stores, then 40 more
    EXPECT_EQ(c.reg(10), v);
    EXPECT_EQ(c.pc(), 0x80000000u);
  }
}

INSTANTIATE_TEST_SUITE_P(Core, SuccessorLinks, kEngines, engine_name);

}  // namespace
}  // namespace vp::cpu
