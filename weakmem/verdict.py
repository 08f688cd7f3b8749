"""Conditions, final states and verdicts (herd7's rules).

Positive/Negative count the executions the model allows that do / do not
satisfy the condition's proposition (after `filter`).  The Observation is
Never when Positive is 0, Always when Negative is 0, else Sometimes.  Ok is
printed when the quantified condition holds: `exists` needs Positive > 0,
`~exists` needs Positive = 0, `forall` needs Negative = 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from weakmem.litmus import ast as A
from weakmem.litmus.ast import SymVal
from weakmem.semantics.events import Val, show_val

State = tuple[tuple[str, str], ...]   # ((term, value), ...) in display order


class CondError(Exception):
    pass


def term_key(t: A.Term):
    if isinstance(t, A.RegTerm):
        return (0, t.tid, t.reg, 0)
    return (1, 0, t.name, -1 if t.index is None else t.index)


def term_str(t: A.Term, arrays: dict[str, int] | None = None) -> str:
    if isinstance(t, A.RegTerm):
        return f"{t.tid}:{t.reg}"
    if arrays and t.index is None and t.name in arrays:
        return t.name             # herd7 prints a whole array without brackets
    if t.index is not None:
        return f"{t.name}[{t.index}]"
    return f"[{t.name}]"


def term_loc(t: A.LocTerm) -> SymVal:
    return SymVal(t.name, t.index or 0)


def observed_terms(test: A.Litmus) -> list[A.Term]:
    """Terms shown in final states: the `locations` list and the condition's,
    in herd7's order (registers by thread, then memory)."""
    seen: dict = {}
    for t in list(test.locations) + prop_terms(test.condition.prop if test.condition else None):
        seen.setdefault(term_key(t), t)
    return [seen[k] for k in sorted(seen)]


def prop_terms(p) -> list[A.Term]:
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


def term_value(t: A.Term, regs: dict[tuple[int, str], Val], mem: dict[SymVal, Val],
               arrays: dict[str, int] | None = None) -> Val:
    if isinstance(t, A.RegTerm):
        return regs.get((t.tid, t.reg), 0)
    if arrays and t.index is None and t.name in arrays:
        # a whole array: the tuple of its cells (herd prints x={1,2})
        return tuple(mem.get(SymVal(t.name, k), 0) for k in range(arrays[t.name]))
    return mem.get(term_loc(t), 0)


def value_of(v) -> Val:
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


def prop_str(p, hexa: bool = False, prec: int = 0, arrays=None) -> str:
    """herd7's re-printing of a proposition: `/\\` binds tighter than `\\/`,
    which binds tighter than `=>`; parentheses only where needed."""
    if isinstance(p, A.PTrue):
        return "true"
    if isinstance(p, A.PFalse):
        return "false"
    if isinstance(p, A.PAtom):
        lhs = term_str(p.lhs, arrays)
        if isinstance(p.rhs, (A.RegTerm, A.LocTerm)):
            rhs = term_str(p.rhs, arrays)
        else:
            rhs = show_val(value_of(p.rhs), hexa)
        return f"{lhs}={rhs}" if p.op == "=" else f"not ({lhs}={rhs})"
    if isinstance(p, A.PNot):
        return f"not ({prop_str(p.p, hexa, 0, arrays)})"
    for cls, op, mine in ((A.PImplies, "=>", 1), (A.POr, "\\/", 2), (A.PAnd, "/\\", 3)):
        if isinstance(p, cls):
            s = f"{prop_str(p.a, hexa, mine, arrays)} {op} {prop_str(p.b, hexa, mine, arrays)}"
            return f"({s})" if mine < prec else s
    return "?"


def condition_str(c: A.Condition, hexa: bool = False, arrays=None) -> str:
    return f"{c.quantifier} ({prop_str(c.prop, hexa, 0, arrays)})"


@dataclass
class Verdict:
    quantifier: str
    pos: int
    neg: int

    @property
    def observation(self) -> str:
        if self.pos == 0:
            return "Never"
        if self.neg == 0:
            return "Always"
        return "Sometimes"

    @property
    def ok(self) -> bool:
        if self.quantifier == "exists":
            return self.pos > 0
        if self.quantifier == "~exists":
            return self.pos == 0
        return self.neg == 0

    @property
    def kind(self) -> str:
        return {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}[self.quantifier]


@dataclass
class TestResult:
    """Everything the reports need about one checked test."""
    name: str
    path: str
    model: str
    quantifier: str = "exists"
    condition_text: str = ""
    states: dict[State, int] = field(default_factory=dict)   # state -> number of executions
    pos: int = 0
    neg: int = 0
    flags: set[str] = field(default_factory=set)
    seconds: float = 0.0
    candidates: int = 0
    undetermined: str | None = None       # reason, when no verdict could be reached
    witness: object | None = None          # an allowed execution satisfying the proposition
    blocked: object | None = None          # a rejected execution satisfying it (and the check that failed)
    forbidden_by: dict[str, int] = field(default_factory=dict)   # check -> executions with the outcome it rejects
    counterexample: object | None = None   # an allowed execution not satisfying it
    results_comment: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> Verdict:
        return Verdict(self.quantifier, self.pos, self.neg)
