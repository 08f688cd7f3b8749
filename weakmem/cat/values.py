"""Run-time values of the cat interpreter and the generic operators on them.

Representation (chosen so that relation algebra -- the hot path -- works on
bare Python ints):

    relation            int (n*n-bit row-major bitset, see weakmem.cat.rel)
    set of events       ESet, an int subclass (n-bit bitset)
    one event           Ev(i)      (element of an event set)
    one pair            Pair(i, j) (element of a relation)
    tag                 str        ('once' for the literal 'once)
    set of values       frozenset  (tags, relations, event sets, ...)
    tuple               tuple
    function            Closure / Prim
    procedure           Proc

The empty relation `0`, the empty set `{}` and an empty frozenset are all
"empty" and mix freely with any other container type (herd's polymorphic
empty): `0 | S` is `S` for a set S, `x ++ {}` builds a singleton of the
right kind, and so on.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

from weakmem.errors import CatError

from . import rel as R


class ESet(int):
    """A set of events (bitset).  Operations from int return plain ints,
    so results must be re-wrapped."""
    __slots__ = ()

    def __repr__(self) -> str:
        return "ESet{" + ",".join(str(i) for i in R.members(self)) + "}"


class Ev:
    """One event, as produced by decomposing an event set."""
    __slots__ = ("i",)

    def __init__(self, i: int):
        self.i = i

    def __eq__(self, o: object) -> bool:
        return type(o) is Ev and o.i == self.i

    def __hash__(self) -> int:
        return hash(("ev", self.i))

    def __repr__(self) -> str:
        return f"Ev({self.i})"


class Pair:
    """One pair of events, as produced by decomposing a relation."""
    __slots__ = ("i", "j")

    def __init__(self, i: int, j: int):
        self.i = i
        self.j = j

    def __eq__(self, o: object) -> bool:
        return type(o) is Pair and o.i == self.i and o.j == self.j

    def __hash__(self) -> int:
        return hash(("pair", self.i, self.j))

    def __repr__(self) -> str:
        return f"Pair({self.i},{self.j})"


class Closure:
    __slots__ = ("names", "is_tuple", "body", "vals", "loc", "name")

    def __init__(self, names, is_tuple, body, vals, loc, name):
        self.names = names          # list[str | None]
        self.is_tuple = is_tuple
        self.body = body            # compiled code: fn(vals, loc)
        self.vals = vals
        self.loc = loc              # dict | None
        self.name = name

    def __repr__(self) -> str:
        return f"<fun {self.name}>"


class Prim:
    __slots__ = ("name", "fn")

    def __init__(self, name: str, fn: Callable[[Any, Any], Any]):
        self.name = name
        self.fn = fn                # fn(ctx, arg)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


class Proc:
    __slots__ = ("names", "is_tuple", "body", "vals", "loc", "name")

    def __init__(self, names, is_tuple, body, vals, loc, name):
        self.names = names
        self.is_tuple = is_tuple
        self.body = body            # list of compiled local steps
        self.vals = vals
        self.loc = loc
        self.name = name

    def __repr__(self) -> str:
        return f"<procedure {self.name}>"


def kind(v: Any) -> str:
    t = type(v)
    if t is int:
        return "relation"
    if t is ESet:
        return "set of events"
    if t is frozenset:
        return "set"
    if t is str:
        return "tag"
    if t is tuple:
        return "tuple"
    if t is Ev:
        return "event"
    if t is Pair:
        return "pair"
    if t is Closure or t is Prim:
        return "function"
    if t is Proc:
        return "procedure"
    return t.__name__


def type_error(msg: str) -> CatError:
    return CatError(msg)


def is_empty(v: Any) -> bool:
    t = type(v)
    if t is int or t is ESet or t is frozenset:
        return not v
    raise type_error(f"emptiness test on a {kind(v)}")


# --------------------------------------------------------------------------
# set algebra (union, intersection, difference) on any container type
# --------------------------------------------------------------------------


def _empty_like(v: Any) -> bool:
    t = type(v)
    return (t is int or t is ESet or t is frozenset) and not v


def union(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta is int:
            return a | b
        if ta is ESet:
            return ESet(int.__or__(a, b))
        if ta is frozenset:
            return a | b
    if _empty_like(a) and tb in (int, ESet, frozenset):
        return b
    if _empty_like(b) and ta in (int, ESet, frozenset):
        return a
    raise type_error(f"union of a {kind(a)} and a {kind(b)}")


def inter(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta is int:
            return a & b
        if ta is ESet:
            return ESet(int.__and__(a, b))
        if ta is frozenset:
            return a & b
    if _empty_like(a) and tb in (int, ESet, frozenset):
        return a if ta is tb else _empty_of(b)
    if _empty_like(b) and ta in (int, ESet, frozenset):
        return _empty_of(a)
    raise type_error(f"intersection of a {kind(a)} and a {kind(b)}")


def diff(a: Any, b: Any) -> Any:
    ta, tb = type(a), type(b)
    if ta is tb:
        if ta is int:
            return a & ~b
        if ta is ESet:
            return ESet(int.__and__(a, ~b))
        if ta is frozenset:
            return a - b
    if _empty_like(b) and ta in (int, ESet, frozenset):
        return a
    if _empty_like(a) and tb in (int, ESet, frozenset):
        return a
    raise type_error(f"difference of a {kind(a)} and a {kind(b)}")


def _empty_of(v: Any) -> Any:
    t = type(v)
    if t is ESet:
        return ESet(0)
    if t is frozenset:
        return frozenset()
    return 0


def as_set(v: Any) -> int:
    """An event set operand (ESet, or an Ev, or the empty relation)."""
    t = type(v)
    if t is ESet:
        return v
    if t is Ev:
        return 1 << v.i
    if t is int and not v:
        return 0
    if t is frozenset and not v:
        return 0
    raise type_error(f"set of events expected, found a {kind(v)}")


def as_rel(v: Any) -> int:
    t = type(v)
    if t is int:
        return v
    if t is Pair:
        raise type_error("relation expected, found a pair")
    if (t is ESet or t is frozenset) and not v:
        return 0
    raise type_error(f"relation expected, found a {kind(v)}")


# --------------------------------------------------------------------------
# element-level operations
# --------------------------------------------------------------------------


def add(n: int, x: Any, s: Any) -> Any:
    """x ++ s : add element x to the set s."""
    ts, tx = type(s), type(x)
    if ts is frozenset:
        if tx is Ev and not s:
            return ESet(1 << x.i)
        if tx is Pair and not s:
            return 1 << (x.i * n + x.j)
        return s | {x}
    if ts is ESet:
        if tx is Ev:
            return ESet(int.__or__(s, 1 << x.i))
        if not s:
            if tx is Pair:
                return 1 << (x.i * n + x.j)
            return frozenset((x,))
        raise type_error(f"cannot add a {kind(x)} to a set of events")
    if ts is int:
        if tx is Pair:
            return s | (1 << (x.i * n + x.j))
        if not s:
            if tx is Ev:
                return ESet(1 << x.i)
            return frozenset((x,))
        raise type_error(f"cannot add a {kind(x)} to a relation")
    raise type_error(f"cannot add an element to a {kind(s)}")


def elements(n: int, s: Any) -> Iterator[Any]:
    """Iterate the elements of a set-like value."""
    t = type(s)
    if t is frozenset:
        return iter(s)
    if t is ESet:
        return (Ev(i) for i in R.members(s))
    if t is int:
        return (Pair(i, j) for i, j in R.pairs(n, s))
    raise type_error(f"cannot iterate over a {kind(s)}")


def split(n: int, s: Any) -> tuple[Any, Any] | None:
    """Decompose s into (element, rest), or None if s is empty."""
    t = type(s)
    if t is ESet or t is int:
        if not s:
            return None
        low = s & -s
        b = low.bit_length() - 1
        if t is ESet:
            return Ev(b), ESet(int.__xor__(s, low))
        i, j = divmod(b, n)
        return Pair(i, j), s ^ low
    if t is frozenset:
        if not s:
            return None
        x = next(iter(s))
        return x, s - {x}
    raise type_error(f"cannot match a {kind(s)} against set patterns")


def member(n: int, x: Any, s: Any) -> bool:
    t = type(s)
    if t is frozenset:
        return x in s
    tx = type(x)
    if t is ESet:
        if tx is Ev:
            return bool((s >> x.i) & 1)
        if tx is ESet:
            return bool(x) and not (x & ~s)
    if t is int:
        if tx is Pair:
            return bool((s >> (x.i * n + x.j)) & 1)
        if tx is int:
            return bool(x) and not (x & ~s)
    if _empty_like(s):
        return False
    raise type_error(f"membership test of a {kind(x)} in a {kind(s)}")


def subset(a: Any, b: Any) -> bool:
    ta, tb = type(a), type(b)
    if ta in (int, ESet) and tb in (int, ESet):
        return not (a & ~b)
    if ta is frozenset and tb is frozenset:
        return a <= b
    if _empty_like(a):
        return True
    raise type_error(f"subset test of a {kind(a)} and a {kind(b)}")


def equal(a: Any, b: Any) -> bool:
    if _empty_like(a) and _empty_like(b):
        return True
    return bool(a == b)


def explicit_set(n: int, elems: list[Any]) -> Any:
    """{e1, ..., ek}"""
    if not elems:
        return ESet(0)
    if all(type(e) is Ev for e in elems):
        m = 0
        for e in elems:
            m |= 1 << e.i
        return ESet(m)
    if all(type(e) is Pair for e in elems):
        r = 0
        for e in elems:
            r |= 1 << (e.i * n + e.j)
        return r
    return frozenset(elems)


def to_int(v: Any) -> int | None:
    t = type(v)
    if t is int or t is ESet:
        return int(v)
    if t is Ev:
        return 1 << v.i
    return None
