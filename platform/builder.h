#pragma once
#include <any>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/component.h"
#include "platform/registry.h"
#include "platform/spec.h"

namespace vp::platform {

class Router;
class DebugPort;
class ReservationMonitor;

// A built platform: the component tree, its address map and interrupt wiring.
class Platform {
 public:
  struct Instance {
    std::string name;
    std::string type;
    std::any config;
    std::unique_ptr<Component> component;
  };
  // One window of a router's address map.
  struct Window {
    std::string router;
    std::string target;   // component[.port]
    uint64_t base;
    uint64_t size;
  };

  ~Platform();

  const PlatformSpec& spec() const { return spec_; }
  const std::vector<Instance>& instances() const { return instances_; }
  Component* find(const std::string& name) const;
  const Instance* instance(const std::string& name) const;
  const std::vector<Window>& address_map() const { return windows_; }
  const std::vector<IrqWire>& irq_wires() const { return irqs_; }
  // Address of a component's default target socket on the system bus, if mapped.
  std::optional<uint64_t> base_of(const std::string& component) const;

  // The flattened device tree for this platform.
  std::vector<uint8_t> device_tree(const std::string& bootargs_override = "") const;

  // Physical memory through the system bus's debug transport (loaders, GDB, Python).
  // Returns the number of bytes transferred.
  size_t write_physical(uint64_t addr, const void* data, size_t len) const;
  size_t read_physical(uint64_t addr, void* data, size_t len) const;
  // How many bytes from addr on (at most len) the system bus maps without a gap.
  uint64_t mapped_bytes(uint64_t addr, uint64_t len) const;
  // The lowest mapped address in [addr, addr + len), if any.
  std::optional<uint64_t> first_mapped(uint64_t addr, uint64_t len) const;

  // The LR/SC reservations of every processor; components that store into
  // memory on their own (DmaInitiator) report to it too.
  ReservationMonitor& reservations() const { return *reservations_; }

  // Calls Component::reset() on every component.
  void reset();

 private:
  friend std::unique_ptr<Platform> build_platform(const PlatformSpec&, Registry&);

  PlatformSpec spec_;
  const Registry* registry_ = nullptr;
  // Shared by the processors, so it outlives them (declared before instances_).
  std::unique_ptr<ReservationMonitor> reservations_;
  std::vector<Instance> instances_;
  std::vector<Window> windows_;
  std::vector<IrqWire> irqs_;
  std::unique_ptr<DebugPort> debug_port_;
  std::string system_bus_;
};

// Instantiates and wires a platform. Every mistake in the description is a
// ConfigError naming the file:line:column of the offending entry.
// Plugins named in the description are loaded into `registry` first.
std::unique_ptr<Platform> build_platform(const PlatformSpec& spec, Registry& registry = Registry::builtin());

// Loads the plugins a description names into `registry` (build_platform does it
// too); a missing or broken plugin is a ConfigError at its line in the file.
void load_plugins(const PlatformSpec& spec, Registry& registry);

}  // namespace vp::platform
