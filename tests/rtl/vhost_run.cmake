# `vp run configs/rtl-vhost.yaml` with the firmware, exporting the vhost
# memories at the end of the run: checks the exit code and the hex files.
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${VP} run ${CONFIG} --kernel ${ELF} --set vh.export_dir=${OUT}
                        --max-instructions 10000000 -q
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "vp exited with ${rc}")
endif()
foreach(f top.u_bb.hex top.u_tcm.hex top.u_sram.bank0.hex top.u_sram.bank1.hex
          top.u_sram.bank2.hex top.u_sram.bank3.hex)
  if(NOT EXISTS ${OUT}/${f})
    message(FATAL_ERROR "not exported: ${OUT}/${f}")
  endif()
endforeach()
file(READ ${OUT}/top.u_bb.hex bb)
if(NOT bb MATCHES "// top.u_bb: 4096 bytes, 32-bit words\n@0\n00000000\n")
  message(FATAL_ERROR "unexpected top.u_bb.hex:\n${bb}")
endif()
file(STRINGS ${OUT}/top.u_sram.bank3.hex words REGEX "^[0-9a-f]+$")
list(LENGTH words n)
if(NOT n EQUAL 256)
  message(FATAL_ERROR "top.u_sram.bank3.hex: ${n} words, expected 256 (random init)")
endif()
