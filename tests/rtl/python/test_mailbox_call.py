"""Mailbox CALLs from firmware on the hart reach Python functions registered
with vp.mailbox.register; their results reach the firmware
(tests/rtl/firmware/mbox_call.c, on configs/rtl-crc32.yaml)."""
import os

import pytest

import vp

REPO = os.environ.get("VP_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CONFIG = os.path.join(REPO, "configs", "rtl-crc32.yaml")
ELF = os.environ.get("VP_MBOX_CALL_ELF", "")


def _firmware_run():
    seen = []

    @vp.mailbox.register("py_sum")
    def py_sum(*args):
        seen.append(("py_sum", args))
        return sum(args)

    vp.mailbox.register("py_negate", lambda x: -x, id=42)

    def py_upper(src, dst):
        mem = vp.mailbox.current()
        text = mem.read(src, 32).split(b"\0")[0]
        mem.write(dst, text.upper() + b"\0")
        seen.append(("py_upper", text))
        return len(text)

    vp.mailbox.register("py_upper", py_upper)

    def py_refuses():
        raise vp.mailbox.MailboxError(vp.mailbox.BAD_ARGUMENT, "no")

    vp.mailbox.register("py_refuses", py_refuses)
    vp.mailbox.register("py_raises", lambda: 1 // 0)
    vp.mailbox.register("py_inc", lambda x: x + 1)
    assert vp.mailbox.registered()["py_negate"] == 42

    sim = vp.Simulator(vp.Platform.from_yaml(CONFIG, overrides={"uart0.console": None}))
    sim.load(kernel=ELF)
    r = sim.run(max_instructions=10_000_000)
    return r.kind, r.exit_code, seen


@pytest.mark.skipif(not ELF, reason="VP_MBOX_CALL_ELF not set (riscv64-unknown-elf-gcc missing)")
def test_firmware_calls_reach_python():
    kind, code, seen = vp.run_isolated(_firmware_run)
    assert (kind, code) == ("exit", 0), f"firmware check {code} failed"
    assert seen == [("py_sum", (1, 20, 300)), ("py_upper", b"hello, python")]


def test_registry():
    with pytest.raises(ValueError):
        vp.mailbox.register("", print)
    with pytest.raises(ValueError):
        vp.mailbox.register("x" * 64, print)
    with pytest.raises(TypeError):
        vp.mailbox.register("not_callable", 3)
    vp.mailbox.register("a", print, id=1)
    with pytest.raises(ValueError, match="already used by 'a'"):
        vp.mailbox.register("b", print, id=1)
    vp.mailbox.register("a", len)  # replaced, without a number now
    assert vp.mailbox.registered() == {"a": None}
    assert vp.mailbox.unregister("a") and not vp.mailbox.unregister("a")
    with pytest.raises(RuntimeError, match="only available inside a mailbox callback"):
        vp.mailbox.current()
    vp.mailbox.clear()
    assert vp.mailbox.registered() == {}
