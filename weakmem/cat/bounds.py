"""A cat model evaluated on *bounds*: does a partial choice already fail?

    b = Bounds(prog, vals, with_step)      # everything before the `with` exact
    b.refutes(lo, hi)                      # the `with` value is somewhere in [lo, hi]

The explorer chooses the value of a `with x from cross(...)` (typically the
coherence order, one linearisation per location) factor by factor.  After a
few factors the value is only known to lie between `lo` (the union of the
options chosen so far) and `hi` (that union plus every option of the
factors still to choose).  This module runs the rest of the model -- the
instructions after the `with`, from the model's AST -- on such intervals:
every set or relation value is either exact or a pair `Iv(lo, hi)` with
lo <= value <= hi in every completion, computed by the usual interval rules

    union, intersection, sequence, cartesian product, closures, inverse,
    [S], domain, range      monotone: applied to both ends
    a \\ b                   [a.lo \\ b.hi, a.hi \\ b.lo]
    ~a                      [~a.hi, ~a.lo]
    let rec                 both ends iterated from empty until both are
                            stable (sound whether or not the body is
                            monotone, as long as the real iteration ends)

and a check `acyclic e` / `irreflexive e` / `empty e` that fails on e.lo
(a negated one that fails on e.hi) fails in every completion: the partial
choice is refuted.  This is what weakmem.cat.monotone cannot see: a
relation such as the immediate successor in co, `co \\ (co ; co)`, is not
monotone in co, but on the locations whose order is already chosen its
lower bound is exact (the LKMM's lock reads-from is computed that way).
Whatever cannot be bounded -- a condition on an inexact value, a set of
relations built from one, a primitive other than domain/range, `try`
around an expression that fails -- is *unknown*, and checks on unknown
values are skipped.  Values that do not depend on the `with` come from the
compiled program (its static state) and are exact.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from weakmem.errors import CatError

from . import ast as A
from . import rel as R
from .values import (Closure, ESet, Ev, Prim, add, as_rel, as_set, diff, elements, equal, explicit_set,
                     inter, is_empty, member, split, subset, union)

_MAX_DEPTH = 60
#: primitives that map a bigger argument to a bigger result
_MONOTONE_PRIMS = frozenset({"domain", "range", "same-value", "different-values"})
_MAX_FIX = 500


class Iv:
    """An inexact set or relation: lo <= value <= hi.  The upper bound may
    be given as a function, computed when first asked for (most checks read
    lower bounds only)."""
    __slots__ = ("lo", "_hi", "_f")

    def __init__(self, lo: Any, hi: Any = None, f: Optional[Callable[[], Any]] = None):
        self.lo = lo
        self._hi = hi
        self._f = f

    @property
    def hi(self) -> Any:
        f = self._f
        if f is not None:
            self._hi = f()
            self._f = None
        return self._hi

    def __repr__(self) -> str:      # pragma: no cover - debugging aid
        return f"Iv({self.lo!r}, {self.hi!r})"


class Unknown(Exception):
    """A value that cannot be bounded."""


_TOP = object()           # a name whose value is unknown


def _mk(lo: Any, hi: Any) -> Any:
    if type(lo) is type(hi) and lo == hi:
        return lo
    return Iv(lo, hi)


def _lo(v: Any) -> Any:
    return v.lo if type(v) is Iv else v


def _hi(v: Any) -> Any:
    return v.hi if type(v) is Iv else v


def _lazy(lo: Any, f: Callable[[], Any]) -> Iv:
    return Iv(lo, None, f)


def _norm(v: Any) -> Any:
    """The exact value of v (a bounded value whose bounds meet, tuples of
    such), or raise Unknown."""
    if type(v) is Iv:
        lo, hi = v.lo, v.hi
        if type(lo) is type(hi) and lo == hi:
            return lo
        raise Unknown("inexact")
    if type(v) is tuple:
        return tuple(_norm(x) for x in v)
    return v


def _has_iv(v: Any) -> bool:
    if type(v) is Iv:
        return True
    return type(v) is tuple and any(_has_iv(x) for x in v)


class _BFun:
    """A function defined after the `with` (evaluated on bounds)."""
    __slots__ = ("fun", "loc", "glob")

    def __init__(self, fun: A.Fun, loc: dict, glob: dict):
        self.fun = fun
        self.loc = loc
        self.glob = glob


class _CFun:
    """A compiled closure's source, to apply it to inexact arguments."""
    __slots__ = ("fun", "loc", "scope", "vals")

    def __init__(self, fun: A.Fun, loc: dict, scope: dict, vals: list):
        self.fun = fun
        self.loc = loc
        self.scope = scope
        self.vals = vals


class Bounds:
    """The model's instructions after one `with` step, evaluated on bounds
    of that `with`'s value; `vals` are the compiled program's slot values
    at that step (exact)."""

    def __init__(self, prog, vals: list, with_step, plan: tuple[list, dict]):
        self.prog = prog
        self.vals = vals
        self.ctx = vals[0]
        self.n = self.ctx.n
        self.step = with_step
        self.scope = with_step.scope or {}
        self.comp = prog.compiler
        self.skipped = self.comp.skipped if self.comp is not None else frozenset()
        self.variants = self.comp.variants if self.comp is not None else set()
        self.rest, self.static_of, self.indep = plan
        self.memo: dict[int, Any] = {}
        self.depth = 0

    @classmethod
    def over(cls, prog, vals: list) -> "Bounds":
        """Bounds over the whole of a compiled program's names (no `with`):
        for evaluating single expressions with `value`."""
        class _At:
            pos = None
            var = ""
            scope = dict(prog.compiler.top)
        return cls(prog, vals, _At, ([], {}, set()))

    def value(self, e: A.Expr, names: dict[str, Any]) -> Any:
        """The bounds of expression `e`, top-level `names` bound to exact
        values or `Iv`s (the others as in the program)."""
        glob = _Glob(self, {k: [(0, v)] for k, v in names.items()}, 1)
        return self.ev(e, {}, glob)

    # ------------------------------------------------------------ names
    def _global(self, name: str) -> Any:
        s = self.scope.get(name)
        if s is not None:
            return self.vals[s]
        return self._outer(name, self.vals)

    def _outer(self, name: str, vals: list) -> Any:
        comp = self.comp
        s = comp.input_slot.get(name)
        if s is not None:
            return vals[s]
        tag = comp.tag_caps.get(name)
        if tag is not None:
            return self.ctx.tagset(tag)
        if name in comp.enums:
            return frozenset(comp.enums[name])
        from .prims import PRIM_VALUES
        prim = PRIM_VALUES.get(name)
        if prim is not None:
            return prim
        if name == "id":
            return self.ctx.ident
        raise CatError(f"unbound var: {name}")

    def lookup(self, name: str, loc: dict, glob) -> Any:
        if name in loc:
            v = loc[name]
        else:
            v = glob.get(name, _MISSING)
            if v is _MISSING:
                v = self._global(name)
        if v is _TOP:
            raise Unknown(name)
        return v

    # ------------------------------------------------------ expressions
    def ev(self, e: A.Expr, loc: dict, glob) -> Any:
        k = id(e)
        if k in self.indep:
            v = self.memo.get(k, _TOP)
            if v is _TOP:
                v = self.memo[k] = self._ev(e, loc, glob)
            return v
        return self._ev(e, loc, glob)

    def _ev(self, e: A.Expr, loc: dict, glob) -> Any:
        t = type(e)
        if t is A.Var:
            return self.lookup(e.name, loc, glob)
        if t is A.Binop:
            return self.binop(e, loc, glob)
        if t is A.App:
            f = self.ev(e.f, loc, glob)
            a = self.ev(e.arg, loc, glob)
            return self.apply(f, a)
        if t is A.ToId:
            v = self.ev(e.e, loc, glob)
            if type(v) is Iv:
                return _lazy(self.ctx.identity_on(v.lo), lambda: self.ctx.identity_on(v.hi))
            return self.ctx.identity_on(v)
        if t is A.Unop:
            return self.unop(e.op, self.ev(e.e, loc, glob))
        if t is A.EmptyRel:
            return 0
        if t is A.Universe:
            return ESet(self.ctx.univ)
        if t is A.TagLit:
            return e.name
        if t is A.ExplicitSet:
            xs = [_norm(self.ev(x, loc, glob)) for x in e.elems]
            return explicit_set(self.n, xs)
        if t is A.TupleE:
            return tuple(self.ev(x, loc, glob) for x in e.elems)
        if t is A.Fun:
            # a function defined at top level sees the names as they are now
            return _BFun(e, dict(loc), glob.frozen())
        if t is A.LetIn:
            return self.letin(e, loc, glob)
        if t is A.IfE:
            c = self.cond(e.cond, loc, glob)
            return self.ev(e.then if c else e.els, loc, glob)
        if t is A.MatchTag:
            v = _norm(self.ev(e.e, loc, glob))
            if type(v) is not str:
                raise Unknown("match")
            for tag, x in e.clauses:
                if tag == v:
                    return self.ev(x, loc, glob)
            if e.default is None:
                raise CatError(f"match failure on tag '{v}")
            return self.ev(e.default, loc, glob)
        if t is A.MatchSet:
            v = _norm(self.ev(e.e, loc, glob))
            sp = split(self.n, v)
            if sp is None:
                return self.ev(e.empty, loc, glob)
            l2 = dict(loc)
            if e.x is not None:
                l2[e.x] = sp[0]
            if e.rest is not None:
                l2[e.rest] = sp[1]
            if e.pre is not None:
                l2[e.pre] = inter(v, 0) if type(v) is not frozenset else frozenset()
            return self.ev(e.elt, l2, glob)
        if t is A.Try:
            try:
                return self.ev(e.e, loc, glob)
            except CatError:
                raise Unknown("try") from None
        raise Unknown(t.__name__)

    def unop(self, op: str, v: Any) -> Any:
        if op == "comp":
            if type(v) is Iv:
                return _lazy(self._comp(v.hi), lambda: self._comp(v.lo))
            return self._comp(v)
        if type(v) is Iv:
            return _lazy(self._unop(op, v.lo), lambda: self._unop(op, v.hi))
        return self._unop(op, v)

    def _comp(self, x: Any) -> Any:
        t = type(x)
        if t is int:
            return self.ctx.full ^ x
        if t is ESet:
            return ESet(self.ctx.univ ^ x)
        if t is Ev:
            return ESet(self.ctx.univ ^ (1 << x.i))
        raise CatError("complement of a non-set")

    def _unop(self, op: str, x: Any) -> Any:
        n = self.n
        if op == "star":
            return R.tclosure(n, as_rel(x)) | self.ctx.ident
        if op == "plus":
            return R.tclosure(n, as_rel(x))
        if op == "opt":
            return as_rel(x) | self.ctx.ident
        if op == "inv":
            return R.inverse(n, as_rel(x))
        raise CatError(f"unknown operator {op}")

    def _seq(self, args: list[A.Expr], vs: list) -> int:
        """r1 ; r2 ; ... on exact values; a [S] operand after the first (its
        value is the identity on S) restricts the columns."""
        n = self.n
        cur = None
        for x, v in zip(args, vs):
            r = as_rel(v)
            if cur is None:
                cur = r
            elif type(x) is A.ToId:
                cur &= R.range_(n, r) * self.ctx.K.col
            else:
                cur = R.compose(n, cur, r) if r else 0
            if not cur:
                return 0
        return cur

    def binop(self, e: A.Binop, loc: dict, glob) -> Any:
        op = e.op
        vs = [self.ev(x, loc, glob) for x in e.args]
        exact = not any(type(v) is Iv for v in vs)
        if op == "seq":
            if exact:
                return self._seq(e.args, vs)
            return _lazy(self._seq(e.args, [_lo(v) for v in vs]), lambda: self._seq(e.args, [_hi(v) for v in vs]))
        if op == "union":
            lo = vs[0]
            for v in vs[1:]:
                lo = union(_lo(lo), _lo(v))
            if exact:
                return lo

            def hi():
                h = _hi(vs[0])
                for v in vs[1:]:
                    h = union(h, _hi(v))
                return h
            return _lazy(lo, hi)
        a, b = vs
        if op == "inter":
            if exact:
                return inter(a, b)
            return _lazy(inter(_lo(a), _lo(b)), lambda: inter(_hi(a), _hi(b)))
        if op == "diff":
            if exact:
                return diff(a, b)
            return _lazy(diff(_lo(a), _hi(b)), lambda: diff(_hi(a), _lo(b)))
        if op == "cart":
            n = self.n
            if exact:
                return R.cartesian(n, as_set(a), as_set(b))
            return _lazy(R.cartesian(n, as_set(_lo(a)), as_set(_lo(b))),
                         lambda: R.cartesian(n, as_set(_hi(a)), as_set(_hi(b))))
        if op == "add":
            return add(self.n, _norm(a), _norm(b))
        raise CatError(f"unknown operator {op}")

    def cond(self, c: A.Cond, loc: dict, glob) -> bool:
        if isinstance(c, A.CVariant):
            return c.name.strip().lower() in self.variants
        if isinstance(c, A.CNot):
            return not self.cond(c.c, loc, glob)
        if isinstance(c, A.CAnd):
            return all(self.cond(x, loc, glob) for x in c.cs)
        if isinstance(c, A.COr):
            return any(self.cond(x, loc, glob) for x in c.cs)
        if isinstance(c, A.CCmp):
            a = _norm(self.ev(c.a, loc, glob))
            b = _norm(self.ev(c.b, loc, glob))
            if c.op == "eq":
                return equal(a, b)
            if c.op == "subset":
                return subset(a, b)
            return member(self.n, a, b)
        raise Unknown("condition")

    # -------------------------------------------------------- functions
    def apply(self, f: Any, a: Any) -> Any:
        t = type(f)
        if t is Prim:
            if not _has_iv(a):
                return f.fn(self.ctx, a)
            if f.name in _MONOTONE_PRIMS and type(a) is Iv:
                return _lazy(f.fn(self.ctx, a.lo), lambda: f.fn(self.ctx, a.hi))
            return f.fn(self.ctx, _norm(a))
        if t is Closure:
            if not _has_iv(a):
                from .compile import apply as capply
                return capply(f, a, self.vals)
            src = self.prog.funs.get(id(f.body))
            if src is None:
                raise Unknown("function")
            f = _CFun(src[0], dict(f.loc) if f.loc else {}, src[1], f.vals)
            t = _CFun
        if t is _BFun or t is _CFun:
            if self.depth > _MAX_DEPTH:
                raise Unknown("recursion")
            loc = dict(f.loc)
            pat = f.fun.pat
            if pat.is_tuple:
                if type(a) is not tuple or len(a) != len(pat.names):
                    raise CatError(f"function {f.fun.name}: expects {len(pat.names)} arguments")
                for nm, x in zip(pat.names, a):
                    if nm is not None:
                        loc[nm] = x
            elif pat.names[0] is not None:
                loc[pat.names[0]] = a
            self.depth += 1
            try:
                if t is _BFun:
                    return self.ev(f.fun.body, loc, f.glob)
                return self._ev_compiled_scope(f, loc)
            finally:
                self.depth -= 1
        raise CatError("cannot apply a non-function")

    def _ev_compiled_scope(self, f: _CFun, loc: dict) -> Any:
        """The body of a compiled closure: its top-level names are those of
        its own scope (slot values of its own `vals`)."""
        glob = _ScopeDict(self, f.scope, f.vals)
        return self.ev(f.fun.body, loc, glob)

    def letin(self, e: A.LetIn, loc: dict, glob) -> Any:
        l2 = dict(loc)
        if not e.rec:
            vals = [(b.pat, self.ev(b.e, loc, glob)) for b in e.binds]
            for pat, v in vals:
                self._bind(pat, v, l2)
            return self.ev(e.body, l2, glob)
        self._rec(e.binds, l2, lambda x, env: self.ev(x, env, glob), l2, glob)
        return self.ev(e.body, l2, glob)

    def _bind(self, pat: A.Pattern, v: Any, env: dict) -> None:
        if not pat.is_tuple:
            if pat.names[0] is not None:
                env[pat.names[0]] = v
            return
        if v is _TOP:
            for nm in pat.names:
                if nm is not None:
                    env[nm] = _TOP
            return
        if type(v) is not tuple or len(v) != len(pat.names):
            raise CatError("tuple pattern mismatch")
        for nm, x in zip(pat.names, v):
            if nm is not None:
                env[nm] = x

    def _rec(self, binds: list[A.Binding], env: dict, evaluate, fun_loc: dict, fun_glob) -> None:
        """`let rec` into `env`: functions see themselves, values are
        iterated on both bounds from empty until both are stable."""
        fixs = []
        for b in binds:
            nm = b.pat.names[0] if b.pat.names else None
            if nm is None:
                continue
            if isinstance(b.e, A.Fun):
                env[nm] = _BFun(b.e, fun_loc, fun_glob)
            else:
                env[nm] = 0
                fixs.append((nm, b.e))
        for _ in range(_MAX_FIX):
            changed = False
            for nm, x in fixs:
                v = evaluate(x, env)
                old = env[nm]
                if not (type(v) is type(old) and (v is old or (type(v) is Iv and v.lo == old.lo and v.hi == old.hi)
                                                   or (type(v) is not Iv and equal(v, old)))):
                    changed = True
                env[nm] = v
            if not changed:
                return
        raise Unknown("fixpoint")

    # ----------------------------------------------------- instructions
    def refutes(self, lo: int, hi: int) -> bool:
        """True when no value of the `with` between lo and hi lets the
        rest of the model accept the execution."""
        glob = _Glob(self, {self.step.var: [(0, _mk(lo, hi))]}, 1)
        try:
            return self._block(self.rest, glob)
        except (CatError, Unknown, KeyError, RecursionError, TypeError, ValueError, AttributeError):
            return False

    def _block(self, instrs: list[A.Instr], glob: "_Glob") -> bool:
        """Walk top-level instructions; `let`s are bound lazily (a check
        forces what it reads), checks are evaluated in order."""
        for ins in instrs:
            glob.time += 2
            t = type(ins)
            if t is A.ILet:
                if ins.rec:
                    slots = [self.static_of.get(id(b.e)) for b in ins.binds]
                    if all(sl is not None and self.vals[sl] is not None for sl in slots):
                        for b, sl in zip(ins.binds, slots):
                            glob.bind_pat(b.pat, self.vals[sl])
                        continue
                    group = _RecThunk(self, ins.binds, glob.view(glob.time + 1))
                    for b in ins.binds:
                        for nm in b.pat.bound():
                            glob.bind(nm, _Proj(group, nm))
                    continue
                cells = []
                for b in ins.binds:
                    s = self.static_of.get(id(b.e))
                    v = self.vals[s] if s is not None else None
                    if v is None:
                        v = _Thunk(self, b.e, glob.view(glob.time))
                    cells.append((b.pat, v))
                for pat, v in cells:
                    glob.bind_pat(pat, v)
            elif t is A.ITest:
                if ins.kind != "check" or self._skipped(ins.spec):
                    continue
                try:
                    v = self.ev(ins.spec.e, {}, glob)
                except Unknown:
                    continue
                if self._fails(ins.spec, v):
                    return True
            elif t is A.IWith:
                try:
                    s = self.ev(ins.e, {}, glob)
                except Unknown:
                    s = _TOP
                try:
                    s = _norm(s) if s is not _TOP else _TOP
                except Unknown:
                    s = _TOP
                if s is _TOP:
                    glob.bind(ins.var, _TOP)
                    continue
                els = [as_rel(x) for x in elements(self.n, s)]
                if not els:
                    return True          # no element: no execution at all
                lo, hi = els[0], 0
                for x in els:
                    lo &= x
                    hi |= x
                glob.bind(ins.var, _mk(lo, hi))
            elif t is A.IEnum:
                glob.bind(ins.name, frozenset(ins.tags))
            elif t is A.IProcedure:
                glob.bind(ins.name, _TOP)
            elif t is A.IIf or t is A.IMatch:
                try:
                    blk = self._branch(ins, glob)
                except Unknown:
                    blk = None
                if blk is None:
                    blocks = [ins.then, ins.els] if t is A.IIf else \
                        [b for _, b in ins.clauses] + [ins.default or []]
                    for nm in _assigned(blocks):
                        glob.bind(nm, _TOP)
                    continue
                if self._block(blk, glob):
                    return True
            # calls, forall: their checks are not used; show etc.: nothing
        return False

    def _branch(self, ins, glob) -> Optional[list]:
        if type(ins) is A.IIf:
            return ins.then if self.cond(ins.cond, {}, glob) else ins.els
        v = self.ev(ins.e, {}, glob)
        if type(v) is not str:
            raise Unknown("match")
        for tag, blk in ins.clauses:
            if tag == v:
                return blk
        if ins.default is None:
            raise CatError("match failure")
        return ins.default

    def _skipped(self, spec: A.TestSpec) -> bool:
        if not self.skipped:
            return False
        name = spec.name
        if name is None:
            name = ("~" if spec.neg else "") + spec.test + " " + A.show_expr(spec.e)
            if len(name) > 60:
                name = name[:57] + "..."
        return name in self.skipped or "*" in self.skipped

    def _fails(self, spec: A.TestSpec, v: Any) -> bool:
        """Does the check fail for every value in v's bounds?"""
        x = _hi(v) if spec.neg else _lo(v)
        test = spec.test
        if test == "empty":
            ok = is_empty(x)
        elif test == "acyclic":
            ok = R.is_acyclic(self.n, as_rel(x))
        else:
            ok = not (as_rel(x) & self.ctx.ident)
        if spec.neg:
            ok = not ok
        return not ok


def plan(prog, with_step, instrs: list[A.Instr]) -> tuple[list[A.Instr], dict[int, int], set[int]]:
    """What `Bounds` needs of a program and one of its `with` steps: the
    model's instructions after it, the slots of the top-level definitions
    the compiled program computes once (id(expr) -> slot), and the
    top-level sub-expressions after it that do not depend on its value
    (ids: their values are computed once per choice of the other inputs)."""
    rest: list[A.Instr] = []
    for k, ins in enumerate(instrs):
        if type(ins) is A.IWith and ins.pos == with_step.pos:
            rest = instrs[k + 1:]
            break
    static_of = {id(expr): slot for slot, (expr, _) in prog.defs.items() if prog.slot_static[slot]}
    return rest, static_of, _independent(rest, with_step.var)


def _independent(rest: list[A.Instr], var: str) -> set[int]:
    """Ids of the top-level expression nodes in `rest` that do not depend
    on `var` (binders, conditions and functions are never included)."""
    dyn = {var}
    nodes: set[int] = set()

    def walk(e) -> bool:
        t = type(e)
        if t is A.Var:
            ok = e.name not in dyn
        elif t is A.EmptyRel or t is A.Universe or t is A.TagLit:
            ok = True
        elif t is A.ToId or t is A.Unop:
            ok = walk(e.e)
        elif t is A.Binop or t is A.ExplicitSet or t is A.TupleE:
            oks = [walk(x) for x in (e.args if t is A.Binop else e.elems)]
            ok = all(oks)
        elif t is A.App:
            a, b = walk(e.f), walk(e.arg)
            ok = a and b
        else:
            ok = False
        if ok:
            nodes.add(id(e))
        return ok

    def block(instrs) -> None:
        for ins in instrs:
            t = type(ins)
            if t is A.ILet:
                oks = [walk(b.e) and not ins.rec for b in ins.binds]
                for b, ok in zip(ins.binds, oks):
                    for nm in b.pat.bound():
                        if ok:
                            dyn.discard(nm)
                        else:
                            dyn.add(nm)
            elif t is A.ITest:
                walk(ins.spec.e)
            elif t is A.IWith:
                dyn.add(ins.var)
            elif t is A.IEnum:
                dyn.discard(ins.name)
            elif t is A.IProcedure:
                dyn.add(ins.name)
            elif t is A.IIf or t is A.IMatch:
                blocks = [ins.then, ins.els] if t is A.IIf else [b for _, b in ins.clauses] + [ins.default or []]
                dyn.update(_assigned(blocks))
    block(rest)
    return nodes


def _instrs(blocks):
    """Every instruction of the blocks, branches of `if` / `match` included."""
    stack = list(blocks)
    while stack:
        for ins in stack.pop():
            yield ins
            if type(ins) is A.IIf:
                stack.extend([ins.then, ins.els])
            elif type(ins) is A.IMatch:
                stack.extend([b for _, b in ins.clauses] + [ins.default or []])


def checks_in(instrs: list[A.Instr]) -> list[A.TestSpec]:
    """The specs of the top-level checks (`check` kind) among `instrs`,
    branches included."""
    return [ins.spec for ins in _instrs([instrs]) if type(ins) is A.ITest and ins.kind == "check"]


class _ScopeDict:
    """Top-level names as a compiled closure saw them."""
    __slots__ = ("b", "scope", "vals")

    def __init__(self, b: Bounds, scope: dict, vals: list):
        self.b = b
        self.scope = scope
        self.vals = vals

    def get(self, name, default=None):
        s = self.scope.get(name)
        if s is not None:
            return self.vals[s]
        return self.b._outer(name, self.vals)

    def frozen(self):
        return self


_MISSING = object()


class _Thunk:
    """A top-level `let` evaluated on first use, in the names of its time."""
    __slots__ = ("b", "e", "glob", "v")

    def __init__(self, b: Bounds, e: A.Expr, glob: "_Glob"):
        self.b = b
        self.e = e
        self.glob = glob
        self.v = _MISSING

    def force(self) -> Any:
        v = self.v
        if v is _MISSING:
            try:
                v = self.b.ev(self.e, {}, self.glob)
            except Unknown:
                v = _TOP
            self.v = v
        return v


class _RecThunk:
    """A top-level `let rec` group, evaluated on first use."""
    __slots__ = ("b", "binds", "glob", "env")

    def __init__(self, b: Bounds, binds, glob: "_Glob"):
        self.b = b
        self.binds = binds
        self.glob = glob
        self.env: Optional[dict] = None

    def get(self, nm: str) -> Any:
        if self.env is None:
            env: dict = {}
            self.env = env          # the bodies see the group's names (as iterated so far)
            glob = self.glob
            b = self.b
            try:
                b._rec(self.binds, env, lambda x, en: b.ev(x, en, glob), {}, glob)
            except Unknown:
                env = {x: _TOP for bd in self.binds for x in bd.pat.bound()}
            self.env = env
        return self.env.get(nm, _TOP)


class _Proj:
    __slots__ = ("group", "nm")

    def __init__(self, group: _RecThunk, nm: str):
        self.group = group
        self.nm = nm

    def force(self) -> Any:
        return self.group.get(self.nm)


class _Glob:
    """The top-level names bound after the `with`, each with the time of
    its binding: a view at time t sees, for each name, its latest binding
    before t (lexical scoping without copying)."""
    __slots__ = ("b", "versions", "time")

    def __init__(self, b: Bounds, versions: dict, time: int):
        self.b = b
        self.versions = versions
        self.time = time

    def view(self, time: int) -> "_Glob":
        return _Glob(self.b, self.versions, time)

    def frozen(self) -> "_Glob":
        return _Glob(self.b, self.versions, self.time)

    def bind(self, nm: str, v: Any, time: Optional[int] = None) -> None:
        self.versions.setdefault(nm, []).append((self.time if time is None else time, v))

    def bind_pat(self, pat: A.Pattern, v: Any) -> None:
        if not pat.is_tuple:
            if pat.names[0] is not None:
                self.bind(pat.names[0], v)
            return
        if type(v) in (_Thunk, _Proj):
            v = v.force()
        if v is _TOP or type(v) is not tuple or len(v) != len(pat.names):
            if v is not _TOP:
                raise CatError("tuple pattern mismatch")
            for nm in pat.names:
                if nm is not None:
                    self.bind(nm, _TOP)
            return
        for nm, x in zip(pat.names, v):
            if nm is not None:
                self.bind(nm, x)

    def get(self, name: str, default=None) -> Any:
        vs = self.versions.get(name)
        if vs:
            t = self.time
            for k in range(len(vs) - 1, -1, -1):
                bt, v = vs[k]
                if bt < t:
                    tv = type(v)
                    if tv is _Thunk or tv is _Proj:
                        return v.force()
                    return v
        return default


def _assigned(blocks) -> set[str]:
    """The top-level names the blocks may bind."""
    out: set[str] = set()
    for ins in _instrs(blocks):
        if type(ins) is A.ILet:
            for b in ins.binds:
                out.update(nm for nm in b.pat.bound() if nm is not None)
        elif type(ins) is A.IWith:
            out.add(ins.var)
        elif type(ins) is A.IEnum or type(ins) is A.IProcedure:
            out.add(ins.name)
    return out


__all__ = ["Bounds", "Iv", "Unknown", "plan", "checks_in"]
