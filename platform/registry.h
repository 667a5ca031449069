#pragma once
#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
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

// One property of a component type, for `vp types TYPE` and docs/components.md.
// The kind, default and whether it is required are read from the type's parse
// function (Properties::describe); `kind` and `fallback` here are only for
// properties that function reads conditionally (e.g. only in pipeline mode).
struct PropertyDoc {
  std::string name;
  std::string description;  // one line: meaning and unit
  std::string kind = "";    // "size", "integer", ... (when not read with defaults)
  std::string fallback = "";
};

// How a component type is made: parse typed config from properties, then build.
struct ComponentType {
  std::string name;         // "mem.ram", "dev.ns16550", ...
  std::string description;  // one line, for `vp types`
  std::function<std::any(Properties&)> parse;
  std::function<std::unique_ptr<Component>(const std::string& name, const std::any& config)> create;
  std::function<void(DeviceTreeContext&)> device_tree = nullptr;  // optional
  std::vector<PropertyDoc> properties = {};  // every property the type accepts
  std::string origin = "built-in";           // or the plugin file that registered it
};

// A property as documented: the type's description merged with what its parse
// function reads when given no values.
struct PropertyInfo {
  std::string name, kind, fallback, description;
  bool required = false;
  std::vector<std::string> choices;  // for kind "choice"
};

class Registry {
 public:
  // The registry with every built-in type (registered explicitly, not by static
  // initialisers), plus the types of the plugins loaded into it.
  static Registry& builtin();

  // Throws std::invalid_argument if a type of that name exists already.
  void add(ComponentType type);
  const ComponentType* find(const std::string& name) const;
  std::vector<std::string> names() const;
  // Types added from now on carry this origin ("built-in" by default).
  void set_origin(std::string origin) { origin_ = std::move(origin); }

  // Every property of a type: documented ones and those its parse function reads.
  std::vector<PropertyInfo> properties(const std::string& type) const;

  // Types whose instances execute code (platform::Processor): `vp run --smp N`
  // sets the count of the platform's array of them.
  void mark_processor(const std::string& type) { processors_.insert(type); }
  bool is_processor(const std::string& type) const { return processors_.count(type) != 0; }

 private:
  std::map<std::string, ComponentType> types_;
  std::string origin_ = "built-in";
  std::set<std::string> processors_;
};

// Defined by each model library's registration file; called by Registry::builtin().
void register_platform_types(Registry&);
void register_memory_types(Registry&);
void register_device_types(Registry&);
void register_cpu_types(Registry&);
void register_rtl_types(Registry&);  // models/rtl, when built
void register_pvm_types(Registry&);  // models/pvm (pvm.core)

}  // namespace vp::platform
