// Registration of the RTL co-simulation types: every component built with
// vp_add_rtl_component ("rtl.<name>"), the out-of-process bridge
// ("rtl.socket"), the vhost mailbox ("dev.mailbox") and vhost memories
// ("mem.vhost").
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include "models/mem/vhost_component.h"
#include "models/rtl/dpi_target.h"
#include "models/rtl/mailbox.h"
#include "models/rtl/rtl_component_type.h"
#include "platform/registry.h"

namespace vp::rtl {
void register_socket_type(platform::Registry& registry);

namespace {

sc_core::sc_time ps(uint64_t value) { return sc_core::sc_time(double(value), sc_core::SC_PS); }

std::string dir_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// A path property relative to the YAML file naming it (when that is a file), else to the working directory.
std::string relative_to_yaml(platform::Properties& p, const std::string& key, std::string path) {
  const platform::SourceLocation at = p.where(key);
  if (!path.empty() && path[0] != '/' && !at.file.empty() && std::ifstream(at.file).good())
    path = dir_of(at.file) + "/" + path;
  return path;
}

void register_mailbox_type(platform::Registry& registry) {
  registry.add({"dev.mailbox",
                "vhost mailbox: EXIT, PRINT, MEMMOVE, MEMSET, MEMCMP, CALL through a request block in guest memory",
                [](platform::Properties& p) -> std::any {
                  MailboxConfig c;
                  c.latency = ps(p.time_ps("latency", 10'000));
                  c.max_length = p.size("max_length", 64ull << 20);
                  c.max_call_args = unsigned(p.integer("max_call_args", 16));
                  if (c.max_call_args > 256) p.fail("max_call_args", "must be at most 256");
                  const std::string out = p.choice("output", {"stdout", "stderr", "none"}, "stdout");
                  c.output = out == "stdout" ? stdout : out == "stderr" ? stderr : nullptr;
                  const std::string root = p.string("fs_root", "");
                  if (!root.empty()) {
                    c.fs_root = relative_to_yaml(p, "fs_root", root);
                    struct stat st;
                    if (::stat(c.fs_root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
                      p.fail("fs_root", "'" + c.fs_root + "' is not a directory");
                  }
                  return c;
                },
                [](const std::string& instance, const std::any& config) -> std::unique_ptr<platform::Component> {
                  return std::make_unique<Mailbox>(instance.c_str(), std::any_cast<const MailboxConfig&>(config));
                },
                [](platform::DeviceTreeContext& ctx) {
                  if (!ctx.base) return;
                  const std::string path = ctx.tree.add_node("/soc", platform::node_name("mailbox", *ctx.base));
                  ctx.tree.set_string(path, "compatible", "vp,mailbox");
                  ctx.tree.set_u64(path, "reg", {*ctx.base, ctx.size});
                  ctx.node_path = path;
                },
                {{"latency", "Access latency of the mailbox registers"},
                 {"max_length", "Largest MEMMOVE/MEMSET/MEMCMP/PRINT length accepted (larger requests fail)"},
                 {"max_call_args", "Largest argument count of a CALL (at most 256)"},
                 {"output", "Where PRINT goes: stdout, stderr or none"},
                 {"fs_root", "Directory of the file services OPEN/READ/WRITE/CLOSE (relative to this file; none: off)"}}});
}

std::any parse_vhost(platform::Properties& p) {
  mem::VhostConfig c;
  std::string file = p.string("file");
  if (file.empty()) p.fail("file", "must name a memory definition file");
  file = relative_to_yaml(p, "file", file);
  if (!std::ifstream(file).good()) p.fail("file", "cannot read memory definition file '" + file + "'");
  c.definition = mem::load_memory_definition(file);  // its own errors name the definition file
  c.dir = dir_of(file);

  std::vector<std::string> spaces;
  for (const auto& m : c.definition.memories)
    if (m.kind != mem::MemoryDef::Kind::BlackBox &&
        std::find(spaces.begin(), spaces.end(), m.space) == spaces.end())
      spaces.push_back(m.space);
  if (p.has("space")) {
    c.space = p.string("space");
    if (std::find(spaces.begin(), spaces.end(), c.space) == spaces.end())
      p.fail("space", "no space '" + c.space + "' in " + file + platform::did_you_mean_hint(c.space, spaces));
  } else if (spaces.size() == 1) {
    c.space = spaces.front();
  } else if (spaces.size() > 1) {
    std::string list;
    for (const auto& s : spaces) list += (list.empty() ? "" : ", ") + s;
    p.fail("file", "the definition has several spaces (" + list + "): choose one with 'space:'");
  }
  std::map<std::string, std::string> ports;
  for (const auto& m : c.definition.memories) {
    if (m.kind != mem::MemoryDef::Kind::BlackBox && m.space != c.space) continue;
    const std::string port = mem::vhost_port_name(m.path);
    if (port == "mem" && p.boolean("memory_map", true))
      throw platform::ConfigError(m.where, "memory '" + m.path + "' would take the port name 'mem' of the memory-map socket");
    auto [it, fresh] = ports.emplace(port, m.path);
    if (!fresh)
      throw platform::ConfigError(m.where, "memories '" + it->second + "' and '" + m.path +
                                               "' have the same port name '" + port + "'");
  }
  c.export_dir = p.string("export_dir", "");
  c.memory_map = p.boolean("memory_map", true);
  c.latency = ps(p.time_ps("latency", 0));
  return c;
}

void register_vhost_type(platform::Registry& registry) {
  registry.add({"mem.vhost",
                "vhost memory definition file: one target socket per memory, $readmemh export at the end of the run",
                parse_vhost,
                [](const std::string& instance, const std::any& config) -> std::unique_ptr<platform::Component> {
                  return std::make_unique<mem::VhostMemories>(instance.c_str(),
                                                              std::any_cast<const mem::VhostConfig&>(config));
                },
                nullptr,
                {{"file", "Memory definition file (YAML, docs/rtl.md), relative to the platform file"},
                 {"space", "Which address space of the definition to map (needed when it has several)", "string"},
                 {"export_dir", "Folder for the $readmemh export at the end of the run (\"\": no export)", "string",
                  "\"\""},
                 {"memory_map", "Also expose a socket `mem` mapping the whole space", "boolean", "true"},
                 {"latency", "Access latency of every memory", "time", "0s"}}});
}

void register_dpi_target_type(platform::Registry& registry) {
  registry.add({"rtl.dpi_target",
                "Window handed to the SystemVerilog testbench hosting vp (vp_pkg.sv): accesses reach its "
                "vp_sv_target_access export, its bus functional model masters `mem`, it drives `irq`",
                [](platform::Properties& p) -> std::any {
                  DpiTargetConfig c;
                  c.size = p.size("size", 0x1000);
                  if (c.size == 0) p.fail("size", "must not be 0");
                  const uint64_t irqs = p.integer("irqs", 1);
                  if (irqs > 64) p.fail("irqs", "must be at most 64");
                  c.irqs = unsigned(irqs);
                  c.latency = ps(p.time_ps("latency", 0));
                  return c;
                },
                [](const std::string& instance, const std::any& config) -> std::unique_ptr<platform::Component> {
                  return std::make_unique<DpiTarget>(instance.c_str(), std::any_cast<const DpiTargetConfig&>(config));
                },
                nullptr,
                {{"size", "Size of the window (bytes)", "size", "0x1000"},
                 {"irqs", "Interrupt lines the testbench drives (irq, or irq[0..n-1]; at most 64)", "integer", "1"},
                 {"latency", "Added to every window access, after the testbench's answer", "time", "0s"}}});
}

}  // namespace
}  // namespace vp::rtl

namespace vp::platform {

void register_rtl_types(Registry& registry) {
  rtl::register_generated_components(registry);
#ifdef VP_RTL_HAVE_SOCKET
  rtl::register_socket_type(registry);
#endif
  rtl::register_mailbox_type(registry);
  rtl::register_vhost_type(registry);
  rtl::register_dpi_target_type(registry);
}

}  // namespace vp::platform
