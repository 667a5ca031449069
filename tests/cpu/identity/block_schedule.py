#!/usr/bin/env python3
"""The in-order backend's block schedules (the hart property block_schedule, on by
default: a block's instructions run first and are timed in one pass, with the
block's static schedule when its start allows) give exactly what timing one
instruction at a time gives: runs a program with block_schedule true and false
on in-order platforms (virt-pipeline, embedded-core, and variants whose caches,
TLBs and latencies make the schedules' assumptions fail or not apply: I-cache
and L1D misses, a blocking L1D, a 2- and a 3-cycle L1D, TLB walks) and compares every
statistic (except host time and speed), the console output and the exit code.
Bounded by MAX_INSTRUCTIONS.
usage: block_schedule.py VP SOURCE_DIR ELF MAX_INSTRUCTIONS [key=value | --vp-option=value ...]"""
import json
import os
import subprocess
import sys
import tempfile

vp, src, elf, limit = sys.argv[1:5]
extra = []
for a in sys.argv[5:]:
    extra += a.split("=", 1) if a.startswith("--") else ["--set", a]
pipeline = os.path.join(src, "configs", "virt-pipeline.yaml")
embedded = os.path.join(src, "configs", "presets", "embedded-core.yaml")
variants = {
    "virt-pipeline": (pipeline, []),
    "embedded-core": (embedded, []),
    # Small caches: I-cache and L1D misses inside blocks (the schedule's accesses do not hit).
    "small-caches": (pipeline, ["cpu0.l1i.size=1KiB", "cpu0.l1i.assoc=2", "cpu0.l1d.size=1KiB", "cpu0.l1d.assoc=2"]),
    # A blocking L1D (its misses hold the memory stage) with a short line.
    "blocking-l1d": (pipeline, ["cpu0.l1d.mshrs=0", "cpu0.l1d.size=2KiB", "cpu0.l1d.line=32"]),
    # A 2-cycle L1D (as application-core): the instruction after a load/store waits for the
    # memory stage (stalls.dcache), inside planned blocks.
    "slow-l1d": (pipeline, ["cpu0.l1d.latency=2"]),
    # A 3-cycle L1D and a 2-cycle I-cache: longer memory-stage stalls, blocks with fetch lines get no schedule.
    "slow-l1": (pipeline, ["cpu0.l1d.latency=3", "cpu0.l1i.latency=2"]),
    # TLBs with page walks (programs with virtual memory), a bimodal predictor.
    "tlb-walks": (pipeline, ["cpu0.dtlb.entries=4", "cpu0.dtlb.walk_latency=7", "cpu0.itlb.entries=2",
                             "cpu0.itlb.walk_latency=5", "cpu0.bp.type=bimodal"]),
}


def run(cfg, sets, schedule, work):
    stats = os.path.join(work, f"{len(os.listdir(work))}.json")
    args = [vp, "run", cfg, "--kernel", elf, "--max-instructions", limit, "--stats", stats]
    for s in sets + [f"cpu0.block_schedule={'true' if schedule else 'false'}"]:
        args += ["--set", s]
    p = subprocess.run(args + extra, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    s = {}
    if os.path.exists(stats):
        with open(stats) as f:
            s = {k: v for k, v in json.load(f)["stats"].items() if "host" not in k}
    # The console without vp's own lines (they carry host time and speed).
    out = "".join(l for l in p.stdout.splitlines(True) if not l.startswith("vp: "))
    return p.returncode, out, s


failed = False
with tempfile.TemporaryDirectory() as work:
    for tag, (cfg, sets) in variants.items():
        rc0, out0, s0 = run(cfg, sets, False, work)
        rc1, out1, s1 = run(cfg, sets, True, work)
        if not s0 or s0.get("cpu0.instructions", 0) < 10:
            print(f"FAIL {tag}: no statistics (exit {rc0})")
            failed = True
            continue
        diff = sorted(k for k in set(s0) | set(s1) if s0.get(k) != s1.get(k))
        ok = not diff and out0 == out1 and rc0 == rc1
        print(("ok   " if ok else "FAIL ") + f"{tag}: {len(s0)} statistics, {s0['cpu0.instructions']:.0f} instructions, "
              f"{s0['cpu0.cycles']:.0f} cycles" + ("" if ok else f", differ: {diff[:12]}"))
        for k in diff[:12]:
            print(f"     {k}: one at a time {s0.get(k)}, block schedules {s1.get(k)}")
        if out0 != out1 or rc0 != rc1:
            print(f"     console or exit code differ (exit {rc0} / {rc1})")
        failed = failed or not ok
sys.exit(1 if failed else 0)
