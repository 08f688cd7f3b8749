"""POWER (PPC) assembly front-end.

Registers r0-r31 (64-bit words) and the condition-register fields cr0-cr7
(internal).  As in herd7, `r0` reads as 0 where the ISA says `(RA|0)`:
in `addi`/`addis` and in the indexed (X-form) accesses; the displacement
forms (`lwz r1,0(r0)`) read r0 itself, as herd7 does.

Events carry herd7's sets: R/W (M); exclusive accesses X (lwarx/ldarx,
stwcx./stdcx.); fences SYNC (sync, hwsync), LWSYNC, EIEIO, ISYNC.
Conditional branches add a control dependency from the reads their
condition-register field depends on (`cmpw r1,r2; bne L`), and
`stwcx.` sets cr0 from its inputs (success or failure).
"""
from __future__ import annotations

import re

from weakmem.litmus.ast import SymVal
from weakmem.semantics.asm_common import (EMPTY, branch_to, EXIT, R_KINDS, W_KINDS, Arch, AsmFrontend, CondJump, DecodeError,
                                          Ins, split_operands, wrap)
from weakmem.semantics.frontends import Frontend

RES, RESADDR = "RES", "RESADDR"
CRS = tuple(f"cr{i}" for i in range(8))
M64 = (1 << 64) - 1


def canon_reg(name: str) -> str | None:
    s = name.strip()
    m = re.fullmatch(r"[rR]([0-9]|[12][0-9]|3[01])", s)
    if m:
        return f"r{int(m.group(1))}"
    return None


def mask64(mb: int, me: int) -> int:
    """The ISA's MASK(mb, me), bit 0 being the most significant of 64."""
    if mb <= me:
        return ((1 << (64 - mb)) - 1) & ~((1 << (63 - me)) - 1) & M64
    return ~mask64(me + 1, mb - 1) & M64 if me + 1 <= mb - 1 else M64


def rotl(x: int, n: int, bits: int) -> int:
    m = (1 << bits) - 1
    x &= m
    n %= bits
    return ((x << n) | (x >> (bits - n))) & m if n else x


class PPCArch(Arch):
    name = "PPC"
    word_bits = 64
    internal_regs = frozenset({RES, RESADDR, *CRS})
    declared_sets = frozenset({"X", "SYNC", "LWSYNC", "EIEIO", "ISYNC"})
    canon_name = staticmethod(canon_reg)

    def reg_or_zero(self, s: str) -> str:
        """The RA operand of an (RA|0) form: a register, or 0 (read as r0, i.e. zero)."""
        return "r0" if s.strip() == "0" else self.reg(s)

    def decode(self, text: str) -> Ins:
        parts = text.split(None, 1)
        mnem = parts[0].lower()
        ops = split_operands(parts[1]) if len(parts) > 1 else []
        dec = _DECODERS.get(mnem)
        if dec is None:
            m = re.fullmatch(r"(b(?:eq|ne|lt|ge|gt|le|ng|nl))[+-]?", mnem)
            if m:
                return Ins(text, d_bcc(self, m.group(1), ops))
            raise DecodeError()
        return Ins(text, dec(self, mnem, ops))


def _n(ops, *ns):
    if len(ops) not in ns:
        raise DecodeError(f"PPC, wrong number of operands ({len(ops)})")


def _dform(arch: PPCArch, ops: list[str], two_forms: bool = True):
    """The address of a D-form access: `8(r2)`, or herd7's `8,r2` (ops[1:] of
    `lwz r1,8,r2`) when two_forms -> (8, 'r2')."""
    if two_forms and len(ops) == 3:
        return arch.imm(ops[1]), arch.reg(ops[2])
    _n(ops, 2)
    s = ops[1]
    m = re.fullmatch(r"\s*([-+]?[0-9xXa-fA-F]*)\s*\(\s*(%?\w+)\s*\)\s*", s)
    if not m:
        raise DecodeError(f"PPC, bad address '{s}'")
    d = m.group(1)
    return (arch.imm(d) if d else 0), arch.reg(m.group(2))


def _rd0(ex, st, r):
    """(RA|0): register r0 reads as 0."""
    if r == "r0":
        return 0, EMPTY
    return ex.rd(st, r)


def _set_cr(ex, st, cr, a, b, signed: bool, bits: int, deps):
    if isinstance(a, int) and isinstance(b, int):
        x, y = wrap(a, bits, signed), wrap(b, bits, signed)
        val = (x < y, x > y, x == y)
    else:
        val = (None, None, a == b)
    ex.wr(st, cr, val, deps)


def _record(ex, st, res, deps):
    """Record form (`add.`...): cr0 compares the result with 0."""
    _set_cr(ex, st, "cr0", res, 0, True, 64, deps)


def _result(ex, st, reg, res, deps, rec: bool):
    """An instruction's result into `reg` and, in its record form, cr0."""
    ex.wr(st, reg, res, deps)
    if rec:
        _record(ex, st, res, deps)


# ----------------------------------------------------------------------------
# decoders: (arch, mnemonic, operands) -> run(ex, st)
# ----------------------------------------------------------------------------

def d_nop(arch, m, ops):
    return lambda ex, st: iter([(st, None)])


def d_li(arch, m, ops):
    _n(ops, 2)
    rd, k = arch.reg(ops[0]), arch.imm(ops[1])
    if m == "lis":
        k <<= 16

    def run(ex, st):
        ex.wr(st, rd, ex.word(k), EMPTY)
        yield st, None
    return run


def _two_regs(arch, m, ops):
    """A two-register instruction's operands (`mr rD,rS`, `neg`, `extsw`)
    and whether it is the record form."""
    _n(ops, 2)
    return arch.reg(ops[0]), arch.reg(ops[1]), m.endswith(".")


def d_mr(arch, m, ops):
    rd, rs, rec = _two_regs(arch, m, ops)

    def run(ex, st):
        v, d = ex.rd(st, rs)
        _result(ex, st, rd, v, d, rec)
        yield st, None
    return run


_OP3 = {"add": "+", "sub": "-", "subf": "f-", "and": "&", "or": "|", "xor": "^", "mullw": "*w", "mulld": "*",
        "divw": "/w", "divd": "/", "nand": "~&", "nor": "~|", "andc": "&~", "orc": "|~", "eqv": "~^",
        "slw": "slw", "srw": "srw", "sraw": "sraw", "sld": "sld", "srd": "srd", "srad": "srad"}


def _alu(ex, o, a, b):
    if o == "f-":
        return ex.op("-", b, a)
    if o in ("+", "-", "&", "|", "^", "*", "/"):
        return ex.op(o, a, b)
    if not (isinstance(a, int) and isinstance(b, int)):
        raise ex.err(f"operation '{o}' on an address")
    if o == "*w":
        return ex.word(wrap(a, 32) * wrap(b, 32))
    if o == "/w":
        return ex.word(ex.op("/", wrap(a, 32), wrap(b, 32)) & 0xFFFFFFFF)
    if o == "~&":
        return ex.word(~(a & b))
    if o == "~|":
        return ex.word(~(a | b))
    if o == "&~":
        return ex.word(a & ~b)
    if o == "|~":
        return ex.word(a | ~b)
    if o == "~^":
        return ex.word(~(a ^ b))
    n = b & 0x7F
    if o == "slw":
        return ex.word(((a & 0xFFFFFFFF) << n) & 0xFFFFFFFF if n < 32 else 0)
    if o == "srw":
        return ex.word((a & 0xFFFFFFFF) >> n if n < 32 else 0)
    if o == "sraw":
        return ex.word(wrap(a, 32) >> min(n, 31))
    if o == "sld":
        return ex.word((a << n) if n < 64 else 0)
    if o == "srd":
        return ex.word((a & M64) >> n if n < 64 else 0)
    if o == "srad":
        return ex.word(a >> min(n, 63))
    raise ex.err(f"unknown operation {o}")  # pragma: no cover


def d_op3(arch, m, ops):
    _n(ops, 3)
    rec = m.endswith(".")
    o = _OP3[m.rstrip(".")]
    rd, ra, rb = (arch.reg(x) for x in ops)

    def run(ex, st):
        a, da = ex.rd(st, ra)
        b, db = ex.rd(st, rb)
        res = _alu(ex, o, a, b)
        _result(ex, st, rd, res, da | db, rec)
        yield st, None
    return run


def d_neg(arch, m, ops):
    rd, ra, rec = _two_regs(arch, m, ops)

    def run(ex, st):
        a, d = ex.rd(st, ra)
        if not isinstance(a, int):
            raise ex.err("neg of an address")
        _result(ex, st, rd, ex.word(-a), d, rec)
        yield st, None
    return run


_OPI = {"addi": "+", "addis": "+s", "subi": "-", "andi.": "&", "andis.": "&s", "ori": "|", "oris": "|s",
        "xori": "^", "xoris": "^s", "mulli": "*", "addic": "+"}


def d_opi(arch, m, ops):
    _n(ops, 3)
    rd, ra, k = arch.reg(ops[0]), arch.reg(ops[1]), arch.imm(ops[2])
    o = _OPI[m]
    if o.endswith("s"):
        o, k = o[0], k << 16
    rec = m.endswith(".")
    zero_ra = m in ("addi", "addis", "subi")   # (RA|0)

    def run(ex, st):
        a, d = _rd0(ex, st, ra) if zero_ra else ex.rd(st, ra)
        res = ex.op(o, a, k)
        _result(ex, st, rd, res, d, rec)
        yield st, None
    return run


def _rot_mask(ex, v, sh, mb, me):
    """rlwinm's rotate-and-mask, on 64-bit words."""
    if not isinstance(v, int):
        raise ex.err("rotate of an address")
    r32 = rotl(v & 0xFFFFFFFF, sh, 32)
    r64 = (r32 << 32) | r32
    m = mask64(mb + 32, me + 32)
    return r64 & m, m


def d_rlw(arch, m, ops):
    """rlwinm/rlwimi rA,rS,SH,MB,ME and the simplified forms."""
    rec = m.endswith(".")
    base = m.rstrip(".")
    if base in ("rlwinm", "rlwimi"):
        _n(ops, 5)
        ra, rs = arch.reg(ops[0]), arch.reg(ops[1])
        sh, mb, me = (arch.imm(x) for x in ops[2:])
    elif base in ("slwi", "srwi", "clrlwi", "rotlwi", "clrrwi"):
        _n(ops, 3)
        ra, rs, n = arch.reg(ops[0]), arch.reg(ops[1]), arch.imm(ops[2])
        sh, mb, me = {"slwi": (n, 0, 31 - n), "srwi": ((32 - n) % 32, n, 31), "clrlwi": (0, n, 31),
                      "rotlwi": (n, 0, 31), "clrrwi": (0, 0, 31 - n)}[base]
    else:  # pragma: no cover
        raise DecodeError()
    insert = base == "rlwimi"

    def run(ex, st):
        v, d = ex.rd(st, rs)
        res, msk = _rot_mask(ex, v, sh, mb, me)
        deps = d
        if insert:
            old, do = ex.rd(st, ra)
            if not isinstance(old, int):
                raise ex.err("rlwimi into an address")
            res = res | (old & ~msk & M64)
            deps = d | do
        res = ex.word(res)
        _result(ex, st, ra, res, deps, rec)
        yield st, None
    return run


def d_rld(arch, m, ops):
    """rldicl/rldicr and clrldi/clrrdi/sldi/srdi/rotldi/extrdi-free subset."""
    rec = m.endswith(".")
    base = m.rstrip(".")
    if base in ("rldicl", "rldicr"):
        _n(ops, 4)
        ra, rs, sh, mx = arch.reg(ops[0]), arch.reg(ops[1]), arch.imm(ops[2]), arch.imm(ops[3])
        for k in (sh, mx):
            if not 0 <= k <= 63:
                raise DecodeError(f"PPC, {base}: shift or mask bound {k} is not in 0..63")
        msk = mask64(mx, 63) if base == "rldicl" else mask64(0, mx)
    else:
        _n(ops, 3)
        ra, rs, n = arch.reg(ops[0]), arch.reg(ops[1]), arch.imm(ops[2])
        if not 0 <= n <= 63:
            raise DecodeError(f"PPC, {base}: shift {n} is not in 0..63")
        sh, msk = {"clrldi": (0, mask64(n, 63)), "clrrdi": (0, mask64(0, 63 - n)),
                   "sldi": (n, mask64(0, 63 - n)), "srdi": ((64 - n) % 64, mask64(n, 63)),
                   "rotldi": (n, M64)}[base]

    def run(ex, st):
        v, d = ex.rd(st, rs)
        if not isinstance(v, int):
            raise ex.err("rotate of an address")
        res = ex.word(rotl(v, sh, 64) & msk)
        _result(ex, st, ra, res, d, rec)
        yield st, None
    return run


def d_ext(arch, m, ops):
    ra, rs, rec = _two_regs(arch, m, ops)
    bits = {"extsw": 32, "extsh": 16, "extsb": 8}[m.rstrip(".")]

    def run(ex, st):
        v, d = ex.rd(st, rs)
        if isinstance(v, int):
            v = ex.word(wrap(v, bits, True))
        _result(ex, st, ra, v, d, rec)
        yield st, None
    return run


def _cr_operands(ops, n):
    """`n` operands after an optional condition register (cr0 when absent)."""
    if len(ops) == n + 1:
        cr = ops[0].strip().lower()
        if cr not in CRS:
            raise DecodeError(f"PPC, bad condition register '{ops[0]}'")
        ops = ops[1:]
    else:
        cr = "cr0"
    _n(ops, n)
    return cr, ops


def d_cmp(arch, m, ops):
    signed = not m.startswith("cmpl")
    bits = 64 if "d" in m[3:] else 32
    imm = m.endswith("i")
    cr, ops = _cr_operands(ops, 2)
    ra = arch.reg(ops[0])
    if imm:
        k = arch.imm(ops[1])

        def get_b(ex, st):
            return k, EMPTY
    else:
        rb = arch.reg(ops[1])

        def get_b(ex, st):
            return ex.rd(st, rb)

    def run(ex, st):
        a, da = ex.rd(st, ra)
        b, db = get_b(ex, st)
        _set_cr(ex, st, cr, a, b, signed, bits, da | db)
        yield st, None
    return run


def d_b(arch, m, ops):
    _n(ops, 1)
    lbl = ops[0].strip()
    return branch_to(lbl, lambda ex, st: iter([(st, lbl)]))


def d_blr(arch, m, ops):
    return lambda ex, st: iter([(st, EXIT)])


_BCC = {"beq": (2, True), "bne": (2, False), "blt": (0, True), "bge": (0, False), "bnl": (0, False),
        "bgt": (1, True), "ble": (1, False), "bng": (1, False)}


def d_bcc(arch, m, ops):
    cr, ops = _cr_operands(ops, 1)
    lbl = ops[0].strip()
    bit, want = _BCC[m]

    def run(ex, st):
        val, deps = ex.rd(st, cr) if cr in st.regs else ((False, False, False), EMPTY)
        if ex.all_branches:
            st.ctrl = st.ctrl | deps
            yield st, CondJump(lbl, False)
            return
        b = val[bit]
        if b is None:
            raise ex.err(f"{m}: the order of two addresses is unknown")
        st.ctrl = st.ctrl | deps
        yield st, CondJump(lbl, bool(b) == want)
    return branch_to(lbl, run)


# loads/stores: mnemonic -> (width bits, sign-extend)
_LOADS = {"lwz": (32, False), "lwa": (32, True), "ld": (64, True), "lbz": (8, False), "lhz": (16, False),
          "lha": (16, True)}
_STORES = {"stw": 32, "std": 64, "stb": 8, "sth": 16}


def _address(ex, st, indexed, update, ra, rb, disp):
    """A load or store's address and its dependencies: rA + rB when indexed
    (rA = r0 reads as 0 unless the form updates rA), else rA + disp."""
    if indexed:
        a, da = ex.rd(st, ra) if update else _rd0(ex, st, ra)
        b, db = ex.rd(st, rb)
        return ex.op("+", a, b), da | db
    a, ad = ex.rd(st, ra)
    return ex.op("+", a, disp), ad


def d_load(arch, m, ops):
    _n(ops, 2, 3)
    rd = arch.reg(ops[0])
    indexed = m.endswith("x")
    update = m.endswith("u") or m.endswith("ux")
    base = m.rstrip("x")
    base = base[:-1] if base.endswith("u") and base not in _LOADS else base
    width, signed = _LOADS[base]
    rb = disp = None
    if indexed:
        _n(ops, 3)
        ra, rb = arch.reg_or_zero(ops[1]), arch.reg(ops[2])
    else:
        disp, ra = _dform(arch, ops, base != "lwa")
    if update and (ra == "r0" or ra == rd):
        update = False              # no write-back (herd7: lwzu with rA = r0 or rA = rD)

    def run(ex, st):
        addr, ad = _address(ex, st, indexed, update, ra, rb, disp)
        if update:
            ex.wr(st, ra, addr, ad)
        for s2, v, idx in ex.load(st, addr, ad):
            ex.wr(s2, rd, ex.extend(v, width, signed), frozenset({idx}))
            yield s2, None
    return run


def d_store(arch, m, ops):
    rs = arch.reg(ops[0]) if ops else None
    indexed = m.endswith("x")
    update = m.endswith("u") or m.endswith("ux")
    base = m.rstrip("x")
    base = base[:-1] if base.endswith("u") and base not in _STORES else base
    width = _STORES[base]
    rb = disp = None
    if indexed:
        _n(ops, 3)
        ra, rb = arch.reg_or_zero(ops[1]), arch.reg(ops[2])
    else:
        disp, ra = _dform(arch, ops)
    if update and ra == "r0":
        update = False              # herd7: stwu with rA = r0 does not write r0

    def run(ex, st):
        v, dv = ex.rd(st, rs)
        addr, ad = _address(ex, st, indexed, update, ra, rb, disp)
        ex.store(st, addr, ad, v, dv, W_KINDS, width)
        if update:
            ex.wr(st, ra, addr, ad)
        yield st, None
    return run


def d_larx(arch, m, ops):
    _n(ops, 3, 4)
    rd, ra, rb = arch.reg(ops[0]), arch.reg_or_zero(ops[1]), arch.reg(ops[2])
    width = 32 if m == "lwarx" else 64
    kinds = R_KINDS | {"X"}

    def run(ex, st):
        a, da = _rd0(ex, st, ra)
        b, db = ex.rd(st, rb)
        addr, ad = ex.op("+", a, b), da | db
        ex.wr(st, RES, 1, EMPTY)
        ex.wr(st, RESADDR, addr, ad)
        for s2, v, idx in ex.load(st, addr, ad, kinds):
            ex.wr(s2, rd, ex.extend(v, width, False), frozenset({idx}))
            yield s2, None
    return run


def d_stcx(arch, m, ops):
    _n(ops, 3)
    rs, ra, rb = arch.reg(ops[0]), arch.reg_or_zero(ops[1]), arch.reg(ops[2])
    width = 32 if m == "stwcx." else 64
    kinds = W_KINDS | {"X"}

    def run(ex, st):
        v, dv = ex.rd(st, rs)
        a, da = _rd0(ex, st, ra)
        b, db = ex.rd(st, rb)
        addr, ad = ex.op("+", a, b), da | db
        res, dres = ex.rd(st, RES)
        resa, dresa = ex.rd(st, RESADDR)
        deps = dv | ad | dres | dresa        # cr0 depends on every input (herd7)
        ex.wr(st, RES, 0, EMPTY)
        if res == 1 and isinstance(addr, SymVal) and resa == addr:
            s2 = st.copy()
            ex.store(s2, addr, ad, v, dv, kinds, width)
            ex.wr(s2, "cr0", (False, False, True), deps)
            yield s2, None
        ex.wr(st, "cr0", (False, False, False), deps)
        yield st, None
    return run


def d_fence(kind):
    def dec(arch, m, ops):
        if m == "sync" and ops:
            k = arch.imm(ops[0])
            fk = {0: "SYNC", 1: "LWSYNC"}.get(k)
            if fk is None:
                raise DecodeError(f"PPC, unsupported 'sync {k}'")
        else:
            if ops:
                raise DecodeError(f"PPC, {m} takes no operand")
            fk = kind

        def run(ex, st):
            ex.fence(st, {fk})
            yield st, None
        return run
    return dec


def d_dcbf(arch, m, ops):
    return lambda ex, st: iter([(st, None)])


_DECODERS = {
    "nop": d_nop, "li": d_li, "lis": d_li, "mr": d_mr, "mr.": d_mr,
    "neg": d_neg, "neg.": d_neg,
    "extsw": d_ext, "extsw.": d_ext, "extsh": d_ext, "extsh.": d_ext, "extsb": d_ext, "extsb.": d_ext,
    "cmpw": d_cmp, "cmpwi": d_cmp, "cmplw": d_cmp, "cmplwi": d_cmp,
    "cmpd": d_cmp, "cmpdi": d_cmp, "cmpld": d_cmp, "cmpldi": d_cmp,
    "b": d_b, "blr": d_blr,
    "lwarx": d_larx, "ldarx": d_larx, "stwcx.": d_stcx, "stdcx.": d_stcx,
    "sync": d_fence("SYNC"), "hwsync": d_fence("SYNC"), "lwsync": d_fence("LWSYNC"),
    "eieio": d_fence("EIEIO"), "isync": d_fence("ISYNC"),
    "dcbf": d_dcbf,
}
for _m in _OP3:
    _DECODERS[_m] = d_op3
    _DECODERS[_m + "."] = d_op3
for _m in _OPI:
    _DECODERS[_m] = d_opi
for _m in ("rlwinm", "rlwimi", "slwi", "srwi", "clrlwi", "rotlwi", "clrrwi"):
    _DECODERS[_m] = d_rlw
    _DECODERS[_m + "."] = d_rlw
for _m in ("rldicl", "rldicr", "clrldi", "clrrdi", "sldi", "srdi", "rotldi"):
    _DECODERS[_m] = d_rld
    _DECODERS[_m + "."] = d_rld
for _m in _LOADS:
    _DECODERS[_m] = d_load
    _DECODERS[_m + "x"] = d_load
    if _m != "lwa":
        _DECODERS[_m + "u"] = d_load
        _DECODERS[_m + "ux"] = d_load
for _m in _STORES:
    _DECODERS[_m] = d_store
    _DECODERS[_m + "x"] = d_store
    _DECODERS[_m + "u"] = d_store
    _DECODERS[_m + "ux"] = d_store


def frontend(test, macros, unroll: int) -> Frontend:
    """This architecture's front-end for `test` (weakmem.semantics.frontends)."""
    return AsmFrontend(test, PPCArch(), unroll)
