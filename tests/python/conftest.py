"""Helpers for the vp Python tests.

SystemC allows one platform per process, so every test that builds one is
decorated with @isolated: its body runs in a fresh 'spawn' process
(vp.run_isolated) and its exceptions (assertion failures included) come back
here.
"""
import functools
import importlib
import os
import sys

import pytest

import vp

REPO = os.environ.get("VP_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
VIRT = os.path.join(REPO, "configs", "virt.yaml")
QUIET = {"uart0.console": None}  # captured (vp.Platform sets capture: true), not printed


def _call_wrapped(module, name, args, kwargs):
    if os.path.dirname(__file__) not in sys.path:
        sys.path.insert(0, os.path.dirname(__file__))
    mod = importlib.import_module(module)
    return getattr(mod, name).__wrapped__(*args, **kwargs)


def isolated(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return vp.run_isolated(_call_wrapped, fn.__module__, fn.__name__, args, kwargs)
    return wrapper


def virt_dict():
    """configs/virt.yaml as a Python dict (a trimmed copy: no PLIC/CLINT)."""
    return {
        "platform": "pyvirt",
        "timing": {"quantum": "10us"},
        "components": {
            "cpu0": {"type": "riscv.hart", "isa": "rv64imafdc", "hartid": 0, "reset_pc": 0x1000},
            "bus": {"type": "router"},
            "rom": {"type": "mem.rom", "size": 0xF000},
            "test": {"type": "dev.sifive_test"},
            "uart0": {"type": "dev.ns16550", "clock": 3686400, "console": None},
            "ram": {"type": "mem.ram", "size": "64MiB"},
        },
        "bind": [
            "cpu0.mem -> bus",
            {"bus": {"rom": 0x1000, "test": 0x100000, "uart0": 0x10000000, "ram": 0x80000000}},
        ],
    }
