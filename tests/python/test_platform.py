"""vp.Platform / vp.Simulator: each test builds its platform in its own process."""
import os
import signal
import subprocess
import threading
import time

import pytest

import vp
from vp import asm
from conftest import QUIET, VIRT, isolated, virt_dict

SUM = """
_start:
    li   a0, 0
    li   t0, 10
loop:
    add  a0, a0, t0
    addi t0, t0, -1
    bnez t0, loop
done:
""" + asm.EXIT


@isolated
def test_yaml_guest_runs_to_its_exit_code():
    sim = vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=QUIET))
    boot = sim.load(kernel=asm.assemble(SUM).image)
    assert boot["entry"] == 0x80000000
    r = sim.run()
    assert (r.kind, r.exit_code) == ("exit", 55), r
    assert "test finisher" in r.reason
    assert sim.finished and sim.reg("a0") == 55
    st = sim.stats
    assert st["cpu0.instructions"] > 30 and st["sim.simulated_seconds"] >= 0
    assert set(st.query("cpu0.*")) >= {"cpu0.instructions", "cpu0.mips", "cpu0.pc"}
    assert "sim.mips" in st.query("mips") and st.to_dict()["cpu0.instructions"] == st["cpu0.instructions"]
    with pytest.raises(vp.SimulationError, match="has ended"):
        sim.run()


@isolated
def test_dict_platform_and_elf_kernel():
    plat = vp.Platform.from_dict(virt_dict())
    assert plat.name == "pyvirt" and plat.components["ram"] == "mem.ram"
    sim = vp.Simulator(plat)
    sim.load(kernel=asm.assemble(asm.exit_code(0)).elf())
    r = sim.run()
    assert (r.kind, r.exit_code, r.reason) == ("exit", 0, "test finisher: pass")
    assert {w["target"] for w in sim.address_map()} >= {"ram", "uart0", "test"}


MEM = """
_start:
    la   t0, data
    ld   a0, 0(t0)
bump:
    addi a0, a0, 1
    sd   a0, 8(t0)
""" + asm.EXIT + """
    .align 3
data: .dword 0
      .dword 0
"""


@isolated
def test_memory_registers_and_step():
    prog = asm.assemble(MEM)
    sim = vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=QUIET))
    sim.load(kernel=prog.image)
    data = prog.symbols["data"]
    sim.write_u64(data, 41)
    assert sim.read_memory(data, 8) == (41).to_bytes(8, "little")
    assert sim.pc() == 0x1000  # QEMU-style reset vector in the ROM
    r = sim.step()
    assert r.kind == "limit" and sim.pc() == 0x1004
    sim.add_breakpoint(prog.symbols["bump"])
    r = sim.run()
    assert r.kind == "breakpoint" and sim.pc() == prog.symbols["bump"], r
    assert sim.reg("a0") == 41 and sim.regs()[10] == 41
    sim.set_reg("a0", 99)
    sim.clear_breakpoints()
    r = sim.run()
    assert (r.kind, r.exit_code) == ("exit", 100), r
    assert sim.read_u64(data + 8) == 100
    with pytest.raises(ValueError, match="mapped"):
        sim.read_memory(0x40000000, 4)


@isolated
def test_breakpoint_hits_every_iteration():
    prog = asm.assemble(SUM)
    sim = vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=QUIET))
    sim.load(kernel=prog.image)
    sim.add_breakpoint(prog.symbols["loop"])
    seen = []
    while True:
        r = sim.run()
        if r.kind != "breakpoint":
            break
        seen.append(sim.reg("t0"))
    assert seen == list(range(10, 0, -1))
    assert (r.kind, r.exit_code) == ("exit", 55)


UART = """
_start:
    li   t0, 0x10000000
    la   t1, msg
1:  lbu  t2, 0(t1)
    beqz t2, 2f
    sb   t2, 0(t0)
    addi t1, t1, 1
    j    1b
2:  lbu  t2, 5(t0)
    andi t2, t2, 1
    beqz t2, 2b
    lbu  a0, 0(t0)
""" + asm.EXIT + """
msg: .asciz "hello from the guest\\n"
"""


@isolated
def test_uart_capture_and_input():
    sim = vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=QUIET))
    sim.load(kernel=asm.assemble(UART).image)
    r = sim.run(max_time="2ms")
    assert r.kind == "time", r
    assert sim.uart_output() == "hello from the guest\n"
    assert sim.uart_take() == "hello from the guest\n" and sim.uart_take() == ""
    sim.uart_input("A")
    r = sim.run(max_time="50ms")
    assert (r.kind, r.exit_code) == ("exit", 65), r
    assert sim.stats["uart0.tx_bytes"] == 21


@isolated
def test_ctrl_c_interrupts_and_the_run_resumes():
    sim = vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=QUIET))
    # A loop that does work: a bare `j .` with interrupts off is a stuck guest (docs/debugging.md).
    sim.load(kernel=asm.assemble("_start:\n addi t0, t0, 1\n j _start").image)
    threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        sim.run()
    assert time.monotonic() - t0 < 10
    before = sim.time
    r = sim.run(max_time="1ms")
    assert r.kind == "time" and sim.time > before


@isolated
def test_one_platform_per_process():
    vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=QUIET))
    assert vp.platform_built()
    with pytest.raises(vp.SimulationError, match="one platform per process"):
        vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=QUIET))


def _cli_error(*args):
    cli = os.environ.get("VP_CLI")
    if not cli or not os.path.exists(cli):
        return None
    p = subprocess.run([cli, "info", *args], capture_output=True, text=True)
    assert p.returncode == 2
    return p.stderr.strip()


@isolated
def test_unknown_override_key_matches_cli():
    with pytest.raises(vp.ConfigError) as e:  # at load or at build, as in the CLI
        vp.Simulator(vp.Platform.from_yaml(VIRT, overrides={"uart0.consol": "null"}))
    assert "--set uart0.consol=null" in str(e.value) and "console" in str(e.value)
    cli = _cli_error(VIRT, "--set", "uart0.consol=null")
    if cli is not None:
        assert str(e.value) == cli


def test_missing_file_matches_cli():
    with pytest.raises(vp.ConfigError) as e:
        vp.Platform.from_yaml("/nonexistent/platform.yaml")
    assert isinstance(e.value, ValueError) and "/nonexistent/platform.yaml" in str(e.value)
    cli = _cli_error("/nonexistent/platform.yaml")
    if cli is not None:
        assert str(e.value) == cli


@isolated
def test_wrong_type_matches_cli():
    plat = None
    try:
        plat = vp.Platform.from_yaml(VIRT, overrides={"ram.size": "lots"})
        vp.Simulator(plat)
    except vp.ConfigError as e:
        message = str(e)
    else:
        raise AssertionError("no error for ram.size=lots")
    assert "ram.size=lots" in message or "lots" in message
    cli = _cli_error(VIRT, "--set", "ram.size=lots")
    if cli is not None:
        assert message == cli


def test_dict_errors_name_the_key_path():
    d = virt_dict()
    d["components"]["uart0"]["clock"] = [1, 2]
    with pytest.raises(vp.ConfigError, match=r"<python>:components\.uart0\.clock"):
        plat = vp.Platform.from_dict(d)
        vp.run_isolated(_build, plat.source[1])
    with pytest.raises(vp.ConfigError, match="cannot use a Python object"):
        vp.Platform.from_dict({"components": {"x": object()}})


def _build(tree):
    vp.Simulator(vp.Platform.from_dict(tree))


def test_bad_kernel_is_a_load_error():
    with pytest.raises(vp.LoadError):
        vp.run_isolated(_load_missing)


def _load_missing():
    sim = vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=QUIET))
    sim.load(kernel="/nonexistent/kernel.elf")


@isolated
def test_pipeline_statistics_from_the_registry():
    overrides = dict(QUIET)
    overrides.update({"cpu0.mode": "pipeline", "cpu0.bp": "{type: gshare}"})
    sim = vp.Simulator(vp.Platform.from_yaml(VIRT, overrides=overrides))
    sim.load(kernel=asm.assemble(SUM).image)
    r = sim.run()
    assert (r.kind, r.exit_code) == ("exit", 55), r
    st = sim.stats
    misses = st.query("miss")
    assert any(name.startswith("cpu0.l1i.") for name in misses), misses
    assert "cpu0.bp.mispredicts" in st.query("cpu0.bp.*")
    assert st["cpu0.cycles"] >= st["cpu0.instructions"] > 30
