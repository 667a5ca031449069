#include "platform/trace_events.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <systemc>

namespace vp::platform {

std::atomic<bool> TraceEvents::enabled_{false};

TraceEvents& TraceEvents::global() {
  static TraceEvents t;
  return t;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

void TraceEvents::open(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (file_) return;
  file_ = std::fopen(path.c_str(), "w");
  if (!file_) throw std::runtime_error("cannot write trace events to " + path + ": " + std::strerror(errno));
  std::fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"producer\":\"vp\",\"clock\":\"simulated time\"},"
             "\"traceEvents\":[\n",
             file_);
  first_ = true;
  events_ = 0;
  tracks_.clear();
  enabled_ = true;
}

void TraceEvents::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!file_) return;
  enabled_ = false;
  std::fputs("\n]}\n", file_);
  std::fclose(file_);
  file_ = nullptr;
}

uint64_t TraceEvents::now_ps() {
  return static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5);
}

// Called with the mutex held.
bool TraceEvents::begin_event() {
  if (!file_) return false;
  if (events_ >= kMaxEvents) {
    enabled_ = false;  // bounded: the document is closed by close()
    return false;
  }
  ++events_;
  if (!first_) std::fputs(",\n", file_);
  first_ = false;
  return true;
}

unsigned TraceEvents::track_id(const std::string& track) {
  auto it = tracks_.find(track);
  if (it != tracks_.end()) return it->second;
  const unsigned id = static_cast<unsigned>(tracks_.size()) + 1;
  tracks_[track] = id;
  if (begin_event())
    std::fprintf(file_, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"args\":{\"name\":%s}}", id,
                 json_string(track).c_str());
  return id;
}

void TraceEvents::instant(const std::string& track, const std::string& name, uint64_t time_ps,
                          const std::string& args) {
  std::lock_guard<std::mutex> lock(mutex_);
  const unsigned tid = track_id(track);
  if (!begin_event()) return;
  std::fprintf(file_, "{\"name\":%s,\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%u,\"ts\":%.6f,\"args\":{%s}}",
               json_string(name).c_str(), tid, static_cast<double>(time_ps) / 1e6, args.c_str());
}

void TraceEvents::counter(const std::string& track, const std::string& name, uint64_t time_ps, int64_t value) {
  std::lock_guard<std::mutex> lock(mutex_);
  const unsigned tid = track_id(track);
  if (!begin_event()) return;
  std::fprintf(file_, "{\"name\":%s,\"ph\":\"C\",\"pid\":1,\"tid\":%u,\"ts\":%.6f,\"args\":{\"level\":%lld}}",
               json_string(name).c_str(), tid, static_cast<double>(time_ps) / 1e6, static_cast<long long>(value));
}

}  // namespace vp::platform
