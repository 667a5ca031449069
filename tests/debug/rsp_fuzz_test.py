#!/usr/bin/env python3
"""Protocol fuzz of vp's GDB stub (issue 18): random bytes, random packets of
every command with garbage arguments, truncated and corrupt packets, oversized
ones. vp must answer every complete packet, never crash or hang, and still
work afterwards. A fixed count of items from a fixed seed (bounded by work).

usage: rsp_fuzz_test.py VP SOURCE_DIR BUILD_DIR [ITEMS] [SEED]
"""
import os
import random
import re
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
from debug_util import QUIET_UART, VIRT, Rsp, VpWithGdb, check, elf, finish, symbol  # noqa: E402

ELF = elf("gdb_target")
ITEMS = int(sys.argv[4]) if len(sys.argv) > 4 else 3000
rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 18)

PREFIXES = ["g", "G", "p", "P", "m", "M", "X", "Z0,", "z0,", "Z1,", "Z2,", "Z3,", "Z4,", "z2,", "Z9,", "Hg", "Hc",
            "T", "q", "Q", "v", "vCont;", "vCont?", "vCont;s:", "vCont;c:", "qXfer:features:read:target.xml:",
            "qXfer:threads:read::", "qXfer:x:read:", "qRcmd,", "?", "s", "c", "C05;", "S05;", "qSupported:",
            "QStartNoAckMode", "qThreadExtraInfo,", "qAttached", "qC", "vMustReplyEmpty", "x", "!", "R00", "b"]
ALPHABET = "0123456789abcdefABCDEF,:;=-xX}*$#\x03+ .@" + "\x00\x7f\xff"


def arg():
    kind = rng.randrange(6)
    if kind == 0:
        return "%x" % rng.getrandbits(rng.choice([4, 16, 32, 64, 70]))
    if kind == 1:
        return "%x,%x" % (rng.getrandbits(64), rng.choice([0, 1, 4, 8, 0x1000, 0xffffffff, rng.getrandbits(64)]))
    if kind == 2:
        return "%x,%x:%s" % (rng.getrandbits(40), rng.randrange(64), "".join(rng.choice("0123456789abcdef")
                                                                              for _ in range(rng.randrange(130))))
    if kind == 3:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(60)))
    if kind == 4:
        return rng.choice(["-1", "0", "1", "2", "ffffffff", ""]) + rng.choice(["", ";c", ";s:1", ":1", ",0,100"])
    return (b"status" if rng.random() < 0.5 else os.urandom(rng.randrange(20))).hex()


def item(r):
    """One fuzz item; returns True when it may have resumed the target."""
    kind = rng.randrange(10)
    if kind == 0:  # random bytes
        r.send_raw(bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 300))))
        return True
    if kind == 1:  # truncated packet
        r.send_raw(Rsp.frame(rng.choice(PREFIXES) + arg())[:-rng.randrange(1, 4)])
        return False
    if kind == 2:  # corrupt checksum
        p = Rsp.frame(rng.choice(PREFIXES) + arg())
        r.send_raw(p[:-2] + b"zz")
        return False
    if kind == 3:  # oversized
        r.send_raw(b"$" + bytes(rng.choice(b"0123456789abcdef") for _ in range(rng.choice([0x4100, 70000]))) + b"#00")
        return False
    payload = rng.choice(PREFIXES) + arg()
    payload = payload.replace("quit", "stat")  # ending the run is not what this test is about
    if payload.startswith(("k", "D", "vKill")):
        payload = "?"
    r.send_raw(Rsp.frame(payload.encode("latin-1", "replace")))
    return payload[:1] in ("c", "s", "C", "S") or payload.startswith("vCont;")


XML = ""  # the start of the target description, read once: the probe's answer
probes = 0


def sync(r):
    """Stops the target if it runs and waits for the answer to a probe packet;
    False when the guest ended (random writes can do that: a clean end).
    Replies before the probe's are skipped: a random '-' makes the stub send
    its last packet again, and a fuzz packet may be qC itself. The probe asks
    for a prefix of the target description whose length changes every time,
    so no earlier reply can pass for its answer."""
    global probes
    probes += 1
    k = 8 + probes % 40
    r.send_raw(b"\x03")
    r.send_raw(Rsp.frame(f"qXfer:features:read:target.xml:0,{k:x}"))
    while True:
        p = r.read_packet()
        if p == "m" + XML[:k]:
            return True
        if re.fullmatch(r"W[0-9a-f]{2}", p):
            return False


loop_forever = symbol(ELF, "loop_forever")
vp = VpWithGdb([VIRT, "--kernel", ELF] + QUIET_UART)
ended = False
try:
    r = Rsp(vp.port, timeout=60)
    sent = []  # the last items, for a failure message
    real_send = r.send_raw

    def send(data):
        sent.append(data[:120])
        del sent[:-4]
        real_send(data)
    r.send_raw = send
    n = 0
    r.command(f"M{loop_forever:x},4:01000000")
    XML = r.command("qXfer:features:read:target.xml:0,40")[1:]
    check("the target description starts as XML", XML.startswith("<?xml"), XML)
    for n in range(ITEMS):
        item(r)
        if not sync(r):
            ended = True
            break
    check(f"{ITEMS} fuzz items answered (or the guest ended cleanly)", True)
    if not ended and sync(r):
        regs = r.command("g")
        check("still answers registers", len(regs) == 65 * 16, regs)
        check("still answers memory", r.command(f"m{loop_forever:x},4") not in ("", "E01"))
        r.command("vKill;1")
    r.close()
    rc, _, err = vp.wait(timeout=120)
    sanitizer = "Sanitizer" in err or "runtime error:" in err
    check("vp ended with a documented code, not a crash", 0 <= rc < 256 and not sanitizer, f"rc {rc}\n" + err[-3000:])
except (socket.timeout, ConnectionError) as e:
    check("the stub kept answering", False, f"{e} at item {n}; the last bytes sent: {sent}\n{vp.err}")
finally:
    vp.kill()
finish()
