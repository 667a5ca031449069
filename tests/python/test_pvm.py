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
