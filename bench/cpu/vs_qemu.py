#!/usr/bin/env python3
"""Runs the same bare-metal ELFs on vp and on QEMU (qemu-system-riscv64 -M virt -bios none)
and prints both rates and their ratio.

Both simulators run each ELF to the SiFive test finisher. Rates use the CPU time (user +
system) of the simulator process minus its start-up cost (the same measurement on a
program that ends at once); QEMU's instruction count is the one vp reports (both execute
the same instruction stream). Each figure is the best of --repeat runs (the host is shared).
The UART output of both simulators must be identical.

usage: vs_qemu.py VP PLATFORM_YAML STARTUP_ELF ELF... [--repeat N] [--vp-arg ARG]...
"""
import argparse
import os
import re
import resource
import shutil
import subprocess
import sys


def run_timed(cmd, timeout):
    """Runs cmd, returns (stdout, stderr, cpu seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"), cpu


def best(runs):
    return min(runs, key=lambda r: r[3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vp")
    ap.add_argument("platform")
    ap.add_argument("startup_elf")
    ap.add_argument("elfs", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--vp-arg", action="append", default=[])
    ap.add_argument("--qemu", default="qemu-system-riscv64")
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args()
    qemu = shutil.which(a.qemu)
    if not qemu:
        print(f"{a.qemu} not found", file=sys.stderr)
        return 2

    def vp_cmd(elf):
        return [a.vp, "run", a.platform, "--kernel", elf, *a.vp_arg]

    def qemu_cmd(elf):
        return [qemu, "-M", "virt", "-bios", "none", "-kernel", elf, "-nographic", "-monitor", "none"]

    vp_start = best([run_timed(vp_cmd(a.startup_elf), a.timeout) for _ in range(a.repeat)])[3]
    q_start = best([run_timed(qemu_cmd(a.startup_elf), a.timeout) for _ in range(a.repeat)])[3]
    print(f"start-up CPU time: vp {vp_start:.3f} s, QEMU {q_start:.3f} s")
    status = 0
    for elf in a.elfs:
        name = os.path.basename(elf)
        v = best([run_timed(vp_cmd(elf), a.timeout) for _ in range(a.repeat)])
        q = best([run_timed(qemu_cmd(elf), a.timeout) for _ in range(a.repeat)])
        m = re.search(r"host ([0-9.]+) s, ([0-9]+) instructions, ([0-9.]+) MIPS", v[2])
        if v[0] != 0 or not m:
            print(f"{name}: vp failed (exit {v[0]}): {v[2].strip()}")
            status = 1
            continue
        if q[0] != 0:
            print(f"{name}: QEMU failed (exit {q[0]}): {q[2].strip()}")
            status = 1
            continue
        if v[1].strip() != q[1].strip():
            print(f"{name}: outputs differ\n  vp:   {v[1].strip()}\n  QEMU: {q[1].strip()}")
            status = 1
        instr = int(m.group(2))
        vp_mips = instr / max(v[3] - vp_start, 1e-6) / 1e6
        q_mips = instr / max(q[3] - q_start, 1e-6) / 1e6
        print(f"{name}: {instr} instructions; output: {v[1].strip()}")
        print(f"  vp   {v[3] - vp_start:7.3f} s CPU  {vp_mips:8.1f} MIPS   (vp's own figure: {m.group(3)} MIPS)")
        print(f"  QEMU {q[3] - q_start:7.3f} s CPU  {q_mips:8.1f} MIPS")
        print(f"  ratio vp/QEMU: {vp_mips / q_mips:.2f}")
    return status


if __name__ == "__main__":
    sys.exit(main())
