#include "platform/simulation.h"

#include <atomic>
#include <mutex>
#include <systemc>

namespace vp::platform {
namespace {
std::mutex g_mutex;
std::optional<StopRequest> g_request;
std::atomic<bool> g_stop_requested{false};
std::optional<std::string> g_pause;
std::atomic<StuckPolicy> g_stuck_policy{StuckPolicy::kStop};
}  // namespace

void set_stuck_policy(StuckPolicy policy) { g_stuck_policy = policy; }
StuckPolicy stuck_policy() { return g_stuck_policy; }

void request_stop(int exit_code, const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_request) return;
    g_request = StopRequest{exit_code, reason};
    g_stop_requested = true;
  }
  if (sc_core::sc_is_running()) sc_core::sc_stop();
}

std::optional<StopRequest> stop_request() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_request;
}

bool stop_requested() { return g_stop_requested.load(std::memory_order_relaxed); }

void clear_stop_request() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_request.reset();
  g_stop_requested = false;
}

void request_pause(const std::string& reason) {
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_pause = reason;
  }
  if (sc_core::sc_is_running()) sc_core::sc_pause();
}

std::optional<std::string> pause_reason() {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_pause;
}

void clear_pause() {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_pause.reset();
}

}  // namespace vp::platform
