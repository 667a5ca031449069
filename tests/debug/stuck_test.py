#!/usr/bin/env python3
"""A stuck or lost guest is reported, never silent (issue 18): floating point
with the FPU off, an empty ROM (no software), a poll loop on an unmapped
device, wfi with every interrupt disabled. Each run must stop with exit code
123 and a report naming the hart, privilege, pc, instruction, trap CSRs, the
last traps with symbols and the likely cause, after a bounded number of
trapped instructions (counted, not timed). A parked second hart is not stuck.

usage: stuck_test.py VP SOURCE_DIR BUILD_DIR
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from debug_util import QUIET_UART, SMP2, VIRT, check, elf, finish, run_vp, symbol  # noqa: E402

LIMIT = 1000  # the detector's repeat count (models/cpu/stuck.h)


def common(name, rc, err, trapped_max):
    check(f"{name}: exit code 123", rc == 123, f"rc {rc}\n{err}")
    for field in ("is stuck:", "hart 0 (cpu0), M-mode, pc 0x", "instruction:", "mcause 0x", "mepc 0x", "mtval 0x",
                  "scause 0x", "sepc 0x", "stval 0x", "host time"):
        check(f"{name}: report has '{field}'", field in err, err)
    m = re.search(r"(\d+) instructions retired, (\d+) trapped", err)
    check(f"{name}: stopped after a bounded number of trapped instructions", m and int(m.group(2)) <= trapped_max,
          err)
    check(f"{name}: the summary says why nothing retired or what trapped", "simulated" in err, err)
    return m


rc, out, err = run_vp([VIRT, "--kernel", elf("fpu_off"), "--max-time", "10s"] + QUIET_UART)
common("fpu off", rc, err, LIMIT + 1)
check("fpu off: the repeating trap and its symbol", re.search(r"0x%016x <use_fpu>\s+illegal instruction, tval 0x\w+, from "
                                                             r"M-mode \(x1000\)" % symbol(elf("fpu_off"), "use_fpu"),
                                                             err), err)
check("fpu off: the report's pc is the faulting instruction, not its handler",
      "M-mode, pc 0x%016x <use_fpu>" % symbol(elf("fpu_off"), "use_fpu") in err and "trap handler: pc" in err, err)
check("fpu off: the cause", "while the FPU is off (mstatus.FS = 0)" in err, err)
check("fpu off: the instruction", re.search(r"instruction: 0x\w+\s+fcvt\.d\.l fa0,a0", err), err)

rc, out, err = run_vp([VIRT, "--max-time", "10s"] + QUIET_UART)
common("empty ROM", rc, err, LIMIT + 1)
check("empty ROM: warned at the start", "warning: no software loaded" in err, err)
check("empty ROM: the zeros at the reset vector", "0x1000 holds zeros: no software was loaded there" in err, err)
check("empty ROM: nothing at address 0", "execution reached 0x0, where nothing is mapped" in err, err)
check("empty ROM: no trap handler", "mtvec is 0" in err, err)
check("empty ROM: the summary explains 0 instructions", "0 instructions" in err and "none retired" in err, err)

rc, out, err = run_vp([VIRT, "--kernel", elf("unmapped_loop"), "--max-time", "10s"] + QUIET_UART)
m = common("unmapped device", rc, err, LIMIT + 1)
check("unmapped device: the polling load and its symbol",
      re.search(r"<poll>\s+load access fault, tval 0x50000000, from M-mode \(x10\d\d\)", err), err)
check("unmapped device: the cause", "a load from 0x50000000: nothing is mapped there" in err, err)
check("unmapped device: instructions between traps are bounded too", m and int(m.group(1)) < 10 * LIMIT, err)

rc, out, err = run_vp([VIRT, "--kernel", elf("wfi_off"), "--max-time", "10s"] + QUIET_UART)
check("wfi, interrupts off: exit code 123", rc == 123, f"rc {rc}\n{err}")
check("wfi, interrupts off: the report", "waits for an interrupt (wfi) with every interrupt disabled (mie = 0)" in err
      and "<sleep_forever" in err and "mie 0x0" in err, err)
m = re.search(r"simulated ([0-9.]+) s", err)
check("wfi, interrupts off: detected within 2 ms of simulated time", m and float(m.group(1)) <= 0.002, err)

rc, out, err = run_vp([VIRT, "--kernel", elf("spin"), "--max-time", "10s"] + QUIET_UART)
check("spin, interrupts off: exit code 123", rc == 123, f"rc {rc}\n{err}")
check("spin, interrupts off: the report", "spins in a jump to itself with every interrupt disabled (mie = 0)"
      in err and "pc 0x%016x <spin_forever>" % symbol(elf("spin"), "spin_forever") in err
      and re.search(r"instruction: 0x\w+\s+j 0*%x" % symbol(elf("spin"), "spin_forever"), err), err)
m = re.search(r"simulated ([0-9.]+) s", err)
check("spin, interrupts off: detected within 2 ms of simulated time", m and float(m.group(1)) <= 0.002, err)
rc, out, err = run_vp([VIRT, "--kernel", elf("spin_timer"), "--max-time", "3ms"] + QUIET_UART)
check("spin, a timer interrupt enabled: not stuck (runs to the time limit)", rc == 124 and "stuck" not in err,
      f"rc {rc}\n{err}")

rc, out, err = run_vp([SMP2, "--kernel", elf("smp_park"), "--max-time", "10s"])
check("a parked second hart is not stuck", rc == 0 and "stuck" not in err, f"rc {rc}\n{err}")

rc, out, err = run_vp([VIRT, "--kernel", elf("fpu_off"), "--max-time", "1ms", "--on-stuck=continue"] + QUIET_UART)
check("--on-stuck=continue: the run goes on to the limit", rc == 124, f"rc {rc}\n{err}")
check("--on-stuck=continue: one report", err.count("is stuck:") == 1 and "the run goes on" in err, err)
finish()
