// Registration of riscv.hart: typed config from properties, factory, device tree.
#include <algorithm>
#include <stdexcept>

#include "models/cpu/hart.h"
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

bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

// A nested map property (l1d: {...}) read with the same typed, located
// accessors as top-level properties; unknown keys get a did-you-mean.
std::unique_ptr<Properties> nested(Properties& p, const std::string& key, const ConfigNode* n) {
  if (!n->is_map()) p.fail(key, std::string("expected a map, found ") + n->kind_name());
  return std::make_unique<Properties>(p.component() + "." + key, p.type(), *n);
}

unsigned small(Properties& p, const std::string& key, unsigned fallback, unsigned lo, unsigned hi) {
  const uint64_t v = p.integer(key, fallback);
  if (v < lo || v > hi) p.fail(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return static_cast<unsigned>(v);
}

std::vector<unsigned> int_list(Properties& p, const std::string& key) {
  std::vector<unsigned> out;
  for (const std::string& w : p.string_list(key, std::vector<std::string>{})) {
    auto v = parse_integer(w);
    if (!v || *v > 4096) p.fail(key, "expected a list of small integers, found '" + w + "'");
    out.push_back(static_cast<unsigned>(*v));
  }
  return out;
}

// l1i / l1d / l2: a map, or a word (none/off) to disable it.
void parse_cache(Properties& p, const std::string& key, cpu::CacheConfig& c) {
  const ConfigNode* n = p.node(key);
  if (!n || n->is_null()) return;
  if (n->is_scalar()) {
    if (n->scalar == "none" || n->scalar == "off" || n->scalar == "false") {
      c.enabled = false;
      return;
    }
    p.fail(key, "expected a map such as {size: 32KiB, assoc: 8, line: 64} or 'none', found '" + n->scalar + "'");
  }
  auto q = nested(p, key, n);
  c.enabled = q->boolean("enabled", true);
  c.size = q->size("size", c.size);
  c.assoc = small(*q, "assoc", c.assoc, 1, 64);
  c.line = small(*q, "line", c.line, 4, 4096);
  const std::string r = q->choice("replacement", {"lru", "plru", "tree-plru", "random", "fifo"},
                                  cpu::replacement_name(c.replacement));
  c.replacement = r == "lru" ? cpu::Replacement::kLru
                  : r == "random" ? cpu::Replacement::kRandom
                  : r == "fifo"   ? cpu::Replacement::kFifo
                                  : cpu::Replacement::kTreePlru;
  c.write_back = q->choice("write", {"back", "through"}, c.write_back ? "back" : "through") == "back";
  c.write_allocate = q->boolean("write_allocate", c.write_allocate);
  c.hit_latency = small(*q, "latency", c.hit_latency, 1, 1000);
  if (!is_pow2(c.line)) q->fail("line", "must be a power of two");
  if (c.size < uint64_t{c.line} * c.assoc || !is_pow2(c.size / c.line / c.assoc))
    q->fail("size", "size / (line * assoc) must be a power of two (" + format_size(c.size) + " / (" +
                        std::to_string(c.line) + " * " + std::to_string(c.assoc) + "))");
  if (c.replacement == cpu::Replacement::kTreePlru && !is_pow2(c.assoc))
    q->fail("replacement", "tree-PLRU needs a power-of-two associativity");
  q->finish();
}

void parse_bp(Properties& p, cpu::BranchPredictorConfig& c) {
  const ConfigNode* n = p.node("bp");
  if (!n || n->is_null()) return;
  if (n->is_scalar()) {
    const auto& types = cpu::branch_predictor_types();
    if (std::find(types.begin(), types.end(), n->scalar) == types.end())
      p.fail("bp", "unknown branch predictor '" + n->scalar + "'" + did_you_mean_hint(n->scalar, types));
    c.type = n->scalar;
    return;
  }
  auto q = nested(p, "bp", n);
  c.type = q->choice("type", cpu::branch_predictor_types(), c.type);
  c.table_bits = small(*q, "table_bits", c.table_bits, 4, 24);
  c.history = small(*q, "history", c.history, 0, 128);
  c.counter_bits = small(*q, "counter_bits", c.counter_bits, 1, 7);
  c.tables = small(*q, "tables", c.tables, 1, 16);
  c.min_history = small(*q, "min_history", c.min_history, 1, 1024);
  c.max_history = small(*q, "max_history", c.max_history, 1, 1024);
  c.histories = int_list(*q, "histories");
  c.tag_bits = small(*q, "tag_bits", c.tag_bits, 4, 16);
  c.tag_widths = int_list(*q, "tag_widths");
  c.tagged_table_bits = small(*q, "tagged_table_bits", c.tagged_table_bits, 4, 20);
  c.btb_entries = small(*q, "btb_entries", c.btb_entries, 1, 1 << 20);
  c.btb_assoc = small(*q, "btb_assoc", c.btb_assoc, 1, 64);
  c.ras_entries = small(*q, "ras_entries", c.ras_entries, 1, 1024);
  q->finish();
  try {
    cpu::make_branch_predictor(c);
    cpu::Btb(c.btb_entries, c.btb_assoc);
  } catch (const std::invalid_argument& e) {
    p.fail("bp", e.what());
  }
}

void parse_latencies(Properties& p, cpu::PipelineConfig& c) {
  const ConfigNode* n = p.node("latencies");
  if (!n || n->is_null()) return;
  auto q = nested(p, "latencies", n);
  c.mul_latency = small(*q, "mul", c.mul_latency, 1, 255);
  c.div_latency = small(*q, "div", c.div_latency, 1, 255);
  c.div_pipelined = q->boolean("div_pipelined", c.div_pipelined);
  c.fp_add_latency = small(*q, "fp_add", c.fp_add_latency, 1, 255);
  c.fp_mul_latency = small(*q, "fp_mul", c.fp_mul_latency, 1, 255);
  c.fp_fma_latency = small(*q, "fp_fma", c.fp_fma_latency, 1, 255);
  c.fp_div_latency = small(*q, "fp_div", c.fp_div_latency, 1, 255);
  c.fp_sqrt_latency = small(*q, "fp_sqrt", c.fp_sqrt_latency, 1, 255);
  c.fp_cvt_latency = small(*q, "fp_cvt", c.fp_cvt_latency, 1, 255);
  c.fp_move_latency = small(*q, "fp_move", c.fp_move_latency, 1, 255);
  c.load_latency = small(*q, "load", c.load_latency, 1, 1000);
  c.uncached_latency = small(*q, "uncached", c.uncached_latency, 1, 1000);
  c.trap_penalty = small(*q, "trap", c.trap_penalty, 0, 1000);
  q->finish();
}

void parse_pipeline(Properties& p, cpu::PipelineConfig& c) {
  parse_cache(p, "l1i", c.l1i);
  parse_cache(p, "l1d", c.l1d);
  c.l2.size = 256 * 1024;
  c.l2.assoc = 8;
  c.l2.hit_latency = 10;
  if (p.has("l2") && !p.node("l2")->is_null()) c.l2.enabled = true;
  parse_cache(p, "l2", c.l2);
  c.memory_latency = small(p, "memory_latency", c.memory_latency, 1, 100000);
  parse_bp(p, c.bp);
  parse_latencies(p, c);
  const std::string r = p.choice("branch_resolve", {"decode", "execute", "memory"}, "execute");
  c.branch_resolve = r == "decode" ? 1 : r == "execute" ? 2 : 3;
  c.mispredict_penalty = small(p, "mispredict_penalty", c.mispredict_penalty, 0, 1000);
}

// pipeline_trace: FILE, or {file, format: konata|chrome, start, count}.
void parse_pipeline_trace(Properties& p, cpu::PipelineTraceConfig& c) {
  const ConfigNode* n = p.node("pipeline_trace");
  if (!n || n->is_null()) return;
  if (n->is_scalar()) {
    c.file = n->scalar;
  } else {
    auto q = nested(p, "pipeline_trace", n);
    c.file = q->string("file");
    c.format = q->choice("format", {"konata", "chrome"}, c.file.size() >= 5 &&
                         c.file.compare(c.file.size() - 5, 5, ".json") == 0 ? "chrome" : "konata");
    c.start = q->integer("start", 0);
    c.count = q->integer("count", c.count);
    if (c.count == 0 || c.count > cpu::PipelineTraceConfig::kMaxCount)
      q->fail("count", "must be between 1 and " + std::to_string(cpu::PipelineTraceConfig::kMaxCount));
    q->finish();
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
      {"mode", "functional: fast, no timing; pipeline: in-order 5-stage timing model (docs/architecture.md)"},
      {"mmu", "Largest satp mode: sv39 or sv48"},
      {"pmp_entries", "Implemented PMP entries (0 to 64)"},
      {"misaligned", "Misaligned loads/stores: emulate in the hart, or trap to software"},
      {"timebase", "Frequency of the time CSR (must equal the CLINT's timebase)"},
      {"mtime", "Address of the timer's mtime register: the time CSR reads it over the bus (virt: 0x200bff8); "
                "absent: time counts timebase ticks", "integer"},
      {"clock", "Core clock: one instruction per cycle in functional mode; pipeline cycles in pipeline mode"},
      {"quantum", "This hart's temporal-decoupling quantum (default: the platform's timing.quantum)", "time"},
      {"l1i", "Pipeline mode: L1 instruction cache {size, assoc, line, replacement: lru|plru|random|fifo, "
              "latency} or none"},
      {"l1d", "Pipeline mode: L1 data cache {size, assoc, line, replacement, write: back|through, "
              "write_allocate, latency} or none"},
      {"l2", "Pipeline mode: unified L2 cache (same keys as l1d); absent = no L2", "mapping"},
      {"memory_latency", "Pipeline mode: cycles for an access that misses every cache"},
      {"bp", "Pipeline mode: branch predictor, a name (static, bimodal, gshare, tournament, perceptron, tage) "
             "or {type, table_bits, history, ..., btb_entries, btb_assoc, ras_entries}"},
      {"latencies", "Pipeline mode: cycles per class {mul, div, div_pipelined, fp_add, fp_mul, fp_fma, fp_div, "
                    "fp_sqrt, fp_cvt, fp_move, load, uncached, trap}"},
      {"branch_resolve", "Pipeline mode: stage where branches resolve (sets the mispredict penalty)"},
      {"mispredict_penalty", "Pipeline mode: extra cycles per mispredict (0: from branch_resolve)"},
      {"pipeline_trace", "Pipeline trace of a window of timed instructions: FILE (.json: Chrome trace events, "
                         "else Konata) or {file, format: konata|chrome, start, count (default 1000)}", "mapping"},
  };
  registry.add(std::move(t));
}

}  // namespace vp::platform
