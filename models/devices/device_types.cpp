// Registration of the core devices: Properties -> typed config -> model, and
// each type's device-tree node. The models never see Properties or YAML.
#include <algorithm>
#include <any>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "models/devices/clint.h"
#include "models/devices/ns16550.h"
#include "models/devices/plic.h"
#include "models/devices/sifive_test.h"
#include "models/devices/virtio_blk.h"
#include "models/devices/virtio_console.h"
#include "models/devices/virtio_mmio.h"
#include "models/devices/virtio_rng.h"
#include "platform/registry.h"

namespace vp::platform {
namespace {

using dev::Clint;
using dev::ClintConfig;
using dev::ConsoleKind;
using dev::Ns16550;
using dev::Ns16550Config;
using dev::Plic;
using dev::PlicConfig;
using dev::SifiveTest;
using dev::SifiveTestConfig;
using dev::VirtioBlk;
using dev::VirtioBlkConfig;
using dev::VirtioConsole;
using dev::VirtioConsoleConfig;
using dev::VirtioMmio;
using dev::VirtioMmioConfig;
using dev::VirtioRng;
using dev::VirtioRngConfig;

constexpr uint64_t kDefaultLatencyPs = 10'000;  // 10ns

sc_core::sc_time ps(uint64_t value) { return sc_core::sc_time(double(value), sc_core::SC_PS); }

sc_core::sc_time latency(Properties& p) { return ps(p.time_ps("latency", kDefaultLatencyPs)); }

// A count given as a number ("harts: 2") or as the list it counts ("harts: [cpu0, cpu1]").
uint64_t count(Properties& p, const std::string& key, uint64_t fallback) {
  const ConfigNode* n = p.node(key);
  if (n && n->is_sequence()) return n->sequence.size();
  return p.integer(key, fallback);
}

uint64_t in_range(Properties& p, const std::string& key, uint64_t value, uint64_t lo, uint64_t hi) {
  if (value < lo || value > hi)
    p.fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                    ", found " + std::to_string(value));
  return value;
}

// Number of an interrupt-controller input port: "10" or "irq[10]".
int source_number(const IrqWire& w) {
  if (w.to_index >= 0) return w.to_index;
  try {
    return std::stoi(w.to_port);
  } catch (...) {
    return -1;
  }
}

void set_reg(DeviceTreeContext& ctx, const std::string& path) {
  ctx.tree.set_u64(path, "reg", {ctx.base.value_or(0), ctx.size});
}

std::string soc_node(DeviceTreeContext& ctx, const char* name) {
  return ctx.tree.add_node("/soc", node_name(name, ctx.base.value_or(0)));
}

// interrupts-extended = <intc local-irq> per output line, ordered by `order`.
template <typename Order>
void interrupts_extended(DeviceTreeContext& ctx, const std::string& path, Order order) {
  std::vector<IrqWire> wires = ctx.irq_outputs;
  std::stable_sort(wires.begin(), wires.end(),
                   [&](const IrqWire& a, const IrqWire& b) { return order(a) < order(b); });
  std::vector<uint32_t> cells;
  for (const auto& w : wires) {
    const int irq = riscv_local_irq(w.to_port);
    if (irq < 0) continue;
    cells.push_back(ctx.phandle(w.to, "intc"));
    cells.push_back(uint32_t(irq));
  }
  if (!cells.empty()) ctx.tree.set_u32(path, "interrupts-extended", cells);
}

// `console`, `console_file` and `port`: the host side of a UART or virtio console.
void parse_console(Properties& p, ConsoleKind& kind, std::string& file, uint16_t& port) {
  // `console: null` is a YAML null, not the word: accept it as the null console.
  const ConfigNode* console_node = p.node("console");
  const std::string console = console_node && console_node->is_null()
                                  ? "null"
                                  : p.choice("console", {"stdio", "file", "null", "tcp"}, "stdio");
  kind = console == "stdio" ? ConsoleKind::Stdio
         : console == "file" ? ConsoleKind::File
         : console == "tcp"  ? ConsoleKind::Tcp
                             : ConsoleKind::Null;
  file = p.string("console_file", "");
  if (kind == ConsoleKind::File && file.empty()) p.fail("console", "console: file needs a console_file path");
  port = uint16_t(in_range(p, "port", p.integer("port", 0), 0, 65535));
}

// ---------------------------------------------------------------- dev.ns16550
std::any parse_ns16550(Properties& p) {
  Ns16550Config c;
  c.clock_hz = p.frequency("clock", c.clock_hz);
  parse_console(p, c.console, c.console_file, c.port);
  c.reg_shift = unsigned(in_range(p, "reg_shift", p.integer("reg_shift", 0), 0, 2));
  c.capture = p.boolean("capture", false);
  c.poll = ps(p.time_ps("poll", 100'000'000));
  if (c.poll == sc_core::SC_ZERO_TIME) p.fail("poll", "must be greater than zero");
  c.latency = latency(p);
  p.finish();
  return c;
}

void dt_ns16550(DeviceTreeContext& ctx) {
  const auto& c = std::any_cast<const Ns16550Config&>(ctx.config);
  const std::string path = soc_node(ctx, "serial");
  ctx.tree.set_string(path, "compatible", "ns16550a");
  set_reg(ctx, path);
  ctx.tree.set_u32(path, "clock-frequency", {uint32_t(c.clock_hz)});
  if (c.reg_shift) {
    ctx.tree.set_u32(path, "reg-shift", {c.reg_shift});
    ctx.tree.set_u32(path, "reg-io-width", {4});
  }
  for (const auto& w : ctx.irq_outputs) {
    if (w.from_port != "irq") continue;
    const int source = source_number(w);
    if (source < 0) continue;
    ctx.tree.set_u32(path, "interrupts", {uint32_t(source)});
    ctx.tree.set_u32(path, "interrupt-parent", {ctx.phandle(w.to, "")});
    break;
  }
  ctx.node_path = path;
}

// ------------------------------------------------------------------- dev.plic
std::any parse_plic(Properties& p) {
  PlicConfig c;
  c.sources = unsigned(in_range(p, "sources", p.integer("sources", c.sources), 2, Plic::kMaxSources));
  c.contexts = unsigned(in_range(p, "contexts", count(p, "contexts", c.contexts), 1, Plic::kMaxContexts));
  c.priority_bits =
      unsigned(in_range(p, "priority_bits", p.integer("priority_bits", c.priority_bits), 1, 32));
  c.latency = latency(p);
  p.finish();
  return c;
}

void dt_plic(DeviceTreeContext& ctx) {
  const auto& c = std::any_cast<const PlicConfig&>(ctx.config);
  const std::string path = soc_node(ctx, "plic");
  ctx.tree.set_strings(path, "compatible", {"sifive,plic-1.0.0", "riscv,plic0"});
  set_reg(ctx, path);
  ctx.tree.set_u32(path, "#interrupt-cells", {1});
  ctx.tree.set_u32(path, "#address-cells", {0});
  ctx.tree.set_empty(path, "interrupt-controller");
  ctx.tree.set_u32(path, "riscv,ndev", {c.sources - 1});
  ctx.tree.set_u32(path, "phandle", {ctx.phandle(ctx.name, "")});
  // One <intc irq> pair per context, in context order. A context that is not
  // wired keeps its slot with irq -1 so that later contexts keep their index.
  std::vector<const IrqWire*> by_context(c.contexts, nullptr);
  for (const auto& w : ctx.irq_outputs)
    if (w.from_port == "ctx" && w.from_index >= 0 && unsigned(w.from_index) < c.contexts &&
        riscv_local_irq(w.to_port) >= 0)
      by_context[size_t(w.from_index)] = &w;
  const IrqWire* any = nullptr;
  for (const IrqWire* w : by_context)
    if (w && !any) any = w;
  if (any) {
    std::vector<uint32_t> cells;
    for (const IrqWire* w : by_context) {
      cells.push_back(ctx.phandle((w ? w : any)->to, "intc"));
      cells.push_back(w ? uint32_t(riscv_local_irq(w->to_port)) : 0xffffffffu);
    }
    ctx.tree.set_u32(path, "interrupts-extended", cells);
  }
  ctx.node_path = path;
}

// ------------------------------------------------------------------ dev.clint
std::any parse_clint(Properties& p) {
  ClintConfig c;
  c.harts = unsigned(in_range(p, "harts", count(p, "harts", c.harts), 1, 4095));
  c.timebase_hz = p.frequency("timebase", c.timebase_hz);
  if (c.timebase_hz == 0) p.fail("timebase", "must be greater than zero");
  c.latency = latency(p);
  p.finish();
  return c;
}

void dt_clint(DeviceTreeContext& ctx) {
  const std::string path = soc_node(ctx, "clint");
  ctx.tree.set_strings(path, "compatible", {"sifive,clint0", "riscv,clint0"});
  set_reg(ctx, path);
  // Per hart: msip then mtip (the order of the SiFive binding).
  interrupts_extended(ctx, path, [](const IrqWire& w) {
    return std::make_pair(w.from_index < 0 ? 0 : w.from_index, w.from_port == "msip" ? 0 : 1);
  });
  ctx.node_path = path;
}

// ------------------------------------------------------------ dev.sifive_test
std::any parse_sifive_test(Properties& p) {
  SifiveTestConfig c;
  c.latency = latency(p);
  p.finish();
  return c;
}

void dt_sifive_test(DeviceTreeContext& ctx) {
  const std::string path = soc_node(ctx, "test");
  const uint32_t phandle = ctx.phandle(ctx.name, "");
  ctx.tree.set_strings(path, "compatible", {"sifive,test1", "sifive,test0", "syscon"});
  set_reg(ctx, path);
  ctx.tree.set_u32(path, "phandle", {phandle});
  const std::pair<const char*, uint32_t> nodes[] = {{"poweroff", SifiveTest::kPass},
                                                    {"reboot", SifiveTest::kReset}};
  for (const auto& [name, value] : nodes) {
    const std::string node = ctx.tree.add_node("/", name);
    ctx.tree.set_string(node, "compatible", std::string("syscon-") + name);
    ctx.tree.set_u32(node, "regmap", {phandle});
    ctx.tree.set_u32(node, "offset", {0});
    ctx.tree.set_u32(node, "value", {value});
  }
  ctx.node_path = path;
}

// ------------------------------------------------- dev.virtio_mmio and devices
// dev.virtio_mmio is an empty slot; dev.virtio_blk/_console/_rng are the same
// transport with a device behind it, so a slot changes by changing its type.
VirtioMmioConfig parse_virtio_transport(Properties& p) {
  VirtioMmioConfig c;
  c.vendor_id = uint32_t(in_range(p, "vendor_id", p.integer("vendor_id", c.vendor_id), 0, 0xffffffff));
  c.latency = latency(p);
  return c;
}

uint16_t queue_size(Properties& p, uint16_t fallback) {
  const uint64_t n = in_range(p, "queue_size", p.integer("queue_size", fallback), 2, dev::Virtqueue::kMaxSize);
  if (n & (n - 1)) p.fail("queue_size", "must be a power of two, found " + std::to_string(n));
  return uint16_t(n);
}

template <typename DeviceConfig>
struct VirtioSlot {
  VirtioMmioConfig transport;
  DeviceConfig device;
};

std::any parse_virtio_mmio(Properties& p) {
  VirtioMmioConfig c = parse_virtio_transport(p);
  p.finish();
  return c;
}

std::any parse_virtio_blk(Properties& p) {
  VirtioSlot<VirtioBlkConfig> c{parse_virtio_transport(p), {}};
  c.device.image = p.string("image");
  c.device.readonly = p.boolean("readonly", false);
  c.device.snapshot = p.boolean("snapshot", false);
  c.device.serial = p.string("serial", "");
  if (c.device.serial.size() > VirtioBlk::kIdBytes)
    p.fail("serial", "at most 20 bytes, found " + std::to_string(c.device.serial.size()));
  const uint64_t blk = in_range(p, "blk_size", p.size("blk_size", c.device.blk_size), 512, 65536);
  if (blk & (blk - 1)) p.fail("blk_size", "must be a power of two, found " + std::to_string(blk));
  c.device.blk_size = uint32_t(blk);
  c.device.queue_size = queue_size(p, c.device.queue_size);
  const std::string error = dev::DiskImage::check({c.device.image, c.device.readonly, c.device.snapshot});
  if (!error.empty()) p.fail("image", error);
  p.finish();
  return c;
}

std::any parse_virtio_console(Properties& p) {
  VirtioSlot<VirtioConsoleConfig> c{parse_virtio_transport(p), {}};
  parse_console(p, c.device.console, c.device.console_file, c.device.port);
  c.device.capture = p.boolean("capture", false);
  c.device.poll_ps = p.time_ps("poll", c.device.poll_ps);
  if (c.device.poll_ps == 0) p.fail("poll", "must be greater than zero");
  c.device.queue_size = queue_size(p, c.device.queue_size);
  p.finish();
  return c;
}

std::any parse_virtio_rng(Properties& p) {
  VirtioSlot<VirtioRngConfig> c{parse_virtio_transport(p), {}};
  if (p.has("seed")) c.device.seed = p.integer("seed");
  c.device.queue_size = queue_size(p, c.device.queue_size);
  p.finish();
  return c;
}

void dt_virtio_mmio(DeviceTreeContext& ctx) {
  const std::string path = soc_node(ctx, "virtio_mmio");
  ctx.tree.set_string(path, "compatible", "virtio,mmio");
  set_reg(ctx, path);
  for (const auto& w : ctx.irq_outputs) {
    const int source = source_number(w);
    if (w.from_port != "irq" || source < 0) continue;
    ctx.tree.set_u32(path, "interrupts", {uint32_t(source)});
    ctx.tree.set_u32(path, "interrupt-parent", {ctx.phandle(w.to, "")});
    break;
  }
  ctx.node_path = path;
}

// A transport with a device of type Device behind it. The device opens its
// host resources (image, console) here; a failure names the component.
template <typename Device, typename DeviceConfig>
std::function<std::unique_ptr<Component>(const std::string&, const std::any&)> virtio_creator() {
  return [](const std::string& name, const std::any& config) -> std::unique_ptr<Component> {
    VirtioSlot<DeviceConfig> c = std::any_cast<const VirtioSlot<DeviceConfig>&>(config);
    if constexpr (std::is_same_v<DeviceConfig, VirtioConsoleConfig>) c.device.name = name;
    std::unique_ptr<Device> device;
    try {
      device = std::make_unique<Device>(c.device);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(name + ": " + e.what());
    }
    return std::make_unique<VirtioMmio>(name.c_str(), c.transport, std::move(device));
  };
}

template <typename Model, typename Config>
std::function<std::unique_ptr<Component>(const std::string&, const std::any&)> creator() {
  return [](const std::string& name, const std::any& config) -> std::unique_ptr<Component> {
    return std::make_unique<Model>(name.c_str(), std::any_cast<const Config&>(config));
  };
}

const PropertyDoc kLatencyDoc{"latency", "Access latency annotated on every register access"};

const std::vector<PropertyDoc> kNs16550Docs = {
    {"clock", "Input clock; the divisor latch divides it into the baud rate"},
    {"console", "Where the serial line goes: stdio (the terminal), file, null or tcp (127.0.0.1:port)"},
    {"console_file", "Output file for console: file"},
    {"port", "TCP port for console: tcp (0 picks a free port and prints it)"},
    {"reg_shift", "Register spacing: offset = register << reg_shift (device tree reg-shift)"},
    {"capture", "Also keep the output in memory (Python: Simulator.uart_output())"},
    {"poll", "How often (simulated time) console input is polled and output handed to the host"},
    kLatencyDoc,
};
const std::vector<PropertyDoc> kPlicDocs = {
    {"sources", "Interrupt sources, including the unused source 0"},
    {"contexts", "Hart contexts (a count, or the list of context names such as [cpu0.m, cpu0.s])"},
    {"priority_bits", "Implemented priority bits (priorities 0 .. 2^bits - 1)"},
    kLatencyDoc,
};
const std::vector<PropertyDoc> kClintDocs = {
    {"harts", "Harts served (a count, or the list of hart names): one msip and one mtimecmp each"},
    {"timebase", "mtime frequency (device tree timebase-frequency)"},
    kLatencyDoc,
};
const std::vector<PropertyDoc> kSifiveTestDocs = {kLatencyDoc};
const std::vector<PropertyDoc> kVirtioMmioDocs = {
    {"vendor_id", "VendorID register value"},
    kLatencyDoc,
};
const PropertyDoc kQueueSizeDoc{"queue_size", "Largest virtqueue the driver may set up (QueueNumMax, a power of two)"};
const std::vector<PropertyDoc> kVirtioBlkDocs = {
    {"image", "Raw disk image (a file or block device; size a multiple of 512 bytes), locked while in use"},
    {"readonly", "The guest may not write (VIRTIO_BLK_F_RO; writes get IOERR)"},
    {"snapshot", "Guest writes go to a temporary overlay; the image file is never modified"},
    {"serial", "GET_ID answer (at most 20 bytes)"},
    {"blk_size", "Block size the driver sees (a power of two, 512 .. 64KiB)"},
    kQueueSizeDoc,
    {"vendor_id", "VendorID register value"},
    kLatencyDoc,
};
const std::vector<PropertyDoc> kVirtioConsoleDocs = {
    {"console", "Where hvc0 goes: stdio (the terminal), file, null or tcp (127.0.0.1:port)"},
    {"console_file", "Output file for console: file"},
    {"port", "TCP port for console: tcp (0 picks a free port and prints it)"},
    {"capture", "Also keep the output in memory (C++: VirtioConsole::take_output())"},
    {"poll", "How often (simulated time) host input is delivered into receive buffers"},
    kQueueSizeDoc,
    {"vendor_id", "VendorID register value"},
    kLatencyDoc,
};
const std::vector<PropertyDoc> kVirtioRngDocs = {
    {"seed", "Fixed seed: the same bytes on every run (std::mt19937_64); without it, host getrandom", "integer",
     "(host entropy)"},
    kQueueSizeDoc,
    {"vendor_id", "VendorID register value"},
    kLatencyDoc,
};

}  // namespace

void register_device_types(Registry& registry) {
  registry.add({"dev.ns16550", "NS16550A UART with stdio/file/tcp/null console", parse_ns16550,
                creator<Ns16550, Ns16550Config>(), dt_ns16550, kNs16550Docs});
  registry.add({"dev.plic", "RISC-V platform-level interrupt controller (SiFive layout)",
                parse_plic, creator<Plic, PlicConfig>(), dt_plic, kPlicDocs});
  registry.add({"dev.clint", "SiFive CLINT: machine timer and software interrupts", parse_clint,
                creator<Clint, ClintConfig>(), dt_clint, kClintDocs});
  registry.add({"dev.sifive_test", "SiFive test finisher: power-off / exit code", parse_sifive_test,
                creator<SifiveTest, SifiveTestConfig>(), dt_sifive_test, kSifiveTestDocs});
  registry.add({"dev.virtio_mmio", "virtio-mmio v2 transport with no device (an empty slot, DeviceID 0)",
                parse_virtio_mmio, creator<VirtioMmio, VirtioMmioConfig>(), dt_virtio_mmio, kVirtioMmioDocs});
  registry.add({"dev.virtio_blk", "virtio-mmio transport + virtio block device on a raw disk image",
                parse_virtio_blk, virtio_creator<VirtioBlk, VirtioBlkConfig>(), dt_virtio_mmio, kVirtioBlkDocs});
  registry.add({"dev.virtio_console", "virtio-mmio transport + virtio console (hvc0) on a console backend",
                parse_virtio_console, virtio_creator<VirtioConsole, VirtioConsoleConfig>(), dt_virtio_mmio,
                kVirtioConsoleDocs});
  registry.add({"dev.virtio_rng", "virtio-mmio transport + virtio entropy device (host or seeded)",
                parse_virtio_rng, virtio_creator<VirtioRng, VirtioRngConfig>(), dt_virtio_mmio, kVirtioRngDocs});
}

}  // namespace vp::platform
