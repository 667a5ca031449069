#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <memory>

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "platform/component.h"

namespace vp::platform {

struct RouterConfig {
  sc_core::sc_time latency = sc_core::SC_ZERO_TIME;  // added to every forwarded access
  // Socket counts, filled in by the builder from the bindings (SystemC
  // sockets can only be created while the router is constructed).
  unsigned initiators = 1;
  unsigned targets = 1;
};

// Address-decoding interconnect. Initiators bind to its input sockets; each
// target is mapped at a base address through an output socket. Plain tagged
// sockets (not multi-sockets) so that debug transport works before
// elaboration ends: loaders fill memory before the simulation starts. Forwards b_transport,
// DMI (translating addresses both ways) and debug transport; an unmapped
// access gets TLM_ADDRESS_ERROR_RESPONSE. DMI invalidations from a target
// reach every initiator, translated to the initiators' address space.
class Router : public Component {
 public:

  struct Mapping {
    uint64_t base;
    uint64_t size;
    unsigned port;      // index into `out`
    std::string name;   // target's name, for messages and `vp info`
  };

  Router(const sc_core::sc_module_name& name, const RouterConfig& config);
  // The address map comes from the description: nothing to save.
  bool save_state(StateWriter&) const override { return true; }

  // Binding (by the builder, before simulation starts).
  // Each call uses the next free socket; std::logic_error when none is left.
  void bind_initiator(InitiatorSocket& initiator);
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
  void trace_access(const Mapping& m, const tlm::tlm_generic_payload& gp, const sc_core::sc_time& delay);
  void add_mapping(uint64_t base, uint64_t size, const std::string& name);

  TargetSocket& next_input();
  tlm_utils::simple_initiator_socket_tagged<Router, 32>& next_output();

  using InSocket = tlm_utils::simple_target_socket_tagged<Router, 32>;
  using OutSocket = tlm_utils::simple_initiator_socket_tagged<Router, 32>;
  std::vector<std::unique_ptr<InSocket>> in_;
  std::vector<std::unique_ptr<OutSocket>> out_;
  unsigned inputs_bound_ = 0;
  unsigned outputs_bound_ = 0;
  RouterConfig config_;
  std::vector<Mapping> map_;  // sorted by base
  mutable const Mapping* last_hit_ = nullptr;
};

}  // namespace vp::platform
