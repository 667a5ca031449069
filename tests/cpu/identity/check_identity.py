#!/usr/bin/env python3
"""Timing never changes architectural results: runs a program in functional
mode and in pipeline mode with every backend and preset (in-order
virt-pipeline, embedded-core, out-of-order p550-like and m1-like) and compares
the exit code, the console output, the instruction count, the final pc, the x
registers and the first 4 MiB of RAM. Programs whose behaviour depends on time
(timer interrupts) are compared by exit code and console output only (--loose).
usage: check_identity.py PYTHON SOURCE_DIR ELF WORK_DIR MAX_INSTRUCTIONS [--loose] [key=value ...]"""
import json
import os
import subprocess
import sys

python, src, elf, work, limit = sys.argv[1:6]
rest = sys.argv[6:]
loose = "--loose" in rest
overrides = [a for a in rest if a != "--loose"]
here = os.path.dirname(os.path.abspath(__file__))
name = os.path.splitext(os.path.basename(elf))[0]
configs = {
    "functional": os.path.join(src, "configs", "virt.yaml"),
    "inorder": os.path.join(src, "configs", "virt-pipeline.yaml"),
    "embedded": os.path.join(src, "configs", "presets", "embedded-core.yaml"),
    "o3-p550": os.path.join(src, "configs", "presets", "p550-like.yaml"),
    "o3-m1": os.path.join(src, "configs", "presets", "m1-like.yaml"),
}


def final_state(tag, cfg):
    out = os.path.join(work, f"identity.{name}.{tag}.json")
    p = subprocess.run([python, os.path.join(here, "final_state.py"), cfg, elf, out, limit] + overrides,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        print(p.stderr)
        sys.exit(f"{tag}: the simulation failed (exit {p.returncode})")
    with open(out) as f:
        s = json.load(f)
    s["console"] = p.stdout
    return s


ref = final_state("functional", configs["functional"])
print(f"functional: {ref['kind']} {ref['exit_code']}, {ref['instructions']} instructions, pc {ref['pc']:#x}")
fields = ["kind", "exit_code", "console"] + ([] if loose else ["instructions", "pc", "regs", "ram_sha256"])
failed = False
for tag in ["inorder", "embedded", "o3-p550", "o3-m1"]:
    s = final_state(tag, configs[tag])
    diff = [k for k in fields if s[k] != ref[k]]
    print(("ok   " if not diff else "FAIL ") + f"{tag}: " +
          ("same " + ", ".join(fields) if not diff else "differs in " + ", ".join(diff)))
    for k in diff:
        print(f"     {k}: functional {ref[k]!r}\n     {k}: {tag} {s[k]!r}")
    failed = failed or bool(diff)
sys.exit(1 if failed else 0)
