#!/usr/bin/env python3
"""The Python side of issue 18: symbols from the loaded ELF (Simulator.symbol,
break_at), every register by name (CSRs, FP registers, the privilege level),
semihosting through Simulator.load, and a stuck guest as RunResult "stuck".
Each scenario is its own Python process (one SystemC platform per process).

usage: python_api_test.py VP SOURCE_DIR BUILD_DIR   (PYTHONPATH: the vp package; VP_PYTHON: its interpreter)
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from debug_util import VIRT, check, elf, finish, symbol  # noqa: E402

PY = os.environ.get("VP_PYTHON", sys.executable)
PRELUDE = f"""
import vp
sim = vp.Simulator(vp.Platform.from_yaml({VIRT!r}, overrides={{"uart0.console": None}}))
"""


def py(body):
    p = subprocess.run([PY, "-c", PRELUDE + body], capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


TRACE = elf("trace_target")
rc, out, err = py(f"""
sim.load(kernel={TRACE!r})
print("traced", hex(sim.symbol("traced")))
try:
    sim.symbol("no_such_symbol")
except KeyError as e:
    print("KeyError", e)
pc = sim.break_at("traced")
r = sim.run()
print("stop", r.kind, hex(sim.reg("pc")), hex(pc))
sim.clear_breakpoints()
sim.break_at("trap_handler")
r = sim.run()
print("handler", r.kind, sim.reg("mcause"), hex(sim.reg("mepc")), sim.reg("priv"))
sim.set_reg("mscratch", 0x1234)
sim.set_reg("fa0", 0x400921fb54442d18)
print("csr", hex(sim.reg("mscratch")), "fp", hex(sim.reg("fa0")), hex(sim.reg("f10")))
sim.clear_breakpoints()
sim.break_at("user_code")
r = sim.run()
print("user", r.kind, sim.reg("priv"), hex(sim.reg("pc")))
try:
    sim.reg("nosuchreg")
except Exception as e:
    print("bad register:", type(e).__name__, e)
sim.clear_breakpoints()
r = sim.run()
print("end", r.kind, r.exit_code)
""")
traced = symbol(TRACE, "traced")
lines = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
check("symbol('traced') is the ELF's", lines.get("traced") == hex(traced), out + err)
check("an unknown symbol raises KeyError", "no_such_symbol" in lines.get("KeyError", ""), out + err)
check("break_at('traced') stops there", lines.get("stop") == f"breakpoint {hex(traced)} {hex(traced)}", out + err)
check("mcause, mepc and priv by name in the trap handler (the ecall in traced)",
      lines.get("handler") == f"breakpoint 11 {hex(traced + 24)} 3", out + err)
check("a CSR and an FP register written and read by name",
      lines.get("csr") == "0x1234 fp 0x400921fb54442d18 0x400921fb54442d18", out + err)
check("priv is 0 in U-mode", lines.get("user") == f"breakpoint 0 {hex(symbol(TRACE, 'user_code'))}", out + err)
check("an unknown register name is an error naming it", "nosuchreg" in lines.get("bad", ""), out + err)
check("the run goes on to the guest's end", lines.get("end") == "exit 0", out + err)

rc, out, err = py(f"""
sim.load(kernel={elf("semi_exit_block")!r}, semihosting=True)
r = sim.run()
print("result", r.kind, r.exit_code, r.reason)
""")
check("semihosting from Python: console output and SYS_EXIT's code",
      "bye from semihosting" in out and "result exit 5" in out and "SYS_EXIT" in out, out + err)

rc, out, err = py(f"""
sim.load(kernel={elf("fpu_off")!r})
r = sim.run(max_time="10ms")
print("result", r.kind, r.exit_code)
print(r.report)
""")
check("a stuck guest: kind 'stuck', exit code 123", "result stuck 123" in out, out + err)
check("with the report", "fcvt.d.l" in out and "mstatus.FS = 0" in out and "<use_fpu>" in out, out + err)
finish()
