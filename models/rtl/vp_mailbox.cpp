// The C API of the verification host (vp_mailbox.h) over one process-wide
// VhostHost. Every entry point catches everything: an RTL simulator hosting
// this library must never be aborted by it.
#include "models/rtl/vp_mailbox.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include "models/mem/elf_file.h"
#include "models/rtl/vhost_host.h"

namespace {

using vp::rtl::VhostHost;

std::recursive_mutex g_mutex;  // a callback may use the API (read guest memory)
std::unique_ptr<VhostHost> g_host;
thread_local std::string g_error;

int fail(int code, std::string message) {
  g_error = std::move(message);
  return code;
}

// Runs `f` (returning an int code) with every exception turned into a code and a message.
template <typename F>
int guarded(F&& f) {
  try {
    return f();
  } catch (const vp::platform::ConfigError& e) {
    return fail(VP_MAILBOX_ECONFIG, e.what());
  } catch (const vp::mem::LoadError& e) {
    return fail(VP_MAILBOX_ELOAD, e.what());
  } catch (const std::invalid_argument& e) {
    return fail(VP_MAILBOX_EARG, e.what());
  } catch (const std::exception& e) {
    return fail(VP_MAILBOX_EACCESS, e.what());
  } catch (...) {
    return fail(VP_MAILBOX_EACCESS, "unknown error");
  }
}

int not_initialised(const char* fn) {
  return fail(VP_MAILBOX_ESTATE, std::string(fn) + ": the mailbox is not initialised (vp_mailbox_init)");
}

// The contents of a file named by `what` (an environment variable or an argument).
int read_text(const std::string& path, const std::string& what, std::string& out) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return fail(VP_MAILBOX_EFILE, path + ": error: cannot read " + what + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail(VP_MAILBOX_EFILE, path + ": error: cannot read " + what + ": a directory");
  errno = 0;
  std::ifstream in(path);
  if (!in)
    return fail(VP_MAILBOX_EFILE, path + ": error: cannot read " + what + ": " + std::strerror(errno ? errno : EACCES));
  std::stringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return VP_MAILBOX_OK;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string dir_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

int check_fs_root(const std::string& root) {
  struct stat st;
  if (::stat(root.c_str(), &st) != 0)
    return fail(VP_MAILBOX_EFILE, root + ": error: MAILBOX_FS_ROOT: " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) return fail(VP_MAILBOX_EFILE, root + ": error: MAILBOX_FS_ROOT is not a directory");
  return VP_MAILBOX_OK;
}

int init(const std::string& mem_file, const std::string& mailbox_text, const std::string& mailbox_file,
         const std::string& fs_root) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  if (g_host) return fail(VP_MAILBOX_ESTATE, "vp_mailbox_init: already initialised (vp_mailbox_shutdown first)");
  std::string mem_text;
  if (int rc = read_text(mem_file, "the memory definition file (MEM_CFG_FILE)", mem_text)) return rc;
  if (!fs_root.empty())
    if (int rc = check_fs_root(fs_root)) return rc;
  return guarded([&] {
    auto def = vp::mem::parse_memory_definition(mem_text, mem_file);
    auto config = vp::rtl::parse_vhost_host_config(mailbox_text, mailbox_file, std::move(def), dir_of(mem_file),
                                                   env("VP_MAILBOX_BACKEND"));
    config.engine.fs_root = fs_root;
    g_host = std::make_unique<VhostHost>(std::move(config));
    g_error.clear();
    return VP_MAILBOX_OK;
  });
}

}  // namespace

extern "C" {

int vp_mailbox_init(void) {
  const std::string mem = env("MEM_CFG_FILE"), cfg = env("MAILBOX_CFG_FILE"), root = env("MAILBOX_FS_ROOT");
  const char* missing = mem.empty() ? "MEM_CFG_FILE (the vhost memory definition file)"
                        : cfg.empty() ? "MAILBOX_CFG_FILE (the mailbox configuration file)"
                        : root.empty() ? "MAILBOX_FS_ROOT (the root directory of the mailbox file services)"
                                       : nullptr;
  if (missing) return fail(VP_MAILBOX_EENV, std::string("environment: error: ") + missing + " is not set");
  std::string text;
  if (int rc = read_text(cfg, "the mailbox configuration file (MAILBOX_CFG_FILE)", text)) return rc;
  return init(mem, text, cfg, root);
}

int vp_mailbox_init_with_config(const char* mem_cfg_file, const char* mailbox_yaml) {
  std::string mem = mem_cfg_file && *mem_cfg_file ? mem_cfg_file : env("MEM_CFG_FILE");
  if (mem.empty())
    return fail(VP_MAILBOX_EENV, "environment: error: no memory definition file: the argument is empty and "
                                 "MEM_CFG_FILE is not set");
  if (!mailbox_yaml) return fail(VP_MAILBOX_EARG, "vp_mailbox_init_with_config: mailbox_yaml is NULL");
  return init(mem, mailbox_yaml, "<mailbox config>", env("MAILBOX_FS_ROOT"));
}

void vp_mailbox_shutdown(void) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  g_host.reset();
}

const char* vp_last_error(void) { return g_error.c_str(); }

const char* vp_mailbox_backend(void) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  return g_host ? vp::mem::vhost_backend_name(g_host->config().backend) : "";
}

int vp_mailbox_poll(void) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  if (!g_host) return not_initialised("vp_mailbox_poll");
  return guarded([] {
    const int n = g_host->poll();
    return n < 0 ? fail(VP_MAILBOX_EACCESS, "vp_mailbox_poll: " + g_host->error()) : n;
  });
}

int vp_mailbox_serve(long long block, int* status, long long* result) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  if (!g_host) return not_initialised("vp_mailbox_serve");
  return guarded([&] {
    uint64_t r = 0;
    const uint32_t st = g_host->serve(uint64_t(block), r);
    if (status) *status = int(st);
    if (result) *result = (long long)r;
    return VP_MAILBOX_OK;
  });
}

int vp_mailbox_exit_code(int* code) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  if (!g_host) return not_initialised("vp_mailbox_exit_code");
  const auto c = g_host->exit_code();
  if (c && code) *code = *c;
  return c ? 1 : 0;
}

int vp_mailbox_read(uint64_t addr, void* data, size_t len) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  if (!g_host) return not_initialised("vp_mailbox_read");
  if (!data && len) return fail(VP_MAILBOX_EARG, "vp_mailbox_read: data is NULL");
  return guarded([&] {
    return g_host->read(addr, data, len) ? VP_MAILBOX_OK : fail(VP_MAILBOX_EACCESS, "vp_mailbox_read: " + g_host->error());
  });
}

int vp_mailbox_write(uint64_t addr, const void* data, size_t len) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  if (!g_host) return not_initialised("vp_mailbox_write");
  if (!data && len) return fail(VP_MAILBOX_EARG, "vp_mailbox_write: data is NULL");
  return guarded([&] {
    return g_host->write(addr, data, len) ? VP_MAILBOX_OK
                                          : fail(VP_MAILBOX_EACCESS, "vp_mailbox_write: " + g_host->error());
  });
}

int vp_mailbox_read64(long long addr, long long* data) {
  uint64_t v = 0;
  const int rc = vp_mailbox_read(uint64_t(addr), &v, 8);
  if (rc == VP_MAILBOX_OK && data) *data = (long long)v;
  return rc;
}

int vp_mailbox_write64(long long addr, long long data) {
  const uint64_t v = uint64_t(data);
  return vp_mailbox_write(uint64_t(addr), &v, 8);
}

int vp_mailbox_load_elf(const char* path) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  if (!g_host) return not_initialised("vp_mailbox_load_elf");
  if (!path) return fail(VP_MAILBOX_EARG, "vp_mailbox_load_elf: path is NULL");
  return guarded([&] {
    g_host->load_elf(path);
    return VP_MAILBOX_OK;
  });
}

int vp_mailbox_flush_static(vp_static_sink_fn sink, void* user) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  if (!g_host) return not_initialised("vp_mailbox_flush_static");
  auto* storage = dynamic_cast<vp::mem::StorageBackend*>(&g_host->backend());
  if (!storage || storage->kind() != vp::mem::VhostBackendKind::Static)
    return fail(VP_MAILBOX_EARG, std::string("vp_mailbox_flush_static: the backend is '") +
                                     vp_mailbox_backend() + "', not 'static'");
  if (!sink) return fail(VP_MAILBOX_EARG, "vp_mailbox_flush_static: sink is NULL");
  return guarded([&] {
    int rc = 0;
    storage->flush([&](const vp::mem::StorageBackend::StaticMem& m, const std::vector<uint8_t>& data,
                       const std::vector<std::pair<uint64_t, uint64_t>>& valid) {
      if (rc) return;
      const vp_static_mem d{m.path.c_str(), m.width, m.depth};
      std::vector<vp_mem_range> ranges;
      for (const auto& [s, e] : valid) ranges.push_back({s, e});
      rc = sink(user, &d, data.data(), data.size(), ranges.data(), ranges.size());
      if (rc) fail(VP_MAILBOX_EACCESS, "vp_mailbox_flush_static: the sink refused " + m.path + " (" +
                                           std::to_string(rc) + ")");
    });
    return rc ? VP_MAILBOX_EACCESS : VP_MAILBOX_OK;
  });
}

int vp_mailbox_export_hex(const char* dir) {
  std::lock_guard<std::recursive_mutex> lock(g_mutex);
  if (!g_host) return not_initialised("vp_mailbox_export_hex");
  auto* storage = dynamic_cast<vp::mem::StorageBackend*>(&g_host->backend());
  if (!storage)
    return fail(VP_MAILBOX_EARG, std::string("vp_mailbox_export_hex: the backend '") + vp_mailbox_backend() +
                                     "' keeps no contents (logging or static do)");
  if (!dir || !*dir) return fail(VP_MAILBOX_EARG, "vp_mailbox_export_hex: no directory");
  struct stat st;
  if (::stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return fail(VP_MAILBOX_EFILE, std::string(dir) + ": error: not a directory");
  return guarded([&] {
    for (const auto& i : storage->instances()) {
      if (i->def().kind != vp::mem::MemoryDef::Kind::BlackBox && i->def().space != g_host->config().space) continue;
      i->export_hex(dir);
    }
    return VP_MAILBOX_OK;
  });
}

void vp_hdl_set_backdoor(vp_hdl_read_fn read, vp_hdl_deposit_fn deposit, void* user) {
  vp::mem::HdlBackdoor b;
  b.read = read;
  b.deposit = deposit;
  b.user = user;
  vp::mem::set_hdl_backdoor(b);
}

}  // extern "C"

namespace {

// A C handler as a CALL layer (or a C++ callback): NOT_HANDLED means "not mine".
std::optional<uint32_t> call_c(vp_mailbox_call_fn fn, void* user, vp::rtl::MailboxCall& call, uint64_t& result) {
  const int st = fn(user, call.name.c_str(), call.id, call.args.data(), uint32_t(call.args.size()), &result);
  if (st == VP_MAILBOX_NOT_HANDLED) return std::nullopt;
  return uint32_t(st);
}

}  // namespace

extern "C" int vp_mailbox_set_call_handler(int layer, vp_mailbox_call_fn fn, void* user) {
  using vp::rtl::CallLayer;
  if (layer != VP_MAILBOX_LAYER_PYTHON && layer != VP_MAILBOX_LAYER_DPI)
    return fail(VP_MAILBOX_EARG, "vp_mailbox_set_call_handler: unknown layer " + std::to_string(layer) +
                                     " (VP_MAILBOX_LAYER_PYTHON or VP_MAILBOX_LAYER_DPI)");
  vp::rtl::CallHandler h;
  if (fn) h = [fn, user](vp::rtl::MailboxCall& c, uint64_t& r) { return call_c(fn, user, c, r); };
  vp::rtl::MailboxCallbacks::global().set_layer(layer == VP_MAILBOX_LAYER_PYTHON ? CallLayer::Python : CallLayer::Dpi,
                                                std::move(h));
  return VP_MAILBOX_OK;
}

extern "C" int vp_mailbox_register_callback(uint32_t id, const char* name, vp_mailbox_call_fn fn, void* user) {
  if (!fn) return fail(VP_MAILBOX_EARG, "vp_mailbox_register_callback: fn is NULL");
  return guarded([&] {
    vp::rtl::MailboxCallbacks::global().add(id, name ? name : "", [fn, user](vp::rtl::MailboxCall& c) -> uint64_t {
      uint64_t result = 0;
      const auto st = call_c(fn, user, c, result);
      if (!st) throw vp::rtl::MailboxError(vp::rtl::mbox::NoCallback, "not handled");
      if (*st != vp::rtl::mbox::Ok) throw vp::rtl::MailboxError(*st, "callback status");
      return result;
    });
    return VP_MAILBOX_OK;
  });
}

extern "C" int vp_mailbox_unregister_callback(uint32_t id) {
  return vp::rtl::MailboxCallbacks::global().remove(id) ? VP_MAILBOX_OK
                                                        : fail(VP_MAILBOX_EARG, "no callback number " + std::to_string(id));
}

// libsystemc (linked through the platform library) wants an sc_main; a host
// program that never starts a SystemC kernel has none. vp's own wins.
extern "C" __attribute__((weak)) int sc_main(int, char**) { return 0; }
