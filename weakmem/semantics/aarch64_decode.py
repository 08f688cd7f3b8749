"""AArch64 instruction decoding: the text of an AsmInstr -> an `Ins`.

Operands are parsed with a small Lark grammar (registers, immediates,
shifts, memory operands, labels, PC-relative `.+8` targets); the mnemonic
table below then checks the operand shapes and builds an `Ins`, a plain
record the executor (weakmem.semantics.aarch64) interprets.  Anything not in
the table -- SIMD/SVE/SME, MTE, Morello, page-table and cache maintenance,
system instructions other than MRS/MSR NZCV -- is rejected with a
LitmusError naming the instruction and its position.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput

from weakmem.errors import LitmusError, Pos

_GRAMMAR = r"""
start: NAME [operand ("," operand)*]

?operand: NAME                          -> name
        | NAME imm                      -> shifted
        | imm
        | "[" operand ("," operand)* "]" BANG?   -> mem
        | REL                           -> rel

imm: "#"? NUMBER

BANG: "!"
REL: /\.[+-][0-9]+/ | /\.(?![A-Za-z0-9_])/
NUMBER: /[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)/
NAME: /[A-Za-z_$][A-Za-z0-9_.$]*|\.[A-Za-z_][A-Za-z0-9_.$]*/

%ignore /[ \t]+/
"""


# --------------------------------------------------------------------------
# operand objects
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class OName:
    name: str


@dataclass(frozen=True)
class OImm:
    value: int


@dataclass(frozen=True)
class OShift:
    kind: str      # LSL LSR ASR ROR MSL SXTW UXTW SXTX UXTX ...
    amount: int


@dataclass(frozen=True)
class OMem:
    parts: tuple
    pre: bool


@dataclass(frozen=True)
class ORel:
    offset: int


class _T(Transformer):
    def start(self, items):
        return items[0], [x for x in items[1:] if x is not None]

    def name(self, items):
        return OName(str(items[0]))

    def shifted(self, items):
        return OShift(str(items[0]).upper(), items[1].value)

    def imm(self, items):
        return OImm(_int(str(items[-1])))

    def mem(self, items):
        pre = bool(items) and isinstance(items[-1], Token) and items[-1].type == "BANG"
        parts = [x for x in items if not (isinstance(x, Token) and x.type == "BANG")]
        return OMem(tuple(parts), pre)

    def rel(self, items):
        s = str(items[0])
        return ORel(int(s[1:]) if len(s) > 1 else 0)


def _int(s: str) -> int:
    neg = s.startswith("-")
    s = s.lstrip("+-")
    v = int(s, 0) if s[:2].lower() in ("0x", "0b") else int(s, 10)
    return -v if neg else v


_lock = threading.Lock()
_parser: Lark | None = None


def _parse_operands(text: str):
    global _parser
    with _lock:
        if _parser is None:
            _parser = Lark(_GRAMMAR, parser="lalr", transformer=_T(), maybe_placeholders=False, cache=True)
        return _parser.parse(text)


# --------------------------------------------------------------------------
# registers
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Reg:
    """A general-purpose register operand: X<n>/W<n>, XZR/WZR, SP/WSP."""
    name: str       # canonical 64-bit name: 'X3', 'SP', or 'ZR'
    w: bool         # 32-bit view

    @property
    def zr(self) -> bool:
        return self.name == "ZR"

    def __str__(self) -> str:
        if self.zr:
            return "WZR" if self.w else "XZR"
        if self.name == "SP":
            return "WSP" if self.w else "SP"
        return ("W" if self.w else "X") + self.name[1:]


def reg_of(name: str) -> Reg | None:
    n = name.upper()
    if n in ("XZR", "WZR"):
        return Reg("ZR", n[0] == "W")
    if n in ("SP", "WSP"):
        return Reg("SP", n == "WSP")
    if n == "LR":
        return Reg("X30", False)
    if len(n) >= 2 and n[0] in "XW" and n[1:].isdigit():
        k = int(n[1:])
        if 0 <= k <= 30 and str(k) == n[1:]:
            return Reg(f"X{k}", n[0] == "W")
    return None


CONDS = ("EQ", "NE", "CS", "HS", "CC", "LO", "MI", "PL", "VS", "VC", "HI", "LS", "GE", "LT", "GT", "LE",
         "AL", "NV")
COND_ALIAS = {"HS": "CS", "LO": "CC"}
COND_INV = {"EQ": "NE", "NE": "EQ", "CS": "CC", "CC": "CS", "MI": "PL", "PL": "MI", "VS": "VC", "VC": "VS",
            "HI": "LS", "LS": "HI", "GE": "LT", "LT": "GE", "GT": "LE", "LE": "GT", "AL": "NV", "NV": "AL"}

BARRIER_OPTS = ("SY", "ST", "LD", "ISH", "ISHST", "ISHLD", "OSH", "OSHST", "OSHLD", "NSH", "NSHST", "NSHLD")

SHIFTS = ("LSL", "LSR", "ASR", "ROR", "MSL")
EXTENDS = ("SXTW", "UXTW", "SXTX", "UXTX", "SXTB", "SXTH", "UXTB", "UXTH")


# --------------------------------------------------------------------------
# decoded instructions
# --------------------------------------------------------------------------

@dataclass
class Addr:
    """A memory operand.  Offset is an immediate (off_reg None) or a
    register, possibly extended (`ext`) and shifted left by `shift`.
    mode: 'off' ([Xn,...]), 'pre' ([Xn,#k]!), 'post' ([Xn],#k or [Xn],Xm)."""
    base: Reg
    imm: int = 0
    off_reg: Reg | None = None
    ext: str | None = None
    shift: int = 0
    mode: str = "off"
    post_reg: Reg | None = None


@dataclass
class Ins:
    """One decoded instruction.  `op` names the semantic family; the other
    fields are filled as the family needs (see the executor)."""
    op: str
    text: str
    pos: Pos | None = None
    mnem: str = ""
    regs: tuple = ()            # register operands, in order
    imm: int | None = None
    imm2: int | None = None
    shift: OShift | None = None
    addr: Addr | None = None
    cond: str | None = None
    target: object = None        # label name (str) or ORel
    size: int = 8                # memory access size in bytes
    signed: bool = False         # sign-extending load
    ext_w: bool = False          # load result extended to 32 bits (W destination)
    acq: str = ""                # '', 'A' (acquire), 'Q' (acquire-pc)
    rel: bool = False            # release
    excl: bool = False           # exclusive (LDXR/STXR families)
    pair: bool = False
    alu: str = ""                # ALU operation name
    flags: bool = False          # sets NZCV
    barrier: str = ""            # 'DMB.ISH', 'ISB', ...
    extra: dict = field(default_factory=dict)


def _err(msg: str, pos) -> LitmusError:
    return LitmusError(msg, pos)


SIZES = {"B": 1, "H": 2}


def decode(text: str, pos: Pos | None) -> Ins:
    """Decode one instruction; raises LitmusError on anything unsupported."""
    src = text.strip()
    if not src:
        return Ins("nop", src, pos, "NOP")
    if "%" in src:
        raise _err(f"symbolic registers are not supported in '{src}'", pos)
    try:
        mnem_tok, ops = _parse_operands(src)
    except UnexpectedInput as e:
        col = getattr(e, "column", None)
        p = Pos(pos.file, pos.line, pos.col + col - 1) if pos and pos.line and col else pos
        raise _err(f"cannot parse instruction '{src}'", p) from None
    mnem = str(mnem_tok).upper()
    d = _Decoder(src, pos, mnem, ops)
    return d.run()


class _Decoder:
    def __init__(self, text, pos, mnem, ops):
        self.text = text
        self.pos = pos
        self.mnem = mnem
        self.ops = ops

    # ---------------------------------------------------------------- helpers
    def bad(self, why: str = "") -> LitmusError:
        extra = f" ({why})" if why else ""
        return _err(f"illegal operands in instruction '{self.text}'{extra}", self.pos)

    def unsupported(self, why: str = "") -> LitmusError:
        extra = f": {why}" if why else ""
        return _err(f"unsupported instruction '{self.text}'{extra}", self.pos)

    def mk(self, op, **kw) -> Ins:
        return Ins(op, self.text, self.pos, self.mnem, **kw)

    def reg(self, o, allow_sp=True) -> Reg:
        if isinstance(o, OName):
            r = reg_of(o.name)
            if r is not None:
                return r
        raise self.bad(f"expected a register, got {self.show(o)}")

    def show(self, o) -> str:
        if isinstance(o, OName):
            return o.name
        if isinstance(o, OImm):
            return f"#{o.value}"
        return type(o).__name__

    def nops(self, *ns):
        if len(self.ops) not in ns:
            raise self.bad(f"expected {' or '.join(map(str, ns))} operands")

    def immv(self, o) -> int:
        if isinstance(o, OImm):
            return o.value
        raise self.bad(f"expected an immediate, got {self.show(o)}")

    def cond(self, o) -> str:
        if isinstance(o, OName) and o.name.upper() in CONDS:
            c = o.name.upper()
            return COND_ALIAS.get(c, c)
        raise self.bad("expected a condition")

    def target(self, o):
        if isinstance(o, ORel):
            return o
        if isinstance(o, OName) and reg_of(o.name) is None:
            return o.name
        raise self.bad("expected a label")

    def shift_of(self, o) -> OShift:
        if isinstance(o, OShift):
            return o
        if isinstance(o, OName) and o.name.upper() in EXTENDS + SHIFTS:
            return OShift(o.name.upper(), 0)
        raise self.bad("expected a shift or extension")

    def addr(self, o, post=None) -> Addr:
        if not isinstance(o, OMem) or not o.parts:
            raise self.bad("expected a memory operand")
        parts = list(o.parts)
        base = self.reg(parts[0])
        if base.w:
            raise self.bad("address base must be a 64-bit register")
        a = Addr(base)
        if len(parts) >= 2:
            p = parts[1]
            if isinstance(p, OImm):
                a.imm = p.value
                if len(parts) > 2:
                    sh = self.shift_of(parts[2])
                    if sh.kind != "LSL":
                        raise self.bad()
                    a.imm <<= sh.amount
            else:
                a.off_reg = self.reg(p)
                if len(parts) > 2:
                    sh = self.shift_of(parts[2])
                    if sh.kind == "LSL":
                        a.shift = sh.amount
                    elif sh.kind in ("SXTW", "UXTW", "SXTX", "UXTX"):
                        a.ext = sh.kind
                        a.shift = sh.amount
                    else:
                        raise self.bad(f"extension {sh.kind} in an address")
            if len(parts) > 3:
                raise self.bad()
        if o.pre:
            if a.off_reg is not None:
                raise self.bad("pre-index needs an immediate offset")
            a.mode = "pre"
        if post is not None:
            if o.pre or a.off_reg is not None or a.imm:
                raise self.bad()
            a.mode = "post"
            if isinstance(post, OImm):
                a.imm = post.value
            else:
                a.post_reg = self.reg(post)
        return a

    # ---------------------------------------------------------------- dispatch
    def run(self) -> Ins:
        m = self.mnem
        h = _TABLE.get(m)
        if h is not None:
            return h(self)
        if m.startswith("B.") and len(m) > 2:
            return self.d_bcond()
        for fam in ("CAS", "SWP", "LD", "ST"):
            if m.startswith(fam):
                r = self.d_atomic()
                if r is not None:
                    return r
        raise self.unsupported()

    # ---------------------------------------------------------------- misc
    def d_nop(self):
        self.nops(0)
        return self.mk("nop")

    def d_fence(self):
        if self.mnem == "ISB":
            if self.ops and not (len(self.ops) == 1 and isinstance(self.ops[0], OName)
                                 and self.ops[0].name.upper() == "SY"):
                raise self.bad()
            return self.mk("fence", barrier="ISB")
        self.nops(1)
        o = self.ops[0]
        if not isinstance(o, OName) or o.name.upper() not in BARRIER_OPTS:
            raise self.bad("unknown barrier option")
        opt = o.name.upper()
        return self.mk("fence", barrier=f"{self.mnem}.{opt}")

    # ---------------------------------------------------------------- branches
    def d_b(self):
        self.nops(1)
        return self.mk("b", target=self.target(self.ops[0]))

    def d_bcond(self):
        c = self.mnem[2:]
        if c not in CONDS:
            raise self.unsupported()
        self.nops(1)
        return self.mk("bcond", cond=COND_ALIAS.get(c, c), target=self.target(self.ops[0]))

    def d_bl(self):
        self.nops(1)
        return self.mk("bl", target=self.target(self.ops[0]))

    def d_br(self):
        self.nops(1)
        r = self.reg(self.ops[0])
        if r.w:
            raise self.bad()
        return self.mk("br", regs=(r,), extra={"link": self.mnem == "BLR"})

    def d_ret(self):
        self.nops(0, 1)
        r = self.reg(self.ops[0]) if self.ops else Reg("X30", False)
        return self.mk("br", regs=(r,), extra={"link": False})

    def d_cbz(self):
        self.nops(2)
        return self.mk("cbz", regs=(self.reg(self.ops[0]),), target=self.target(self.ops[1]),
                       extra={"nz": self.mnem == "CBNZ"})

    def d_tbz(self):
        self.nops(3)
        return self.mk("tbz", regs=(self.reg(self.ops[0]),), imm=self.immv(self.ops[1]),
                       target=self.target(self.ops[2]), extra={"nz": self.mnem == "TBNZ"})

    # ---------------------------------------------------------------- moves and ALU
    def d_mov(self):
        self.nops(2)
        rd = self.reg(self.ops[0])
        o = self.ops[1]
        if isinstance(o, OImm):
            return self.mk("movi", regs=(rd,), imm=o.value)
        return self.mk("movr", regs=(rd, self.reg(o)))

    def d_movzk(self):
        self.nops(2, 3)
        rd = self.reg(self.ops[0])
        k = self.immv(self.ops[1])
        sh = 0
        if len(self.ops) == 3:
            s = self.shift_of(self.ops[2])
            if s.kind != "LSL":
                raise self.bad()
            sh = s.amount
        if sh not in ((0, 16) if rd.w else (0, 16, 32, 48)):
            raise self.bad(f"illegal shift {sh}")
        if not 0 <= k < 1 << 16:
            raise self.bad("immediate out of range")
        return self.mk(self.mnem.lower(), regs=(rd,), imm=k, imm2=sh)

    def d_adr(self):
        self.nops(2)
        return self.mk("adr", regs=(self.reg(self.ops[0]),), target=self.target(self.ops[1]))

    def d_op3(self):
        """ADD/SUB/AND/ORR/EOR/... rd, rn, (rm [, shift] | #imm [, LSL #k])."""
        m = self.mnem
        self.nops(3, 4)
        rd, rn = self.reg(self.ops[0]), self.reg(self.ops[1])
        o = self.ops[2]
        alu = m[:-1] if m in ("ADDS", "SUBS", "ANDS", "BICS") else m
        flags = m in ("ADDS", "SUBS", "ANDS", "BICS")
        return self._op3(alu, flags, rd, rn, o, self.ops[3] if len(self.ops) == 4 else None)

    def _op3(self, alu, flags, rd, rn, o, sh):
        shift = None
        if sh is not None:
            shift = self.shift_of(sh)
        if isinstance(o, OImm):
            return self.mk("alu", alu=alu, flags=flags, regs=(rd, rn), imm=o.value, shift=shift)
        rm = self.reg(o)
        return self.mk("alu", alu=alu, flags=flags, regs=(rd, rn, rm), shift=shift)

    def d_shiftop(self):
        """ASR/LSR/LSL/ROR rd, rn, (rm | #imm)."""
        self.nops(3)
        rd, rn = self.reg(self.ops[0]), self.reg(self.ops[1])
        o = self.ops[2]
        if isinstance(o, OImm):
            return self.mk("alu", alu=self.mnem, regs=(rd, rn), imm=o.value)
        return self.mk("alu", alu=self.mnem, regs=(rd, rn, self.reg(o)))

    def d_cmp(self):
        """CMP/CMN/TST rn, op2  ==  SUBS/ADDS/ANDS ZR, rn, op2."""
        self.nops(2, 3)
        rn = self.reg(self.ops[0])
        zr = Reg("ZR", rn.w)
        alu = {"CMP": "SUB", "CMN": "ADD", "TST": "AND"}[self.mnem]
        return self._op3(alu, True, zr, rn, self.ops[1], self.ops[2] if len(self.ops) == 3 else None)

    def d_mvn(self):
        """MVN rd, rm [,shift] == ORN rd, ZR, rm; NEG rd, rm == SUB rd, ZR, rm."""
        self.nops(2, 3)
        rd = self.reg(self.ops[0])
        zr = Reg("ZR", rd.w)
        alu = {"MVN": "ORN", "NEG": "SUB", "NEGS": "SUB"}[self.mnem]
        return self._op3(alu, self.mnem == "NEGS", rd, zr, self.ops[1], self.ops[2] if len(self.ops) == 3 else None)

    def d_sxtw(self):
        self.nops(2)
        rd, rn = self.reg(self.ops[0]), self.reg(self.ops[1])
        return self.mk("ext", regs=(rd, rn), extra={"kind": self.mnem})

    def d_csel(self):
        m = self.mnem
        if m in ("CSET", "CSETM"):
            self.nops(2)
            rd = self.reg(self.ops[0])
            c = self.cond(self.ops[1])
            zr = Reg("ZR", rd.w)
            return self.mk("csel", regs=(rd, zr, zr), cond=COND_INV[c],
                           extra={"op": "inc" if m == "CSET" else "inv"})
        if m in ("CINC", "CINV", "CNEG"):
            self.nops(3)
            rd, rn = self.reg(self.ops[0]), self.reg(self.ops[1])
            c = self.cond(self.ops[2])
            return self.mk("csel", regs=(rd, rn, rn), cond=COND_INV[c],
                           extra={"op": {"CINC": "inc", "CINV": "inv", "CNEG": "neg"}[m]})
        self.nops(4)
        rd, rn, rm = self.reg(self.ops[0]), self.reg(self.ops[1]), self.reg(self.ops[2])
        c = self.cond(self.ops[3])
        return self.mk("csel", regs=(rd, rn, rm), cond=c,
                       extra={"op": {"CSEL": "cpy", "CSINC": "inc", "CSINV": "inv", "CSNEG": "neg"}[m]})

    def d_bfm(self):
        self.nops(4)
        rd, rn = self.reg(self.ops[0]), self.reg(self.ops[1])
        r, s = self.immv(self.ops[2]), self.immv(self.ops[3])
        width = 32 if rd.w else 64
        if not (0 <= r < width and 0 <= s < width):
            raise self.bad("bitfield position out of range")
        return self.mk("bfm", regs=(rd, rn), imm=r, imm2=s, signed=self.mnem == "SBFM")

    def d_mul(self):
        m = self.mnem
        n = {"MUL": 3, "MNEG": 3, "MADD": 4, "MSUB": 4, "SMULL": 3, "UMULL": 3, "SMNEGL": 3, "UMNEGL": 3,
             "SMADDL": 4, "SMSUBL": 4, "UMADDL": 4, "UMSUBL": 4, "SDIV": 3, "UDIV": 3}[m]
        self.nops(n)
        regs = tuple(self.reg(o) for o in self.ops)
        return self.mk("mul", regs=regs)

    def d_un(self):
        self.nops(2)
        rd, rn = self.reg(self.ops[0]), self.reg(self.ops[1])
        if self.mnem in ("REV32",) and rd.w:
            raise self.bad()
        return self.mk("un", regs=(rd, rn), alu=self.mnem)

    def d_sys(self):
        self.nops(2)
        if self.mnem == "MRS":
            rt = self.reg(self.ops[0])
            o = self.ops[1]
            if isinstance(o, OName) and o.name.upper() == "NZCV":
                return self.mk("mrs", regs=(rt,))
        else:
            o = self.ops[0]
            rt = self.reg(self.ops[1])
            if isinstance(o, OName) and o.name.upper() == "NZCV":
                return self.mk("msr", regs=(rt,))
        raise self.unsupported("system registers other than NZCV")

    # ---------------------------------------------------------------- loads and stores
    def _ldst_size(self, base: str, rt: Reg) -> tuple[int, bool]:
        """(size in bytes, signed) for LDR/LDRB/LDRSH/... given the mnemonic root."""
        suffix = self.mnem[len(base):]
        if suffix == "":
            return (4 if rt.w else 8), False
        if suffix in ("B", "H"):
            return SIZES[suffix], False
        if suffix in ("SB", "SH"):
            return SIZES[suffix[1]], True
        if suffix == "SW":
            return 4, True
        raise self.unsupported()

    def d_ldr(self):
        m = self.mnem
        root = "LDUR" if m.startswith("LDUR") else "LDR"
        self.nops(2, 3)
        rt = self.reg(self.ops[0])
        size, signed = self._ldst_size(root, rt)
        if signed and size == 4 and rt.w:
            raise self.bad()
        a = self.addr(self.ops[1], self.ops[2] if len(self.ops) == 3 else None)
        return self.mk("ldr", regs=(rt,), addr=a, size=size, signed=signed)

    def d_str(self):
        m = self.mnem
        root = "STUR" if m.startswith("STUR") else "STR"
        self.nops(2, 3)
        rt = self.reg(self.ops[0])
        size, signed = self._ldst_size(root, rt)
        if signed:
            raise self.unsupported()
        a = self.addr(self.ops[1], self.ops[2] if len(self.ops) == 3 else None)
        return self.mk("str", regs=(rt,), addr=a, size=size)

    def d_ldp(self):
        m = self.mnem
        self.nops(3, 4)
        r1, r2 = self.reg(self.ops[0]), self.reg(self.ops[1])
        a = self.addr(self.ops[2], self.ops[3] if len(self.ops) == 4 else None)
        if m == "LDPSW":
            return self.mk("ldp", regs=(r1, r2), addr=a, size=4, signed=True)
        if r1.w != r2.w:
            raise self.bad()
        size = 4 if r1.w else 8
        if m == "LDIAPP":
            if a.mode == "pre":
                raise self.bad()
            return self.mk("ldp", regs=(r1, r2), addr=a, size=size, acq="Q")
        return self.mk("ldp", regs=(r1, r2), addr=a, size=size)

    def d_stp(self):
        m = self.mnem
        self.nops(3, 4)
        r1, r2 = self.reg(self.ops[0]), self.reg(self.ops[1])
        if r1.w != r2.w:
            raise self.bad()
        a = self.addr(self.ops[2], self.ops[3] if len(self.ops) == 4 else None)
        size = 4 if r1.w else 8
        if m == "STILP" and a.mode == "post":
            raise self.bad()
        return self.mk("stp", regs=(r1, r2), addr=a, size=size, rel=m == "STILP")

    def _bh(self, root: str) -> int | None:
        suffix = self.mnem[len(root):]
        if suffix == "":
            return None
        if suffix in SIZES:
            return SIZES[suffix]
        raise self.unsupported()

    def d_ldar(self):
        """LDAR, LDAPR, LDXR, LDAXR (+B/H)."""
        m = self.mnem
        for root, acq, excl in (("LDAXR", "A", True), ("LDAPR", "Q", False), ("LDAR", "A", False),
                                ("LDXR", "", True)):
            if m.startswith(root):
                break
        bh = self._bh(root)
        self.nops(2)
        rt = self.reg(self.ops[0])
        a = self.addr(self.ops[1])
        if a.imm or a.off_reg is not None or a.mode != "off":
            raise self.bad("only [Xn] addressing")
        size = bh or (4 if rt.w else 8)
        return self.mk("ldar", regs=(rt,), addr=a, size=size, acq=acq, excl=excl)

    def d_stlr(self):
        """STLR (+B/H)."""
        bh = self._bh("STLR")
        self.nops(2)
        rt = self.reg(self.ops[0])
        a = self.addr(self.ops[1])
        if a.imm or a.off_reg is not None or a.mode != "off":
            raise self.bad("only [Xn] addressing")
        return self.mk("str", regs=(rt,), addr=a, size=bh or (4 if rt.w else 8), rel=True)

    def d_stxr(self):
        """STXR, STLXR (+B/H): STXR Ws, Rt, [Xn]."""
        m = self.mnem
        root = "STLXR" if m.startswith("STLXR") else "STXR"
        bh = self._bh(root)
        self.nops(3)
        rs, rt = self.reg(self.ops[0]), self.reg(self.ops[1])
        a = self.addr(self.ops[2])
        if a.imm or a.off_reg is not None or a.mode != "off":
            raise self.bad("only [Xn] addressing")
        return self.mk("stxr", regs=(rs, rt), addr=a, size=bh or (4 if rt.w else 8), rel=root == "STLXR")

    def d_ldxp(self):
        self.nops(3)
        r1, r2 = self.reg(self.ops[0]), self.reg(self.ops[1])
        a = self.addr(self.ops[2])
        if r1.w != r2.w or a.imm or a.off_reg is not None or a.mode != "off":
            raise self.bad()
        return self.mk("ldxp", regs=(r1, r2), addr=a, size=4 if r1.w else 8, acq="A" if self.mnem == "LDAXP" else "")

    def d_stxp(self):
        self.nops(4)
        rs, r1, r2 = self.reg(self.ops[0]), self.reg(self.ops[1]), self.reg(self.ops[2])
        a = self.addr(self.ops[3])
        if r1.w != r2.w or a.imm or a.off_reg is not None or a.mode != "off":
            raise self.bad()
        return self.mk("stxp", regs=(rs, r1, r2), addr=a, size=4 if r1.w else 8, rel=self.mnem == "STLXP")

    # ---------------------------------------------------------------- Armv8.1 atomics
    def d_atomic(self):
        m = self.mnem
        rest = None
        if m.startswith("CASP"):
            kind, rest = "casp", m[4:]
        elif m.startswith("CAS"):
            kind, rest = "cas", m[3:]
        elif m.startswith("SWP"):
            kind, rest = "swp", m[3:]
        else:
            for opn in ("ADD", "CLR", "EOR", "SET", "SMAX", "SMIN", "UMAX", "UMIN"):
                if m.startswith("LD" + opn):
                    kind, rest = "ldop", m[2 + len(opn):]
                    break
                if m.startswith("ST" + opn):
                    kind, rest = "stop", m[2 + len(opn):]
                    break
            else:
                return None
            self.opn = opn
        # ordering suffix then size suffix
        order = ""
        for o in ("AL", "A", "L"):
            if rest.startswith(o):
                order, rest = o, rest[len(o):]
                break
        if kind == "stop" and order not in ("", "L"):
            raise self.unsupported()
        if rest not in ("", "B", "H") or (kind == "casp" and rest):
            raise self.unsupported()
        bh = SIZES.get(rest)
        acq = "A" if order in ("A", "AL") else ""
        rel = order in ("L", "AL")
        if kind == "casp":
            self.nops(5)
            regs = tuple(self.reg(o) for o in self.ops[:4])
            a = self.addr(self.ops[4])
            if len({r.w for r in regs}) != 1:
                raise self.bad()
            if a.imm or a.off_reg is not None or a.mode != "off":
                raise self.bad()
            return self.mk("casp", regs=regs, addr=a, size=4 if regs[0].w else 8, acq=acq, rel=rel)
        if kind == "stop":
            self.nops(2)
            rs = self.reg(self.ops[0])
            a = self.addr(self.ops[1])
            if a.imm or a.off_reg is not None or a.mode != "off":
                raise self.bad()
            return self.mk("ldop", regs=(rs, Reg("ZR", rs.w)), addr=a, size=bh or (4 if rs.w else 8),
                           acq=acq, rel=rel, alu=self.opn)
        self.nops(3)
        rs, rt = self.reg(self.ops[0]), self.reg(self.ops[1])
        a = self.addr(self.ops[2])
        if a.imm or a.off_reg is not None or a.mode != "off":
            raise self.bad("only [Xn] addressing")
        size = bh or (4 if rt.w else 8)
        if kind == "ldop":
            return self.mk("ldop", regs=(rs, rt), addr=a, size=size, acq=acq, rel=rel, alu=self.opn)
        return self.mk(kind, regs=(rs, rt), addr=a, size=size, acq=acq, rel=rel)

    def d_reject(self):
        raise self.unsupported({
            "UDF": "faults are not supported", "SVC": "exceptions are not supported",
            "ERET": "exceptions are not supported", "HVC": "exceptions are not supported",
            "TLBI": "virtual memory is not supported", "DC": "cache maintenance is not supported",
            "IC": "cache maintenance is not supported", "LDG": "MTE is not supported",
            "STG": "MTE is not supported", "STZG": "MTE is not supported",
        }.get(self.mnem, ""))


_TABLE = {
    "NOP": _Decoder.d_nop,
    "DMB": _Decoder.d_fence, "DSB": _Decoder.d_fence, "ISB": _Decoder.d_fence,
    "B": _Decoder.d_b, "BL": _Decoder.d_bl, "BR": _Decoder.d_br, "BLR": _Decoder.d_br, "RET": _Decoder.d_ret,
    "CBZ": _Decoder.d_cbz, "CBNZ": _Decoder.d_cbz, "TBZ": _Decoder.d_tbz, "TBNZ": _Decoder.d_tbz,
    "MOV": _Decoder.d_mov, "MOVZ": _Decoder.d_movzk, "MOVN": _Decoder.d_movzk, "MOVK": _Decoder.d_movzk,
    "ADR": _Decoder.d_adr,
    "SXTW": _Decoder.d_sxtw, "SXTB": _Decoder.d_sxtw, "SXTH": _Decoder.d_sxtw,
    "UXTB": _Decoder.d_sxtw, "UXTH": _Decoder.d_sxtw,
    "CSEL": _Decoder.d_csel, "CSINC": _Decoder.d_csel, "CSINV": _Decoder.d_csel, "CSNEG": _Decoder.d_csel,
    "CSET": _Decoder.d_csel, "CSETM": _Decoder.d_csel, "CINC": _Decoder.d_csel, "CINV": _Decoder.d_csel,
    "CNEG": _Decoder.d_csel,
    "UBFM": _Decoder.d_bfm, "SBFM": _Decoder.d_bfm,
    "CMP": _Decoder.d_cmp, "CMN": _Decoder.d_cmp, "TST": _Decoder.d_cmp,
    "MVN": _Decoder.d_mvn, "NEG": _Decoder.d_mvn, "NEGS": _Decoder.d_mvn,
    "MRS": _Decoder.d_sys, "MSR": _Decoder.d_sys,
    "LDAR": _Decoder.d_ldar, "LDARB": _Decoder.d_ldar, "LDARH": _Decoder.d_ldar,
    "LDAPR": _Decoder.d_ldar, "LDAPRB": _Decoder.d_ldar, "LDAPRH": _Decoder.d_ldar,
    "LDXR": _Decoder.d_ldar, "LDXRB": _Decoder.d_ldar, "LDXRH": _Decoder.d_ldar,
    "LDAXR": _Decoder.d_ldar, "LDAXRB": _Decoder.d_ldar, "LDAXRH": _Decoder.d_ldar,
    "STLR": _Decoder.d_stlr, "STLRB": _Decoder.d_stlr, "STLRH": _Decoder.d_stlr,
    "STXR": _Decoder.d_stxr, "STXRB": _Decoder.d_stxr, "STXRH": _Decoder.d_stxr,
    "STLXR": _Decoder.d_stxr, "STLXRB": _Decoder.d_stxr, "STLXRH": _Decoder.d_stxr,
    "LDXP": _Decoder.d_ldxp, "LDAXP": _Decoder.d_ldxp, "STXP": _Decoder.d_stxp, "STLXP": _Decoder.d_stxp,
    "LDP": _Decoder.d_ldp, "LDNP": _Decoder.d_ldp, "LDPSW": _Decoder.d_ldp, "LDIAPP": _Decoder.d_ldp,
    "STP": _Decoder.d_stp, "STNP": _Decoder.d_stp, "STILP": _Decoder.d_stp,
    "UDF": _Decoder.d_reject, "SVC": _Decoder.d_reject, "HVC": _Decoder.d_reject, "ERET": _Decoder.d_reject,
    "TLBI": _Decoder.d_reject, "DC": _Decoder.d_reject, "IC": _Decoder.d_reject,
    "LDG": _Decoder.d_reject, "STG": _Decoder.d_reject, "STZG": _Decoder.d_reject,
}
for _m in ("ADD", "ADDS", "SUB", "SUBS", "AND", "ANDS", "ORR", "EOR", "EON", "ORN", "BIC", "BICS"):
    _TABLE[_m] = _Decoder.d_op3
for _m in ("ASR", "LSR", "LSL", "ROR"):
    _TABLE[_m] = _Decoder.d_shiftop
for _m in ("MUL", "MNEG", "MADD", "MSUB", "SMULL", "UMULL", "SMNEGL", "UMNEGL", "SMADDL", "SMSUBL", "UMADDL",
           "UMSUBL", "SDIV", "UDIV"):
    _TABLE[_m] = _Decoder.d_mul
for _m in ("REV", "REV16", "REV32", "REV64", "RBIT", "ABS", "CLZ"):
    _TABLE[_m] = _Decoder.d_un
for _m in ("LDR", "LDRB", "LDRH", "LDRSB", "LDRSH", "LDRSW", "LDUR", "LDURB", "LDURH", "LDURSB", "LDURSH",
           "LDURSW"):
    _TABLE[_m] = _Decoder.d_ldr
for _m in ("STR", "STRB", "STRH", "STUR", "STURB", "STURH"):
    _TABLE[_m] = _Decoder.d_str
