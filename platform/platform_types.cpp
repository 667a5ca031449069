#include "platform/registry.h"

#include <algorithm>
#include <stdexcept>
#include "platform/router.h"

namespace vp::platform {

void Registry::add(ComponentType type) {
  if (auto it = types_.find(type.name); it != types_.end())
    throw std::invalid_argument("component type '" + type.name + "' is already registered (" + it->second.origin + ")");
  type.origin = origin_;
  types_.emplace(type.name, std::move(type));
}

std::vector<PropertyInfo> Registry::properties(const std::string& name) const {
  const ComponentType* type = find(name);
  if (!type) return {};
  std::vector<PropertyInfo> out;
  // What the parse function reads with no values (it may stop early at a
  // check that a placeholder fails; the documented list fills the rest).
  ConfigNode empty = ConfigNode::make_map({});
  Properties probe = Properties::describing(name, empty);
  try {
    type->parse(probe);
  } catch (const std::exception&) {
  }
  for (const auto& r : probe.reads()) out.push_back({r.key, r.kind, r.fallback, "", r.required, r.choices});
  for (const auto& d : type->properties) {
    auto it = std::find_if(out.begin(), out.end(), [&](const PropertyInfo& i) { return i.name == d.name; });
    if (it == out.end()) it = out.insert(out.end(), PropertyInfo{d.name, d.kind, d.fallback, "", false, {}});
    it->description = d.description;
    if (it->kind.empty()) it->kind = d.kind;
    if (it->fallback.empty()) it->fallback = d.fallback;
  }
  return out;
}

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
         nullptr,
         {{"latency", "Latency added to every transaction routed (DMI bypasses it)"}}});
}

}  // namespace vp::platform
