"""Decoding of x86 / x86-64 instructions as herd7's litmus tests write them.

Two dialects, chosen by the test's architecture:

* `X86` (herd7's 32-bit dialect) uses Intel operand order, destination
  first: `MOV [x],$1`, `MOV EAX,[y]`, `XCHG [x],EAX`, `LOCK; ADD [x],$1`.
* `X86_64` uses AT&T order, source first, with optional size suffixes
  b/w/l/q: `movl $1,(x)`, `movq (%rax),%rbx`, `lock xaddl %eax,(x)`,
  `movq 0(%rax,%rbx,8),%rcx`, `nopl %cs:0(%rax,%eax,0)`.

Either dialect accepts both bracket (`[x]`, `[EAX]`) and parenthesised
(`(x)`, `(%rax)`) memory operands, registers with or without `%`, and
immediates with or without `$`.  Operands are returned in AT&T order
(sources first, destination last) whatever the dialect.

The operand syntax is a Lark grammar (below); mnemonics are then looked up
in `MNEMONICS`, which gives each instruction's class, its operand count
and whether it may carry a size suffix.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lark import Lark, Transformer, Token, v_args
from lark.exceptions import UnexpectedInput, VisitError

from weakmem.errors import LitmusError, Pos

# --------------------------------------------------------------------------
# Registers
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RegInfo:
    name: str      # canonical (storage) name: 'rax' (X86_64), 'EAX' (X86)
    width: int     # bits accessed: 8, 16, 32, 64
    high: bool = False   # ah/bh/ch/dh: bits 8..15


def _regs64() -> dict[str, RegInfo]:
    t: dict[str, RegInfo] = {}
    for b in ("a", "b", "c", "d"):
        full = f"r{b}x"
        t[full] = RegInfo(full, 64)
        t[f"e{b}x"] = RegInfo(full, 32)
        t[f"{b}x"] = RegInfo(full, 16)
        t[f"{b}l"] = RegInfo(full, 8)
        t[f"{b}h"] = RegInfo(full, 8, True)
    for b in ("si", "di", "bp", "sp"):
        full = f"r{b}"
        t[full] = RegInfo(full, 64)
        t[f"e{b}"] = RegInfo(full, 32)
        t[b] = RegInfo(full, 16)
        t[f"{b}l"] = RegInfo(full, 8)
    for i in range(8, 16):
        full = f"r{i}"
        t[full] = RegInfo(full, 64)
        t[f"r{i}d"] = RegInfo(full, 32)
        t[f"r{i}w"] = RegInfo(full, 16)
        t[f"r{i}b"] = RegInfo(full, 8)
    # registers herd7 knows by name though no instruction here uses them
    for r in ("rip", "cs", "ds", "ss", "es", "fs", "gs"):
        t[r] = RegInfo(r, 64)
    return t


def _regs32() -> dict[str, RegInfo]:
    t: dict[str, RegInfo] = {}
    for b in ("A", "B", "C", "D"):
        full = f"E{b}X"
        t[full] = RegInfo(full, 32)
        t[f"{b}X"] = RegInfo(full, 16)
        t[f"{b}L"] = RegInfo(full, 8)
        t[f"{b}H"] = RegInfo(full, 8, True)
    for b in ("SI", "DI", "BP", "SP"):
        full = f"E{b}"
        t[full] = RegInfo(full, 32)
        t[b] = RegInfo(full, 16)
    t["EIP"] = RegInfo("EIP", 32)
    return t


REGS64 = _regs64()
REGS32 = _regs32()


def lookup_reg(name: str, arch: str) -> RegInfo | None:
    """The register called `name` (any case) in `arch`, or None."""
    if arch == "X86_64":
        return REGS64.get(name.lower())
    return REGS32.get(name.upper())


def canonical_reg(name: str, arch: str) -> str:
    """herd7's spelling of a register in final states: `rax` for any of
    RAX/eax/ax/al (X86_64), `EAX` (X86); other names unchanged."""
    r = lookup_reg(name.lstrip("%"), arch)
    return r.name if r is not None else name


# --------------------------------------------------------------------------
# Operands and instructions
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Imm:
    value: int | None = None
    sym: str | None = None       # `$x`: the address of location x


@dataclass(frozen=True)
class Reg:
    info: RegInfo | None         # None for a symbolic register
    name: str                    # canonical name

    @property
    def width(self) -> int | None:
        return self.info.width if self.info else None


@dataclass(frozen=True)
class Mem:
    """base + index*scale + disp, or the symbol `sym` (+ disp)."""
    sym: str | None = None
    base: Reg | None = None
    index: Reg | None = None
    scale: int = 1
    disp: int = 0
    absolute: int | None = None  # `[12]`: a numeric address


@dataclass(frozen=True)
class Name:
    """A bare name that is not a register: a code label (jump target) or,
    where an address is expected, a location."""
    name: str


Operand = Imm | Reg | Mem | Name


@dataclass
class Instr:
    op: str                      # base mnemonic, lower case ('mov', 'add', 'jcc', ...)
    ops: list                    # operands in AT&T order (destination last)
    size: int | None = None      # operand size in bits from a suffix, if any
    lock: bool = False
    cond: str | None = None      # condition code for jcc / setcc / cmovcc ('e', 'ne', ...)
    text: str = ""
    pos: Pos | None = None
    label: str | None = None
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------
# Grammar
# --------------------------------------------------------------------------

GRAMMAR = r"""
start: prefix* NAME [operand ("," operand)*]

prefix: LOCK [";"]            -> lock
      | REP [";"]             -> rep

?operand: "$" sint            -> imm
        | "$" NAME            -> imm_sym
        | sint                -> imm_bare
        | reg
        | NAME                -> bare_name
        | seg? disp? "(" att_addr ")"   -> mem_att
        | seg? "[" intel_addr "]"       -> mem_intel
        | seg? sint "[" intel_addr "]"  -> mem_intel_disp

reg: "%" NAME
seg: "%" NAME ":"
disp: sint                    -> disp_num
    | NAME                    -> disp_sym

att_addr: [att_base] ["," [reg] ["," INT]]
att_base: reg                 -> base_reg
        | NAME                -> base_name

intel_addr: intel_term (SIGN intel_term)*
?intel_term: INT              -> it_num
           | NAME             -> it_name
           | "%" NAME         -> it_reg
           | intel_reg_scaled
intel_reg_scaled: NAME "*" INT
                | INT "*" NAME

sint: [SIGN] INT
SIGN: "+" | "-"

LOCK.2: /lock\b/i
REP.2: /rep(n?[ez])?\b/i
INT: /0[xX][0-9a-fA-F]+|[0-9]+/
NAME: /[A-Za-z_.][A-Za-z0-9_.]*/

%ignore /[ \t]+/
"""

_parser: Lark | None = None


def _lark() -> Lark:
    global _parser
    if _parser is None:
        _parser = Lark(GRAMMAR, parser="lalr", lexer="contextual", maybe_placeholders=True, cache=True)
    return _parser


def _int(tok) -> int:
    s = str(tok)
    return int(s, 16) if s[:2] in ("0x", "0X") else int(s, 10)


class _DecodeError(Exception):
    pass


@v_args(inline=True)
class _Build(Transformer):
    def __init__(self, arch: str):
        super().__init__()
        self.arch = arch

    def _reg(self, name: str, percent: bool) -> Reg:
        info = lookup_reg(name, self.arch)
        if info is None:
            if percent:
                return Reg(None, "%" + name)     # a symbolic register (herd7: %name)
            raise _DecodeError(f"unknown register '{name}'")
        return Reg(info, info.name)

    def sint(self, sign, num):
        v = _int(num)
        return -v if sign is not None and str(sign) == "-" else v

    def imm(self, v):
        return Imm(v)

    def imm_bare(self, v):
        return Imm(v)

    def imm_sym(self, name):
        return Imm(sym=str(name))

    def reg(self, name):
        return self._reg(str(name), True)

    def bare_name(self, name):
        info = lookup_reg(str(name), self.arch)
        if info is not None:
            return Reg(info, info.name)
        return Name(str(name))

    def seg(self, name):
        return str(name)

    def disp_num(self, v):
        return ("num", v)

    def disp_sym(self, name):
        return ("sym", str(name))

    def base_reg(self, r):
        return r

    def base_name(self, name):
        info = lookup_reg(str(name), self.arch)
        if info is not None:
            return Reg(info, info.name)
        return Name(str(name))

    def att_addr(self, base, index, scale):
        return (base, index, _int(scale) if scale is not None else 1)

    def mem_att(self, *items):
        # a segment prefix (`%cs:`) is accepted and ignored: flat memory
        disp = None
        for it in items[:-1]:
            if isinstance(it, tuple) and it and it[0] in ("num", "sym"):
                disp = it
        base, index, scale = items[-1]
        sym = None
        off = 0
        if disp is not None:
            if disp[0] == "num":
                off = disp[1]
            else:
                sym = disp[1]
        if isinstance(base, Name):
            if sym is not None:
                raise _DecodeError("two symbols in one address")
            sym, base = base.name, None
        if isinstance(base, Reg) and base.name in ("rip", "EIP") and sym is not None:
            base = None                        # x(%rip): the location x
        if sym is None and base is None and index is None:
            return Mem(absolute=off)
        return Mem(sym=sym, base=base, index=index, scale=scale, disp=off)

    def it_num(self, n):
        return ("num", _int(n))

    def it_name(self, name):
        info = lookup_reg(str(name), self.arch)
        if info is not None:
            return ("reg", Reg(info, info.name), 1)
        return ("sym", str(name))

    def it_reg(self, name):
        return ("reg", self._reg(str(name), True), 1)

    def intel_reg_scaled(self, a, b):
        if isinstance(a, Token) and a.type == "NAME":
            name, k = a, b
        else:
            name, k = b, a
        info = lookup_reg(str(name), self.arch)
        if info is None:
            raise _DecodeError(f"unknown register '{name}'")
        return ("reg", Reg(info, info.name), _int(k))

    def intel_addr(self, *items):
        terms = [items[0]]
        signs = ["+"]
        for i in range(1, len(items), 2):
            signs.append(str(items[i]))
            terms.append(items[i + 1])
        sym = None
        base = index = None
        scale = 1
        disp = 0
        for s, t in zip(signs, terms):
            if t[0] == "num":
                disp += t[1] if s == "+" else -t[1]
                continue
            if s == "-":
                raise _DecodeError("cannot subtract a register or a symbol in an address")
            if t[0] == "sym":
                if sym is not None:
                    raise _DecodeError("two symbols in one address")
                sym = t[1]
            else:
                r, k = t[1], t[2]
                if k == 1 and base is None:
                    base = r
                elif index is None:
                    index, scale = r, k
                else:
                    raise _DecodeError("too many registers in an address")
        if sym is None and base is None and index is None:
            return Mem(absolute=disp)
        return Mem(sym=sym, base=base, index=index, scale=scale, disp=disp)

    def mem_intel(self, *items):
        return items[-1]

    def mem_intel_disp(self, *items):
        """herd7's X86_64 `8[%rax]`: a displacement before a bracketed address."""
        m, k = items[-1], items[-2]
        if self.arch != "X86_64":
            raise _DecodeError("a displacement before '[' is X86_64 syntax")
        if m.absolute is not None:
            return Mem(absolute=m.absolute + k)
        return Mem(sym=m.sym, base=m.base, index=m.index, scale=m.scale, disp=m.disp + k)

    def lock(self, *_):
        return "lock"

    def rep(self, *_):
        return "rep"

    def start(self, *items):
        prefixes = []
        i = 0
        while i < len(items) and isinstance(items[i], str) and items[i] in ("lock", "rep") \
                and not isinstance(items[i], Token):
            prefixes.append(items[i])
            i += 1
        mnem = str(items[i])
        ops = [o for o in items[i + 1:] if o is not None]
        return prefixes, mnem, ops


# --------------------------------------------------------------------------
# Mnemonics
# --------------------------------------------------------------------------

# class, number(s) of operands, accepts a b/w/l/q size suffix
_ARITH2 = ("add", "sub", "and", "or", "xor", "adc", "sbb")
MNEMONICS: dict[str, tuple[str, tuple[int, ...], bool]] = {
    "mov": ("mov", (2,), True),
    "movabs": ("mov", (2,), True),
    "lea": ("lea", (2,), True),
    "xchg": ("xchg", (2,), True),
    "uxch": ("uxch", (2,), True),        # herd7's unlocked exchange
    "xadd": ("xadd", (2,), True),
    "cmpxchg": ("cmpxchg", (2,), True),
    "cmp": ("cmp", (2,), True),
    "test": ("test", (2,), True),
    "inc": ("unary", (1,), True),
    "dec": ("unary", (1,), True),
    "neg": ("unary", (1,), True),
    "not": ("unary", (1,), True),
    "shl": ("shift", (1, 2), True),
    "sal": ("shift", (1, 2), True),
    "shr": ("shift", (1, 2), True),
    "sar": ("shift", (1, 2), True),
    "mfence": ("fence", (0,), False),
    "sfence": ("fence", (0,), False),
    "lfence": ("fence", (0,), False),
    "nop": ("nop", (0, 1), True),
    "endbr64": ("nop", (0,), False),
    "endbr32": ("nop", (0,), False),
    "pause": ("nop", (0,), False),
    "ret": ("ret", (0,), True),
    "hlt": ("ret", (0,), False),
    "jmp": ("jmp", (1,), False),
}
for _m in _ARITH2:
    MNEMONICS[_m] = ("arith", (2,), True)

# condition codes: name -> canonical
CONDS = {
    "e": "e", "z": "e", "ne": "ne", "nz": "ne",
    "l": "l", "lt": "l", "nge": "l", "ge": "ge", "nl": "ge",
    "le": "le", "ng": "le", "g": "g", "gt": "g", "nle": "g",
    "b": "b", "c": "b", "nae": "b", "ae": "ae", "nb": "ae", "nc": "ae",
    "be": "be", "na": "be", "a": "a", "nbe": "a",
    "s": "s", "ns": "ns", "o": "o", "no": "no",
}

SUFFIX = {"b": 8, "w": 16, "l": 32, "q": 64}

# instructions that accept a LOCK prefix (with a memory destination)
LOCKABLE = {"add", "sub", "and", "or", "xor", "adc", "sbb", "inc", "dec", "neg", "not",
            "xchg", "xadd", "cmpxchg"}


def _mnemonic(m: str) -> tuple[str, str, tuple[int, ...], int | None, str | None] | None:
    """(base mnemonic, class, operand counts, size, condition) or None."""
    m = m.lower()
    if m in MNEMONICS:
        cls, n, _ = MNEMONICS[m]
        return m, cls, n, None, None
    if m[-1:] in SUFFIX and m[:-1] in MNEMONICS and MNEMONICS[m[:-1]][2]:
        cls, n, _ = MNEMONICS[m[:-1]]
        return m[:-1], cls, n, SUFFIX[m[-1]], None
    for pre, cls, n in (("j", "jcc", (1,)), ("set", "setcc", (1,)), ("cmov", "cmovcc", (2,))):
        if m.startswith(pre):
            rest = m[len(pre):]
            size = None
            if rest not in CONDS and cls != "jcc" and rest[-1:] in SUFFIX and rest[:-1] in CONDS:
                rest, size = rest[:-1], SUFFIX[rest[-1]]
            if rest in CONDS:
                return pre + "cc", cls, n, size, CONDS[rest]
    return None


def decode(text: str, arch: str, pos: Pos | None, file: str = "") -> Instr | None:
    """Decode one instruction; None for an empty slot.  Raises LitmusError
    ("unknown instruction ...") for anything this front-end does not know."""
    src = text.strip()
    if not src:
        return None
    where = pos or Pos(file)
    try:
        tree = _lark().parse(src)
        prefixes, mnem, ops = _Build(arch).transform(tree)
    except UnexpectedInput:
        raise LitmusError(f"unknown instruction '{src}' (cannot decode its operands)", where) from None
    except VisitError as e:
        if isinstance(e.orig_exc, _DecodeError):
            raise LitmusError(f"bad instruction '{src}': {e.orig_exc}", where) from None
        raise
    info = _mnemonic(mnem)
    if info is None:
        raise LitmusError(f"unknown instruction '{src}'", where)
    op, cls, counts, size, cond = info
    if len(ops) not in counts:
        raise LitmusError(f"instruction '{src}' takes {' or '.join(map(str, counts))} operand(s), "
                          f"{len(ops)} given", where)
    if arch != "X86_64" or cls == "cmpxchg":
        # Intel order (destination first) -> AT&T order; herd7's X86_64 writes cmpxchg
        # destination first too: `cmpxchgl (%rbx),%edi` (lib/X86_64Parser.mly)
        ops = list(reversed(ops))
    ins = Instr(op=op, ops=list(ops), size=size,
                lock="lock" in prefixes, cond=cond, text=src, pos=pos)
    ins.extra["class"] = cls
    if "rep" in prefixes:
        raise LitmusError(f"unknown instruction '{src}' (rep prefixes are not supported)", where)
    if ins.lock:
        dst = ins.ops[-1] if ins.ops else None
        if op not in LOCKABLE or not (isinstance(dst, Mem) or (op == "xchg" and any(isinstance(o, Mem) for o in ins.ops))):
            raise LitmusError(f"illegal lock prefix on instruction '{src}'", where)
    _check_operands(ins, cls, where)
    return ins


def _check_operands(ins: Instr, cls: str, where: Pos) -> None:
    ops = ins.ops

    def bad(msg):
        raise LitmusError(f"bad instruction '{ins.text}': {msg}", where)

    if cls in ("jmp", "jcc"):
        if not isinstance(ops[0], Name):
            bad("a jump needs a label")
        return
    if cls == "nop":
        return
    for o in ops:
        if isinstance(o, Name):
            bad(f"'{o.name}' is neither a register nor a memory operand")
    if cls in ("mov", "arith", "cmp", "test", "xadd", "cmpxchg", "lea", "xchg", "uxch", "cmovcc", "shift"):
        mems = sum(isinstance(o, Mem) for o in ops)
        if mems > 1:
            bad("two memory operands")
    if cls in ("mov", "arith", "xadd", "cmpxchg", "lea", "cmovcc", "unary", "setcc", "shift"):
        if isinstance(ops[-1], Imm):
            bad("the destination cannot be an immediate")
    if cls in ("xchg", "uxch") and any(isinstance(o, Imm) for o in ops):
        bad("cannot exchange with an immediate")
    if cls == "lea" and not isinstance(ops[0], Mem):
        bad("lea needs a memory operand")
    if cls in ("xadd", "cmpxchg") and not isinstance(ops[0], Reg):
        bad("the source must be a register")
    if cls == "cmovcc" and not isinstance(ops[1], Reg):
        bad("the destination must be a register")
    if cls == "lea" and not isinstance(ops[1], Reg):
        bad("the destination must be a register")
