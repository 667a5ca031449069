#pragma once
// GDB remote serial protocol framing (GDB manual, "Remote Protocol", E.1
// Overview): $payload#checksum packets, +/- acknowledgements, the 0x03
// interrupt byte, binary escapes ('}' then the byte XOR 0x20) and hex.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vp::debug {

// Splits a byte stream from the debugger into packets and control bytes.
// A payload longer than the limit is dropped whole and reported as kTooLong;
// a wrong checksum is reported as kBadChecksum. Nothing here grows without bound.
class PacketReader {
 public:
  struct Event {
    enum class Kind { kPacket, kAck, kNack, kInterrupt, kBadChecksum, kTooLong } kind;
    std::string payload;  // kPacket: as sent (binary escapes not undone)
  };
  explicit PacketReader(size_t max_payload) : max_(max_payload) {}
  void feed(const char* data, size_t len, std::vector<Event>& out);

 private:
  enum class State { kIdle, kPayload, kCheck1, kCheck2 };
  size_t max_;
  State state_ = State::kIdle;
  std::string payload_;
  bool too_long_ = false;
  uint8_t sum_ = 0;
  int check_ = 0;
};

// "$payload#cs".
std::string frame(const std::string& payload);
std::string hex_encode(const void* data, size_t len);
std::string hex_encode(const std::string& s);
// False on an odd length or a non-hex digit.
bool hex_decode(const std::string& hex, std::string& out);
// A number in hex ("1f"); false if empty, not hex, or over 64 bits.
bool parse_hex(const std::string& s, uint64_t& v);
// Escapes '#', '$', '}' and '*' for binary replies (qXfer).
std::string escape_binary(const std::string& data);
// Undoes escapes in binary data (X packets); false on a dangling '}'.
bool unescape_binary(const std::string& data, std::string& out);
// Little-endian bytes of a register value, as hex.
std::string hex_le(uint64_t value, unsigned bytes);
bool parse_hex_le(const std::string& hex, uint64_t& value);

}  // namespace vp::debug
