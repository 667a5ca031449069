#!/usr/bin/env bash
# Hart interleaving is deterministic: the same SMP program on the same platform
# runs twice to the same per-hart instruction and cycle counts and the same
# simulated time (every statistic but host times), however the host schedules vp.
#   deterministic.sh VP CONFIG ELF [vp arguments...]
set -uo pipefail
vp=$1 config=$2 elf=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/checks.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for run in 1 2; do
  check "run $run passes" "$vp" run "$config" --kernel "$elf" -q --stats "$tmp/stats$run.txt" "$@"
  grep -v -e host_ -e '^-' "$tmp/stats$run.txt" > "$tmp/sim$run.txt"
done
check "per-hart statistics recorded" contains "$tmp/sim1.txt" '^cpu3\.instructions +[1-9]'
check "both runs interleave the harts the same way" diff "$tmp/sim1.txt" "$tmp/sim2.txt"
[ "$failures" -eq 0 ] && echo "PASS: deterministic" || echo "FAIL: $failures check(s)"
exit $((failures != 0))
