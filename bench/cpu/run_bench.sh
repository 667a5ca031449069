#!/bin/sh
# Runs the bare-metal integer workload on vp and prints instructions, host seconds, MIPS;
# in pipeline mode (a platform whose hart has mode: pipeline) also simulated cycles and IPC.
# usage: run_bench.sh VP_BINARY PLATFORM_YAML WORKLOAD_ELF
set -e
stats=$(mktemp /tmp/vp_bench_stats.XXXXXX.json)
out=$("$1" run "$2" --kernel "$3" --stats "$stats" 2>&1 >/dev/null) || { echo "$out"; rm -f "$stats"; exit 1; }
echo "$out" | tail -1
echo "$out" | tail -1 | sed -n 's/.*host \([0-9.]*\) s, \([0-9]*\) instructions, \([0-9.]*\) MIPS.*/instructions: \2\nhost seconds: \1\nMIPS: \3/p'
sed -n 's/^ *"cpu0\.\(cycles\|ipc\|bp\.accuracy\|l1d\.miss_rate\|l1i\.miss_rate\|l2\.miss_rate\)": \([0-9.e+-]*\),\{0,1\}$/\1: \2/p' "$stats" | tr -d ','
rm -f "$stats"
