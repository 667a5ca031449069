#include "models/cpu/frontend.h"

#include <algorithm>

namespace vp::cpu {

BranchUnit::BranchUnit(const BranchPredictorConfig& cfg)
    : bp_(make_branch_predictor(cfg)), btb_(cfg.btb_entries, cfg.btb_assoc), ras_(cfg.ras_entries) {}

// Calls push and returns pop the return-address stack (Unpriv. 2.5 table 2.1:
// rd/rs1 = ra or t0 are link registers).
static bool is_link(unsigned r) { return r == 1 || r == 5; }

BranchResult BranchUnit::resolve(const Insn& in, OpClass cls, uint64_t pc, uint64_t next_pc) {
  BranchResult r;
  const uint64_t fallthrough = pc + in.len;
  switch (cls) {
    case OpClass::kBranch:
      return resolve_branch(in, pc, next_pc);
    case OpClass::kJal: {
      uint64_t t;
      if (btb_.lookup(pc, t) && t == next_pc) {
        ++st_.btb_hits;
      } else {
        ++st_.btb_misses;
        ++st_.decode_redirects;
        r.redirect = Redirect::kDecode;
        r.predicted = fallthrough;
        btb_.update(pc, next_pc);
      }
      if (is_link(in.rd)) ++st_.ras_pushes, ras_.push(fallthrough);
      break;
    }
    case OpClass::kJalr: {
      const bool link = is_link(in.rd);
      const bool ret = is_link(in.rs1) && in.rs1 != in.rd;
      uint64_t t = fallthrough;
      bool ok;
      if (ret) {
        ok = ras_.pop(t) && t == next_pc;
        if (ok) ++st_.ras_correct; else ++st_.ras_mispredicts;
      } else {
        ok = btb_.lookup(pc, t) && t == next_pc;
        if (ok) ++st_.btb_hits; else ++st_.indirect_mispredicts;
        btb_.update(pc, next_pc);
      }
      if (!ok) {
        r.redirect = Redirect::kResolve;
        r.predicted = t;
      }
      if (link) ++st_.ras_pushes, ras_.push(fallthrough);
      break;
    }
    default:
      break;
  }
  return r;
}

void BranchUnit::for_each_counter(
    const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) {
  f("bp.lookups", "conditional branches predicted", &st_.bp_lookups);
  f("bp.correct", "correctly predicted conditional branches", &st_.bp_correct);
  f("bp.mispredicts", "mispredicted conditional branches", &st_.bp_mispredicts);
  f("bp.taken", "taken conditional branches", &st_.bp_taken);
  f("bp.btb_hits", "BTB hits with the right target", &st_.btb_hits);
  f("bp.btb_misses", "taken branches and jumps without a BTB target", &st_.btb_misses);
  f("bp.decode_redirects", "redirects from decode (direct targets not in the BTB)", &st_.decode_redirects);
  f("bp.ras_pushes", "return addresses pushed", &st_.ras_pushes);
  f("bp.ras_correct", "returns predicted by the return-address stack", &st_.ras_correct);
  f("bp.ras_mispredicts", "returns mispredicted", &st_.ras_mispredicts);
  f("bp.indirect_mispredicts", "indirect jumps mispredicted", &st_.indirect_mispredicts);
  bp_->extra_stats([&](const std::string& n, const uint64_t* v) { f("bp." + n, "", v); });
}

FetchUnit::FetchUnit(MemoryHierarchy& mem)
    : mem_(mem), line_shift_(static_cast<unsigned>(__builtin_ctz(mem.l1i_line()))),
      hit_latency_(mem.config().l1i.enabled ? mem.config().l1i.hit_latency : 1) {}

uint64_t FetchUnit::fetch_slow(uint64_t fetch_pa, uint64_t t, uint64_t xl) {
  st_.itlb_stall_cycles += xl - t;
  const uint64_t ready = mem_.fetch(fetch_pa, xl);
  if (ready > xl + hit_latency_) st_.icache_stall_cycles += ready - (xl + hit_latency_);
  return ready;
}

void FetchUnit::wrong_path(uint64_t va, const RetireInfo& branch, uint64_t from, uint64_t until,
                           unsigned bytes_per_cycle, unsigned max_bytes) {
  wrong_path_at(va, branch.pc, branch.fetch_pa, from, until, bytes_per_cycle, max_bytes);
}

void FetchUnit::wrong_path_lines(uint64_t l, uint64_t last, uint64_t from, uint64_t until,
                                 unsigned bytes_per_cycle) {
  const uint64_t step = std::max<uint64_t>(1, line_bytes() / std::max(1u, bytes_per_cycle));
  for (uint64_t t = from + step; ++l <= last && t < until; t += step) {
    mem_.fetch(l << line_shift_, t);
    ++st_.wrong_path_lines;
  }
}

void FetchUnit::for_each_counter(
    const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) const {
  f("fetch.lines", "I-cache line accesses on the right path", &st_.lines);
  f("fetch.wrong_path_lines", "I-cache line accesses along mispredicted paths before the redirect",
    &st_.wrong_path_lines);
  f("fetch.itlb_stall_cycles", "cycles fetch waited for I-TLB page walks", &st_.itlb_stall_cycles);
  f("fetch.icache_stall_cycles", "cycles fetch waited beyond the I-cache hit latency", &st_.icache_stall_cycles);
}

}  // namespace vp::cpu
