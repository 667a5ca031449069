#include "models/rtl/mailbox.h"

#include "platform/debug_access.h"

#include <algorithm>
#include <cstring>
#include <exception>

#include "platform/simulation.h"

namespace vp::rtl {

// ---- callback registry ----

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

// ---- the component ----

Mailbox::Mailbox(const sc_core::sc_module_name& name, const MailboxConfig& config)
    : MmioTarget(name, mbox::kSize, config.latency), config_(config) {
  mem.bind(*this);
  expose_initiator("mem", mem);
}

bool Mailbox::mem_read(uint64_t addr, void* data, uint64_t len) {
  return platform::debug_transfer(mem, tlm::TLM_READ_COMMAND, addr, data, len) == len;
}

bool Mailbox::mem_write(uint64_t addr, const void* data, uint64_t len) {
  return platform::debug_transfer(mem, tlm::TLM_WRITE_COMMAND, addr, const_cast<void*>(data), len) == len;
}

// The whole destination must be mapped before anything is written (no partial writes
// into the mapped part of a range that runs off the end of a memory).
bool Mailbox::probe(uint64_t addr, uint64_t len) {
  std::vector<uint8_t> scratch(len);
  return mem_read(addr, scratch.data(), len);
}

void Mailbox::serve(uint64_t block) {
  ++count_;
  uint8_t raw[mbox::kBlockSize];
  result_ = 0;
  if (!mem_read(block, raw, sizeof raw)) {
    status_ = mbox::BadBlock;
    return;
  }
  uint32_t command;
  std::memcpy(&command, raw + mbox::kBlockCommand, 4);
  uint64_t arg[mbox::kArgs];
  std::memcpy(arg, raw + mbox::kBlockArgs, sizeof arg);
  uint64_t result = 0;
  status_ = execute(command, arg, result);
  result_ = result;
  uint8_t out[12];
  std::memcpy(out, &status_, 4);
  std::memcpy(out + 4, &result_, 8);
  // EXIT may have stopped the run; the block is still written for a debugger.
  if (!mem_write(block + mbox::kBlockStatus, out, sizeof out)) status_ = mbox::BadBlock;
}

uint32_t Mailbox::execute(uint32_t command, const uint64_t* arg, uint64_t& result) {
  using namespace mbox;
  switch (command) {
    case Exit: {
      const int code = int(int32_t(arg[0]));
      platform::request_stop(code, "mailbox: exit " + std::to_string(code));
      return Ok;
    }
    case Print: {
      const uint64_t len = arg[1];
      if (len > config_.max_length) return TooLong;
      std::string text(len, '\0');
      if (!mem_read(arg[0], text.data(), len)) return BadAddress;
      if (config_.output) {
        std::fwrite(text.data(), 1, text.size(), config_.output);
        std::fflush(config_.output);
      }
      result = len;
      return Ok;
    }
    case Memmove: {  // dst, src, len: overlapping ranges are fine (read fully, then write)
      const uint64_t len = arg[2];
      if (len > config_.max_length) return TooLong;
      std::vector<uint8_t> buf(len);
      if (!mem_read(arg[1], buf.data(), len)) return BadAddress;
      if (!probe(arg[0], len) || !mem_write(arg[0], buf.data(), len)) return BadAddress;
      result = arg[0];
      return Ok;
    }
    case Memset: {  // dst, byte, len
      const uint64_t len = arg[2];
      if (len > config_.max_length) return TooLong;
      std::vector<uint8_t> buf(len, uint8_t(arg[1]));
      if (!probe(arg[0], len) || !mem_write(arg[0], buf.data(), len)) return BadAddress;
      result = arg[0];
      return Ok;
    }
    case Memcmp: {  // a, b, len -> -1, 0, 1 (sign of the first differing byte)
      const uint64_t len = arg[2];
      if (len > config_.max_length) return TooLong;
      std::vector<uint8_t> a(len), b(len);
      if (!mem_read(arg[0], a.data(), len) || !mem_read(arg[1], b.data(), len)) return BadAddress;
      const int c = len ? std::memcmp(a.data(), b.data(), len) : 0;
      result = c < 0 ? uint64_t(-1) : c > 0 ? 1 : 0;
      return Ok;
    }
    case Call: {  // id, argv, argc, name (0: by id; else NUL-terminated, < 64 bytes)
      const uint64_t argc = arg[2];
      if (argc > config_.max_call_args) return BadArgument;
      std::optional<MailboxCallback> fn;
      if (arg[3]) {
        std::string name;
        for (;;) {
          char ch;
          if (!mem_read(arg[3] + name.size(), &ch, 1)) return BadAddress;
          if (!ch) break;
          if (name.size() == 63) return BadArgument;
          name.push_back(ch);
        }
        fn = MailboxCallbacks::global().find(name);
      } else {
        fn = MailboxCallbacks::global().find(uint32_t(arg[0]));
        if (arg[0] > 0xffffffffu) fn.reset();
      }
      if (!fn) return NoCallback;
      MailboxCall call;
      call.args.resize(argc);
      if (!mem_read(arg[1], call.args.data(), argc * 8)) return BadAddress;
      call.read_memory = [this](uint64_t a, void* d, size_t n) { return mem_read(a, d, n); };
      call.write_memory = [this](uint64_t a, const void* d, size_t n) { return mem_write(a, d, n); };
      try {
        result = (*fn)(call);
      } catch (const MailboxError& e) {
        return e.status == Ok ? CallbackFailed : e.status;
      } catch (const std::exception&) {
        return CallbackFailed;
      } catch (...) {
        return CallbackFailed;
      }
      return Ok;
    }
    default:
      return BadCommand;
  }
}

bool Mailbox::read(uint64_t offset, uint8_t* data, unsigned len, bool, const sc_core::sc_time&) {
  using namespace mbox;
  if (len != 4 && len != 8) return false;
  if (offset % len) return false;
  uint64_t v = 0;
  switch (offset) {
    case kId: v = kMagic; break;
    case kId + 4: v = 0; break;
    case kRequest: v = request_; break;
    case kRequest + 4: if (len != 4) return false; v = request_ >> 32; break;
    case kDoorbell: v = 0; break;
    case kStatus: if (len != 4) return false; v = status_; break;
    case kResult: v = result_; break;
    case kResult + 4: if (len != 4) return false; v = result_ >> 32; break;
    case kCount: v = count_; break;
    default: return false;
  }
  store_le(data, len, v);
  return true;
}

bool Mailbox::write(uint64_t offset, const uint8_t* data, unsigned len, bool debug, const sc_core::sc_time&) {
  using namespace mbox;
  if (len != 4 && len != 8) return false;
  if (offset % len) return false;
  const uint64_t v = load_le(data, len);
  switch (offset) {
    case kRequest:
      request_ = len == 8 ? v : (request_ & ~0xffffffffull) | v;
      return true;
    case kRequest + 4:
      if (len != 4) return false;
      request_ = (request_ & 0xffffffffull) | (v << 32);
      return true;
    case kDoorbell:
      if (len != 4) return false;
      if (!debug) serve(request_);  // a debugger poking the doorbell must not run commands
      return true;
    default:
      return false;  // read-only or no register
  }
}

}  // namespace vp::rtl
