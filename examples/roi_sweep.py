#!/usr/bin/env python3
"""Boot once to a checkpoint, then sweep 8 cache/predictor configurations over
the region of interest from it, in parallel processes; check every row against
a run that does not use the checkpoint (identical counters) and plot CPI and
L1D miss rate (with matplotlib).

    PYTHONPATH=build/python python3 examples/roi_sweep.py [--elf build/tests/cpu/roi.elf] [--jobs 2] [-o roi.png]

The guest (tests/cpu/roi/roi.c) marks its ROI with sdk/vp_roi.h; every run
fast-forwards functionally to the marker and times only the ROI.
"""
import argparse
import concurrent.futures
import multiprocessing
import os
import tempfile

import vp
from vp.rvsim import Environment, SimConfig

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KEEP = ("cpu0.instructions", "cpu0.cycles", "cpu0.cpi", "cpu0.l1d.misses", "cpu0.l1d.miss_rate",
        "cpu0.bp.mispredicts")
CONFIGS = [(l1d, bp) for l1d in ("1KiB", "2KiB", "8KiB", "32KiB") for bp in ("bimodal", "tage")]


def boot_to_checkpoint(elf, path, instructions):
    sim = vp.Simulator(vp.Platform.from_yaml(os.path.join(REPO, "configs", "virt.yaml")))
    sim.load(kernel=elf)
    sim.run(max_instructions=instructions)
    sim.checkpoint(path)


def measure(elf, l1d, bp, checkpoint):
    cfg = SimConfig()
    cfg.cache.l1_d.size, cfg.cache.l1_d.ways = l1d, 2
    cfg.pipeline.branch_predictor = bp
    res = Environment(binary=elf, config=cfg).run(detail={"start": "marker"}, restore=checkpoint)
    return {k: res.stats[k] for k in KEEP}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--elf", default=os.path.join(REPO, "build", "tests", "cpu", "roi.elf"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("-o", "--output", default="roi_sweep.png")
    args = ap.parse_args()
    ck = os.path.join(tempfile.mkdtemp(prefix="vp-roi-"), "checkpoint")
    vp.run_isolated(boot_to_checkpoint, args.elf, ck, 200_000)
    ctx = multiprocessing.get_context("spawn")  # one platform per process
    with concurrent.futures.ProcessPoolExecutor(args.jobs, mp_context=ctx, max_tasks_per_child=1) as pool:
        from_ck = [pool.submit(measure, args.elf, l1d, bp, ck) for l1d, bp in CONFIGS]
        plain = [pool.submit(measure, args.elf, l1d, bp, None) for l1d, bp in CONFIGS]
        rows = [f.result() for f in from_ck]
        same = all(r == p.result() for r, p in zip(rows, plain))
    print(f"{'L1D':>6} {'predictor':>9} {'CPI':>7} {'L1D miss':>9} {'mispredicts':>11}")
    for (l1d, bp), r in zip(CONFIGS, rows):
        print(f"{l1d:>6} {bp:>9} {r['cpu0.cpi']:7.3f} {r['cpu0.l1d.miss_rate']:9.4f} {r['cpu0.bp.mispredicts']:11.0f}")
    print("every row equals the run without the checkpoint:", same)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot")
        return 0 if same else 1
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
    for bp in ("bimodal", "tage"):
        xs = [l1d for l1d, p in CONFIGS if p == bp]
        a.plot(xs, [r["cpu0.cpi"] for (l, p), r in zip(CONFIGS, rows) if p == bp], marker="o", label=bp)
        b.plot(xs, [r["cpu0.l1d.miss_rate"] for (l, p), r in zip(CONFIGS, rows) if p == bp], marker="o", label=bp)
    a.set_title("ROI CPI"), b.set_title("ROI L1D miss rate"), a.legend()
    fig.savefig(args.output)
    print("wrote", args.output)
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
