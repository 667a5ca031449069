#!/bin/sh
# Runs the bare-metal integer workload on vp and prints instructions, host seconds, MIPS.
# usage: run_bench.sh VP_BINARY PLATFORM_YAML WORKLOAD_ELF
set -e
out=$("$1" run "$2" --kernel "$3" 2>&1 >/dev/null) || { echo "$out"; exit 1; }
echo "$out" | tail -1
echo "$out" | tail -1 | sed -n 's/.*host \([0-9.]*\) s, \([0-9]*\) instructions, \([0-9.]*\) MIPS.*/instructions: \2\nhost seconds: \1\nMIPS: \3/p'
