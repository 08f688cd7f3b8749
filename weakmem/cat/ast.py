"""Abstract syntax of the cat language.

Every node carries `pos` (weakmem.errors.Pos) for error messages.  Nodes are
plain dataclasses; `eq=False` keeps identity hashing so analyses can use
nodes as dictionary keys.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from weakmem.errors import Pos

NOPOS = Pos("<cat>")

# A pattern: a single name (None for `_`) or a tuple of such names.
PVar = Optional[str]


@dataclass(eq=False)
class Pattern:
    names: list[PVar]
    is_tuple: bool

    def bound(self) -> list[str]:
        return [n for n in self.names if n is not None]


# ---------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class Expr:
    pos: Pos = field(default=NOPOS, kw_only=True)


@dataclass(eq=False)
class Var(Expr):
    name: str


@dataclass(eq=False)
class EmptyRel(Expr):
    """`0`"""


@dataclass(eq=False)
class Universe(Expr):
    """`_`"""


@dataclass(eq=False)
class TagLit(Expr):
    name: str


@dataclass(eq=False)
class ExplicitSet(Expr):
    elems: list[Expr]


@dataclass(eq=False)
class TupleE(Expr):
    elems: list[Expr]


@dataclass(eq=False)
class ToId(Expr):
    """`[e]`"""
    e: Expr


@dataclass(eq=False)
class Unop(Expr):
    op: str          # 'star' 'plus' 'opt' 'inv' 'comp'
    e: Expr


@dataclass(eq=False)
class Binop(Expr):
    op: str          # 'union' 'seq' (n-ary) / 'inter' 'diff' 'cart' 'add'
    args: list[Expr]


@dataclass(eq=False)
class App(Expr):
    f: Expr
    arg: Expr


@dataclass(eq=False)
class Fun(Expr):
    pat: Pattern
    body: Expr
    name: str = "*fun*"


@dataclass(eq=False)
class Binding:
    pat: Pattern
    e: Expr
    pos: Pos = NOPOS


@dataclass(eq=False)
class LetIn(Expr):
    binds: list[Binding]
    body: Expr
    rec: bool = False


@dataclass(eq=False)
class MatchTag(Expr):
    e: Expr
    clauses: list[tuple[str, Expr]]
    default: Expr | None


@dataclass(eq=False)
class MatchSet(Expr):
    """match e with || {} -> empty || x ++ rest -> elt  end
    (pre is set for the rare `pre | x ++ rest` form)."""
    e: Expr
    empty: Expr
    x: PVar
    rest: PVar
    elt: Expr
    pre: PVar = None
    three: bool = False


@dataclass(eq=False)
class Try(Expr):
    e: Expr
    alt: Expr


@dataclass(eq=False)
class IfE(Expr):
    cond: "Cond"
    then: Expr
    els: Expr


# --- conditions of `if` ------------------------------------------------------


@dataclass(eq=False)
class Cond:
    pos: Pos = field(default=NOPOS, kw_only=True)


@dataclass(eq=False)
class CVariant(Cond):
    name: str


@dataclass(eq=False)
class CNot(Cond):
    c: Cond


@dataclass(eq=False)
class CAnd(Cond):
    cs: list[Cond]


@dataclass(eq=False)
class COr(Cond):
    cs: list[Cond]


@dataclass(eq=False)
class CCmp(Cond):
    op: str          # 'eq' 'subset' 'in'
    a: Expr
    b: Expr


# ---------------------------------------------------------------------------
# Instructions
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class Instr:
    pos: Pos = field(default=NOPOS, kw_only=True)


@dataclass(eq=False)
class TestSpec:
    test: str                 # 'acyclic' 'irreflexive' 'empty'
    neg: bool
    e: Expr
    name: str | None
    pos: Pos = NOPOS


@dataclass(eq=False)
class ILet(Instr):
    binds: list[Binding]
    rec: bool = False
    when: TestSpec | None = None


@dataclass(eq=False)
class ITest(Instr):
    kind: str                 # 'check' 'flag' 'undefined' 'assert'
    spec: TestSpec


@dataclass(eq=False)
class IShow(Instr):
    names: list[str]
    e: Expr | None = None     # `show e as name`


@dataclass(eq=False)
class IUnshow(Instr):
    names: list[str]


@dataclass(eq=False)
class IInclude(Instr):
    file: str


@dataclass(eq=False)
class IProcedure(Instr):
    name: str
    pat: Pattern
    body: list[Instr]
    rec: bool = False


@dataclass(eq=False)
class ICall(Instr):
    name: str
    arg: Expr
    as_name: str | None


@dataclass(eq=False)
class IForall(Instr):
    var: str
    e: Expr
    body: list[Instr]


@dataclass(eq=False)
class IWith(Instr):
    var: str
    e: Expr


@dataclass(eq=False)
class IIf(Instr):
    cond: Cond
    then: list[Instr]
    els: list[Instr]


@dataclass(eq=False)
class IMatch(Instr):
    e: Expr
    clauses: list[tuple[str, list[Instr]]]
    default: list[Instr] | None


@dataclass(eq=False)
class IEnum(Instr):
    name: str
    tags: list[str]


@dataclass(eq=False)
class IEvents(Instr):
    """`instructions K[args]` (default=False) or `default K[args]`."""
    kind: str
    args: list[Expr]
    default: bool = False


@dataclass(eq=False)
class IDebug(Instr):
    e: Expr


@dataclass(eq=False)
class ICatdep(Instr):
    pass


@dataclass(eq=False)
class CatFile:
    path: str
    title: str | None
    arch: str | None
    instrs: list[Instr]


AnyNode = Union[Expr, Instr, Cond]


_OPS = {"union": "|", "seq": ";", "inter": "&", "diff": "\\", "cart": "*",
        "add": "++"}
_POST = {"star": "*", "plus": "+", "opt": "?", "inv": "^-1"}


def show_expr(e: Expr) -> str:
    """Fully parenthesised rendering of an expression (debugging, tests)."""
    if isinstance(e, Var):
        return e.name
    if isinstance(e, EmptyRel):
        return "0"
    if isinstance(e, Universe):
        return "_"
    if isinstance(e, TagLit):
        return "'" + e.name
    if isinstance(e, ExplicitSet):
        return "{" + ",".join(show_expr(x) for x in e.elems) + "}"
    if isinstance(e, TupleE):
        return "(" + ",".join(show_expr(x) for x in e.elems) + ")"
    if isinstance(e, ToId):
        return "[" + show_expr(e.e) + "]"
    if isinstance(e, Unop):
        if e.op == "comp":
            return "~" + show_expr(e.e)
        return "(" + show_expr(e.e) + ")" + _POST[e.op]
    if isinstance(e, Binop):
        return "(" + f" {_OPS[e.op]} ".join(show_expr(x) for x in e.args) + ")"
    if isinstance(e, App):
        return show_expr(e.f) + "(" + show_expr(e.arg) + ")"
    if isinstance(e, Fun):
        names = ",".join(n or "_" for n in e.pat.names)
        return f"(fun ({names}) -> {show_expr(e.body)})"
    if isinstance(e, LetIn):
        bs = " and ".join(
            ",".join(n or "_" for n in b.pat.names) + " = " + show_expr(b.e)
            for b in e.binds)
        return f"(let {'rec ' if e.rec else ''}{bs} in {show_expr(e.body)})"
    if isinstance(e, Try):
        return f"(try {show_expr(e.e)} with {show_expr(e.alt)})"
    if isinstance(e, IfE):
        return f"(if <cond> then {show_expr(e.then)} else {show_expr(e.els)})"
    if isinstance(e, MatchTag):
        cl = " ".join(f"|| '{t} -> {show_expr(x)}" for t, x in e.clauses)
        if e.default is not None:
            cl += f" || _ -> {show_expr(e.default)}"
        return f"(match {show_expr(e.e)} with {cl} end)"
    if isinstance(e, MatchSet):
        return (f"(match {show_expr(e.e)} with || {{}} -> {show_expr(e.empty)}"
                f" || {e.x or '_'} ++ {e.rest or '_'} -> {show_expr(e.elt)} end)")
    return f"<{type(e).__name__}>"
