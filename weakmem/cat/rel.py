"""Bitset relations over n events.

A *set* of events is a Python int: bit i set <=> event i in the set.
A *relation* is a Python int of n*n bits, row-major: bit (i*n + j) set <=>
(i, j) in the relation.  Union/intersection/difference are single int
operations; the other operations below use a few word-parallel tricks on
Python's big integers so that most of them cost O(n) big-int operations
(or O(1)) rather than O(n^2) bit manipulations:

* `spread(s)` = sum of 2**(i*n) for i in s  (a set laid down "column 0");
  `spread(a) * row` is then the cartesian product a x row, with no carries.
* the "gather" multiplier G = sum_k 2**(k*(n-1)) moves the bits of a column
  (positions i*n) to n consecutive bits: ((col * G) >> (n-1)**2) & mask.
  The partial products never collide, so there are no carries either.

All functions take `n` explicitly; nothing here knows about events.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator


class _K:
    """Per-n constants."""
    __slots__ = ("n", "row", "col", "ident", "full", "gather", "gshift",
                 "top", "low", "folds")

    def __init__(self, n: int):
        self.n = n
        self.row = (1 << n) - 1                       # one row of ones
        col = 0
        for i in range(n):
            col |= 1 << (i * n)
        self.col = col                                # bit 0 of every row
        self.ident = sum(1 << (i * n + i) for i in range(n))
        self.full = (1 << (n * n)) - 1
        g = 0
        for k in range(n):
            g |= 1 << (k * (n - 1))
        self.gather = g
        self.gshift = (n - 1) * (n - 1)
        self.top = col << (n - 1) if n else 0          # top bit of every row
        self.low = self.full ^ self.top
        folds = []
        s = 1
        while s < n:
            folds.append(s * n)
            s *= 2
        self.folds = tuple(folds)


_KS: dict[int, _K] = {}


def consts(n: int) -> _K:
    k = _KS.get(n)
    if k is None:
        k = _KS[n] = _K(n)
    return k


@lru_cache(maxsize=256)
def row_mask(n: int) -> int:
    return (1 << n) - 1


def col_mask(n: int) -> int:
    """sum of 2**(i*n): bit 0 of every row."""
    return consts(n).col


def identity(n: int) -> int:
    return consts(n).ident


def full(n: int) -> int:
    return consts(n).full


def from_pairs(n: int, pairs: Iterable[tuple[int, int]]) -> int:
    r = 0
    for i, j in pairs:
        r |= 1 << (i * n + j)
    return r


def pairs(n: int, r: int) -> Iterator[tuple[int, int]]:
    """Yield (i, j) pairs of relation r in row-major order."""
    while r:
        low = r & -r
        b = low.bit_length() - 1
        yield divmod(b, n)
        r ^= low


def members(s: int) -> Iterator[int]:
    """Yield the event indices of set s, ascending."""
    while s:
        low = s & -s
        yield low.bit_length() - 1
        s ^= low


def rows(n: int, r: int) -> list[int]:
    m = (1 << n) - 1
    return [(r >> (i * n)) & m for i in range(n)]


def from_rows(n: int, rs: Iterable[int]) -> int:
    out = 0
    for i, row in enumerate(rs):
        if row:
            out |= row << (i * n)
    return out


def spread(n: int, s: int) -> int:
    """sum of 2**(i*n) for i in s."""
    if not s:
        return 0
    k = consts(n)
    if s & (s - 1) == 0:
        return 1 << ((s.bit_length() - 1) * n)
    d = (s * k.col) & k.ident               # [s]: bit i*n+i for i in s
    low = k.low
    return (((((d & low) + low) | d) & k.top) >> (n - 1))


def gather(n: int, c: int) -> int:
    """Inverse of spread: bits at positions i*n (only) -> set {i}."""
    if not c:
        return 0
    k = consts(n)
    return ((c * k.gather) >> k.gshift) & k.row


def cartesian(n: int, a: int, b: int) -> int:
    """a * b for sets a, b."""
    if not a or not b:
        return 0
    return spread(n, a) * b


def diag(n: int, s: int) -> int:
    """[s]: identity restricted to set s."""
    if not s:
        return 0
    k = consts(n)
    return (s * k.col) & k.ident


def domain(n: int, r: int) -> int:
    if not r:
        return 0
    k = consts(n)
    low = k.low
    nz = ((((r & low) + low) | r) & k.top) >> (n - 1)   # bit i*n: row i != 0
    return ((nz * k.gather) >> k.gshift) & k.row


def range_(n: int, r: int) -> int:
    if not r:
        return 0
    for f in consts(n).folds:
        r |= r >> f
    return r & ((1 << n) - 1)


def inverse(n: int, r: int) -> int:
    if not r:
        return 0
    if r.bit_count() <= n:
        out = 0
        while r:
            low = r & -r
            i, j = divmod(low.bit_length() - 1, n)
            out |= 1 << (j * n + i)
            r ^= low
        return out
    k = consts(n)
    cm, g, gs, m = k.col, k.gather, k.gshift, k.row
    out = 0
    for j in range(n):
        c = (r >> j) & cm
        if c:
            out |= (((c * g) >> gs) & m) << (j * n)
    return out


def compose(n: int, a: int, b: int) -> int:
    """a ; b"""
    if not a or not b:
        return 0
    m = (1 << n) - 1
    if a.bit_count() <= n:
        # few pairs in a: OR the rows of b selected by each pair
        out = 0
        while a:
            low = a & -a
            i, j = divmod(low.bit_length() - 1, n)
            rb = (b >> (j * n)) & m
            if rb:
                out |= rb << (i * n)
            a ^= low
        return out
    # column k of a (as a spread) times row k of b, for every k
    cm = consts(n).col
    out = 0
    k = 0
    bb = b
    while bb:
        rb = bb & m
        if rb:
            c = (a >> k) & cm
            if c:
                out |= c * rb
        bb >>= n
        k += 1
    return out


def tclosure(n: int, r: int) -> int:
    """r+ (Warshall, one big-int step per pivot)."""
    if not r:
        return 0
    m = (1 << n) - 1
    cm = consts(n).col
    t = r
    for k in range(n):
        rk = (t >> (k * n)) & m
        if rk:
            c = (t >> k) & cm
            if c:
                t |= c * rk
    return t


def rtclosure(n: int, r: int) -> int:
    """r* = id | r+ over all n events."""
    return tclosure(n, r) | consts(n).ident


def is_acyclic(n: int, r: int) -> bool:
    if not r:
        return True
    ident = consts(n).ident
    if r & ident:
        return False
    return not (tclosure(n, r) & ident)


def is_irreflexive(n: int, r: int) -> bool:
    return not (r & consts(n).ident)


def complement(n: int, r: int) -> int:
    return consts(n).full ^ r


def restrict(n: int, r: int, s: int) -> int:
    """r & (s * s)."""
    if not r or not s:
        return 0
    return r & (spread(n, s) * s)
