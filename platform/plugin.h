#pragma once
// Component plugins: shared libraries, built against the installed SDK
// (find_package(vp)), that add component types to the registry. A platform
// description lists them under `plugins:`; `vp types --plugin FILE` shows them.
//
//   #include "platform/plugin.h"
//   static void register_types(vp::platform::Registry& r) { r.add({...}); }
//   VP_PLUGIN(register_types)
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "platform/registry.h"
#include "platform/version.h"

namespace vp::platform {

// What a plugin says about the SDK it was built with; checked before any of its code runs.
struct PluginInfo {
  uint32_t abi_version;     // VP_PLUGIN_ABI_VERSION of the SDK
  const char* sdk_version;  // VP_VERSION of the SDK
  uint32_t cxx_abi;         // C++ library ABI (GCC's __GXX_ABI_VERSION and the std::string ABI)
};

constexpr uint32_t plugin_cxx_abi() {
#if defined(__GXX_ABI_VERSION) && defined(_GLIBCXX_USE_CXX11_ABI)
  return __GXX_ABI_VERSION * 10 + _GLIBCXX_USE_CXX11_ABI;
#else
  return 0;
#endif
}

class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads the plugin at `path` (once per process) and registers its types in
// `registry` with the plugin's path as their origin. Throws PluginError when the
// file cannot be loaded, is not a vp plugin, was built for another plugin ABI,
// or registers a type that exists already.
void load_plugin(const std::string& path, Registry& registry);

// Resolves a plugin named in a platform file: an absolute path; a path with a
// '/' relative to `base_dir` (the folder of the file naming it); a bare file
// name looked up in `base_dir`, then in each folder of VP_PLUGIN_PATH (':'-separated).
// Returns "" if nothing exists.
std::string find_plugin(const std::string& name, const std::string& base_dir);

// Folders searched for bare plugin names, from VP_PLUGIN_PATH.
std::vector<std::string> plugin_search_path();

}  // namespace vp::platform

// Defines the two entry points vp looks up in a plugin.
#define VP_PLUGIN(register_function)                                                                     \
  extern "C" __attribute__((visibility("default"))) const vp::platform::PluginInfo* vp_plugin_info() { \
    static const vp::platform::PluginInfo info{VP_PLUGIN_ABI_VERSION, VP_VERSION,                        \
                                               vp::platform::plugin_cxx_abi()};                         \
    return &info;                                                                                        \
  }                                                                                                      \
  extern "C" __attribute__((visibility("default"))) void vp_plugin_register(vp::platform::Registry& r) { \
    register_function(r);                                                                                \
  }
