#include "platform/properties.h"

#include "platform/units.h"

namespace vp::platform {

Properties::Properties(std::string component, std::string type, const ConfigNode& map)
    : component_(std::move(component)), type_(std::move(type)), map_(map) {}

bool Properties::has(const std::string& key) {
  known_.insert(key);
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

namespace {
template <typename T, typename Parse>
T typed(Properties& p, const ConfigNode* n, const std::string& key, std::optional<T> fallback,
        const char* expected, Parse parse) {
  if (!n) {
    if (fallback) return *fallback;
    throw ConfigError(p.where(), p.component() + ": missing required property '" + key +
                                     "' (" + expected + ") for type " + p.type());
  }
  auto v = parse(n->scalar);
  if (!v) p.fail(key, std::string("expected ") + expected + ", found '" + n->scalar + "'");
  return *v;
}
}  // namespace

uint64_t Properties::integer(const std::string& key, std::optional<uint64_t> fallback) {
  return typed<uint64_t>(*this, scalar(key, "an integer"), key, fallback, "an integer",
                         parse_integer);
}

uint64_t Properties::size(const std::string& key, std::optional<uint64_t> fallback) {
  return typed<uint64_t>(*this, scalar(key, "a size"), key, fallback,
                         "a size such as 4096, 0x1000, 64KiB or 256MiB", parse_size);
}

uint64_t Properties::frequency(const std::string& key, std::optional<uint64_t> fallback) {
  return typed<uint64_t>(*this, scalar(key, "a frequency"), key, fallback,
                         "a frequency such as 10MHz or 3686400", parse_frequency);
}

uint64_t Properties::time_ps(const std::string& key, std::optional<uint64_t> fallback) {
  return typed<uint64_t>(*this, scalar(key, "a time"), key, fallback,
                         "a time with a unit such as 10us, 5ns or 1ms", parse_time_ps);
}

bool Properties::boolean(const std::string& key, std::optional<bool> fallback) {
  return typed<bool>(*this, scalar(key, "true or false"), key, fallback, "true or false",
                     parse_bool);
}

std::string Properties::string(const std::string& key, std::optional<std::string> fallback) {
  return typed<std::string>(*this, scalar(key, "a string"), key, fallback, "a string",
                            [](const std::string& s) { return std::optional<std::string>(s); });
}

std::string Properties::choice(const std::string& key, const std::vector<std::string>& options,
                               std::optional<std::string> fallback) {
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
