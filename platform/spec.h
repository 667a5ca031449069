#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/config_node.h"

namespace vp::platform {

// "cpu0.mem", "clint.mtip[0]", "plic.10", "bus"
struct Endpoint {
  std::string component;
  std::string port;   // "" = the default
  int index = -1;     // -1 = none
  SourceLocation where;
  std::string str() const;
};

struct ComponentSpec {
  std::string name;
  std::string type;
  SourceLocation where;       // of the component's key
  SourceLocation type_where;
  ConfigNode properties;      // the component's mapping (includes `type`)
};

// A socket binding: initiator -> target, or router -> target at an address.
struct BindSpec {
  Endpoint initiator;
  Endpoint target;
  std::optional<uint64_t> base;  // set when the initiator is a router
  std::optional<uint64_t> size;  // overrides the target's own size
  SourceLocation where;
};

struct IrqSpec {
  Endpoint from;
  Endpoint to;
  SourceLocation where;
};

struct BootSpec {
  std::string stdout_component;  // chosen/stdout-path
  std::string bootargs;
  SourceLocation where;
};

// A component plugin named under `plugins:` (resolved when the platform is built).
struct PluginSpec {
  std::string name;     // as written
  SourceLocation where; // its folder is where a relative name is looked up
};

// A component array (`count:` under components:), as declared; the spec's
// components hold its instances <name>0 .. <name>count-1.
struct ArraySpec {
  std::string name;    // "cpu"
  std::string type;    // of every instance
  uint64_t count = 0;
  SourceLocation where;
};

// A typed, validated platform description.
struct PlatformSpec {
  std::string name;
  std::string description;
  uint64_t quantum_ps = 10'000'000;  // 10us
  std::vector<ComponentSpec> components;
  std::vector<ArraySpec> arrays;     // already expanded into components
  std::vector<BindSpec> binds;
  std::vector<IrqSpec> irqs;
  BootSpec boot;
  std::vector<PluginSpec> plugins;
  std::vector<std::string> files;    // every file read, the main one first

  const ComponentSpec* find(const std::string& name) const;
};

}  // namespace vp::platform
