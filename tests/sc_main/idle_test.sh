#!/usr/bin/env bash
# vp run --idle: a guest that sleeps 100 ms of simulated time in wfi. realtime
# sleeps the host through it (the summary says how long), fast does not; auto is
# realtime only on a terminal (stdin and stdout; `script` gives it one).
set -u
vp=$1
src=$2
elf=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../support/checks.sh"
run() { "$vp" run "$src/configs/virt.yaml" --kernel "$elf" "$@" < /dev/null > "$tmp/out" 2>&1; }

run --idle realtime
check "realtime: the guest passes" test $? -eq 0
check "realtime: 100 ms simulated" contains "$tmp/out" "simulated 0\.1000"
check "realtime: the host slept" contains "$tmp/out" "asleep: idle guest, --idle realtime\)"
slept=$(sed -n 's/.*(host \([0-9.]*\) s asleep.*/\1/p' "$tmp/out")
# The sleep keeps simulated time to the host clock: most of the 100 ms (ticks of 1 ms).
check "realtime: slept at least 50 ms ($slept s)" awk -v s="${slept:-0}" 'BEGIN { exit !(s >= 0.05) }'

run --idle fast
check "fast: the guest passes" test $? -eq 0
check "fast: 100 ms simulated" contains "$tmp/out" "simulated 0\.1000"
check "fast: no sleep" lacks "$tmp/out" "asleep"

run
check "auto without a terminal: the guest passes" test $? -eq 0
check "auto without a terminal: no sleep" lacks "$tmp/out" "asleep"

if command -v script > /dev/null; then
  script -qec "'$vp' run '$src/configs/virt.yaml' --kernel '$elf'" /dev/null < /dev/null > "$tmp/out" 2>&1
  check "auto on a terminal: the guest passes" contains "$tmp/out" "HTIF: pass"
  check "auto on a terminal: the host slept" contains "$tmp/out" "asleep: idle guest"
fi

run --idle sometimes
check "a bad mode is refused (exit 2)" test $? -eq 2
check "the error names the choices" contains "$tmp/out" "--idle.*realtime"
echo "idle: $failures failed"
exit $((failures > 0))
