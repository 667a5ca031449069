#pragma once
// Guest memory through a virtio transport's own TLM initiator socket: DMI
// where the target grants it (regions cached until invalidated), b_transport
// otherwise. The only way a virtio device reaches another model's memory.
#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/devices/virtio_guest_memory.h"
#include "platform/component.h"
#include "platform/dma.h"

namespace vp::dev {

// Its stores into memory are reported (DmaReporter; they are no processor's):
// the owning transport hands over the platform's monitor.
class VirtioDma : public GuestMemory, public tlm::tlm_bw_transport_if<>, public platform::DmaReporter {
 public:
  platform::InitiatorSocket socket;

  explicit VirtioDma(const char* socket_name);

  bool read(uint64_t addr, void* dst, size_t len) override;
  bool write(uint64_t addr, const void* src, size_t len) override;

  // Annotated time of the b_transport calls so far (the owner may consume it).
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;

  // tlm_bw_transport_if
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) override;

 private:
  bool access(bool is_write, uint64_t addr, uint8_t* data, size_t len);
  const tlm::tlm_dmi* find_dmi(uint64_t addr, bool is_write);

  static constexpr size_t kMaxRegions = 8;
  std::vector<tlm::tlm_dmi> regions_;  // granted DMI regions, most recent first
};

}  // namespace vp::dev
