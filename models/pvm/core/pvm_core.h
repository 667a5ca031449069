#pragma once
// pvm.core: a JAM PVM as a platform component (a SystemC wrapper around libpvm, which stays
// SystemC-free). The firmware of another core drives it through control registers:
//   - `regs` (target): program and argument address/length in platform memory, entry pc, gas,
//     the 13 PVM registers, status, host-call index, commands (load, map, start, resume, stop),
//     interrupt enable/status, the region map and the heap pointer;
//   - `mem` (initiator): the memory window [window_base, window_base + window_size). A program
//     with a layout (GP A.7 standard program, .polkavm container) has every region in it (the
//     region map, REGION registers): read-only data, read-write data and the heap up to its limit
//     at window offset = PVM address; the argument area at the top of the window, the stack just
//     below it. A program that does not fit is refused (ERROR 6). A bare A.2 program has the
//     whole window at offset = PVM address (inaccessible until mapped); any other page the
//     firmware maps (MAP) is at window offset = PVM address too. Window pages are bound to DMI
//     pointers where the target grants them (guest accesses are then plain host loads/stores)
//     and become b_transport transactions otherwise; pages grown by the guest's sbrk are window
//     pages too. Anything else is a PVM page fault (or panic below 64 KiB), reported, not fatal;
//     Its stores into platform memory are reported (platform/dma.h): transactions and the
//     loader's writes as they happen; pages whose stores must be seen (a hart's watched LR
//     reservation there, lock-step checking) are bound to transactions instead of DMI;
//   - `irq` (output): raised while IRQ_STATUS & IRQ_ENABLE (bit 0: the PVM stopped: halt, panic,
//     out of gas, page fault or host call).
// Executed gas advances simulated time by gas_period per unit, through a quantum keeper; the
// PVM runs in slices of one quantum's worth of gas.
#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "platform/activity.h"
#include "platform/component.h"
#include "platform/dma.h"
#include "platform/irq.h"
#include "pvm.h"

namespace vp::pvmcore {

struct PvmCoreConfig {
  pvm_backend backend = PVM_BACKEND_INTERPRETER;
  pvm_gp gp = PVM_GP_0_7_2;
  uint64_t window_base = 0;         // platform address of PVM address 0
  uint64_t window_size = 1ull << 24;  // PVM addresses [0, window_size) reach the platform
  sc_core::sc_time gas_period{1, sc_core::SC_NS};  // simulated time per unit of gas
  sc_core::sc_time latency{10, sc_core::SC_NS};    // register access latency
  uint32_t max_program = 16u << 20;  // largest program blob LOAD accepts (bytes)
};

// Where a program's layout lives in the window (computed by LOAD; all zero for a bare A.2 blob).
struct WindowRegion {
  uint32_t addr = 0, size = 0;  // PVM range [addr, addr + size)
  uint64_t offset = 0;          // window offset of addr
  pvm_access access = PVM_ACCESS_NONE;
};
enum WindowRegionIndex : unsigned { kRegionRo = 0, kRegionRw = 1, kRegionStack = 2, kRegionArgs = 3, kRegions = 4 };
// The region map for a layout and an argument length in a window of window_size bytes: read-only
// data and read-write data + heap keep their PVM addresses as window offsets (the heap region
// ends at the stack's offset, or at the layout's heap limit if lower); the argument area
// (page-rounded length) takes the top of the window and the stack the pages just below. False
// when the layout does not fit (a region would overlap the stack's offset).
bool plan_window(const pvm_memory_info& info, uint32_t args_len, uint64_t window_size, WindowRegion out[kRegions]);

class PvmCore : public platform::Component,
                public platform::DmaReporter,
                public tlm::tlm_fw_transport_if<>,
                public tlm::tlm_bw_transport_if<> {
 public:
  static constexpr uint64_t kSize = 0x1000;

  // Register offsets (little-endian; 64-bit registers accept 8-byte or two 4-byte accesses).
  enum : uint64_t {
    kId = 0x00,         // RO 32: "PVM1"
    kStatus = 0x04,     // RO 32: Status
    kCommand = 0x08,    // WO 32: Command
    kHostIndex = 0x0C,  // RO 32: index of the last ecalli
    kProgAddr = 0x10,   // RW 64: program blob in platform memory (GP A.2 or .polkavm)
    kProgLen = 0x18,    // RW 32
    kEntryPc = 0x1C,    // RW 32: pc START begins at
    kGas = 0x20,        // RW 64: gas for START/RESUME; gas left when stopped
    kPc = 0x28,         // RO 32: pc of the instruction the PVM stopped at
    kFaultAddr = 0x2C,  // RO 32: page of the last page fault
    kIrqEnable = 0x30,  // RW 32
    kIrqStatus = 0x34,  // RW 32: write 1s to acknowledge
    kMapAddr = 0x38,    // RW 32: PVM address for MAP (page aligned)
    kMapLen = 0x3C,     // RW 32: bytes (page multiple)
    kMapAccess = 0x40,  // RW 32: 0 none, 1 read-only, 3 read-write
    kError = 0x44,      // RO 32: Error code of the last refused command
    kGasUsed = 0x48,    // RO 64: gas executed since LOAD
    kProgFormat = 0x50, // RW 32: blob format for LOAD: 0 auto (.polkavm or A.2), 1 A.2, 2 A.7 standard, 3 .polkavm
    kArgsLen = 0x54,    // RW 32: argument bytes LOAD passes to a standard program (0: none)
    kArgsAddr = 0x58,   // RW 64: the arguments in platform memory
    kRegion = 0x60,     // RO 32 x 4 per region (16 bytes each: ro, rw+heap, stack, args): PVM address,
                        //   size, window offset, access (0 none, 1 read-only, 3 read-write)
    kHeapPointer = 0xA0,  // RO 32: the heap pointer (what `sbrk 0` returns; 0 before a LOAD)
    kRegs = 0x100,      // RW 64 x 13: PVM registers r0..r12
  };
  enum Status : uint32_t { kIdle = 0, kRunning = 1, kHalt = 2, kPanic = 3, kOutOfGas = 4, kPageFault = 5,
                           kHostCall = 6, kFailed = 7 };
  enum Command : uint32_t { kLoad = 1, kMap = 2, kStart = 3, kResume = 4, kStop = 5 };
  enum Error : uint32_t { kNoError = 0, kBadProgram = 1, kBadMap = 2, kNotLoaded = 3, kBusy = 4, kBadCommand = 5,
                         kNoFit = 6, kBadArgs = 7 };
  static constexpr uint32_t kMaxArgs = 1u << 24;  // GP ZI
  static constexpr uint32_t kIdValue = 0x314D5650;  // "PVM1"

  platform::TargetSocket regs{"regs"};
  platform::InitiatorSocket mem{"mem"};
  platform::IrqOut irq;

  PvmCore(const sc_core::sc_module_name& name, const PvmCoreConfig& config);
  ~PvmCore() override;

  // Joins the monitor as a device that keeps DMI pointers (ReservationMonitor::attach_device).
  void set_reservation_monitor(platform::ReservationMonitor& monitor) override;

  // tlm_fw_transport_if (registers)
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) override;
  unsigned transport_dbg(tlm::tlm_generic_payload& gp) override;
  tlm::tlm_sync_enum nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase&, sc_core::sc_time& delay) override {
    b_transport(gp, delay);
    return tlm::TLM_COMPLETED;
  }
  bool get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi&) override { return false; }
  // tlm_bw_transport_if (memory window)
  tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload&, tlm::tlm_phase&, sc_core::sc_time&) override {
    return tlm::TLM_COMPLETED;
  }
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) override;

 private:
  struct Mapping {  // a range of window pages (the access is read from the PVM when rebinding)
    uint32_t addr, len;
  };

  bool access(uint64_t offset, uint8_t* data, unsigned len, bool is_write, bool debug);
  void command(uint32_t c);
  Error load();
  bool read_platform(uint64_t addr, uint8_t* data, uint32_t len);
  bool write_platform(uint64_t addr, const uint8_t* data, uint32_t len);
  bool map(uint32_t addr, uint32_t len, pvm_access access);
  bool apply_layout(uint32_t rw_end);
  uint64_t window_offset(uint32_t addr) const;
  void bind(uint32_t addr, uint32_t len, pvm_access access);
  void rebind(uint64_t start, uint64_t end);
  void run_thread();
  void stopped(pvm_status s);
  void update_irq() { irq.set((irq_status_ & irq_enable_) != 0); }
  static int window_access(void* self, uint32_t addr, void* data, uint32_t len, int is_write);

  PvmCoreConfig config_;
  pvm_vm* vm_ = nullptr;
  unsigned device_ = 0;  // its id as a device of reservation_monitor()
  std::vector<Mapping> mappings_;
  WindowRegion regions_[kRegions];
  tlm_utils::tlm_quantumkeeper qk_;
  sc_core::sc_event run_event_;
  bool run_pending_ = false;
  platform::Activity activity_;  // asleep between runs (an idle platform, vp run --idle)

  uint32_t status_ = kIdle, error_ = kNoError, host_index_ = 0, prog_len_ = 0, entry_pc_ = 0, pc_ = 0, fault_ = 0;
  uint32_t irq_enable_ = 0, irq_status_ = 0, map_addr_ = 0, map_len_ = 0, map_access_ = 0, prog_format_ = 0,
           args_len_ = 0;
  uint64_t prog_addr_ = 0, gas_ = 0, args_addr_ = 0;
  uint64_t regs_[PVM_NUM_REGS] = {};
  bool resume_ = false;  // the next run continues (RESUME) instead of starting at entry_pc_

  // Statistics (name.*)
  uint64_t stat_gas_ = 0, stat_instructions_ = 0, stat_runs_ = 0, stat_host_calls_ = 0, stat_faults_ = 0,
           stat_dmi_pages_ = 0, stat_transactions_ = 0, gas_used_ = 0,
           stat_layout_pages_ = 0;
};

}  // namespace vp::pvmcore
