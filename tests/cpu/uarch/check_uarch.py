#!/usr/bin/env python3
"""Runs a microbenchmark in functional mode and in pipeline mode (in-order:
configs/virt-pipeline.yaml; out-of-order: configs/presets/p550-like.yaml) and
checks known answers from the statistics (--stats JSON). Every pipeline run
must give the functional run's exit code and console output.
usage: check_uarch.py VP SOURCE_DIR ELF TEST_NAME WORK_DIR"""
import json
import os
import subprocess
import sys

vp, src, elf, name, work = sys.argv[1:6]
func_cfg = os.path.join(src, "configs", "virt.yaml")
pipe_cfg = os.path.join(src, "configs", "virt-pipeline.yaml")
o3_cfg = os.path.join(src, "configs", "presets", "p550-like.yaml")
embedded_cfg = os.path.join(src, "configs", "presets", "embedded-core.yaml")
failures = []
runs = 0


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(cfg, *extra, stats=None):
    cmd = [vp, "run", cfg, "--kernel", elf, "--max-instructions", "50000000", "-q"] + list(extra)
    if stats:
        cmd += ["--stats", stats]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode not in (0, 1):
        print(p.stderr.strip())
    return p.returncode, p.stdout


rc_f, out_f = run(func_cfg)
check(rc_f == 0, "functional mode passes")


def pipeline(tag, *sets, cfg=pipe_cfg):
    """A pipeline-mode run; its exit code and output must match functional mode."""
    global runs
    runs += 1
    path = os.path.join(work, f"{name}.{tag}.json")
    args = []
    for s in sets:
        args += ["--set", s]
    rc, out = run(cfg, *args, stats=path)
    if rc != rc_f or out != out_f:
        check(False, f"{tag}: exit {rc} and output {out.strip()!r} differ from functional mode "
                     f"(exit {rc_f}, {out_f.strip()!r})")
    with open(path) as f:
        return json.load(f)["stats"]


def o3(tag, *sets):
    return pipeline("o3-" + tag, *sets, cfg=o3_cfg)


s = pipeline("tage")
print(f"functional: exit {rc_f}, output {out_f.strip()!r}")
cyc, ins = s["cpu0.cycles"], s["cpu0.instructions"]
print(f"in-order: cycles {cyc:.0f}, instructions {ins:.0f}, IPC {s['cpu0.ipc']:.3f}")
check(cyc >= ins, "in-order: cycles >= instructions")
t = o3("base")
print(f"out-of-order (p550-like): cycles {t['cpu0.cycles']:.0f}, IPC {t['cpu0.ipc']:.3f}")
check(t["cpu0.instructions"] == ins, "out-of-order: same instruction count as in-order")

if name == "bp_fixed":
    for bp in ["bimodal", "tage"]:
        t = pipeline(bp, f"cpu0.bp.type={bp}")
        acc = t["cpu0.bp.accuracy"]
        print(f"{bp}: accuracy {acc:.5f}")
        check(acc > 0.99, f"{bp} accuracy > 99% on a fixed pattern")
elif name == "bp_random":
    n = 100000
    for bp in ["bimodal", "gshare", "tage"]:
        t = pipeline(bp, f"cpu0.bp.type={bp}")
        m = t["cpu0.bp.mispredicts"]
        print(f"{bp}: {m:.0f} mispredicts for {n} random branches ({m / n:.3f})")
        check(0.45 * n <= m <= 0.56 * n, f"{bp}: about 50% of the random branches mispredicted")
    # Each mispredict costs the configured redirect penalty on top of the refill.
    pen = 10
    for tag, runner in [("in-order", pipeline), ("out-of-order", o3)]:
        a, b = runner("pen0", "cpu0.mispredict_penalty=0"), runner("pen10", f"cpu0.mispredict_penalty={pen}")
        m = b["cpu0.bp.mispredicts"]
        per = (b["cpu0.cycles"] - a["cpu0.cycles"]) / m
        print(f"{tag}: {m:.0f} mispredicts; penalty {pen} adds {per:.2f} cycles per mispredict")
        check(a["cpu0.bp.mispredicts"] == m and 0.9 * pen <= per <= 1.1 * pen,
              f"{tag}: the configured redirect penalty is paid once per mispredict")
elif name == "bp_corr":
    m = {}
    for bp in ["bimodal", "gshare", "tage"]:
        t = pipeline(bp, f"cpu0.bp.type={bp}")
        m[bp] = t["cpu0.bp.mispredicts"]
        print(f"{bp}: {m[bp]:.0f} mispredicts, accuracy {t['cpu0.bp.accuracy']:.4f}")
    check(m["tage"] < 0.8 * m["gshare"], "TAGE beats gshare on long-history correlation")
    check(m["gshare"] < 0.9 * m["bimodal"], "gshare beats bimodal on short-history correlation")
elif name == "stream":
    lines = 128 * 1024 // 64
    rm = s["cpu0.l1d.read_misses"]
    print(f"l1d read misses {rm:.0f} for {lines} lines")
    check(0.95 * lines <= rm <= 1.1 * lines, "streaming read: about one L1D miss per line")
    # The stride prefetcher removes the streaming misses (both backends). A
    # demand access to a line whose prefetch is still in flight counts as a late
    # prefetch (an MSHR hit), not a miss; far enough ahead there are few of those.
    pf = "cpu0.l1d.prefetcher={type: stride, degree: 4, distance: 16}"
    for tag, runner in [("in-order", pipeline), ("out-of-order", o3)]:
        a = runner("nopf", "cpu0.l1d.prefetcher=none", "cpu0.l2.prefetcher=none")
        b = runner("stride", pf, "cpu0.l2.prefetcher=none")
        ma, mb, late = a["cpu0.l1d.read_misses"], b["cpu0.l1d.read_misses"], b["cpu0.l1d.prefetch.late"]
        print(f"{tag}: l1d read misses {ma:.0f} without, {mb:.0f} with the stride prefetcher ({late:.0f} late "
              f"prefetches), accuracy {b['cpu0.l1d.prefetch.accuracy']:.3f}, coverage "
              f"{b['cpu0.l1d.prefetch.coverage']:.3f}, IPC {a['cpu0.ipc']:.3f} -> {b['cpu0.ipc']:.3f}")
        check(ma >= 0.95 * lines and mb < 0.2 * ma, f"{tag}: stride prefetching removes > 80% of the L1D misses")
        check(mb + late < 0.2 * ma, f"{tag}: > 80% fewer misses even counting late prefetches")
        check(b["cpu0.l1d.prefetch.accuracy"] > 0.9, f"{tag}: prefetch accuracy > 90%")
        check(b["cpu0.cycles"] < a["cpu0.cycles"], f"{tag}: prefetching saves cycles")
elif name == "fits":
    lines = 16 * 1024 // 64
    rm, rate = s["cpu0.l1d.read_misses"], s["cpu0.l1d.miss_rate"]
    print(f"l1d read misses {rm:.0f} ({lines} lines, 20 passes), miss rate {rate:.5f}")
    check(rm <= lines + 64, "working set in L1D: at most the cold misses")
    check(rate < 0.02, "working set in L1D: miss rate near 0")
elif name == "chase":
    loads = 2000 * 8
    lu = s["cpu0.stalls.load_use"]
    print(f"load-use stall cycles {lu:.0f} for {loads} chained loads")
    check(lu >= 7 / 8 * loads, "dependent loads: load-use stalls counted")
    t = pipeline("nol1d", "cpu0.l1d=none")
    check(t["cpu0.cycles"] > cyc, "without an L1D the same program takes more cycles")
    # A dependence chain gains nothing from a wider machine.
    a = o3("w3")
    b = o3("w8", "cpu0.o3.width=8", "cpu0.o3.units.alu=8", "cpu0.o3.units.load=4")
    r = b["cpu0.cycles"] / a["cpu0.cycles"]
    print(f"out-of-order: {a['cpu0.cycles']:.0f} cycles 3-wide, {b['cpu0.cycles']:.0f} 8-wide (ratio {r:.3f})")
    check(0.97 <= r <= 1.03, "pointer chase: 8-wide within 3% of 3-wide")
elif name == "ilp":
    ipc_o3, ipc_io = t["cpu0.ipc"], s["cpu0.ipc"]
    e = pipeline("embedded", cfg=embedded_cfg)
    w = o3("w8", "cpu0.o3.width=8", "cpu0.o3.units.alu=8", "cpu0.o3.units.load=4")
    print(f"IPC: out-of-order 3-wide {ipc_o3:.3f}, 8-wide {w['cpu0.ipc']:.3f}; in-order {ipc_io:.3f}, "
          f"embedded {e['cpu0.ipc']:.3f}")
    check(ipc_o3 > 1.5, "independent instructions: IPC > 1.5 on the 3-wide out-of-order preset")
    check(ipc_io <= 1.0 and e["cpu0.ipc"] <= 1.0, "independent instructions: IPC <= 1 in order")
    check(w["cpu0.ipc"] > 1.2 * ipc_o3, "independent instructions gain from width (8-wide > 1.2x 3-wide)")
elif name == "forward":
    n = 10000
    fwd, reads = t["cpu0.o3.lsq.forwarded_loads"], t["cpu0.l1d.reads"]
    print(f"out-of-order: {fwd:.0f} loads forwarded from the store queue, {reads:.0f} L1D reads "
          f"(in-order: {s['cpu0.l1d.reads']:.0f})")
    check(fwd >= n, "every load of the stored value is forwarded")
    check(reads < n / 10, "forwarded loads do not access the L1D")
    check(s["cpu0.l1d.reads"] >= n, "in order, the same loads read the L1D")
elif name == "memorder":
    n = 5000
    v_on, c_on = t["cpu0.o3.lsq.memory_order_violations"], t["cpu0.cycles"]
    u = o3("nosets", "cpu0.o3.store_sets=false")
    v_off, c_off = u["cpu0.o3.lsq.memory_order_violations"], u["cpu0.cycles"]
    print(f"memory-order violations: {v_on:.0f} with store sets ({t['cpu0.o3.store_set.predicted_waits']:.0f} "
          f"predicted waits, {c_on:.0f} cycles), {v_off:.0f} without ({c_off:.0f} cycles)")
    check(v_off >= 0.95 * n, "without dependence prediction every iteration violates memory order")
    check(0 < v_on <= 10, "the store-set predictor learns the dependence after the first violations")
    check(t["cpu0.o3.squashes.memory_order"] == v_on, "each violation squashes")
    check(c_on < c_off, "store sets save the squashes' cycles")
elif name == "csr_serial":
    n = 5000
    ser = t["cpu0.o3.serializing"]
    print(f"out-of-order: {ser:.0f} serializing instructions, rename stalled "
          f"{t['cpu0.o3.rename.stall_cycles.serialize']:.0f} cycles; IPC {t['cpu0.ipc']:.3f} "
          f"(in-order {s['cpu0.ipc']:.3f})")
    check(ser >= 2 * n, "every CSR access serializes")
    check(t["cpu0.o3.rename.stall_cycles.serialize"] >= n, "younger instructions wait in rename")
    check(t["cpu0.ipc"] < 1.1 * s["cpu0.ipc"], "serialized code gains nothing from out-of-order execution")
elif name == "wrongpath":
    # Wrong-path loads bring in lines the right path uses later (prefetcher off
    # so only the wrong path can): fewer right-path L1D misses with wrong-path
    # execution; squashed instructions only with it.
    lines = 64 * 256
    nopf = ("cpu0.l1d.prefetcher=none", "cpu0.l2.prefetcher=none")
    on = o3("wp-on", *nopf)
    off = o3("wp-off", "cpu0.o3.wrong_path=false", *nopf)

    def right(t):
        return t["cpu0.l1d.read_misses"] - t["cpu0.o3.wrong_path.load_l1d_misses"]

    for tag, t in [("on", on), ("off", off)]:
        print(f"wrong_path {tag}: {t['cpu0.bp.mispredicts']:.0f} mispredicts, wrong path fetched "
              f"{t['cpu0.o3.wrong_path.fetched']:.0f} / dispatched {t['cpu0.o3.wrong_path.dispatched']:.0f} / "
              f"issued {t['cpu0.o3.wrong_path.issued']:.0f}, loads {t['cpu0.o3.wrong_path.loads']:.0f} "
              f"({t['cpu0.o3.wrong_path.load_l1d_misses']:.0f} L1D misses), squashed "
              f"{t['cpu0.o3.squashed_insns.branch']:.0f}; right-path L1D read misses {right(t):.0f} "
              f"of {lines} lines; cycles {t['cpu0.cycles']:.0f}")
    check(on["cpu0.bp.mispredicts"] > 0.3 * lines, "the random branch mispredicts often")
    check(on["cpu0.o3.squashed_insns.branch"] > 0 and off["cpu0.o3.squashed_insns.branch"] == 0,
          "squashed wrong-path instructions only with wrong-path execution")
    check(off["cpu0.o3.wrong_path.loads"] == 0 and on["cpu0.o3.wrong_path.loads"] > 0.1 * lines,
          "wrong-path loads access the D-cache only with wrong-path execution")
    check(on["cpu0.o3.wrong_path.issued"] <= on["cpu0.o3.wrong_path.dispatched"] <= on["cpu0.o3.wrong_path.fetched"],
          "wrong path: issued <= dispatched <= fetched")
    check(right(on) < 0.9 * right(off), "wrong-path loads prefetch: > 10% fewer right-path L1D misses")
    check(on["cpu0.instructions"] == off["cpu0.instructions"], "same instruction count either way")
elif name.startswith("dram_stride_"):
    stride = int(name.rsplit("_", 1)[1])
    d = o3("nopf", "cpu0.l1d.prefetcher=none", "cpu0.l2.prefetcher=none")
    rate, acc = d["cpu0.dram.row_hit_rate"], d["cpu0.dram.accesses"]
    print(f"stride {stride}: {acc:.0f} DRAM accesses, row-hit rate {rate:.3f} "
          f"({d['cpu0.dram.row_conflicts']:.0f} conflicts)")
    check(acc >= 4096, "every access reaches DRAM")
    if stride == 64:
        check(rate > 0.8, "sequential lines: mostly row hits")
    else:
        check(rate < 0.2, "a stride of several rows: mostly row conflicts")
else:
    check(False, "unknown test " + name)

print(f"{runs} pipeline runs")
sys.exit(1 if failures else 0)
