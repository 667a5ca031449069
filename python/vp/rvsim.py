"""The rvsim-style surface (../shared/seeds/000_*) on top of vp's own objects.

    from vp.rvsim import SimConfig, Environment, Simulator
    cfg = SimConfig()
    cfg.cache.l1_d.size = "16KiB"
    cfg.pipeline.branch_predictor = "gshare"
    result = Environment(binary="prog.elf", config=cfg).run()
    print(result.exit_code, result.stats.query("miss"))

Configs have the five sections ``general``, ``system``, ``memory``, ``cache``,
``pipeline``; ``to_dict()`` gives that nested dict and ``to_overrides()`` the
``--set``-style overrides of vp's YAML properties they map to (docs/python.md).
``Simulator`` is :class:`vp.Simulator` with the rvsim method names added; one
platform per process still holds (use ``run_experiment`` for sweeps).
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Union

from . import Platform, RunResult, Stats
from . import Simulator as _VpSimulator
from .experiments import run_experiment

__all__ = ["SimConfig", "CacheLevel", "Environment", "Simulator", "StatsObject", "run_experiment",
           "default_platform"]

StatsObject = Stats  # dict-like, with .query(pattern)


@dataclass
class CacheLevel:
    enabled: bool = True
    size: str = "32KiB"
    line: int = 64
    ways: int = 8
    policy: str = "lru"       # lru, plru, random, fifo
    latency: int = 1
    write_back: bool = True

    def to_yaml(self) -> Union[str, Dict[str, Any]]:
        if not self.enabled:
            return "none"
        return {"size": self.size, "line": self.line, "assoc": self.ways, "replacement": self.policy,
                "latency": self.latency, "write": "back" if self.write_back else "through"}


@dataclass
class GeneralConfig:
    mode: str = "pipeline"           # functional | pipeline
    clock: str = "1GHz"
    trace_instructions: bool = False
    max_instructions: Optional[int] = None


@dataclass
class SystemConfig:
    quantum: str = "10us"
    timebase: str = "10MHz"


@dataclass
class MemoryConfig:
    ram_size: str = "256MiB"
    latency: int = 100               # cycles below the last cache level


@dataclass
class CacheConfig:
    l1_i: CacheLevel = field(default_factory=CacheLevel)
    l1_d: CacheLevel = field(default_factory=CacheLevel)
    l2: CacheLevel = field(default_factory=lambda: CacheLevel(enabled=False, size="256KiB", latency=10))


@dataclass
class PipelineConfig:
    branch_predictor: str = "tage"   # static, bimodal, gshare, tournament, perceptron, tage
    btb_size: int = 512
    ras_size: int = 16
    branch_resolve: str = "execute"  # decode, execute, memory
    mispredict_penalty: int = 0
    latencies: Dict[str, Any] = field(default_factory=dict)  # {mul: 3, div: 20, ...}


@dataclass
class SimConfig:
    general: GeneralConfig = field(default_factory=GeneralConfig)
    system: SystemConfig = field(default_factory=SystemConfig)
    memory: MemoryConfig = field(default_factory=MemoryConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)

    def to_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "SimConfig":
        c = cls()
        for section, values in (d or {}).items():
            target = getattr(c, section, None)
            if target is None:
                raise KeyError(f"unknown config section {section!r} (general, system, memory, cache, pipeline)")
            for k, v in values.items():
                if not hasattr(target, k):
                    raise KeyError(f"unknown key {section}.{k}")
                cur = getattr(target, k)
                setattr(target, k, CacheLevel(**v) if isinstance(cur, CacheLevel) and isinstance(v, Mapping) else v)
        return c

    def to_overrides(self, hart: str = "cpu0", ram: str = "ram") -> Dict[str, str]:
        """vp properties (``--set`` paths) this configuration sets; values are YAML text."""
        g, s, m, c, p = self.general, self.system, self.memory, self.cache, self.pipeline
        y = json.dumps  # JSON is YAML
        out = {
            f"{hart}.mode": g.mode,
            f"{hart}.clock": g.clock,
            f"{hart}.timebase": s.timebase,
            "timing.quantum": s.quantum,
            f"{ram}.size": m.ram_size,
            f"{hart}.memory_latency": str(m.latency),
            f"{hart}.l1i": y(c.l1_i.to_yaml()),
            f"{hart}.l1d": y(c.l1_d.to_yaml()),
            f"{hart}.bp": y({"type": p.branch_predictor, "btb_entries": p.btb_size, "ras_entries": p.ras_size}),
            f"{hart}.branch_resolve": p.branch_resolve,
            f"{hart}.mispredict_penalty": str(p.mispredict_penalty),
        }
        if c.l2.enabled:
            out[f"{hart}.l2"] = y(c.l2.to_yaml())
        if p.latencies:
            out[f"{hart}.latencies"] = y(dict(p.latencies))
        return out


def default_platform() -> str:
    """configs/virt.yaml of the source tree next to this package, or the installed one."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get("VP_PLATFORM", "")]
    for up in ("..", "../..", "../../.."):
        candidates.append(os.path.join(here, up, "configs", "virt.yaml"))
    for prefix in ("/usr/local", "/usr"):
        candidates.append(os.path.join(prefix, "share", "vp", "configs", "virt.yaml"))
    for c in candidates:
        if c and os.path.isfile(c):
            return os.path.normpath(c)
    raise FileNotFoundError("no platform description found: pass platform=... or set VP_PLATFORM")


def _platform(config: Optional[Union[SimConfig, Mapping]], platform: Optional[str], disk: Optional[str],
              extra: Optional[Mapping] = None) -> Platform:
    if isinstance(config, Mapping):
        config = SimConfig.from_dict(config)
    overrides: Dict[str, Any] = dict((config or SimConfig()).to_overrides())
    overrides.update(extra or {})
    if disk:
        overrides["virtio0.disk"] = os.fspath(disk)
    return Platform.from_yaml(platform or default_platform(), overrides=overrides)


class Device:
    """A memory-mapped device's registers as software sees them (debug reads: no side effects)."""

    REGISTERS: Dict[str, int] = {}

    def __init__(self, sim: "_VpSimulator", name: str, base: int):
        self._sim, self.name, self.base = sim, name, base

    def read32(self, offset: int) -> int:
        return int.from_bytes(self._sim.read_memory(self.base + offset, 4), "little")

    def state(self) -> Dict[str, int]:
        return {k: self.read32(off) for k, off in self.REGISTERS.items()}


class Uart(Device):
    def state(self) -> Dict[str, int]:
        b = self._sim.read_memory(self.base, 8)
        return dict(zip(["rbr", "ier", "iir", "lcr", "mcr", "lsr", "msr", "scr"], b))

    @property
    def output(self) -> str:
        return self._sim.uart_output(self.name)

    def send(self, text: Union[str, bytes]) -> None:
        self._sim.uart_input(text, self.name)


class Plic(Device):
    def pending(self, source: int) -> bool:
        return bool(self.read32(0x1000 + 4 * (source // 32)) >> (source % 32) & 1)

    def priority(self, source: int) -> int:
        return self.read32(4 * source)

    def threshold(self, context: int) -> int:
        return self.read32(0x200000 + 0x1000 * context)


class VirtioBlk(Device):
    REGISTERS = {"magic": 0x000, "version": 0x004, "device_id": 0x008, "status": 0x070,
                 "interrupt_status": 0x060, "capacity_sectors": 0x100}


class Simulator(_VpSimulator):
    """vp.Simulator with rvsim's names: ``Simulator(config)`` builds virt with it."""

    def __init__(self, config: Union[SimConfig, Mapping, Platform, None] = None, platform: Optional[str] = None,
                 disk: Optional[str] = None, slice: Union[str, float] = "1ms"):
        plat = config if isinstance(config, Platform) else _platform(config, platform, disk)
        super().__init__(plat, slice=slice)
        self._exit: Optional[int] = None

    def load_kernel(self, kernel: str, config: Union[SimConfig, Mapping, None] = None,
                    dtb: Optional[str] = None) -> None:
        """Loads an OS kernel (or a bare-metal ELF). ``config`` is accepted for
        rvsim compatibility (the platform was configured at construction);
        ``dtb``: a device tree blob to place instead of the generated one."""
        del config
        self.load(kernel=kernel)
        if dtb:
            with open(dtb, "rb") as f:
                blob = f.read()
            # Where vp put its generated tree (a1 of the boot hart) gets this one instead.
            self.write_memory(self.reg("a1"), blob)

    def tick(self) -> RunResult:
        """One instruction (rvsim: one cycle)."""
        return self.step(1)

    def get_pc(self, hart: str = "") -> int:
        return self.pc(hart)

    def get_stats(self) -> StatsObject:
        return self.stats

    def _device(self, cls, type_name: str, nth: int = 0):
        found = [c for c, t in self.components().items() if t == type_name]
        if len(found) <= nth:
            return None
        base = next(w["base"] for w in self.address_map() if w["target"] == found[nth])
        return cls(self, found[nth], base)

    @property
    def uart(self) -> Optional[Uart]:
        return self._device(Uart, "dev.ns16550")

    @property
    def plic(self) -> Optional[Plic]:
        return self._device(Plic, "dev.plic")

    @property
    def virtio_blk(self) -> Optional[VirtioBlk]:
        for name, t in self.components().items():
            if t == "dev.virtio_mmio":
                base = next(w["base"] for w in self.address_map() if w["target"] == name)
                dev = VirtioBlk(self, name, base)
                if dev.read32(0x008) == 2:  # virtio device id 2: block
                    return dev
        return None


@dataclass
class Result:
    exit_code: int
    reason: str
    instructions: int
    stats: StatsObject
    uart: str


class Environment:
    """A binary (and optional disk) on virt configured by ``config``: ``run()``
    simulates it in this process (once: one platform per process)."""

    def __init__(self, binary: str, disk: Optional[str] = None,
                 config: Union[SimConfig, Mapping, None] = None, platform: Optional[str] = None):
        self.binary, self.disk, self.platform = binary, disk, platform
        self.config = SimConfig.from_dict(config) if isinstance(config, Mapping) else (config or SimConfig())

    def run(self, max_instructions: Optional[int] = None, detail: Optional[Mapping[str, Any]] = None,
            restore: Optional[str] = None) -> Result:
        """``detail``: arguments of :meth:`vp.Simulator.detail` (fast-forward, then
        time the ROI); ``restore``: start from a checkpoint directory instead of the binary."""
        if restore:
            sim = Simulator.restore(restore, overrides=self.config.to_overrides())
        else:
            sim = Simulator(self.config, platform=self.platform, disk=self.disk)
            sim.load_kernel(self.binary)
        if detail:
            sim.detail(**detail)
        r = sim.run(max_instructions=max_instructions or self.config.general.max_instructions)
        return Result(r.exit_code, r.reason, sim.stats["sim.instructions"], sim.get_stats(), sim.uart_output())
