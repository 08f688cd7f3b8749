"""Refuting partial executions: a model's checks evaluated on lower bounds.

    ref = Refuter(model)                      # analyses the model once
    if ref.enabled and ref.refutes(inp, cache):
        ...                                   # no completion of `inp` is allowed

`inp` is an ExecInput whose dynamic relation `rf` holds only the reads-from
edges chosen so far (the other inputs, final writes included, are exact).
The model's dynamic program runs with every dynamic `with x from S` bound
to the empty relation (a lower bound of whatever element a complete
execution picks), static `with` branches all explored, and only the checks
weakmem.cat.monotone proves able to refute a lower bound are evaluated: if
one fails in every branch, every completion fails it too.  Only the steps
those checks need are run.  Anything unexpected (a model error on the
partial input, say) means "not refuted": the full evaluation decides.
"""
from __future__ import annotations

import functools
import operator
from typing import Optional

from weakmem.errors import CatError

from . import compile as C
from .eval import EvalCache, ExecInput, _child, _exec_check, _exec_top, _input_value
from .values import ESet
from .bounds import Bounds, checks_in, plan
from .monotone import analyse


# dynamic inputs a partial execution gives exactly (the final writes are
# enumerated outside the reads-from search, weakmem.explore.executions)
EXACT = frozenset({"FW"})


class Refuter:
    """The analysis is redone for each set of model values found empty in an
    event structure (e.g. the lock relations of a test without locks): an
    empty relation in a sequence makes the whole sequence empty, which can
    turn a check that is not monotone in general into one that is."""

    def __init__(self, model, dynamic: frozenset[str] = frozenset({"rf"})):
        self.model = model
        self.dynamic = dynamic
        self.analysis = analyse(model, dynamic)
        self.enabled = any(k == "check" and ok for _, k, ok in self.analysis.checks)
        self.specs = self.analysis.prunable
        self._plans: dict[tuple, tuple[list[C.Step], list[C.Step]]] = {}
        self._roots: dict[int, tuple[object, frozenset]] = {}
        self._bplans: dict = {}
        # per `with`: how many options each factor (by the events it orders)
        # has refuted, to try the most refuting factors first
        self._fscore: dict = {}
        self.refuted = 0

    def _specs_for(self, prog: C.Program, root, target=None) -> frozenset:
        hit = self._roots.get((id(root), target))
        if hit is not None and hit[0] is root:
            return hit[1]
        empty = _empty_defs(prog, root)
        if target is None:
            specs = analyse(self.model, self.dynamic, empty).prunable
        else:
            specs = analyse(self.model, frozenset(), empty, target).prunable
        if len(self._roots) > 512:
            self._roots.clear()
        self._roots[(id(root), target)] = (root, specs)
        return specs

    # ------------------------------------------------- `with` part by part
    def with_elements(self, prog: C.Program, root, state, program: list[C.Step], i: int,
                      vals: list, factors: list[list[int]]):
        """The elements of `with x from cross(factors)` (step i of
        `program`), union of one pick per factor, chosen factor by factor:
        a partial union under which the rest of the program is refuted is
        not extended.  Every element comes once; refuted ones never.

        When every check after the `with` is monotone in its value (the
        polarity analysis), a partial union is refuted by the compiled
        checks run on it; otherwise the rest of the model is evaluated on
        bounds (weakmem.cat.bounds): the union chosen so far below, that
        union and every option of the factors still to choose above."""
        st = program[i]
        specs = self._specs_for(prog, root, st.pos)
        bplan = self._bounds_plan(prog, st, specs)
        bnd = Bounds(prog, vals, st, bplan) if bplan is not None else None
        # choices: the factor with the fewest options left unrefuted first
        # (chosen anew at every step); one-option factors are taken at once
        acc0 = 0
        facs = []
        for f in factors:
            if len(f) == 1:
                acc0 |= f[0]
            elif f:
                facs.append(f)
            else:
                return iter(())
        facs.sort(key=len)
        unions = [functools.reduce(operator.or_, f, 0) for f in facs]
        seen: set[int] = set()
        assert isinstance(st, C.SWith)
        slot = st.slot
        v2 = list(vals)
        can = bnd is not None or bool(specs)
        score = self._fscore.setdefault((id(prog), st.pos), {})
        if len(score) > 4096:
            score.clear()

        def refuted(u: int, hi: int) -> bool:
            if bnd is not None:
                if bnd.refutes(u, hi):
                    self.refuted += 1
                    return True
                return False
            v2[slot] = u
            self.specs = specs
            return self._refutes_from(prog, state, program, i + 1, list(v2))

        def rec(rem: list[int], acc: int):
            if not rem:
                if acc not in seen:
                    seen.add(acc)
                    yield acc
                return
            if len(rem) == 1 or not can:
                k = rem[0]
                for o in facs[k]:
                    yield from rec(rem[1:], acc | o)
                return
            best = None
            # factors that refuted most so far (same events ordered) are tried first
            for k in sorted(rem, key=lambda k: -score.get(unions[k], 0)):
                others = 0
                for j in rem:
                    if j != k:
                        others |= unions[j]
                surv = [acc | o for o in facs[k] if not refuted(acc | o, acc | o | others)]
                score[unions[k]] = score.get(unions[k], 0) + len(facs[k]) - len(surv)
                if best is None or len(surv) < len(best[1]):
                    best = (k, surv)
                if len(surv) <= 1:
                    break
            k, surv = best
            rest = [j for j in rem if j != k]
            for u in surv:
                yield from rec(rest, u)
        return rec(list(range(len(facs))), acc0)

    def _bounds_plan(self, prog: C.Program, st, specs: frozenset):
        """The plan of weakmem.cat.bounds for the `with` step `st`, when some
        check after it is not monotone in its value (else None)."""
        key = (id(prog), st.pos, specs)
        hit = self._bplans.get(key)
        if hit is not None and hit[0] is prog:
            return hit[1]
        bp = None
        if getattr(st, "scope", None) is not None and prog.compiler is not None:
            p = plan(prog, st, self.model.instrs)
            if any(spec not in specs for spec in checks_in(p[0])):
                bp = p
        if len(self._bplans) > 256:
            self._bplans.clear()
        self._bplans[key] = (prog, bp)
        return bp

    def _refutes_from(self, prog, state, program, start: int, vals: list) -> bool:
        try:
            out = self._segment(prog, state, program, vals, start)
        except (CatError, KeyError, RecursionError, TypeError, ValueError):
            return False
        if out:
            self.refuted += 1
        return out

    def refutes(self, inp: ExecInput, cache: EvalCache) -> bool:
        """True when no execution extending `inp` can be allowed."""
        if not inp.dynamic <= EXACT | self.dynamic:
            return False          # an input we know nothing of changes too
        prog, root = cache.root(self.model, inp)
        if root.failed is not None:
            self.refuted += 1
            return True
        self.specs = self._specs_for(prog, root)
        if not self.specs:
            return False
        vals = list(root.env)
        try:
            for s, name, k, static in prog.inputs:
                if not static:
                    vals[s] = _input_value(inp, name, k)
            out = self._segment(prog, root, root.program, vals, 0)
        except (CatError, KeyError, RecursionError, TypeError, ValueError):
            return False
        if out:
            self.refuted += 1
        return out

    # ------------------------------------------------------------------
    def _plan(self, program: list[C.Step], start: int) -> list[C.Step]:
        """The steps of program[start:] the refuting checks need (a backward
        liveness pass; everything before a static `with` is kept)."""
        key = (id(program), start, self.specs)
        hit = self._plans.get(key)
        if hit is not None and hit[0] is program:
            return hit[1]
        keep: list[C.Step] = []
        live: set[int] = set()
        everything = False
        for st in reversed(program[start:]):
            k = st.kind
            if k == C.SWITCH:
                everything = True
                keep.append(st)
            elif k == C.MARK_FAIL:
                keep.append(st)
            elif isinstance(st, C.SCheck):
                if st.ckind == "check" and st.spec in self.specs:
                    keep.append(st)
                    live |= st.refs
            elif k in (C.LET, C.REC, C.BRANCH, C.WITH):
                if everything or live.intersection(C._assigned_slots(st)):
                    keep.append(st)
                    if k != C.WITH:
                        live |= st.refs
        keep.reverse()
        if len(self._plans) > 4096:
            self._plans.clear()
        self._plans[key] = (program, keep)
        return keep

    def _segment(self, prog: C.Program, state, program: list[C.Step], vals: list, start: int) -> bool:
        for st in self._plan(program, start):
            k = st.kind
            if k == C.SWITCH:
                for b in range(len(state.with_elems or [])):
                    ch = _child(prog, state, b)
                    if ch.failed is not None:
                        continue
                    v2 = list(ch.env)
                    for s in ch.dyn_slots:
                        v2[s] = vals[s]
                    if not self._segment(prog, ch, ch.program, v2, 0):
                        return False
                return True
            if self._step(st, vals):
                return True
        return False

    def _step(self, st: C.Step, vals: list) -> bool:
        """Run one step on the lower bound; True if it refutes."""
        if isinstance(st, C.SLet):
            _exec_top(st, vals, [])
        elif isinstance(st, C.SRec):
            C.top_rec(vals, st)
        elif isinstance(st, C.SWith):
            vals[st.slot] = 0
        elif isinstance(st, C.SCheck):
            if st.ckind == "check" and st.spec in self.specs:
                return _exec_check(st, vals, None, []) is not None
        elif isinstance(st, C.SBranch):
            i = st.select(vals, None)
            if 0 <= i < len(st.branches):
                for sub in st.branches[i]:
                    if self._step(sub, vals):
                        return True
        elif isinstance(st, C.SMark) and st.kind == C.MARK_FAIL:
            return True
        return False


def _empty_defs(prog: C.Program, root) -> frozenset[int]:
    """Ids of the expressions of static top-level `let`s whose value is
    empty in every static branch of this event structure."""
    defs = getattr(prog, "defs", None)
    if not defs:
        return frozenset()
    leaves = []
    stack = [root]
    while stack:
        st = stack.pop()
        if st.failed is not None:
            continue
        if st.with_elems:
            if len(leaves) + len(stack) > 64:
                return frozenset()
            stack.extend(_child(prog, st, b) for b in range(len(st.with_elems)))
        else:
            leaves.append(st)
    out = None
    for leaf in leaves:
        env = leaf.env
        mine = set()
        for slot, (expr, _) in defs.items():
            if prog.slot_static[slot]:
                v = env[slot]
                if v is not None and not isinstance(v, (str, tuple)) and _is_empty(v):
                    mine.add(id(expr))
        out = mine if out is None else out & mine
    return frozenset(out or ())


def _is_empty(v) -> bool:
    try:
        return not v and type(v) in (int, ESet, frozenset)
    except Exception:       # pragma: no cover - exotic values
        return False


def refuter_for(model) -> Optional[Refuter]:
    """The model's Refuter (built once per model), or None when no check can
    refute a partial execution."""
    ref = getattr(model, "_refuter", None)
    if ref is None:
        ref = Refuter(model)
        try:
            model._refuter = ref
        except AttributeError:      # pragma: no cover
            pass
    return ref if ref.enabled else None


__all__ = ["Refuter", "refuter_for"]
