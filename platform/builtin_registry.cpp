#include "platform/registry.h"

namespace vp::platform {

Registry& Registry::builtin() {
  static Registry* registry = [] {
    auto* r = new Registry();
    register_platform_types(*r);
    register_memory_types(*r);
    register_device_types(*r);
    register_pvm_types(*r);
#ifndef VP_NO_CPU
    register_cpu_types(*r);
#endif
#ifdef VP_HAVE_RTL
    register_rtl_types(*r);
#endif
    return r;
  }();
  return *registry;
}

}  // namespace vp::platform
