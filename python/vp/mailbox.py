"""Python callbacks for the vhost mailbox's CALL command (docs/rtl.md).

Firmware issues CALL with a name (or a number) and up to 16 64-bit
arguments; the platform looks the callback up in Python first, then in the
C++ registry, then in the SystemVerilog DPI layer::

    import vp

    @vp.mailbox.register("add")
    def add(a, b):
        return a + b

    def strlen_at(ptr):
        mem = vp.mailbox.current()          # the guest's memory, during the call
        data = mem.read(ptr, 64)
        return data.index(0)

    vp.mailbox.register("strlen_at", strlen_at, id=7)

A callback gets the arguments as ints and returns an int (the low 64 bits
reach the guest; None is 0). Raising :class:`MailboxError` returns its status;
any other exception returns CALLBACK_FAILED (and is reported on stderr).
Registrations belong to this process: with :func:`vp.run_isolated` or
:func:`vp.run_experiment`, register inside the function that runs there.
"""
from __future__ import annotations

import atexit
import threading
import traceback
from typing import Callable, Dict, Optional

from . import _vp

__all__ = ["register", "unregister", "clear", "registered", "current", "MailboxError",
           "OK", "BAD_COMMAND", "BAD_ADDRESS", "TOO_LONG", "NO_CALLBACK", "CALLBACK_FAILED",
           "BAD_ARGUMENT", "FILE_ERROR"]

# Mailbox status codes (models/rtl/mailbox_engine.h).
OK, BAD_COMMAND, BAD_ADDRESS, TOO_LONG, NO_CALLBACK, CALLBACK_FAILED, BAD_ARGUMENT, FILE_ERROR = range(8)

_MAX_NAME = 63
_lock = threading.Lock()
_by_name: Dict[str, Callable] = {}
_ids: Dict[str, int] = {}
_local = threading.local()
_installed = False


class MailboxError(Exception):
    """Raised by a callback to return a specific mailbox status to the guest."""

    def __init__(self, status: int, message: str = ""):
        super().__init__(message or f"mailbox status {status}")
        self.status = int(status)


def register(name: str, fn: Optional[Callable] = None, *, id: Optional[int] = None):
    """Registers ``fn`` under ``name`` (and number ``id`` for CALLs by number).
    Registering a name again replaces its function. Without ``fn``, returns a
    decorator."""
    if fn is None:
        return lambda f: register(name, f, id=id) or f
    if not isinstance(name, str) or not name or len(name.encode()) > _MAX_NAME or "\0" in name:
        raise ValueError(f"a mailbox callback name is 1 to {_MAX_NAME} bytes without NUL, got {name!r}")
    if not callable(fn):
        raise TypeError(f"{fn!r} is not callable")
    if id is not None and not 0 <= int(id) <= 0xFFFFFFFF:
        raise ValueError(f"a mailbox callback number is 0 to 2**32-1, got {id}")
    global _installed
    with _lock:
        if not _installed:  # the Python layer costs a GIL round trip per CALL: only once there is a callback
            _vp._mailbox_install(_dispatch)
            atexit.register(_vp._mailbox_uninstall)
            _installed = True
        if id is not None:
            for other, other_id in _ids.items():
                if other_id == id and other != name:
                    raise ValueError(f"mailbox callback number {id} is already used by {other!r}")
        _by_name[name] = fn
        _ids.pop(name, None)
        if id is not None:
            _ids[name] = int(id)
    return None


def unregister(name: str) -> bool:
    with _lock:
        _ids.pop(name, None)
        return _by_name.pop(name, None) is not None


def clear() -> None:
    with _lock:
        _by_name.clear()
        _ids.clear()


def registered() -> Dict[str, Optional[int]]:
    """Name -> number (None when it has none)."""
    with _lock:
        return {n: _ids.get(n) for n in _by_name}


def current():
    """The guest memory of the CALL being served (``read(addr, n)``,
    ``write(addr, data)``); only valid inside a callback."""
    mem = getattr(_local, "memory", None)
    if mem is None or not mem.valid:
        raise RuntimeError("vp.mailbox.current() is only available inside a mailbox callback")
    return mem


def _dispatch(name: str, number: int, args, memory):
    with _lock:
        if name:
            fn = _by_name.get(name)
        else:
            fn = next((_by_name[n] for n, i in _ids.items() if i == number), None)
    if fn is None:
        return None  # the C++ and DPI layers are asked next
    _local.memory = memory
    try:
        value = fn(*args)
        if value is None:
            value = 0
        if not isinstance(value, int):
            raise TypeError(f"mailbox callback {name or number} returned {value!r}, not an int")
        return (OK, value & 0xFFFFFFFFFFFFFFFF)
    except MailboxError as e:
        return (e.status if e.status != OK else CALLBACK_FAILED, 0)
    except Exception:  # noqa: BLE001  a callback never ends the simulation
        traceback.print_exc()
        return (CALLBACK_FAILED, 0)
    finally:
        _local.memory = None

