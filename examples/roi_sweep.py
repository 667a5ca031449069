#!/usr/bin/env python3
"""Boot once to a checkpoint, then sweep 8 cache/predictor configurations over
the region of interest from it on a Dask LocalCluster; check every row against
a run that does not use the checkpoint (identical counters) and plot CPI and
miss rates.

    PYTHONPATH=build/python python3 examples/roi_sweep.py [--elf build/tests/cpu/roi.elf] [--workers 2] [--cluster tcp://host:8786] [-o roi_sweep.png]

The guest (tests/cpu/roi/roi.c) marks its ROI with sdk/vp_roi.h. The boot runs
functionally up to --checkpoint-at instructions and saves the platform
(Simulator.checkpoint). Each configuration then continues from the checkpoint
in its own process (vp.run_experiment(restore=...)): functional to the ROI-begin
marker, the pipeline timing model with that configuration's L1D and branch
predictor inside the ROI, functional again to the guest's exit. The same 8
configurations also run from the ELF without the checkpoint; every timing
counter of the ROI, the exit code and the console output must be identical
(exit code 1 otherwise, so the ctest examples.roi_sweep checks it).
"""
import argparse
import os
import sys
import tempfile

import vp

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWEEP = {"cpu0.l1d.size": ["1KiB", "2KiB", "8KiB", "32KiB"], "cpu0.l1d.assoc": [2],
         "cpu0.bp.type": ["bimodal", "tage"]}
# Counters that depend on the host or on how the functional part ran (the
# translator's blocks differ when the boot ran in another process).
HOST_DEPENDENT = ("cpu0.mips", "cpu0.translator.", "cpu0.host")


def counters(sim, result):
    """Every counter of the timing model and the hart (the ROI's statistics)."""
    return {k: v for k, v in sim.stats.to_dict().items()
            if k.startswith("cpu0.") and not k.startswith(HOST_DEPENDENT)}


METRICS = ["exit_code", "uart", "cpu0.instructions", "cpu0.cpi", "cpu0.l1d.miss_rate", "cpu0.l1i.miss_rate",
           "cpu0.bp.mispredict_rate", counters]


def boot_to_checkpoint(elf, path, instructions):
    sim = vp.Simulator(vp.Platform.from_yaml(os.path.join(REPO, "configs", "virt.yaml")))
    sim.load(kernel=elf)
    sim.run(max_instructions=instructions)
    sim.checkpoint(path)
    return sim.stats["cpu0.instructions"]


def sweep(client, elf, checkpoint):
    roi = {"detail": {"start": "marker"}}
    from_ck = vp.run_experiment(None, restore=checkpoint, sweep=SWEEP, workload=roi, metrics=METRICS,
                                cluster=client)
    plain = vp.run_experiment(os.path.join(REPO, "configs", "virt.yaml"), sweep=SWEEP,
                              workload={"kernel": elf, **roi}, metrics=METRICS, cluster=client)
    return from_ck, plain


def plot(rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sizes = SWEEP["cpu0.l1d.size"]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), dpi=90)
    for bp in SWEEP["cpu0.bp.type"]:
        rs = [next(r for r in rows if r["cpu0.l1d.size"] == s and r["cpu0.bp.type"] == bp) for s in sizes]
        axes[0].plot(sizes, [r["cpu0.cpi"] for r in rs], marker="o", label=bp)
        axes[1].plot(sizes, [r["cpu0.l1d.miss_rate"] for r in rs], marker="o", label=bp)
        axes[2].plot(sizes, [r["cpu0.bp.mispredict_rate"] for r in rs], marker="o", label=bp)
    for ax, title in zip(axes, ("ROI CPI", "ROI L1D miss rate", "ROI branch mispredict rate")):
        ax.set_title(title)
        ax.set_xlabel("L1D size (2-way)")
        ax.legend(title="predictor")
    fig.tight_layout()
    fig.savefig(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--elf", default=os.path.join(REPO, "build", "tests", "cpu", "roi.elf"))
    ap.add_argument("--checkpoint-at", type=int, default=200_000, help="instructions of the boot")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    ap.add_argument("--cluster", default=None, help="Dask scheduler address instead of a LocalCluster")
    ap.add_argument("-o", "--output", default="roi_sweep.png")
    args = ap.parse_args()
    elf = os.path.abspath(args.elf)

    ck = os.path.join(tempfile.mkdtemp(prefix="vp-roi-"), "checkpoint")
    booted = vp.run_isolated(boot_to_checkpoint, elf, ck, args.checkpoint_at)  # a platform per process
    print(f"checkpoint after {int(booted)} instructions: {ck}")
    if args.cluster:
        from_ck, plain = sweep(args.cluster, elf, ck)
    else:
        from distributed import LocalCluster
        with LocalCluster(n_workers=args.workers, processes=True, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            from_ck, plain = sweep(cluster.scheduler_address, elf, ck)

    print(f"{'L1D':>6} {'predictor':>9} {'CPI':>7} {'L1D miss':>9} {'L1I miss':>9} {'mispredict':>10} same")
    same = True
    for r, p in zip(from_ck, plain):
        ok = all(r[m] == p[m] for m in ("exit_code", "uart", "counters")) and len(r["counters"]) > 20
        if not ok:
            diff = {k: (v, p["counters"].get(k)) for k, v in r["counters"].items() if p["counters"].get(k) != v}
            print(f"  differs from the run without the checkpoint: {diff or (r['exit_code'], p['exit_code'])}")
        same = same and ok
        print(f"{r['cpu0.l1d.size']:>6} {r['cpu0.bp.type']:>9} {r['cpu0.cpi']:7.3f} {r['cpu0.l1d.miss_rate']:9.4f} "
              f"{r['cpu0.l1i.miss_rate']:9.4f} {r['cpu0.bp.mispredict_rate']:10.4f} {ok}")
    print(f"every row equals the run without the checkpoint ({len(from_ck[0]['counters'])} counters each): {same}")
    plot(from_ck, args.output)
    with open(args.output, "rb") as f:
        png = f.read(8) == b"\x89PNG\r\n\x1a\n"
    print("wrote", args.output)
    return 0 if same and png and len(from_ck) == 8 else 1


if __name__ == "__main__":
    sys.exit(main())
