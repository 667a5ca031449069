#!/usr/bin/env bash
# The SDK as a user outside vp sees it (issue 11): install vp, build an outside
# project with one C++ device plugin and one Verilated RTL plugin against the
# installed package, run firmware on the installed `vp` with a platform file that
# loads them (vp is not rebuilt), and check the errors for bad plugins.
# usage: external_test.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../support/checks.sh"
run_logged() {  # run_logged LOG COMMAND...: the command's status; its output in LOG
  local log=$1; shift
  "$@" > "$log" 2>&1
}

run_logged "$tmp/install.log" cmake --install "$build" --prefix "$tmp/prefix"
check "cmake --install" test $? -eq 0
for f in bin/vp lib/libvp.so lib/cmake/vp/vpConfig.cmake lib/cmake/vp/vpConfigVersion.cmake \
         include/vp/platform/component.h include/vp/platform/plugin.h include/vp/platform/version.h \
         include/vp/models/devices/mmio_target.h include/pvm.h share/vp/configs/virt.yaml share/vp/docs/components.md; do
  check "installed $f" test -e "$tmp/prefix/$f"
done

run_logged "$tmp/configure.log" cmake -S "$src/tests/sdk/external" -B "$tmp/ext" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$tmp/prefix"
check "external project configures against the installed SDK" test $? -eq 0 || cat "$tmp/configure.log"
run_logged "$tmp/build.log" cmake --build "$tmp/ext" -j 2
check "external plugins build" test $? -eq 0 || tail -40 "$tmp/build.log"

riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -nostdlib -nostartfiles -static -Wl,--no-warn-rwx-segments \
    -Ttext=0x80000000 -o "$tmp/fw.elf" "$src/tests/sdk/firmware.S"
check "firmware builds" test $? -eq 0

vp="$tmp/prefix/bin/vp"
run_logged "$tmp/run.log" "$vp" run "$tmp/ext/platform.yaml" --kernel "$tmp/fw.elf" --max-instructions 1000000
status=$?
check "firmware drives both plugin devices (exit $status)" test $status -eq 0 || cat "$tmp/run.log"
check "run ended by the finisher" contains "$tmp/run.log" "test finisher: pass"

run_logged "$tmp/types.log" "$vp" types --platform "$tmp/ext/platform.yaml"
check "vp types lists the C++ plugin type with its origin" contains "$tmp/types.log" \
    "dev.scratch_counter +scratch counter \(an external C\+\+ plugin\) +\[.*libscratch_counter.so\]"
check "vp types lists the RTL plugin type" contains "$tmp/types.log" "rtl.adder +adder .*libvp_rtl_adder.so\]"
run_logged "$tmp/type.log" "$vp" types dev.scratch_counter --plugin "$tmp/ext/libscratch_counter.so"
check "vp types TYPE shows the plugin's properties" contains "$tmp/type.log" "step +integer +1 +Added to VALUE"

run_logged "$tmp/abi.log" "$vp" run "$tmp/ext/wrong_abi.yaml" --max-instructions 10
status=$?
check "a plugin of another SDK version is refused (exit $status)" test $status -eq 2
check "wrong ABI message" contains "$tmp/abi.log" \
    "wrong_abi.yaml:2:12: error: plugin .*libwrong_abi.so was built against vp SDK 0.0.1 \(plugin ABI [0-9]+\), but this is vp [0-9.]+ \(plugin ABI [0-9]+\): rebuild it against this SDK"

printf 'include: [ %s ]\nplugins: [ libnothere.so ]\n' "$tmp/prefix/share/vp/configs/virt.yaml" > "$tmp/missing.yaml"
run_logged "$tmp/missing.log" "$vp" info "$tmp/missing.yaml"
check "missing plugin exits 2" test $? -eq 2
check "missing plugin: located error" contains "$tmp/missing.log" "missing.yaml:2:12: error: plugin 'libnothere.so' not found"
printf 'include: [ %s ]\nplugins: [ %s ]\n' "$tmp/prefix/share/vp/configs/virt.yaml" "$tmp/prefix/lib/libpvm.so" > "$tmp/notplugin.yaml"
run_logged "$tmp/notplugin.log" "$vp" info "$tmp/notplugin.yaml"
check "a library that is no plugin exits 2" test $? -eq 2
check "not a plugin: message" contains "$tmp/notplugin.log" "notplugin.yaml:2:12: error: .*libpvm.so is not a vp plugin"
printf 'garbage' > "$tmp/broken.so"
printf 'include: [ %s ]\nplugins: [ broken.so ]\n' "$tmp/prefix/share/vp/configs/virt.yaml" > "$tmp/broken.yaml"
run_logged "$tmp/broken.log" "$vp" info "$tmp/broken.yaml"
check "a broken plugin file exits 2" test $? -eq 2
check "broken plugin: message" contains "$tmp/broken.log" "broken.yaml:2:12: error: cannot load plugin .*broken.so"

echo "sdk: $failures failed"
exit $((failures > 0))
