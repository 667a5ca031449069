#!/bin/sh
# Runs `verilator --cc --build` for vp_add_rtl_component, quietly: the output
# goes to LOG and is shown only when the build fails. The parent make's
# jobserver settings are not passed on to Verilator's own make.
log=$1
shift
unset MAKEFLAGS MFLAGS MAKELEVEL
if "$@" >"$log" 2>&1; then exit 0; fi
cat "$log" >&2
exit 1
