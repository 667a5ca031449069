// vp: build a virtual platform from YAML and run, inspect or describe it.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <systemc>

#include "models/mem/elf_file.h"
#include "platform/builder.h"
#include "platform/loader.h"
#include "platform/units.h"
#include "sc_main/disk_option.h"
#include "sc_main/runner.h"
#ifdef VP_HAVE_PVM_CLI
#include "sc_main/pvm_command.h"
#endif

// SystemC prints its banner when the kernel starts; a tool's output should not.
static const int kQuietSystemC = (setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0),
                                  setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0), 0);

namespace {

using namespace vp;

struct PlatformArgs {
  std::string file;
  std::vector<std::string> sets;
  std::vector<std::string> disks;  // vp run --disk
};

void add_platform_args(CLI::App* cmd, PlatformArgs& args) {
  cmd->add_option("platform", args.file, "Platform description (YAML), e.g. configs/virt.yaml")->required();
  cmd->add_option("--set", args.sets, "Override a property: component.key=value (repeatable)")->type_name("K=V");
}

std::unique_ptr<platform::Platform> build(const PlatformArgs& args) {
  std::vector<platform::Override> overrides;
  for (size_t i = 0; i < args.sets.size(); ++i)
    overrides.push_back(platform::parse_override(args.sets[i], {"--set " + args.sets[i], 0, 0}));
  auto spec = platform::load_platform_file(args.file, overrides);
  attach_disks(spec, args.disks);
  return platform::build_platform(spec);
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

}  // namespace

int sc_main(int argc, char* argv[]) {
  CLI::App app{"vp: a SystemC/TLM-2.0 virtual platform assembled from YAML"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vp 0.1.0");
  int exit_code = 0;

  PlatformArgs run_args;
  RunOptions run;
  std::string max_time, trace_file, stats_interval;
  bool trace = false, quiet = false;
  auto* run_cmd = app.add_subcommand("run", "Build a platform, load software and simulate it");
  add_platform_args(run_cmd, run_args);
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
  run_cmd->add_option("--trace-file", trace_file, "Write the instruction trace to a file");
  run_cmd->add_flag("--progress", run.progress, "Print progress and speed every 5 host seconds");
  run_cmd->add_flag("-q,--quiet", quiet, "Do not print the end-of-run summary");
  run_cmd->add_option("--stats", run.stats_file, "Write statistics at the end (format from .json, .csv or .txt)");
  run_cmd->add_option("--stats-format", run.stats_format, "Statistics format: json, csv or text")
      ->check(CLI::IsMember({"json", "csv", "text", "txt"}));
  run_cmd->add_option("--stats-interval", stats_interval, "Also snapshot statistics every T of simulated time, e.g. 1ms");

  PlatformArgs info_args;
  auto* info_cmd = app.add_subcommand("info", "Print a platform's components, address map and interrupt wiring");
  add_platform_args(info_cmd, info_args);

  PlatformArgs dtb_args;
  std::string dtb_out, dtb_append;
  auto* dtb_cmd = app.add_subcommand("dtb", "Write the platform's flattened device tree");
  add_platform_args(dtb_cmd, dtb_args);
  dtb_cmd->add_option("-o,--output", dtb_out, "Output file")->required();
  dtb_cmd->add_option("--append", dtb_append, "Kernel command line (/chosen/bootargs)");

  auto* types_cmd = app.add_subcommand("types", "List the component types a platform can use");

#ifdef VP_HAVE_PVM_CLI
  vp::add_pvm_command(app, &exit_code);
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  // The kernel's own notes ("Simulation stopped by user") are not ours to print: vp reports why it stopped.
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  try {
    if (*run_cmd) {
      std::ofstream trace_stream;
      if (!trace_file.empty()) {
        trace_stream.open(trace_file);
        if (!trace_stream) throw std::runtime_error("cannot open trace file " + trace_file);
        run.trace = &trace_stream;
      } else if (trace) {
        run.trace = &std::cerr;
      }
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
      auto platform = build(run_args);
      prepare_boot(*platform, run);
      auto result = run_simulation(*platform, run);
      write_statistics(run);
      std::fflush(stdout);
      if (!quiet) std::fprintf(stderr, "\nvp: %s; %s\n", result.reason.c_str(), summary(result).c_str());
      return result.exit_code;
    }
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
      for (const auto& name : platform::Registry::builtin().names())
        std::printf("  %-18s %s\n", name.c_str(), platform::Registry::builtin().find(name)->description.c_str());
      return 0;
    }
  } catch (const platform::ConfigError& e) {
    std::fprintf(stderr, "%s\n", e.what());
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
