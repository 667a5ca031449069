"""Checkpoint and restore with a virtio block device (docs/checkpoints.md).

usage: check_virtio_checkpoint.py VP CONFIG GUEST_ELF WORKDIR
The guest (tests/devices/virtio_disk_guest.c, -DCKPT_LOOP) writes 32 sectors
of a snapshot disk, then reads them back. A checkpoint taken after it has
written some must hold the disk overlay and the virtqueue state: the restored
run prints the same console output, exits with the same code and retires the
same number of instructions as the uninterrupted run. A writable disk is
refused with a clear reason; a damaged virtio record is a clear error."""
import os
import shutil
import sys

from checkpoint_harness import Harness

VP, CONFIG, ELF, WORK = sys.argv[1:5]
H = Harness(VP, WORK, 50000000)
expect = H.expect
vp = H.vp
DISK = os.path.join(WORK, "disk.img")
with open(DISK, "wb") as f:
    f.write(bytes(1 << 16))


full = vp(CONFIG, "--kernel", ELF, "--disk", DISK + ",snapshot", stats="full.json")
expect(full["rc"] == 0, f"the uninterrupted run exits with 0 (got {full['rc']}: {full['err'][-300:]})")
lines = full["out"].splitlines()
expect(len(lines) == 33 and lines[-1].startswith("read back ok"), f"it writes 32 sectors and reads them back ({lines[-1:]})")
total = full.get("stats", {}).get("cpu0.instructions", 0)

ck = os.path.join(WORK, "ck")
first = vp(CONFIG, "--kernel", ELF, "--disk", DISK + ",snapshot", "--checkpoint-at", str(total // 3),
           "--checkpoint-dir", ck, "--checkpoint-exit")
expect(first["rc"] == 0, f"the checkpoint is written at {total // 3} instructions (rc {first['rc']}: {first['err'][-300:]})")
expect(first["out"].startswith("wrote 1\n") and "read back" not in first["out"],
       f"... after the guest wrote some sectors ({len(first['out'].splitlines())} lines)")
second = vp("--restore", ck, stats="restored.json")
expect(second["rc"] == 0, f"the restored run exits with 0 (got {second['rc']}: {second['err'][-300:]})")
expect(first["out"] + second["out"] == full["out"], "console output before + after = uninterrupted")
got = second.get("stats", {}).get("cpu0.instructions")
expect(got == total, f"same instruction count ({got} vs {total})")
expect(open(DISK, "rb").read() == bytes(1 << 16), "the image file is unchanged (snapshot)")

# At the guest's first wait for a completion, right after its QueueNotify.
# Taking the checkpoint ends the processor's quantum there, so the device may
# answer before the guest's first look at the used ring (a few instructions
# fewer than the uninterrupted run): the restored run must match the run that
# took the same checkpoint and went on.
at = os.path.join(WORK, "pending")
cont = vp(CONFIG, "--kernel", ELF, "--disk", DISK + ",snapshot", "--checkpoint-at", "wait_used",
          "--checkpoint-dir", at, stats="pending_cont.json")
expect(cont["rc"] == 0 and cont["out"] == full["out"], f"a checkpoint at wait_used, run going on (rc {cont['rc']}: {cont['err'][-300:]})")
second = vp("--restore", at, stats="pending.json")
expect(second["rc"] == 0 and second["out"] == full["out"], "... restores to the same output and exit code")
got = second.get("stats", {}).get("cpu0.instructions")
want = cont.get("stats", {}).get("cpu0.instructions")
expect(got == want and abs(got - total) < 100, f"... and the same instruction count as that run ({got} vs {want}; uninterrupted {total})")

# Damaged virtio record: cut inside the disk overlay. The record's CRC catches
# a flip; a truncated state.bin is a clear error naming the problem.
r = vp("--restore", H.truncated_copy(ck, "truncated", 3000))
expect(r["rc"] == 2 and "truncated" in r["err"], f"a truncated checkpoint: exit 2, 'truncated' ({r['err'].strip()[-200:]})")

# A disk of another size at restore: the device's configuration differs.
other = os.path.join(WORK, "other")
shutil.copytree(ck, other)
m = os.path.join(other, "manifest.yaml")
big = os.path.join(WORK, "big.img")
with open(big, "wb") as f:
    f.write(bytes(1 << 17))
text = open(m).read().replace(DISK, big)
open(m, "w").write(text)
r = vp("--restore", other)
expect(r["rc"] == 2 and "virtio" in r["err"] and "Segmentation" not in r["err"],
       f"a disk of another size: clear error ({r['err'].strip()[-200:]})")

# A writable disk cannot be captured: refused with the reason.
r = vp(CONFIG, "--kernel", ELF, "--disk", DISK, "--checkpoint-at", str(total // 3), "--checkpoint-dir",
       os.path.join(WORK, "writable"))
expect(r["rc"] != 0 and "snapshot: true" in r["err"], f"a writable disk is refused clearly ({r['err'].strip()[-240:]})")

H.finish()
