"""Sampling (SMARTS-style windows, vp run --sample-period): the estimated CPI of
a workload is within 3 % of the full pipeline-mode run's CPI, and inside the
reported confidence interval's reach. Speed is measured by a benchmark, not here.

usage: check_sampling.py VP SOURCE_DIR ELF WORKDIR"""
import json
import os
import subprocess
import sys

VP, SRC, ELF, WORK = sys.argv[1:5]
VIRT = os.path.join(SRC, "configs", "virt.yaml")
os.makedirs(WORK, exist_ok=True)


def run(name, *args):
    stats = os.path.join(WORK, f"sampling_{name}.json")
    p = subprocess.run([VP, "run", VIRT, "--kernel", ELF, "-q", "--set", "uart0.console=null", "--stats", stats,
                        *args], capture_output=True, text=True, timeout=600)
    if p.returncode != 7:
        sys.exit(f"{name}: exit code {p.returncode}: {p.stderr}")
    with open(stats) as f:
        return json.load(f)["stats"]


full = run("full", "--set", "cpu0.mode=pipeline")
sampled = run("sampled", "--detail-start", "100000", "--warmup", "2000", "--detail-count", "2000",
              "--sample-period", "100000")
cpi, est, ci = full["cpu0.cpi"], sampled["cpu0.sampling.cpi"], sampled["cpu0.sampling.cpi_ci95"]
windows = sampled["cpu0.sampling.windows"]
err = abs(est / cpi - 1)
print(f"full CPI {cpi:.4f}; sampled {est:.4f} +- {ci:.4f} (95 %), {windows:.0f} windows; error {100 * err:.2f} %")
failures = []
if windows < 80:
    failures.append(f"expected about 90 windows, got {windows}")
if err > 0.03:
    failures.append(f"estimate off by {100 * err:.2f} % (limit 3 %)")
if not 0 < ci < 0.1 * cpi:
    failures.append(f"confidence half-width {ci} is not a sensible fraction of the CPI")
if sampled["cpu0.instructions"] != full["cpu0.instructions"]:
    failures.append("the sampled run retires a different number of instructions")
if failures:
    sys.exit("; ".join(failures))
