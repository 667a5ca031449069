// Component arrays (count:, {expr} templates) in the loader: expansion into
// instances, templated bind:/irq: items, overlays, overrides and errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "platform/loader.h"

using namespace vp::platform;
namespace fs = std::filesystem;

namespace {

const char* kCluster = R"(platform: cluster
components:
  cpu:   { type: riscv.hart, count: 3, hartid: "{i}", tag: "hart-{i}-of-{cpu.count}" }
  bus:   { type: router }
  clint: { type: dev.clint, harts: "{cpu.count}" }
  plic:  { type: dev.plic, contexts: "{2 * cpu.count}" }
  slot:  { type: dev.virtio_mmio, count: 2 }
bind:
  - cpu{i}.mem -> bus
  - bus:
      clint: 0x2000000
      "slot{i}": "{0x10001000 + 0x1000 * i}"
irq:
  - clint.msip[{i}] -> cpu{i}.msip
  - plic.ctx[{2*i+1}] -> cpu{i}.seip
  - slot{i}.irq -> plic.{i + 1}
)";

std::string error_of(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  try {
    load_platform_string(yaml, "test.yaml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string scalar(const ComponentSpec& c, const char* key) {
  const ConfigNode* n = c.properties.find(key);
  return n && n->is_scalar() ? n->scalar : "<none>";
}

std::vector<std::string> irq_strings(const PlatformSpec& s) {
  std::vector<std::string> out;
  for (const auto& i : s.irqs) out.push_back(i.from.str() + " -> " + i.to.str());
  return out;
}

}  // namespace

TEST(ComponentArrays, ExpandInstancesAndTemplates) {
  auto spec = load_platform_string(kCluster, "test.yaml");
  std::vector<std::string> names;
  for (const auto& c : spec.components) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"cpu0", "cpu1", "cpu2", "bus", "clint", "plic", "slot0", "slot1"}));
  EXPECT_EQ(scalar(*spec.find("cpu2"), "hartid"), "2");
  EXPECT_EQ(scalar(*spec.find("cpu1"), "tag"), "hart-1-of-3");
  EXPECT_EQ(scalar(*spec.find("cpu1"), "count"), "<none>");  // count belongs to the array
  EXPECT_EQ(scalar(*spec.find("clint"), "harts"), "3");
  EXPECT_EQ(scalar(*spec.find("plic"), "contexts"), "6");
  // Every instance keeps the location of the array's entry.
  EXPECT_EQ(spec.find("cpu2")->where.line, 3);
  ASSERT_EQ(spec.arrays.size(), 2u);
  EXPECT_EQ(spec.arrays[0].name, "cpu");
  EXPECT_EQ(spec.arrays[0].type, "riscv.hart");
  EXPECT_EQ(spec.arrays[0].count, 3u);

  ASSERT_EQ(spec.binds.size(), 6u);
  EXPECT_EQ(spec.binds[2].initiator.str(), "cpu2.mem");
  EXPECT_EQ(spec.binds[3].target.str(), "clint");
  EXPECT_EQ(spec.binds[5].target.str(), "slot1");
  EXPECT_EQ(*spec.binds[5].base, 0x10002000u);
  EXPECT_EQ(irq_strings(spec),
            (std::vector<std::string>{"clint.msip[0] -> cpu0.msip", "clint.msip[1] -> cpu1.msip",
                                      "clint.msip[2] -> cpu2.msip", "plic.ctx[1] -> cpu0.seip",
                                      "plic.ctx[3] -> cpu1.seip", "plic.ctx[5] -> cpu2.seip", "slot0.irq -> plic.1",
                                      "slot1.irq -> plic.2"}));
}

TEST(ComponentArrays, CountOverrideResizesEverything) {
  auto spec = load_platform_string(kCluster, "test.yaml", {parse_override("cpu.count=5", {"--set", 0, 0})});
  EXPECT_NE(spec.find("cpu4"), nullptr);
  EXPECT_EQ(scalar(*spec.find("plic"), "contexts"), "10");
  EXPECT_EQ(spec.irqs.size(), 5u + 5u + 2u);
}

TEST(ComponentArrays, InstanceOverridesApplyAfterExpansion) {
  auto spec = load_platform_string(kCluster, "test.yaml",
                                   {parse_override("cpu1.mode=pipeline", {"--set", 0, 0}),
                                    parse_override("cpu.isa=rv64gc", {"--set", 0, 0})});
  EXPECT_EQ(scalar(*spec.find("cpu1"), "mode"), "pipeline");
  EXPECT_EQ(scalar(*spec.find("cpu0"), "mode"), "<none>");
  EXPECT_EQ(scalar(*spec.find("cpu2"), "isa"), "rv64gc");
  EXPECT_NE(error_of(kCluster, {parse_override("cpu7.mode=pipeline", {"--set", 0, 0})}).find("cpu7"),
            std::string::npos);
}

TEST(ComponentArrays, IncludedOverlayOfOneInstance) {
  const fs::path dir = fs::temp_directory_path() / ("vp_arrays_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "base.yaml") << kCluster;
  std::ofstream(dir / "top.yaml") << "include: [base.yaml]\ncomponents:\n  cpu2: { mode: pipeline, note: \"n{i}\" }\n";
  auto spec = load_platform_file((dir / "top.yaml").string());
  EXPECT_EQ(scalar(*spec.find("cpu2"), "mode"), "pipeline");
  EXPECT_EQ(scalar(*spec.find("cpu2"), "note"), "n2");
  EXPECT_EQ(scalar(*spec.find("cpu2"), "type"), "riscv.hart");
  EXPECT_EQ(scalar(*spec.find("cpu1"), "mode"), "<none>");
  std::ofstream(dir / "bad.yaml") << "include: [base.yaml]\ncomponents:\n  cpu9: { mode: pipeline }\n";
  try {
    load_platform_file((dir / "bad.yaml").string());
    ADD_FAILURE() << "cpu9 accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.where().line, 3);
    EXPECT_NE(std::string(e.what()).find("cpu0 .. cpu2"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(ComponentArrays, LiteralBraces) {
  auto spec = load_platform_string(
      "components:\n  a: { type: t, count: 2, s: \"{{x}} {i}\" }\n", "test.yaml");
  EXPECT_EQ(scalar(*spec.find("a1"), "s"), "{x} 1");
}

TEST(ComponentArrays, ErrorsNameTheLocation) {
  struct Case {
    std::string yaml, message;
    int line;
  };
  const std::vector<Case> cases = {
      {"components:\n  a: { type: t, count: 0 }\n", "count must be an integer from 1 to 1024, found '0'", 2},
      {"components:\n  a: { type: t, count: 100000 }\n", "count must be an integer from 1 to 1024", 2},
      {"components:\n  a: { type: t, count: [1] }\n", "count must be an integer", 2},
      {"components:\n  a: { type: t, n: \"{i}\" }\n", "'i' is defined only in an array's own properties", 2},
      {"components:\n  a: { type: t, n: \"{b.count}\" }\n", "no component array named 'b'", 2},
      {"components:\n  a: { type: t, count: 2, n: \"{a.cnt}\" }\n", "unknown name 'a.cnt'", 2},
      {"components:\n  a: { type: t, count: 2, n: \"{i / 0}\" }\n", "division by zero", 2},
      {"components:\n  a: { type: t, count: 2, n: \"{i\" }\n", "unclosed '{'", 2},
      {"components:\n  a: { type: t, count: 2, n: \"{(i + 1}\" }\n", "missing ')'", 2},
      {"components:\n  a: { type: t, count: 2, n: \"{i $ 1}\" }\n", "unexpected '$'", 2},
      {"components:\n  a: { type: t, count: 2, n: \"{" + std::string(100000, '(') + "}\" }\n", "nested deeper than 64", 2},
      {"components:\n  a: { type: t, count: 2, n: \"{" + std::string(100000, '-') + "1}\" }\n", "nested deeper than 64", 2},
      {"components:\n  a: { type: t, count: 2 }\n  a1: { type: t }\n", "'a1' is defined twice", 3},
      {"components:\n  a: { type: t, count: 2 }\n  b: { type: t, count: 3 }\nirq:\n  - a{i}.x -> b{i}.y\n",
       "names arrays of different sizes: a (2) and b (3)", 5},
      {"components:\n  a: { type: t, count: 2 }\nbind:\n  - a{i}.mem -> c{i}\n", "no component named 'c0'", 4},
  };
  for (const auto& c : cases) {
    try {
      load_platform_string(c.yaml, "test.yaml");
      ADD_FAILURE() << "accepted:\n" << c.yaml;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
      EXPECT_EQ(e.where().line, c.line) << e.what();
      EXPECT_EQ(e.where().file, "test.yaml");
    }
  }
}
