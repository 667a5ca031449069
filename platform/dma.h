#pragma once
// The stores a component other than a processor makes into memory (a DMA
// engine, an RTL master, a mailbox serving requests): one way for all of them
// to report those stores to the platform's reservation monitor, so that LR
// reservations on the bytes break (as a DMA write into a reservation set makes
// the SC fail on hardware) and observers (lock-step checking) see the data.
// The builder hands the monitor over (DmaInitiator); without one (a component
// built on its own) nothing is reported.
#include <cstddef>
#include <cstdint>

#include <systemc>
#include <tlm>

#include "platform/component.h"
#include "platform/reservation_monitor.h"

namespace vp::platform {

class DmaReporter : public DmaInitiator {
 public:
  void set_reservation_monitor(ReservationMonitor& monitor) override { dma_monitor_ = &monitor; }
  ReservationMonitor* reservation_monitor() const { return dma_monitor_; }

  // len bytes at pa were stored (by whatever path: a DMI pointer, a transaction).
  void report_store(uint64_t pa, const void* data, uint64_t len) const {
    if (dma_monitor_ && len) dma_monitor_->device_store(pa, data, len);
  }
  // A write through the socket's debug transport (debug_transfer), reported;
  // returns the bytes written.
  size_t debug_write(InitiatorSocket& socket, uint64_t pa, const void* data, size_t len) const;
  // b_transport through the socket; a write that succeeds is reported (its data
  // contiguous: no byte enables, streaming width = length).
  void transport(InitiatorSocket& socket, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) const;
  // Whether a store to [pa, pa + len) may go through a host pointer kept from an
  // earlier DMI grant without a report: not while a reservation in its page is
  // watched or an observer wants every store.
  bool direct_store_allowed(uint64_t pa, uint64_t len) const;

 private:
  ReservationMonitor* dma_monitor_ = nullptr;
};

}  // namespace vp::platform
