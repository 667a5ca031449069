#pragma once
#include <optional>
#include <string>

namespace vp::platform {

// Ending the simulation from a model: the SiFive test finisher, HTIF, an
// instruction limit. The first request wins; it also calls sc_stop().
struct StopRequest {
  int exit_code = 0;
  std::string reason;  // "test finisher: pass", "HTIF exit 3", ...
};

void request_stop(int exit_code, const std::string& reason);

// Pausing is resumable (sc_pause): instruction limits, breakpoints and
// single steps pause; a later sc_start continues where the run left off.
void request_pause(const std::string& reason);
std::optional<std::string> pause_reason();  // of the latest pause, if any
void clear_pause();
std::optional<StopRequest> stop_request();
// Cheap check for initiators' slow paths: has anything requested the stop?
bool stop_requested();
void clear_stop_request();  // for tests that run several simulations' worth of checks

// A guest that can make no progress (platform::Processor::stuck_report): the
// run stops with kStuckExitCode (default), goes on (the report is printed
// once), or pauses for an attached debugger.
enum class StuckPolicy { kStop, kContinue, kPause };
constexpr int kStuckExitCode = 123;
void set_stuck_policy(StuckPolicy policy);
StuckPolicy stuck_policy();

}  // namespace vp::platform
