// Core execution: the run loop over pre-decoded blocks and the integer executor.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "models/cpu/bbv.h"
#include "models/cpu/core_internal.h"
#include "models/cpu/pipeline.h"
#include "models/cpu/translator.h"

#define VP_LIKELY(x) __builtin_expect(!!(x), 1)
#define VP_UNLIKELY(x) __builtin_expect(!!(x), 0)

namespace vp::cpu {

Core::Core(const CoreConfig& cfg, CoreHost& host)
    : cfg_(cfg), host_(host), own_monitor_(std::make_unique<platform::ReservationMonitor>()) {
  if (cfg_.pmp_entries > 64) cfg_.pmp_entries = 64;
  monitor_ = own_monitor_.get();
  slot_ = monitor_->attach([this](uint64_t page) { revoke_store_page(page); });
  for (auto& t : tlb_)
    for (auto& e : t) e = {kInvalidTag, 0, 0};  // flushes clear only the entries filled since
  reset();
  if (cfg_.translate) translator_ = Translator::create(*this);
}

Core::~Core() {
  monitor_->detach(slot_);
  flush_blocks();
  reap_blocks();
}

void Core::reap_blocks() {
  if (translator_)
    for (Block* b : graveyard_) translator_->discard(b);
  for (Block* b : graveyard_) {
    const bool arena = b->in_arena;
    const size_t bytes = sizeof(Block) + b->insns.size() * sizeof(Insn);
    b->~Block();
    if (arena) {
      --arena_live_;
      arena_dead_ += bytes;
    } else {
      ::operator delete(b);
    }
  }
  graveyard_.clear();
  update_slow();
  if (arena_live_ == 0) {
    arena_.reset();  // nothing allocated from it is referenced any more
    arena_dead_ = 0;
  } else if (arena_dead_ > kArenaDeadLimit && arena_dead_ > arena_.used() / 2) {
    // Code rewritten again and again without a fence.i: drop every block so that
    // the arena can be reused (as a fence.i would).
    flush_blocks();
    reap_blocks();
  }
}

void Core::set_reservation_monitor(platform::ReservationMonitor& monitor) {
  monitor_->detach(slot_);
  monitor_ = &monitor;
  slot_ = monitor_->attach([this](uint64_t page) { revoke_store_page(page); });
  own_monitor_.reset();
}

void Core::share_reservation() {
  if (!monitor_->holds(slot_)) return;
  if (instret() - lr_instret_ > kReservationWindow)
    monitor_->clear(slot_);
  else
    monitor_->publish(slot_);
}

// Another processor published a reservation in this page: stores to it leave
// the DMI fast path (fill_tlb keeps them off it while it is watched).
void Core::revoke_store_page(uint64_t page) {
  revoke_write_entries(page << platform::ReservationMonitor::kPageBits);
}

void Core::reset() {
  for (auto& r : x_) r = 0;
  for (auto& r : f_) r = ~0ull;
  pc_ = cfg_.reset_pc;
  priv_ = Priv::M;
  mstatus_ = 0;
  misa_ = 2ull << 62;
  const std::pair<uint32_t, char> letters[] = {{kExtA, 'A'}, {kExtC, 'C'}, {kExtD, 'D'},
                                               {kExtF, 'F'}, {kExtI, 'I'}, {kExtM, 'M'},
                                               {kExtS, 'S'}, {kExtU, 'U'}};
  for (auto [bit, ch] : letters)
    if (cfg_.ext & bit) misa_ |= 1ull << (ch - 'A');
  medeleg_ = mideleg_ = mie_ = mip_ = 0;
  mtvec_ = stvec_ = mcounteren_ = scounteren_ = 0;
  mscratch_ = sscratch_ = mepc_ = sepc_ = mcause_ = scause_ = mtval_ = stval_ = satp_ = 0;
  menvcfg_ = senvcfg_ = mcountinhibit_ = 0;
  mcycle_off_ = minstret_off_ = mcycle_held_ = minstret_held_ = 0;
  fflags_ = frm_ = 0;
  for (auto& c : pmpcfg_) c = 0;
  for (auto& a : pmpaddr_) a = 0;
  pmp_update();
  clear_reservation();
  run_.wfi = false;
  run_.stop = false;
  run_.marker = 0;
  run_.irq_check = true;
  triggers_.reset();
  stuck_.reset();
  halt_ = {};
  skip_pc_ = ~0ull;
  update_debug();
  flush_tlb();
  update_timed_levels();
  flush_blocks();
}

void Core::set_irq_line(unsigned bit, bool level) {
  if (level)
    irq_lines_ |= 1ull << bit;
  else
    irq_lines_ &= ~(1ull << bit);
  run_.irq_check = true;
}

// ---------------------------------------------------------------------------
// Run loop

RunExit Core::run(uint64_t budget, uint64_t& executed) {
  // The time cache's range is in run_progress(), which each call restarts.
  clear_time_cache();
  RunExit why;
  if (VP_UNLIKELY(debug_active_))
    why = run_debug(budget, executed);
  // The stop pc is checked per block by the interpreter only (fast-forward to a pc).
  else if (translator_ && !timing_ && !trace_ && stop_pc_ == ~0ull && !block_counter_)
    why = translator_->run(budget, executed);
  // One branch per call: the functional loop carries no timing code at all.
  else
    why = timing_ ? run_loop<true>(budget, executed) : run_loop<false>(budget, executed);
  clear_time_cache();  // a debugger's read between calls asks the host
  return why;
}

template <bool kTimed>
RunExit Core::run_loop(uint64_t budget, uint64_t& executed) {
  run_done_ = 0;
  blk_i_ = 0;
  run_.wfi = false;
  RunExit why = RunExit::kBudget;
  Block* prev = nullptr;
  while (run_done_ < budget) {
    // One test per block for the rare exits (RunFlags), in their order.
    if (VP_UNLIKELY(run_.any())) {
      if (run_.stop) {
        why = RunExit::kStop;
        break;
      }
      if (!graveyard_.empty()) {
        reap_blocks();
        prev = nullptr;
      }
      if (run_.irq_check) {
        if (debug_active_) break;  // a trigger or breakpoint was armed: run() again, in run_debug
        check_interrupts();
        prev = nullptr;
      }
      if (pc_ == stop_pc_) {
        why = RunExit::kStopPc;
        break;
      }
    }
    Block* b = prev ? successor(prev) : nullptr;
    if (!b) {
      try {
        b = lookup_block();
      } catch (const Trap& t) {
        ++run_done_;
        take_trap(t.cause, t.tval, false);
        if (kTimed) timing_->trap();
        prev = nullptr;
        continue;
      }
      if (prev && b->cacheable) remember_successor(prev, b);
    }
    uint64_t left = budget - run_done_;
    unsigned n = static_cast<unsigned>(b->insns.size());
    if (n > left) n = static_cast<unsigned>(left);
    const uint64_t before = instret_;
    const uint64_t vstart = pc_;
    if (kTimed) exec_block_timed(b, n, vstart);  // exec_block<true>, inline
    else exec_block<false>(b, n);
    // Links only from a block that ran to its end without a trap: its successors.
    prev = (b->cacheable && instret_ - before == b->insns.size()) ? b : nullptr;
    if (VP_UNLIKELY(!b->cacheable)) bury(b);
    if (VP_UNLIKELY(run_.any())) {
      if (block_counter_ != nullptr) block_counter_->count(vstart, instret_ - before);
      if (run_.wfi) {
        why = RunExit::kWfi;
        break;
      }
      if (run_.marker != 0) {
        why = RunExit::kMarker;
        break;
      }
    }
  }
  executed = run_done_;
  executed_ += run_done_;
  run_done_ = 0;
  return why;
}

uint64_t Core::cycles() const {
  return timing_ ? timing_->cycles() : executed_ + run_progress() + idle_cycles_;
}

// Times a batch (exec_block): block b's first k instructions (p, with
// OpSlots ts) ran from vstart to pc_, with these data addresses; plan: the
// block's if plan_start() held and all it covers ran, else nullptr.
__attribute__((always_inline)) inline void Core::timed_batch(InOrderBackend* io, const Block* b, const Insn* p,
                                                           const OpSlots* ts, const BlockPlan* plan, unsigned k,
                                                           uint64_t vstart, const uint64_t* va, const uint64_t* pa) {
  if (k == 0) return;
  const InOrderBackend::Batch x{p, ts, plan, k, vstart, b->ppc - vstart, pc_, va, pa, fetch_levels_, data_levels_};
  io->retire_batch(x);
}

// exec_block<true>: the planned path on its own (it does not carry the
// one-at-a-time loop's state), then the rest of the block one at a time.
__attribute__((always_inline)) inline void Core::exec_block_timed(Block* b, unsigned n, uint64_t vstart) {
  // CSR instructions end blocks, so a CSR read of instret happens in the last
  // executed instruction: blk_i_ = n - 1 makes instret() exact there (and
  // run_progress() a close estimate elsewhere) without a store per instruction.
  blk_i_ = n - 1;
  const unsigned i = exec_planned(b, n, vstart);
  if (i < n) exec_timed(b, n, i, vstart);
}

template <bool kTimed>
void Core::exec_block(Block* b, unsigned n) {
  const uint64_t vstart = pc_;
  if (kTimed) return exec_block_timed(b, n, vstart);
  blk_i_ = n - 1;  // see exec_block_timed()
  const Insn* p = b->insns.data();
  try {
    for (unsigned i = 0; i < n; ++i) execute(p[i]);
    instret_ += n;
    run_done_ += n;
    blk_i_ = 0;
  } catch (const Trap& t) {
    end_trapped<false>(trapped_index(p, n, vstart), t);
  }
}

// The index of the instruction of a block (p, n, run from vstart) that
// trapped: the one at pc_ (the trap's epc; a block is straight-line code).
// Found here rather than kept in memory by the loops.
unsigned Core::trapped_index(const Insn* p, unsigned n, uint64_t vstart) const {
  unsigned i = 0;
  for (uint64_t pc = vstart; pc != pc_ && i + 1 < n; ++i) pc += p[i].len;
  return i;
}

// A block's instruction i trapped: the ones before it retired.
template <bool kTimed>
void Core::end_trapped(unsigned i, const Trap& t) {
  instret_ += i;
  run_done_ += i + 1;
  blk_i_ = 0;
  take_trap(t.cause, t.tval, false);
  if (kTimed) timing_->trap();
}

// Pipeline mode, the in-order backend: the instructions the block's schedule
// covers (with the branch or jump ending it) run first, then are timed in one
// pass (InOrderBackend::retire_batch), exactly as one at a time: their timing
// reads nothing they change (pcs, the pc after the last and data addresses
// are recorded), and a load/store that would leave the RAM fast path (a
// device may read the clock) ends the batch before it runs (execute<true>,
// which checks and records in one TLB lookup). Returns the instructions run
// and timed: 0 if the plan does not apply, n if all ran or one trapped (then
// handled here).
__attribute__((always_inline)) inline unsigned Core::exec_planned(Block* b, unsigned n, uint64_t vstart) {
  const OpSlots* ts =
      b->timing && b->timing->slots_id == timing_->slots_id() ? b->timing->slots.data() : timing_slots(b);
  const BlockPlan& plan = b->timing->plan;
  // Warming and observers change between run() calls only.
  InOrderBackend* const io = timing_->inorder_fast();
  if (io == nullptr || !plan.ok || !io->plan_start(plan, vstart, b->ppc)) return 0;
  const Insn* const p = b->insns.data();
  uint64_t bva[kMaxBlockInsns], bpa[kMaxBlockInsns];  // the loads'/stores' data addresses
  // Pointers, not an index: the index would be kept in memory for the catch.
  const Insn* q = p;
  try {
    const Insn* const qe = p + std::min<unsigned>(n, plan.count);
    for (; q != qe; ++q)
      if (!execute<true>(*q, p, bva, bpa)) break;
  } catch (const Trap& t) {
    // The instructions before it retired (not all the plan covers).
    const unsigned i = trapped_index(p, n, vstart);
    timed_batch(io, b, p, ts, nullptr, i, vstart, bva, bpa);
    end_trapped<true>(i, t);
    return n;
  }
  const unsigned i = static_cast<unsigned>(q - p);
  timed_batch(io, b, p, ts, i == plan.count ? &plan : nullptr, i, vstart, bva, bpa);
  if (i == n) {
    instret_ += n;
    run_done_ += n;
    blk_i_ = 0;
  }
  return i;
}

// Pipeline mode: the block's instructions [i, n) one at a time (the first i,
// if any, ran in a batch).
void Core::exec_timed(Block* b, unsigned n, unsigned i, uint64_t vstart) {
  const Insn* const p = b->insns.data();
  const OpSlots* const ts = b->timing->slots.data();  // made by exec_planned()
  InOrderBackend* const io = timing_->inorder_fast();
  const uint64_t pstart = b->ppc - vstart;
  try {
    for (; i < n; ++i) {
      const uint64_t pc = pc_;
      const OpSlots& s = ts[i];
      // The data address, before rd is written (the timing models read it for loads/stores only).
      const uint64_t ea = s.mem ? x_[p[i].rs1 & 31] + static_cast<uint64_t>(p[i].imm) : 0;
      execute(p[i]);
      // An instruction that neither stalls nor starts a fetch line needs no
      // RetireInfo: the in-order backend's fast path for its kind. A new
      // fetch line: fetched first, then the fast path may still apply.
      if (VP_LIKELY(io != nullptr) &&
          ((s.flags & kSameLine) ? io->unstalled_in_line(s)
                                 : (io->unstalled(s, pc, pstart + pc) ||
                                    (io->fetch_ahead(pc, pstart + pc, fetch_levels_) &&
                                     io->unstalled(s, pc, pstart + pc))))) {
        // Most instructions timed here end a block (a batch's last one): control first.
        if (s.kind == Kind::kControl) {
          io->retire_control(p[i], s, pc, pc_, pstart + pc);
          continue;
        }
        if (s.kind == Kind::kPlain) {
          io->retire_plain(s, pc_);
          continue;
        }
        if (s.kind == Kind::kMemory) {
          uint64_t pa = ea;
          const bool cached = s.mem && timed_data_pa(ea, pa);
          if (io->retire_mem(s, pc, pc_, ea, pa, cached, s.mem ? data_levels_ : 0)) continue;
        }
      }
      timed_retire(p[i], s, b, vstart, pc, ea, io);
    }
    instret_ += n;
    run_done_ += n;
    blk_i_ = 0;
  } catch (const Trap& t) {
    end_trapped<true>(trapped_index(p, n, vstart), t);
  }
}

// Pipeline mode: physical fetch and data addresses for the timing model. Data
// pages in the read or write TLB are RAM (DMI); anything else is uncached.
// The page-table levels a TLB miss walks (0: no translation), by fetch and
// data privilege: called wherever satp, the privilege or mstatus change.
void Core::update_timed_levels() {
  const unsigned mode = static_cast<unsigned>(satp_ >> 60);
  const uint8_t levels = mode == 8 ? 3 : mode == 9 ? 4 : 0;
  fetch_levels_ = priv_ != Priv::M ? levels : 0;
  data_levels_ = data_priv() != Priv::M ? levels : 0;
}

// pa: the physical address of ea if its page is in the read or write TLB
// (then RAM: returns true); unchanged otherwise.
inline bool Core::timed_data_pa(uint64_t ea, uint64_t& pa) const {
  const uint64_t vpn = ea >> 12;
  for (const auto* tlb : {tlb_[0], tlb_[1]}) {
    const TlbEntry& e = tlb[vpn & (kTlbSize - 1)];
    if (e.tag == vpn) {
      pa = e.ppage | (ea & 0xfff);
      return true;
    }
  }
  return false;
}

inline void Core::timed_retire(const Insn& in, const OpSlots& s, const Block* b, uint64_t vstart, uint64_t pc,
                               uint64_t ea, InOrderBackend* io) {
  RetireInfo r{pc, b->ppc + (pc - vstart), pc_, ea, ea, false, fetch_levels_, 0};
  if (s.mem) {
    r.cached = timed_data_pa(ea, r.mem_pa);
    r.data_levels = data_levels_;
  }
  // io: its retire_plain() declined this instruction; retire() would now call retire_any().
  if (io) io->retire_any(in, r, s);
  else timing_->retire(in, r);
}

// The block's OpSlots for this pipeline, made on its first timed run.
const OpSlots* Core::timing_slots(Block* b) {
  if (!b->timing) b->timing = std::make_unique<BlockTiming>();
  BlockTiming& t = *b->timing;
  t.slots.clear();
  t.slots.reserve(b->insns.size());
  const unsigned line_shift = static_cast<unsigned>(__builtin_ctz(timing_->fetch_line_bytes()));
  // Batches and their schedules: in-order backend only.
  const InOrderBackend* const io = timing_->config().block_schedule ? timing_->inorder() : nullptr;
  uint64_t pa = b->ppc;
  for (const Insn& in : b->insns) {
    OpSlots s = timing_->slots(in);
    const unsigned op = static_cast<unsigned>(in.op);
    auto in_range = [op](Op lo, Op hi) { return op - static_cast<unsigned>(lo) <= static_cast<unsigned>(hi) - static_cast<unsigned>(lo); };
    const bool plain_mem = in_range(Op::LB, Op::SD) || in_range(Op::FLW, Op::FSD);  // load<T>() / store<T>()
    if (plain_mem || in_range(Op::LR_W, Op::AMOMAXU_D)) {
      const OpInfo& o = *s.op;
      s.mem = o.load && !o.store ? kLoadOnly : o.store && !o.load && o.cls != OpClass::kSc ? kStoreOnly : kAddress;
    }
    if (io && (s.kind == Kind::kPlain || (plain_mem && s.mem >= kLoadOnly))) s.flags |= kBatch;
    if (!t.slots.empty()) {
      const OpSlots& prev = t.slots.back();
      const uint64_t prev_pa = pa - b->insns[t.slots.size() - 1].len;
      if ((prev.kind == Kind::kPlain || prev.kind == Kind::kMemory) && (prev_pa >> line_shift) == (pa >> line_shift))
        s.flags |= kSameLine;
    }
    pa += in.len;
    t.slots.push_back(s);
  }
  // Made for this pipeline, like the slots (none: block_schedule off, or o3).
  if (io)
    io->plan(b->insns.data(), t.slots.data(), static_cast<unsigned>(b->insns.size()), t.plan);
  else
    t.plan = BlockPlan{};
  t.slots_id = timing_->slots_id();
  return t.slots.data();
}


Block* Core::lookup_block() {
  const uint64_t vpn = pc_ >> 12;
  TlbEntry& e = tlb_[2][vpn & (kTlbSize - 1)];
  uint64_t ppc;
  if (VP_LIKELY(e.tag == vpn)) {
    ppc = e.ppage | (pc_ & 0xfff);
  } else {
    Priv eff;
    ppc = access_phys(pc_, Access::kExec, 2, eff);
    if (VP_UNLIKELY(e.tag != vpn)) {
      // PMP is not uniform over this page (no TLB entry): a cached block, built
      // in another mode or PMP state, is used only if all of it may be fetched now.
      Block* b = current_block(ppc);
      if (b && pmp_ok(ppc, b->pend - ppc, Access::kExec, priv_)) return b;
      return build_block(pc_, ppc, /*cache=*/false);
    }
  }
  if (Block* b = current_block(ppc)) return b;
  return build_block(pc_, ppc, /*cache=*/true);
}

// The cached block at ppc if its instructions are current (read since the latest
// fence.i, or still equal to memory); nullptr otherwise.
inline Block* Core::current_block(uint64_t ppc) {
  Block* b = blocks_.find(ppc);
  if (VP_LIKELY(b != nullptr) && VP_LIKELY(b->epoch == code_epoch_ || still_valid(b))) return b;
  return nullptr;
}

// fence.i (unpriv. spec, Zifencei): later fetches must see every store made before it,
// this hart's and -- once they are visible to it -- other harts' and devices' (DMA).
// This hart's own stores to code already dropped the blocks they hit
// (notify_code_write); any other writer is caught by comparing a block built before
// the fence with memory when it next runs (still_valid). Blocks whose bytes did not
// change keep their translations and run counts, which a boot's hundreds of fence.i
// would otherwise throw away.
void Core::fence_i() {
  ++code_epoch_;
  ++chain_gen_;  // chained jumps skip the lookup that checks the epoch
}

// The block's instructions still in memory as decoded (then it is current again);
// otherwise it is dropped and false returned.
bool Core::still_valid(Block* b) {
  const unsigned len = static_cast<unsigned>(b->pend - b->ppc);  // within one page
  // Code outside RAM (no host pointer) is decoded again: reading it may have side effects.
  const uint8_t* mem = host_ptr(b->ppc, len, Access::kRead);
  bool same = mem != nullptr;
  unsigned off = 0;
  for (const Insn& in : b->insns) {
    if (!same) break;
    if (in.len == 2) {
      uint16_t v;
      std::memcpy(&v, mem + off, 2);
      same = v == in.raw;
    } else {
      uint32_t v;
      std::memcpy(&v, mem + off, 4);
      same = v == in.raw;
    }
    off += in.len;
  }
  if (same) {
    b->epoch = code_epoch_;
    return true;
  }
  drop_block(b);
  return false;
}

uint16_t Core::fetch16(uint64_t va, uint64_t& pa) {
  Priv eff;
  pa = access_phys(va, Access::kExec, 2, eff);
  uint16_t v;
  mem_read_phys(va, pa, &v, 2, Access::kExec);
  return v;
}

// A block never extends past the end of its virtual page: the next page is
// translated on its own (it need not be physically adjacent, or mapped yet).
// An instruction straddling two pages is a block by itself, never cached (its
// halves live in two physical pages that a mapping change can separate).
Block* Core::build_block(uint64_t vpc, uint64_t ppc, bool cache) {
  // Decoded into a scratch array first: the block's vector is then allocated once,
  // at its final size (boot code builds thousands of blocks that run a few times).
  if (build_scratch_.empty()) build_scratch_.resize(kMaxBlockInsns);
  Insn* const scratch = build_scratch_.data();
  unsigned n = 0;
  uint64_t va = vpc, pa = ppc;
  // An exec TLB entry with a host pointer: the page is RAM, and PMP allows fetching
  // all of it (fill_tlb), so the instructions are read without per-halfword checks.
  const TlbEntry& te = tlb_[2][(vpc >> 12) & (kTlbSize - 1)];
  const uint8_t* const host = te.tag == vpc >> 12 && te.addend && te.ppage == (ppc & ~0xfffull)
                                  ? reinterpret_cast<const uint8_t*>(te.addend + vpc)
                                  : nullptr;
  {
    while (n < kMaxBlockInsns) {
      uint16_t lo;
      if (host) {
        std::memcpy(&lo, host + (va - vpc), 2);
      } else if (n == 0) {
        mem_read_phys(va, pa, &lo, 2, Access::kExec);
      } else {
        if (!pmp_ok(pa, 2, Access::kExec, priv_)) break;
        try {
          mem_read_phys(va, pa, &lo, 2, Access::kExec);
        } catch (const Trap&) {
          break;
        }
      }
      uint32_t raw = lo;
      unsigned len = insn_length(lo);
      bool straddles = false;
      if (len == 4) {
        if ((va & 0xfff) == 0xffe) {
          if (n != 0) break;  // straddling instruction starts its own block
          // Priv. spec 3.1.16: a fault here reports the address of the second half.
          uint64_t pa2;
          raw |= static_cast<uint32_t>(fetch16(va + 2, pa2)) << 16;
          cache = false;
          straddles = true;
        } else if (host) {
          uint16_t hi;
          std::memcpy(&hi, host + (va - vpc) + 2, 2);
          raw |= static_cast<uint32_t>(hi) << 16;
        } else {
          uint16_t hi;
          if (!pmp_ok(pa + 2, 2, Access::kExec, priv_)) {
            if (n == 0) throw Trap{kInsnAccessFault, va + 2};
            break;
          }
          try {
            mem_read_phys(va + 2, pa + 2, &hi, 2, Access::kExec);
          } catch (const Trap&) {
            if (n == 0) throw;
            break;
          }
          raw |= static_cast<uint32_t>(hi) << 16;
        }
      }
      Insn in = decode(raw, cfg_.ext);
      // Writes to x0 go to a scratch register so the executor needs no x0 fix-up.
      if (in.rd == 0 && writes_rd(in) && !(in.info->flags & kRdIsFloat)) in.rd = 32;
      scratch[n++] = in;
      va += len;
      pa += len;
      if (in.info->flags & kEndsBlock) break;
      if (in.op == Op::SLTI && in.rd == 32 && in.rs1 == 0 && in.imm > kMarkerBase) break;  // marker: run() returns
      if ((va & 0xfff) == 0 || straddles) break;
    }
  }
  Block* b = new_block(n, cache);
  b->ppc = ppc;
  std::memcpy(static_cast<void*>(b->insns.data()), scratch, n * sizeof(Insn));
  b->pend = std::min<uint64_t>(pa, (ppc | 0xfff) + 1);  // a straddler's second half is elsewhere
  b->epoch = code_epoch_;
  ++blocks_built_;
  if (b->cacheable) {
    blocks_.insert(ppc, b);
    Block* const head = code_pages_.find(ppc >> 12);
    if (!head) {
      // Stores to this page must now take the slow path (code invalidation).
      revoke_write_entries(ppc & ~0xfffull);
    }
    b->page_next = head;
    code_pages_.insert(ppc >> 12, b);
  }
  return b;
}

// A Block with room for n instructions right after it: cached blocks from the arena,
// others (run once, then reaped) from the heap.
Block* Core::new_block(unsigned n, bool cache) {
  const size_t bytes = sizeof(Block) + n * sizeof(Insn);
  static_assert(sizeof(Block) % alignof(Insn) == 0, "instructions follow the block");
  void* mem = cache ? arena_.alloc(bytes) : ::operator new(bytes);
  Block* b = new (mem) Block;
  b->cacheable = cache;
  b->in_arena = cache;
  if (cache) ++arena_live_;
  b->insns = BlockInsns(reinterpret_cast<Insn*>(reinterpret_cast<uint8_t*>(mem) + sizeof(Block)), n);
  return b;
}

void Core::notify_code_write(uint64_t pa, unsigned len) {
  const uint64_t page = pa >> 12;
  Block* head = code_pages_.find(page);
  if (!head) return;
  ++chain_gen_;
  Block** link = &head;
  while (Block* b = *link) {
    if (pa < b->pend && pa + len > b->ppc) {
      ++block_gen_;
      *link = b->page_next;
      blocks_.erase(b->ppc);
      bury(b);
    } else {
      link = &b->page_next;
    }
  }
  set_page_blocks(page, head);
}

// The cached blocks of a code page are now the list from head (none: not a code page).
void Core::set_page_blocks(uint64_t page, Block* head) {
  if (head)
    code_pages_.insert(page, head);
  else
    code_pages_.erase(page);
}

// Removes one cached block (its code changed).
void Core::drop_block(Block* b) {
  ++chain_gen_;
  ++block_gen_;
  blocks_.erase(b->ppc);
  const uint64_t page = b->ppc >> 12;
  Block* head = code_pages_.find(page);
  Block** link = &head;
  while (*link && *link != b) link = &(*link)->page_next;
  if (*link) *link = b->page_next;
  set_page_blocks(page, head);
  bury(b);
}

void Core::invalidate_code_page(uint64_t ppage) {
  Block* b = code_pages_.erase(ppage);
  if (!b) return;
  ++chain_gen_;
  ++block_gen_;
  for (; b; b = b->page_next) {
    blocks_.erase(b->ppc);
    bury(b);
  }
}

void Core::flush_blocks() {
  ++chain_gen_;
  ++block_gen_;
  blocks_.for_each([this](uint64_t, Block* b) { bury(b); });
  blocks_.clear();
  code_pages_.clear();
}

// ---------------------------------------------------------------------------
// Memory access templates

template <typename T>
inline T Core::load(uint64_t va) {
  const TlbEntry& e = tlb_[0][(va >> 12) & (kTlbSize - 1)];
  if (VP_LIKELY(e.tag == (va >> 12) && (va & (sizeof(T) - 1)) == 0)) {
    T v;
    std::memcpy(&v, reinterpret_cast<const void*>(e.addend + va), sizeof(T));
    return v;
  }
  return load_slow<T>(va);
}

template <typename T>
inline void Core::store(uint64_t va, T v) {
  const TlbEntry& e = tlb_[1][(va >> 12) & (kTlbSize - 1)];
  if (VP_LIKELY(e.tag == (va >> 12) && (va & (sizeof(T) - 1)) == 0)) {
    std::memcpy(reinterpret_cast<void*>(e.addend + va), &v, sizeof(T));
    return;
  }
  store_slow<T>(va, v);
}

template <typename T>
T Core::load_slow(uint64_t va) {
  if (VP_UNLIKELY(watch_data_)) check_data_trigger(va, sizeof(T), false, 0);
  if (va & (sizeof(T) - 1)) {
    if (!cfg_.misaligned_emulate) throw Trap{kLoadMisaligned, va};
    uint8_t buf[sizeof(T)];
    for (unsigned i = 0; i < sizeof(T); ++i) buf[i] = load_slow<uint8_t>(va + i);
    T v;
    std::memcpy(&v, buf, sizeof(T));
    return v;
  }
  Priv eff;
  uint64_t pa = access_phys(va, Access::kRead, sizeof(T), eff);
  T v;
  mem_read_phys(va, pa, &v, sizeof(T), Access::kRead);
  return v;
}

template <typename T>
void Core::store_slow(uint64_t va, T v) {
  if (VP_UNLIKELY(watch_data_)) check_data_trigger(va, sizeof(T), true, static_cast<uint64_t>(v));
  if (va & (sizeof(T) - 1)) {
    if (!cfg_.misaligned_emulate) throw Trap{kStoreMisaligned, va};
    uint8_t buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    // Check every byte is writable first so a fault leaves memory unchanged.
    for (unsigned i = 0; i < sizeof(T); ++i) {
      Priv eff;
      access_phys(va + i, Access::kWrite, 1, eff);
    }
    for (unsigned i = 0; i < sizeof(T); ++i) store_slow<uint8_t>(va + i, buf[i]);
    return;
  }
  Priv eff;
  uint64_t pa = access_phys(va, Access::kWrite, sizeof(T), eff);
  mem_write_phys(va, pa, &v, sizeof(T));
}

template <typename T>
T Core::amo(const Insn& in, T (*fn)(T, T)) {
  const uint64_t va = x_[in.rs1];
  if (VP_UNLIKELY(watch_data_)) check_data_trigger(va, sizeof(T), true, x_[in.rs2]);
  if (va & (sizeof(T) - 1)) throw Trap{kStoreMisaligned, va};
  T old;
  const TlbEntry& e = tlb_[1][(va >> 12) & (kTlbSize - 1)];
  if (VP_LIKELY(e.tag == (va >> 12))) {
    auto* p = reinterpret_cast<T*>(e.addend + va);
    std::memcpy(&old, p, sizeof(T));
    T nv = fn(old, static_cast<T>(x_[in.rs2]));
    std::memcpy(p, &nv, sizeof(T));
  } else {
    Priv eff;
    uint64_t pa = access_phys(va, Access::kWrite, sizeof(T), eff);
    if (!pmp_ok(pa, sizeof(T), Access::kRead, eff)) throw Trap{kStoreAccessFault, va};
    mem_read_phys(va, pa, &old, sizeof(T), Access::kWrite);
    T nv = fn(old, static_cast<T>(x_[in.rs2]));
    mem_write_phys(va, pa, &nv, sizeof(T));
  }
  return old;
}

// ---------------------------------------------------------------------------
// Executor

namespace {
template <typename T> T amo_swap(T, T b) { return b; }
template <typename T> T amo_add(T a, T b) { return a + b; }
template <typename T> T amo_xor(T a, T b) { return a ^ b; }
template <typename T> T amo_and(T a, T b) { return a & b; }
template <typename T> T amo_or(T a, T b) { return a | b; }
template <typename T> T amo_min(T a, T b) {
  using S = std::make_signed_t<T>;
  return static_cast<S>(a) < static_cast<S>(b) ? a : b;
}
template <typename T> T amo_max(T a, T b) {
  using S = std::make_signed_t<T>;
  return static_cast<S>(a) > static_cast<S>(b) ? a : b;
}
template <typename T> T amo_minu(T a, T b) { return a < b ? a : b; }
template <typename T> T amo_maxu(T a, T b) { return a > b ? a : b; }

inline uint64_t mulhu(uint64_t a, uint64_t b) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * b) >> 64);
}
inline uint64_t mulh(int64_t a, int64_t b) {
  return static_cast<uint64_t>((static_cast<__int128>(a) * b) >> 64);
}
inline uint64_t mulhsu(int64_t a, uint64_t b) {
  return static_cast<uint64_t>((static_cast<__int128>(a) * static_cast<__int128>(b)) >> 64);
}
inline uint64_t rol64(uint64_t v, unsigned s) { s &= 63; return s ? (v << s) | (v >> (64 - s)) : v; }
inline uint64_t ror64(uint64_t v, unsigned s) { s &= 63; return s ? (v >> s) | (v << (64 - s)) : v; }
inline uint32_t rol32(uint32_t v, unsigned s) { s &= 31; return s ? (v << s) | (v >> (32 - s)) : v; }
inline uint32_t ror32(uint32_t v, unsigned s) { s &= 31; return s ? (v >> s) | (v << (32 - s)) : v; }
}  // namespace

[[noreturn]] void Core::illegal(const Insn& in) { throw Trap{kIllegalInsn, in.raw}; }

#define RD x_[in.rd]
#define RS1 x_[in.rs1]
#define RS2 x_[in.rs2]
#define IMM static_cast<uint64_t>(in.imm)
#define S64(v) static_cast<int64_t>(v)
#define U64(v) static_cast<uint64_t>(v)
#define NEXT pc_ += in.len
// kBatch: a load/store off the RAM fast path returns false before any effect.
#define LOAD(T)                                          \
  T v;                                                   \
  if (!mem_load<kBatch>(RS1 + IMM, v, kBatch ? &in - p : 0, bva, bpa)) return false
#define STORE(T, v)                                           \
  if (!mem_store<kBatch, T>(RS1 + IMM, v, kBatch ? &in - p : 0, bva, bpa)) return false

// A load/store in a batch (exec_block) only on load()'s and store()'s RAM fast
// path, with its data addresses recorded for the timing (bva[k], bpa[k]); false
// (nothing done) where it would leave it (a device may read the clock).
template <bool kBatch, typename T>
__attribute__((always_inline)) inline bool Core::mem_load(uint64_t va, T& v, size_t k, uint64_t* bva, uint64_t* bpa) {
  if (!kBatch) {
    v = load<T>(va);
    return true;
  }
  const TlbEntry& e = tlb_[0][(va >> 12) & (kTlbSize - 1)];
  if (e.tag != va >> 12 || (va & (sizeof(T) - 1))) return false;
  bva[k] = va;
  bpa[k] = e.ppage | (va & 0xfff);
  std::memcpy(&v, reinterpret_cast<const void*>(e.addend + va), sizeof(T));
  return true;
}

template <bool kBatch, typename T>
__attribute__((always_inline)) inline bool Core::mem_store(uint64_t va, T v, size_t k, uint64_t* bva, uint64_t* bpa) {
  if (!kBatch) {
    store<T>(va, v);
    return true;
  }
  const TlbEntry& e = tlb_[1][(va >> 12) & (kTlbSize - 1)];
  if (e.tag != va >> 12 || (va & (sizeof(T) - 1))) return false;
  bva[k] = va;
  timed_data_pa(va, bpa[k]);  // the read TLB's entry first, as for any timed access
  std::memcpy(reinterpret_cast<void*>(e.addend + va), &v, sizeof(T));
  return true;
}

// Every op has its case below (a new one needs its own).
static_assert(static_cast<unsigned>(Op::kCount) == 201, "execute(): an op was added or removed");

template <bool kBatch>
__attribute__((always_inline)) inline bool Core::execute(const Insn& in, const Insn* p, uint64_t* bva, uint64_t* bpa) {
  switch (in.op) {
    case Op::LUI: RD = IMM; NEXT; break;
    case Op::AUIPC: RD = pc_ + IMM; NEXT; break;
    case Op::JAL: {
      uint64_t t = pc_ + IMM;
      if (VP_UNLIKELY((t & 2) && !(cfg_.ext & kExtC))) throw Trap{kInsnMisaligned, t};
      RD = pc_ + in.len;
      pc_ = t;
      break;
    }
    case Op::JALR: {
      uint64_t t = (RS1 + IMM) & ~1ull;
      if (VP_UNLIKELY((t & 2) && !(cfg_.ext & kExtC))) throw Trap{kInsnMisaligned, t};
      RD = pc_ + in.len;
      pc_ = t;
      break;
    }
#define BRANCH(cond)                                                                    \
  if (cond) {                                                                           \
    uint64_t t = pc_ + IMM;                                                             \
    if (VP_UNLIKELY((t & 2) && !(cfg_.ext & kExtC))) throw Trap{kInsnMisaligned, t};    \
    pc_ = t;                                                                            \
  } else {                                                                              \
    NEXT;                                                                               \
  }                                                                                     \
  break;
    case Op::BEQ: BRANCH(RS1 == RS2)
    case Op::BNE: BRANCH(RS1 != RS2)
    case Op::BLT: BRANCH(S64(RS1) < S64(RS2))
    case Op::BGE: BRANCH(S64(RS1) >= S64(RS2))
    case Op::BLTU: BRANCH(RS1 < RS2)
    case Op::BGEU: BRANCH(RS1 >= RS2)
#undef BRANCH
    case Op::LB: { LOAD(int8_t); RD = U64(S64(v)); NEXT; break; }
    case Op::LH: { LOAD(int16_t); RD = U64(S64(v)); NEXT; break; }
    case Op::LW: { LOAD(int32_t); RD = U64(S64(v)); NEXT; break; }
    case Op::LD: { LOAD(uint64_t); RD = v; NEXT; break; }
    case Op::LBU: { LOAD(uint8_t); RD = v; NEXT; break; }
    case Op::LHU: { LOAD(uint16_t); RD = v; NEXT; break; }
    case Op::LWU: { LOAD(uint32_t); RD = v; NEXT; break; }
    case Op::SB: STORE(uint8_t, static_cast<uint8_t>(RS2)); NEXT; break;
    case Op::SH: STORE(uint16_t, static_cast<uint16_t>(RS2)); NEXT; break;
    case Op::SW: STORE(uint32_t, static_cast<uint32_t>(RS2)); NEXT; break;
    case Op::SD: STORE(uint64_t, RS2); NEXT; break;
    case Op::ADDI: RD = RS1 + IMM; NEXT; break;
    case Op::SLTI:
      if (VP_UNLIKELY(in.rd == 32 && in.rs1 == 0 && in.imm > kMarkerBase && in.imm <= kMarkerBase + kMarkerLast))
        run_.marker = static_cast<unsigned>(in.imm - kMarkerBase);
      RD = S64(RS1) < in.imm;
      NEXT;
      break;
    case Op::SLTIU: RD = RS1 < IMM; NEXT; break;
    case Op::XORI: RD = RS1 ^ IMM; NEXT; break;
    case Op::ORI: RD = RS1 | IMM; NEXT; break;
    case Op::ANDI: RD = RS1 & IMM; NEXT; break;
    case Op::SLLI: RD = RS1 << in.imm; NEXT; break;
    case Op::SRLI: RD = RS1 >> in.imm; NEXT; break;
    case Op::SRAI: RD = U64(S64(RS1) >> in.imm); NEXT; break;
    case Op::ADD: RD = RS1 + RS2; NEXT; break;
    case Op::SUB: RD = RS1 - RS2; NEXT; break;
    case Op::SLL: RD = RS1 << (RS2 & 63); NEXT; break;
    case Op::SLT: RD = S64(RS1) < S64(RS2); NEXT; break;
    case Op::SLTU: RD = RS1 < RS2; NEXT; break;
    case Op::XOR: RD = RS1 ^ RS2; NEXT; break;
    case Op::SRL: RD = RS1 >> (RS2 & 63); NEXT; break;
    case Op::SRA: RD = U64(S64(RS1) >> (RS2 & 63)); NEXT; break;
    case Op::OR: RD = RS1 | RS2; NEXT; break;
    case Op::AND: RD = RS1 & RS2; NEXT; break;
    case Op::ADDIW: RD = U64(sext32(RS1 + IMM)); NEXT; break;
    case Op::SLLIW: RD = U64(sext32(static_cast<uint32_t>(RS1) << in.imm)); NEXT; break;
    case Op::SRLIW: RD = U64(sext32(static_cast<uint32_t>(RS1) >> in.imm)); NEXT; break;
    case Op::SRAIW: RD = U64(S64(static_cast<int32_t>(RS1) >> in.imm)); NEXT; break;
    case Op::ADDW: RD = U64(sext32(RS1 + RS2)); NEXT; break;
    case Op::SUBW: RD = U64(sext32(RS1 - RS2)); NEXT; break;
    case Op::SLLW: RD = U64(sext32(static_cast<uint32_t>(RS1) << (RS2 & 31))); NEXT; break;
    case Op::SRLW: RD = U64(sext32(static_cast<uint32_t>(RS1) >> (RS2 & 31))); NEXT; break;
    case Op::SRAW: RD = U64(S64(static_cast<int32_t>(RS1) >> (RS2 & 31))); NEXT; break;
    case Op::FENCE: NEXT; break;
    case Op::FENCE_I:
      fence_i();
      NEXT;
      break;
    case Op::ECALL:
      throw Trap{kEcallU + static_cast<uint64_t>(priv_), 0};
    case Op::EBREAK:
      if (VP_UNLIKELY(semihost_ != nullptr) && in.len == 4 && semihost_call()) {
        NEXT;
        break;
      }
      throw Trap{kBreakpoint, pc_};
    case Op::MRET:
      if (priv_ != Priv::M) illegal(in);
      do_mret();
      break;
    case Op::SRET:
      if (priv_ == Priv::U || (priv_ == Priv::S && (mstatus_ & mst::TSR))) illegal(in);
      do_sret();
      break;
    case Op::WFI:
      // Priv. spec 3.1.6.5: TW; U-mode WFI is illegal when S-mode exists.
      if (priv_ == Priv::U || (priv_ == Priv::S && (mstatus_ & mst::TW))) illegal(in);
      NEXT;
      if (!wfi_wakeup()) run_.wfi = true;
      break;
    case Op::SFENCE_VMA:
      if (priv_ == Priv::U || (priv_ == Priv::S && (mstatus_ & mst::TVM))) illegal(in);
      flush_tlb();
      NEXT;
      break;
    case Op::CSRRW: { uint64_t v = RS1; uint64_t o = csr_rw(in, static_cast<unsigned>(in.imm), v, true, in.rd != 0); RD = o; NEXT; break; }
    case Op::CSRRS: { uint64_t v = RS1; uint64_t o = csr_rw(in, static_cast<unsigned>(in.imm), v, in.rs1 != 0, true); RD = o; NEXT; break; }
    case Op::CSRRC: { uint64_t v = RS1; uint64_t o = csr_rw(in, static_cast<unsigned>(in.imm), v, in.rs1 != 0, true); RD = o; NEXT; break; }
    case Op::CSRRWI: { uint64_t o = csr_rw(in, static_cast<unsigned>(in.imm), in.rs1, true, in.rd != 0); RD = o; NEXT; break; }
    case Op::CSRRSI: { uint64_t o = csr_rw(in, static_cast<unsigned>(in.imm), in.rs1, in.rs1 != 0, true); RD = o; NEXT; break; }
    case Op::CSRRCI: { uint64_t o = csr_rw(in, static_cast<unsigned>(in.imm), in.rs1, in.rs1 != 0, true); RD = o; NEXT; break; }
    // M (Unpriv. spec 13.2: division by zero and overflow do not trap)
    case Op::MUL: RD = RS1 * RS2; NEXT; break;
    case Op::MULH: RD = mulh(S64(RS1), S64(RS2)); NEXT; break;
    case Op::MULHSU: RD = mulhsu(S64(RS1), RS2); NEXT; break;
    case Op::MULHU: RD = mulhu(RS1, RS2); NEXT; break;
    case Op::DIV: {
      int64_t a = S64(RS1), b = S64(RS2);
      RD = b == 0 ? ~0ull : (a == INT64_MIN && b == -1) ? U64(a) : U64(a / b);
      NEXT;
      break;
    }
    case Op::DIVU: RD = RS2 == 0 ? ~0ull : RS1 / RS2; NEXT; break;
    case Op::REM: {
      int64_t a = S64(RS1), b = S64(RS2);
      RD = b == 0 ? U64(a) : (a == INT64_MIN && b == -1) ? 0 : U64(a % b);
      NEXT;
      break;
    }
    case Op::REMU: RD = RS2 == 0 ? RS1 : RS1 % RS2; NEXT; break;
    case Op::MULW: RD = U64(sext32(RS1 * RS2)); NEXT; break;
    case Op::DIVW: {
      int32_t a = static_cast<int32_t>(RS1), b = static_cast<int32_t>(RS2);
      int32_t r = b == 0 ? -1 : (a == INT32_MIN && b == -1) ? a : a / b;
      RD = U64(S64(r));
      NEXT;
      break;
    }
    case Op::DIVUW: {
      uint32_t a = static_cast<uint32_t>(RS1), b = static_cast<uint32_t>(RS2);
      RD = U64(sext32(b == 0 ? ~0u : a / b));
      NEXT;
      break;
    }
    case Op::REMW: {
      int32_t a = static_cast<int32_t>(RS1), b = static_cast<int32_t>(RS2);
      int32_t r = b == 0 ? a : (a == INT32_MIN && b == -1) ? 0 : a % b;
      RD = U64(S64(r));
      NEXT;
      break;
    }
    case Op::REMUW: {
      uint32_t a = static_cast<uint32_t>(RS1), b = static_cast<uint32_t>(RS2);
      RD = U64(sext32(b == 0 ? a : a % b));
      NEXT;
      break;
    }
    // A
    case Op::LR_W: case Op::LR_D: {
      const unsigned size = in.op == Op::LR_W ? 4 : 8;
      const uint64_t va = RS1;
      if (VP_UNLIKELY(watch_data_)) check_data_trigger(va, size, false, 0);
      if (va & (size - 1)) throw Trap{kLoadMisaligned, va};
      Priv eff;
      uint64_t pa = access_phys(va, Access::kRead, size, eff);
      uint64_t v = 0;
      mem_read_phys(va, pa, &v, size, Access::kRead);
      RD = size == 4 ? U64(sext32(v)) : v;
      monitor_->reserve(slot_, pa);
      lr_instret_ = instret();
      NEXT;
      break;
    }
    case Op::SC_W: case Op::SC_D: {
      const unsigned size = in.op == Op::SC_W ? 4 : 8;
      const uint64_t va = RS1;
      if (VP_UNLIKELY(watch_data_)) check_data_trigger(va, size, true, RS2);
      if (va & (size - 1)) throw Trap{kStoreMisaligned, va};
      Priv eff;
      uint64_t pa = access_phys(va, Access::kWrite, size, eff);
      if (monitor_->store_conditional(slot_, pa)) {
        uint64_t v = RS2;
        mem_write_phys(va, pa, &v, size);
        RD = 0;
      } else {
        RD = 1;
      }
      NEXT;
      break;
    }
#define AMO_W(op, fn) case Op::op: RD = U64(sext32(amo<uint32_t>(in, fn<uint32_t>))); NEXT; break;
#define AMO_D(op, fn) case Op::op: RD = amo<uint64_t>(in, fn<uint64_t>); NEXT; break;
    AMO_W(AMOSWAP_W, amo_swap) AMO_W(AMOADD_W, amo_add) AMO_W(AMOXOR_W, amo_xor)
    AMO_W(AMOAND_W, amo_and) AMO_W(AMOOR_W, amo_or) AMO_W(AMOMIN_W, amo_min)
    AMO_W(AMOMAX_W, amo_max) AMO_W(AMOMINU_W, amo_minu) AMO_W(AMOMAXU_W, amo_maxu)
    AMO_D(AMOSWAP_D, amo_swap) AMO_D(AMOADD_D, amo_add) AMO_D(AMOXOR_D, amo_xor)
    AMO_D(AMOAND_D, amo_and) AMO_D(AMOOR_D, amo_or) AMO_D(AMOMIN_D, amo_min)
    AMO_D(AMOMAX_D, amo_max) AMO_D(AMOMINU_D, amo_minu) AMO_D(AMOMAXU_D, amo_maxu)
#undef AMO_W
#undef AMO_D
    // FP loads/stores (no NaN handling: raw bits; single-precision loads are NaN-boxed)
    case Op::FLW: { fp_check(in); LOAD(uint32_t); f_[in.rd] = 0xffffffff00000000ull | v; fp_dirty(); NEXT; break; }
    case Op::FLD: { fp_check(in); LOAD(uint64_t); f_[in.rd] = v; fp_dirty(); NEXT; break; }
    case Op::FSW: fp_check(in); STORE(uint32_t, static_cast<uint32_t>(f_[in.rs2])); NEXT; break;
    case Op::FSD: fp_check(in); STORE(uint64_t, f_[in.rs2]); NEXT; break;
    // Zba
    case Op::SH1ADD: RD = (RS1 << 1) + RS2; NEXT; break;
    case Op::SH2ADD: RD = (RS1 << 2) + RS2; NEXT; break;
    case Op::SH3ADD: RD = (RS1 << 3) + RS2; NEXT; break;
    case Op::ADD_UW: RD = (RS1 & 0xffffffffull) + RS2; NEXT; break;
    case Op::SH1ADD_UW: RD = ((RS1 & 0xffffffffull) << 1) + RS2; NEXT; break;
    case Op::SH2ADD_UW: RD = ((RS1 & 0xffffffffull) << 2) + RS2; NEXT; break;
    case Op::SH3ADD_UW: RD = ((RS1 & 0xffffffffull) << 3) + RS2; NEXT; break;
    case Op::SLLI_UW: RD = (RS1 & 0xffffffffull) << in.imm; NEXT; break;
    // Zbb
    case Op::ANDN: RD = RS1 & ~RS2; NEXT; break;
    case Op::ORN: RD = RS1 | ~RS2; NEXT; break;
    case Op::XNOR: RD = ~(RS1 ^ RS2); NEXT; break;
    case Op::CLZ: RD = RS1 ? U64(__builtin_clzll(RS1)) : 64; NEXT; break;
    case Op::CTZ: RD = RS1 ? U64(__builtin_ctzll(RS1)) : 64; NEXT; break;
    case Op::CPOP: RD = U64(__builtin_popcountll(RS1)); NEXT; break;
    case Op::CLZW: { uint32_t v = static_cast<uint32_t>(RS1); RD = v ? U64(__builtin_clz(v)) : 32; NEXT; break; }
    case Op::CTZW: { uint32_t v = static_cast<uint32_t>(RS1); RD = v ? U64(__builtin_ctz(v)) : 32; NEXT; break; }
    case Op::CPOPW: RD = U64(__builtin_popcount(static_cast<uint32_t>(RS1))); NEXT; break;
    case Op::MAX: RD = S64(RS1) > S64(RS2) ? RS1 : RS2; NEXT; break;
    case Op::MAXU: RD = RS1 > RS2 ? RS1 : RS2; NEXT; break;
    case Op::MIN: RD = S64(RS1) < S64(RS2) ? RS1 : RS2; NEXT; break;
    case Op::MINU: RD = RS1 < RS2 ? RS1 : RS2; NEXT; break;
    case Op::SEXT_B: RD = U64(S64(static_cast<int8_t>(RS1))); NEXT; break;
    case Op::SEXT_H: RD = U64(S64(static_cast<int16_t>(RS1))); NEXT; break;
    case Op::ZEXT_H: RD = RS1 & 0xffff; NEXT; break;
    case Op::ROL: RD = rol64(RS1, static_cast<unsigned>(RS2)); NEXT; break;
    case Op::ROR: RD = ror64(RS1, static_cast<unsigned>(RS2)); NEXT; break;
    case Op::RORI: RD = ror64(RS1, static_cast<unsigned>(in.imm)); NEXT; break;
    case Op::ROLW: RD = U64(sext32(rol32(static_cast<uint32_t>(RS1), static_cast<unsigned>(RS2)))); NEXT; break;
    case Op::RORW: RD = U64(sext32(ror32(static_cast<uint32_t>(RS1), static_cast<unsigned>(RS2)))); NEXT; break;
    case Op::RORIW: RD = U64(sext32(ror32(static_cast<uint32_t>(RS1), static_cast<unsigned>(in.imm)))); NEXT; break;
    case Op::ORC_B: {
      uint64_t v = RS1, r = 0;
      for (int i = 0; i < 8; ++i)
        if ((v >> (8 * i)) & 0xff) r |= 0xffull << (8 * i);
      RD = r;
      NEXT;
      break;
    }
    case Op::REV8: RD = __builtin_bswap64(RS1); NEXT; break;
    // Zbs
    case Op::BCLR: RD = RS1 & ~(1ull << (RS2 & 63)); NEXT; break;
    case Op::BCLRI: RD = RS1 & ~(1ull << in.imm); NEXT; break;
    case Op::BEXT: RD = (RS1 >> (RS2 & 63)) & 1; NEXT; break;
    case Op::BEXTI: RD = (RS1 >> in.imm) & 1; NEXT; break;
    case Op::BINV: RD = RS1 ^ (1ull << (RS2 & 63)); NEXT; break;
    case Op::BINVI: RD = RS1 ^ (1ull << in.imm); NEXT; break;
    case Op::BSET: RD = RS1 | (1ull << (RS2 & 63)); NEXT; break;
    case Op::BSETI: RD = RS1 | (1ull << in.imm); NEXT; break;
    case Op::ILLEGAL:
      illegal(in);
    // The other F and D instructions, listed: with no other op left, the
    // jump table needs no range check.
    case Op::FMADD_S: case Op::FMSUB_S: case Op::FNMSUB_S: case Op::FNMADD_S: case Op::FADD_S: case Op::FSUB_S:
    case Op::FMUL_S: case Op::FDIV_S: case Op::FSQRT_S: case Op::FSGNJ_S: case Op::FSGNJN_S: case Op::FSGNJX_S:
    case Op::FMIN_S: case Op::FMAX_S: case Op::FCVT_W_S: case Op::FCVT_WU_S: case Op::FCVT_L_S: case Op::FCVT_LU_S:
    case Op::FMV_X_W: case Op::FEQ_S: case Op::FLT_S: case Op::FLE_S: case Op::FCLASS_S: case Op::FCVT_S_W:
    case Op::FCVT_S_WU: case Op::FCVT_S_L: case Op::FCVT_S_LU: case Op::FMV_W_X: case Op::FMADD_D: case Op::FMSUB_D:
    case Op::FNMSUB_D: case Op::FNMADD_D: case Op::FADD_D: case Op::FSUB_D: case Op::FMUL_D: case Op::FDIV_D:
    case Op::FSQRT_D: case Op::FSGNJ_D: case Op::FSGNJN_D: case Op::FSGNJX_D: case Op::FMIN_D: case Op::FMAX_D:
    case Op::FCVT_S_D: case Op::FCVT_D_S: case Op::FCVT_W_D: case Op::FCVT_WU_D: case Op::FCVT_L_D:
    case Op::FCVT_LU_D: case Op::FMV_X_D: case Op::FEQ_D: case Op::FLT_D: case Op::FLE_D: case Op::FCLASS_D:
    case Op::FCVT_D_W: case Op::FCVT_D_WU: case Op::FCVT_D_L: case Op::FCVT_D_LU: case Op::FMV_D_X:
      exec_fp(in);
      NEXT;
      break;
    default:
      __builtin_unreachable();
  }
  return true;
}

void Core::execute_one(const Insn& in) { execute(in); }

// The debug loop and the tracer (debug.cpp, trace.cpp) run blocks too.
template void Core::exec_block<false>(Block* b, unsigned n);
template void Core::exec_block<true>(Block* b, unsigned n);

bool Core::phys_read(uint64_t paddr, void* data, unsigned len) {
  try {
    mem_read_phys(paddr, paddr, data, len, Access::kRead);
    return true;
  } catch (const Trap&) {
    return false;
  }
}

bool Core::phys_write(uint64_t paddr, const void* data, unsigned len) {
  const uint64_t saved_tohost = tohost_;
  tohost_ = 0;  // no HTIF recursion
  bool ok = true;
  try {
    mem_write_phys(paddr, paddr, data, len);
  } catch (const Trap&) {
    ok = false;
  }
  tohost_ = saved_tohost;
  return ok;
}

}  // namespace vp::cpu
