#pragma once
// Internals shared by the core's translation units (not part of the API).
#include <cstring>
#include <memory>
#include <vector>

#include "models/cpu/core.h"
#include "models/cpu/op_class.h"

namespace vp::cpu {

struct TransBlock;

// A block's instructions: an array stored right after the Block (Core::new_block),
// with the read-only part of std::vector's interface.
class BlockInsns {
 public:
  BlockInsns() = default;
  BlockInsns(Insn* p, uint32_t n) : p_(p), n_(n) {}
  size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  Insn* data() { return p_; }
  const Insn* data() const { return p_; }
  Insn& operator[](size_t i) { return p_[i]; }
  const Insn& operator[](size_t i) const { return p_[i]; }
  Insn* begin() { return p_; }
  Insn* end() { return p_ + n_; }
  const Insn* begin() const { return p_; }
  const Insn* end() const { return p_ + n_; }

 private:
  Insn* p_ = nullptr;
  uint32_t n_ = 0;
};

// Pipeline mode: the timing model's per-instruction records (one per insn), made on
// the block's first timed run; valid while slots_id equals the pipeline's
// Pipeline::slots_id() (0: none yet).
struct BlockTiming {
  std::vector<OpSlots> slots;
  uint64_t slots_id = 0;
  BlockPlan plan;  // the in-order backend's schedule, made with slots
};

// A pre-decoded run of straight-line instructions starting at a physical pc.
// The fields the run loops read for every block come first (one host cache line
// for most blocks); the timing model's records live elsewhere: a boot decodes
// tens of thousands of blocks per hart that run a few times each, and their
// headers' size is most of the memory they take.
struct Block {
  uint64_t ppc = 0;    // physical address of the first instruction
  // Core::code_epoch_ when the instructions were last read from memory: a block from
  // before the latest fence.i is compared with memory before it runs again.
  uint64_t epoch = 0;
  BlockInsns insns;
  TransBlock* tb = nullptr;  // the translator's translations of this block (a list)
  uint32_t runs = 0;         // times the translator's dispatcher interpreted it
  bool cacheable = true;
  bool in_arena = false;  // memory from Core's block arena (else operator new)
  uint8_t link_rr = 0;
  uint64_t pend = 0;   // physical end (exclusive) within the first page
  Block* page_next = nullptr;  // the next cached block of the same code page
  // The blocks that ran after this one (at most two: a branch's two exits), so that the
  // run loops find the next block without a lookup (Core::successor). `gen` is
  // Core::block_gen_ when the links were made: later, `next` may have been freed.
  // `checked`: Core::link_gen() when the link was last found valid (0: never).
  uint64_t gen = 0;
  struct Link { uint64_t vpc = ~0ull; uint64_t checked = 0; Block* next = nullptr; };
  Link link[2];
  std::unique_ptr<BlockTiming> timing;  // pipeline mode
};

constexpr unsigned kMaxBlockInsns = 128;

// mstatus fields (priv. spec 3.1.6).
namespace mst {
constexpr uint64_t SIE = 1ull << 1, MIE = 1ull << 3, SPIE = 1ull << 5, UBE = 1ull << 6,
                   MPIE = 1ull << 7, SPP = 1ull << 8, VS = 3ull << 9, MPP = 3ull << 11,
                   FS = 3ull << 13, XS = 3ull << 15, MPRV = 1ull << 17, SUM = 1ull << 18,
                   MXR = 1ull << 19, TVM = 1ull << 20, TW = 1ull << 21, TSR = 1ull << 22,
                   UXL = 3ull << 32, SXL = 3ull << 34, SD = 1ull << 63;
constexpr unsigned MPP_SHIFT = 11, FS_SHIFT = 13;
constexpr uint64_t SSTATUS_MASK = SIE | SPIE | UBE | SPP | VS | FS | XS | SUM | MXR | UXL | SD;
}  // namespace mst

// Whether the instruction writes its rd (an x or f register by kRdIsFloat).
inline bool writes_rd(const Insn& in) {
  switch (in.info->fmt) {
    case Fmt::kR: case Fmt::kI: case Fmt::kShift: case Fmt::kLoad: case Fmt::kU: case Fmt::kJ:
    case Fmt::kJalr: case Fmt::kCsr: case Fmt::kCsrI: case Fmt::kAmo: case Fmt::kLr:
    case Fmt::kFR: case Fmt::kFR1: case Fmt::kFR4: case Fmt::kFLoad: case Fmt::kUnary:
      return true;
    default:
      return false;
  }
}

inline int64_t sext32(uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

// The link of prev (0 or 1) to the block lookup_block() would return now if prev ran
// before it last time at this pc: the pc's fetch TLB entry still maps it to the block's
// physical pc (lookup_block would take that entry), no block has left the cache since
// the link was made (so it is still the cached block there), and it was read since the
// latest fence.i (else lookup_block compares it with memory). -1: ask lookup_block.
inline int Core::valid_link(const Block* prev) const {
  if (prev->gen != block_gen_) return -1;
  for (int i = 0; i < 2; ++i) {
    const Block::Link& l = prev->link[i];
    if (l.vpc != pc_) continue;
    const uint64_t vpn = pc_ >> 12;
    const TlbEntry& e = tlb_[2][vpn & (kTlbSize - 1)];
    const Block* const b = l.next;
    if (e.tag == vpn && (e.ppage | (pc_ & 0xfff)) == b->ppc && b->epoch == code_epoch_) return i;
  }
  return -1;
}

inline Block* Core::linked_block(const Block* prev) const {
  const int i = valid_link(prev);
  return i < 0 ? nullptr : prev->link[i].next;
}

// linked_block(), without checking a link again that was found valid when nothing
// valid_link() depends on has changed since (link_gen()): the run loops' common case.
// (The translator's dispatcher, which sees a TLB switch at every privilege change,
// calls linked_block().)
inline Block* Core::successor(Block* prev) {
  const uint64_t g = link_gen();
  for (const Block::Link& l : prev->link)
    if (l.vpc == pc_ && l.checked == g) return l.next;
  const int i = valid_link(prev);
  if (i < 0) return nullptr;
  prev->link[i].checked = g;
  return prev->link[i].next;
}

// b, a cached block, runs after prev (at pc_). A link made before a block left the
// cache is void (valid_link()).
inline void Core::remember_successor(Block* prev, Block* b) {
  if (prev->gen != block_gen_) {
    prev->gen = block_gen_;
    prev->link[0].vpc = prev->link[1].vpc = ~0ull;
  }
  prev->link[prev->link_rr++ & 1] = {pc_, 0, b};
}

}  // namespace vp::cpu
