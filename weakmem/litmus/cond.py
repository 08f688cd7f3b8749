"""Reading a test's condition: the terms it mentions and whether it holds
for given final register and memory values (herd7's rules).

Shared by the explore stage (filter, observed locations) and the verdict
stage (final states, Positive/Negative)."""
from __future__ import annotations

from weakmem.litmus import ast as A
from weakmem.litmus.ast import SymVal


class CondError(Exception):
    pass


def term_key(t: A.Term):
    """herd7's order of terms in a final state: registers by thread, then memory."""
    if isinstance(t, A.RegTerm):
        return (0, t.tid, t.reg, 0)
    return (1, 0, t.name, -1 if t.index is None else t.index)


def term_loc(t: A.LocTerm) -> SymVal:
    return SymVal(t.name, t.index or 0)


def prop_terms(p) -> list[A.Term]:
    """The terms of a proposition, left to right (None: no terms)."""
    out = []

    def walk(p):
        if isinstance(p, A.PAtom):
            out.append(p.lhs)
            if isinstance(p.rhs, (A.RegTerm, A.LocTerm)):
                out.append(p.rhs)
        elif isinstance(p, A.PNot):
            walk(p.p)
        elif isinstance(p, (A.PAnd, A.POr, A.PImplies)):
            walk(p.a)
            walk(p.b)

    if p is not None:
        walk(p)
    return out


def observed_terms(test: A.Litmus) -> list[A.Term]:
    """Terms shown in final states: the `locations` list and the condition's,
    in herd7's order (registers by thread, then memory)."""
    seen: dict = {}
    for t in list(test.locations) + prop_terms(test.condition.prop if test.condition else None):
        seen.setdefault(term_key(t), t)
    return [seen[k] for k in sorted(seen)]


def array_sizes(test: A.Litmus) -> dict[str, int]:
    """Locations declared as arrays of more than one cell, and their sizes."""
    return {it.target.name: it.size for it in test.init
            if isinstance(it.target, A.LocTerm) and it.size and it.size > 1}


def term_value(t: A.Term, regs, mem, arrays: dict[str, int] | None = None):
    if isinstance(t, A.RegTerm):
        return regs.get((t.tid, t.reg), 0)
    if arrays and t.index is None and t.name in arrays:
        # a whole array: the tuple of its cells (herd prints x={1,2})
        return tuple(mem.get(SymVal(t.name, k), 0) for k in range(arrays[t.name]))
    return mem.get(term_loc(t), 0)


def value_of(v):
    if isinstance(v, A.IntVal):
        return v.value
    if isinstance(v, A.ArrayVal):
        return tuple(value_of(x) for x in v.values)
    return v


def holds(p, regs, mem, arrays=None) -> bool:
    if isinstance(p, A.PTrue):
        return True
    if isinstance(p, A.PFalse):
        return False
    if isinstance(p, A.PAtom):
        lhs = term_value(p.lhs, regs, mem, arrays)
        rhs = term_value(p.rhs, regs, mem, arrays) if isinstance(p.rhs, (A.RegTerm, A.LocTerm)) else value_of(p.rhs)
        eq = lhs == rhs
        return eq if p.op == "=" else not eq
    if isinstance(p, A.PNot):
        return not holds(p.p, regs, mem, arrays)
    if isinstance(p, A.PAnd):
        return holds(p.a, regs, mem, arrays) and holds(p.b, regs, mem, arrays)
    if isinstance(p, A.POr):
        return holds(p.a, regs, mem, arrays) or holds(p.b, regs, mem, arrays)
    if isinstance(p, A.PImplies):
        return (not holds(p.a, regs, mem, arrays)) or holds(p.b, regs, mem, arrays)
    raise CondError(f"bad proposition {p!r}")


def holds3(p, regs, known: set[int]):
    """Three-valued `holds` on registers only: None when it depends on a
    thread outside `known` (or on memory)."""
    if isinstance(p, A.PTrue):
        return True
    if isinstance(p, A.PFalse):
        return False
    if isinstance(p, A.PAtom):
        terms = [p.lhs] + ([p.rhs] if isinstance(p.rhs, (A.RegTerm, A.LocTerm)) else [])
        if any(isinstance(t, A.LocTerm) or t.tid not in known for t in terms):
            return None
        return holds(p, regs, {})
    if isinstance(p, A.PNot):
        v = holds3(p.p, regs, known)
        return None if v is None else not v
    a = holds3(p.a, regs, known)
    if isinstance(p, A.PAnd):
        if a is False:
            return False
        b = holds3(p.b, regs, known)
        if b is False:
            return False
        return True if (a and b) else None
    if isinstance(p, A.POr):
        if a is True:
            return True
        b = holds3(p.b, regs, known)
        if b is True:
            return True
        return False if (a is False and b is False) else None
    if isinstance(p, A.PImplies):
        if a is False:
            return True
        b = holds3(p.b, regs, known)
        if b is True:
            return True
        return False if (a is True and b is False) else None
    return None
