// Registration of riscv.hart: typed config from properties, factory, device tree.
#include <algorithm>
#include <stdexcept>

#include "models/cpu/hart.h"
#include "models/cpu/pipeline_types.h"
#include "platform/properties.h"
#include "platform/registry.h"
#include "platform/units.h"

namespace vp::cpu {

uint32_t parse_isa(const std::string& isa_in) {
  std::string isa = isa_in;
  std::transform(isa.begin(), isa.end(), isa.begin(), [](unsigned char c) { return std::tolower(c); });
  if (isa.rfind("rv64", 0) != 0) throw std::invalid_argument("must start with 'rv64'");
  uint32_t ext = kExtZicsr | kExtZifencei | kExtS | kExtU;
  size_t i = 4;
  if (i >= isa.size() || (isa[i] != 'i' && isa[i] != 'g'))
    throw std::invalid_argument("base must be 'i' or 'g'");
  for (; i < isa.size() && isa[i] != '_'; ++i) {
    switch (isa[i]) {
      case 'i': ext |= kExtI; break;
      case 'g': ext |= kExtI | kExtM | kExtA | kExtF | kExtD; break;
      case 'm': ext |= kExtM; break;
      case 'a': ext |= kExtA; break;
      case 'f': ext |= kExtF; break;
      case 'd': ext |= kExtD; break;
      case 'c': ext |= kExtC; break;
      default: throw std::invalid_argument(std::string("unsupported extension '") + isa[i] + "'");
    }
  }
  while (i < isa.size()) {
    ++i;  // '_'
    size_t j = isa.find('_', i);
    const std::string x = isa.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (x == "zicsr" || x == "zifencei") {
    } else if (x == "zba") {
      ext |= kExtZba;
    } else if (x == "zbb") {
      ext |= kExtZbb;
    } else if (x == "zbs") {
      ext |= kExtZbs;
    } else if (!x.empty()) {
      throw std::invalid_argument("unsupported extension '" + x + "'");
    }
    i = j == std::string::npos ? isa.size() : j;
  }
  if ((ext & kExtD) && !(ext & kExtF)) throw std::invalid_argument("'d' requires 'f'");
  return ext;
}

std::vector<std::string> isa_extensions(uint32_t ext) {
  std::vector<std::string> out;
  const std::pair<uint32_t, const char*> all[] = {
      {kExtI, "i"},         {kExtM, "m"},           {kExtA, "a"},     {kExtF, "f"},
      {kExtD, "d"},         {kExtC, "c"},           {kExtZicsr, "zicsr"},
      {kExtZifencei, "zifencei"}, {kExtZba, "zba"}, {kExtZbb, "zbb"}, {kExtZbs, "zbs"}};
  for (auto [bit, name] : all)
    if (ext & bit) out.push_back(name);
  return out;
}

std::string isa_string(uint32_t ext) {
  std::string s = "rv64";
  std::string multi;
  for (const std::string& e : isa_extensions(ext)) {
    if (e.size() == 1)
      s += e;
    else
      multi += "_" + e;
  }
  return s + multi;
}

}  // namespace vp::cpu

namespace vp::platform {
namespace {

// pipeline_trace: FILE, or {file, format: konata|chrome, start, count}.
void parse_pipeline_trace(Properties& p, cpu::PipelineTraceConfig& c) {
  const ConfigNode* n = p.node("pipeline_trace");
  if (!n || n->is_null()) return;
  if (n->is_scalar()) {
    c.file = n->scalar;
  } else {
    if (!n->is_map()) p.fail("pipeline_trace", std::string("expected a map, found ") + n->kind_name());
    Properties q(p.component() + ".pipeline_trace", p.type(), *n);
    c.file = q.string("file");
    c.format = q.choice("format", {"konata", "chrome"}, c.file.size() >= 5 &&
                        c.file.compare(c.file.size() - 5, 5, ".json") == 0 ? "chrome" : "konata");
    c.start = q.integer("start", 0);
    c.count = q.integer("count", c.count);
    if (c.count == 0 || c.count > cpu::PipelineTraceConfig::kMaxCount)
      q.fail("count", "must be between 1 and " + std::to_string(cpu::PipelineTraceConfig::kMaxCount));
    q.finish();
  }
  if (c.file.empty()) p.fail("pipeline_trace", "expected a file name");
}

}  // namespace

void register_cpu_types(Registry& registry) {
  ComponentType t;
  t.name = "riscv.hart";
  t.description = "RV64GC hart (IMAFDC, Zicsr, Zifencei, Zba/Zbb/Zbs; M/S/U; Sv39/Sv48; PMP; functional or pipeline timing)";
  t.parse = [](Properties& p) -> std::any {
    cpu::HartConfig c;
    c.hartid = p.integer("hartid", 0);
    c.isa = p.string("isa", "rv64imafdc");
    try {
      c.ext = cpu::parse_isa(c.isa);
    } catch (const std::invalid_argument& e) {
      p.fail("isa", std::string("invalid ISA string '") + c.isa + "': " + e.what());
    }
    c.reset_pc = p.integer("reset_pc", 0x1000);
    c.mode = p.choice("mode", {"functional", "pipeline"}, "functional");
    c.translate = p.boolean("translate", true);
    c.lockstep = p.boolean("lockstep", false);
    // Timing properties are read in either mode (so --set cpu0.mode=functional
    // works on a pipeline platform); only pipeline mode uses them.
    parse_pipeline(p, c.pipeline);
    c.mmu = p.choice("mmu", {"sv39", "sv48"}, "sv48") == "sv39" ? 39 : 48;
    const uint64_t pmp = p.integer("pmp_entries", 16);
    if (pmp > 64) p.fail("pmp_entries", "must be between 0 and 64");
    c.pmp_entries = static_cast<unsigned>(pmp);
    c.misaligned_emulate = p.choice("misaligned", {"emulate", "trap"}, "emulate") == "emulate";
    c.timebase_hz = p.frequency("timebase", 10'000'000);
    if (c.timebase_hz == 0) p.fail("timebase", "must be greater than zero");
    if (p.has("mtime")) {
      c.mtime = p.integer("mtime");
      if (*c.mtime % 8) p.fail("mtime", "must be the 8-byte aligned address of an mtime register");
    }
    c.clock_hz = p.frequency("clock", 1'000'000'000);
    if (c.clock_hz == 0) p.fail("clock", "must be greater than zero");
    if (p.has("quantum")) c.quantum_ps = p.time_ps("quantum");
    parse_pipeline_trace(p, c.pipeline_trace);
    return c;
  };
  t.create = [](const std::string& name, const std::any& config) -> std::unique_ptr<Component> {
    return std::make_unique<cpu::Hart>(name.c_str(), std::any_cast<const cpu::HartConfig&>(config));
  };
  t.device_tree = [](DeviceTreeContext& ctx) {
    const auto& c = std::any_cast<const cpu::HartConfig&>(ctx.config);
    DeviceTree& dt = ctx.tree;
    if (!dt.has_node("/cpus")) {
      dt.add_node("/", "cpus");
      dt.set_u32("/cpus", "#address-cells", {1});
      dt.set_u32("/cpus", "#size-cells", {0});
      dt.set_u32("/cpus", "timebase-frequency", {static_cast<uint32_t>(c.timebase_hz)});
    }
    const std::string cpu = dt.add_node("/cpus", node_name("cpu", c.hartid));
    dt.set_string(cpu, "device_type", "cpu");
    dt.set_u32(cpu, "reg", {static_cast<uint32_t>(c.hartid)});
    dt.set_string(cpu, "status", "okay");
    dt.set_string(cpu, "compatible", "riscv");
    dt.set_string(cpu, "riscv,isa", cpu::isa_string(c.ext));
    dt.set_string(cpu, "riscv,isa-base", "rv64i");
    dt.set_strings(cpu, "riscv,isa-extensions", cpu::isa_extensions(c.ext));
    dt.set_string(cpu, "mmu-type", c.mmu == 39 ? "riscv,sv39" : "riscv,sv48");
    dt.set_u32(cpu, "clock-frequency", {static_cast<uint32_t>(std::min<uint64_t>(c.clock_hz, 0xffffffffu))});
    dt.set_u32(cpu, "phandle", {ctx.phandle(ctx.name, "")});
    const std::string intc = dt.add_node(cpu, "interrupt-controller");
    dt.set_u32(intc, "#interrupt-cells", {1});
    dt.set_empty(intc, "interrupt-controller");
    dt.set_string(intc, "compatible", "riscv,cpu-intc");
    dt.set_u32(intc, "phandle", {ctx.phandle(ctx.name, "intc")});
    const std::string map = dt.add_node("/cpus", "cpu-map");
    const std::string cluster = dt.add_node(map, "cluster0");
    const std::string core = dt.add_node(cluster, "core" + std::to_string(c.hartid));
    dt.set_u32(core, "cpu", {ctx.phandle(ctx.name, "")});
    ctx.node_path = cpu;
  };
  t.properties = {
      {"hartid", "mhartid; also the device-tree cpu number"},
      {"isa", "ISA string, e.g. rv64gc or rv64imafdc_zba_zbb_zbs (sets misa and riscv,isa)"},
      {"reset_pc", "Where the hart starts when nothing is loaded (the boot flow sets it otherwise)"},
      {"mode", "functional: fast, no timing; pipeline: cycle-approximate timing, in-order or out-of-order (backend; docs/architecture.md)"},
      {"translate", "Functional mode: run translated x86-64 code (true, on x86-64 hosts) or the interpreter "
                    "(false); pipeline mode always interprets (docs/architecture.md, The translator)"},
      {"lockstep", "Check translated code against the interpreter after every block; the first difference "
                   "stops the run (exit code 3) with a report"},
      {"mmu", "Largest satp mode: sv39 or sv48"},
      {"pmp_entries", "Implemented PMP entries (0 to 64)"},
      {"misaligned", "Misaligned loads/stores: emulate in the hart, or trap to software"},
      {"timebase", "Frequency of the time CSR (must equal the CLINT's timebase)"},
      {"mtime", "Address of the timer's mtime register: the time CSR reads it over the bus (virt: 0x200bff8); "
                "absent: time counts timebase ticks", "integer"},
      {"clock", "Core clock: one instruction per cycle in functional mode; pipeline cycles in pipeline mode"},
      {"quantum", "This hart's temporal-decoupling quantum (default: the platform's timing.quantum); at its end the hart syncs only if another process has work before its local time (at most 64 quanta ahead)", "time"},
      {"pipeline_trace", "Pipeline trace of a window of timed instructions: FILE (.json: Chrome trace events, "
                         "else Konata) or {file, format: konata|chrome, start, count (default 1000)}", "mapping"},
  };
  for (PropertyDoc& d : pipeline_property_docs()) t.properties.push_back(std::move(d));
  registry.add(std::move(t));
  registry.mark_processor("riscv.hart");
}

}  // namespace vp::platform
