#pragma once
// A hook on the timing models' retire stream (pipeline traces, pipeline_trace.h).
#include <cstdint>

#include "models/cpu/decoder.h"

namespace vp::cpu {

// When one instruction occupied each stage (cycles). A stage lasts until the
// next one starts. Out of order: execute = issue, memory = the data access
// (issue + 1 otherwise), writeback = complete, retire = commit.
struct StageTimes {
  uint64_t fetch, decode, execute, memory, writeback, retire;
};

// Sees every instruction the timing model retires.
class PipelineObserver {
 public:
  virtual ~PipelineObserver() = default;
  virtual void retired(const Insn& in, uint64_t pc, const StageTimes& t) = 0;
};

}  // namespace vp::cpu
