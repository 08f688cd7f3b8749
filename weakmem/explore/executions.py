"""The stream of candidate executions of one test.

    space = Exploration(test, frontend, optace=True, deadline=Deadline(10))
    for ex in space:                 # Execution: events, static relations, rf, final writes, values
        for out in evaluate(model, ex.model_input(), cache): ...

`Exploration` owns everything between the front-end's traces and the model:
initial values, the observed locations, trace combination
(weakmem.explore.engine.combos), rf and final-write choices, the test's
`filter` (herd7 applies it before the model) and out-of-thin-air candidates
(weakmem.explore.thinair).  Consumers (the verdict's collector, an
explanation, a fix search) read executions from it; they never see how
they were enumerated.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable, Iterator

from weakmem.cat import rel as R
from weakmem.cat.eval import ExecInput
from weakmem.explore.domain import compute_domains
from weakmem.explore.engine import Deadline, build_skeleton, combos, read_candidates
from weakmem.explore.search import rf_search
from weakmem.explore.thinair import thin_air_key, thin_air_solvable, undetermined, unknown_values
from weakmem.litmus import ast as A
from weakmem.litmus.ast import SymVal
from weakmem.litmus.cond import array_sizes, holds, holds3, observed_terms, prop_terms, term_loc
from weakmem.semantics.events import Skeleton, Val
from weakmem.semantics.frontends import Frontend
from weakmem.semantics.trace import Trace

DYNAMIC = frozenset({"rf", "FW"})    # what changes between model runs on one skeleton
_SKELETON_IDS = itertools.count()    # stable keys for the cat evaluator's static cache


@dataclass(eq=False)
class Execution:
    """One candidate execution: a skeleton (events and static relations),
    its reads-from and final writes (bitsets), and the final values of
    registers and observed memory locations."""
    skeleton: Skeleton
    rf: int
    fw: int
    regs: dict[tuple[int, str], Val]
    mem: dict[SymVal, Val]
    static_key: int = -1                       # equal for executions sharing the skeleton
    facts: tuple = field(default=(), repr=False)   # per-event (tags, locs, values, tids), shared

    def model_input(self) -> ExecInput:
        """What the cat evaluator reads (weakmem.cat.eval.evaluate)."""
        sk = self.skeleton
        tags, locs, values, tids = self.facts
        sets = dict(sk.sets)
        sets["FW"] = self.fw
        rels = dict(sk.rels)
        rels["rf"] = self.rf
        return ExecInput(n=sk.n, sets=sets, rels=rels, tags=tags, locs=locs, values=values, tids=tids,
                         dynamic=DYNAMIC, static_key=self.static_key)


def init_values(test: A.Litmus) -> dict[SymVal, object]:
    """The initial values the test's init block gives (arrays cell by cell)."""
    init: dict[SymVal, object] = {}
    for it in test.init:
        if isinstance(it.target, A.LocTerm):
            v = it.value
            val = 0 if v is None else (v.value if isinstance(v, A.IntVal) else v)
            base = SymVal(it.target.name, it.target.index or 0)
            if it.size:
                for k in range(it.size):
                    init.setdefault(SymVal(it.target.name, k), 0)
            if isinstance(v, A.ArrayVal):
                # `int64_t t[2] = {1,-1}`: one initial value per cell
                for k, item in enumerate(v.values):
                    init[SymVal(it.target.name, base.offset + k)] = \
                        item.value if isinstance(item, A.IntVal) else item
            else:
                init[base] = val
    return init


class Exploration:
    """The candidate executions of `test` as run by `frontend` (`test` is
    the front-end's reading of the test, `frontend.test`).

    Iterating yields each `Execution` once; `candidates` counts the (rf,
    final write) choices made so far, including those the filter drops.
    `check_trace(trace)`, if given, is called once for each thread trace
    that takes part in some combination (before its executions).

    Narrowing the stream (all optional):
    * `refuter` (weakmem.cat.partial.Refuter, with the evaluator `cache` the
      model's judge uses): reads-from choices are made depth first and a
      prefix no completion of which the model can allow is dropped whole;
      only executions the model rejects are lost.
    * `want(regs, mem)` keeps only the executions whose final values it
      accepts, and `want_regs(regs, threads)` (three-valued: False rejects)
      drops a choice of thread traces early on their registers alone --
      for a search of one witness (weakmem.run, --verdict-only).
    * `share=(k, n)` keeps the k-th of every n choices of thread traces (in
      enumeration order): n processes with k = 0..n-1 see every execution
      exactly once between them (weakmem.run, -j)."""

    def __init__(self, test: A.Litmus, frontend: Frontend, *, optace: bool = True, deadline: Deadline | None = None,
                 check_trace: Callable[[Trace], None] | None = None, refuter=None, cache=None,
                 want: Callable[[dict, dict], bool] | None = None,
                 want_regs: Callable[[dict, set[int]], bool | None] | None = None,
                 share: tuple[int, int] | None = None):
        self.test = test
        self.frontend = frontend
        self.optace = optace
        self.deadline = deadline or Deadline(None)
        self.check_trace = check_trace
        self.refuter = refuter
        self.cache = cache
        self.want = want
        self.want_regs = want_regs
        self.share = share
        self.candidates = 0
        self.arrays = array_sizes(test)
        init = init_values(test)
        for name in sorted(frontend.shared):
            init.setdefault(SymVal(name), 0)
        obs_locs = self._cells(observed_terms(test))
        cond = test.condition.prop if test.condition is not None else None
        filt_locs = self._cells(prop_terms(test.filter)) + self._cells(prop_terms(cond))
        for loc in obs_locs + filt_locs:
            init.setdefault(loc, 0)
        self.init = init
        # the locations whose final value is observed: one final write chosen for each
        self.fw_locs = sorted(set(obs_locs) | set(filt_locs), key=lambda s: (s.name, s.offset))

    def _cells(self, terms) -> list[SymVal]:
        out = []
        for t in terms:
            if not isinstance(t, A.LocTerm):
                continue
            if t.index is None and t.name in self.arrays:
                out.extend(SymVal(t.name, k) for k in range(self.arrays[t.name]))
            else:
                out.append(term_loc(t))
        return out

    def __iter__(self) -> Iterator[Execution]:
        test, fe, deadline = self.test, self.frontend, self.deadline
        _, traces = compute_domains(len(test.threads), lambda t, dom, allb: fe.traces(t, dom, allb), self.init,
                                    test.path, deadline.check_now)
        checked: set[int] = set()
        prune = filter_pruner(test.filter)
        if self.want_regs is not None:
            prune = _both(prune, _regs_pruner(self.want_regs))
        for i, combo in enumerate(combos(traces, self.init, deadline, prune)):
            if self.share is not None and i % self.share[1] != self.share[0]:
                continue
            if self.check_trace is not None:
                for tr in combo:
                    if id(tr) not in checked:
                        checked.add(id(tr))
                        self.check_trace(tr)
            yield from self._of_combo(combo)

    def _of_combo(self, combo: list[Trace]) -> Iterator[Execution]:
        """The executions of one choice of trace per thread."""
        fw_locs, optace, deadline, filt = self.fw_locs, self.optace, self.deadline, self.test.filter
        norm_mem = self.frontend.normalize_mem
        sk = build_skeleton(combo, self.init, set(fw_locs))
        cands = read_candidates(sk, combo, optace)
        if cands is None:
            return
        n = sk.n
        dep_rows = [0] * n
        for (i, j) in R.pairs(n, sk.rels["addr"] | sk.rels["data"]):
            dep_rows[i] |= 1 << j
        fw_choices = final_write_choices(sk, fw_locs, optace)
        static_key = next(_SKELETON_IDS)
        # per-event facts handed to the model: the same for every rf of this skeleton
        facts = ([e.tags for e in sk.events], [e.loc for e in sk.events], [e.value for e in sk.events],
                 [e.tid for e in sk.events])
        seen_thin_air: set = set()
        reads = [r for r, _ in cands]
        exclusive = rmw_reads(sk) if optace else set()
        refute = self._refute(sk, n, static_key, facts, fw_choices) if self.refuter is not None else None
        want = self.want
        for choice in rf_search(cands, exclusive, refute):
            deadline.check()
            rf_pairs = list(zip(choice, reads))
            regs, mem_override = sk.final_regs, None
            und = undetermined(n, rf_pairs, dep_rows)
            if und:
                if not thin_air_solvable(sk, rf_pairs, dep_rows):
                    continue
                # thin-air candidate: one execution per rf and control path,
                # whatever concrete value the cycle was given
                key = (thin_air_key(sk, und), tuple(rf_pairs))
                if key in seen_thin_air:
                    continue
                seen_thin_air.add(key)
                regs, mem_override = unknown_values(sk, combo, und, n, rf_pairs, dep_rows)
            rf = 0
            for w, r in rf_pairs:
                rf |= 1 << (w * n + r)
            for fws in itertools.product(*fw_choices):
                fw = 0
                for w in fws:
                    fw |= 1 << w
                self.candidates += 1
                mem = {l: (mem_override.get(w, sk.events[w].value) if mem_override else sk.events[w].value)
                       for l, w in zip(fw_locs, fws)}
                mem = {l: norm_mem(l, v) for l, v in mem.items()}    # typed locations (assembly tests)
                if filt is not None and not holds(filt, regs, mem, self.arrays):
                    continue   # herd7 applies the filter before the model
                if want is not None and not want(regs, mem):
                    continue
                yield Execution(sk, rf, fw, regs, mem, static_key, facts)

    def _refute(self, sk: Skeleton, n: int, static_key: int, facts: tuple, fw_choices: list[list[int]]):
        """refute(pairs): no completion of these rf edges is allowed, whatever
        the final writes (weakmem.explore.search)."""
        refuter, cache = self.refuter, self.cache
        fws = []
        for choice in itertools.product(*fw_choices):
            fw = 0
            for w in choice:
                fw |= 1 << w
            fws.append(fw)

        def refute(pairs: list[tuple[int, int]]) -> bool:
            rf = 0
            for w, r in pairs:
                rf |= 1 << (w * n + r)
            return all(refuter.refutes(Execution(sk, rf, fw, {}, {}, static_key, facts).model_input(), cache)
                       for fw in fws)
        return refute


def final_write_choices(sk: Skeleton, fw_locs: list[SymVal], optace: bool) -> list[list[int]]:
    """For each observed location, the writes that may be co-last."""
    out = []
    for l in fw_locs:
        ws = [e.eid for e in sk.events if e.loc == l and e.tid >= 0 and "W" in e.kinds]
        if optace:
            # a write po-before another write to l cannot be last in a coherent co
            ws = [w for w in ws if not any(
                e2.tid == sk.events[w].tid and e2.eid > w and e2.loc == l and "W" in e2.kinds
                for e2 in sk.events)]
        if not ws:
            ws = [e.eid for e in sk.events if e.loc == l and e.tid < 0]
        out.append(ws)
    return out


def filter_pruner(filt):
    """A test's `filter` as a pruner of partial trace choices: reject a prefix
    as soon as the registers of the threads chosen so far make it false."""
    if filt is None:
        return None

    def prune(partial) -> bool:
        regs0 = {(tr.tid, k): v for tr in partial for k, v in tr.regs.items()}
        return holds3(filt, regs0, {tr.tid for tr in partial}) is not False
    return prune


def _regs_pruner(want_regs):
    def prune(partial) -> bool:
        regs0 = {(tr.tid, k): v for tr in partial for k, v in tr.regs.items()}
        return want_regs(regs0, {tr.tid for tr in partial}) is not False
    return prune


def _both(a, b):
    if a is None:
        return b
    return lambda partial: a(partial) and b(partial)


def rmw_reads(sk) -> set[int]:
    """Reads of successful atomic read-modify-writes (the read half of an
    rmw pair, or a single-event RMW)."""
    n = sk.n
    out = {r for r, _ in R.pairs(n, sk.rels["rmw"])}
    out |= {e.eid for e in sk.events if "R" in e.kinds and "W" in e.kinds}
    return out

