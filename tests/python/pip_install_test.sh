#!/usr/bin/env bash
# `pip install --no-build-isolation .` into a fresh virtual environment (issue 11):
# the package lands in the venv with its extension and libraries, imports
# without PYTHONPATH from any folder, and runs a guest to its exit code.
# VP_BUILD_DIR points setup.py at this build tree, so the test does not rebuild
# vp (a plain `pip install .` builds it from scratch in build-pip/).
# usage: pip_install_test.sh PYTHON SOURCE_DIR BUILD_DIR
set -eu
python=$1
src=$2
build=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$python" -m venv --system-site-packages "$tmp/venv"
cd "$src"
if ! VP_BUILD_DIR="$build" "$tmp/venv/bin/python" -m pip install --no-build-isolation --no-index --no-deps \
       -q . > "$tmp/pip.log" 2>&1; then
  cat "$tmp/pip.log"
  echo "FAIL pip install"
  exit 1
fi
cd "$tmp"
env -u PYTHONPATH VIRT="$src/configs/virt.yaml" "$tmp/venv/bin/python" - <<'PY'
import os
import sys

import vp
from vp import asm

venv = os.path.realpath(sys.prefix)
where = os.path.realpath(vp.__file__)
assert where.startswith(venv + os.sep), f"vp imported from {where}, not from the venv {venv}"
sim = vp.Simulator(vp.Platform.from_yaml(os.environ["VIRT"], overrides={"uart0.console": None}))
sim.load(kernel=asm.assemble(asm.exit_code(7)).image)
result = sim.run()
assert (result.kind, result.exit_code) == ("exit", 7), result
print("pip install: vp", vp.__file__, "ran a guest to exit code 7")
PY
