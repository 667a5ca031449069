#include "models/cpu/hart.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "models/cpu/htif.h"
#include "platform/simulation.h"
#include "platform/statistics.h"

namespace vp::cpu {

using sc_core::sc_time;

// The core's view of the outside world, implemented with TLM.
class Hart::Bridge : public CoreHost {
 public:
  explicit Bridge(Hart& h) : h_(h) {}

  bool dmi(uint64_t paddr, bool write, DmiRegion& out) override {
    tlm::tlm_generic_payload gp;
    gp.set_address(paddr);
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    tlm::tlm_dmi d;
    if (!h_.mem->get_direct_mem_ptr(gp, d)) return false;
    out.base = d.get_start_address();
    out.end = d.get_end_address();
    out.ptr = d.get_dmi_ptr();
    out.read = d.is_read_allowed();
    out.write = d.is_write_allowed();
    return out.ptr != nullptr;
  }
  bool read(uint64_t paddr, void* data, unsigned len) override {
    return transport(tlm::TLM_READ_COMMAND, paddr, data, len);
  }
  bool write(uint64_t paddr, const void* data, unsigned len) override {
    return transport(tlm::TLM_WRITE_COMMAND, paddr, const_cast<void*>(data), len);
  }
  // Priv. spec 3.2.1: `time` is a read-only shadow of mtime, so it is read from
  // the timer device itself (its value includes any write to mtime). The read
  // carries the hart's local time; the device latency it returns is not spent.
  uint64_t time_now() override {
    h_.account();
    if (!h_.cfg_.mtime) {
      const sc_time now = sc_core::sc_time_stamp() + h_.qk_.get_local_time();
      return static_cast<uint64_t>(now / h_.timebase_period_);
    }
    uint8_t b[8] = {};
    tlm::tlm_generic_payload gp;
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(*h_.cfg_.mtime);
    gp.set_data_ptr(b);
    gp.set_data_length(8);
    gp.set_streaming_width(8);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = h_.qk_.get_local_time();
    h_.mem->b_transport(gp, delay);
    if (!gp.is_response_ok() && !h_.stopped_) {
      char where[32];
      std::snprintf(where, sizeof where, "0x%llx", static_cast<unsigned long long>(*h_.cfg_.mtime));
      h_.stopped_ = true;
      h_.core_->request_stop();
      platform::request_stop(1, std::string(h_.name()) + ": the time CSR reads mtime at " + where +
                                    " (property 'mtime'), which answered " + gp.get_response_string());
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; ++i) v |= static_cast<uint64_t>(b[i]) << (8 * i);
    return v;
  }
  void htif_tohost(uint64_t value) override {
    HtifActions act;
    act.exit = [this](int code, const std::string& reason) {
      h_.stopped_ = true;
      h_.core_->request_stop();
      platform::request_stop(code, reason);
    };
    act.output = [](const char* data, size_t len) {
      std::fwrite(data, 1, len, stdout);
      std::fflush(stdout);
    };
    htif_handle(*h_.core_, h_.tohost_, h_.fromhost_, value, act);
  }

 private:
  bool transport(tlm::tlm_command cmd, uint64_t paddr, void* data, unsigned len) {
    h_.account();
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(paddr);
    gp.set_data_ptr(static_cast<unsigned char*>(data));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = h_.qk_.get_local_time();
    h_.mem->b_transport(gp, delay);
    h_.qk_.set(delay);
    // A device ended the run (finisher, mailbox EXIT): retire nothing after this access.
    if (platform::stop_requested() && !h_.stopped_) {
      h_.stopped_ = true;
      h_.core_->request_stop();
    }
    return gp.is_response_ok();
  }
  Hart& h_;
};

Hart::Hart(const sc_core::sc_module_name& name, const HartConfig& cfg)
    : platform::Component(name), cfg_(cfg), bridge_(std::make_unique<Bridge>(*this)) {
  CoreConfig cc;
  cc.hartid = cfg.hartid;
  cc.ext = cfg.ext ? cfg.ext : parse_isa(cfg.isa);
  cc.reset_pc = cfg.reset_pc;
  cc.max_satp_mode = cfg.mmu == 39 ? 8 : 9;
  cc.pmp_entries = cfg.pmp_entries;
  cc.misaligned_emulate = cfg.misaligned_emulate;
  core_ = std::make_unique<Core>(cc, *bridge_);
  if (!cfg.pipeline_trace.file.empty()) {
    try {
      trace_ = std::make_unique<PipelineTrace>(cfg.pipeline_trace, cfg.hartid);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(std::string(this->name()) + ".pipeline_trace: " + e.what());
    }
  }
  if (cfg.mode == "pipeline") {
    pipeline_ = std::make_unique<Pipeline>(cfg.pipeline);
    if (trace_) pipeline_->set_observer(trace_.get());
    core_->set_timing(pipeline_.get());
  }
  period_ = sc_time(1e12 / static_cast<double>(cfg.clock_hz ? cfg.clock_hz : 1), sc_core::SC_PS);
  timebase_period_ =
      sc_time(1e12 / static_cast<double>(cfg.timebase_hz ? cfg.timebase_hz : 1), sc_core::SC_PS);
  mem.register_invalidate_direct_mem_ptr(this, &Hart::invalidate_direct_mem_ptr);
  expose_initiator("mem", mem);
  expose_irq_in("msip", msip);
  expose_irq_in("mtip", mtip);
  expose_irq_in("meip", meip);
  expose_irq_in("seip", seip);
  msip.on_change([this](bool l) { irq_changed(3, l); });
  mtip.on_change([this](bool l) { irq_changed(7, l); });
  meip.on_change([this](bool l) { irq_changed(11, l); });
  seip.on_change([this](bool l) { irq_changed(9, l); });
  SC_THREAD(run_thread);
  register_statistics();
}

Hart::~Hart() { platform::Statistics::global().remove(name()); }

void Hart::register_statistics() {
  auto& st = platform::Statistics::global();
  const std::string n = name();
  st.remove(n);
  st.add_counter(n + ".instructions", [this] { return static_cast<double>(core_->instret()); },
                 "instructions retired");
  st.add_counter(n + ".host_seconds", [this] { return host_seconds_; }, "host time spent executing");
  st.add_ratio(n + ".ipc", n + ".instructions", n + ".cycles", "instructions per cycle");
  if (region_.period) {
    // SMARTS-style estimate: mean CPI of the windows and its 95 % confidence half-width.
    st.add_formula(n + ".sampling.windows", [this] { return samples_; }, "measured sampling windows");
    st.add_formula(n + ".sampling.cpi", [this] { return samples_ ? cpi_sum_ / samples_ : 0.0; },
                   "estimated CPI: mean of the windows' CPI");
    st.add_formula(n + ".sampling.cpi_ci95", [this] {
      if (samples_ < 2) return 0.0;
      const double mean = cpi_sum_ / samples_;
      const double var = std::max(0.0, (cpi_sumsq_ - samples_ * mean * mean) / (samples_ - 1));
      return 1.96 * std::sqrt(var / samples_);
    }, "95 % confidence half-width of the CPI estimate (normal approximation)");
  }

  st.add_formula(n + ".host_mips", [this] {
    return host_seconds_ > 0 ? static_cast<double>(core_->instret()) / host_seconds_ / 1e6 : 0.0;
  }, "simulation speed (million instructions per host second)");
  if (!pipeline_) {
    // Functional mode: one cycle per executed instruction, and the cycles asleep (as mcycle).
    st.add_counter(n + ".cycles", [this] { return static_cast<double>(core_->cycles()); },
                   "cycles (functional mode: one per instruction, plus cycles asleep in WFI)");
    return;
  }
  pipeline_->for_each_counter([&](const std::string& k, const std::string& d, const uint64_t* v) {
    st.add_counter(n + "." + k, v, d);
  });
  pipeline_->for_each_ratio([&](const std::string& k, const std::string& num, const std::string& den,
                                const std::string& d) { st.add_ratio(n + "." + k, n + "." + num, n + "." + den, d); });
}

void Hart::reset() {
  core_->reset();
  // Lines may have been raised during binding.
  core_->set_irq_line(3, msip.level());
  core_->set_irq_line(7, mtip.level());
  core_->set_irq_line(11, meip.level());
  core_->set_irq_line(9, seip.level());
  if (boot_set_) set_boot(boot_pc_, boot_a0_, boot_a1_);
}

void Hart::set_boot(uint64_t pc, uint64_t arg0, uint64_t arg1) {
  boot_set_ = true;
  boot_pc_ = pc;
  boot_a0_ = arg0;
  boot_a1_ = arg1;
  core_->set_pc(pc);
  core_->set_reg(10, arg0);
  core_->set_reg(11, arg1);
}

void Hart::set_htif(uint64_t tohost, uint64_t fromhost) {
  tohost_ = tohost;
  fromhost_ = fromhost;
  core_->set_htif(tohost, fromhost);
}

void Hart::irq_changed(unsigned bit, bool level) {
  core_->set_irq_line(bit, level);
  if (level && sc_core::sc_is_running()) irq_event_.notify(sc_core::SC_ZERO_TIME);
}

void Hart::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  core_->invalidate_dmi(start, end);
}

void Hart::set_breakpoints(const std::vector<uint64_t>& pcs) {
  breakpoints_ = pcs;
  std::sort(breakpoints_.begin(), breakpoints_.end());
}

void Hart::debug_pause(const char* reason) {
  qk_.sync();
  resume_pc_ = core_->pc();
  platform::request_pause(std::string(reason) + " (" + name() + ")");
  sc_core::wait(sc_core::SC_ZERO_TIME);  // sc_start returns at the end of this delta cycle
}

void Hart::account() {
  if (core_->timing()) {
    const uint64_t c = pipeline_->cycles();
    if (c > cycles_accounted_) {
      qk_.inc(period_ * static_cast<double>(c - cycles_accounted_));
      cycles_accounted_ = c;
    }
    return;
  }
  const uint64_t prog = core_->run_progress();
  if (prog > accounted_) {
    qk_.inc(period_ * static_cast<double>(prog - accounted_));
    accounted_ = prog;
  }
}

void Hart::run_thread() {
  qk_.reset();
  sc_time quantum = cfg_.quantum_ps ? sc_time(static_cast<double>(cfg_.quantum_ps), sc_core::SC_PS)
                                    : tlm::tlm_global_quantum::instance().get();
  if (quantum == sc_core::SC_ZERO_TIME) quantum = sc_time(10, sc_core::SC_US);
  const uint64_t batch = std::max<uint64_t>(1, static_cast<uint64_t>(quantum / period_));
  while (!stopped_) {
    if (pause_at_ && executed_ >= pause_at_) {
      pause_at_ = 0;
      debug_pause("step limit reached");
      continue;
    }
    if (!breakpoints_.empty() && core_->pc() != resume_pc_ &&
        std::binary_search(breakpoints_.begin(), breakpoints_.end(), core_->pc())) {
      char where[48];
      std::snprintf(where, sizeof where, "breakpoint at 0x%llx", static_cast<unsigned long long>(core_->pc()));
      debug_pause(where);
      continue;
    }
    uint64_t budget = batch;
    if (limit_) {
      if (executed_ >= limit_) {
        stopped_ = true;
        platform::request_stop(124, "instruction limit " + std::to_string(limit_) + " reached");
        break;
      }
      budget = std::min(budget, limit_ - executed_);
    }
    if (!breakpoints_.empty()) budget = 1;  // check every pc (slow, only while debugging)
    if (pause_at_) budget = std::min(budget, pause_at_ - executed_);
    if (phase_ != Phase::kWhole) region_boundaries(budget);
    accounted_ = 0;
    uint64_t done = 0;
    const bool timed = core_->timing() != nullptr;
    const auto t0 = std::chrono::steady_clock::now();
    const RunExit why = core_->run(budget, done);
    host_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (timed)
      account();  // simulated time follows the modelled cycles
    else if (done > accounted_)
      qk_.inc(period_ * static_cast<double>(done - accounted_));
    accounted_ = 0;
    executed_ += done;
    if (done) resume_pc_ = ~0ull;
    if (why == RunExit::kMarker) marker(core_->take_marker());
    if (why == RunExit::kStopPc) {
      core_->set_stop_pc(~0ull);
      start_detail();
    }
    if (why == RunExit::kStop || stopped_) break;
    if (why == RunExit::kWfi) {
      // Sleep until an interrupt line changes: simulated time jumps ahead.
      qk_.sync();
      const sc_time slept_from = sc_core::sc_time_stamp();
      while (!core_->wfi_wakeup() && !stopped_) sc_core::wait(irq_event_);
      // The clock runs on while the hart sleeps: mcycle counts those cycles too.
      const auto idle = static_cast<uint64_t>((sc_core::sc_time_stamp() - slept_from) / period_);
      if (core_->timing()) {
        pipeline_->idle(idle);
        cycles_accounted_ += idle;  // already elapsed in simulated time
      } else {
        core_->add_idle_cycles(idle);
      }
      continue;
    }
    if (cfg_.quantum_ps ? qk_.get_local_time() >= quantum : qk_.need_sync()) qk_.sync();
  }
  qk_.sync();
}


// ---------------------------------------------------------------------------
// Fast-forward, then detail; ROI markers.

bool Hart::set_detail_region(const platform::DetailRegion& region) {
  using Start = platform::DetailRegion::Start;
  region_ = region;
  phase_ = Phase::kFastForward;
  core_->set_timing(nullptr);  // functional until the start
  core_->set_stop_pc(region.start == Start::kPc ? region.at : ~0ull);
  if (region.period) register_statistics();  // adds the sampling estimate
  if (region.start == Start::kReset) start_detail();
  return true;
}

void Hart::region_boundaries(uint64_t& budget) {
  using Start = platform::DetailRegion::Start;
  if (phase_ == Phase::kFastForward && region_.start == Start::kInstructions) {
    if (executed_ >= region_.at) start_detail();
    else budget = std::min(budget, region_.at - executed_);
  }
  if (phase_ == Phase::kWarmup) {
    if (executed_ >= phase_end_) start_measure();
    else budget = std::min(budget, phase_end_ - executed_);
  }
  if (phase_ == Phase::kMeasure && phase_end_) {
    if (executed_ >= phase_end_) end_detail();
    else budget = std::min(budget, phase_end_ - executed_);
  }
}

void Hart::start_detail() {
  if (region_.period && region_.start != platform::DetailRegion::Start::kInstructions) region_.at = executed_;
  if (!pipeline_) {
    pipeline_ = std::make_unique<Pipeline>(cfg_.pipeline);
    register_statistics();  // the timing model's counters replace the functional cycle count
  }
  // The clock runs on: the timing model's cycles continue from the functional count.
  const uint64_t c = core_->cycles();
  if (pipeline_->cycles() < c) pipeline_->idle(c - pipeline_->cycles());
  cycles_accounted_ = pipeline_->cycles();
  if (trace_) pipeline_->set_observer(trace_.get());
  core_->set_timing(pipeline_.get());
  phase_ = Phase::kWarmup;
  phase_end_ = executed_ + region_.warmup;
  if (!region_.warmup) start_measure();
}

void Hart::start_measure() {
  if (!region_.period) platform::Statistics::global().reset();
  window_cycles0_ = pipeline_->cycles();
  window_insns0_ = executed_;
  phase_ = Phase::kMeasure;
  phase_end_ = region_.count ? executed_ + region_.count : 0;
}

void Hart::end_detail() {
  if (region_.period && phase_ == Phase::kMeasure && executed_ > window_insns0_) {
    // One sampling window measured; fast-forward to the next.
    const double cpi = static_cast<double>(pipeline_->cycles() - window_cycles0_) /
                       static_cast<double>(executed_ - window_insns0_);
    samples_ += 1;
    cpi_sum_ += cpi;
    cpi_sumsq_ += cpi * cpi;
    leave_detail();
    using Start = platform::DetailRegion::Start;
    region_.start = Start::kInstructions;
    region_.at = std::max(region_.at + region_.period, executed_);
    phase_ = Phase::kFastForward;
    phase_end_ = 0;
    return;
  }
  platform::Statistics::global().hold();
  leave_detail();
  phase_ = Phase::kDone;
  phase_end_ = 0;
}

void Hart::leave_detail() {
  core_->set_timing(nullptr);
  const uint64_t f = core_->cycles();  // functional count now
  if (pipeline_->cycles() > f) core_->add_idle_cycles(pipeline_->cycles() - f);
  accounted_ = 0;
}

void Hart::marker(unsigned m) {
  using Start = platform::DetailRegion::Start;
  auto& stats = platform::Statistics::global();
  const bool region = phase_ != Phase::kWhole;
  switch (m) {
    case kMarkerRoiBegin:
      if (phase_ == Phase::kFastForward && region_.start == Start::kMarker) start_detail();
      else if (!region) stats.reset();  // whole run in one mode: the ROI's statistics only
      break;
    case kMarkerRoiEnd:
      if (phase_ == Phase::kWarmup || phase_ == Phase::kMeasure) end_detail();
      else if (!region) stats.hold();
      break;
    case kMarkerResetStats:
      stats.reset();
      break;
    case kMarkerDumpStats: {
      const sc_time now = sc_core::sc_time_stamp() + qk_.get_local_time();
      stats.dump(static_cast<uint64_t>(now / sc_time(1, sc_core::SC_PS)));
      break;
    }
    case kMarkerExit:
      stopped_ = true;
      platform::request_stop(static_cast<int>(core_->reg(10) & 0xff),
                             "ROI marker exit " + std::to_string(core_->reg(10)) + " (" + name() + ")");
      break;
    default:
      break;
  }
}

// ---------------------------------------------------------------------------
// Checkpoints

bool Hart::save_state(platform::StateWriter& out) const {
  out.tag("riscv.hart/1");
  out.u64(cfg_.hartid);
  out.u64(core_->config().ext);
  core_->save_state(out);
  out.u64(executed_);
  out.u64(core_->cycles());
  out.u64(tohost_);
  out.u64(fromhost_);
  return true;
}

void Hart::restore_state(platform::StateReader& in) {
  in.tag("riscv.hart/1");
  in.expect_u64(cfg_.hartid, "hartid");
  in.expect_u64(core_->config().ext, "the ISA extension set");
  core_->restore_state(in);
  executed_ = in.u64();
  const uint64_t cycles = in.u64();
  tohost_ = in.u64();
  fromhost_ = in.u64();
  core_->set_htif(tohost_, fromhost_);
  // mcycle runs on: a timing model continues from the saved cycle count.
  if (core_->timing() && pipeline_->cycles() < cycles) pipeline_->idle(cycles - pipeline_->cycles());
  cycles_accounted_ = pipeline_ ? pipeline_->cycles() : 0;
  boot_set_ = false;  // the registers come from the checkpoint, not from set_boot
  // Interrupt lines are re-driven by the restored devices; the core keeps its saved view until then.
}

}  // namespace vp::cpu
