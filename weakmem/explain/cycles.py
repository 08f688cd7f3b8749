"""Shortest cycles, offending pairs and members of bitset relations."""
from __future__ import annotations

from collections import deque
from typing import Optional

from weakmem.cat import rel as R


def shortest_cycle(n: int, r: int, prefer: Optional[int] = None) -> list[int]:
    """Events v0, v1, ..., vk-1 with (vi, vi+1) and (vk-1, v0) in r, k
    smallest; [] if r is acyclic.  Among cycles of the same length the one
    with the most events of `prefer` (a bitset) wins, then the smallest
    events (deterministic)."""
    rows = R.rows(n, r)
    best: list[int] = []
    best_key = None
    for v in range(n):
        if not rows[v]:
            continue
        path = _bfs(rows, v, v)
        if not path:
            continue
        key = (len(path), -_count(path, prefer), path[0])
        if best_key is None or key < best_key:
            best, best_key = path, key
            if len(path) == 1 and prefer is None:
                break
    return best


def _count(path: list[int], prefer: Optional[int]) -> int:
    if prefer is None:
        return 0
    return sum(1 for v in path if (prefer >> v) & 1)


def shortest_path(n: int, r: int, a: int, b: int) -> Optional[list[int]]:
    """Events a, ..., b of a shortest path of at least one edge in r (breadth
    first), or None."""
    return _path(R.rows(n, r), a, b)


def _bfs(rows: list[int], a: int, b: int) -> list[int]:
    """A shortest cycle through a (a, ..., without the final a), or []."""
    p = _path(rows, a, b)
    return p[:-1] if p else []


def _path(rows: list[int], a: int, b: int) -> Optional[list[int]]:
    prev: dict[int, int] = {}
    q = deque([a])
    while q and b not in prev:
        u = q.popleft()
        x = rows[u]
        while x:
            low = x & -x
            y = low.bit_length() - 1
            if y not in prev:
                prev[y] = u
                q.append(y)
            x ^= low
    if b not in prev:
        return None
    hops = [b]
    while True:
        p = prev[hops[-1]]
        hops.append(p)
        if p == a:
            break
    hops.reverse()
    return hops


def reflexive_point(n: int, r: int, prefer: Optional[int] = None) -> Optional[int]:
    """An event e with (e, e) in r (preferably one of `prefer`)."""
    pts = [v for v in range(n) if (r >> (v * n + v)) & 1]
    if not pts:
        return None
    if prefer is not None:
        good = [v for v in pts if (prefer >> v) & 1]
        if good:
            return good[0]
    return pts[0]


def some_pair(n: int, r: int, prefer: Optional[int] = None) -> Optional[tuple[int, int]]:
    """One pair of r (preferably between events of `prefer`)."""
    first = None
    for a, b in R.pairs(n, r):
        if first is None:
            first = (a, b)
        if prefer is None or ((prefer >> a) & 1 and (prefer >> b) & 1):
            return (a, b)
    return first


__all__ = ["shortest_cycle", "shortest_path", "reflexive_point", "some_pair"]
