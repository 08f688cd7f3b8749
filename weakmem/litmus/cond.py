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


def children(p) -> tuple:
    """The sub-propositions of a proposition node."""
    if isinstance(p, A.PNot):
        return (p.p,)
    if isinstance(p, (A.PAnd, A.POr, A.PImplies)):
        return (p.a, p.b)
    return ()


class PropVisitor:
    """One walk for every use of a proposition (pycparser's NodeVisitor):
    `visit(p)` calls the method named after the node's class (visit_PAtom,
    visit_PAnd, ...); a class without one goes to `generic_visit`, which
    visits the children and returns None."""
    _methods: dict = {}

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls._methods = {}            # node class -> method, filled on first use

    def visit(self, p):
        f = self._methods.get(p.__class__)
        if f is None:
            f = getattr(type(self), "visit_" + type(p).__name__, type(self).generic_visit)
            self._methods[p.__class__] = f
        return f(self, p)

    def generic_visit(self, p):
        for c in children(p):
            self.visit(c)


def is_term(x) -> bool:
    return isinstance(x, (A.RegTerm, A.LocTerm))


def atoms(p):
    """The leaves of a proposition that are not constants (PAtom, PFault),
    left to right; None has none."""
    out: list = []

    class Leaves(PropVisitor):
        def visit_PAtom(self, a):
            out.append(a)

        def visit_PFault(self, a):
            out.append(a)

    if p is not None:
        Leaves().visit(p)
    return out


def conjuncts(p) -> list:
    """The parts of a conjunction `a /\\ b /\\ ...`, left to right (`p` itself
    when it is not one)."""
    if isinstance(p, A.PAnd):
        return conjuncts(p.a) + conjuncts(p.b)
    return [p]


def prop_terms(p) -> list[A.Term]:
    """The terms of a proposition, left to right (None: no terms)."""
    return [t for a in atoms(p) if isinstance(a, A.PAtom) for t in (a.lhs, a.rhs) if is_term(t)]


def map_atoms(p, f):
    """`p` with each atom `a` (PAtom, PFault) replaced by f(a); the nodes
    whose parts did not change are kept (so an unchanged `p` comes back as
    itself).  None maps to None."""
    if p is None:
        return None
    if isinstance(p, (A.PAtom, A.PFault)):
        return f(p)
    if isinstance(p, A.PNot):
        q = map_atoms(p.p, f)
        return p if q is p.p else A.PNot(q)
    if isinstance(p, (A.PAnd, A.POr, A.PImplies)):
        a, b = map_atoms(p.a, f), map_atoms(p.b, f)
        return p if (a is p.a and b is p.b) else type(p)(a, b)
    return p


def map_terms(p, f):
    """`p` with every term `t` (either side of an atom) replaced by f(t)."""
    def atom(a):
        if not isinstance(a, A.PAtom):
            return a
        lhs = f(a.lhs)
        rhs = f(a.rhs) if is_term(a.rhs) else a.rhs
        return a if (lhs is a.lhs and rhs is a.rhs) else A.PAtom(lhs, a.op, rhs, a.pos)
    return map_atoms(p, atom)


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


class _Holds(PropVisitor):
    __slots__ = ("regs", "mem", "arrays")

    def __init__(self, regs, mem, arrays):
        self.regs, self.mem, self.arrays = regs, mem, arrays

    def visit_PTrue(self, p):
        return True

    def visit_PFalse(self, p):
        return False

    def visit_PAtom(self, p):
        lhs = term_value(p.lhs, self.regs, self.mem, self.arrays)
        rhs = term_value(p.rhs, self.regs, self.mem, self.arrays) if is_term(p.rhs) else value_of(p.rhs)
        eq = lhs == rhs
        return eq if p.op == "=" else not eq

    def visit_PNot(self, p):
        return not self.visit(p.p)

    def visit_PAnd(self, p):
        return self.visit(p.a) and self.visit(p.b)

    def visit_POr(self, p):
        return self.visit(p.a) or self.visit(p.b)

    def visit_PImplies(self, p):
        return (not self.visit(p.a)) or self.visit(p.b)

    def generic_visit(self, p):
        raise CondError(f"bad proposition {p!r}")


def holds(p, regs, mem, arrays=None) -> bool:
    """Whether `p` holds for final registers `regs` ((tid, reg) -> value)
    and memory `mem` (SymVal -> value)."""
    return _Holds(regs, mem, arrays).visit(p)


class _Holds3(PropVisitor):
    """Three-valued: True, False, or None (unknown yet)."""
    __slots__ = ("regs", "known")

    def __init__(self, regs, known):
        self.regs, self.known = regs, known

    def visit_PTrue(self, p):
        return True

    def visit_PFalse(self, p):
        return False

    def visit_PAtom(self, p):
        terms = [p.lhs] + ([p.rhs] if is_term(p.rhs) else [])
        if any(isinstance(t, A.LocTerm) or t.tid not in self.known for t in terms):
            return None
        return holds(p, self.regs, {})

    def visit_PNot(self, p):
        v = self.visit(p.p)
        return None if v is None else not v

    def visit_PAnd(self, p):
        a = self.visit(p.a)
        if a is False:
            return False
        b = self.visit(p.b)
        if b is False:
            return False
        return True if (a and b) else None

    def visit_POr(self, p):
        a = self.visit(p.a)
        if a is True:
            return True
        b = self.visit(p.b)
        if b is True:
            return True
        return False if (a is False and b is False) else None

    def visit_PImplies(self, p):
        a = self.visit(p.a)
        if a is False:
            return True
        b = self.visit(p.b)
        if b is True:
            return True
        return False if (a is True and b is False) else None

    def generic_visit(self, p):
        return None


def holds3(p, regs, known: set[int]):
    """Three-valued `holds` on registers only: None when it depends on a
    thread outside `known` (or on memory)."""
    return _Holds3(regs, known).visit(p)
