#pragma once
// The C++ side of vp.Simulator: one built platform, its boot and run loop.
// Free of pybind11 so that the logic can be read (and tested) on its own; the
// bindings in module.cpp release the GIL around run().
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "platform/builder.h"
#include "platform/processor.h"
#include "sc_main/runner.h"

namespace vp::python {

struct RunOutcome {
  std::string kind;  // "exit", "breakpoint", "limit", "time", "idle", "interrupted"
  int exit_code = 0;
  std::string reason;
  uint64_t instructions = 0;  // during this call
  double host_seconds = 0;    // during this call
  double simulated_seconds = 0;  // total, at return
};

class Simulator {
 public:
  // Builds the platform. Throws std::logic_error when this process already built one.
  explicit Simulator(const platform::PlatformSpec& spec);

  platform::Platform& platform() { return *platform_; }
  const std::vector<std::string>& hart_names() const { return hart_names_; }
  platform::Processor& hart(const std::string& name);  // "" = the first

  // Loads software (vp run's --kernel/--bios/--append). Only before the first run.
  BootInfo load(const RunOptions& options);

  // Runs for at most max_instructions (0 = no limit, counted on each hart) and
  // max_time_ps (0 = no limit) of simulated time, in slices of slice_ps;
  // between slices `between` is called (Python: signal check); when it returns
  // false the run ends with kind "interrupted" (resumable).
  RunOutcome run(uint64_t max_instructions, uint64_t max_time_ps, uint64_t slice_ps,
                 const std::function<bool()>& between);

  void set_breakpoints(const std::vector<uint64_t>& pcs);

  // Checkpoints (docs/checkpoints.md). checkpoint: between runs; the manifest
  // says which platform description to rebuild. restore: instead of load(),
  // before the first run, into a platform built from the manifest.
  void checkpoint(const std::string& dir, const platform::CheckpointManifest& manifest);
  void restore(const std::string& dir);
  // Fast-forward, then detail (vp run --detail-start): before the first run.
  void set_detail_region(const platform::DetailRegion& region);
  bool finished() const { return finished_; }
  bool started() const { return started_; }
  double host_seconds() const { return host_seconds_total_; }

  // UARTs (dev.ns16550): names; text transmitted so far (accumulated); input.
  std::vector<std::string> uart_names() const;
  std::string uart_output(const std::string& name);  // "" = the first
  void uart_input(const std::string& name, const std::string& bytes);

  // Flat statistics (a statistics registry comes later).
  std::map<std::string, double> stats();

 private:
  void ensure_booted();
  std::string uart_or_first(const std::string& name) const;

  std::unique_ptr<platform::Platform> platform_;
  std::vector<std::string> hart_names_;
  std::vector<platform::Processor*> harts_;
  std::map<std::string, std::string> uart_text_;
  bool booted_ = false, started_ = false, finished_ = false;
  double host_seconds_total_ = 0;
  RunOutcome last_;
};

// True once a platform has been built in this process (SystemC allows one).
bool platform_built();

}  // namespace vp::python
