"""Checkpoints, fast-forward then detail, the rvsim-style surface and `vp script`
(docs/checkpoints.md, docs/python.md). Programs come from the build tree
(tests/platform/checkpoint/ckpt.c, tests/cpu/roi/roi.c)."""
import os
import subprocess
import sys

import pytest

import vp
from conftest import VIRT, isolated

BUILD = os.path.dirname(os.path.dirname(os.environ.get("VP_CLI", ""))) if os.environ.get("VP_CLI") else ""
CKPT = os.path.join(BUILD, "tests", "platform", "ckpt.elf")
ROI = os.path.join(BUILD, "tests", "cpu", "roi.elf")
QUIET = {"uart0.console": None}
needs_programs = pytest.mark.skipif(not (os.path.isfile(CKPT) and os.path.isfile(ROI)),
                                    reason="test programs not built (riscv64-unknown-elf-gcc)")


@isolated
def _full_run(elf):
    sim = vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=QUIET))
    sim.load(kernel=elf)
    r = sim.run()
    return r.exit_code, sim.uart_output(), sim.stats["sim.instructions"]


@isolated
def _run_then_checkpoint(elf, n, path):
    sim = vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=QUIET))
    sim.load(kernel=elf)
    r = sim.run(max_instructions=n)
    assert r.kind == "limit", r
    sim.checkpoint(path)
    return sim.uart_output()


@isolated
def _restore_and_run(path, overrides=None):
    sim = vp.Simulator.restore(path, overrides=overrides)
    r = sim.run()
    return r.exit_code, sim.uart_output(), sim.stats["sim.instructions"]


@needs_programs
def test_python_checkpoint_restores_the_same_run(tmp_path):
    code, out, insns = _full_run(CKPT)
    assert code == 7 and out.count("round") == 24
    before = _run_then_checkpoint(CKPT, 3_000_000, str(tmp_path / "ck"))
    assert (tmp_path / "ck" / "state.bin").is_file() and (tmp_path / "ck" / "manifest.yaml").is_file()
    code2, after, insns2 = _restore_and_run(str(tmp_path / "ck"))
    assert code2 == 7
    assert before + after == out
    assert insns2 == insns
    # Timing settings are not part of the state.
    code3, after3, insns3 = _restore_and_run(str(tmp_path / "ck"), {"cpu0.mode": "pipeline"})
    assert (code3, after3, insns3) == (7, after, insns)


@isolated
def _restore_damaged(path):
    try:
        vp.Simulator.restore(path)
    except vp.CheckpointError as e:
        return str(e)
    return None


@needs_programs
def test_damaged_checkpoint_is_a_clear_error(tmp_path):
    _run_then_checkpoint(CKPT, 1_000_000, str(tmp_path / "ck"))
    state = tmp_path / "ck" / "state.bin"
    state.write_bytes(state.read_bytes()[:1000])
    msg = _restore_damaged(str(tmp_path / "ck"))
    assert msg and "truncated" in msg
    msg = _restore_damaged(str(tmp_path / "nothing"))
    assert msg and "not a vp checkpoint" in msg


def test_sim_config_sections_and_overrides():
    from vp.rvsim import SimConfig
    cfg = SimConfig()
    cfg.cache.l1_d.size = "16KiB"
    cfg.cache.l2.enabled = True
    cfg.pipeline.branch_predictor = "gshare"
    d = cfg.to_dict()
    assert list(d) == ["general", "system", "memory", "cache", "pipeline"]
    assert d["cache"]["l1_d"]["size"] == "16KiB"
    again = SimConfig.from_dict(d)
    assert again == cfg
    o = cfg.to_overrides()
    assert '"size": "16KiB"' in o["cpu0.l1d"] and "cpu0.l2" in o
    assert '"type": "gshare"' in o["cpu0.bp"]
    with pytest.raises(KeyError):
        SimConfig.from_dict({"caches": {}})
    # The overrides are vp properties the platform accepts.
    plat = vp.Platform.from_yaml(VIRT, overrides=o)
    assert plat.components["cpu0"] == "riscv.hart"


@isolated
def _environment(elf, l1d, restore=None):
    from vp.rvsim import Environment, SimConfig
    cfg = SimConfig()
    cfg.cache.l1_d.size = l1d
    cfg.cache.l1_d.ways = 2
    res = Environment(binary=elf, config=cfg).run(detail={"start": "marker"}, restore=restore)
    keep = ("cpu0.instructions", "cpu0.cycles", "cpu0.l1d.misses", "cpu0.bp.mispredicts")
    return res.exit_code, {k: res.stats[k] for k in keep}, sorted(res.stats.query("cpu0.l1d.*"))


@isolated
def _checkpoint_roi(elf, path):
    sim = vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=QUIET))
    sim.load(kernel=elf)
    sim.run(max_instructions=200_000)  # before the ROI: functional set-up
    sim.checkpoint(path)


@needs_programs
def test_sweep_from_a_checkpoint_matches_runs_without(tmp_path):
    ck = str(tmp_path / "roi_ck")
    _checkpoint_roi(ROI, ck)
    rows = []
    for l1d in ("1KiB", "4KiB", "32KiB"):
        plain = _environment(ROI, l1d)
        restored = _environment(ROI, l1d, restore=ck)
        assert plain[0] == restored[0] == 3
        assert plain[1] == restored[1], (l1d, plain, restored)  # identical counters
        assert "cpu0.l1d.miss_rate" in plain[2]
        rows.append(plain[1])
    assert rows[0]["cpu0.instructions"] == rows[2]["cpu0.instructions"]
    assert rows[0]["cpu0.l1d.misses"] > rows[2]["cpu0.l1d.misses"], rows


@needs_programs
def test_run_experiment_from_a_checkpoint_matches_runs_without(tmp_path):
    ck = str(tmp_path / "roi_ck")
    _checkpoint_roi(ROI, ck)
    sweep = {"cpu0.l1d.size": ["1KiB", "32KiB"], "cpu0.bp.type": ["bimodal"]}
    metrics = ["exit_code", "uart", "cpu0.instructions", "cpu0.cycles", "cpu0.l1d.misses", "cpu0.bp.mispredicts"]
    roi = {"detail": {"start": "marker"}}
    restored = vp.run_experiment(None, restore=ck, sweep=sweep, workload=roi, metrics=metrics, jobs=2)
    plain = vp.run_experiment(VIRT, sweep=sweep, workload={"kernel": ROI, **roi}, metrics=metrics, jobs=2)
    assert len(restored) == 2 and list(restored) == list(plain)
    assert all(r["exit_code"] == 3 for r in restored)
    assert restored[0]["cpu0.l1d.misses"] > restored[1]["cpu0.l1d.misses"]  # 1 KiB misses more than 32 KiB
    with pytest.raises(ValueError, match="restore"):
        vp.run_experiment(None, sweep=sweep)
    from vp.experiments import ExperimentError
    with pytest.raises(ExperimentError, match="loads no software"):
        vp.run_experiment(None, restore=ck, sweep={"cpu0.bp.type": ["tage"]}, workload={"kernel": ROI})


@isolated
def _devices():
    from vp.rvsim import Simulator
    sim = Simulator(platform=VIRT)
    sim.load_kernel(CKPT)
    sim.run(max_instructions=3_000_000)  # past the start-up's bss clearing: some rounds printed
    uart = sim.uart.state()
    return (sim.get_pc(), uart, sim.plic.priority(10), sim.virtio_blk, sim.uart.output,
            len(sim.get_stats().query("cpu0.l1d")), sim.tick().instructions)


@needs_programs
def test_rvsim_simulator_devices_and_stats():
    pc, uart, prio, blk, out, l1d, ticked = _devices()
    assert 0x80000000 <= pc < 0x80100000
    assert uart["lsr"] & 0x20  # THR empty between characters
    assert prio == 0 and blk is None  # no disk attached
    assert out.startswith("round")
    assert l1d > 0  # pipeline mode by default: cache statistics
    assert ticked == 1


def test_vp_script_runs_with_the_package_importable(tmp_path):
    cli = os.environ.get("VP_CLI")
    if not cli:
        pytest.skip("VP_CLI not set")
    script = tmp_path / "s.py"
    script.write_text("import sys, vp, vp.rvsim\nprint(vp.__name__, sys.argv[1:])\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    p = subprocess.run([cli, "script", str(script), "--flag", "x"], capture_output=True, text=True, env=env,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "vp ['--flag', 'x']"
    p = subprocess.run([cli, "script", str(tmp_path / "missing.py")], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "no such file" in p.stderr
