"""ARM (Armv7, and the AArch32 instructions of Armv8) assembly front-end.

Registers R0-R12, SP, LR, PC (IP = R12, FP = R11); 32-bit words.  The
condition flags N, Z, C, V live in an internal register; conditional
execution (`MOVEQ`, `LDRNE`...) skips an instruction whose condition
fails, conditional branches (`BEQ L0`) add a control dependency from the
reads their flags come from, as in herd7.

Events carry herd7's sets: memory events R/W (M); exclusive accesses X
(LDREX/STREX, LDAEX/STLEX); acquire loads A (LDA, LDAEX) and release
stores L (STL, STLEX); fences DMB, DSB, ISB, with the option after a dot
(`DMB ISH` is in DMB.ISH, `DMB` and `DMB SY` in DMB, `DMB ST` in DMB.ST).
"""
from __future__ import annotations

import re

from weakmem.litmus.ast import LabelVal, SymVal
from weakmem.semantics.asm_common import (EMPTY, branch_to, EXIT, R_KINDS, W_KINDS, Arch, AsmFrontend, CondJump, DecodeError,
                                          Ins, parse_int, split_operands, wrap)
from weakmem.semantics.frontends import Frontend

CONDS = ("EQ", "NE", "CS", "HS", "CC", "LO", "MI", "PL", "VS", "VC", "HI", "LS", "GE", "LT", "GT", "LE", "AL")
BARRIER_OPTS = ("SY", "ST", "LD", "ISH", "ISHST", "ISHLD", "NSH", "NSHST", "NSHLD", "OSH", "OSHST", "OSHLD")

_REG_ALIASES = {"SP": "SP", "LR": "LR", "PC": "PC", "IP": "R12", "FP": "R11", "SL": "R10", "SB": "R9",
                "R13": "SP", "R14": "LR", "R15": "PC"}
_REG_ORDER = [f"R{i}" for i in range(13)] + ["SP", "LR", "PC"]

FLAGS = "NZCV"      # internal register: (n, z, c, v), None where unknown
RESADDR = "RESADDR"


def canon_reg(name: str) -> str | None:
    u = name.strip().upper()
    if u in _REG_ALIASES:
        return _REG_ALIASES[u]
    m = re.fullmatch(r"R([0-9]|1[0-2])", u)
    if m:
        return f"R{int(m.group(1))}"
    return None


def _mask32(v: int) -> int:
    return v & 0xFFFFFFFF


class ArmArch(Arch):
    name = "ARM"
    word_bits = 32
    internal_regs = frozenset({FLAGS, RESADDR})
    declared_sets = frozenset(
        {"X", "A", "L", "ISB", "DMB", "DSB"}
        | {f"{b}.{o}" for b in ("DMB", "DSB") for o in BARRIER_OPTS if o != "SY"})
    canon_name = staticmethod(canon_reg)
    reg_error = " in instruction"

    # ------------------------------------------------------------------ decoding
    def decode(self, text: str) -> Ins:
        parts = text.split(None, 1)
        mnem = parts[0].upper()
        ops = split_operands(parts[1]) if len(parts) > 1 else []
        for base in _BASES:
            if not mnem.startswith(base):
                continue
            parsed = _suffix(mnem[len(base):], base in _SETS_FLAGS)
            if parsed is None:
                continue
            setflags, cond = parsed
            run = _DECODERS[base](self, base, ops, setflags, cond, text)
            return Ins(text, run)
        raise DecodeError()


def _suffix(rest: str, flags_ok: bool):
    """'' / 'S' / cond / 'S'+cond / cond+'S' -> (setflags, cond) or None."""
    if rest == "":
        return False, "AL"
    if rest == "S":
        return (True, "AL") if flags_ok else None
    if rest in CONDS:
        return False, rest
    if flags_ok and len(rest) == 3:
        if rest[0] == "S" and rest[1:] in CONDS:
            return True, rest[1:]
        if rest[2] == "S" and rest[:2] in CONDS:
            return True, rest[:2]
    return None


# ----------------------------------------------------------------------------
# Flags and conditions
# ----------------------------------------------------------------------------

def cond_holds(ex: AsmFrontend, st, cond: str):
    """(holds?, deps) of condition `cond` on the current flags."""
    if cond == "AL":
        return True, EMPTY
    # flags are clear until an instruction sets them (as herd7's Z register is 0)
    (n, z, c, v), deps = ex.rd(st, FLAGS) if FLAGS in st.regs else ((False, False, False, False), EMPTY)

    def need(x, name):
        if x is None:
            raise ex.err(f"condition {cond} needs flag {name}, which a comparison of addresses "
                         "does not give")
        return x

    if cond == "EQ":
        r = need(z, "Z")
    elif cond == "NE":
        r = not need(z, "Z")
    elif cond in ("CS", "HS"):
        r = need(c, "C")
    elif cond in ("CC", "LO"):
        r = not need(c, "C")
    elif cond == "MI":
        r = need(n, "N")
    elif cond == "PL":
        r = not need(n, "N")
    elif cond == "VS":
        r = need(v, "V")
    elif cond == "VC":
        r = not need(v, "V")
    elif cond == "HI":
        r = need(c, "C") and not need(z, "Z")
    elif cond == "LS":
        r = (not need(c, "C")) or need(z, "Z")
    elif cond == "GE":
        r = need(n, "N") == need(v, "V")
    elif cond == "LT":
        r = need(n, "N") != need(v, "V")
    elif cond == "GT":
        r = (not need(z, "Z")) and need(n, "N") == need(v, "V")
    elif cond == "LE":
        r = need(z, "Z") or need(n, "N") != need(v, "V")
    else:  # pragma: no cover
        raise ex.err(f"unknown condition {cond}")
    return bool(r), deps


def flags_nz(res, old, deps):
    """N and Z from a result (C and V kept)."""
    if isinstance(res, int):
        n = bool(_mask32(res) >> 31)
        z = _mask32(res) == 0
    else:
        n, z = None, False      # a symbolic address is never 0
    c, v = (old[2], old[3]) if old else (False, False)
    return (n, z, c, v)


def _result_nz(ex, st, rd, res, deps, setflags: bool) -> None:
    """A move or shift's result into `rd` and, in its S form, the flags:
    N and Z from the result, C and V kept."""
    ex.wr(st, rd, res, deps)
    if setflags:
        old = ex.rd(st, FLAGS)[0] if FLAGS in st.regs else None
        ex.wr(st, FLAGS, flags_nz(res, old, deps), deps)


def flags_add(a, b, carry_in=0):
    if isinstance(a, int) and isinstance(b, int):
        ua, ub = _mask32(a), _mask32(b)
        s = ua + ub + carry_in
        res = _mask32(s)
        sa, sb, sr = wrap(ua, 32), wrap(ub, 32), wrap(res, 32)
        v = (sa >= 0) == (sb >= 0) and (sr >= 0) != (sa >= 0)
        return (bool(res >> 31), res == 0, s > 0xFFFFFFFF, v)
    return (None, None, None, None)


def flags_sub(a, b):
    if isinstance(a, int) and isinstance(b, int):
        ua, ub = _mask32(a), _mask32(b)
        res = _mask32(ua - ub)
        sa, sb, sr = wrap(ua, 32), wrap(ub, 32), wrap(res, 32)
        v = (sa >= 0) != (sb >= 0) and (sr >= 0) != (sa >= 0)
        return (bool(res >> 31), res == 0, ua >= ub, v)
    # comparing addresses: only equality is known
    return (None, a == b, None, None)


# ----------------------------------------------------------------------------
# Operands
# ----------------------------------------------------------------------------

_SHIFT = re.compile(r"(LSL|LSR|ASR|ROR)\s*(#?\s*[-+0-9xXa-fA-F]+|\S+)$", re.I)


def _shift_fn(arch: ArmArch, spec: str):
    """Operand shift 'LSL #2' -> function (ex, st, value, deps) -> (value, deps)."""
    m = _SHIFT.match(spec.strip())
    if not m:
        raise DecodeError(f"ARM, bad shift '{spec}'")
    kind = m.group(1).upper()
    amount = m.group(2).strip()
    if amount.startswith("#") or parse_int(amount) is not None:
        k = arch.imm(amount)

        def get_amount(ex, st):
            return k, EMPTY
    else:
        rs = arch.reg(amount)

        def get_amount(ex, st):
            v, d = ex.rd(st, rs)
            if not isinstance(v, int):
                raise ex.err("shift by an address")
            return v & 0xFF, d

    def apply(ex, st, v, d):
        k, dk = get_amount(ex, st)
        if not isinstance(v, int):
            if k == 0:
                return v, d | dk
            raise ex.err(f"cannot shift address {v}")
        u = _mask32(v)
        if kind == "LSL":
            r = u << k
        elif kind == "LSR":
            r = u >> k if k < 32 else 0
        elif kind == "ASR":
            r = wrap(u, 32) >> min(k, 31)
        else:
            k %= 32
            r = ((u >> k) | (u << (32 - k))) if k else u
        return ex.word(r), d | dk
    return apply


def operand2(arch: ArmArch, ops: list[str]):
    """#imm | Rm | Rm, shift -> function (ex, st) -> (value, deps)."""
    if not ops:
        raise DecodeError("ARM, missing operand")
    first = ops[0].strip()
    if first.startswith("#") or parse_int(first) is not None:
        if len(ops) > 1:
            raise DecodeError("ARM, bad operand")
        k = arch.imm(first)
        return lambda ex, st: (ex.word(k), EMPTY)
    rm = arch.reg(first)
    if len(ops) == 1:
        return lambda ex, st: ex.rd(st, rm)
    if len(ops) > 2:
        raise DecodeError("ARM, bad operand")
    sh = _shift_fn(arch, ops[1])
    return lambda ex, st: sh(ex, st, *ex.rd(st, rm))


class _Addr:
    """[Rn], [Rn, #imm], [Rn, Rm], [Rn, Rm, LSL #k], with optional
    pre-index writeback `!` or post-index `[Rn], #imm`."""

    def __init__(self, arch: ArmArch, ops: list[str], bare: bool = False):
        if not ops:
            raise DecodeError("ARM, missing address")
        a = ops[0].strip()
        if bare and len(ops) == 1 and arch.canon_reg(a) is not None:
            a = f"[{a}]"            # herd7's `LDR R1,R5` / `STR R1,R5`: the address register without brackets
        self.wb = a.endswith("!")
        if self.wb:
            a = a[:-1].strip()
        if not (a.startswith("[") and a.endswith("]")):
            raise DecodeError(f"ARM, bad address '{ops[0]}'")
        inner = split_operands(a[1:-1])
        self.rn = arch.reg(inner[0])
        self.pre = self._offset(arch, inner[1:])
        self.post = self._offset(arch, ops[1:]) if len(ops) > 1 else None
        if self.post is not None:
            self.wb = True

    @staticmethod
    def _offset(arch, parts):
        if not parts:
            return None
        p = parts[0].strip()
        if p.startswith("#") or parse_int(p) is not None:
            if len(parts) > 1:
                raise DecodeError("ARM, bad address offset")
            k = arch.imm(p)
            return lambda ex, st: (k, EMPTY)
        neg = p.startswith("-")
        rm = arch.reg(p.lstrip("+-"))
        sh = _shift_fn(arch, parts[1]) if len(parts) > 1 else None

        def get(ex, st):
            v, d = ex.rd(st, rm)
            if sh is not None:
                v, d = sh(ex, st, v, d)
            if neg:
                v = ex.op("-", 0, v)
            return v, d
        return get

    def compute(self, ex, st, extra: int = 0):
        """(address, deps) of the access (+extra bytes); applies writeback."""
        base, d = ex.rd(st, self.rn)
        addr, ad = base, d
        if self.pre is not None:
            k, dk = self.pre(ex, st)
            addr, ad = ex.op("+", base, k), d | dk
        if self.wb:
            nb, nd = addr, ad
            if self.post is not None:
                k, dk = self.post(ex, st)
                nb, nd = ex.op("+", addr, k), ad | dk
            ex.wr(st, self.rn, nb, nd)
        if extra:
            addr = ex.op("+", addr, extra)
        return addr, ad


def _reglist(arch: ArmArch, s: str) -> list[str]:
    s = s.strip()
    if not (s.startswith("{") and s.endswith("}")):
        raise DecodeError(f"ARM, bad register list '{s}'")
    out = []
    for part in s[1:-1].split(","):
        part = part.strip()
        if "-" in part:
            a, b = (arch.reg(x) for x in part.split("-"))
            ia, ib = _REG_ORDER.index(a), _REG_ORDER.index(b)
            out.extend(_REG_ORDER[ia:ib + 1])
        elif part:
            out.append(arch.reg(part))
    return sorted(out, key=lambda r: _REG_ORDER.index(r) if r in _REG_ORDER else 99)


def _next_reg(r: str) -> str:
    i = _REG_ORDER.index(r)
    if i + 1 >= len(_REG_ORDER):
        raise DecodeError("ARM, no register after " + r)
    return _REG_ORDER[i + 1]


# ----------------------------------------------------------------------------
# Instruction decoders: (arch, base, ops, setflags, cond, text) -> run
# ----------------------------------------------------------------------------

def _conditional(cond: str, body):
    """Wrap `body(ex, st)` (a generator of (st, jump)) in conditional
    execution: a failed condition makes the instruction a no-op."""
    if cond == "AL":
        return body

    def run(ex, st):
        if ex.all_branches:
            yield from body(ex, st.copy())
            yield st, None
            return
        ok, _ = cond_holds(ex, st, cond)
        if ok:
            yield from body(ex, st)
        else:
            yield st, None
    return run


def _nargs(ops, *ns):
    if len(ops) not in ns:
        raise DecodeError(f"ARM, wrong number of operands ({len(ops)})")


_ALU = {"ADD": "+", "SUB": "-", "RSB": "r-", "AND": "&", "ORR": "|", "EOR": "^", "XOR": "^", "BIC": "&~", "MUL": "*",
        "ORN": "|~"}


def d_alu(arch, base, ops, setflags, cond, text):
    _nargs(ops, 2, 3, 4)
    if base == "AND" and cond == "EQ" and not setflags and len(ops) == 3 \
            and len({arch.canon_reg(o.strip()) for o in ops}) == 1:
        return d_nop(arch, base, ops, setflags, cond, text)   # `ANDEQ R1,R1,R1`: herd7's NOP idiom
    if base == "EOR":
        setflags = False     # herd7 reads `EORS` as `EOR` (its lexer maps both to one token): flags are kept
    rd = arch.reg(ops[0])
    if len(ops) == 2:          # ADD Rd, #imm  is  ADD Rd, Rd, #imm
        rn, rest = rd, ops[1:]
    else:
        rn, rest = arch.reg(ops[1]), ops[2:]
    src2 = operand2(arch, rest)
    o = _ALU[base]

    def body(ex, st):
        a, da = ex.rd(st, rn)
        b, db = src2(ex, st)
        if o == "r-":
            res = ex.op("-", b, a)
        elif o in ("&~", "|~"):
            if not isinstance(b, int):
                raise ex.err(f"{base} with an address operand")
            res = ex.op(o[0], a, ~b)
        else:
            res = ex.op(o, a, b)
        deps = da | db
        ex.wr(st, rd, res, deps)
        if setflags:
            old = ex.rd(st, FLAGS)[0] if FLAGS in st.regs else None
            if o == "+":
                fl = flags_add(a, b)
            elif o == "-":
                fl = flags_sub(a, b)
            elif o == "r-":
                fl = flags_sub(b, a)
            else:
                fl = flags_nz(res, old, deps)
            ex.wr(st, FLAGS, fl, deps)
        yield st, None
    return _conditional(cond, body)


def d_shift_instr(arch, base, ops, setflags, cond, text):
    """LSL Rd, Rm, #k / Rs (and LSR, ASR, ROR)."""
    _nargs(ops, 2, 3)
    rd = arch.reg(ops[0])
    if len(ops) == 2:
        rm, amt = rd, ops[1]
    else:
        rm, amt = arch.reg(ops[1]), ops[2]
    sh = _shift_fn(arch, f"{base} {amt}")

    def body(ex, st):
        v, d = sh(ex, st, *ex.rd(st, rm))
        _result_nz(ex, st, rd, v, d, setflags)
        yield st, None
    return _conditional(cond, body)


def d_mov(arch, base, ops, setflags, cond, text):
    if len(ops) < 2:
        raise DecodeError("ARM, MOV needs two operands")
    rd = arch.reg(ops[0])
    src = operand2(arch, ops[1:])
    neg = base == "MVN"

    def body(ex, st):
        v, d = src(ex, st)
        if neg:
            if not isinstance(v, int):
                raise ex.err("MVN of an address")
            v = ex.word(~v)
        _result_nz(ex, st, rd, v, d, setflags)
        yield st, None
    return _conditional(cond, body)


def d_movw(arch, base, ops, setflags, cond, text):
    _nargs(ops, 2)
    rd = arch.reg(ops[0])
    k = arch.imm(ops[1])
    if not 0 <= k <= 0xFFFF:
        raise DecodeError(f"ARM, {base} immediate out of range")

    def body(ex, st):
        if base == "MOVW":
            ex.wr(st, rd, k, EMPTY)
        else:   # MOVT: top half := k, bottom half kept
            old, d = ex.rd(st, rd)
            if not isinstance(old, int):
                raise ex.err("MOVT on an address")
            ex.wr(st, rd, ex.word((k << 16) | (old & 0xFFFF)), d)
        yield st, None
    return _conditional(cond, body)


def d_cmp(arch, base, ops, setflags, cond, text):
    if len(ops) < 2:
        raise DecodeError(f"ARM, {base} needs two operands")
    rn = arch.reg(ops[0])
    src = operand2(arch, ops[1:])

    def body(ex, st):
        a, da = ex.rd(st, rn)
        b, db = src(ex, st)
        old = ex.rd(st, FLAGS)[0] if FLAGS in st.regs else None
        if base == "CMP":
            fl = flags_sub(a, b)
        elif base == "CMN":
            fl = flags_add(a, b)
        elif base == "TST":
            fl = flags_nz(ex.op("&", a, b), old, EMPTY)
        else:  # TEQ
            fl = flags_nz(ex.op("^", a, b), old, EMPTY)
        ex.wr(st, FLAGS, fl, da | db)
        yield st, None
    return _conditional(cond, body)


def d_nop(arch, base, ops, setflags, cond, text):
    return lambda ex, st: iter([(st, None)])


def d_pushpop(arch, base, ops, setflags, cond, text):
    """`PUSH {R1}` / `POP {R1,R2}`: herd7 reads them as no-ops (one or two registers)."""
    _nargs(ops, 1)
    if cond != "AL" or not 1 <= len(_reglist(arch, ops[0])) <= 2:
        raise DecodeError(f"ARM, {base} takes a list of one or two registers")
    return d_nop(arch, base, ops, setflags, cond, text)


def d_b(arch, base, ops, setflags, cond, text):
    _nargs(ops, 1)
    lbl = ops[0].strip()

    def run(ex, st):
        if cond == "AL":
            yield st, lbl
            return
        if ex.all_branches:
            ok, deps = False, ex.rd(st, FLAGS)[1]
        else:
            ok, deps = cond_holds(ex, st, cond)
        st.ctrl = st.ctrl | deps
        yield st, CondJump(lbl, ok)
    return branch_to(lbl, run)


def d_cbz(arch, base, ops, setflags, cond, text):
    _nargs(ops, 2)
    rn = arch.reg(ops[0])
    lbl = ops[1].strip()

    def run(ex, st):
        v, d = ex.rd(st, rn)
        zero = isinstance(v, int) and v == 0
        st.ctrl = st.ctrl | d
        yield st, CondJump(lbl, zero == (base == "CBZ"))
    return branch_to(lbl, run)


def d_bx(arch, base, ops, setflags, cond, text):
    _nargs(ops, 1)
    rm = arch.reg(ops[0])

    def body(ex, st):
        v, _ = ex.rd(st, rm)
        # a label: jump there; anything else (e.g. BX LR): return, i.e. the thread ends
        yield st, (v if isinstance(v, LabelVal) else EXIT)
    return _conditional(cond, body)


_LD_WIDTH = {"LDR": (32, False), "LDRB": (8, False), "LDRH": (16, False), "LDRSB": (8, True),
             "LDRSH": (16, True), "LDA": (32, False), "LDREX": (32, False), "LDAEX": (32, False)}
_ST_WIDTH = {"STR": 32, "STRB": 8, "STRH": 16, "STL": 32}


def d_ldr(arch, base, ops, setflags, cond, text):
    if len(ops) < 2:
        raise DecodeError(f"ARM, {base} needs a register and an address")
    rt = arch.reg(ops[0])
    am = _Addr(arch, ops[1:], bare=base in ("LDR", "LDREX"))
    width, signed = _LD_WIDTH[base]
    kinds = R_KINDS | ({"A"} if base in ("LDA", "LDAEX") else set()) | ({"X"} if "EX" in base else set())
    kinds = frozenset(kinds)
    excl = "EX" in base

    def body(ex, st):
        addr, ad = am.compute(ex, st)
        if excl:
            ex.wr(st, RESADDR, addr, ad)
        for s2, v, idx in ex.load(st, addr, ad, kinds):
            ex.wr(s2, rt, ex.extend(v, width, signed), frozenset({idx}))
            yield s2, None
    return _conditional(cond, body)


def d_str(arch, base, ops, setflags, cond, text):
    if len(ops) < 2:
        raise DecodeError(f"ARM, {base} needs a register and an address")
    rt = arch.reg(ops[0])
    am = _Addr(arch, ops[1:], bare=base == "STR")
    width = _ST_WIDTH[base]
    kinds = frozenset(W_KINDS | ({"L"} if base == "STL" else set()))

    def body(ex, st):
        v, d = ex.rd(st, rt)
        addr, ad = am.compute(ex, st)
        ex.store(st, addr, ad, v, d, kinds, width)
        yield st, None
    return _conditional(cond, body)


def d_strex(arch, base, ops, setflags, cond, text):
    _nargs(ops, 3, 4)
    rd, rt = arch.reg(ops[0]), arch.reg(ops[1])
    am = _Addr(arch, ops[2:])
    kinds = frozenset(W_KINDS | {"X"} | ({"L"} if base == "STLEX" else set()))

    def body(ex, st):
        v, dv = ex.rd(st, rt)
        addr, ad = am.compute(ex, st)
        resa, dr = ex.rd(st, RESADDR) if RESADDR in st.regs else (0, EMPTY)
        deps = dv | ad | dr          # the status register depends on every input (herd7)
        ex.wr(st, RESADDR, 0, EMPTY)
        ok = isinstance(addr, SymVal) and resa == addr
        if ok:
            s2 = st.copy()
            ex.wr(s2, rd, 0, deps)
            ex.store(s2, addr, ad, v, dv, kinds)
            yield s2, None
        ex.wr(st, rd, 1, deps)
        yield st, None
    return _conditional(cond, body)


def d_ldrd(arch, base, ops, setflags, cond, text):
    if len(ops) < 2:
        raise DecodeError(f"ARM, {base} needs registers and an address")
    r1 = arch.reg(ops[0])
    if ops[1].strip().startswith("["):
        r2, rest = _next_reg(r1), ops[1:]
    else:
        r2, rest = arch.reg(ops[1]), ops[2:]
    am = _Addr(arch, rest)
    is_load = base == "LDRD"

    def body(ex, st):
        a1, ad = am.compute(ex, st)
        a2 = ex.op("+", a1, 4)
        if is_load:
            for s2, v1, i1 in ex.load(st, a1, ad):
                for s3, v2, i2 in ex.load(s2, a2, ad):
                    ex.wr(s3, r1, ex.word(v1), frozenset({i1}))
                    ex.wr(s3, r2, ex.word(v2), frozenset({i2}))
                    yield s3, None
        else:
            v1, d1 = ex.rd(st, r1)
            v2, d2 = ex.rd(st, r2)
            ex.store(st, a1, ad, v1, d1)
            ex.store(st, a2, ad, v2, d2)
            yield st, None
    return _conditional(cond, body)


def d_ldm(arch, base, ops, setflags, cond, text):
    _nargs(ops, 2)
    rn_s = ops[0].strip()
    wb = rn_s.endswith("!")
    rn = arch.reg(rn_s.rstrip("!"))
    regs = _reglist(arch, ops[1])
    mode = base[3:] or "IA"
    mode = {"FD": "IA", "ED": "IB", "FA": "DA", "EA": "DB"}.get(mode, mode) if base.startswith("LDM") else \
        {"EA": "IA", "FA": "IB", "ED": "DA", "FD": "DB"}.get(mode, mode)
    n = len(regs)
    first = {"IA": 0, "IB": 4, "DA": -4 * n + 4, "DB": -4 * n}[mode]
    delta = 4 * n if mode in ("IA", "IB") else -4 * n
    is_load = base.startswith("LDM")

    def body(ex, st):
        b, bd = ex.rd(st, rn)
        addrs = [ex.op("+", b, first + 4 * k) for k in range(n)]
        if is_load:
            states = [(st, [])]
            for a in addrs:
                nxt = []
                for s, vals in states:
                    for s2, v, idx in ex.load(s, a, bd):
                        nxt.append((s2, vals + [(v, idx)]))
                states = nxt
            for s, vals in states:
                if wb:
                    ex.wr(s, rn, ex.op("+", b, delta), bd)
                for r, (v, idx) in zip(regs, vals):
                    ex.wr(s, r, ex.word(v), frozenset({idx}))
                yield s, None
        else:
            for r, a in zip(regs, addrs):
                v, d = ex.rd(st, r)
                ex.store(st, a, bd, v, d)
            if wb:
                ex.wr(st, rn, ex.op("+", b, delta), bd)
            yield st, None
    return _conditional(cond, body)


def d_barrier(arch, base, ops, setflags, cond, text):
    if base == "ISB":
        if ops and ops[0].strip().upper() not in ("SY", ""):
            raise DecodeError(f"ARM, bad ISB option '{ops[0]}'")
        kinds = {"ISB"}
    else:
        opt = ops[0].strip().upper() if ops else "SY"
        if len(ops) > 1 or opt not in BARRIER_OPTS:
            raise DecodeError(f"ARM, bad {base} option '{', '.join(ops)}'")
        kinds = {base if opt == "SY" else f"{base}.{opt}"}

    def run(ex, st):
        ex.fence(st, kinds)
        yield st, None
    return _conditional(cond, run)


_DECODERS = {
    "NOP": d_nop, "PUSH": d_pushpop, "POP": d_pushpop, "XOR": d_alu,
    "ADD": d_alu, "SUB": d_alu, "RSB": d_alu, "AND": d_alu, "ORR": d_alu, "EOR": d_alu, "BIC": d_alu,
    "MUL": d_alu, "ORN": d_alu,
    "LSL": d_shift_instr, "LSR": d_shift_instr, "ASR": d_shift_instr, "ROR": d_shift_instr,
    "MOV": d_mov, "MVN": d_mov, "MOVW": d_movw, "MOVT": d_movw,
    "CMP": d_cmp, "CMN": d_cmp, "TST": d_cmp, "TEQ": d_cmp,
    "B": d_b, "BX": d_bx, "CBZ": d_cbz, "CBNZ": d_cbz,
    "LDR": d_ldr, "LDRB": d_ldr, "LDRH": d_ldr, "LDRSB": d_ldr, "LDRSH": d_ldr,
    "LDREX": d_ldr, "LDAEX": d_ldr, "LDA": d_ldr,
    "STR": d_str, "STRB": d_str, "STRH": d_str, "STL": d_str,
    "STREX": d_strex, "STLEX": d_strex,
    "LDRD": d_ldrd, "STRD": d_ldrd,
    "LDM": d_ldm, "LDMIA": d_ldm, "LDMIB": d_ldm, "LDMDA": d_ldm, "LDMDB": d_ldm, "LDMFD": d_ldm,
    "STM": d_ldm, "STMIA": d_ldm, "STMIB": d_ldm, "STMDA": d_ldm, "STMDB": d_ldm, "STMFD": d_ldm,
    "DMB": d_barrier, "DSB": d_barrier, "ISB": d_barrier,
}
_SETS_FLAGS = {"ADD", "SUB", "RSB", "AND", "ORR", "EOR", "BIC", "MUL", "ORN", "MOV", "MVN",
               "LSL", "LSR", "ASR", "ROR"}
_BASES = sorted(_DECODERS, key=len, reverse=True)


# ----------------------------------------------------------------------------

def frontend(test, macros, unroll: int) -> Frontend:
    """This architecture's front-end for `test` (weakmem.semantics.frontends)."""
    return AsmFrontend(test, ArmArch(), unroll)
