"""SimPoint basic-block vectors (vp run --bbv FILE --bbv-interval N): every
line is SimPoint's .bb format ("T:id:count :id:count ..."), every interval but
the last sums to N instructions, the last to the rest; all lines together count
every retired instruction; --bbv changes nothing else in the run. Bad options
are clear errors.

usage: check_bbv.py VP SOURCE_DIR ELF WORKDIR"""
import os
import re
import subprocess
import sys

VP, SRC, ELF, WORK = sys.argv[1:5]
VIRT = os.path.join(SRC, "configs", "virt.yaml")
os.makedirs(WORK, exist_ok=True)
failures = []


def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(*args):
    cmd = [VP, "run", VIRT, "--kernel", ELF, *args]  # the summary (stderr) counts every instruction
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    m = re.search(r"host [0-9.]+ s, (\d+) instructions", p.stderr)
    return p, int(m.group(1)) if m else None


plain, total = run()
expect(plain.returncode == 3 and total, f"the program exits with 3 (got {plain.returncode}: {plain.stderr[-300:]})")

INTERVAL = 100000
bb = os.path.join(WORK, "roi.bb")
p, n = run("--bbv", bb, "--bbv-interval", str(INTERVAL))
expect(p.returncode == 3 and p.stdout == plain.stdout, "with --bbv: same exit code and output")
expect(n == total, f"with --bbv: same instruction count ({n} vs {total})")

LINE = re.compile(r"^T(:(\d+):(\d+) )+$")
with open(bb) as f:
    lines = f.read().splitlines()
expect(len(lines) == -(-total // INTERVAL), f"{len(lines)} intervals for {total} instructions")
sums, ids = [], set()
for n, line in enumerate(lines, 1):
    if not LINE.match(line):
        expect(False, f"line {n} is not SimPoint's format: {line[:80]!r}")
        break
    pairs = [(int(a), int(b)) for a, b in re.findall(r":(\d+):(\d+)", line)]
    if any(i < 1 or c < 1 for i, c in pairs) or len({i for i, _ in pairs}) != len(pairs):
        expect(False, f"line {n}: ids from 1, counts positive, each id once")
        break
    ids.update(i for i, _ in pairs)
    sums.append(sum(c for _, c in pairs))
expect(all(s == INTERVAL for s in sums[:-1]), f"every interval but the last sums to {INTERVAL}")
expect(sum(sums) == total, f"all intervals sum to the retired instructions ({sum(sums)} vs {total})")
expect(ids == set(range(1, max(ids) + 1)) and len(ids) > 10, f"block ids 1..{max(ids)}, numbered densely")
# Phases differ: the set-up loop and the ROI kernel have different vectors.
first = {int(a) for a, _ in re.findall(r":(\d+):(\d+)", lines[0])}
expect(any({int(a) for a, _ in re.findall(r":(\d+):(\d+)", l)} != first for l in lines[1:]),
       "the vectors change between program phases")

p, _ = run("--bbv-interval", "1000")
expect(p.returncode == 2 and "--bbv" in p.stderr, f"--bbv-interval without --bbv: clear error ({p.stderr.strip()[-120:]})")
p, _ = run("--bbv", bb, "--bbv-interval", "0")
expect(p.returncode == 2 and "bbv-interval" in p.stderr, f"--bbv-interval 0: clear error ({p.stderr.strip()[-120:]})")
p, _ = run("--bbv", os.path.join(WORK, "no", "such", "dir", "x.bb"))
expect(p.returncode == 2 and "--bbv" in p.stderr, f"an unwritable --bbv file: clear error ({p.stderr.strip()[-120:]})")

if failures:
    sys.exit(f"{len(failures)} check(s) failed")
