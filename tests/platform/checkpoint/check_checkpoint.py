"""Checkpoint and restore (docs/checkpoints.md), end to end with `vp run`.

usage: check_checkpoint.py VP SOURCE_DIR CKPT_ELF WORKDIR
A restored run must print the same console output, end with the same exit code
and retire the same number of instructions as the uninterrupted run; damaged or
foreign checkpoints must be clear errors (exit code 2), never crashes."""
import os
import shutil
import sys

from checkpoint_harness import Harness

VP, SRC, ELF, WORK = sys.argv[1:5]
VIRT = os.path.join(SRC, "configs", "virt.yaml")


H = Harness(VP, WORK, 100000000)
expect = H.expect
vp = H.vp


full = vp(VIRT, "--kernel", ELF, stats="full.json")
expect(full["rc"] == 7, f"the uninterrupted run exits with 7 (got {full['rc']}: {full['err'][-300:]})")
lines = full["out"].splitlines()
expect(len(lines) == 24 and lines[0].startswith("round"), "the uninterrupted run prints 24 rounds")
total = full["stats"]["cpu0.instructions"]


def restore_matches(name, ckpt_args, restore_args=()):
    d = os.path.join(WORK, name)
    first = vp(VIRT, "--kernel", ELF, "--checkpoint-dir", d, "--checkpoint-exit", *ckpt_args)
    expect(first["rc"] == 0, f"{name}: the checkpoint run ends when written (rc {first['rc']}: {first['err'][-300:]})")
    second = vp("--restore", d, *restore_args, stats=f"{name}.json")
    expect(second["rc"] == 7, f"{name}: the restored run exits with 7 (got {second['rc']}: {second['err'][-300:]})")
    expect(first["out"] + second["out"] == full["out"], f"{name}: console output before + after = uninterrupted")
    expect(second["out"] != "" and first["out"] != "", f"{name}: the checkpoint falls mid-output")
    got = second.get("stats", {}).get("cpu0.instructions")
    expect(got == total, f"{name}: same instruction count ({got} vs {total})")
    return d


d = restore_matches("insns", ["--checkpoint-at", "4000000"])
size = os.path.getsize(os.path.join(d, "state.bin"))
expect(size < 2 << 20, f"sparse, compressed RAM: state.bin is {size} bytes for 256 MiB of RAM")
restore_matches("time", ["--checkpoint-at", "4ms"])
# Timing settings are not state: a restored run may switch to the pipeline model.
restore_matches("pipeline", ["--checkpoint-at", "3000000"], ["--set", "cpu0.mode=pipeline"])

# At a symbol: the first time the processor reaches the trap handler (the first
# round's ecall, before anything is printed), through the ELF's symbol table.
sym = os.path.join(WORK, "symbol")
first = vp(VIRT, "--kernel", ELF, "--checkpoint-dir", sym, "--checkpoint-exit", "--checkpoint-at", "handler")
expect(first["rc"] == 0 and first["out"] == "", f"--checkpoint-at handler: written (rc {first['rc']}: {first['err'][-300:]})")
with open(os.path.join(sym, "manifest.yaml")) as f:
    at = int(next(l for l in f if l.startswith("instructions:")).split(":")[1])
expect(100000 < at < total // 3, f"... at the end of the first round ({at} instructions)")
second = vp("--restore", sym, stats="symbol.json")
expect(second["rc"] == 7 and second["out"] == full["out"], "... the restored run prints everything and exits 7")
expect(second.get("stats", {}).get("cpu0.instructions") == total, "... with the same instruction count")
r = vp(VIRT, "--kernel", ELF, "--checkpoint-dir", os.path.join(WORK, "nosym"), "--checkpoint-at", "no_such_symbol")
expect(r["rc"] == 2 and "'no_such_symbol'" in r["err"] and "symbol" in r["err"],
       f"an unknown symbol is a clear error ({r['err'].strip()[-200:]})")

# Checkpointing without --checkpoint-exit continues the same run unchanged.
cont = vp(VIRT, "--kernel", ELF, "--checkpoint-at", "2000000", "--checkpoint-dir", os.path.join(WORK, "cont"),
          stats="cont.json")
expect(cont["rc"] == 7 and cont["out"] == full["out"], "a run that checkpoints on the way is unchanged")
expect(cont["stats"]["cpu0.instructions"] == total, "... with the same instruction count")
again = vp("--restore", os.path.join(WORK, "cont"))
expect(again["rc"] == 7 and full["out"].endswith(again["out"]), "its checkpoint restores too")


# Damaged and foreign checkpoints.
def damaged(name, mutate, needle):
    dd = os.path.join(WORK, name)
    shutil.copytree(d, dd)
    mutate(dd)
    r = vp("--restore", dd)
    expect(r["rc"] == 2 and needle in r["err"] and "Segmentation" not in r["err"],
           f"{name}: exit code 2 and '{needle}' (rc {r['rc']}: {r['err'].strip()[-200:]})")


def truncate(dd):
    p = os.path.join(dd, "state.bin")
    with open(p, "r+b") as f:
        f.truncate(os.path.getsize(p) // 2)


def flip(dd):
    p = os.path.join(dd, "state.bin")
    with open(p, "r+b") as f:
        f.seek(os.path.getsize(p) // 3)
        b = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([b[0] ^ 0x40]))


def foreign_state(dd):
    with open(os.path.join(dd, "state.bin"), "wb") as f:
        f.write(b"\x7fELF" + bytes(100))


def foreign_manifest(dd):
    with open(os.path.join(dd, "manifest.yaml"), "w") as f:
        f.write("platform: virt\ncomponents: {}\n")


def future_version(dd):
    p = os.path.join(dd, "manifest.yaml")
    text = open(p).read().replace("version: 1", "version: 99")
    open(p, "w").write(text)


def empty_state(dd):
    open(os.path.join(dd, "state.bin"), "wb").close()


damaged("truncated", truncate, "truncated")
damaged("flipped", flip, "corrupt")
damaged("foreign_state", foreign_state, "not a vp checkpoint")
damaged("foreign_manifest", foreign_manifest, "not a vp checkpoint")
damaged("future_version", future_version, "version 99")
damaged("empty_state", empty_state, "truncated")
r = vp("--restore", os.path.join(WORK, "no_such_dir"))
expect(r["rc"] == 2 and "not a vp checkpoint" in r["err"], "a missing directory is a clear error")
# An override that changes the state layout is refused with what differs.
r = vp("--restore", d, "--set", "ram.size=128MiB")
expect(r["rc"] == 2 and "memory size" in r["err"], f"a different RAM size is refused ({r['err'].strip()[-160:]})")
r = vp("--restore", d, "--kernel", ELF)
expect(r["rc"] == 2 and "--restore" in r["err"], "--restore with --kernel is refused")
# A writable disk (its file changes after the checkpoint) makes the checkpoint fail clearly.
disk = os.path.join(WORK, "disk.img")
with open(disk, "wb") as f:
    f.write(bytes(1 << 16))
r = vp(VIRT, "--kernel", ELF, "--disk", disk, "--checkpoint-at", "1000000", "--checkpoint-dir",
       os.path.join(WORK, "with_disk"))
expect(r["rc"] != 0 and "cannot be checkpointed" in r["err"] and "snapshot: true" in r["err"],
       "a writable virtio disk: clear refusal naming the way out (snapshot: true)")

H.finish()
