"""The litmus-test AST: one shape for every dialect (C and the assembly ones).

Everything that crosses the litmus -> semantics boundary is defined here.
Nodes carry a `pos` (weakmem.errors.Pos) so later stages can report
file:line:col.  All dataclasses are frozen except where noted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Union

from weakmem.errors import Pos

# --------------------------------------------------------------------------
# Values and terms (init block, locations list, final condition)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class IntVal:
    value: int


@dataclass(frozen=True)
class SymVal:
    """A symbolic address: the name of a memory location, e.g. `x` in `p=x`
    or `0:r1=x`.  `offset` is for array cells (`x[1]` / `x+1`)."""
    name: str
    offset: int = 0


@dataclass(frozen=True)
class ArrayVal:
    """`{1,2}` -- the contents of an array location, in an init block or a
    final condition (`int x[2] = {1,2}`, `exists x={2,1}`)."""
    values: tuple["Value", ...]


@dataclass(frozen=True)
class LabelVal:
    """The address of a code label: `P1:L0` or `label:"P1:L0"` (asm tests)."""
    tid: int
    label: str


@dataclass(frozen=True)
class InstrVal:
    """An instruction used as a value: `instr:"NOP"` (self-modifying-code
    tests; the text is decoded by the architecture front-end)."""
    text: str


Value = Union[IntVal, SymVal, ArrayVal, LabelVal, InstrVal]


@dataclass(frozen=True)
class RegTerm:
    """`0:r0` -- register r0 of thread 0."""
    tid: int
    reg: str
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class LocTerm:
    """`x` or `[x]` -- final value of memory location x (index for arrays)."""
    name: str
    index: int | None = None
    bracketed: bool = False
    pos: Pos | None = field(default=None, compare=False)


Term = Union[RegTerm, LocTerm]


# --------------------------------------------------------------------------
# Propositions (filter and final condition)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PTrue:
    pass


@dataclass(frozen=True)
class PFalse:
    pass


@dataclass(frozen=True)
class PAtom:
    """`lhs = rhs` (op '=') or `lhs != rhs` (op '!=').

    rhs is a Value, or a Term (herd allows `0:r0=1:r0` and `x=y` comparing
    two terms)."""
    lhs: Term
    op: str
    rhs: Union[Value, Term]
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PNot:
    p: "Prop"


@dataclass(frozen=True)
class PAnd:
    a: "Prop"
    b: "Prop"


@dataclass(frozen=True)
class POr:
    a: "Prop"
    b: "Prop"


@dataclass(frozen=True)
class PImplies:
    a: "Prop"
    b: "Prop"


@dataclass(frozen=True)
class PFault:
    """`Fault(P0:L0, x, Kind)` / `fault(P0, x)` -- a fault atom (asm tests).
    tid/label come from the `Pn[:label]` argument; `args` are the remaining
    arguments as written."""
    tid: int | None
    label: str | None
    args: tuple[str, ...] = ()
    pos: Pos | None = field(default=None, compare=False)


Prop = Union[PTrue, PFalse, PAtom, PNot, PAnd, POr, PImplies, PFault]


class Quantifier(StrEnum):
    """A final condition's quantifier, spelled as in the test (a str)."""
    EXISTS = "exists"
    NOT_EXISTS = "~exists"
    FORALL = "forall"


@dataclass(frozen=True)
class Condition:
    """`exists P`, `~exists P` or `forall P`."""
    quantifier: Quantifier
    prop: Prop
    text: str = ""   # source text, for messages


# --------------------------------------------------------------------------
# Init block
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class InitItem:
    """One init binding.

    target: LocTerm (memory location) or RegTerm (thread register).
    ctype:  declared C type, e.g. 'int', 'spinlock_t', 'int*', 'atomic_int', or None.
    value:  initial value (IntVal / SymVal) or None for "default" (0).
    size:   array length for `int x[2]` declarations, else None.
    """
    target: Term
    ctype: str | None
    value: Value | None
    size: int | None = None
    pos: Pos | None = field(default=None, compare=False)


# --------------------------------------------------------------------------
# C code (herd7's C dialect)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class EInt:
    value: int
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EVar:
    """A C identifier: a register (local variable), a parameter (which holds
    the address of the shared location of the same name), or a location."""
    name: str
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EDeref:
    """`*e` -- a plain (unmarked) memory access when evaluated/assigned."""
    e: "Expr"
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EAddr:
    """`&e`."""
    e: "Expr"
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EIndex:
    """`a[i]`."""
    base: "Expr"
    index: "Expr"
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EBin:
    """Binary operator: + - * / % & | ^ << >> == != < <= > >= && ||."""
    op: str
    a: "Expr"
    b: "Expr"
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EUn:
    """Unary operator: - ! ~ ."""
    op: str
    e: "Expr"
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ECond:
    """`c ? a : b`."""
    c: "Expr"
    a: "Expr"
    b: "Expr"
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class ECall:
    """A call `f(args)`: a macro from a .def file, a C11 atomic, or a herd
    primitive.  Primitives are spelt with their tags: `__load{once}(x)` has
    name '__load', tags ('once',).  An operator argument, as in
    `__atomic_op(X,+,V)`, is passed as EOp."""
    name: str
    args: tuple["Expr", ...]
    tags: tuple[str, ...] = ()
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class EOp:
    """An operator passed as a macro/primitive argument (`+`, `-`, `&`...)."""
    op: str
    pos: Pos | None = field(default=None, compare=False)


Expr = Union[EInt, EVar, EDeref, EAddr, EIndex, EBin, EUn, ECond, ECall, EOp]


@dataclass(frozen=True)
class SDecl:
    """`int r0;` or `int r0 = e;` (ctype kept for information)."""
    ctype: str
    name: str
    init: Expr | None
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SAssign:
    """`lhs = e;` where lhs is EVar (register) or EDeref/EIndex (memory)."""
    lhs: Expr
    e: Expr
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SExpr:
    """An expression statement, e.g. `smp_mb();` or `WRITE_ONCE(*x, 1);`."""
    e: Expr
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SIf:
    cond: Expr
    then: "Stmt"
    els: "Stmt | None"
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SWhile:
    cond: Expr
    body: "Stmt"
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SBlock:
    body: tuple["Stmt", ...]
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SSkip:
    pos: Pos | None = field(default=None, compare=False)


Stmt = Union[SDecl, SAssign, SExpr, SIf, SWhile, SBlock, SSkip]


@dataclass(frozen=True)
class CParam:
    ctype: str   # e.g. 'int *', 'spinlock_t *', 'atomic_int *', 'int **'
    name: str


@dataclass(frozen=True)
class CThread:
    tid: int
    name: str                  # 'P0'
    params: tuple[CParam, ...]
    body: tuple[Stmt, ...]
    pos: Pos | None = field(default=None, compare=False)


# --------------------------------------------------------------------------
# Assembly code (filled in by the hardware dialects)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AsmInstr:
    """One instruction as written: mnemonic and raw operand text, plus an
    optional label defined on this line.  Architecture front-ends decode
    `text` into their own instruction objects."""
    text: str
    label: str | None = None
    pos: Pos | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AsmThread:
    tid: int
    name: str
    code: tuple[AsmInstr, ...]


# --------------------------------------------------------------------------
# The whole test
# --------------------------------------------------------------------------


@dataclass
class Litmus:
    arch: str                          # 'C', 'X86', 'X86_64', 'AArch64', 'ARM', 'PPC', 'RISCV'
    name: str
    path: str
    doc: str | None = None             # the optional "..." line after the header
    info: dict[str, str] = field(default_factory=dict)   # `Key=Value` header lines (e.g. Variant)
    results: list[str] = field(default_factory=list)     # ` * Result: Never` comment lines
    init: list[InitItem] = field(default_factory=list)
    threads: list = field(default_factory=list)          # CThread | AsmThread
    locations: list[Term] = field(default_factory=list)
    filter: Prop | None = None
    condition: Condition | None = None
    pos: Pos | None = None
