#!/usr/bin/env bash
# A program whose harts spin in wfi loops (tests/smp/programs/spin_wait.S) runs
# translated (the dispatcher skips laps of such loops) and interpreted: every
# simulated statistic (per-hart instructions and cycles, devices, simulated time)
# must be the same, and the translated run must have skipped laps.
#   spin_exact.sh VP CONFIG ELF [vp arguments...]
set -uo pipefail
vp=$1 config=$2 elf=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/checks.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check "translated run passes" "$vp" run "$config" --kernel "$elf" -q --stats "$tmp/jit.txt" "$@"
check "interpreted run passes" "$vp" run "$config" --kernel "$elf" -q --stats "$tmp/int.txt" --set cpu.translate=false "$@"
for r in jit int; do grep -v -e host_ -e '\.translator\.' -e '^-' "$tmp/$r.txt" | awk '{print $1, $2}' > "$tmp/$r.sim"; done
check "per-hart statistics recorded" contains "$tmp/int.sim" '^cpu3\.instructions +[1-9]'
check "translated and interpreted runs agree" diff "$tmp/int.sim" "$tmp/jit.sim"
check "the translated run skipped spin laps" contains "$tmp/jit.txt" '^cpu3\.translator\.spin_skipped +[1-9]'
[ "$failures" -eq 0 ] && echo "PASS: spin_exact" || echo "FAIL: $failures check(s)"
exit $((failures != 0))
