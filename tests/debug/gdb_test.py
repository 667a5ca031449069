#!/usr/bin/env python3
"""gdb-multiarch in batch mode against vp's GDB stub (issue 18).

usage: gdb_test.py VP SOURCE_DIR BUILD_DIR SCENARIO
  session          break at a symbol, continue, registers (x, pc, CSR, FP, priv) read and
                   written, memory read and written, stepi, a watchpoint on a store, the run's end
  smp              info threads / thread N on a two-hart platform
  interrupt        Ctrl-C (SIGINT to gdb) while the guest runs
  detach_reattach  detach (the run goes on), attach again (it stops), continue to the end
  python           Simulator.serve_gdb() in a Python process
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from debug_util import (BUILD, QUIET_UART, SMP2, SRC, VIRT, VpWithGdb, check, elf, finish, gdb)  # noqa: E402

ELF = elf("gdb_target")
scenario = sys.argv[4]


def session():
    vp = VpWithGdb([VIRT, "--kernel", ELF] + QUIET_UART)
    try:
        out = gdb(vp.port, [
            "p/x $pc", "break main", "continue",
            "p/x $a0", "p $mstatus", "p/x $misa", "p $fa0", "p $priv", "p/x $tinfo",
            "set $a1 = 0x1234", "p/x $a1", "set $fa1.double = 2.5", "p $fa1.double",
            "x/2xg &counter", "set var counter = 77", "p counter",
            "p/x $pc", "stepi", "p/x $pc",
            "watch counter", "continue", "p counter", "continue", "p counter",
            "delete", "continue"], ELF)
        rc, _, err = vp.wait()
    finally:
        vp.kill()
    values = dict(re.findall(r"^\$(\d+) = (.*)$", out, re.M))
    check("starts at the reset vector", values.get("1") == "0x1000", out)
    check("break main, continue", re.search(r"Breakpoint 1, main \(\) at .*gdb_target\.c", out), out)
    check("a0 holds the hart id", values.get("2") == "0x0", out)
    check("p $mstatus (a CSR)", re.fullmatch(r"-?\d+", values.get("3", "")), out)
    misa = int(values.get("4", "0"), 16)
    check("p $misa: RV64 with I, M, A, F, D, C", misa >> 62 == 2 and all(misa >> (ord(c) - 65) & 1 for c in "IMAFDC"),
          out)
    check("p $fa0 (FP register, float/double view)", values.get("5", "").startswith("{float"), out)
    check("p $priv: M-mode", values.get("6", "").split()[0] in ("3", "prv:3"), out)
    check("p $tinfo (Sdtrig)", values.get("7") == "0x1008044", out)
    check("register write", values.get("8") == "0x1234", out)
    check("FP register write", values.get("9") == "2.5", out)
    check("memory read (x/2xg)", re.search(r"<counter>:\s+0x0000000000000000", out), out)
    check("memory write (set var)", values.get("10") == "77", out)
    check("stepi moves the pc", values.get("11") != values.get("12") and values.get("12"), out)
    check("a watchpoint fires on the store", re.search(r"Hardware watchpoint 2: counter\s+Old value = 77\s+New value = 1",
                                                       out), out)
    check("stopped after the store", values.get("13") == "1" and values.get("14") == "5", out)
    check("the run ends with the guest's code (89)", "exited with code 0131" in out and rc == 89, f"rc {rc}\n{out}\n{err}")


def smp():
    vp = VpWithGdb([SMP2, "--kernel", ELF])
    try:
        out = gdb(vp.port, [
            "info threads", "set var wait_for_hart1 = 1", "break secondary", "continue", "info threads",
            "thread 2", "p $mhartid", "p $a0", "thread 1", "p $mhartid", "delete", "kill"], ELF)
        rc, _, err = vp.wait()
    finally:
        vp.kill()
    values = dict(re.findall(r"^\$(\d+) = (.*)$", out, re.M))
    check("info threads lists both harts by name",
          re.search(r"1\s+Thread 1 \"cpu0\"", out) and re.search(r"2\s+Thread 2 \"cpu1\"", out), out)
    check("hart 1 hits the breakpoint", re.search(r"Thread 2 \"cpu1\" hit Breakpoint 1, secondary", out), out)
    check("thread 2 is hart 1", values.get("1") == "1" and values.get("2") == "1", out)
    check("thread 1 is hart 0", values.get("3") == "0", out)
    check("kill ends the run with 130", rc == 130 and "killed by the debugger" in err, f"rc {rc}\n{err}")


def detach_reattach():
    vp = VpWithGdb([VIRT, "--kernel", ELF] + QUIET_UART)
    try:
        out1 = gdb(vp.port, ["break main", "continue", "set var loop_forever = 1", "delete", "detach"], ELF)
        check("first session detaches", "Detaching from program" in out1 or "detached" in out1.lower(), out1)
        time.sleep(0.2)  # not needed for correctness: the guest spins until the second session stops it
        check("vp runs on after the detach", vp.proc.poll() is None, vp.err)
        out2 = gdb(vp.port, ["p loop_forever", "p spins > 0", "set var loop_forever = 0", "continue"], ELF)
        rc, _, err = vp.wait()
    finally:
        vp.kill()
    values = dict(re.findall(r"^\$(\d+) = (.*)$", out2, re.M))
    check("the second session sees the first one's write", values.get("1") == "1", out2)
    check("the guest ran between the sessions", values.get("2") == "1", out2)
    check("continue to the end", "exited with code 0131" in out2 and rc == 89, f"rc {rc}\n{out2}\n{err}")
    check("vp said so", err.count("GDB attached") == 2 and "GDB detached" in err, err)


def interrupt():
    """Ctrl-C in gdb (SIGINT to gdb-multiarch while the guest runs): GDB sends
    0x03, vp stops the guest with SIGINT, and the session goes on."""
    vp = VpWithGdb([VIRT, "--kernel", ELF] + QUIET_UART)
    cmd = [os.environ.get("GDB", "gdb-multiarch"), "-nx", "-batch", "-ex", "set pagination off",
           "-ex", f"target remote 127.0.0.1:{vp.port}", "-ex", "break main", "-ex", "continue",
           "-ex", "set var loop_forever = 1", "-ex", "delete", "-ex", "echo RUNNING\\n", "-ex", "continue",
           "-ex", "p spins > 0", "-ex", "set var loop_forever = 0", "-ex", "continue", ELF]
    g = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(g.stdout), daemon=True)
    reader.start()
    try:
        for _ in range(600):  # gdb says RUNNING just before the continue that spins
            if any(line.startswith("RUNNING") for line in lines) or g.poll() is not None:
                break
            time.sleep(0.1)
        # The continue may not have reached vp yet when the first SIGINT lands:
        # send again until gdb reports the stop.
        for _ in range(50):
            time.sleep(0.2)
            if any("SIGINT" in line for line in lines) or g.poll() is not None:
                break
            g.send_signal(signal.SIGINT)
        g.wait(timeout=120)
        reader.join(timeout=10)
        rc, _, err = vp.wait()
    finally:
        if g.poll() is None:
            g.kill()
        vp.kill()
    out = "".join(lines)
    values = dict(re.findall(r"^\$(\d+) = (.*)$", out, re.M))
    check("Ctrl-C stops the guest with SIGINT", "Program received signal SIGINT" in out, out)
    check("the guest ran before it", values.get("1") == "1", out)
    check("the session goes on to the end", "exited with code 0131" in out and rc == 89, f"rc {rc}\n{out}\n{err}")


def python_serve():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    script = f"""
import sys, vp
plat = vp.Platform.from_yaml({VIRT!r}, overrides={{"uart0.console": None}})
sim = vp.Simulator(plat)
sim.load(kernel={ELF!r})
print("main at", hex(sim.symbol("main")), flush=True)
r = sim.serve_gdb({port})
print("served:", r.kind, flush=True)
r = sim.run()
print("then:", r.kind, r.exit_code, flush=True)
"""
    env = dict(os.environ)
    proc = subprocess.Popen([os.environ.get("VP_PYTHON", sys.executable), "-c", script], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        check("the Python process knows main", line.startswith("main at 0x8"), line + proc.stderr.read()
              if not line else line)
        out = ""
        for _ in range(100):  # the server listens shortly after; each try is a refused connection
            out = gdb(port, ["break main", "continue", "p $pc == main", "info registers pc", "detach"], ELF)
            if "Connection refused" not in out:
                break
            time.sleep(0.1)
        rest, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    check("serve_gdb: break and continue", re.search(r"Breakpoint 1, main \(\)", out), out)
    check("serve_gdb returns when GDB detaches", "served: detached" in rest, rest + err)
    check("the run goes on afterwards", "then: exit 89" in rest, rest + err)


{"session": session, "smp": smp, "interrupt": interrupt, "detach_reattach": detach_reattach, "python": python_serve}[scenario]()
finish()
