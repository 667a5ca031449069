#include "sc_main/smp_option.h"

#include <string>
#include <vector>

namespace vp {

platform::Override smp_override(const platform::PlatformSpec& spec, const platform::Registry& registry, unsigned n) {
  const platform::SourceLocation where{"--smp " + std::to_string(n), 0, 0};
  std::vector<const platform::ArraySpec*> found;
  for (const auto& a : spec.arrays)
    if (registry.is_processor(a.type)) found.push_back(&a);
  if (found.empty()) {
    std::string single;
    for (const auto& c : spec.components)
      if (registry.is_processor(c.type)) single += (single.empty() ? "" : ", ") + c.name;
    throw platform::ConfigError(
        where, "the platform has no processor array to size (a processor component with count:, see "
               "docs/platform.md)" + (single.empty() ? std::string() : "; its processors are single components: " + single));
  }
  if (found.size() > 1)
    throw platform::ConfigError(where, "the platform has several processor arrays (" + found[0]->name + ", " +
                                           found[1]->name + "): use --set NAME.count=N");
  return {found[0]->name + ".count", std::to_string(n), where};
}

}  // namespace vp
