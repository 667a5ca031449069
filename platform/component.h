#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>

#include "platform/irq.h"
#include "platform/state.h"

namespace vp::platform {

using TargetSocket = tlm::tlm_target_socket<32>;
using InitiatorSocket = tlm::tlm_initiator_socket<32>;

// Base of every model the builder instantiates. A model exposes its sockets
// and interrupt lines by name; the builder binds them from the YAML `bind:`
// and `irq:` sections. Models never see each other, only these endpoints.
class Component : public sc_core::sc_module {
 public:
  explicit Component(const sc_core::sc_module_name& name);

  TargetSocket* target_socket(const std::string& port) const;
  InitiatorSocket* initiator_socket(const std::string& port) const;
  // Size of the address window behind a target socket (the router maps it).
  uint64_t target_size(const std::string& port) const;

  // Interrupt endpoints: "irq", "mtip[0]" (port "mtip", index 0) or "10" (port "10").
  virtual IrqOut* irq_out(const std::string& port, int index) const;
  virtual IrqIn* irq_in(const std::string& port, int index) const;

  std::vector<std::string> target_socket_names() const;
  std::vector<std::string> initiator_socket_names() const;
  virtual std::vector<std::string> irq_out_names() const;
  virtual std::vector<std::string> irq_in_names() const;

  // Called once, after binding and before the simulation starts: loaders and
  // boot code may then use debug transport. Default: nothing.
  virtual void reset() {}

  // Checkpoints (docs/checkpoints.md): the model writes its registers and
  // buffers (never pointers) and reads them back in the same order, after
  // reset(), before the simulation starts. save_state returns false when the
  // model does not support checkpoints (the default): a checkpoint of a
  // platform using it fails with a clear error instead of losing state.
  virtual bool save_state(StateWriter& out) const { (void)out; return false; }
  virtual void restore_state(StateReader& in) { (void)in; }

 protected:
  void expose_target(const std::string& port, TargetSocket& socket, uint64_t size);
  void expose_initiator(const std::string& port, InitiatorSocket& socket);
  void expose_irq_out(const std::string& port, IrqOut& line);
  void expose_irq_in(const std::string& port, IrqIn& line);
  // Arrays ("mtip[0]", "mtip[1]", ...). The vector must not be resized afterwards.
  void expose_irq_out_array(const std::string& port, std::vector<IrqOut>& lines);
  void expose_irq_in_array(const std::string& port, std::vector<IrqIn>& lines);

 private:
  struct TargetEntry {
    TargetSocket* socket;
    uint64_t size;
  };
  std::map<std::string, TargetEntry> targets_;
  std::map<std::string, InitiatorSocket*> initiators_;
  std::map<std::string, IrqOut*> irq_outs_;
  std::map<std::string, IrqIn*> irq_ins_;
  std::map<std::string, std::vector<IrqOut>*> irq_out_arrays_;
  std::map<std::string, std::vector<IrqIn>*> irq_in_arrays_;
};

}  // namespace vp::platform
