// Registration of the core devices: property parsing into typed configs,
// errors with suggestions, creation and device-tree nodes.
#include <libfdt.h>

#include <gtest/gtest.h>

#include "models/devices/clint.h"
#include "models/devices/ns16550.h"
#include "models/devices/plic.h"
#include "models/devices/sifive_test.h"
#include "platform/loader.h"
#include "platform/registry.h"
#include "tests/devices/sc_test_main.h"

using namespace vp::platform;
using vp::dev::ClintConfig;
using vp::dev::ConsoleKind;
using vp::dev::Ns16550Config;
using vp::dev::PlicConfig;

namespace {

const Registry& registry() {
  static Registry r = [] {
    Registry reg;
    register_device_types(reg);
    return reg;
  }();
  return r;
}

std::any parse(const std::string& type, const std::string& yaml) {
  ConfigNode node = parse_yaml(yaml, "test.yaml");
  const ComponentType* t = registry().find(type);
  EXPECT_NE(t, nullptr) << type;
  Properties p("dev0", type, node);
  std::any config = t->parse(p);
  p.finish();
  return config;
}

TEST(DeviceTypes, AllRegistered) {
  for (const char* name : {"dev.ns16550", "dev.plic", "dev.clint", "dev.sifive_test"}) {
    const ComponentType* t = registry().find(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_TRUE(t->parse && t->create && t->device_tree) << name;
  }
}

TEST(DeviceTypes, Ns16550Properties) {
  auto c = std::any_cast<Ns16550Config>(
      parse("dev.ns16550", "clock: 10MHz\nconsole: null\nreg_shift: 2\ncapture: true\npoll: 1ms\nlatency: 5ns\n"));
  EXPECT_EQ(c.clock_hz, 10'000'000u);
  EXPECT_EQ(c.console, ConsoleKind::Null);
  EXPECT_EQ(c.reg_shift, 2u);
  EXPECT_TRUE(c.capture);
  EXPECT_EQ(c.poll, sc_core::sc_time(1, sc_core::SC_MS));
  EXPECT_EQ(c.latency, sc_core::sc_time(5, sc_core::SC_NS));
  auto d = std::any_cast<Ns16550Config>(parse("dev.ns16550", "type: dev.ns16550\n"));
  EXPECT_EQ(d.clock_hz, 3'686'400u);
  EXPECT_EQ(d.console, ConsoleKind::Stdio);
  EXPECT_EQ(d.poll, sc_core::sc_time(100, sc_core::SC_US));
}

TEST(DeviceTypes, UnknownPropertySuggests) {
  try {
    parse("dev.ns16550", "clok: 10MHz\n");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown property 'clok'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("did you mean 'clock'"), std::string::npos) << e.what();
    EXPECT_EQ(e.where().line, 1);
  }
}

TEST(DeviceTypes, BadValues) {
  EXPECT_THROW(parse("dev.ns16550", "console: stdoi\n"), ConfigError);
  EXPECT_THROW(parse("dev.ns16550", "console: file\n"), ConfigError);  // needs console_file
  EXPECT_THROW(parse("dev.ns16550", "clock: fast\n"), ConfigError);
  EXPECT_THROW(parse("dev.plic", "sources: 2000\n"), ConfigError);
  EXPECT_THROW(parse("dev.clint", "timebase: 0\n"), ConfigError);
}

TEST(DeviceTypes, PlicAndClintProperties) {
  auto p = std::any_cast<PlicConfig>(parse("dev.plic", "sources: 64\ncontexts: [cpu0.m, cpu0.s, cpu1.m]\npriority_bits: 5\n"));
  EXPECT_EQ(p.sources, 64u);
  EXPECT_EQ(p.contexts, 3u);
  EXPECT_EQ(p.priority_bits, 5u);
  auto c = std::any_cast<ClintConfig>(parse("dev.clint", "harts: 4\ntimebase: 1MHz\n"));
  EXPECT_EQ(c.harts, 4u);
  EXPECT_EQ(c.timebase_hz, 1'000'000u);
  auto l = std::any_cast<ClintConfig>(parse("dev.clint", "harts: [cpu0, cpu1]\n"));
  EXPECT_EQ(l.harts, 2u);
}

TEST(DeviceTypes, CreateExposesPorts) {
  auto uart = registry().find("dev.ns16550")->create("uart0", parse("dev.ns16550", "console: null\n"));
  EXPECT_NE(uart->target_socket(""), nullptr);
  EXPECT_EQ(uart->target_size(""), 0x100u);
  EXPECT_NE(uart->irq_out("irq", -1), nullptr);
  auto plic = registry().find("dev.plic")->create("plic", parse("dev.plic", "contexts: 2\n"));
  EXPECT_EQ(plic->target_size(""), 0x4000000u);
  EXPECT_NE(plic->irq_in("10", -1), nullptr);
  EXPECT_NE(plic->irq_out("ctx", 1), nullptr);
  auto clint = registry().find("dev.clint")->create("clint", parse("dev.clint", "harts: 2\n"));
  EXPECT_EQ(clint->target_size(""), 0x10000u);
  EXPECT_NE(clint->irq_out("mtip", 1), nullptr);
  EXPECT_NE(clint->irq_out("msip", 0), nullptr);
  auto fin = registry().find("dev.sifive_test")->create("finisher", parse("dev.sifive_test", "{}\n"));
  EXPECT_EQ(fin->target_size(""), 0x1000u);
  uart.release();  // SystemC modules outlive the test
  plic.release();
  clint.release();
  fin.release();
}

// --- device tree ---------------------------------------------------------
struct Dt {
  DeviceTree tree;
  std::vector<uint8_t> blob;
  Dt() { tree.add_node("/", "soc"); }

  std::string run(const std::string& type, const std::string& name, uint64_t base, uint64_t size,
                  const std::any& config, std::vector<IrqWire> outputs) {
    DeviceTreeContext ctx{tree, name, type, config, std::nullopt, 0, {}, {}, {}, {}, {}};
    ctx.base = base;
    ctx.size = size;
    ctx.irq_outputs = std::move(outputs);
    ctx.phandle = [](const std::string& component, const std::string& sub) -> uint32_t {
      if (component == "plic" && sub.empty()) return 1;
      if (component == "finisher" && sub.empty()) return 2;
      if (component == "cpu0" && sub == "intc") return 10;
      if (component == "cpu1" && sub == "intc") return 11;
      return 99;
    };
    ctx.type_of = [](const std::string&) { return std::string(); };
    registry().find(type)->device_tree(ctx);
    blob = tree.blob();
    return ctx.node_path;
  }
  std::vector<uint32_t> cells(const std::string& path, const char* prop) {
    int off = fdt_path_offset(blob.data(), path.c_str());
    EXPECT_GE(off, 0) << path;
    int len = 0;
    auto* p = static_cast<const fdt32_t*>(fdt_getprop(blob.data(), off, prop, &len));
    std::vector<uint32_t> out;
    for (int i = 0; p && i < len / 4; ++i) out.push_back(fdt32_to_cpu(p[i]));
    return out;
  }
  std::string string(const std::string& path, const char* prop) {
    int off = fdt_path_offset(blob.data(), path.c_str());
    int len = 0;
    auto* p = static_cast<const char*>(fdt_getprop(blob.data(), off, prop, &len));
    return p ? std::string(p, size_t(len)) : "<none>";
  }
};

IrqWire wire(std::string from_port, int from_index, std::string to, std::string to_port) {
  IrqWire w;
  w.from = "x";
  w.from_port = std::move(from_port);
  w.from_index = from_index;
  w.to = std::move(to);
  w.to_port = std::move(to_port);
  return w;
}

TEST(DeviceTypes, DeviceTreeNodes) {
  Dt dt;
  EXPECT_EQ(dt.run("dev.plic", "plic", 0xc000000, 0x4000000, PlicConfig{},
                   {wire("ctx", 1, "cpu0", "seip"), wire("ctx", 0, "cpu0", "meip")}),
            "/soc/plic@c000000");
  EXPECT_EQ(dt.cells("/soc/plic@c000000", "interrupts-extended"),
            (std::vector<uint32_t>{10, 11, 10, 9}));
  EXPECT_EQ(dt.cells("/soc/plic@c000000", "riscv,ndev"), std::vector<uint32_t>{95});
  EXPECT_EQ(dt.cells("/soc/plic@c000000", "phandle"), std::vector<uint32_t>{1});
  EXPECT_EQ(dt.cells("/soc/plic@c000000", "reg"), (std::vector<uint32_t>{0, 0xc000000, 0, 0x4000000}));

  Ns16550Config uart;
  dt.run("dev.ns16550", "uart0", 0x10000000, 0x100, uart, {wire("irq", -1, "plic", "10")});
  EXPECT_EQ(dt.string("/soc/serial@10000000", "compatible"), std::string("ns16550a\0", 9));
  EXPECT_EQ(dt.cells("/soc/serial@10000000", "interrupts"), std::vector<uint32_t>{10});
  EXPECT_EQ(dt.cells("/soc/serial@10000000", "interrupt-parent"), std::vector<uint32_t>{1});
  EXPECT_EQ(dt.cells("/soc/serial@10000000", "clock-frequency"), std::vector<uint32_t>{3686400});

  ClintConfig clint;
  clint.harts = 2;
  dt.run("dev.clint", "clint", 0x2000000, 0x10000, clint,
         {wire("mtip", 1, "cpu1", "mtip"), wire("mtip", 0, "cpu0", "mtip"),
          wire("msip", 1, "cpu1", "msip"), wire("msip", 0, "cpu0", "msip")});
  EXPECT_EQ(dt.cells("/soc/clint@2000000", "interrupts-extended"),
            (std::vector<uint32_t>{10, 3, 10, 7, 11, 3, 11, 7}));

  dt.run("dev.sifive_test", "finisher", 0x100000, 0x1000, vp::dev::SifiveTestConfig{}, {});
  EXPECT_EQ(dt.cells("/soc/test@100000", "phandle"), std::vector<uint32_t>{2});
  EXPECT_EQ(dt.cells("/poweroff", "regmap"), std::vector<uint32_t>{2});
  EXPECT_EQ(dt.cells("/poweroff", "value"), std::vector<uint32_t>{0x5555});
  EXPECT_EQ(dt.cells("/reboot", "value"), std::vector<uint32_t>{0x7777});
  EXPECT_EQ(dt.string("/reboot", "compatible"), std::string("syscon-reboot\0", 14));
}

}  // namespace

VP_SC_TEST_MAIN
