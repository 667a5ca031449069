#pragma once
// The dynamic binary translator: runs the Core's pre-decoded blocks as x86-64 code
// (models/cpu/translator/*.cpp). The interpreter stays the reference: the translator
// uses the same blocks, the same TLB, CSR, trap and memory code, and falls back to the
// interpreter's executor for anything it does not translate inline.
#include <cstdint>
#include <memory>

namespace vp::cpu {

class Core;
struct Block;
enum class RunExit;

struct TranslatorStats {
  uint64_t blocks_translated = 0;  // translations made (a block can have several)
  uint64_t code_bytes = 0;         // x86-64 code emitted so far
  uint64_t flushes = 0;            // whole code buffer flushes (buffer full)
  uint64_t entries = 0;            // entries into translated code from the dispatcher
  uint64_t exits_lookup = 0;       // ... that ended in a lookup-cache miss
  uint64_t exits_chain = 0;        // ... at a direct jump not linked yet
  uint64_t exits_trap = 0;         // ... in a trap
  uint64_t exits_budget = 0;       // ... at the budget or after a helper changed state
  uint64_t helper_calls = 0;       // instructions run by the interpreter's executor
  uint64_t time_reads = 0;         // `time` CSR reads by inline code or the direct helper (not the executor)
  uint64_t time_cached = 0;        // ... of them answered inline from the core's time cache
  uint64_t wfi_no_sleep = 0;       // wfi with an interrupt pending and enabled: a no-op (direct helper, skipped laps)
  uint64_t interpreted_blocks = 0; // blocks run by the interpreter (budget, not cached)
  uint64_t spin_skipped = 0;       // instructions of wfi spin loops fast-forwarded (dispatcher.cpp)
};

class Translator {
 public:
  // A translator for `core`, or nullptr when this host has none (not x86-64).
  static std::unique_ptr<Translator> create(Core& core);
  virtual ~Translator() = default;

  // Core::run with translated code: same contract (budget, executed, exit reason).
  virtual RunExit run(uint64_t budget, uint64_t& executed) = 0;
  // `b` leaves the core's block cache (code written, fence.i, DMI change): its
  // translations are dropped before the block is deleted.
  virtual void discard(Block* b) = 0;
  // Lock-step checking: run() returns after each block (or trap), like one interpreter
  // iteration.
  virtual void set_single_block(bool on) = 0;
  virtual TranslatorStats stats() const = 0;
};

}  // namespace vp::cpu
