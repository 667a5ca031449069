#pragma once
// Component arrays: one entry with `count: N` stands for N components named
// <name>0 .. <name>N-1 (docs/platform.md, "Component arrays"). Templates in
// braces are integer expressions over `i` (the instance's index) and
// `<array>.count`: "{i}", "{2*i+1}", "{cpu.count}"; "{{" and "}}" are literal
// braces. Expansion runs on the located tree, before it becomes a PlatformSpec.
#include <cstdint>
#include <string>
#include <vector>

#include "platform/config_node.h"
#include "platform/spec.h"

namespace vp::platform {

// Largest `count:` accepted (a typo such as 40000 is an error, not a huge platform).
constexpr uint64_t kMaxArrayCount = 1024;

// The arrays declared under `components:` (not yet expanded). Throws ConfigError
// for a malformed count.
std::vector<ArraySpec> find_component_arrays(const ConfigNode& tree);

// True if `name` could be an instance of one of `arrays` ("cpu3" of "cpu").
bool is_array_instance_name(const std::string& name, const std::vector<ArraySpec>& arrays);

// Replaces every array by its instances, substitutes templates in components,
// bind: and irq:, and merges a type-less entry named like an instance ("cpu0:
// {mode: pipeline}" from an included preset) into that instance. A bind:/irq:
// item that names an array as <name>{...} is repeated for i = 0 .. count-1.
// Throws ConfigError at the offending value.
void expand_component_arrays(ConfigNode& tree, const std::vector<ArraySpec>& arrays);

}  // namespace vp::platform
