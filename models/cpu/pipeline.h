#pragma once
// Cycle-approximate timing of an in-order 5-stage pipeline (fetch, decode,
// execute, memory, writeback) driven by the functional core's retired
// instruction stream: the core executes, this model only computes when each
// instruction would have entered the execute stage. Forwarding (results ready
// one cycle after EX, loads after MEM), load-use and other RAW stalls,
// multi-cycle units, branch prediction with a BTB and a return-address stack,
// I-/D-cache and L2 timing, and pipeline flushes on serializing instructions
// and traps. Pure C++, no SystemC.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "models/cpu/branch_predictor.h"
#include "models/cpu/btb.h"
#include "models/cpu/cache.h"
#include "models/cpu/decoder.h"
#include "models/cpu/return_stack.h"

namespace vp::cpu {

struct PipelineConfig {
  // Execute latencies in cycles (1 = result forwarded to the next instruction).
  unsigned mul_latency = 3;
  unsigned div_latency = 20;       // iterative: blocks EX unless div_pipelined
  bool div_pipelined = false;
  unsigned fp_add_latency = 4;     // fadd, fsub, fmin/fmax
  unsigned fp_mul_latency = 4;
  unsigned fp_fma_latency = 5;
  unsigned fp_div_latency = 20;    // fdiv (blocks the FP divider)
  unsigned fp_sqrt_latency = 25;
  unsigned fp_cvt_latency = 3;     // conversions, fmv, fclass, compares
  unsigned fp_move_latency = 1;    // fsgnj*
  unsigned load_latency = 1;       // MEM-stage cycles without caches (L1 hit latency otherwise)
  unsigned uncached_latency = 1;   // MEM-stage cycles of an uncached (MMIO) access
  // Control flow.
  unsigned branch_resolve = 2;     // stage resolving branches: 1 decode, 2 execute, 3 memory
  unsigned mispredict_penalty = 0; // extra cycles on top of the refill from the resolve stage
  unsigned trap_penalty = 2;       // extra cycles to enter a trap handler
  // Memory hierarchy.
  CacheConfig l1i, l1d, l2;        // disabled: accesses go to the next level
  unsigned memory_latency = 100;
  BranchPredictorConfig bp;

  PipelineConfig() { l1i.enabled = l1d.enabled = true; }
};

// When one instruction occupied each stage (cycles), for pipeline traces
// (pipeline_trace.h). A stage lasts until the next one starts.
struct StageTimes {
  uint64_t fetch, decode, execute, memory, writeback, retire;
};

// Sees every instruction the timing model retires (pipeline traces).
class PipelineObserver {
 public:
  virtual ~PipelineObserver() = default;
  virtual void retired(const Insn& in, uint64_t pc, const StageTimes& t) = 0;
};

class Pipeline {
 public:
  explicit Pipeline(const PipelineConfig& cfg);
  ~Pipeline();

  // One instruction retired: pc and its physical fetch address, the pc after
  // it, and for memory instructions the physical data address (`cached` false
  // for MMIO / non-DMI memory).
  void retire(const Insn& in, uint64_t pc, uint64_t fetch_pa, uint64_t next_pc, uint64_t mem_pa, bool cached);
  // A synchronous exception or an interrupt: the pipeline is flushed.
  void trap();
  // The hart slept (WFI) for this many cycles.
  void idle(uint64_t cycles);

  // Not owned; nullptr: none (the default, costs one branch per instruction).
  void set_observer(PipelineObserver* o) { observer_ = o; }

  uint64_t cycles() const { return cycle_; }
  uint64_t instructions() const { return st_.instructions; }
  const PipelineConfig& config() const { return cfg_; }

  // Every counter as (name relative to the hart, description, storage);
  // ratios as (name, numerator, denominator, description).
  void for_each_counter(const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f);
  void for_each_ratio(const std::function<void(const std::string&, const std::string&, const std::string&,
                                               const std::string&)>& f) const;

  struct Stats {
    uint64_t instructions = 0, idle_cycles = 0, traps = 0;
    // Stall cycles by cause.
    uint64_t stall_load_use = 0, stall_data = 0, stall_icache = 0, stall_dcache = 0, stall_structural = 0,
             stall_branch = 0, stall_serialize = 0, stall_trap = 0;
    // Instruction mix.
    uint64_t mix_alu = 0, mix_mul = 0, mix_div = 0, mix_load = 0, mix_store = 0, mix_amo = 0, mix_branch = 0,
             mix_jump = 0, mix_fp = 0, mix_fp_load = 0, mix_fp_store = 0, mix_csr = 0, mix_system = 0;
    // Branch prediction.
    uint64_t bp_lookups = 0, bp_correct = 0, bp_mispredicts = 0, bp_taken = 0, btb_hits = 0, btb_misses = 0,
             ras_pushes = 0, ras_correct = 0, ras_mispredicts = 0, indirect_mispredicts = 0,
             decode_redirects = 0;
    uint64_t uncached_accesses = 0;
  };
  const Stats& stats() const { return st_; }

 private:
  enum Cls : uint8_t {
    kAlu, kMul, kDiv, kLoad, kStore, kAmo, kBranch, kJal, kJalr, kFpAdd, kFpMul, kFpFma, kFpDiv, kFpSqrt,
    kFpCvt, kFpMove, kFpLoad, kFpStore, kCsr, kSystem, kFenceI
  };
  enum StallCause : uint8_t { kCauseBranch, kCauseSerialize, kCauseTrap };
  struct OpInfo {
    bool known = false;
    Cls cls = kAlu;
    uint8_t latency = 1;
    bool busy = false;              // occupies its unit for `latency` cycles
    bool rs1 = false, rs2 = false, rs3 = false, rd = false;
    bool rs1f = false, rs2f = false, rdf = false;
  };
  const OpInfo& info(const Insn& in);
  void classify(const Insn& in, OpInfo& o) const;
  unsigned data_access(uint64_t pa, bool write, bool cached);
  void redirect(uint64_t at, StallCause cause);

  PipelineConfig cfg_;
  std::unique_ptr<Cache> l2_, l1i_, l1d_;
  std::unique_ptr<BranchPredictor> bp_;
  Btb btb_;
  ReturnStack ras_;
  OpInfo ops_[static_cast<unsigned>(Op::kCount)];

  uint64_t cycle_ = 0;            // EX cycle of the last instruction
  uint64_t ready_[65] = {};       // cycle a register's value can be forwarded to EX (x0-31, sink, f0-31)
  bool from_load_[65] = {};
  uint64_t mem_free_ = 0;         // earliest EX cycle allowed by a busy MEM stage
  uint64_t ex_free_ = 0;          // earliest EX cycle allowed by a busy iterative unit
  uint64_t redirect_ = 0;         // fetch restarts at this cycle
  StallCause redirect_cause_ = kCauseBranch;
  uint64_t fetch_line_ = ~0ull;   // line of the last I-cache access
  unsigned line_shift_ = 6;
  Stats st_;
  PipelineObserver* observer_ = nullptr;
  uint64_t last_retire_ = 0;      // in-order commit, for the observer
};

}  // namespace vp::cpu
