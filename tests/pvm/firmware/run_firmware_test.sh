#!/usr/bin/env bash
# The firmware-driven PVM test: vp runs pvm_firmware.elf on configs/virt-pvm.yaml with the PVM
# core on one backend (interrupt-driven firmware); checks the exit code, the UART output of the "log" host call, and the
# pvm0.* statistics (gas and instructions executed inside the platform).
# With MODE lockstep the hart runs under lock-step checking (cpu0.lockstep=true): the PVM's stores
# into RAM (the firmware reads its results) must reach the interpreter's copy of memory, so the
# PVM binds its writable window pages to reported transactions instead of DMI (platform/dma.h).
# usage: run_firmware_test.sh VP CONFIG ELF BACKEND WORKDIR [MODE]
set -u
. "$(dirname "$0")/../../support/checks.sh"
vp=$1 config=$2 elf=$3 backend=$4 work=$5 mode=${6:-plain}
mkdir -p "$work"
out=$work/out-$backend-$mode.txt stats=$work/stats-$backend-$mode.json
extra=()
if [ "$mode" = lockstep ]; then extra=(--set cpu0.lockstep=true); fi
"$vp" run "$config" --kernel "$elf" --set "pvm0.backend=$backend" "${extra[@]}" -q --stats "$stats" --max-time 1s \
  >"$out" 2>&1
rc=$?
check "exit code 0 ($backend $mode; got $rc)" test "$rc" -eq 0
check "no lock-step divergence" lacks "$out" "lockstep"

check "log host call on the UART" contains "$out" "pvm log: PVM fetch data!!"
check "firmware checks pass" contains "$out" "pvm firmware: ok"
# Program 1: 90015 gas, 4 runs, 2 host calls, 1 fault, 2 DMI pages. The layout program: 2 blocks
# of 4 instructions, 3 runs, 2 faults (read-only write, gap), its read-only, read-write and stack
# pages in the window plus the gap page the firmware maps (4 DMI pages). The arguments program:
# 14 instructions, 1 run, 1 host call, read-only data, read-write data, 2 stack pages and the
# argument page (5 DMI pages). Layout pages: those regions plus each heap region (the read-write
# region up to the stack's window offset: 4047 and 4045 pages).
# Under lock-step only the 3 read-only pages stay on DMI; the 12 accesses to the others are transactions.
check "statistics: pvm0.gas = pvm0.instructions = 90037, 3 host calls, 3 faults, DMI/layout pages" python3 - "$stats" "$mode" <<'PY'
import json, sys
values = json.load(open(sys.argv[1]))["stats"]
lockstep = sys.argv[2] == "lockstep"
want = {"pvm0.gas": 90037, "pvm0.instructions": 90037, "pvm0.host_calls": 3, "pvm0.runs": 9,
        "pvm0.page_faults": 3, "pvm0.dmi_pages": 3 if lockstep else 11, "pvm0.layout_pages": 8098,
        "pvm0.transactions": 12 if lockstep else 0}
bad = {k: values.get(k) for k, v in want.items() if values.get(k) != v}
if bad:
    print("  unexpected:", bad)
sys.exit(1 if bad else 0)
PY
exit "$failures"
