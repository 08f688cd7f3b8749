"""Out-of-thin-air candidates: executions whose values justify themselves
through a cycle of reads-from and dependencies.

herd7 solves an execution's value equations by substitution.  A cycle of
plain copies leaves a free symbol: the candidate is kept, once per rf map
and control path, with the values on and after the cycle shown as symbols
`S<n>` (weakmem.semantics.events.Unknown).  A cycle through an operation or
an address cannot be solved and the candidate is dropped.
"""
from __future__ import annotations

from weakmem.cat import rel as R
from weakmem.semantics.events import Unknown


def undetermined(n: int, rf_pairs: list[tuple[int, int]], dep_rows: list[int]) -> int:
    """Events whose values cannot be computed, as a bitset (0 if none).

    Values flow along rf (write -> read) and along dependencies (read ->
    event whose value or address is computed from it).  A cycle in that
    graph is an "out of thin air" justification: herd7 keeps such a
    candidate but leaves the values on and after the cycle symbolic."""
    rows = list(dep_rows)
    for w, r in rf_pairs:
        rows[w] |= 1 << r
    if _acyclic_rows(n, rows):
        return 0
    closure = R.rows(n, R.tclosure(n, R.from_rows(n, rows)))
    cyc = 0
    for v in range(n):
        if (closure[v] >> v) & 1:
            cyc |= 1 << v
    if not cyc:
        return 0
    und = cyc
    for v in R.members(cyc):
        und |= closure[v]
    return und


def _acyclic_rows(n: int, rows: list[int]) -> bool:
    """Iterative DFS cycle check on a graph given as successor bitsets."""
    color = [0] * n          # 0 white, 1 grey, 2 black
    for s in range(n):
        if color[s] or not rows[s]:
            continue
        stack = [(s, rows[s])]
        color[s] = 1
        while stack:
            v, rest = stack[-1]
            if not rest:
                color[v] = 2
                stack.pop()
                continue
            low = rest & -rest
            stack[-1] = (v, rest ^ low)
            u = low.bit_length() - 1
            if color[u] == 1:
                return False
            if color[u] == 0 and rows[u]:
                color[u] = 1
                stack.append((u, rows[u]))
    return True


def thin_air_solvable(sk, rf_pairs, dep_rows) -> bool:
    """herd7 solves value equations by substitution: a cycle of plain copies
    (each value on it is some read's value, unchanged) leaves a free symbol
    and the candidate is kept; a cycle through an operation or an address
    cannot be solved and the candidate is dropped."""
    n = sk.n
    rows = list(dep_rows)
    for w, r in rf_pairs:
        rows[w] |= 1 << r
    closure = R.rows(n, R.tclosure(n, R.from_rows(n, rows)))
    addr = R.rows(n, sk.rels["addr"])
    for u in range(n):
        if not (closure[u] >> u) & 1:
            continue
        for v in R.members(dep_rows[u]):
            if not ((closure[v] >> u) & 1):
                continue          # the edge leaves the cycle
            ev = sk.events[v]
            if (addr[u] >> v) & 1 or not ev.data_pure:
                return False
    return True



def thin_air_key(sk, und: int) -> tuple:
    """The candidate with the values of undetermined events blotted out."""
    return tuple((e.tid, e.poi, e.kinds, e.loc, e.tags, None if (und >> e.eid) & 1 else (e.value, e.rval))
                 for e in sk.events)


def unknown_values(sk, combo, und: int, n: int, rf_pairs, dep_rows):
    """Final register values and written values that depend on a cycle
    become Unknown symbols, one per strongly connected cycle."""
    rows = list(dep_rows)
    for w, r in rf_pairs:
        rows[w] |= 1 << r
    closure = R.rows(n, R.tclosure(n, R.from_rows(n, rows)))
    cyc = [v for v in range(n) if (closure[v] >> v) & 1]
    rep = {v: min(u for u in cyc if (closure[v] >> u) & 1 and (closure[u] >> v) & 1) for v in cyc}

    def sym_for(e: int):
        reps = [rep[c] for c in cyc if c == e or (closure[c] >> e) & 1]
        return Unknown(f"S{min(reps)}") if reps else None

    regs = dict(sk.final_regs)
    base = sk.base
    for tr, b in zip(combo, base):
        for reg, deps in tr.regdeps.items():
            syms = [sym_for(b + i) for i in deps if (und >> (b + i)) & 1]
            syms = [x for x in syms if x is not None]
            if syms:
                regs[(tr.tid, reg)] = min(syms, key=lambda u: u.name)
    mem = {}
    for e in R.members(und):
        x = sym_for(e)
        if x is not None:
            mem[e] = x
    return regs, mem
