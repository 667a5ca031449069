#!/usr/bin/env bash
# The README's two set-up commands. Installs what is missing (Debian packages),
# builds, then either boots the default platform (run) or runs every test (test).
#   scripts/quickstart.sh run    # OpenSBI + Linux on 4 harts of configs/virt.yaml, from a virtio disk
#   scripts/quickstart.sh test   # all tests through ctest
#   scripts/quickstart.sh uboot  # OpenSBI + U-Boot on configs/virt.yaml
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-}
jobs=${JOBS:-2}
build=${BUILD_DIR:-build}

# `run` and `test` share one build tree and never change each other's cache
# settings: `run` builds only the targets it runs.
configure() {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
}

case "$what" in
  run)
    scripts/install-deps.sh run
    configure
    cmake --build "$build" -j "$jobs" --target vp
    # The Linux guest: built once, cached in $build/linux (docs/linux.md).
    scripts/build-linux.sh --build-dir "$build" --jobs "$jobs"
    disk=$build/linux/disk.img   # the user's disk: kept across runs
    [ -f "$disk" ] || cp "$build/linux/rootfs.ext4" "$disk"
    echo "vp: booting OpenSBI and Linux on 4 harts from $disk ('poweroff' ends the run, Ctrl-C stops vp)"
    exec "$build/sc_main/vp" run configs/virt.yaml --smp 4 \
      --bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf \
      --kernel "$build/linux/Image" --disk "$disk" --append "console=ttyS0 earlycon root=/dev/vda rw" "${@:2}"
    ;;
  uboot)
    scripts/install-deps.sh run
    configure
    cmake --build "$build" -j "$jobs" --target vp
    fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf
    payload=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
    echo "vp: booting OpenSBI and U-Boot on configs/virt.yaml (quit with Ctrl-C)"
    exec "$build/sc_main/vp" run configs/virt.yaml --bios "$fw" --kernel "$payload" "${@:2}"
    ;;
  test)
    scripts/install-deps.sh test
    configure -DVP_BUILD_TESTS=ON -DVP_BUILD_BENCH=ON
    cmake --build "$build" -j "$jobs"
    ctest --test-dir "$build" -j "$jobs" --output-on-failure --timeout 600 --no-tests=error
    ;;
  *)
    echo "usage: $0 run|test|uboot" >&2
    exit 2
    ;;
esac
