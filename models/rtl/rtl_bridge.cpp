#include "models/rtl/rtl_bridge.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace vp::rtl {

RtlBridge::RtlBridge(const sc_core::sc_module_name& name, std::unique_ptr<RtlModel> model,
                     const RtlBridgeConfig& config)
    : Component(name),
      mem_(config.master ? std::make_unique<platform::InitiatorSocket>("mem") : nullptr),
      model_(std::move(model)),
      config_(config),
      dpi_(mem_.get(), *this) {
  socket.bind(*this);
  expose_target("", socket, config_.size);
  expose_irq_out("irq", irq);
  if (mem_) {
    mem_->bind(*this);
    expose_initiator("mem", *mem_);
  }
  period_ = std::max<uint64_t>(1, config_.period.value());
  model_->set_period_ps(uint64_t(config_.period.to_seconds() * 1e12 + 0.5));
  if (!config_.trace.empty() && !model_->open_trace(config_.trace))
    throw std::runtime_error(std::string(this->name()) + ": this RTL model was not verilated with " +
                             "tracing for '" + config_.trace + "' (vp_add_rtl_component TRACE vcd|fst)");
  {
    DpiScope scope(&dpi_);
    model_->reset(config_.reset_cycles);
  }
  irq.set(model_->irq());
  SC_THREAD(run);
}

RtlBridge::~RtlBridge() { model_->flush_trace(); }

void RtlBridge::tick(uint64_t count) {
  DpiScope scope(&dpi_);  // only around evaluation: the scope must never span a wait()
  model_->idle(count);
  cycles_ += count;
  rtl_time_ += count * period_;
}

void RtlBridge::catch_up(uint64_t until) {
  if (until <= rtl_time_) return;
  const uint64_t n = (until - rtl_time_ + period_ - 1) / period_;
  if (n > config_.max_catch_up) {
    // A long idle gap: run the last max_catch_up cycles only.
    rtl_time_ += (n - config_.max_catch_up) * period_;
    tick(config_.max_catch_up);
  } else {
    tick(n);
  }
}

tlm::tlm_response_status RtlBridge::access(tlm::tlm_generic_payload& gp, uint64_t& cycles) {
  const uint64_t addr = gp.get_address();
  const unsigned len = gp.get_data_length();
  if (gp.get_byte_enable_ptr()) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
  if (len == 0 || addr >= config_.size || len > config_.size - addr) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
  if (!gp.is_read() && !gp.is_write()) return tlm::TLM_OK_RESPONSE;
  uint8_t* data = gp.get_data_ptr();
  const unsigned w = model_->bus_bytes();
  if (config_.master) dpi_.set_time_ps(uint64_t(sc_core::sc_time::from_value(rtl_time_).to_seconds() * 1e12));
  // Split into aligned bus beats; bytes are little-endian on the bus.
  for (unsigned i = 0; i < len;) {
    const uint64_t a = addr + i;
    const uint64_t beat = a & ~uint64_t(w - 1);
    const unsigned first = unsigned(a - beat);
    const unsigned n = std::min(w - first, len - i);
    uint32_t word = 0;
    BusResult r;
    if (gp.is_read()) {
      DpiScope scope(&dpi_);
      r = model_->read(beat, word, config_.timeout_cycles);
      if (r.status == BusStatus::Ok)
        for (unsigned k = 0; k < n; ++k) data[i + k] = uint8_t(word >> (8 * (first + k)));
    } else {
      unsigned strobe = 0;
      for (unsigned k = 0; k < n; ++k) {
        word |= uint32_t(data[i + k]) << (8 * (first + k));
        strobe |= 1u << (first + k);
      }
      DpiScope scope(&dpi_);
      r = model_->write(beat, word, strobe, config_.timeout_cycles);
    }
    cycles += r.cycles;
    cycles_ += r.cycles;
    rtl_time_ += r.cycles * period_;
    switch (r.status) {
      case BusStatus::Ok:
        break;
      case BusStatus::SlaveError:
      case BusStatus::Timeout:
        return tlm::TLM_GENERIC_ERROR_RESPONSE;
      case BusStatus::DecodeError:
        return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    }
    i += n;
  }
  return tlm::TLM_OK_RESPONSE;
}

void RtlBridge::after_access() {
  ++transactions_;
  irq.set(model_->irq());
  if ((model_->busy() || dpi_.pending()) && sc_core::sc_is_running()) activity_.notify(sc_core::SC_ZERO_TIME);
}

void RtlBridge::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const uint64_t start = sc_core::sc_time_stamp().value() + delay.value();
  catch_up(start);
  const uint64_t begin = std::max(start, rtl_time_);  // the RTL may be ahead: the target is busy
  uint64_t cycles = 0;
  gp.set_response_status(access(gp, cycles));
  delay += sc_core::sc_time::from_value(begin - start + cycles * period_);
  after_access();
}

unsigned RtlBridge::transport_dbg(tlm::tlm_generic_payload& gp) {
  if (!config_.debug_access) return 0;
  uint64_t cycles = 0;
  const auto status = access(gp, cycles);
  after_access();
  return status == tlm::TLM_OK_RESPONSE ? gp.get_data_length() : 0;
}

tlm::tlm_sync_enum RtlBridge::nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase&,
                                              sc_core::sc_time& delay) {
  b_transport(gp, delay);
  return tlm::TLM_COMPLETED;
}

void RtlBridge::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  dpi_.invalidate(start, end);
}

void RtlBridge::run() {
  const uint64_t step = std::max<uint64_t>(period_, config_.sync_period.value());
  for (;;) {
    if (!config_.free_running && !model_->busy() && !dpi_.pending()) {
      wait(activity_);
      continue;
    }
    const uint64_t now = sc_core::sc_time_stamp().value();
    if (rtl_time_ < now) catch_up(now);
    const uint64_t target = now + step;
    {
      while (rtl_time_ < target) {
        if (dpi_.pending()) {
          // Served here, between clock cycles, where waiting is allowed; the
          // RTL stalls (keeps polling) for the duration of the access.
          sc_core::sc_time delay = sc_core::sc_time::from_value(rtl_time_ - now);
          dpi_.serve(delay);
          rtl_time_ = std::max<uint64_t>(rtl_time_, now + delay.value());
          continue;
        }
        if (!config_.free_running && !model_->busy()) break;
        if (config_.master)
          dpi_.set_time_ps(uint64_t(sc_core::sc_time::from_value(rtl_time_).to_seconds() * 1e12));
        tick(1);
        irq.set(model_->irq());
      }
    }
    irq.set(model_->irq());
    const uint64_t after = sc_core::sc_time_stamp().value();
    wait(sc_core::sc_time::from_value(rtl_time_ > after ? rtl_time_ - after : step));
  }
}

}  // namespace vp::rtl
