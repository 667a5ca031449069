#!/usr/bin/env python3
"""Lock-step check that timing never changes architectural results: runs a
program with an instruction trace (--trace: privilege, pc, encoding, the value
written to rd, exceptions) in functional mode and at the same time in pipeline
mode with every backend and preset (in-order virt-pipeline, embedded-core,
out-of-order p550-like and m1-like), and compares the traces line by line as
they are produced. Reports the first instruction that differs, then the exit
codes and console output. Bounded by MAX_INSTRUCTIONS.
usage: lockstep.py VP SOURCE_DIR ELF MAX_INSTRUCTIONS [key=value | --vp-option=value ...]
(ELF is passed with --kernel; --bios=FW and the like are passed to vp as given)"""
import os
import subprocess
import sys

vp, src, elf, limit = sys.argv[1:5]
sets = []
for a in sys.argv[5:]:
    sets += a.split("=", 1) if a.startswith("--") else ["--set", a]
configs = {
    "functional": os.path.join(src, "configs", "virt.yaml"),
    "inorder": os.path.join(src, "configs", "virt-pipeline.yaml"),
    "embedded": os.path.join(src, "configs", "presets", "embedded-core.yaml"),
    "o3-p550": os.path.join(src, "configs", "presets", "p550-like.yaml"),
    "o3-m1": os.path.join(src, "configs", "presets", "m1-like.yaml"),
}
procs = {}
for tag, cfg in configs.items():
    procs[tag] = subprocess.Popen([vp, "run", cfg, "--kernel", elf, "--max-instructions", limit, "-q", "--trace"] + sets,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

tags = list(configs)
mismatch = {}  # tag -> (line number, functional line, its line)
lines = 0
while True:
    row = {t: procs[t].stderr.readline() for t in tags}
    ref = row["functional"]
    if not ref and not any(row.values()):
        break
    lines += 1
    for t in tags[1:]:
        if t not in mismatch and row[t] != ref:
            mismatch[t] = (lines, ref.rstrip("\n"), row[t].rstrip("\n"))

failed = False
out = {t: procs[t].stdout.read() for t in tags}
rc = {t: procs[t].wait() for t in tags}
print(f"functional: exit {rc['functional']}, {lines} trace lines, output {out['functional'].strip()!r}")
if lines < 10:
    print("FAIL the functional run traced almost nothing")
    failed = True
for t in tags[1:]:
    bad = []
    if t in mismatch:
        n, a, b = mismatch[t]
        bad.append(f"trace line {n}:\n       functional: {a!r}\n       {t}: {b!r}")
    if rc[t] != rc["functional"]:
        bad.append(f"exit {rc[t]} (functional {rc['functional']})")
    if out[t] != out["functional"]:
        bad.append(f"console {out[t].strip()!r}")
    print(("ok   " if not bad else "FAIL ") + f"{t}: " + ("same trace, exit code and console" if not bad else
                                                       "differs in " + "; ".join(bad)))
    failed = failed or bool(bad)
sys.exit(1 if failed else 0)
