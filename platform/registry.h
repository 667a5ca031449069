#pragma once
#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/component.h"
#include "platform/device_tree.h"
#include "platform/properties.h"

namespace vp::platform {

// One interrupt wire as the platform description states it.
struct IrqWire {
  std::string from, from_port;
  int from_index = -1;
  std::string to, to_port;
  int to_index = -1;
};

// What a component's device-tree hook may know about the built platform.
struct DeviceTreeContext {
  DeviceTree& tree;
  const std::string& name;
  const std::string& type;
  const std::any& config;
  std::optional<uint64_t> base;        // where the router maps the default target socket
  uint64_t size = 0;
  std::vector<IrqWire> irq_outputs;    // wires leaving this component
  std::vector<IrqWire> irq_inputs;     // wires arriving at this component
  std::function<uint32_t(const std::string& component, const std::string& sub)> phandle;
  std::function<std::string(const std::string& component)> type_of;
  // The hook records the node that stands for this component (for chosen/stdout-path).
  std::string node_path;
};

// How a component type is made: parse typed config from properties, then build.
struct ComponentType {
  std::string name;         // "mem.ram", "dev.ns16550", ...
  std::string description;  // one line, for `vp types`
  std::function<std::any(Properties&)> parse;
  std::function<std::unique_ptr<Component>(const std::string& name, const std::any& config)> create;
  std::function<void(DeviceTreeContext&)> device_tree;  // optional
};

class Registry {
 public:
  // The registry with every built-in type (registered explicitly, not by static initialisers).
  static Registry& builtin();

  void add(ComponentType type);
  const ComponentType* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, ComponentType> types_;
};

// Defined by each model library's registration file; called by Registry::builtin().
void register_platform_types(Registry&);
void register_memory_types(Registry&);
void register_device_types(Registry&);
void register_cpu_types(Registry&);
void register_rtl_types(Registry&);  // models/rtl, when built

}  // namespace vp::platform
