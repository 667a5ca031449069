#pragma once
// The targets of the mailbox's CALL command: callbacks registered by number
// and name, looked up in three layers in this order: Python functions
// (vp.mailbox.register, or an embedded interpreter), C++ callbacks (this
// registry), SystemVerilog DPI callbacks (the testbench's export, through
// rtl/vp_mailbox_dpi.c). See docs/rtl.md.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vp::rtl {

// What a CALL callback sees: its target, its arguments and the guest's memory.
struct MailboxCall {
  uint32_t id = 0;
  std::string name;  // "" when called by number
  std::vector<uint64_t> args;
  std::function<bool(uint64_t addr, void* data, size_t len)> read_memory;
  std::function<bool(uint64_t addr, const void* data, size_t len)> write_memory;
};
// Thrown by a callback to report a specific status (otherwise any exception
// becomes CallbackFailed).
struct MailboxError : std::runtime_error {
  MailboxError(uint32_t status, const std::string& what) : std::runtime_error(what), status(status) {}
  uint32_t status;
};
using MailboxCallback = std::function<uint64_t(MailboxCall&)>;

enum class CallLayer : unsigned { Python = 0, Cpp = 1, Dpi = 2 };
// A layer other than C++: serves a CALL it knows (returns its status, Ok with
// `result`, or an error status) or returns std::nullopt when it has no such
// callback, and the next layer is asked.
using CallHandler = std::function<std::optional<uint32_t>(MailboxCall& call, uint64_t& result)>;

// Named, numbered C++ callbacks, and the other layers' handlers. Thread-safe;
// a callback is copied out before it runs, so it may (un)register.
class MailboxCallbacks {
 public:
  static MailboxCallbacks& global();

  // Replaces an entry with the same number; a name already used by another number throws.
  void add(uint32_t id, const std::string& name, MailboxCallback fn);
  bool remove(uint32_t id);
  void clear();
  std::optional<MailboxCallback> find(uint32_t id) const;
  std::optional<MailboxCallback> find(const std::string& name) const;
  std::optional<uint32_t> id_of(const std::string& name) const;
  std::vector<std::pair<uint32_t, std::string>> list() const;

  // Installs (or with an empty handler removes) the Python or DPI layer.
  void set_layer(CallLayer layer, CallHandler handler);
  bool has_layer(CallLayer layer) const;
  // Serves `call` (by call.name when not empty, else by call.id): Python, C++,
  // then DPI. Returns a mailbox status (NoCallback when no layer has it).
  uint32_t dispatch(MailboxCall& call, uint64_t& result) const;

 private:
  struct Entry {
    std::string name;
    MailboxCallback fn;
  };
  mutable std::mutex mutex_;
  std::map<uint32_t, Entry> entries_;
  CallHandler python_, dpi_;
};

}  // namespace vp::rtl
