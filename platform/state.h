#pragma once
// The saved state of one component in a checkpoint (docs/checkpoints.md): a
// flat little-endian byte stream that the model writes field by field — its
// registers and buffers, never pointers — and reads back in the same order.
// Reads are bounds-checked: a short or corrupt record throws StateError and
// never reads past the end or allocates more than the record holds.
// Header-only and SystemC-free, so pure C++ cores can use it.
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace vp::platform {

class StateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StateWriter {
 public:
  void u8(uint8_t v) { buf_.push_back(v); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void bytes(const void* data, size_t len) {
    const auto* p = static_cast<const uint8_t*>(data);
    buf_.insert(buf_.end(), p, p + len);
  }
  // A length-prefixed byte string.
  void blob(const void* data, size_t len) {
    u64(len);
    bytes(data, len);
  }
  void string(const std::string& s) { blob(s.data(), s.size()); }
  // A tag checked on restore: catches a model reading a different layout.
  void tag(const char* name) { string(name); }

  const std::vector<uint8_t>& data() const { return buf_; }
  std::vector<uint8_t>& data() { return buf_; }

 private:
  void put(uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) buf_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> buf_;
};

class StateReader {
 public:
  // `what` names the record in errors ("cpu0").
  StateReader(const uint8_t* data, size_t len, std::string what) : p_(data), end_(data + len), what_(std::move(what)) {}

  uint8_t u8() { return static_cast<uint8_t>(get(1)); }
  uint32_t u32() { return static_cast<uint32_t>(get(4)); }
  uint64_t u64() { return get(8); }
  bool boolean() {
    const uint8_t v = u8();
    if (v > 1) fail("a flag is neither 0 nor 1");
    return v != 0;
  }
  void bytes(void* out, size_t len) {
    need(len);
    if (len) std::memcpy(out, p_, len);  // out may be null for an empty record
    p_ += len;
  }
  // A length-prefixed byte string of at most `max` bytes.
  std::vector<uint8_t> blob(size_t max) {
    const uint64_t n = u64();
    if (n > max) fail("a buffer of " + std::to_string(n) + " bytes exceeds its limit of " + std::to_string(max));
    need(n);
    std::vector<uint8_t> out(p_, p_ + n);
    p_ += n;
    return out;
  }
  std::string string(size_t max = 4096) {
    const auto b = blob(max);
    return std::string(b.begin(), b.end());
  }
  void tag(const char* name) {
    const std::string got = string(256);
    if (got != name) fail("expected state '" + std::string(name) + "', found '" + got + "'");
  }
  // A count that must not exceed `max` (element counts before a loop).
  uint64_t count(uint64_t max) {
    const uint64_t n = u64();
    if (n > max) fail("count " + std::to_string(n) + " exceeds " + std::to_string(max));
    return n;
  }
  // A value the current platform fixes (sizes, counts): a mismatch means the
  // checkpoint was taken on a different platform layout.
  void expect_u64(uint64_t want, const std::string& what) {
    const uint64_t got = u64();
    if (got != want)
      fail(what + " is " + std::to_string(got) + " in the checkpoint but " + std::to_string(want) +
           " on this platform");
  }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  void expect_end() const {
    if (p_ != end_) fail(std::to_string(remaining()) + " bytes left over");
  }
  [[noreturn]] void fail(const std::string& message) const { throw StateError(what_ + ": " + message); }

 private:
  void need(uint64_t n) const {
    if (n > remaining()) fail("the record is truncated");
  }
  uint64_t get(unsigned n) {
    need(n);
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= static_cast<uint64_t>(p_[i]) << (8 * i);
    p_ += n;
    return v;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  std::string what_;
};

}  // namespace vp::platform
