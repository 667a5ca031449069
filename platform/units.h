#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace vp::platform {

// Parsers for the unit-bearing values of a platform description. Each returns
// nullopt on malformed text so the caller can report it with its location.

// Plain integers (decimal, 0x hex, 0b binary, '_' separators allowed).
std::optional<uint64_t> parse_integer(const std::string& text);
// Sizes: "4096", "0x1000", "64KiB", "256MiB", "4GiB", "1kB" (=1000), "2MB" (=10^6).
std::optional<uint64_t> parse_size(const std::string& text);
// Frequencies in Hz: "10MHz", "3686400", "1.5GHz".
std::optional<uint64_t> parse_frequency(const std::string& text);
// Durations in picoseconds: "10us", "1ms", "250ns", "2s", "100ps".
std::optional<uint64_t> parse_time_ps(const std::string& text);
std::optional<bool> parse_bool(const std::string& text);

// "256MiB", "4KiB", "0x100" — the shortest exact spelling, for messages and `vp info`.
std::string format_size(uint64_t bytes);
std::string format_time_ps(uint64_t ps);

}  // namespace vp::platform
