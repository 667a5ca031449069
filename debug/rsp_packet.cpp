#include "debug/rsp_packet.h"

#include <cstdio>

namespace vp::debug {
namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

void PacketReader::feed(const char* data, size_t len, std::vector<Event>& out) {
  for (size_t i = 0; i < len; ++i) {
    const char c = data[i];
    switch (state_) {
      case State::kIdle:
        if (c == '$') {
          state_ = State::kPayload;
          payload_.clear();
          too_long_ = false;
          sum_ = 0;
        } else if (c == '+') {
          out.push_back({Event::Kind::kAck, {}});
        } else if (c == '-') {
          out.push_back({Event::Kind::kNack, {}});
        } else if (c == '\x03') {
          out.push_back({Event::Kind::kInterrupt, {}});
        }  // anything else between packets is noise
        break;
      case State::kPayload:
        if (c == '#') {
          state_ = State::kCheck1;
        } else if (c == '$') {  // a new packet before this one ended: the old one is lost
          payload_.clear();
          too_long_ = false;
          sum_ = 0;
        } else {
          sum_ = static_cast<uint8_t>(sum_ + static_cast<uint8_t>(c));
          if (payload_.size() < max_)
            payload_ += c;
          else
            too_long_ = true;
        }
        break;
      case State::kCheck1:
      case State::kCheck2: {
        const int d = hex_digit(c);
        if (d < 0) {
          // A truncated packet: the byte after it ('$', 0x03, an ack) is not
          // a checksum digit. Drop the packet and read that byte afresh, so a
          // lost tail never swallows the next packet.
          state_ = State::kIdle;
          payload_.clear();
          out.push_back({too_long_ ? Event::Kind::kTooLong : Event::Kind::kBadChecksum, {}});
          --i;
          break;
        }
        if (state_ == State::kCheck1) {
          check_ = d << 4;
          state_ = State::kCheck2;
          break;
        }
        const int lo = d;
        state_ = State::kIdle;
        if (too_long_) {
          out.push_back({Event::Kind::kTooLong, {}});
        } else if ((check_ | lo) != sum_) {
          out.push_back({Event::Kind::kBadChecksum, {}});
        } else {
          out.push_back({Event::Kind::kPacket, std::move(payload_)});
        }
        payload_.clear();
        break;
      }
    }
  }
}

std::string frame(const std::string& payload) {
  uint8_t sum = 0;
  for (char c : payload) sum = static_cast<uint8_t>(sum + static_cast<uint8_t>(c));
  char tail[4];
  std::snprintf(tail, sizeof tail, "#%02x", sum);
  return "$" + payload + tail;
}

std::string hex_encode(const void* data, size_t len) {
  static const char* const digits = "0123456789abcdef";
  const auto* p = static_cast<const uint8_t*>(data);
  std::string out(len * 2, '0');
  for (size_t i = 0; i < len; ++i) {
    out[2 * i] = digits[p[i] >> 4];
    out[2 * i + 1] = digits[p[i] & 15];
  }
  return out;
}

std::string hex_encode(const std::string& s) { return hex_encode(s.data(), s.size()); }

bool hex_decode(const std::string& hex, std::string& out) {
  if (hex.size() % 2) return false;
  out.resize(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return true;
}

bool parse_hex(const std::string& s, uint64_t& v) {
  if (s.empty() || s.size() > 16) return false;
  v = 0;
  for (char c : s) {
    const int d = hex_digit(c);
    if (d < 0) return false;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  return true;
}

std::string escape_binary(const std::string& data) {
  std::string out;
  out.reserve(data.size());
  for (char c : data) {
    if (c == '#' || c == '$' || c == '}' || c == '*') {
      out += '}';
      out += static_cast<char>(c ^ 0x20);
    } else {
      out += c;
    }
  }
  return out;
}

bool unescape_binary(const std::string& data, std::string& out) {
  out.clear();
  out.reserve(data.size());
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] != '}') {
      out += data[i];
      continue;
    }
    if (++i == data.size()) return false;
    out += static_cast<char>(data[i] ^ 0x20);
  }
  return true;
}

std::string hex_le(uint64_t value, unsigned bytes) {
  uint8_t b[8];
  for (unsigned i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(value >> (8 * i));
  return hex_encode(b, bytes > 8 ? 8 : bytes);
}

bool parse_hex_le(const std::string& hex, uint64_t& value) {
  std::string bytes;
  if (!hex_decode(hex, bytes) || bytes.empty() || bytes.size() > 8) return false;
  value = 0;
  for (size_t i = 0; i < bytes.size(); ++i) value |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  return true;
}

}  // namespace vp::debug
