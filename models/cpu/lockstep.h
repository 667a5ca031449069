#pragma once
// Lock-step differential checking of the translator against the interpreter.
//
// Two cores run the same program: the primary (translated code, the one the platform
// sees) and a shadow (the interpreter). The primary runs one block at a time; the shadow
// then runs the same number of instructions and all architectural state is compared
// (pc, privilege, integer and FP registers, CSRs, instruction count). The shadow has its
// own copy of every DMI region (taken when the primary first asks for it) and replays
// what the primary saw from the rest of the platform: MMIO reads (values), MMIO writes
// (checked), `time` reads and interrupt lines. Stores into memory by no processor (device
// DMA, the platform's debug writes) reach it through the platform's reservation monitor
// and are applied to the copy too; a store made during one of the primary's MMIO accesses
// is applied when the shadow replays that access. Other harts' stores cannot be seen: a
// platform with more than one hart is refused. The first difference is reported with the
// block's instructions and the first instruction whose result differs.
#include <cstdint>
#include <deque>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "models/cpu/core.h"

namespace vp::cpu {

class Lockstep {
 public:
  // `host` is the platform; `report` receives the divergence report.
  Lockstep(const CoreConfig& cfg, CoreHost& host, std::ostream& report);
  ~Lockstep();

  Core& primary() { return *primary_; }
  Core& shadow() { return *shadow_; }
  // Core::run on both cores; returns kStop at the first divergence (diverged() true).
  RunExit run(uint64_t budget, uint64_t& executed);
  // Instructions the primary retired so far in the current run() call, which runs it
  // one block at a time: the hart's time accounting counts from the call's start, as
  // it does with Core::run_progress() when there is no lock-step.
  uint64_t run_progress() const { return run_executed_ + (in_primary_ ? primary_->run_progress() : 0); }
  void invalidate_dmi(uint64_t start, uint64_t end);
  bool diverged() const { return diverged_; }
  // The platform cannot be checked (several harts): run() does nothing; message() says why.
  bool refused() const { return refused_; }
  const std::string& message() const { return message_; }
  uint64_t blocks_checked() const { return blocks_; }
  // Compares every DMI region of both cores (also done every kMemoryCheckInterval blocks).
  bool check_memory();

 private:
  class Recorder;
  class Replay;
  friend class Recorder;
  friend class Replay;
  // A store into memory by no processor.
  struct Store {
    uint64_t addr;
    std::vector<uint8_t> data;
  };
  struct Event {
    enum Kind : uint8_t { kRead, kWrite, kTime } kind;
    bool ok;
    uint64_t addr;
    std::vector<uint8_t> data;
    uint64_t lines;  // the primary's interrupt lines after the access (a device may change them)
    std::vector<Store> stores = {};  // device stores made during the access
  };
  // A DMI region and the shadow's copy of it (anonymous memory: pages still zero in
  // the platform's region are neither copied nor touched).
  struct Region {
    explicit Region(const DmiRegion& r);
    ~Region();
    Region(const Region&) = delete;
    Region& operator=(const Region&) = delete;
    DmiRegion real;
    uint8_t* copy = nullptr;
    size_t size = 0;
  };
  static constexpr uint64_t kMemoryCheckInterval = 1u << 16;

  void fail(const std::string& what);
  void apply_lines(uint64_t lines);
  bool compare(uint64_t pc0, uint64_t executed);
  Region* region_of(uint64_t pa);
  void snapshot(const DmiRegion& r);
  bool attach_monitor();  // false: refused (several harts)
  void device_store(uint64_t pa, const void* data, uint64_t len);
  void apply(const Store& st);

  CoreHost& host_;
  std::ostream& report_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<Replay> replay_;
  std::unique_ptr<Core> primary_, shadow_;
  std::deque<Event> log_;
  std::vector<std::unique_ptr<Region>> regions_;
  platform::ReservationMonitor* monitor_ = nullptr;  // the primary's (the platform's)
  unsigned observer_ = 0;
  bool in_primary_ = false;      // the primary is running: device stores wait in pending_
  uint64_t run_executed_ = 0;    // instructions of the current run() call before this block
  std::vector<Store> pending_;
  bool started_ = false;
  bool diverged_ = false;
  bool refused_ = false;
  std::string message_;
  uint64_t blocks_ = 0;
};

}  // namespace vp::cpu
