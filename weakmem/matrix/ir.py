"""The matrix compiler's intermediate representation: one list of nodes per thread.

A C thread is lowered (weakmem.matrix.lower) into these nodes, then each
target (weakmem.matrix.isa) turns them into herd assembly.  Values live in
virtual registers (`VReg`): one per C register variable, one per shared
location whose address the thread uses (bound in the test's init block, as
herd tests do: `0:X1=x`), and one per intermediate result.  Because every
value flows through registers exactly as written in the source, address,
data and control dependencies survive into the assembly.

Memory and fence nodes carry `key`, the abstract operation looked up in the
mapping tables (weakmem.matrix.mappings), and `origin`, the source-level
name shown in the matrix's instruction column.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from weakmem.errors import Pos


@dataclass(frozen=True)
class VReg:
    """A virtual register.  `wide`: holds an address (64 bits on the 64-bit
    targets).  `loc`: for the registers bound to a location's address in the
    init block, the location's name."""
    name: str
    wide: bool = False
    loc: str | None = None


@dataclass(frozen=True)
class Imm:
    value: int


Operand = Union[VReg, Imm]


@dataclass(frozen=True)
class Addr:
    """An address: `base` (a register holding an address) plus `index`
    elements of `elem` bytes ('int' or 'ptr' cells; the targets scale)."""
    base: VReg
    index: VReg | None = None
    elem: str = "int"


@dataclass(frozen=True)
class Origin:
    """Where a memory or fence node came from: the name as written in the
    source (`qatomic_xchg`, `READ_ONCE`, `plain load`...) and its position."""
    name: str
    pos: Pos | None = field(default=None, compare=False)


@dataclass
class Mov:
    dst: VReg
    src: Operand


@dataclass
class Alu:
    """dst = a op b, op one of + - & | ^ * << >>."""
    dst: VReg
    op: str
    a: VReg
    b: Operand


@dataclass
class Load:
    dst: VReg
    addr: Addr
    key: str
    wide: bool          # the cell holds an address
    origin: Origin


@dataclass
class Store:
    addr: Addr
    src: Operand
    key: str
    wide: bool
    origin: Origin


@dataclass
class Rmw:
    """A read-modify-write.  op: xchg, add, sub, and, or, xor, cas.
    ret: 'old' (value read), 'new' (value written; not for cas/xchg),
    'none' (result unused: the no-return kernel forms).
    For cas: `val` is the new value, `expected` the value compared."""
    dst: VReg | None
    addr: Addr
    key: str
    op: str
    val: Operand
    expected: Operand | None
    ret: str
    wide: bool
    origin: Origin


@dataclass
class Fence:
    key: str
    origin: Origin


@dataclass
class Compound:
    """A source operation whose instruction sequence is a per-target choice
    between different shapes (QEMU's qatomic_set_mb, Linux's smp_store_mb):
    expanded by the target from weakmem.matrix.mappings.COMPOUNDS."""
    key: str
    addr: Addr
    val: Operand
    wide: bool
    origin: Origin


@dataclass
class Branch:
    """Jump to `label` when `a cond b` (cond: == != < <= > >=, signed)."""
    cond: str
    a: VReg
    b: Operand
    label: str


@dataclass
class SetCmp:
    """dst = (a cond b) ? 1 : 0, without a branch (CSET, SETcc, slt...): the
    result carries a data dependency on a and b, as compiled C does."""
    dst: VReg
    cond: str
    a: VReg
    b: Operand


@dataclass
class Jump:
    label: str


@dataclass
class Label:
    name: str


Node = Union[Mov, Alu, Load, Store, Rmw, Fence, Compound, Branch, SetCmp, Jump, Label]


@dataclass
class ThreadIR:
    tid: int
    name: str
    nodes: list = field(default_factory=list)
    # C register variable -> VReg (the registers the condition may name)
    vars: dict[str, VReg] = field(default_factory=dict)
    # location -> VReg holding its address (bound in the init block)
    addr_regs: dict[str, VReg] = field(default_factory=dict)
    # initial values of C registers from the test's init block (`0:r1=1`, `0:r2=x`)
    init_vals: dict[str, object] = field(default_factory=dict)


class NotCompilable(Exception):
    """A construct the matrix cannot compile faithfully (for every target, or
    for one): reported in the table instead of a verdict."""

    def __init__(self, msg: str, pos: Pos | None = None):
        super().__init__(msg)
        self.msg = msg
        self.pos = pos

    def __str__(self) -> str:
        if self.pos is not None and self.pos.line:
            return f"{self.msg} (line {self.pos.line}:{self.pos.col})"
        return self.msg
