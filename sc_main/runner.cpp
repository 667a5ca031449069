#include "sc_main/runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "debug/gdb_server.h"
#include "models/devices/console_backend.h"
#include "models/mem/elf_file.h"
#include "platform/activity.h"
#include "platform/processor.h"
#include "platform/simulation.h"
#include "platform/statistics.h"
#include "platform/terminal.h"
#include "platform/trace_events.h"
#include "platform/units.h"

namespace vp {
namespace {

using platform::Platform;

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted = true; }
// Console keys (Ctrl-A x, Ctrl-A c), set on the console's reader thread.
std::atomic<bool> g_console_quit{false};
std::atomic<bool> g_console_status{false};
const char* const kConsoleQuit = "quit from the console (Ctrl-A x)";

std::vector<platform::Processor*> processors(Platform& p) {
  std::vector<platform::Processor*> out;
  for (const auto& i : p.instances())
    if (auto* cpu = dynamic_cast<platform::Processor*>(i.component.get())) out.push_back(cpu);
  return out;
}

struct Region {
  uint64_t base = 0, size = 0;
  std::string name;
};

// The main RAM: the largest mem.ram window on the system bus.
std::optional<Region> main_ram(const Platform& p) {
  std::optional<Region> best;
  for (const auto& w : p.address_map()) {
    const auto* inst = p.instance(w.target);
    if (!inst || inst->type != "mem.ram") continue;
    if (!best || w.size > best->size) best = Region{w.base, w.size, w.target};
  }
  return best;
}

std::optional<Region> boot_rom(const Platform& p) {
  std::optional<Region> best;
  for (const auto& w : p.address_map()) {
    const auto* inst = p.instance(w.target);
    if (inst && inst->type == "mem.rom" && (!best || w.base < best->base)) best = Region{w.base, w.size, w.target};
  }
  return best;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

void write_or_fail(const Platform& p, uint64_t addr, const void* data, size_t len, const std::string& what) {
  if (len == 0) return;
  size_t done = p.write_physical(addr, data, len);
  if (done != len)
    throw mem::LoadError(what + ": " + std::to_string(len) + " bytes at " + hex(addr) +
                         " do not fit in mapped memory (the bytes from " + hex(addr + done) + " have nowhere to go)");
}

// Zero-fills [addr, addr + len) in bounded chunks (RAM models keep whole zero
// pages sparse, so a large .bss costs no host memory).
void zero_fill(const Platform& p, uint64_t addr, uint64_t len, const std::string& what) {
  static const std::vector<uint8_t> zeros(1 << 20, 0);
  for (uint64_t done = 0; done < len;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), len - done));
    write_or_fail(p, addr + done, zeros.data(), n, what);
    done += n;
  }
}

// "ram 0x80000000-0x8fffffff, rom 0x1000-0xffff": the memories a file could go to.
std::string memory_summary(const Platform& p) {
  std::string out;
  for (const auto& w : p.address_map()) {
    const auto* inst = p.instance(w.target);
    if (!inst || inst->type.rfind("mem.", 0) != 0) continue;
    out += (out.empty() ? "" : ", ") + w.target + " " + hex(w.base) + "-" + hex(w.base + w.size - 1);
  }
  return out.empty() ? "the platform maps no memory" : "mapped memory: " + out;
}

// The ELF must be code for one of the platform's processors (machine and class).
void check_elf_machine(const mem::ElfFile& elf, const std::vector<platform::Processor*>& cpus, const std::string& path) {
  std::string wanted;
  for (auto* c : cpus) {
    if (!c->elf_machine()) continue;
    const unsigned bits = elf.is_64bit() ? 64 : 32;
    if (c->elf_machine() == elf.machine() && (!c->elf_class_bits() || c->elf_class_bits() == bits)) return;
    wanted = mem::elf_machine_name(c->elf_machine()) + (c->elf_class_bits() ? " " + std::to_string(c->elf_class_bits()) + "-bit" : "");
  }
  if (wanted.empty()) return;  // no processor runs ELF code: nothing to check against
  throw mem::LoadError(path + ": a " + std::to_string(elf.is_64bit() ? 64 : 32) + "-bit " +
                       mem::elf_machine_name(elf.machine()) + " ELF file (e_machine " + std::to_string(elf.machine()) +
                       "), but the platform's processors run " + wanted + " code");
}

// Loads an ELF's segments at their physical addresses; returns [lowest, highest)
// loaded. The whole placement is checked before anything is written or allocated.
std::pair<uint64_t, uint64_t> load_elf(const Platform& p, const mem::ElfFile& elf, const std::string& path,
                                       BootInfo& info) {
  std::vector<uint64_t> skips;
  for (const auto& s : elf.segments()) {
    uint64_t skip = 0;
    if (p.mapped_bytes(s.paddr, s.mem_size) < s.mem_size) {
      // `ld -Ttext=ADDR` puts the ELF and program headers in the first segment,
      // below .text: bytes that belong to no section may lie outside memory.
      const auto first = p.first_mapped(s.paddr, s.mem_size);
      const uint64_t lead = first ? *first - s.paddr : s.mem_size;
      const bool headers_only = lead > 0 && lead <= s.data.size() && !elf.section_in(s.vaddr, lead);
      if (!headers_only || p.mapped_bytes(*first, s.mem_size - lead) < s.mem_size - lead) {
        const uint64_t bad = lead > 0 ? s.paddr : s.paddr + p.mapped_bytes(s.paddr, s.mem_size);
        throw mem::LoadError(path + ": segment " + std::to_string(s.index) + " (" + hex(s.paddr) + "-" +
                             hex(s.paddr + s.mem_size - 1) + ", " + std::to_string(s.mem_size) +
                             " bytes) does not fit in mapped memory: " + hex(bad) + " is not mapped (" +
                             memory_summary(p) + ")");
      }
      skip = lead;
      info.notes.push_back(path + ": segment " + std::to_string(s.index) + " starts with " + std::to_string(lead) +
                           " bytes of ELF headers below mapped memory (" + hex(s.paddr) + "); loaded from " +
                           hex(*first));
    }
    skips.push_back(skip);
  }
  uint64_t lo = UINT64_MAX, hi = 0;
  for (size_t i = 0; i < elf.segments().size(); ++i) {
    const auto& s = elf.segments()[i];
    const uint64_t skip = skips[i];
    write_or_fail(p, s.paddr + skip, s.data.data() + skip, s.data.size() - skip, path);
    if (s.mem_size > s.data.size()) zero_fill(p, s.paddr + s.data.size(), s.mem_size - s.data.size(), path + " (.bss)");
    lo = std::min(lo, s.paddr + skip);
    hi = std::max(hi, s.paddr + s.mem_size);
  }
  info.notes.push_back("loaded " + path + ": " + std::to_string(elf.is_64bit() ? 64 : 32) + "-bit " +
                       mem::elf_machine_name(elf.machine()) + " ELF, " + hex(lo) + "-" + hex(hi - 1) + ", entry " +
                       hex(elf.entry()));
  return {lo, hi};
}

// Reads a raw image for --bios/--kernel/--load; an empty file is a mistake, not a program.
std::vector<uint8_t> read_raw_image(const std::string& path, const char* option) {
  auto bytes = mem::read_file(path);
  if (bytes.empty()) throw mem::LoadError(std::string(option) + " " + path + ": the file is empty");
  return bytes;
}

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }
uint64_t align_down(uint64_t v, uint64_t a) { return v & ~(a - 1); }

// "simulated 1.2 ms, host 3 s, cpu0: pc 0x80000010 <main+0x4>, M-mode, ..."
std::string status(const std::vector<platform::Processor*>& cpus, double host_seconds) {
  std::string line = "vp: simulated " + sc_core::sc_time_stamp().to_string();
  char buf[64];
  std::snprintf(buf, sizeof buf, ", host %.1f s", host_seconds);
  line += buf;
  for (auto* c : cpus) line += "; " + c->status_line();
  return line;
}

// A module that ends the run on Ctrl-C (or Ctrl-A x), prints progress and
// status lines, notices when every processor sleeps with nothing that can
// wake it, and paces idle stretches (--idle realtime). It wakes on simulated
// time, so it costs nothing measurable.
class RunMonitor : public sc_core::sc_module {
 public:
  RunMonitor(const sc_core::sc_module_name& name, std::vector<platform::Processor*> cpus, bool progress,
             bool idle_realtime)
      : sc_core::sc_module(name), cpus_(std::move(cpus)), progress_(progress), idle_realtime_(idle_realtime) {
    SC_HAS_PROCESS(RunMonitor);
    SC_THREAD(watch);
  }

  // Host seconds slept by pace_idle().
  double idle_slept_seconds() const { return slept_; }

 private:
  using Clock = std::chrono::steady_clock;

  // While every initiator sleeps (platform::Activity), simulated time advances
  // no faster than the host clock from where the idle stretch began: an idle
  // guest costs no host CPU and its clock keeps wall time. Busy stretches are
  // never slowed, and the time they lagged is not made up later.
  void pace_idle() {
    if (!platform::Activity::all_asleep()) {
      idle_ = false;
      return;
    }
    const Clock::time_point now = Clock::now();
    const double sim = sc_core::sc_time_stamp().to_seconds();
    const auto due = idle_host_ + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(sim - idle_sim_));
    // A new idle stretch, or the host fell behind (a debugger pause, a burst
    // of device events): start from here rather than race to catch up.
    if (!idle_ || now - due > std::chrono::milliseconds(10)) {
      idle_ = true;
      idle_host_ = now;
      idle_sim_ = sim;
      return;
    }
    if (due <= now) return;
    std::this_thread::sleep_until(due);
    slept_ += std::chrono::duration<double>(Clock::now() - now).count();
  }

  void watch() {
    auto last_print = std::chrono::steady_clock::now();
    auto start = last_print;
    uint64_t last_instr = 0;
    double last_slept = 0;
    bool parked_reported = false;
    for (;;) {
      wait(sc_core::sc_time(1, sc_core::SC_MS));
      if (idle_realtime_) pace_idle();
      if (g_interrupted) {
        platform::request_stop(130, "interrupted (Ctrl-C)");
        return;
      }
      if (g_console_quit) {
        platform::request_stop(130, kConsoleQuit);
        return;
      }
      auto now = std::chrono::steady_clock::now();
      if (g_console_status.exchange(false))
        platform::message(status(cpus_, std::chrono::duration<double>(now - start).count()));
      if (!parked_reported && all_parked()) {
        parked_reported = true;
        const std::string why = "every processor waits for an interrupt (wfi) or spins in a jump to itself, with "
                                "every interrupt disabled";
        switch (platform::stuck_policy()) {
          case platform::StuckPolicy::kStop:
            platform::request_stop(platform::kStuckExitCode, why);
            return;
          case platform::StuckPolicy::kPause:
            platform::request_pause(why);
            break;
          case platform::StuckPolicy::kContinue:
            for (auto* c : cpus_) platform::message(c->stuck_report() + "  (--on-stuck=continue: the run goes on)");
            break;
        }
      }
      if (!progress_) continue;
      double since = std::chrono::duration<double>(now - last_print).count();
      if (since < 5.0) continue;
      uint64_t instr = 0;
      for (auto* c : cpus_) instr += c->instructions_retired();
      char buf[160];
      const double busy = std::max(1e-9, since - (slept_ - last_slept));  // not asleep with an idle guest
      std::snprintf(buf, sizeof buf, "vp: progress: simulated %s, host %.0f s, %.1f MIPS",
                    sc_core::sc_time_stamp().to_string().c_str(),
                    std::chrono::duration<double>(now - start).count(), (instr - last_instr) / busy / 1e6);
      platform::message(buf);
      last_print = now;
      last_instr = instr;
      last_slept = slept_;
    }
  }

  bool all_parked() const {
    for (auto* c : cpus_)
      if (!c->parked()) return false;
    return !cpus_.empty();
  }

  std::vector<platform::Processor*> cpus_;
  bool progress_;
  bool idle_realtime_;
  bool idle_ = false;  // every initiator slept at the last tick
  Clock::time_point idle_host_;
  double idle_sim_ = 0, slept_ = 0;  // seconds
};

// Periodic statistics snapshots (--stats-interval), in simulated time.
std::vector<platform::Statistics::Snapshot> g_stats_snapshots;

class StatsSampler : public sc_core::sc_module {
 public:
  StatsSampler(const sc_core::sc_module_name& name, uint64_t interval_ps)
      : sc_core::sc_module(name), interval_(static_cast<double>(interval_ps), sc_core::SC_PS) {
    SC_HAS_PROCESS(StatsSampler);
    SC_THREAD(sample);
  }

 private:
  void sample() {
    for (;;) {
      wait(interval_);
      g_stats_snapshots.push_back(platform::Statistics::global().snapshot(
          static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5)));
    }
  }
  sc_core::sc_time interval_;
};

// --detail-start: "marker", a decimal instruction count, 0xPC, or an ELF symbol.
platform::DetailRegion detail_region(const RunOptions& o) {
  using Start = platform::DetailRegion::Start;
  platform::DetailRegion r;
  r.warmup = o.warmup;
  r.count = o.detail_count;
  r.period = o.sample_period;
  r.functional_warm = o.functional_warm;
  if (r.period && (!r.count || r.period <= r.warmup + r.count))
    throw std::runtime_error("--sample-period needs --detail-count, and a period longer than --warmup + --detail-count");
  const std::string& s = o.detail_start;
  if (s == "marker") {
    r.start = Start::kMarker;
  } else if (s.rfind("0x", 0) == 0 || s.rfind("0X", 0) == 0) {
    auto pc = platform::parse_integer(s);
    if (!pc) throw std::runtime_error("--detail-start: '" + s + "' is not an address");
    r.start = Start::kPc;
    r.at = *pc;
  } else if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos) {
    auto n = platform::parse_integer(s);
    if (!n) throw std::runtime_error("--detail-start: '" + s + "' is not an instruction count");
    r.start = *n ? Start::kInstructions : Start::kReset;
    r.at = *n;
  } else {
    std::optional<uint64_t> pc;
    for (const std::string* file : {&o.kernel, &o.bios})
      if (!pc && !file->empty() && mem::ElfFile::is_elf(*file)) pc = mem::ElfFile::load(*file).symbol(s);
    if (!pc)
      throw std::runtime_error("--detail-start: '" + s + "' is not marker, an instruction count, an address "
                               "or a symbol of the --kernel/--bios ELF");
    r.start = Start::kPc;
    r.at = *pc;
  }
  if (r.functional_warm && !r.period && r.start != Start::kInstructions)
    throw std::runtime_error("--functional-warm needs --detail-start N (an instruction count) or --sample-period");
  return r;
}

void apply_detail_region(const std::vector<platform::Processor*>& cpus, const RunOptions& o) {
  if (!o.bbv_file.empty()) {
    if (cpus.empty() || !cpus[0]->set_bbv(o.bbv_file, o.bbv_interval))
      throw std::runtime_error("--bbv: the first processor cannot count basic blocks");
  } else if (o.bbv_interval_set) {
    throw std::runtime_error("--bbv-interval needs --bbv FILE");
  }
  if (o.detail_start.empty()) {
    if (o.warmup || o.detail_count || o.sample_period || o.functional_warm)
      throw std::runtime_error("--warmup, --detail-count, --sample-period and --functional-warm need --detail-start");
    return;
  }
  const platform::DetailRegion r = detail_region(o);
  for (auto* c : cpus)
    if (!c->set_detail_region(r)) throw std::runtime_error("--detail-start: a processor has no timing model");
}

void add_symbols(platform::SymbolTable& table, const mem::ElfFile& elf, const std::string& path) {
  std::vector<platform::SymbolTable::Symbol> syms;
  syms.reserve(elf.symbols().size());
  for (const auto& s : elf.symbols())
    if (!s.absolute && !s.undefined) syms.push_back({s.name, s.value, s.size, s.function});
  table.add(syms, path);
}

// A trace window edge: a decimal instruction count, a 0x address, or a symbol.
void resolve_point(const std::string& option, const std::string& text, const platform::SymbolTable& symbols,
                   uint64_t& pc, uint64_t& count) {
  if (text.empty()) return;
  if (text.find_first_not_of("0123456789") == std::string::npos) {
    auto n = platform::parse_integer(text);
    if (!n || !*n) throw std::runtime_error(option + ": the instruction count must be at least 1, found '" + text + "'");
    count = *n;
    return;
  }
  if (text.rfind("0x", 0) == 0 || text.rfind("0X", 0) == 0) {
    auto a = platform::parse_integer(text);
    if (!a) throw std::runtime_error(option + ": expected an address such as 0x80000000, found '" + text + "'");
    pc = *a;
    return;
  }
  auto a = symbols.find(text);
  if (!a)
    throw std::runtime_error(option + ": no symbol '" + text + "' in the loaded ELF files" +
                             (symbols.empty() ? " (no ELF file with symbols was loaded)" : ""));
  pc = *a;
}

platform::TraceFilter trace_filter(const RunOptions& o, const platform::SymbolTable& symbols) {
  platform::TraceFilter f;
  resolve_point("--trace-start", o.trace_start, symbols, f.start_pc, f.start_count);
  resolve_point("--trace-stop", o.trace_stop, symbols, f.stop_pc, f.stop_count);
  for (const auto& r : o.trace_ranges) {
    const size_t dash = r.find('-');
    if (dash != std::string::npos && dash > 0) {
      auto lo = platform::parse_integer(r.substr(0, dash)), hi = platform::parse_integer(r.substr(dash + 1));
      if (!lo || !hi || *hi <= *lo)
        throw std::runtime_error("--trace-range: expected LO-HI with LO < HI (0x80000000-0x80001000), found '" + r + "'");
      f.ranges.emplace_back(*lo, *hi);
      continue;
    }
    auto a = symbols.find(r);
    uint64_t start = 0, end = 0;
    if (!a || !symbols.containing(*a, &start, &end))
      throw std::runtime_error("--trace-range: '" + r + "' is neither LO-HI nor a symbol of the loaded ELF files");
    f.ranges.emplace_back(start, end);
  }
  if (!o.trace_priv.empty()) {
    f.priv_mask = 0;
    for (char c : o.trace_priv) {
      switch (std::toupper(static_cast<unsigned char>(c))) {
        case 'U': f.priv_mask |= 1; break;
        case 'S': f.priv_mask |= 2; break;
        case 'M': f.priv_mask |= 8; break;
        case ',': break;
        default: throw std::runtime_error("--trace-priv: expected privilege levels such as M,S,U, found '" + o.trace_priv + "'");
      }
    }
  }
  f.traps_only = o.trace_traps;
  return f;
}

}  // namespace

// One per process, like the simulation itself.
RunMonitor* g_monitor = nullptr;
StatsSampler* g_stats_sampler = nullptr;

void write_statistics(const RunOptions& o) {
  if (o.stats_file.empty()) return;
  using platform::Statistics;
  const auto format = o.stats_format.empty() ? Statistics::format_for_path(o.stats_file)
                                             : Statistics::parse_format(o.stats_format);
  auto snaps = g_stats_snapshots;
  for (auto& d : Statistics::global().dumps()) snaps.push_back(std::move(d));  // the guest's dump-stats markers
  std::stable_sort(snaps.begin(), snaps.end(), [](const auto& a, const auto& b) { return a.time_ps < b.time_ps; });
  snaps.push_back(Statistics::global().snapshot(
      static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5)));
  std::ofstream out(o.stats_file);
  Statistics::write(out, format, snaps);
  if (!out) throw std::runtime_error("cannot write statistics to " + o.stats_file);
}

BootInfo prepare_boot(Platform& p, const RunOptions& o) {
  BootInfo info;
  info.symbols = std::make_shared<platform::SymbolTable>();
  auto cpus = processors(p);
  if (!g_monitor) g_monitor = new RunMonitor("vp_run_monitor", cpus, o.progress, o.idle_realtime);
  if (!g_stats_sampler && o.stats_interval_ps) g_stats_sampler = new StatsSampler("vp_stats_sampler", o.stats_interval_ps);
  auto ram = main_ram(p);
  auto rom = boot_rom(p);

  uint64_t next = 0;  // where a raw payload goes
  uint64_t image_end = 0;  // end of the loaded kernel ELF (semihosting heap)
  if (!o.bios.empty()) {
    if (!ram) throw mem::LoadError("--bios: the platform has no RAM to load firmware into");
    uint64_t end;
    if (mem::ElfFile::is_elf(o.bios)) {
      auto elf = mem::ElfFile::load(o.bios);
      check_elf_machine(elf, cpus, o.bios);
      end = load_elf(p, elf, o.bios, info).second;
      add_symbols(*info.symbols, elf, o.bios);
      info.entry = elf.entry();
    } else {
      auto bytes = read_raw_image(o.bios, "--bios");
      write_or_fail(p, ram->base, bytes.data(), bytes.size(), o.bios);
      info.notes.push_back("loaded " + o.bios + ": raw binary (not ELF), " + std::to_string(bytes.size()) +
                           " bytes at " + hex(ram->base));
      end = ram->base + bytes.size();
      info.entry = ram->base;
    }
    // QEMU: the payload follows the firmware at the next 2 MiB boundary (0x80200000 for fw_jump).
    next = align_up(end, 2ull << 20);
  }
  if (!o.kernel.empty()) {
    if (mem::ElfFile::is_elf(o.kernel)) {
      auto elf = mem::ElfFile::load(o.kernel);
      check_elf_machine(elf, cpus, o.kernel);
      auto range = load_elf(p, elf, o.kernel, info);
      add_symbols(*info.symbols, elf, o.kernel);
      info.kernel_addr = range.first;
      image_end = range.second;
      if (!info.entry) info.entry = elf.entry();
      if (o.bios.empty()) {
        info.tohost = elf.symbol("tohost");
        info.fromhost = elf.symbol("fromhost");
      }
    } else {
      if (!ram) throw mem::LoadError("--kernel: the platform has no RAM to load the payload into");
      uint64_t addr = next ? next : ram->base;
      auto bytes = read_raw_image(o.kernel, "--kernel");
      write_or_fail(p, addr, bytes.data(), bytes.size(), o.kernel);
      info.notes.push_back("loaded " + o.kernel + ": raw binary (not ELF), " + std::to_string(bytes.size()) +
                           " bytes at " + hex(addr));
      info.kernel_addr = addr;
      if (!info.entry) info.entry = addr;
    }
  }

  for (const auto& [file, addr] : o.raw_images) {
    auto bytes = read_raw_image(file, "--load");
    write_or_fail(p, addr, bytes.data(), bytes.size(), file);
    info.notes.push_back("loaded " + file + ": " + std::to_string(bytes.size()) + " bytes at " + hex(addr));
  }

  // The device tree, by default at the end of the first 3 GiB of RAM, 2 MiB aligned (as QEMU).
  if (o.dtb_address || ram) {
    auto dtb = p.device_tree(o.append);
    if (o.dtb_address) {
      info.dtb_addr = *o.dtb_address;
    } else if (dtb.size() + (2ull << 20) <= ram->size) {
      uint64_t top = ram->base + std::min<uint64_t>(ram->size, 3ull << 30);
      info.dtb_addr = align_down(top - dtb.size(), 2ull << 20);
    }
    if (info.dtb_addr) write_or_fail(p, *info.dtb_addr, dtb.data(), dtb.size(), "device tree");
  }

  // Debugging and tracing, the same for every processor.
  static std::vector<std::shared_ptr<platform::SymbolTable>> keep;  // processors hold raw pointers
  keep.push_back(info.symbols);
  const platform::TraceFilter filter = trace_filter(o, *info.symbols);
  platform::SemihostingOptions semi;
  semi.enabled = o.semihosting;
  semi.root = o.semihosting_root;
  semi.cmdline = !o.kernel.empty() ? o.kernel : o.bios;
  if (ram) {
    semi.stack_base = ram->base + ram->size;
    semi.stack_limit = semi.stack_base - std::min<uint64_t>(ram->size / 4, 1 << 20);
    semi.heap_base = image_end > ram->base && image_end < semi.stack_limit ? align_up(image_end, 16) : ram->base;
    semi.heap_limit = semi.stack_limit;
  }
  if (!o.semihosting_root.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(o.semihosting_root, ec))
      throw std::runtime_error("--semihosting=" + o.semihosting_root + ": not a directory");
  }
  platform::set_stuck_policy(o.on_stuck);
  if (!o.trace_events.empty()) platform::TraceEvents::global().open(o.trace_events);
  for (auto* c : cpus) {
    c->set_symbols(info.symbols.get());
    c->set_trace_filter(filter);
    if (o.semihosting) c->set_semihosting(semi);
  }

  if (!info.entry) {
    // Nothing to boot: harts start at their own reset address.
    if (o.raw_images.empty() && !cpus.empty())
      info.warnings.push_back("no software loaded (--kernel, --bios or --load): the processors start at their "
                              "reset addresses in memory nobody wrote");
    for (auto* c : cpus) c->set_instruction_limit(o.max_instructions), c->set_trace(o.trace);
    apply_detail_region(cpus, o);
    return info;
  }

  uint64_t dtb = info.dtb_addr.value_or(0);
  if (rom) {
    // QEMU-compatible reset vector (a0 = mhartid, a1 = DTB, a2 = fw_dynamic info).
    const uint32_t code[] = {
        0x00000297,  // auipc t0, 0
        0x02828613,  // addi  a2, t0, 40
        0xf1402573,  // csrr  a0, mhartid
        0x0202b583,  // ld    a1, 32(t0)
        0x0182b283,  // ld    t0, 24(t0)
        0x00028067,  // jr    t0
    };
    const uint64_t next_addr = info.kernel_addr && !o.bios.empty() ? *info.kernel_addr : *info.entry;
    const uint64_t data[] = {
        *info.entry, dtb,
        // struct fw_dynamic_info (OpenSBI): magic "OSBI", version 2, next_addr, next_mode S, options, boot_hart
        0x4942534f, 2, next_addr, 1, 0, ~0ull,
    };
    std::vector<uint8_t> image(sizeof code + sizeof data);
    std::memcpy(image.data(), code, sizeof code);
    std::memcpy(image.data() + sizeof code, data, sizeof data);
    write_or_fail(p, rom->base, image.data(), image.size(), "reset vector");
    info.reset_vector = rom->base;
  }
  for (size_t i = 0; i < cpus.size(); ++i) {
    auto* c = cpus[i];
    c->set_boot(info.reset_vector.value_or(*info.entry), i, dtb);
    if (info.tohost) c->set_htif(*info.tohost, info.fromhost.value_or(0));
    c->set_instruction_limit(o.max_instructions);
    c->set_trace(o.trace);
  }
  apply_detail_region(cpus, o);
  return info;
}

void prepare_restored(Platform& p, const RunOptions& o) {
  auto cpus = processors(p);
  if (!g_monitor) g_monitor = new RunMonitor("vp_run_monitor", cpus, o.progress, o.idle_realtime);
  if (!g_stats_sampler && o.stats_interval_ps) g_stats_sampler = new StatsSampler("vp_stats_sampler", o.stats_interval_ps);
  platform::set_stuck_policy(o.on_stuck);
  if (!o.trace_events.empty()) platform::TraceEvents::global().open(o.trace_events);
  static const platform::SymbolTable no_symbols;  // a checkpoint has no ELF: trace windows by count or address
  const platform::TraceFilter filter = trace_filter(o, no_symbols);
  for (auto* c : cpus) {
    c->set_instruction_limit(o.max_instructions);
    c->set_trace_filter(filter);
    c->set_trace(o.trace);
  }
  apply_detail_region(cpus, o);
}

namespace {

uint64_t now_ps() { return static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5); }

void write_checkpoint(Platform& p, const RunOptions& o, const std::vector<platform::Processor*>& cpus) {
  platform::CheckpointManifest m = o.checkpoint;
  m.time_ps = o.start_time_ps + now_ps();
  m.instructions = 0;
  for (auto* c : cpus) m.instructions += c->instructions_retired();
  platform::save_checkpoint(p, o.checkpoint_dir, m);
  std::fprintf(stderr, "vp: checkpoint written to %s (%llu instructions)\n", o.checkpoint_dir.c_str(),
               static_cast<unsigned long long>(m.instructions));
}

}  // namespace

namespace {

// vp run's simulation for the GDB server: slices of simulated time up to the limit.
class RunnerTarget : public debug::DebugTarget {
 public:
  RunnerTarget(Platform& p, const RunOptions& o) : o_(o), cpus_(vp::processors(p)) {
    for (const auto& i : p.instances())
      if (dynamic_cast<platform::Processor*>(i.component.get())) names_.push_back(i.name);
  }
  std::vector<platform::Processor*> processors() override { return cpus_; }
  std::vector<std::string> processor_names() override { return names_; }
  debug::SliceResult run_slice() override {
    using K = debug::SliceResult::Kind;
    platform::clear_pause();
    sc_core::sc_time step(1, sc_core::SC_MS);
    if (o_.max_time_ps) {
      const sc_core::sc_time end(static_cast<double>(o_.max_time_ps), sc_core::SC_PS);
      const sc_core::sc_time now = sc_core::sc_time_stamp();
      if (now >= end) return {K::kEnded, 124, "time limit " + now.to_string() + " reached"};
      if (end - now < step) step = end - now;
    }
    sc_core::sc_start(step);
    platform::console_flush();  // the guest's output so far, before the debugger's view
    if (auto stop = platform::stop_request()) return {K::kEnded, stop->exit_code, stop->reason};
    if (auto pause = platform::pause_reason()) return {K::kPaused, 0, *pause};
    return {};
  }
  bool interrupted() override { return g_interrupted || g_console_quit; }
  void end_run(int code, const std::string& reason) override {
    platform::request_stop(code, g_console_quit ? kConsoleQuit : reason);
  }
  std::string statistics() override {
    std::string out = "simulated time " + sc_core::sc_time_stamp().to_string() + "\n";
    char buf[64];
    for (const auto& v : platform::Statistics::global().query()) {
      std::snprintf(buf, sizeof buf, "%.6g", v.value);
      out += v.name + " " + buf + "\n";
    }
    return out;
  }

 private:
  const RunOptions& o_;
  std::vector<platform::Processor*> cpus_;
  std::vector<std::string> names_;
};

}  // namespace

void enable_console_keys() {
  dev::set_console_escape_handler([](char key) {
    if (key == 'x' || key == 'X') g_console_quit = true;
    if (key == 'c' || key == 'C') g_console_status = true;
  });
}

RunResult run_simulation(Platform& p, const RunOptions& o) {
  auto cpus = processors(p);
  if (!g_monitor) throw std::logic_error("run_simulation: call prepare_boot first");
  g_interrupted = false;
  auto previous = std::signal(SIGINT, on_sigint);

  // A checkpoint at an instruction count pauses the first processor there; at a time, the run stops there.
  bool checkpoint = !o.checkpoint_dir.empty();
  std::optional<uint64_t> checkpoint_ps, checkpoint_pc;
  if (checkpoint) {
    if (cpus.empty()) throw std::runtime_error("--checkpoint-at: the platform has no processor");
    const std::string& at = o.checkpoint_at;
    if (!at.empty() && at.find_first_not_of("0123456789") == std::string::npos) {
      const uint64_t n = std::stoull(at);
      const uint64_t done = cpus[0]->instructions_retired();
      if (n <= done) throw std::runtime_error("--checkpoint-at " + at + ": already past it (" + std::to_string(done) + ")");
      cpus[0]->set_pause_after(n - done);
    } else if (auto t = platform::parse_time_ps(at)) {
      checkpoint_ps = *t;
    } else {
      // A pc (0x...) or a symbol of the --kernel/--bios ELF: a breakpoint on the
      // first processor; the checkpoint is taken before that instruction executes.
      std::optional<uint64_t> pc;
      if (at.rfind("0x", 0) == 0 || at.rfind("0X", 0) == 0) {
        pc = platform::parse_integer(at);
        if (!pc) throw std::runtime_error("--checkpoint-at: '" + at + "' is not an address");
      } else {
        bool elf = false;
        for (const std::string* file : {&o.kernel, &o.bios})
          if (!pc && !file->empty() && mem::ElfFile::is_elf(*file)) {
            elf = true;
            pc = mem::ElfFile::load(*file).symbol(at);
          }
        if (!pc)
          throw std::runtime_error("--checkpoint-at: '" + at + "' is not an instruction count, a time such as 5ms, "
                                   "an address or a symbol of the --kernel/--bios ELF" +
                                   (elf ? "" : " (no ELF file with symbols was loaded)"));
      }
      if (!cpus[0]->supports_debug())
        throw std::runtime_error("--checkpoint-at " + at + ": the first processor has no breakpoints");
      checkpoint_pc = *pc;
      cpus[0]->set_breakpoints({*pc});
    }
  }
  bool checkpoint_ended = false;
  auto start = std::chrono::steady_clock::now();
  if (!o.gdb.empty()) {
    RunnerTarget target(p, o);
    debug::GdbServer server(target, o.gdb);
    if (!o.gdb_wait) platform::message("vp: GDB server on " + server.where() + " (target remote " + server.where() + ")");
    server.serve(o.gdb_wait, debug::GdbServer::Mode::kUntilEnd);
  } else {
    for (;;) {
      uint64_t until = o.max_time_ps;
      if (checkpoint && checkpoint_ps && (!until || *checkpoint_ps < until)) until = *checkpoint_ps;
      const uint64_t now = now_ps();
      if (until && until <= now) break;
      if (until) sc_core::sc_start(sc_core::sc_time(static_cast<double>(until - now), sc_core::SC_PS));
      else sc_core::sc_start();
      platform::console_flush();
      if (!checkpoint || platform::stop_requested() || g_interrupted) break;
      const bool paused = platform::pause_reason().has_value();
      const bool at_time = checkpoint_ps && now_ps() >= *checkpoint_ps;
      if (!paused && !at_time) break;
      platform::clear_pause();
      if (checkpoint_pc) cpus[0]->set_breakpoints({});  // reached: the run continues through it
      write_checkpoint(p, o, cpus);
      checkpoint = false;
      if (o.checkpoint_exit) {
        checkpoint_ended = true;
        break;
      }
    }
  }
  auto end = std::chrono::steady_clock::now();
  std::signal(SIGINT, previous);
  platform::TraceEvents::global().close();

  RunResult r;
  r.host_seconds = std::chrono::duration<double>(end - start).count();
  r.idle_slept_seconds = g_monitor->idle_slept_seconds();
  r.simulated_seconds = sc_core::sc_time_stamp().to_seconds() + static_cast<double>(o.start_time_ps) * 1e-12;
  for (auto* c : cpus) {
    r.instructions += c->instructions_retired();
    r.trapped += c->instructions_trapped();
    const std::string report = c->stuck_report();
    if (!report.empty()) r.reports.push_back(report);
  }
  if (checkpoint_ended) {
    r.exit_code = 0;
    r.reason = "checkpoint written to " + o.checkpoint_dir;
    r.reports.clear();
  } else if (auto stop = platform::stop_request()) {
    r.exit_code = stop->exit_code;
    r.reason = stop->reason;
    if (r.exit_code != platform::kStuckExitCode) r.reports.clear();
  } else if (auto pause = platform::pause_reason()) {
    r.exit_code = 124;  // a limit or breakpoint paused the run; the command line ends it
    r.reason = *pause;
    r.reports.clear();
  } else if (o.max_time_ps && sc_core::sc_time_stamp() >= sc_core::sc_time(static_cast<double>(o.max_time_ps), sc_core::SC_PS)) {
    r.exit_code = 124;
    r.reason = "time limit " + sc_core::sc_time_stamp().to_string() + " reached";
    r.reports.clear();
  } else {
    r.exit_code = 0;
    r.reason = "nothing left to simulate";
    r.reports.clear();
  }
  return r;
}

std::string summary(const RunResult& r) {
  char buf[320];
  // Speed over the host time spent simulating, not asleep with an idle guest.
  const double busy = r.host_seconds - r.idle_slept_seconds;
  double mips = busy > 0 ? r.instructions / busy / 1e6 : 0;
  std::snprintf(buf, sizeof buf, "simulated %.6f s, host %.3f s, %llu instructions, %.1f MIPS", r.simulated_seconds,
                r.host_seconds, static_cast<unsigned long long>(r.instructions), mips);
  std::string out = buf;
  if (r.idle_slept_seconds >= 0.0005) {
    std::snprintf(buf, sizeof buf, " (host %.3f s asleep: idle guest, --idle realtime)", r.idle_slept_seconds);
    out += buf;
  }
  if (r.instructions == 0) {
    if (r.trapped)
      std::snprintf(buf, sizeof buf, " (none retired: all %llu executed instructions trapped, the guest faults at "
                    "every instruction)", static_cast<unsigned long long>(r.trapped));
    else
      std::snprintf(buf, sizeof buf, " (no processor executed anything: they waited for an interrupt or were held)");
    out += buf;
  } else if (r.trapped > r.instructions) {
    std::snprintf(buf, sizeof buf, " (and %llu trapped)", static_cast<unsigned long long>(r.trapped));
    out += buf;
  }
  return out;
}

}  // namespace vp
