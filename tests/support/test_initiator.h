#pragma once
// A small TLM initiator for unit tests: drives a target the way software
// would (b_transport with byte enables off, debug transport, DMI requests).
#include <cstdint>
#include <cstring>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

namespace vp::test {

class TestInitiator : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  tlm::tlm_initiator_socket<32> socket{"socket"};
  sc_core::sc_time delay = sc_core::SC_ZERO_TIME;  // accumulated annotated delay
  std::vector<std::pair<uint64_t, uint64_t>> invalidations;  // ranges seen

  explicit TestInitiator(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {
    socket.bind(*this);
  }

  tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(static_cast<unsigned char*>(data));
    gp.set_data_length(len);
    gp.set_streaming_width(len);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    socket->b_transport(gp, delay);
    last_dmi_allowed = gp.is_dmi_allowed();
    return gp.get_response_status();
  }

  template <typename T>
  T read(uint64_t addr, tlm::tlm_response_status* status = nullptr) {
    T v{};
    auto s = access(tlm::TLM_READ_COMMAND, addr, &v, sizeof v);
    if (status) *status = s;
    return v;
  }
  template <typename T>
  tlm::tlm_response_status write(uint64_t addr, T v) {
    return access(tlm::TLM_WRITE_COMMAND, addr, &v, sizeof v);
  }
  uint32_t read32(uint64_t a) { return read<uint32_t>(a); }
  uint8_t read8(uint64_t a) { return read<uint8_t>(a); }
  tlm::tlm_response_status write32(uint64_t a, uint32_t v) { return write<uint32_t>(a, v); }
  tlm::tlm_response_status write8(uint64_t a, uint8_t v) { return write<uint8_t>(a, v); }

  unsigned debug(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(static_cast<unsigned char*>(data));
    gp.set_data_length(len);
    return socket->transport_dbg(gp);
  }

  bool get_dmi(uint64_t addr, tlm::tlm_dmi& dmi, bool for_write = false) {
    tlm::tlm_generic_payload gp;
    gp.set_command(for_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    return socket->get_direct_mem_ptr(gp, dmi);
  }

  bool last_dmi_allowed = false;

  // tlm_bw_transport_if
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) override {
    invalidations.emplace_back(start, end);
  }
};

}  // namespace vp::test
