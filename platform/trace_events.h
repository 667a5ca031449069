#pragma once
// A Chrome/Perfetto trace-event file (JSON "traceEvents", open it in
// ui.perfetto.dev or chrome://tracing) of what happened in simulated time:
// traps and interrupts per hart, accesses that reach devices, interrupt lines.
// Off unless opened (vp run --trace-events FILE); recording sites test
// enabled() first, so it costs one load when off.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

namespace vp::platform {

class TraceEvents {
 public:
  static TraceEvents& global();
  static bool enabled() { return enabled_.load(std::memory_order_relaxed); }

  // Throws std::runtime_error when the file cannot be written.
  void open(const std::string& path);
  // Ends the JSON document; idempotent.
  void close();
  uint64_t events() const { return events_; }

  // `track` groups events (a hart, a device); `args` is the inside of a JSON
  // object ("\"cause\":2") or "". Times are simulated picoseconds.
  void instant(const std::string& track, const std::string& name, uint64_t time_ps, const std::string& args = "");
  void counter(const std::string& track, const std::string& name, uint64_t time_ps, int64_t value);

  // The current simulated time in picoseconds.
  static uint64_t now_ps();
  static constexpr uint64_t kMaxEvents = 20'000'000;  // then recording stops (bounded file)

 private:
  unsigned track_id(const std::string& track);
  bool begin_event();

  static std::atomic<bool> enabled_;
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
  std::map<std::string, unsigned> tracks_;
  uint64_t events_ = 0;
  bool first_ = true;
};

// The JSON string literal for s (quotes and escapes).
std::string json_string(const std::string& s);

}  // namespace vp::platform
