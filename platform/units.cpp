#include "platform/units.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

namespace vp::platform {
namespace {

std::string strip(const std::string& text) {
  size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  std::string out;
  for (size_t i = b; i < e; ++i)
    if (text[i] != '_') out += text[i];
  return out;
}

// Splits "12.5 MHz" into the number text and the lower-cased unit text.
std::pair<std::string, std::string> split_number_unit(const std::string& text) {
  std::string s = strip(text);
  size_t i = 0;
  if (s.rfind("0x", 0) == 0 || s.rfind("0X", 0) == 0 || s.rfind("0b", 0) == 0 ||
      s.rfind("0B", 0) == 0)
    return {s, ""};  // hex/binary never carry a unit
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  std::string unit = s.substr(i);
  size_t u = 0;
  while (u < unit.size() && unit[u] == ' ') ++u;
  return {s.substr(0, i), unit.substr(u)};
}

std::optional<double> parse_decimal(const std::string& number) {
  if (number.empty()) return std::nullopt;
  int dots = 0;
  for (char c : number) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  if (dots > 1 || number == ".") return std::nullopt;
  return std::stod(number);
}

std::optional<uint64_t> scaled(const std::string& number, long double scale) {
  if (number.find('.') == std::string::npos) {
    auto n = parse_integer(number);
    if (!n) return std::nullopt;
    long double v = static_cast<long double>(*n) * scale;
    if (v > 18446744073709551615.0L) return std::nullopt;
    if (scale >= 1 && scale == std::floor(scale)) {
      uint64_t s = static_cast<uint64_t>(scale);
      if (s != 0 && *n > UINT64_MAX / s) return std::nullopt;
      return *n * s;
    }
    return static_cast<uint64_t>(std::llround(v));
  }
  auto d = parse_decimal(number);
  if (!d) return std::nullopt;
  long double v = static_cast<long double>(*d) * scale;
  if (v < 0 || v > 18446744073709551615.0L) return std::nullopt;
  if (v != std::floor(v)) return std::nullopt;  // fractional bytes/Hz/ps make no sense
  return static_cast<uint64_t>(v);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::optional<uint64_t> parse_integer(const std::string& text) {
  std::string s = strip(text);
  if (s.empty()) return std::nullopt;
  int base = 10;
  size_t i = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, i = 2;
  else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) base = 2, i = 2;
  if (i >= s.size()) return std::nullopt;
  uint64_t value = 0;
  for (; i < s.size(); ++i) {
    int digit;
    char c = s[i];
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else return std::nullopt;
    if (digit >= base) return std::nullopt;
    if (value > (UINT64_MAX - static_cast<uint64_t>(digit)) / static_cast<uint64_t>(base))
      return std::nullopt;  // overflow
    value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(digit);
  }
  return value;
}

std::optional<uint64_t> parse_size(const std::string& text) {
  auto [number, unit] = split_number_unit(text);
  static const std::vector<std::pair<std::string, long double>> units = {
      {"", 1},           {"b", 1},
      {"kib", 1024.0L},  {"mib", 1048576.0L}, {"gib", 1073741824.0L}, {"tib", 1099511627776.0L},
      {"k", 1024.0L},    {"m", 1048576.0L},   {"g", 1073741824.0L},   {"t", 1099511627776.0L},
      {"kb", 1e3L},      {"mb", 1e6L},        {"gb", 1e9L},           {"tb", 1e12L}};
  std::string u = lower(unit);
  for (const auto& [name, scale] : units)
    if (u == name) return scaled(number, scale);
  return std::nullopt;
}

std::optional<uint64_t> parse_frequency(const std::string& text) {
  auto [number, unit] = split_number_unit(text);
  static const std::vector<std::pair<std::string, long double>> units = {
      {"", 1}, {"hz", 1}, {"khz", 1e3L}, {"mhz", 1e6L}, {"ghz", 1e9L}};
  std::string u = lower(unit);
  for (const auto& [name, scale] : units)
    if (u == name) return scaled(number, scale);
  return std::nullopt;
}

std::optional<uint64_t> parse_time_ps(const std::string& text) {
  auto [number, unit] = split_number_unit(text);
  static const std::vector<std::pair<std::string, long double>> units = {
      {"fs", 1e-3L}, {"ps", 1}, {"ns", 1e3L}, {"us", 1e6L}, {"ms", 1e9L}, {"s", 1e12L}, {"sec", 1e12L}};
  std::string u = lower(unit);
  if (u.empty()) return std::nullopt;  // a bare number is ambiguous for time
  for (const auto& [name, scale] : units)
    if (u == name) return scaled(number, scale);
  return std::nullopt;
}

std::optional<bool> parse_bool(const std::string& text) {
  std::string s = lower(strip(text));
  if (s == "true" || s == "yes" || s == "on" || s == "1") return true;
  if (s == "false" || s == "no" || s == "off" || s == "0") return false;
  return std::nullopt;
}

std::string format_size(uint64_t bytes) {
  static const char* names[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  uint64_t v = bytes;
  while (unit < 4 && v >= 1024 && v % 1024 == 0) v /= 1024, ++unit;
  if (bytes == 0) return "0B";
  return std::to_string(v) + names[unit];
}

std::string format_time_ps(uint64_t ps) {
  static const char* names[] = {"ps", "ns", "us", "ms", "s"};
  int unit = 0;
  uint64_t v = ps;
  while (unit < 4 && v >= 1000 && v % 1000 == 0) v /= 1000, ++unit;
  return std::to_string(v) + names[unit];
}

}  // namespace vp::platform
