"""Bitset relations over n events.

A *set* of events is a Python int: bit i set <=> event i in the set.
A *relation* is a Python int of n*n bits, row-major: bit (i*n + j) set <=>
(i, j) in the relation.  Union/intersection/difference are single int
operations; composition and closure work row by row.

All functions take `n` explicitly; nothing here knows about events.
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=256)
def row_mask(n: int) -> int:
    return (1 << n) - 1


@lru_cache(maxsize=256)
def identity(n: int) -> int:
    r = 0
    for i in range(n):
        r |= 1 << (i * n + i)
    return r


@lru_cache(maxsize=256)
def full(n: int) -> int:
    return (1 << (n * n)) - 1


def from_pairs(n: int, pairs) -> int:
    r = 0
    for i, j in pairs:
        r |= 1 << (i * n + j)
    return r


def pairs(n: int, r: int):
    """Yield (i, j) pairs of relation r in row-major order."""
    while r:
        low = r & -r
        b = low.bit_length() - 1
        yield divmod(b, n)
        r ^= low


def members(s: int):
    """Yield the event indices of set s, ascending."""
    while s:
        low = s & -s
        yield low.bit_length() - 1
        s ^= low


def rows(n: int, r: int) -> list[int]:
    m = row_mask(n)
    return [(r >> (i * n)) & m for i in range(n)]


def from_rows(n: int, rs) -> int:
    out = 0
    for i, row in enumerate(rs):
        if row:
            out |= row << (i * n)
    return out


def cartesian(n: int, a: int, b: int) -> int:
    """a * b for sets a, b."""
    out = 0
    for i in members(a):
        out |= b << (i * n)
    return out


def diag(n: int, s: int) -> int:
    """[s]: identity restricted to set s."""
    out = 0
    for i in members(s):
        out |= 1 << (i * n + i)
    return out


def domain(n: int, r: int) -> int:
    m = row_mask(n)
    out = 0
    i = 0
    while r:
        if r & m:
            out |= 1 << i
        r >>= n
        i += 1
    return out


def range_(n: int, r: int) -> int:
    m = row_mask(n)
    out = 0
    while r:
        out |= r & m
        r >>= n
    return out


def inverse(n: int, r: int) -> int:
    out = 0
    for i, j in pairs(n, r):
        out |= 1 << (j * n + i)
    return out


def compose(n: int, a: int, b: int) -> int:
    """a ; b"""
    if not a or not b:
        return 0
    m = row_mask(n)
    brows = [(b >> (i * n)) & m for i in range(n)]
    out = 0
    i = 0
    while a:
        ra = a & m
        if ra:
            acc = 0
            while ra:
                low = ra & -ra
                acc |= brows[low.bit_length() - 1]
                ra ^= low
            if acc:
                out |= acc << (i * n)
        a >>= n
        i += 1
    return out


def tclosure(n: int, r: int) -> int:
    """r+ (Warshall on rows)."""
    if not r:
        return 0
    rs = rows(n, r)
    for k in range(n):
        rk = rs[k]
        if not rk:
            continue
        bit = 1 << k
        for i in range(n):
            if rs[i] & bit:
                rs[i] |= rk
    return from_rows(n, rs)


def rtclosure(n: int, r: int) -> int:
    """r* = id | r+ over all n events."""
    return tclosure(n, r) | identity(n)


def is_acyclic(n: int, r: int) -> bool:
    if not r:
        return True
    return not (tclosure(n, r) & identity(n))


def is_irreflexive(n: int, r: int) -> bool:
    return not (r & identity(n))
