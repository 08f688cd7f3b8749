"""The failure hook: what a rejected execution failed, with the means to look
inside it.

`evaluate(model, inp, cache, explain=True)` (weakmem.cat.eval) attaches a
`CheckFailure` to every rejecting `Outcome` (`out.failure`); with
`explain=False` (the default) nothing here runs and nothing is recorded.

A `CheckFailure` gives

* the failing check itself: `test` ('acyclic' / 'irreflexive' / 'empty'),
  `negated`, `ckind` ('check', 'assert', ...; `flag` is True for a flag),
  `expr` (its cat AST), `name` (as reported in `Outcome.failed`, i.e. the
  `as` name, or the name of the `call` it failed in) and `check_name` (its
  own name), `pos`;
* `value`: the value of its relation or set in this execution;
* `static`: whether it failed in the rf-independent phase;
* `scope`: a `Scope`, the names visible at the check, able to evaluate any
  expression of the model there (`scope.eval(expr)`), to give a name's
  value (`scope.value(name)`) and its definition (`scope.definition(name)`:
  the expression of the `let` that bound it and that `let`'s own scope);
* `env()`: the named relations and sets the check's expression is built
  from, transitively through the definitions, with their values.

Scopes evaluate by compiling sub-expressions of the model with the same
compiler, against the slot values the evaluator had when the check failed,
so they see exactly what the check saw.  Everything here is computed on
demand.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

from weakmem.errors import CatError, Pos

from . import ast as A
from .values import Closure, ESet, to_int


class Probe:
    """Compiles and evaluates model sub-expressions against the slot values
    of one evaluation (`vals`).  Shared by all scopes of one failure."""

    def __init__(self, prog, vals: list):
        self.prog = prog
        self.vals = vals
        self.n: int = vals[0].n
        self._compilers: dict[int, Any] = {}
        self._codes: dict[tuple, Any] = {}

    def _compiler(self, top: dict[str, int]):
        c = self._compilers.get(id(top))
        if c is None:
            import copy
            orig = self.prog.compiler
            c = copy.copy(orig)
            p = copy.copy(orig.prog)
            p.slot_names = list(p.slot_names)
            p.slot_static = list(p.slot_static)
            p.inputs = list(p.inputs)
            p.tagsets = list(p.tagsets)
            c.prog = p
            c.top = top
            c.input_slot = dict(orig.input_slot)
            c.tagset_slot = dict(orig.tagset_slot)
            c.refs = set()
            c.hoists = []
            c.hoist_ok = False
            c.shown = []
            c._snap = None
            self._compilers[id(top)] = (c, top)
            return c
        return c[0]

    def compile(self, e: A.Expr, top: dict[str, int], local_names: tuple[str, ...]):
        key = (id(e), id(top), local_names)
        code = self._codes.get(key)
        if code is None:
            comp = self._compiler(top)
            code, _ = comp.cexp(e, {nm: False for nm in local_names})
            self._codes[key] = (code, e, top)
            return code
        return code[0]

    def cond(self, c: A.Cond, top: dict[str, int], local_names: tuple[str, ...]):
        """A condition of an `if`: True/False constant or code."""
        comp = self._compiler(top)
        v, _ = comp.ccond(c, {nm: False for nm in local_names})
        return v


@dataclass
class Local:
    """A local name (function parameter, `let ... in`): its value and, when
    known, the expression it stands for and that expression's scope."""
    value: Any
    expr: Optional[A.Expr] = None
    scope: Optional["Scope"] = None


class Scope:
    """Names visible at one point of the model: the top-level bindings
    (name -> slot, compile-time snapshot) and local names with values."""

    def __init__(self, probe: Probe, top: dict[str, int],
                 local: Optional[dict[str, Local]] = None, where: str = ""):
        self.probe = probe
        self.top = top
        self.local = local or {}
        self.where = where            # e.g. "let hb" or "check happens-before"

    @property
    def n(self) -> int:
        return self.probe.n

    def child(self, local: dict[str, Local], where: str) -> "Scope":
        merged = dict(self.local)
        merged.update(local)
        return Scope(self.probe, self.top, merged, where)

    def eval(self, e: A.Expr | str) -> Any:
        """Value of an expression (AST, or cat text) in this scope.  Raises
        CatError when it cannot be evaluated."""
        if isinstance(e, str):
            from .parse import parse_expr
            e = parse_expr(e)
        names = tuple(sorted(self.local))
        code = self.probe.compile(e, self.top, names)
        loc = {k: v.value for k, v in self.local.items()}
        try:
            return code(self.probe.vals, loc)
        except (IndexError, TypeError) as ex:   # a slot the run never filled
            raise CatError(f"cannot evaluate {A.show_expr(e)} here ({ex})") from None

    def cond(self, c: A.Cond) -> bool:
        names = tuple(sorted(self.local))
        v = self.probe.cond(c, self.top, names)
        if isinstance(v, bool):
            return v
        return bool(v(self.probe.vals, {k: x.value for k, x in self.local.items()}))

    def slot(self, name: str) -> Optional[int]:
        """The top-level slot `name` denotes here (None for a local or an
        unbound name)."""
        if name in self.local:
            return None
        s = self.top.get(name)
        if s is None:
            s = self.probe.prog.compiler.input_slot.get(name)
        return s

    def is_input(self, name: str) -> bool:
        """True if `name` is one of the engine's sets or relations here."""
        if name in self.local or name in self.top:
            return False
        return name in self.probe.prog.compiler.input_slot

    def value(self, name: str) -> Any:
        loc = self.local.get(name)
        if loc is not None:
            return loc.value
        return self.eval(A.Var(name))

    def definition(self, name: str) -> Optional[tuple[A.Expr, "Scope"]]:
        """The expression `name` was bound to here, and the scope of that
        binding; None for inputs, `with`-bound names, tuple patterns,
        procedures and unknown names."""
        loc = self.local.get(name)
        if loc is not None:
            if loc.expr is None or loc.scope is None:
                return None
            return loc.expr, loc.scope
        s = self.top.get(name)
        if s is None:
            return None
        d = self.probe.prog.defs.get(s)
        if d is None:
            return None
        expr, top = d
        return expr, Scope(self.probe, top, None, f"let {name}")

    def function(self, name: str) -> Optional[tuple[A.Fun, "Scope"]]:
        """The `fun` expression a name is bound to at top level (for
        unfolding applications), with its scope."""
        d = self.definition(name)
        if d is None:
            return None
        e, sc = d
        if isinstance(e, A.Fun):
            v = self.value(name)
            if type(v) is Closure:
                # the closure's own top level scope: where the fun was written
                return e, sc
        return None


@dataclass
class CheckFailure:
    """One failing check of a rejected execution (see the module doc)."""
    name: str
    check_name: str
    test: str
    negated: bool
    ckind: str
    expr: A.Expr
    pos: Optional[Pos]
    value: Any
    static: bool
    scope: Scope = field(repr=False)

    @property
    def flag(self) -> bool:
        return self.ckind == "flag"

    @property
    def n(self) -> int:
        return self.scope.n

    def env(self) -> dict[str, Any]:
        """The named sets and relations (values as ints / ESets) that the
        check's expression is built from, through let-definitions."""
        out: dict[str, Any] = {}
        for name, sc in _names_used(self.expr, self.scope, set()):
            if name in out:
                continue
            try:
                v = sc.value(name)
            except CatError:
                continue
            if type(v) is ESet or type(v) is int:
                out[name] = v
            else:
                iv = to_int(v)
                if iv is not None:
                    out[name] = iv
        return out


def _names_used(e: A.Expr, sc: Scope, seen: set) -> Iterator[tuple[str, Scope]]:
    """Free names of `e` (in scope `sc`) and, transitively, of the
    definitions of those names."""
    for name in _free_vars(e, set()):
        key = (name, id(sc.top), sc.slot(name))
        if key in seen:
            continue
        seen.add(key)
        yield name, sc
        d = sc.definition(name)
        if d is not None:
            yield from _names_used(d[0], d[1], seen)


def _free_vars(e: Any, bound: set) -> Iterator[str]:
    if isinstance(e, A.Var):
        if e.name not in bound:
            yield e.name
        return
    if isinstance(e, A.Fun):
        yield from _free_vars(e.body, bound | set(e.pat.bound()))
        return
    if isinstance(e, A.LetIn):
        inner = set(bound)
        for b in e.binds:
            inner |= set(b.pat.bound())
        for b in e.binds:
            yield from _free_vars(b.e, inner if e.rec else bound)
        yield from _free_vars(e.body, inner)
        return
    if isinstance(e, A.MatchSet):
        yield from _free_vars(e.e, bound)
        yield from _free_vars(e.empty, bound)
        yield from _free_vars(e.elt, bound | {x for x in (e.x, e.rest, e.pre) if x})
        return
    if isinstance(e, A.IfE):
        yield from _free_vars(e.then, bound)
        yield from _free_vars(e.els, bound)
        return
    if isinstance(e, A.MatchTag):
        yield from _free_vars(e.e, bound)
        for _, x in e.clauses:
            yield from _free_vars(x, bound)
        if e.default is not None:
            yield from _free_vars(e.default, bound)
        return
    for f in ("e", "f", "arg", "alt"):
        x = getattr(e, f, None)
        if isinstance(x, A.Expr):
            yield from _free_vars(x, bound)
    for f in ("args", "elems"):
        xs = getattr(e, f, None)
        if isinstance(xs, list):
            for x in xs:
                yield from _free_vars(x, bound)


class Evaluation:
    """The slot values of one evaluation (allowed or not), for looking at the
    model's checks on an execution: `evaluate(..., explain=True)` attaches
    one to every allowed Outcome (`out.evaluation`)."""

    def __init__(self, prog, vals: list):
        self.probe = Probe(prog, vals)

    @property
    def n(self) -> int:
        return self.probe.n

    def scope(self) -> Scope:
        """The top-level names at the end of the model."""
        return Scope(self.probe, self.probe.prog.compiler.top, None, "end of model")

    def checks(self) -> list[tuple[Any, Scope]]:
        """The model's top-level checks that can reject (not flags), each
        with the scope it stands in: (SCheck step, Scope)."""
        from . import compile as C
        out = []

        def walk(steps):
            for st in steps:
                if st.kind == C.CHECK and st.ckind in ("check", "assert") and st.spec is not None:
                    out.append((st, Scope(self.probe, st.scope or {}, None, f"check {st.name}")))
                elif st.kind == C.REC and getattr(st, "when", None) is not None:
                    w = st.when
                    out.append((w, Scope(self.probe, w.scope or {}, None, f"check {w.name}")))
                elif st.kind == C.BRANCH:
                    for blk in st.branches:
                        walk(blk)
        walk(self.probe.prog.steps)
        return out


def make_failure(prog, name: str, rec: tuple, static: bool) -> CheckFailure:
    """Build the CheckFailure from what the evaluator recorded:
    (SCheck step, value, slot values, local dict)."""
    st, value, vals, loc = rec
    probe = Probe(prog, vals)
    local = {k: Local(v) for k, v in (loc or {}).items()}
    spec = st.spec
    return CheckFailure(
        name=name, check_name=st.name, test=st.test, negated=st.neg, ckind=st.ckind,
        expr=spec.e if spec is not None else None, pos=st.pos, value=value, static=static,
        scope=Scope(probe, st.scope or {}, local, f"check {st.name}"))


__all__ = ["CheckFailure", "Evaluation", "Scope", "Local", "Probe", "make_failure"]
