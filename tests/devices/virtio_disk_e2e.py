#!/usr/bin/env python3
"""End-to-end tests of `vp run --disk` with a bare-metal guest driving virtio-blk.

  rw        the guest reads sector 0 (written here), writes it reversed into
            sector 1 and flushes; the image must hold that afterwards
  snapshot  the same with ,snapshot: the guest sees its write, the image's
            SHA-256 is unchanged
  lockstep  rw with the translator checked against the interpreter block by block
            (cpu0.lockstep=true): the device's DMA into guest RAM must reach the
            interpreter's copy of it, so no divergence is reported
  readonly  with ,readonly the guest's write fails (exit code 6), image unchanged
  crash     the guest writes and flushes sector after sector, reporting each
            on the UART; vp is killed with SIGKILL after a fixed number of
            reports, then every reported write must be in the image and every
            other sector must be untouched or completely written

Every wait is bounded by work: instruction limits for vp, report counts for the kill.
"""
import argparse
import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import time

SECTOR = 512
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
    if not ok:
        failures.append(name)


def host_image(path, sectors=2048):
    sector0 = b"vp-host-sector-0" + bytes((i * 7 + 3) & 0xFF for i in range(SECTOR - 16))
    with open(path, "wb") as f:
        f.write(sector0 + bytes(SECTOR * (sectors - 1)))
    return sector0


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def vp_run(args, work, disk, elf, console, extra=()):
    cmd = [args.vp, "run", args.config, "--disk", disk, "--kernel", elf, "-q",
           "--set", "uart0.console=file", "--set", "uart0.console_file=" + console, *extra]
    return subprocess.run(cmd, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_rw(args, work):
    img = os.path.join(work, "rw.img")
    sector0 = host_image(img)
    before = open(img, "rb").read()
    r = vp_run(args, work, img, args.rw_elf, os.path.join(work, "rw.out"), ["--max-instructions", "50000000"])
    check("rw: guest exits 0", r.returncode == 0, "exit %d: %s" % (r.returncode, r.stdout))
    check("rw: guest reports", "virtio-blk ok" in open(os.path.join(work, "rw.out")).read())
    after = open(img, "rb").read()
    check("rw: sector 1 holds sector 0 reversed", after[SECTOR:2 * SECTOR] == sector0[::-1])
    check("rw: nothing else changed", after[:SECTOR] == before[:SECTOR] and after[2 * SECTOR:] == before[2 * SECTOR:])


def test_snapshot(args, work):
    img = os.path.join(work, "snap.img")
    host_image(img)
    digest = sha256(img)
    mtime = os.stat(img).st_mtime_ns
    r = vp_run(args, work, img + ",snapshot", args.rw_elf, os.path.join(work, "snap.out"),
               ["--max-instructions", "50000000"])
    check("snapshot: guest sees its write (exit 0)", r.returncode == 0, "exit %d: %s" % (r.returncode, r.stdout))
    check("snapshot: image SHA-256 unchanged", sha256(img) == digest)
    check("snapshot: image mtime unchanged", os.stat(img).st_mtime_ns == mtime)


def test_lockstep(args, work):
    img = os.path.join(work, "ls.img")
    sector0 = host_image(img)
    r = vp_run(args, work, img, args.rw_elf, os.path.join(work, "ls.out"),
               ["--max-instructions", "50000000", "--set", "cpu0.lockstep=true"])
    check("lockstep: guest exits 0, no divergence", r.returncode == 0 and "lockstep" not in r.stdout,
          "exit %d: %s" % (r.returncode, r.stdout))
    out = os.path.join(work, "ls.out")
    check("lockstep: guest reports", os.path.exists(out) and "virtio-blk ok" in open(out).read())
    check("lockstep: sector 1 holds sector 0 reversed", open(img, "rb").read()[SECTOR:2 * SECTOR] == sector0[::-1])


def test_readonly(args, work):
    img = os.path.join(work, "ro.img")
    host_image(img)
    digest = sha256(img)
    r = vp_run(args, work, img + ",readonly", args.rw_elf, os.path.join(work, "ro.out"),
               ["--max-instructions", "50000000"])
    check("readonly: the guest's write fails (exit 6)", r.returncode == 6, "exit %d: %s" % (r.returncode, r.stdout))
    check("readonly: image unchanged", sha256(img) == digest)


def test_crash(args, work):
    img = os.path.join(work, "crash.img")
    sectors = 1 << 17  # 64 MiB, sparse: far more sectors than the guest writes before the kill
    with open(img, "wb") as f:
        f.truncate(sectors * SECTOR)
    console = os.path.join(work, "crash.out")
    cmd = [args.vp, "run", args.config, "--disk", img, "--kernel", args.crash_elf, "-q",
           "--max-instructions", "20000000000",
           "--set", "uart0.console=file", "--set", "uart0.console_file=" + console]
    proc = subprocess.Popen(cmd, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    reports = 0
    while proc.poll() is None:
        if os.path.exists(console):
            with open(console) as f:
                reports = f.read().count("\n")
        if reports >= args.reports:
            break
        time.sleep(0.01)
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    check("crash: vp was killed mid-run after %d reports" % args.reports, killed,
          "vp ended by itself (exit %s) after %d reports" % (proc.returncode, reports))
    with open(console) as f:
        lines = [l for l in f.read().split("\n") if l.startswith("flushed ")]
    flushed = int(lines[-1].split()[1]) if lines else 0
    check("crash: guest reported flushed writes", flushed >= args.reports, "only %d" % flushed)
    data = open(img, "rb").read()
    missing, torn, extra = [], [], 0
    for s in range(1, sectors):
        got = data[s * SECTOR:(s + 1) * SECTOR]
        want = (0x5650000000000000 | (s - 1)).to_bytes(8, "little") * 64
        if s <= flushed:
            if got != want:
                missing.append(s)
        elif got == want:
            extra += 1  # written after the last report reached us: fine
        elif got != bytes(SECTOR):
            torn.append(s)
    check("crash: every flushed write is in the image (%d sectors)" % flushed, not missing,
          "sectors %s" % missing[:10])
    check("crash: no sector is torn or foreign (%d written after the last report)" % extra, not torn,
          "sectors %s" % torn[:10])
    check("crash: sector 0 untouched", data[:SECTOR] == bytes(SECTOR))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("vp")
    p.add_argument("config")
    p.add_argument("rw_elf")
    p.add_argument("crash_elf")
    p.add_argument("--only", choices=["rw", "snapshot", "lockstep", "readonly", "crash"])
    p.add_argument("--reports", type=int, default=100, help="flushed writes before the SIGKILL")
    args = p.parse_args()
    tests = {"rw": test_rw, "snapshot": test_snapshot, "lockstep": test_lockstep, "readonly": test_readonly, "crash": test_crash}
    with tempfile.TemporaryDirectory(prefix="vp-virtio-disk-") as work:
        for name, fn in tests.items():
            if args.only in (None, name):
                fn(args, work)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
