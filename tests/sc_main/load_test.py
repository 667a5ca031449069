#!/usr/bin/env python3
"""vp run against bad and unusual software images (issue 19.6-19.10, 18.8).

Every case must end with a clear message and the documented exit code, fast
and without allocating what the file claims: vp runs under a 2 GiB address-space
limit, so a loader that zero-fills a 2 GiB segment before checking fails here.
usage: load_test.py VP SOURCE_DIR
"""
import os
import resource
import struct
import subprocess
import sys
import tempfile

VP, SRC = sys.argv[1], sys.argv[2]
VIRT = os.path.join(SRC, "configs", "virt.yaml")
EM_RISCV, EM_X86_64 = 243, 62
failures = 0


def elf64(machine=EM_RISCV, data=1, etype=2, paddr=0x80000000, code=b"", memsz=None, sections=(),
          entry=None):
    """A minimal ELF64: one PT_LOAD of `code` at paddr; sections = [(name, addr, size)]."""
    memsz = len(code) if memsz is None else memsz
    entry = paddr if entry is None else entry
    ehsize, phsize, shsize = 64, 56, 64
    names = b"\0" + b"".join(n.encode() + b"\0" for n, _, _ in sections) + b".shstrtab\0"
    code_off = ehsize + phsize
    str_off = code_off + len(code)
    sh_off = (str_off + len(names) + 7) & ~7
    nsec = len(sections) + 2 if sections else 0
    eh = b"\x7fELF" + bytes([2, data, 1]) + bytes(9)
    eh += struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, entry, ehsize, sh_off if nsec else 0, 0,
                      ehsize, phsize, 1, shsize, nsec, nsec - 1 if nsec else 0)
    ph = struct.pack("<IIQQQQQQ", 1, 5, code_off, paddr, paddr, len(code), memsz, 0x1000)
    body = eh + ph + code + names
    body += bytes(sh_off - len(body)) if nsec else b""
    if nsec:
        shdrs = [bytes(shsize)]
        name_at = 1
        for n, addr, size in sections:
            shdrs.append(struct.pack("<IIQQQQIIQQ", name_at, 1, 2 | 4, addr, code_off, size, 0, 0, 4, 0))
            name_at += len(n) + 1
        shdrs.append(struct.pack("<IIQQQQIIQQ", name_at, 3, 0, 0, str_off, len(names), 0, 0, 1, 0))
        body += b"".join(shdrs)
    return body


def elf32(code, paddr=0x80000000):
    """A minimal ELF32 (RV32) with one PT_LOAD."""
    eh = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    eh += struct.pack("<HHIIIIIHHHHHH", 2, EM_RISCV, 1, paddr, 52, 0, 0, 52, 32, 1, 40, 0, 0)
    ph = struct.pack("<IIIIIIII", 1, 84, paddr, paddr, len(code), len(code), 5, 0x1000)
    return eh + ph + code


# li t0, 0x100000; li t1, 0x5555; sw t1, 0(t0): the SiFive test finisher ends the run with 0.
FINISH = struct.pack("<IIII", 0x001002B7, 0x00005337, 0x5553031B, 0x0062A023)


# AddressSanitizer reserves terabytes of shadow memory: a sanitizer build runs
# without the address-space limit (the messages are checked all the same).
with open(VP, "rb") as f:
    SANITIZED = b"__asan_init" in f.read()


def run(args, name):
    def limit():
        if not SANITIZED:
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    p = subprocess.run([VP, "run", VIRT] + args, capture_output=True, text=True, preexec_fn=limit, timeout=300)
    return p.returncode, p.stdout + p.stderr


def check(name, cond, out=""):
    global failures
    print(("ok   " if cond else "FAIL ") + name)
    if not cond:
        failures += 1
        print("    " + out.replace("\n", "\n    "))


def expect(name, path_bytes, code, text, extra=()):
    with tempfile.NamedTemporaryFile(suffix=".elf", delete=False) as f:
        f.write(path_bytes)
    try:
        rc, out = run(["--kernel", f.name, "--max-instructions", "100000"] + list(extra), name)
    finally:
        os.unlink(f.name)
    check(f"{name}: exit {code}", rc == code, out)
    check(f"{name}: says '{text}'", text in out, out)
    return out


expect("x86-64 ELF", elf64(machine=EM_X86_64, code=FINISH), 2,
       "x86-64 ELF file (e_machine 62), but the platform's processors run RISC-V 64-bit code")
expect("32-bit ELF", elf32(FINISH), 2,
       "a 32-bit RISC-V ELF file (e_machine 243), but the platform's processors run RISC-V 64-bit code")
expect("big-endian ELF", elf64(data=2, code=FINISH), 2, "only little-endian")
expect("relocatable object", elf64(etype=1, code=FINISH), 2, "relocatable object file (ET_REL)")
expect("2 GiB segment", elf64(code=FINISH, memsz=2 << 30), 2,
       "segment 0 (0x80000000-0xffffffff, 2147483648 bytes) does not fit in mapped memory: 0x90000000 is not mapped")
expect("1 TiB segment", elf64(code=FINISH, memsz=1 << 40), 2, "does not fit in mapped memory")
out = expect("large .bss that fits", elf64(code=FINISH, memsz=200 << 20), 0, "test finisher: pass")
usage = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB, the largest child so far
if not SANITIZED:  # ASan's own shadow pages count in the RSS
    check(f"large .bss is not written into fresh RAM (peak RSS {usage // 1024} MiB < 150 MiB)", usage < 150 * 1024)

# ld -Ttext=0x80000000 puts the ELF headers in a segment starting at 0x7ffff000.
headers = elf64(paddr=0x7ffff000, code=bytes(0x1000) + FINISH, sections=[(".text", 0x80000000, len(FINISH))],
                entry=0x80000000)
out = expect("headers below RAM", headers, 0, "test finisher: pass")
check("headers below RAM: one-line note", "4096 bytes of ELF headers below mapped memory" in out, out)
real = elf64(paddr=0x7ffff000, code=bytes(0x1000) + FINISH, sections=[(".data", 0x7ffff800, 16)],
             entry=0x80000000)
expect("contents below RAM", real, 2, "does not fit in mapped memory: 0x7ffff000 is not mapped")

# Raw images and no software at all.
with tempfile.TemporaryDirectory() as d:
    empty = os.path.join(d, "empty.bin")
    open(empty, "wb").close()
    rc, out = run(["--kernel", empty], "empty")
    check("empty --kernel: exit 2", rc == 2, out)
    check("empty --kernel: says so", "--kernel " + empty + ": the file is empty" in out, out)
    raw = os.path.join(d, "raw.bin")
    open(raw, "wb").write(FINISH)
    rc, out = run(["--kernel", raw], "raw")
    check("raw --kernel runs", rc == 0, out)
    check("raw --kernel: says what went where", "raw binary (not ELF), 16 bytes at 0x80000000" in out, out)
    rc, out = run(["--max-instructions", "1000"], "nothing")
    check("no software: warns", "warning: no software loaded" in out, out)
    rc, out = run(["--kernel", raw, "--stats", os.path.join(d, "missing", "s.json")], "stats")
    check("unwritable --stats: exit 2 before the run", rc == 2 and "instructions" not in out, out)
    check("unwritable --stats: names the path", "cannot write " + os.path.join(d, "missing", "s.json") in out, out)

print("load: all checks passed" if not failures else f"load: {failures} failed")
sys.exit(1 if failures else 0)
