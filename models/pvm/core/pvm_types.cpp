// Registration of pvm.core: typed configuration from YAML properties, the device-tree node and
// the property docs (`vp types pvm.core`, docs/components.md).
#include <cstdio>
#include <memory>

#include "models/pvm/core/pvm_core.h"
#include "platform/device_tree.h"
#include "platform/properties.h"
#include "platform/registry.h"

namespace vp::platform {
namespace {

using pvmcore::PvmCore;
using pvmcore::PvmCoreConfig;

std::any parse_pvm_core(Properties& p) {
  PvmCoreConfig c;
  const std::string backend = p.choice("backend", {"interpreter", "recompiler"}, "interpreter");
  c.backend = backend == "recompiler" ? PVM_BACKEND_RECOMPILER : PVM_BACKEND_INTERPRETER;
  if (!pvm_backend_available(c.backend)) p.fail("backend", "the recompiler needs an x86-64 host");
  c.gp = p.choice("gp", {"0.7.2", "new-gas"}, "0.7.2") == "new-gas" ? PVM_GP_NEW_GAS : PVM_GP_0_7_2;
  c.window_base = p.integer("window_base", 0x80000000);
  c.window_size = p.size("window_size", 16ull << 20);
  if (c.window_size == 0 || c.window_size > (1ull << 32) || c.window_size % PVM_PAGE_SIZE)
    p.fail("window_size", "must be a multiple of 4KiB, at most 4GiB");
  c.gas_period = sc_core::sc_time(double(p.time_ps("gas_period", 1000)), sc_core::SC_PS);
  c.latency = sc_core::sc_time(double(p.time_ps("latency", 10'000)), sc_core::SC_PS);
  c.max_program = uint32_t(p.size("max_program", 16u << 20));
  if (c.max_program == 0 || c.max_program > (256u << 20)) p.fail("max_program", "must be between 1 and 256MiB");
  p.finish();
  return c;
}

void dt_pvm_core(DeviceTreeContext& ctx) {
  char unit[32];
  std::snprintf(unit, sizeof unit, "pvm@%llx", (unsigned long long)ctx.base.value_or(0));
  const std::string path = ctx.tree.add_node("/soc", unit);
  ctx.tree.set_string(path, "compatible", "vp,pvm-core");
  ctx.tree.set_u64(path, "reg", {ctx.base.value_or(0), ctx.size});
  for (const auto& w : ctx.irq_outputs) {
    int source = w.to_index;
    if (source < 0) {
      try {
        source = std::stoi(w.to_port);
      } catch (...) {
        continue;
      }
    }
    ctx.tree.set_u32(path, "interrupts", {uint32_t(source)});
    ctx.tree.set_u32(path, "interrupt-parent", {ctx.phandle(w.to, "")});
  }
  ctx.node_path = path;
}

const std::vector<PropertyDoc> kPvmCoreDocs = {
    {"backend", "PVM engine: interpreter, or recompiler (x86-64 hosts)"},
    {"gp", "Gray Paper profile: 0.7.2 (1 gas per instruction) or new-gas (pipeline block costs, `unlikely`)"},
    {"window_base", "Platform address of the PVM's memory window (the `mem` socket); window offset = PVM address except the stack and arguments"},
    {"window_size", "Window bytes (page multiple, at most 4GiB): a program's data and heap at offset = PVM address, its arguments at the top, its stack below them; must fit"},
    {"gas_period", "Simulated time per unit of gas executed"},
    {"latency", "Access latency annotated on every register access"},
    {"max_program", "Largest program blob the LOAD command reads"},
};

}  // namespace

void register_pvm_types(Registry& registry) {
  registry.add({"pvm.core", "JAM PVM core driven by firmware: control registers, memory window, interrupt",
                parse_pvm_core,
                [](const std::string& name, const std::any& config) -> std::unique_ptr<Component> {
                  return std::make_unique<PvmCore>(name.c_str(), std::any_cast<const PvmCoreConfig&>(config));
                },
                dt_pvm_core, kPvmCoreDocs});
}

}  // namespace vp::platform
