#!/usr/bin/env bash
# Linux boot on one hart under lock-step checking (label `linux`): translated code is
# checked against the interpreter block by block for a bounded number of instructions,
# until the kernel has mounted its root file system from virtio-blk (the device's DMA into guest RAM must
# reach the interpreter's copy of memory). The run must end at the instruction limit
# (exit 124) without a divergence. Skipped (exit 77) without the guest.
#   lockstep_boot.sh VP CONFIG FW_JUMP LINUX_DIR INSTRUCTIONS
set -uo pipefail
vp=$1 config=$2 fw=$3 linux=$4 limit=$5
if [ ! -f "$linux/Image" ] || [ ! -f "$linux/rootfs.ext4" ]; then
  echo "SKIP: no Linux guest in $linux (build it with scripts/build-linux.sh, about 15 minutes on 2 cores)"
  exit 77
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$vp" run "$config" --smp 1 --bios "$fw" --kernel "$linux/Image" --disk "$linux/rootfs.ext4,snapshot" --append "console=ttyS0 root=/dev/vda rw" \
  --set cpu0.lockstep=true --max-instructions "$limit" < /dev/null > "$out" 2>&1
rc=$?
tail -n 5 "$out"
if grep -q "lockstep" "$out"; then
  echo "FAIL: lock-step divergence:"
  grep -A 20 "lockstep" "$out" | head -n 40
  exit 1
fi
# Within the limit the kernel reads the root file system from the virtio disk.
grep -q "EXT4-fs (vda): mounted" "$out" ||
  { echo "FAIL: the kernel did not mount its root file system within $limit instructions"; exit 1; }
[ "$rc" -eq 124 ] || { echo "FAIL: exit $rc, expected 124 (instruction limit)"; exit 1; }
echo "PASS: $limit instructions of a Linux boot under lock-step, no divergence"
