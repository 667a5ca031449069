"""Mailbox CALL targets for tests/rtl/firmware/mbox_call.c, registered from the
interpreter embedded in the SystemVerilog testbench (rtl/vp_python_dpi.c)."""
import vp

vp.mailbox.register("py_sum", lambda *args: sum(args))
vp.mailbox.register("py_negate", lambda x: -x, id=42)


def py_upper(src, dst):
    mem = vp.mailbox.current()
    text = mem.read(src, 32).split(b"\0")[0]
    mem.write(dst, text.upper() + b"\0")
    return len(text)


def py_refuses():
    raise vp.mailbox.MailboxError(vp.mailbox.BAD_ARGUMENT, "no")


vp.mailbox.register("py_upper", py_upper)
vp.mailbox.register("py_refuses", py_refuses)
vp.mailbox.register("py_raises", lambda: 1 // 0)
vp.mailbox.register("py_inc", lambda x: x + 1)
print("calls.py: registered", sorted(vp.mailbox.registered()))
