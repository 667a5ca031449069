"""vp: a SystemC/TLM-2.0 virtual platform, from Python.

    import vp
    plat = vp.Platform.from_yaml("configs/virt.yaml", overrides={"uart0.console": None})
    sim = vp.Simulator(plat)
    sim.load(kernel="prog.elf")
    result = sim.run()
    print(result.exit_code, result.reason, sim.uart_output())

SystemC allows one platform (one elaboration) per process. A second
``vp.Simulator`` in the same process raises ``vp.SimulationError``; run each
platform in its own process with :func:`vp.run_isolated` or
:func:`vp.run_experiment`.
"""
from __future__ import annotations

import fnmatch
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Union

from . import _vp
from ._vp import CheckpointError, ConfigError, LoadError, SimulationError, VpError
from .isolated import run_isolated

__all__ = [
    "Platform", "Simulator", "RunResult", "Stats", "VpError", "ConfigError", "LoadError",
    "SimulationError", "CheckpointError", "run_isolated", "run_experiment", "parse_time", "platform_built",
]

_TIME_UNITS = {"fs": 1e-3, "ps": 1, "ns": 1e3, "us": 1e6, "ms": 1e9, "s": 1e12}


def parse_time(value: Union[str, int, float, None]) -> int:
    """A simulated time in picoseconds: ``"10ms"``, ``"5 us"``, or seconds as a number."""
    if value is None:
        return 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return int(round(value * 1e12))
    m = re.fullmatch(r"\s*([0-9.]+)\s*(fs|ps|ns|us|ms|s)\s*", str(value))
    if not m:
        raise ValueError(f"expected a time with a unit such as 10ms, found {value!r}")
    return int(round(float(m.group(1)) * _TIME_UNITS[m.group(2)]))


def _override_text(path: str, value: Any) -> str:
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    return f"{path}={text}"


def _overrides(overrides: Optional[Mapping]) -> List[str]:
    return [_override_text(k, v) for k, v in (overrides or {}).items()]


class Platform:
    """A loaded and validated platform description; no SystemC object exists yet.

    Errors are :class:`vp.ConfigError` whose ``str()`` is exactly what ``vp run``
    prints (``file:line:col: error: message``); overrides are reported as
    ``--set path=value`` as on the command line.
    """

    def __init__(self, spec: "_vp.Spec", source: Any = None):
        self._spec = spec
        self.source = source

    @classmethod
    def from_yaml(cls, path: Union[str, os.PathLike], overrides: Optional[Mapping] = None,
                  capture_uart: bool = True) -> "Platform":
        """Loads a YAML platform file (with ``include:``); ``overrides`` maps
        ``"uart0.console"``-style paths to values, like ``--set``."""
        spec = _vp.load_file(os.fspath(path), _overrides(overrides))
        if capture_uart:
            spec.enable_uart_capture()
        return cls(spec, ("yaml", os.fspath(path), dict(overrides or {})))

    @classmethod
    def from_string(cls, text: str, overrides: Optional[Mapping] = None, name: str = "<string>",
                    capture_uart: bool = True) -> "Platform":
        spec = _vp.load_string(text, name, _overrides(overrides))
        if capture_uart:
            spec.enable_uart_capture()
        return cls(spec, ("string", text, dict(overrides or {})))

    @classmethod
    def from_dict(cls, tree: Mapping, overrides: Optional[Mapping] = None,
                  capture_uart: bool = True) -> "Platform":
        """The same tree as the YAML file, as Python dicts and lists. Errors name
        the key path (``<python>:components.uart0.console: error: ...``)."""
        spec = _vp.load_tree(tree, _overrides(overrides))
        if capture_uart:
            spec.enable_uart_capture()
        return cls(spec, ("dict", tree, dict(overrides or {})))

    @property
    def name(self) -> str:
        return self._spec.name

    @property
    def components(self) -> Dict[str, str]:
        """Component name -> type."""
        return dict(self._spec.components)

    @property
    def quantum(self) -> float:
        return self._spec.quantum_ps * 1e-12

    def __repr__(self) -> str:
        return f"<vp.Platform {self.name or '(unnamed)'}: {len(self.components)} components>"


@dataclass
class RunResult:
    """Why a run stopped.

    kind: "exit" (the guest ended: finisher, HTIF, semihosting; the simulation
    is over), "stuck" (the guest can make no progress; ``report`` says why, and
    the simulation is over), "breakpoint", "limit" (max_instructions or step),
    "time" (max_time), "idle" (nothing left to simulate), "interrupted", or
    "detached" (serve_gdb: the debugger detached). Every kind but "exit" and
    "stuck" can be resumed with another run().
    """
    kind: str
    exit_code: int
    reason: str
    instructions: int
    host_seconds: float
    simulated_seconds: float
    report: str = ""

    @property
    def exited(self) -> bool:
        return self.kind == "exit"


class Stats(Mapping):
    """Flat, dict-like statistics (``"cpu0.instructions"``, ``"sim.mips"``, ...).

    ``query("miss")`` returns the entries whose name contains the text, or
    matches it as a glob pattern when it has ``*``/``?``/``[``.
    """

    def __init__(self, values: Mapping[str, float]):
        self._values = dict(values)

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def query(self, pattern: str) -> Dict[str, float]:
        if any(c in pattern for c in "*?["):
            return {k: v for k, v in self._values.items() if fnmatch.fnmatchcase(k, pattern)}
        return {k: v for k, v in self._values.items() if pattern in k}

    def to_dict(self) -> Dict[str, float]:
        return dict(self._values)

    def __repr__(self) -> str:
        return f"Stats({self._values!r})"


class Simulator:
    """Builds ``platform`` (the one SystemC elaboration of this process) and runs it.

    ``run()`` releases the GIL while simulating and checks for Python signals
    (Ctrl-C raises KeyboardInterrupt; the simulation stays resumable) between
    slices of ``slice`` simulated time.
    """

    def __init__(self, platform: Platform, slice: Union[str, float] = "1ms"):
        if not isinstance(platform, Platform):
            raise TypeError("vp.Simulator expects a vp.Platform (from_yaml, from_dict, from_string)")
        self.platform = platform
        self._sim = _vp.Simulator(platform._spec)
        self._slice_ps = parse_time(slice)
        self._breakpoints: set = set()
        self._uart_taken: Dict[str, int] = {}
        self._tmpfiles: List[str] = []

    # -- software -------------------------------------------------------------
    def load(self, kernel: Union[str, os.PathLike, bytes, None] = None,
             bios: Union[str, os.PathLike, bytes, None] = None, append: str = "",
             semihosting: Union[bool, str, os.PathLike] = False) -> Dict[str, Optional[int]]:
        """Loads software as ``vp run --kernel/--bios/--append`` does. ``kernel``
        and ``bios`` are paths (ELF or raw binary) or ``bytes`` (raw images, or
        ELF images). A raw kernel without a bios is placed at the start of RAM
        (0x80000000 on virt) and started there. ``semihosting``: True turns
        RISC-V semihosting on (``--semihosting``), a directory also allows file
        operations inside it (``--semihosting=ROOT``). Returns where things went."""
        root = "" if isinstance(semihosting, bool) else os.fspath(semihosting)
        return self._sim.load(self._path(kernel), self._path(bios), append, bool(semihosting), root)

    def _path(self, image) -> str:
        if image is None:
            return ""
        if isinstance(image, (bytes, bytearray, memoryview)):
            fd, path = tempfile.mkstemp(prefix="vp-image-", suffix=".bin")
            with os.fdopen(fd, "wb") as f:
                f.write(bytes(image))
            self._tmpfiles.append(path)
            return path
        return os.fspath(image)

    # -- running --------------------------------------------------------------
    def run(self, max_instructions: Optional[int] = None,
            max_time: Union[str, float, None] = None) -> RunResult:
        """Runs until the guest exits, a breakpoint, ``max_instructions`` more
        instructions (per hart), ``max_time`` more simulated time ("10ms", or
        seconds), or nothing is left to simulate."""
        r = self._sim.run(int(max_instructions or 0), parse_time(max_time), self._slice_ps)
        return RunResult(**r)

    def step(self, n: int = 1) -> RunResult:
        """Executes ``n`` instructions (per hart) and pauses."""
        if n <= 0:
            raise ValueError("step(n) needs n >= 1")
        return self.run(max_instructions=n)

    @property
    def finished(self) -> bool:
        """True after the guest ended the simulation (SystemC cannot restart it)."""
        return self._sim.finished

    @property
    def time(self) -> float:
        """Simulated time in seconds."""
        return self._sim.time

    # -- checkpoints, fast-forward then detail (docs/checkpoints.md) -------------
    def checkpoint(self, path: Union[str, os.PathLike]) -> None:
        """Saves the whole platform into directory ``path`` (between runs). A
        platform from a string or dict is stored there as ``platform.yaml``."""
        kind, what, overrides = self.platform.source
        path = os.path.abspath(os.fspath(path))
        os.makedirs(path, exist_ok=True)
        if kind == "yaml":
            desc = os.path.abspath(what)
        else:
            desc = os.path.join(path, "platform.yaml")
            with open(desc, "w", encoding="utf-8") as f:
                f.write(what if kind == "string" else json.dumps(what))  # JSON is YAML
        self._sim.checkpoint(path, desc, _overrides(overrides))

    @classmethod
    def restore(cls, path: Union[str, os.PathLike], overrides: Optional[Mapping] = None,
                slice: Union[str, float] = "1ms") -> "Simulator":
        """A new Simulator continuing from the checkpoint in ``path``: its
        platform and overrides, plus ``overrides`` that keep the state layout
        (caches, predictors, ``cpu0.mode``...). Raises :class:`vp.CheckpointError`."""
        path = os.fspath(path)
        manifest = _vp.read_checkpoint_manifest(path)
        merged = dict(s.split("=", 1) for s in manifest["set"])
        merged.update(overrides or {})
        sim = cls(Platform.from_yaml(manifest["platform"], overrides=merged), slice=slice)
        sim._sim.restore(path)
        return sim

    def detail(self, start: Union[str, int] = "marker", warmup: int = 0, count: int = 0,
               pc: Optional[int] = None, period: int = 0, functional_warm: int = 0) -> None:
        """Fast-forward functionally, then time in the pipeline model (before
        the first run): ``start`` "marker" (the guest's ROI-begin marker), an
        instruction count, or ``pc=ADDR``; ``warmup`` instructions before the
        statistics count; ``count`` measured instructions (0: to the ROI end);
        ``period``: sampling, a window every ``period`` instructions (statistics
        ``cpu0.sampling.cpi``, ``cpu0.sampling.cpi_ci95``); ``functional_warm``:
        instructions of functional cache/predictor warming before each window
        (``vp run --functional-warm``; an instruction-count start or a period)."""
        w, c, p, f = int(warmup), int(count), int(period), int(functional_warm)
        if pc is not None:
            self._sim.set_detail_region("pc", int(pc), w, c, p, f)
        elif start == "marker":
            self._sim.set_detail_region("marker", 0, w, c, p, f)
        elif isinstance(start, int) and start >= 0:
            self._sim.set_detail_region("instructions" if start else "reset", start, w, c, p, f)
        else:
            raise ValueError(f"start must be 'marker', an instruction count or pc=ADDR, found {start!r}")

    # -- breakpoints ------------------------------------------------------------
    def add_breakpoint(self, pc: int) -> None:
        self._breakpoints.add(int(pc))
        self._sim.set_breakpoints(sorted(self._breakpoints))

    def remove_breakpoint(self, pc: int) -> None:
        self._breakpoints.discard(int(pc))
        self._sim.set_breakpoints(sorted(self._breakpoints))

    def clear_breakpoints(self) -> None:
        self._breakpoints.clear()
        self._sim.set_breakpoints([])

    @property
    def breakpoints(self) -> List[int]:
        return sorted(self._breakpoints)

    def break_at(self, where: Union[str, int]) -> int:
        """A breakpoint at a symbol of the loaded ELF files (``"main"``) or an
        address; returns the address."""
        pc = self.symbol(where) if isinstance(where, str) else int(where)
        self.add_breakpoint(pc)
        return pc

    # -- symbols and the debugger -------------------------------------------------
    def symbol(self, name: str) -> int:
        """Address of a symbol of the loaded ELF files (``--kernel``, ``--bios``)."""
        addr = self._sim.symbol(name)
        if addr is None:
            raise KeyError(f"no symbol {name!r} in the loaded ELF files")
        return addr

    def serve_gdb(self, port: Union[int, str] = 1234, host: str = "127.0.0.1") -> RunResult:
        """Serves the GDB remote protocol (``target remote HOST:PORT`` in
        gdb-multiarch) until the debugger detaches (kind "detached": run() may
        go on) or the simulation ends. The harts wait for the debugger; one
        thread per hart. Ctrl-C in Python ends it (KeyboardInterrupt)."""
        r = self._sim.serve_gdb(f"{host}:{int(port)}", self._slice_ps)
        return RunResult(**r)

    # -- state ------------------------------------------------------------------
    @property
    def harts(self) -> List[str]:
        return list(self._sim.hart_names)

    def reg(self, index: Union[int, str], hart: str = "") -> int:
        """A register by name: general-purpose (``"a0"``, ``"x10"``, or a number
        0..31), ``"pc"``, floating-point (``"fa0"``, ``"f10"``: the raw 64 bits),
        any CSR (``"mstatus"``, ``"mcause"``, ``"tdata1"``), or ``"priv"`` (the
        privilege level: 0 U, 1 S, 3 M)."""
        if isinstance(index, int):
            return self._sim.reg(_reg_index(index), hart)
        return self._sim.read_register(self._sim.register_number(hart, index), hart)

    def set_reg(self, index: Union[int, str], value: int, hart: str = "") -> None:
        value &= 2**64 - 1
        if isinstance(index, int):
            self._sim.set_reg(_reg_index(index), value, hart)
        else:
            self._sim.write_register(self._sim.register_number(hart, index), value, hart)

    def regs(self, hart: str = "") -> List[int]:
        return [self._sim.reg(i, hart) for i in range(32)]

    def pc(self, hart: str = "") -> int:
        return self._sim.pc(hart)

    def set_pc(self, value: int, hart: str = "") -> None:
        self._sim.set_pc(value, hart)

    def read_memory(self, addr: int, length: int) -> bytes:
        """Physical memory through the bus's debug transport (raises if unmapped)."""
        data = self._sim.read_memory(addr, length)
        if len(data) != length:
            raise ValueError(f"only {len(data)} of {length} bytes at {addr:#x} are mapped")
        return data

    def write_memory(self, addr: int, data: Union[bytes, bytearray, memoryview]) -> None:
        n = self._sim.write_memory(addr, bytes(data))
        if n != len(data):
            raise ValueError(f"only {n} of {len(data)} bytes at {addr:#x} are mapped")

    def read_u64(self, addr: int) -> int:
        return int.from_bytes(self.read_memory(addr, 8), "little")

    def write_u64(self, addr: int, value: int) -> None:
        self.write_memory(addr, (value & (2**64 - 1)).to_bytes(8, "little"))

    # -- UART ---------------------------------------------------------------------
    @property
    def uarts(self) -> List[str]:
        return list(self._sim.uart_names)

    def uart_output(self, uart: str = "") -> str:
        """Everything the UART transmitted so far (needs ``capture: true``, which
        Platform sets by default)."""
        return self._sim.uart_output(uart).decode("utf-8", "replace")

    def uart_take(self, uart: str = "") -> str:
        """Only what was transmitted since the last uart_take()."""
        text = self.uart_output(uart)
        key = uart or (self.uarts[0] if self.uarts else "")
        start = self._uart_taken.get(key, 0)
        self._uart_taken[key] = len(text)
        return text[start:]

    def uart_input(self, text: Union[str, bytes], uart: str = "") -> None:
        """Bytes as if typed on the UART's line."""
        if isinstance(text, str):
            text = text.encode()
        self._sim.uart_input(uart, bytes(text))

    # -- information --------------------------------------------------------------
    @property
    def stats(self) -> Stats:
        return Stats(self._sim.stats())

    def address_map(self) -> List[Dict[str, Any]]:
        return self._sim.address_map()

    def components(self) -> Dict[str, str]:
        return dict(self._sim.components())

    def device_tree(self, bootargs: str = "") -> bytes:
        return self._sim.device_tree(bootargs)

    def __del__(self):
        for p in getattr(self, "_tmpfiles", []):
            try:
                os.unlink(p)
            except OSError:
                pass


_ABI = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"]


def _reg_index(r: Union[int, str]) -> int:
    if isinstance(r, int):
        if not 0 <= r < 32:
            raise IndexError(f"register x{r} out of range 0..31")
        return r
    name = r.strip().lower()
    if name == "fp":
        return 8
    if name in _ABI:
        return _ABI.index(name)
    if re.fullmatch(r"x([0-9]|[12][0-9]|3[01])", name):
        return int(name[1:])
    raise ValueError(f"unknown register {r!r}")


def platform_built() -> bool:
    """Whether this process already built its one SystemC platform."""
    return _vp.platform_built()


from .experiments import run_experiment  # noqa: E402  (needs the names above)
from . import mailbox  # noqa: E402,F401  (vp.mailbox.register: Python callbacks of the mailbox's CALL)
