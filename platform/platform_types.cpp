#include "platform/registry.h"
#include "platform/router.h"

namespace vp::platform {

void Registry::add(ComponentType type) { types_[type.name] = std::move(type); }

const ComponentType* Registry::find(const std::string& name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : &it->second;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& kv : types_) out.push_back(kv.first);
  return out;
}

void register_platform_types(Registry& r) {
  r.add({"router", "address-decoding interconnect (DMI, debug transport, invalidation)",
         [](Properties& p) -> std::any {
           RouterConfig c;
           c.latency = sc_core::sc_time(static_cast<double>(p.time_ps("latency", 0)), sc_core::SC_PS);
           return c;
         },
         [](const std::string& name, const std::any& config) -> std::unique_ptr<Component> {
           return std::make_unique<Router>(name.c_str(), std::any_cast<const RouterConfig&>(config));
         },
         nullptr});
}

}  // namespace vp::platform
