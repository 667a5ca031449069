#pragma once
// Typed configuration of the pipeline timing models (parsed from the hart's
// properties in pipeline_types.cpp; models never read YAML), and what the
// core reports for each retired instruction.
#include <cstdint>

#include "models/cpu/branch_predictor.h"
#include "models/cpu/memory/memory_hierarchy.h"
#include "models/cpu/op_class.h"

namespace vp::cpu {

enum class Backend : uint8_t { kInOrder, kO3 };

// The out-of-order backend (gem5 O3CPU-like; docs/architecture.md).
struct O3Config {
  unsigned fetch_width = 4, decode_width = 3, rename_width = 3, issue_width = 3, commit_width = 3;
  unsigned fetch_queue = 32;      // instructions between fetch and rename
  unsigned fetch_to_decode = 1;   // cycles after the I-cache returns a fetch group
  unsigned decode_to_rename = 1;
  unsigned rename_to_issue = 2;   // rename -> dispatch into the IQ -> earliest issue
  unsigned rob = 96, iq = 48, lq = 24, sq = 24;
  unsigned int_regs = 128, fp_regs = 96;  // physical registers (32 of each hold the committed state)
  unsigned units[kFuCount] = {3, 1, 1, 2, 1, 1, 1};  // alu, mul, div, fp, fdiv, load, store
  unsigned forward_latency = 0;   // store-to-load forwarding; 0: the L1D hit latency
  bool store_sets = true;         // store-set memory-dependence predictor (false: loads never wait)
  unsigned ssit_entries = 1024, lfst_entries = 128;
  unsigned store_set_clear = 250000;  // memory instructions between clearing the tables (0: never)
  // Wrong-path execution: after a mispredicted branch, fetch, decode, rename,
  // issue and execute the predicted path (loads access the D-cache) until the
  // branch resolves. false: the wrong path only fetches I-cache lines.
  bool wrong_path = true;
};

struct PipelineConfig {
  Backend backend = Backend::kInOrder;
  // Execute latencies in cycles (1 = result forwarded to the next instruction).
  unsigned mul_latency = 3;
  unsigned div_latency = 20;       // iterative: blocks the divider unless div_pipelined
  bool div_pipelined = false;
  unsigned fp_add_latency = 4;     // fadd, fsub, fmin/fmax
  unsigned fp_mul_latency = 4;
  unsigned fp_fma_latency = 5;
  unsigned fp_div_latency = 20;    // fdiv (blocks the FP divider)
  unsigned fp_sqrt_latency = 25;
  unsigned fp_cvt_latency = 3;     // conversions, fmv, fclass, compares
  unsigned fp_move_latency = 1;    // fsgnj*
  unsigned load_latency = 1;       // data access without caches (L1 hit latency otherwise)
  unsigned uncached_latency = 1;   // data access of an uncached (MMIO) location
  // Control flow.
  unsigned branch_resolve = 2;     // in-order: stage resolving branches: 1 decode, 2 execute, 3 memory
  unsigned mispredict_penalty = 0; // extra cycles before fetch restarts after a mispredict or squash
  unsigned trap_penalty = 2;       // extra cycles to enter a trap handler
  // In-order: blocks are timed in one pass with their static schedule where it
  // applies (InOrderBackend::plan); false: one instruction at a time. Same results.
  bool block_schedule = true;
  // Memory hierarchy.
  CacheConfig l1i, l1d, l2, l3;    // disabled: accesses go to the next level
  unsigned memory_latency = 100;
  DramConfig dram;
  TlbConfig itlb, dtlb;
  BranchPredictorConfig bp;
  O3Config o3;

  PipelineConfig() { l1i.enabled = l1d.enabled = true; }
  MemoryConfig memory() const {
    MemoryConfig m;
    m.l1i = l1i;
    m.l1d = l1d;
    m.l2 = l2;
    m.l3 = l3;
    m.memory_latency = memory_latency;
    m.dram = dram;
    m.itlb = itlb;
    m.dtlb = dtlb;
    m.load_latency = load_latency;
    m.uncached_latency = uncached_latency;
    return m;
  }
};

// Counters both backends keep.
struct RetireCounters {
  uint64_t instructions = 0, idle_cycles = 0, traps = 0, interrupts = 0;
  uint64_t mix[kMixCount] = {};
};

// One retired instruction as the core reports it: its pc and physical fetch
// address, the pc after it, and for memory instructions the virtual and
// physical data address (`cached` false for MMIO / non-DMI memory). The
// page-table levels a TLB miss would walk (0: translation off) for the fetch
// and for the data access.
struct RetireInfo {
  uint64_t pc, fetch_pa, next_pc, mem_va, mem_pa;
  bool cached;
  uint8_t fetch_levels, data_levels;
};

}  // namespace vp::cpu
