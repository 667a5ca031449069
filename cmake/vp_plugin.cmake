# vp_add_plugin(NAME SOURCES src.cpp ...)
#
# Builds a component plugin: a shared library lib<NAME>.so that links libvp and
# registers component types with VP_PLUGIN(...) (platform/plugin.h). A platform
# description loads it with `plugins: [path/to/lib<NAME>.so]`.
function(vp_add_plugin name)
  cmake_parse_arguments(A "" "" "SOURCES" ${ARGN})
  if(NOT A_SOURCES)
    message(FATAL_ERROR "vp_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${A_SOURCES})
  target_link_libraries(${name} PRIVATE vp::vp)
endfunction()
