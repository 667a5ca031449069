# cmake -DCMD=prog -DARGS="a|b|c" -DCODE=n -P expect_exit.cmake: runs CMD ARGS and checks the exit code.
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${CMD} ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT "${rc}" STREQUAL "${CODE}")
  message(FATAL_ERROR "exit code ${rc}, expected ${CODE}")
endif()
