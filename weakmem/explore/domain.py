"""Value domains: which values can a read of location x return?

Reads are executed concretely, so each read needs the finite set of values
its location may hold.  We compute it as a fixpoint: start from the initial
values, run every thread with reads drawing from the current domains, add
every value written, repeat.  A value that needs a chain of k writes to be
produced appears at round k; in one execution such a chain passes through
distinct write events, so `max_rounds` = total writes + 1 rounds suffice.
Values produced only by circular (thin-air) reasoning may enter a domain;
the explore stage drops executions whose values are not justified.
While computing domains every branch is explored whatever its condition
(`all_branches`), since a branch may be taken thanks to a value that is
itself written under a branch; the final traces follow conditions.
"""
from __future__ import annotations

from typing import Callable

from weakmem.errors import LitmusError, Pos
from weakmem.litmus.ast import SymVal
from weakmem.semantics.events import Val
from weakmem.semantics.trace import Trace

MAX_DOMAIN = 64


def compute_domains(
    nthreads: int,
    run_thread: Callable[[int, Callable[[SymVal], list[Val]], bool], list[Trace]],
    init: dict[SymVal, Val],
    file: str,
    check_time: Callable[[], None] = lambda: None,
) -> tuple[dict[SymVal, list[Val]], list[list[Trace]]]:
    dom: dict[SymVal, list[Val]] = {}

    def get(loc: SymVal) -> list[Val]:
        d = dom.get(loc)
        if d is None:
            d = [init.get(loc, 0)]
            dom[loc] = d
        return d

    for loc in init:
        get(loc)
    rounds = 0
    while True:
        rounds += 1
        check_time()
        snapshot = {k: list(v) for k, v in dom.items()}

        def frozen(loc: SymVal) -> list[Val]:
            d = snapshot.get(loc)
            if d is None:
                d = get(loc)
                snapshot[loc] = list(d)
            return snapshot[loc]

        traces = [run_thread(t, frozen, True) for t in range(nthreads)]
        changed = False
        nwrites = 0
        for ts in traces:
            most = 0
            for tr in ts:
                w = 0
                for ev in tr.events:
                    if ev.is_write and ev.loc is not None:
                        w += 1
                        d = get(ev.loc)
                        if ev.value not in d:
                            d.append(ev.value)
                            changed = True
                most = max(most, w)
            nwrites += most
        for loc, d in dom.items():
            if loc not in snapshot:
                changed = True
        if not changed or rounds > nwrites + 1:
            # (past nwrites + 1 rounds only circular justifications can still
            # grow a domain: the values already found cover every justified
            # execution)
            return dom, [run_thread(t, get, False) for t in range(nthreads)]
        for loc, d in dom.items():
            if len(d) > MAX_DOMAIN:
                raise LitmusError(f"location {loc.name} may hold more than {MAX_DOMAIN} values; "
                                  "the test is too large to explore", Pos(file))
