# vp_add_rtl_component(NAME n TOP module SOURCES a.v ... BUS apb|axi4lite
#                      [TRACE vcd|fst] [MASTER] [INCLUDE_DIRS dir ...]
#                      [DESCRIPTION "..."] [VERILATOR_ARGS ...])
#
# Verilates the sources (verilator --cc --build) into component type "rtl.<n>".
# MASTER gives the component an initiator socket `mem` for the RTL's DPI-C
# accesses (rtl/vp_dpi.svh).
#  - In an external project (find_package(vp), or vp added with add_subdirectory):
#    builds the component plugin libvp_rtl_<n>.so; a platform description loads it
#    with `plugins: [path/to/libvp_rtl_<n>.so]`.
#  - Inside vp's own tree (VP_RTL_BUILTIN): a static library registered in vp's
#    built-in registry (the list vp_rtl compiles, written at the end of configuration).

set(VP_RTL_DIR ${CMAKE_CURRENT_LIST_DIR} CACHE INTERNAL "Templates and scripts of vp_add_rtl_component")
if(NOT VERILATOR_BIN)
  find_program(VERILATOR_BIN verilator)
endif()
if(NOT VERILATOR_INCLUDE_DIR)
  find_path(VERILATOR_INCLUDE_DIR verilated.h PATHS /usr/share/verilator/include /usr/local/share/verilator/include)
endif()

function(vp_add_rtl_component)
  cmake_parse_arguments(A "MASTER" "NAME;TOP;BUS;TRACE;DESCRIPTION" "SOURCES;INCLUDE_DIRS;VERILATOR_ARGS" ${ARGN})
  if(NOT A_NAME OR NOT A_TOP OR NOT A_SOURCES OR NOT A_BUS)
    message(FATAL_ERROR "vp_add_rtl_component: NAME, TOP, SOURCES and BUS are required")
  endif()
  if(NOT VERILATOR_BIN)
    message(STATUS "verilator not found: RTL component ${A_NAME} is not built")
    return()
  endif()
  if(A_BUS STREQUAL "apb")
    set(VP_RTL_BUS Apb)
  elseif(A_BUS STREQUAL "axi4lite")
    set(VP_RTL_BUS Axi4Lite)
  else()
    message(FATAL_ERROR "vp_add_rtl_component(${A_NAME}): BUS must be apb or axi4lite, not '${A_BUS}'")
  endif()
  set(trace_args)
  set(VP_RTL_TRACE NONE)
  if(A_TRACE STREQUAL "vcd")
    set(trace_args --trace)
    set(VP_RTL_TRACE VCD)
  elseif(A_TRACE STREQUAL "fst")
    set(trace_args --trace-fst)
    set(VP_RTL_TRACE FST)
  elseif(A_TRACE)
    message(FATAL_ERROR "vp_add_rtl_component(${A_NAME}): TRACE must be vcd or fst")
  endif()
  set(VP_RTL_MASTER false)
  if(A_MASTER)
    set(VP_RTL_MASTER true)
  endif()
  set(VP_RTL_NAME ${A_NAME})
  set(VP_RTL_DESCRIPTION "${A_DESCRIPTION}")
  if(NOT VP_RTL_DESCRIPTION)
    set(VP_RTL_DESCRIPTION "RTL ${A_TOP} (Verilator, ${A_BUS})")
  endif()

  set(mdir ${CMAKE_CURRENT_BINARY_DIR}/vp_rtl_${A_NAME})
  set(prefix V${A_NAME})
  set(srcs)
  foreach(s ${A_SOURCES})
    get_filename_component(abs ${s} ABSOLUTE)
    list(APPEND srcs ${abs})
  endforeach()
  if(NOT VP_RTL_SV_DIR)
    set(VP_RTL_SV_DIR ${PROJECT_SOURCE_DIR}/rtl)
  endif()
  set(incs -I${VP_RTL_SV_DIR})
  foreach(d ${A_INCLUDE_DIRS})
    get_filename_component(abs ${d} ABSOLUTE)
    list(APPEND incs -I${abs})
  endforeach()
  file(GLOB svh ${VP_RTL_SV_DIR}/*.svh)
  add_custom_command(
    OUTPUT ${mdir}/${prefix}__ALL.a ${mdir}/${prefix}.h
    COMMAND sh ${VP_RTL_DIR}/verilate.sh ${mdir}.log ${VERILATOR_BIN} --cc --build -j 1 -O3 --x-assign fast --x-initial fast
            -Wno-fatal -Wno-lint -Wno-style
            --Mdir ${mdir} --prefix ${prefix} --top-module ${A_TOP} ${trace_args} ${incs}
            -CFLAGS "-fPIC -O2 -w" -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O1" ${A_VERILATOR_ARGS} ${srcs}
    DEPENDS ${srcs} ${svh} ${VP_RTL_DIR}/verilate.sh
    COMMENT "Verilating ${A_TOP} into rtl.${A_NAME}"
    VERBATIM)
  configure_file(${VP_RTL_DIR}/rtl_component.cpp.in ${mdir}_register.cpp @ONLY)
  if(NOT VP_RTL_BUILTIN)
    if(NOT TARGET vp::rtl)
      message(FATAL_ERROR "vp_add_rtl_component(${A_NAME}): this vp was built without Verilator (no vp::rtl)")
    endif()
    configure_file(${VP_RTL_DIR}/rtl_plugin.cpp.in ${mdir}_plugin.cpp @ONLY)
    add_library(vp_rtl_${A_NAME} MODULE ${mdir}_register.cpp ${mdir}_plugin.cpp)
    set_source_files_properties(${mdir}_register.cpp PROPERTIES OBJECT_DEPENDS ${mdir}/${prefix}.h)
    target_include_directories(vp_rtl_${A_NAME} SYSTEM PRIVATE ${mdir})
    target_link_libraries(vp_rtl_${A_NAME} PRIVATE vp::rtl ${mdir}/${prefix}__ALL.a)
    target_compile_options(vp_rtl_${A_NAME} PRIVATE -Wno-unused-parameter)
    message(STATUS "rtl.${A_NAME}: component plugin ${CMAKE_CURRENT_BINARY_DIR}/libvp_rtl_${A_NAME}.so "
                   "(list it under plugins: in a platform description)")
    return()
  endif()
  add_library(vp_rtl_${A_NAME} STATIC ${mdir}_register.cpp ${mdir}/${prefix}__ALL.a)
  set_source_files_properties(${mdir}_register.cpp PROPERTIES OBJECT_DEPENDS ${mdir}/${prefix}.h)
  target_include_directories(vp_rtl_${A_NAME} SYSTEM PRIVATE ${mdir} ${VERILATOR_INCLUDE_DIR})
  target_link_libraries(vp_rtl_${A_NAME} PUBLIC vp_rtl_core vp_verilated ${mdir}/${prefix}__ALL.a)
  # Generated code: its warnings are not ours.
  target_compile_options(vp_rtl_${A_NAME} PRIVATE -Wno-unused-parameter)
  if(VP_RTL_TRACE STREQUAL "FST")
    target_link_libraries(vp_rtl_${A_NAME} PUBLIC ZLIB::ZLIB)
  endif()
  set_property(GLOBAL APPEND PROPERTY VP_RTL_COMPONENTS ${A_NAME})
endfunction()

# Writes the list of generated registrations compiled into vp_rtl (deferred to
# the end of the top-level directory, after every vp_add_rtl_component).
function(vp_rtl_finalize)
  get_property(names GLOBAL PROPERTY VP_RTL_COMPONENTS)
  set(decls "")
  set(calls "")
  foreach(n ${names})
    string(APPEND decls "void vp_rtl_register_${n}(vp::platform::Registry&);\n")
    string(APPEND calls "  vp_rtl_register_${n}(registry);\n")
    target_link_libraries(vp_rtl PUBLIC vp_rtl_${n})
  endforeach()
  file(CONFIGURE OUTPUT ${VP_RTL_LIST_FILE} CONTENT
"// Generated by vp_rtl_finalize (models/rtl/vp_rtl.cmake): do not edit.
#include \"models/rtl/rtl_component_type.h\"
\n${decls}
namespace vp::rtl {
void register_generated_components(platform::Registry& registry) {
  (void)registry;
${calls}}
}  // namespace vp::rtl
" @ONLY)
endfunction()
