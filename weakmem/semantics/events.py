"""Events and execution skeletons: what the semantics stage hands to explore/cat.

An *event* is one memory access, fence or special action of one thread
(or an initial write).  Events are numbered 0..n-1 inside one
`Skeleton`; sets of events are Python ints used as bitsets (bit i = event i)
and relations are Python ints of n*n bits, row-major (bit i*n+j = pair (i,j)),
see weakmem.cat.rel.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from weakmem.litmus.ast import SymVal

@dataclass(frozen=True)
class Unknown:
    """A value herd7 cannot compute: it depends on itself through a cycle of
    reads-from and dependencies ("out of thin air").  herd7 prints such a
    value as a symbol `S<n>`; it equals no constant."""
    name: str


Val = Union[int, SymVal]   # a runtime value: an integer or a symbolic address


def show_val(v: Val, hexa: bool = False) -> str:
    """herd7's spelling of a value in a final state."""
    if isinstance(v, Unknown):
        return v.name
    if isinstance(v, tuple):
        return "{" + ",".join(show_val(x, hexa) for x in v) + "}"
    if isinstance(v, SymVal):
        return v.name if not v.offset else f"{v.name}+{v.offset}"
    if hexa:
        return hex(v) if v >= 0 else "-" + hex(-v)
    return str(v)


@dataclass
class Event:
    """One event.

    eid     index in the skeleton (0..n-1)
    tid     thread id, or -1 for an initial write
    kinds   base sets the event belongs to, e.g. {'R','M'}, {'W','M','IW'},
            {'F'}, {'LKR'}; the cat environment builds its sets from these.
    loc     symbolic location (SymVal) for memory events, else None
    value   value read or written (None for fences)
    tags    annotations, e.g. {'once'}, {'acquire'}, {'mb'}; cat tag sets
            (Once, Acquire, ...) are built from these.
    poi     position in program order within its thread (0, 1, ...)
    instr   text of the source instruction / statement, for reports
    """
    eid: int
    tid: int
    kinds: frozenset[str]
    loc: SymVal | None = None
    value: Val | None = None
    tags: frozenset[str] = frozenset()
    poi: int = 0
    instr: str = ""
    rval: Val | None = None   # value read by a single-event RMW (value = value written)
    data_pure: bool = False   # the value written is one read's value, copied unchanged

    def is_(self, k: str) -> bool:
        return k in self.kinds


@dataclass
class Skeleton:
    """A candidate execution without rf (and without co): the events of one
    choice of control-flow path and read values per thread, plus the static
    relations.  Relations are bitset ints as described in the module doc.
    """
    events: list[Event]
    sets: dict[str, int]          # base sets: '_', 'R', 'W', 'M', 'F', 'IW', 'FW', ...
    rels: dict[str, int]          # static relations: po, addr, data, ctrl, rmw, loc, int, ext, id, ...
    final_regs: dict[tuple[int, str], Val] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.events)
