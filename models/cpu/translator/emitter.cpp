// Block translation: register caching, integer instructions, control flow and the block's
// exits. Loads/stores are in memory.cpp, floating point in fp.cpp; everything else is a
// call of the interpreter's executor (emit_exec).
//
// Register caching: the (up to) ten most used integer registers of a block live in host
// registers from the block's start to its end; those read before being written are
// loaded in the prologue, the ones written are stored at every exit (and before every
// helper call, so the core's state is exact wherever C++ code can look at it).
#include <cstdlib>

#include "models/cpu/translator/translator_internal.h"

namespace vp::cpu {

using namespace x86;

namespace {

constexpr uint32_t kCanonNanF = 0x7fc00000u;
constexpr uint64_t kCanonNanD = 0x7ff8000000000000ull;

const Reg64& pool(int k) {
  static const Reg64 regs[10] = {rbx, rbp, r12, r13, rsi, rdi, r8, r9, r10, r11};
  return regs[k];
}

// Integer registers an instruction reads (r1, r2) and writes (w); 0 = none.
void int_regs(const Insn& in, unsigned& r1, unsigned& r2, unsigned& w) {
  r1 = r2 = w = 0;
  const uint8_t fl = in.info->flags;
  switch (in.info->fmt) {
    case Fmt::kR: case Fmt::kAmo:
      r1 = in.rs1;
      r2 = in.rs2;
      w = in.rd;
      break;
    case Fmt::kI: case Fmt::kShift: case Fmt::kLoad: case Fmt::kJalr: case Fmt::kUnary:
    case Fmt::kLr: case Fmt::kCsr:
      r1 = in.rs1;
      w = in.rd;
      break;
    case Fmt::kStore: case Fmt::kBranch: case Fmt::kSfence:
      r1 = in.rs1;
      r2 = in.rs2;
      break;
    case Fmt::kU: case Fmt::kJ: case Fmt::kCsrI:
      w = in.rd;
      break;
    case Fmt::kFR: case Fmt::kFR1: case Fmt::kFR4:
      if (!(fl & kRs1IsFloat)) r1 = in.rs1;
      if (in.info->fmt == Fmt::kFR && !(fl & kRs2IsFloat)) r2 = in.rs2;
      if (!(fl & kRdIsFloat)) w = in.rd;
      break;
    case Fmt::kFLoad: case Fmt::kFStore:
      r1 = in.rs1;
      break;
    default:
      break;
  }
  if (w == 32) w = 0;
}

}  // namespace

BlockEmitter::BlockEmitter(TranslatorX86& t, Xbyak::CodeGenerator& g, TransBlock& tb)
    : t_(t),
      gen_(g),
      g_(const_cast<uint8_t*>(g.getCurr())),
      tb_(tb),
      b_(*tb.block),
      scratch_(t.emit_scratch()) {
  for (int8_t& h : host_) h = -1;
  if (scratch_.labels.size() < EmitScratch::kLabels) scratch_.labels.resize(EmitScratch::kLabels);
  scratch_.stubs.clear();
}

// Labels live in the scratch pool (fixed size: references stay valid for the block).
Label& BlockEmitter::new_label() {
  if (labels_used_ == scratch_.labels.size()) std::abort();  // more than kMaxBlockInsns allow
  Label& l = scratch_.labels[labels_used_++];
  l = Label{};
  return l;
}

EmitStub& BlockEmitter::add_stub(EmitStub::Kind kind, Label* l) {
  scratch_.stubs.emplace_back();
  EmitStub& s = scratch_.stubs.back();
  s.kind = kind;
  s.l = l;
  return s;
}

const Reg64& BlockEmitter::hreg(unsigned r) const { return pool(host_[r]); }
Mem BlockEmitter::xmem(unsigned r) const { return Asm::qword[r15 + t_.off().x + 8 * static_cast<int>(r)]; }
Mem BlockEmitter::fmem(unsigned r) const { return Asm::qword[r15 + t_.off().f + 8 * static_cast<int>(r)]; }

void BlockEmitter::mov_imm(const Reg64& d, uint64_t v) {
  if (v == 0)
    g_.xor_(d.cvt32(), d.cvt32());
  else
    g_.mov(d, v);  // xbyak picks the shortest encoding (imm32 zero- or sign-extended)
}

const Reg64& BlockEmitter::get(unsigned r, const Reg64& scratch) {
  if (r == 0 || r == 32) {
    g_.xor_(scratch.cvt32(), scratch.cvt32());
    return scratch;
  }
  if (cached(r)) return hreg(r);
  g_.mov(scratch, xmem(r));
  return scratch;
}

void BlockEmitter::put(unsigned r, const Reg64& v) {
  if (r == 0 || r == 32) return;
  if (cached(r)) {
    if (hreg(r).getIdx() != v.getIdx()) g_.mov(hreg(r), v);
    valid_ |= 1ull << r;
    dirty_ |= 1ull << r;
  } else {
    g_.mov(xmem(r), v);
  }
}

void BlockEmitter::put_imm(unsigned r, uint64_t v) {
  if (r == 0 || r == 32) return;
  if (cached(r)) {
    mov_imm(hreg(r), v);
    valid_ |= 1ull << r;
    dirty_ |= 1ull << r;
  } else if (static_cast<int64_t>(v) == static_cast<int32_t>(v)) {
    g_.mov(xmem(r), static_cast<int32_t>(v));
  } else {
    g_.mov(rdx, v);
    g_.mov(xmem(r), rdx);
  }
}

void BlockEmitter::writeback(uint64_t dirty) {
  for (uint64_t d = dirty & 0xfffffffeull; d; d &= d - 1) {
    const unsigned r = static_cast<unsigned>(__builtin_ctzll(d));
    g_.mov(xmem(r), hreg(r));
  }
}

void BlockEmitter::writeback() {
  writeback(dirty_);
  dirty_ = 0;
}

// After a helper call: caller-saved host registers are reloaded from the core (the
// helper saw them written back), and so is a register the helper wrote.
void BlockEmitter::reload_after_call(unsigned rd_written) {
  for (uint64_t m = cached_mask_; m; m &= m - 1) {
    const unsigned r = static_cast<unsigned>(__builtin_ctzll(m));
    const bool caller_saved = static_cast<unsigned>(host_[r]) >= kCallerSavedFirst;
    if ((((valid_ >> r) & 1) && caller_saved) || r == rd_written) g_.mov(hreg(r), xmem(r));
  }
  if (rd_written && cached(rd_written)) valid_ |= 1ull << rd_written;
}

// ---------------------------------------------------------------------------

void BlockEmitter::emit() {
  const auto& insns = b_.insns;
  // Register allocation: the most used registers of the block get host registers.
  unsigned uses[33] = {};
  uint64_t written = 0, live_in = 0;
  for (const Insn& in : insns) {
    unsigned r1, r2, w;
    int_regs(in, r1, r2, w);
    for (unsigned r : {r1, r2}) {
      if (r == 0 || r >= 32) continue;
      ++uses[r];
      if (!((written >> r) & 1)) live_in |= 1ull << r;
    }
    if (w) {
      ++uses[w];
      written |= 1ull << w;
    }
  }
  unsigned order[31];  // the used registers by falling use count, ties in register order
  unsigned used = 0;
  for (unsigned r = 1; r < 32; ++r) {
    if (!uses[r]) continue;
    unsigned k = used++;
    for (; k > 0 && uses[order[k - 1]] < uses[r]; --k) order[k] = order[k - 1];
    order[k] = r;
  }
  for (unsigned k = 0; k < static_cast<unsigned>(kPool) && k < used; ++k) {
    host_[order[k]] = static_cast<int8_t>(k);
    cached_mask_ |= 1ull << order[k];
  }
  live_in_ = live_in & cached_mask_;

  // Prologue: budget check, then the cached registers the block reads.
  Label& no_budget = new_label();
  const uint32_t n = tb_.n;
  g_.sub(r14, n);
  g_.jb(no_budget, Asm::T_NEAR);
  for (uint64_t m = live_in_; m; m &= m - 1) {
    const unsigned r = static_cast<unsigned>(__builtin_ctzll(m));
    g_.mov(hreg(r), xmem(r));
  }
  valid_ = live_in_;
  EmitStub& budget = add_stub(EmitStub::kBudget, &no_budget);
  budget.n = n;
  budget.a = tb_.vpc;

  pc_ = tb_.vpc;
  for (i_ = 0; i_ < insns.size(); ++i_) {
    emit_insn(insns[i_]);
    pc_ += insns[i_].len;
  }
  if (!ended_) {  // the block stopped at a page end or its length limit
    writeback();
    exit_direct(pc_, 0, -1);
  }
  for (size_t k = 0; k < scratch_.stubs.size(); ++k) {
    const EmitStub s = scratch_.stubs[k];  // (a copy: a stub may add stubs)
    emit_stub(s);
  }
  for (int k = 0; k < 2; ++k)
    if (tb_.exits[k].site) tb_.exits[k].stub = const_cast<uint8_t*>(exit_label_[k]->getAddress());
  gen_.setSize(static_cast<size_t>(g_.getCurr() - gen_.getCode()));
}

void BlockEmitter::emit_stub(const EmitStub& s) {
  g_.L(*s.l);
  switch (s.kind) {
    case EmitStub::kBudget:
      g_.add(r14, s.n);
      g_.mov(rax, s.a);
      g_.mov(Asm::ptr[r15 + t_.off().pc], rax);
      g_.mov(eax, kExitBudget);
      g_.xor_(edx, edx);
      g_.jmp(t_.routines().exit);
      break;
    case EmitStub::kTrap:
      g_.mov(Asm::dword[Asm::rip + &t_.data().refund], s.n);
      g_.mov(eax, kExitTrap);
      g_.xor_(edx, edx);
      g_.jmp(t_.routines().exit);
      break;
    case EmitStub::kChain:
      g_.mov(rax, s.a);
      g_.mov(Asm::ptr[r15 + t_.off().pc], rax);
      g_.mov(rdx, reinterpret_cast<uint64_t>(s.p));
      g_.mov(eax, kExitChain);
      g_.jmp(t_.routines().exit);
      break;
    case EmitStub::kLookup:
      g_.mov(rax, s.a);
      g_.jmp(t_.routines().lookup);
      break;
    case EmitStub::kLoadSlow:
    case EmitStub::kStoreSlow:
      emit_mem_slow(s);
      break;
    case EmitStub::kFpNan:
      if (s.flag)
        g_.mov(eax, kCanonNanF);
      else
        g_.mov(rax, kCanonNanD);
      g_.jmp(*s.back, Asm::T_NEAR);
      break;
  }
}

Label& BlockEmitter::trap_stub() {
  Label& l = new_label();
  add_stub(EmitStub::kTrap, &l).n = tb_.n - i_ - 1;
  return l;
}

// Calls Core::execute_one(in) with the core's state written back. On a trap the block
// leaves through `trap`; otherwise r14 takes the helper's budget (0 for a forced exit).
void BlockEmitter::call_helper_exec(const Insn& in, uint64_t vpc, Label& trap, HelperIndex helper) {
  g_.mov(rdi, reinterpret_cast<uint64_t>(&t_));
  g_.mov(rsi, reinterpret_cast<uint64_t>(&in));
  g_.mov(rdx, vpc);
  g_.mov(rcx, r14);
  g_.call(Asm::ptr[Asm::rip + &t_.data().helpers[helper]]);
  g_.cmp(rdx, static_cast<int32_t>(kLeftTrap));
  g_.jae(trap, Asm::T_NEAR);
  g_.mov(r14, rdx);
}

void BlockEmitter::emit_exec(const Insn& in) {
  writeback();
  Label& trap = trap_stub();
  call_helper_exec(in, pc_, trap);
  unsigned r1, r2, w;
  int_regs(in, r1, r2, w);
  reload_after_call(w);
}

// `csrr rd, time` (no write to the CSR). Inline: the core's time cache (Core::set_time_cache)
// holds for this read's run_progress(), the value the helper would compute from the same
// blk_i_ (budget at entry - r14 - 1), and the privilege level (a translation flag) may
// read the counter. Otherwise TranslatorX86::helper_time, which fills the cache again.
// r14 = 0 may be a forced exit's (the helper then uses the saved budget): helper.
bool BlockEmitter::emit_time_read(const Insn& in) {
  if (static_cast<unsigned>(in.imm) != kCsrTime || in.rs1 != 0) return false;
  if (in.op != Op::CSRRS && in.op != Op::CSRRC && in.op != Op::CSRRSI && in.op != Op::CSRRCI) return false;
  const unsigned rd = in.rd == 32 ? 0 : in.rd;
  const auto& o = t_.off();
  JitData& d = t_.data();
  writeback();
  Label& slow = new_label();
  Label& done = new_label();
  const auto priv = static_cast<Priv>(tb_.flags & 3);
  if (priv != Priv::M) {  // mcounteren.TM, and scounteren.TM in U-mode
    g_.mov(rax, Asm::qword[r15 + o.mcounteren]);
    if (priv == Priv::U) g_.and_(rax, Asm::qword[r15 + o.scounteren]);
    g_.test(rax, 1u << (kCsrTime & 31));
    g_.jz(slow, Asm::T_NEAR);
  }
  g_.test(r14, r14);
  g_.jz(slow, Asm::T_NEAR);
  // run_progress() - from = run_done_ + entry_left - r14 - 1 - from, unsigned < span
  g_.mov(rax, Asm::qword[r15 + o.run_done]);
  g_.add(rax, Asm::qword[Asm::rip + &d.entry_left]);
  g_.sub(rax, r14);
  g_.sub(rax, Asm::qword[r15 + o.time_from]);
  g_.sub(rax, 1);
  g_.cmp(rax, Asm::qword[r15 + o.time_span]);
  g_.jae(slow, Asm::T_NEAR);
  g_.add(Asm::qword[Asm::rip + &d.time_hits], 1);
  if (rd) {
    g_.mov(rax, Asm::qword[r15 + o.time_value]);
    put(rd, rax);
  }
  g_.jmp(done, Asm::T_NEAR);
  g_.L(slow);
  Label& trap = trap_stub();
  call_helper_exec(in, pc_, trap, kHelperTime);
  reload_after_call(rd);
  g_.L(done);
  return true;
}

// `wfi` through TranslatorX86::helper_wfi.
bool BlockEmitter::emit_wfi(const Insn& in) {
  if (in.op != Op::WFI) return false;
  writeback();
  Label& trap = trap_stub();
  call_helper_exec(in, pc_, trap, kHelperWfi);
  reload_after_call(0);
  return true;
}

// A system instruction, run by the executor; the block ends after it.
void BlockEmitter::emit_exec_then_exit(const Insn& in) {
  if (!emit_time_read(in) && !emit_wfi(in)) emit_exec(in);
  writeback();
  switch (in.op) {
    case Op::CSRRW: case Op::CSRRS: case Op::CSRRC: case Op::CSRRWI: case Op::CSRRSI:
    case Op::CSRRCI: case Op::FENCE_I: case Op::SFENCE_VMA:
      exit_direct(pc_ + in.len, 0, -1);
      break;
    default:  // mret, sret, wfi (ecall, ebreak and illegal instructions always trap)
      g_.mov(rax, Asm::ptr[r15 + t_.off().pc]);
      exit_indirect_rax(false);
      break;
  }
  ended_ = true;
}

void BlockEmitter::emit_insn(const Insn& in) {
  switch (in.op) {
    case Op::FENCE:
      return;
    case Op::BEQ: case Op::BNE: case Op::BLT: case Op::BGE: case Op::BLTU: case Op::BGEU:
      emit_branch(in);
      return;
    case Op::JAL:
      emit_jal(in);
      return;
    case Op::JALR:
      emit_jalr(in);
      return;
    default:
      break;
  }
  if (emit_alu(in) || emit_mul_div(in) || emit_bitmanip(in) || emit_load(in) || emit_store(in) ||
      emit_fp(in))
    return;
  if (in.info->flags & kEndsBlock)
    emit_exec_then_exit(in);
  else
    emit_exec(in);
}

// ---------------------------------------------------------------------------
// Integer ALU

bool BlockEmitter::emit_alu(const Insn& in) {
  const unsigned rd = in.rd, rs1 = in.rs1, rs2 = in.rs2;
  const int32_t imm = static_cast<int32_t>(in.imm);
  // dst = op(rs1, second operand), computed in rd's host register where that is safe.
  auto rr = [&](auto op) {
    if (rd == 0 || rd == 32) return;
    const Reg64& b = get(rs2, rcx);
    if (cached(rd) && rd != rs2) {
      const Reg64& d = hreg(rd);
      if (rs1 != rd) {
        const Reg64& a = get(rs1, d);
        if (a.getIdx() != d.getIdx()) g_.mov(d, a);
      }
      op(d, b);
      put(rd, d);
    } else {
      const Reg64& a = get(rs1, rax);
      if (a.getIdx() != rax.getIdx()) g_.mov(rax, a);
      op(rax, b);
      put(rd, rax);
    }
  };
  auto ri = [&](auto op) {
    if (rd == 0 || rd == 32) return;
    if (cached(rd)) {
      const Reg64& d = hreg(rd);
      const Reg64& a = get(rs1, d);
      if (a.getIdx() != d.getIdx()) g_.mov(d, a);
      op(d);
      put(rd, d);
    } else {
      const Reg64& a = get(rs1, rax);
      if (a.getIdx() != rax.getIdx()) g_.mov(rax, a);
      op(rax);
      put(rd, rax);
    }
  };
  // 32-bit operation, result sign-extended (the *W instructions).
  auto rr_w = [&](auto op) {
    if (rd == 0 || rd == 32) return;
    const Reg64& a = get(rs1, rax);
    if (a.getIdx() != rax.getIdx()) g_.mov(eax, a.cvt32());
    const Reg64& b = get(rs2, rcx);
    op(eax, b.cvt32());
    g_.movsxd(rax, eax);
    put(rd, rax);
  };
  auto ri_w = [&](auto op) {
    if (rd == 0 || rd == 32) return;
    const Reg64& a = get(rs1, rax);
    if (a.getIdx() != rax.getIdx()) g_.mov(eax, a.cvt32());
    op(eax);
    g_.movsxd(rax, eax);
    put(rd, rax);
  };
  auto shift_rr = [&](auto op, bool word) {
    if (rd == 0 || rd == 32) return;
    const Reg64& b = get(rs2, rcx);
    if (b.getIdx() != rcx.getIdx()) g_.mov(ecx, b.cvt32());
    const Reg64& a = get(rs1, rax);
    if (a.getIdx() != rax.getIdx()) g_.mov(rax, a);
    if (word) {
      op(eax);
      g_.movsxd(rax, eax);
    } else {
      op(rax);
    }
    put(rd, rax);
  };
  auto set_cc = [&](auto setcc, bool with_imm) {
    if (rd == 0 || rd == 32) return;
    const Reg64& a = get(rs1, rax);
    if (with_imm) {
      g_.xor_(edx, edx);
      g_.cmp(a, imm);
    } else {
      const Reg64& b = get(rs2, rcx);
      g_.xor_(edx, edx);
      g_.cmp(a, b);
    }
    setcc(dl);
    put(rd, rdx);
  };
  auto& g = g_;
  switch (in.op) {
    case Op::LUI:
      put_imm(rd, static_cast<uint64_t>(in.imm));
      return true;
    case Op::AUIPC:
      put_imm(rd, pc_ + static_cast<uint64_t>(in.imm));
      return true;
    case Op::ADDI:
      if (rd == 0 || rd == 32) return true;
      if (rs1 == 0) {
        put_imm(rd, static_cast<uint64_t>(in.imm));
      } else if (cached(rd) && cached(rs1)) {
        if (rd == rs1)
          g.add(hreg(rd), imm);
        else
          g.lea(hreg(rd), g.ptr[hreg(rs1) + imm]);
        put(rd, hreg(rd));
      } else {
        ri([&](const Reg64& d) { g.add(d, imm); });
      }
      return true;
    case Op::ADD:
      if (cached(rd) && cached(rs1) && cached(rs2) && rd != rs1 && rd != rs2) {
        g.lea(hreg(rd), g.ptr[hreg(rs1) + hreg(rs2)]);
        put(rd, hreg(rd));
        return true;
      }
      rr([&](const Reg64& d, const Reg64& s) { g.add(d, s); });
      return true;
    case Op::SUB: rr([&](const Reg64& d, const Reg64& s) { g.sub(d, s); }); return true;
    case Op::XOR: rr([&](const Reg64& d, const Reg64& s) { g.xor_(d, s); }); return true;
    case Op::OR: rr([&](const Reg64& d, const Reg64& s) { g.or_(d, s); }); return true;
    case Op::AND: rr([&](const Reg64& d, const Reg64& s) { g.and_(d, s); }); return true;
    case Op::XORI: ri([&](const Reg64& d) { g.xor_(d, imm); }); return true;
    case Op::ORI: ri([&](const Reg64& d) { g.or_(d, imm); }); return true;
    case Op::ANDI: ri([&](const Reg64& d) { g.and_(d, imm); }); return true;
    case Op::SLLI: ri([&](const Reg64& d) { g.shl(d, imm); }); return true;
    case Op::SRLI: ri([&](const Reg64& d) { g.shr(d, imm); }); return true;
    case Op::SRAI: ri([&](const Reg64& d) { g.sar(d, imm); }); return true;
    case Op::SLL: shift_rr([&](const Reg& d) { g.shl(d, cl); }, false); return true;
    case Op::SRL: shift_rr([&](const Reg& d) { g.shr(d, cl); }, false); return true;
    case Op::SRA: shift_rr([&](const Reg& d) { g.sar(d, cl); }, false); return true;
    case Op::SLLW: shift_rr([&](const Reg& d) { g.shl(d, cl); }, true); return true;
    case Op::SRLW: shift_rr([&](const Reg& d) { g.shr(d, cl); }, true); return true;
    case Op::SRAW: shift_rr([&](const Reg& d) { g.sar(d, cl); }, true); return true;
    case Op::SLT: set_cc([&](const Reg& r) { g.setl(r); }, false); return true;
    case Op::SLTU: set_cc([&](const Reg& r) { g.setb(r); }, false); return true;
    case Op::SLTI:
      if (in.rd == 32 && in.rs1 == 0 && in.imm > kMarkerBase) return false;  // ROI marker: the executor, then exit
      set_cc([&](const Reg& r) { g.setl(r); }, true);
      return true;
    case Op::SLTIU: set_cc([&](const Reg& r) { g.setb(r); }, true); return true;
    case Op::ADDIW:
      if (rd == 0 || rd == 32) return true;
      if (cached(rd) && cached(rs1)) {
        g.lea(hreg(rd).cvt32(), g.ptr[hreg(rs1) + imm]);
        g.movsxd(hreg(rd), hreg(rd).cvt32());
        put(rd, hreg(rd));
      } else {
        ri_w([&](const Reg& d) { g.add(d, imm); });
      }
      return true;
    case Op::SLLIW: ri_w([&](const Reg& d) { g.shl(d, imm); }); return true;
    case Op::SRLIW: ri_w([&](const Reg& d) { g.shr(d, imm); }); return true;
    case Op::SRAIW: ri_w([&](const Reg& d) { g.sar(d, imm); }); return true;
    case Op::ADDW: rr_w([&](const Reg& d, const Reg& s) { g.add(d, s); }); return true;
    case Op::SUBW: rr_w([&](const Reg& d, const Reg& s) { g.sub(d, s); }); return true;
    default:
      return false;
  }
}

bool BlockEmitter::emit_mul_div(const Insn& in) {
  const unsigned rd = in.rd;
  auto& g = g_;
  // a in rax, b in a register that is neither rax nor rdx.
  auto operands = [&](bool word) -> const Reg64& {
    const Reg64& b = get(in.rs2, rcx);
    const Reg64& a = get(in.rs1, rax);
    if (a.getIdx() != rax.getIdx()) {
      if (word)
        g.mov(eax, a.cvt32());
      else
        g.mov(rax, a);
    }
    return b;
  };
  switch (in.op) {
    case Op::MUL: case Op::MULW: case Op::MULH: case Op::MULHU:
    case Op::DIV: case Op::DIVU: case Op::REM: case Op::REMU:
    case Op::DIVW: case Op::DIVUW: case Op::REMW: case Op::REMUW:
      break;
    default:
      return false;
  }
  if (rd == 0 || rd == 32) return true;  // no side effects (division never traps)
  const bool word = in.op == Op::MULW || in.op == Op::DIVW || in.op == Op::DIVUW ||
                    in.op == Op::REMW || in.op == Op::REMUW;
  const Reg64& b = operands(word);
  Label done;
  switch (in.op) {
    case Op::MUL: g.imul(rax, b); put(rd, rax); break;
    case Op::MULW: g.imul(eax, b.cvt32()); g.movsxd(rax, eax); put(rd, rax); break;
    case Op::MULH: g.imul(b); put(rd, rdx); break;
    case Op::MULHU: g.mul(b); put(rd, rdx); break;
    // Unpriv. spec 13.2: x/0 = -1, x%0 = x; overflow (MIN / -1) = MIN, remainder 0.
    case Op::DIV: case Op::REM: {
      const bool rem = in.op == Op::REM;
      Label zero, neg1;
      g.test(b, b);
      g.jz(zero);
      g.cmp(b, -1);
      g.je(neg1);
      g.cqo();
      g.idiv(b);
      if (rem) g.mov(rax, rdx);
      g.jmp(done);
      g.L(zero);
      if (!rem) g.mov(rax, -1);
      g.jmp(done);
      g.L(neg1);
      if (rem)
        g.xor_(eax, eax);
      else
        g.neg(rax);
      g.L(done);
      put(rd, rax);
      break;
    }
    case Op::DIVU: case Op::REMU: {
      const bool rem = in.op == Op::REMU;
      Label zero;
      g.test(b, b);
      g.jz(zero);
      g.xor_(edx, edx);
      g.div(b);
      if (rem) g.mov(rax, rdx);
      g.jmp(done);
      g.L(zero);
      if (!rem) g.mov(rax, -1);
      g.L(done);
      put(rd, rax);
      break;
    }
    case Op::DIVW: case Op::REMW: {
      const bool rem = in.op == Op::REMW;
      Label zero, neg1;
      g.test(b.cvt32(), b.cvt32());
      g.jz(zero);
      g.cmp(b.cvt32(), -1);
      g.je(neg1);
      g.cdq();
      g.idiv(b.cvt32());
      if (rem) g.mov(eax, edx);
      g.jmp(done);
      g.L(zero);
      if (!rem) g.mov(eax, -1);
      g.jmp(done);
      g.L(neg1);
      if (rem)
        g.xor_(eax, eax);
      else
        g.neg(eax);
      g.L(done);
      g.movsxd(rax, eax);
      put(rd, rax);
      break;
    }
    case Op::DIVUW: case Op::REMUW: {
      const bool rem = in.op == Op::REMUW;
      Label zero;
      g.test(b.cvt32(), b.cvt32());
      g.jz(zero);
      g.xor_(edx, edx);
      g.div(b.cvt32());
      if (rem) g.mov(eax, edx);
      g.jmp(done);
      g.L(zero);
      if (!rem) g.mov(eax, -1);
      g.L(done);
      g.movsxd(rax, eax);
      put(rd, rax);
      break;
    }
    default:
      break;
  }
  return true;
}

// The Zba/Zbb/Zbs instructions compilers emit most; the rest run on the executor.
bool BlockEmitter::emit_bitmanip(const Insn& in) {
  const unsigned rd = in.rd;
  auto& g = g_;
  auto two = [&](auto op) {
    if (rd == 0 || rd == 32) return;
    const Reg64& b = get(in.rs2, rcx);
    const Reg64& a = get(in.rs1, rax);
    op(a, b);  // result in rax
    put(rd, rax);
  };
  switch (in.op) {
    case Op::SH1ADD: case Op::SH2ADD: case Op::SH3ADD: {
      const int scale = in.op == Op::SH1ADD ? 2 : in.op == Op::SH2ADD ? 4 : 8;
      two([&](const Reg64& a, const Reg64& b) { g.lea(rax, g.ptr[b + a * scale]); });
      return true;
    }
    case Op::ADD_UW:
      two([&](const Reg64& a, const Reg64& b) { g.mov(eax, a.cvt32()); g.add(rax, b); });
      return true;
    case Op::ANDN:
      two([&](const Reg64& a, const Reg64& b) { g.mov(rdx, b); g.not_(rdx); g.mov(rax, a); g.and_(rax, rdx); });
      return true;
    case Op::ORN:
      two([&](const Reg64& a, const Reg64& b) { g.mov(rdx, b); g.not_(rdx); g.mov(rax, a); g.or_(rax, rdx); });
      return true;
    case Op::XNOR:
      two([&](const Reg64& a, const Reg64& b) { g.mov(rax, a); g.xor_(rax, b); g.not_(rax); });
      return true;
    case Op::MIN: case Op::MAX: case Op::MINU: case Op::MAXU:
      two([&](const Reg64& a, const Reg64& b) {
        g.mov(rax, a);
        g.cmp(rax, b);
        switch (in.op) {
          case Op::MIN: g.cmovg(rax, b); break;
          case Op::MAX: g.cmovl(rax, b); break;
          case Op::MINU: g.cmova(rax, b); break;
          default: g.cmovb(rax, b); break;
        }
      });
      return true;
    case Op::SEXT_B: case Op::SEXT_H: case Op::ZEXT_H: case Op::REV8: {
      if (rd == 0 || rd == 32) return true;
      const Reg64& a = get(in.rs1, rax);
      if (in.op == Op::SEXT_B) g.movsx(rax, a.cvt8());
      else if (in.op == Op::SEXT_H) g.movsx(rax, a.cvt16());
      else if (in.op == Op::ZEXT_H) g.movzx(eax, a.cvt16());
      else { if (a.getIdx() != rax.getIdx()) g.mov(rax, a); g.bswap(rax); }
      put(rd, rax);
      return true;
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------
// Control flow and exits

// A jump to a constant target: patchable (chained) within the block's page, through
// the lookup cache elsewhere. cc: -1 unconditional, else the x86 condition of a jcc.
void BlockEmitter::exit_direct(uint64_t target, int slot, int cc) {
  auto& g = g_;
  Label& l = new_label();
  using CG = Asm;
  switch (cc) {
    case -1: g.jmp(l, CG::T_NEAR); break;
    case 0: g.je(l, CG::T_NEAR); break;
    case 1: g.jne(l, CG::T_NEAR); break;
    case 2: g.jl(l, CG::T_NEAR); break;
    case 3: g.jge(l, CG::T_NEAR); break;
    case 4: g.jb(l, CG::T_NEAR); break;
    default: g.jae(l, CG::T_NEAR); break;
  }
  if ((target >> 12) == (tb_.vpc >> 12)) {
    TransBlock::Exit& e = tb_.exits[slot];
    e.from = &tb_;
    e.site = const_cast<uint8_t*>(g.getCurr()) - 4;
    e.target = target;
    exit_label_[slot] = &l;
    EmitStub& s = add_stub(EmitStub::kChain, &l);
    s.a = target;
    s.p = &e;
  } else {
    add_stub(EmitStub::kLookup, &l).a = target;
  }
}

void BlockEmitter::exit_indirect_rax(bool is_return) {
  g_.jmp(is_return ? t_.routines().ret : t_.routines().lookup);
}

// Call: push the return address and its cell on the return-address stack (rcx, rdx,
// rsi are free at a block's end; rax may hold the jump target).
void BlockEmitter::ras_push(uint64_t return_vpc) {
  uint64_t* cell = t_.alloc_cell();
  if (!cell) return;  // out of cells: the return goes through the lookup cache
  auto& g = g_;
  JitData& d = t_.data();
  g.mov(ecx, g.ptr[g.rip + &d.ras_top]);
  g.inc(ecx);
  g.and_(ecx, JitData::kRasSize - 1);
  g.mov(g.ptr[g.rip + &d.ras_top], ecx);
  g.shl(ecx, 4);
  g.lea(rsi, g.ptr[g.rip + d.ras]);
  g.mov(rdx, return_vpc);
  g.mov(g.ptr[rsi + rcx], rdx);
  g.lea(rdx, g.ptr[g.rip + cell]);
  g.mov(g.ptr[rsi + rcx + 8], rdx);
}

void BlockEmitter::emit_branch(const Insn& in) {
  const uint64_t target = pc_ + static_cast<uint64_t>(in.imm);
  if ((target & 2) && !(t_.core().config().ext & kExtC)) {  // may trap: the executor decides
    emit_exec_then_exit(in);
    return;
  }
  const Reg64& a = get(in.rs1, rax);
  if (in.rs2 == 0) {
    g_.test(a, a);
  } else {
    const Reg64& b = get(in.rs2, rcx);
    g_.cmp(a, b);
  }
  writeback();  // moves only: the flags survive
  int cc;
  switch (in.op) {
    case Op::BEQ: cc = 0; break;
    case Op::BNE: cc = 1; break;
    case Op::BLT: cc = 2; break;
    case Op::BGE: cc = 3; break;
    case Op::BLTU: cc = 4; break;
    default: cc = 5; break;
  }
  exit_direct(target, 0, cc);
  exit_direct(pc_ + in.len, 1, -1);
  ended_ = true;
}

static bool is_link(unsigned r) { return r == 1 || r == 5; }

void BlockEmitter::emit_jal(const Insn& in) {
  const uint64_t target = pc_ + static_cast<uint64_t>(in.imm);
  if ((target & 2) && !(t_.core().config().ext & kExtC)) {
    emit_exec_then_exit(in);
    return;
  }
  put_imm(in.rd, pc_ + in.len);
  writeback();
  if (is_link(in.rd)) ras_push(pc_ + in.len);
  exit_direct(target, 0, -1);
  ended_ = true;
}

void BlockEmitter::emit_jalr(const Insn& in) {
  if (!(t_.core().config().ext & kExtC)) {  // the target's alignment may trap
    emit_exec_then_exit(in);
    return;
  }
  const Reg64& a = get(in.rs1, rax);
  g_.lea(rax, g_.ptr[a + static_cast<int32_t>(in.imm)]);
  g_.and_(rax, -2);
  put_imm(in.rd, pc_ + in.len);  // after the target is computed (rd may be rs1)
  writeback();
  if (is_link(in.rd)) ras_push(pc_ + in.len);
  exit_indirect_rax(in.rd == 0 && is_link(in.rs1) && in.imm == 0);
  ended_ = true;
}

}  // namespace vp::cpu
