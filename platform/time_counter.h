#pragma once
// Direct reads of a register whose value is a pure function of simulated time
// (a timer's mtime). A processor that reads such a register very often (the
// RISC-V `time` CSR shadows mtime: U-Boot and Linux poll it) asks once, with
// this extension attached to an ordinary bus read of the register; a target
// that supports it names its TimeCounter and the delay the read had gathered
// when it arrived. From then on the reader computes the value itself for any
// local time: exactly what the same read through the bus would have returned,
// without routing a transaction.
//
// Contract: value_at(t) equals what a read of the register arriving at
// (simulation) time t returns, including writes made to it since (an mtime
// write moves the counter). Only interconnects whose added delay is fixed (the
// router's latency) may pass the extension through; anything else must remove
// it. A target that does not know the extension ignores it (the reader keeps
// reading through the bus).
#include <cstdint>

#include <systemc>
#include <tlm>

namespace vp::platform {

class TimeCounter {
 public:
  virtual ~TimeCounter() = default;
  // The register's value for a read arriving at simulated time t.
  virtual uint64_t value_at(const sc_core::sc_time& t) const = 0;
  // A counter that steps every `ticks_per_step` SystemC time units: value_at(t) ==
  // t.value() / ticks_per_step + offset until the register is next written (a bus or
  // debug access, a checkpoint restore). A reader that knows it can tell how long a
  // value holds. false: no such form (readers call value_at).
  virtual bool uniform(uint64_t& ticks_per_step, uint64_t& offset) const {
    (void)ticks_per_step;
    (void)offset;
    return false;
  }
};

class TimeCounterExtension : public tlm::tlm_extension<TimeCounterExtension> {
 public:
  // Filled by the target for a read it can answer this way; nullptr otherwise.
  const TimeCounter* counter = nullptr;
  // The read's annotated delay on arrival at the target (the reader's local time
  // plus the interconnect's latency).
  sc_core::sc_time arrival_delay = sc_core::SC_ZERO_TIME;

  tlm::tlm_extension_base* clone() const override { return new TimeCounterExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const TimeCounterExtension&>(other);
  }
};

}  // namespace vp::platform
