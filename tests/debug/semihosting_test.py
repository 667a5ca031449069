#!/usr/bin/env python3
"""RISC-V semihosting (issue 18): a picolibc program built for QEMU's
-semihosting (console, a file read and one written inside --semihosting=ROOT,
paths leaving ROOT refused, exit code), every operation called the way
MicroPython's QEMU port calls them, SYS_EXIT's reasons, and the default: off,
so the sequence is a plain ebreak.

usage: semihosting_test.py VP SOURCE_DIR BUILD_DIR
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from debug_util import QUIET_UART, VIRT, check, elf, finish, run_vp  # noqa: E402

top = tempfile.mkdtemp(prefix="vp-semihosting-")
root = os.path.join(top, "root")
outside = os.path.join(top, "outside")
os.makedirs(os.path.join(root, "sub"))
os.makedirs(outside)
os.symlink(outside, os.path.join(root, "link_out"))
with open(os.path.join(root, "input.txt"), "w") as f:
    f.write("a line from the host\n")

rc, out, err = run_vp([VIRT, "--kernel", elf("semi_hello"), f"--semihosting={root}"] + QUIET_UART)
check("picolibc program: the guest's exit code", rc == 7, f"rc {rc}\n{out}\n{err}")
check("console output", "hello from the guest\n" in out and "input: a line from the host\n" in out, out)
check("a file read inside ROOT", "input: a line from the host" in out, out)
written = os.path.join(root, "sub", "output.txt")
check("a file written inside ROOT", os.path.exists(written) and open(written).read() == "copied: a line from the host\n")
check("paths leaving ROOT are refused", "outside refused" in out and not os.listdir(outside)
      and not os.path.exists(os.path.join(top, "escape.txt")), f"{out}\n{os.listdir(outside)}")
check("the summary names the call", "semihosting SYS_EXIT" in err, err)

rc, out, err = run_vp([VIRT, "--kernel", elf("semi_hello"), "--semihosting"] + QUIET_UART)
check("without ROOT, files are refused", rc == 2 and "cannot read input.txt" in out, f"rc {rc}\n{out}")

rc, out, err = run_vp([VIRT, "--kernel", elf("semi_ops"), "--semihosting"] + QUIET_UART, stdin="xy\n")
check("every operation (MicroPython-style calls)", rc == 0 and "FAIL" not in out and out.count("ok ") == 21,
      f"rc {rc}\n{out}\n{err}")
check("SYS_WRITEC", out.startswith("C\n"), out[:20])
check("an unsupported operation is reported once", err.count("unsupported operation 0x99") == 1, err)

for name, code in (("semi_exit_block", 5), ("semi_exit_error", 1), ("semi_exit_direct", 0)):
    rc, out, err = run_vp([VIRT, "--kernel", elf(name), "--semihosting"] + QUIET_UART)
    check(f"{name}: SYS_EXIT gives exit code {code}", rc == code and out == "bye from semihosting\n",
          f"rc {rc}\n{out}\n{err}")

rc, out, err = run_vp([VIRT, "--kernel", elf("semi_exit_block"), "--max-time", "1s"] + QUIET_UART)
check("off by default: a plain ebreak (the guest has no handler: stuck)", rc == 123 and out == "", f"rc {rc}\n{err}")
check("the report says to turn semihosting on", "is a semihosting call: run with --semihosting" in err, err)

rc, out, err = run_vp([VIRT, "--kernel", elf("semi_hello"), "--semihosting=" + os.path.join(top, "missing")]
                      + QUIET_UART)
check("a missing ROOT is an error (exit 2)", rc == 2 and "not a directory" in err, err)
finish()
