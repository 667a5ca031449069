#pragma once
#include <cstdint>

#include <tlm_utils/simple_target_socket.h>

#include "platform/component.h"

namespace vp::mem {

struct RamConfig {
  uint64_t size = 0;
  bool read_only = false;  // ROM: guest writes fail, debug writes (loaders) succeed
  sc_core::sc_time read_latency = sc_core::SC_ZERO_TIME;
  sc_core::sc_time write_latency = sc_core::SC_ZERO_TIME;
};

// RAM or ROM backed by an anonymous mapping: host pages are committed only
// when touched, so a 4 GiB RAM costs nothing until the guest uses it.
// Grants DMI for the whole range (read-only for ROM).
class Ram : public platform::Component {
 public:
  tlm_utils::simple_target_socket<Ram, 32> socket{"socket"};

  Ram(const sc_core::sc_module_name& name, const RamConfig& config);
  ~Ram() override;
  Ram(const Ram&) = delete;
  Ram& operator=(const Ram&) = delete;

  uint64_t size() const { return config_.size; }
  uint8_t* data() { return data_; }
  // Tells every initiator holding a DMI pointer to drop it (e.g. after remapping).
  void invalidate_dmi();

  // Sparse and compressed: the nonzero pages only, zlib-deflated.
  bool save_state(platform::StateWriter& out) const override;
  void restore_state(platform::StateReader& in) override;

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& gp);

  RamConfig config_;
  void write_sparse(uint64_t addr, const uint8_t* src, uint64_t len);

  uint8_t* data_ = nullptr;
};

}  // namespace vp::mem
