#!/usr/bin/env python3
"""Sweep the temporal-decoupling quantum and the RAM size of configs/virt.yaml,
run a small guest (assembled inline) on every configuration in parallel worker
processes, print the table and plot simulated time and host speed to PNG.

    PYTHONPATH=build/python python3 examples/sweep_quantum.py [--jobs 2] [--cluster tcp://host:8786] [-o sweep.png]
"""
import argparse
import os

import vp
from vp import asm

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Busy loop with a UART write per 1000 iterations (MMIO: the quantum matters), then exit 0.
GUEST = asm.assemble("""
_start:
    li   s0, 0x10000000      # uart0
    li   s1, 20000
    li   s2, 0
1:  addi s2, s2, 1
    li   t0, 1000
    remu t1, s2, t0
    bnez t1, 2f
    li   t2, '.'
    sb   t2, 0(s0)
2:  bne  s2, s1, 1b
    li   a0, 0
""" + asm.EXIT)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--cluster", default=None, help="Dask scheduler address, e.g. tcp://127.0.0.1:8786")
    ap.add_argument("-o", "--output", default="sweep_quantum.png")
    args = ap.parse_args()

    base = vp.Platform.from_yaml(os.path.join(REPO, "configs", "virt.yaml"), overrides={"uart0.console": None})
    rows = vp.run_experiment(
        base,
        sweep={"timing.quantum": ["100ns", "1us", "10us", "100us"], "ram.size": ["64MiB", "256MiB"]},
        workload={"kernel": GUEST.image, "max_time": "1s"},
        metrics=["exit_code", "cpu0.instructions", "simulated_seconds", "host_seconds", "sim.mips"],
        jobs=args.jobs, cluster=args.cluster)
    df = rows.df
    print(df.to_string(index=False) if df is not None else "\n".join(map(str, rows)))
    rows.plot(x="timing.quantum", y="sim.mips", hue="ram.size", path=args.output,
              title="host speed vs temporal-decoupling quantum")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
