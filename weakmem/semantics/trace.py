"""Per-thread traces: the output of a front-end (C or assembly) for one thread.

A front-end runs one thread's code for every choice of control-flow path
and of the values its reads return (drawn from a per-location value domain),
and produces one `Trace` per choice.  The explore stage combines one trace
per thread, matches reads to writes (rf) and hands the result to the model.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from weakmem.semantics.events import Val
from weakmem.litmus.ast import SymVal


@dataclass
class PEvent:
    """An event inside a trace (indices are local to the trace).

    kinds   base sets ('R','W','M','F', 'LKR', ...)
    rf_read True if the engine must pick an rf source for this read
    addr / data / ctrl: local indices of the reads this event depends on.
    """
    kinds: frozenset[str]
    loc: SymVal | None = None
    value: Val | None = None
    tags: frozenset[str] = frozenset()
    instr: str = ""
    addr: frozenset[int] = frozenset()
    data: frozenset[int] = frozenset()
    ctrl: frozenset[int] = frozenset()
    rf_read: bool = False
    is_write: bool = False   # a write the engine may use as an rf source / co member
    rval: Val | None = None  # value read, for single-event RMWs (value is then the value written)
    poi: int | None = None   # program-order index (statement); None = position in the trace
    iico: frozenset[int] = frozenset()  # same-statement events that must precede this one
    data_pure: bool = False  # the value written is one read's value, copied unchanged

    @property
    def read_value(self):
        return self.rval if self.rval is not None else self.value


@dataclass
class Trace:
    tid: int
    events: list[PEvent]
    rmw: list[tuple[int, int]] = field(default_factory=list)
    regs: dict[str, Val] = field(default_factory=dict)   # final register values
    extra_rels: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # arch-specific (iico ...)
    declared_sets: frozenset[str] = frozenset()   # arch event sets that exist even when empty (DMB, X...)
    regdeps: dict[str, frozenset[int]] = field(default_factory=dict)  # reads each final value comes from

    def reads(self):
        return [i for i, e in enumerate(self.events) if e.rf_read]

    def writes(self):
        return [i for i, e in enumerate(self.events) if e.is_write]
