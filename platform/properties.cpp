#include "platform/properties.h"

#include "platform/units.h"

#include <cstdio>

namespace vp::platform {

Properties::Properties(std::string component, std::string type, const ConfigNode& map)
    : component_(std::move(component)), type_(std::move(type)), map_(map) {}

bool Properties::has(const std::string& key) {
  known_.insert(key);
  if (describing_) record(key, "", "", false);
  return map_.find(key) != nullptr;
}

SourceLocation Properties::where(const std::string& key) const {
  if (const ConfigNode* n = map_.find(key)) return n->where;
  return map_.where;
}

void Properties::fail(const std::string& key, const std::string& message) const {
  throw ConfigError(where(key), component_ + "." + key + ": " + message);
}

const ConfigNode* Properties::scalar(const std::string& key, const char* expected) {
  known_.insert(key);
  const ConfigNode* n = map_.find(key);
  if (!n || n->is_null()) return nullptr;
  if (!n->is_scalar())
    fail(key, std::string("expected ") + expected + ", found " + n->kind_name());
  return n;
}

Properties Properties::describing(std::string type, const ConfigNode& empty_map) {
  Properties p("(" + type + ")", type, empty_map);
  p.describing_ = true;
  return p;
}

void Properties::record(const std::string& key, const std::string& kind, const std::string& fallback, bool required,
                        std::vector<std::string> choices) {
  // A key first looked at as a node (e.g. "a count or a list") keeps the typed read that follows.
  for (auto& r : reads_) {
    if (r.key != key) continue;
    if ((r.kind.empty() || r.kind == "mapping") && !kind.empty() && kind != "mapping")
      r = {key, kind, fallback, required, std::move(choices)};
    return;
  }
  reads_.push_back({key, kind, fallback, required, std::move(choices)});
}

template <typename T, typename Parse, typename Show>
T Properties::typed(const std::string& key, const char* kind, std::optional<T> fallback, const char* expected,
                    T placeholder, Parse parse, Show show) {
  const ConfigNode* n = scalar(key, expected);
  if (describing_) {
    record(key, kind, fallback ? show(*fallback) : "", !fallback);
    return fallback ? *fallback : placeholder;
  }
  if (!n) {
    if (fallback) return *fallback;
    throw ConfigError(where(), component() + ": missing required property '" + key + "' (" + expected +
                                   ") for type " + type());
  }
  auto v = parse(n->scalar);
  if (!v) fail(key, std::string("expected ") + expected + ", found '" + n->scalar + "'");
  return *v;
}

namespace {
std::string show_u64(uint64_t v) {
  if (v < 4096) return std::to_string(v);
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}
}  // namespace

uint64_t Properties::integer(const std::string& key, std::optional<uint64_t> fallback) {
  return typed<uint64_t>(key, "integer", fallback, "an integer", 1, parse_integer, show_u64);
}

uint64_t Properties::size(const std::string& key, std::optional<uint64_t> fallback) {
  return typed<uint64_t>(key, "size", fallback, "a size such as 4096, 0x1000, 64KiB or 256MiB", 4096, parse_size,
                         format_size);
}

uint64_t Properties::frequency(const std::string& key, std::optional<uint64_t> fallback) {
  return typed<uint64_t>(key, "frequency", fallback, "a frequency such as 10MHz or 3686400", 1'000'000,
                         parse_frequency, [](uint64_t v) {
                           for (auto [unit, scale] : {std::pair{"GHz", 1'000'000'000ull}, {"MHz", 1'000'000ull},
                                                      {"kHz", 1'000ull}})
                             if (v >= scale && v % scale == 0) return std::to_string(v / scale) + unit;
                           return std::to_string(v) + "Hz";
                         });
}

uint64_t Properties::time_ps(const std::string& key, std::optional<uint64_t> fallback) {
  return typed<uint64_t>(key, "time", fallback, "a time with a unit such as 10us, 5ns or 1ms", 1000, parse_time_ps,
                         format_time_ps);
}

bool Properties::boolean(const std::string& key, std::optional<bool> fallback) {
  return typed<bool>(key, "boolean", fallback, "true or false", false, parse_bool,
                     [](bool v) { return std::string(v ? "true" : "false"); });
}

std::string Properties::string(const std::string& key, std::optional<std::string> fallback) {
  return typed<std::string>(
      key, "string", fallback, "a string", std::string(), [](const std::string& s) { return std::optional<std::string>(s); },
      [](const std::string& v) { return v.empty() ? std::string("\"\"") : v; });
}

std::string Properties::choice(const std::string& key, const std::vector<std::string>& options,
                               std::optional<std::string> fallback) {
  if (describing_) {
    known_.insert(key);
    record(key, "choice", fallback.value_or(""), !fallback, options);
    return fallback ? *fallback : options.empty() ? std::string() : options.front();
  }
  std::string value = string(key, std::move(fallback));
  for (const auto& o : options)
    if (o == value) return value;
  std::string list;
  for (const auto& o : options) list += (list.empty() ? "" : ", ") + o;
  fail(key, "expected one of " + list + ", found '" + value + "'" + did_you_mean_hint(value, options));
}

std::vector<std::string> Properties::string_list(const std::string& key,
                                                 std::optional<std::vector<std::string>> fallback) {
  known_.insert(key);
  if (describing_) {
    std::string shown;
    for (const auto& f : fallback.value_or(std::vector<std::string>{})) shown += (shown.empty() ? "" : ", ") + f;
    record(key, "list", fallback ? "[" + shown + "]" : "", !fallback);
    return fallback.value_or(std::vector<std::string>{});
  }
  const ConfigNode* n = map_.find(key);
  if (!n || n->is_null()) {
    if (fallback) return *fallback;
    throw ConfigError(map_.where, component_ + ": missing required property '" + key +
                                      "' (a list) for type " + type_);
  }
  if (n->is_scalar()) return {n->scalar};
  if (!n->is_sequence()) fail(key, std::string("expected a list, found ") + n->kind_name());
  std::vector<std::string> out;
  for (const auto& item : n->sequence) {
    if (!item.is_scalar())
      throw ConfigError(item.where, component_ + "." + key + ": expected a list of words, found " +
                                        item.kind_name() + " in it");
    out.push_back(item.scalar);
  }
  return out;
}

const ConfigNode* Properties::node(const std::string& key) {
  known_.insert(key);
  if (describing_) record(key, "mapping", "", false);
  return map_.find(key);
}

void Properties::finish() const {
  std::vector<std::string> known(known_.begin(), known_.end());
  for (const auto& e : map_.map) {
    if (e.key == "type" || known_.count(e.key)) continue;
    throw ConfigError(e.key_where, "unknown property '" + e.key + "' for " + component_ +
                                       " (type " + type_ + ")" + did_you_mean_hint(e.key, known));
  }
}

}  // namespace vp::platform
