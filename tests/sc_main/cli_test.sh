#!/usr/bin/env bash
# vp's command line on configs/virt.yaml: info, dtb (decoded by dtc), errors, help.
set -u
vp=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/../support/checks.sh"

"$vp" --help > "$tmp/help" 2>&1
check "help exits 0" test $? -eq 0
check "help lists run" contains "$tmp/help" "^  run +Build a platform"
check "help lists info" contains "$tmp/help" "^  info +Print"
check "help lists dtb" contains "$tmp/help" "^  dtb +Write"
"$vp" --version > "$tmp/version" 2>&1
check "version exits 0" test $? -eq 0
version=$(sed -n 's/^project(vp VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
check "version is the project's ($version)" contains "$tmp/version" "^vp ${version//./\\.}\$"
"$vp" run --help > "$tmp/runhelp" 2>&1
check "run help names --kernel" contains "$tmp/runhelp" "--kernel"
check "run help names --max-instructions" contains "$tmp/runhelp" "--max-instructions"

"$vp" info "$src/configs/virt.yaml" > "$tmp/info" 2>&1
check "info exits 0" test $? -eq 0
check "info: ROM at 0x1000"      contains "$tmp/info" "0x0000001000-0x000000ffff +60KiB +rom"
check "info: test at 0x100000"   contains "$tmp/info" "0x0000100000-0x0000100fff +4KiB +test"
check "info: CLINT at 0x2000000" contains "$tmp/info" "0x0002000000-0x000200ffff +64KiB +clint"
check "info: PLIC at 0xc000000"  contains "$tmp/info" "0x000c000000-0x000fffffff +64MiB +plic"
check "info: UART at 0x10000000" contains "$tmp/info" "0x0010000000-0x00100000ff +256B +uart0"
check "info: RAM at 0x80000000"  contains "$tmp/info" "0x0080000000-0x008fffffff +256MiB +ram"
check "info: virtio-mmio slot 0" contains "$tmp/info" "0x0010001000-0x0010001fff +4KiB +virtio0"
check "info: virtio-mmio slot 7" contains "$tmp/info" "0x0010008000-0x0010008fff +4KiB +virtio7"
check "info: virtio IRQ 1..8"    contains "$tmp/info" "virtio7.irq +-> plic.8"
check "info: UART IRQ 10"        contains "$tmp/info" "uart0.irq +-> plic.10"
check "info: timer to hart"      contains "$tmp/info" "clint.mtip\[0\] +-> cpu0.mtip"

"$vp" dtb "$src/configs/virt.yaml" -o "$tmp/virt.dtb" --append "console=ttyS0" > "$tmp/dtb.log" 2>&1
check "dtb exits 0" test $? -eq 0
if command -v dtc > /dev/null; then
  dtc -I dtb -O dts -o "$tmp/virt.dts" "$tmp/virt.dtb" 2> "$tmp/dtc.log"
  check "dtc decodes the dtb" test $? -eq 0
  check "dts: cpu node"     contains "$tmp/virt.dts" "cpu@0 \{"
  check "dts: riscv,isa"    contains "$tmp/virt.dts" "riscv,isa = \"rv64imafdc"
  check "dts: memory node"  contains "$tmp/virt.dts" "memory@80000000"
  check "dts: uart node"    contains "$tmp/virt.dts" "serial@10000000"
  check "dts: uart irq 10"  contains "$tmp/virt.dts" "interrupts = <0x0a>"
  check "dts: virtio slot"  contains "$tmp/virt.dts" "virtio_mmio@10008000"
  check "dts: plic"         contains "$tmp/virt.dts" "plic@c000000"
  check "dts: clint"        contains "$tmp/virt.dts" "clint@2000000"
  check "dts: bootargs"     contains "$tmp/virt.dts" "bootargs = \"console=ttyS0\""
  check "dts: stdout-path"  contains "$tmp/virt.dts" "stdout-path = \"/soc/serial@10000000\""
  check "dts: poweroff"     contains "$tmp/virt.dts" "syscon-poweroff"
else
  echo "FAIL dtc is not installed (apt-get install device-tree-compiler)"; failures=$((failures + 1))
fi

# Errors: file:line:column, non-zero exit, nothing built.
printf 'components:\n  ram: { type: mem.ram, size: 1MiB, sise: 2 }\n' > "$tmp/bad.yaml"
"$vp" info "$tmp/bad.yaml" > "$tmp/bad.log" 2>&1
check "bad property exits 2" test $? -eq 2
check "bad property message" contains "$tmp/bad.log" "bad.yaml:2:37: error: unknown property 'sise' for ram \(type mem.ram\) \(did you mean 'size'\?\)"
"$vp" info "$src/configs/virt.yaml" --set uart0.consol=null > "$tmp/set.log" 2>&1
check "bad --set exits 2" test $? -eq 2
check "bad --set message" contains "$tmp/set.log" "--set uart0.consol=null: error: unknown property 'consol'.*did you mean 'console'"
"$vp" run "$src/configs/virt.yaml" --kernel /nonexistent.elf > "$tmp/nofile.log" 2>&1
check "missing kernel exits 2" test $? -eq 2
check "missing kernel message" contains "$tmp/nofile.log" "/nonexistent.elf: cannot open"
"$vp" run "$src/configs/virt.yaml" --max-time 10parsecs > "$tmp/t.log" 2>&1
check "bad --max-time exits 2" test $? -eq 2
"$vp" run "$src/configs/virt.yaml" --load "$tmp/bad.yaml@0x90000000" > "$tmp/load.log" 2>&1
check "--load outside memory exits 2" test $? -eq 2
check "--load outside memory message" contains "$tmp/load.log" "do not fit in mapped memory"
"$vp" run "$src/configs/virt.yaml" --load "$tmp/bad.yaml" > "$tmp/load2.log" 2>&1
check "--load without address exits 2" test $? -eq 2
# --smp N: the count of the platform's processor array (docs/platform.md).
"$vp" info "$src/configs/virt.yaml" --smp 3 > "$tmp/smp3.log" 2>&1
check "--smp 3 exits 0" test $? -eq 0
check "--smp 3: a third hart" contains "$tmp/smp3.log" "^  cpu2 +riscv.hart"
check "--smp 3: no fourth" bash -c "! grep -q '^  cpu3 ' '$tmp/smp3.log'"
check "--smp 3: its own msip"  contains "$tmp/smp3.log" "clint.msip\[2\] +-> cpu2.msip"
check "--smp 3: its S context" contains "$tmp/smp3.log" "plic.ctx\[5\] +-> cpu2.seip"
"$vp" info "$src/configs/virt.yaml" --smp 0 > "$tmp/smp0.log" 2>&1
check "--smp 0 exits 2" test $? -eq 2
printf 'components:\n  cpu0: { type: riscv.hart }\n  ram: { type: mem.ram, size: 1MiB }\nbind:\n  - cpu0.mem -> ram\n' > "$tmp/one.yaml"
"$vp" info "$tmp/one.yaml" --smp 2 > "$tmp/smp1.log" 2>&1
check "--smp without a hart array exits 2" test $? -eq 2
check "--smp without a hart array message" contains "$tmp/smp1.log" "--smp 2: error: the platform has no processor array.*cpu0"
"$vp" frobnicate > "$tmp/sub.log" 2>&1
check "unknown subcommand fails" test $? -ne 0

echo "$((failures == 0 ? 1 : 0)) passed, $failures failed" | sed 's/^1 passed, 0 failed$/cli: all checks passed/'
exit $((failures > 0))
