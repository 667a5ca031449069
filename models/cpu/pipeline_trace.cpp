#include "models/cpu/pipeline_trace.h"

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <stdexcept>

#include "models/cpu/decoder.h"

namespace vp::cpu {
namespace {

constexpr const char* kStages[] = {"F", "D", "X", "M", "W"};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// JSON string body: quotes, backslashes and control characters escaped.
std::string json_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

PipelineTrace::PipelineTrace(const PipelineTraceConfig& cfg, uint64_t hartid) : cfg_(cfg), hartid_(hartid) {
  if (cfg_.format.empty()) cfg_.format = ends_with(cfg_.file, ".json") ? "chrome" : "konata";
  if (cfg_.format != "konata" && cfg_.format != "chrome")
    throw std::runtime_error("pipeline trace format must be konata or chrome, found '" + cfg_.format + "'");
  if (cfg_.count == 0 || cfg_.count > PipelineTraceConfig::kMaxCount)
    throw std::runtime_error("pipeline trace count must be between 1 and " +
                             std::to_string(PipelineTraceConfig::kMaxCount));
  chrome_ = cfg_.format == "chrome";
  file_ = std::fopen(cfg_.file.c_str(), "w");
  if (!file_) throw std::runtime_error("cannot write pipeline trace " + cfg_.file + ": " + std::strerror(errno));
  records_.reserve(static_cast<size_t>(std::min<uint64_t>(cfg_.count, 65536)));
}

PipelineTrace::~PipelineTrace() { finish(); }

void PipelineTrace::retired(const Insn& in, uint64_t pc, const StageTimes& t) {
  const uint64_t seq = seen_++;
  if (seq < cfg_.start || !file_) return;
  records_.push_back({seq, pc, disassemble(in, pc), t});
  if (records_.size() >= cfg_.count) finish();
}

void PipelineTrace::finish() {
  if (!file_) return;
  chrome_ ? write_chrome(file_) : write_konata(file_);
  std::fclose(file_);
  file_ = nullptr;
}

// Kanata 0004: "Kanata\t0004", "C=\t<cycle>" once, then per cycle the commands
// of that cycle and "C\t<delta>" to advance. I (introduce), L (label), S/E
// (stage start/end, lane 0), R (retire, type 0).
void PipelineTrace::write_konata(std::FILE* f) const {
  struct Event {
    uint64_t cycle;
    size_t rec;
    unsigned kind;  // 0 I+L+S F, 1..4 E prev + S next, 5 E W + R
  };
  std::vector<Event> ev;
  ev.reserve(records_.size() * 6);
  for (size_t i = 0; i < records_.size(); ++i) {
    const StageTimes& t = records_[i].t;
    const uint64_t at[6] = {t.fetch, t.decode, t.execute, t.memory, t.writeback, t.retire};
    for (unsigned k = 0; k < 6; ++k) ev.push_back({at[k], i, k});
  }
  // Stage times of one instruction never decrease, so a stable sort keeps each
  // instruction's commands in order; retires stay in program order.
  std::stable_sort(ev.begin(), ev.end(), [](const Event& a, const Event& b) { return a.cycle < b.cycle; });
  std::fprintf(f, "Kanata\t0004\n");
  uint64_t now = ev.empty() ? 0 : ev.front().cycle;
  std::fprintf(f, "C=\t%" PRIu64 "\n", now);
  uint64_t retired = 0;
  for (const Event& e : ev) {
    if (e.cycle > now) {
      std::fprintf(f, "C\t%" PRIu64 "\n", e.cycle - now);
      now = e.cycle;
    }
    const Record& r = records_[e.rec];
    const size_t id = e.rec;
    if (e.kind == 0) {
      std::fprintf(f, "I\t%zu\t%" PRIu64 "\t%" PRIu64 "\n", id, r.seq, hartid_);
      std::fprintf(f, "L\t%zu\t0\t%08" PRIx64 ": %s\n", id, r.pc, r.text.c_str());
      std::fprintf(f, "S\t%zu\t0\t%s\n", id, kStages[0]);
    } else if (e.kind < 5) {
      std::fprintf(f, "E\t%zu\t0\t%s\n", id, kStages[e.kind - 1]);
      std::fprintf(f, "S\t%zu\t0\t%s\n", id, kStages[e.kind]);
    } else {
      std::fprintf(f, "E\t%zu\t0\t%s\n", id, kStages[4]);
      std::fprintf(f, "R\t%zu\t%" PRIu64 "\t0\n", id, retired++);
    }
  }
}

void PipelineTrace::write_chrome(std::FILE* f) const {
  std::fprintf(f, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"time_unit\":\"1 us = 1 cycle\"},\"traceEvents\":[\n");
  const char* sep = "";
  std::fprintf(f, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%" PRIu64 ",\"tid\":0,"
                  "\"args\":{\"name\":\"hart %" PRIu64 " pipeline\"}}", hartid_, hartid_);
  sep = ",\n";
  for (unsigned s = 0; s < 5; ++s)
    std::fprintf(f, "%s{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%" PRIu64 ",\"tid\":%u,\"args\":{\"name\":\"%s\"}}",
                 sep, hartid_, s, kStages[s]);
  for (const Record& r : records_) {
    const uint64_t at[6] = {r.t.fetch, r.t.decode, r.t.execute, r.t.memory, r.t.writeback, r.t.retire};
    const std::string name = json_escape(r.text);
    for (unsigned s = 0; s < 5; ++s)
      std::fprintf(f, "%s{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%" PRIu64 ",\"dur\":%" PRIu64
                      ",\"pid\":%" PRIu64 ",\"tid\":%u,\"args\":{\"seq\":%" PRIu64 ",\"pc\":\"0x%" PRIx64 "\"}}",
                   sep, name.c_str(), kStages[s], at[s], at[s + 1] - at[s], hartid_, s, r.seq, r.pc);
  }
  std::fprintf(f, "\n]}\n");
}

}  // namespace vp::cpu
