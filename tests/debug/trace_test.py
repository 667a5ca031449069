#!/usr/bin/env python3
"""Trace content, filters and formats (issue 18): load/store addresses and
CSR writes on the lines, symbol labels, windows by symbol and by instruction
count, pc ranges, privilege levels, traps only, gzip, and the Chrome/Perfetto
trace-event JSON of traps and device accesses.

usage: trace_test.py VP SOURCE_DIR BUILD_DIR
"""
import gzip
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from debug_util import QUIET_UART, VIRT, check, elf, finish, run_vp, symbol  # noqa: E402

ELF = elf("trace_target")
traced, after, data, warmup = (symbol(ELF, n) for n in ("traced", "after", "data", "warmup"))
user_code = symbol(ELF, "user_code")
LINE = re.compile(r"^core 0: (\d) 0x([0-9a-f]{16}) \(0x[0-9a-f]+\) (\S+)(.*)$")
tmp = tempfile.mkdtemp(prefix="vp-trace-")


def trace(*extra, name="t.txt"):
    path = os.path.join(tmp, name)
    rc, out, err = run_vp([VIRT, "--kernel", ELF, "--trace-file", path] + list(extra) + QUIET_UART)
    check(f"run {' '.join(extra) or '(full)'} passes", rc == 0, err)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return f.read()


def instructions(text):
    return [(int(m.group(1)), int(m.group(2), 16), m.group(3), m.group(4)) for m in map(LINE.match, text.splitlines())
            if m]


full = trace()
lines = instructions(full)
by_pc = {pc: rest for _, pc, _, rest in lines}
check("every instruction is traced", len(lines) > 200, len(lines))
check("a load shows its address", f"mem 0x{data:016x}" in by_pc.get(traced + 8, ""), by_pc.get(traced + 8))
check("a store shows its address", f"mem 0x{data + 8:016x}" in by_pc.get(traced + 16, ""), by_pc.get(traced + 16))
check("a CSR write shows the CSR and its value", "csr mscratch 0x000000000000002a" in by_pc.get(traced + 20, ""),
      by_pc.get(traced + 20))
check("the ecall's exception", "exception 11" in by_pc.get(traced + 24, ""), by_pc.get(traced + 24))
check("symbol labels where functions start", "core 0: <traced>" in full and "core 0: <warmup>" in full, full[:500])
check("U-mode lines say privilege 0", any(p == 0 and pc == user_code for p, pc, _, _ in lines))

window = instructions(trace("--trace-start", "traced", "--trace-stop", "after"))
check("--trace-start SYMBOL: the window starts there", window and window[0][1] == traced, window[:3])
check("--trace-stop SYMBOL: nothing from after on", all(pc != after for _, pc, _, _ in window), window[-3:])
first = next(i for i, line in enumerate(lines) if line[1] == traced)
stop = next(i for i, line in enumerate(lines) if line[1] == after)
check("exactly the instructions from traced up to after", window == lines[first:stop],
      (len(window), stop - first, window[:2], window[-2:]))
check("the window holds the function and its trap handler", 8 <= len(window) <= 20, len(window))

counted = instructions(trace("--trace-start", "50", "--trace-stop", "60"))
check("--trace-start/--trace-stop COUNT: exactly that many", len(counted) == 10, len(counted))
check("the count window starts at the 50th instruction", counted and counted[0][1] == lines[50][1],
      (counted[:1], lines[50]))

ranged = instructions(trace("--trace-range", "traced"))
size = 32
check("--trace-range SYMBOL: only its pcs", ranged and all(traced <= pc < traced + size for _, pc, _, _ in ranged),
      ranged)
check("--trace-range: all of them", len(ranged) == 8, len(ranged))
hexr = instructions(trace("--trace-range", f"0x{traced:x}-0x{traced + 8:x}"))
check("--trace-range LO-HI", [pc for _, pc, _, _ in hexr] == [traced, traced + 4], hexr)

user = instructions(trace("--trace-priv", "U"))
check("--trace-priv U: only U-mode", user and all(p == 0 for p, _, _, _ in user), user)
check("--trace-priv U: all of the U-mode code", len(user) == 3, user)

traps = trace("--trace-traps")
check("--trace-traps: no instruction lines", not instructions(traps), traps[:300])
check("--trace-traps: the M-mode ecall",
      re.search(r"core 0: 3 0x%016x exception 11 \(environment call from M-mode\)" % (traced + 24), traps), traps)
check("--trace-traps: the U-mode ecall", "exception 8 (environment call from U-mode)" in traps, traps)

gz = trace(name="t.txt.gz")
check("a .gz trace file is the same trace, compressed", gz == full and os.path.getsize(os.path.join(tmp, "t.txt.gz"))
      * 4 < len(full), (len(gz), len(full), os.path.getsize(os.path.join(tmp, "t.txt.gz"))))

events = os.path.join(tmp, "events.json")
rc, out, err = run_vp([VIRT, "--kernel", ELF, "--trace-events", events] + QUIET_UART)
check("--trace-events run passes", rc == 0, err)
with open(events) as f:
    doc = json.load(f)
ev = doc["traceEvents"]
names = {e["args"]["name"]: e["tid"] for e in ev if e.get("ph") == "M"}
traps = [e for e in ev if e.get("ph") == "i" and e.get("tid") == names.get("cpu0")]
check("trace events: both traps on the hart's track", [e["name"] for e in traps] ==
      ["environment call from M-mode", "environment call from U-mode"], traps)
check("trace events: trap details", traps and traps[0]["args"]["epc"] == hex(traced + 24), traps[:1])
finisher = [e for e in ev if e.get("tid") == names.get("test") and e.get("ph") == "i"]
check("trace events: the device access (the test finisher's write)", finisher and finisher[0]["name"] == "write +0x0"
      and finisher[0]["args"]["data"] == "0x5555", finisher)
check("trace events: times in simulated microseconds", all(isinstance(e.get("ts", 0), (int, float)) for e in ev))

rc, out, err = run_vp([VIRT, "--kernel", ELF, "--trace-start", "nosuchsymbol", "--trace"] + QUIET_UART)
check("an unknown symbol is an error (exit 2)", rc == 2 and "no symbol 'nosuchsymbol'" in err, err)
rc, out, err = run_vp([VIRT, "--kernel", ELF, "--trace-range", "traced"] + QUIET_UART)
check("a filter without a trace is an error (exit 2)", rc == 2 and "--trace or --trace-file" in err, err)
finish()
