#include "platform/plugin.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

namespace vp::platform {
namespace fs = std::filesystem;

namespace {

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

}  // namespace

std::vector<std::string> plugin_search_path() {
  std::vector<std::string> dirs;
  const char* env = std::getenv("VP_PLUGIN_PATH");
  if (!env) return dirs;
  std::string cur;
  for (const char* c = env;; ++c) {
    if (*c == ':' || *c == '\0') {
      if (!cur.empty()) dirs.push_back(cur);
      cur.clear();
      if (*c == '\0') break;
    } else {
      cur += *c;
    }
  }
  return dirs;
}

std::string find_plugin(const std::string& name, const std::string& base_dir) {
  std::error_code ec;
  const fs::path p(name);
  if (p.is_absolute()) return fs::exists(p, ec) ? name : "";
  const fs::path local = fs::path(base_dir.empty() ? "." : base_dir) / p;
  if (fs::exists(local, ec)) return local.lexically_normal().string();
  if (name.find('/') != std::string::npos) return "";
  for (const auto& dir : plugin_search_path()) {
    const fs::path candidate = fs::path(dir) / p;
    if (fs::exists(candidate, ec)) return candidate.lexically_normal().string();
  }
  return "";
}

void load_plugin(const std::string& path, Registry& registry) {
  // A plugin's types are registered once per registry; its code stays loaded
  // for the life of the process (the types' functions live in it).
  static std::mutex mutex;
  static std::map<std::pair<std::string, const Registry*>, bool> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  const std::string key = real_path(path);
  if (loaded.count({key, &registry})) return;

  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) throw PluginError("cannot load plugin " + path + ": " + dlerror());
  using InfoFn = const PluginInfo* (*)();
  using RegisterFn = void (*)(Registry&);
  auto info_fn = reinterpret_cast<InfoFn>(dlsym(handle, "vp_plugin_info"));
  auto register_fn = reinterpret_cast<RegisterFn>(dlsym(handle, "vp_plugin_register"));
  if (!info_fn || !register_fn)
    throw PluginError(path + " is not a vp plugin (no vp_plugin_info/vp_plugin_register: build it with VP_PLUGIN(...))");
  const PluginInfo* info = info_fn();
  if (info->abi_version != VP_PLUGIN_ABI_VERSION)
    throw PluginError("plugin " + path + " was built against vp SDK " + info->sdk_version + " (plugin ABI " +
                      std::to_string(info->abi_version) + "), but this is vp " + VP_VERSION + " (plugin ABI " +
                      std::to_string(VP_PLUGIN_ABI_VERSION) + "): rebuild it against this SDK");
  if (info->cxx_abi != plugin_cxx_abi())
    throw PluginError("plugin " + path + " was built with another C++ library ABI (" + std::to_string(info->cxx_abi) +
                      ", vp uses " + std::to_string(plugin_cxx_abi()) + "): rebuild it with the same compiler");
  registry.set_origin(path);
  try {
    register_fn(registry);
  } catch (const std::exception& e) {
    registry.set_origin("built-in");
    throw PluginError("plugin " + path + ": " + e.what());
  }
  registry.set_origin("built-in");
  loaded[{key, &registry}] = true;
}

}  // namespace vp::platform
