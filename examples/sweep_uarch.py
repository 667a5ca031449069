#!/usr/bin/env python3
"""Sweep the out-of-order core: issue width x ROB size x L1D prefetcher of
configs/presets/p550-like.yaml, on a small guest (assembled inline) that
streams through 256 KiB with independent arithmetic beside each load. Every
configuration runs in its own process on a Dask LocalCluster (or the scheduler
given with --cluster); prints the table and plots IPC against width.

    PYTHONPATH=build/python python3 examples/sweep_uarch.py [--small] [--workers 2] [--cluster tcp://host:8786] [-o sweep_uarch.png]

--small sweeps 2 x 1 x 2 configurations (the ctest examples.sweep_uarch) and
checks the directions any correct model shows: a wider core has a higher IPC,
and the stride prefetcher removes most L1D misses.
"""
import argparse
import os
import sys

import vp
from vp import asm

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# 32768 loads over 256 KiB of zeroed RAM, five independent ALU operations per load, then exit 0.
GUEST = asm.assemble("""
_start:
    li   s0, 0x80100000
    li   s1, 32768
    li   a0, 0
1:  ld   t0, 0(s0)
    add  a0, a0, t0
    addi a1, a1, 1
    addi a2, a2, 3
    xor  a3, a3, a1
    addi a4, a4, 5
    addi s0, s0, 8
    addi s1, s1, -1
    bnez s1, 1b
""" + asm.EXIT)

FULL = {"cpu0.o3.width": [1, 2, 3, 4], "cpu0.o3.rob": [32, 64, 96], "cpu0.l1d.prefetcher": ["none", "stride"]}
SMALL = {"cpu0.o3.width": [2, 4], "cpu0.o3.rob": [96], "cpu0.l1d.prefetcher": ["none", "stride"]}


def prefetch_accuracy(sim, result):
    """Only configurations with a prefetcher have the statistic."""
    return sim.stats.to_dict().get("cpu0.l1d.prefetch.accuracy", float("nan"))


METRICS = ["exit_code", "cpu0.instructions", "cpu0.cycles", "cpu0.ipc", "cpu0.l1d.read_misses",
           "cpu0.o3.rob.occupancy_mean", prefetch_accuracy]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="a 4-configuration sweep, with checks")
    ap.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    ap.add_argument("--cluster", default=None, help="Dask scheduler address instead of a LocalCluster")
    ap.add_argument("-o", "--output", default="sweep_uarch.png")
    args = ap.parse_args()

    base = vp.Platform.from_yaml(os.path.join(REPO, "configs", "presets", "p550-like.yaml"),
                                 overrides={"uart0.console": None, "cpu0.l2.prefetcher": "none"})
    sweep = SMALL if args.small else FULL
    run = dict(sweep=sweep, workload={"kernel": GUEST.image, "max_instructions": 1_000_000}, metrics=METRICS)
    if args.cluster:
        rows = vp.run_experiment(base, cluster=args.cluster, **run)
    else:
        from distributed import LocalCluster
        with LocalCluster(n_workers=args.workers, processes=True, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address=None) as cluster:
            rows = vp.run_experiment(base, cluster=cluster.scheduler_address, **run)
    for r in rows:
        r["config"] = f"rob {r['cpu0.o3.rob']}, {r['cpu0.l1d.prefetcher']}"
    df = rows.df
    print(df.to_string(index=False) if df is not None else "\n".join(map(str, rows)))
    rows.plot(x="cpu0.o3.width", y="cpu0.ipc", hue="config", path=args.output,
              title="p550-like: IPC vs width (ROB size, L1D prefetcher)")
    print(f"wrote {args.output}")

    if args.small:
        ok = True

        def get(width, pf):
            return next(r for r in rows if r["cpu0.o3.width"] == width and r["cpu0.l1d.prefetcher"] == pf)

        for pf in ("none", "stride"):
            if not get(4, pf)["cpu0.ipc"] > get(2, pf)["cpu0.ipc"]:
                print(f"FAIL: width 4 is not faster than width 2 (prefetcher {pf})")
                ok = False
        for w in (2, 4):
            if not get(w, "stride")["cpu0.l1d.read_misses"] < 0.2 * get(w, "none")["cpu0.l1d.read_misses"]:
                print(f"FAIL: the stride prefetcher does not remove 80% of the misses (width {w})")
                ok = False
        if not all(r["exit_code"] == 0 for r in rows):
            print("FAIL: a configuration did not exit 0")
            ok = False
        with open(args.output, "rb") as f:
            ok = ok and f.read(8) == b"\x89PNG\r\n\x1a\n"
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
