#!/usr/bin/env bash
# The README's two set-up commands. Installs what is missing (Debian packages),
# builds, then either boots the default platform (run) or runs every test (test).
#   scripts/quickstart.sh run    # OpenSBI + U-Boot on configs/virt.yaml
#   scripts/quickstart.sh test   # all tests through ctest
set -euo pipefail
cd "$(dirname "$0")/.."

what=${1:-}
jobs=${JOBS:-2}
build=${BUILD_DIR:-build}

configure_and_build() {
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build "$build" -j "$jobs"
}

case "$what" in
  run)
    scripts/install-deps.sh run
    configure_and_build -DVP_BUILD_TESTS=OFF -DVP_BUILD_BENCH=OFF
    fw=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.elf
    payload=/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin
    echo "vp: booting OpenSBI and U-Boot on configs/virt.yaml (quit with Ctrl-C)"
    exec "$build/sc_main/vp" run configs/virt.yaml --bios "$fw" --kernel "$payload" "${@:2}"
    ;;
  test)
    scripts/install-deps.sh test
    # Explicit: a previous `run` leaves tests switched off in the build cache.
    configure_and_build -DVP_BUILD_TESTS=ON -DVP_BUILD_BENCH=ON
    ctest --test-dir "$build" -j "$jobs" --output-on-failure --timeout 600 --no-tests=error
    ;;
  *)
    echo "usage: $0 run|test" >&2
    exit 2
    ;;
esac
