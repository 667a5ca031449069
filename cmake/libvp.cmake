# libvp: the platform, the models and the run logic as one shared library, and
# the SDK around it (installed headers, CMake package vp: vp::vp, vp::pvm, vp::rtl).
# The vp executable, the Python package and component plugins link libvp; the
# in-tree tests link the static pieces it is made of (one process each).

set(VP_LIB_PARTS vp_platform vp_debug vp_mem vp_devices vp_runner)
foreach(part vp_pvm_core vp_cpu_core vp_cpu vp_rtl_core vp_memdef vp_rtl vp_verilated)
  if(TARGET ${part})
    list(APPEND VP_LIB_PARTS ${part})
  endif()
endforeach()

add_library(vp_lib SHARED ${PROJECT_SOURCE_DIR}/platform/version.cpp)
add_library(vp::vp ALIAS vp_lib)
set_target_properties(vp_lib PROPERTIES OUTPUT_NAME vp EXPORT_NAME vp
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
  INSTALL_RPATH "$ORIGIN")  # libpvm.so (pvm.core) sits next to it, installed and in a wheel
# Every object of every part, whether vp itself calls it or not: a plugin may.
set(whole)
foreach(part ${VP_LIB_PARTS})
  list(APPEND whole $<TARGET_FILE:${part}>)
endforeach()
add_dependencies(vp_lib ${VP_LIB_PARTS})
target_link_libraries(vp_lib
  PRIVATE -Wl,--whole-archive ${whole} -Wl,--no-whole-archive
          ${VP_LIB_PARTS}   # their own dependencies (yaml-cpp, libfdt, generated RTL models, ...)
  PUBLIC PkgConfig::SYSTEMC Threads::Threads)
target_include_directories(vp_lib PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/vp>)
target_compile_features(vp_lib PUBLIC cxx_std_17)
# Calls between libvp's own functions bind inside the library (no PLT hop per call:
# the per-instruction calls of the timing models are hot). Data symbols still interpose.
target_link_options(vp_lib PRIVATE -Wl,-Bsymbolic-functions)

# vp::rtl: what a Verilated component needs beyond vp::vp (the Verilator
# runtime is inside libvp, so every RTL component in a process shares one).
if(TARGET vp_verilated)
  add_library(vp_rtl_sdk INTERFACE)
  add_library(vp::rtl ALIAS vp_rtl_sdk)
  set_target_properties(vp_rtl_sdk PROPERTIES EXPORT_NAME rtl)
  target_link_libraries(vp_rtl_sdk INTERFACE vp_lib)
  target_include_directories(vp_rtl_sdk SYSTEM INTERFACE ${VERILATOR_INCLUDE_DIR} ${VERILATOR_INCLUDE_DIR}/vltstd)
  set(vp_rtl_export vp_rtl_sdk)
endif()

# ---- install: bin/vp, lib/libvp.so, include/vp/..., lib/cmake/vp, share/vp
include(CMakePackageConfigHelpers)
set(VP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vp)
install(TARGETS vp_lib ${vp_rtl_export} EXPORT vpTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vp)
install(EXPORT vpTargets NAMESPACE vp:: DESTINATION ${VP_CMAKE_DIR})
foreach(dir platform debug models/devices models/mem models/rtl models/cpu sc_main)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vp/${dir}
          FILES_MATCHING PATTERN "*.h" PATTERN "pvm_command.h" EXCLUDE)
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/include/platform/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/vp/platform)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/vpConfig.cmake.in
  ${PROJECT_BINARY_DIR}/vpConfig.cmake INSTALL_DESTINATION ${VP_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_BINDIR CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vpConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/vpConfig.cmake ${PROJECT_BINARY_DIR}/vpConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/vp_plugin.cmake
              ${PROJECT_SOURCE_DIR}/models/rtl/vp_rtl.cmake ${PROJECT_SOURCE_DIR}/models/rtl/rtl_component.cpp.in
              ${PROJECT_SOURCE_DIR}/models/rtl/rtl_plugin.cpp.in ${PROJECT_SOURCE_DIR}/models/rtl/verilate.sh
        DESTINATION ${VP_CMAKE_DIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/vp/configs)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/vp/docs)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/vp)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/rtl/ DESTINATION ${CMAKE_INSTALL_DATADIR}/vp/rtl
        FILES_MATCHING PATTERN "*.svh" PATTERN "vp_*.sv" PATTERN "vp_*_dpi.c")
