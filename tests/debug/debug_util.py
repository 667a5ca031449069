"""Helpers shared by the debugging test drivers (python3 TEST.py VP SRC BUILD ...)."""
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time

VP, SRC, BUILD = sys.argv[1], sys.argv[2], sys.argv[3]
VIRT = os.path.join(SRC, "configs", "virt.yaml")
SMP2 = os.path.join(SRC, "tests", "debug", "smp2.yaml")
QUIET_UART = ["--set", "uart0.console=null"]
failures = 0


def elf(name):
    return os.path.join(BUILD, name + ".elf")


def check(name, cond, detail=""):
    """Records one check; prints the detail when it fails."""
    global failures
    print(("ok   " if cond else "FAIL ") + name, flush=True)
    if not cond:
        failures += 1
        print("    " + str(detail).replace("\n", "\n    "), flush=True)
    return cond


def finish():
    print(f"{failures} failure(s)")
    sys.exit(1 if failures else 0)


def symbol(elf_path, name):
    """A symbol's address from the ELF file (binutils nm)."""
    out = subprocess.run(["riscv64-unknown-elf-nm", elf_path], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    raise KeyError(name)


def run_vp(args, stdin=None, timeout=120):
    p = subprocess.run([VP, "run"] + args, capture_output=True, text=True, input=stdin, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


class VpWithGdb:
    """vp run ... --gdb 0 in the background; .port once it listens. A thread
    drains stderr (a select on a buffered pipe can miss lines already read)."""

    def __init__(self, args, wait=True):
        cmd = [VP, "run"] + args + ["--gdb", "0"] + (["--gdb-wait"] if wait else [])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self._lines = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self.port = None
        with self._cond:
            # The timeout only guards against a vp that never listens.
            self._cond.wait_for(lambda: self._port() is not None or self._eof, timeout=120)
            self.port = self._port()
        if self.port is None:
            self.kill()
            raise RuntimeError("vp did not start its GDB server:\n" + self.err)

    _eof = False

    def _drain(self):
        for line in self.proc.stderr:
            with self._cond:
                self._lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _port(self):
        for line in self._lines:
            m = re.search(r"127\.0\.0\.1:(\d+)", line)
            if m:
                return int(m.group(1))
        return None

    @property
    def err(self):
        with self._cond:
            return "".join(self._lines)

    def wait(self, timeout=120):
        out = self.proc.stdout.read() if self.proc.stdout else ""
        self.proc.wait(timeout=timeout)
        self._reader.join(timeout=timeout)
        return self.proc.returncode, out, self.err

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(timeout=10)


def gdb(port, commands, elf_path, timeout=120):
    """gdb-multiarch in batch mode; returns its output (stdout and stderr)."""
    cmd = [os.environ.get("GDB", "gdb-multiarch"), "-nx", "-batch", "-ex", "set pagination off",
           "-ex", "set confirm off", "-ex", f"target remote 127.0.0.1:{port}"]
    for c in commands:
        cmd += ["-ex", c]
    cmd.append(elf_path)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.stdout + p.stderr


class Rsp:
    """A raw GDB remote protocol client (acknowledged mode)."""

    def __init__(self, port, timeout=30.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle stalls on small packets
        self.buf = b""
        self.no_ack = False

    @staticmethod
    def frame(payload):
        data = payload.encode("latin-1") if isinstance(payload, str) else payload
        return b"$" + data + b"#" + ("%02x" % (sum(data) & 0xff)).encode()

    def send_raw(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed")
        self.buf += chunk

    def read_packet(self):
        """The next packet's payload (acks skipped); acknowledges it."""
        while True:
            while self.buf[:1] in (b"+", b"-"):
                self.buf = self.buf[1:]
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                payload = self.buf[start + 1:end]
                self.buf = self.buf[end + 3:]
                if not self.no_ack:
                    self.sock.sendall(b"+")
                return payload.decode("latin-1")
            self._fill()

    def command(self, payload):
        """Sends a packet and returns the reply's payload, skipping 'O' output packets."""
        self.send_raw(self.frame(payload))
        while True:
            r = self.read_packet()
            if not (r.startswith("O") and r != "OK" and re.fullmatch(r"O[0-9a-f]*", r)):
                return r

    def close(self):
        self.sock.close()
