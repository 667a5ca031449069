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
std::optional<StopRequest> stop_request();
void clear_stop_request();  // for tests that run several simulations' worth of checks

}  // namespace vp::platform
