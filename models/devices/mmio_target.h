#pragma once
// Shared TLM plumbing for memory-mapped register devices: a loosely-timed
// target that turns b_transport / transport_dbg into read/write callbacks on
// device offsets, annotates a fixed access latency and never calls wait().
#include <cstdint>
#include <cstring>

#include <systemc>
#include <tlm>

#include "platform/component.h"

namespace vp::dev {

class MmioTarget : public platform::Component, public tlm::tlm_fw_transport_if<> {
 public:
  platform::TargetSocket socket{"socket"};

  MmioTarget(const sc_core::sc_module_name& name, uint64_t size, sc_core::sc_time latency)
      : Component(name), size_(size), latency_(latency) {
    socket.bind(*this);
    expose_target("", socket, size);
  }

  uint64_t size() const { return size_; }

  // tlm_fw_transport_if
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override {
    gp.set_response_status(transport(gp, /*debug=*/false, delay));
    delay += latency_;
  }
  // A debug access the device refuses as a whole (a debugger dumping the
  // window) is split into the widest naturally aligned register accesses the
  // device accepts; bytes it refuses even singly read as 0 / are not written.
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) override {
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    if (transport(gp, /*debug=*/true, delay) == tlm::TLM_OK_RESPONSE) return gp.get_data_length();
    const uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (gp.get_byte_enable_ptr() || addr >= size_ || len > size_ - addr) return 0;
    uint8_t* data = gp.get_data_ptr();
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    for (unsigned i = 0; i < len;) {
      unsigned done = 0;
      for (unsigned w : {8u, 4u, 2u, 1u}) {
        if ((addr + i) % w || i + w > len) continue;
        const bool ok = gp.is_write() ? write(addr + i, data + i, w, true, now)
                                      : read(addr + i, data + i, w, true, now);
        if (ok) {
          done = w;
          break;
        }
      }
      if (!done) {
        if (gp.is_read()) data[i] = 0;
        done = 1;
      }
      i += done;
    }
    return len;
  }
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase&,
                                     sc_core::sc_time& delay) override {
    b_transport(gp, delay);  // AT initiators are not used here; complete in one call.
    return tlm::TLM_COMPLETED;
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }

 protected:
  // `now` is the local time of the access (sc_time_stamp() + annotated delay).
  // Return false for an access the device refuses (TLM_ADDRESS_ERROR_RESPONSE).
  // A debug read must not have side effects.
  virtual bool read(uint64_t offset, uint8_t* data, unsigned len, bool debug,
                    const sc_core::sc_time& now) = 0;
  virtual bool write(uint64_t offset, const uint8_t* data, unsigned len, bool debug,
                     const sc_core::sc_time& now) = 0;

  // Little-endian value helpers (the guest bus is little-endian).
  static uint64_t load_le(const uint8_t* data, unsigned len) {
    uint64_t v = 0;
    for (unsigned i = 0; i < len && i < 8; ++i) v |= uint64_t(data[i]) << (8 * i);
    return v;
  }
  static void store_le(uint8_t* data, unsigned len, uint64_t v) {
    for (unsigned i = 0; i < len; ++i) data[i] = i < 8 ? uint8_t(v >> (8 * i)) : 0;
  }

 private:
  tlm::tlm_response_status transport(tlm::tlm_generic_payload& gp, bool debug,
                                     const sc_core::sc_time& delay) {
    const uint64_t addr = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (gp.get_byte_enable_ptr()) return tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE;
    if (!debug && gp.get_streaming_width() < len) return tlm::TLM_BURST_ERROR_RESPONSE;
    if (len == 0 || addr >= size_ || len > size_ - addr) return tlm::TLM_ADDRESS_ERROR_RESPONSE;
    const sc_core::sc_time now = sc_core::sc_time_stamp() + delay;
    bool ok = false;
    if (gp.is_read())
      ok = read(addr, gp.get_data_ptr(), len, debug, now);
    else if (gp.is_write())
      ok = write(addr, gp.get_data_ptr(), len, debug, now);
    else
      return tlm::TLM_OK_RESPONSE;  // TLM_IGNORE_COMMAND
    return ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE;
  }

  uint64_t size_;
  sc_core::sc_time latency_;
};

}  // namespace vp::dev
