#include "models/pvm/core/pvm_core.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "platform/debug_access.h"
#include "platform/statistics.h"

namespace vp::pvmcore {

namespace {
constexpr uint32_t kPage = PVM_PAGE_SIZE;
constexpr uint32_t kLowLimit = 0x10000;  // GP ZZ: PVM pages below 64 KiB are never accessible
}

PvmCore::PvmCore(const sc_core::sc_module_name& name, const PvmCoreConfig& config)
    : Component(name), config_(config) {
  regs.bind(*this);
  mem.bind(*this);
  expose_target("regs", regs, kSize);
  expose_initiator("mem", mem);
  expose_irq_out("irq", irq);
  SC_HAS_PROCESS(PvmCore);
  SC_THREAD(run_thread);
  auto& s = platform::Statistics::global();
  const std::string n = this->name();
  s.add_counter(n + ".gas", &stat_gas_, "gas executed by the PVM");
  s.add_counter(n + ".instructions", &stat_instructions_, "PVM instructions of the basic blocks entered");
  s.add_counter(n + ".runs", &stat_runs_, "START and RESUME commands executed");
  s.add_counter(n + ".host_calls", &stat_host_calls_, "ecalli stops handed to the firmware");
  s.add_counter(n + ".page_faults", &stat_faults_, "page-fault stops");
  s.add_counter(n + ".dmi_pages", &stat_dmi_pages_, "PVM pages mapped straight onto DMI memory");
  s.add_counter(n + ".transactions", &stat_transactions_, "PVM accesses made as b_transport transactions");
  s.add_counter(n + ".layout_pages", &stat_layout_pages_,
                "pages of the program's layout placed in the window (heap pages sbrk may grow into included)");
}

PvmCore::~PvmCore() {
  if (auto* m = reservation_monitor()) m->detach_device(device_);
  platform::Statistics::global().remove(name());
  pvm_destroy(vm_);
}

void PvmCore::set_reservation_monitor(platform::ReservationMonitor& monitor) {
  if (auto* m = reservation_monitor()) m->detach_device(device_);
  DmaReporter::set_reservation_monitor(monitor);
  // A page whose stores must now be reported leaves DMI (bind() asks direct_store_allowed).
  device_ = monitor.attach_device([this](uint64_t page) {
    constexpr unsigned kBits = platform::ReservationMonitor::kPageBits;
    if (page == platform::ReservationMonitor::kAllPages)
      rebind(0, ~uint64_t(0));
    else
      rebind(page << kBits, ((page + 1) << kBits) - 1);
  });
}

// ---------------------------------------------------------------- registers

void PvmCore::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  const unsigned len = gp.get_data_length();
  if (gp.get_byte_enable_ptr() || gp.get_streaming_width() < len) {
    gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return;
  }
  if (gp.is_read() || gp.is_write()) {
    const bool ok = access(gp.get_address(), gp.get_data_ptr(), len, gp.is_write(), false);
    gp.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
  } else {
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  delay += config_.latency;
}

unsigned PvmCore::transport_dbg(tlm::tlm_generic_payload& gp) {
  if (!gp.is_read() && !gp.is_write()) return 0;
  return access(gp.get_address(), gp.get_data_ptr(), gp.get_data_length(), gp.is_write(), true)
             ? gp.get_data_length()
             : 0;
}

// 4-byte accesses to 32-bit registers and to either half of a 64-bit one; 8-byte accesses to
// 64-bit registers. Debug writes set values but never run commands.
bool PvmCore::access(uint64_t offset, uint8_t* data, unsigned len, bool is_write, bool debug) {
  if ((len != 4 && len != 8) || offset % len || offset >= kSize) return false;
  const uint64_t word = offset & ~uint64_t(7);  // the 64-bit register (if any) holding it
  const unsigned shift = unsigned(offset - word) * 8;
  auto wide = [&](uint64_t& reg) {
    if (is_write) {
      uint64_t v = 0;
      for (unsigned i = 0; i < len; ++i) v |= uint64_t(data[i]) << (8 * i);
      const uint64_t mask = len == 8 ? ~uint64_t(0) : uint64_t(0xFFFFFFFF) << shift;
      reg = (reg & ~mask) | ((v << shift) & mask);
    } else {
      const uint64_t v = reg >> shift;
      for (unsigned i = 0; i < len; ++i) data[i] = uint8_t(v >> (8 * i));
    }
    return true;
  };
  if (word >= kRegs && word < kRegs + 8 * PVM_NUM_REGS) return wide(regs_[(word - kRegs) / 8]);
  if (word == kProgAddr) return wide(prog_addr_);
  if (word == kGas) return wide(gas_);
  if (word == kGasUsed) return is_write ? false : wide(gas_used_);
  if (word == kArgsAddr) return wide(args_addr_);
  if (len != 4) return false;
  auto read32 = [data](uint32_t v) {
    for (unsigned i = 0; i < 4; ++i) data[i] = uint8_t(v >> (8 * i));
    return true;
  };
  if (offset >= kRegion && offset < kRegion + 16 * kRegions) {  // the region map (read-only)
    if (is_write) return false;
    const WindowRegion& r = regions_[(offset - kRegion) / 16];
    const uint32_t fields[4] = {r.addr, r.size, uint32_t(r.offset), uint32_t(r.access)};
    return read32(fields[(offset - kRegion) % 16 / 4]);
  }
  if (offset == kHeapPointer) return !is_write && read32(vm_ ? pvm_get_heap_pointer(vm_) : 0);
  uint32_t v = 0;
  for (unsigned i = 0; i < 4; ++i) v |= uint32_t(data[i]) << (8 * i);
  uint32_t* reg = nullptr;
  bool writable = true;
  switch (offset) {
    case kId: {
      uint32_t id = kIdValue;
      reg = &id;
      if (is_write) return false;
      for (unsigned i = 0; i < 4; ++i) data[i] = uint8_t(id >> (8 * i));
      return true;
    }
    case kStatus: reg = &status_; writable = false; break;
    case kHostIndex: reg = &host_index_; writable = false; break;
    case kPc: reg = &pc_; writable = false; break;
    case kFaultAddr: reg = &fault_; writable = false; break;
    case kError: reg = &error_; writable = false; break;
    case kProgLen: reg = &prog_len_; break;
    case kEntryPc: reg = &entry_pc_; break;
    case kIrqEnable: reg = &irq_enable_; break;
    case kMapAddr: reg = &map_addr_; break;
    case kMapLen: reg = &map_len_; break;
    case kMapAccess: reg = &map_access_; break;
    case kProgFormat: reg = &prog_format_; break;
    case kArgsLen: reg = &args_len_; break;
    case kIrqStatus:
      if (is_write) {
        irq_status_ &= ~v;
        update_irq();
        return true;
      }
      reg = &irq_status_;
      break;
    case kCommand:
      if (!is_write) return false;
      if (!debug) command(v);
      return true;
    default: return false;
  }
  if (is_write) {
    if (!writable) return false;
    *reg = v;
    if (reg == &irq_enable_) update_irq();
  } else {
    read32(*reg);
  }
  return true;
}

void PvmCore::command(uint32_t c) {
  error_ = kNoError;
  if (status_ == kRunning && c != kStop) {
    error_ = kBusy;
    return;
  }
  switch (c) {
    case kLoad: {
      const Error e = load();
      if (e != kNoError) {
        status_ = kFailed;
        error_ = e;
      }
      return;
    }
    case kMap: {
      const pvm_access a = map_access_ == 0   ? PVM_ACCESS_NONE
                           : map_access_ == 1 ? PVM_ACCESS_READ
                           : map_access_ == 3 ? PVM_ACCESS_WRITE
                                              : pvm_access(-1);
      if (!vm_) error_ = kNotLoaded;
      else if (int(a) < 0 || !map(map_addr_, map_len_, a)) error_ = kBadMap;
      return;
    }
    case kStart:
    case kResume:
      if (!vm_) {
        error_ = kNotLoaded;
        return;
      }
      if (c == kResume && status_ != kHostCall && status_ != kPageFault && status_ != kOutOfGas) {
        error_ = kBadCommand;
        return;
      }
      resume_ = c == kResume;
      status_ = kRunning;
      run_pending_ = true;
      run_event_.notify(sc_core::SC_ZERO_TIME);
      return;
    case kStop:
      if (status_ == kRunning) run_pending_ = false;  // the run ends after its current slice
      else status_ = vm_ ? kIdle : status_;
      return;
    default: error_ = kBadCommand;
  }
}

// ---------------------------------------------------------------- program and memory window

// A loader's access to platform memory: the debug transport (no time, no DMI).
bool PvmCore::read_platform(uint64_t addr, uint8_t* data, uint32_t len) {
  return platform::debug_transfer(mem, tlm::TLM_READ_COMMAND, addr, data, len) == len;
}

bool PvmCore::write_platform(uint64_t addr, const uint8_t* data, uint32_t len) {
  return debug_write(mem, addr, data, len) == len;
}

bool plan_window(const pvm_memory_info& info, uint32_t args_len, uint64_t window_size, WindowRegion out[kRegions]) {
  for (unsigned i = 0; i < kRegions; ++i) out[i] = WindowRegion{};
  if (info.rw_address == 0) return true;  // no layout (a bare A.2 blob)
  auto round_up = [](uint64_t x) { return (x + kPage - 1) / kPage * kPage; };
  const uint64_t args_size = info.args_address ? round_up(args_len) : 0;
  const uint64_t stack_size = uint64_t(info.stack_high) - info.stack_low;
  if (args_size + stack_size > window_size) return false;
  const uint64_t args_offset = window_size - args_size, stack_offset = args_offset - stack_size;
  const uint64_t ro_end = uint64_t(info.ro_address) + info.ro_size, rw_end = uint64_t(info.rw_address) + info.rw_size;
  if (ro_end > stack_offset || rw_end > stack_offset) return false;
  // The heap: from the read-write data up to the stack's offset (or the layout's own limit).
  uint64_t heap_end = stack_offset;
  if (info.heap_limit) heap_end = std::min<uint64_t>(heap_end, info.heap_limit / kPage * kPage);
  heap_end = std::max(heap_end, rw_end);
  if (info.ro_size) out[kRegionRo] = {info.ro_address, info.ro_size, info.ro_address, PVM_ACCESS_READ};
  if (heap_end > info.rw_address)
    out[kRegionRw] = {info.rw_address, uint32_t(heap_end - info.rw_address), info.rw_address, PVM_ACCESS_WRITE};
  if (stack_size) out[kRegionStack] = {info.stack_low, uint32_t(stack_size), stack_offset, PVM_ACCESS_WRITE};
  if (args_size) out[kRegionArgs] = {info.args_address, uint32_t(args_size), args_offset, PVM_ACCESS_READ};
  return true;
}

PvmCore::Error PvmCore::load() {
  pvm_destroy(vm_);
  vm_ = nullptr;
  mappings_.clear();
  for (WindowRegion& r : regions_) r = WindowRegion{};
  resume_ = false;
  if (prog_len_ == 0 || prog_len_ > config_.max_program || prog_format_ > PVM_BLOB_POLKAVM) return kBadProgram;
  std::vector<uint8_t> blob(prog_len_);
  if (!read_platform(prog_addr_, blob.data(), prog_len_)) return kBadProgram;
  if (args_len_ > kMaxArgs) return kBadArgs;
  std::vector<uint8_t> args(args_len_);
  if (args_len_ && !read_platform(args_addr_, args.data(), args_len_)) return kBadArgs;
  pvm_config c{};
  c.backend = config_.backend;
  c.memory = PVM_MEMORY_CHECKED;  // pages are bound to platform memory
  c.gp = config_.gp;
  c.flags = PVM_CONFIG_COUNT_INSTRUCTIONS;
  pvm_module* m = pvm_module_create(&c, pvm_blob_format(prog_format_), blob.data(), blob.size(), nullptr);
  if (!m) return kBadProgram;
  pvm_memory_info info{};
  pvm_module_get_memory_info(m, &info);
  Error e = kNoError;
  if (args_len_ && !info.args_address) e = kBadArgs;  // arguments need a standard program
  else if (!plan_window(info, args_len_, config_.window_size, regions_)) e = kNoFit;
  else if (!(vm_ = pvm_instance_create(m, args.data(), args.size(), nullptr))) e = kBadProgram;
  pvm_module_destroy(m);
  if (e == kNoError) {
    pvm_set_memory_callback(vm_, &PvmCore::window_access, this);
    if (info.rw_address == 0) {
      // No layout: the whole window above 64 KiB is bound, inaccessible, at offset = PVM address
      // (as the firmware's MAP finds it); sbrk grows into it (never past it), not into libpvm's memory.
      const uint64_t top = std::min<uint64_t>(config_.window_size, uint64_t(1) << 32);
      if (top > kLowLimit) {
        bind(kLowLimit, uint32_t(top - kLowLimit), PVM_ACCESS_NONE);
        mappings_.push_back({kLowLimit, uint32_t(top - kLowLimit)});
      }
      pvm_set_heap_limit(vm_, top >> 32 ? 0 : uint32_t(std::max<uint64_t>(top, kLowLimit)));
    } else if (!apply_layout(uint32_t(std::min<uint64_t>(uint64_t(info.rw_address) + info.rw_size, 0xFFFFFFFFu)))) {
      e = kNoFit;  // the window's memory refused the layout's bytes
    }
  }
  if (e != kNoError) {
    pvm_destroy(vm_);
    vm_ = nullptr;
    mappings_.clear();
    for (WindowRegion& r : regions_) r = WindowRegion{};
    return e;
  }
  pvm_get_regs(vm_, regs_);  // as the layout sets them (r0 = halt address, r1 = stack top, r7/r8 arguments)
  gas_used_ = 0;
  status_ = kIdle;
  pc_ = fault_ = host_index_ = 0;
  return kNoError;
}

// The window offset of PVM address addr: the stack and the argument area are moved to the top of
// the window; every other address keeps its value.
uint64_t PvmCore::window_offset(uint32_t addr) const {
  for (unsigned i : {kRegionStack, kRegionArgs}) {
    const WindowRegion& r = regions_[i];
    if (r.size && addr - r.addr < r.size) return r.offset + (addr - r.addr);
  }
  return addr;
}

// The region map (plan_window) put in place: each region's initial bytes (from the instance
// libpvm set up: data, zeros, arguments) are copied into its slice of the window, and its pages
// bound there with the layout's access. The heap pages above the read-write data [rw_end, end of
// the read-write region) are zeroed and bound inaccessible: the guest's sbrk makes them
// read-write, and they stay window memory. Gaps stay unbound (a page fault the firmware sees).
bool PvmCore::apply_layout(uint32_t rw_end) {
  std::vector<uint8_t> bytes;
  const std::vector<uint8_t> zeros(1u << 16, 0);
  for (unsigned i = 0; i < kRegions; ++i) {
    const WindowRegion& r = regions_[i];
    if (r.size == 0) continue;
    const uint32_t filled = i == kRegionRw ? rw_end - r.addr : r.size;  // the rest: heap to grow into
    bytes.assign(filled, 0);
    if (filled && pvm_read_memory(vm_, r.addr, bytes.data(), filled) != 0) return false;
    if (!write_platform(config_.window_base + r.offset, bytes.data(), filled)) return false;
    for (uint32_t done = filled; done < r.size;) {  // the heap sbrk may grow into reads as zeros
      const uint32_t n = std::min<uint32_t>(r.size - done, uint32_t(zeros.size()));
      if (!write_platform(config_.window_base + r.offset + done, zeros.data(), n)) return false;
      done += n;
    }
    if (filled) bind(r.addr, filled, r.access);
    if (filled < r.size) bind(r.addr + filled, r.size - filled, PVM_ACCESS_NONE);
    mappings_.push_back({r.addr, r.size});
    stat_layout_pages_ += r.size / kPage;
  }
  if (regions_[kRegionRw].size)
    pvm_set_heap_limit(vm_, regions_[kRegionRw].addr + regions_[kRegionRw].size);  // sbrk stays in the window
  return true;
}

// MAP: window offset = PVM address. Refused for a range outside the window, or one touching the
// stack or argument area (their PVM pages or their slices at the top of the window). Access none
// keeps the pages bound to the window (inaccessible; a later sbrk there stays in the window).
bool PvmCore::map(uint32_t addr, uint32_t len, pvm_access access) {
  if (addr % kPage || len % kPage || len == 0 || uint64_t(addr) + len > config_.window_size) return false;
  for (unsigned i : {kRegionStack, kRegionArgs}) {
    const WindowRegion& r = regions_[i];
    if (!r.size) continue;
    if (addr < uint64_t(r.addr) + r.size && r.addr < uint64_t(addr) + len) return false;
    if (addr < r.offset + r.size && r.offset < uint64_t(addr) + len) return false;
  }
  bind(addr, len, access);
  mappings_.push_back({addr, len});
  return true;
}

// Binds [addr, addr+len) (page aligned, one contiguous range of window offsets) to the window:
// DMI where granted (write access asked for unless read-only: inaccessible pages may become
// read-write by sbrk or MAP), else pages whose accesses become transactions.
void PvmCore::bind(uint32_t addr, uint32_t len, pvm_access access) {
  const bool write = access != PVM_ACCESS_READ;
  const uint64_t first = config_.window_base + window_offset(addr);
  uint64_t a = addr;
  const uint64_t end = uint64_t(addr) + len;
  while (a < end) {
    const uint64_t platform = first + (a - addr);
    tlm::tlm_generic_payload gp;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(platform);
    tlm::tlm_dmi dmi;
    uint64_t chunk = 0;
    if (mem->get_direct_mem_ptr(gp, dmi) && dmi.get_dmi_ptr() && dmi.get_start_address() <= platform &&
        (write ? dmi.is_write_allowed() : dmi.is_read_allowed())) {
      const uint64_t last = std::min<uint64_t>(dmi.get_end_address(), first + (end - addr) - 1);
      chunk = last >= platform ? (last - platform + 1) / kPage * kPage : 0;
      if (write && !direct_store_allowed(platform, chunk)) {  // only up to the first page that must report
        uint64_t direct = 0;
        while (direct < chunk && direct_store_allowed(platform + direct, kPage)) direct += kPage;
        chunk = direct;
      }
      uint8_t* host = dmi.get_dmi_ptr() + (platform - dmi.get_start_address());
      if (chunk && pvm_map_external(vm_, uint32_t(a), uint32_t(chunk), host, access) == 0) {
        if (access != PVM_ACCESS_NONE) stat_dmi_pages_ += chunk / kPage;
        a += chunk;
        continue;
      }
    }
    pvm_map_callback(vm_, uint32_t(a), kPage, access);  // no DMI here: one page of transactions
    a += kPage;
  }
}

// Pages without DMI: each PVM access is a b_transport at window_base + its window offset; its
// delay goes to the quantum keeper. Nonzero refuses (the PVM stops with a page fault there).
int PvmCore::window_access(void* self, uint32_t addr, void* data, uint32_t len, int is_write) {
  auto* core = static_cast<PvmCore*>(self);
  tlm::tlm_generic_payload gp;
  gp.set_command(is_write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  gp.set_address(core->config_.window_base + core->window_offset(addr));
  gp.set_data_ptr(static_cast<uint8_t*>(data));
  gp.set_data_length(len);
  gp.set_streaming_width(len);
  gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  sc_core::sc_time delay = core->qk_.get_local_time();
  core->transport(core->mem, gp, delay);
  core->qk_.set(delay);
  ++core->stat_transactions_;
  return gp.is_response_ok() ? 0 : 1;
}

// The target took DMI back: bind the window pages in that range again.
void PvmCore::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) { rebind(start, end); }

// Binds the window pages in the platform range [start, end] again with their current access (sbrk
// and MAP change it), DMI again if granted and allowed, else transactions.
void PvmCore::rebind(uint64_t start, uint64_t end) {
  if (!vm_) return;
  for (const Mapping& m : mappings_) {
    const uint64_t lo = config_.window_base + window_offset(m.addr), hi = lo + m.len - 1;
    if (lo > end || start > hi) continue;
    uint32_t run = m.addr;
    pvm_access run_access = pvm_page_access(vm_, run);
    for (uint64_t a = uint64_t(m.addr) + kPage;; a += kPage) {
      const bool last = a >= uint64_t(m.addr) + m.len;
      const pvm_access access = last ? run_access : pvm_page_access(vm_, uint32_t(a));
      if (last || access != run_access) {
        bind(run, uint32_t(a - run), run_access);
        if (last) break;
        run = uint32_t(a);
        run_access = access;
      }
    }
  }
}

// ---------------------------------------------------------------- execution

void PvmCore::run_thread() {
  const sc_core::sc_time quantum = tlm_utils::tlm_quantumkeeper::get_global_quantum();
  // Gas per slice: one quantum's worth (at least 1000, so tiny quanta do not slice every block).
  const uint64_t per_quantum =
      config_.gas_period > sc_core::SC_ZERO_TIME && quantum > sc_core::SC_ZERO_TIME
          ? uint64_t(quantum / config_.gas_period)
          : std::numeric_limits<uint64_t>::max();
  for (;;) {
    activity_.set_asleep(true);
    sc_core::wait(run_event_);
    if (!run_pending_ || !vm_) continue;
    activity_.set_asleep(false);
    qk_.reset();
    if (!resume_) pvm_set_pc(vm_, entry_pc_);
    pvm_set_regs(vm_, regs_);
    ++stat_runs_;
    uint64_t remaining = std::min<uint64_t>(gas_, uint64_t(std::numeric_limits<int64_t>::max()));
    uint64_t slice = std::max<uint64_t>(per_quantum, 1000);
    pvm_status s;
    for (;;) {
      const int64_t given = int64_t(std::min(remaining, slice));
      const uint64_t instructions = pvm_instruction_count(vm_);
      pvm_set_gas(vm_, given);
      s = pvm_run(vm_);
      const int64_t left = pvm_get_gas(vm_);
      const uint64_t used = left < given ? uint64_t(given - left) : 0;
      remaining -= used;
      stat_gas_ += used;
      gas_used_ += used;
      stat_instructions_ += pvm_instruction_count(vm_) - instructions;
      qk_.inc(config_.gas_period * double(used));
      if (qk_.need_sync()) qk_.sync();
      // Out of the slice's gas, not the program's: go on (a block dearer than a slice gets all).
      if (s == PVM_OUT_OF_GAS && uint64_t(given) < remaining + used && run_pending_) {
        if (used == 0) slice = remaining;
        continue;
      }
      break;
    }
    qk_.sync();
    gas_ = remaining;
    if (!run_pending_) {  // STOP during the run
      pvm_get_regs(vm_, regs_);
      pc_ = pvm_get_pc(vm_);
      status_ = kIdle;
      resume_ = false;
      irq_status_ |= 1;
      update_irq();
      continue;
    }
    run_pending_ = false;
    stopped(s);
  }
}

void PvmCore::stopped(pvm_status s) {
  pvm_get_regs(vm_, regs_);
  pc_ = pvm_get_pc(vm_);
  switch (s) {
    case PVM_HALT: status_ = kHalt; break;
    case PVM_OUT_OF_GAS: status_ = kOutOfGas; break;
    case PVM_PAGE_FAULT:
      status_ = kPageFault;
      fault_ = pvm_fault_address(vm_);
      ++stat_faults_;
      break;
    case PVM_HOST_CALL:
      status_ = kHostCall;
      host_index_ = pvm_host_call_index(vm_);
      ++stat_host_calls_;
      break;
    default: status_ = kPanic; break;
  }
  irq_status_ |= 1;
  update_irq();
}

}  // namespace vp::pvmcore
