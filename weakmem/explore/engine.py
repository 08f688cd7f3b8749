"""Candidate executions: combine thread traces, choose rf (and final writes),
run the model on each, collect final states.

The flow for one test:
  1. value domains and per-thread traces (weakmem.explore.domain);
  2. for each choice of one trace per thread whose reads can all be
     satisfied by some write of the right value (pruned thread by thread),
     build a `Skeleton`: events numbered 0..n-1 (initial writes first) and
     the static relations as bitsets;
  3. for each rf map (a write of the same location and value for each
     read; uniproc-violating choices pruned when `optace` is on; choices
     whose values justify themselves in a cycle dropped, as herd7 drops
     unsolvable equations) and each choice of final write for the observed
     locations (FW), evaluate the model; each allowed branch is one
     execution.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from weakmem.cat import rel as R
from weakmem import limits
from weakmem.errors import Timeout
from weakmem.litmus.ast import SymVal
from weakmem.semantics.events import Event, Skeleton, Val
from weakmem.semantics.trace import Trace

C11_TAG_SETS = {"rlx": "RLX", "acq": "ACQ", "rel": "REL", "acq_rel": "ACQ_REL", "sc": "SC", "con": "CON"}
WRITE_KINDS = {"W", "LKW", "UL"}


@dataclass
class Deadline:
    limit: float | None
    start: float = field(default_factory=time.monotonic)
    ticks: int = 0

    def check(self) -> None:
        self.ticks += 1
        if self.ticks & 63:
            return
        limits.check_now()
        if self.limit is not None and time.monotonic() - self.start > self.limit:
            raise Timeout()

    def check_now(self) -> None:
        limits.check_now()
        if self.limit is not None and time.monotonic() - self.start > self.limit:
            raise Timeout()


def build_skeleton(combo: list[Trace], init: dict[SymVal, Val], extra_locs: set[SymVal]) -> Skeleton:
    """Number events (initial writes first), build static sets and relations."""
    locs: list[SymVal] = []
    seen: set[SymVal] = set()

    def addloc(l: SymVal):
        if l not in seen:
            seen.add(l)
            locs.append(l)

    for l in init:
        addloc(l)
    for tr in combo:
        for ev in tr.events:
            if ev.loc is not None:
                addloc(ev.loc)
    for l in sorted(extra_locs, key=lambda s: (s.name, s.offset)):
        addloc(l)
    events: list[Event] = []
    for l in locs:
        events.append(Event(len(events), -1, frozenset({"W", "M", "IW"}), l, init.get(l, 0), frozenset(), 0,
                            f"init {l.name}"))
    base: list[int] = []
    for tr in combo:
        base.append(len(events))
        for i, pe in enumerate(tr.events):
            events.append(Event(len(events), tr.tid, pe.kinds, pe.loc, pe.value, pe.tags,
                                i if pe.poi is None else pe.poi, pe.instr, pe.rval, pe.data_pure))
    n = len(events)
    sets: dict[str, int] = {"_": (1 << n) - 1}

    def addset(name: str, e: int):
        sets[name] = sets.get(name, 0) | (1 << e)

    for ev in events:
        for k in ev.kinds:
            addset(k, ev.eid)
        for t in ev.tags:
            c11 = C11_TAG_SETS.get(t)
            if c11 is not None and ("R" in ev.kinds or "W" in ev.kinds or "F" in ev.kinds):
                addset(c11, ev.eid)
    for k in ("R", "W", "M", "F", "IW", "FW", "LKR", "LKW", "UL", "LF", "RL", "RU", "SRCU"):
        sets.setdefault(k, 0)
    for tr in combo:
        for k in tr.declared_sets:
            sets.setdefault(k, 0)
    mem = sets["M"]
    atomic = 0
    for c11 in C11_TAG_SETS.values():
        atomic |= sets.get(c11, 0)
    if not any("A" in tr.declared_sets for tr in combo):   # (AArch64's A is acquire)
        sets["A"] = atomic & mem          # C11 atomic accesses (and C11 RMWs)
        sets["NA"] = sets["_"] & ~sets["A"]
    for c11 in C11_TAG_SETS.values():
        sets.setdefault(c11, 0)
    sets.setdefault("RMW", 0)
    rmw_pairs = []
    for tr, b in zip(combo, base):
        for (r, w) in tr.rmw:
            rmw_pairs.append((b + r, b + w))

    # relations
    rows_po = [0] * n
    rows_int = [0] * n
    iw_mask = 0
    for ev in events:
        if ev.tid < 0:
            iw_mask |= 1 << ev.eid
    for tr, b in zip(combo, base):
        m = len(tr.events)
        tmask = ((1 << m) - 1) << b
        evs = tr.events
        pois = [i if pe.poi is None else pe.poi for i, pe in enumerate(evs)]
        for i in range(m):
            rows_int[b + i] = tmask
            row = 0
            for j in range(i + 1, m):
                if pois[j] > pois[i] or (pois[j] == pois[i] and i in evs[j].iico):
                    row |= 1 << (b + j)
            rows_po[b + i] = row
    for ev in events:
        if ev.tid < 0:
            rows_int[ev.eid] = iw_mask
    locmask: dict[SymVal, int] = {}
    for ev in events:
        if ev.loc is not None:
            locmask[ev.loc] = locmask.get(ev.loc, 0) | (1 << ev.eid)
    rows_loc = [locmask[ev.loc] if ev.loc is not None else 0 for ev in events]
    po = R.from_rows(n, rows_po)
    intr = R.from_rows(n, rows_int)
    rels = {
        "po": po,
        "int": intr,
        "ext": R.full(n) & ~intr,
        "loc": R.from_rows(n, rows_loc),
        "id": R.identity(n),
        "rmw": R.from_pairs(n, rmw_pairs),
    }
    addr, data, ctrl = [], [], []
    for tr, b in zip(combo, base):
        for j, pe in enumerate(tr.events):
            for i in pe.addr:
                addr.append((b + i, b + j))
            for i in pe.data:
                data.append((b + i, b + j))
            for i in pe.ctrl:
                ctrl.append((b + i, b + j))
        for name, prs in tr.extra_rels.items():
            rels[name] = rels.get(name, 0) | R.from_pairs(n, [(b + i, b + j) for i, j in prs])
    rels["addr"] = R.from_pairs(n, addr)
    rels["data"] = R.from_pairs(n, data)
    rels["ctrl"] = R.from_pairs(n, ctrl)
    regs: dict[tuple[int, str], Val] = {}
    for tr in combo:
        for k, v in tr.regs.items():
            regs[(tr.tid, k)] = v
    sk = Skeleton(events, sets, rels, regs)
    sk.base = base  # type: ignore[attr-defined]
    return sk


def read_candidates(sk: Skeleton, combo: list[Trace], optace: bool) -> list[tuple[int, list[int]]] | None:
    """For each engine read, the writes it may read from (same location and
    value); None if some read has no possible source."""
    events = sk.events
    base = sk.base  # type: ignore[attr-defined]
    writes_by_loc: dict[tuple, list[int]] = {}
    for ev in events:
        if ev.tid < 0:
            writes_by_loc.setdefault((ev.loc, ev.value), []).append(ev.eid)
    for tr, b in zip(combo, base):
        for i, pe in enumerate(tr.events):
            if pe.is_write:
                writes_by_loc.setdefault((pe.loc, pe.value), []).append(b + i)
    n = len(events)
    porows = R.rows(n, sk.rels["po"])
    locw: dict = {}
    for ev in events:
        if ev.tid >= 0 and "W" in ev.kinds and ev.loc is not None:
            locw[ev.loc] = locw.get(ev.loc, 0) | (1 << ev.eid)
    out = []
    for tr, b in zip(combo, base):
        for i, pe in enumerate(tr.events):
            if not pe.rf_read:
                continue
            r = b + i
            cands = []
            for w in writes_by_loc.get((pe.loc, pe.read_value), ()):
                ew = events[w]
                if w == r:
                    continue          # an RMW does not read from itself
                if ew.tid == tr.tid and w > r and ew.poi == events[r].poi:
                    continue          # nor from a later write of the same instruction/statement
                if optace and ew.tid == tr.tid:
                    if (porows[r] >> w) & 1:
                        continue      # reading from a po-later write: never coherent
                    # a write to the same location po-between w and r shadows w
                    between = porows[w] & ~porows[r] & ~(1 << r)
                    if between & locw.get(pe.loc, 0) and (porows[w] >> r) & 1:
                        shadowed = False
                        for k in R.members(between & locw.get(pe.loc, 0)):
                            if (porows[k] >> r) & 1:
                                shadowed = True
                                break
                        if shadowed:
                            continue
                cands.append(w)
            if not cands:
                return None
            out.append((r, cands))
    return out


def combos(traces: list[list[Trace]], init: dict[SymVal, Val], deadline: Deadline,
           prune: Callable[[list[Trace]], bool] | None = None) -> Iterator[list[Trace]]:
    """Choose one trace per thread such that every value read can be written
    by someone (init, a chosen trace, or some trace of a thread not chosen
    yet), refining as threads get fixed.  `prune(partial)` may reject a
    prefix of chosen traces (e.g. a filter on registers that already fails).

    (location, value) pairs are numbered and sets of them are bitsets."""
    nt = len(traces)
    ids: dict = {}

    def bit(pair) -> int:
        i = ids.get(pair)
        if i is None:
            i = ids[pair] = len(ids)
        return 1 << i

    writes = [[_mask(bit, ((e.loc, e.value) for e in tr.events if e.is_write)) for tr in ts] for ts in traces]
    needs = [[_mask(bit, ((e.loc, e.read_value) for e in tr.events if e.rf_read)) for tr in ts] for ts in traces]
    free = 0
    for l, v in init.items():
        free |= bit((l, v))
    for pair, i in list(ids.items()):
        if _loc_default(pair, init):
            free |= 1 << i          # a location absent from init holds 0 initially
    anyw = []
    for w in writes:
        m = 0
        for x in w:
            m |= x
        anyw.append(m)
    # suffix unions of "any write" of threads k+1..
    suffix = [0] * (nt + 1)
    for t in range(nt - 1, -1, -1):
        suffix[t] = suffix[t + 1] | anyw[t]
    chosen: list[int] = []

    def rec(k: int, chosen_w: int, chosen_needs: int):
        deadline.check()
        if k == nt:
            yield [traces[t][chosen[t]] for t in range(nt)]
            return
        others = free | chosen_w | suffix[k + 1]
        for i in range(len(traces[k])):
            pool = others | writes[k][i]
            if (needs[k][i] | chosen_needs) & ~pool:
                continue
            chosen.append(i)
            if prune is None or prune([traces[t][chosen[t]] for t in range(k + 1)]):
                yield from rec(k + 1, chosen_w | writes[k][i], chosen_needs | needs[k][i])
            chosen.pop()

    yield from rec(0, 0, 0)


def _mask(bit, pairs) -> int:
    m = 0
    for p in pairs:
        m |= bit(p)
    return m


def _loc_default(pair, init) -> bool:
    """A read of a location absent from init may read the default 0."""
    loc, v = pair
    return loc not in init and v == 0
