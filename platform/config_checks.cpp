#include "platform/config_checks.h"

#include <algorithm>

#include "platform/source_location.h"
#include "platform/units.h"

namespace vp::platform {

const ConfigNode& expect_kind(const ConfigNode& n, ConfigNode::Kind kind, const char* what) {
  if (n.kind != kind) throw ConfigError(n.where, std::string("expected ") + what + ", found " + n.kind_name());
  return n;
}

uint64_t config_number(const ConfigNode& n, const char* key, bool size) {
  expect_kind(n, ConfigNode::Kind::Scalar, "a number");
  auto v = size ? parse_size(n.scalar) : parse_integer(n.scalar);
  if (!v) throw ConfigError(n.where, std::string("'") + key + "': expected " + (size ? "a size" : "an integer") +
                                         ", found '" + n.scalar + "'");
  return *v;
}

void check_keys(const ConfigNode& map, const std::vector<std::string>& known) {
  for (const auto& e : map.map)
    if (std::find(known.begin(), known.end(), e.key) == known.end())
      throw ConfigError(e.key_where, "unknown key '" + e.key + "'" + did_you_mean_hint(e.key, known));
}

std::string config_choice(const ConfigNode& n, const char* key, const std::vector<std::string>& options) {
  expect_kind(n, ConfigNode::Kind::Scalar, "a name");
  if (std::find(options.begin(), options.end(), n.scalar) != options.end()) return n.scalar;
  std::string list;
  for (const auto& o : options) list += (list.empty() ? "" : ", ") + o;
  throw ConfigError(n.where, std::string("'") + key + "': unknown value '" + n.scalar + "' (expected " + list + ")" +
                                 did_you_mean_hint(n.scalar, options));
}

}  // namespace vp::platform
