#pragma once
// The trigger module of the RISC-V Debug spec 1.0 (Sdtrig, chapter 5):
// tselect, tdata1-3, tinfo and tcontrol; mcontrol (type 2) and mcontrol6
// (type 6) triggers matching execute, load and store addresses or store data,
// with chain, size and the match kinds of table 5.x (equal, NAPOT, >=, <,
// masks, negations). Action 0 raises a breakpoint exception (guest software);
// action 1 "enters Debug Mode", which for vp means halting the hart for an
// attached debugger. A debugger owns its triggers with dmode = 1, which the
// guest can then read but not change.
#include <cstdint>
#include <vector>

namespace vp::cpu {

class Triggers {
 public:
  // CSR numbers (Debug spec 5.7).
  enum : unsigned { kTselect = 0x7a0, kTdata1 = 0x7a1, kTdata2 = 0x7a2, kTdata3 = 0x7a3, kTinfo = 0x7a4,
                    kTcontrol = 0x7a5 };
  enum : unsigned { kTypeMcontrol = 2, kTypeMcontrol6 = 6, kTypeDisabled = 15 };
  // What a debugger asks for (GDB's Z1-Z4).
  enum class Watch { kExec, kLoad, kStore, kAccess };

  struct Hit {
    bool fired = false;
    bool debug = false;  // action 1: halt for the debugger (else: breakpoint exception)
    unsigned index = 0;  // the trigger whose action is taken (last of a chain)
  };

  explicit Triggers(unsigned count = 4);
  void reset();
  unsigned count() const { return static_cast<unsigned>(t_.size()); }

  // CSR access; false for a number that is not a trigger CSR. A write by the
  // debugger (`debugger`) may set dmode; a guest write to a dmode=1 trigger is ignored.
  bool is_csr(unsigned csr) const { return csr >= kTselect && csr <= kTcontrol; }
  bool read(unsigned csr, uint64_t& v) const;
  bool write(unsigned csr, uint64_t v, bool debugger = false);

  // Sdtrig 5.4 (tcontrol): a trap into M-mode saves and clears mte; mret restores it.
  void on_trap_to_m() { tcontrol_ = (tcontrol_ & kMte) ? kMpte : 0; }
  void on_mret() { tcontrol_ = (tcontrol_ & kMpte) ? (kMpte | kMte) : 0; }

  // Quick tests for the core's run loop (recomputed on every write).
  bool exec_armed() const { return exec_armed_; }
  bool data_armed() const { return data_armed_; }
  bool debug_data_armed() const { return debug_data_armed_; }  // an action-1 load/store trigger
  bool any_armed() const { return exec_armed_ || data_armed_; }

  // Matching; sets the hit bits of the triggers that fire. `priv` is 0 (U), 1 (S) or 3 (M).
  Hit match_exec(uint64_t pc, unsigned priv);
  Hit match_data(uint64_t va, unsigned len, bool store, uint64_t value, unsigned priv);
  // Whether an execute trigger could fire at pc (no side effects).
  bool may_match_exec(uint64_t pc, unsigned priv) const;

  // Debugger triggers (action 1, dmode 1). An aligned power-of-two range takes
  // one trigger (NAPOT), any other range two chained ones (>= and <). Returns
  // false when not enough triggers are free.
  bool insert_debug(Watch kind, uint64_t addr, uint64_t len);
  bool remove_debug(Watch kind, uint64_t addr, uint64_t len);
  void remove_all_debug();

 private:
  struct Trigger {
    uint64_t tdata1 = 0;
    uint64_t tdata2 = 0;
  };
  static constexpr uint64_t kMte = 1u << 3, kMpte = 1u << 7;

  uint64_t legalize(unsigned index, uint64_t v, bool debugger) const;
  // The fields every supported type shares, decoded from tdata1.
  struct Fields {
    unsigned type, action, match, size;
    bool dmode, chain, select, m, s, u, exec, load, store;
  };
  static Fields fields(uint64_t tdata1);
  bool enabled_in(const Fields& f, unsigned priv) const;
  static bool compare(unsigned match, uint64_t tdata2, uint64_t value);
  static bool address_match(unsigned match, uint64_t tdata2, uint64_t va, unsigned len);
  template <typename Pred> Hit fire(unsigned priv, Pred matches);
  void set_hit(unsigned index);
  void update();
  static uint64_t make_debug(Watch kind, unsigned match, bool chain);

  std::vector<Trigger> t_;
  unsigned tselect_ = 0;
  uint64_t tcontrol_ = 0;
  bool exec_armed_ = false, data_armed_ = false, debug_data_armed_ = false;
};

}  // namespace vp::cpu
