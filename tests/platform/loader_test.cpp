#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "platform/builder.h"
#include "platform/loader.h"
#include "tests/platform/test_components.h"

using namespace vp::platform;
namespace fs = std::filesystem;

namespace {

const char* kGood = R"(platform: small
timing: { quantum: 1us }
components:
  cpu:  { type: test.probe }
  bus:  { type: router }
  ram:  { type: mem.ram, size: 64KiB }
  rom:  { type: mem.rom, size: 4KiB }
bind:
  - cpu.mem -> bus
  - bus:
      rom: 0x1000
      ram: { base: 0x80000000, size: 32KiB }
irq:
  - cpu.irq -> cpu.in
)";

// Builds from text and returns the error message, or "" when it succeeded.
std::string error_of(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  try {
    auto spec = load_platform_string(yaml, "test.yaml", overrides);
    auto registry = vp::test::test_registry();
    build_platform(spec, registry);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return s.replace(pos, from.size(), to);
}

}  // namespace

TEST(Loader, GoodFileBuildsTypedSpec) {
  auto spec = load_platform_string(kGood, "test.yaml");
  EXPECT_EQ(spec.name, "small");
  EXPECT_EQ(spec.quantum_ps, 1000000u);
  ASSERT_EQ(spec.components.size(), 4u);
  EXPECT_EQ(spec.components[2].type, "mem.ram");
  ASSERT_EQ(spec.binds.size(), 3u);
  EXPECT_EQ(spec.binds[0].initiator.str(), "cpu.mem");
  EXPECT_EQ(spec.binds[1].target.component, "rom");
  EXPECT_EQ(*spec.binds[1].base, 0x1000u);
  EXPECT_EQ(*spec.binds[2].size, 32u * 1024);
  ASSERT_EQ(spec.irqs.size(), 1u);
  EXPECT_EQ(spec.irqs[0].to.port, "in");

  auto registry = vp::test::test_registry();
  auto platform = build_platform(spec, registry);
  ASSERT_EQ(platform->address_map().size(), 2u);
  EXPECT_EQ(platform->base_of("ram"), 0x80000000u);
  EXPECT_EQ(platform->irq_wires().size(), 1u);
  // The debug port reaches memory through the bus.
  uint32_t v = 0xdeadbeef, r = 0;
  EXPECT_EQ(platform->write_physical(0x80000010, &v, 4), 4u);
  EXPECT_EQ(platform->read_physical(0x80000010, &r, 4), 4u);
  EXPECT_EQ(r, v);
  EXPECT_EQ(platform->write_physical(0x80008000, &v, 4), 0u) << "beyond the 32KiB window";
  // Loading before the simulation starts must not disturb starting it.
  sc_core::sc_start(sc_core::sc_time(1, sc_core::SC_US));
  EXPECT_EQ(platform->read_physical(0x80000010, &r, 4), 4u);
  EXPECT_EQ(r, v);
}

TEST(Loader, VirtConfigParses) {
  auto spec = load_platform_file(VP_SOURCE_DIR "/configs/virt.yaml");
  EXPECT_EQ(spec.name, "virt");
  ASSERT_NE(spec.find("uart0"), nullptr);
  EXPECT_EQ(spec.boot.stdout_component, "uart0");
}

TEST(Loader, IncludesAndOverrides) {
  fs::path dir = fs::temp_directory_path() / ("vp_loader_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "base.yaml") << kGood;
  std::ofstream(dir / "top.yaml") << "include: base.yaml\nplatform: top\ncomponents:\n  ram: { size: 128KiB }\n";
  auto spec = load_platform_file((dir / "top.yaml").string(), {parse_override("ram.size=1MiB", {"--set", 0, 0}),
                                                               parse_override("timing.quantum=5us", {"--set", 0, 0})});
  EXPECT_EQ(spec.name, "top");
  EXPECT_EQ(spec.quantum_ps, 5000000u);
  EXPECT_EQ(spec.files.size(), 2u);
  const ComponentSpec* ram = spec.find("ram");
  ASSERT_NE(ram, nullptr);
  EXPECT_EQ(ram->type, "mem.ram") << "merged from the included file";
  EXPECT_EQ(ram->properties.find("size")->scalar, "1MiB");
  EXPECT_EQ(spec.binds.size(), 3u);

  std::ofstream(dir / "loop.yaml") << "include: loop.yaml\n";
  try {
    load_platform_file((dir / "loop.yaml").string());
    FAIL() << "include cycle accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("include cycle"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "missing.yaml") << "include: [nothere.yaml]\n";
  try {
    load_platform_file((dir / "missing.yaml").string());
    FAIL() << "missing include accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.yaml:1:11: error: cannot open included file"), std::string::npos)
        << e.what();
  }
  fs::remove_all(dir);
}

TEST(Loader, MissingFile) {
  try {
    load_platform_file("/nonexistent/platform.yaml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/platform.yaml: error: cannot open platform file"),
              std::string::npos)
        << e.what();
  }
}

TEST(Loader, BadYamlSyntaxNamesLineAndColumn) {
  std::string msg = error_of("components:\n  cpu: { type: test.probe\n  bus: [\n");
  EXPECT_NE(msg.find("test.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("invalid YAML"), std::string::npos) << msg;
}

TEST(Loader, UnknownTypeSuggests) {
  std::string msg = error_of(replace(kGood, "type: mem.ram", "type: mem.rma"));
  EXPECT_NE(msg.find("test.yaml:6:17: error: unknown component type 'mem.rma' for ram (did you mean 'mem.ram'?)"),
            std::string::npos)
      << msg;
}

TEST(Loader, UnknownPropertySuggests) {
  std::string msg = error_of(replace(kGood, "size: 64KiB", "sise: 64KiB"));
  EXPECT_NE(msg.find("test.yaml:6:9: error: ram: missing required property 'size'"), std::string::npos) << msg;
  msg = error_of(replace(kGood, "size: 64KiB", "size: 64KiB, sise: 1"));
  EXPECT_NE(msg.find("test.yaml:6:39: error: unknown property 'sise' for ram (type mem.ram) (did you mean 'size'?)"),
            std::string::npos)
      << msg;
}

TEST(Loader, BadValue) {
  std::string msg = error_of(replace(kGood, "size: 64KiB", "size: 64 parsecs"));
  EXPECT_NE(msg.find("test.yaml:6:32: error: ram.size: expected a size"), std::string::npos) << msg;
}

TEST(Loader, OverlappingRanges) {
  std::string msg = error_of(replace(kGood, "rom: 0x1000", "rom: 0x80004000"));
  EXPECT_NE(msg.find("test.yaml:11:7: error: address range of rom [0x80004000, 0x80005000) overlaps ram at "
                     "[0x80000000, 0x80008000) on bus"),
            std::string::npos)
      << msg;
}

TEST(Loader, UnboundSocket) {
  std::string msg = error_of(replace(kGood, "  - cpu.mem -> bus\n", ""));
  EXPECT_NE(msg.find("test.yaml:4:3: error: unbound socket: initiator cpu.mem is not bound"), std::string::npos) << msg;
  msg = error_of(replace(kGood, "      rom: 0x1000\n", ""));
  EXPECT_NE(msg.find("unbound socket: target rom is not mapped"), std::string::npos) << msg;
}

TEST(Loader, IrqToMissingLine) {
  std::string msg = error_of(replace(kGood, "cpu.irq -> cpu.in", "cpu.irq -> cpu.inn"));
  EXPECT_NE(msg.find("test.yaml:14:5: error: IRQ to a missing line: no interrupt input 'cpu.inn' (inputs of cpu: in)"),
            std::string::npos)
      << msg;
  msg = error_of(replace(kGood, "cpu.irq -> cpu.in", "cpu.irq -> nosuch.in"));
  EXPECT_NE(msg.find("no component named 'nosuch'"), std::string::npos) << msg;
  msg = error_of(replace(kGood, "cpu.irq -> cpu.in", "cpu.irq -> cpu.in\n  - cpu.irq -> cpu.in"));
  EXPECT_NE(msg.find("interrupt input 'cpu.in' already has a driver"), std::string::npos) << msg;
}

TEST(Loader, StructuralErrors) {
  EXPECT_NE(error_of(replace(kGood, "timing:", "timming:")).find("unknown top-level key 'timming' (did you mean 'timing'?)"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "cpu.mem -> bus", "cpu.mem => bus")).find("bind: expected 'from -> to'"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "cpu.mem -> bus", "cpu.mem -> bsu")).find("no component named 'bsu' (did you mean 'bus'?)"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "cpu.mem -> bus", "cpu.memory -> bus")).find("cpu has no initiator socket 'memory'"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "rom: 0x1000", "rom: lots")).find("bind: expected an address, found 'lots'"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "quantum: 1us", "quantum: 1")).find("timing.quantum: expected a time"),
            std::string::npos);
  EXPECT_NE(error_of("components: {}\n").find("the platform has no components"), std::string::npos);
  EXPECT_NE(error_of(replace(kGood, "cpu:  { type: test.probe }", "cpu:  { value: 3 }")).find("component 'cpu' has no type"),
            std::string::npos);
}

TEST(Loader, OverrideErrors) {
  auto at = SourceLocation{"--set uartt.console=null", 0, 0};
  std::string msg = error_of(kGood, {parse_override("rma.size=1MiB", at)});
  EXPECT_NE(msg.find("--set uartt.console=null: error: unknown override key 'rma.size': no component or section named "
                     "'rma' (did you mean 'ram'?)"),
            std::string::npos)
      << msg;
  msg = error_of(kGood, {parse_override("ram.sise=1MiB", at)});
  EXPECT_NE(msg.find("unknown property 'sise' for ram (type mem.ram) (did you mean 'size'?)"), std::string::npos) << msg;
  EXPECT_THROW(parse_override("novalue", at), ConfigError);
}

// Issue 19.8: a 600-byte "billion laughs" document must fail fast with a located
// error instead of expanding 10^10 nodes.
TEST(Loader, AliasBombIsRejectedWithLocation) {
  std::string yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    yaml += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) yaml += (j ? ", *a" : "*a") + std::to_string(i - 1);
    yaml += "]\n";
  }
  ASSERT_LT(yaml.size(), 700u);
  try {
    load_platform_string(yaml, "laughs.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("laughs.yaml:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("more than 100000 nodes"), std::string::npos) << e.what();
  }
}

TEST(Loader, ModestAliasesStillWork) {
  auto spec = load_platform_string(
      "platform: p\ncomponents:\n  ram: { type: mem.ram, size: &sz 4KiB }\n  rom: { type: mem.rom, size: *sz }\n",
      "alias.yaml");
  ASSERT_EQ(spec.components.size(), 2u);
}

TEST(Loader, DeepNestingIsAnErrorNotACrash) {
  const std::string yaml = "components: " + std::string(100000, '[');
  try {
    load_platform_string(yaml, "deep.yaml");
    FAIL() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("deep.yaml:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("levels deep"), std::string::npos) << e.what();
  }
}
