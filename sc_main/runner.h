#pragma once
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/builder.h"
#include "platform/checkpoint.h"
#include "platform/simulation.h"
#include "platform/symbols.h"

namespace vp {

struct RunOptions {
  std::string kernel;             // ELF (own addresses) or raw binary (after the firmware)
  std::string bios;               // firmware ELF or raw binary at the start of RAM
  std::string append;             // kernel command line (chosen/bootargs)
  // Extra raw images placed at physical addresses before the run ("--load FILE@ADDR").
  std::vector<std::pair<std::string, uint64_t>> raw_images;
  std::optional<uint64_t> dtb_address;  // default: end of the first 3 GiB of RAM, 2 MiB aligned
  uint64_t max_time_ps = 0;       // 0 = no limit
  uint64_t max_instructions = 0;  // 0 = no limit
  std::ostream* trace = nullptr;  // instruction trace
  // Trace filters. Points are symbols, 0x addresses or decimal instruction
  // counts; ranges "LO-HI" or a symbol; resolved once the software is loaded.
  std::string trace_start, trace_stop;
  std::vector<std::string> trace_ranges;
  std::string trace_priv;         // "M,S,U" or a subset
  bool trace_traps = false;       // traps and interrupts only
  std::string trace_events;       // Chrome/Perfetto trace-event JSON file ("" = none)
  std::string gdb;                // [HOST:]PORT of the GDB server ("" = none)
  bool gdb_wait = false;          // hold every hart until GDB continues
  bool semihosting = false;       // --semihosting[=ROOT]
  std::string semihosting_root;   // "" = file operations refused
  platform::StuckPolicy on_stuck = platform::StuckPolicy::kStop;
  bool progress = false;          // periodic progress lines on stderr
  // While every initiator sleeps (wfi), keep simulated time to the host clock
  // instead of racing to the next event (vp run --idle realtime).
  bool idle_realtime = false;
  std::string stats_file;         // statistics dump at the end of the run ("" = none)
  std::string stats_format;       // json, csv, text; "" = from the file's extension
  uint64_t stats_interval_ps = 0; // also snapshot every this much simulated time (0 = only at the end)
  // Fast-forward, then detail (platform::DetailRegion): "" = one mode throughout;
  // "marker" (the guest's ROI-begin marker), N (after N instructions), 0xADDR
  // (a pc), or a symbol of the --kernel/--bios ELF.
  std::string detail_start;
  uint64_t warmup = 0;        // instructions timed before the statistics count
  uint64_t detail_count = 0;  // measured instructions (0 = until the ROI-end marker or the end)
  uint64_t functional_warm = 0; // instructions of functional warming before each window
  uint64_t sample_period = 0; // sampling: a window (warm-up + detail_count) every this many instructions
  // SimPoint basic-block vectors of the first processor (models/cpu/bbv.h):
  // one line per bbv_interval retired instructions.
  std::string bbv_file;
  uint64_t bbv_interval = 100'000'000;
  bool bbv_interval_set = false;
  // Checkpoint (docs/checkpoints.md) into checkpoint_dir when the first
  // processor has retired N instructions ("N") or at a simulated time ("5ms").
  std::string checkpoint_at;
  std::string checkpoint_dir;
  bool checkpoint_exit = false;            // end the run once the checkpoint is written
  platform::CheckpointManifest checkpoint; // what the manifest records (platform, overrides, disks, files)
  uint64_t start_time_ps = 0;              // a restored run starts at the checkpoint's simulated time
};

// Where the loaders put things; printed with --verbose and used by tests.
struct BootInfo {
  std::optional<uint64_t> entry;        // first instruction the harts execute after reset code
  std::optional<uint64_t> kernel_addr;  // payload address
  std::optional<uint64_t> dtb_addr;
  std::optional<uint64_t> reset_vector;
  std::optional<uint64_t> tohost, fromhost;
  std::vector<std::string> notes;     // what was loaded where ("loaded x.elf: ...")
  std::vector<std::string> warnings;  // e.g. nothing executable was loaded
  // Symbols of the loaded ELF files (shared with the processors: traces, reports).
  std::shared_ptr<platform::SymbolTable> symbols;
};

struct RunResult {
  int exit_code = 0;
  std::string reason;
  double simulated_seconds = 0;
  double host_seconds = 0;
  double idle_slept_seconds = 0;        // of host_seconds, asleep with an idle guest (--idle realtime)
  uint64_t instructions = 0;
  uint64_t trapped = 0;                 // instructions that trapped instead of retiring
  std::vector<std::string> reports;    // stuck processors' reports
};

// Loads firmware, payload and DTB as QEMU's virt board does and sets up every
// processor. Throws mem::LoadError or std::runtime_error with a clear message.
BootInfo prepare_boot(platform::Platform& platform, const RunOptions& options);

// Instead of prepare_boot, for a platform restored from a checkpoint: sets up
// limits, traces and detail regions, loads nothing.
void prepare_restored(platform::Platform& platform, const RunOptions& options);

// Runs until a stop request (finisher, HTIF, limit, Ctrl-C) or the time limit.
RunResult run_simulation(platform::Platform& platform, const RunOptions& options);

// "simulated 1.2 ms, host 0.80 s, 12,345,678 instructions, 15.4 MIPS"; says
// why when no instruction retired.
std::string summary(const RunResult& result);

// Turns on the console's escape keys (Ctrl-A x quits, Ctrl-A c prints a
// status line); call before building the platform. Then Ctrl-C reaches the guest.
void enable_console_keys();

// Writes the statistics snapshots taken so far plus a final one to options.stats_file.
void write_statistics(const RunOptions& options);

}  // namespace vp
