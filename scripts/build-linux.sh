#!/usr/bin/env bash
# Builds the Linux guest of vp's main job, cached in the build tree:
#   BUILD/linux/Image        the kernel (Debian's linux-source-6.1 + configs/linux/virt.config)
#   BUILD/linux/rootfs.ext4  a small ext4 root file system (static init and shell, scripts/linux/)
# Each is rebuilt only when its key changes: the kernel's is a hash of the config
# fragment, the build recipe (kernel_recipe below) and the source package's
# version; the root image's a hash of the userland sources and this script. See docs/linux.md.
#   scripts/build-linux.sh [--build-dir DIR] [--jobs N] [--kernel-only|--rootfs-only]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

build=${BUILD_DIR:-build}
jobs=${JOBS:-2}
parts=all
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --kernel-only) parts=kernel; shift ;;
    --rootfs-only) parts=rootfs; shift ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-linux: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$build" in /*) ;; *) build=$repo/$build ;; esac
out=$build/linux
mkdir -p "$out"

cross=riscv64-linux-gnu-
tarball=/usr/src/linux-source-6.1.tar.xz
fragment=$repo/configs/linux/virt.config
userland=$repo/scripts/linux

need() {
  command -v "$1" >/dev/null || { echo "build-linux: '$1' not found: run scripts/install-deps.sh linux" >&2; exit 1; }
}
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
log() { echo "build-linux: $*"; }

build_kernel() {
  [ -f "$tarball" ] || { echo "build-linux: $tarball not found: run scripts/install-deps.sh linux" >&2; exit 1; }
  need ${cross}gcc; need make; need bc; need flex; need bison
  local version key src obj
  version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || stat -c %Y "$tarball")
  # Bump kernel_recipe when the way the kernel is configured or built changes.
  local kernel_recipe="allnoconfig + fragment, make Image, gcc ${cross}, v1"
  key=$( (echo "$version"; echo "$kernel_recipe"; cat "$fragment") | sha256sum | cut -c1-16)
  obj=$out/kernel-$key
  if [ -f "$obj/arch/riscv/boot/Image" ]; then
    ln -sfn "kernel-$key/arch/riscv/boot/Image" "$out/Image"
    log "kernel up to date ($out/Image, key $key)"
    return
  fi
  src=$out/linux-source-$version
  if [ ! -f "$src/.extracted" ]; then
    log "extracting $tarball (about a minute)"
    rm -rf "$src" "$out/linux-source-6.1"
    tar -C "$out" -xf "$tarball"
    mv "$out/linux-source-6.1" "$src"
    touch "$src/.extracted"
  fi
  local cc=${cross}gcc
  command -v ccache >/dev/null && cc="ccache ${cross}gcc"
  # Reproducible: the same sources give the same objects, so ccache hits.
  export KBUILD_BUILD_TIMESTAMP="linux-source $version" KBUILD_BUILD_USER=vp KBUILD_BUILD_HOST=vp
  local mk=(make -C "$src" O="$obj" ARCH=riscv CROSS_COMPILE=$cross CC="$cc" -j"$jobs")
  mkdir -p "$obj"
  log "configuring (allnoconfig + $(basename "$fragment")) in $obj"
  "${mk[@]}" -s KCONFIG_ALLCONFIG="$fragment" allnoconfig
  # A symbol Kconfig could not set (an unmet dependency) is an error, by name.
  local missing=()
  while IFS= read -r line; do
    case "$line" in CONFIG_*=*) grep -qxF "$line" "$obj/.config" || missing+=("$line") ;; esac
  done < "$fragment"
  if [ ${#missing[@]} -gt 0 ]; then
    echo "build-linux: $fragment: not set after configuration: ${missing[*]}" >&2
    exit 1
  fi
  log "building the kernel with $jobs jobs (about 10 minutes on 2 cores; cached afterwards)"
  local t0=$SECONDS
  "${mk[@]}" -s Image
  log "kernel built in $((SECONDS - t0)) s"
  ln -sfn "kernel-$key/arch/riscv/boot/Image" "$out/Image"
}

build_rootfs() {
  need ${cross}gcc; need mke2fs
  [ -f /usr/riscv64-linux-gnu/lib/libc.a ] || {
    echo "build-linux: static C library for riscv64 missing: run scripts/install-deps.sh linux" >&2; exit 1; }
  local key dir
  key=$(hash_of "$0" "$userland"/*)
  if [ -f "$out/rootfs-$key.ext4" ]; then
    ln -sfn "rootfs-$key.ext4" "$out/rootfs.ext4"
    log "root image up to date ($out/rootfs.ext4, key $key)"
    return
  fi
  dir=$out/rootfs-$key.d
  rm -rf "$dir"
  mkdir -p "$dir"/{bin,sbin,dev,proc,sys,tmp,etc,root}
  local cflags=(-static -Os -Wall -Wextra -Werror)
  ${cross}gcc "${cflags[@]}" -o "$dir/sbin/init" "$userland/init.c"
  ${cross}gcc "${cflags[@]}" -o "$dir/bin/sh" "$userland/sh.c"
  ${cross}strip "$dir/sbin/init" "$dir/bin/sh"
  printf 'vp Linux guest: static init and shell from scripts/linux/\n' > "$dir/etc/motd"
  # Owned by root whoever builds it; 32 MiB leaves room for the tests' files.
  rm -f "$out/rootfs-$key.ext4.tmp"
  mke2fs -q -t ext4 -L vproot -E root_owner=0:0 -d "$dir" "$out/rootfs-$key.ext4.tmp" 32M
  mv "$out/rootfs-$key.ext4.tmp" "$out/rootfs-$key.ext4"
  rm -rf "$dir"
  ln -sfn "rootfs-$key.ext4" "$out/rootfs.ext4"
  find "$out" -maxdepth 1 -name 'rootfs-*.ext4' ! -name "rootfs-$key.ext4" -delete  # older keys
  log "root image built ($out/rootfs.ext4)"
}

case "$parts" in
  all) build_kernel; build_rootfs ;;
  kernel) build_kernel ;;
  rootfs) build_rootfs ;;
esac
