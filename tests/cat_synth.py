"""Hand-built executions for tests and benchmarks of the cat interpreter.

    b = ExecBuilder(["x", "y"])            # initial writes x=0, y=0
    w = b.write(0, "x", 1, "once")
    r = b.read(1, "x", 1, "once")
    for inp in b.candidates():              # every value-consistent rf
        ...evaluate(model, inp, cache)...

The builder computes the usual herd sets and relations (po, loc, int,
ext, id, rf, rmw, addr/data/ctrl, R, W, M, F, IW, FW, ...).  It is a test
utility, not the semantics stage.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional

from weakmem.cat import rel as R
from weakmem.cat.eval import ExecInput

LOCK_SETS = ("LKR", "LKW", "UL", "LF", "RL", "RU")


@dataclass
class SynEvent:
    eid: int
    tid: int
    kinds: set[str]
    loc: Optional[str]
    value: object
    tags: frozenset[str]


@dataclass
class ExecBuilder:
    locations: list[str]
    events: list[SynEvent] = field(default_factory=list)
    deps: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    rmw_pairs: set[tuple[int, int]] = field(default_factory=set)
    extra_sets: dict[str, set[int]] = field(default_factory=dict)
    init: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for loc in self.locations:
            self.init[loc] = self._add(-1, {"W", "IW"}, loc, 0, ())

    def _add(self, tid, kinds, loc, value, tags) -> int:
        if isinstance(tags, str):
            tags = (tags,)
        e = SynEvent(len(self.events), tid, set(kinds), loc, value,
                     frozenset(tags))
        self.events.append(e)
        return e.eid

    def read(self, tid: int, loc: str, value: object, tags: Iterable[str] | str = ()) -> int:
        return self._add(tid, {"R"}, loc, value, tags)

    def write(self, tid: int, loc: str, value: object, tags: Iterable[str] | str = ()) -> int:
        return self._add(tid, {"W"}, loc, value, tags)

    def fence(self, tid: int, tags: Iterable[str] | str = ()) -> int:
        return self._add(tid, {"F"}, None, None, tags)

    def event(self, tid: int, kinds: Iterable[str], loc: Optional[str] = None,
              value: object = None, tags: Iterable[str] | str = ()) -> int:
        return self._add(tid, set(kinds), loc, value, tags)

    def dep(self, kind: str, a: int, b: int) -> None:
        self.deps.setdefault(kind, set()).add((a, b))

    def rmw(self, r: int, w: int) -> None:
        self.rmw_pairs.add((r, w))

    # ------------------------------------------------------------------
    def reads(self) -> list[int]:
        return [e.eid for e in self.events if "R" in e.kinds]

    def writes(self) -> list[int]:
        return [e.eid for e in self.events if "W" in e.kinds]

    def rf_choices(self, r: int) -> list[int]:
        ev = self.events[r]
        return [w for w in self.writes()
                if self.events[w].loc == ev.loc and self.events[w].value == ev.value
                and w != r]

    def candidates(self, dynamic: frozenset[str] = frozenset({"rf", "FW"})) -> Iterator[ExecInput]:
        reads = self.reads()
        choices = [self.rf_choices(r) for r in reads]
        for pick in itertools.product(*choices):
            yield self.build(dict(zip(reads, pick)), dynamic=dynamic)

    def build(self, rf: dict[int, int], fw: Iterable[int] = (),
              dynamic: frozenset[str] = frozenset({"rf", "FW"})) -> ExecInput:
        n = len(self.events)
        evs = self.events
        sets: dict[str, int] = {}

        def mk(pred) -> int:
            m = 0
            for e in evs:
                if pred(e):
                    m |= 1 << e.eid
            return m

        sets["_"] = (1 << n) - 1
        for k in ("R", "W", "F", "IW") + LOCK_SETS:
            sets[k] = mk(lambda e, k=k: k in e.kinds)
        sets["M"] = sets["R"] | sets["W"]
        kinds = {k for e in evs for k in e.kinds}
        for k in kinds:
            sets.setdefault(k, mk(lambda e, k=k: k in e.kinds))
        sets["FW"] = sum(1 << w for w in fw)
        rmw_r = {a for a, _ in self.rmw_pairs}
        rmw_w = {b for _, b in self.rmw_pairs}
        sets["RMW"] = sum(1 << e for e in rmw_r | rmw_w)
        for k, v in self.extra_sets.items():
            sets[k] = sum(1 << e for e in v)

        po = []
        int_ = []
        loc = []
        for a in evs:
            for b in evs:
                if a.tid == b.tid and a.tid >= 0:
                    int_.append((a.eid, b.eid))
                    if a.eid < b.eid:
                        po.append((a.eid, b.eid))
                if a.loc is not None and a.loc == b.loc:
                    loc.append((a.eid, b.eid))
        rels = {
            "po": R.from_pairs(n, po),
            "int": R.from_pairs(n, int_) | R.identity(n),
            "loc": R.from_pairs(n, loc),
            "id": R.identity(n),
            "rf": R.from_pairs(n, [(w, r) for r, w in rf.items()]),
            "rmw": R.from_pairs(n, self.rmw_pairs),
            "amo": 0,
            "sm": R.identity(n),
        }
        rels["ext"] = R.full(n) & ~rels["int"]
        for k in ("addr", "data", "ctrl"):
            rels[k] = R.from_pairs(n, self.deps.get(k, ()))
        key = (tuple((e.tid, tuple(sorted(e.kinds)), e.loc, e.value, e.tags)
                     for e in evs), tuple(sorted(self.rmw_pairs)),
               tuple(sorted((k, tuple(sorted(v))) for k, v in self.deps.items())))
        return ExecInput(
            n=n, sets=sets, rels=rels,
            tags=[e.tags for e in evs],
            locs=[e.loc for e in evs],
            values=[e.value for e in evs],
            tids=[e.tid for e in evs],
            dynamic=frozenset(dynamic),
            static_key=key,
        )
