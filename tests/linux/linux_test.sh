#!/usr/bin/env bash
# Linux on 4 harts from a virtio disk (label `linux`): a file written in one
# boot is read in the next; a snapshot boot leaves the image byte-identical;
# poweroff ends each run with exit code 0. The kernel and root image come
# from scripts/build-linux.sh; without them the test is skipped (exit 77).
#   linux_test.sh VP CONFIG FW_JUMP LINUX_DIR [persist|snapshot]
set -uo pipefail
vp=$1 config=$2 fw=$3 linux=$4 what=${5:-persist}
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../support/checks.sh"

if [ ! -f "$linux/Image" ] || [ ! -f "$linux/rootfs.ext4" ]; then
  echo "SKIP: no Linux guest in $linux (build it with scripts/build-linux.sh, about 15 minutes on 2 cores)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$linux/rootfs.ext4" "$tmp/disk.img"
boot() { expect -f "$here/boot.exp" "$vp" "$config" "$fw" "$linux/Image" "$@"; }

case "$what" in
  persist)
    token="vp-persist-$$-$RANDOM"
    check "boot 1: 4 harts in /proc/cpuinfo, write a file, poweroff" boot "$tmp/disk.img" 4 write "$token"
    check "boot 2: the file is still there" boot "$tmp/disk.img" 4 read "$token"
    ;;
  snapshot)
    before=$(sha256sum < "$tmp/disk.img")
    check "snapshot boot: write and read back, poweroff" boot "$tmp/disk.img,snapshot" 4 scratch
    after=$(sha256sum < "$tmp/disk.img")
    check "snapshot boot left the image byte-identical" test "$before" = "$after"
    ;;
  *) echo "unknown scenario $what"; exit 2 ;;
esac
[ "$failures" -eq 0 ] && echo "PASS: linux $what" || echo "FAIL: $failures check(s) of linux $what"
exit $((failures != 0))
