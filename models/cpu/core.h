#pragma once
// The RV64 hart core: pure C++ (no SystemC). Registers, CSRs, traps and
// interrupts (priv. spec 1.12), Sv39/Sv48 translation with a TLB, PMP, and a
// pre-decoded block cache. Memory is reached through CoreHost: host pointers
// for DMI pages, slow-path callbacks for everything else.
#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/cpu/block_arena.h"
#include "models/cpu/decoder.h"
#include "models/cpu/pc_table.h"
#include "platform/state.h"
#include "platform/reservation_monitor.h"
#include "models/cpu/stuck.h"
#include "models/cpu/triggers.h"
#include "platform/trace_filter.h"

namespace vp::cpu {

enum class Priv : uint8_t { U = 0, S = 1, M = 3 };
enum class Access : uint8_t { kRead = 0, kWrite = 1, kExec = 2 };

// A directly accessible memory range (DMI); ptr points at `base`.
struct DmiRegion {
  uint64_t base = 0, end = 0;  // [base, end]
  uint8_t* ptr = nullptr;
  bool read = false, write = false;
};

// What the core needs from its environment (the SystemC Hart or a test harness).
class CoreHost {
 public:
  virtual ~CoreHost() = default;
  // DMI for the range containing paddr (write: a writable pointer is wanted);
  // false if none (then the slow path is used).
  virtual bool dmi(uint64_t paddr, bool write, DmiRegion& out) = 0;
  // Slow path; false means a bus error (the core raises an access fault).
  virtual bool read(uint64_t paddr, void* data, unsigned len) = 0;
  virtual bool write(uint64_t paddr, const void* data, unsigned len) = 0;
  // Value of the `time` CSR (mtime ticks).
  virtual uint64_t time_now() = 0;
  // True while time_now() changes nothing but the core's time cache (no bus access, no
  // time accounting): a caller may skip what it checks after code that changes state.
  virtual bool time_quiet() const { return false; }
  // HTIF: a store hit tohost. The core already stored the value.
  virtual void htif_tohost(uint64_t value) = 0;
  // Side-effect-free read for a debugger's page walks (debug transport).
  virtual bool debug_read(uint64_t paddr, void* data, unsigned len) { return read(paddr, data, len); }
};

// Names code addresses for traces (ELF symbols); set by the core's owner.
class SymbolLookup {
 public:
  virtual ~SymbolLookup() = default;
  // The symbol containing addr: its name and [start, end); false if none.
  virtual bool lookup(uint64_t addr, std::string& name, uint64_t& start, uint64_t& end) const = 0;
};

// Told about every trap the core takes (trace events).
class TrapListener {
 public:
  virtual ~TrapListener() = default;
  virtual void on_trap(uint64_t cause, bool interrupt, uint64_t epc, uint64_t tval) = 0;
};

class Semihosting;

struct CoreConfig {
  uint64_t hartid = 0;
  uint32_t ext = kExtI | kExtM | kExtA | kExtF | kExtD | kExtC | kExtZicsr | kExtZifencei |
                 kExtS | kExtU;
  uint64_t reset_pc = 0x1000;
  unsigned max_satp_mode = 9;  // 8 = Sv39, 9 = Sv48
  unsigned pmp_entries = 16;
  bool misaligned_emulate = true;
  // Run translated x86-64 code (models/cpu/translator.h) where the host has a
  // translator; pipeline timing and tracing always use the interpreter.
  bool translate = false;
  // A block is translated when it starts for the translate_after-th time (code that
  // runs a few times only is cheaper to interpret: translating a block costs ~8,000
  // host instructions, interpreting it ~170; callgrind over 41 M instructions of a
  // 1-hart Linux boot: 16: 769 M, 24: 766 M, 32: 759 M, 48: 772 M, 64: 785 M,
  // 128: 812 M host instructions); 1: at once (tests).
  unsigned translate_after = 32;
};

// A synchronous exception (thrown inside the core, turned into a trap).
struct Trap {
  uint64_t cause;
  uint64_t tval;
};

// Exception causes (priv. spec table 3.6).
enum Cause : uint64_t {
  kInsnMisaligned = 0, kInsnAccessFault = 1, kIllegalInsn = 2, kBreakpoint = 3,
  kLoadMisaligned = 4, kLoadAccessFault = 5, kStoreMisaligned = 6, kStoreAccessFault = 7,
  kEcallU = 8, kEcallS = 9, kEcallM = 11, kInsnPageFault = 12, kLoadPageFault = 13,
  kStorePageFault = 15,
};

// ROI markers (sdk/vp_roi.h): `slti x0, x0, kMarkerBase + op`, a HINT the
// unprivileged spec (2.9, HINT instructions) designates for custom use, so the
// program runs unchanged elsewhere.
constexpr int64_t kMarkerBase = 0x7f0;
enum Marker : unsigned { kMarkerRoiBegin = 1, kMarkerRoiEnd = 2, kMarkerResetStats = 3, kMarkerDumpStats = 4,
                         kMarkerExit = 5, kMarkerLast = 5 };

// Why Core::run returned: budget spent, WFI, stop request, kDebug: halted for
// a debugger (a breakpoint, an action-1 trigger); kStop also ends a run when the
// hart is stuck; kMarker: a region-of-interest marker executed (take_marker);
// kStopPc: the stop pc reached (set_stop_pc).
enum class RunExit { kBudget, kWfi, kStop, kDebug, kMarker, kStopPc };

// Why the core last returned RunExit::kDebug.
struct DebugHalt {
  enum class Kind : uint8_t { kNone, kBreakpoint, kTrigger } kind = Kind::kNone;
  uint64_t pc = 0;        // of the instruction not yet executed (breakpoint, execute trigger) or the next one
  uint64_t addr = 0;      // load/store triggers: the access
  unsigned len = 0;       // load/store triggers: access size
  bool store = false;     // load/store triggers
  unsigned trigger = 0;   // trigger index (kTrigger)
};

struct Block;
class BlockCounter;
class Pipeline;
class InOrderBackend;
struct OpSlots;
struct BlockPlan;
class Translator;

class Core {
 public:
  Core(const CoreConfig& cfg, CoreHost& host);
  ~Core();

  void reset();
  // Executes up to `budget` instructions. Returns why it stopped; `executed` counts
  // the instructions run (retired or trapped), for time accounting.
  RunExit run(uint64_t budget, uint64_t& executed);
  // Pipeline mode: every executed instruction is also passed to this timing
  // model (nullptr: functional mode, no per-instruction cost). Not owned.
  void set_timing(Pipeline* timing) { timing_ = timing; }
  // A run that will switch to pipeline timing later (fast-forward, sampling) keeps no
  // TLB banks (update_xlate_ctx), so the TLB the timing model starts from is the one
  // it always was.
  void set_tlb_banks(bool on) {
    tlb_banks_on_ = on;
    if (!on && tlb_banks_)
      for (unsigned i = 0; i < kTlbBanks; ++i) tlb_banks_[i].ctx = ~0ull;
  }
  Pipeline* timing() const { return timing_; }
  // Instructions executed so far in the current run() call (for timing MMIO mid-run).
  uint64_t run_progress() const { return run_done_ + blk_i_; }
  // The `time` CSR holds `value` for reads at run_progress() in [from, from + span): the
  // host sets this when it knows (CoreHost::time_now); such reads do not ask it
  // (translated code tests the range inline). Every run() call clears it (run_progress()
  // restarts), and the host clears it whenever that may no longer hold.
  void set_time_cache(uint64_t from, uint64_t span, uint64_t value) {
    time_from_ = from;
    time_span_ = span;
    time_value_ = value;
  }
  void clear_time_cache() { time_span_ = 0; }
  void request_stop() { run_.stop = true; }
  // Fast-forward support: run() returns kStopPc before executing a block that
  // starts at this pc (a branch target such as a function entry); ~0: none.
  void set_stop_pc(uint64_t pc) {
    stop_pc_ = pc;
    update_slow();
  }
  // Basic-block vectors (bbv.h): the counter sees every block run with its
  // start pc and retired instructions; the interpreter runs then. Not owned.
  void set_block_counter(BlockCounter* c) {
    block_counter_ = c;
    update_slow();
  }
  // The marker (Marker) that made run() return kMarker; clears it.
  unsigned take_marker() { const unsigned m = run_.marker; run_.marker = 0; return m; }

  // Interrupt lines (mip bits 3/7/11/9). Cheap; callable at any time.
  void set_irq_line(unsigned bit, bool level);
  // True if an interrupt is pending and enabled in mie (WFI wake-up condition).
  bool wfi_wakeup() const { return (read_mip() & mie_) != 0; }

  // DMI ranges changed: forget cached pointers and pre-decoded code in [start, end].
  void invalidate_dmi(uint64_t start, uint64_t end);
  void set_htif(uint64_t tohost, uint64_t fromhost) { tohost_ = tohost; fromhost_ = fromhost; flush_tlb(); }
  // Instruction trace (trace.cpp): every instruction with its effects (register
  // written, memory address, CSR written), inside the filter's window.
  void set_trace(std::ostream* out) { trace_ = out; update_debug(); }
  void set_trace_filter(const platform::TraceFilter& f);
  void set_symbols(const SymbolLookup* s) { symbols_ = s; }
  void set_trap_listener(TrapListener* l) { trap_listener_ = l; }

  // --- Debugging (debug.cpp). While anything here is armed, run() takes the
  // interpreter's debug loop (no translated code): it checks breakpoints and
  // execute triggers before each instruction, halts after an action-1 data
  // trigger, and traces. Translators must leave run() to it then (debug_active()).
  bool debug_active() const { return debug_active_; }
  // Software breakpoints: virtual pcs where run() returns kDebug before executing.
  void set_breakpoints(std::vector<uint64_t> pcs);
  // No breakpoint or execute trigger halts at this pc until an instruction ran
  // (resuming from a halt). Set automatically when a halt happens.
  void skip_halt_at(uint64_t pc) { skip_pc_ = pc; }
  // Interrupts are not taken while masked (a debugger single-stepping: dcsr.stepie = 0).
  void set_irq_mask(bool masked) {
    irq_mask_ = masked;
    if (!masked) run_.irq_check = true;
    update_debug();
  }
  Triggers& triggers() { return triggers_; }
  void triggers_changed() { update_debug(); }
  const DebugHalt& debug_halt() const { return halt_; }
  // Semihosting calls (ebreak between the entry and exit nops) go to this handler; nullptr: plain ebreak.
  void set_semihosting(Semihosting* s) { semihost_ = s; }

  // Debugger state access (no privilege checks, no side effects on reads).
  bool poke_csr(unsigned csr, uint64_t value);
  void set_freg(unsigned i, uint64_t v) { f_[i & 31] = v; }
  void set_priv(Priv p);
  // Virtual to physical with the current translation (instruction fetch view
  // for `exec`), no permission checks, no A/D updates; false if unmapped.
  bool debug_translate(uint64_t va, bool exec, uint64_t& pa);
  // Guest memory through the current translation, as the hart accesses it (semihosting).
  bool read_virtual(uint64_t va, void* data, size_t len);
  bool write_virtual(uint64_t va, const void* data, size_t len);
  // Memory at [pa, pa + len) changed behind the core's back (debugger, loader): forget its decoded code.
  void code_modified(uint64_t pa, uint64_t len);
  // A store into memory no processor made (a debugger's write through the hart's port):
  // reported to the reservation monitor, which breaks LR reservations on those bytes and
  // passes them to its observers (lock-step's copy of memory).
  void foreign_store(uint64_t pa, const void* data, uint64_t len) { monitor_->device_store(pa, data, len); }

  // --- Stuck detection (stuck.h): the same exception, pc and registers again
  // and again. The run stops with kStop; stuck() tells why.
  StuckDetector& stuck_detector() { return stuck_; }
  bool stuck() const { return stuck_.stuck(); }
  // Resumes after a stuck report (the run goes on).
  void clear_stuck() { stuck_.clear_streak(); run_.stop = false; }

  // State access.
  uint64_t pc() const { return pc_; }
  void set_pc(uint64_t pc) { pc_ = pc; }
  uint64_t reg(unsigned i) const { return x_[i & 31]; }
  void set_reg(unsigned i, uint64_t v) { if (i & 31) x_[i & 31] = v; }
  uint64_t freg(unsigned i) const { return f_[i & 31]; }
  uint64_t instret() const { return instret_ + blk_i_; }
  // Clock cycles (the source of mcycle): the timing model's in pipeline mode;
  // in functional mode one per executed instruction plus the cycles the hart
  // slept in WFI, which its host reports with add_idle_cycles.
  uint64_t cycles() const;
  void add_idle_cycles(uint64_t n) { idle_cycles_ += n; }
  Priv priv() const { return priv_; }
  uint64_t mie() const { return mie_; }
  const CoreConfig& config() const { return cfg_; }
  // Debug CSR read (no side effects, no privilege check); false if unknown.
  bool peek_csr(unsigned csr, uint64_t& value);

  // Physical memory access as the hart would do it (for HTIF handling, tests).
  bool phys_read(uint64_t paddr, void* data, unsigned len);
  bool phys_write(uint64_t paddr, const void* data, unsigned len);
  // Wrong-path execution of a timing model (speculative_view.h): a host
  // pointer to len bytes at va if the page is in the core's fetch (fetch) or
  // read translation cache with a RAM host pointer; nullptr otherwise (or if
  // the bytes cross a page). No side effects.
  const uint8_t* speculative_ptr(uint64_t va, unsigned len, bool fetch, uint64_t& pa) const;

  uint64_t blocks_built() const { return blocks_built_; }
  uint64_t fence_i_count() const { return code_epoch_; }
  // The translator in use (nullptr: interpreter only).
  const Translator* translator() const { return translator_.get(); }

  // LR/SC reservations live in a monitor shared by the platform's processors
  // (a private one until this is called, before the core runs).
  void set_reservation_monitor(platform::ReservationMonitor& monitor);
  // Other processors may run before this core's next instruction (the end of a
  // quantum, WFI, a bus access that may wait). A reservation taken within the
  // last kReservationWindow instructions (counted from the end of the LR's
  // pre-decoded block: never fewer) is published (their stores to it will break
  // it); an older one is dropped: no constrained LR/SC loop (at most 16
  // instructions, unpriv. spec "eventual success") can still be waiting on it.
  void share_reservation();
  static constexpr uint64_t kReservationWindow = 64;

  // Checkpoints (core_state.cpp): registers, CSRs, privilege, reservation,
  // counters and HTIF addresses; caches of translations and code are rebuilt.
  void save_state(platform::StateWriter& out) const;
  void restore_state(platform::StateReader& in);

 private:
  friend struct Exec;
  friend class TranslatorX86;  // models/cpu/translator/: runs on the core's state
  friend class BlockEmitter;
  friend class Lockstep;       // models/cpu/lockstep.cpp: mirrors interrupt lines
  struct TlbEntry {
    uint64_t tag;     // virtual page number; kInvalidTag when empty
    uintptr_t addend; // host pointer = addend + vaddr (0: slow path)
    uint64_t ppage;   // physical page base
  };
  static constexpr unsigned kTlbBits = 8;
  static constexpr unsigned kTlbSize = 1u << kTlbBits;
  static constexpr uint64_t kInvalidTag = ~0ull;

  // Execution.
  // kBatch (exec_block's batches, instructions p[k]): loads/stores only on the
  // RAM fast path, recording their data addresses in bva[k], bpa[k]; false:
  // not executed (off it).
  template <bool kBatch = false>
  __attribute__((always_inline)) inline bool execute(const Insn& in, const Insn* p = nullptr, uint64_t* bva = nullptr,
                                                     uint64_t* bpa = nullptr);
  template <bool kBatch, typename T> bool mem_load(uint64_t va, T& v, size_t k, uint64_t* bva, uint64_t* bpa);
  template <bool kBatch, typename T> bool mem_store(uint64_t va, T v, size_t k, uint64_t* bva, uint64_t* bpa);
  void execute_one(const Insn& in);  // out-of-line execute(), for translated code
  template <bool kTimed> RunExit run_loop(uint64_t budget, uint64_t& executed);
  RunExit run_debug(uint64_t budget, uint64_t& executed);
  unsigned runnable(const Block* b);
  bool stop_point(uint64_t pc) const;
  void update_debug();
  void check_data_trigger(uint64_t va, unsigned len, bool store, uint64_t value);
  bool semihost_call();
  uint64_t state_hash() const;
  bool debug_walk(uint64_t va, uint64_t& pa);
  // Tracing (trace.cpp).
  void exec_traced(Block* b);
  void trace_fetch_fault(uint64_t pc, const Trap& t);
  void trace_trap(uint64_t cause, bool interrupt, uint64_t tval);
  void trace_label(uint64_t pc);
  bool trace_selected(uint64_t pc, Priv p) const;
  void trace_window_update();
  template <bool kTimed> void exec_block(Block* b, unsigned n);
  __attribute__((always_inline)) inline void exec_block_timed(Block* b, unsigned n, uint64_t vstart);
  __attribute__((always_inline)) inline unsigned exec_planned(Block* b, unsigned n, uint64_t vstart);
  void exec_timed(Block* b, unsigned n, unsigned i, uint64_t vstart);
  unsigned trapped_index(const Insn* p, unsigned n, uint64_t vstart) const;
  template <bool kTimed> void end_trapped(unsigned i, const Trap& t);
  void timed_retire(const Insn& in, const OpSlots& s, const Block* b, uint64_t vstart, uint64_t pc, uint64_t ea,
                    InOrderBackend* io);
  void update_timed_levels();
  bool timed_data_pa(uint64_t ea, uint64_t& pa) const;
  const OpSlots* timing_slots(Block* b);
  void timed_batch(InOrderBackend* io, const Block* b, const Insn* p, const OpSlots* ts, const BlockPlan* plan,
                   unsigned k, uint64_t vstart, const uint64_t* va, const uint64_t* pa);
  Block* lookup_block();
  Block* successor(Block* prev);  // core_internal.h
  Block* linked_block(const Block* prev) const;
  int valid_link(const Block* prev) const;
  void remember_successor(Block* prev, Block* b);
  Block* current_block(uint64_t ppc);
  Block* build_block(uint64_t vpc, uint64_t ppc, bool cache);
  Block* new_block(unsigned n, bool cache);
  bool still_valid(Block* b);
  void fence_i();
  void check_interrupts();
  [[noreturn]] void illegal(const Insn& in);
  void take_trap(uint64_t cause, uint64_t tval, bool interrupt);
  void do_mret();
  void do_sret();

  // Memory.
  template <typename T> T load(uint64_t va);
  template <typename T> void store(uint64_t va, T v);
  template <typename T> T load_slow(uint64_t va);
  template <typename T> void store_slow(uint64_t va, T v);
  template <typename T> T amo(const Insn& in, T (*fn)(T, T));
  uint64_t translate(uint64_t va, Access acc, Priv priv);
  uint64_t walk(uint64_t va, Access acc, Priv priv);
  uint64_t access_phys(uint64_t va, Access acc, unsigned len, Priv& eff);
  void fill_tlb(TlbEntry* tlb, uint64_t va, uint64_t pa, Access acc);
  bool pmp_ok(uint64_t pa, uint64_t len, Access acc, Priv priv) const;
  // Nearly every call is for RAM: the region found last is tried first, inline.
  const DmiRegion* find_dmi(uint64_t pa, Access acc) {
    if (dmi_mru_ < dmi_.size()) {
      const DmiRegion& r = dmi_[dmi_mru_];
      if (pa >= r.base && pa <= r.end && (acc == Access::kWrite ? r.write : r.read)) return &r;
    }
    return find_dmi_slow(pa, acc);
  }
  const DmiRegion* find_dmi_slow(uint64_t pa, Access acc);
  uint8_t* host_ptr(uint64_t pa, unsigned len, Access acc);
  void mem_read_phys(uint64_t va, uint64_t pa, void* d, unsigned len, Access acc);
  void mem_write_phys(uint64_t va, uint64_t pa, const void* d, unsigned len);
  uint16_t fetch16(uint64_t va, uint64_t& pa_out);
  Priv data_priv() const;
  void flush_tlb();
  void update_xlate_ctx();
  void notify_code_write(uint64_t pa, unsigned len);
  void invalidate_code_page(uint64_t ppage);
  void drop_block(Block* b);
  void set_page_blocks(uint64_t page, Block* head);
  void flush_blocks();
  void reap_blocks();  // deletes discarded blocks (after the translator dropped them)
  // A block leaves: reaped at the run loops' next block.
  void bury(Block* b) {
    graveyard_.push_back(b);
    run_.slow = true;
  }
  void update_slow() { run_.slow = !graveyard_.empty() || stop_pc_ != ~0ull || block_counter_ != nullptr; }

  // CSRs.
  uint64_t csr_rw(const Insn& in, unsigned csr, uint64_t wval, bool write, bool read);
  bool csr_read(unsigned csr, uint64_t& v);
  bool csr_write(unsigned csr, uint64_t v);
  bool counter_allowed(unsigned csr) const;
  uint64_t read_mip() const { return mip_ | irq_lines_; }
  uint64_t read_mstatus() const;
  void write_mstatus(uint64_t v);
  void pmp_update();
  void fp_check(const Insn& in);
  void fp_dirty() { mstatus_ |= 3ull << 13; }

  // FP (fpu.cpp).
  void exec_fp(const Insn& in);
  int fp_rm(const Insn& in);

  CoreConfig cfg_;
  CoreHost& host_;

 public:  // hot state, accessed by the executor helpers
  uint64_t x_[33] = {};  // x_[32]: sink for writes to x0
  uint64_t f_[32] = {};
  uint64_t pc_ = 0;

 private:
  Priv priv_ = Priv::M;
  uint64_t instret_ = 0;
  uint64_t executed_ = 0;  // by earlier run() calls (retired or trapped)
  uint64_t idle_cycles_ = 0;
  uint64_t run_done_ = 0;
  unsigned blk_i_ = 0;
  uint64_t time_from_ = 0, time_span_ = 0, time_value_ = 0;  // set_time_cache
  // What makes the run loops leave their per-block fast path, read as one
  // word (any()): a stop request, a sleeping wfi, a possible interrupt, a
  // marker, and `slow` (blocks to reap, a stop pc or a block counter: update_slow()).
  struct RunFlags {
    bool stop = false;
    bool wfi = false;
    bool irq_check = true;
    bool slow = false;
    uint32_t marker = 0;
    bool any() const {
      uint64_t w;
      std::memcpy(&w, this, sizeof w);
      return w != 0;
    }
  };
  static_assert(sizeof(RunFlags) == 8, "RunFlags: no padding, one word");
  RunFlags run_;
  uint64_t stop_pc_ = ~0ull;
  BlockCounter* block_counter_ = nullptr;
  std::ostream* trace_ = nullptr;
  Pipeline* timing_ = nullptr;

  // Tracing state (trace.cpp).
  platform::TraceFilter filter_;
  bool trace_window_ = true;  // inside [start, stop)
  bool trace_done_ = false;   // the stop condition was met
  const SymbolLookup* symbols_ = nullptr;
  std::string trace_sym_;     // symbol of the last traced line
  uint64_t trace_sym_start_ = 1, trace_sym_end_ = 0;
  TrapListener* trap_listener_ = nullptr;

  // Debugging state (debug.cpp).
  bool debug_active_ = false;
  bool watch_data_ = false;  // data triggers armed: loads and stores take the slow path
  bool irq_mask_ = false;
  std::vector<uint64_t> breakpoints_;  // sorted
  std::vector<uint64_t> stop_pcs_;     // breakpoints and trace window pcs, sorted
  uint64_t skip_pc_ = ~0ull;
  DebugHalt halt_;
  Triggers triggers_;
  Semihosting* semihost_ = nullptr;
  StuckDetector stuck_;

  // CSR state.
  uint64_t mstatus_ = 0, misa_ = 0, medeleg_ = 0, mideleg_ = 0, mie_ = 0, mip_ = 0;
  uint64_t irq_lines_ = 0;
  uint64_t mtvec_ = 0, stvec_ = 0, mcounteren_ = 0, scounteren_ = 0;
  uint64_t mscratch_ = 0, sscratch_ = 0, mepc_ = 0, sepc_ = 0, mcause_ = 0, scause_ = 0;
  uint64_t mtval_ = 0, stval_ = 0, satp_ = 0, menvcfg_ = 0, senvcfg_ = 0, mcountinhibit_ = 0;
  // mcycle/minstret: while counting, the source (cycles(), instret()) plus an
  // offset; while inhibited by mcountinhibit, a held value.
  uint64_t mcycle_off_ = 0, minstret_off_ = 0, mcycle_held_ = 0, minstret_held_ = 0;
  uint32_t fflags_ = 0, frm_ = 0;
  uint8_t pmpcfg_[64] = {};
  uint64_t pmpaddr_[64] = {};
  struct PmpRange { uint64_t lo, hi; uint8_t cfg; };  // [lo, hi)
  std::vector<PmpRange> pmp_;  // active entries in priority order
  bool pmp_any_ = false;

  // LR/SC reservation: this core's slot in the monitor.
  void clear_reservation() { monitor_->clear(slot_); }
  void revoke_store_page(uint64_t page);
  std::unique_ptr<platform::ReservationMonitor> own_monitor_;
  platform::ReservationMonitor* monitor_ = nullptr;
  unsigned slot_ = 0;
  uint64_t lr_instret_ = 0;  // instret() at the last LR

  // HTIF.
  uint64_t tohost_ = 0, fromhost_ = 0;

  // Translation caches: per access type.
  TlbEntry tlb_[3][kTlbSize];
  uint64_t xlate_ctx_ = ~0ull;
  // Pipeline mode: the page-table levels an I-TLB / D-TLB miss walks (0: no
  // translation), from satp, privilege and MPRV/MPP; kept by update_xlate_ctx().
  uint8_t fetch_levels_ = 0, data_levels_ = 0;
  // The TLBs of the last contexts left (privilege, data privilege, SUM/MXR, satp),
  // functional mode only: a trap into M or S mode and the return to the interrupted
  // context swap banks instead of flushing, as a hardware TLB keeps entries across
  // privilege changes. Flushed with the TLB (sfence.vma, PMP, DMI), and stores to
  // code or to a watched reservation page revoke write entries in every bank.
  static constexpr unsigned kTlbUsedWords = 3 * kTlbSize / 64;
  struct TlbBank {
    uint64_t ctx = ~0ull;  // ~0: empty
    uint64_t used[kTlbUsedWords];  // entries filled (the others are stale)
    TlbEntry e[3][kTlbSize];
  };
  // Entries of tlb_ filled since the last flush or switch (bit a * kTlbSize + index):
  // flushes and switches touch only those.
  uint64_t tlb_used_[kTlbUsedWords] = {};
  static constexpr unsigned kTlbBanks = 4;
  std::unique_ptr<TlbBank[]> tlb_banks_;
  bool tlb_banks_on_ = true;
  unsigned tlb_bank_victim_ = 0;
  void revoke_write_entries(uint64_t ppage);  // in the TLB and every bank
  void clear_tlb();
  // Page walks and bus (non-DMI) accesses so far: code that made none between two
  // points touched memory only through DMI loads and stores (the translator's
  // spin-loop check, dispatcher.cpp).
  uint64_t slow_mem_ = 0;
  // The page-table page each level of the last walks read, when PMP lets S-mode read
  // all of it and it has a host pointer: a walk reads the PTE without the level's PMP
  // check and DMI search. Forgotten when PMP or DMI changes.
  struct PtePage { uint64_t page = ~0ull; const uint8_t* host = nullptr; };
  PtePage pte_pages_[4];
  std::vector<DmiRegion> dmi_;
  size_t dmi_mru_ = 0;  // index in dmi_ of the region find_dmi found last
  std::vector<uint64_t> no_dmi_pages_;  // small negative cache

  // Pre-decoded blocks, keyed by physical pc; the cached blocks of each code page
  // (physical page number -> a list through Block::page_next).
  PcTable<Block> blocks_{12};
  PcTable<Block> code_pages_{8};
  bool is_code_page(uint64_t ppage) const { return code_pages_.find(ppage) != nullptr; }
  std::vector<Block*> graveyard_;
  std::vector<Insn> build_scratch_;  // build_block decodes here, then copies once
  // Cacheable blocks live in the arena; arena_live_ counts those not yet reaped,
  // arena_dead_ the bytes of reaped ones (reused when none is alive).
  BlockArena arena_;
  uint64_t arena_live_ = 0;
  size_t arena_dead_ = 0;
  static constexpr size_t kArenaDeadLimit = 64u << 20;
  uint64_t blocks_built_ = 0;
  uint64_t code_epoch_ = 0;  // fence.i count: blocks built earlier are checked before use
  uint64_t chain_gen_ = 1;
  uint64_t block_gen_ = 1;  // bumped when blocks leave blocks_: successor links made before are void
  // Fetch TLB entries replaced: with chain_gen_ (bumped when the TLB is flushed or
  // switched, blocks leave blocks_, and on fence.i) what successor() checks may have changed.
  uint64_t fetch_fills_ = 0;
  uint64_t link_gen() const { return chain_gen_ + fetch_fills_; }

  std::unique_ptr<Translator> translator_;
};

}  // namespace vp::cpu
