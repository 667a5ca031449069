"""Fast-forward then detail, ROI markers and pipeline traces (docs/architecture.md).

usage: check_roi.py VP SOURCE_DIR ROI_ELF WORKDIR [CASE]
Runs roi.elf (tests/cpu/roi/roi.c) in several ways and checks the statistics
each run writes. Every case runs a fixed program: bounded by work."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import konata_grammar  # noqa: E402

VP, SRC, ELF, WORK = sys.argv[1:5]
ONLY = sys.argv[5] if len(sys.argv) > 5 else None
VIRT = os.path.join(SRC, "configs", "virt.yaml")
failures = []


def run(name, *args, expect_rc=3):
    stats = os.path.join(WORK, f"roi_{name}.json")
    cmd = [VP, "run", VIRT, "--kernel", ELF, "-q", "--stats", stats, "--max-instructions", "50000000", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != expect_rc:
        raise AssertionError(f"{name}: exit code {p.returncode}, expected {expect_rc}\n{' '.join(cmd)}\n{p.stderr}")
    with open(stats) as f:
        return json.load(f), p.stdout


def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


# The reference: functional throughout; ROI-begin resets and ROI-end holds the statistics.
func, out_func = run("functional")
roi_insns = func["stats"]["cpu0.instructions"]
expect(out_func.strip() != "", "the program prints its checksum")
expect(1000 < roi_insns < 200000, f"functional ROI counts only the ROI ({roi_insns:.0f} instructions)")

# Pipeline mode throughout: the same ROI instruction count; warm caches.
pipe, out_pipe = run("pipeline", "--set", "cpu0.mode=pipeline")
expect(out_pipe == out_func, "pipeline mode prints the same checksum")
expect(pipe["stats"]["cpu0.instructions"] == roi_insns, "pipeline mode: the ROI has the same instruction count")
expect(pipe["stats"]["cpu0.cycles"] >= roi_insns, "pipeline mode: ROI cycles >= ROI instructions")
expect(len(pipe.get("intervals", [])) == 2, "the dump-stats marker adds an interval")

# Fast-forward to the marker: the same instructions timed, statistics only for the ROI.
ff, out_ff = run("marker", "--detail-start", "marker")
expect(out_ff == out_func, "fast-forward to the marker prints the same checksum")
expect(ff["stats"]["cpu0.instructions"] == roi_insns, "marker: the ROI has the same instruction count")
expect(ff["stats"]["cpu0.cycles"] >= roi_insns, "marker: ROI cycles counted by the timing model")
# Caches start cold after fast-forward (no warm-up): at least as many misses as when warm.
expect(ff["stats"]["cpu0.l1d.misses"] >= pipe["stats"]["cpu0.l1d.misses"],
       f"marker: cold caches miss at least as often ({ff['stats']['cpu0.l1d.misses']:.0f} >= "
       f"{pipe['stats']['cpu0.l1d.misses']:.0f})")
expect(ff["stats"]["cpu0.l1d.accesses"] == pipe["stats"]["cpu0.l1d.accesses"],
       "marker: the same data accesses as the pipeline run")

# From a symbol for a fixed count; then the same with a warm-up.
n = 20000
sym, _ = run("symbol", "--detail-start", "roi_kernel", "--detail-count", str(n))
expect(sym["stats"]["cpu0.instructions"] == n, f"symbol: exactly {n} instructions measured")
expect(sym["stats"]["cpu0.cycles"] >= n, "symbol: cycles from the timing model")
cold_misses = sym["stats"]["cpu0.l1d.misses"] + sym["stats"]["cpu0.l1i.misses"]

cnt, _ = run("count", "--detail-start", "200000", "--warmup", "50000", "--detail-count", str(n))
expect(cnt["stats"]["cpu0.instructions"] == n, f"instruction count + warm-up: exactly {n} instructions measured")
warm, _ = run("warm", "--detail-start", "roi_kernel", "--warmup", "5000", "--detail-count", str(n))
expect(warm["stats"]["cpu0.instructions"] == n, "symbol + warm-up: exactly n instructions measured")
warm_misses = warm["stats"]["cpu0.l1d.misses"] + warm["stats"]["cpu0.l1i.misses"]
expect(warm_misses < cold_misses, f"warm-up lowers the misses ({warm_misses:.0f} < {cold_misses:.0f})")

# Pipeline traces of 1,000 instructions from the ROI's start: Konata and Chrome JSON.
kon = os.path.join(WORK, "roi_trace.kanata")
run("trace", "--detail-start", "marker", "--set", f"cpu0.pipeline_trace={kon}")
retired = konata_grammar.check(kon)
expect(retired == 1000, f"Konata trace: the grammar accepts it, {retired} instructions retire")
chrome = os.path.join(WORK, "roi_trace.json")
run("chrome", "--detail-start", "marker", "--set",
    f"cpu0.pipeline_trace={{file: {chrome}, start: 100, count: 500}}")
with open(chrome) as f:
    trace = json.load(f)
slices = [e for e in trace["traceEvents"] if e["ph"] == "X"]
expect(len(slices) == 5 * 500, "Chrome trace: five stage slices per instruction")
expect(all(e["dur"] >= 1 for e in slices), "Chrome trace: every stage lasts at least a cycle")
expect(min(e["args"]["seq"] for e in slices) == 100, "Chrome trace: the window starts at instruction 100")

# Errors are clear.
p = subprocess.run([VP, "run", VIRT, "--kernel", ELF, "-q", "--detail-start", "no_such_symbol"],
                   capture_output=True, text=True, timeout=60)
expect(p.returncode == 2 and "no_such_symbol" in p.stderr, "an unknown symbol is a clear error")
p = subprocess.run([VP, "run", VIRT, "--kernel", ELF, "-q", "--set", "cpu0.pipeline_trace=/nonexistent/dir/t.kanata"],
                   capture_output=True, text=True, timeout=60)
expect(p.returncode != 0 and "pipeline_trace" in p.stderr, "an unwritable trace file is a clear error")

if failures:
    sys.exit(f"{len(failures)} check(s) failed")
