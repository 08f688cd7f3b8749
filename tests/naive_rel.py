"""Relations as Python sets of pairs, computed the obvious way: the oracle the
cat interpreter's bitset relations (weakmem.cat.rel) are checked against."""
from __future__ import annotations


def compose(a, b) -> set:
    """a ; b"""
    return {(i, k) for (i, j) in a for (j2, k) in b if j == j2}


def closure(a) -> set:
    """a+ (transitive closure)"""
    t = set(a)
    while True:
        t2 = t | compose(t, t)
        if t2 == t:
            return t
        t = t2


def set_bits(s) -> int:
    """A set of event indices as a bitset."""
    return sum(1 << i for i in s)
