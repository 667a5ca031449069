#pragma once
// `mem.vhost`: the memories of a vhost memory-definition file as a platform
// component. One target socket per memory instance (port = the RTL path with
// every character other than [A-Za-z0-9_] turned into '_', e.g. top.u_rom ->
// top_u_rom), mapped through the router bind (normally at the definition's
// base). With `memory_map` (default), the initiator socket `mem` (bound to the
// system bus) becomes the backing of __vhost_bb_mem_write/read. With
// `export_dir`, every instance is written as $readmemh files when the
// simulation ends. See docs/rtl.md.
#include <memory>
#include <string>
#include <vector>

#include <tlm_utils/simple_target_socket.h>

#include "models/mem/memory_definition.h"
#include "platform/component.h"
#include "platform/dma.h"

namespace vp::mem {

struct VhostConfig {
  MemoryDefinition definition;   // parsed by the registration (errors are located)
  std::string dir = ".";         // of the definition file: hex init files are relative to it
  std::string space;             // the space whose direct/banked memories are built ("" = black boxes only)
  std::string export_dir;        // "" = no export at the end of the run
  bool memory_map = true;        // socket `mem` backs __vhost_bb_mem_*
  sc_core::sc_time latency = sc_core::SC_ZERO_TIME;
};

// The port name of a memory path ("top.u_rom" -> "top_u_rom").
std::string vhost_port_name(const std::string& path);

class VhostMemories : public platform::Component,
                      public platform::DmaReporter,  // __vhost_bb_mem_write's stores through `mem`
                      public tlm::tlm_bw_transport_if<> {
 public:
  using Socket = tlm_utils::simple_target_socket_tagged<VhostMemories, 32>;
  platform::InitiatorSocket mem{"mem"};  // exposed only with memory_map

  VhostMemories(const sc_core::sc_module_name& name, const VhostConfig& config);
  ~VhostMemories() override;

  const VhostConfig& config() const { return config_; }
  const std::vector<std::unique_ptr<MemoryInstance>>& instances() const { return instances_; }
  MemoryInstance* instance(const std::string& path) const;
  // Writes every instance into `dir` ($readmemh); returns the files written.
  std::vector<std::string> export_all(const std::string& dir) const;
  // Physical access through `mem` (what __vhost_bb_mem_* use); bytes transferred.
  // Writes are reported (platform/dma.h).
  size_t physical(uint64_t addr, void* data, size_t len, bool write);

  // tlm_bw_transport_if (the `mem` socket)
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}

 protected:
  void end_of_simulation() override;

 private:
  void b_transport(int id, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& gp);
  tlm::tlm_response_status access(int id, tlm::tlm_generic_payload& gp);

  VhostConfig config_;
  std::vector<std::unique_ptr<MemoryInstance>> instances_;
  std::vector<std::unique_ptr<Socket>> sockets_;
  bool exported_ = false;
};

}  // namespace vp::mem
