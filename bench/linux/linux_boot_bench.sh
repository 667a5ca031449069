#!/usr/bin/env bash
# Linux boot-to-prompt host time on vp (1 and 4 harts) next to QEMU on the same
# kernel, firmware and root image, in the same run; vp's MIPS. Needs the guest
# from scripts/build-linux.sh.   linux_boot_bench.sh VP CONFIG LINUX_DIR
set -euo pipefail
vp=$1 config=$2 linux=$3
here=$(cd "$(dirname "$0")" && pwd)
fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf
[ -f "$linux/Image" ] || { echo "no Linux guest in $linux: run scripts/build-linux.sh" >&2; exit 1; }
qemu=$(command -v qemu-system-riscv64 || true)
echo "kernel $linux/Image, root image $linux/rootfs.ext4 (snapshot), firmware $fw"
for harts in 1 4; do
  expect -f "$here/linux_boot.exp" vp "$vp" $harts "$fw" "$linux/Image" "$linux/rootfs.ext4" "$config"
  if [ -n "$qemu" ]; then
    expect -f "$here/linux_boot.exp" qemu "$qemu" $harts "$fw" "$linux/Image" "$linux/rootfs.ext4"
  fi
done
[ -n "$qemu" ] || echo "(qemu-system-riscv64 not installed: package qemu-system-misc)"
