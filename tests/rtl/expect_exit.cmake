# Runs `vp run CONFIG --kernel ELF [ARGS...]` and checks its exit code is EXPECT.
execute_process(COMMAND ${VP} run ${CONFIG} --kernel ${ELF} --max-instructions 1000000 ${ARGS}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL EXPECT)
  message(FATAL_ERROR "vp exited with ${rc}, expected ${EXPECT}")
endif()
