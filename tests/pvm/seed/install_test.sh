#!/usr/bin/env bash
# The seed-API programs against the INSTALLED libpvm: `cmake --install --component pvm` into a
# fresh prefix, then each of seed003_polkavm_ffi_test.c and seed004_pvm_vm_test.c compiled with
# `-std=c99 -Wall -Wextra -Werror` using only the installed headers and pvm.pc (pkg-config
# limited to the installed tree), linked with the installed shared library, and run on the
# vectors (both backends). seed003 is also linked statically (libpvm.a and pvm.pc's
# Libs.private).
# usage: install_test.sh CMAKE BUILD_DIR SEED_SRC_DIR VECTORS_TXT WORK_DIR CC
set -u
. "$(dirname "$0")/../../support/checks.sh"
cmake=$1 build=$2 seed=$3 vectors=$4 work=$5 cc=$6
rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix
check "cmake --install --component pvm into $prefix" \
  "$cmake" --install "$build" --component pvm --prefix "$prefix"
pc=$(find "$prefix" -name pvm.pc | head -1)
check "pvm.pc installed" test -n "$pc"
[ -n "$pc" ] || exit 1
# Only the installed tree: no PKG_CONFIG_PATH (nothing from the build tree), the .pc's folder as the libdir.
export PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$(dirname "$pc")
cflags=$(pkg-config --cflags pvm) libs=$(pkg-config --libs pvm)
incdir=$(pkg-config --variable=includedir pvm) libdir=$(pkg-config --variable=libdir pvm)
check "pvm.pc: includedir holds pvm.h, polkavm_ffi.h, pvm_vm.h" \
  test -f "$incdir/pvm.h" -a -f "$incdir/polkavm_ffi.h" -a -f "$incdir/pvm_vm.h"
check "pvm.pc: libdir holds libpvm.so and libpvm.a" test -e "$libdir/libpvm.so" -a -f "$libdir/libpvm.a"
inside() { case "$(realpath "$1")" in "$(realpath "$prefix")"/*) return 0 ;; esac; return 1; }
check "pvm.pc: includedir inside the prefix" inside "$incdir"
check "pvm.pc: libdir inside the prefix" inside "$libdir"
for t in seed003_polkavm_ffi seed004_pvm_vm; do
  exe=$work/$t
  # -I$seed gives seed_common.h only (the test folder holds no libpvm header).
  check "$t: compiles with -std=c99 -Wall -Wextra -Werror against the installed headers" \
    "$cc" -std=c99 -Wall -Wextra -Werror $cflags -I"$seed" -o "$exe" "$seed/${t}_test.c" $libs -Wl,-rpath,"$libdir" -lpthread
  check "$t: links the installed library" bash -c "ldd '$exe' | grep -q '$libdir/libpvm.so'"
  check "$t: passes (vectors on both backends, every seed function)" "$exe" "$vectors"
done
static_libs=$(pkg-config --static --libs-only-l pvm | sed 's/-lpvm//')
check "seed003_polkavm_ffi: links libpvm.a statically (pvm.pc Libs.private)" \
  "$cc" -std=c99 -Wall -Wextra -Werror $cflags -I"$seed" -o "$work/seed003_static" "$seed/seed003_polkavm_ffi_test.c" \
  -L"$libdir" -Wl,-Bstatic -lpvm -Wl,-Bdynamic $static_libs -lpthread
check "seed003_polkavm_ffi (static): passes" "$work/seed003_static" "$vectors"
exit "$failures"
