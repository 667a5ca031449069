#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include "platform/component.h"

namespace vp::platform {

struct RouterConfig {
  sc_core::sc_time latency = sc_core::SC_ZERO_TIME;  // added to every forwarded access
};

// Address-decoding interconnect. Any number of initiators bind to `in`; each
// target is mapped at a base address through `out`. Forwards b_transport,
// DMI (translating addresses both ways) and debug transport; an unmapped
// access gets TLM_ADDRESS_ERROR_RESPONSE. DMI invalidations from a target
// reach every initiator, translated to the initiators' address space.
class Router : public Component {
 public:
  tlm_utils::multi_passthrough_target_socket<Router, 32> in{"in"};
  tlm_utils::multi_passthrough_initiator_socket<Router, 32> out{"out"};

  struct Mapping {
    uint64_t base;
    uint64_t size;
    unsigned port;      // index into `out`
    std::string name;   // target's name, for messages and `vp info`
  };

  Router(const sc_core::sc_module_name& name, const RouterConfig& config);

  // Binding (by the builder, before simulation starts).
  void bind_initiator(InitiatorSocket& initiator) { initiator.bind(in); }
  void map(TargetSocket& target, uint64_t base, uint64_t size, const std::string& name);
  void map(Router& target, uint64_t base, uint64_t size, const std::string& name);

  const std::vector<Mapping>& mappings() const { return map_; }
  // The mapping holding addr, or nullptr.
  const Mapping* decode(uint64_t addr) const;

 private:
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& gp, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& gp);
  void invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end);
  const Mapping* decode_access(const tlm::tlm_generic_payload& gp) const;
  void add_mapping(uint64_t base, uint64_t size, const std::string& name);

  RouterConfig config_;
  std::vector<Mapping> map_;  // sorted by base
  mutable const Mapping* last_hit_ = nullptr;
};

}  // namespace vp::platform
