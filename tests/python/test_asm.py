"""vp.asm without a simulator: encodings checked against GNU as."""
import struct

from vp import asm


def words(src):
    img = asm.assemble(src, base=0x80000000).image
    return list(struct.unpack(f"<{len(img) // 4}I", img))


def test_rv64_encodings():
    assert words("addi a0, zero, 5") == [0x00500513]
    assert words("li a0, 5") == [0x00500513]
    assert words("add a0, a1, a2") == [0x00C58533]
    assert words("ld a1, 8(sp)") == [0x00813583]
    assert words("sd a1, -8(sp)") == [0xFEB13C23]
    assert words("lui t0, 0x10000") == [0x100002B7]
    assert words("csrr a0, mhartid") == [0xF1402573]
    assert words("ecall\nebreak\nwfi\nmret") == [0x00000073, 0x00100073, 0x10500073, 0x30200073]
    assert words("mul a0, a0, a1") == [0x02B50533]
    assert words("slli a0, a0, 40") == [0x02851513]


def test_branches_and_labels():
    p = asm.assemble("""
    _start:
        beqz a0, out
        j _start
    out:
        ret
    """)
    w = list(struct.unpack("<3I", p.image))
    assert w[0] == 0x00050463  # beqz a0, +8
    assert w[1] == 0xFFDFF06F  # j -4
    assert w[2] == 0x00008067
    assert p.symbols["out"] == 0x80000008 and p.entry == 0x80000000


def test_li_64bit_values_load_exactly():
    # Evaluate the lui/addiw/slli/addi sequences with a tiny interpreter.
    def run(value):
        regs = [0] * 32
        for w in words(f"li t0, {value}"):
            op, rd, f3, rs1 = w & 0x7F, (w >> 7) & 31, (w >> 12) & 7, (w >> 15) & 31
            imm = (w >> 20) - (4096 if w >> 31 else 0)
            if op == 0x37:
                v = w & 0xFFFFF000
                regs[rd] = v - (1 << 32) if v >> 31 else v
            elif op == 0x1B:
                v = (regs[rs1] + imm) & 0xFFFFFFFF
                regs[rd] = v - (1 << 32) if v >> 31 else v
            elif op == 0x13 and f3 == 0:
                regs[rd] = regs[rs1] + imm
            elif op == 0x13 and f3 == 1:
                regs[rd] = regs[rs1] << ((w >> 20) & 63)
            regs[rd] &= (1 << 64) - 1
        return regs[5]
    for v in [0, 1, -1, 2047, -2048, 0x7FFFFFFF, -0x80000000, 0x80000000, 0x123456789ABCDEF0,
              0xFFFFFFFF00000000, 1 << 63, 0x100000]:
        assert run(v) == v & ((1 << 64) - 1), hex(v)


def test_data_directives_and_elf():
    p = asm.assemble('.word 0x11223344\n.byte 1, 2\n.align 3\n.dword 5\n.asciz "hi"')
    assert p.image == bytes.fromhex("44332211") + b"\1\2" + b"\0\0" + (5).to_bytes(8, "little") + b"hi\0"
    elf = p.elf()
    assert elf[:4] == b"\x7fELF" and struct.unpack_from("<H", elf, 18)[0] == 243
    assert struct.unpack_from("<Q", elf, 24)[0] == 0x80000000


def test_errors_name_the_line():
    import pytest
    with pytest.raises(asm.AsmError, match="line 2: unknown instruction 'frob'"):
        asm.assemble("nop\nfrob a0")
    with pytest.raises(asm.AsmError, match="undefined symbol 'nowhere'"):
        asm.assemble("j nowhere")


def test_pvm_blob_layout():
    a = asm.PvmAssembler()
    a.load_imm(7, 5).ecalli(1).halt()
    blob = a.blob()
    # jump table: 0 entries, entry size 4, code length, then code and bitmask
    assert blob[0] == 0 and blob[1] == 4
    code_len = blob[2]
    code = blob[3:3 + code_len]
    assert code[:3] == bytes([51, 7, 5])      # load_imm r7, 5
    assert code[3:5] == bytes([10, 1])        # ecalli 1
