#!/usr/bin/env python3
"""A debugger's memory writes under lock-step checking (docs/architecture.md,
"Lock-step checking"): GDB's M packet, sent while the program is stopped at a breakpoint, writes
through the hart, which reports the
bytes as a store no processor made, so the interpreter's copy of memory gets
them too. gdb_target's result is (int)(scale * 145) & 0x7f: with scale set to
2.0 before it runs, 290 & 0x7f = 34 on both cores; had the copy missed the
write, the interpreter would compute with 1.5 and lock-step would stop with a
divergence (exit code 3).

usage: lockstep_debug_test.py VP SOURCE_DIR BUILD_DIR
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
from debug_util import QUIET_UART, VIRT, Rsp, VpWithGdb, check, elf, finish, symbol  # noqa: E402

ELF = elf("gdb_target")
scale = symbol(ELF, "scale")

vp = VpWithGdb([VIRT, "--kernel", ELF, "--set", "cpu0.lockstep=true", "-q"] + QUIET_UART)
try:
    r = Rsp(vp.port)
    check("no-ack mode", r.command("QStartNoAckMode") == "OK")
    r.no_ack = True
    check("halted at attach", r.command("?").startswith("T05"))
    # Run first (both cores have taken their copies of memory), then write.
    compute = symbol(ELF, "compute")
    check("hardware breakpoint at compute (Z1)", r.command(f"Z1,{compute:x},2") == "OK")
    stop = r.command("vCont;c")
    check("stops at compute", stop.startswith("T05"), stop)
    check("z1", r.command(f"z1,{compute:x},2") == "OK")
    two = struct.pack("<d", 2.0).hex()
    check("write scale = 2.0 (M)", r.command(f"M{scale:x},8:{two}") == "OK")
    check("read it back (m)", r.command(f"m{scale:x},8") == two)
    stop = r.command("vCont;c")
    check("the program exits with 34 (W22)", stop == "W22", stop)
    r.close()
    code, _, err = vp.wait()
    check("the run ends with the result of scale 2.0, no divergence", code == 34 and "lockstep" not in err,
          f"exit {code}\n{err}")
finally:
    vp.kill()
finish()
