"""herd .def macro files (linux-kernel.def, c11.def, ...) and their expansion.

A .def file holds one definition per entry, with `//` comments:

    READ_ONCE(X) __load{once}(X)                  expression macro
    WRITE_ONCE(X,V) { __store{once}(X,V); }       statement macro
    smp_mb() { __fence{mb}; }

API:

    table = load_defs("linux-kernel.def")         # -> MacroTable
    table = MacroTable.from_text(text, "x.def")
    table = table.merge(other)                    # new table; `other` wins on clashes
    table.expand_stmt(stmt) -> Stmt               # also expand_expr / expand_stmts /
    table.expand_thread(thread) -> CThread        #      expand_litmus

Expansion substitutes the argument expressions for the parameters in a copy
of the body (AST substitution: `X` in `__store{release}(*X,V)` becomes the
argument expression), then expands the result again, so macros may use other
macros; a depth limit catches cycles.  An expression macro used as a
statement becomes SExpr; a statement macro used inside an expression is an
error.  A statement macro with several statements expands to an SBlock.
Calls of unknown names (and tagged primitives such as `__load{once}`) are
left as ECall for the semantics stage.  Nodes that come from a macro body
get the position of the call; argument expressions keep their own.
"""
from __future__ import annotations

import os

import dataclasses
from dataclasses import dataclass
from typing import Iterable, Mapping

from weakmem.errors import LitmusError, Pos
from weakmem.litmus.ast import (
    CThread,
    EAddr,
    EBin,
    ECall,
    ECond,
    EDeref,
    EIndex,
    EInt,
    EOp,
    EUn,
    EVar,
    Expr,
    Litmus,
    SAssign,
    SBlock,
    SDecl,
    SExpr,
    SIf,
    SSkip,
    Stmt,
    SWhile,
)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from weakmem.litmus.cparse import MacroDef


@dataclass(frozen=True)
class Macro:
    name: str
    params: tuple[str, ...]
    expr: Expr | None = None                  # expression macro
    stmts: tuple[Stmt, ...] | None = None     # statement macro
    pos: Pos | None = None

    @property
    def is_expr(self) -> bool:
        return self.expr is not None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class MacroTable:
    """Name -> Macro, with expansion."""

    MAX_DEPTH = 64

    def __init__(self, macros: Mapping[str, Macro] | Iterable[Macro] | None = None):
        self.macros: dict[str, Macro] = {}
        if isinstance(macros, Mapping):
            self.macros.update(macros)
        elif macros is not None:
            for m in macros:
                self.macros[m.name] = m

    # ------------------------------------------------------------ building
    @classmethod
    def from_text(cls, text: str, file: str = "<defs>") -> "MacroTable":
        from weakmem.litmus.cparse import parse_def_items
        table = cls()
        for d in parse_def_items(text.replace("\r\n", "\n"), file):
            table.add(Macro(d.name, d.params, d.expr, d.stmts, d.pos))
        return table

    def add(self, macro: Macro) -> None:
        self.macros[macro.name] = macro

    def merge(self, other: "MacroTable") -> "MacroTable":
        """A new table with the macros of both; `other`'s win on name clashes."""
        t = MacroTable(self.macros)
        t.macros.update(other.macros)
        return t

    def __contains__(self, name: str) -> bool:
        return name in self.macros

    def __getitem__(self, name: str) -> Macro:
        return self.macros[name]

    def get(self, name: str) -> Macro | None:
        return self.macros.get(name)

    def __len__(self) -> int:
        return len(self.macros)

    def __iter__(self):
        return iter(self.macros.values())

    def __repr__(self) -> str:
        return f"MacroTable({len(self.macros)} macros)"

    # ------------------------------------------------------------ expansion API
    def expand_expr(self, e: Expr) -> Expr:
        return self._expr(e, 0)

    def expand_stmt(self, s: Stmt) -> Stmt:
        return self._stmt(s, 0)

    def expand_stmts(self, stmts: Iterable[Stmt]) -> tuple[Stmt, ...]:
        return tuple(self._stmt(s, 0) for s in stmts)

    def expand_thread(self, t: CThread) -> CThread:
        return dataclasses.replace(t, body=self.expand_stmts(t.body))

    def expand_litmus(self, lit: Litmus) -> Litmus:
        """A copy of `lit` whose C threads have their macros expanded."""
        threads = [self.expand_thread(t) if isinstance(t, CThread) else t for t in lit.threads]
        return dataclasses.replace(lit, threads=threads)

    # ------------------------------------------------------------ internals
    def _lookup(self, call: ECall, depth: int) -> Macro | None:
        if call.tags:
            return None
        m = self.macros.get(call.name)
        if m is None:
            return None
        if depth >= self.MAX_DEPTH:
            raise LitmusError(
                f"macro expansion too deep while expanding {call.name} (recursive macro?)", call.pos)
        if len(call.args) != len(m.params):
            raise LitmusError(
                f"macro {m.name} expects {_plural(len(m.params), 'argument')}, "
                f"got {len(call.args)}", call.pos)
        return m

    def _expr(self, e: Expr, depth: int) -> Expr:
        if isinstance(e, ECall):
            args = tuple(self._expr(a, depth) for a in e.args)
            call = dataclasses.replace(e, args=args)
            m = self._lookup(call, depth)
            if m is None:
                return call
            if m.expr is None:
                raise LitmusError(f"macro {m.name} is a statement, not an expression", e.pos)
            body = _subst(m.expr, dict(zip(m.params, args)), e.pos)
            return self._expr(body, depth + 1)
        if isinstance(e, (EInt, EVar, EOp)):
            return e
        if isinstance(e, EDeref):
            return dataclasses.replace(e, e=self._expr(e.e, depth))
        if isinstance(e, EAddr):
            return dataclasses.replace(e, e=self._expr(e.e, depth))
        if isinstance(e, EUn):
            return dataclasses.replace(e, e=self._expr(e.e, depth))
        if isinstance(e, EIndex):
            return dataclasses.replace(e, base=self._expr(e.base, depth), index=self._expr(e.index, depth))
        if isinstance(e, EBin):
            return dataclasses.replace(e, a=self._expr(e.a, depth), b=self._expr(e.b, depth))
        if isinstance(e, ECond):
            return dataclasses.replace(e, c=self._expr(e.c, depth), a=self._expr(e.a, depth),
                                       b=self._expr(e.b, depth))
        raise TypeError(f"not an expression: {e!r}")

    def _stmt(self, s: Stmt, depth: int) -> Stmt:
        if isinstance(s, SExpr):
            e = s.e
            if isinstance(e, ECall):
                args = tuple(self._expr(a, depth) for a in e.args)
                call = dataclasses.replace(e, args=args)
                m = self._lookup(call, depth)
                if m is None:
                    return dataclasses.replace(s, e=call)
                env = dict(zip(m.params, args))
                if m.expr is not None:
                    body = _subst(m.expr, env, e.pos)
                    return SExpr(self._expr(body, depth + 1), s.pos)
                assert m.stmts is not None
                stmts = [self._stmt(_subst(b, env, e.pos), depth + 1) for b in m.stmts]
                # herd7 expands a statement macro into a block `{ ... }`: the
                # block is a statement node of its own (it takes a program-order
                # index), so keep it even around a single statement.
                return SBlock(tuple(stmts), s.pos)
            return dataclasses.replace(s, e=self._expr(e, depth))
        if isinstance(s, SAssign):
            return dataclasses.replace(s, lhs=self._expr(s.lhs, depth), e=self._expr(s.e, depth))
        if isinstance(s, SDecl):
            if s.init is None:
                return s
            return dataclasses.replace(s, init=self._expr(s.init, depth))
        if isinstance(s, SIf):
            return dataclasses.replace(
                s, cond=self._expr(s.cond, depth), then=self._stmt(s.then, depth),
                els=None if s.els is None else self._stmt(s.els, depth))
        if isinstance(s, SWhile):
            return dataclasses.replace(s, cond=self._expr(s.cond, depth), body=self._stmt(s.body, depth))
        if isinstance(s, SBlock):
            return dataclasses.replace(s, body=tuple(self._stmt(b, depth) for b in s.body))
        if isinstance(s, SSkip):
            return s
        raise TypeError(f"not a statement: {s!r}")


def _subst(node, env: dict[str, Expr], pos: Pos | None):
    """Copy a macro-body node, replacing parameter variables by arguments.
    Copied body nodes take the call's position."""
    if isinstance(node, EVar):
        if node.name in env:
            return env[node.name]
        return dataclasses.replace(node, pos=pos)
    if isinstance(node, (EInt, EOp, SSkip)):
        return dataclasses.replace(node, pos=pos)
    if isinstance(node, ECall):
        return dataclasses.replace(node, args=tuple(_subst(a, env, pos) for a in node.args), pos=pos)
    if isinstance(node, (EDeref, EAddr, EUn)):
        return dataclasses.replace(node, e=_subst(node.e, env, pos), pos=pos)
    if isinstance(node, EIndex):
        return dataclasses.replace(node, base=_subst(node.base, env, pos),
                                   index=_subst(node.index, env, pos), pos=pos)
    if isinstance(node, EBin):
        return dataclasses.replace(node, a=_subst(node.a, env, pos), b=_subst(node.b, env, pos), pos=pos)
    if isinstance(node, ECond):
        return dataclasses.replace(node, c=_subst(node.c, env, pos), a=_subst(node.a, env, pos),
                                   b=_subst(node.b, env, pos), pos=pos)
    if isinstance(node, SExpr):
        return SExpr(_subst(node.e, env, pos), pos)
    if isinstance(node, SAssign):
        return SAssign(_subst(node.lhs, env, pos), _subst(node.e, env, pos), pos)
    if isinstance(node, SDecl):
        return SDecl(node.ctype, node.name, None if node.init is None else _subst(node.init, env, pos), pos)
    if isinstance(node, SIf):
        return SIf(_subst(node.cond, env, pos), _subst(node.then, env, pos),
                   None if node.els is None else _subst(node.els, env, pos), pos)
    if isinstance(node, SWhile):
        return SWhile(_subst(node.cond, env, pos), _subst(node.body, env, pos), pos)
    if isinstance(node, SBlock):
        return SBlock(tuple(_subst(b, env, pos) for b in node.body), pos)
    raise TypeError(f"cannot substitute in {node!r}")


_DEFS: dict[str, tuple[str, MacroTable]] = {}


def load_defs(path: str) -> MacroTable:
    """Read a herd .def file (parsed once per process, and kept in the
    on-disk cache keyed by its text: weakmem.diskcache)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise LitmusError(f"cannot read macro file: {e.strerror or e}", Pos(path)) from None
    hit = _DEFS.get(path)
    if hit is not None and hit[0] == text:
        return hit[1]
    from weakmem.diskcache import cached
    here = os.path.dirname(os.path.abspath(__file__))
    code = "".join(f"{os.path.getsize(os.path.join(here, f))}:" for f in ("c.lark", "cparse.py", "macros.py"))
    table = cached("def", text, lambda: MacroTable.from_text(text, path), salt=path + "\0" + code)
    _DEFS[path] = (text, table)
    return table


def macro_def_to_macro(d: MacroDef) -> Macro:
    return Macro(d.name, d.params, d.expr, d.stmts, d.pos)
