#!/usr/bin/env python3
"""Runs one program on one platform (in this process: one SystemC elaboration)
and writes its final architectural state as JSON: exit code, instructions,
pc, x registers and a SHA-256 of the first 4 MiB of RAM. The program's console
(HTIF) output goes to stdout.
usage: final_state.py PLATFORM ELF OUT_JSON MAX_INSTRUCTIONS [key=value ...]"""
import hashlib
import json
import sys

import vp

platform, elf, out, limit = sys.argv[1:5]
overrides = dict(kv.split("=", 1) for kv in sys.argv[5:])
sim = vp.Simulator(vp.Platform.from_yaml(platform, overrides=overrides))
sim.load(kernel=elf)
r = sim.run(max_instructions=int(limit))
sys.stdout.flush()
state = {
    "kind": r.kind,
    "exit_code": r.exit_code,
    "instructions": r.instructions,
    "pc": sim.pc(),
    "regs": sim.regs(),
    "ram_sha256": hashlib.sha256(sim.read_memory(0x80000000, 4 << 20)).hexdigest(),
}
with open(out, "w") as f:
    json.dump(state, f)
