#pragma once
// Pipeline traces for viewers: which cycle each instruction of a window spent
// in fetch, decode, execute, memory and writeback, written when the window is
// complete (or when the trace is destroyed) as
//  - Konata / Kanata log format 0004 (github.com/shioyadan/Konata docs/kanata-log-format.md):
//    tab-separated commands, in cycle order;
//  - Chrome trace-event JSON (Perfetto, chrome://tracing): one complete event
//    ("ph":"X") per instruction and stage, one track per stage, 1 cycle = 1 us.
// Pure C++, no SystemC.
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "models/cpu/pipeline.h"

namespace vp::cpu {

struct PipelineTraceConfig {
  std::string file;          // "" = no trace
  std::string format;        // "konata" or "chrome"; "" = from the extension (.json: chrome)
  uint64_t start = 0;        // first traced instruction (counted by the timing model)
  uint64_t count = 1000;     // window length
  static constexpr uint64_t kMaxCount = 1'000'000;  // bounds the memory the window takes
};

class PipelineTrace : public PipelineObserver {
 public:
  // Opens the file now (a bad path fails before the simulation); throws std::runtime_error.
  PipelineTrace(const PipelineTraceConfig& cfg, uint64_t hartid);
  ~PipelineTrace() override;

  void retired(const Insn& in, uint64_t pc, const StageTimes& t) override;
  // Writes what was recorded (idempotent; also done when the window fills and by the destructor).
  void finish();
  uint64_t recorded() const { return records_.size(); }

 private:
  struct Record {
    uint64_t seq, pc;
    std::string text;
    StageTimes t;
  };
  void write_konata(std::FILE* f) const;
  void write_chrome(std::FILE* f) const;

  PipelineTraceConfig cfg_;
  uint64_t hartid_;
  std::FILE* file_ = nullptr;
  bool chrome_ = false;
  uint64_t seen_ = 0;
  std::vector<Record> records_;
};

}  // namespace vp::cpu
