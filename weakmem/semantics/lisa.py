"""herd7's LISA ("Bell") dialect: decode and run LISA threads into traces.

    LISA MP
    { x = 0; y = 0; }
     P0             | P1              ;
     w[once] x 1    | r[acquire] r1 y ;
     w[release] y 1 | r[once] r2 x    ;
    exists (1:r1=1 /\\ 1:r2=0)

Syntax (herd7's lib/LISAParser.mly and its lexer; see docs/lisa.md):

    r[tags] REG ADDR          read          ADDR = NAME | REG | NAME+REG | NAME+NUM | REG+...
    w[tags] ADDR VAL          write         VAL  = REG | NUM
    f[tags]                   fence
    rmw[tags] REG OP ADDR     read-modify-write (the register gets the value read)
    mov REG OP                OP = VAL | NAME | (add A B) | (xor A B) | (and A B)
                                 | (eq A B) | (neq A B)
    b[tags] REG LABEL         branch if REG is not 0
    b[tags] LABEL             unconditional branch
    LABEL:                    a label

The tags of an instruction are the annotations of its events, so the
bell's enums turn them into sets (`once` -> Once, `mb` -> Mb...).  Events
and dependencies follow herd7's herd/BellSem.ml and its dependency rules
(herd/modelUtils.ml):

* a read is an R event (with M); `r[once] r1 x+r2` has an `addr`
  dependency from the reads r2 was computed from;
* a write is a W event: `addr` from its address registers, `data` from
  its value register;
* a fence is an F event, also in Ftotal (fences without label sets);
* `rmw[t] r op x` is an R and a W, both tagged t, in X and RMW, paired by
  `rmw`; when r occurs in op (`rmw r (add r 1) x`) op reads the value read
  and the W has a `data` dependency on the R, otherwise (an exchange:
  `rmw r 5 x`, `rmw r r2 x`) the W is written op's value and the
  registers of op give `addr` dependencies (herd7 reads them through
  non-data ports);
* `mov` computes on registers: dependencies flow through it;
* a conditional branch gives a `ctrl` dependency from the reads its
  register depends on to every later event of the thread.

With a bell file, herd7 checks every instruction's annotation list
against the bell's `instructions` declarations before running anything
(herd/BellCheck.ml): `check_annotations` does the same and raises one
LitmusError for the first instruction (thread order) that does not match.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from weakmem.errors import LitmusError, Pos
from weakmem.litmus.ast import SymVal
from weakmem.semantics.asm_common import (EMPTY, branch_to, R_KINDS, W_KINDS, F_KINDS, Arch, AsmFrontend, CondJump, DecodeError,
                                          Ins)
from weakmem.semantics.frontends import Frontend
from weakmem.semantics.trace import PEvent

RMW_R_KINDS = R_KINDS | {"X", "RMW"}
RMW_W_KINDS = W_KINDS | {"X", "RMW"}
FENCE_KINDS = F_KINDS | {"Ftotal"}
DECLARED_SETS = frozenset({"X", "RMW", "Ftotal"})

# ----------------------------------------------------------------------------
# Instructions (herd7's BellBase), with herd7's printing (dump_instruction)
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reg:
    name: str            # canonical: r0, r12, %sym

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Sym:
    name: str            # a location name (its address)

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Imm:
    value: int

    def __str__(self) -> str:
        return str(self.value)


Operand = Reg | Sym | Imm


@dataclass(frozen=True)
class Addr:
    base: Reg | Sym
    offset: Reg | Imm | None = None

    def __str__(self) -> str:
        return f"{self.base}+{self.offset}" if self.offset is not None else str(self.base)


OPS = {"add": "+", "xor": "^", "and": "&", "eq": "==", "neq": "!="}


@dataclass(frozen=True)
class Op:
    """`x` (op None, args (x,)) or `(add x y)`."""
    op: str | None
    args: tuple[Operand, ...]

    def regs(self) -> set[str]:
        return {a.name for a in self.args if isinstance(a, Reg)}

    def __str__(self) -> str:
        if self.op is None:
            return str(self.args[0])
        return f"({self.op} {self.args[0]} {self.args[1]})"


@dataclass(frozen=True)
class LInstr:
    """One LISA instruction.  kind: r w f rmw b mov call."""
    kind: str
    tags: tuple[str, ...] = ()
    reg: Reg | None = None
    addr: Addr | None = None
    value: Reg | Imm | None = None
    op: Op | None = None
    label: str | None = None
    fence_labels: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    # herd7's BellName: the event kind an instruction's annotations are checked against
    CHECK_KIND = {"r": "R", "w": "W", "f": "F", "rmw": "RMW", "b": "B", "call": "CALL"}

    def __str__(self) -> str:
        t = ",".join(self.tags)
        k = self.kind
        if k == "r":
            return f"r[{t}] {self.reg} {self.addr}"
        if k == "w":
            return f"w[{t}] {self.addr} {self.value}"
        if k == "rmw":
            return f"rmw[{t}] {self.reg} {self.op} {self.addr}"
        if k == "f":
            if self.fence_labels is None:
                return f"f[{t}]"
            a, b = self.fence_labels
            return f"f[{t}] {{{','.join(a)}}} {{{','.join(b)}}}"
        if k == "b":
            return f"b[{t}] {self.reg} {self.label}" if self.reg is not None else f"b[{t}] {self.label}"
        if k == "call":
            return f"call[{t}]"
        return f"mov {self.reg} {self.op}"


@dataclass
class LIns(Ins):
    """A decoded instruction that remembers its LISA form (for the bell check)."""
    instr: LInstr | None = field(default=None)


# ----------------------------------------------------------------------------
# Lexer and parser (herd7's lexer: keywords win over names of the same length)
# ----------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<num>-?(?:0[xX][0-9a-fA-F]+|[0-9]+))
  | (?P<punct>[\[\](){},+:;])
  | (?P<meta>&[A-Za-z][A-Za-z0-9_/\-]*)
  | (?P<sreg>%[A-Za-z][A-Za-z0-9_/\-]*)
  | (?P<name>[A-Za-z][A-Za-z0-9_/\-]*)
""", re.VERBOSE)

KEYWORDS = {"r", "w", "f", "rmw", "mov", "add", "and", "xor", "eq", "neq", "b", "call"}
_REG = re.compile(r"r([0-9]+)$")


def canon_reg(name: str) -> str | None:
    """`r07` -> `r7` (herd7 reads the number), `%x` stays; anything else is no register."""
    name = name.strip()
    if name.startswith("%") and len(name) > 1:
        return name
    m = _REG.match(name)
    return f"r{int(m.group(1))}" if m else None


def tokenize(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(text):
        m = _TOKEN.match(text, i)
        if m is None:
            raise DecodeError(f"LISA, unexpected character '{text[i]}' in '{text}'")
        i = m.end()
        kind = m.lastgroup
        s = m.group()
        if kind == "ws":
            continue
        if kind == "num":
            out.append(("num", s))
        elif kind == "punct":
            out.append((s, s))
        elif kind == "meta":
            out.append(("meta", s))
        elif kind == "sreg":
            out.append(("reg", s))
        elif s in KEYWORDS:
            out.append(("kw", s))
        elif canon_reg(s) is not None:
            out.append(("reg", canon_reg(s)))
        else:
            out.append(("name", s))
    return out


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = tokenize(text)
        self.i = 0

    def fail(self, what: str = "") -> DecodeError:
        return DecodeError(f"LISA, syntax error in '{self.text}'" + (f": {what}" if what else ""))

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> tuple[str, str]:
        t = self.peek()
        if t is None:
            raise self.fail("unexpected end of instruction")
        self.i += 1
        return t

    def expect(self, kind: str) -> str:
        t = self.next()
        if t[0] != kind:
            raise self.fail(f"expected '{kind}', found '{t[1]}'")
        return t[1]

    def at(self, kind: str, val: str | None = None) -> bool:
        t = self.peek()
        return t is not None and t[0] == kind and (val is None or t[1] == val)

    # grammar pieces ------------------------------------------------------
    def name(self) -> str:
        t = self.next()
        # herd7 accepts the one-letter keywords as names ("hideous fix")
        if t[0] == "name" or (t[0] == "kw" and t[1] in ("r", "w", "b", "f")):
            return t[1]
        raise self.fail(f"expected a name, found '{t[1]}'")

    def annots(self) -> tuple[str, ...]:
        if not self.at("["):
            return ()
        self.next()
        out: list[str] = []
        if self.at("]"):
            self.next()
            return ()
        while True:
            out.append(self.name())
            if self.at(","):
                self.next()
                continue
            self.expect("]")
            return tuple(out)

    def reg(self) -> Reg:
        return Reg(self.expect("reg"))

    def num(self) -> Imm:
        t = self.next()
        if t[0] == "num":
            s = t[1]
            neg = s.startswith("-")
            s = s.lstrip("-")
            v = int(s[2:], 16) if s[:2].lower() == "0x" else int(s, 10)
            return Imm(-v if neg else v)
        if t[0] == "meta":
            raise DecodeError(f"LISA, meta constant '{t[1]}' is not supported")
        raise self.fail(f"expected a number, found '{t[1]}'")

    def reg_or_addr(self) -> Reg | Sym:
        if self.at("reg"):
            return self.reg()
        return Sym(self.name())

    def reg_or_imm(self) -> Reg | Imm:
        if self.at("reg"):
            return self.reg()
        return self.num()

    def any_value(self) -> Operand:
        if self.at("num") or self.at("meta"):
            return self.num()
        return self.reg_or_addr()

    def addr_op(self) -> Addr:
        base = self.reg_or_addr()
        if self.at("+"):
            self.next()
            return Addr(base, self.reg_or_imm())
        return Addr(base)

    def operation(self) -> Op:
        if self.at("("):
            self.next()
            t = self.next()
            if t[0] != "kw" or t[1] not in OPS:
                raise self.fail(f"expected add, xor, and, eq or neq, found '{t[1]}'")
            a = self.any_value()
            b = self.any_value()
            self.expect(")")
            return Op(t[1], (a, b))
        return Op(None, (self.any_value(),))

    def name_set(self) -> tuple[str, ...]:
        self.expect("{")
        out: list[str] = []
        if not self.at("}"):
            out.append(self.name())
            while self.at(","):
                self.next()
                out.append(self.name())
        self.expect("}")
        return tuple(out)

    def instr(self) -> LInstr:
        t = self.next()
        if t[0] != "kw":
            raise self.fail(f"unknown instruction '{t[1]}'")
        k = t[1]
        if k == "r":
            tags = self.annots()
            r = self.reg()
            ins = LInstr("r", tags, reg=r, addr=self.addr_op())
        elif k == "w":
            tags = self.annots()
            a = self.addr_op()
            ins = LInstr("w", tags, addr=a, value=self.reg_or_imm())
        elif k == "f":
            tags = self.annots()
            fl = None
            if self.at("{"):
                fl = (self.name_set(), self.name_set())
            ins = LInstr("f", tags, fence_labels=fl)
        elif k == "rmw":
            tags = self.annots()
            r = self.reg()
            op = self.operation()
            ins = LInstr("rmw", tags, reg=r, op=op, addr=self.addr_op())
        elif k == "b":
            tags = self.annots()
            if self.at("reg"):
                r = self.reg()
                ins = LInstr("b", tags, reg=r, label=self.label())
            else:
                ins = LInstr("b", tags, label=self.label())
        elif k == "mov":
            r = self.reg()
            ins = LInstr("mov", reg=r, op=self.operation())
        elif k == "call":
            self.expect("[")
            n = self.name()
            self.expect("]")
            ins = LInstr("call", (n,))
        else:
            raise self.fail(f"unknown instruction '{k}'")
        if self.peek() is not None:
            raise self.fail(f"unexpected '{self.peek()[1]}'")
        return ins

    def label(self) -> str:
        t = self.next()
        if t[0] != "name":
            raise self.fail(f"expected a label, found '{t[1]}'")
        return t[1]


def parse_instr(text: str) -> LInstr:
    return _Parser(text).instr()


# ----------------------------------------------------------------------------
# Semantics
# ----------------------------------------------------------------------------

def _operand(ex: AsmFrontend, st, a: Operand):
    """(value, deps) of an operand."""
    if isinstance(a, Reg):
        return ex.rd(st, a.name)
    if isinstance(a, Sym):
        return SymVal(a.name), EMPTY
    return ex.word(a.value), EMPTY


def _address(ex: AsmFrontend, st, a: Addr):
    """(location, address deps)."""
    v, d = _operand(ex, st, a.base)
    if a.offset is not None:
        o, do = _operand(ex, st, a.offset)
        v, d = ex.op("+", v, o), d | do
    return ex.loc_of(v), d


def _eval(ex: AsmFrontend, st, op: Op, override: dict[str, tuple] | None = None):
    """(value, deps) of an operation; `override` gives registers a value
    (the value read by an rmw, for the register it names)."""
    vals = []
    for a in op.args:
        if override and isinstance(a, Reg) and a.name in override:
            vals.append(override[a.name])
        else:
            vals.append(_operand(ex, st, a))
    if op.op is None:
        return vals[0]
    (x, dx), (y, dy) = vals
    return ex.op(OPS[op.op], x, y), dx | dy


def _tags(ins: LInstr) -> frozenset[str]:
    return frozenset(ins.tags)


def _read_events(ex: AsmFrontend, st, loc: SymVal, ad, tags, kinds):
    """Yields (state, value, index of the R event) for every value of loc's domain."""
    vals = list(ex.domain(loc))
    for i, v in enumerate(vals):
        s2 = st.copy() if i < len(vals) - 1 else st
        s2.events.append(PEvent(kinds, loc, v, tags, ex.text(), addr=ad, ctrl=s2.ctrl, rf_read=True))
        yield s2, v, len(s2.events) - 1


def make_run(ins: LInstr):
    k = ins.kind
    tags = _tags(ins)
    if k == "r":
        def run(ex, st):
            loc, ad = _address(ex, st, ins.addr)
            for s2, v, idx in _read_events(ex, st, loc, ad, tags, R_KINDS):
                ex.wr(s2, ins.reg.name, v, frozenset({idx}))
                yield s2, None
        return run
    if k == "w":
        def run(ex, st):
            loc, ad = _address(ex, st, ins.addr)
            v, dd = _operand(ex, st, ins.value)
            st.events.append(PEvent(W_KINDS, loc, ex.mem_norm(loc, v), tags, ex.text(), addr=ad, data=dd,
                                    ctrl=st.ctrl, is_write=True))
            yield st, None
        return run
    if k == "f":
        def run(ex, st):
            if ins.fence_labels is not None:     # scoped fences (GPU models): after the bell check
                raise ex.err(f"LISA, fences with label sets are not supported: '{ins}'")
            st.events.append(PEvent(FENCE_KINDS, None, None, tags, ex.text(), ctrl=st.ctrl))
            yield st, None
        return run
    if k == "rmw":
        r = ins.reg.name
        uses_read = r in ins.op.regs()

        def run(ex, st):
            loc, ad = _address(ex, st, ins.addr)
            if not uses_read:
                nv, nd = _eval(ex, st, ins.op)      # an exchange: op does not see the value read
            for s2, old, idx in _read_events(ex, st, loc, ad, tags, RMW_R_KINDS):
                rd = frozenset({idx})
                if uses_read:
                    # op computed on the value read: data dependency R -> W
                    v, vd = _eval(ex, s2, ins.op, {r: (old, rd)})
                    data, addr = rd, ad | (vd - rd)
                else:
                    # herd7 reads op's registers through non-data ports: addr, not data
                    v, data, addr = nv, EMPTY, ad | nd
                s2.events.append(PEvent(RMW_W_KINDS, loc, ex.mem_norm(loc, v), tags, ex.text(), addr=addr,
                                        data=data, ctrl=s2.ctrl, is_write=True))
                ex.wr(s2, r, old, rd)
                yield s2, None
        return run
    if k == "mov":
        def run(ex, st):
            v, d = _eval(ex, st, ins.op)
            ex.wr(st, ins.reg.name, v, d)
            yield st, None
        return run
    if k == "b":
        if ins.reg is None:
            return branch_to(ins.label, lambda ex, st: iter([(st, ins.label)]))

        def run(ex, st):
            v, d = ex.rd(st, ins.reg.name)
            st.ctrl = st.ctrl | d
            taken = False if ex.all_branches else (v != 0 if isinstance(v, int) else True)
            yield st, CondJump(ins.label, taken)
        return branch_to(ins.label, run)
    # `call[...]`: herd7 stops with "Obsolete 'call' instruction in BellSem" (after the bell check)
    def run(ex, st):
        raise ex.err(f"LISA, obsolete 'call' instruction '{ins}'")
        yield  # pragma: no cover
    return run


class LisaArch(Arch):
    name = "LISA"
    word_bits = 64
    reg_type = "int"
    declared_sets = DECLARED_SETS

    def canon_reg(self, name: str) -> str | None:
        return canon_reg(name)

    def decode(self, text: str) -> Ins:
        ins = parse_instr(text)
        return LIns(text, make_run(ins), instr=ins)


# ----------------------------------------------------------------------------
# The bell check (herd7's BellCheck / BellModel.check_event)
# ----------------------------------------------------------------------------

def bell_declarations(model) -> dict[str, list[list[frozenset[str]]]] | None:
    """kind -> annotation groups, as herd7's bell info holds them (the last
    declaration first), or None when the model has no bell file."""
    if model is None or getattr(model, "bell_path", None) is None:
        return None
    from weakmem.cat import ast as CA
    out: dict[str, list[list[frozenset[str]]]] = {}
    for ins in model.instrs:
        if isinstance(ins, CA.IEvents) and not ins.default:
            group = []
            for a in ins.args:
                s = model._tagset_of(a)
                group.append(s if s is not None else frozenset())
            out.setdefault(ins.kind, []).insert(0, group)
    return out


def check_event(decls: dict, kind: str, tags: tuple[str, ...]) -> bool:
    """An annotation list matches a group when it has one annotation per
    set of the group, each in its set; a kind the bell does not declare
    accepts only the empty list."""
    groups = decls.get(kind, [[]])
    return any(len(g) == len(tags) and all(t in s for t, s in zip(tags, g)) for g in groups)


def pp_groups(groups: list[list[frozenset[str]]]) -> str:
    return ",".join("[" + ", ".join("{" + ",".join(sorted(s)) + "}" for s in g) + "]" for g in groups)


class LisaFrontend(AsmFrontend):
    def __init__(self, test, unroll: int = 2):
        super().__init__(test, LisaArch(), unroll)
        # locations named only in the code are shared too
        for prog in self.progs:
            for ins in prog:
                li = getattr(ins, "instr", None)
                if li is None:
                    continue
                for a in ((li.addr.base if li.addr else None),) + (li.op.args if li.op else ()):
                    if isinstance(a, Sym):
                        self.shared.add(a.name)

    def check_annotations(self, model) -> bool:
        """herd7's bell check: every instruction's annotation list must
        match a declaration of its kind (R, W, F, RMW, B); mov is not checked."""
        decls = bell_declarations(model)
        if decls is None:
            return True
        for prog in self.progs:
            for ins in prog:
                li = getattr(ins, "instr", None)
                if li is None or li.kind == "mov":
                    continue
                kind = LInstr.CHECK_KIND[li.kind]
                if not check_event(decls, kind, li.tags):
                    raise LitmusError(
                        f"annotation error, instruction '{li}' does not match bell declarations "
                        f"{kind}: {pp_groups(decls.get(kind, [[]]))}", ins.pos or Pos(self.file))
        return True


def frontend(test, macros, unroll: int) -> Frontend:
    """This architecture's front-end for `test` (weakmem.semantics.frontends)."""
    return LisaFrontend(test, unroll)
