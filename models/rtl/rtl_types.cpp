// Registration of the RTL co-simulation types: every component built with
// vp_add_rtl_component ("rtl.<name>"), the out-of-process bridge
// ("rtl.socket").
#include "models/rtl/rtl_component_type.h"
#include "platform/registry.h"

namespace vp::rtl {
void register_socket_type(platform::Registry& registry);
}  // namespace vp::rtl

namespace vp::platform {

void register_rtl_types(Registry& registry) {
  rtl::register_generated_components(registry);
#ifdef VP_RTL_HAVE_SOCKET
  rtl::register_socket_type(registry);
#endif
}

}  // namespace vp::platform
