// The translator's run loop: the interpreter's loop (core.cpp, Core::run_loop) with
// translated blocks in place of exec_block. Between entries into translated code it
// does what the interpreter does between blocks (stop requests, discarded blocks,
// interrupts), finds or makes the translation of the block at pc, links the previous
// block's direct exit to it, and accounts the instructions executed. A block the
// budget cannot finish, and a block that is not cached (an instruction straddling two
// pages, PMP not uniform over the page), run on the interpreter.
#include <xbyak/xbyak_util.h>
#include <xmmintrin.h>

#include <algorithm>
#include <cstring>

#include "models/cpu/translator/translator_internal.h"

namespace vp::cpu {

namespace {
constexpr size_t kCodeBufferSize = 64u << 20;
constexpr size_t kMaxBlockCode = 64u << 10;  // room one block's code can need at most
constexpr uint64_t kMaxEntryBudget = 1u << 30;

template <typename M>
int32_t offset_of(const Core& c, const M* member) {
  return static_cast<int32_t>(reinterpret_cast<const char*>(member) - reinterpret_cast<const char*>(&c));
}
}  // namespace

std::unique_ptr<Translator> Translator::create(Core& core) {
  return std::make_unique<TranslatorX86>(core);
}

TranslatorX86::TranslatorX86(Core& core)
    : core_(core),
      buf_(kCodeBufferSize),
      gen_(buf_.code_size(), buf_.code()) {
  off_.x = offset_of(core, &core.x_[0]);
  off_.f = offset_of(core, &core.f_[0]);
  off_.pc = offset_of(core, &core.pc_);
  off_.tlb = offset_of(core, &core.tlb_[0][0]);
  off_.fflags = offset_of(core, &core.fflags_);
  off_.mstatus = offset_of(core, &core.mstatus_);
  off_.run_done = offset_of(core, &core.run_done_);
  off_.mcounteren = offset_of(core, &core.mcounteren_);
  off_.scounteren = offset_of(core, &core.scounteren_);
  off_.time_from = offset_of(core, &core.time_from_);
  off_.time_span = offset_of(core, &core.time_span_);
  off_.time_value = offset_of(core, &core.time_value_);
  JitData& d = data();
  d.helpers[kHelperExec] = reinterpret_cast<void*>(&TranslatorX86::helper_exec);
  d.helpers[kHelperTime] = reinterpret_cast<void*>(&TranslatorX86::helper_time);
  d.helpers[kHelperWfi] = reinterpret_cast<void*>(&TranslatorX86::helper_wfi);
  for (unsigned m = 0; m < 64; ++m) {
    uint8_t f = 0;
    if (m & 0x01) f |= 16;  // IE -> NV
    if (m & 0x04) f |= 8;   // ZE -> DZ
    if (m & 0x08) f |= 4;   // OE -> OF
    if (m & 0x10) f |= 2;   // UE -> UF
    if (m & 0x20) f |= 1;   // PE -> NX
    d.fflags_of_mxcsr[m] = f;
  }
  d.mxcsr_clean = _mm_getcsr() & ~0x3fu;
  for (auto& r : d.ras) r = {~0ull, nullptr};
  Xbyak::util::Cpu cpu;
  bmi2_ = cpu.has(Xbyak::util::Cpu::tBMI2);
  emit_routines();
}

TranslatorX86::~TranslatorX86() {
  for (TransBlock* tb : all_) {
    if (tb->block) tb->block->tb = nullptr;
    delete tb;
  }
}

// What a translation depends on besides its code: privilege (fetch permissions, ecall),
// the FP unit's state (off: FP instructions trap; dirty: no need to mark it) and the
// dynamic rounding mode (round-to-nearest-even code is emitted inline).
uint32_t TranslatorX86::flags_now() const {
  const uint64_t fs = (core_.mstatus_ >> mst::FS_SHIFT) & 3;
  const uint32_t fs_state = fs == 0 ? 0 : fs == 3 ? 2 : 1;
  return static_cast<uint32_t>(core_.priv_) | fs_state << 2 | (core_.frm_ & 7) << 4;
}

void TranslatorX86::patch_rel32(uint8_t* site, const uint8_t* target) {
  const int64_t rel = target - (site + 4);
  const int32_t r32 = static_cast<int32_t>(rel);
  std::memcpy(site, &r32, 4);
}

void TranslatorX86::link(TransBlock::Exit* e, TransBlock* to) {
  if (e->to) unlink(e);
  patch_rel32(e->site, to->code);
  e->to = to;
  to->incoming.push_back(e);
  if (e->from->linked_index == TransBlock::kNotLinked) {
    e->from->linked_index = linked_.size();
    linked_.push_back(e->from);
  }
}

void TranslatorX86::unlink(TransBlock::Exit* e) {
  patch_rel32(e->site, e->stub);
  auto& in = e->to->incoming;
  in.erase(std::remove(in.begin(), in.end(), e), in.end());
  e->to = nullptr;
}

// Removes a translation: jumps into it are unlinked, its own links dropped; lookup
// cache entries and return cells die with the tag change.
void TranslatorX86::drop(TransBlock* tb) {
  while (!tb->incoming.empty()) unlink(tb->incoming.back());
  for (auto& e : tb->exits)
    if (e.to) unlink(&e);
  if (tb->linked_index != TransBlock::kNotLinked) {
    linked_[tb->linked_index] = linked_.back();
    linked_[tb->linked_index]->linked_index = tb->linked_index;
    linked_.pop_back();
  }
  ++vgen_;
  all_[tb->index] = all_.back();
  all_[tb->index]->index = tb->index;
  all_.pop_back();
  delete tb;
}

void TranslatorX86::discard(Block* b) {
  for (TransBlock* tb = b->tb; tb;) {
    TransBlock* next = tb->next;
    drop(tb);
    tb = next;
  }
  b->tb = nullptr;
  if (all_.empty()) {
    // Nothing translated is alive: reuse the code region from the start.
    gen_.setSize(code_start_);
    next_cell_ = 0;
    for (auto& r : data().ras) r = {~0ull, nullptr};
  }
}

// After a fence.i every block must be compared with memory (Core::lookup_block) before
// it runs again: no jump may reach a translation directly.
void TranslatorX86::unlink_all() {
  // Every linked exit belongs to a block in linked_, and every non-empty incoming list
  // to the target of one of them.
  for (TransBlock* tb : linked_) {
    for (auto& e : tb->exits)
      if (e.to) {
        patch_rel32(e.site, e.stub);
        e.to->incoming.clear();
        e.to = nullptr;
      }
    tb->linked_index = TransBlock::kNotLinked;
  }
  linked_.clear();
}

void TranslatorX86::flush_all() {
  for (TransBlock* tb : all_) {
    tb->block->tb = nullptr;
    delete tb;
  }
  all_.clear();
  linked_.clear();
  ++vgen_;
  ++stats_.flushes;
  gen_.setSize(code_start_);
  next_cell_ = 0;
  for (auto& r : data().ras) r = {~0ull, nullptr};
}

bool TranslatorX86::pmp_changed() {
  const auto& now = core_.pmp_;
  bool same = now.size() == pmp_seen_.size();
  for (size_t i = 0; same && i < now.size(); ++i)
    same = now[i].lo == pmp_seen_[i].lo && now[i].hi == pmp_seen_[i].hi && now[i].cfg == pmp_seen_[i].cfg;
  if (same) return false;
  pmp_seen_ = now;
  return true;
}

TransBlock* TranslatorX86::find_or_translate(Block* b, uint64_t vpc, uint32_t flags) {
  for (TransBlock* tb = b->tb; tb; tb = tb->next)
    if (tb->vpc == vpc && tb->flags == flags) return tb;
  return translate(b, vpc, flags);
}

TransBlock* TranslatorX86::translate(Block* b, uint64_t vpc, uint32_t flags) {
  if (gen_.getSize() + kMaxBlockCode > buf_.code_size()) flush_all();
  auto* tb = new TransBlock;
  tb->vpc = vpc;
  tb->flags = flags;
  tb->n = static_cast<uint32_t>(b->insns.size());
  tb->block = b;
  const size_t start = gen_.getSize();
  tb->code = gen_.getCurr();
  BlockEmitter(*this, gen_, *tb).emit();
  tb->code_size = static_cast<uint32_t>(gen_.getSize() - start);
  gen_.align(16);
  tb->next = b->tb;
  b->tb = tb;
  tb->index = all_.size();
  all_.push_back(tb);
  ++stats_.blocks_translated;
  stats_.code_bytes += tb->code_size;
  return tb;
}

namespace {
// Instructions whose only effects are on the x registers, pc and memory (loads, stores:
// Core::slow_mem_ tells whether one needed a walk or the bus; skip_spin checks stores),
// and wfi (a sleeping one stops the check). Not the ROI marker `slti x0, x0, N`.
bool spin_pure(const Block& b) {
  for (const Insn& in : b.insns) {
    const auto op = static_cast<unsigned>(in.op);
    auto in_range = [op](Op lo, Op hi) {
      return op - static_cast<unsigned>(lo) <= static_cast<unsigned>(hi) - static_cast<unsigned>(lo);
    };
    if (in.op == Op::SLTI && in.rd == 32) return false;
    if (in_range(Op::LUI, Op::BGEU) || in_range(Op::LB, Op::SD) || in_range(Op::ADDI, Op::SRAW) ||
        in_range(Op::MUL, Op::REMUW) || in_range(Op::SH1ADD, Op::BSETI) || in.op == Op::FENCE ||
        in.op == Op::WFI)
      continue;
    return false;
  }
  return true;
}
bool is_store(Op op) { return op == Op::SB || op == Op::SH || op == Op::SW || op == Op::SD; }
constexpr unsigned kSpinMaxBlocks = 64;
constexpr uint32_t kSpinBackoffMax = 4096;
}  // namespace

// A wait loop around a wfi that does not sleep (an interrupt pending and enabled in mie,
// but masked by mstatus: OpenSBI's HSM wait on harts Linux has not started yet, whose
// MSIP stays pending) runs until another hart or a device changes memory or an
// interrupt line, and neither happens inside one run() call: other harts and devices
// run between calls, and code that only reaches DMI memory never yields. So when one
// lap of the loop (from the pc the dispatcher is at back to it, on the interpreter)
// contains only such instructions, makes no page walk and no bus access, stores only
// through the write TLB (no side effect but the bytes) values equal to those already
// there (OpenSBI's atomic_read saves and restores s0 on the stack), and ends with the x
// registers as it started, then it left the hart's whole state as it found it and every
// later lap repeats it exactly: the laps that fit in the budget are counted as executed
// (instret, run_done_) without running them. The first lap warms the TLB; the second
// is the one checked. Retired-instruction counts, time and all state stay those of
// running the laps.
void TranslatorX86::skip_spin(uint64_t budget) {
  Core& c = core_;
  const uint64_t head = c.pc_;
  uint64_t x[32];
  uint64_t lap_start = 0, slow_at = 0;
  unsigned laps = 0, wfis = 0, wfis_at = 0;
  bool silent = true;  // every store of this lap left memory as it was
  bool skipped = false;
  for (unsigned blocks = 0; blocks < kSpinMaxBlocks && c.run_done_ < budget; ++blocks) {
    if (c.run_.stop || c.run_.irq_check || !c.graveyard_.empty() || c.chain_gen_ != seen_chain_gen_) break;
    Block* b;
    try {
      b = c.lookup_block();
    } catch (const Trap& t) {  // as the dispatcher does
      ++c.run_done_;
      c.take_trap(t.cause, t.tval, false);
      break;
    }
    const auto n = static_cast<unsigned>(b->insns.size());
    if (!b->cacheable || n > budget - c.run_done_ || !spin_pure(*b)) break;
    ++stats_.interpreted_blocks;
    // Core::exec_block<false>, checking stores.
    unsigned i = 0;
    try {
      for (; i < n; ++i) {
        const Insn& in = b->insns[i];
        if (!is_store(in.op)) {
          c.execute_one(in);
          wfis += in.op == Op::WFI;
          continue;
        }
        const unsigned len = 1u << (static_cast<unsigned>(in.op) - static_cast<unsigned>(Op::SB));
        const uint64_t va = c.x_[in.rs1] + static_cast<uint64_t>(in.imm);
        const Core::TlbEntry& e = c.tlb_[1][(va >> 12) & (Core::kTlbSize - 1)];
        uint8_t old[8];
        const bool fast = e.tag == (va >> 12) && (va & (len - 1)) == 0;
        if (fast) std::memcpy(old, reinterpret_cast<const void*>(e.addend + va), len);
        c.execute_one(in);
        if (!fast || std::memcmp(old, reinterpret_cast<const void*>(e.addend + va), len) != 0) silent = false;
      }
      c.instret_ += n;
      c.run_done_ += n;
    } catch (const Trap& t) {
      c.instret_ += i;
      c.run_done_ += i + 1;
      c.take_trap(t.cause, t.tval, false);
      break;
    }
    if (c.run_.wfi) break;  // a wfi that sleeps
    if (c.pc_ != head) continue;
    if (++laps == 1) {
      std::memcpy(x, c.x_, sizeof x);
      lap_start = c.run_done_;
      slow_at = c.slow_mem_;
      wfis_at = wfis;
      silent = true;
      continue;
    }
    if (silent && c.slow_mem_ == slow_at && wfis > wfis_at && std::memcmp(x, c.x_, sizeof x) == 0) {
      const uint64_t lap = c.run_done_ - lap_start;
      const uint64_t k = (budget - c.run_done_) / lap;
      c.run_done_ += k * lap;
      c.instret_ += k * lap;
      stats_.spin_skipped += k * lap;
      stats_.wfi_no_sleep += k * (wfis - wfis_at);
      skipped = true;
    }
    break;
  }
  if (skipped) {
    spin_backoff_ = 0;
  } else {
    spin_backoff_ = std::min(kSpinBackoffMax, std::max<uint32_t>(16, 2 * spin_backoff_));
    spin_ignore_ = spin_backoff_;
  }
}

RunExit TranslatorX86::run(uint64_t budget, uint64_t& executed) {
  Core& c = core_;
  JitData& d = data();
  using Entry = HelperResult (*)(Core*, const uint8_t*, uint64_t);
  const auto entry = reinterpret_cast<Entry>(const_cast<uint8_t*>(routines_.entry));
  c.run_done_ = 0;
  c.blk_i_ = 0;
  c.run_.wfi = false;
  RunExit why = RunExit::kBudget;
  TransBlock::Exit* from = nullptr;  // an unlinked direct exit taken by the last entry
  // The block that ran last, to its end (interpreted, or the translated one whose exit
  // `from` is): its successor links (Core::successor) find most next blocks without
  // lookup_block's hash table probe, whose cache misses dominate cold code's dispatch.
  Block* prev = nullptr;
  while (c.run_done_ < budget) {
    if (c.run_.stop) {
      why = RunExit::kStop;
      break;
    }
    if (!c.graveyard_.empty()) {
      from = nullptr;
      prev = nullptr;
      c.reap_blocks();
    }
    if (c.run_.irq_check) {
      if (c.debug_active_) break;  // a trigger, breakpoint or trace was armed: Core::run goes to run_debug
      c.check_interrupts();
      from = nullptr;
    }
    if (c.chain_gen_ != seen_chain_gen_) {  // the TLB was flushed, or code dropped
      seen_chain_gen_ = c.chain_gen_;
      ++vgen_;
      if (pmp_changed()) {
        flush_all();  // linked jumps skip the fetch checks PMP may now fail
        from = nullptr;
      } else if (c.code_epoch_ != seen_code_epoch_) {
        unlink_all();
        from = nullptr;
      }
      seen_code_epoch_ = c.code_epoch_;
    }
    if (spin_probe_) {
      spin_probe_ = false;
      from = nullptr;
      skip_spin(budget);
      if (c.run_.wfi) {
        why = RunExit::kWfi;
        break;
      }
      continue;
    }
    cur_flags_ = flags_now();
    const uint64_t tag = vgen_ << 8 | cur_flags_;
    d.cur_tag = tag;

    // The block at pc: a successor link of the last block, else the lookup cache, else
    // the interpreter's block cache. A linked block without translations is not looked
    // for in the lookup cache (which holds translations only, and misses the host's
    // caches as often as the block table). Link and cache agree on the block (both are
    // lookup_block's, made since the TLB last changed) unless a page table changed
    // without sfence.vma, when the cache's, as before, is taken if the linked block
    // has translations.
    const uint64_t pc = c.pc_;
    JitData::VEntry& ve = d.vcache[(pc >> 1) & ((1u << JitData::kVcacheBits) - 1)];
    TransBlock* tb = nullptr;
    Block* b = prev ? c.linked_block(prev) : nullptr;
    if (b) {
      if (b->tb && ve.vpc == pc && ve.tag == tag) {
        tb = ve.tb;
        b = tb->block;
      }
    } else if (ve.vpc == pc && ve.tag == tag) {
      tb = ve.tb;
      b = tb->block;
    } else {
      try {
        b = c.lookup_block();
      } catch (const Trap& t) {
        ++c.run_done_;
        c.take_trap(t.cause, t.tval, false);
        from = nullptr;
        prev = nullptr;
        if (single_block_) break;
        continue;
      }
      if (prev && b->cacheable) c.remember_successor(prev, b);
    }
    prev = nullptr;
    const uint64_t left = budget - c.run_done_;
    bool cold = false;
    if (!tb && b->cacheable && !single_block_) {
      // Translating a block costs about as much as interpreting it a few hundred times:
      // start-up and initialisation code is interpreted (CoreConfig::translate_after).
      cold = b->runs + 1 < c.cfg_.translate_after;
      if (cold) {
        ++b->runs;
        for (TransBlock* t = b->tb; t && cold; t = t->next) cold = !(t->vpc == pc && t->flags == cur_flags_);
      }
    }
    if (cold || !b->cacheable || b->insns.size() > left) {
      // The interpreter runs what is not translated, or only partly executed.
      const unsigned n = static_cast<unsigned>(std::min<uint64_t>(b->insns.size(), left));
      ++stats_.interpreted_blocks;
      const uint64_t before = c.instret_;
      c.exec_block<false>(b, n);
      if (!b->cacheable) c.bury(b);
      else if (c.instret_ - before == b->insns.size()) prev = b;  // ran to its end, no trap
      from = nullptr;
      if (c.run_.wfi) {
        why = RunExit::kWfi;
        break;
      }
      if (c.run_.marker) {
        why = RunExit::kMarker;
        break;
      }
      if (single_block_) break;
      continue;
    }
    if (!tb) {
      tb = find_or_translate(b, pc, cur_flags_);
      // Only pages with a uniform exec TLB entry go to the lookup cache and take links:
      // elsewhere every entry is checked by lookup_block.
      const uint64_t vpn = pc >> 12;
      if (c.tlb_[2][vpn & (Core::kTlbSize - 1)].tag == vpn) {
        ve = {pc, tag, tb->code, tb};
      } else {
        from = nullptr;
      }
    }
    if (from && from->from->flags == tb->flags && !single_block_) link(from, tb);
    from = nullptr;

    d.entry_left = single_block_ ? tb->n : std::min<uint64_t>(left, kMaxEntryBudget);
    forced_ = false;
    ++stats_.entries;
    const HelperResult r = entry(&c, tb->code, d.entry_left);
    if (d.fp_live) {
      fold_fflags();
      d.fp_live = 0;
    }
    if (pending_) {
      std::exception_ptr e = pending_;
      pending_ = nullptr;
      std::rethrow_exception(e);
    }
    const uint32_t reason = static_cast<uint32_t>(r.value);
    uint64_t left_after = forced_ ? saved_left_ : d.left_out;
    if (reason == kExitTrap) left_after += d.refund;
    const uint64_t done = d.entry_left - left_after;
    c.run_done_ += done;
    c.instret_ += done - (reason == kExitTrap ? 1 : 0);
    c.blk_i_ = 0;
    forced_ = false;
    switch (reason) {
      case kExitTrap:
        ++stats_.exits_trap;
        c.take_trap(trap_.cause, trap_.tval, false);
        break;
      case kExitChain:
        ++stats_.exits_chain;
        from = reinterpret_cast<TransBlock::Exit*>(r.left);
        prev = from->from->block;
        break;
      case kExitLookup:
        ++stats_.exits_lookup;
        break;
      default:
        ++stats_.exits_budget;
        break;
    }
    if (c.run_.wfi) {
      why = RunExit::kWfi;
      break;
    }
    if (c.run_.marker) {
      why = RunExit::kMarker;
      break;
    }
    if (single_block_) break;
  }
  executed = c.run_done_;
  c.executed_ += c.run_done_;
  c.run_done_ = 0;
  return why;
}

}  // namespace vp::cpu
