#pragma once
// Registration of RTL components as platform component types. The code
// vp_add_rtl_component generates for each Verilog top calls
// add_rtl_component_type; register_rtl_types calls every generated
// registration through a generated list (rtl_component_list.cpp).
#include <string>

#include "models/rtl/rtl_model.h"
#include "platform/registry.h"

namespace vp::rtl {

// Adds type "rtl.<name>": an RtlBridge around a model made by `factory`.
// With `master`, the component also has an initiator socket `mem` through
// which the RTL's DPI-C accesses (vp_dpi_read/write) reach the platform.
void add_rtl_component_type(platform::Registry& registry, const std::string& name,
                            const std::string& description, RtlModelFactory factory, bool master);

// Calls the registration of every component built with vp_add_rtl_component (generated).
void register_generated_components(platform::Registry& registry);

}  // namespace vp::rtl
