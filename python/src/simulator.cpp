#include "python/src/simulator.h"
#include "platform/statistics.h"

#include <cctype>
#include <chrono>
#include <stdexcept>
#include <systemc>

#include "debug/gdb_server.h"
#include "models/devices/ns16550.h"
#include "platform/simulation.h"
#include "platform/symbols.h"
#ifndef VP_NO_CPU
#include "models/cpu/hart.h"
#endif

namespace vp::python {
namespace {

bool g_built = false;

using Clock = std::chrono::steady_clock;

dev::Ns16550* as_uart(const platform::Platform::Instance& i) {
  return dynamic_cast<dev::Ns16550*>(i.component.get());
}

}  // namespace

bool platform_built() { return g_built; }

Simulator::Simulator(const platform::PlatformSpec& spec) {
  if (g_built || sc_core::sc_get_status() != sc_core::SC_ELABORATION)
    throw std::logic_error(
        "SystemC allows one platform per process and this process already built one; run each platform in "
        "its own process (vp.run_isolated(fn, ...) or vp.run_experiment(...))");
  // "Simulation stopped by user" and similar kernel notes are not a library's to print.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  platform_ = platform::build_platform(spec);
  g_built = true;
  for (const auto& i : platform_->instances())
    if (auto* p = dynamic_cast<platform::Processor*>(i.component.get())) {
      hart_names_.push_back(i.name);
      harts_.push_back(p);
    }
}

platform::Processor& Simulator::hart(const std::string& name) {
  if (harts_.empty()) throw std::invalid_argument("the platform has no processor");
  if (name.empty()) return *harts_.front();
  for (size_t i = 0; i < hart_names_.size(); ++i)
    if (hart_names_[i] == name) return *harts_[i];
  throw std::invalid_argument("no processor named '" + name + "'" + platform::did_you_mean_hint(name, hart_names_));
}

BootInfo Simulator::load(const RunOptions& options) {
  if (started_) throw std::logic_error("load() must come before the first run()");
  if (booted_) throw std::logic_error("load() was already called; software can be loaded once");
  boot_ = prepare_boot(*platform_, options);
  booted_ = true;
  return boot_;
}

void Simulator::ensure_booted() {
  if (!booted_) load(RunOptions{});
}

void Simulator::set_breakpoints(const std::vector<uint64_t>& pcs) {
  for (size_t i = 0; i < harts_.size(); ++i) {
    if (!harts_[i]->supports_debug() && !pcs.empty())
      throw std::logic_error("processor '" + hart_names_[i] + "' does not support breakpoints");
    harts_[i]->set_breakpoints(pcs);
  }
}

RunOutcome Simulator::run(uint64_t max_instructions, uint64_t max_time_ps, uint64_t slice_ps,
                          const std::function<bool()>& between) {
  using sc_core::sc_time;
  if (finished_)
    throw std::logic_error("the simulation has ended (" + last_.reason +
                           "); SystemC cannot restart it: build a new platform in a new process");
  ensure_booted();
  platform::clear_pause();
  uint64_t before = 0;
  for (auto* h : harts_) before += h->instructions_retired();
  for (auto* h : harts_) {
    if (h->supports_debug()) h->set_pause_after(max_instructions);
    else if (max_instructions) h->set_instruction_limit(h->instructions_retired() + max_instructions);  // final
  }
  if (slice_ps == 0) slice_ps = 1'000'000'000;  // 1 ms
  const sc_time slice(static_cast<double>(slice_ps), sc_core::SC_PS);
  const sc_time end = sc_core::sc_time_stamp() + sc_time(static_cast<double>(max_time_ps), sc_core::SC_PS);

  RunOutcome out;
  const auto t0 = Clock::now();
  started_ = true;
  for (;;) {
    const sc_time now = sc_core::sc_time_stamp();
    if (max_time_ps && now >= end) {
      out.kind = "time";
      out.exit_code = 124;
      out.reason = "time limit " + now.to_string() + " reached";
      break;
    }
    sc_time step = slice;
    if (max_time_ps && end - now < step) step = end - now;
    sc_core::sc_start(step);
    if (auto stop = platform::stop_request()) {
      finished_ = true;
      out.exit_code = stop->exit_code;
      out.reason = stop->reason;
      out.kind = stop->reason.rfind("instruction limit", 0) == 0 ? "limit"
                 : stop->exit_code == platform::kStuckExitCode  ? "stuck"
                                                                 : "exit";
      break;
    }
    if (auto pause = platform::pause_reason()) {
      out.reason = *pause;
      out.exit_code = 124;
      out.kind = pause->rfind("breakpoint", 0) == 0 ? "breakpoint" : "limit";
      break;
    }
    if (!sc_core::sc_pending_activity() && !(max_time_ps && sc_core::sc_time_stamp() < end)) {
      out.kind = "idle";
      out.reason = "nothing left to simulate";
      break;
    }
    if (!between()) {
      out.kind = "interrupted";
      out.exit_code = 130;
      out.reason = "interrupted at " + sc_core::sc_time_stamp().to_string();
      break;
    }
  }
  for (auto* h : harts_)
    if (h->supports_debug()) h->set_pause_after(0);
  return finish(out, before, t0);
}

RunOutcome Simulator::finish(RunOutcome out, uint64_t before, Clock::time_point t0) {
  platform::clear_pause();
  out.host_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  host_seconds_total_ += out.host_seconds;
  uint64_t after = 0;
  for (auto* h : harts_) after += h->instructions_retired();
  out.instructions = after - before;
  out.simulated_seconds = sc_core::sc_time_stamp().to_seconds();
  if (out.kind == "stuck")
    for (auto* h : harts_) out.report += h->stuck_report();
  last_ = out;
  return out;
}

void Simulator::checkpoint(const std::string& dir, const platform::CheckpointManifest& manifest) {
  ensure_booted();
  if (finished_) throw std::logic_error("the simulation has ended (" + last_.reason + "): nothing to checkpoint");
  platform::CheckpointManifest m = manifest;
  m.time_ps = static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5);
  m.instructions = 0;
  for (auto* h : harts_) m.instructions += h->instructions_retired();
  platform::save_checkpoint(*platform_, dir, m);
}

void Simulator::restore(const std::string& dir) {
  if (started_ || booted_) throw std::logic_error("restore() must come instead of load(), before the first run()");
  prepare_restored(*platform_, RunOptions{});
  platform::restore_checkpoint(*platform_, dir);
  booted_ = true;
}

void Simulator::set_detail_region(const platform::DetailRegion& region) {
  if (started_) throw std::logic_error("set the detail region before the first run()");
  for (size_t i = 0; i < harts_.size(); ++i)
    if (!harts_[i]->set_detail_region(region))
      throw std::logic_error("processor '" + hart_names_[i] + "' has no timing model");
}

namespace {

// The Python simulator for the GDB server: slices, with Python's signal check between them.
class PythonTarget : public debug::DebugTarget {
 public:
  PythonTarget(Simulator& s, std::vector<platform::Processor*> harts, uint64_t slice_ps,
               const std::function<bool()>& between)
      : s_(s), harts_(std::move(harts)), slice_(static_cast<double>(slice_ps), sc_core::SC_PS), between_(between) {}
  std::vector<platform::Processor*> processors() override { return harts_; }
  std::vector<std::string> processor_names() override { return s_.hart_names(); }
  debug::SliceResult run_slice() override {
    using K = debug::SliceResult::Kind;
    platform::clear_pause();
    sc_core::sc_start(slice_);
    if (auto stop = platform::stop_request()) return {K::kEnded, stop->exit_code, stop->reason};
    if (auto pause = platform::pause_reason()) return {K::kPaused, 0, *pause};
    if (!between_()) interrupted_ = true;
    return {};
  }
  bool interrupted() override {
    if (!interrupted_ && !between_()) interrupted_ = true;
    return interrupted_;
  }
  void end_run(int code, const std::string& reason) override { platform::request_stop(code, reason); }
  std::string statistics() override {
    std::string out;
    char buf[64];
    for (const auto& [name, value] : s_.stats()) {
      std::snprintf(buf, sizeof buf, "%.6g", value);
      out += name + " " + buf + "\n";
    }
    return out;
  }

 private:
  Simulator& s_;
  std::vector<platform::Processor*> harts_;
  sc_core::sc_time slice_;
  const std::function<bool()>& between_;
  bool interrupted_ = false;
};

}  // namespace

RunOutcome Simulator::serve_gdb(const std::string& address, uint64_t slice_ps, const std::function<bool()>& between) {
  if (finished_)
    throw std::logic_error("the simulation has ended (" + last_.reason + "); there is nothing left to debug");
  ensure_booted();
  uint64_t before = 0;
  for (auto* h : harts_) before += h->instructions_retired();
  const auto t0 = Clock::now();
  PythonTarget target(*this, harts_, slice_ps ? slice_ps : 1'000'000'000, between);
  debug::GdbServer server(target, address);
  started_ = true;
  const auto result = server.serve(/*wait=*/true, debug::GdbServer::Mode::kUntilDetach);
  RunOutcome out;
  if (auto stop = platform::stop_request()) {
    finished_ = true;
    out.exit_code = stop->exit_code;
    out.reason = stop->reason;
    out.kind = stop->exit_code == platform::kStuckExitCode ? "stuck" : "exit";
  } else if (target.interrupted()) {
    out.kind = "interrupted";
    out.exit_code = 130;
    out.reason = "interrupted at " + sc_core::sc_time_stamp().to_string();
  } else {
    out.kind = "detached";
    out.reason = result.ended ? result.last.reason : "the debugger detached";
  }
  return finish(out, before, t0);
}

std::optional<uint64_t> Simulator::symbol(const std::string& name) const {
  if (!boot_.symbols) return std::nullopt;
  return boot_.symbols->find(name);
}

unsigned Simulator::register_number(const std::string& hart_name, const std::string& name_in) {
  auto& h = hart(hart_name);
  std::string name;
  for (char c : name_in)
    if (!std::isspace(static_cast<unsigned char>(c))) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto regs = h.debug_registers();
  if (name == "fp") name = "s0";
  auto numbered = [&name](char prefix, unsigned& n) {
    if (name.size() < 2 || name.size() > 3 || name[0] != prefix) return false;
    if (name.find_first_not_of("0123456789", 1) != std::string::npos) return false;
    n = static_cast<unsigned>(std::stoul(name.substr(1)));
    return n < 32;
  };
  unsigned n = 0;
  if (numbered('x', n)) return n;
  for (const auto& r : regs)
    if (r.name == name) return r.number;
  if (numbered('f', n))
    for (const auto& r : regs)
      if (r.feature == "org.gnu.gdb.riscv.fpu" && r.number == 33 + n) return r.number;
  throw std::invalid_argument("unknown register '" + name_in + "' (general registers zero..t6 or x0..x31, pc, "
                              "f0..f31 or ft0..ft11/fs0../fa0.., CSRs such as mstatus or mcause, and priv)");
}

size_t Simulator::write_memory(uint64_t addr, const void* data, size_t len) {
  const size_t n = platform_->write_physical(addr, data, len);
  for (auto* h : harts_) h->code_modified(addr, n);
  return n;
}

std::vector<std::string> Simulator::uart_names() const {
  std::vector<std::string> out;
  for (const auto& i : platform_->instances())
    if (as_uart(i)) out.push_back(i.name);
  return out;
}

std::string Simulator::uart_or_first(const std::string& name) const {
  auto names = uart_names();
  if (names.empty()) throw std::invalid_argument("the platform has no dev.ns16550 UART");
  if (name.empty()) return names.front();
  for (const auto& n : names)
    if (n == name) return n;
  throw std::invalid_argument("no UART named '" + name + "'" + platform::did_you_mean_hint(name, names));
}

std::string Simulator::uart_output(const std::string& name) {
  const std::string n = uart_or_first(name);
  auto* u = as_uart(*platform_->instance(n));
  uart_text_[n] += u->take_output();
  return uart_text_[n];
}

void Simulator::uart_input(const std::string& name, const std::string& bytes) {
  as_uart(*platform_->instance(uart_or_first(name)))->inject_input(bytes);
}

std::map<std::string, double> Simulator::stats() {
  std::map<std::string, double> s;
  const double sim = sc_core::sc_time_stamp().to_seconds();
  uint64_t total = 0;
  for (size_t i = 0; i < harts_.size(); ++i) {
    const std::string& n = hart_names_[i];
    const uint64_t instr = harts_[i]->instructions_retired();
    total += instr;
    s[n + ".instructions"] = static_cast<double>(instr);
    s[n + ".pc"] = static_cast<double>(harts_[i]->pc());
    double host = host_seconds_total_;
#ifndef VP_NO_CPU
    if (auto* h = dynamic_cast<cpu::Hart*>(harts_[i])) host = h->host_seconds();
#endif
    s[n + ".host_seconds"] = host;
    s[n + ".mips"] = host > 0 ? instr / host / 1e6 : 0.0;
  }
  for (const auto& n : uart_names()) s[n + ".tx_bytes"] = static_cast<double>(uart_output(n).size());
  s["sim.instructions"] = static_cast<double>(total);
  s["sim.simulated_seconds"] = sim;
  s["sim.host_seconds"] = host_seconds_total_;
  s["sim.mips"] = host_seconds_total_ > 0 ? total / host_seconds_total_ / 1e6 : 0.0;
  // Everything the models publish (caches, predictors, pipeline, cycles...).
  for (const auto& v : platform::Statistics::global().query()) s[v.name] = v.value;
  return s;
}

}  // namespace vp::python
