// Pipeline-mode properties of riscv.hart: typed, validated, located errors.
#include "models/cpu/pipeline_types.h"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "models/cpu/btb.h"
#include "models/cpu/memory/prefetcher.h"
#include "platform/units.h"

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

bool is_off(const ConfigNode* n) {
  return n->is_scalar() && (n->scalar == "none" || n->scalar == "off" || n->scalar == "false");
}

// prefetcher: a type name, or {type, degree, table_size, distance}.
void parse_prefetcher(Properties& p, cpu::PrefetcherConfig& c) {
  const ConfigNode* n = p.node("prefetcher");
  if (!n || n->is_null()) return;
  const auto& types = cpu::prefetcher_types();
  if (n->is_scalar()) {
    if (std::find(types.begin(), types.end(), n->scalar) == types.end())
      p.fail("prefetcher", "unknown prefetcher '" + n->scalar + "'" + did_you_mean_hint(n->scalar, types));
    c.type = n->scalar;
    return;
  }
  auto q = nested(p, "prefetcher", n);
  c.type = q->choice("type", types, c.type);
  c.degree = small(*q, "degree", c.degree, 1, 16);
  c.table_size = small(*q, "table_size", c.table_size, 1, 65536);
  c.distance = small(*q, "distance", c.distance, 0, 256);
  if (!is_pow2(c.table_size)) q->fail("table_size", "must be a power of two");
  q->finish();
}

// l1i / l1d / l2 / l3: a map, or a word (none/off) to disable it.
void parse_cache(Properties& p, const std::string& key, cpu::CacheConfig& c) {
  const ConfigNode* n = p.node(key);
  if (!n || n->is_null()) return;
  if (n->is_scalar()) {
    if (is_off(n)) {
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
  c.mshrs = small(*q, "mshrs", c.mshrs, 0, 256);
  c.write_buffer = small(*q, "write_buffer", c.write_buffer, 0, 256);
  parse_prefetcher(*q, c.prefetcher);
  if (!is_pow2(c.line)) q->fail("line", "must be a power of two");
  if (c.size > (uint64_t{1} << 32)) q->fail("size", "must be at most 4GiB");
  if (c.size < uint64_t{c.line} * c.assoc || !is_pow2(c.size / c.line / c.assoc))
    q->fail("size", "size / (line * assoc) must be a power of two (" + format_size(c.size) + " / (" +
                        std::to_string(c.line) + " * " + std::to_string(c.assoc) + "))");
  if (c.replacement == cpu::Replacement::kTreePlru && !is_pow2(c.assoc))
    q->fail("replacement", "tree-PLRU needs a power-of-two associativity");
  q->finish();
}

void parse_dram(Properties& p, cpu::DramConfig& c) {
  const ConfigNode* n = p.node("dram");
  if (!n || n->is_null()) return;
  if (is_off(n)) {
    c.enabled = false;
    return;
  }
  auto q = nested(p, "dram", n);
  c.enabled = q->boolean("enabled", true);
  c.banks = small(*q, "banks", c.banks, 1, 1024);
  if (!is_pow2(c.banks)) q->fail("banks", "must be a power of two");
  c.row_size = q->size("row_size", c.row_size);
  if (c.row_size < 64 || c.row_size > (1u << 20) || !is_pow2(c.row_size))
    q->fail("row_size", "must be a power of two between 64B and 1MiB");
  c.t_cas = small(*q, "t_cas", c.t_cas, 1, 10000);
  c.t_rcd = small(*q, "t_rcd", c.t_rcd, 0, 10000);
  c.t_ras = small(*q, "t_ras", c.t_ras, 0, 10000);
  c.t_pre = small(*q, "t_pre", c.t_pre, 0, 10000);
  c.t_rrd = small(*q, "t_rrd", c.t_rrd, 0, 10000);
  c.t_burst = small(*q, "t_burst", c.t_burst, 1, 10000);
  c.latency = small(*q, "latency", c.latency, 0, 100000);
  c.open_page = q->choice("page", {"open", "closed"}, c.open_page ? "open" : "closed") == "open";
  q->finish();
}

void parse_tlb(Properties& p, const std::string& key, cpu::TlbConfig& c) {
  const ConfigNode* n = p.node(key);
  if (!n || n->is_null()) return;
  if (is_off(n)) {
    c.enabled = false;
    return;
  }
  auto q = nested(p, key, n);
  c.enabled = q->boolean("enabled", true);
  c.entries = small(*q, "entries", c.entries, 1, 65536);
  c.assoc = small(*q, "assoc", c.assoc, 0, 65536);
  c.walk_latency = small(*q, "walk_latency", c.walk_latency, 0, 10000);
  const unsigned ways = c.assoc ? c.assoc : c.entries;
  if (c.entries % ways || !is_pow2(c.entries / ways)) q->fail("assoc", "entries / assoc must be a power of two");
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

// o3: {width, fetch_width, ..., rob, iq, lq, sq, int_regs, fp_regs, units: {...}, store_sets}.
void parse_o3(Properties& p, cpu::O3Config& c) {
  const ConfigNode* n = p.node("o3");
  if (!n || n->is_null()) return;
  auto q = nested(p, "o3", n);
  if (const unsigned w = small(*q, "width", 0, 0, 16))  // sets every stage's width
    c.fetch_width = c.decode_width = c.rename_width = c.issue_width = c.commit_width = w;
  c.fetch_width = small(*q, "fetch_width", c.fetch_width, 1, 16);
  c.decode_width = small(*q, "decode_width", c.decode_width, 1, 16);
  c.rename_width = small(*q, "rename_width", c.rename_width, 1, 16);
  c.issue_width = small(*q, "issue_width", c.issue_width, 1, 16);
  c.commit_width = small(*q, "commit_width", c.commit_width, 1, 16);
  c.fetch_queue = small(*q, "fetch_queue", c.fetch_queue, 1, 1024);
  c.fetch_to_decode = small(*q, "fetch_to_decode", c.fetch_to_decode, 1, 32);
  c.decode_to_rename = small(*q, "decode_to_rename", c.decode_to_rename, 1, 32);
  c.rename_to_issue = small(*q, "rename_to_issue", c.rename_to_issue, 1, 32);
  c.rob = small(*q, "rob", c.rob, 1, 4096);
  c.iq = small(*q, "iq", c.iq, 1, 1024);
  c.lq = small(*q, "lq", c.lq, 1, 1024);
  c.sq = small(*q, "sq", c.sq, 1, 1024);
  c.int_regs = small(*q, "int_regs", c.int_regs, 33, 4096);
  c.fp_regs = small(*q, "fp_regs", c.fp_regs, 33, 4096);
  c.forward_latency = small(*q, "forward_latency", c.forward_latency, 0, 100);
  c.wrong_path = q->boolean("wrong_path", c.wrong_path);
  if (const ConfigNode* u = q->node("units"); u && !u->is_null()) {
    auto uq = nested(*q, "units", u);
    for (unsigned f = 0; f < cpu::kFuCount; ++f)
      c.units[f] = small(*uq, cpu::fu_name(static_cast<cpu::Fu>(f)), c.units[f], 1, 16);
    uq->finish();
  }
  if (const ConfigNode* s = q->node("store_sets"); s && !s->is_null()) {
    if (s->is_scalar()) {
      c.store_sets = q->boolean("store_sets", true);
    } else {
      auto sq = nested(*q, "store_sets", s);
      c.store_sets = sq->boolean("enabled", true);
      c.ssit_entries = small(*sq, "ssit", c.ssit_entries, 1, 1 << 20);
      c.lfst_entries = small(*sq, "lfst", c.lfst_entries, 1, 1 << 16);
      c.store_set_clear = small(*sq, "clear_period", c.store_set_clear, 0, 1u << 30);
      if (!is_pow2(c.ssit_entries)) sq->fail("ssit", "must be a power of two");
      if (!is_pow2(c.lfst_entries)) sq->fail("lfst", "must be a power of two");
      sq->finish();
    }
  }
  q->finish();
}

}  // namespace

void parse_pipeline(Properties& p, cpu::PipelineConfig& c) {
  c.backend = p.choice("backend", {"inorder", "o3"}, "inorder") == "o3" ? cpu::Backend::kO3 : cpu::Backend::kInOrder;
  parse_cache(p, "l1i", c.l1i);
  parse_cache(p, "l1d", c.l1d);
  c.l2.size = 256 * 1024;
  c.l2.assoc = 8;
  c.l2.hit_latency = 10;
  c.l2.mshrs = 16;
  if (p.has("l2") && !p.node("l2")->is_null()) c.l2.enabled = true;
  parse_cache(p, "l2", c.l2);
  c.l3.size = 4 * 1024 * 1024;
  c.l3.assoc = 16;
  c.l3.hit_latency = 30;
  c.l3.mshrs = 32;
  if (p.has("l3") && !p.node("l3")->is_null()) c.l3.enabled = true;
  parse_cache(p, "l3", c.l3);
  c.memory_latency = small(p, "memory_latency", c.memory_latency, 1, 100000);
  parse_dram(p, c.dram);
  parse_tlb(p, "itlb", c.itlb);
  parse_tlb(p, "dtlb", c.dtlb);
  parse_bp(p, c.bp);
  parse_latencies(p, c);
  const std::string r = p.choice("branch_resolve", {"decode", "execute", "memory"}, "execute");
  c.branch_resolve = r == "decode" ? 1 : r == "execute" ? 2 : 3;
  c.mispredict_penalty = small(p, "mispredict_penalty", c.mispredict_penalty, 0, 1000);
  c.block_schedule = p.boolean("block_schedule", c.block_schedule);
  parse_o3(p, c.o3);
}

std::vector<PropertyDoc> pipeline_property_docs() {
  return {
      {"backend", "Pipeline mode: inorder (scalar 5-stage) or o3 (out-of-order superscalar; the o3 map)"},
      {"l1i", "Pipeline mode: L1 instruction cache {size, assoc, line, replacement: lru|plru|random|fifo, latency, "
              "mshrs, prefetcher} or none"},
      {"l1d", "Pipeline mode: L1 data cache {size, assoc, line, replacement, write: back|through, write_allocate, "
              "latency, mshrs (0: blocking), write_buffer, prefetcher: none|next_line|stride|stream|tagged or "
              "{type, degree, table_size, distance}} or none"},
      {"l2", "Pipeline mode: unified L2 cache (same keys as l1d); absent = no L2", "mapping"},
      {"l3", "Pipeline mode: unified L3 cache below the L2 (same keys as l1d); absent = no L3", "mapping"},
      {"memory_latency", "Pipeline mode: cycles for an access that misses every cache (when there is no dram map)"},
      {"dram", "Pipeline mode: DRAM controller {banks, row_size, t_cas, t_rcd, t_ras, t_pre, t_rrd, t_burst, "
               "latency, page: open|closed} in core cycles; absent = fixed memory_latency", "mapping"},
      {"itlb", "Pipeline mode: instruction TLB {entries, assoc (0: full), walk_latency per level}; absent = free",
       "mapping"},
      {"dtlb", "Pipeline mode: data TLB {entries, assoc, walk_latency}; absent = free translation", "mapping"},
      {"bp", "Pipeline mode: branch predictor, a name (static, bimodal, gshare, tournament, perceptron, tage) "
             "or {type, table_bits, history, ..., btb_entries, btb_assoc, ras_entries}"},
      {"latencies", "Pipeline mode: cycles per class {mul, div, div_pipelined, fp_add, fp_mul, fp_fma, fp_div, "
                    "fp_sqrt, fp_cvt, fp_move, load, uncached, trap}"},
      {"branch_resolve", "Pipeline mode, in-order: stage where branches resolve (sets the mispredict penalty)"},
      {"mispredict_penalty", "Pipeline mode: extra cycles before fetch restarts after a mispredict or squash"},
      {"block_schedule", "Pipeline mode, in-order: time a block's instructions in one pass with its static "
                         "schedule when its start allows (same results; false: one at a time, for testing)"},
      {"o3", "Pipeline mode, o3 backend: {width, fetch_width, decode_width, rename_width, issue_width, "
             "commit_width, fetch_queue, fetch_to_decode, decode_to_rename, rename_to_issue, rob, iq, lq, sq, "
             "int_regs, fp_regs, units: {alu, mul, div, fp, fdiv, load, store}, forward_latency, wrong_path, "
             "store_sets: bool or {ssit, lfst, clear_period}}", "mapping"},
  };
}

}  // namespace vp::platform
