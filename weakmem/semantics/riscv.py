"""RISC-V (RV64 with the A extension) assembly front-end.

Registers x0-x31 with their ABI names (a0 = x10...; conditions and final
states use the x names, as herd7 prints them); x0 reads as 0.  64-bit
words: `lw` sign-extends, `lwu` zero-extends, `sw` stores the low word.

Events carry herd7's sets: R/W (M); the annotations of the `.aq`, `.rl`
and `.aq.rl` forms, Acq, Rel, AcqRel (herd7 also accepts them on plain
loads and stores); X for the accesses of lr/sc and AMOs, AMO for the
read and write of an AMO (related by `amo` and `rmw`); fences in sets
named after their kind: `fence rw,w` is in Fence.rw.w (the i/o bits are
ignored, so `fence iorw,iorw` is Fence.rw.rw), `fence.tso` in
Fence.tso, `fence.i` in Fence.i.
"""
from __future__ import annotations

import re

from weakmem.litmus.ast import SymVal
from weakmem.semantics.asm_common import (EMPTY, branch_to, EXIT, R_KINDS, W_KINDS, Arch, AsmFrontend, CondJump, DecodeError,
                                          Ins, split_operands, wrap)
from weakmem.semantics.frontends import Frontend

RESADDR = "RESADDR"
M64 = (1 << 64) - 1

_ABI = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
        "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"]
_NAMES = {n: f"x{i}" for i, n in enumerate(_ABI)}
_NAMES["fp"] = "x8"
_NAMES.update({f"x{i}": f"x{i}" for i in range(32)})

ACCESS = ("r", "w", "rw")
FENCE_SETS = frozenset(f"Fence.{a}.{b}" for a in ACCESS for b in ACCESS) | {"Fence.tso", "Fence.i"}
MO_SETS = {"aq": "Acq", "rl": "Rel", "aqrl": "AcqRel", "sc": "Sc"}


def canon_reg(name: str) -> str | None:
    return _NAMES.get(name.strip().lower())


def _mo(suffixes: list[str]) -> str | None:
    """['aq'] -> 'aq', ['aq','rl'] / ['aqrl'] -> 'aqrl'."""
    s = "".join(suffixes)
    if s == "":
        return None
    if s in ("aq", "rl", "aqrl", "sc"):
        return s
    if s == "rlaq":
        return "aqrl"
    raise DecodeError(f"RISCV, bad ordering annotation '.{'.'.join(suffixes)}'")


class RiscvArch(Arch):
    name = "RISCV"
    word_bits = 64
    zero_regs = frozenset({"x0"})
    internal_regs = frozenset({RESADDR})
    declared_sets = FENCE_SETS | {"X", "AMO", "Acq", "Rel", "AcqRel", "Sc"}
    canon_name = staticmethod(canon_reg)

    def decode(self, text: str) -> Ins:
        parts = text.split(None, 1)
        mnem = parts[0].lower()
        ops = split_operands(parts[1]) if len(parts) > 1 else []
        dec = _DECODERS.get(mnem)
        if dec is not None:
            return Ins(text, dec(self, mnem, ops))
        pieces = mnem.split(".")
        head = pieces[0]
        if head in ("lr", "sc") and len(pieces) >= 2:
            return Ins(text, d_lrsc(self, head, pieces[1], _mo(pieces[2:]), ops))
        if head.startswith("amo") and len(pieces) >= 2 and head[3:] in _AMO_OPS:
            return Ins(text, d_amo(self, head[3:], pieces[1], _mo(pieces[2:]), ops))
        if head in _LOADS and len(pieces) >= 2:
            return Ins(text, d_load(self, head, _mo(pieces[1:]), ops))
        if head in _STORES and len(pieces) >= 2:
            return Ins(text, d_store(self, head, _mo(pieces[1:]), ops))
        raise DecodeError(f"RISCV, instruction '{text}' not handled")


def _n(ops, *ns):
    if len(ops) not in ns:
        raise DecodeError(f"RISCV, wrong number of operands ({len(ops)})")


def _mem_operand(arch, s: str):
    """'8(x6)' / '(x6)' / 'x6' -> (offset, reg)."""
    s = s.strip()
    m = re.fullmatch(r"([-+]?[0-9xXa-fA-F]*)\s*\(\s*(%?\w+)\s*\)", s)
    if m:
        return (arch.imm(m.group(1)) if m.group(1) else 0), arch.reg(m.group(2))
    return 0, arch.reg(s)


def _kinds(base, mo: str | None, extra=()):
    k = set(base) | set(extra)
    if mo is not None:
        k.add(MO_SETS[mo])
    return frozenset(k)


# ----------------------------------------------------------------------------
# ALU
# ----------------------------------------------------------------------------

def _alu(ex, o: str, a, b, word32: bool):
    if o in ("+", "-", "&", "|", "^") and not word32:
        return ex.op(o, a, b)
    if not (isinstance(a, int) and isinstance(b, int)):
        if o in ("+", "-") and word32:
            raise ex.err("32-bit arithmetic on an address")
        raise ex.err(f"operation '{o}' on an address")
    bits = 32 if word32 else 64
    sh = b & (bits - 1)
    if o == "+":
        r = a + b
    elif o == "-":
        r = a - b
    elif o == "&":
        r = a & b
    elif o == "|":
        r = a | b
    elif o == "^":
        r = a ^ b
    elif o == "<<":
        r = (a & ((1 << bits) - 1)) << sh
    elif o == ">>u":
        r = (a & ((1 << bits) - 1)) >> sh
    elif o == ">>s":
        r = wrap(a, bits) >> sh
    elif o == "<":
        r = int(wrap(a, 64) < wrap(b, 64))
    elif o == "<u":
        r = int((a & M64) < (b & M64))
    elif o == "*":
        r = a * b
    elif o == "/":
        r = ex.op("/", wrap(a, bits), wrap(b, bits)) if b else -1
    elif o == "%":
        r = ex.op("%", wrap(a, bits), wrap(b, bits)) if b else a
    elif o == "max":
        r = max(wrap(a, bits), wrap(b, bits))
    elif o == "min":
        r = min(wrap(a, bits), wrap(b, bits))
    elif o == "maxu":
        r = max(a & ((1 << bits) - 1), b & ((1 << bits) - 1))
    elif o == "minu":
        r = min(a & ((1 << bits) - 1), b & ((1 << bits) - 1))
    else:  # pragma: no cover
        raise ex.err(f"unknown operation {o}")
    if word32:
        r = wrap(r, 32)
    return ex.word(r)


_OPR = {"add": "+", "sub": "-", "and": "&", "or": "|", "xor": "^", "sll": "<<", "srl": ">>u", "sra": ">>s",
        "slt": "<", "sltu": "<u", "mul": "*", "div": "/", "rem": "%",
        "addw": "+w", "subw": "-w", "sllw": "<<w", "srlw": ">>uw", "sraw": ">>sw", "mulw": "*w", "divw": "/w",
        "remw": "%w"}
_OPI = {"addi": "+", "andi": "&", "ori": "|", "xori": "^", "slli": "<<", "srli": ">>u", "srai": ">>s",
        "slti": "<", "sltiu": "<u", "addiw": "+w", "slliw": "<<w", "srliw": ">>uw", "sraiw": ">>sw"}


def d_op(arch, m, ops):
    _n(ops, 3)
    rd, r1 = arch.reg(ops[0]), arch.reg(ops[1])
    if m in _OPI:
        o = _OPI[m]
        k = arch.imm(ops[2])

        def get2(ex, st):
            return k, EMPTY
    else:
        o = _OPR[m]
        r2 = arch.reg(ops[2])

        def get2(ex, st):
            return ex.rd(st, r2)
    w32 = o.endswith("w")
    o = o.rstrip("w") if w32 else o

    def run(ex, st):
        a, da = ex.rd(st, r1)
        b, db = get2(ex, st)
        ex.wr(st, rd, _alu(ex, o, a, b, w32), da | db)
        yield st, None
    return run


def d_pseudo1(arch, m, ops):
    """mv, neg, not, sext.w, seqz, snez, negw."""
    _n(ops, 2)
    rd, rs = arch.reg(ops[0]), arch.reg(ops[1])

    def run(ex, st):
        v, d = ex.rd(st, rs)
        if m == "mv":
            r = v
        elif not isinstance(v, int):
            if m in ("seqz", "snez"):
                r = int(m == "snez")
            else:
                raise ex.err(f"{m} of an address")
        elif m == "neg":
            r = ex.word(-v)
        elif m == "negw":
            r = ex.word(wrap(-v, 32))
        elif m == "not":
            r = ex.word(~v)
        elif m == "sext.w":
            r = ex.word(wrap(v, 32))
        elif m == "seqz":
            r = int(v == 0)
        else:  # snez
            r = int(v != 0)
        ex.wr(st, rd, r, d)
        yield st, None
    return run


def d_li(arch, m, ops):
    _n(ops, 2)
    rd, k = arch.reg(ops[0]), arch.imm(ops[1])
    if m == "lui":
        k = wrap(k << 12, 32)

    def run(ex, st):
        ex.wr(st, rd, ex.word(k), EMPTY)
        yield st, None
    return run


def d_nop(arch, m, ops):
    return lambda ex, st: iter([(st, None)])


def d_la(arch, m, ops):
    """`la x5,L0`: the address of a code label of the thread (herd7 reads a label)."""
    _n(ops, 2)
    rd, name = arch.reg(ops[0]), ops[1].strip()
    if not re.fullmatch(r"[A-Za-z_.$][A-Za-z0-9_.$]*", name) or canon_reg(name):
        raise DecodeError(f"RISCV, bad label '{name}'")

    def run(ex, st):
        ex.wr(st, rd, ex.label_value(name), EMPTY)
        yield st, None
    return run


# ----------------------------------------------------------------------------
# Branches
# ----------------------------------------------------------------------------

_BCC = {"beq": "==", "bne": "!=", "blt": "<", "bge": ">=", "bltu": "<u", "bgeu": ">=u",
        "bgt": ">", "ble": "<=", "bgtu": ">u", "bleu": "<=u"}
_BCCZ = {"beqz": "==", "bnez": "!=", "bltz": "<", "bgez": ">=", "bgtz": ">", "blez": "<="}


def _compare(ex, o, a, b) -> bool:
    if o in ("==", "!="):
        return (a == b) == (o == "==")
    if not (isinstance(a, int) and isinstance(b, int)):
        raise ex.err("ordering comparison of addresses")
    if o.endswith("u"):
        a, b, o = a & M64, b & M64, o[:-1]
    return {"<": a < b, ">=": a >= b, ">": a > b, "<=": a <= b}[o]


def d_bcc(arch, m, ops):
    if m in _BCCZ:
        _n(ops, 2)
        r1, r2, lbl, o = arch.reg(ops[0]), "x0", ops[1].strip(), _BCCZ[m]
    else:
        _n(ops, 3)
        r1, r2, lbl, o = arch.reg(ops[0]), arch.reg(ops[1]), ops[2].strip(), _BCC[m]

    def run(ex, st):
        a, da = ex.rd(st, r1)
        b, db = ex.rd(st, r2)
        st.ctrl = st.ctrl | da | db
        yield st, CondJump(lbl, False if ex.all_branches else _compare(ex, o, a, b))
    return branch_to(lbl, run)


def d_j(arch, m, ops):
    _n(ops, 1)
    lbl = ops[0].strip()
    return branch_to(lbl, lambda ex, st: iter([(st, lbl)]))


def d_ret(arch, m, ops):
    return lambda ex, st: iter([(st, EXIT)])


# ----------------------------------------------------------------------------
# Memory
# ----------------------------------------------------------------------------

_LOADS = {"lb": (8, True), "lbu": (8, False), "lh": (16, True), "lhu": (16, False), "lw": (32, True),
          "lwu": (32, False), "ld": (64, True)}
_STORES = {"sb": 8, "sh": 16, "sw": 32, "sd": 64}


def d_load(arch, m, mo, ops):
    _n(ops, 2)
    rd = arch.reg(ops[0])
    off, rs = _mem_operand(arch, ops[1])
    width, signed = _LOADS[m]
    kinds = _kinds(R_KINDS, mo)

    def run(ex, st):
        a, ad = ex.rd(st, rs)
        addr = ex.op("+", a, off)
        for s2, v, idx in ex.load(st, addr, ad, kinds):
            ex.wr(s2, rd, ex.extend(v, width, signed), frozenset({idx}))
            yield s2, None
    return run


def d_store(arch, m, mo, ops):
    _n(ops, 2)
    rv = arch.reg(ops[0])
    off, rs = _mem_operand(arch, ops[1])
    width = _STORES[m]
    kinds = _kinds(W_KINDS, mo)

    def run(ex, st):
        v, dv = ex.rd(st, rv)
        a, ad = ex.rd(st, rs)
        ex.store(st, ex.op("+", a, off), ad, v, dv, kinds, width)
        yield st, None
    return run


def _width(w: str) -> int:
    if w not in ("w", "d"):
        raise DecodeError(f"RISCV, bad access width '.{w}'")
    return 32 if w == "w" else 64


def _no_offset(arch, op, head):
    """The address register of `lr`/`sc`'s operand `(rs)`, which takes no offset."""
    off, rs = _mem_operand(arch, op)
    if off:
        raise DecodeError(f"RISCV, {head} takes no offset")
    return rs


def d_lrsc(arch, head, w, mo, ops):
    width = _width(w)
    if (head, mo) in (("lr", "rl"), ("sc", "aq")):
        mo = None           # herd7 reads `lr.w.rl` as `lr.w` and `sc.w.aq` as `sc.w` (no annotation)
    if head == "lr":
        _n(ops, 2)
        rd = arch.reg(ops[0])
        rs = _no_offset(arch, ops[1], head)
        kinds = _kinds(R_KINDS, mo, {"X"})

        def run(ex, st):
            addr, ad = ex.rd(st, rs)
            ex.wr(st, RESADDR, addr, ad)
            for s2, v, idx in ex.load(st, addr, ad, kinds):
                ex.wr(s2, rd, ex.extend(v, width, True), frozenset({idx}))
                yield s2, None
        return run
    _n(ops, 3)
    rd, rv = arch.reg(ops[0]), arch.reg(ops[1])
    rs = _no_offset(arch, ops[2], head)
    kinds = _kinds(W_KINDS, mo, {"X"})

    def run(ex, st):
        v, dv = ex.rd(st, rv)
        addr, ad = ex.rd(st, rs)
        resa, dr = ex.rd(st, RESADDR) if RESADDR in st.regs else (0, EMPTY)
        deps = dv | ad | dr            # the status depends on every input (herd7)
        ex.wr(st, RESADDR, 0, EMPTY)
        if isinstance(addr, SymVal) and resa == addr:
            s2 = st.copy()
            ex.store(s2, addr, ad, v, dv, kinds, width)
            ex.wr(s2, rd, 0, deps)
            yield s2, None
        ex.wr(st, rd, 1, deps)
        yield st, None
    return run


_AMO_OPS = {"swap": None, "add": "+", "and": "&", "or": "|", "xor": "^", "max": "max", "min": "min",
            "maxu": "maxu", "minu": "minu"}


def d_amo(arch, op, w, mo, ops):
    width = _width(w)
    _n(ops, 3)
    rd, rv = arch.reg(ops[0]), arch.reg(ops[1])
    off, rs = _mem_operand(arch, ops[2])
    if off:
        raise DecodeError("RISCV, AMOs take no offset")
    # herd7: the read of an AMO carries .aq, its write .rl (.aq.rl: both)
    rmo = {"aq": "aq", "aqrl": "aqrl", "sc": "sc"}.get(mo or "")
    wmo = {"rl": "rl", "aqrl": "aqrl", "sc": "sc"}.get(mo or "")
    rkinds = _kinds(R_KINDS, rmo, {"X", "AMO"})
    wkinds = _kinds(W_KINDS, wmo, {"X", "AMO"})
    o = _AMO_OPS[op]

    def run(ex, st):
        v, dv = ex.rd(st, rv)
        addr, ad = ex.rd(st, rs)
        for s2, old, idx in ex.load(st, addr, ad, rkinds):
            oldv = ex.extend(old, width, True)
            new = v if o is None else _alu(ex, o, oldv, v, width == 32)
            ex.store(s2, addr, ad, new, dv, wkinds, width)
            ex.wr(s2, rd, oldv, frozenset({idx}))
            yield s2, None
    return run


def d_fence(arch, m, ops):
    if m == "fence.tso":
        kinds = {"Fence.tso"}
    elif m == "fence.i":
        kinds = {"Fence.i"}
    else:
        if not ops:
            pred = succ = "rw"
        else:
            _n(ops, 2)
            pred, succ = (_fence_set(x) for x in ops)
        kinds = {f"Fence.{pred}.{succ}"} if pred and succ else set()
    if ops and m != "fence":
        raise DecodeError(f"RISCV, {m} takes no operand")

    def run(ex, st):
        ex.fence(st, kinds)
        yield st, None
    return run


def _fence_set(s: str) -> str:
    s = s.strip().lower()
    if not s or any(c not in "iorw" for c in s):
        raise DecodeError(f"RISCV, bad fence operand '{s}'")
    return ("r" if "r" in s else "") + ("w" if "w" in s else "")


def d_auipc(arch, m, ops):
    # herd7 rejects auipc (addresses of code are not modelled)
    raise DecodeError("RISCV, instruction '{}' not handled".format(
        m + " " + ",".join(arch.reg(o) if canon_reg(o) else o.strip() for o in ops)))


_DECODERS = {
    "nop": d_nop, "la": d_la, "li": d_li, "lui": d_li, "auipc": d_auipc,
    "mv": d_pseudo1, "neg": d_pseudo1, "negw": d_pseudo1, "not": d_pseudo1, "sext.w": d_pseudo1,
    "seqz": d_pseudo1, "snez": d_pseudo1,
    "j": d_j, "ret": d_ret,
    "fence": d_fence, "fence.tso": d_fence, "fence.i": d_fence,
}
for _m in list(_OPR) + list(_OPI):
    _DECODERS[_m] = d_op
for _m in list(_BCC) + list(_BCCZ):
    _DECODERS[_m] = d_bcc
for _m in _LOADS:
    _DECODERS[_m] = (lambda m: lambda arch, _mm, ops: d_load(arch, m, None, ops))(_m)
for _m in _STORES:
    _DECODERS[_m] = (lambda m: lambda arch, _mm, ops: d_store(arch, m, None, ops))(_m)


def frontend(test, macros, unroll: int) -> Frontend:
    """This architecture's front-end for `test` (weakmem.semantics.frontends)."""
    return AsmFrontend(test, RiscvArch(), unroll)
