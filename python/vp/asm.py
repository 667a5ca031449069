"""Tiny assemblers for guest programs written inline in Python.

RV64 (``assemble``): RV64IM plus Zicsr and the common pseudo-instructions,
labels, ``.byte/.half/.word/.dword/.ascii/.asciz/.align/.space``; output is a
raw image for ``base`` (default 0x80000000, the start of RAM on virt) or a
minimal ELF (``to_elf``). ``exit_code`` / ``EXIT`` give the SiFive test
finisher epilogue (0x100000: 0x5555 = pass, (code << 16) | 0x3333 = fail)::

    prog = vp.asm.assemble('''
        li   a0, 0
        li   t0, 10
    loop:
        add  a0, a0, t0
        addi t0, t0, -1
        bnez t0, loop
    ''' + vp.asm.EXIT)          # exit code = a0 (55 here)
    sim.load(kernel=prog.image)

PVM (``PvmAssembler``): a builder for JAM PVM program blobs (GP A.2), the same
encodings as libpvm's internal assembler: ``a.load_imm(7, 5); a.ecalli(1);
a.halt(); a.blob()``.
"""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

__all__ = ["assemble", "Program", "AsmError", "to_elf", "EXIT", "exit_code", "PvmAssembler", "PVM_OPCODES"]

FINISHER = 0x100000

# Ends the program through the SiFive test finisher with exit code a0 (0 = pass).
EXIT = f"""
__vp_exit:
    li   t0, {FINISHER:#x}
    bnez a0, 1f
    li   t1, 0x5555
    sw   t1, 0(t0)
    j    2f
1:  slli t1, a0, 16
    li   t2, 0x3333
    or   t1, t1, t2
    sw   t1, 0(t0)
2:  j    2b
"""


def exit_code(code: int) -> str:
    """Assembly that ends the run with this exit code."""
    return f"    li a0, {int(code)}\n" + EXIT


class AsmError(ValueError):
    pass


_ABI = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"]
_REGS = {n: i for i, n in enumerate(_ABI)}
_REGS.update({f"x{i}": i for i in range(32)})
_REGS["fp"] = 8

_CSRS = {
    "fflags": 0x001, "frm": 0x002, "fcsr": 0x003, "cycle": 0xC00, "time": 0xC01, "instret": 0xC02,
    "sstatus": 0x100, "sie": 0x104, "stvec": 0x105, "scounteren": 0x106, "sscratch": 0x140, "sepc": 0x141,
    "scause": 0x142, "stval": 0x143, "sip": 0x144, "satp": 0x180,
    "mstatus": 0x300, "misa": 0x301, "medeleg": 0x302, "mideleg": 0x303, "mie": 0x304, "mtvec": 0x305,
    "mcounteren": 0x306, "mscratch": 0x340, "mepc": 0x341, "mcause": 0x342, "mtval": 0x343, "mip": 0x344,
    "mcycle": 0xB00, "minstret": 0xB02, "mvendorid": 0xF11, "marchid": 0xF12, "mimpid": 0xF13, "mhartid": 0xF14,
}

_R = {  # name: (opcode, funct3, funct7)
    "add": (0x33, 0, 0), "sub": (0x33, 0, 0x20), "sll": (0x33, 1, 0), "slt": (0x33, 2, 0), "sltu": (0x33, 3, 0),
    "xor": (0x33, 4, 0), "srl": (0x33, 5, 0), "sra": (0x33, 5, 0x20), "or": (0x33, 6, 0), "and": (0x33, 7, 0),
    "mul": (0x33, 0, 1), "mulh": (0x33, 1, 1), "mulhsu": (0x33, 2, 1), "mulhu": (0x33, 3, 1),
    "div": (0x33, 4, 1), "divu": (0x33, 5, 1), "rem": (0x33, 6, 1), "remu": (0x33, 7, 1),
    "addw": (0x3B, 0, 0), "subw": (0x3B, 0, 0x20), "sllw": (0x3B, 1, 0), "srlw": (0x3B, 5, 0),
    "sraw": (0x3B, 5, 0x20), "mulw": (0x3B, 0, 1), "divw": (0x3B, 4, 1), "divuw": (0x3B, 5, 1),
    "remw": (0x3B, 6, 1), "remuw": (0x3B, 7, 1),
}
_I = {"addi": (0x13, 0), "slti": (0x13, 2), "sltiu": (0x13, 3), "xori": (0x13, 4), "ori": (0x13, 6),
      "andi": (0x13, 7), "addiw": (0x1B, 0)}
_SHIFT = {"slli": (0x13, 1, 0, 6), "srli": (0x13, 5, 0, 6), "srai": (0x13, 5, 0x10, 6),
          "slliw": (0x1B, 1, 0, 5), "srliw": (0x1B, 5, 0, 5), "sraiw": (0x1B, 5, 0x20, 5)}
_LOAD = {"lb": 0, "lh": 1, "lw": 2, "ld": 3, "lbu": 4, "lhu": 5, "lwu": 6}
_STORE = {"sb": 0, "sh": 1, "sw": 2, "sd": 3}
_BRANCH = {"beq": 0, "bne": 1, "blt": 4, "bge": 5, "bltu": 6, "bgeu": 7}
_CSR = {"csrrw": 1, "csrrs": 2, "csrrc": 3, "csrrwi": 5, "csrrsi": 6, "csrrci": 7}
_FIXED = {"ecall": 0x00000073, "ebreak": 0x00100073, "wfi": 0x10500073, "mret": 0x30200073,
          "sret": 0x10200073, "fence.i": 0x0000100F, "fence": 0x0FF0000F, "nop": 0x00000013}


@dataclass
class Program:
    base: int
    image: bytes
    symbols: Dict[str, int] = field(default_factory=dict)

    @property
    def entry(self) -> int:
        return self.symbols.get("_start", self.base)

    def elf(self) -> bytes:
        return to_elf(self.image, self.base, self.entry)

    def __len__(self) -> int:
        return len(self.image)


def _li_words(rd: int, value: int) -> List[int]:
    """lui/addi(w)/slli sequence loading a 64-bit constant (as GNU as does, roughly)."""
    value &= (1 << 64) - 1
    sval = value - (1 << 64) if value >> 63 else value
    if -2048 <= sval < 2048:
        return [_enc_i(0x13, 0, rd, 0, sval)]
    if -(1 << 31) <= sval < (1 << 31):
        lo = ((sval & 0xFFF) ^ 0x800) - 0x800
        hi = (sval - lo) >> 12
        out = [_enc_u(0x37, rd, hi & 0xFFFFF)]
        if lo:
            out.append(_enc_i(0x1B, 0, rd, rd, lo))  # addiw keeps the 32-bit sign extension
        return out
    lo = ((sval & 0xFFF) ^ 0x800) - 0x800
    rest = (sval - lo) >> 12
    shift = 12
    while rest and not rest & 1:  # fold trailing zeros into the shift
        rest >>= 1
        shift += 1
    out = _li_words(rd, rest)
    out.append(_enc_shift(0x13, 1, 0, rd, rd, shift))
    if lo:
        out.append(_enc_i(0x13, 0, rd, rd, lo))
    return out


def _enc_r(op, f3, f7, rd, rs1, rs2):
    return op | rd << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | f7 << 25


def _enc_i(op, f3, rd, rs1, imm):
    if not -2048 <= imm < 2048:
        raise AsmError(f"immediate {imm} does not fit in 12 bits")
    return op | rd << 7 | f3 << 12 | rs1 << 15 | (imm & 0xFFF) << 20


def _enc_shift(op, f3, f7, rd, rs1, sh):
    return op | rd << 7 | f3 << 12 | rs1 << 15 | sh << 20 | f7 << 25


def _enc_s(op, f3, rs1, rs2, imm):
    if not -2048 <= imm < 2048:
        raise AsmError(f"offset {imm} does not fit in 12 bits")
    imm &= 0xFFF
    return op | (imm & 0x1F) << 7 | f3 << 12 | rs1 << 15 | rs2 << 20 | (imm >> 5) << 25


def _enc_b(f3, rs1, rs2, off):
    if off & 1 or not -4096 <= off < 4096:
        raise AsmError(f"branch offset {off} out of range")
    o = off & 0x1FFF
    return (0x63 | ((o >> 11) & 1) << 7 | ((o >> 1) & 0xF) << 8 | f3 << 12 | rs1 << 15 | rs2 << 20
            | ((o >> 5) & 0x3F) << 25 | ((o >> 12) & 1) << 31)


def _enc_u(op, rd, imm20):
    return op | rd << 7 | (imm20 & 0xFFFFF) << 12


def _enc_j(rd, off):
    if off & 1 or not -(1 << 20) <= off < (1 << 20):
        raise AsmError(f"jump offset {off} out of range")
    o = off & 0x1FFFFF
    return (0x6F | rd << 7 | ((o >> 12) & 0xFF) << 12 | ((o >> 11) & 1) << 20 | ((o >> 1) & 0x3FF) << 21
            | ((o >> 20) & 1) << 31)


def _hi_lo(off: int) -> Tuple[int, int]:
    lo = ((off & 0xFFF) ^ 0x800) - 0x800
    return ((off - lo) >> 12) & 0xFFFFF, lo


class _Assembler:
    def __init__(self, base: int):
        self.base = base
        self.symbols: Dict[str, int] = {}
        self.locals: List[Tuple[str, int]] = []  # numeric labels: (name, address), in order

    # -- expressions ------------------------------------------------------------
    def value(self, text: str, pc: int, final: bool) -> Optional[int]:
        text = text.strip()
        m = re.fullmatch(r"(\d+)([fb])", text)
        if m:  # numeric local label reference
            name, fwd = m.group(1), m.group(2) == "f"
            cands = [a for n, a in self.locals if n == name and (a > pc if fwd else a <= pc)]
            if not cands:
                if final:
                    raise AsmError(f"no local label {text}")
                return None
            return min(cands) if fwd else max(cands)
        if re.fullmatch(r"'(\\?.)'", text):
            return ord(text[1:-1].encode().decode("unicode_escape"))
        names = set(re.findall(r"[A-Za-z_.$][\w.$]*", re.sub(r"0[xXbBoO][0-9a-fA-F_]+", "", text)))
        env = {}
        for n in names:
            key = n.replace(".", "_DOT_").replace("$", "_DS_")
            if n not in self.symbols:
                if final:
                    raise AsmError(f"undefined symbol '{n}'")
                return None
            env[key] = self.symbols[n]
            text = re.sub(rf"(?<![\w.$]){re.escape(n)}(?![\w.$])", key, text)
        try:
            return int(eval(text, {"__builtins__": {}}, env))  # noqa: S307 (integer arithmetic on our symbols)
        except Exception as e:  # noqa: BLE001
            raise AsmError(f"bad expression '{text}': {e}") from None

    def has_symbols(self, text: str) -> bool:
        t = re.sub(r"0[xXbBoO][0-9a-fA-F_]+", "", text)
        return bool(re.search(r"[A-Za-z_.$]", t)) or bool(re.fullmatch(r"\s*\d+[fb]\s*", text))

    # -- operands ---------------------------------------------------------------------
    @staticmethod
    def reg(t: str) -> int:
        t = t.strip().lower()
        if t not in _REGS:
            raise AsmError(f"unknown register '{t}'")
        return _REGS[t]

    def mem(self, t: str, pc: int, final: bool) -> Tuple[int, int]:
        m = re.fullmatch(r"\s*(.*?)\s*\(\s*(\w+)\s*\)\s*", t)
        if not m:
            raise AsmError(f"expected offset(register), found '{t}'")
        off = self.value(m.group(1), pc, final) if m.group(1) else 0
        return (off or 0), self.reg(m.group(2))

    def csr(self, t: str, pc: int, final: bool) -> int:
        t = t.strip().lower()
        return _CSRS[t] if t in _CSRS else (self.value(t, pc, final) or 0)

    # -- one statement: list of 32-bit words (sizes must not depend on the pass) ----
    def encode(self, op: str, args: List[str], pc: int, final: bool) -> List[int]:
        V = lambda t: self.value(t, pc, final)  # noqa: E731
        R = self.reg
        n = len(args)

        def need(k):
            if n != k:
                raise AsmError(f"'{op}' takes {k} operands, found {n}")

        if op in _FIXED:
            need(0)
            return [_FIXED[op]]
        if op in _R:
            need(3)
            o, f3, f7 = _R[op]
            return [_enc_r(o, f3, f7, R(args[0]), R(args[1]), R(args[2]))]
        if op in _I:
            need(3)
            o, f3 = _I[op]
            return [_enc_i(o, f3, R(args[0]), R(args[1]), V(args[2]) or 0)]
        if op in _SHIFT:
            need(3)
            o, f3, f7, bits = _SHIFT[op]
            sh = V(args[2]) or 0
            if not 0 <= sh < (1 << bits):
                raise AsmError(f"shift amount {sh} out of range")
            return [_enc_shift(o, f3, f7, R(args[0]), R(args[1]), sh)]
        if op in _LOAD:
            need(2)
            off, base = self.mem(args[1], pc, final)
            return [_enc_i(0x03, _LOAD[op], R(args[0]), base, off)]
        if op in _STORE:
            need(2)
            off, base = self.mem(args[1], pc, final)
            return [_enc_s(0x23, _STORE[op], base, R(args[0]), off)]
        if op in _BRANCH:
            need(3)
            t = V(args[2])
            return [_enc_b(_BRANCH[op], R(args[0]), R(args[1]), (t - pc) if t is not None else 0)]
        swapped = {"bgt": "blt", "ble": "bge", "bgtu": "bltu", "bleu": "bgeu"}
        if op in swapped:
            need(3)
            return self.encode(swapped[op], [args[1], args[0], args[2]], pc, final)
        zero = {"beqz": ("beq", False), "bnez": ("bne", False), "bltz": ("blt", False), "bgez": ("bge", False),
                "blez": ("bge", True), "bgtz": ("blt", True)}
        if op in zero:
            need(2)
            b, swap = zero[op]
            regs = ["zero", args[0]] if swap else [args[0], "zero"]
            return self.encode(b, regs + [args[1]], pc, final)
        if op in ("lui", "auipc"):
            need(2)
            return [_enc_u(0x37 if op == "lui" else 0x17, R(args[0]), V(args[1]) or 0)]
        if op == "jal":
            rd, target = ("ra", args[0]) if n == 1 else (args[0], args[1])
            t = V(target)
            return [_enc_j(R(rd), (t - pc) if t is not None else 0)]
        if op == "j":
            need(1)
            return self.encode("jal", ["zero", args[0]], pc, final)
        if op == "jalr":
            if n == 1:
                return [_enc_i(0x67, 0, 1, R(args[0]), 0)]
            if n == 2:
                off, base = self.mem(args[1], pc, final)
                return [_enc_i(0x67, 0, R(args[0]), base, off)]
            need(3)
            return [_enc_i(0x67, 0, R(args[0]), R(args[1]), V(args[2]) or 0)]
        if op == "jr":
            need(1)
            return [_enc_i(0x67, 0, 0, R(args[0]), 0)]
        if op == "ret":
            need(0)
            return [_enc_i(0x67, 0, 0, 1, 0)]
        if op in ("call", "tail"):
            need(1)
            t = V(args[0])
            hi, lo = _hi_lo((t - pc) if t is not None else 0)
            link = 1 if op == "call" else 6  # tail uses t1
            return [_enc_u(0x17, link, hi), _enc_i(0x67, 0, 1 if op == "call" else 0, link, lo)]
        if op == "la":
            need(2)
            t = V(args[1])
            hi, lo = _hi_lo((t - pc) if t is not None else 0)
            rd = R(args[0])
            return [_enc_u(0x17, rd, hi), _enc_i(0x13, 0, rd, rd, lo)]
        if op == "li":
            need(2)
            rd = R(args[0])
            if self.has_symbols(args[1]):  # fixed size: the value is not known in the first pass
                v = V(args[1])
                words = _li_words(rd, v) if v is not None else []
                if len(words) > 8:
                    raise AsmError("li: value too complex")
                return words + [_FIXED["nop"]] * (8 - len(words))
            return _li_words(rd, V(args[1]))
        if op == "mv":
            need(2)
            return [_enc_i(0x13, 0, R(args[0]), R(args[1]), 0)]
        if op == "not":
            need(2)
            return [_enc_i(0x13, 4, R(args[0]), R(args[1]), -1)]
        if op in ("neg", "negw"):
            need(2)
            return [_enc_r(0x33 if op == "neg" else 0x3B, 0, 0x20, R(args[0]), 0, R(args[1]))]
        if op == "sext.w":
            need(2)
            return [_enc_i(0x1B, 0, R(args[0]), R(args[1]), 0)]
        if op == "seqz":
            need(2)
            return [_enc_i(0x13, 3, R(args[0]), R(args[1]), 1)]
        if op == "snez":
            need(2)
            return [_enc_r(0x33, 3, 0, R(args[0]), 0, R(args[1]))]
        if op in _CSR:
            need(3)
            f3 = _CSR[op]
            src = (V(args[2]) or 0) if f3 >= 5 else R(args[2])
            return [0x73 | R(args[0]) << 7 | f3 << 12 | src << 15 | self.csr(args[1], pc, final) << 20]
        if op == "csrr":
            need(2)
            return self.encode("csrrs", [args[0], args[1], "zero"], pc, final)
        if op in ("csrw", "csrs", "csrc"):
            need(2)
            return self.encode({"csrw": "csrrw", "csrs": "csrrs", "csrc": "csrrc"}[op], ["zero"] + args, pc, final)
        if op in ("csrwi", "csrsi", "csrci"):
            need(2)
            return self.encode({"csrwi": "csrrwi", "csrsi": "csrrsi", "csrci": "csrrci"}[op], ["zero"] + args,
                               pc, final)
        raise AsmError(f"unknown instruction '{op}'")


def _split_args(text: str) -> List[str]:
    text = text.strip()
    if not text:
        return []
    out, depth, cur, quote = [], 0, "", False
    for ch in text:
        if ch == '"':
            quote = not quote
        if ch == "(" and not quote:
            depth += 1
        if ch == ")" and not quote:
            depth -= 1
        if ch == "," and depth == 0 and not quote:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return out


def _strip_comment(line: str) -> str:
    out, quote = "", False
    for i, ch in enumerate(line):
        if ch == '"':
            quote = not quote
        if not quote and (ch == "#" or ch == ";" or line.startswith("//", i)):
            break
        out += ch
    return out


def assemble(source: str, base: int = 0x80000000) -> Program:
    """Assembles RV64 source to a raw image loaded at ``base``."""
    asm = _Assembler(base)
    lines = source.splitlines()
    image = b""
    for final in (False, True):
        pc = base
        out = bytearray()
        if final:
            pass
        else:
            asm.locals = []
        for lineno, raw in enumerate(lines, 1):
            line = _strip_comment(raw).strip()
            try:
                while True:
                    m = re.match(r"([A-Za-z_.$][\w.$]*|\d+)\s*:(?!:)", line)
                    if not m:
                        break
                    name = m.group(1)
                    if not final:
                        if name.isdigit():
                            asm.locals.append((name, pc))
                        elif name in asm.symbols:
                            raise AsmError(f"label '{name}' defined twice")
                        else:
                            asm.symbols[name] = pc
                    line = line[m.end():].strip()
                if not line:
                    continue
                m = re.match(r"(\S+)\s*(.*)", line)
                op, rest = m.group(1).lower(), m.group(2)
                args = _split_args(rest)
                if op.startswith("."):
                    data = _directive(asm, op, args, rest, pc, final)
                else:
                    words = asm.encode(op, args, pc, final)
                    data = b"".join(struct.pack("<I", w & 0xFFFFFFFF) for w in words)
            except AsmError as e:
                raise AsmError(f"line {lineno}: {e}: {raw.strip()}") from None
            out += data
            pc += len(data)
        image = bytes(out)
    return Program(base, image, dict(asm.symbols))


def _directive(asm: _Assembler, op: str, args: List[str], rest: str, pc: int, final: bool) -> bytes:
    sizes = {".byte": 1, ".half": 2, ".short": 2, ".word": 4, ".long": 4, ".dword": 8, ".quad": 8}
    if op in sizes:
        k = sizes[op]
        return b"".join(((asm.value(a, pc, final) or 0) & ((1 << 8 * k) - 1)).to_bytes(k, "little") for a in args)
    if op in (".ascii", ".asciz", ".string"):
        m = re.fullmatch(r'\s*"(.*)"\s*', rest)
        if not m:
            raise AsmError(f"{op} expects a quoted string")
        data = m.group(1).encode().decode("unicode_escape").encode("latin-1")
        return data + (b"\0" if op != ".ascii" else b"")
    if op in (".align", ".p2align", ".balign"):
        n = asm.value(args[0], pc, True)
        align = n if op == ".balign" else 1 << n
        return b"\0" * ((-pc) % align)
    if op in (".space", ".zero", ".skip"):
        return b"\0" * asm.value(args[0], pc, True)
    if op in (".globl", ".global", ".text", ".data", ".section", ".option", ".type", ".size"):
        return b""
    if op in (".equ", ".set"):
        if not final:
            asm.symbols[args[0]] = asm.value(args[1], pc, True)
        return b""
    raise AsmError(f"unknown directive '{op}'")


def to_elf(image: bytes, base: int = 0x80000000, entry: Optional[int] = None) -> bytes:
    """A minimal ELF64 (RISC-V, executable) with one loadable segment."""
    entry = base if entry is None else entry
    ehsize, phsize = 64, 56
    offset = 0x1000
    eh = struct.pack("<4sBBBBB7xHHIQQQIHHHHHH", b"\x7fELF", 2, 1, 1, 0, 0, 2, 243, 1, entry, ehsize, 0,
                     0x4, ehsize, phsize, 1, 64, 0, 0)
    ph = struct.pack("<IIQQQQQQ", 1, 7, offset, base, base, len(image), len(image), 0x1000)
    head = eh + ph
    return head + b"\0" * (offset - len(head)) + image


# --------------------------------------------------------------------------------------------
# PVM
# --------------------------------------------------------------------------------------------

# opcode: (name, format, terminator) -- GP A.5 numbering (0.5.4-0.7.2), as libpvm's opcodes.h.
PVM_OPCODES: Dict[int, Tuple[str, str, bool]] = {}


def _pvm_table():
    spec = """
0 trap None 1; 1 fallthrough None 1; 10 ecalli Imm 0; 20 load_imm_64 RegExtImm 0;
30 store_imm_u8 ImmImm 0; 31 store_imm_u16 ImmImm 0; 32 store_imm_u32 ImmImm 0; 33 store_imm_u64 ImmImm 0;
40 jump Off 1; 50 jump_ind RegImm 1; 51 load_imm RegImm 0; 52 load_u8 RegImm 0; 53 load_i8 RegImm 0;
54 load_u16 RegImm 0; 55 load_i16 RegImm 0; 56 load_u32 RegImm 0; 57 load_i32 RegImm 0; 58 load_u64 RegImm 0;
59 store_u8 RegImm 0; 60 store_u16 RegImm 0; 61 store_u32 RegImm 0; 62 store_u64 RegImm 0;
70 store_imm_ind_u8 RegImmImm 0; 71 store_imm_ind_u16 RegImmImm 0; 72 store_imm_ind_u32 RegImmImm 0;
73 store_imm_ind_u64 RegImmImm 0; 80 load_imm_jump RegImmOff 1; 81 branch_eq_imm RegImmOff 1;
82 branch_ne_imm RegImmOff 1; 83 branch_lt_u_imm RegImmOff 1; 84 branch_le_u_imm RegImmOff 1;
85 branch_ge_u_imm RegImmOff 1; 86 branch_gt_u_imm RegImmOff 1; 87 branch_lt_s_imm RegImmOff 1;
88 branch_le_s_imm RegImmOff 1; 89 branch_ge_s_imm RegImmOff 1; 90 branch_gt_s_imm RegImmOff 1;
100 move_reg RegReg 0; 101 sbrk RegReg 0; 102 count_set_bits_64 RegReg 0; 103 count_set_bits_32 RegReg 0;
104 leading_zero_bits_64 RegReg 0; 105 leading_zero_bits_32 RegReg 0; 106 trailing_zero_bits_64 RegReg 0;
107 trailing_zero_bits_32 RegReg 0; 108 sign_extend_8 RegReg 0; 109 sign_extend_16 RegReg 0;
110 zero_extend_16 RegReg 0; 111 reverse_bytes RegReg 0;
120 store_ind_u8 RegRegImm 0; 121 store_ind_u16 RegRegImm 0; 122 store_ind_u32 RegRegImm 0;
123 store_ind_u64 RegRegImm 0; 124 load_ind_u8 RegRegImm 0; 125 load_ind_i8 RegRegImm 0;
126 load_ind_u16 RegRegImm 0; 127 load_ind_i16 RegRegImm 0; 128 load_ind_u32 RegRegImm 0;
129 load_ind_i32 RegRegImm 0; 130 load_ind_u64 RegRegImm 0; 131 add_imm_32 RegRegImm 0; 132 and_imm RegRegImm 0;
133 xor_imm RegRegImm 0; 134 or_imm RegRegImm 0; 135 mul_imm_32 RegRegImm 0; 136 set_lt_u_imm RegRegImm 0;
137 set_lt_s_imm RegRegImm 0; 138 shlo_l_imm_32 RegRegImm 0; 139 shlo_r_imm_32 RegRegImm 0;
140 shar_r_imm_32 RegRegImm 0; 141 neg_add_imm_32 RegRegImm 0; 142 set_gt_u_imm RegRegImm 0;
143 set_gt_s_imm RegRegImm 0; 144 shlo_l_imm_alt_32 RegRegImm 0; 145 shlo_r_imm_alt_32 RegRegImm 0;
146 shar_r_imm_alt_32 RegRegImm 0; 147 cmov_iz_imm RegRegImm 0; 148 cmov_nz_imm RegRegImm 0;
149 add_imm_64 RegRegImm 0; 150 mul_imm_64 RegRegImm 0; 151 shlo_l_imm_64 RegRegImm 0;
152 shlo_r_imm_64 RegRegImm 0; 153 shar_r_imm_64 RegRegImm 0; 154 neg_add_imm_64 RegRegImm 0;
155 shlo_l_imm_alt_64 RegRegImm 0; 156 shlo_r_imm_alt_64 RegRegImm 0; 157 shar_r_imm_alt_64 RegRegImm 0;
158 rot_r_64_imm RegRegImm 0; 159 rot_r_64_imm_alt RegRegImm 0; 160 rot_r_32_imm RegRegImm 0;
161 rot_r_32_imm_alt RegRegImm 0; 170 branch_eq RegRegOff 1; 171 branch_ne RegRegOff 1; 172 branch_lt_u RegRegOff 1;
173 branch_lt_s RegRegOff 1; 174 branch_ge_u RegRegOff 1; 175 branch_ge_s RegRegOff 1;
180 load_imm_jump_ind RegRegImmImm 1; 190 add_32 RegRegReg 0; 191 sub_32 RegRegReg 0; 192 mul_32 RegRegReg 0;
193 div_u_32 RegRegReg 0; 194 div_s_32 RegRegReg 0; 195 rem_u_32 RegRegReg 0; 196 rem_s_32 RegRegReg 0;
197 shlo_l_32 RegRegReg 0; 198 shlo_r_32 RegRegReg 0; 199 shar_r_32 RegRegReg 0; 200 add_64 RegRegReg 0;
201 sub_64 RegRegReg 0; 202 mul_64 RegRegReg 0; 203 div_u_64 RegRegReg 0; 204 div_s_64 RegRegReg 0;
205 rem_u_64 RegRegReg 0; 206 rem_s_64 RegRegReg 0; 207 shlo_l_64 RegRegReg 0; 208 shlo_r_64 RegRegReg 0;
209 shar_r_64 RegRegReg 0; 210 and RegRegReg 0; 211 xor RegRegReg 0; 212 or RegRegReg 0;
213 mul_upper_s_s RegRegReg 0; 214 mul_upper_u_u RegRegReg 0; 215 mul_upper_s_u RegRegReg 0;
216 set_lt_u RegRegReg 0; 217 set_lt_s RegRegReg 0; 218 cmov_iz RegRegReg 0; 219 cmov_nz RegRegReg 0;
220 rot_l_64 RegRegReg 0; 221 rot_l_32 RegRegReg 0; 222 rot_r_64 RegRegReg 0; 223 rot_r_32 RegRegReg 0;
224 and_inv RegRegReg 0; 225 or_inv RegRegReg 0; 226 xnor RegRegReg 0; 227 max RegRegReg 0; 228 max_u RegRegReg 0;
229 min RegRegReg 0; 230 min_u RegRegReg 0
"""
    for item in spec.replace("\n", " ").split(";"):
        num, name, fmt, term = item.split()
        PVM_OPCODES[int(num)] = (name, fmt, term == "1")


_pvm_table()
_PVM_BY_NAME = {name: (num, fmt, term) for num, (name, fmt, term) in PVM_OPCODES.items()}


def _varint(x: int) -> bytes:
    """GP natural-number encoding E."""
    for l in range(8):
        if x < 1 << (7 * (l + 1)):
            return bytes([256 - (1 << (8 - l)) + (x >> (8 * l))]) + bytes((x >> (8 * i)) & 0xFF for i in range(l))
    return b"\xff" + x.to_bytes(8, "little")


def _imm_len(x: int) -> int:
    if x == 0:
        return 0
    for l in range(1, 4):
        lo, hi = -(1 << (8 * l - 1)), 1 << (8 * l - 1)
        if lo <= x < hi:
            return l
    if not -(1 << 31) <= x < (1 << 31):
        raise AsmError(f"PVM immediate {x} does not fit in 32 bits")
    return 4


def _imm_bytes(x: int) -> bytes:
    n = _imm_len(x)
    return (x & ((1 << 64) - 1)).to_bytes(8, "little")[:n]


class PvmLabel:
    def __init__(self, ident: int):
        self.id = ident


class PvmAssembler:
    """Builds a PVM program blob. Every opcode is a method named as in the GP
    (``add_64(d, a, b)``, ``load_imm(r, x)``, ``branch_eq(a, b, label)``, ...),
    taking operands in the order of its format: RegRegReg is (d, a, b) with
    φD = φA op φB; RegRegImm is (a, b, imm); branches take a label."""

    def __init__(self):
        self.code = bytearray()
        self.mask: List[int] = []
        self.labels: List[Optional[int]] = []
        self.table: List[int] = []
        self.fixups: List[Tuple[int, int, int]] = []  # (at, insn_pc, label)
        self._insn_pc = 0
        self._last_term = True

    # -- labels -------------------------------------------------------------------------
    def label(self) -> PvmLabel:
        self.labels.append(None)
        return PvmLabel(len(self.labels) - 1)

    def bind(self, l: PvmLabel) -> None:
        """Binds a label here (jump targets start a basic block: a fallthrough is
        emitted first if needed)."""
        if self.code and not self._last_term:
            self._op("fallthrough")
        self.labels[l.id] = len(self.code)

    def here(self) -> PvmLabel:
        l = self.label()
        self.bind(l)
        return l

    def jump_address(self, l: PvmLabel) -> int:
        """Adds a jump-table entry; returns the dynamic-jump address."""
        self.table.append(l.id)
        return len(self.table) * 2

    @property
    def pc(self) -> int:
        return len(self.code)

    # -- encoding -----------------------------------------------------------------------
    def _begin(self, name: str) -> str:
        num, fmt, term = _PVM_BY_NAME[name]
        self._insn_pc = len(self.code)
        self.code.append(num)
        self.mask.append(1)
        self._last_term = term
        return fmt

    def _bytes(self, data: bytes) -> None:
        self.code += data
        self.mask += [0] * len(data)

    def _off(self, l: PvmLabel) -> None:
        self.fixups.append((len(self.code), self._insn_pc, l.id))
        self._bytes(b"\0\0\0\0")

    def _op(self, name: str, *ops) -> "PvmAssembler":
        fmt = self._begin(name)
        if fmt == "None":
            pass
        elif fmt == "Imm":
            self._bytes(_imm_bytes(ops[0]))
        elif fmt == "RegExtImm":
            self._bytes(bytes([ops[0]]) + (ops[1] & ((1 << 64) - 1)).to_bytes(8, "little"))
        elif fmt == "ImmImm":
            self._bytes(bytes([_imm_len(ops[0])]) + _imm_bytes(ops[0]) + _imm_bytes(ops[1]))
        elif fmt == "Off":
            self._off(ops[0])
        elif fmt == "RegImm":
            self._bytes(bytes([ops[0]]) + _imm_bytes(ops[1]))
        elif fmt == "RegImmImm":
            self._bytes(bytes([ops[0] | _imm_len(ops[1]) << 4]) + _imm_bytes(ops[1]) + _imm_bytes(ops[2]))
        elif fmt == "RegImmOff":
            self._bytes(bytes([ops[0] | _imm_len(ops[1]) << 4]) + _imm_bytes(ops[1]))
            self._off(ops[2])
        elif fmt == "RegReg":
            self._bytes(bytes([ops[0] | ops[1] << 4]))
        elif fmt == "RegRegImm":
            self._bytes(bytes([ops[0] | ops[1] << 4]) + _imm_bytes(ops[2]))
        elif fmt == "RegRegOff":
            self._bytes(bytes([ops[0] | ops[1] << 4]))
            self._off(ops[2])
        elif fmt == "RegRegImmImm":
            self._bytes(bytes([ops[0] | ops[1] << 4, _imm_len(ops[2])]) + _imm_bytes(ops[2]) + _imm_bytes(ops[3]))
        elif fmt == "RegRegReg":  # (d, a, b)
            self._bytes(bytes([ops[1] | ops[2] << 4, ops[0]]))
        return self

    def __getattr__(self, name: str):
        key = name.rstrip("_")
        if key in _PVM_BY_NAME:
            return lambda *ops: self._op(key, *ops)
        raise AttributeError(name)

    # -- shorthands -----------------------------------------------------------------------
    def li(self, r: int, value: int) -> "PvmAssembler":
        """load_imm, or load_imm_64 when the value needs it."""
        if -(1 << 31) <= value < (1 << 31):
            return self._op("load_imm", r, value)
        return self._op("load_imm_64", r, value)

    def halt(self, scratch: int = 0) -> "PvmAssembler":
        """Jumps to 0xFFFF0000 (halt) through ``scratch``."""
        self._op("load_imm", scratch, -0x10000)  # 0xFFFF0000 sign-extended from 32 bits
        return self._op("jump_ind", scratch, 0)

    # -- output ---------------------------------------------------------------------------
    def blob(self) -> bytes:
        """The program blob (GP A.2)."""
        code = bytearray(self.code)
        for at, insn_pc, lid in self.fixups:
            target = self.labels[lid]
            if target is None:
                raise AsmError("unbound PVM label")
            code[at:at + 4] = ((target - insn_pc) & 0xFFFFFFFF).to_bytes(4, "little")
        out = bytearray(_varint(len(self.table)) + bytes([4]) + _varint(len(code)))
        for lid in self.table:
            if self.labels[lid] is None:
                raise AsmError("unbound PVM label")
            out += self.labels[lid].to_bytes(4, "little")
        out += code
        mask = bytearray((len(code) + 7) // 8)
        for i, bit in enumerate(self.mask):
            if bit:
                mask[i // 8] |= 1 << (i % 8)
        return bytes(out + mask)

    def standard_blob(self, ro: bytes = b"", rw: bytes = b"", heap_pages: int = 0, stack: int = 4096) -> bytes:
        """A standard program blob (GP A.7) around this program."""
        c = self.blob()
        return (len(ro).to_bytes(3, "little") + len(rw).to_bytes(3, "little") + heap_pages.to_bytes(2, "little")
                + stack.to_bytes(3, "little") + ro + rw + len(c).to_bytes(4, "little") + c)
