"""Conditions, final states and verdicts (herd7's rules).

Positive/Negative count the executions the model allows that do / do not
satisfy the condition's proposition (after `filter`).  The Observation is
Never when Positive is 0, Always when Negative is 0, else Sometimes.  Ok is
printed when the quantified condition holds: `exists` needs Positive > 0,
`~exists` needs Positive = 0, `forall` needs Negative = 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from weakmem.errors import LitmusError, Pos
from weakmem.litmus import ast as A
from weakmem.litmus.ast import Quantifier
from weakmem.cat.eval import Outcome
from weakmem.explore.executions import Execution
# the condition readers (weakmem.litmus.cond), also importable from here
from weakmem.litmus.cond import (CondError, PropVisitor, holds, holds3, is_term, observed_terms,  # noqa: F401
                                 prop_terms, term_key, term_loc, term_value, value_of)
from weakmem.semantics.events import show_val

State = tuple[tuple[str, str], ...]   # ((term, value), ...) in display order

# herd7's name for each kind of test
KINDS = {Quantifier.EXISTS: "Allowed", Quantifier.NOT_EXISTS: "Forbidden", Quantifier.FORALL: "Required"}


def term_str(t: A.Term, arrays: dict[str, int] | None = None) -> str:
    if isinstance(t, A.RegTerm):
        return f"{t.tid}:{t.reg}"
    if arrays and t.index is None and t.name in arrays:
        return t.name             # herd7 prints a whole array without brackets
    if t.index is not None:
        return f"{t.name}[{t.index}]"
    return f"[{t.name}]"


class _HerdPrinter(PropVisitor):
    """herd7's re-printing of a proposition: `/\\` binds tighter than `\\/`,
    which binds tighter than `=>`; parentheses only where needed.  Each
    visit gives (text, binding level)."""
    ATOM = 4

    def __init__(self, hexa: bool, arrays):
        self.hexa, self.arrays = hexa, arrays

    def visit_PTrue(self, p):
        return "true", self.ATOM

    def visit_PFalse(self, p):
        return "false", self.ATOM

    def visit_PAtom(self, p):
        lhs = term_str(p.lhs, self.arrays)
        rhs = term_str(p.rhs, self.arrays) if is_term(p.rhs) else show_val(value_of(p.rhs), self.hexa)
        return (f"{lhs}={rhs}" if p.op == "=" else f"not ({lhs}={rhs})"), self.ATOM

    def visit_PNot(self, p):
        return f"not ({self.visit(p.p)[0]})", self.ATOM

    def _binary(self, p, op: str, level: int):
        parts = []
        for q in (p.a, p.b):
            text, lv = self.visit(q)
            parts.append(f"({text})" if lv < level else text)
        return f"{parts[0]} {op} {parts[1]}", level

    def visit_PImplies(self, p):
        return self._binary(p, "=>", 1)

    def visit_POr(self, p):
        return self._binary(p, "\\/", 2)

    def visit_PAnd(self, p):
        return self._binary(p, "/\\", 3)

    def generic_visit(self, p):
        return "?", self.ATOM


def prop_str(p, hexa: bool = False, arrays=None) -> str:
    """herd7's spelling of a proposition."""
    return _HerdPrinter(hexa, arrays).visit(p)[0]


def condition_str(c: A.Condition, hexa: bool = False, arrays=None) -> str:
    return f"{c.quantifier} ({prop_str(c.prop, hexa, arrays)})"


@dataclass
class Verdict:
    quantifier: Quantifier
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
        if self.quantifier == Quantifier.EXISTS:
            return self.pos > 0
        if self.quantifier == Quantifier.NOT_EXISTS:
            return self.pos == 0
        return self.neg == 0

    @property
    def kind(self) -> str:
        return KINDS[Quantifier(self.quantifier)]


@dataclass
class Judged:
    """An execution and the model's outcome on it."""
    execution: Execution
    outcome: Outcome

    # what a report reads most
    @property
    def skeleton(self):
        return self.execution.skeleton

    @property
    def rf(self) -> int:
        return self.execution.rf

    @property
    def env(self) -> dict:
        return self.outcome.env

    @property
    def failed(self):
        return self.outcome.failed


@dataclass
class TestResult:
    """Everything the reports need about one checked test."""
    name: str
    path: str
    model: str
    quantifier: Quantifier = Quantifier.EXISTS
    condition_text: str = ""
    states: dict[State, int] = field(default_factory=dict)   # state -> number of executions
    pos: int = 0
    neg: int = 0
    flags: set[str] = field(default_factory=set)
    seconds: float = 0.0
    candidates: int = 0
    undetermined: str | None = None       # reason, when no verdict could be reached
    witness: Judged | None = None          # an allowed execution satisfying the proposition
    witness_state: State | None = None     # its final state
    blocked: Judged | None = None          # a rejected execution satisfying it (and the check that failed)
    forbidden_by: dict[str, int] = field(default_factory=dict)   # check -> executions with the outcome it rejects
    counterexample: Judged | None = None   # an allowed execution not satisfying it
    results_comment: list[str] = field(default_factory=list)
    verdict_only: bool = False             # stopped at the first deciding execution: counts are partial
    states_cut: float | None = None        # text format: counting every state ran past these seconds
    share_index: int = 0                   # -j: which share of the executions this result counts

    @property
    def verdict(self) -> Verdict:
        return Verdict(self.quantifier, self.pos, self.neg)

    @classmethod
    def of_test(cls, test: A.Litmus, model: str, hexa: bool = False) -> "TestResult":
        """An empty result for `test` (no executions counted yet)."""
        name = test.name[:-len(".litmus")] if test.name.endswith(".litmus") else test.name   # as herd7 prints it
        if test.condition is None:
            raise LitmusError("the test has no final condition", Pos(test.path))
        return cls(name, test.path, model, quantifier=test.condition.quantifier,
                   condition_text=condition_str(test.condition, hexa), results_comment=list(test.results))


class Collector:
    """The verdict as a consumer of judged executions: `add(ex, out)` for
    each (execution, outcome) pair counts allowed executions per final state
    and Positive/Negative, and keeps the first witness, counterexample and
    blocked execution (with the checks that reject the wanted outcome)."""

    def __init__(self, res: TestResult, test: A.Litmus, arrays: dict[str, int], hexa: bool = False):
        self.res = res
        self.prop = test.condition.prop if test.condition is not None else A.PTrue()
        self.terms = observed_terms(test)
        self.arrays = arrays
        self.hexa = hexa
        self._ex: Execution | None = None
        self._sat = False

    def add(self, ex: Execution, out: Outcome) -> None:
        res = self.res
        if ex is not self._ex:
            self._ex, self._sat = ex, holds(self.prop, ex.regs, ex.mem, self.arrays)
        sat = self._sat
        if not out.allowed:
            if sat:        # why the wanted outcome is impossible
                why = out.failed or "?"
                res.forbidden_by[why] = res.forbidden_by.get(why, 0) + 1
                if res.blocked is None:
                    res.blocked = Judged(ex, out)
            return
        arrays = self.arrays
        state = tuple((term_str(t, arrays), show_val(term_value(t, ex.regs, ex.mem, arrays), self.hexa))
                      for t in self.terms)
        res.states[state] = res.states.get(state, 0) + 1
        if sat:
            res.pos += 1
            if res.witness is None:
                res.witness = Judged(ex, out)
                res.witness_state = state
        else:
            res.neg += 1
            if res.counterexample is None:
                res.counterexample = Judged(ex, out)
        res.flags.update(out.flags)
