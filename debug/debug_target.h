#pragma once
// What the GDB server drives: the processors of a built platform and its
// simulation, run in slices so that the server can listen between them. The
// vp command line and the Python Simulator each provide one.
#include <string>
#include <vector>

#include "platform/processor.h"

namespace vp::debug {

struct SliceResult {
  enum class Kind { kRunning, kPaused, kEnded } kind = Kind::kRunning;
  int exit_code = 0;   // kEnded
  std::string reason;  // kPaused, kEnded
};

class DebugTarget {
 public:
  virtual ~DebugTarget() = default;
  virtual std::vector<platform::Processor*> processors() = 0;
  virtual std::vector<std::string> processor_names() = 0;
  // Simulates at most one slice (a little simulated time); a processor that
  // pauses the simulation (breakpoint, step) ends the slice early.
  virtual SliceResult run_slice() = 0;
  // The run was ended from outside (Ctrl-C on vp, Python's signal check).
  virtual bool interrupted() { return false; }
  // Ends the run (GDB's kill, monitor quit).
  virtual void end_run(int exit_code, const std::string& reason) = 0;
  // "monitor stats": lines of statistics.
  virtual std::string statistics() = 0;
};

}  // namespace vp::debug
