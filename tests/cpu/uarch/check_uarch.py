#!/usr/bin/env python3
"""Runs a microbenchmark in functional and pipeline mode and checks known answers
from the pipeline-mode statistics (--stats JSON).
usage: check_uarch.py VP SOURCE_DIR ELF TEST_NAME WORK_DIR"""
import json
import os
import subprocess
import sys

vp, src, elf, name, work = sys.argv[1:6]
func_cfg = os.path.join(src, "configs", "virt.yaml")
pipe_cfg = os.path.join(src, "configs", "virt-pipeline.yaml")
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(cfg, *extra, stats=None):
    cmd = [vp, "run", cfg, "--kernel", elf, "--max-instructions", "50000000", "-q"] + list(extra)
    if stats:
        cmd += ["--stats", stats]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return p.returncode, p.stdout


def pipeline(tag, *sets):
    path = os.path.join(work, f"{name}.{tag}.json")
    args = []
    for s in sets:
        args += ["--set", s]
    rc, out = run(pipe_cfg, *args, stats=path)
    with open(path) as f:
        st = json.load(f)["stats"]
    return rc, out, st


rc_f, out_f = run(func_cfg)
rc_p, out_p, s = pipeline("tage")
print(f"functional: exit {rc_f}, output {out_f.strip()!r}; pipeline: exit {rc_p}, output {out_p.strip()!r}")
check(rc_f == 0, "functional mode passes")
check(rc_p == rc_f and out_p == out_f, "pipeline mode: same exit code and output as functional mode")
cyc, ins = s["cpu0.cycles"], s["cpu0.instructions"]
print(f"cycles {cyc:.0f}, instructions {ins:.0f}, IPC {s['cpu0.ipc']:.3f}")
check(cyc >= ins, "cycles >= instructions")

if name == "bp_fixed":
    for bp in ["bimodal", "tage"]:
        _, _, t = pipeline(bp, f"cpu0.bp.type={bp}")
        acc = t["cpu0.bp.accuracy"]
        print(f"{bp}: accuracy {acc:.5f}")
        check(acc > 0.99, f"{bp} accuracy > 99% on a fixed pattern")
elif name == "bp_random":
    n = 100000
    for bp in ["bimodal", "gshare", "tage"]:
        _, _, t = pipeline(bp, f"cpu0.bp.type={bp}")
        m = t["cpu0.bp.mispredicts"]
        print(f"{bp}: {m:.0f} mispredicts for {n} random branches ({m / n:.3f})")
        check(0.45 * n <= m <= 0.56 * n, f"{bp}: about 50% of the random branches mispredicted")
elif name == "bp_corr":
    m = {}
    for bp in ["bimodal", "gshare", "tage"]:
        _, _, t = pipeline(bp, f"cpu0.bp.type={bp}")
        m[bp] = t["cpu0.bp.mispredicts"]
        print(f"{bp}: {m[bp]:.0f} mispredicts, accuracy {t['cpu0.bp.accuracy']:.4f}")
    check(m["tage"] < 0.8 * m["gshare"], "TAGE beats gshare on long-history correlation")
    check(m["gshare"] < 0.9 * m["bimodal"], "gshare beats bimodal on short-history correlation")
elif name == "stream":
    lines = 128 * 1024 // 64
    rm = s["cpu0.l1d.read_misses"]
    print(f"l1d read misses {rm:.0f} for {lines} lines")
    check(0.95 * lines <= rm <= 1.1 * lines, "streaming read: about one L1D miss per line")
elif name == "fits":
    lines = 16 * 1024 // 64
    rm, rate = s["cpu0.l1d.read_misses"], s["cpu0.l1d.miss_rate"]
    print(f"l1d read misses {rm:.0f} ({lines} lines, 20 passes), miss rate {rate:.5f}")
    check(rm <= lines + 64, "working set in L1D: at most the cold misses")
    check(rate < 0.02, "working set in L1D: miss rate near 0")
elif name == "chase":
    loads = 2000 * 8
    lu = s["cpu0.stalls.load_use"]
    print(f"load-use stall cycles {lu:.0f} for {loads} chained loads")
    check(lu >= 7 / 8 * loads, "dependent loads: load-use stalls counted")
    _, _, t = pipeline("nol1d", "cpu0.l1d=none")
    check(t["cpu0.cycles"] > cyc, "without an L1D the same program takes more cycles")
else:
    check(False, "unknown test " + name)

sys.exit(1 if failures else 0)
