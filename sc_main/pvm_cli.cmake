# `vp pvm ...` subcommand as a library, included from sc_main/CMakeLists.txt (and from the PVM
# tests, which build a small `pvm-cli` around it).
if(NOT TARGET nlohmann_json::nlohmann_json)
  find_package(nlohmann_json REQUIRED)
endif()
add_library(vp_pvm_cli STATIC ${CMAKE_CURRENT_LIST_DIR}/pvm_command.cpp)
target_include_directories(vp_pvm_cli PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(vp_pvm_cli PUBLIC pvm CLI11::CLI11 nlohmann_json::nlohmann_json)
