// vp._vp: platform descriptions and the simulator, over the same loader,
// builder and boot logic as the `vp` command line.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>
#include <systemc>

#include "models/mem/elf_file.h"
#include "platform/loader.h"
#include "python/src/simulator.h"

namespace py = pybind11;
using namespace vp;

namespace vp::python {
void bind_mailbox(py::module_& m);  // mailbox_module.cpp: vp.mailbox's CALL layer
}

// libsystemc.so references sc_main, so the module must export one (loading
// with RTLD_NOW fails otherwise); it is never called.
extern "C" __attribute__((visibility("default"))) int sc_main(int, char*[]) { return 0; }

namespace {

// SystemC prints its banner when the kernel starts; a library should not.
const int kQuietSystemC = (setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0),
                           setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0), 0);

PyObject* g_vp_error = nullptr;
PyObject* g_config_error = nullptr;
PyObject* g_load_error = nullptr;
PyObject* g_sim_error = nullptr;
PyObject* g_checkpoint_error = nullptr;

PyObject* new_exception(py::module_& m, const char* name, PyObject* bases, const char* doc) {
  std::string full = std::string("vp.") + name;
  PyObject* e = PyErr_NewExceptionWithDoc(full.c_str(), doc, bases, nullptr);
  if (!e) throw py::error_already_set();
  m.add_object(name, py::handle(e));
  return e;
}

platform::SourceLocation py_where(const std::string& path) {
  return {path.empty() ? "<python>" : "<python>:" + path, 0, 0};
}

std::string scalar_text(const py::handle& v) {
  if (py::isinstance<py::bool_>(v)) return v.cast<bool>() ? "true" : "false";
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  if (py::isinstance<py::int_>(v) || py::isinstance<py::float_>(v)) return py::str(v).cast<std::string>();
  throw platform::ConfigError(py_where(""), std::string("cannot use a Python ") +
                                                py::str(v.get_type().attr("__name__")).cast<std::string>() +
                                                " in a platform description (expected dict, list, str, int, "
                                                "float, bool or None)");
}

// A Python dict/list/scalar tree to a ConfigNode; locations name the key path.
platform::ConfigNode to_node(const py::handle& v, const std::string& path) {
  using platform::ConfigNode;
  const auto where = py_where(path);
  if (v.is_none()) {
    ConfigNode n;
    n.where = where;
    return n;
  }
  if (py::isinstance<py::dict>(v)) {
    ConfigNode n = ConfigNode::make_map(where);
    for (auto item : v.cast<py::dict>()) {
      if (!py::isinstance<py::str>(item.first))
        throw platform::ConfigError(where, "keys must be strings, found " + py::repr(item.first).cast<std::string>());
      const std::string key = item.first.cast<std::string>();
      const std::string sub = path.empty() ? key : path + "." + key;
      n.set(key, to_node(item.second, sub), py_where(sub));
    }
    return n;
  }
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    ConfigNode n = ConfigNode::make_sequence(where);
    size_t i = 0;
    for (auto item : v) n.sequence.push_back(to_node(item, path + "[" + std::to_string(i++) + "]"));
    return n;
  }
  return ConfigNode::make_scalar(scalar_text(v), where);
}

// "path=value" strings, reported as the command line reports --set.
std::vector<platform::Override> to_overrides(const std::vector<std::string>& sets) {
  std::vector<platform::Override> out;
  for (const auto& s : sets) out.push_back(platform::parse_override(s, {"--set " + s, 0, 0}));
  return out;
}

py::dict outcome_dict(const vp::python::RunOutcome& r) {
  py::dict d;
  d["kind"] = r.kind;
  d["exit_code"] = r.exit_code;
  d["reason"] = r.reason;
  d["instructions"] = r.instructions;
  d["host_seconds"] = r.host_seconds;
  d["simulated_seconds"] = r.simulated_seconds;
  d["report"] = r.report;
  return d;
}

py::dict boot_dict(const BootInfo& b) {
  py::dict d;
  auto put = [&](const char* k, const std::optional<uint64_t>& v) { d[k] = v ? py::cast(*v) : py::none(); };
  put("entry", b.entry);
  put("kernel_addr", b.kernel_addr);
  put("dtb_addr", b.dtb_addr);
  put("reset_vector", b.reset_vector);
  put("tohost", b.tohost);
  put("fromhost", b.fromhost);
  return d;
}

}  // namespace

PYBIND11_MODULE(_vp, m) {
  (void)kQuietSystemC;
  m.doc() = "vp: SystemC/TLM-2.0 virtual platform (native part; use the `vp` package)";

  g_vp_error = new_exception(m, "VpError", PyExc_Exception, "Base of every vp error.");
  {
    py::tuple b = py::make_tuple(py::handle(g_vp_error), py::handle(PyExc_ValueError));
    g_config_error = new_exception(m, "ConfigError", b.ptr(),
                                   "A platform description error; str() is 'file:line:col: error: message' "
                                   "exactly as the vp command line prints it.");
  }
  {
    py::tuple b = py::make_tuple(py::handle(g_vp_error), py::handle(PyExc_RuntimeError));
    g_load_error = new_exception(m, "LoadError", b.ptr(), "Software (ELF, binary) could not be loaded.");
    g_sim_error = new_exception(m, "SimulationError", b.ptr(),
                                "A simulation-level error (SystemC report, one-platform-per-process rule, "
                                "run after the end).");
    g_checkpoint_error = new_exception(m, "CheckpointError", b.ptr(),
                                       "A checkpoint could not be written or restored (docs/checkpoints.md).");
  }
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const platform::ConfigError& e) {
      PyErr_SetString(g_config_error, e.what());
    } catch (const mem::LoadError& e) {
      PyErr_SetString(g_load_error, e.what());
    } catch (const platform::CheckpointError& e) {
      PyErr_SetString(g_checkpoint_error, e.what());
    } catch (const sc_core::sc_report& e) {
      PyErr_SetString(g_sim_error, e.what());
    } catch (const std::invalid_argument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const std::logic_error& e) {
      PyErr_SetString(g_sim_error, e.what());
    }
  });

  py::class_<platform::PlatformSpec>(m, "Spec", "A loaded, validated platform description (no SystemC objects yet).")
      .def_readonly("name", &platform::PlatformSpec::name)
      .def_readonly("description", &platform::PlatformSpec::description)
      .def_readonly("quantum_ps", &platform::PlatformSpec::quantum_ps)
      .def_readonly("files", &platform::PlatformSpec::files)
      .def_property_readonly("components",
                             [](const platform::PlatformSpec& s) {
                               std::vector<std::pair<std::string, std::string>> out;
                               for (const auto& c : s.components) out.emplace_back(c.name, c.type);
                               return out;
                             })
      .def(
          "enable_uart_capture",
          [](platform::PlatformSpec& s) {
            // capture: true on every dev.ns16550 that does not say otherwise.
            for (auto& c : s.components)
              if (c.type == "dev.ns16550" && c.properties.is_map() && !c.properties.find("capture"))
                c.properties.set("capture", platform::ConfigNode::make_scalar("true", c.where), c.where);
          },
          "Sets capture: true on every UART (dev.ns16550) that does not set it.");

  m.def(
      "load_file",
      [](const std::string& path, const std::vector<std::string>& sets) {
        return platform::load_platform_file(path, to_overrides(sets));
      },
      py::arg("path"), py::arg("overrides") = std::vector<std::string>{});
  m.def(
      "load_string",
      [](const std::string& text, const std::string& name, const std::vector<std::string>& sets) {
        return platform::load_platform_string(text, name, to_overrides(sets));
      },
      py::arg("text"), py::arg("name") = "<string>", py::arg("overrides") = std::vector<std::string>{});
  m.def(
      "load_tree",
      [](const py::object& tree, const std::vector<std::string>& sets) {
        if (!py::isinstance<py::dict>(tree))
          throw platform::ConfigError(py_where(""), "a platform description must be a dict");
        return platform::load_platform_tree(to_node(tree, ""), to_overrides(sets));
      },
      py::arg("tree"), py::arg("overrides") = std::vector<std::string>{});
  m.def("read_checkpoint_manifest", [](const std::string& dir) {
    const auto c = platform::read_checkpoint_manifest(dir);
    py::dict d;
    d["version"] = c.version;
    d["platform"] = c.platform;
    d["set"] = c.overrides;
    d["disks"] = c.disks;
    d["kernel"] = c.kernel;
    d["bios"] = c.bios;
    d["time_ps"] = c.time_ps;
    d["instructions"] = c.instructions;
    return d;
  }, py::arg("dir"), "The manifest of a checkpoint directory (docs/checkpoints.md).");
  vp::python::bind_mailbox(m);
  m.def("platform_built", &vp::python::platform_built, "Whether this process already built its one SystemC platform.");

  using vp::python::Simulator;
  py::class_<Simulator>(m, "Simulator")
      .def(py::init<const platform::PlatformSpec&>(), py::arg("spec"))
      .def_property_readonly("hart_names", &Simulator::hart_names)
      .def_property_readonly("uart_names", &Simulator::uart_names)
      .def_property_readonly("finished", &Simulator::finished)
      .def_property_readonly("started", &Simulator::started)
      .def_property_readonly("time", [](Simulator&) { return sc_core::sc_time_stamp().to_seconds(); })
      .def(
          "load",
          [](Simulator& s, const std::string& kernel, const std::string& bios, const std::string& append,
             bool semihosting, const std::string& semihosting_root) {
            RunOptions o;
            o.kernel = kernel;
            o.bios = bios;
            o.append = append;
            o.semihosting = semihosting;
            o.semihosting_root = semihosting_root;
            return boot_dict(s.load(o));
          },
          py::arg("kernel") = "", py::arg("bios") = "", py::arg("append") = "", py::arg("semihosting") = false,
          py::arg("semihosting_root") = "")
      .def(
          "run",
          [](Simulator& s, uint64_t max_instructions, uint64_t max_time_ps, uint64_t slice_ps) {
            bool signalled = false;
            vp::python::RunOutcome r;
            {
              py::gil_scoped_release release;
              r = s.run(max_instructions, max_time_ps, slice_ps, [&signalled] {
                py::gil_scoped_acquire acquire;
                if (PyErr_CheckSignals() != 0) {
                  signalled = true;
                  return false;
                }
                return true;
              });
            }
            if (signalled) throw py::error_already_set();
            return outcome_dict(r);
          },
          py::arg("max_instructions") = 0, py::arg("max_time_ps") = 0, py::arg("slice_ps") = 0)
      .def(
          "serve_gdb",
          [](Simulator& s, const std::string& address, uint64_t slice_ps) {
            bool signalled = false;
            vp::python::RunOutcome r;
            {
              py::gil_scoped_release release;
              r = s.serve_gdb(address, slice_ps, [&signalled] {
                py::gil_scoped_acquire acquire;
                if (PyErr_CheckSignals() != 0) {
                  signalled = true;
                  return false;
                }
                return true;
              });
            }
            if (signalled) throw py::error_already_set();
            return outcome_dict(r);
          },
          py::arg("address"), py::arg("slice_ps") = 0)
      .def("symbol", &Simulator::symbol)
      .def("register_number", &Simulator::register_number)
      .def("read_register",
           [](Simulator& s, unsigned n, const std::string& h) {
             uint64_t v = 0;
             if (!s.hart(h).read_register(n, v)) throw std::invalid_argument("register " + std::to_string(n) + " cannot be read");
             return v;
           })
      .def("write_register",
           [](Simulator& s, unsigned n, uint64_t v, const std::string& h) {
             if (!s.hart(h).write_register(n, v)) throw std::invalid_argument("register " + std::to_string(n) + " cannot be written");
           })
      .def("set_breakpoints", &Simulator::set_breakpoints)
      .def("checkpoint",
           [](Simulator& s, const std::string& dir, const std::string& platform_file,
              const std::vector<std::string>& overrides) {
             platform::CheckpointManifest m;
             m.platform = platform_file;
             m.overrides = overrides;
             s.checkpoint(dir, m);
           })
      .def("restore", &Simulator::restore)
      .def("set_detail_region",
           [](Simulator& s, const std::string& start, uint64_t at, uint64_t warmup, uint64_t count,
              uint64_t period, uint64_t functional_warm) {
             using Start = platform::DetailRegion::Start;
             platform::DetailRegion r;
             r.start = start == "marker" ? Start::kMarker : start == "pc" ? Start::kPc
                       : start == "instructions" ? Start::kInstructions : Start::kReset;
             r.at = at;
             r.warmup = warmup;
             r.count = count;
             r.period = period;
             r.functional_warm = functional_warm;
             if (functional_warm && !period && r.start != Start::kInstructions)
               throw std::invalid_argument("functional_warm needs an instruction-count start or a period");
             if (period && (!count || period <= warmup + count))
               throw std::invalid_argument("sampling needs count, and a period longer than warmup + count");
             s.set_detail_region(r);
           },
           py::arg("start"), py::arg("at"), py::arg("warmup"), py::arg("count"), py::arg("period") = 0,
           py::arg("functional_warm") = 0)
      .def("reg", [](Simulator& s, unsigned i, const std::string& h) { return s.hart(h).reg(i); })
      .def("set_reg",
           [](Simulator& s, unsigned i, uint64_t v, const std::string& h) {
             auto& p = s.hart(h);
             if (!p.supports_debug()) throw std::logic_error("processor does not support register writes");
             p.set_reg(i, v);
           })
      .def("pc", [](Simulator& s, const std::string& h) { return s.hart(h).pc(); })
      .def("set_pc",
           [](Simulator& s, uint64_t v, const std::string& h) {
             auto& p = s.hart(h);
             if (!p.supports_debug()) throw std::logic_error("processor does not support setting the pc");
             p.set_pc(v);
           })
      .def("instructions", [](Simulator& s, const std::string& h) { return s.hart(h).instructions_retired(); })
      .def("read_memory",
           [](Simulator& s, uint64_t addr, size_t len) {
             std::string buf(len, '\0');
             size_t n = s.platform().read_physical(addr, buf.data(), len);
             buf.resize(n);
             return py::bytes(buf);
           })
      .def("write_memory",
           [](Simulator& s, uint64_t addr, const py::bytes& data) {
             std::string buf = data;
             return s.write_memory(addr, buf.data(), buf.size());
           })
      .def("uart_output", [](Simulator& s, const std::string& name) { return py::bytes(s.uart_output(name)); })
      .def("uart_input",
           [](Simulator& s, const std::string& name, const py::bytes& data) { s.uart_input(name, data); })
      .def("stats", &Simulator::stats)
      .def("components",
           [](Simulator& s) {
             std::vector<std::pair<std::string, std::string>> out;
             for (const auto& i : s.platform().instances()) out.emplace_back(i.name, i.type);
             return out;
           })
      .def("address_map",
           [](Simulator& s) {
             py::list out;
             for (const auto& w : s.platform().address_map()) {
               py::dict d;
               d["router"] = w.router;
               d["target"] = w.target;
               d["base"] = w.base;
               d["size"] = w.size;
               out.append(d);
             }
             return out;
           })
      .def("device_tree", [](Simulator& s, const std::string& bootargs) {
        auto v = s.platform().device_tree(bootargs);
        return py::bytes(reinterpret_cast<const char*>(v.data()), v.size());
      }, py::arg("bootargs") = "");
}
