"""vp.pvm over libpvm (no SystemC: these run in the pytest process)."""
import pytest

from vp import asm, pvm

BACKENDS = [b for b in ("interpreter", "recompiler") if pvm.backend_available(b)]


def host_call_program():
    a = asm.PvmAssembler()
    a.load_imm(7, 5)
    a.ecalli(1)            # host: r7 += 10, and writes r7 to memory at 0x20000
    a.load_imm(8, 0x20000)
    a.load_ind_u64(9, 8, 0)  # r9 = mem[0x20000]
    a.halt()
    return a.blob()


@pytest.mark.parametrize("backend", BACKENDS)
def test_host_call_answered_by_python(backend):
    vm = pvm.Vm(host_call_program(), backend=backend, gas=10_000)
    vm.memory.map(0x20000, pvm.PAGE_SIZE, "rw")
    calls = []

    @vm.on_host_call
    def host(v, index):
        calls.append((index, v.regs[7]))
        v.regs[7] += 10
        v.memory[0x20000] = v.regs[7].to_bytes(8, "little")
        return pvm.CONTINUE

    assert vm.run() == "halt"
    assert calls == [(1, 5)]
    assert vm.regs[7] == 15 and vm.regs[9] == 15
    assert 0 < vm.gas < 10_000
    assert vm.memory[0x20000:0x20008] == (15).to_bytes(8, "little")
    buf = bytearray(8)
    vm.memory.read_into(0x20000, buf)
    assert buf == (15).to_bytes(8, "little")


def test_host_call_without_handler_stops_and_resumes():
    vm = pvm.Vm(host_call_program(), gas=10_000)
    vm.memory.map(0x20000, pvm.PAGE_SIZE)
    assert vm.run() == "host-call" and vm.host_call_index == 1
    vm.regs[7] = 1
    vm.memory.write(0x20000, (7).to_bytes(8, "little"))
    assert vm.run() == "halt" and vm.regs[9] == 7


def test_exception_in_host_call_propagates():
    vm = pvm.Vm(host_call_program(), gas=10_000)

    def boom(v, index):
        raise RuntimeError("host says no")

    vm.on_host_call(boom)
    with pytest.raises(RuntimeError, match="host says no"):
        vm.run()


def test_terminate_and_out_of_gas_and_fault():
    vm = pvm.Vm(host_call_program(), gas=10_000)
    vm.on_host_call(lambda v, i: pvm.TERMINATE)
    assert vm.run() == "halt" and vm.regs[9] == 0
    vm = pvm.Vm(host_call_program(), gas=1)
    assert vm.run() == "out-of-gas"
    vm = pvm.Vm(host_call_program(), gas=10_000)
    vm.on_host_call(lambda v, i: None)
    assert vm.run() == "page-fault" and vm.fault_address == 0x20000
    with pytest.raises(pvm.PvmError):
        vm.memory[0x20000:0x20008]


def test_step_trace():
    vm = pvm.Vm(host_call_program(), gas=10_000)
    vm.memory.map(0x20000, pvm.PAGE_SIZE)
    vm.on_host_call(lambda v, i: None)
    status, trace = vm.step_trace()
    assert status == "halt"
    assert [pc for pc, _ in trace][:2] == [0, 3]
    assert "ecalli" in trace[1][1]


def test_bad_blob_and_backend():
    with pytest.raises(pvm.PvmError, match="cannot create"):
        pvm.Vm(b"\xff\xff")
    with pytest.raises(ValueError, match="backend"):
        pvm.Vm(host_call_program(), backend="jit")


def _natural(b, i):
    """GP C.6 natural-number decoding: (value, next index)."""
    x, n = b[i], 0
    while n < 8 and x & (0x80 >> n):
        n += 1
    rest = int.from_bytes(b[i + 1:i + 1 + n], "little")
    return ((x & (0xFF >> (n + 1))) << (8 * n)) + rest if n < 8 else rest, i + 1 + n


def _deblob(p):
    """GP A.2 program blob -> (code, packed bitmask, jump table)."""
    jn, i = _natural(p, 0)
    z = p[i]
    cn, i = _natural(p, i + 1)
    jumps = [int.from_bytes(p[i + z * k:i + z * (k + 1)], "little") for k in range(jn)]
    i += z * jn
    return p[i:i + cn], p[i + cn:], jumps


@pytest.mark.parametrize("backend", BACKENDS)
def test_seed_style_parts_heap_reset_and_prepare_call(backend):
    code, bitmask, jumps = _deblob(host_call_program())
    unpacked = bytes((bitmask[k // 8] >> (k % 8)) & 1 for k in range(len(code)))
    for mask in (bitmask, unpacked):
        vm = pvm.Vm.from_parts(code, mask, jumps, backend=backend, gas=100)
        vm.memory.map(0x20000, pvm.PAGE_SIZE, "rw")
        vm.on_host_call(lambda v, i: v.regs.__setitem__(7, v.regs[7] * 3))
        vm.prepare_call(0)
        assert vm.regs[0] == pvm.HALT_ADDRESS
        assert vm.run() == "halt"
        assert vm.regs[7] == 15
        assert vm.exports() == []
    # The heap (no layout: heap base 64 KiB): sbrk maps from the lowest free page.
    hp = vm.heap_pointer
    got = vm.sbrk(2 * pvm.PAGE_SIZE)
    assert got == hp and vm.heap_pointer == hp + 2 * pvm.PAGE_SIZE
    vm.memory.write(got, b"x")
    vm.reset()  # back to the initial state: no pages, registers 0, gas 0
    assert vm.gas == 0 and vm.regs[7] == 0
    with pytest.raises(pvm.PvmError):
        vm.memory.read(got, 1)
    with pytest.raises(pvm.PvmError):
        pvm.Vm.from_parts(code, b"\x01", [], backend=backend)  # bitmask of the wrong length
    with pytest.raises(ValueError):
        pvm.Vm(host_call_program(), backend=backend, gp="0.8.0")


def test_polkavm_container_exports_and_layout():
    a = asm.PvmAssembler()
    a.load_imm(7, 9)
    a.halt()
    code = a.blob()
    nat = lambda x: bytes([x]) if x < 128 else bytes([0x80 | (x >> 8), x & 0xFF])

    def section(i, payload):
        return bytes([i]) + nat(len(payload)) + payload

    body = (section(1, nat(0) + nat(8) + nat(0)) + section(3, b"12345678") +
            section(5, nat(1) + nat(0) + nat(4) + b"main") + section(6, code) + b"\x00")
    blob = b"PVM\x00\x00" + (13 + len(body)).to_bytes(8, "little") + body
    vm = pvm.Vm(blob, gas=100)
    assert vm.exports() == [("main", 0)]
    info = vm.memory_info()
    assert info["rw_address"] == 0x20000 and info["rw_size"] == pvm.PAGE_SIZE
    assert vm.memory.read(info["rw_address"], 8) == b"12345678"
    vm.prepare_call(vm.exports()[0][1])
    assert vm.run() == "halt" and vm.regs[7] == 9
    with pytest.raises(pvm.PvmError):
        pvm.Vm(blob[:-1])  # the declared length no longer matches
