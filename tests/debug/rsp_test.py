#!/usr/bin/env python3
"""vp's GDB stub at the packet level (issue 18): qSupported, no-ack mode, the
target description, threads, hardware breakpoints and watchpoints, vCont
steps, Ctrl-C (0x03) while running, monitor commands, physical memory,
oversized and corrupt packets, vKill.

usage: rsp_test.py VP SOURCE_DIR BUILD_DIR
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from debug_util import QUIET_UART, VIRT, Rsp, VpWithGdb, check, elf, finish, symbol  # noqa: E402

ELF = elf("gdb_target")
loop_forever = symbol(ELF, "loop_forever")
counter = symbol(ELF, "counter")
compute = symbol(ELF, "compute")

vp = VpWithGdb([VIRT, "--kernel", ELF] + QUIET_UART)
try:
    r = Rsp(vp.port)
    sup = r.command("qSupported:swbreak+;hwbreak+")
    check("qSupported", "PacketSize=" in sup and "qXfer:features:read+" in sup and "QStartNoAckMode+" in sup, sup)
    check("no-ack mode", r.command("QStartNoAckMode") == "OK")
    r.no_ack = True
    check("halted at attach", r.command("?") == "T05thread:1;")
    xml = r.command("qXfer:features:read:target.xml:0,3fff")
    check("target description", xml[0] in "ml" and "<target" in xml and "org.gnu.gdb.riscv.cpu" in xml, xml[:200])
    check("threads", r.command("qfThreadInfo") == "m1" and r.command("qsThreadInfo") == "l")
    check("write memory (M)", r.command(f"M{loop_forever:x},4:01000000") == "OK")
    check("read it back (m)", r.command(f"m{loop_forever:x},4") == "01000000")

    check("hardware breakpoint (Z1)", r.command(f"Z1,{compute:x},2") == "OK")
    stop = r.command("vCont;c")
    check("stops at it with hwbreak", stop == "T05thread:1;hwbreak:;", stop)
    check("pc is compute", int.from_bytes(bytes.fromhex(r.command("p20")), "little") == compute)
    check("z1", r.command(f"z1,{compute:x},2") == "OK")

    check("write watchpoint (Z2)", r.command(f"Z2,{counter:x},8") == "OK")
    stop = r.command("vCont;c")
    check("stops after the store with watch:", stop == f"T05thread:1;watch:{counter:x};", stop)
    check("z2", r.command(f"z2,{counter:x},8") == "OK")

    pc = int.from_bytes(bytes.fromhex(r.command("p20")), "little")
    stop = r.command("vCont;s:1")
    after = int.from_bytes(bytes.fromhex(r.command("p20")), "little")
    check("vCont;s steps one instruction", stop == "T05thread:1;" and after - pc in (2, 4), f"{stop} {pc:x} {after:x}")

    r.send_raw(Rsp.frame("vCont;c"))
    time.sleep(0.3)  # let it run; the reply below comes whenever 0x03 arrives
    r.send_raw(b"\x03")
    stop = r.read_packet()
    check("Ctrl-C (0x03) while running stops it with SIGINT", stop == "T02thread:1;", stop)
    spins = symbol(ELF, "spins")
    check("the guest ran", int.from_bytes(bytes.fromhex(r.command(f"m{spins:x},8")), "little") > 0)

    r.send_raw(Rsp.frame("qRcmd," + b"status".hex()))
    text = ""
    while True:
        p = r.read_packet()
        if p == "OK":
            break
        text += bytes.fromhex(p[1:]).decode()
    check("monitor status", re.search(r"cpu0: pc 0x8\w+ <main\+0x\w+>, M-mode", text), text)
    check("monitor phys on", r.command("qRcmd," + b"phys on".hex()) == "OK")
    check("physical memory read", r.command("m80000000,4") != "E14")
    check("an unmapped address is E14", r.command("m50000000,4") == "E14")
    r.command("qRcmd," + b"phys off".hex())
    check("a huge read is clamped, not refused", 0 < len(r.command("m80000000,100000")) <= 0x4000)
    r.send_raw(b"$" + b"a" * 70000 + b"#00")
    check("an oversized packet is answered with an error", r.read_packet() == "E01")
    r.send_raw(b"$qC#00")  # bad checksum: ignored in no-ack mode
    check("still answering after garbage", r.command("qC") == "QC1")
    check("vKill", r.command("vKill;1") == "OK")
    r.close()
    rc, _, err = vp.wait()
    check("vp ends with 130 after vKill", rc == 130, f"rc {rc}\n{err}")
finally:
    vp.kill()
finish()
