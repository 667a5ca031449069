#include "models/rtl/rtl_component_type.h"

#include <any>
#include <memory>

#include "models/rtl/rtl_bridge.h"

namespace vp::rtl {
namespace {

sc_core::sc_time ps(uint64_t value) { return sc_core::sc_time(double(value), sc_core::SC_PS); }

RtlBridgeConfig parse(platform::Properties& p, bool master) {
  RtlBridgeConfig c;
  c.size = p.size("size", 0x1000);
  if (c.size == 0) p.fail("size", "must not be 0");
  const uint64_t hz = p.frequency("clock", 100'000'000);
  if (hz == 0 || hz > 1'000'000'000'000ull) p.fail("clock", "must be between 1 Hz and 1 THz");
  c.period = ps(1'000'000'000'000ull / hz);
  c.reset_cycles = unsigned(p.integer("reset_cycles", 4));
  c.trace = p.string("trace", "");
  c.free_running = p.boolean("free_running", false);
  c.sync_period = ps(p.time_ps("sync_period", 1'000'000));
  c.timeout_cycles = p.integer("timeout_cycles", 100000);
  if (c.timeout_cycles == 0) p.fail("timeout_cycles", "must not be 0");
  c.max_catch_up = p.integer("max_catch_up", 10'000'000);
  c.debug_access = p.boolean("debug_access", false);
  c.master = master;
  return c;
}

}  // namespace

void add_rtl_component_type(platform::Registry& registry, const std::string& name,
                            const std::string& description, RtlModelFactory factory, bool master) {
  const std::string type = "rtl." + name;
  registry.add({type, description,
                [master](platform::Properties& p) -> std::any { return parse(p, master); },
                [factory](const std::string& instance, const std::any& config) -> std::unique_ptr<platform::Component> {
                  return std::make_unique<RtlBridge>(instance.c_str(), factory(),
                                                     std::any_cast<const RtlBridgeConfig&>(config));
                },
                [name](platform::DeviceTreeContext& ctx) {
                  if (!ctx.base) return;
                  const std::string path =
                      ctx.tree.add_node("/soc", platform::node_name(name, *ctx.base));
                  ctx.tree.set_string(path, "compatible", "vp,rtl-" + name);
                  ctx.tree.set_u64(path, "reg", {*ctx.base, ctx.size});
                  for (const auto& w : ctx.irq_outputs) {
                    int n = w.to_index;
                    if (n < 0) {
                      try {
                        n = std::stoi(w.to_port);
                      } catch (...) {
                        continue;
                      }
                    }
                    ctx.tree.set_u32(path, "interrupt-parent", {ctx.phandle(w.to, "")});
                    ctx.tree.set_u32(path, "interrupts", {uint32_t(n)});
                    ctx.node_path = path;
                  }
                  ctx.node_path = path;
                },
                {{"size", "Size of the register window the bus maps"},
                 {"clock", "RTL clock; the model catches up to simulated time in whole cycles"},
                 {"reset_cycles", "Cycles reset is held at start"},
                 {"trace", "Waveform file (VCD or FST, as the component was built); \"\": none"},
                 {"free_running", "Clock the RTL even when nobody accesses it (for RTL with its own activity)"},
                 {"sync_period", "free_running: how often the RTL catches up with simulated time"},
                 {"timeout_cycles", "Cycles a bus transfer may take before it fails (slave error)"},
                 {"max_catch_up", "Most cycles simulated in one catch-up step"},
                 {"debug_access", "Let debug transport (loaders, debuggers) run bus cycles on the RTL"}}});
}

}  // namespace vp::rtl

// ---- rtl.socket: the out-of-process bridge ----
#include "models/rtl/socket_bridge.h"
#include "models/rtl/vp_rtl_shm.h"

namespace vp::rtl {

void register_socket_type(platform::Registry& registry) {
  registry.add({"rtl.socket",
                "RTL simulator in another process (socket or shared-memory protocol, models/rtl/vp_rtl_peer.h)",
                [](platform::Properties& p) -> std::any {
                  SocketBridgeConfig c;
                  c.size = p.size("size", 0x1000);
                  c.address = p.string("address", "unix:/tmp/vp-" + p.component() + ".sock");
                  if (c.address.rfind("tcp:", 0) == 0 && c.address.find(':', 4) == std::string::npos)
                    c.address = "tcp:127.0.0.1:" + c.address.substr(4);  // "tcp:PORT": loopback only
                  c.posted_writes = p.boolean("posted_writes", false);
                  const uint64_t batch = p.integer("batch", 64);
                  if (batch == 0 || batch > 4096) p.fail("batch", "must be between 1 and 4096");
                  c.batch = unsigned(batch);
                  const uint64_t ring = p.size("ring_size", 64 * 1024);
                  if (ring < VP_SHM_MIN_RING || ring > VP_SHM_MAX_RING || (ring & (ring - 1)))
                    p.fail("ring_size", "must be a power of two between 16KiB and 64MiB");
                  c.ring_size = uint32_t(ring);
                  const uint64_t spin = p.time_ps("spin", 50'000'000);
                  if (spin > 1'000'000'000'000ull) p.fail("spin", "must be at most 1s");
                  c.spin_us = int(spin / 1'000'000);
                  if (p.boolean("busy_poll", false)) c.spin_us = -1;
                  c.sync_period = ps(p.time_ps("sync_period", 10'000'000));
                  c.irqs = unsigned(p.integer("irqs", 1));
                  c.accept_timeout_s = double(p.time_ps("accept_timeout", 10'000'000'000'000ull)) * 1e-12;
                  return c;
                },
                [](const std::string& instance, const std::any& config) -> std::unique_ptr<platform::Component> {
                  return std::make_unique<SocketBridge>(instance.c_str(),
                                                        std::any_cast<const SocketBridgeConfig&>(config));
                },
                nullptr,
                {{"size", "Size of the register window the bus maps"},
                 {"address", "Where vp listens: unix:PATH, tcp:PORT (127.0.0.1 only), or shm:PATH (shared memory "
                             "handed over on the Unix socket PATH)"},
                 {"posted_writes", "Writes complete without waiting for the peer's answer"},
                 {"batch", "Posted writes sent together (one send, or one wake-up); the next read or sync sends them"},
                 {"ring_size", "shm: bytes of each ring (a power of two, 16KiB to 64MiB)"},
                 {"spin", "shm: polling before sleeping on a futex (0: sleep at once)"},
                 {"busy_poll", "shm: never sleep (keeps a core busy, yields it after 20us without a message; lowest latency)"},
                 {"sync_period", "How often simulated time is sent to the peer"},
                 {"irqs", "Interrupt lines the peer drives (irq[0] ..)"},
                 {"accept_timeout", "How long (host time) vp waits for the peer to connect"}}});
}

}  // namespace vp::rtl
