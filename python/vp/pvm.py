"""The JAM PVM (libpvm) from Python.

    from vp import pvm, asm
    a = asm.PvmAssembler()
    a.load_imm(7, 42).ecalli(3).halt()
    vm = pvm.Vm(a.blob(), backend="interpreter", gas=1000)

    @vm.on_host_call
    def host(vm, index):
        vm.regs[7] += 1          # answer in registers / memory
        return pvm.CONTINUE      # or TERMINATE / ERROR (None = CONTINUE)

    status = vm.run()            # "halt", "panic", "out-of-gas", "page-fault", "host-call", "step"

An exception raised by the host call ends the run (the VM sees a host error)
and is re-raised by run().
"""
from __future__ import annotations

from typing import Callable, Iterator, List, Optional, Tuple, Union

from . import _pvm
from ._pvm import HALT_ADDRESS, NUM_REGS, PAGE_SIZE, PvmError

__all__ = ["Vm", "PvmError", "CONTINUE", "TERMINATE", "ERROR", "backend_available", "NUM_REGS", "PAGE_SIZE",
           "HALT_ADDRESS"]

CONTINUE, TERMINATE, ERROR = 0, 1, 2


def backend_available(name: str) -> bool:
    """Whether this build of libpvm has the backend ("interpreter", "recompiler")."""
    return _pvm.backend_available(name)


class Registers:
    """vm.regs[i] reads/writes register i (0..12); list(vm.regs) gives all."""

    def __init__(self, vm: "_pvm.Vm"):
        self._vm = vm

    def __getitem__(self, i: int) -> int:
        return self._vm.reg(i)

    def __setitem__(self, i: int, value: int) -> None:
        self._vm.set_reg(i, value & (2**64 - 1))

    def __len__(self) -> int:
        return NUM_REGS

    def __iter__(self) -> Iterator[int]:
        return (self._vm.reg(i) for i in range(NUM_REGS))

    def __repr__(self) -> str:
        return repr(list(self))


class Memory:
    """vm.memory[addr:addr+n] -> bytes; vm.memory[addr] = b"..." writes
    (access-checked as the guest would be). read_into fills any writable buffer
    (bytearray, memoryview, numpy array)."""

    def __init__(self, vm: "_pvm.Vm"):
        self._vm = vm

    def __getitem__(self, key: Union[int, slice]) -> Union[int, bytes]:
        if isinstance(key, slice):
            if key.step not in (None, 1) or key.start is None or key.stop is None:
                raise ValueError("use memory[start:stop] with explicit bounds")
            return self._vm.read(key.start, key.stop - key.start)
        return self._vm.read(key, 1)[0]

    def __setitem__(self, key: Union[int, slice], data) -> None:
        start = key.start if isinstance(key, slice) else key
        if isinstance(data, int):
            data = bytes([data])
        self._vm.write(start, data, False)

    def read(self, addr: int, length: int) -> bytes:
        return self._vm.read(addr, length)

    def read_into(self, addr: int, buffer) -> None:
        self._vm.read_into(addr, buffer)

    def write(self, addr: int, data, force: bool = False) -> None:
        """force=True ignores read-only protection (loaders)."""
        self._vm.write(addr, data, force)

    def map(self, addr: int, length: int, access: str = "rw") -> None:
        """access: "none", "r" or "rw" (pages below 64 KiB cannot be mapped)."""
        self._vm.map_pages(addr, length, access)

    def access(self, addr: int) -> str:
        return self._vm.page_access(addr)


class Vm:
    """One PVM instance over libpvm's C API.

    blob: a program blob (GP A.2), or with standard=True a standard program
    blob (GP A.7) with ``args`` (memory layout, stack and registers set up).
    """

    def __init__(self, blob: Union[bytes, bytearray, memoryview, None] = None, backend: str = "interpreter",
                 gas: int = 0, standard: bool = False, args: bytes = b"", gp: str = "0.7.2",
                 _parts: Optional[Tuple[bytes, bytes, List[int]]] = None):
        if _parts is not None:
            self._vm = _pvm.Vm(_parts[0], _parts[1], list(_parts[2]), backend, gp)
        else:
            self._vm = _pvm.Vm(blob, backend, standard, bytes(args), gp)
        self._vm.gas = gas
        self.regs = Registers(self._vm)
        self.memory = Memory(self._vm)
        self._host: Optional[Callable] = None
        self.trace: List[Tuple[int, str]] = []

    backend = property(lambda self: self._vm.backend)

    @classmethod
    def from_parts(cls, code: bytes, bitmask: bytes, jump_table: List[int] = (), backend: str = "interpreter",
                   gas: int = 0, gp: str = "0.7.2") -> "Vm":
        """The pvm_vm_* (seed 004) way: code, bitmask (packed, ceil(len/8) bytes, or one 0/1
        byte per code byte) and jump table apart. No memory is mapped."""
        return cls(backend=backend, gas=gas, gp=gp, _parts=(bytes(code), bytes(bitmask), list(jump_table)))

    # Module and instance (polkavm-ffi, seed 003): exports and layout of a .polkavm container
    # (or a standard program), back to the initial state, prepare a call.
    def exports(self) -> List[Tuple[str, int]]:
        """[(name, pc), ...] of a .polkavm container; [] otherwise."""
        return self._vm.exports()

    def memory_info(self) -> dict:
        return self._vm.memory_info()

    def reset(self) -> None:
        """Initial memory, registers, pc 0 and gas 0 again."""
        self._vm.reset()

    def prepare_call(self, pc: int) -> None:
        """pc = entry, r0 = 0xFFFF0000 (returning halts), r1 = the stack top."""
        self._vm.prepare_call(pc)

    @property
    def heap_pointer(self) -> int:
        """Lowest inaccessible page at or above the heap base (what `sbrk 0` returns)."""
        return self._vm.heap_pointer

    @heap_pointer.setter
    def heap_pointer(self, value: int) -> None:
        self._vm.heap_pointer = value

    def sbrk(self, size: int) -> int:
        """What the guest's sbrk does: maps size bytes read-write; their address, or 0."""
        return self._vm.sbrk(size)

    @property
    def gas(self) -> int:
        return self._vm.gas

    @gas.setter
    def gas(self, value: int) -> None:
        self._vm.gas = value

    @property
    def pc(self) -> int:
        return self._vm.pc

    @pc.setter
    def pc(self, value: int) -> None:
        self._vm.pc = value

    @property
    def next_pc(self) -> int:
        return self._vm.next_pc

    @property
    def fault_address(self) -> int:
        return self._vm.fault_address

    @property
    def host_call_index(self) -> int:
        return self._vm.host_call_index

    def on_host_call(self, fn: Optional[Callable[["Vm", int], Optional[int]]]):
        """Sets the host-call handler fn(vm, index) -> CONTINUE/TERMINATE/ERROR
        (None = CONTINUE). Usable as a decorator. Without a handler, run() stops
        with "host-call" and the caller answers and calls run() again."""
        self._host = fn
        if fn is None:
            self._vm.set_host_callback(None)
        else:
            self._vm.set_host_callback(lambda index: fn(self, index))
        return fn

    def set_step_tracing(self, on: bool = True) -> None:
        """With tracing on, run() returns "step" after every instruction."""
        self._vm.set_step_tracing(on)

    def run(self) -> str:
        """Runs until halt, panic, out of gas, page fault, unhandled host call or
        one step; returns the status name. The GIL is released while running
        (host calls take it back)."""
        return self._vm.run()

    def step_trace(self, max_steps: int = 1_000_000) -> Tuple[str, List[Tuple[int, str]]]:
        """Runs to the end one instruction at a time; returns (final status,
        [(pc, disassembly), ...]) of the instructions executed."""
        trace = []
        self._vm.set_step_tracing(True)
        try:
            for _ in range(max_steps):
                pc = self._vm.next_pc
                dis = self._vm.disassemble(pc)
                status = self._vm.run()
                if status == "step":
                    trace.append((pc, dis[0] if dis else "?"))
                    continue
                return status, trace
            return "step", trace
        finally:
            self._vm.set_step_tracing(False)

    def disassemble(self, pc: int) -> Optional[str]:
        d = self._vm.disassemble(pc)
        return d[0] if d else None
