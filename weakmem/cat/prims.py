"""Built-in functions of the cat language and the per-execution context
they read (event count, locations, values, annotations)."""
from __future__ import annotations

from typing import Any, Callable

from weakmem.errors import CatError
from weakmem.limits import check

from . import rel as R
from .values import ESet, Ev, Prim, as_rel, as_set, kind


class Ctx:
    """Static facts about one execution (one `static_key`)."""
    __slots__ = ("n", "K", "univ", "full", "ident", "tags", "locs", "values",
                 "tids", "_tagsets", "_same_value", "values_read")

    def __init__(self, n: int, tags, locs, values, tids):
        self.n = n
        self.K = R.consts(n)
        self.univ = (1 << n) - 1
        self.full = self.K.full
        self.ident = self.K.ident
        self.tags = tags
        self.locs = locs
        self.values = values
        self.tids = tids
        self._tagsets: dict[str, ESet] = {}
        self._same_value: int | None = None
        self.values_read = False     # has anything read the event values?

    def tagset(self, tag: str) -> ESet:
        s = self._tagsets.get(tag)
        if s is None:
            m = 0
            for i, ts in enumerate(self.tags):
                if tag in ts:
                    m |= 1 << i
            s = self._tagsets[tag] = ESet(m)
        return s

    def identity_on(self, x: Any) -> int:
        """[x]: the identity relation on a set of events (or one event; the
        identity part of a relation)."""
        t = type(x)
        if t is ESet:
            return (x * self.K.col) & self.ident
        if t is Ev:
            return 1 << (x.i * self.n + x.i)
        if t is int:
            return x & self.ident
        return (as_set(x) * self.K.col) & self.ident

    def rebind_values(self, values) -> None:
        """Other event values, everything else the same (weakmem.cat.eval
        shares the static state of equal event structures)."""
        self.values = values
        self._same_value = None

    def same_value(self) -> int:
        if self._same_value is None:
            self.values_read = True
            n = self.n
            r = 0
            vals = self.values
            for i in range(n):
                vi = vals[i] if i < len(vals) else None
                for j in range(n):
                    vj = vals[j] if j < len(vals) else None
                    if vi == vj:
                        r |= 1 << (i * n + j)
            self._same_value = r
        return self._same_value


def _tuple_args(arg: Any, k: int, name: str) -> tuple:
    if type(arg) is not tuple or len(arg) != k:
        raise CatError(f"{name}: expects {k} arguments")
    return arg


def p_domain(c: Ctx, a: Any) -> Any:
    return ESet(R.domain(c.n, as_rel(a)))


def p_range(c: Ctx, a: Any) -> Any:
    return ESet(R.range_(c.n, as_rel(a)))


def p_classes_loc(c: Ctx, a: Any) -> Any:
    s = as_set(a)
    groups: dict[Any, int] = {}
    for i in R.members(s):
        loc = c.locs[i] if i < len(c.locs) else None
        if loc is None:
            continue
        groups[loc] = groups.get(loc, 0) | (1 << i)
    return frozenset(ESet(m) for m in groups.values())


def p_classes(c: Ctx, a: Any) -> Any:
    r = as_rel(a)
    n = c.n
    m = (1 << n) - 1
    seen = 0
    out = []
    for i in R.members(R.domain(n, r)):
        if (seen >> i) & 1:
            continue
        cls = ((r >> (i * n)) & m) | (1 << i)
        seen |= cls
        out.append(ESet(cls))
    return frozenset(out)


def linearisations(n: int, s: int, r: int) -> list[int]:
    """All strict total orders on the events of s that contain r & (s*s)
    (as transitively closed relations).  Empty if r is cyclic on s."""
    evs = list(R.members(s))
    if not evs:
        return [0]
    preds = {}
    for e in evs:
        # predecessors of e inside s
        col = 0
        for f in evs:
            if (r >> (f * n + e)) & 1:
                col |= 1 << f
        preds[e] = col
    if any((preds[e] >> e) & 1 for e in evs):
        return []
    out: list[int] = []

    def go(rem: int, acc: int) -> None:
        check()
        if not rem:
            out.append(acc)
            return
        x = rem
        while x:
            low = x & -x
            e = low.bit_length() - 1
            x ^= low
            if not (preds[e] & rem):
                rest = rem ^ low
                go(rest, acc | (rest << (e * n)))

    go(s, 0)
    return out


def p_linearisations(c: Ctx, a: Any) -> Any:
    s, r = _tuple_args(a, 2, "linearisations")
    return frozenset(linearisations(c.n, as_set(s), as_rel(r)))


def p_different_values(c: Ctx, a: Any) -> Any:
    r = as_rel(a)
    return r & ~c.same_value() if r else 0


def p_same_value(c: Ctx, a: Any) -> Any:
    r = as_rel(a)
    return r & c.same_value() if r else 0


def p_tag2set(c: Ctx, a: Any) -> Any:
    if type(a) is not str:
        raise CatError(f"tag2events: tag expected, found a {kind(a)}")
    return c.tagset(a)


def p_fail(c: Ctx, a: Any) -> Any:
    raise CatError("fail")


def p_cross(c: Ctx, a: Any) -> Any:
    """Native version of cross.cat's `cross`: given a set of sets of
    relations, the set of all unions picking one relation from each."""
    if type(a) is not frozenset and not (type(a) in (int, ESet) and not a):
        raise CatError(f"cross: set of sets expected, found a {kind(a)}")
    acc: set[int] = {0}
    factors: list[list[int]] = []
    for os in (a or ()):
        if type(os) is not frozenset and not (type(os) in (int, ESet) and not os):
            raise CatError("cross: set of sets expected")
        if not os:
            return frozenset()
        rels = [as_rel(o) for o in os]
        nxt: set[int] = set()
        for x in acc:
            check()
            for o in rels:
                nxt.add(x | o)
        acc = nxt
        factors.append(rels)
    out = frozenset(acc)
    if len(out) > 1:
        _FACTORS[id(out)] = (out, factors)
        while len(_FACTORS) > 32:
            del _FACTORS[next(iter(_FACTORS))]
    return out


# The factors of the latest results of `cross` (result id -> (result,
# factors)): a `with x from cross(...)` can then be enumerated one factor at
# a time (weakmem.cat.partial), every element being the union of one pick
# per factor.
_FACTORS: dict[int, tuple[frozenset, list[list[int]]]] = {}


def cross_factors(s: Any) -> list[list[int]] | None:
    """The factors `s` was built from, if it is a recent result of cross."""
    hit = _FACTORS.get(id(s))
    return hit[1] if hit is not None and hit[0] is s else None


def p_same_oa(c: Ctx, a: Any) -> Any:
    """herd7's same-oa(r): pairs of r whose page-table entries map the same
    output address.  Without virtual memory there are no such events."""
    as_rel(a)
    return 0


def p_pte_set2(name: str) -> Callable[[Ctx, Any], Any]:
    """herd7's oa-changes(S, r) / at-least-one-writable(S, r): page-table
    predicates, empty without virtual memory."""
    def f(c: Ctx, a: Any) -> Any:
        _tuple_args(a, 2, name)
        return ESet(0)
    return f


def p_fromto(c: Ctx, a: Any) -> Any:
    raise CatError("primitive fromto is not supported")


PRIMITIVES: dict[str, Callable[[Ctx, Any], Any]] = {
    "domain": p_domain,
    "range": p_range,
    "classes-loc": p_classes_loc,
    "classes": p_classes,
    "linearisations": p_linearisations,
    "different-values": p_different_values,
    "same-value": p_same_value,
    "tag2set": p_tag2set,
    "tag2events": p_tag2set,
    "fail": p_fail,
    "weakmem.cross": p_cross,
    "same-oa": p_same_oa,
    "oa-changes": p_pte_set2("oa-changes"),
    "at-least-one-writable": p_pte_set2("at-least-one-writable"),
}

PRIM_VALUES: dict[str, Prim] = {k: Prim(k, f) for k, f in PRIMITIVES.items()}

__all__ = ["Ctx", "PRIMITIVES", "PRIM_VALUES", "linearisations"]
