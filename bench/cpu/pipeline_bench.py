#!/usr/bin/env python3
"""Speed and IPC of the timing models: runs the bare-metal integer workload on
each platform given and prints, per platform, instructions, simulated cycles,
IPC, predictor accuracy, L1D miss rate, and host speed in MIPS both by wall
clock (vp's own run-loop time) and by CPU time (user + system of the vp
process, start-up included), which is less sensitive to other load on the host.
usage: pipeline_bench.py VP WORKLOAD_ELF PLATFORM_YAML [PLATFORM_YAML ...]"""
import json
import os
import resource
import subprocess
import sys
import tempfile

vp, elf = sys.argv[1:3]
platforms = sys.argv[3:]
print(f"{'platform':<24} {'instructions':>13} {'cycles':>13} {'IPC':>6} {'bp acc':>7} {'l1d miss':>8} "
      f"{'MIPS wall':>9} {'MIPS cpu':>9}")
for plat in platforms:
    fd, stats = tempfile.mkstemp(suffix=".json")
    os.close(fd)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run([vp, "run", plat, "--kernel", elf, "-q", "--stats", stats], capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        print(p.stdout + p.stderr)
        sys.exit(f"{plat}: exit {p.returncode}")
    with open(stats) as f:
        s = json.load(f)["stats"]
    os.unlink(stats)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    ins = s["cpu0.instructions"]
    print(f"{os.path.splitext(os.path.basename(plat))[0]:<24} {ins:>13.0f} {s['cpu0.cycles']:>13.0f} "
          f"{s['cpu0.ipc']:>6.3f} {s.get('cpu0.bp.accuracy', float('nan')):>7.4f} "
          f"{s.get('cpu0.l1d.miss_rate', float('nan')):>8.5f} {s['cpu0.host_mips']:>9.1f} {ins / cpu / 1e6:>9.1f}")
