// Loads and stores: the inline TLB fast path of translated code. The core's TLB (one per
// access type) maps a virtual page to a host pointer for DMI pages whose PMP permission
// is uniform; write entries exist only for pages without translated code and without
// HTIF words, so a store that could change code or talk to the host misses. Everything
// that misses (MMIO, TLB misses, page crossings, faults) runs on the interpreter's
// executor, which walks the page table, goes through the CoreHost (TLM b_transport) and
// raises the exact trap.
#include "models/cpu/translator/translator_internal.h"

namespace vp::cpu {

using namespace x86;

namespace {
static_assert(sizeof(Core*) == 8, "x86-64 only");
constexpr int kTlbEntrySize = 24;
}  // namespace

void BlockEmitter::addr_to_rax(const Insn& in) {
  const int32_t imm = static_cast<int32_t>(in.imm);
  if (in.rs1 == 0) {
    g_.mov(rax, static_cast<int64_t>(imm));
    return;
  }
  const Reg64& a = get(in.rs1, rax);
  g_.lea(rax, g_.ptr[a + imm]);
}

// rax = guest virtual address -> host address, or a jump to `slow`. The entry is picked
// by the first byte's page and must be tagged with the last byte's page, so an access
// crossing a page misses. Clobbers rcx, rdx.
void BlockEmitter::tlb_check(unsigned size, int acc, Label& slow) {
  static_assert(Core::kTlbBits == 8, "the index is the low byte of the page number");
  static_assert(sizeof(Core::TlbEntry) == kTlbEntrySize, "TLB entry layout");
  static_assert(offsetof(Core::TlbEntry, tag) == 0 && offsetof(Core::TlbEntry, addend) == 8,
                "TLB entry layout");
  auto& g = g_;
  const int32_t base = t_.off().tlb + acc * static_cast<int32_t>(Core::kTlbSize) * kTlbEntrySize;
  if (size > 1 && !t_.core().config().misaligned_emulate) {
    g.test(al, size - 1);
    g.jnz(slow, Asm::T_NEAR);
  }
  g.mov(ecx, eax);
  g.shr(ecx, 12);
  g.movzx(ecx, cl);
  g.lea(rcx, g.ptr[rcx + rcx * 2]);
  if (size > 1)
    g.lea(rdx, g.ptr[rax + (size - 1)]);
  else
    g.mov(rdx, rax);
  g.shr(rdx, 12);
  g.cmp(rdx, g.ptr[r15 + rcx * 8 + base]);
  g.jne(slow, Asm::T_NEAR);
  g.add(rax, g.ptr[r15 + rcx * 8 + (base + 8)]);
}

bool BlockEmitter::emit_load(const Insn& in) {
  unsigned size = 0;
  bool fp = false;
  switch (in.op) {
    case Op::LB: case Op::LBU: size = 1; break;
    case Op::LH: case Op::LHU: size = 2; break;
    case Op::LW: case Op::LWU: size = 4; break;
    case Op::LD: size = 8; break;
    case Op::FLW: size = 4; fp = true; break;
    case Op::FLD: size = 8; fp = true; break;
    default: return false;
  }
  const uint32_t fs_state = (tb_.flags >> 2) & 3;
  if (fp && fs_state == 0) return false;  // the executor raises the illegal instruction
  auto& g = g_;
  Label& slow = new_label();
  Label& back = new_label();
  const uint64_t dirty = dirty_, valid = valid_;  // as the slow path sees them
  addr_to_rax(in);
  tlb_check(size, static_cast<int>(Access::kRead), slow);
  switch (in.op) {
    case Op::LB: g.movsx(rax, g.byte[rax]); break;
    case Op::LBU: g.movzx(eax, g.byte[rax]); break;
    case Op::LH: g.movsx(rax, g.word[rax]); break;
    case Op::LHU: g.movzx(eax, g.word[rax]); break;
    case Op::LW: g.movsxd(rax, g.dword[rax]); break;
    case Op::LWU: case Op::FLW: g.mov(eax, g.dword[rax]); break;
    default: g.mov(rax, g.qword[rax]); break;
  }
  if (fp) {
    if (in.op == Op::FLW) {  // NaN-boxed
      g.mov(rcx, 0xffffffff00000000ull);
      g.or_(rax, rcx);
    }
    g.mov(fmem(in.rd), rax);
    if (fs_state == 1) g.or_(g.qword[r15 + t_.off().mstatus], static_cast<int32_t>(mst::FS));
  } else {
    g.L(back);
    put(in.rd, rax);
  }
  Label* done = nullptr;
  if (fp) {
    done = &new_label();
    g.L(*done);
  }
  // Slow path: the executor does the whole load; the block continues with its result.
  Label& trap = trap_stub();
  EmitStub& s = add_stub(EmitStub::kLoadSlow, &slow);
  s.flag = fp;
  s.n = in.rd;
  s.back = fp ? done : &back;
  s.trap = &trap;
  s.a = pc_;
  s.dirty = dirty;
  s.valid = valid;
  s.p = &in;
  return true;
}

// The slow path of a load or store: registers as the main path had them before the
// access, the executor runs the instruction, then back to the main path.
void BlockEmitter::emit_mem_slow(const EmitStub& s) {
  writeback(s.dirty);
  call_helper_exec(*static_cast<const Insn*>(s.p), s.a, *s.trap);
  const uint64_t saved = valid_;
  valid_ = s.valid;
  reload_after_call(0);
  valid_ = saved;
  if (s.kind == EmitStub::kLoadSlow && !s.flag) g_.mov(rax, xmem(s.n));
  g_.jmp(*s.back, Asm::T_NEAR);
}

bool BlockEmitter::emit_store(const Insn& in) {
  unsigned size = 0;
  bool fp = false;
  switch (in.op) {
    case Op::SB: size = 1; break;
    case Op::SH: size = 2; break;
    case Op::SW: size = 4; break;
    case Op::SD: size = 8; break;
    case Op::FSW: size = 4; fp = true; break;
    case Op::FSD: size = 8; fp = true; break;
    default: return false;
  }
  if (fp && ((tb_.flags >> 2) & 3) == 0) return false;
  auto& g = g_;
  Label& slow = new_label();
  Label& back = new_label();
  const uint64_t dirty = dirty_, valid = valid_;
  addr_to_rax(in);
  tlb_check(size, static_cast<int>(Access::kWrite), slow);
  if (fp) {
    g.mov(rcx, fmem(in.rs2));
    if (size == 4)
      g.mov(g.dword[rax], ecx);
    else
      g.mov(g.qword[rax], rcx);
  } else if (in.rs2 == 0) {
    switch (size) {
      case 1: g.mov(g.byte[rax], 0); break;
      case 2: g.mov(g.word[rax], 0); break;
      case 4: g.mov(g.dword[rax], 0); break;
      default: g.mov(g.qword[rax], 0); break;
    }
  } else {
    const Reg64& v = get(in.rs2, rcx);
    switch (size) {
      case 1: g.mov(g.byte[rax], v.cvt8()); break;
      case 2: g.mov(g.word[rax], v.cvt16()); break;
      case 4: g.mov(g.dword[rax], v.cvt32()); break;
      default: g.mov(g.qword[rax], v); break;
    }
  }
  g.L(back);
  Label& trap = trap_stub();
  EmitStub& s = add_stub(EmitStub::kStoreSlow, &slow);
  s.back = &back;
  s.trap = &trap;
  s.a = pc_;
  s.dirty = dirty;
  s.valid = valid;
  s.p = &in;
  return true;
}

}  // namespace vp::cpu
