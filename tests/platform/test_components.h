#pragma once
// Component types used only by the platform tests: an initiator with an
// interrupt input and output, so wiring errors can be provoked without a CPU.
#include <tlm_utils/simple_initiator_socket.h>

#include "platform/registry.h"
#include "platform/router.h"

namespace vp::test {

class ProbeInitiator : public platform::Component {
 public:
  tlm_utils::simple_initiator_socket<ProbeInitiator, 32> mem{"mem"};
  platform::IrqOut irq;
  platform::IrqIn in;

  explicit ProbeInitiator(const sc_core::sc_module_name& name) : Component(name) {
    expose_initiator("mem", mem);
    expose_irq_out("irq", irq);
    expose_irq_in("in", in);
  }
};

inline platform::Registry test_registry() {
  platform::Registry r;
  platform::register_platform_types(r);
  platform::register_memory_types(r);
  r.add({"test.probe", "test initiator",
         [](platform::Properties& p) -> std::any { return p.integer("value", 0); },
         [](const std::string& name, const std::any&) -> std::unique_ptr<platform::Component> {
           return std::make_unique<ProbeInitiator>(name.c_str());
         },
         nullptr});
  return r;
}

}  // namespace vp::test
