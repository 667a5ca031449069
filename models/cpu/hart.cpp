#include "models/cpu/hart.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <unistd.h>

#include "models/cpu/htif.h"
#include "models/cpu/translator.h"
#include "models/cpu/names.h"
#include "platform/simulation.h"
#include "platform/statistics.h"
#include "platform/symbols.h"
#include "platform/terminal.h"
#include "platform/time_counter.h"
#include "platform/trace_events.h"

namespace vp::cpu {

using sc_core::sc_time;

// The core's view of the outside world, implemented with TLM; also what
// semihosting calls and trap records need from the simulation.
class Hart::Bridge : public CoreHost, public SemihostingHost, public TrapListener {
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
  // The first read asks the timer for a direct view (platform/time_counter.h);
  // when it has one, later reads compute the same value without a bus transaction
  // (U-Boot's and Linux's delay and polling loops read `time` constantly), unless
  // a trace-event file records bus accesses.
  //
  // Between two of the hart's synchronisation points (time_invalidate) simulated time
  // is a function of run_progress() alone: t(p) = t0 + period * max(p - p0, 0), p0
  // the instructions accounted when t0 was taken (Hart::account). With a uniform
  // counter (TimeCounter::uniform) a read then needs neither account() nor SystemC
  // time arithmetic, and tells the core for how many instructions the value holds
  // (Core::set_time_cache). The same value as value_at(t(p)): skipping account() only
  // leaves it to the next call, which adds the same exact amount.
  bool time_quiet() const override { return lin_valid_; }
  uint64_t time_now() override {
    if (lin_valid_) return uniform_read();
    h_.account();
    if (!h_.cfg_.mtime) {
      const sc_time now = sc_core::sc_time_stamp() + h_.qk_.get_local_time();
      return static_cast<uint64_t>(now / h_.timebase_period_);
    }
    if (counter_ && !platform::TraceEvents::enabled()) {
      const sc_time t = sc_core::sc_time_stamp() + h_.qk_.get_local_time() + counter_delay_;
      // Not in pipeline mode (time follows the modelled cycles) nor under lock-step (its
      // shadow replays every read the primary makes through its host).
      if (!h_.core_->timing() && !h_.lockstep_ && h_.period_.value() &&
          counter_->uniform(lin_step_, lin_offset_)) {
        lin_valid_ = true;
        lin_p0_ = h_.accounted_;
        lin_t0_ = t.value();
        return uniform_read();
      }
      return counter_->value_at(t);
    }
    uint8_t b[8] = {};
    tlm::tlm_generic_payload& gp = prepare(tlm::TLM_READ_COMMAND, *h_.cfg_.mtime, b, 8);
    const sc_time local = h_.qk_.get_local_time();
    sc_time delay = local;
    const bool ask = !counter_asked_;
    if (ask) {
      counter_asked_ = true;
      counter_ext_.counter = nullptr;
      gp.set_extension(&counter_ext_);
    }
    h_.core_->share_reservation();  // the target may wait: other harts may run
    h_.mem->b_transport(gp, delay);
    h_.time_invalidate();
    if (ask) {
      gp.clear_extension(&counter_ext_);
      if (gp.is_response_ok() && counter_ext_.counter && counter_ext_.arrival_delay >= local) {
        counter_ = counter_ext_.counter;
        counter_delay_ = counter_ext_.arrival_delay - local;
      }
    }
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
    act.output = [](const char* data, size_t len) { platform::console_output(data, len); };
    htif_handle(*h_.core_, h_.tohost_, h_.fromhost_, value, act);
  }
  bool debug_read(uint64_t paddr, void* data, unsigned len) override {
    return h_.debug_transport(false, paddr, data, len) == len;
  }

  // SemihostingHost
  void exit(int code, const std::string& reason) override {
    h_.stopped_ = true;
    h_.core_->request_stop();
    platform::request_stop(code, reason);
  }
  uint64_t elapsed_ns() override {
    h_.account();
    h_.time_invalidate();  // accounted_ moved: t(p) above assumes it did not
    return static_cast<uint64_t>((sc_core::sc_time_stamp() + h_.qk_.get_local_time()).to_seconds() * 1e9);
  }
  void console_write(const char* data, size_t len) override { platform::console_output(data, len); }
  int console_read() override {
    unsigned char c;
    for (;;) {
      const ssize_t n = ::read(STDIN_FILENO, &c, 1);
      if (n == 1) return c;
      if (n < 0 && errno == EINTR) continue;
      return -1;
    }
  }

  // TrapListener: traps and interrupts as trace events.
  void on_trap(uint64_t cause, bool interrupt, uint64_t epc, uint64_t tval) override {
    if (!platform::TraceEvents::enabled()) return;
    h_.account();
    h_.time_invalidate();
    char args[128];
    std::snprintf(args, sizeof args, "\"cause\":%llu,\"epc\":\"0x%llx\",\"tval\":\"0x%llx\"",
                  static_cast<unsigned long long>(cause), static_cast<unsigned long long>(epc),
                  static_cast<unsigned long long>(tval));
    const sc_time now = sc_core::sc_time_stamp() + h_.qk_.get_local_time();
    platform::TraceEvents::global().instant(h_.name(), cause_name(cause, interrupt),
                                            static_cast<uint64_t>(now.to_seconds() * 1e12 + 0.5), args);
  }

 private:
  // One payload for every access (MMIO polling loops make many): constructing one
  // allocates its extension array.
  tlm::tlm_generic_payload& prepare(tlm::tlm_command cmd, uint64_t paddr, void* data, unsigned len) {
    gp_.set_command(cmd);
    gp_.set_address(paddr);
    gp_.set_data_ptr(static_cast<unsigned char*>(data));
    gp_.set_data_length(len);
    gp_.set_streaming_width(len);
    gp_.set_byte_enable_ptr(nullptr);
    gp_.set_byte_enable_length(0);
    gp_.set_dmi_allowed(false);
    gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    return gp_;
  }
  bool transport(tlm::tlm_command cmd, uint64_t paddr, void* data, unsigned len) {
    h_.account();
    tlm::tlm_generic_payload& gp = prepare(cmd, paddr, data, len);
    sc_time delay = h_.qk_.get_local_time();
    h_.core_->share_reservation();  // the target may wait: other harts may run
    h_.mem->b_transport(gp, delay);
    h_.qk_.set(delay);
    h_.time_invalidate();  // the access added latency, wrote mtime, or waited
    // A device ended the run (finisher, mailbox EXIT): retire nothing after this access.
    if (platform::stop_requested() && !h_.stopped_) {
      h_.stopped_ = true;
      h_.core_->request_stop();
    }
    return gp.is_response_ok();
  }
  // time_now with the linear form valid: the value at run_progress(), and the range of
  // instructions that read the same value.
  uint64_t uniform_read() {
    const uint64_t p = h_.core_->run_progress();
    const uint64_t t = lin_t0_ + (p > lin_p0_ ? h_.period_.value() * (p - lin_p0_) : 0);
    const uint64_t q = t / lin_step_;
    // t(p') <= the last time unit of this step for p' < p + span (t grows at most period per instruction).
    const uint64_t span = (lin_step_ - 1 - (t - q * lin_step_)) / h_.period_.value() + 1;
    const uint64_t v = q + lin_offset_;
    h_.core_->set_time_cache(p, span, v);
    return v;
  }

 public:
  void time_invalidate() { lin_valid_ = false; }

 private:
  Hart& h_;
  tlm::tlm_generic_payload gp_;
  // The timer's direct view of mtime, once the first `time` read found one, and the
  // interconnect latency a read of it gathers before reaching the timer.
  bool counter_asked_ = false;
  platform::TimeCounterExtension counter_ext_;
  const platform::TimeCounter* counter_ = nullptr;
  sc_time counter_delay_ = sc_core::SC_ZERO_TIME;
  // The linear form of time_now (valid until time_invalidate): t(p) from lin_t0_ at
  // p = lin_p0_, and the counter's step and offset.
  bool lin_valid_ = false;
  uint64_t lin_p0_ = 0, lin_t0_ = 0, lin_step_ = 1, lin_offset_ = 0;
};

void Hart::time_invalidate() {
  bridge_->time_invalidate();
  core_->clear_time_cache();
}

Hart::Hart(const sc_core::sc_module_name& name, const HartConfig& cfg)
    : platform::Component(name), cfg_(cfg), bridge_(std::make_unique<Bridge>(*this)) {
  CoreConfig cc;
  cc.hartid = cfg.hartid;
  cc.ext = cfg.ext ? cfg.ext : parse_isa(cfg.isa);
  cc.reset_pc = cfg.reset_pc;
  cc.max_satp_mode = cfg.mmu == 39 ? 8 : 9;
  cc.pmp_entries = cfg.pmp_entries;
  cc.misaligned_emulate = cfg.misaligned_emulate;
  // Pipeline mode times every instruction: it always runs on the interpreter.
  cc.translate = cfg.translate && cfg.mode != "pipeline";
  if (cfg.lockstep && cc.translate) {
    lockstep_ = std::make_unique<Lockstep>(cc, *bridge_, std::cerr);
    core_ = &lockstep_->primary();
  } else {
    own_core_ = std::make_unique<Core>(cc, *bridge_);
    core_ = own_core_.get();
  }
  if (!cfg.pipeline_trace.file.empty()) {
    try {
      trace_ = std::make_unique<PipelineTrace>(cfg.pipeline_trace, cfg.hartid);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(std::string(this->name()) + ".pipeline_trace: " + e.what());
    }
  }
  core_->set_trap_listener(bridge_.get());
  if (cfg.mode == "pipeline") {
    pipeline_ = std::make_unique<Pipeline>(cfg.pipeline);
    spec_view_ = std::make_unique<CoreSpeculativeView>(*core_);
    pipeline_->set_speculative_view(spec_view_.get());
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
  if (const Translator* t = core_->translator()) {
    auto stat = [t](uint64_t TranslatorStats::*m) { return [t, m] { return static_cast<double>(t->stats().*m); }; };
    st.add_counter(n + ".translator.blocks", stat(&TranslatorStats::blocks_translated), "blocks translated");
    st.add_counter(n + ".translator.code_bytes", stat(&TranslatorStats::code_bytes), "x86-64 code emitted (bytes)");
    st.add_counter(n + ".translator.flushes", stat(&TranslatorStats::flushes), "code buffer flushes");
    st.add_counter(n + ".translator.entries", stat(&TranslatorStats::entries), "entries into translated code");
    st.add_counter(n + ".translator.exits_lookup", stat(&TranslatorStats::exits_lookup), "exits at a lookup-cache miss");
    st.add_counter(n + ".translator.exits_chain", stat(&TranslatorStats::exits_chain), "exits at an unlinked jump");
    st.add_counter(n + ".translator.exits_trap", stat(&TranslatorStats::exits_trap), "exits at a trap");
    st.add_counter(n + ".translator.exits_budget", stat(&TranslatorStats::exits_budget), "exits at the budget or a state change");
    st.add_counter(n + ".translator.helper_calls", stat(&TranslatorStats::helper_calls), "instructions run by the executor");
    st.add_counter(n + ".translator.time_reads", stat(&TranslatorStats::time_reads), "time CSR reads by inline code or the direct helper");
    st.add_counter(n + ".translator.time_cached", stat(&TranslatorStats::time_cached),
                   "time CSR reads answered inline from the core's time cache");
    st.add_counter(n + ".translator.wfi_no_sleep", stat(&TranslatorStats::wfi_no_sleep), "wfi that did not sleep (an interrupt pending): by the direct helper, or in spin laps skipped");
    st.add_counter(n + ".translator.spin_skipped", stat(&TranslatorStats::spin_skipped),
                   "instructions of wfi spin loops fast-forwarded (their state repeats exactly)");
    st.add_counter(n + ".translator.interpreted_blocks", stat(&TranslatorStats::interpreted_blocks), "blocks run by the interpreter");
    const Core* core = core_;
    st.add_counter(n + ".translator.blocks_decoded", [core] { return static_cast<double>(core->blocks_built()); },
                   "blocks pre-decoded (built) by the core");
    st.add_counter(n + ".translator.fence_i", [core] { return static_cast<double>(core->fence_i_count()); },
                   "fence.i executed (blocks are checked against memory after one)");
  }
  if (!pipeline_) {
    // Functional mode: one cycle per executed instruction, and the cycles asleep (as mcycle).
    st.add_counter(n + ".cycles", [this] { return static_cast<double>(core_->cycles()); },
                   "cycles (functional mode: one per instruction, plus cycles asleep in WFI)");
    return;
  }
  const Pipeline* p = pipeline_.get();
  pipeline_->for_each_counter([&](const std::string& k, const std::string& d, const uint64_t* v) {
    st.add_counter(n + "." + k, [p, v] {
      p->fold_counts();
      return static_cast<double>(*v);
    }, d);
  });
  pipeline_->for_each_ratio([&](const std::string& k, const std::string& num, const std::string& den,
                                const std::string& d) { st.add_ratio(n + "." + k, n + "." + num, n + "." + den, d); });
}

void Hart::reset() {
  core_->reset();
  time_invalidate();
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
  if (lockstep_)
    lockstep_->invalidate_dmi(start, end);
  else
    core_->invalidate_dmi(start, end);
}

void Hart::set_breakpoints(const std::vector<uint64_t>& pcs) {
  user_breakpoints_ = pcs;
  update_breakpoints();
}

void Hart::update_breakpoints() {
  std::vector<uint64_t> all = user_breakpoints_;
  all.insert(all.end(), debugger_breakpoints_.begin(), debugger_breakpoints_.end());
  core_->set_breakpoints(std::move(all));
}

void Hart::set_semihosting(const platform::SemihostingOptions& o) {
  core_->set_semihosting(nullptr);
  semihosting_.reset();
  if (!o.enabled) return;
  SemihostingConfig c;
  c.enabled = true;
  c.root = o.root;
  c.cmdline = o.cmdline;
  c.heap_base = o.heap_base;
  c.heap_limit = o.heap_limit;
  c.stack_base = o.stack_base;
  c.stack_limit = o.stack_limit;
  semihosting_ = std::make_unique<Semihosting>(c, *bridge_);
  core_->set_semihosting(semihosting_.get());
}

uint64_t Hart::instructions_trapped() const {
  const uint64_t retired = core_->instret();
  return executed_ > retired ? executed_ - retired : 0;
}

void Hart::debug_pause(const char* reason) {
  core_->share_reservation();
  qk_.sync();
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
  const uint64_t prog = lockstep_ ? lockstep_->run_progress() : core_->run_progress();
  if (prog > accounted_) {
    qk_.inc(sc_time::from_value(period_.value() * (prog - accounted_)));  // exact; no double rounding
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
    if (held_) {  // a debugger steps another hart: this one waits, its time passing
      sc_core::wait(quantum);
      continue;
    }
    if (pause_at_ && executed_ >= pause_at_) {
      pause_at_ = 0;
      debug_stop_ = {platform::DebugStop::Kind::kStep, false, platform::WatchKind::kWrite, 0, "step limit reached"};
      debug_pause("step limit reached");
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
    if (pause_at_) budget = std::min(budget, pause_at_ - executed_);
    if (phase_ != Phase::kWhole) region_boundaries(budget);
    if (single_step_) budget = 1;
    accounted_ = 0;
    time_invalidate();
    uint64_t done = 0;
    const bool timed = core_->timing() != nullptr;
    const auto t0 = std::chrono::steady_clock::now();
    const RunExit why = lockstep_ ? lockstep_->run(budget, done) : core_->run(budget, done);
    if (lockstep_ && lockstep_->refused()) {
      stopped_ = true;
      platform::request_stop(2, "lockstep: refused (see above)");
      break;
    }
    if (lockstep_ && lockstep_->diverged()) {
      stopped_ = true;
      platform::request_stop(3, "lockstep: translated code and interpreter differ: " + lockstep_->message());
      break;
    }
    host_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (timed)
      account();  // simulated time follows the modelled cycles
    else if (done > accounted_)
      qk_.inc(period_ * static_cast<double>(done - accounted_));
    accounted_ = 0;
    executed_ += done;
    if (why == RunExit::kMarker) marker(core_->take_marker());
    if (why == RunExit::kStopPc) {
      core_->set_stop_pc(~0ull);
      start_detail();
    }
    if (why == RunExit::kStop && core_->stuck() && !stopped_) {
      on_stuck();  // --on-stuck=continue goes on: simulated time must still reach the kernel
      if (!stopped_ && (cfg_.quantum_ps ? qk_.get_local_time() >= quantum : qk_.need_sync())) qk_.sync();
      continue;
    }
    if (why == RunExit::kStop || stopped_) break;
    if (why == RunExit::kDebug) {
      on_halt();
      continue;
    }
    if (single_step_ && done) {
      set_single_step(false);
      debug_stop_ = {platform::DebugStop::Kind::kStep, false, platform::WatchKind::kWrite, 0, "single step"};
      debug_pause("single step");
      continue;
    }
    if (why == RunExit::kWfi) {
      // Sleep until an interrupt line changes: simulated time jumps ahead.
      core_->share_reservation();
      qk_.sync();
      const sc_time slept_from = sc_core::sc_time_stamp();
      // No interrupt is enabled: only a debugger can change that (parked, see stuck_report).
      parked_ = core_->mie() == 0;
      activity_.set_asleep(true);
      while (!core_->wfi_wakeup() && !stopped_) sc_core::wait(irq_event_);
      activity_.set_asleep(false);
      parked_ = false;
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
    if (why == RunExit::kBudget) check_spin();
    if ((cfg_.quantum_ps ? qk_.get_local_time() >= quantum : qk_.need_sync()) &&
        sync_needed(quantum)) {
      core_->share_reservation();  // the other harts run their quantum now
      qk_.sync();
    }
  }
  core_->share_reservation();
  qk_.sync();
  activity_.set_asleep(true);  // this hart runs no more
}


// ---------------------------------------------------------------------------
// Fast-forward, then detail; ROI markers.

bool Hart::set_detail_region(const platform::DetailRegion& region) {
  using Start = platform::DetailRegion::Start;
  region_ = region;
  phase_ = Phase::kFastForward;
  core_->set_timing(nullptr);  // functional until the start
  core_->set_tlb_banks(false);
  core_->set_stop_pc(region.start == Start::kPc ? region.at : ~0ull);
  if (region.period) register_statistics();  // adds the sampling estimate
  if (region.start == Start::kReset) start_detail();
  return true;
}

bool Hart::set_bbv(const std::string& path, uint64_t interval) {
  if (lockstep_) return false;
  core_->set_block_counter(nullptr);
  bbv_ = std::make_unique<BbvWriter>(path, interval);
  core_->set_block_counter(bbv_.get());
  return true;
}

void Hart::region_boundaries(uint64_t& budget) {
  using Start = platform::DetailRegion::Start;
  if (phase_ == Phase::kFastForward && region_.start == Start::kInstructions && region_.functional_warm) {
    const uint64_t from = region_.at > region_.functional_warm ? region_.at - region_.functional_warm : 0;
    if (executed_ >= from) start_functional_warm();
    else budget = std::min(budget, from - executed_);
  }
  if ((phase_ == Phase::kFastForward || phase_ == Phase::kFunctionalWarm) && region_.start == Start::kInstructions) {
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

void Hart::use_pipeline() {
  if (!pipeline_) {
    pipeline_ = std::make_unique<Pipeline>(cfg_.pipeline);
    spec_view_ = std::make_unique<CoreSpeculativeView>(*core_);
    pipeline_->set_speculative_view(spec_view_.get());
    register_statistics();  // the timing model's counters replace the functional cycle count
  }
  // The clock runs on: the timing model's cycles continue from the functional count.
  const uint64_t c = core_->cycles();
  if (pipeline_->cycles() < c) pipeline_->idle(c - pipeline_->cycles());
  cycles_accounted_ = pipeline_->cycles();
}

void Hart::start_functional_warm() {
  use_pipeline();
  pipeline_->set_warming(true);
  core_->set_timing(pipeline_.get());  // the interpreter passes every instruction to the warming hooks
  phase_ = Phase::kFunctionalWarm;
}

void Hart::start_detail() {
  if (region_.period && samples_ == 0 && (phase_ == Phase::kFastForward || phase_ == Phase::kFunctionalWarm)) {
    if (region_.start != platform::DetailRegion::Start::kInstructions) region_.at = executed_;
    period_base_ = region_.at;  // the first window starts here, the next ones in later periods
  }
  use_pipeline();
  pipeline_->set_warming(false);
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
    period_base_ += region_.period;
    sample_rng_ ^= sample_rng_ << 13;  // xorshift64
    sample_rng_ ^= sample_rng_ >> 7;
    sample_rng_ ^= sample_rng_ << 17;
    const uint64_t slack = region_.period - region_.warmup - region_.count;  // > 0 (checked)
    region_.at = std::max(period_base_ + sample_rng_ % slack, executed_);
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
  time_invalidate();
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
  time_invalidate();
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

// The quantum is used up. Syncing lets the other processes catch up with this hart's
// local time; when none has anything to do before that time (no process runnable now,
// no event earlier), it would only switch to the kernel and back, so the hart runs on,
// up to kMaxQuantaAhead quanta ahead (pauses and time limits stay prompt).
bool Hart::sync_needed(const sc_time& quantum) const {
  constexpr double kMaxQuantaAhead = 64;
  const sc_time ahead = qk_.get_local_time();
  if (ahead >= quantum * kMaxQuantaAhead) return true;
  const sc_core::sc_simcontext* sim = sc_core::sc_get_curr_simcontext();
  if (sc_core::sc_pending_activity_at_current_time(sim)) return true;
  return ahead >= sc_core::sc_time_to_pending_activity(sim);
}

}  // namespace vp::cpu
