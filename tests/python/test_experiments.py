"""Sweeps: 4 configurations with jobs=2, then the same on a local Dask cluster."""
import os

import pytest

import vp
from vp import asm
from conftest import QUIET, VIRT

# Exit code = number of loop iterations; the work scales with it.
WORKLOAD = asm.assemble("""
_start:
    li   t0, 2000
    li   a0, 0
1:  addi a0, a0, 1
    bne  a0, t0, 1b
    li   a0, 7
""" + asm.EXIT).image

SWEEP = {"ram.size": ["64MiB", "128MiB"], "timing.quantum": ["1us", "10us"]}
METRICS = ["exit_code", "kind", "cpu0.instructions", "simulated_seconds"]


def base():
    return vp.Platform.from_yaml(VIRT, overrides=QUIET)


def test_sweep_local_jobs2(tmp_path):
    rows = vp.run_experiment(base(), sweep=SWEEP, workload={"kernel": WORKLOAD}, metrics=METRICS, jobs=2)
    assert len(rows) == 4
    assert [(r["ram.size"], r["timing.quantum"]) for r in rows] == [
        ("64MiB", "1us"), ("64MiB", "10us"), ("128MiB", "1us"), ("128MiB", "10us")]
    assert all(r["exit_code"] == 7 and r["kind"] == "exit" for r in rows)
    # The hart retires nothing after the finisher's stop, so the count is the
    # guest's own, whatever the quantum or the RAM size.
    assert len({r["cpu0.instructions"] for r in rows}) == 1, rows
    assert min(r["cpu0.instructions"] for r in rows) > 4000
    df = rows.df
    if df is not None:
        assert list(df.columns[:2]) == ["ram.size", "timing.quantum"] and len(df) == 4
    png = rows.plot(x="timing.quantum", y="simulated_seconds", hue="ram.size", path=str(tmp_path / "q.png"))
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_bad_configuration_is_reported():
    with pytest.raises(vp.experiments.ExperimentError, match="ram.sise"):
        vp.run_experiment(VIRT, sweep={"ram.sise": ["1MiB"]}, workload=WORKLOAD, jobs=1)
    rows = vp.run_experiment(VIRT, sweep={"ram.sise": ["1MiB"]}, workload=WORKLOAD, errors="record")
    assert "--set ram.sise=1MiB" in rows[0]["error"]


def test_sweep_on_dask_local_cluster_matches_local():
    distributed = pytest.importorskip("distributed")
    local = vp.run_experiment(base(), sweep=SWEEP, workload={"kernel": WORKLOAD}, metrics=METRICS, jobs=2)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        remote = vp.run_experiment(base(), sweep=SWEEP, workload={"kernel": WORKLOAD}, metrics=METRICS,
                                   cluster=cluster.scheduler_address)
    assert list(remote) == list(local)
