#!/usr/bin/env python3
"""Converts the JAM PVM test vectors (JSON) into a line-based text file that the C99 seed-API
tests read with fscanf (C has no JSON parser). The program blob (GP A.2) is also split into
code, bitmask and jump table, for the pvm_vm_* API that takes them separately.

usage: vectors_to_text.py VECTOR_DIR OUTPUT
"""
import glob
import json
import os
import sys


def natural(b, i):
    """GP C.6 natural-number decoding: returns (value, next index)."""
    x = b[i]
    n = 0
    while n < 8 and x & (0x80 >> n):
        n += 1
    if n == 8:
        return int.from_bytes(b[i + 1:i + 9], "little"), i + 9
    high = x & ((1 << (7 - n)) - 1)
    return (high << (8 * n)) + int.from_bytes(b[i + 1:i + 1 + n], "little"), i + 1 + n


def deblob(p):
    """GP A.2: E(|j|) E1(z) E(|c|) E_z(j) E(c) E(k) -> (code, packed bitmask, jump table)."""
    jn, i = natural(p, 0)
    z = p[i]
    i += 1
    cn, i = natural(p, i)
    jumps = [int.from_bytes(p[i + z * k:i + z * (k + 1)], "little") for k in range(jn)]
    i += z * jn
    code = p[i:i + cn]
    bitmask = p[i + cn:]
    return code, bitmask, jumps


def hexs(b):
    return bytes(b).hex() if b else "-"


def main():
    src, out = sys.argv[1], sys.argv[2]
    files = sorted(glob.glob(os.path.join(src, "*.json")))
    if not files:
        sys.exit("no vectors in " + src)
    lines = []
    for f in files:
        v = json.load(open(f))
        prog = bytes(v["program"])
        code, bitmask, jumps = deblob(prog)
        lines.append("vector %s" % v["name"])
        lines.append("regs " + " ".join(str(r) for r in v["initial-regs"]))
        lines.append("pc %d gas %d" % (v["initial-pc"], v["initial-gas"]))
        lines.append("pages %d" % len(v["initial-page-map"]))
        for p in v["initial-page-map"]:
            lines.append("%d %d %d" % (p["address"], p["length"], 1 if p["is-writable"] else 0))
        lines.append("mem %d" % len(v["initial-memory"]))
        for m in v["initial-memory"]:
            lines.append("%d %d %s" % (m["address"], len(m["contents"]), hexs(m["contents"])))
        lines.append("blob %d %s" % (len(prog), hexs(prog)))
        lines.append("code %d %s" % (len(code), hexs(code)))
        lines.append("bitmask %d %s" % (len(bitmask), hexs(bitmask)))
        lines.append("jumps %d %s" % (len(jumps), " ".join(str(j) for j in jumps)))
        lines.append("expect %s pc %d gas %d fault %d" % (v["expected-status"], v["expected-pc"], v["expected-gas"],
                                                         v.get("expected-page-fault-address", 0)))
        lines.append("regs " + " ".join(str(r) for r in v["expected-regs"]))
        lines.append("mem %d" % len(v["expected-memory"]))
        for m in v["expected-memory"]:
            lines.append("%d %d %s" % (m["address"], len(m["contents"]), hexs(m["contents"])))
    lines.append("count %d" % len(files))
    with open(out, "w") as o:
        o.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
