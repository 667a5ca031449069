// Pretends to come from an SDK with another plugin ABI (as a plugin built
// against an older vp would): vp must refuse it before running any of its code.
#include "platform/plugin.h"

extern "C" __attribute__((visibility("default"))) const vp::platform::PluginInfo* vp_plugin_info() {
  static const vp::platform::PluginInfo info{VP_PLUGIN_ABI_VERSION + 41, "0.0.1", vp::platform::plugin_cxx_abi()};
  return &info;
}
extern "C" __attribute__((visibility("default"))) void vp_plugin_register(vp::platform::Registry&) {
  __builtin_trap();  // never reached: the ABI check comes first
}
