#include "models/cpu/pipeline.h"

#include <algorithm>

namespace vp::cpu {

Pipeline::Pipeline(const PipelineConfig& cfg)
    : cfg_(cfg), bp_(make_branch_predictor(cfg.bp)), btb_(cfg.bp.btb_entries, cfg.bp.btb_assoc),
      ras_(cfg.bp.ras_entries) {
  if (cfg_.l2.enabled) l2_ = std::make_unique<Cache>(cfg_.l2, nullptr, cfg_.memory_latency);
  if (cfg_.l1i.enabled) {
    l1i_ = std::make_unique<Cache>(cfg_.l1i, l2_.get(), cfg_.memory_latency);
    line_shift_ = static_cast<unsigned>(__builtin_ctz(cfg_.l1i.line));
  }
  if (cfg_.l1d.enabled) l1d_ = std::make_unique<Cache>(cfg_.l1d, l2_.get(), cfg_.memory_latency);
  cfg_.branch_resolve = std::clamp(cfg_.branch_resolve, 1u, 3u);
}

Pipeline::~Pipeline() = default;

void Pipeline::classify(const Insn& in, OpInfo& o) const {
  const Fmt f = in.info ? in.info->fmt : Fmt::kNone;
  const uint8_t fl = in.info ? in.info->flags : 0;
  o.known = true;
  o.rdf = fl & kRdIsFloat;
  o.rs1f = fl & kRs1IsFloat;
  o.rs2f = fl & kRs2IsFloat;
  switch (f) {
    case Fmt::kR: case Fmt::kAmo: case Fmt::kFR: o.rd = o.rs1 = o.rs2 = true; break;
    case Fmt::kI: case Fmt::kShift: case Fmt::kLoad: case Fmt::kJalr: case Fmt::kLr: case Fmt::kFR1:
    case Fmt::kFLoad: case Fmt::kUnary: case Fmt::kCsr:
      o.rd = o.rs1 = true;
      break;
    case Fmt::kStore: case Fmt::kBranch: case Fmt::kFStore: case Fmt::kSfence: o.rs1 = o.rs2 = true; break;
    case Fmt::kU: case Fmt::kJ: case Fmt::kCsrI: o.rd = true; break;
    case Fmt::kFR4: o.rd = o.rs1 = o.rs2 = o.rs3 = true; break;
    case Fmt::kFence: case Fmt::kNone: break;
  }
  auto set = [&](Cls c, unsigned lat, bool busy = false) {
    o.cls = c;
    o.latency = static_cast<uint8_t>(std::clamp(lat, 1u, 255u));
    o.busy = busy;
  };
  switch (in.op) {
    case Op::MUL: case Op::MULH: case Op::MULHSU: case Op::MULHU: case Op::MULW:
      set(kMul, cfg_.mul_latency);
      break;
    case Op::DIV: case Op::DIVU: case Op::REM: case Op::REMU: case Op::DIVW: case Op::DIVUW: case Op::REMW:
    case Op::REMUW:
      set(kDiv, cfg_.div_latency, !cfg_.div_pipelined);
      break;
    case Op::LB: case Op::LH: case Op::LW: case Op::LD: case Op::LBU: case Op::LHU: case Op::LWU: set(kLoad, 1); break;
    case Op::SB: case Op::SH: case Op::SW: case Op::SD: set(kStore, 1); break;
    case Op::FLW: case Op::FLD: set(kFpLoad, 1); break;
    case Op::FSW: case Op::FSD: set(kFpStore, 1); break;
    case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU: case Op::BGEU: set(kBranch, 1); break;
    case Op::JAL: set(kJal, 1); break;
    case Op::JALR: set(kJalr, 1); break;
    case Op::CSRRW: case Op::CSRRS: case Op::CSRRC: case Op::CSRRWI: case Op::CSRRSI: case Op::CSRRCI:
      set(kCsr, 1);
      break;
    case Op::FENCE_I: set(kFenceI, 1); break;
    case Op::FENCE: case Op::ECALL: case Op::EBREAK: case Op::MRET: case Op::SRET: case Op::WFI:
    case Op::SFENCE_VMA:
      set(kSystem, 1);
      break;
    case Op::FADD_S: case Op::FSUB_S: case Op::FMIN_S: case Op::FMAX_S: case Op::FADD_D: case Op::FSUB_D:
    case Op::FMIN_D: case Op::FMAX_D:
      set(kFpAdd, cfg_.fp_add_latency);
      break;
    case Op::FMUL_S: case Op::FMUL_D: set(kFpMul, cfg_.fp_mul_latency); break;
    case Op::FMADD_S: case Op::FMSUB_S: case Op::FNMSUB_S: case Op::FNMADD_S: case Op::FMADD_D: case Op::FMSUB_D:
    case Op::FNMSUB_D: case Op::FNMADD_D:
      set(kFpFma, cfg_.fp_fma_latency);
      break;
    case Op::FDIV_S: case Op::FDIV_D: set(kFpDiv, cfg_.fp_div_latency, true); break;
    case Op::FSQRT_S: case Op::FSQRT_D: set(kFpSqrt, cfg_.fp_sqrt_latency, true); break;
    case Op::FSGNJ_S: case Op::FSGNJN_S: case Op::FSGNJX_S: case Op::FSGNJ_D: case Op::FSGNJN_D:
    case Op::FSGNJX_D:
      set(kFpMove, cfg_.fp_move_latency);
      break;
    default:
      if (in.op >= Op::FLW && in.op <= Op::FMV_D_X)
        set(kFpCvt, cfg_.fp_cvt_latency);
      else if ((in.op >= Op::LR_W && in.op <= Op::AMOMAXU_W) || (in.op >= Op::LR_D && in.op <= Op::AMOMAXU_D))
        set(kAmo, 1);
      else
        set(kAlu, 1);
      break;
  }
}

inline const Pipeline::OpInfo& Pipeline::info(const Insn& in) {
  OpInfo& o = ops_[static_cast<unsigned>(in.op)];
  if (__builtin_expect(!o.known, 0)) classify(in, o);
  return o;
}

unsigned Pipeline::data_access(uint64_t pa, bool write, bool cached) {
  if (!cached) {
    ++st_.uncached_accesses;
    return cfg_.uncached_latency;
  }
  if (l1d_) return l1d_->access(pa, write);
  if (l2_) return l2_->access(pa, write);
  return write ? 1 : cfg_.load_latency;
}

void Pipeline::redirect(uint64_t at, StallCause cause) {
  if (at >= redirect_) {
    redirect_ = at;
    redirect_cause_ = cause;
  }
  fetch_line_ = ~0ull;
}

void Pipeline::retire(const Insn& in, uint64_t pc, uint64_t fetch_pa, uint64_t next_pc, uint64_t mem_pa,
                      bool cached) {
  const OpInfo& o = info(in);
  ++st_.instructions;
  const uint64_t base = cycle_ + 1;

  // Front end: fetch runs two stages ahead of EX; a new line is an I-cache access.
  const uint64_t f = std::max(cycle_ > 0 ? cycle_ - 1 : 0, redirect_);
  unsigned ilat = 1;
  const uint64_t line = fetch_pa >> line_shift_;
  if (line != fetch_line_) {
    fetch_line_ = line;
    ilat = l1i_ ? l1i_->access(fetch_pa, false) : (l2_ ? l2_->access(fetch_pa, false) : 1);
  }
  const uint64_t t_redirect = std::max(base, redirect_ + 2);
  const uint64_t t_fetch = std::max(t_redirect, f + ilat + 1);
  const uint64_t t_struct = std::max(t_fetch, std::max(mem_free_, ex_free_));
  // Operands (forwarding network: ready_ is the first EX cycle that can use them).
  uint64_t src = 0;
  bool src_load = false;
  auto need = [&](unsigned r, bool fp) {
    const unsigned i = fp ? 33 + (r & 31) : r;
    if (ready_[i] > src) {
      src = ready_[i];
      src_load = from_load_[i];
    }
  };
  if (o.rs1) need(in.rs1, o.rs1f);
  if (o.rs2) need(in.rs2, o.rs2f);
  if (o.rs3) need(in.rs3, true);
  const uint64_t e = std::max(t_struct, src);
  // Stall attribution, in the order the constraints were applied.
  if (e > base) {
    const uint64_t r = t_redirect - base;
    if (redirect_cause_ == kCauseBranch) st_.stall_branch += r;
    else if (redirect_cause_ == kCauseSerialize) st_.stall_serialize += r;
    else st_.stall_trap += r;
    st_.stall_icache += t_fetch - t_redirect;
    if (t_struct > t_fetch) (mem_free_ >= ex_free_ ? st_.stall_dcache : st_.stall_structural) += t_struct - t_fetch;
    (src_load ? st_.stall_load_use : st_.stall_data) += e - t_struct;
  }
  cycle_ = e;

  // Execute.
  unsigned result = o.latency;  // cycles after EX entry until forwardable
  unsigned mem_cycles = 1;      // for the observer
  bool load = false;
  switch (o.cls) {
    case kAlu: ++st_.mix_alu; break;
    case kMul: ++st_.mix_mul; break;
    case kDiv: ++st_.mix_div; break;
    case kFpAdd: case kFpMul: case kFpFma: case kFpCvt: case kFpMove: ++st_.mix_fp; break;
    case kFpDiv: case kFpSqrt: ++st_.mix_fp; break;
    case kLoad: case kFpLoad: case kAmo: {
      (o.cls == kLoad ? st_.mix_load : o.cls == kFpLoad ? st_.mix_fp_load : st_.mix_amo)++;
      unsigned lat = data_access(mem_pa, false, cached);
      if (o.cls == kAmo && in.op != Op::LR_W && in.op != Op::LR_D) lat += data_access(mem_pa, true, cached);
      mem_free_ = e + lat;  // MEM busy for lat cycles from e + 1
      mem_cycles = lat;
      result = 1 + lat;
      load = true;
      break;
    }
    case kStore: case kFpStore: {
      (o.cls == kStore ? st_.mix_store : st_.mix_fp_store)++;
      const unsigned lat = data_access(mem_pa, true, cached);
      mem_free_ = e + lat;
      mem_cycles = lat;
      break;
    }
    case kBranch: {
      ++st_.mix_branch;
      ++st_.bp_lookups;
      const uint64_t target = pc + static_cast<uint64_t>(in.imm);
      const bool taken = next_pc != pc + in.len;
      const bool pred = bp_->predict(pc, target);
      bp_->update(pc, target, taken);
      if (taken) ++st_.bp_taken;
      if (pred != taken) {
        ++st_.bp_mispredicts;
        redirect(e + cfg_.branch_resolve - 1 + cfg_.mispredict_penalty, kCauseBranch);
      } else {
        ++st_.bp_correct;
        if (taken) {
          uint64_t t;
          if (btb_.lookup(pc, t) && t == target) {
            ++st_.btb_hits;
          } else {
            ++st_.btb_misses;
            ++st_.decode_redirects;
            redirect(e, kCauseBranch);  // target computed in decode
          }
        }
      }
      if (taken) btb_.update(pc, target);
      break;
    }
    case kJal: {
      ++st_.mix_jump;
      uint64_t t;
      if (btb_.lookup(pc, t) && t == next_pc) {
        ++st_.btb_hits;
      } else {
        ++st_.btb_misses;
        ++st_.decode_redirects;
        redirect(e, kCauseBranch);
        btb_.update(pc, next_pc);
      }
      if (in.rd == 1 || in.rd == 5) ++st_.ras_pushes, ras_.push(pc + in.len);
      break;
    }
    case kJalr: {
      ++st_.mix_jump;
      const bool link = in.rd == 1 || in.rd == 5;
      const bool ret = (in.rs1 == 1 || in.rs1 == 5) && in.rs1 != in.rd;
      uint64_t t = 0;
      bool ok;
      if (ret) {
        ok = ras_.pop(t) && t == next_pc;
        if (ok) ++st_.ras_correct; else ++st_.ras_mispredicts;
      } else {
        ok = btb_.lookup(pc, t) && t == next_pc;
        if (ok) ++st_.btb_hits; else ++st_.indirect_mispredicts;
        btb_.update(pc, next_pc);
      }
      if (!ok) redirect(e + cfg_.branch_resolve - 1 + cfg_.mispredict_penalty, kCauseBranch);
      if (link) ++st_.ras_pushes, ras_.push(pc + in.len);
      break;
    }
    case kCsr:
      ++st_.mix_csr;
      redirect(e + 1, kCauseSerialize);
      break;
    case kFenceI:
      ++st_.mix_system;
      if (l1i_) l1i_->invalidate_all();
      redirect(e + 1, kCauseSerialize);
      break;
    case kSystem:
      ++st_.mix_system;
      redirect(e + 1, kCauseSerialize);
      break;
  }
  if (o.busy) ex_free_ = e + o.latency;
  if (o.rd) {
    const unsigned i = o.rdf ? 33 + (in.rd & 31) : (in.rd > 32 ? 32 : in.rd);
    ready_[i] = e + result;
    from_load_[i] = load;
    ready_[0] = 0;
  }
  if (observer_) {
    // Fetch took ilat cycles before decode; MEM lasts mem_cycles (or the unit's latency).
    const uint64_t m = e + std::max<uint64_t>(1, o.busy || o.latency > 1 ? o.latency : 1);
    StageTimes t{t_fetch - 1 - ilat, t_fetch - 1, e, m, m + mem_cycles, 0};
    t.retire = last_retire_ = std::max(last_retire_, t.writeback + 1);
    observer_->retired(in, pc, t);
  }
}

void Pipeline::trap() {
  ++st_.traps;
  redirect(cycle_ + 1 + cfg_.trap_penalty, kCauseTrap);
}

void Pipeline::idle(uint64_t cycles) {
  st_.idle_cycles += cycles;
  cycle_ += cycles;
  redirect_ = std::max(redirect_, cycle_);
}

void Pipeline::for_each_counter(
    const std::function<void(const std::string&, const std::string&, const uint64_t*)>& f) {
  f("cycles", "simulated cycles (EX cycle of the last instruction, including idle)", &cycle_);
  f("pipeline.instructions", "instructions through the timing model", &st_.instructions);
  f("idle_cycles", "cycles asleep in WFI", &st_.idle_cycles);
  f("traps", "exceptions and interrupts taken (pipeline flushes)", &st_.traps);
  f("stalls.load_use", "cycles waiting for a load result", &st_.stall_load_use);
  f("stalls.data", "cycles waiting for a multi-cycle result (mul, div, FP)", &st_.stall_data);
  f("stalls.icache", "fetch stall cycles (I-cache misses)", &st_.stall_icache);
  f("stalls.dcache", "memory-stage stall cycles (D-cache misses)", &st_.stall_dcache);
  f("stalls.structural", "cycles waiting for an iterative unit (div, fdiv, fsqrt)", &st_.stall_structural);
  f("stalls.branch", "refill cycles after mispredictions and decode redirects", &st_.stall_branch);
  f("stalls.serialize", "refill cycles after CSR, fence and system instructions", &st_.stall_serialize);
  f("stalls.trap", "refill cycles after traps", &st_.stall_trap);
  f("mix.alu", "integer ALU instructions", &st_.mix_alu);
  f("mix.mul", "integer multiplies", &st_.mix_mul);
  f("mix.div", "integer divides and remainders", &st_.mix_div);
  f("mix.load", "integer loads", &st_.mix_load);
  f("mix.store", "integer stores", &st_.mix_store);
  f("mix.amo", "atomics (LR/SC/AMO)", &st_.mix_amo);
  f("mix.branch", "conditional branches", &st_.mix_branch);
  f("mix.jump", "jal and jalr", &st_.mix_jump);
  f("mix.fp", "floating-point arithmetic", &st_.mix_fp);
  f("mix.fp_load", "floating-point loads", &st_.mix_fp_load);
  f("mix.fp_store", "floating-point stores", &st_.mix_fp_store);
  f("mix.csr", "CSR instructions", &st_.mix_csr);
  f("mix.system", "fence, ecall, mret, wfi, ...", &st_.mix_system);
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
  f("uncached_accesses", "data accesses that bypass the caches (MMIO)", &st_.uncached_accesses);
  auto cache = [&](const std::string& n, Cache* c) {
    if (!c) return;
    const Cache::Stats& s = c->stats();
    f(n + ".accesses", "", &s.accesses);
    f(n + ".hits", "", &s.hits);
    f(n + ".misses", "", &s.misses);
    f(n + ".reads", "", &s.reads);
    f(n + ".writes", "", &s.writes);
    f(n + ".read_misses", "", &s.read_misses);
    f(n + ".write_misses", "", &s.write_misses);
    f(n + ".evictions", "", &s.evictions);
    f(n + ".writebacks", "dirty lines written back", &s.writebacks);
    f(n + ".writes_through", "writes passed to the next level", &s.writes_through);
  };
  cache("l1i", l1i_.get());
  cache("l1d", l1d_.get());
  cache("l2", l2_.get());
}

void Pipeline::for_each_ratio(const std::function<void(const std::string&, const std::string&, const std::string&,
                                                       const std::string&)>& f) const {
  f("cpi", "cycles", "instructions", "cycles per instruction");
  f("bp.accuracy", "bp.correct", "bp.lookups", "conditional branch prediction accuracy");
  f("bp.mispredict_rate", "bp.mispredicts", "bp.lookups", "");
  for (const char* c : {"l1i", "l1d", "l2"}) {
    const bool on = std::string(c) == "l1i" ? bool(l1i_) : std::string(c) == "l1d" ? bool(l1d_) : bool(l2_);
    if (on) f(std::string(c) + ".miss_rate", std::string(c) + ".misses", std::string(c) + ".accesses", "");
  }
}

}  // namespace vp::cpu
