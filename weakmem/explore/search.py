"""Reads-from choices, enumerated depth first with pruning of prefixes.

    for choice in rf_search(cands, exclusive, refute):   # one write per read
        ...

`cands` lists, per read, the writes it may read from (weakmem.explore.engine
.read_candidates); reads are decided fewest sources first (the choices come
back in the order of `cands`); `exclusive` the reads of successful RMWs, which never
share a source (atomicity, `empty rmw & (fre; coe)`, would forbid it in any
model that has it, so with optace such maps are skipped).  `refute(pairs)` -- given the (write, read) edges chosen so
far -- may declare that no completion of the prefix is allowed (see
weakmem.cat.partial); its subtree is then skipped.  It is asked only where
it can pay: after a real choice, when at least two completions remain.
Without `refute` and `exclusive` the complete choices come in the order of
itertools.product over `cands`.
"""
from __future__ import annotations

import itertools
from typing import Callable, Iterator, Optional

Refute = Callable[[list[tuple[int, int]]], bool]


def rf_search(cands: list[tuple[int, list[int]]], exclusive: set[int],
              refute: Optional[Refute] = None) -> Iterator[tuple[int, ...]]:
    k = len(cands)
    if refute is None and not exclusive:
        yield from itertools.product(*[ws for _, ws in cands])
        return
    # fewest sources first (fail first); choices are reported in the order of `cands`
    perm = sorted(range(k), key=lambda i: len(cands[i][1]))
    cands = [cands[i] for i in perm]
    # completions left below depth i (product of the later choices)
    below = [1] * (k + 1)
    for i in range(k - 1, -1, -1):
        below[i] = below[i + 1] * max(1, len(cands[i][1]))
    choice = [0] * k
    pairs: list[tuple[int, int]] = []
    taken: dict[int, int] = {}

    def rec(i: int) -> Iterator[tuple[int, ...]]:
        if i == k:
            out = [0] * k
            for j, p in enumerate(perm):
                out[p] = choice[j]
            yield tuple(out)
            return
        r, ws = cands[i]
        ex = r in exclusive
        ask = refute is not None and len(ws) > 1 and below[i + 1] > 1
        for w in ws:
            if ex:
                if taken.get(w):
                    continue
                taken[w] = 1
            choice[i] = w
            pairs.append((w, r))
            if not (ask and refute(pairs)):
                yield from rec(i + 1)
            pairs.pop()
            if ex:
                taken[w] = 0

    yield from rec(0)


__all__ = ["rf_search"]
