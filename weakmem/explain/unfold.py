"""Name the edges of a check's relation by unfolding the model's definitions.

Given a pair (a, b) in the value of a cat expression, `Unfolder.path`
returns a chain of `Step`s a -> ... -> b whose relations are names (or
small expressions) of the model, each *evaluable in the scope the step
records* and containing its pair.  The expression is taken apart
generically, from the cat AST:

* a name bound by `let`: its definition is unfolded (the name is recorded
  in `via`), unless the name is one a user recognises -- an input of the
  engine (po, rf, addr, data, ctrl, rmw, loc, ...) or one of `KNOWN` (fr,
  fre, rfe, co, coe, po-loc, ...): those are kept as they are;
* `r1 | r2`: the first branch containing the pair;
* `r1 ; r2 ; ...` (with `[S]` filters): middle events found by a forward
  reachability pass and a backward choice (staying put when a part is
  reflexive), then each part unfolded;
* `r+`, `r*`: a shortest path in r (breadth first), each step unfolded;
  `r?` and `[S]`: no step for a pair (e, e);
* `r^-1`: r unfolded on the reversed pair, the steps reversed;
* `r1 & r2`, `r1 \\ r2`: the main operand (not a filter such as `ext`,
  `loc`, `S * T`) is unfolded; a single step named rf/co/fr restricted by
  `ext`/`int` becomes rfe/coe/fre (rfi/coi/fri) when the model defines it;
* `f(arg)` for a function the model defines: its body, with the
  parameters standing for the argument expressions;
* `let ... in`, `if`, `try`: the part that was evaluated;
* anything else (complement, cartesian product, primitives): one step
  named by the expression's text.

A definition met again on the same pair while it is being unfolded (a
`let rec`) becomes a single step.  Nothing here can make up an edge: every
step comes from a value the model computed."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from weakmem.cat import ast as A
from weakmem.cat import rel as R
from weakmem.cat.failure import Local, Scope

from .cycles import shortest_path
from weakmem.cat.values import ESet, Ev, as_rel, as_set
from weakmem.errors import CatError

# Names every cat user knows: kept as leaves even when the model defines
# them (expanding fr into rf^-1;co helps nobody).  Engine inputs (po, rf,
# addr, data, ctrl, rmw, loc, int, ext, id, ...) are leaves anyway.
KNOWN = frozenset({
    "po", "rf", "rfe", "rfi", "co", "coe", "coi", "fr", "fre", "fri", "com",
    "po-loc", "addr", "data", "ctrl", "rmw", "amo", "lxsx", "loc", "int", "ext", "id",
    "iico", "iico_data", "iico_ctrl", "iico_order", "rf-reg",
})

# operands of & and \ that only filter (kept out of the edge's name)
FILTERS = frozenset({"loc", "int", "ext", "id", "same-loc", "same_loc", "sm", "si"})

_MAX_DEPTH = 200


@dataclass(frozen=True)
class Step:
    """One edge of a path: (src, dst) is in `name` evaluated in `scope`."""
    src: int
    dst: int
    name: str
    via: tuple[str, ...] = ()                  # definitions unfolded to reach it
    scope: Optional[Scope] = field(default=None, compare=False, repr=False)

    def holds(self) -> bool:
        """Re-evaluate the step's relation in its scope and test the pair
        (what the tests check on every explained execution)."""
        if self.scope is None:
            return False
        v = self.scope.eval(self.name)
        n = self.scope.n
        return bool((as_rel(v) >> (self.src * n + self.dst)) & 1)


class Unfolder:
    def __init__(self, n: int):
        self.n = n
        self.mask = (1 << n) - 1
        self._vals: dict[tuple, object] = {}
        self._defscopes: dict[tuple, tuple] = {}
        self._stack: set = set()
        self._depth = 0

    # ------------------------------------------------------------- values
    def value(self, e: A.Expr, sc: Scope) -> object:
        key = (id(e), id(sc))
        v = self._vals.get(key)
        if v is None:
            v = sc.eval(e)
            self._vals[key] = (v, e, sc)     # keep e and sc alive: ids stay unique
            return v
        return v[0]

    def rel(self, e: A.Expr, sc: Scope) -> int:
        v = self.value(e, sc)
        if type(v) is int:
            return v
        if type(v) is ESet:                  # a set used as a relation: its identity
            return R.diag(self.n, v)
        return as_rel(v)

    def has(self, e: A.Expr, sc: Scope, a: int, b: int) -> bool:
        try:
            return bool((self.rel(e, sc) >> (a * self.n + b)) & 1)
        except CatError:
            return False

    def definition(self, name: str, sc: Scope):
        key = (id(sc.top), name, id(sc.local.get(name)))
        d = self._defscopes.get(key)
        if d is None:
            d = (sc.definition(name), sc)
            self._defscopes[key] = d
        return d[0]

    # -------------------------------------------------------------- paths
    def path(self, e: A.Expr, sc: Scope, a: int, b: int, via: tuple[str, ...] = ()) -> list[Step]:
        """Steps a -> ... -> b, each in a named relation (see module doc).
        Precondition: (a, b) is in the value of `e` in `sc`."""
        self._depth += 1
        try:
            if self._depth > _MAX_DEPTH:
                return [self.leaf(e, sc, a, b, via)]
            return self._path(e, sc, a, b, via)
        finally:
            self._depth -= 1

    def leaf(self, e: A.Expr, sc: Scope, a: int, b: int, via) -> Step:
        return Step(a, b, _text(e), via, sc)

    def _path(self, e, sc, a, b, via) -> list[Step]:
        if isinstance(e, A.Var):
            return self._var(e, sc, a, b, via)
        if isinstance(e, A.Binop):
            if e.op == "union":
                for x in e.args:
                    if self.has(x, sc, a, b):
                        return self.path(x, sc, a, b, via)
                return [self.leaf(e, sc, a, b, via)]
            if e.op == "seq":
                return self._seq(e.args, sc, a, b, via)
            if e.op in ("inter", "diff"):
                return self._restrict(e, sc, a, b, via)
            return [self.leaf(e, sc, a, b, via)]
        if isinstance(e, A.Unop):
            if e.op in ("star", "plus", "opt"):
                if a == b and e.op != "plus":
                    return []
                if e.op == "opt":
                    return self.path(e.e, sc, a, b, via)
                return self._closure(e.e, sc, a, b, via)
            if e.op == "inv":
                steps = self.path(e.e, sc, b, a, via)
                return [Step(s.dst, s.src, _inv_text(s.name), s.via, s.scope) for s in reversed(steps)]
            return [self.leaf(e, sc, a, b, via)]
        if isinstance(e, A.ToId):
            return []
        if isinstance(e, A.App):
            return self._app(e, sc, a, b, via)
        if isinstance(e, A.LetIn) and not e.rec:
            local = {}
            for bd in e.binds:
                if bd.pat.is_tuple:
                    return [self.leaf(e, sc, a, b, via)]
                nm = bd.pat.names[0]
                if nm is not None:
                    local[nm] = Local(self.value(bd.e, sc), bd.e, sc)
            inner = sc.child(local, sc.where)
            return self.path(e.body, inner, a, b, via)
        if isinstance(e, A.IfE):
            try:
                branch = e.then if sc.cond(e.cond) else e.els
            except CatError:
                return [self.leaf(e, sc, a, b, via)]
            return self.path(branch, sc, a, b, via)
        if isinstance(e, A.Try):
            try:
                self.value(e.e, sc)
                return self.path(e.e, sc, a, b, via)
            except CatError:
                return self.path(e.alt, sc, a, b, via)
        return [self.leaf(e, sc, a, b, via)]

    def _var(self, e: A.Var, sc: Scope, a, b, via) -> list[Step]:
        name = e.name
        if name in KNOWN or sc.is_input(name):
            return [Step(a, b, name, via, sc)]
        d = self.definition(name, sc)
        if d is None:
            return [Step(a, b, name, via, sc)]
        dexpr, dsc = d
        key = (id(dexpr), name, a, b)
        if key in self._stack:
            return [Step(a, b, name, via, sc)]
        if not self.has(dexpr, dsc, a, b):       # cannot happen; never make up an edge
            return [Step(a, b, name, via, sc)]
        self._stack.add(key)
        try:
            rec = self._recursive(name, dexpr, dsc, a, b, via + (name,))
            if rec is not None:
                return rec
            return self.path(dexpr, dsc, a, b, via + (name,))
        finally:
            self._stack.discard(key)

    def _recursive(self, name, dexpr, dsc, a, b, via) -> Optional[list[Step]]:
        """`let rec X = base1 | ... | (something with X)`: X's pairs are
        reached through the base branches, so a shortest path in their union
        is unfolded hop by hop (None when the definition is not such a union
        or no base path exists)."""
        if not (isinstance(dexpr, A.Binop) and dexpr.op == "union"):
            return None
        refs = [name in set(_free(x)) for x in dexpr.args]
        if not any(refs) or all(refs):
            return None
        base = [x for x, r in zip(dexpr.args, refs) if not r]
        try:
            brel = 0
            for x in base:
                brel |= self.rel(x, dsc)
        except CatError:
            return None
        hops = shortest_path(self.n, brel, a, b)
        if hops is None:
            return None
        out: list[Step] = []
        for s, d in zip(hops, hops[1:]):
            for x in base:
                if self.has(x, dsc, s, d):
                    out.extend(self.path(x, dsc, s, d, via))
                    break
        return out

    def _restrict(self, e: A.Binop, sc, a, b, via) -> list[Step]:
        args = e.args
        main = args[0]
        others = args[1:]
        if e.op == "inter":
            for i, x in enumerate(args):
                if not _is_filter(x):
                    main = x
                    others = args[:i] + args[i + 1:]
                    break
        steps = self.path(main, sc, a, b, via)
        if len(steps) == 1 and e.op == "inter" and len(others) == 1 and isinstance(others[0], A.Var):
            s = steps[0]
            suffix = {"ext": "e", "int": "i"}.get(others[0].name)
            if suffix and s.name in ("rf", "co", "fr") and s.scope is not None:
                alt = s.name + suffix
                try:
                    if self.has(A.Var(alt), s.scope, a, b):
                        return [Step(a, b, alt, s.via, s.scope)]
                except CatError:
                    pass
        return steps

    def _seq(self, items: list[A.Expr], sc, a, b, via) -> list[Step]:
        n = self.n
        rels = []
        for x in items:
            if isinstance(x, A.ToId):
                try:
                    s = as_set(self.value(x.e, sc))
                except CatError:
                    return [self.leaf(A.Binop("seq", items), sc, a, b, via)]
                rels.append(R.diag(n, s))
            else:
                rels.append(self.rel(x, sc))
        rows = [R.rows(n, r) for r in rels]
        reach = [1 << a]
        for rw in rows:
            cur = reach[-1]
            nxt = 0
            x = cur
            while x:
                low = x & -x
                nxt |= rw[low.bit_length() - 1]
                x ^= low
            reach.append(nxt)
        if not (reach[-1] >> b) & 1:
            return [self.leaf(A.Binop("seq", items), sc, a, b, via)]
        # backward: choose the events between the parts
        pts = [b]
        for i in range(len(items) - 1, -1, -1):
            nxt = pts[-1]
            cands = reach[i]
            stay = (cands >> nxt) & 1 and (rows[i][nxt] >> nxt) & 1
            if stay and (isinstance(items[i], A.ToId) or _reflexive_form(items[i])):
                pts.append(nxt)                  # no step for a reflexive part
                continue
            c = cands & ~(1 << nxt)              # prefer a real step over a self-loop
            chosen = None
            while c:
                low = c & -c
                x = low.bit_length() - 1
                if (rows[i][x] >> nxt) & 1:
                    chosen = x
                    break
                c ^= low
            if chosen is None:
                assert stay
                chosen = nxt
            pts.append(chosen)
        pts.reverse()                            # pts[0] == a, pts[-1] == b
        parts: list[list[Step]] = []
        for i, x in enumerate(items):
            s, d = pts[i], pts[i + 1]
            if isinstance(x, A.ToId):
                continue
            if s == d and _reflexive_form(x):
                continue
            parts.append(self.path(x, sc, s, d, via))
        # self-loops (e.g. through `sm` or `loc`) say nothing next to real steps
        moving = [p for p in parts if any(st.src != st.dst for st in p)]
        out: list[Step] = []
        for p in (moving or parts[:1]):
            out.extend(p)
        return out

    def _closure(self, inner: A.Expr, sc, a, b, via) -> list[Step]:
        """Shortest path a -> b (at least one step) in the relation."""
        n = self.n
        hops = shortest_path(n, self.rel(inner, sc), a, b)
        if hops is None or len(hops) > n + 1:
            return [self.leaf(A.Unop("plus", inner), sc, a, b, via)]
        out: list[Step] = []
        for s, d in zip(hops, hops[1:]):
            out.extend(self.path(inner, sc, s, d, via))
        return out

    def _app(self, e: A.App, sc, a, b, via) -> list[Step]:
        if not isinstance(e.f, A.Var):
            return [self.leaf(e, sc, a, b, via)]
        fd = sc.function(e.f.name) if e.f.name not in sc.local else None
        if fd is None:
            return [self.leaf(e, sc, a, b, via)]
        fun, fsc = fd
        names = fun.pat.names
        local: dict[str, Local] = {}
        try:
            if fun.pat.is_tuple:
                if not isinstance(e.arg, A.TupleE) or len(e.arg.elems) != len(names):
                    return [self.leaf(e, sc, a, b, via)]
                for nm, x in zip(names, e.arg.elems):
                    if nm is not None:
                        local[nm] = Local(self.value(x, sc), x, sc)
            else:
                if names[0] is not None:
                    local[names[0]] = Local(self.value(e.arg, sc), e.arg, sc)
        except CatError:
            return [self.leaf(e, sc, a, b, via)]
        body_sc = Scope(fsc.probe, fsc.top, local, f"{e.f.name}()")
        if not self.has(fun.body, body_sc, a, b):
            return [self.leaf(e, sc, a, b, via)]
        return self.path(fun.body, body_sc, a, b, via + (_text(e),))


def _free(e) -> list[str]:
    from weakmem.cat.failure import _free_vars
    return list(_free_vars(e, set()))


def _reflexive_form(x: A.Expr) -> bool:
    return isinstance(x, A.Unop) and x.op in ("star", "opt")


def _is_filter(x: A.Expr) -> bool:
    if isinstance(x, A.Var):
        return x.name in FILTERS
    if isinstance(x, A.Binop) and x.op == "cart":
        return True
    if isinstance(x, A.ToId):
        return True
    if isinstance(x, A.Unop) and x.op == "comp":
        return True
    return False


def _text(e: A.Expr) -> str:
    s = A.show_expr(e)
    if s.startswith("(") and s.endswith(")") and _balanced(s[1:-1]):
        s = s[1:-1]
    return s


def _balanced(s: str) -> bool:
    d = 0
    for ch in s:
        if ch == "(":
            d += 1
        elif ch == ")":
            d -= 1
            if d < 0:
                return False
    return d == 0


def _inv_text(name: str) -> str:
    if name.endswith("^-1"):
        inner = name[:-3]
        if inner.startswith("(") and inner.endswith(")") and _balanced(inner[1:-1]):
            inner = inner[1:-1]
        return inner
    if all(c.isalnum() or c in "-_." for c in name):
        return name + "^-1"
    return f"({name})^-1"


__all__ = ["Step", "Unfolder", "KNOWN"]
