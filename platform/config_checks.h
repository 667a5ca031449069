#pragma once
// Checks for typed-config parsers that walk a ConfigNode tree by hand (memory
// definitions, the vhost mailbox configuration): each throws ConfigError at
// the offending node's file:line:column.
#include <cstdint>
#include <string>
#include <vector>

#include "platform/config_node.h"

namespace vp::platform {

// `n` itself when it is of `kind`; else "expected <what>, found <kind>".
const ConfigNode& expect_kind(const ConfigNode& n, ConfigNode::Kind kind, const char* what);
// The scalar under `key` as an integer (parse_integer) or, with `size`, a size (parse_size).
uint64_t config_number(const ConfigNode& n, const char* key, bool size);
// Rejects a map key not in `known` (with a did-you-mean hint).
void check_keys(const ConfigNode& map, const std::vector<std::string>& known);
// The scalar under `key`, which must be one of `options`.
std::string config_choice(const ConfigNode& n, const char* key, const std::vector<std::string>& options);

}  // namespace vp::platform
