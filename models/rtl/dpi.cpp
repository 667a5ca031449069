#include "models/rtl/dpi.h"

#include <cstring>

namespace vp::rtl {
namespace {
thread_local DpiMaster* g_current = nullptr;
}

DpiMaster* DpiMaster::current() { return g_current; }

DpiScope::DpiScope(DpiMaster* m) : previous_(g_current) { g_current = m; }
DpiScope::~DpiScope() { g_current = previous_; }

bool DpiMaster::direct(tlm::tlm_command cmd, uint64_t addr, unsigned size, uint64_t* data) {
  if (!socket_) return false;
  const uint64_t last = addr + size - 1;
  for (int attempt = 0; attempt < 2; ++attempt) {
    for (const auto& d : dmi_) {
      if (addr < d.get_start_address() || last > d.get_end_address()) continue;
      if (cmd == tlm::TLM_READ_COMMAND ? !d.is_read_allowed() : !d.is_write_allowed()) continue;
      uint8_t* p = d.get_dmi_ptr() + (addr - d.get_start_address());
      if (cmd == tlm::TLM_READ_COMMAND) {
        *data = 0;
        std::memcpy(data, p, size);  // little-endian host
      } else {
        std::memcpy(p, data, size);
        reporter_.report_store(addr, data, size);
      }
      ++direct_;
      return true;
    }
    if (attempt) break;
    for (const auto& r : no_dmi_)
      if (addr >= r.first && last <= r.second) return false;
    // Asking for DMI never waits, so it is allowed inside eval().
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(addr);
    tlm::tlm_dmi dmi;
    if (!(*socket_)->get_direct_mem_ptr(gp, dmi)) {
      // A target that refuses DMI may say for which range; otherwise remember the word.
      const bool ranged = dmi.get_start_address() <= addr && dmi.get_end_address() >= last &&
                          !(dmi.get_start_address() == 0 && dmi.get_end_address() == ~sc_dt::uint64(0));
      if (ranged)
        no_dmi_.emplace_back(dmi.get_start_address(), dmi.get_end_address());
      else
        no_dmi_.emplace_back(addr, last);
      return false;
    }
    dmi_.push_back(dmi);
  }
  return false;
}

int DpiMaster::read(uint64_t addr, unsigned size, uint64_t* data) {
  if (state_ == State::Pending || size == 0 || size > 8) return VP_DPI_ERROR;
  if (direct(tlm::TLM_READ_COMMAND, addr, size, data)) return VP_DPI_OK;
  if (!socket_) return VP_DPI_ERROR;
  state_ = State::Pending;
  cmd_ = tlm::TLM_READ_COMMAND;
  addr_ = addr;
  size_ = size;
  data_ = 0;
  ++queued_;
  return VP_DPI_PENDING;
}

int DpiMaster::write(uint64_t addr, unsigned size, uint64_t data) {
  if (state_ == State::Pending || size == 0 || size > 8) return VP_DPI_ERROR;
  if (direct(tlm::TLM_WRITE_COMMAND, addr, size, &data)) return VP_DPI_OK;
  if (!socket_) return VP_DPI_ERROR;
  state_ = State::Pending;
  cmd_ = tlm::TLM_WRITE_COMMAND;
  addr_ = addr;
  size_ = size;
  data_ = data;
  ++queued_;
  return VP_DPI_PENDING;
}

int DpiMaster::poll(uint64_t* data) {
  switch (state_) {
    case State::Pending:
      return VP_DPI_PENDING;
    case State::Done:
      *data = data_;
      state_ = State::Idle;
      return VP_DPI_OK;
    case State::Error:
      state_ = State::Idle;
      return VP_DPI_ERROR;
    case State::Idle:
      break;
  }
  return VP_DPI_ERROR;
}

void DpiMaster::serve(sc_core::sc_time& delay) {
  if (state_ != State::Pending) return;
  tlm::tlm_generic_payload gp;
  uint64_t buffer = data_;
  gp.set_command(cmd_);
  gp.set_address(addr_);
  gp.set_data_ptr(reinterpret_cast<unsigned char*>(&buffer));
  gp.set_data_length(size_);
  gp.set_streaming_width(size_);
  gp.set_byte_enable_ptr(nullptr);
  gp.set_dmi_allowed(false);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  reporter_.transport(*socket_, gp, delay);
  if (gp.is_response_ok()) {
    data_ = cmd_ == tlm::TLM_READ_COMMAND ? buffer : 0;
    state_ = State::Done;
  } else {
    state_ = State::Error;
  }
}

void DpiMaster::invalidate(uint64_t start, uint64_t end) {
  std::vector<tlm::tlm_dmi> keep;
  for (const auto& d : dmi_)
    if (d.get_end_address() < start || d.get_start_address() > end) keep.push_back(d);
  dmi_.swap(keep);
  no_dmi_.clear();
}

}  // namespace vp::rtl

using vp::rtl::DpiMaster;

extern "C" int vp_dpi_read(long long addr, int size, long long* data) {
  DpiMaster* m = DpiMaster::current();
  uint64_t v = 0;
  const int rc = m ? m->read(uint64_t(addr), unsigned(size), &v) : VP_DPI_ERROR;
  *data = (long long)v;
  return rc;
}

extern "C" int vp_dpi_write(long long addr, int size, long long data) {
  DpiMaster* m = DpiMaster::current();
  return m ? m->write(uint64_t(addr), unsigned(size), uint64_t(data)) : VP_DPI_ERROR;
}

extern "C" int vp_dpi_poll(long long* data) {
  DpiMaster* m = DpiMaster::current();
  uint64_t v = 0;
  const int rc = m ? m->poll(&v) : VP_DPI_ERROR;
  *data = (long long)v;
  return rc;
}

extern "C" long long vp_dpi_time_ps() {
  DpiMaster* m = DpiMaster::current();
  return m ? (long long)m->time_ps() : 0;
}
