#pragma once
#include <string>
#include <utility>
#include <vector>

#include "platform/config_node.h"
#include "platform/spec.h"

namespace vp::platform {

// One `--set path=value` (or a Python override): path is "uart0.console",
// "components.uart0.console" or a top-level key such as "timing.quantum".
struct Override {
  std::string path;
  std::string value;
  SourceLocation where;
};

// Parses "path=value" as given on the command line.
Override parse_override(const std::string& text, const SourceLocation& where);

// Reads a YAML platform description (following `include:`), applies overrides,
// and checks its structure. Throws ConfigError naming file:line:column.
PlatformSpec load_platform_file(const std::string& path, const std::vector<Override>& overrides = {});
// The same from an in-memory YAML text (tests, Python).
PlatformSpec load_platform_string(const std::string& yaml, const std::string& name = "<string>",
                                  const std::vector<Override>& overrides = {});
// The same from an already built tree (Python dicts).
PlatformSpec load_platform_tree(ConfigNode tree, const std::vector<Override>& overrides = {});

// YAML text to a located tree (no include processing).
ConfigNode parse_yaml(const std::string& text, const std::string& file);

}  // namespace vp::platform
