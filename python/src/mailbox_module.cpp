// vp._vp's part of vp.mailbox: the Python layer of the mailbox's CALL
// dispatch (models/rtl/mailbox_calls.h). One Python function, vp.mailbox's
// dispatcher, is installed as the layer; it looks the callback up by name or
// number and returns None (not a Python callback: the C++ and DPI layers are
// asked next) or (status, result). During the call, the guest's memory is
// reachable through a CallMemory object that is invalid afterwards.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <stdexcept>

#include "models/rtl/mailbox_calls.h"
#include "models/rtl/mailbox_engine.h"

namespace py = pybind11;

namespace vp::python {
namespace {

// The guest memory of the CALL being served; `call` is cleared when it returns.
struct CallMemory {
  rtl::MailboxCall* call = nullptr;

  rtl::MailboxCall& live() const {
    if (!call) throw std::logic_error("this mailbox call has returned: its guest memory is no longer reachable");
    return *call;
  }
  py::bytes read(uint64_t addr, size_t len) const {
    if (len > (64u << 20)) throw std::invalid_argument("read of more than 64 MiB");
    std::string buf(len, '\0');
    if (!live().read_memory(addr, buf.data(), len)) throw std::invalid_argument("guest memory is not mapped there");
    return py::bytes(buf);
  }
  void write(uint64_t addr, const py::bytes& data) const {
    const std::string buf = data;
    if (!live().write_memory(addr, buf.data(), buf.size()))
      throw std::invalid_argument("guest memory is not mapped there");
  }
};

// The installed dispatcher (a strong reference owned here; released by uninstall with the GIL held).
PyObject* g_dispatcher = nullptr;

std::optional<uint32_t> python_layer(PyObject* dispatcher, rtl::MailboxCall& call, uint64_t& result) {
  py::gil_scoped_acquire gil;
  auto memory = std::make_shared<CallMemory>();
  memory->call = &call;
  py::object r;
  try {
    r = py::reinterpret_borrow<py::object>(dispatcher)(call.name, call.id, call.args, memory);
  } catch (py::error_already_set& e) {
    memory->call = nullptr;
    e.discard_as_unraisable("vp.mailbox dispatcher");
    return uint32_t(rtl::mbox::CallbackFailed);
  }
  memory->call = nullptr;
  if (r.is_none()) return std::nullopt;
  try {
    auto [status, value] = r.cast<std::pair<uint32_t, uint64_t>>();
    result = value;
    return status;
  } catch (const py::cast_error&) {
    return uint32_t(rtl::mbox::CallbackFailed);
  }
}

void install(const py::function& dispatcher) {
  PyObject* old = g_dispatcher;
  g_dispatcher = dispatcher.inc_ref().ptr();
  PyObject* d = g_dispatcher;
  rtl::MailboxCallbacks::global().set_layer(
      rtl::CallLayer::Python, [d](rtl::MailboxCall& call, uint64_t& result) { return python_layer(d, call, result); });
  Py_XDECREF(old);
}

void uninstall() {
  rtl::MailboxCallbacks::global().set_layer(rtl::CallLayer::Python, nullptr);
  Py_XDECREF(g_dispatcher);
  g_dispatcher = nullptr;
}

}  // namespace

void bind_mailbox(py::module_& m) {
  py::class_<CallMemory, std::shared_ptr<CallMemory>>(m, "CallMemory",
                                                      "Guest memory during a mailbox CALL (vp.mailbox.current()).")
      .def("read", &CallMemory::read, py::arg("addr"), py::arg("length"))
      .def("write", &CallMemory::write, py::arg("addr"), py::arg("data"))
      .def_property_readonly("valid", [](const CallMemory& c) { return c.call != nullptr; });
  m.def("_mailbox_install", &install, "Installs vp.mailbox's dispatcher as the Python layer of CALL.");
  m.def("_mailbox_uninstall", &uninstall);
}

}  // namespace vp::python
