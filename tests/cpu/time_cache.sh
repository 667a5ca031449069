#!/usr/bin/env bash
# The `time` CSR's cache gives the values the timer gives (tests/cpu/programs/time_cache.S):
# the program runs translated (reads answered inline) and interpreted, and both again
# with a trace-event file, which makes every read a bus access to mtime (no cache).
# All four print the same hash of the values read and end with the same simulated
# statistics; the translated run answered reads from the cache. With one hart, a
# lock-step run (translated code checked against the interpreter block by block) reads
# the same values too: its time must advance within a quantum as a plain run's does.
#   time_cache.sh VP CONFIG ELF [vp arguments...]
set -uo pipefail
vp=$1 config=$2 elf=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/checks.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vp_to() {  # output file, vp arguments
  local out=$1; shift
  "$vp" "$@" > "$out"
}
run() {  # name, extra arguments
  local name=$1; shift
  check "$name run passes" vp_to "$tmp/$name.out" run "$config" --kernel "$elf" -q --max-instructions 50000000 \
    --stats "$tmp/$name.txt" "$@"
  grep -v -e host_ -e '\.translator\.' -e '\.lockstep\.' -e '^-' "$tmp/$name.txt" | awk '{print $1, $2}' > "$tmp/$name.sim"
}
run jit "$@"
run int --set cpu.translate=false "$@"
run jit_bus --trace-events "$tmp/jit.json" "$@"
run int_bus --set cpu.translate=false --trace-events "$tmp/int.json" "$@"
others="int jit_bus int_bus"
if [[ " $* " != *" --smp "* ]]; then  # lock-step refuses several harts
  run lockstep --set cpu.lockstep=true "$@"
  others="$others lockstep"
fi
check "the program printed its hash" contains "$tmp/jit.out" '^[0-9a-f]{16}$'
for r in $others; do
  check "$r: same values read as translated" diff "$tmp/jit.out" "$tmp/$r.out"
  check "$r: same simulated statistics" diff "$tmp/jit.sim" "$tmp/$r.sim"
done
check "the translated run answered reads inline" contains "$tmp/jit.txt" '^cpu0\.translator\.time_cached +[1-9]'
check "reads through the bus used no cache" contains "$tmp/jit_bus.txt" '^cpu0\.translator\.time_cached +0 '
[ "$failures" -eq 0 ] && echo "PASS: time_cache" || echo "FAIL: $failures check(s)"
exit $((failures != 0))
