#include "models/mem/ram.h"
#include "platform/registry.h"

namespace vp::platform {
namespace {

std::any parse_memory(Properties& p, bool read_only) {
  mem::RamConfig c;
  c.size = p.size("size");
  if (c.size == 0) p.fail("size", "must be greater than 0");
  if (c.size > (uint64_t{1} << 40)) p.fail("size", "must be at most 1TiB");
  c.read_only = read_only;
  c.read_latency = sc_core::sc_time(static_cast<double>(p.time_ps("read_latency", 0)), sc_core::SC_PS);
  c.write_latency = sc_core::sc_time(static_cast<double>(p.time_ps("write_latency", 0)), sc_core::SC_PS);
  return c;
}

std::unique_ptr<Component> create_memory(const std::string& name, const std::any& config) {
  return std::make_unique<mem::Ram>(name.c_str(), std::any_cast<const mem::RamConfig&>(config));
}

const std::vector<PropertyDoc> kMemoryDocs = {
    {"size", "Size of the memory, e.g. 256MiB (at most 1TiB)"},
    {"read_latency", "Latency annotated on each b_transport read (DMI accesses report it too)"},
    {"write_latency", "Latency annotated on each b_transport write"},
};

}  // namespace

void register_memory_types(Registry& r) {
  r.add({"mem.ram", "RAM, sparse (host memory committed on first touch), with DMI",
         [](Properties& p) { return parse_memory(p, false); }, create_memory,
         [](DeviceTreeContext& ctx) {
           if (!ctx.base) return;
           std::string path = ctx.tree.add_node("/", node_name("memory", *ctx.base));
           ctx.tree.set_string(path, "device_type", "memory");
           ctx.tree.set_u64(path, "reg", {*ctx.base, ctx.size});
           ctx.node_path = path;
         },
         kMemoryDocs});
  r.add({"mem.rom", "ROM: guest writes fail, loaders write through debug transport; DMI read-only",
         [](Properties& p) { return parse_memory(p, true); }, create_memory, nullptr, kMemoryDocs});
}

}  // namespace vp::platform
