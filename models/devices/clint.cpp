// sc_spawn (one timer method per hart) needs the dynamic-process API.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "models/devices/clint.h"

#include <cmath>
#include <limits>

namespace vp::dev {

using u128 = unsigned __int128;

Clint::Clint(const sc_core::sc_module_name& name, const ClintConfig& config)
    : MmioTarget(name, kSize, config.latency),
      msip(config.harts),
      mtip(config.harts),
      config_(config),
      ticks_per_second_(uint64_t(std::llround(1.0 / sc_core::sc_get_time_resolution().to_seconds()))) {
  if (config_.timebase_hz == 0) config_.timebase_hz = 1;
  if (ticks_per_second_ % config_.timebase_hz == 0) ticks_per_tick_ = ticks_per_second_ / config_.timebase_hz;
  for (unsigned h = 0; h < config_.harts; ++h) {
    harts_.push_back(std::make_unique<Hart>());
    sc_core::sc_spawn_options opts;
    opts.spawn_method();
    opts.set_sensitivity(&harts_[h]->timer);
    opts.dont_initialize();
    sc_core::sc_spawn([this, h] { on_timer(h); }, sc_core::sc_gen_unique_name("mtimer"), &opts);
  }
  expose_irq_out_array("msip", msip);
  expose_irq_out_array("mtip", mtip);
}

uint64_t Clint::ticks_of(const sc_core::sc_time& t) const { return t.value(); }

uint64_t Clint::mtime_at(const sc_core::sc_time& t) const {
  // floor(ticks * f / tps) = floor(ticks / (tps / f)) when f divides tps (10 MHz at
  // a ps resolution): one 64-bit division for the hart's frequent `time` reads.
  if (ticks_per_tick_) return ticks_of(t) / ticks_per_tick_ + mtime_offset_;
  const u128 raw = u128(ticks_of(t)) * config_.timebase_hz / ticks_per_second_;
  return uint64_t(raw) + mtime_offset_;
}

// mtip = (mtime >= mtimecmp). Raise/lower now and, while low, arm the event
// for the first SystemC tick at which mtime == mtimecmp.
void Clint::update_timer(unsigned h, const sc_core::sc_time& now) {
  Hart& hart = *harts_[h];
  hart.timer.cancel();
  const uint64_t mtime = mtime_at(now);
  if (mtime >= hart.mtimecmp) {
    mtip[h].raise();
    return;
  }
  mtip[h].lower();
  // raw mtime value at which mtime reaches mtimecmp, then its time: ceil(raw * tps / f).
  // From the distance left (mtime moved below its raw value by a write must not wrap
  // the target into the past: an event now would fire again and again).
  const u128 raw_target = u128(mtime - mtime_offset_) + (hart.mtimecmp - mtime);
  const u128 ticks = (raw_target * ticks_per_second_ + config_.timebase_hz - 1) / config_.timebase_hz;
  if (ticks > std::numeric_limits<uint64_t>::max() / 2) return;  // beyond any simulation
  const sc_core::sc_time when = sc_core::sc_time::from_value(uint64_t(ticks));
  const sc_core::sc_time stamp = sc_core::sc_time_stamp();
  hart.timer.notify(when > stamp ? when - stamp : sc_core::SC_ZERO_TIME);
}

void Clint::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const sc_core::sc_time arrival = delay;
  MmioTarget::b_transport(gp, delay);
  auto* ext = gp.get_extension<platform::TimeCounterExtension>();
  if (ext && gp.is_response_ok() && gp.is_read() && gp.get_address() == kMtime && gp.get_data_length() == 8) {
    ext->counter = this;
    ext->arrival_delay = arrival;
  }
}

void Clint::on_timer(unsigned h) { update_timer(h, sc_core::sc_time_stamp()); }

bool Clint::read(uint64_t offset, uint8_t* data, unsigned len, bool debug,
                 const sc_core::sc_time& now) {
  if (offset < kMtimecmp) {
    if (len != 4 || offset % 4) return false;
    const uint64_t h = (offset - kMsip) / 4;
    store_le(data, len, h < harts_.size() ? harts_[h]->msip : 0);
    return true;
  }
  return access64(offset, data, len, /*is_write=*/false, debug, now);
}

bool Clint::write(uint64_t offset, const uint8_t* data, unsigned len, bool debug,
                  const sc_core::sc_time& now) {
  if (offset < kMtimecmp) {
    if (len != 4 || offset % 4) return false;
    const uint64_t h = (offset - kMsip) / 4;
    if (h < harts_.size()) {
      harts_[h]->msip = uint32_t(load_le(data, len)) & kMsipBit;
      msip[h].set(harts_[h]->msip != 0);
    }
    return true;
  }
  return access64(offset, const_cast<uint8_t*>(data), len, /*is_write=*/true, debug, now);
}

// mtimecmp and mtime: 64-bit registers, accessible whole or as 32-bit halves.
bool Clint::access64(uint64_t offset, uint8_t* data, unsigned len, bool is_write, bool,
                     const sc_core::sc_time& now) {
  if ((len != 4 && len != 8) || offset % len) return false;
  const uint64_t base = offset & ~uint64_t(7);
  const unsigned shift = unsigned(offset - base) * 8;
  const uint64_t mask = len == 8 ? ~uint64_t(0) : uint64_t(0xffffffff) << shift;
  uint64_t* reg = nullptr;
  uint64_t mtime = 0;
  int hart = -1;
  if (base == kMtime) {
    mtime = mtime_at(now);
    reg = &mtime;
  } else if (base >= kMtimecmp && (base - kMtimecmp) / 8 < harts_.size()) {
    hart = int((base - kMtimecmp) / 8);
    reg = &harts_[unsigned(hart)]->mtimecmp;
  }
  if (!is_write) {
    store_le(data, len, reg ? (*reg & mask) >> shift : 0);
    return true;
  }
  if (!reg) return true;  // reserved: ignored
  const uint64_t value = (*reg & ~mask) | ((load_le(data, len) << shift) & mask);
  if (base == kMtime) {
    mtime_offset_ += value - mtime;  // mtime(now) becomes value
    for (unsigned h = 0; h < harts_.size(); ++h) update_timer(h, now);
  } else {
    *reg = value;
    update_timer(unsigned(hart), now);
  }
  return true;
}

}  // namespace vp::dev

namespace vp::dev {

bool Clint::save_state(platform::StateWriter& out) const {
  out.tag("clint/1");
  out.u64(harts_.size());
  out.u64(mtime_at(sc_core::sc_time_stamp()));
  for (const auto& h : harts_) {
    out.u32(h->msip);
    out.u64(h->mtimecmp);
  }
  return true;
}

// mtime continues from its saved value whatever the simulated time is now.
void Clint::restore_state(platform::StateReader& in) {
  in.tag("clint/1");
  in.expect_u64(harts_.size(), "the number of harts");
  const uint64_t mtime = in.u64();
  mtime_offset_ = 0;
  mtime_offset_ = mtime - mtime_at(sc_core::sc_time_stamp());
  for (unsigned h = 0; h < harts_.size(); ++h) {
    harts_[h]->msip = in.u32() & kMsipBit;
    harts_[h]->mtimecmp = in.u64();
    msip[h].set(harts_[h]->msip != 0);
    update_timer(h, sc_core::sc_time_stamp());
  }
}

}  // namespace vp::dev
