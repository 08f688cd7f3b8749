"""Run a test with the cat failure hook on and build its Explanation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from weakmem.litmus import ast as A
from weakmem.litmus.cond import array_sizes, conjuncts, is_term
from weakmem.semantics.events import show_val
from weakmem.verdict import term_str, term_value

from .core import Explanation, build_group, build_witness

SHOW_LIMIT = 1000       # --show writes at most this many executions


@dataclass
class ExplainOptions:
    all_events: bool = False       # also show register-only events
    show: Optional[str] = None     # "all": keep every allowed execution; "forbidden": every rejected one


class _Observer:
    def __init__(self, test, show: Optional[str]):
        self.test = test
        self.show = show
        self.groups: dict[str, list] = {}      # check -> [count, candidate, failure]
        self.order: list[str] = []
        self.witness = None
        self.allowed: list = []
        self.rejected: list = []
        self.candidates: list = []             # (regs, mem, written) for no-candidate reasons
        self.seen_sk: set[int] = set()
        self.written: dict = {}
        self.prop = test.condition.prop if test.condition is not None else A.PTrue()
        self.arrays = array_sizes(test)
        self._ex = None
        self._sat = False

    def __call__(self, ex, out) -> None:
        from weakmem.litmus.cond import holds
        from weakmem.verdict import Judged
        if ex is not self._ex:
            self._ex = ex
            self._sat = holds(self.prop, ex.regs, ex.mem, self.arrays)
            sk = ex.skeleton
            if id(sk) not in self.seen_sk:
                self.seen_sk.add(id(sk))
                for e in sk.events:
                    if "W" in e.kinds and e.loc is not None:
                        self.written.setdefault(e.loc, set()).add(e.value)
            if len(self.candidates) < 20000:
                self.candidates.append((ex.regs, ex.mem))
        sat = self._sat
        cand = Judged(ex, out)
        if out.allowed:
            if sat and self.witness is None:
                self.witness = (cand, out)
            if self.show == "all" and len(self.allowed) < SHOW_LIMIT:
                self.allowed.append((cand, out))
            return
        if self.show == "forbidden" and len(self.rejected) < SHOW_LIMIT:
            self.rejected.append((cand, out.failure))
        if not sat:
            return
        name = out.failed or "?"
        g = self.groups.get(name)
        if g is None:
            self.groups[name] = [1, cand, out.failure]
            self.order.append(name)
        else:
            g[0] += 1


def explain(test: A.Litmus, lm, opts, xopts: Optional[ExplainOptions] = None) -> Explanation:
    """Check `test` under `lm` (weakmem.run.LoadedModel, Options) and explain
    the outcome its condition describes: the groups of rejected executions
    with it (by failing check) and a cycle for each, or a witness."""
    from weakmem.run import check_test, read_test

    xopts = xopts or ExplainOptions()
    test = read_test(test, lm, opts)        # the condition as the executions' registers spell it
    obs = _Observer(test, xopts.show)
    res = check_test(test, lm, opts, observe=obs)
    v = res.verdict
    forbidden = res.pos == 0 and not res.undetermined
    ex = Explanation(test=res.name, model=res.model, condition=res.condition_text,
                     observation=v.observation, forbidden=forbidden, result=res,
                     allowed=obs.allowed, rejected=obs.rejected)
    if res.undetermined:
        return ex
    if forbidden:
        groups = sorted(obs.order, key=lambda k: -obs.groups[k][0])
        for name in groups:
            count, cand, failure = obs.groups[name]
            if failure is None:
                continue
            ex.groups.append(build_group(test, name, count, cand, failure))
        if not ex.groups:
            ex.no_candidate = no_candidate_reason(test, obs)
    elif obs.witness is not None:
        cand, out = obs.witness
        ex.witness = build_witness(test, cand, out, xopts.all_events, lm)
    return ex


def no_candidate_reason(test, obs: _Observer) -> str:
    """Why no candidate execution (before any model check) has the outcome:
    the first atom of the condition no candidate satisfies, else the
    combination."""
    cond = test.condition
    if cond is None:
        return "the test has no condition"
    if not obs.candidates:
        return "the program has no candidate execution at all"
    arrays = array_sizes(test)
    from weakmem.verdict import holds
    for atom in conjuncts(cond.prop):
        if isinstance(atom, A.PAtom) and atom.op == "=" and not is_term(atom.rhs):
            if any(holds(atom, regs, mem, arrays) for regs, mem in obs.candidates):
                continue
            t = atom.lhs
            want = _value_text(atom.rhs)
            seen = sorted({show_val(term_value(t, regs, mem, arrays)) for regs, mem in obs.candidates},
                          key=str)
            name = term_str(t, arrays)
            if isinstance(t, A.LocTerm):
                from weakmem.verdict import term_loc
                loc = term_loc(t)
                name = loc.name + (f"[{loc.offset}]" if loc.offset else "")
                written = obs.written.get(loc, set())
                if not any(show_val(w) == want for w in written):
                    return f"no write of {want} to {name}"
            return f"{name} is never {want} at the end (it can be {', '.join(seen)})"
    return "no candidate execution has all of the condition's values together"


def _value_text(v) -> str:
    from weakmem.verdict import value_of
    return show_val(value_of(v))


__all__ = ["explain", "ExplainOptions", "no_candidate_reason"]
