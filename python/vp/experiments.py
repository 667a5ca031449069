"""Parameter sweeps: every configuration runs in its own process.

    rows = vp.run_experiment("configs/virt.yaml",
                             sweep={"ram.size": ["64MiB", "128MiB"], "timing.quantum": ["1us", "10us"]},
                             workload={"kernel": prog.image, "max_time": "10ms"},
                             metrics=["exit_code", "cpu0.instructions", "sim.simulated_seconds"],
                             jobs=2)                      # or cluster="tcp://host:8786" (Dask)
    rows.df                                              # pandas DataFrame (if pandas is installed)
    rows.plot(x="timing.quantum", y="sim.simulated_seconds", path="quantum.png")

SystemC allows one elaboration per process, so each configuration runs in a
fresh ``python -m vp._job`` subprocess, locally (``jobs`` at a time) or
launched by Dask workers (which may run many tasks per process). Both paths
run the same job code, so their results are identical (host-time metrics
aside).

workload: a path to an ELF/raw kernel; ``bytes`` (raw image at the start of
RAM, e.g. ``vp.asm.assemble(...).image``); a dict with ``kernel``, ``bios``,
``append``, ``uart_input``, ``max_time``, ``max_instructions``, ``detail``
(keyword arguments of ``Simulator.detail``: fast-forward, then time the ROI);
or a callable
``fn(sim) -> RunResult | dict | None`` that loads and runs itself (it must be
picklable; functions defined in ``__main__`` travel by value when cloudpickle
is installed, as it is with python3-distributed).

metrics: names of RunResult fields (``exit_code``, ``kind``, ``reason``,
``instructions``, ``simulated_seconds``, ``host_seconds``), ``uart`` (captured
text), statistics names (``cpu0.instructions``, ``sim.mips``; see
``Simulator.stats``), keys of the dict a callable workload returned, or
callables ``fn(sim, result) -> value`` (named by their ``__name__``).
"""
from __future__ import annotations

import concurrent.futures
import itertools
import json
import os
import pickle
import subprocess
import sys
import tempfile
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

__all__ = ["run_experiment", "Results", "ExperimentError", "plot"]

try:  # functions from __main__ and lambdas travel by value
    import cloudpickle as _pickler
except ImportError:  # pragma: no cover
    _pickler = pickle

DEFAULT_METRICS = ("exit_code", "kind", "instructions", "simulated_seconds")
_RESULT_FIELDS = ("kind", "exit_code", "reason", "instructions", "host_seconds", "simulated_seconds")


class ExperimentError(RuntimeError):
    """A configuration of a sweep failed; ``params`` names it."""

    def __init__(self, params: Mapping[str, Any], message: str):
        super().__init__(f"{dict(params)}: {message}")
        self.params = dict(params)
        self.message = message


class Results(list):
    """The rows of a sweep (one dict per configuration, in sweep order: swept
    parameters first, then metrics)."""

    def __init__(self, rows: Iterable[Dict[str, Any]], params: Sequence[str], metrics: Sequence[str]):
        super().__init__(rows)
        self.params = list(params)
        self.metrics = list(metrics)

    def to_pandas(self):
        import pandas as pd
        return pd.DataFrame(list(self), columns=self.params + [m for m in self.metrics if m not in self.params])

    @property
    def df(self):
        """A pandas DataFrame, or None when pandas is not installed."""
        try:
            return self.to_pandas()
        except ImportError:
            return None

    def plot(self, x: str, y: str, path: str, hue: Optional[str] = None, title: Optional[str] = None) -> str:
        return plot(self, x, y, path, hue=hue, title=title)


# --------------------------------------------------------------------------------------------
# Running one job (in the child process)
# --------------------------------------------------------------------------------------------

def _normalize_base(base) -> tuple:
    from . import Platform
    if isinstance(base, Platform):
        kind, src, ov = base.source
        return (kind, os.path.abspath(src) if kind == "yaml" else src, dict(ov))
    if isinstance(base, Mapping):
        return ("dict", base, {})
    if isinstance(base, (str, os.PathLike)):
        return ("yaml", os.path.abspath(os.fspath(base)), {})
    raise TypeError("base must be a YAML path, a dict or a vp.Platform")


def _metric_name(m) -> str:
    return m if isinstance(m, str) else getattr(m, "__name__", repr(m))


def execute(job: Dict[str, Any]) -> Dict[str, Any]:
    """Runs one configuration in this process (which must not have built a
    platform yet) and returns its metrics."""
    from . import Platform, RunResult, Simulator
    restore = job.get("restore")
    overrides = dict(job["base"][2]) if job["base"] else {}
    overrides.update(job["overrides"])
    if restore:
        sim = Simulator.restore(restore, overrides=overrides)
    else:
        kind, src, _ = job["base"]
        if kind == "yaml":
            plat = Platform.from_yaml(src, overrides)
        elif kind == "dict":
            plat = Platform.from_dict(src, overrides)
        else:
            plat = Platform.from_string(src, overrides)
        sim = Simulator(plat)
    w = job["workload"]
    extra: Dict[str, Any] = {}
    result: Optional[RunResult] = None
    if callable(w):
        out = w(sim)
        if isinstance(out, RunResult):
            result = out
        elif isinstance(out, Mapping):
            extra = dict(out)
    else:
        if isinstance(w, (str, os.PathLike, bytes, bytearray)):
            w = {"kernel": w}
        w = dict(w or {})
        if restore:
            if w.get("kernel") or w.get("bios"):
                raise ValueError("a run from a checkpoint loads no software: drop 'kernel' and 'bios' from the workload")
        else:
            sim.load(kernel=w.get("kernel"), bios=w.get("bios"), append=w.get("append", ""))
        if w.get("detail"):
            sim.detail(**w["detail"])
        if w.get("uart_input"):
            sim.uart_input(w["uart_input"])
        result = sim.run(max_instructions=w.get("max_instructions"), max_time=w.get("max_time"))
    stats = sim.stats
    row: Dict[str, Any] = {}
    for m in job["metrics"]:
        name = _metric_name(m)
        if callable(m):
            row[name] = m(sim, result)
        elif m in extra:
            row[name] = extra[m]
        elif m in _RESULT_FIELDS:
            if result is None:
                raise KeyError(f"metric '{m}': the workload returned no RunResult")
            row[name] = getattr(result, m)
        elif m == "uart":
            row[name] = sim.uart_output()
        elif m in stats:
            v = stats[m]
            row[name] = int(v) if float(v).is_integer() and ("instructions" in m or m.endswith("bytes")) else v
        else:
            known = sorted(set(_RESULT_FIELDS) | {"uart"} | set(stats) | set(extra))
            raise KeyError(f"unknown metric '{m}' (known: {', '.join(known)})")
    return row


def _child_main(argv: List[str]) -> int:
    src, dst = argv
    try:
        with open(src, "rb") as f:
            job = pickle.load(f)
        payload = {"ok": True, "row": execute(job)}
    except BaseException as e:  # noqa: BLE001 (reported to the parent)
        payload = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    with open(dst, "wb") as f:
        pickle.dump(payload, f)
    return 0


# --------------------------------------------------------------------------------------------
# Launching jobs (in the parent, or in a Dask worker)
# --------------------------------------------------------------------------------------------

def _package_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_job_subprocess(job_bytes: bytes, sys_path: Sequence[str] = (), timeout: Optional[float] = None) -> Dict:
    """Runs one pickled job in a fresh ``python -m vp._job`` process. Called by
    the local thread pool and, unchanged, by Dask workers."""
    with tempfile.TemporaryDirectory(prefix="vp-job-") as tmp:
        src, dst = os.path.join(tmp, "job.pkl"), os.path.join(tmp, "result.pkl")
        with open(src, "wb") as f:
            f.write(job_bytes)
        env = dict(os.environ)
        paths = [_package_root()] + [p for p in sys_path if p] + env.get("PYTHONPATH", "").split(os.pathsep)
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(p for p in paths if p))
        proc = subprocess.run([sys.executable, "-m", "vp._job", src, dst], env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
        if not os.path.exists(dst):
            tail = proc.stderr.decode(errors="replace").strip().splitlines()[-5:]
            return {"ok": False, "error": f"worker process exited with {proc.returncode}: " + " | ".join(tail)}
        with open(dst, "rb") as f:
            return pickle.load(f)


def _client_for(cluster):
    from distributed import Client
    if isinstance(cluster, Client):
        return cluster, False
    address = getattr(cluster, "scheduler_address", cluster)
    return Client(address), True


def run_experiment(base, sweep: Mapping[str, Sequence[Any]], workload: Any = None,
                   metrics: Sequence[Union[str, Callable]] = DEFAULT_METRICS, jobs: int = 1,
                   cluster: Any = None, timeout: Optional[float] = None, errors: str = "raise",
                   restore: Optional[Union[str, os.PathLike]] = None) -> Results:
    """Runs the cartesian product of ``sweep`` (override path -> values) over
    ``base`` (YAML path, dict or vp.Platform), each configuration in its own
    process; returns a :class:`Results` table.

    jobs: processes at a time (local). cluster: a Dask scheduler address
    ("tcp://host:8786"), a ``distributed.Client`` or a cluster object; the same
    jobs are then submitted to it. errors: "raise" (default) or "record" (the
    row gets an "error" column). restore: a checkpoint directory
    (``Simulator.checkpoint``); every configuration continues from it with its
    overrides (which must keep the state layout: caches, predictors, mode) and
    loads no software; ``base`` may then be None.
    """
    if errors not in ("raise", "record"):
        raise ValueError("errors must be 'raise' or 'record'")
    names = list(sweep)
    combos = [dict(zip(names, values)) for values in itertools.product(*(list(sweep[n]) for n in names))]
    if base is None and restore is None:
        raise ValueError("base (a platform) is needed unless restore= names a checkpoint")
    base_desc = _normalize_base(base) if base is not None else None
    restore = os.path.abspath(os.fspath(restore)) if restore is not None else None
    metrics = list(metrics)
    payloads = [_pickler.dumps({"base": base_desc, "overrides": combo, "workload": workload, "metrics": metrics,
                                 "restore": restore})
                for combo in combos]
    sys_path = [p for p in sys.path if p and os.path.isdir(p)]

    if cluster is not None:
        client, owned = _client_for(cluster)
        try:
            futures = client.map(run_job_subprocess, payloads, sys_path=sys_path, timeout=timeout, pure=False)
            outcomes = client.gather(futures)
        finally:
            if owned:
                client.close()
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
            outcomes = list(pool.map(lambda p: run_job_subprocess(p, sys_path, timeout), payloads))

    rows = []
    for combo, out in zip(combos, outcomes):
        if not out["ok"]:
            if errors == "raise":
                raise ExperimentError(combo, out["error"])
            rows.append({**combo, "error": out["error"]})
        else:
            rows.append({**combo, **out["row"]})
    return Results(rows, names, [_metric_name(m) for m in metrics])


# --------------------------------------------------------------------------------------------
# Plotting
# --------------------------------------------------------------------------------------------

def _sort_key(v):
    from . import parse_time
    if isinstance(v, (int, float)):
        return (0, v)
    s = str(v)
    for unit, mult in (("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30)):
        if s.endswith(unit):
            try:
                return (0, float(s[:-3]) * mult)
            except ValueError:
                pass
    try:
        return (0, parse_time(s))
    except ValueError:
        return (1, s)


def plot(rows: Sequence[Mapping[str, Any]], x: str, y: str, path: str, hue: Optional[str] = None,
         title: Optional[str] = None) -> str:
    """Draws metric ``y`` against swept parameter ``x`` (one line per value of
    ``hue``) to a PNG file; returns the path."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups: Dict[Any, List[Mapping[str, Any]]] = {}
    for r in rows:
        if "error" in r:
            continue
        groups.setdefault(r.get(hue) if hue else None, []).append(r)
    xs = sorted({r[x] for r in rows if "error" not in r}, key=_sort_key)
    numeric = all(isinstance(v, (int, float)) for v in xs)
    pos = {v: (v if numeric else i) for i, v in enumerate(xs)}
    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    for key, rs in sorted(groups.items(), key=lambda kv: _sort_key(kv[0]) if kv[0] is not None else (0, 0)):
        rs = sorted(rs, key=lambda r: _sort_key(r[x]))
        ax.plot([pos[r[x]] for r in rs], [r[y] for r in rs], marker="o",
                label=f"{hue}={key}" if hue else None)
    if not numeric:
        ax.set_xticks(range(len(xs)))
        ax.set_xticklabels([str(v) for v in xs])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(title or f"{y} vs {x}")
    ax.grid(True, alpha=0.3)
    if hue:
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
