"""Which checks of a cat model can refute a *partial* execution.

The explorer builds an execution step by step: reads-from edges (`rf`), the
final writes (`FW`) and the values chosen by the model's own dynamic
`with x from S` instructions (typically the coherence order).  A partial
execution gives every dynamic input a *lower bound*: the rf edges chosen so
far, the empty set of final writes, the part of `x` chosen so far (or the
empty relation).  A check can reject the partial execution -- and with it
every completion -- when its verdict can only get worse as the inputs grow:

* `acyclic e`, `irreflexive e`, `empty e` when `e` only grows with the
  inputs (it is *increasing*): a cycle, a loop or a pair found at the lower
  bound is still there in every completion;
* `~acyclic e`, `~irreflexive e`, `~empty e` when `e` only shrinks
  (*decreasing*).

`analyse(model)` decides this from the model's AST, for any model: an
abstract interpretation that gives every value a polarity with respect to
the dynamic inputs (CONST: does not depend on them; INC / DEC: the value at
the lower bound is a subset / superset of the value in every completion;
ANY: unknown).  Union, intersection, sequence, products, closures,
inverse, `[e]`, `domain`, `range` keep the polarity; complement flips it;
`a \\ b` combines `a` with `b` flipped; user functions are analysed at each
application with the polarities of their arguments; `let rec` values by
iterating the polarity to a fixpoint (the cat fixpoint starts from the
empty relation in both executions).  Anything else that depends on a
dynamic input -- a condition (`if`, `match`) on such a value, `try` around
one, a set of relations built from one, an unknown primitive, a recursive
function -- is ANY, and checks on ANY values are never used to prune: the
explorer then falls back to evaluating them on complete executions only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

from . import ast as A

CONST, INC, DEC, ANY, ZERO, EMPTY = 0, 1, 2, 3, 4, 5
# EMPTY: a value that does not depend on the dynamic inputs and is empty in
# the execution at hand (a lock relation in a test without locks, say):
# CONST, and absorbing for intersection, sequence and products.
# ZERO: a relation that is empty at the lower bound (the value chosen by a
# dynamic `with` before anything of it is chosen): below INC, and absorbing
# for intersection, sequence and products, so that e.g. `co \ (co; co)`
# is still known to be empty there.

#: primitives that map a bigger argument to a bigger result
MONOTONE_PRIMS = frozenset({"domain", "range", "same-value", "different-values"})

_MAX_DEPTH = 40


def flip(p: int) -> int:
    if p == ZERO:
        return DEC
    if p == EMPTY:
        return CONST
    return ((p & INC) << 1) | ((p & DEC) >> 1)


def jp(a: int, b: int) -> int:
    """Join of two polarities."""
    if a == b:
        return a
    return _plain(a) | _plain(b)


def _plain(p: int) -> int:
    return INC if p == ZERO else CONST if p == EMPTY else p


def is_const(p) -> bool:
    return p == CONST or p == EMPTY


class _Fun:
    """A closure: a `fun` with the environment it was defined in."""
    __slots__ = ("fun", "env")

    def __init__(self, fun: A.Fun, env: dict):
        self.fun = fun
        self.env = env


class _Prim:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


_TOP = object()          # a non-relation value of unknown shape


def pol(v: Any) -> int:
    """The polarity of an abstract value (functions and tuples: their
    shape is kept separately; as plain values they are CONST only when
    nothing dynamic can reach them, which we do not track: ANY)."""
    if type(v) is int:
        return v
    if type(v) is tuple:
        out = CONST
        for x in v:
            out = jp(out, pol(x))
        return out
    if type(v) is _Prim:
        return CONST
    return ANY


def join(a: Any, b: Any) -> Any:
    if a is b:
        return a
    if type(a) is int and type(b) is int:
        return jp(a, b)
    if type(a) is tuple and type(b) is tuple and len(a) == len(b):
        return tuple(join(x, y) for x, y in zip(a, b))
    return _TOP


@dataclass
class Analysis:
    """Result of `analyse`: the checks that may refute a partial execution
    (TestSpec nodes, compared by identity) and, for reports and tests, the
    polarity of every top-level name after the last binding."""
    prunable: frozenset
    checks: list[tuple[A.TestSpec, str, bool]]     # (spec, kind, prunable) of top-level checks
    names: dict[str, int]

    def is_prunable(self, spec: A.TestSpec) -> bool:
        return spec in self.prunable

    def summary(self) -> str:
        n = sum(1 for _, k, _ in self.checks if k == "check")
        p = sum(1 for _, k, ok in self.checks if k == "check" and ok)
        return f"{p}/{n} checks can refute partial executions"


class _Analyser:
    def __init__(self, dynamic: frozenset[str], variants: Iterable[str], prims: Iterable[str],
                 empty: frozenset[int] = frozenset(), target=None):
        self.dynamic = dynamic
        self.empty = empty
        self.target = target          # position of the `with` being chosen part by part
        self.after_target = False
        self.variants = {v.strip().lower() for v in variants}
        self.prims = frozenset(prims)
        self.stack: list[int] = []

    # ------------------------------------------------------------- names
    def lookup(self, name: str, env: dict) -> Any:
        if name in env:
            return env[name]
        if name in self.dynamic:
            return INC
        if name in self.prims:
            return _Prim(name)
        return CONST            # engine inputs, tag sets, enums, `id`

    # ------------------------------------------------------- expressions
    def expr(self, e: A.Expr, env: dict) -> Any:
        t = type(e)
        if t is A.Var:
            return self.lookup(e.name, env)
        if t in (A.EmptyRel, A.Universe, A.TagLit):
            return CONST
        if t is A.ExplicitSet:
            ok = all(is_const(pol(self.expr(x, env))) for x in e.elems)
            return CONST if ok else ANY
        if t is A.TupleE:
            return tuple(self.expr(x, env) for x in e.elems)
        if t is A.ToId:
            return pol(self.expr(e.e, env))
        if t is A.Unop:
            p = pol(self.expr(e.e, env))
            if e.op == "comp":
                return flip(p)
            if e.op in ("star", "opt"):
                if p == ZERO:
                    return INC      # the identity at the lower bound
                if p == EMPTY:
                    return CONST
            return p
        if t is A.Binop:
            ps = [pol(self.expr(x, env)) for x in e.args]
            if e.op == "diff":
                if ps[0] in (ZERO, EMPTY):
                    return ps[0]
                out = ps[0]
                for p in ps[1:]:
                    if p != EMPTY:
                        out = jp(out, flip(p))
                return out
            if e.op == "add":
                return CONST if all(is_const(p) for p in ps) else ANY
            if e.op == "union":
                ps = [p for p in ps if p != EMPTY] or [EMPTY]
            elif EMPTY in ps:
                return EMPTY        # intersection, sequence, product
            elif ZERO in ps:
                return ZERO
            out = ps[0]
            for p in ps[1:]:
                out = jp(out, p)
            return out
        if t is A.App:
            return self.apply(self.expr(e.f, env), self.expr(e.arg, env))
        if t is A.Fun:
            return _Fun(e, env)
        if t is A.LetIn:
            inner = dict(env)
            self.bind_all(e.binds, e.rec, inner, env)
            return self.expr(e.body, inner)
        if t is A.Try:
            a = self.expr(e.e, env)
            if not is_const(pol(a)):
                return ANY      # whether it fails may depend on the inputs
            return join(a, self.expr(e.alt, env))
        if t is A.IfE:
            c = self.cond(e.cond, env)
            if isinstance(c, bool):
                return self.expr(e.then if c else e.els, env)
            if not is_const(c):
                return ANY
            return join(self.expr(e.then, env), self.expr(e.els, env))
        if t is A.MatchTag:
            if not is_const(pol(self.expr(e.e, env))):
                return ANY
            out: Any = None
            for _, x in e.clauses:
                v = self.expr(x, env)
                out = v if out is None else join(out, v)
            if e.default is not None:
                v = self.expr(e.default, env)
                out = v if out is None else join(out, v)
            return CONST if out is None else out
        if t is A.MatchSet:
            if not is_const(pol(self.expr(e.e, env))):
                return ANY
            inner = dict(env)
            for nm in (e.x, e.rest, e.pre):
                if nm is not None:
                    inner[nm] = CONST
            return join(self.expr(e.empty, env), self.expr(e.elt, inner))
        return ANY

    def cond(self, c: A.Cond, env: dict):
        """A variant condition's truth value, else the polarity of what
        the condition reads (CONST: the same branch in every execution)."""
        if isinstance(c, A.CVariant):
            return c.name.strip().lower() in self.variants
        if isinstance(c, A.CNot):
            v = self.cond(c.c, env)
            return (not v) if isinstance(v, bool) else v
        if isinstance(c, (A.CAnd, A.COr)):
            vs = [self.cond(x, env) for x in c.cs]
            if all(isinstance(v, bool) for v in vs):
                return all(vs) if isinstance(c, A.CAnd) else any(vs)
            p = CONST
            for v in vs:
                if not isinstance(v, bool):
                    p = jp(p, v)
            return p
        if isinstance(c, A.CCmp):
            return jp(pol(self.expr(c.a, env)), pol(self.expr(c.b, env)))
        return ANY

    def apply(self, f: Any, arg: Any) -> Any:
        if type(f) is _Prim:
            p = pol(arg)
            if p == EMPTY and f.name in MONOTONE_PRIMS:
                return EMPTY
            if is_const(p):
                return CONST
            return p if f.name in MONOTONE_PRIMS and type(arg) is int else ANY
        if type(f) is not _Fun:
            return ANY
        key = id(f.fun)
        if self.stack.count(key) or len(self.stack) > _MAX_DEPTH:
            # a recursive function: its result on CONST arguments in a
            # CONST environment is CONST, otherwise we do not know
            return CONST if is_const(pol(arg)) and self.closed_const(f) else ANY
        inner = dict(f.env)
        self.bind_pattern(f.fun.pat, arg, inner)
        self.stack.append(key)
        try:
            return self.expr(f.fun.body, inner)
        finally:
            self.stack.pop()

    def closed_const(self, f: _Fun) -> bool:
        """Every free name of the function is CONST (or a function)."""
        seen: set[str] = set()
        for nm in _free_vars(f.fun):
            if nm in seen:
                continue
            seen.add(nm)
            v = self.lookup(nm, f.env)
            if type(v) is int and not is_const(v):
                return False
            if type(v) is tuple and not is_const(pol(v)):
                return False
            if v is _TOP:
                return False
        return True

    # ---------------------------------------------------------- bindings
    def bind_pattern(self, pat: A.Pattern, v: Any, env: dict) -> None:
        if not pat.is_tuple:
            if pat.names[0] is not None:
                env[pat.names[0]] = v
            return
        if type(v) is tuple and len(v) == len(pat.names):
            for nm, x in zip(pat.names, v):
                if nm is not None:
                    env[nm] = x
            return
        p = pol(v)
        for nm in pat.names:
            if nm is not None:
                env[nm] = p

    def bind_all(self, binds: list[A.Binding], rec: bool, target: dict, outer: dict) -> None:
        if not rec:
            vals = [(b.pat, EMPTY if id(b.e) in self.empty else self.expr(b.e, outer)) for b in binds]
            for pat, v in vals:
                self.bind_pattern(pat, v, target)
            return
        # let rec: functions see themselves; values are a least fixpoint
        names = [nm for b in binds for nm in b.pat.bound()]
        for nm in names:
            target[nm] = CONST
        for b in binds:
            if isinstance(b.e, A.Fun):
                self.bind_pattern(b.pat, _Fun(b.e, target), target)
        for _ in range(4):
            changed = False
            for b in binds:
                if isinstance(b.e, A.Fun):
                    continue
                v = self.expr(b.e, target)
                nm = b.pat.names[0] if b.pat.names else None
                if nm is None:
                    continue
                new = join(target[nm], v)
                if type(new) is not int:
                    new = ANY
                if new != target[nm]:
                    target[nm] = new
                    changed = True
            if not changed:
                break
        else:
            for b in binds:
                if not isinstance(b.e, A.Fun):
                    for nm in b.pat.bound():
                        target[nm] = ANY

    # ------------------------------------------------------- instructions
    def block(self, instrs: list[A.Instr], env: dict, checks: list, prunable: set,
              trusted: bool) -> None:
        """`trusted`: the instructions run in every execution the same way
        (not under a condition that depends on the inputs)."""
        for ins in instrs:
            t = type(ins)
            if t is A.ILet:
                self.bind_all(ins.binds, ins.rec, env, env)
            elif t is A.ITest:
                ok = False
                if trusted and ins.kind == "check":
                    p = pol(self.expr(ins.spec.e, env))
                    ok = p in ((CONST, DEC, EMPTY) if ins.spec.neg else (CONST, INC, ZERO, EMPTY))
                    if ok:
                        prunable.add(ins.spec)
                checks.append((ins.spec, ins.kind, ok))
            elif t is A.IWith:
                # a static set is enumerated exactly; for a dynamic one
                # the lower bound is the empty relation.  The `with` chosen
                # part by part (target) is bounded by the part chosen; the
                # ones after it are not chosen yet.
                if self.target is not None and ins.pos == self.target:
                    env[ins.var] = INC
                    self.after_target = True
                elif self.after_target or not is_const(pol(self.expr(ins.e, env))):
                    env[ins.var] = ZERO
                else:
                    env[ins.var] = CONST
            elif t is A.IEnum:
                env[ins.name] = CONST
            elif t is A.IProcedure:
                env[ins.name] = _TOP
            elif t is A.IIf:
                c = self.cond(ins.cond, env)
                if isinstance(c, bool):
                    self.block(ins.then if c else ins.els, env, checks, prunable, trusted)
                else:
                    self.branches([ins.then, ins.els], env, checks, prunable, trusted and is_const(c))
            elif t is A.IMatch:
                c = pol(self.expr(ins.e, env))
                blocks = [b for _, b in ins.clauses] + [ins.default or []]
                self.branches(blocks, env, checks, prunable, trusted and is_const(c))
            elif t in (A.ICall, A.IForall):
                # checks inside procedures and forall bodies are not used
                pass
            # show, unshow, events, debug, catdep, include: nothing

    def branches(self, blocks, env, checks, prunable, trusted) -> None:
        outs = []
        for blk in blocks:
            e2 = dict(env)
            self.block(blk, e2, checks, prunable, trusted)
            outs.append(e2)
        names = {nm for e2 in outs for nm in e2 if e2[nm] is not env.get(nm)}
        for nm in names:
            v: Any = None
            for e2 in outs:
                x = e2.get(nm, _TOP)
                v = x if v is None else join(v, x)
            if not trusted:
                v = ANY if type(v) is int else _TOP
            env[nm] = v


def _free_vars(e: Any) -> Iterable[str]:
    """Names read anywhere inside an expression (a superset of its free
    variables: bound names are included too, which only makes the test in
    `closed_const` more cautious)."""
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, A.Var):
            yield x.name
            continue
        if isinstance(x, (list, tuple)):
            stack.extend(x)
            continue
        if isinstance(x, (A.Expr, A.Binding, A.Cond)):
            stack.extend(v for v in vars(x).values() if isinstance(v, (A.Expr, A.Binding, A.Cond, list, tuple)))


def analyse(model, dynamic: frozenset[str] = frozenset({"rf"}), empty: frozenset[int] = frozenset(),
            target=None) -> Analysis:
    """Polarity analysis of a loaded `weakmem.cat.model.Model` (its flat
    instruction list) for the given dynamic input names.  `empty` holds the
    ids of the expressions of top-level `let`s known to be empty in the
    executions at hand (weakmem.cat.partial finds them per event structure).
    With `target` (the position of a `with` instruction), the analysis is
    that of choosing that `with`'s value part by part, everything before it
    being exact: dynamic inputs are then best given as none."""
    cache = model.__dict__.setdefault("_monotone", {})
    key = (dynamic, empty, target)
    res = cache.get(key)
    if res is None:
        res = cache[key] = analyse_instrs(model.instrs, dynamic, model.variants, empty, target)
    return res


def analyse_instrs(instrs: list[A.Instr], dynamic: frozenset[str] = frozenset({"rf"}),
                   variants: Iterable[str] = (), empty: frozenset[int] = frozenset(), target=None) -> Analysis:
    from .prims import PRIM_VALUES
    an = _Analyser(frozenset(dynamic), variants, PRIM_VALUES.keys(), empty, target)
    env: dict = {}
    checks: list = []
    prunable: set = set()
    an.block(instrs, env, checks, prunable, True)
    names = {k: pol(v) for k, v in env.items() if type(v) in (int, tuple)}
    return Analysis(frozenset(prunable), checks, names)


__all__ = ["CONST", "INC", "DEC", "ANY", "ZERO", "EMPTY", "is_const", "Analysis", "analyse", "analyse_instrs", "flip"]
