#pragma once
// Timing classes of the RV64GC instructions for the pipeline backends: which
// registers an instruction reads and writes, its functional unit, latency and
// whether it occupies the unit (iterative) or is pipelined, its memory access
// and how it serializes the pipeline. Built once per pipeline from the
// configured latencies. Pure C++.
#include <cstdint>

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

struct OpInfo {
  OpClass cls = OpClass::kAlu;
  Fu fu = Fu::kAlu;
  Mix mix = Mix::kAlu;
  uint8_t latency = 1;
  bool busy = false;  // occupies its unit for `latency` cycles (not pipelined)
  bool rs1 = false, rs2 = false, rs3 = false, rd = false;
  bool rs1f = false, rs2f = false, rdf = false;
  bool load = false, store = false;  // reads / writes memory
  uint8_t size = 0;                  // memory access bytes
  uint8_t serialize = 0;             // SerializeFlag bits
  bool known = false;                // operand layout filled in (from the first Insn seen)
};

class OpTable {
 public:
  explicit OpTable(const PipelineConfig& cfg);
  // The class is per op; the operand layout comes from the decoder's entry
  // (Insn::info), taken from the first instruction of each op.
  const OpInfo& get(const Insn& in) {
    OpInfo& o = ops_[static_cast<unsigned>(in.op)];
    if (__builtin_expect(!o.known, 0)) fill_operands(in, o);
    return o;
  }

 private:
  static void fill_operands(const Insn& in, OpInfo& o);
  OpInfo ops_[static_cast<unsigned>(Op::kCount)];
};

// Register-file index of a source operand: x0-x31 -> 0-31 (x0 is always ready), f0-f31 -> 32-63.
inline unsigned src_index(unsigned r, bool fp) { return fp ? 32 + (r & 31) : (r & 31); }
// Of a destination: writes to x0 (decoded as the sink register 32) go to the unread slot 64.
constexpr unsigned kRegSlots = 65;
inline unsigned dst_index(unsigned r, bool fp) { return fp ? 32 + (r & 31) : ((r & 31) == 0 ? 64 : r); }

}  // namespace vp::cpu
