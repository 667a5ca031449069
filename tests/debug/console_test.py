#!/usr/bin/env python3
"""The console on a terminal (issue 18), through a pseudo-terminal: bytes go to
the guest unechoed, Ctrl-C reaches the guest instead of stopping vp, Ctrl-A c
prints a status line that starts on a line of its own (the guest's prompt is
an open line), Ctrl-A Ctrl-A sends one Ctrl-A, Ctrl-A x quits with 130, and
the terminal is restored.

usage: console_test.py VP SOURCE_DIR BUILD_DIR
"""
import os
import pty
import select
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(__file__))
from debug_util import VIRT, VP, check, elf, finish  # noqa: E402

master, slave = pty.openpty()
before = termios.tcgetattr(slave)
pid = os.fork()
if pid == 0:
    os.setsid()
    os.dup2(slave, 0)
    os.dup2(slave, 1)
    os.dup2(slave, 2)
    os.execv(VP, [VP, "run", VIRT, "--kernel", elf("console_echo"), "-q"])
output = b""


def read_until(token, timeout=60.0):
    """Reads the terminal until `token` shows up (the guest and vp answer quickly; the timeout only guards a hang)."""
    global output
    deadline = time.monotonic() + timeout
    while token not in output and time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                output += os.read(master, 4096)
            except OSError:
                break
    return token in output


check("the guest's prompt", read_until(b"ready> "), output)
os.write(master, b"a")
check("a byte reaches the guest (unechoed)", read_until(b"rx 61\r\n") and b"ready> a" not in output, output)
os.write(master, b"\x03")
check("Ctrl-C reaches the guest", read_until(b"rx 03"), output)
check("and does not stop vp", os.waitpid(pid, os.WNOHANG) == (0, 0))
mark = len(output)
os.write(master, b"\x01\x01")
check("Ctrl-A Ctrl-A sends one Ctrl-A", read_until(b"rx 01"), output)
check("only one", output[mark:].count(b"rx ") == 1, output[mark:])
os.write(master, b"\x01c")
check("Ctrl-A c prints a status line", read_until(b"M-mode"), output)
status = output[output.find(b"vp: simulated"):]
check("the status line names the hart, its pc and symbol", b"cpu0: pc 0x" in status and b"<loop" in status, status)
# The guest prompts again after every echo: its line is open whenever vp prints.
os.write(master, b"\x01c")
deadline = time.monotonic() + 60
while output.count(b"vp: simulated") < 2 and read_until(b"\x00", 0.5) is False and time.monotonic() < deadline:
    pass
check("a second status line", output.count(b"vp: simulated") == 2, output)
check("status lines start on a line of their own", all(output[i - 1:i] == b"\n" for i in
                                                       [j for j in range(len(output)) if output.startswith(b"vp: sim", j)]),
      output)
os.write(master, b"\x01x")
deadline = time.monotonic() + 60
status_code = None
while time.monotonic() < deadline:
    r, _, _ = select.select([master], [], [], 0.2)
    if r:
        try:
            output += os.read(master, 4096)
        except OSError:
            pass
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status_code = os.waitstatus_to_exitcode(st)
        break
check("Ctrl-A x quits with 130", status_code == 130, f"{status_code}\n{output}")
after = termios.tcgetattr(slave)
check("the terminal is restored", after[3] == before[3], (before[3], after[3]))
finish()
