// vp: build a virtual platform from YAML and run, inspect or describe it.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <fstream>
#include <iostream>
#include <systemc>
#include <unistd.h>

#include "models/mem/elf_file.h"
#include "platform/builder.h"
#include "platform/loader.h"
#include "platform/plugin.h"
#include "platform/units.h"
#include "platform/terminal.h"
#include "sc_main/disk_option.h"
#include "sc_main/runner.h"
#include "sc_main/smp_option.h"
#include "sc_main/trace_file.h"
#ifdef VP_HAVE_PVM_CLI
#include "sc_main/pvm_command.h"
#endif

// SystemC prints its banner when the kernel starts; a tool's output should not.
static const int kQuietSystemC = (setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0),
                                  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0), 0);

namespace {

using namespace vp;

// --semihosting without =ROOT.
constexpr const char* kNoRoot = "\x01";

struct PlatformArgs {
  std::string file;
  std::vector<std::string> sets;
  std::vector<std::string> disks;  // vp run --disk
  unsigned smp = 0;                // --smp N (0: the platform's own count)
};

void add_platform_args(CLI::App* cmd, PlatformArgs& args, bool required = true) {
  auto* opt = cmd->add_option("platform", args.file,
                              "Platform description (YAML), e.g. configs/virt.yaml; a bare name such as virt is "
                              "looked up in VP_CONFIG_PATH and the installed share/vp/configs");
  if (required) opt->required();
  cmd->add_option("--set", args.sets, "Override a property: component.key=value (repeatable)")->type_name("K=V");
  cmd->add_option("--smp", args.smp, kSmpOptionHelp)->type_name("N")->check(CLI::Range(1, 1024));
}

// A platform argument that names no file may name an installed description:
// "virt" or "virt.yaml" in <prefix>/share/vp/configs (next to bin/vp) or in a
// folder of VP_CONFIG_PATH.
std::string resolve_platform_file(const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(name, ec) || name.find('/') != std::string::npos) return name;
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("VP_CONFIG_PATH")) {
    std::stringstream list(env);
    for (std::string d; std::getline(list, d, ':');)
      if (!d.empty()) dirs.emplace_back(d);
  }
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path().parent_path() / "share" / "vp" / "configs");
  for (const auto& dir : dirs)
    for (const std::string& file : {name, name + ".yaml"})
      if (fs::is_regular_file(dir / file, ec)) return (dir / file).string();
  return name;  // the loader reports it missing
}

std::unique_ptr<platform::Platform> build(const PlatformArgs& args) {
  std::vector<platform::Override> overrides;
  for (size_t i = 0; i < args.sets.size(); ++i)
    overrides.push_back(platform::parse_override(args.sets[i], {"--set " + args.sets[i], 0, 0}));
  const std::string file = resolve_platform_file(args.file);
  if (args.smp)
    overrides.push_back(smp_override(platform::load_platform_file(file, overrides), platform::Registry::builtin(), args.smp));
  auto spec = platform::load_platform_file(file, overrides);
  attach_disks(spec, args.disks);
  return platform::build_platform(spec);
}

// Output files are checked before the simulation starts, so a long run is never lost to a typo.
void check_writable(const std::string& path, const char* option) {
  std::ofstream probe(path, std::ios::app);
  if (!probe) throw CLI::ValidationError(option, "cannot write " + path + ": " + std::strerror(errno));
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%010llx", static_cast<unsigned long long>(v));
  return buf;
}

void print_info(const platform::Platform& p) {
  const auto& spec = p.spec();
  std::cout << "platform: " << (spec.name.empty() ? "(unnamed)" : spec.name) << "\n";
  if (!spec.description.empty()) std::cout << "  " << spec.description << "\n";
  std::cout << "quantum: " << platform::format_time_ps(spec.quantum_ps) << "\n\ncomponents:\n";
  for (const auto& i : p.instances()) std::printf("  %-12s %s\n", i.name.c_str(), i.type.c_str());
  std::cout << "\naddress map:\n";
  auto windows = p.address_map();
  std::sort(windows.begin(), windows.end(), [](const auto& a, const auto& b) {
    return a.router != b.router ? a.router < b.router : a.base < b.base;
  });
  for (const auto& w : windows)
    std::printf("  %-6s %s-%s  %-8s %s\n", w.router.c_str(), hex(w.base).c_str(), hex(w.base + w.size - 1).c_str(),
                platform::format_size(w.size).c_str(), w.target.c_str());
  std::cout << "\ninterrupts:\n";
  for (const auto& w : p.irq_wires()) {
    auto ep = [](const std::string& c, const std::string& port, int idx) {
      std::string s = c;
      if (!port.empty()) s += "." + port;
      if (idx >= 0) s += "[" + std::to_string(idx) + "]";
      return s;
    };
    std::printf("  %-16s -> %s\n", ep(w.from, w.from_port, w.from_index).c_str(), ep(w.to, w.to_port, w.to_index).c_str());
  }
}

std::string markdown_cell(std::string s) {
  for (size_t at = 0; (at = s.find('|', at)) != std::string::npos; at += 2) s.insert(at, "\\");
  return s;
}

void print_type(const platform::Registry& registry, const std::string& name, bool markdown) {
  const platform::ComponentType* type = registry.find(name);
  const auto props = registry.properties(name);
  auto kind_of = [](const platform::PropertyInfo& p) {
    std::string k = p.kind.empty() ? "-" : p.kind;
    if (!p.choices.empty()) {
      k = "";
      for (const auto& c : p.choices) k += (k.empty() ? "" : "|") + c;
    }
    return k;
  };
  auto default_of = [](const platform::PropertyInfo& p) { return p.required ? std::string("(required)") : p.fallback; };
  if (markdown) {
    std::printf("### `%s`\n\n%s", name.c_str(), type->description.c_str());
    if (type->origin != "built-in") std::printf(" (plugin `%s`)", type->origin.c_str());
    std::printf("\n\n");
    if (props.empty()) {
      std::printf("No properties.\n\n");
      return;
    }
    std::printf("| property | kind | default | meaning |\n| --- | --- | --- | --- |\n");
    for (const auto& p : props)
      std::printf("| `%s` | %s | %s | %s |\n", p.name.c_str(), markdown_cell(kind_of(p)).c_str(),
                  markdown_cell(default_of(p)).c_str(), markdown_cell(p.description).c_str());
    std::printf("\n");
    return;
  }
  std::printf("%s: %s\n  from: %s\n", name.c_str(), type->description.c_str(), type->origin.c_str());
  if (props.empty()) {
    std::printf("  no properties\n");
    return;
  }
  size_t w_name = 8, w_kind = 4, w_def = 7;
  for (const auto& p : props) {
    w_name = std::max(w_name, p.name.size());
    w_kind = std::max(w_kind, kind_of(p).size());
    w_def = std::max(w_def, default_of(p).size());
  }
  std::printf("  %-*s  %-*s  %-*s  %s\n", int(w_name), "property", int(w_kind), "kind", int(w_def), "default", "meaning");
  for (const auto& p : props)
    std::printf("  %-*s  %-*s  %-*s  %s\n", int(w_name), p.name.c_str(), int(w_kind), kind_of(p).c_str(), int(w_def),
                default_of(p).c_str(), p.description.c_str());
}

int print_types(const platform::Registry& registry, const std::string& only, bool markdown) {
  if (!only.empty()) {
    if (!registry.find(only))
      throw CLI::ValidationError("type", "unknown component type '" + only + "'" +
                                             platform::did_you_mean_hint(only, registry.names()));
    print_type(registry, only, markdown);
    return 0;
  }
  if (markdown) {
    std::printf("# Component types\n\n<!-- Generated by `vp types --markdown`: do not edit; regenerate with\n"
                "     build/sc_main/vp types --markdown > docs/components.md -->\n\n"
                "Every type a platform description can use, with its properties. A property's kind says how\n"
                "its value is written (see docs/platform.md: sizes such as `64KiB`, times such as `10ns`,\n"
                "frequencies such as `10MHz`); `(required)` properties have no default.\n\n");
    for (const auto& name : registry.names()) print_type(registry, name, true);
    return 0;
  }
  for (const auto& name : registry.names()) {
    const auto* t = registry.find(name);
    std::printf("  %-18s %s%s\n", name.c_str(), t->description.c_str(),
                t->origin == "built-in" ? "" : ("  [" + t->origin + "]").c_str());
  }
  return 0;
}

// vp script FILE.py [ARGS]: the Python interpreter the package was built for,
// with the vp package of this build tree (build/python) or installation importable.
[[noreturn]] void run_script(const std::string& file, const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path top = fs::read_symlink("/proc/self/exe", ec).parent_path().parent_path();
  std::vector<fs::path> dirs = {top / "python"};
#ifdef VP_PYTHON_INSTALL_DIR
  const fs::path installed = VP_PYTHON_INSTALL_DIR;
  dirs.push_back(installed.is_absolute() ? installed : top / installed);
#endif
  std::string pkg, looked;
  for (const auto& d : dirs) {
    looked += (looked.empty() ? "" : ", ") + d.string();
    if (pkg.empty() && fs::is_regular_file(d / "vp" / "__init__.py", ec)) pkg = d.string();
  }
  if (pkg.empty()) throw std::runtime_error("the vp Python package is not next to this vp (looked in " + looked + ")");
  if (!fs::is_regular_file(file, ec)) throw CLI::ValidationError("script", "no such file: " + file);
  std::string path = pkg;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += std::string(":") + old;
  setenv("PYTHONPATH", path.c_str(), 1);
#ifdef VP_PYTHON_EXECUTABLE
  std::string python = VP_PYTHON_EXECUTABLE;
#else
  std::string python = "python3";
#endif
  if (const char* env = std::getenv("VP_PYTHON"); env && *env) python = env;
  std::vector<std::string> words = {python, file};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  execvp(argv[0], argv.data());
  throw std::runtime_error("cannot run " + python + ": " + std::strerror(errno));
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  CLI::App app{"vp: a SystemC/TLM-2.0 virtual platform assembled from YAML"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("vp ") + VP_VERSION);
  int exit_code = 0;

  PlatformArgs run_args;
  RunOptions run;
  std::string max_time, trace_file, stats_interval;
  bool trace = false, quiet = false;
  auto* run_cmd = app.add_subcommand("run", "Build a platform, load software and simulate it");
  add_platform_args(run_cmd, run_args, /*required=*/false);  // not with --restore
  run_cmd->add_option("--kernel", run.kernel,
                      "ELF loaded at its physical addresses (started directly without --bios), or a raw payload "
                      "placed after the firmware");
  run_cmd->add_option("--bios", run.bios, "Firmware (ELF or raw binary) started by the reset vector");
  run_cmd->add_option("--append", run.append, "Kernel command line (device tree /chosen/bootargs)");
  run_cmd->add_option("--disk", run_args.disks, kDiskOptionHelp)->type_name("FILE[,readonly][,snapshot]");
  std::vector<std::string> loads;
  std::string dtb_address;
  run_cmd->add_option("--load", loads, "Place a raw binary at a physical address (repeatable)")->type_name("FILE@ADDR");
  run_cmd->add_option("--dtb-address", dtb_address, "Where the generated device tree goes (default: top of RAM)");
  run_cmd->add_option("--max-time", max_time, "Stop after this much simulated time, e.g. 10ms (exit code 124)");
  run_cmd->add_option("--max-instructions", run.max_instructions,
                      "Stop after this many instructions (exit code 124)");
  run_cmd->add_flag("--trace", trace, "Print an instruction trace to stderr");
  run_cmd->add_option("--trace-file", trace_file, "Write the instruction trace to a file (gzip-compressed if it ends in .gz)");
  run_cmd->add_option("--trace-start", run.trace_start,
                      "Start the trace at a symbol, a 0x address, or after a (decimal) instruction count")
      ->type_name("WHERE");
  run_cmd->add_option("--trace-stop", run.trace_stop, "End the trace there (the run goes on)")->type_name("WHERE");
  run_cmd->add_option("--trace-range", run.trace_ranges,
                      "Only instructions in this pc range, LO-HI or a symbol (repeatable)")
      ->type_name("RANGE");
  run_cmd->add_option("--trace-priv", run.trace_priv, "Only these privilege levels, e.g. S,U")->type_name("M,S,U");
  run_cmd->add_flag("--trace-traps", run.trace_traps, "Trace traps and interrupts only, no instructions");
  run_cmd->add_option("--trace-events", run.trace_events,
                      "Write traps, interrupts and device accesses as a Chrome/Perfetto trace-event JSON file")
      ->type_name("FILE");
  run_cmd->add_option("--gdb", run.gdb,
                      "Serve the GDB remote protocol on [HOST:]PORT (host 127.0.0.1 unless given; port 0: any free "
                      "port, printed)")
      ->type_name("[HOST:]PORT");
  run_cmd->add_flag("--gdb-wait", run.gdb_wait, "With --gdb: hold every hart at reset until GDB continues");
  // --semihosting[=ROOT]: the argument list spells "=ROOT" as --semihosting-root
  // (below), so that a bare --semihosting never takes the platform as its ROOT.
  std::string semihosting_root = kNoRoot;
  auto* semihosting_opt = run_cmd->add_flag(
      "--semihosting", "RISC-V semihosting (console, exit, clocks); --semihosting=ROOT also allows file operations "
                       "inside the directory ROOT");
  run_cmd->add_option("--semihosting-root", semihosting_root)->group("");
  std::string on_stuck = "stop";
  run_cmd->add_option("--on-stuck", on_stuck,
                      "A guest that can make no progress: stop with exit code 123 and a report (default), or "
                      "continue after the report")
      ->check(CLI::IsMember({"stop", "continue"}));
  std::string idle = "auto";
  run_cmd->add_option("--idle", idle,
                      "While every hart sleeps (wfi) and only timers and devices make events: realtime keeps "
                      "simulated time to the host clock (an idle guest costs no host CPU and its clock keeps wall "
                      "time), fast races to the next event (batch runs); auto (default): realtime when stdin and "
                      "stdout are terminals, else fast")
      ->check(CLI::IsMember({"auto", "realtime", "fast"}));
  run_cmd->add_flag("--progress", run.progress, "Print progress and speed to stderr every 5 host seconds");
  run_cmd->footer(
      "Exit codes: the guest's (test finisher, HTIF, semihosting, mailbox); 124 time or instruction limit; 123 the "
      "guest is stuck (report on stderr); 130 ended by the user (Ctrl-C, Ctrl-A x, GDB kill or monitor quit); 2 bad "
      "input (options, platform file, software); 3 simulation error.\n"
      "Console keys (stdio console on a terminal): Ctrl-A x quits, Ctrl-A c prints a status line; Ctrl-C goes to "
      "the guest.");
  run_cmd->add_flag("-q,--quiet", quiet, "Do not print the end-of-run summary");
  run_cmd->add_option("--stats", run.stats_file, "Write statistics at the end (format from .json, .csv or .txt)");
  run_cmd->add_option("--stats-format", run.stats_format, "Statistics format: json, csv or text")
      ->check(CLI::IsMember({"json", "csv", "text", "txt"}));
  run_cmd->add_option("--stats-interval", stats_interval, "Also snapshot statistics every T of simulated time, e.g. 1ms");
  run_cmd->add_option("--detail-start", run.detail_start,
                      "Fast-forward functionally, then time in the pipeline model from: marker (the guest's ROI-begin "
                      "marker, sdk/vp_roi.h), N instructions, 0xPC, or an ELF symbol")
      ->type_name("WHEN");
  run_cmd->add_option("--warmup", run.warmup, "With --detail-start: instructions timed before statistics count");
  run_cmd->add_option("--detail-count", run.detail_count,
                      "With --detail-start: measured instructions (default: until the ROI-end marker or the end)");
  run_cmd->add_option("--sample-period", run.sample_period,
                      "With --detail-start and --detail-count: sampling, one window (warm-up, measure) every N "
                      "instructions; estimates CPI (statistics cpu0.sampling.*)");
  run_cmd->add_option("--functional-warm", run.functional_warm,
                      "With --detail-start N or --sample-period: for N instructions before each detailed window, "
                      "update caches, TLBs and branch predictors from the executed instructions without timing "
                      "(SMARTS functional warming)");
  run_cmd->add_option("--bbv", run.bbv_file,
                      "Write SimPoint basic-block vectors of the first processor to FILE (.bb format)")
      ->type_name("FILE");
  auto* bbv_interval = run_cmd->add_option("--bbv-interval", run.bbv_interval,
                                           "With --bbv: retired instructions per interval (default 100000000)");
  std::string restore_dir;
  run_cmd->add_option("--checkpoint-at", run.checkpoint_at,
                      "Write a checkpoint when the first processor has retired N instructions, at a simulated "
                      "time such as 5ms, or when it first reaches 0xPC or a symbol of the --kernel/--bios ELF")
      ->type_name("N|TIME|SYMBOL");
  run_cmd->add_option("--checkpoint-dir", run.checkpoint_dir, "Directory the checkpoint goes to (docs/checkpoints.md)")
      ->type_name("DIR");
  run_cmd->add_flag("--checkpoint-exit", run.checkpoint_exit, "End the run once the checkpoint is written");
  run_cmd->add_option("--restore", restore_dir,
                      "Continue from a checkpoint (its platform and overrides; --set may add settings that keep "
                      "the state layout, such as cache or predictor settings)")
      ->type_name("DIR");

  PlatformArgs info_args;
  auto* info_cmd = app.add_subcommand("info", "Print a platform's components, address map and interrupt wiring");
  add_platform_args(info_cmd, info_args);

  PlatformArgs dtb_args;
  std::string dtb_out, dtb_append;
  auto* dtb_cmd = app.add_subcommand("dtb", "Write the platform's flattened device tree");
  add_platform_args(dtb_cmd, dtb_args);
  dtb_cmd->add_option("-o,--output", dtb_out, "Output file")->required();
  dtb_cmd->add_option("--append", dtb_append, "Kernel command line (/chosen/bootargs)");

  std::string types_name, types_platform;
  std::vector<std::string> types_plugins;
  bool types_markdown = false;
  auto* types_cmd = app.add_subcommand(
      "types", "List the component types a platform can use, or one type's properties (vp types dev.ns16550)");
  types_cmd->add_option("type", types_name, "Show this type's properties: kind, default, meaning");
  types_cmd->add_option("--plugin", types_plugins, "Load a component plugin first (repeatable)")->type_name("FILE");
  types_cmd->add_option("--platform", types_platform, "Load the plugins a platform description names")
      ->type_name("YAML");
  types_cmd->add_flag("--markdown", types_markdown,
                      "Print Markdown (docs/components.md is `vp types --markdown`)");

  std::string script_file;
  auto* script_cmd = app.add_subcommand(
      "script", "Run a Python script with the vp package importable: vp script FILE.py [ARGS...] (docs/python.md)");
  script_cmd->add_option("file", script_file, "The Python script")->required();
  script_cmd->prefix_command();  // everything after FILE goes to the script

#ifdef VP_HAVE_PVM_CLI
  vp::add_pvm_command(app, &exit_code);
#endif

  try {
    std::vector<std::string> args;  // reversed, as CLI11 parses a vector
    for (int i = argc - 1; i > 0; --i) {
      const std::string a = argv[i];
      if (a.rfind("--semihosting=", 0) == 0) {
        if (a.size() == 14) throw CLI::ValidationError("--semihosting=ROOT", "ROOT must name a directory");
        args.push_back("--semihosting-root=" + a.substr(14));
        args.push_back("--semihosting");
      } else {
        args.push_back(a);
      }
    }
    if (argc > 0) app.name(argv[0]);  // the usage line names the program, as parse(argc, argv) does
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    // --help and --version print and exit 0; every usage error is exit code 2 (README).
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  // The kernel's own notes ("Simulation stopped by user") are not ours to print: vp reports why it stopped.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  try {
    if (*run_cmd) {
      std::unique_ptr<std::ostream> trace_stream;
      if (!trace_file.empty()) {
        trace_stream = open_trace_file(trace_file);
        run.trace = trace_stream.get();
      } else if (trace) {
        run.trace = &std::cerr;
      }
      const bool filtered = !run.trace_start.empty() || !run.trace_stop.empty() || !run.trace_ranges.empty() ||
                            !run.trace_priv.empty() || run.trace_traps;
      if (filtered && !run.trace)
        throw CLI::ValidationError("--trace-start/--trace-stop/--trace-range/--trace-priv/--trace-traps",
                                   "choose where the trace goes with --trace or --trace-file");
      if (run.gdb_wait && run.gdb.empty()) throw CLI::ValidationError("--gdb-wait", "needs --gdb [HOST:]PORT");
      if (semihosting_opt->count() || semihosting_root != kNoRoot) {
        run.semihosting = true;
        if (semihosting_root != kNoRoot) {
          if (semihosting_root.empty()) throw CLI::ValidationError("--semihosting", "ROOT must name a directory");
          run.semihosting_root = semihosting_root;
        }
      }
      run.on_stuck = on_stuck == "continue" ? platform::StuckPolicy::kContinue : platform::StuckPolicy::kStop;
      run.idle_realtime = idle == "realtime" || (idle == "auto" && ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO));
      if (!run.trace_events.empty()) check_writable(run.trace_events, "--trace-events");
      // A terminal console gets QEMU's keys (Ctrl-A x, Ctrl-A c) and passes Ctrl-C to the guest.
      if (::isatty(STDIN_FILENO)) enable_console_keys();
      if (!max_time.empty()) {
        auto t = platform::parse_time_ps(max_time);
        if (!t) throw CLI::ValidationError("--max-time", "expected a time with a unit such as 10ms, found '" + max_time + "'");
        run.max_time_ps = *t;
      }
      for (const auto& l : loads) {
        auto at = l.rfind('@');
        auto addr = at == std::string::npos ? std::nullopt : platform::parse_integer(l.substr(at + 1));
        if (!addr) throw CLI::ValidationError("--load", "expected FILE@ADDRESS such as image.bin@0x80000000, found '" + l + "'");
        run.raw_images.emplace_back(l.substr(0, at), *addr);
      }
      if (!dtb_address.empty()) {
        run.dtb_address = platform::parse_integer(dtb_address);
        if (!run.dtb_address) throw CLI::ValidationError("--dtb-address", "expected an address, found '" + dtb_address + "'");
      }
      if (!stats_interval.empty()) {
        auto t = platform::parse_time_ps(stats_interval);
        if (!t || !*t) throw CLI::ValidationError("--stats-interval", "expected a time with a unit such as 1ms, found '" + stats_interval + "'");
        run.stats_interval_ps = *t;
      }
      if (!run.stats_file.empty()) check_writable(run.stats_file, "--stats");
      run.bbv_interval_set = bbv_interval->count() > 0;
      if (run.bbv_interval_set && run.bbv_file.empty()) throw CLI::ValidationError("--bbv-interval", "needs --bbv FILE");
      if (run.bbv_interval_set && !run.bbv_interval)
        throw CLI::ValidationError("--bbv-interval", "must be at least 1 instruction");
      if (!run.bbv_file.empty()) check_writable(run.bbv_file, "--bbv");
      if (run.checkpoint_at.empty() != run.checkpoint_dir.empty())
        throw CLI::ValidationError("--checkpoint-at", "--checkpoint-at and --checkpoint-dir go together");
      if (run.checkpoint_exit && run.checkpoint_dir.empty())
        throw CLI::ValidationError("--checkpoint-exit", "needs --checkpoint-at and --checkpoint-dir");
      BootInfo boot;
      std::unique_ptr<platform::Platform> platform;
      if (!restore_dir.empty()) {
        // The checkpoint names its platform: loading software again would overwrite the restored state.
        if (!run_args.file.empty() || !run.kernel.empty() || !run.bios.empty() || !loads.empty() ||
            !run_args.disks.empty())
          throw CLI::ValidationError("--restore", "takes the platform, software and disks from the checkpoint; "
                                                 "give only options such as --set, limits and statistics");
        const auto manifest = platform::read_checkpoint_manifest(restore_dir);
        PlatformArgs args;
        args.file = manifest.platform;
        args.sets = manifest.overrides;
        args.sets.insert(args.sets.end(), run_args.sets.begin(), run_args.sets.end());
        args.disks = manifest.disks;
        run.kernel = manifest.kernel;  // symbols for --detail-start
        run.bios = manifest.bios;
        run.start_time_ps = manifest.time_ps;
        run.checkpoint = manifest;
        run.checkpoint.overrides = args.sets;
        platform = build(args);
        prepare_restored(*platform, run);
        platform::restore_checkpoint(*platform, restore_dir);
        if (!quiet)
          std::fprintf(stderr, "vp: restored %s (%llu instructions, %s)\n", restore_dir.c_str(),
                       static_cast<unsigned long long>(manifest.instructions),
                       platform::format_time_ps(manifest.time_ps).c_str());
      } else {
        if (run_args.file.empty()) throw CLI::ValidationError("platform", "a platform description is required");
        namespace fs = std::filesystem;
        auto absolute = [](const std::string& f) {
          std::error_code ec;
          return f.empty() ? f : fs::absolute(f, ec).lexically_normal().string();
        };
        run.checkpoint.platform = absolute(resolve_platform_file(run_args.file));
        run.checkpoint.overrides = run_args.sets;
        for (const auto& d : run_args.disks) run.checkpoint.disks.push_back(d);
        run.checkpoint.kernel = absolute(run.kernel);
        run.checkpoint.bios = absolute(run.bios);
        platform = build(run_args);
        boot = prepare_boot(*platform, run);
      }
      if (!quiet)
        for (const auto& n : boot.notes) std::fprintf(stderr, "vp: %s\n", n.c_str());
      for (const auto& w : boot.warnings) std::fprintf(stderr, "vp: warning: %s\n", w.c_str());
      auto result = run_simulation(*platform, run);
      write_statistics(run);
      std::fflush(stdout);
      if (trace_stream) trace_stream->flush();
      for (const auto& r : result.reports) platform::message(r);
      if (!quiet) platform::message("\nvp: " + result.reason + "; " + summary(result));
      return result.exit_code;
    }
    if (*script_cmd) run_script(script_file, script_cmd->remaining());
    if (*info_cmd) {
      print_info(*build(info_args));
      return 0;
    }
    if (*dtb_cmd) {
      auto blob = build(dtb_args)->device_tree(dtb_append);
      std::ofstream out(dtb_out, std::ios::binary);
      if (!out || !out.write(reinterpret_cast<const char*>(blob.data()), static_cast<std::streamsize>(blob.size())))
        throw std::runtime_error("cannot write " + dtb_out);
      return 0;
    }
    if (*types_cmd) {
      auto& registry = platform::Registry::builtin();
      for (const auto& file : types_plugins) {
        try {
          platform::load_plugin(file, registry);
        } catch (const platform::PluginError& e) {
          throw CLI::ValidationError("--plugin", e.what());
        }
      }
      if (!types_platform.empty())
        platform::load_plugins(platform::load_platform_file(resolve_platform_file(types_platform)), registry);
      return print_types(registry, types_name, types_markdown);
    }
  } catch (const platform::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  } catch (const platform::CheckpointError& e) {
    std::fprintf(stderr, "vp: error: %s\n", e.what());
    return 2;
  } catch (const mem::LoadError& e) {
    std::fprintf(stderr, "vp: error: %s\n", e.what());
    return 2;
  } catch (const CLI::Error& e) {
    std::fprintf(stderr, "vp: error: %s\n", e.what());
    return 2;
  } catch (const sc_core::sc_report& e) {
    std::fprintf(stderr, "vp: simulation error: %s\n", e.what());
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vp: error: %s\n", e.what());
    return 2;
  }
  return exit_code;
}
