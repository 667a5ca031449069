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
