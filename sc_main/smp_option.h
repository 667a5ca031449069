#pragma once
// `vp run --smp N`: command-line sugar for `--set <array>.count=N` on the
// platform's array of processors (docs/platform.md, "Component arrays").
#include "platform/loader.h"
#include "platform/registry.h"
#include "platform/spec.h"

namespace vp {

inline constexpr const char* kSmpOptionHelp =
    "Number of harts: sets the count of the platform's processor array (configs/virt.yaml: cpu, default 1)";

// The override that sets the count of the one component array in `spec` whose
// type is a processor type. Throws ConfigError (named "--smp N") when the
// platform has no such array, or more than one.
platform::Override smp_override(const platform::PlatformSpec& spec, const platform::Registry& registry, unsigned n);

}  // namespace vp
