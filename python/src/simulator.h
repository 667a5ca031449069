#pragma once
// The C++ side of vp.Simulator: one built platform, its boot and run loop.
// Free of pybind11 so that the logic can be read (and tested) on its own; the
// bindings in module.cpp release the GIL around run().
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/builder.h"
#include "platform/processor.h"
#include "sc_main/runner.h"

namespace vp::python {

struct RunOutcome {
  // "exit", "stuck", "breakpoint", "limit", "time", "idle", "interrupted", "detached" (serve_gdb)
  std::string kind;
  int exit_code = 0;
  std::string reason;
  uint64_t instructions = 0;  // during this call
  double host_seconds = 0;    // during this call
  double simulated_seconds = 0;  // total, at return
  std::string report;            // kind "stuck": why, in full
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
  // Serves the GDB remote protocol on [host:]port until the debugger detaches
  // (kind "detached") or the run ends; the harts wait for the debugger first.
  RunOutcome serve_gdb(const std::string& address, uint64_t slice_ps, const std::function<bool()>& between);

  // Symbols of the loaded ELF files.
  std::optional<uint64_t> symbol(const std::string& name) const;
  // A register by name: "a0", "x10", "pc", "fa0", "f10", "mstatus", "priv".
  unsigned register_number(const std::string& hart, const std::string& name);
  // Physical memory through the bus; writes make every hart forget decoded code there.
  size_t write_memory(uint64_t addr, const void* data, size_t len);
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
  RunOutcome finish(RunOutcome out, uint64_t before, std::chrono::steady_clock::time_point t0);
  std::string uart_or_first(const std::string& name) const;

  std::unique_ptr<platform::Platform> platform_;
  std::vector<std::string> hart_names_;
  std::vector<platform::Processor*> harts_;
  BootInfo boot_;
  std::map<std::string, std::string> uart_text_;
  bool booted_ = false, started_ = false, finished_ = false;
  double host_seconds_total_ = 0;
  RunOutcome last_;
};

// True once a platform has been built in this process (SystemC allows one).
bool platform_built();

}  // namespace vp::python
