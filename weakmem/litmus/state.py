"""Init block, `locations`, `filter` and final condition (all dialects).

Grammar: state.lark.  Entry points:

    parse_init(text, file, line, col) -> list[InitItem]
    parse_constraint(text, file, line, col) -> Constraint

`text` must already have its `(* ... *)` comments blanked out (see
weakmem.litmus.split.blank_comments).

Conventions:
  * `0:r0`, `P0:r0` (also `0: X0`) -> RegTerm(0, 'r0'); a symbolic register
    `%name` -> RegTerm(-1, '%name').
  * `x` / `[x]` / `x[1]` -> LocTerm (bracketed / index).
  * Init values: numbers -> IntVal; `x`, `&x` -> SymVal('x'); `x+1`, `&x[1]`
    -> SymVal('x', 1); `ATOMIC_INIT(n)` -> IntVal(n); `{1,2}` -> ArrayVal;
    `P1:L0` / `label:"P1:L0"` -> LabelVal; `instr:"NOP"` -> InstrVal.
  * InitItem.ctype: type words joined by ' ' (const/volatile dropped) with
    the stars appended: 'int', 'int*', 'spinlock_t', '_Atomic __int128'.
  * Condition values: `0:r1` on the right-hand side is a RegTerm, `[y]` a
    LocTerm, a bare name a SymVal (an address), `P1:L0` a LabelVal.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lark import Token, v_args

from weakmem.errors import LitmusError, Pos
from weakmem.limits import need_cells
from weakmem.litmus._lark import GrammarParser, PosTransformer
from weakmem.litmus.ast import (
    ArrayVal,
    Condition,
    InitItem,
    InstrVal,
    IntVal,
    LabelVal,
    LocTerm,
    PAnd,
    PAtom,
    PFalse,
    PFault,
    PImplies,
    PNot,
    POr,
    Prop,
    PTrue,
    Quantifier,
    RegTerm,
    SymVal,
    Term,
)

_QUALIFIERS = {"const", "volatile", "restrict"}
_PROCREG = re.compile(r"(P?)([0-9]+)\s*:\s*(\S+)")


@dataclass
class Constraint:
    locations: list[Term] = field(default_factory=list)
    filter: Prop | None = None
    quantifier: Quantifier | None = None   # None: no final condition
    prop: Prop | None = None
    qpos: Pos | None = None            # position of the quantifier
    qoffset: int | None = None         # offset of the quantifier in the parsed text


def _num(tok) -> int:
    s = str(tok)
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    v = int(s, 16) if s[:2] in ("0x", "0X") else int(s, 10)
    return -v if neg else v


@v_args(meta=True)
class StateTransformer(PosTransformer):
    # ------------------------------------------------------------ helpers
    def _procreg(self, tok) -> tuple[bool, int, str]:
        m = _PROCREG.fullmatch(str(tok))
        assert m is not None
        return bool(m.group(1)), int(m.group(2)), m.group(3)

    def _regterm(self, tok) -> RegTerm:
        _, tid, reg = self._procreg(tok)
        return RegTerm(tid, reg, self._pos(tok))

    def _label(self, tok) -> LabelVal:
        _, tid, lab = self._procreg(tok)
        return LabelVal(tid, lab)

    def _labelstr(self, tok) -> LabelVal:
        inner = str(tok)[len('label:"'):-1].strip()
        m = _PROCREG.fullmatch(inner)
        if not m:
            raise LitmusError(f"bad label value '{tok}' (expected label:\"P0:L0\")", self._pos(tok))
        return LabelVal(int(m.group(2)), m.group(3))

    def _tagged(self, meta, c):
        raise LitmusError(f"memory tags are not supported ('{c[0]}:{c[2]}')", self.at(meta))

    # ------------------------------------------------------------ init
    def init_block(self, meta, c):
        return [x for x in c if isinstance(x, InitItem)]

    def target(self, meta, c):
        toks: list[Token] = []
        for x in c:
            toks.extend(x if isinstance(x, list) else [x])
        last = toks[-1]
        head = toks[:-1]
        if last.type == "PROCREG":
            target = self._regterm(last)
        elif last.type == "SYMREG":
            target = RegTerm(-1, str(last), self._pos(last))
        elif last.type == "NAME":
            target = LocTerm(str(last), pos=self._pos(last))
        else:
            raise LitmusError(f"unexpected '{last}'", self._pos(last))
        words: list[str] = []
        stars = 0
        for t in head:
            if t == "*":
                stars += 1
            elif stars:
                raise LitmusError(f"unexpected '{t}'", self._pos(t))
            else:
                words.append(str(t))
        if stars and not words:
            raise LitmusError("unexpected '*'", self._pos(head[0]))
        words = [w for w in words if w not in _QUALIFIERS]
        ctype = " ".join(words) + "*" * stars if words else None
        return (ctype, target)

    def dtoks(self, meta, c):
        out = []
        for x in c:
            out.extend(x if isinstance(x, list) else [x])
        return out

    def dtok(self, meta, c):
        return c[0]

    def init_item(self, meta, c):
        ctype, target = c[0]
        value = c[2]
        if isinstance(value, ArrayVal):
            raise LitmusError("array value for a scalar location", target.pos)
        return InitItem(target, ctype, value, None, target.pos)

    def _array(self, c):
        ctype, target = c[0]
        if not isinstance(target, LocTerm):
            raise LitmusError("arrays must be memory locations", target.pos)
        size = _num(c[2])
        if size <= 0:
            raise LitmusError(f"bad array size {size}", self._pos(c[2]))
        need_cells(size, f"array {target.name}", self._pos(c[2]))     # refused before anything is allocated
        return ctype, target, size

    def init_array(self, meta, c):
        ctype, target, size = self._array(c)
        return InitItem(target, ctype, None, size, target.pos)

    def init_array_vals(self, meta, c):
        ctype, target, size = self._array(c)
        vals = c[6] if isinstance(c[6], list) else []
        if len(vals) > size:
            raise LitmusError(f"too many initial values for {target.name}[{size}]", target.pos)
        return InitItem(target, ctype, ArrayVal(tuple(vals)), size, target.pos)

    def init_bracket(self, meta, c):
        name = c[1]
        target = LocTerm(str(name), bracketed=True, pos=self._pos(name))
        return InitItem(target, None, c[4], None, self.at(meta))

    def ivals(self, meta, c):
        return [x for x in c if not isinstance(x, Token)]

    def v_num(self, meta, c):
        return IntVal(_num(c[0]))

    def v_sym(self, meta, c):
        return SymVal(str(c[0]))

    def v_symoff(self, meta, c):
        return SymVal(str(c[0]), _num(c[2]))

    def v_sym_amp(self, meta, c):
        return SymVal(str(c[1]))

    def v_sym_amp_idx(self, meta, c):
        return SymVal(str(c[1]), _num(c[3]))

    def v_tagged(self, meta, c):
        self._tagged(meta, c)

    def v_label(self, meta, c):
        has_p, tid, lab = self._procreg(c[0])
        if not has_p:
            raise LitmusError(f"bad initial value '{c[0]}'", self.at(meta))
        return LabelVal(tid, lab)

    def v_symreg(self, meta, c):
        raise LitmusError(f"bad initial value '{c[0]}'", self.at(meta))

    def v_instr(self, meta, c):
        return InstrVal(str(c[0])[len('instr:"'):-1])

    def v_labelstr(self, meta, c):
        return self._labelstr(c[0])

    def v_atomic_init(self, meta, c):
        return IntVal(_num(c[2]))

    def v_array(self, meta, c):
        vals = c[1] if isinstance(c[1], list) else []
        return ArrayVal(tuple(vals))

    # ------------------------------------------------------------ constraint
    def constraint(self, meta, c):
        k = Constraint()
        for x in c:
            if x is None or isinstance(x, Token):
                continue
            kind, val = x
            if kind == "locations":
                k.locations = val
            elif kind == "filter":
                k.filter = val
            else:
                k.quantifier, k.prop, qmeta = kind, val[0], val[1]
                k.qpos = self.at(qmeta)
                k.qoffset = qmeta.start_pos
        return k

    def locations(self, meta, c):
        return ("locations", [x for x in c if x is not None and not isinstance(x, Token)])

    def locitem(self, meta, c):
        return c[0]

    def filter(self, meta, c):
        return ("filter", c[1])

    def q_exists(self, meta, c):
        return (Quantifier.EXISTS, (c[1], meta))

    def q_forall(self, meta, c):
        return (Quantifier.FORALL, (c[1], meta))

    def q_notexists(self, meta, c):
        return (Quantifier.NOT_EXISTS, (c[1], meta))

    def q_notexists2(self, meta, c):
        return (Quantifier.NOT_EXISTS, (c[2], meta))

    def p_implies(self, meta, c):
        return PImplies(c[0], c[2])

    def p_or(self, meta, c):
        return POr(c[0], c[2])

    def p_and(self, meta, c):
        return PAnd(c[0], c[2])

    def p_not(self, meta, c):
        return PNot(c[1])

    def p_paren(self, meta, c):
        return c[1]

    def p_true(self, meta, c):
        return PTrue()

    def p_false(self, meta, c):
        return PFalse()

    def p_atom(self, meta, c):
        lhs, op, rhs = c[0], str(c[1]), c[2]
        op = "!=" if op in ("!=", "<>") else "="
        return PAtom(lhs, op, rhs, lhs.pos)

    def p_fault(self, meta, c):
        args = [a for a in c[2] if a is not None]
        tid = label = None
        rest = []
        for i, a in enumerate(args):
            s = str(a)
            if i == 0:
                m = _PROCREG.fullmatch(s)
                if m and m.group(1):
                    tid, label = int(m.group(2)), m.group(3)
                    continue
                m2 = re.fullmatch(r"P([0-9]+)", s)
                if m2:
                    tid = int(m2.group(1))
                    continue
            rest.append(s)
        return PFault(tid, label, tuple(rest), self.at(meta))

    def fargs(self, meta, c):
        return [x for x in c if not (isinstance(x, Token) and x.type == "COMMA")]

    def farg(self, meta, c):
        return c[0]

    def t_reg(self, meta, c):
        has_p, tid, reg = self._procreg(c[0])
        return RegTerm(tid, reg, self.at(meta))

    def t_loc(self, meta, c):
        return LocTerm(str(c[0]), pos=self.at(meta))

    def t_bracket(self, meta, c):
        return LocTerm(str(c[1]), bracketed=True, pos=self.at(meta))

    def t_index(self, meta, c):
        return LocTerm(str(c[0]), index=_num(c[2]), pos=self.at(meta))

    def t_bracket_index(self, meta, c):
        return LocTerm(str(c[1]), index=_num(c[3]), bracketed=True, pos=self.at(meta))

    def t_symreg(self, meta, c):
        return RegTerm(-1, str(c[0]), self.at(meta))

    def c_num(self, meta, c):
        return IntVal(_num(c[0]))

    def c_sym(self, meta, c):
        return SymVal(str(c[0]))

    def c_tagged(self, meta, c):
        self._tagged(meta, c)

    def c_reg(self, meta, c):
        has_p, tid, reg = self._procreg(c[0])
        if has_p:
            return LabelVal(tid, reg)
        return RegTerm(tid, reg, self.at(meta))

    def c_bracket(self, meta, c):
        return LocTerm(str(c[1]), bracketed=True, pos=self.at(meta))

    def c_bracket_index(self, meta, c):
        return LocTerm(str(c[1]), index=_num(c[3]), bracketed=True, pos=self.at(meta))

    def c_index(self, meta, c):
        return LocTerm(str(c[0]), index=_num(c[2]), pos=self.at(meta))

    def c_array(self, meta, c):
        vals = c[1] if isinstance(c[1], list) else []
        for v in vals:
            if not isinstance(v, (IntVal, SymVal)):
                raise LitmusError("array values must be numbers or addresses", self.at(meta))
        return ArrayVal(tuple(vals))

    def cvals(self, meta, c):
        return [x for x in c if not isinstance(x, Token)]

    def c_instr(self, meta, c):
        return InstrVal(str(c[0])[len('instr:"'):-1])

    def c_labelstr(self, meta, c):
        return self._labelstr(c[0])


_PARSER = GrammarParser("state.lark", ["init_block", "constraint"], StateTransformer)


def parse_init(text: str, file: str, line: int = 1, col: int = 1) -> list[InitItem]:
    return _PARSER.parse(text, "init_block", file, line, col)


def parse_constraint(text: str, file: str, line: int = 1, col: int = 1) -> Constraint:
    """Parse the constraint section.  Constraint.qoffset is relative to `text`."""
    k = _PARSER.parse(text, "constraint", file, line, col)
    if k.qoffset is not None:
        k.qoffset -= (line - 1) + (col - 1)   # undo the positioning prefix
    return k


def make_condition(k: Constraint, text: str) -> Condition:
    """The final Condition, with its (whitespace-normalised) source text."""
    if k.quantifier is None:
        return Condition(Quantifier.FORALL, PTrue(), "forall (true)")
    src = text[k.qoffset:] if k.qoffset is not None else ""
    src = " ".join(src.split()).rstrip()
    if src.endswith(";"):
        src = src[:-1].rstrip()
    return Condition(k.quantifier, k.prop, src)
