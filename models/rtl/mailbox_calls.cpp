#include "models/rtl/mailbox_calls.h"

#include <exception>

#include "models/rtl/mailbox_engine.h"

namespace vp::rtl {

MailboxCallbacks& MailboxCallbacks::global() {
  static MailboxCallbacks registry;
  return registry;
}

void MailboxCallbacks::add(uint32_t id, const std::string& name, MailboxCallback fn) {
  if (!fn) throw std::invalid_argument("mailbox callback " + std::to_string(id) + ": empty function");
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [other, e] : entries_)
    if (other != id && !name.empty() && e.name == name)
      throw std::invalid_argument("mailbox callback name '" + name + "' is already used by number " +
                                  std::to_string(other));
  entries_[id] = {name, std::move(fn)};
}

bool MailboxCallbacks::remove(uint32_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.erase(id) != 0;
}

void MailboxCallbacks::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.clear();
}

std::optional<MailboxCallback> MailboxCallbacks::find(uint32_t id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.fn;
}

std::optional<MailboxCallback> MailboxCallbacks::find(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [id, e] : entries_)
    if (e.name == name) return e.fn;
  return std::nullopt;
}

std::optional<uint32_t> MailboxCallbacks::id_of(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [id, e] : entries_)
    if (e.name == name) return id;
  return std::nullopt;
}

std::vector<std::pair<uint32_t, std::string>> MailboxCallbacks::list() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::pair<uint32_t, std::string>> out;
  for (const auto& [id, e] : entries_) out.emplace_back(id, e.name);
  return out;
}

void MailboxCallbacks::set_layer(CallLayer layer, CallHandler handler) {
  if (layer == CallLayer::Cpp) throw std::invalid_argument("the C++ layer is the registry itself (add/remove)");
  std::lock_guard<std::mutex> lock(mutex_);
  (layer == CallLayer::Python ? python_ : dpi_) = std::move(handler);
}

bool MailboxCallbacks::has_layer(CallLayer layer) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return layer == CallLayer::Cpp || bool(layer == CallLayer::Python ? python_ : dpi_);
}

namespace {

// A callback's exceptions become statuses: a callback never ends the simulation.
template <typename F>
std::optional<uint32_t> guarded(F&& f) {
  try {
    return f();
  } catch (const MailboxError& e) {
    return e.status == mbox::Ok ? uint32_t(mbox::CallbackFailed) : e.status;
  } catch (...) {
    return uint32_t(mbox::CallbackFailed);
  }
}

}  // namespace

uint32_t MailboxCallbacks::dispatch(MailboxCall& call, uint64_t& result) const {
  CallHandler python, dpi;
  std::optional<MailboxCallback> cpp;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    python = python_;
    dpi = dpi_;
  }
  if (python)
    if (auto st = guarded([&] { return python(call, result); })) return *st;
  cpp = call.name.empty() ? find(call.id) : find(call.name);
  if (cpp)
    return *guarded([&]() -> std::optional<uint32_t> {
      result = (*cpp)(call);
      return uint32_t(mbox::Ok);
    });
  if (dpi)
    if (auto st = guarded([&] { return dpi(call, result); })) return *st;
  return mbox::NoCallback;
}

}  // namespace vp::rtl
