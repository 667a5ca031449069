// vp._pvm: the libpvm C API (include/pvm.h) for Python. No SystemC here; the
// idiomatic wrapper is vp/pvm.py.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "pvm.h"

namespace py = pybind11;

namespace {

PyObject* g_pvm_error = nullptr;

[[noreturn]] void fail(const std::string& message) {
  PyErr_SetString(g_pvm_error, message.c_str());
  throw py::error_already_set();
}

pvm_backend backend_of(const std::string& name) {
  if (name == "interpreter") return PVM_BACKEND_INTERPRETER;
  if (name == "recompiler") return PVM_BACKEND_RECOMPILER;
  throw std::invalid_argument("unknown PVM backend '" + name + "' (expected 'interpreter' or 'recompiler')");
}

pvm_access access_of(const std::string& a) {
  if (a == "none" || a.empty()) return PVM_ACCESS_NONE;
  if (a == "r" || a == "ro" || a == "read") return PVM_ACCESS_READ;
  if (a == "rw" || a == "write") return PVM_ACCESS_WRITE;
  throw std::invalid_argument("unknown page access '" + a + "' (expected 'none', 'r' or 'rw')");
}

pvm_config config_of(const std::string& backend, const std::string& gp) {
  pvm_config c{};
  c.backend = backend_of(backend);
  if (gp == "new-gas") c.gp = PVM_GP_NEW_GAS;
  else if (gp != "0.7.2") throw std::invalid_argument("unknown Gray Paper profile '" + gp + "' (expected '0.7.2' or 'new-gas')");
  return c;
}

class Vm {
 public:
  // A program blob (GP A.2), a .polkavm container (by its magic) or, with standard, a GP A.7
  // standard program with its arguments: a module (exports, memory layout) and its instance.
  Vm(const py::buffer& blob, const std::string& backend, bool standard, const py::bytes& args, const std::string& gp) {
    py::buffer_info b = blob.request();
    const auto* data = static_cast<const uint8_t*>(b.ptr);
    const size_t len = static_cast<size_t>(b.size * b.itemsize);
    const pvm_config config = config_of(backend, gp);
    pvm_error err{};
    std::string a = args;
    module_ = pvm_module_create(&config, standard ? PVM_BLOB_STANDARD : PVM_BLOB_AUTO, data, len, &err);
    if (module_) vm_ = pvm_instance_create(module_, reinterpret_cast<const uint8_t*>(a.data()), a.size(), &err);
    if (!vm_) fail(std::string("cannot create the PVM (") + backend + "): " + err.message);
    backend_ = backend;
  }
  // The seed-004 style: code, bitmask (packed or one byte per code byte) and jump table apart.
  Vm(const py::bytes& code, const py::bytes& bitmask, const std::vector<uint32_t>& jump_table,
     const std::string& backend, const std::string& gp) {
    const std::string c = code, m = bitmask;
    const pvm_config config = config_of(backend, gp);
    pvm_error err{};
    module_ = pvm_module_create_parts(&config, reinterpret_cast<const uint8_t*>(c.data()), c.size(),
                                      reinterpret_cast<const uint8_t*>(m.data()), m.size(), jump_table.data(),
                                      jump_table.size(), &err);
    if (module_) vm_ = pvm_instance_create(module_, nullptr, 0, &err);
    if (!vm_) fail(std::string("cannot create the PVM (") + backend + "): " + err.message);
    backend_ = backend;
  }
  ~Vm() {
    if (vm_) pvm_destroy(vm_);
    if (module_) pvm_module_destroy(module_);
  }

  // Module/instance (seed 003) and heap (seed 004) operations.
  void reset() {
    if (pvm_reset(vm_) != 0) fail("reset: cannot set up the module's memory");
  }
  void prepare_call(uint32_t pc) { pvm_prepare_call(vm_, pc); }
  py::list exports() const {
    py::list out;
    for (uint32_t i = 0; i < pvm_module_export_count(module_); ++i)
      out.append(py::make_tuple(std::string(pvm_module_export_symbol(module_, i)), pvm_module_export_entry(module_, i)));
    return out;
  }
  py::dict memory_info() const {
    pvm_memory_info m;
    pvm_module_get_memory_info(module_, &m);
    py::dict d;
    d["page_size"] = m.page_size;
    d["ro_address"] = m.ro_address;
    d["ro_size"] = m.ro_size;
    d["rw_address"] = m.rw_address;
    d["rw_size"] = m.rw_size;
    d["heap_base"] = m.heap_base;
    d["heap_limit"] = m.heap_limit;
    d["stack_low"] = m.stack_low;
    d["stack_high"] = m.stack_high;
    return d;
  }
  uint32_t heap_pointer() const { return pvm_get_heap_pointer(vm_); }
  void set_heap_pointer(uint32_t p) {
    if (pvm_set_heap_pointer(vm_, p) != 0) fail("heap pointer " + hex(p) + " outside the heap");
  }
  uint32_t sbrk(uint32_t bytes) { return pvm_sbrk(vm_, bytes); }
  void set_heap_limit(uint32_t limit) { pvm_set_heap_limit(vm_, limit); }
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  const std::string& backend() const { return backend_; }
  int64_t gas() const { return pvm_get_gas(vm_); }
  void set_gas(int64_t g) { pvm_set_gas(vm_, g); }
  uint64_t reg(unsigned i) const {
    check_reg(i);
    return pvm_get_reg(vm_, i);
  }
  void set_reg(unsigned i, uint64_t v) {
    check_reg(i);
    pvm_set_reg(vm_, i, v);
  }
  uint32_t pc() const { return pvm_get_pc(vm_); }
  void set_pc(uint32_t pc) { pvm_set_pc(vm_, pc); }
  uint32_t next_pc() const { return pvm_next_pc(vm_); }

  void map_pages(uint32_t addr, uint32_t len, const std::string& access) {
    if (pvm_map_pages(vm_, addr, len, access_of(access)) != 0)
      fail("cannot map [" + hex(addr) + ", +" + std::to_string(len) + ") (pages below 64 KiB cannot be mapped)");
  }
  std::string page_access(uint32_t addr) const {
    switch (pvm_page_access(vm_, addr)) {
      case PVM_ACCESS_READ: return "r";
      case PVM_ACCESS_WRITE: return "rw";
      default: return "none";
    }
  }
  py::bytes read(uint32_t addr, uint32_t len) const {
    std::string buf(len, '\0');
    if (pvm_read_memory(vm_, addr, buf.data(), len) != 0)
      fail("cannot read " + std::to_string(len) + " bytes at " + hex(addr) + " (not readable)");
    return py::bytes(buf);
  }
  void read_into(uint32_t addr, const py::buffer& dst) const {
    py::buffer_info b = dst.request(true);
    const auto len = static_cast<uint32_t>(b.size * b.itemsize);
    if (pvm_read_memory(vm_, addr, b.ptr, len) != 0)
      fail("cannot read " + std::to_string(len) + " bytes at " + hex(addr) + " (not readable)");
  }
  void write(uint32_t addr, const py::buffer& src, bool force) {
    py::buffer_info b = src.request();
    const auto len = static_cast<uint32_t>(b.size * b.itemsize);
    const int rc = force ? pvm_poke_memory(vm_, addr, b.ptr, len) : pvm_write_memory(vm_, addr, b.ptr, len);
    if (rc != 0) fail("cannot write " + std::to_string(len) + " bytes at " + hex(addr) + " (not writable)");
  }

  // fn(index) -> 0 continue, 1 terminate, 2 error (None = continue).
  void set_host_callback(py::object fn) {
    callback_ = std::move(fn);
    if (callback_.is_none()) pvm_set_host_callback(vm_, nullptr, nullptr);
    else pvm_set_host_callback(vm_, &Vm::trampoline, this);
  }
  void set_step_tracing(bool on) { pvm_set_step_tracing(vm_, on ? 1 : 0); }

  std::string run() {
    pvm_status st;
    {
      py::gil_scoped_release release;
      st = pvm_run(vm_);
    }
    if (pending_) {
      py::error_already_set e = std::move(*pending_);
      pending_.reset();
      throw e;
    }
    return pvm_status_name(st);
  }
  uint32_t fault_address() const { return pvm_fault_address(vm_); }
  uint32_t host_call_index() const { return pvm_host_call_index(vm_); }
  py::object disassemble(uint32_t pc) const {
    char buf[128];
    const uint32_t n = pvm_disassemble(vm_, pc, buf, sizeof buf);
    if (n == 0) return py::none();
    return py::make_tuple(std::string(buf), n);
  }

 private:
  static pvm_host_result trampoline(pvm_vm*, uint32_t index, void* user) {
    auto* self = static_cast<Vm*>(user);
    py::gil_scoped_acquire acquire;
    try {
      py::object r = self->callback_(index);
      if (r.is_none()) return PVM_HOST_CONTINUE;
      const int v = r.cast<int>();
      return v == 1 ? PVM_HOST_TERMINATE : v == 2 ? PVM_HOST_ERROR : PVM_HOST_CONTINUE;
    } catch (py::error_already_set& e) {
      self->pending_ = std::make_unique<py::error_already_set>(std::move(e));
    } catch (const std::exception& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
      self->pending_ = std::make_unique<py::error_already_set>();
    }
    return PVM_HOST_ERROR;
  }
  static void check_reg(unsigned i) {
    if (i >= PVM_NUM_REGS) throw py::index_error("PVM register index " + std::to_string(i) + " out of range 0..12");
  }
  static std::string hex(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%x", v);
    return b;
  }

  pvm_module* module_ = nullptr;
  pvm_vm* vm_ = nullptr;
  std::string backend_;
  py::object callback_ = py::none();
  std::unique_ptr<py::error_already_set> pending_;
};

}  // namespace

PYBIND11_MODULE(_pvm, m) {
  m.doc() = "libpvm (JAM PVM) C API bindings; use vp.pvm";
  g_pvm_error = PyErr_NewExceptionWithDoc("vp.pvm.PvmError", "A libpvm call failed.", PyExc_RuntimeError, nullptr);
  m.add_object("PvmError", py::handle(g_pvm_error));
  m.attr("NUM_REGS") = PVM_NUM_REGS;
  m.attr("PAGE_SIZE") = PVM_PAGE_SIZE;
  m.attr("HALT_ADDRESS") = PVM_HALT_ADDRESS;
  m.def("backend_available", [](const std::string& b) { return pvm_backend_available(backend_of(b)) != 0; });

  py::class_<Vm>(m, "Vm")
      .def(py::init<const py::buffer&, const std::string&, bool, const py::bytes&, const std::string&>(),
           py::arg("blob"), py::arg("backend") = "interpreter", py::arg("standard") = false,
           py::arg("args") = py::bytes(), py::arg("gp") = "0.7.2")
      .def(py::init<const py::bytes&, const py::bytes&, const std::vector<uint32_t>&, const std::string&,
                    const std::string&>(),
           py::arg("code"), py::arg("bitmask"), py::arg("jump_table"), py::arg("backend") = "interpreter",
           py::arg("gp") = "0.7.2")
      .def("reset", &Vm::reset)
      .def("prepare_call", &Vm::prepare_call)
      .def("exports", &Vm::exports)
      .def("memory_info", &Vm::memory_info)
      .def_property("heap_pointer", &Vm::heap_pointer, &Vm::set_heap_pointer)
      .def("sbrk", &Vm::sbrk)
      .def("set_heap_limit", &Vm::set_heap_limit)
      .def_property_readonly("backend", &Vm::backend)
      .def_property("gas", &Vm::gas, &Vm::set_gas)
      .def_property("pc", &Vm::pc, &Vm::set_pc)
      .def_property_readonly("next_pc", &Vm::next_pc)
      .def("reg", &Vm::reg)
      .def("set_reg", &Vm::set_reg)
      .def("map_pages", &Vm::map_pages, py::arg("addr"), py::arg("length"), py::arg("access") = "rw")
      .def("page_access", &Vm::page_access)
      .def("read", &Vm::read)
      .def("read_into", &Vm::read_into)
      .def("write", &Vm::write, py::arg("addr"), py::arg("data"), py::arg("force") = false)
      .def("set_host_callback", &Vm::set_host_callback)
      .def("set_step_tracing", &Vm::set_step_tracing)
      .def("run", &Vm::run)
      .def_property_readonly("fault_address", &Vm::fault_address)
      .def_property_readonly("host_call_index", &Vm::host_call_index)
      .def("disassemble", &Vm::disassemble);
}
