#pragma once
// The registry the RTL tests build their platforms from: the platform, memory,
// device and RTL component types.
#include "platform/registry.h"

namespace vp::test {

inline platform::Registry& rtl_registry() {
  static platform::Registry r = [] {
    platform::Registry reg;
    platform::register_platform_types(reg);
    platform::register_memory_types(reg);
    platform::register_device_types(reg);
    platform::register_rtl_types(reg);
    return reg;
  }();
  return r;
}

}  // namespace vp::test
