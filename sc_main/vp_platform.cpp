// vp inside an RTL simulation (models/rtl/vp_platform.h): the platform is
// built and booted as `vp run` does it, and each advance is one sc_start of
// the testbench's step. SystemC errors become -1 and a message, never an abort.
#include "models/rtl/vp_platform.h"

#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/rtl/dpi_target.h"
#include "platform/builder.h"
#include "platform/loader.h"
#include "platform/simulation.h"
#include "sc_main/runner.h"

namespace {

struct Host {
  std::unique_ptr<vp::platform::Platform> platform;
  std::vector<std::pair<std::string, vp::rtl::DpiTarget*>> targets;
  bool booted = false, finished = false, failed = false;
  int exit_code = 0;
  std::string reason, error;
};

// Never destroyed: the models outlive the process's static objects they use
// (statistics, SystemC's kernel), so tearing them down at exit would crash.
Host& host() {
  static Host* h = new Host;
  return *h;
}

int fail(const std::string& message) {
  host().error = message;
  return -1;
}

// Runs f, turning every exception into -1 and its message.
template <typename F>
int guarded(F&& f) {
  try {
    return f();
  } catch (const sc_core::sc_report& e) {
    return fail(std::string("SystemC: ") + e.what());
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

int create(const std::function<vp::platform::PlatformSpec()>& load) {
  return guarded([&] {
    Host& h = host();
    if (h.platform || sc_core::sc_get_status() != sc_core::SC_ELABORATION)
      return fail("a platform already exists in this process (SystemC allows one)");
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    using sc_core::sc_report_handler;
    sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    // A library must not abort its host: fatal reports are thrown as errors are.
    sc_report_handler::set_actions(sc_core::SC_FATAL, sc_core::SC_DISPLAY | sc_core::SC_THROW);
    const vp::platform::PlatformSpec spec = load();
    h.platform = vp::platform::build_platform(spec);
    for (const auto& i : h.platform->instances())
      if (auto* t = dynamic_cast<vp::rtl::DpiTarget*>(i.component.get())) h.targets.emplace_back(i.name, t);
    h.error.clear();
    return 0;
  });
}

int ready() {
  Host& h = host();
  if (!h.platform) return fail("no platform: call vp_platform_create first");
  if (h.failed) return fail("the simulation failed earlier: " + h.error);
  return 0;
}

int boot() {
  Host& h = host();
  if (!h.booted) {
    vp::prepare_boot(*h.platform, vp::RunOptions{});
    h.booted = true;
  }
  return 0;
}

// One sc_start; notes the end of the simulation (the guest's stop request).
void run(const sc_core::sc_time& t) {
  Host& h = host();
  if (h.finished) return;
  vp::platform::clear_pause();
  try {
    sc_core::sc_start(t);
  } catch (...) {
    h.failed = true;
    throw;
  }
  if (auto stop = vp::platform::stop_request()) {
    h.finished = true;
    h.exit_code = stop->exit_code;
    h.reason = stop->reason;
  }
}

// Events notified from outside the kernel before it initialised are lost:
// requests from the testbench first boot and initialise (a zero-time start).
int started() {
  return guarded([] {
    boot();
    if (sc_core::sc_get_status() == sc_core::SC_ELABORATION) run(sc_core::SC_ZERO_TIME);
    return 0;
  });
}

vp::rtl::DpiTarget* target(const char* name) {
  Host& h = host();
  for (auto& t : h.targets)
    if (!name || !*name || t.first == name) return t.second;
  fail(h.targets.empty() ? std::string("the platform has no rtl.dpi_target")
                         : "no rtl.dpi_target named '" + std::string(name) + "'");
  return nullptr;
}

}  // namespace

extern "C" {

int vp_platform_create(const char* yaml_path) {
  if (!yaml_path || !*yaml_path) return fail("vp_platform_create: no YAML file named");
  const std::string path = yaml_path;
  return create([&] { return vp::platform::load_platform_file(path); });
}

int vp_platform_create_from_string(const char* yaml_text) {
  if (!yaml_text) return fail("vp_platform_create_from_string: NULL text");
  const std::string text = yaml_text;
  return create([&] { return vp::platform::load_platform_string(text, "<vp_platform_create_from_string>"); });
}

int vp_platform_load(const char* kernel, const char* bios) {
  if (ready() < 0) return -1;
  Host& h = host();
  if (h.booted) return fail("vp_platform_load: software is loaded once, before the first advance");
  return guarded([&] {
    vp::RunOptions o;
    o.kernel = kernel ? kernel : "";
    o.bios = bios ? bios : "";
    vp::prepare_boot(*h.platform, o);
    h.booted = true;
    return 0;
  });
}

int vp_platform_advance(long long ps) {
  if (ready() < 0) return -1;
  Host& h = host();
  if (h.finished) return VP_PLATFORM_FINISHED;
  if (ps < 0) return fail("vp_platform_advance: negative time");
  return guarded([&] {
    boot();
    run(sc_core::sc_time(double(ps), sc_core::SC_PS));
    return int(h.finished ? VP_PLATFORM_FINISHED : VP_PLATFORM_RUNNING);
  });
}

int vp_platform_run_until(long long ps) {
  const long long now = vp_platform_time_ps();
  return vp_platform_advance(ps > now ? ps - now : 0);
}

long long vp_platform_time_ps(void) {
  return (long long)(sc_core::sc_time_stamp().to_seconds() * 1e12 + 0.5);
}

long long vp_platform_next_event_ps(void) {
  if (!sc_core::sc_pending_activity()) return -1;
  return (long long)(sc_core::sc_time_to_pending_activity().to_seconds() * 1e12 + 0.5);
}

int vp_platform_exit_code(int* code) {
  if (!host().finished) return 0;
  if (code) *code = host().exit_code;
  return 1;
}

const char* vp_platform_stop_reason(void) { return host().reason.c_str(); }
const char* vp_platform_error(void) { return host().error.c_str(); }

void vp_platform_set_target_handler(vp_platform_target_fn fn, void* user) {
  vp::rtl::DpiTarget::set_handler(fn, user);
}

int vp_platform_complete(const char* name, long long data, int status) {
  if (ready() < 0 || started() < 0) return -1;
  auto* t = target(name);
  if (!t) return -1;
  if (!t->complete(uint64_t(data), status))
    return fail("vp_platform_complete: " + std::string(name ? name : "") + " has no pending access");
  return 0;
}

int vp_platform_irq(const char* name, int line, int level) {
  if (ready() < 0 || started() < 0) return -1;
  auto* t = target(name);
  if (!t) return -1;
  if (line < 0 || !t->set_irq(unsigned(line), level != 0))
    return fail("vp_platform_irq: no interrupt line " + std::to_string(line));
  return 0;
}

int vp_platform_bus_read(long long addr, int size) {
  if (ready() < 0 || started() < 0) return -1;
  if (host().finished) return fail("vp_platform_bus_read: the simulation has ended");
  auto* t = target("");
  if (!t) return -1;
  if (t->bus_start(false, uint64_t(addr), unsigned(size), 0) < 0)
    return fail("vp_platform_bus_read: an access is queued already, or size is not 1, 2, 4 or 8");
  return VP_PLATFORM_PENDING;
}

int vp_platform_bus_write(long long addr, int size, long long data) {
  if (ready() < 0 || started() < 0) return -1;
  if (host().finished) return fail("vp_platform_bus_write: the simulation has ended");
  auto* t = target("");
  if (!t) return -1;
  if (t->bus_start(true, uint64_t(addr), unsigned(size), uint64_t(data)) < 0)
    return fail("vp_platform_bus_write: an access is queued already, or size is not 1, 2, 4 or 8");
  return VP_PLATFORM_PENDING;
}

int vp_platform_bus_poll(long long* data) {
  if (ready() < 0) return -1;
  auto* t = target("");
  if (!t) return -1;
  uint64_t d = 0;
  int rc = t->bus_poll(&d);
  if (rc == VP_PLATFORM_PENDING && host().finished) {
    t->bus_cancel();
    return fail("vp_platform_bus_poll: the simulation ended before the access was served");
  }
  if (rc == 0 && data) *data = (long long)d;
  if (rc < 0) return fail("vp_platform_bus_poll: bus error (or nothing queued)");
  return rc;
}

}  // extern "C"
