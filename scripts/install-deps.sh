#!/usr/bin/env bash
# Installs the Debian packages vp needs to build, run and test. Idempotent.
# Usage: scripts/install-deps.sh [build|run|test|linux|all]   (default: all)
set -euo pipefail

what=${1:-all}

build_pkgs=(build-essential cmake pkg-config libsystemc-dev libyaml-cpp-dev
            libfdt-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
            nlohmann-json3-dev libxbyak-dev zlib1g-dev)
# Guest toolchains and firmware used by the tests and the main job.
firmware_pkgs=(opensbi u-boot-qemu)
# The Linux guest (scripts/build-linux.sh): kernel source, cross compiler and C
# library for the static userland, kernel build tools, ext4 image tools.
linux_pkgs=(linux-source-6.1 gcc-riscv64-linux-gnu libc6-dev-riscv64-cross make bc flex bison
            libssl-dev libelf-dev cpio xz-utils e2fsprogs ccache)
test_pkgs=(device-tree-compiler gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf
           expect verilator qemu-system-misc golang-go gdb-multiarch
           python3 python3-dev pybind11-dev python3-pytest python3-pandas python3-distributed
           python3-matplotlib python3-venv python3-setuptools)

case "$what" in
  build) pkgs=("${build_pkgs[@]}") ;;
  run)   pkgs=("${build_pkgs[@]}" "${firmware_pkgs[@]}" "${linux_pkgs[@]}") ;;
  linux) pkgs=("${linux_pkgs[@]}") ;;
  test|all) pkgs=("${build_pkgs[@]}" "${firmware_pkgs[@]}" "${linux_pkgs[@]}" "${test_pkgs[@]}") ;;
  *) echo "usage: $0 [build|run|test|linux|all]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
