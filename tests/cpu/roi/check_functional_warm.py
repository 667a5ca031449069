"""Functional warming (vp run --functional-warm, SMARTS): sampling with short
detailed windows after a functional fast-forward sees cold caches and
overestimates CPI; warming the caches, TLBs and predictors functionally for
the last instructions before each window removes that bias. Checks, on a fixed
workload (fixed instruction counts, no wall time):
- with warming the estimate is within 3 % of the full pipeline run's CPI;
- without warming (same windows) the error is larger (at least 2x and > 3 %);
- warming changes no architectural result: exit code and instruction count
  equal the full run's; --functional-warm without a start count is an error.

usage: check_functional_warm.py VP SOURCE_DIR ELF WORKDIR"""
import json
import os
import subprocess
import sys

VP, SRC, ELF, WORK = sys.argv[1:5]
VIRT = os.path.join(SRC, "configs", "virt.yaml")
os.makedirs(WORK, exist_ok=True)


def run(name, *args, expect=0):
    stats = os.path.join(WORK, f"fwarm_{name}.json")
    p = subprocess.run([VP, "run", VIRT, "--kernel", ELF, "-q", "--set", "uart0.console=null", "--stats", stats,
                        *args], capture_output=True, text=True, timeout=600)
    if p.returncode != expect:
        sys.exit(f"{name}: exit code {p.returncode} (expected {expect}): {p.stderr}")
    if expect:
        return p.stderr
    with open(stats) as f:
        return json.load(f)["stats"]


window = ["--detail-start", "100000", "--warmup", "2000", "--detail-count", "1000", "--sample-period", "200000"]
full = run("full", "--set", "cpu0.mode=pipeline")
cold = run("cold", *window)
warm = run("warm", *window, "--functional-warm", "60000")
cpi = full["cpu0.cpi"]
err = {}
for name, st in (("cold", cold), ("warm", warm)):
    est, ci = st["cpu0.sampling.cpi"], st["cpu0.sampling.cpi_ci95"]
    err[name] = abs(est / cpi - 1)
    print(f"{name}: sampled CPI {est:.4f} +- {ci:.4f} (95 %), {st['cpu0.sampling.windows']:.0f} windows, "
          f"error {100 * err[name]:.2f} % against the full run's {cpi:.4f}")
failures = []
if err["warm"] > 0.03:
    failures.append(f"with functional warming the estimate is off by {100 * err['warm']:.2f} % (limit 3 %)")
if not (err["cold"] > 0.03 and err["cold"] > 2 * err["warm"]):
    failures.append(f"without warming the error ({100 * err['cold']:.2f} %) should be > 3 % and > 2x the warmed one")
for name, st in (("cold", cold), ("warm", warm)):
    if st["cpu0.instructions"] != full["cpu0.instructions"]:
        failures.append(f"{name}: {st['cpu0.instructions']} instructions, the full run {full['cpu0.instructions']}")
    if st["cpu0.sampling.windows"] < 150:
        failures.append(f"{name}: only {st['cpu0.sampling.windows']} windows")
msg = run("error", "--detail-start", "marker", "--functional-warm", "1000", expect=2)
if "--functional-warm needs" not in msg:
    failures.append(f"--functional-warm with a marker start: unexpected message {msg!r}")
if failures:
    sys.exit("; ".join(failures))
print("ok")
