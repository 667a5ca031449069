// What translated code calls: the shared routines (entry, exit, indirect lookup, return
// prediction) emitted once at the start of the code region, and the C++ helper that runs
// an instruction on the interpreter's executor.
//
// x86 exception flags and fflags: inline FP code leaves its flags in MXCSR. The first
// inline FP instruction of a block checks JitData::fp_live; if clear (C++ code ran since,
// which may leave its own flags in MXCSR), it clears MXCSR's flags and sets it. While
// fp_live is set, a helper folds MXCSR into fflags_ on entry and clears MXCSR on return
// (the block goes on with clean flags), and the dispatcher folds on exit and clears
// fp_live. So fflags_ is exact wherever C++ code reads it, and code without inline FP
// never touches MXCSR.
#include <xmmintrin.h>

#include "models/cpu/translator/translator_internal.h"

namespace vp::cpu {

using namespace Xbyak::util;

void TranslatorX86::emit_routines() {
  auto& g = gen_;
  JitData& d = data();
  g.setSize(0);

  // HelperResult entry(Core* core, const uint8_t* code, uint64_t left)
  routines_.entry = g.getCurr();
  g.push(rbx);
  g.push(rbp);
  g.push(r12);
  g.push(r13);
  g.push(r14);
  g.push(r15);
  g.sub(rsp, 8);  // 16-byte aligned stack for calls from translated code
  g.mov(r15, rdi);
  g.mov(r14, rdx);
  g.jmp(rsi);

  // exit: eax = reason, rdx = info
  g.align(16);
  routines_.exit = g.getCurr();
  g.mov(g.ptr[g.rip + &d.left_out], r14);
  g.add(rsp, 8);
  g.pop(r15);
  g.pop(r14);
  g.pop(r13);
  g.pop(r12);
  g.pop(rbp);
  g.pop(rbx);
  g.ret();

  // lookup: rax = target vpc. The cache entry must carry the current tag (mapping
  // generation and translation flags); a miss returns to the dispatcher.
  constexpr uint32_t kVmask = (1u << JitData::kVcacheBits) - 1;
  static_assert(sizeof(JitData::VEntry) == 32, "lookup code scales the index by 32");
  g.align(16);
  routines_.lookup = g.getCurr();
  {
    Xbyak::Label miss;
    g.mov(rcx, rax);
    g.shr(rcx, 1);
    g.and_(ecx, kVmask);
    g.shl(ecx, 5);
    g.lea(rdx, g.ptr[g.rip + d.vcache]);
    g.add(rdx, rcx);
    g.cmp(rax, g.ptr[rdx]);
    g.jne(miss);
    g.mov(rcx, g.ptr[g.rip + &d.cur_tag]);
    g.cmp(rcx, g.ptr[rdx + 8]);
    g.jne(miss);
    g.jmp(g.ptr[rdx + 16]);
    g.L(miss);
    g.mov(g.ptr[r15 + off_.pc], rax);
    g.mov(eax, kExitLookup);
    g.xor_(edx, edx);
    g.jmp(routines_.exit);
  }

  // ret: rax = target vpc of a `ret`. The top of the return-address stack predicts it;
  // its cell holds the return block's code once resolved (valid under the same tag).
  static_assert(sizeof(JitData::RasEntry) == 16, "ret code scales the index by 16");
  g.align(16);
  routines_.ret = g.getCurr();
  {
    Xbyak::Label fill, miss;
    g.mov(ecx, g.ptr[g.rip + &d.ras_top]);
    g.lea(rsi, g.ptr[g.rip + d.ras]);
    g.mov(edx, ecx);
    g.shl(edx, 4);
    g.cmp(rax, g.ptr[rsi + rdx]);
    g.jne(routines_.lookup);
    g.dec(ecx);
    g.and_(ecx, JitData::kRasSize - 1);
    g.mov(g.ptr[g.rip + &d.ras_top], ecx);
    g.mov(rsi, g.ptr[rsi + rdx + 8]);
    g.mov(rcx, g.ptr[g.rip + &d.cur_tag]);
    g.cmp(rcx, g.ptr[rsi + 8]);
    g.jne(fill);
    g.jmp(g.ptr[rsi]);
    g.L(fill);  // rsi = cell, rcx = tag: resolve through the lookup cache, remember it
    g.mov(rdi, rax);
    g.shr(rdi, 1);
    g.and_(edi, kVmask);
    g.shl(edi, 5);
    g.lea(rdx, g.ptr[g.rip + d.vcache]);
    g.add(rdx, rdi);
    g.cmp(rax, g.ptr[rdx]);
    g.jne(miss);
    g.cmp(rcx, g.ptr[rdx + 8]);
    g.jne(miss);
    g.mov(rdx, g.ptr[rdx + 16]);
    g.mov(g.ptr[rsi], rdx);
    g.mov(g.ptr[rsi + 8], rcx);
    g.jmp(rdx);
    g.L(miss);
    g.mov(g.ptr[r15 + off_.pc], rax);
    g.mov(eax, kExitLookup);
    g.xor_(edx, edx);
    g.jmp(routines_.exit);
  }
  g.align(64);
  code_start_ = g.getSize();
}

uint64_t* TranslatorX86::alloc_cell() {
  if (next_cell_ >= JitData::kCells) return nullptr;
  uint64_t* c = data().cells[next_cell_++];
  c[0] = 0;
  c[1] = ~0ull;  // no tag matches
  return c;
}

// MXCSR exception flags (IE, DE, ZE, OE, UE, PE) -> fflags (NV, DZ, OF, UF, NX); DE has
// no RISC-V counterpart.
void TranslatorX86::fold_fflags() {
  JitData& d = data();
  core_.fflags_ |= d.fflags_of_mxcsr[_mm_getcsr() & 0x3f];
}

// After a helper: return to the dispatcher at the next block boundary if anything the
// running code depends on changed (the interpreter checks these between blocks too).
uint64_t TranslatorX86::after_helper(uint64_t left) {
  if (forced_) return 0;
  const Core& c = core_;
  // run_.any(): an interrupt to check, a stop, wfi, marker or blocks to reap (a stop
  // pc or block counter, also in it, never reach translated code).
  if (c.run_.any() || c.chain_gen_ != seen_chain_gen_ || flags_now() != cur_flags_) {
    forced_ = true;
    saved_left_ = left;
    return 0;
  }
  return left;
}

template <class Body>
HelperResult TranslatorX86::in_helper_frame(TranslatorX86* t, uint64_t vpc, uint64_t left, Body&& body) {
  Core& c = t->core_;
  // As in the interpreter, the core's instret()/run_progress() read as the block's end.
  const uint64_t eff = t->forced_ ? t->saved_left_ : left;
  c.blk_i_ = static_cast<unsigned>(t->data().entry_left - eff - 1);
  c.pc_ = vpc;
  const bool fp = t->data().fp_live;
  if (fp) t->fold_fflags();
  HelperResult r{0, 0};
  try {
    body(c);
    r.left = t->after_helper(left);
  } catch (const Trap& tr) {
    t->trap_ = tr;
    c.pc_ = vpc;
    r.left = kLeftTrap;
  } catch (...) {
    t->pending_ = std::current_exception();  // rethrown by the dispatcher
    r.left = ~0ull;
  }
  c.blk_i_ = 0;
  if (fp) _mm_setcsr(t->data().mxcsr_clean);
  return r;
}

HelperResult TranslatorX86::helper_exec(TranslatorX86* t, const Insn* in, uint64_t vpc, uint64_t left) {
  ++t->stats_.helper_calls;
  return in_helper_frame(t, vpc, left, [in](Core& c) { c.execute_one(*in); });
}

// `csrr rd, time` (csrrs/csrrc with x0, csrrsi/csrrci with 0: no write) when the core's
// time cache does not hold (BlockEmitter::emit_time_read): the value from the hart
// (CoreHost::time_now, which reads the timer directly once it offered a direct view, and
// fills the cache again) without the executor's decoding and checks; a read the
// privilege level may not make goes through helper_exec, which raises the exception.
HelperResult TranslatorX86::helper_time(TranslatorX86* t, const Insn* in, uint64_t vpc, uint64_t left) {
  Core& c = t->core_;
  if (!c.counter_allowed(kCsrTime)) return helper_exec(t, in, vpc, left);
  ++t->stats_.time_reads;
  if (!t->forced_ && c.host_.time_quiet()) {
    // Only the time cache changes (integer code: MXCSR untouched): no frame, no checks after.
    c.blk_i_ = static_cast<unsigned>(t->data().entry_left - left - 1);
    c.x_[in->rd] = c.host_.time_now();
    c.blk_i_ = 0;
    c.pc_ = vpc + in->len;
    return {0, left};
  }
  return in_helper_frame(t, vpc, left, [in, vpc](Core& core) {
    core.x_[in->rd] = core.host_.time_now();  // the hart accounts time up to blk_i_
    core.pc_ = vpc + in->len;
  });
}

// `wfi` with an interrupt pending and enabled in mie returns at once (priv. spec
// 3.3.3): an idle or wait loop with interrupts masked globally (a secondary hart of a
// Linux boot in OpenSBI's HSM wait) runs it hundreds of thousands of times. That no-op
// needs none of the executor's frame; a wfi that sleeps or traps goes to helper_exec.
// Such a loop usually repeats the same state until another hart or a device acts: the
// dispatcher is asked to check (skip_spin), unless a recent check failed.
HelperResult TranslatorX86::helper_wfi(TranslatorX86* t, const Insn* in, uint64_t vpc, uint64_t left) {
  Core& c = t->core_;
  const bool allowed = c.priv_ == Priv::M || (c.priv_ == Priv::S && !(c.mstatus_ & mst::TW));
  if (!allowed || !c.wfi_wakeup()) return helper_exec(t, in, vpc, left);
  ++t->stats_.wfi_no_sleep;
  c.pc_ = vpc + in->len;
  const uint64_t l = t->after_helper(left);
  if (t->forced_ || t->single_block_) return {0, l};
  if (t->spin_ignore_) {
    --t->spin_ignore_;
    return {0, l};
  }
  t->spin_probe_ = true;  // exit at the next block boundary
  t->forced_ = true;
  t->saved_left_ = left;
  return {0, 0};
}

TranslatorStats TranslatorX86::stats() const {
  TranslatorStats s = stats_;
  s.time_cached = data().time_hits;
  s.time_reads += s.time_cached;
  return s;
}

}  // namespace vp::cpu
