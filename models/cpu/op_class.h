#pragma once
// Timing classes of the RV64GC instructions for the pipeline backends: which
// registers an instruction reads and writes, its functional unit, latency and
// whether it occupies the unit (iterative) or is pipelined, its memory access
// and how it serializes the pipeline. Built once per pipeline from the
// configured latencies. Pure C++.
#include <cstdint>
#include <vector>

#include "models/cpu/decoder.h"

namespace vp::cpu {

struct PipelineConfig;

enum class OpClass : uint8_t {
  kAlu, kMul, kDiv, kLoad, kStore, kAmo, kLr, kSc, kBranch, kJal, kJalr, kFpAdd, kFpMul, kFpFma, kFpDiv, kFpSqrt,
  kFpCvt, kFpMove, kFpLoad, kFpStore, kCsr, kFence, kFenceI, kSfence, kXret, kWfi, kSystem
};

// Functional units of the out-of-order backend (branches and CSRs use an ALU).
enum class Fu : uint8_t { kAlu, kMul, kDiv, kFp, kFdiv, kLoad, kStore, kCount };
constexpr unsigned kFuCount = static_cast<unsigned>(Fu::kCount);
const char* fu_name(Fu f);

// Instruction-mix groups (the mix.* statistics).
enum class Mix : uint8_t {
  kAlu, kMul, kDiv, kLoad, kStore, kAmo, kBranch, kJump, kFp, kFpLoad, kFpStore, kCsr, kSystem, kCount
};
constexpr unsigned kMixCount = static_cast<unsigned>(Mix::kCount);
const char* mix_name(Mix m);

// Serialization (gem5 O3 terms): a non-speculative instruction executes only at
// the head of the ROB; serialize-after keeps younger instructions in rename
// until it commits; squash-after refetches the younger instructions after it
// commits; a memory barrier orders the memory accesses around it.
enum SerializeFlag : uint8_t { kNonSpeculative = 1, kSerializeAfter = 2, kSquashAfter = 4, kMemBarrier = 8 };

// How the backends handle an instruction beyond its operands and latency.
enum class Kind : uint8_t { kPlain, kMemory, kControl, kOther /* serializing, or an iterative unit */ };

struct OpInfo {
  OpClass cls = OpClass::kAlu;
  Fu fu = Fu::kAlu;
  Mix mix = Mix::kAlu;
  Kind kind = Kind::kPlain;
  uint8_t latency = 1;
  uint8_t size = 0;       // memory access bytes
  uint8_t serialize = 0;  // SerializeFlag bits
  bool busy = false;      // occupies its unit for `latency` cycles (not pipelined)
  bool load = false, store = false;  // reads / writes memory
  bool rd = false, rdf = false;      // writes a register (an f register)
  bool known = false;     // operand layout filled in (from the first Insn seen)
  // Register-file slots without branches: source k is slot sbase[k] + (rs & smask[k])
  // (a missing source reads slot 0, x0, always ready); the destination is slot
  // dbase + (rd & dmask) (none: the unread slot 64; x0 writes slot 0, which the
  // backends reset to "ready").
  uint8_t sbase[3] = {}, smask[3] = {}, dbase = 64, dmask = 0;
  unsigned src(unsigned k, unsigned r) const { return sbase[k] + (r & smask[k]); }
  unsigned dst(unsigned r) const { return dbase + (r & dmask); }
};

// One instruction of a decoded block as the timing models see it, computed
// once per block (the core keeps these with the block) instead of per
// executed instruction: the op's entry and the instruction's register-file
// slots (OpInfo::src/dst applied to its register fields), and whether it has
// a data address (loads, stores, LR/SC, AMOs, FP loads/stores: see MemSlot).
// The op's kind, mix group and latency are copied here for the in-order fast
// paths (one load fewer per instruction).
enum MemSlot : uint8_t {
  kNoAddress = 0,
  kAddress,    // AMO, SC: read and write, or a result from the store
  kLoadOnly,   // loads, FP loads, LR
  kStoreOnly,  // stores, FP stores
};
// OpSlots::flags.
enum SlotFlag : uint8_t {
  // Not the block's first instruction, in the fetch line of the previous one,
  // which cannot redirect fetch (plain or a load/store): the pc is the
  // expected one and the fetch line is current when this one retires.
  kSameLine = 1,
  // The core may run it in a batch (exec_block): plain, or a load/store through
  // the core's RAM fast path (checked when it runs). A branch or jump ending the
  // block joins the batch through the block's plan (BlockPlan::control).
  kBatch = 2,
};
struct OpSlots {
  const OpInfo* op;
  uint8_t src[3], dst;
  uint8_t mem;  // MemSlot
  Kind kind;
  Mix mix;
  uint8_t latency;
  uint8_t flags;  // SlotFlag bits
};

// The in-order backend's static schedule of a block (InOrderBackend::plan):
// the timing its instructions get one at a time when the block starts
// unstalled (or right when fetch restarts after a redirect), every source
// from before the block is ready when first read, and every I-cache line
// fetch and L1D access hits with the configured latency without a TLB stall:
// its stalls are then only on operands and on the memory stage while an
// earlier load/store of the block holds it (an L1D hit latency over 1).
// Cycles are relative to the cycle C before the block's first EX cycle (the
// EX cycle of the instruction before it; after a redirect, the cycle before
// the refilled pipeline's first EX). Made with the block's OpSlots.
struct BlockPlan {
  static constexpr uint16_t kNoMem = 0xffff;
  bool ok = false;    // the block has one
  // The last instruction covered is the block's ending branch or jump:
  // resolved after the others, as planned for its EX cycle.
  bool control = false;
  OpClass control_cls = OpClass::kBranch;  // control: its class
  uint8_t count = 0;  // instructions covered: the block's first
  // All of it as planned: the last instruction's EX cycle, mem_free_ after
  // it, and the pc after it (control: the branch's own pc), relative to the
  // block's.
  uint16_t e = 0, mem_free = kNoMem;
  uint16_t control_prev_e = 0;  // control: the EX cycle of the instruction before it (0: none)
  // A conditional branch: its target and fall-through pc, relative to the block's.
  int32_t control_target = 0;
  uint32_t control_fallthrough = 0;
  uint32_t end_pc = 0;
  // All of it as planned: its counts (instructions, mix, stalls), an entry of
  // the backend's table, which counts the runs and adds the counts up when
  // statistics are read (InOrderBackend::fold_counts()).
  uint32_t counts = 0;
  // Per instruction, for a plan cut short (stalls cumulative).
  struct Step {
    uint16_t e;         // EX cycle
    uint16_t ready;     // result ready (ready_ of its destination)
    uint16_t mem_free;  // mem_free_ after it (kNoMem: no load/store yet)
    bool load;          // from_load_ of its destination
    uint32_t stall_data, stall_load_use, stall_dcache;  // stalls so far (cumulative)
    uint32_t next_pc;   // pc after it, relative to the block's
  };
  std::vector<Step> steps;
  struct Guard { uint8_t slot; uint16_t base; };  // ready_[slot] <= C + base
  std::vector<Guard> guards;
  uint16_t guard_min = 0xffff;  // the smallest guard base (none: 0xffff)
  // All of it as planned: the last result each register slot gets (not x0 or
  // the unread slot 64) and whether it is a load's.
  struct Write { uint8_t slot; bool load; uint16_t ready; };
  std::vector<Write> writes;
  uint16_t write_max = 0;  // the latest Write::ready
  // The first late_writes of writes are ready after e + 1, the others by then:
  // a result ready by the EX cycle after the block's last one acts as any
  // other such one (always ready to the next instruction, never the last
  // operand of a stall), so those may be left out when no register is ready
  // later than that either (InOrderBackend::ready_max_).
  uint8_t late_writes = 0;
  // In order: instruction i starts a fetch line, fetched at C + at (ready
  // C + at + the I-cache hit latency); or a load/store with EX at C + at.
  // pc: instruction i's, relative to the block's.
  enum What : uint8_t { kFetch, kLoad, kStore };
  struct Event { uint8_t i; What what; uint16_t at; uint32_t pc; };
  std::vector<Event> events;
};

class OpTable {
 public:
  explicit OpTable(const PipelineConfig& cfg);
  // Distinct for every OpTable made in this process (never 0): the core keeps
  // a block's OpSlots with the id of the table they point into.
  uint64_t id() const { return id_; }
  OpSlots slots(const Insn& in) {
    const OpInfo& o = get(in);
    return OpSlots{&o, {static_cast<uint8_t>(o.src(0, in.rs1)), static_cast<uint8_t>(o.src(1, in.rs2)),
                        static_cast<uint8_t>(o.src(2, in.rs3))},
                   static_cast<uint8_t>(o.dst(in.rd)), kNoAddress, o.kind, o.mix, o.latency, 0};
  }
  // The class is per op; the operand layout comes from the decoder's entry
  // (Insn::info), taken from the first instruction of each op.
  const OpInfo& get(const Insn& in) {
    OpInfo& o = ops_[static_cast<unsigned>(in.op)];
    if (__builtin_expect(!o.known, 0)) fill_operands(in, o);
    return o;
  }

 private:
  static void fill_operands(const Insn& in, OpInfo& o);
  uint64_t id_;
  OpInfo ops_[static_cast<unsigned>(Op::kCount)];
};

// Register-file slots of the backends: x0-x31, f0-f31, and an unread sink (64).
constexpr unsigned kRegSlots = 65;

}  // namespace vp::cpu
