#pragma once
// The platform side of the DPI-C functions RTL masters import (rtl/vp_dpi.svh).
//
// A DPI call runs inside the Verilated model's eval(), where SystemC must not
// wait(). So an access is either served at once through a DMI pointer
// (memories), or queued here and returns VP_DPI_PENDING; the owning bridge's
// SystemC thread serves the queued access through b_transport (which may
// wait) between clock cycles, and the RTL polls with vp_dpi_poll.
#include <cstdint>
#include <vector>

#include <tlm>

#include "platform/component.h"
#include "platform/dma.h"

extern "C" {
enum { VP_DPI_OK = 0, VP_DPI_PENDING = 1, VP_DPI_ERROR = -1 };
int vp_dpi_read(long long addr, int size, long long* data);
int vp_dpi_write(long long addr, int size, long long data);
int vp_dpi_poll(long long* data);
long long vp_dpi_time_ps();
}

namespace vp::rtl {

class DpiMaster {
 public:
  // The master whose RTL is being evaluated; DPI calls go to it.
  static DpiMaster* current();

  // Its stores into memory are reported through `reporter` (the owning component).
  DpiMaster(platform::InitiatorSocket* socket, const platform::DmaReporter& reporter)
      : socket_(socket), reporter_(reporter) {}

  int read(uint64_t addr, unsigned size, uint64_t* data);
  int write(uint64_t addr, unsigned size, uint64_t data);
  int poll(uint64_t* data);
  uint64_t time_ps() const { return time_ps_; }
  void set_time_ps(uint64_t ps) { time_ps_ = ps; }

  bool pending() const { return state_ == State::Pending; }
  // Serves the queued access with b_transport (SystemC thread context only).
  void serve(sc_core::sc_time& delay);
  void invalidate(uint64_t start, uint64_t end);

  uint64_t direct_accesses() const { return direct_; }
  uint64_t queued_accesses() const { return queued_; }

 private:
  friend class DpiScope;
  enum class State { Idle, Pending, Done, Error };
  bool direct(tlm::tlm_command cmd, uint64_t addr, unsigned size, uint64_t* data);

  platform::InitiatorSocket* socket_;
  const platform::DmaReporter& reporter_;
  State state_ = State::Idle;
  tlm::tlm_command cmd_ = tlm::TLM_READ_COMMAND;
  uint64_t addr_ = 0, data_ = 0;
  unsigned size_ = 0;
  std::vector<tlm::tlm_dmi> dmi_;
  std::vector<std::pair<uint64_t, uint64_t>> no_dmi_;  // ranges that refused DMI
  uint64_t time_ps_ = 0;
  uint64_t direct_ = 0, queued_ = 0;
};

// Makes a master current while its RTL is evaluated.
class DpiScope {
 public:
  explicit DpiScope(DpiMaster* m);
  ~DpiScope();
  DpiScope(const DpiScope&) = delete;
  DpiScope& operator=(const DpiScope&) = delete;

 private:
  DpiMaster* previous_;
};

}  // namespace vp::rtl
