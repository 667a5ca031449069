"""Checkpoint and restore with the vhost mailbox and its file services
(docs/checkpoints.md).

usage: check_mailbox_checkpoint.py VP CONFIG GUEST_ELF WORKDIR
The guest (mbox_ckpt.c) reads input.txt and writes output.txt through the
mailbox in 32 steps, printing each step, then reads output.txt back and ends
with the mailbox's EXIT 7. Checkpointed mid-run with both files open, the
restored run prints the same output, exits with the same code, retires the
same number of instructions and leaves the same output.txt as the
uninterrupted run, even after the host overwrote output.txt in between.
A changed input file and a truncated mailbox record are clear errors."""
import os
import sys

from checkpoint_harness import Harness

VP, CONFIG, ELF, WORK = sys.argv[1:5]
H = Harness(VP, WORK, 20000000)
expect = H.expect
vp = H.vp
FS = os.path.join(WORK, "fs")
os.makedirs(FS)
INPUT = os.path.join(FS, "input.txt")
OUTPUT = os.path.join(FS, "output.txt")
with open(INPUT, "wb") as f:
    f.write(bytes((i * 7 + 3) & 0xFF for i in range(512)))


def run(*args, **kw):
    return vp(CONFIG, "--kernel", ELF, "--set", "mbox.fs_root=" + FS, *args, **kw)


def output_file():
    with open(OUTPUT, "rb") as f:
        return f.read()


full = run(stats="full.json")
expect(full["rc"] == 7, f"the uninterrupted run exits with 7 (got {full['rc']}: {full['err'][-300:]})")
lines = full["out"].splitlines()
expect(len(lines) == 33 and lines[-1] == "mbox_ckpt: output.txt read back ok",
       f"it prints 32 steps and reads output.txt back ({lines[-1:]})")
expect(output_file() == "".join(l + "\n" for l in lines[:32]).encode(), "output.txt holds the 32 lines")
total = full.get("stats", {}).get("cpu0.instructions", 0)
full_file = output_file()

ck = os.path.join(WORK, "ck")
first = run("--checkpoint-at", str(total // 2), "--checkpoint-dir", ck, "--checkpoint-exit")
steps = len(first["out"].splitlines())
expect(first["rc"] == 0 and 0 < steps < 32,
       f"the checkpoint is written at {total // 2} instructions, mid-run (rc {first['rc']}, {steps} steps: "
       f"{first['err'][-300:]})")
# What the guest wrote so far is in the checkpoint, not taken from the host's file.
with open(OUTPUT, "wb") as f:
    f.write(b"overwritten by the host\n")
second = vp("--restore", ck, stats="restored.json")
expect(second["rc"] == 7, f"the restored run exits with 7 (got {second['rc']}: {second['err'][-300:]})")
expect(first["out"] + second["out"] == full["out"], "console output before + after = uninterrupted")
got = second.get("stats", {}).get("cpu0.instructions")
expect(got == total, f"same instruction count ({got} vs {total})")
expect(output_file() == full_file, "output.txt is the uninterrupted run's")

# The input file changed since the checkpoint: refused, naming it.
with open(INPUT, "ab") as f:
    f.write(b"more")
r = vp("--restore", ck)
expect(r["rc"] == 2 and "'input.txt'" in r["err"] and "it changed" in r["err"],
       f"a changed input file: exit 2, named ({r['err'].strip()[-240:]})")
with open(INPUT, "r+b") as f:
    f.truncate(512)

# A truncated record: the mailbox's is the last before the trailer.
r = vp("--restore", H.truncated_copy(ck, "truncated", 20))
expect(r["rc"] == 2 and "'mbox' is truncated" in r["err"], f"a truncated mailbox record: exit 2 ({r['err'].strip()[-200:]})")

H.finish()
