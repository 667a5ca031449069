#include "platform/builder.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "platform/debug_access.h"
#include "platform/plugin.h"
#include "platform/processor.h"
#include "platform/reservation_monitor.h"
#include "platform/router.h"
#include "platform/units.h"

namespace vp::platform {

// The platform's own initiator for debug transport into the system bus.
class DebugPort : public sc_core::sc_module, public tlm::tlm_bw_transport_if<> {
 public:
  InitiatorSocket socket{"socket"};
  explicit DebugPort(const sc_core::sc_module_name& name) : sc_core::sc_module(name) { socket.bind(*this); }

  size_t transfer(tlm::tlm_command cmd, uint64_t addr, void* data, size_t len) {
    return debug_transfer(socket, cmd, addr, data, len);
  }

  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
};

Platform::~Platform() = default;

Component* Platform::find(const std::string& name) const {
  const Instance* i = instance(name);
  return i ? i->component.get() : nullptr;
}

const Platform::Instance* Platform::instance(const std::string& name) const {
  for (const auto& i : instances_)
    if (i.name == name) return &i;
  return nullptr;
}

std::optional<uint64_t> Platform::base_of(const std::string& component) const {
  for (const auto& w : windows_)
    if (w.target == component) return w.base;
  return std::nullopt;
}

size_t Platform::write_physical(uint64_t addr, const void* data, size_t len) const {
  if (!debug_port_) return 0;
  const size_t done = debug_port_->transfer(tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), len);
  // Not a processor's store: reservations break, private copies of memory follow.
  if (reservations_ && done) reservations_->device_store(addr, data, done);
  return done;
}

size_t Platform::read_physical(uint64_t addr, void* data, size_t len) const {
  if (!debug_port_) return 0;
  return debug_port_->transfer(tlm::TLM_READ_COMMAND, addr, data, len);
}

uint64_t Platform::mapped_bytes(uint64_t addr, uint64_t len) const {
  uint64_t done = 0;
  while (done < len) {
    const uint64_t at = addr + done;
    const Window* hit = nullptr;
    for (const auto& w : windows_)
      if (w.router == system_bus_ && at >= w.base && at - w.base < w.size) hit = &w;
    if (!hit) break;
    done += std::min(len - done, hit->size - (at - hit->base));
  }
  return done;
}

std::optional<uint64_t> Platform::first_mapped(uint64_t addr, uint64_t len) const {
  auto end_of = [](uint64_t base, uint64_t size) { return size > UINT64_MAX - base ? UINT64_MAX : base + size; };
  std::optional<uint64_t> best;
  for (const auto& w : windows_) {
    if (w.router != system_bus_) continue;
    const uint64_t lo = std::max(w.base, addr);
    if (lo < std::min(end_of(w.base, w.size), end_of(addr, len)) && (!best || lo < *best)) best = lo;
  }
  return best;
}

void Platform::reset() {
  for (auto& i : instances_) i.component->reset();
}

std::vector<uint8_t> Platform::device_tree(const std::string& bootargs_override) const {
  DeviceTree tree;
  tree.set_u32("/", "#address-cells", {2});
  tree.set_u32("/", "#size-cells", {2});
  tree.set_string("/", "compatible", "riscv-virtio");
  tree.set_string("/", "model", "vp," + (spec_.name.empty() ? std::string("platform") : spec_.name));
  // /cpus is created by the first processor's hook, which knows the timebase.
  tree.add_node("/", "soc");
  tree.set_u32("/soc", "#address-cells", {2});
  tree.set_u32("/soc", "#size-cells", {2});
  tree.set_string("/soc", "compatible", "simple-bus");
  tree.set_empty("/soc", "ranges");
  tree.add_node("/", "chosen");

  std::map<std::pair<std::string, std::string>, uint32_t> phandles;
  auto phandle = [&](const std::string& c, const std::string& sub) {
    auto [it, added] = phandles.emplace(std::make_pair(c, sub), static_cast<uint32_t>(phandles.size() + 1));
    (void)added;
    return it->second;
  };
  auto type_of = [&](const std::string& c) {
    const Instance* i = instance(c);
    return i ? i->type : std::string();
  };

  std::map<std::string, std::string> node_paths;
  for (const auto& inst : instances_) {
    const ComponentType* type = registry_->find(inst.type);
    if (!type || !type->device_tree) continue;
    DeviceTreeContext ctx{tree, inst.name, inst.type, inst.config, base_of(inst.name),
                          inst.component->target_size(""), {}, {}, phandle, type_of, ""};
    for (const auto& w : irqs_) {
      if (w.from == inst.name) ctx.irq_outputs.push_back(w);
      if (w.to == inst.name) ctx.irq_inputs.push_back(w);
    }
    type->device_tree(ctx);
    if (!ctx.node_path.empty()) node_paths[inst.name] = ctx.node_path;
  }

  std::string bootargs = bootargs_override.empty() ? spec_.boot.bootargs : bootargs_override;
  if (!bootargs.empty()) tree.set_string("/chosen", "bootargs", bootargs);
  if (!spec_.boot.stdout_component.empty()) {
    auto it = node_paths.find(spec_.boot.stdout_component);
    if (it != node_paths.end()) tree.set_string("/chosen", "stdout-path", it->second);
  }
  return tree.blob();
}

namespace {

std::string names_list(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

void load_plugins(const PlatformSpec& spec, Registry& registry) {
  for (const auto& plugin : spec.plugins) {
    const std::string dir = plugin.where.file.rfind("--set", 0) == 0
                                ? std::string(".")
                                : std::filesystem::path(plugin.where.file).parent_path().string();
    const std::string path = find_plugin(plugin.name, dir);
    if (path.empty()) {
      std::string where = "'" + (dir.empty() ? std::string(".") : dir) + "'";
      for (const auto& d : plugin_search_path()) where += ", '" + d + "'";
      throw ConfigError(plugin.where, "plugin '" + plugin.name + "' not found (looked in " + where +
                                          (plugin_search_path().empty() ? "; VP_PLUGIN_PATH is not set)" : ")"));
    }
    try {
      load_plugin(path, registry);
    } catch (const PluginError& e) {
      throw ConfigError(plugin.where, e.what());
    }
  }
}

std::unique_ptr<Platform> build_platform(const PlatformSpec& spec, Registry& registry) {
  load_plugins(spec, registry);
  auto platform = std::unique_ptr<Platform>(new Platform());
  platform->spec_ = spec;
  platform->registry_ = &registry;

  // 1. Resolve types and parse every configuration before anything is built.
  std::vector<std::any> configs;
  std::vector<const ComponentType*> types;
  for (const auto& c : spec.components) {
    const ComponentType* type = registry.find(c.type);
    if (!type)
      throw ConfigError(c.type_where, "unknown component type '" + c.type + "' for " + c.name +
                                          did_you_mean_hint(c.type, registry.names()) +
                                          "; known types: " + names_list(registry.names()));
    Properties props(c.name, c.type, c.properties);
    configs.push_back(type->parse(props));
    props.finish();
    types.push_back(type);
  }
  auto is_router = [&](const std::string& name) {
    const ComponentSpec* c = spec.find(name);
    return c && c->type == "router";
  };
  for (const auto& b : spec.binds) {
    if (is_router(b.initiator.component) && !b.base)
      throw ConfigError(b.where, "bind: " + b.target.str() + " is mapped by router " + b.initiator.component +
                                     " and needs an address ('" + b.initiator.component + ": { " +
                                     b.target.component + ": 0x... }')");
    if (!is_router(b.initiator.component) && b.base)
      throw ConfigError(b.where, "bind: only a router maps targets at addresses; " + b.initiator.component +
                                     " is not a router");
    if (b.initiator.component == b.target.component)
      throw ConfigError(b.where, "bind: " + b.initiator.component + " cannot be bound to itself");
  }

  // The system bus (router named "bus", else the first router) also carries the platform's debug port.
  for (const auto& c : spec.components)
    if (c.type == "router" && (platform->system_bus_.empty() || c.name == "bus")) platform->system_bus_ = c.name;
  // Routers are built with exactly as many sockets as they have bindings.
  for (size_t i = 0; i < spec.components.size(); ++i) {
    const auto& c = spec.components[i];
    if (c.type != "router") continue;
    auto& rc = std::any_cast<RouterConfig&>(configs[i]);
    rc.initiators = c.name == platform->system_bus_ ? 1 : 0;
    rc.targets = 0;
    for (const auto& b : spec.binds) {
      if (b.target.component == c.name) ++rc.initiators;
      if (b.initiator.component == c.name) ++rc.targets;
    }
  }

  // 2. Instantiate.
  for (size_t i = 0; i < spec.components.size(); ++i) {
    const auto& c = spec.components[i];
    platform->instances_.push_back({c.name, c.type, configs[i], types[i]->create(c.name, configs[i])});
  }
  // LR/SC across processors: one reservation monitor, owned by the platform.
  platform->reservations_ = std::make_unique<ReservationMonitor>();
  for (auto& inst : platform->instances_)
    if (auto* p = dynamic_cast<Processor*>(inst.component.get()))
      p->set_reservation_monitor(*platform->reservations_);
    else if (auto* d = dynamic_cast<DmaInitiator*>(inst.component.get()))
      d->set_reservation_monitor(*platform->reservations_);

  // 3. Bind sockets.
  // Sockets, not names: "cpu0" and "cpu0.mem" may name the same default socket.
  std::set<const void*> bound_initiators, bound_targets;
  std::map<std::string, std::vector<std::pair<const BindSpec*, uint64_t>>> router_windows;
  for (const auto& b : spec.binds) {
    Component* from = platform->find(b.initiator.component);
    Component* to = platform->find(b.target.component);
    auto* from_router = dynamic_cast<Router*>(from);
    auto* to_router = dynamic_cast<Router*>(to);
    if (b.initiator.index >= 0 || b.target.index >= 0)
      throw ConfigError(b.where, "bind: sockets have no index ('" + b.initiator.str() + " -> " + b.target.str() + "')");

    if (from_router) {
      uint64_t size = 0;
      if (to_router) {
        if (!b.size)
          throw ConfigError(b.where, "bind: router " + b.target.component +
                                         " mapped behind router " + b.initiator.component + " needs a size");
        size = *b.size;
        from_router->map(*to_router, *b.base, size, b.target.str());
      } else {
        TargetSocket* socket = to->target_socket(b.target.port);
        if (!socket)
          throw ConfigError(b.where, b.target.component + " has no target socket" +
                                         (b.target.port.empty() ? std::string() : " '" + b.target.port + "'") +
                                         " (target sockets: " + names_list(to->target_socket_names()) + ")");
        if (!bound_targets.insert(socket).second) throw ConfigError(b.where, b.target.str() + " is already bound");
        size = b.size ? *b.size : to->target_size(b.target.port);
        if (size == 0) throw ConfigError(b.where, "bind: " + b.target.str() + " has no size; give one with { base, size }");
        from_router->map(*socket, *b.base, size, b.target.str());
      }
      if (*b.base + (size - 1) < *b.base)
        throw ConfigError(b.where, "bind: " + b.target.str() + " at " + format_size(*b.base) + " wraps around the address space");
      router_windows[b.initiator.component].push_back({&b, size});
      platform->windows_.push_back({b.initiator.component, b.target.str(), *b.base, size});
      continue;
    }

    InitiatorSocket* socket = from->initiator_socket(b.initiator.port);
    if (!socket)
      throw ConfigError(b.where, b.initiator.component + " has no initiator socket" +
                                     (b.initiator.port.empty() ? std::string() : " '" + b.initiator.port + "'") +
                                     did_you_mean_hint(b.initiator.port, from->initiator_socket_names()) +
                                     " (initiator sockets: " + names_list(from->initiator_socket_names()) + ")");
    if (!bound_initiators.insert(socket).second)
      throw ConfigError(b.where, b.initiator.str() + " is already bound");
    if (to_router) {
      to_router->bind_initiator(*socket);
    } else {
      TargetSocket* target = to->target_socket(b.target.port);
      if (!target)
        throw ConfigError(b.where, b.target.component + " has no target socket" +
                                       (b.target.port.empty() ? std::string() : " '" + b.target.port + "'") +
                                       " (target sockets: " + names_list(to->target_socket_names()) + ")");
      if (!bound_targets.insert(target).second) throw ConfigError(b.where, b.target.str() + " is already bound");
      socket->bind(*target);
    }
  }

  // Overlapping windows on one router.
  for (auto& [router, windows] : router_windows) {
    std::sort(windows.begin(), windows.end(),
              [](const auto& a, const auto& b) { return *a.first->base < *b.first->base; });
    for (size_t i = 1; i < windows.size(); ++i) {
      const BindSpec& prev = *windows[i - 1].first;
      const BindSpec& cur = *windows[i].first;
      uint64_t prev_end = *prev.base + windows[i - 1].second;
      if (*cur.base < prev_end) {
        char buf[256];
        std::snprintf(buf, sizeof buf, "[0x%llx, 0x%llx) overlaps %s at [0x%llx, 0x%llx) on %s",
                      static_cast<unsigned long long>(*cur.base),
                      static_cast<unsigned long long>(*cur.base + windows[i].second), prev.target.str().c_str(),
                      static_cast<unsigned long long>(*prev.base), static_cast<unsigned long long>(prev_end),
                      router.c_str());
        throw ConfigError(cur.where, "address range of " + cur.target.str() + " " + buf);
      }
    }
  }

  // Every socket must be bound: an unbound one would fail later inside SystemC.
  for (const auto& inst : platform->instances_) {
    if (dynamic_cast<Router*>(inst.component.get())) continue;
    const ComponentSpec* c = spec.find(inst.name);
    for (const auto& port : inst.component->initiator_socket_names())
      if (!bound_initiators.count(inst.component->initiator_socket(port)))
        throw ConfigError(c->where, "unbound socket: initiator " + inst.name + "." + port +
                                        " is not bound (add '" + inst.name + "." + port + " -> <router>' under bind:)");
    for (const auto& port : inst.component->target_socket_names())
      if (!bound_targets.count(inst.component->target_socket(port)))
        throw ConfigError(c->where, "unbound socket: target " + inst.name + (port.empty() ? "" : "." + port) +
                                        " is not mapped (add it to a router under bind:)");
  }

  // 4. Interrupt wiring.
  for (const auto& w : spec.irqs) {
    Component* from = platform->find(w.from.component);
    Component* to = platform->find(w.to.component);
    IrqOut* out = from->irq_out(w.from.port, w.from.index);
    if (!out)
      throw ConfigError(w.where, "no interrupt output '" + w.from.str() + "' (outputs of " + w.from.component + ": " +
                                     names_list(from->irq_out_names()) + ")");
    IrqIn* in = to->irq_in(w.to.port, w.to.index);
    if (!in)
      throw ConfigError(w.where, "IRQ to a missing line: no interrupt input '" + w.to.str() + "' (inputs of " +
                                     w.to.component + ": " + names_list(to->irq_in_names()) + ")");
    if (in->driven()) throw ConfigError(w.where, "interrupt input '" + w.to.str() + "' already has a driver");
    out->bind(*in);
    out->set_name(w.from.str());
    platform->irqs_.push_back({w.from.component, w.from.port, w.from.index, w.to.component, w.to.port, w.to.index});
  }

  // 5. The platform's debug port on the system bus.
  if (!platform->system_bus_.empty()) {
    platform->debug_port_ = std::make_unique<DebugPort>("vp_debug_port");
    static_cast<Router*>(platform->find(platform->system_bus_))->bind_initiator(platform->debug_port_->socket);
  }

  sc_core::sc_time quantum(static_cast<double>(spec.quantum_ps), sc_core::SC_PS);
  tlm::tlm_global_quantum::instance().set(quantum);
  return platform;
}

}  // namespace vp::platform
