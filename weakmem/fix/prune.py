"""Dropping candidate changes that cannot help, before anything is run.

A `Pruner` has one method, `keep(changes) -> changes`.  The search
(weakmem.fix.search) is correct with any pruner that only drops changes
that cannot be part of a minimal fix; its own monotonicity rules do the
rest.

* `SharedLocations` (always on): a thread none of whose locations is
  accessed by another thread takes part in no communication cycle, so a
  change in it orders nothing another thread can see.
* `explain_spans` plugs in weakmem.explain when that package is present:
  its witness names the program-order pairs the outcome relies on the
  model leaving unordered (on one cycle).  Candidate sets that touch one
  of those pairs in every explained model are tried first.  They are not
  used to drop anything: a witness may have other cycles, and a change that
  helps only on a CPU (whose cycles are over instructions) would be lost.
"""
from __future__ import annotations

from weakmem.litmus import ast as A


class KeepAll:
    def keep(self, changes):
        return list(changes)


class SharedLocations:
    def __init__(self, test: A.Litmus):
        self.private: set[int] = set()
        users: dict[str, set[int]] = {}
        for th in test.threads:
            for p in getattr(th, "params", ()):
                users.setdefault(p.name, set()).add(th.tid)
        for th in test.threads:
            params = [p.name for p in getattr(th, "params", ())]
            if params and all(users[n] == {th.tid} for n in params) and not _names_globals(th, test):
                self.private.add(th.tid)

    def keep(self, changes):
        return [c for c in changes if c.thread not in self.private]


def _names_globals(th, test) -> bool:
    """Whether the thread may reach a location other than through its parameters
    (an init-block location of pointer type, or any location named in init)."""
    return any(isinstance(it.target, A.LocTerm) and isinstance(it.value, A.SymVal) for it in test.init)


class ExplainCycles:
    """Keeps the changes that lie between two events of one thread on a cycle
    of an explanation.  `cycles`: list of cycles, each a list of (thread,
    line) pairs.  Sound only when the cycles are all the ways the outcome
    happens; weakmem.fix uses it to *order* candidates (see
    explain_spans), never to drop them."""

    def __init__(self, cycles: list[list[tuple[int, int]]]):
        self.spans: dict[int, list[tuple[int, int]]] = {}
        for cyc in cycles:
            per: dict[int, list[int]] = {}
            for tid, line in cyc:
                per.setdefault(tid, []).append(line)
            for tid, lines in per.items():
                if len(lines) >= 2:
                    self.spans.setdefault(tid, []).append((min(lines), max(lines)))

    def touches(self, c) -> bool:
        for lo, hi in self.spans.get(c.thread, ()):
            if (c.kind == "insert" and lo < c.line <= hi) or (c.kind == "replace" and lo <= c.line <= hi):
                return True
        return False

    def keep(self, changes):
        return [c for c in changes if self.touches(c)]


def explain_spans(test, targets) -> ExplainCycles | None:
    """The program-order pairs the outcome relies on the model leaving
    unordered (weakmem.explain's witness: `ex.witness.unordered`, pairs on a
    shortest cycle), for every language-model target, as an ExplainCycles;
    None when weakmem.explain is absent or says nothing usable.  A witness
    may have other cycles, so these pairs only say which candidate sets to
    try first."""
    try:
        from weakmem.explain import explain      # built in parallel; optional
    except ImportError:
        return None
    from weakmem.run import ModelCache, Options
    cache = ModelCache()
    cycles: list[list[tuple[int, int]]] = []
    for t in targets:
        if t.kind != "model" or test.arch != "C":
            continue
        try:
            opts = Options(model=t.id)
            ex = explain(test, cache.get(opts, test.arch, test), opts)
            unordered = ex.witness.unordered if getattr(ex, "witness", None) is not None else []
            for u in unordered:
                a, b = u.first, u.second
                if a.thread is not None and a.thread == b.thread and a.line and b.line:
                    cycles.append([(a.thread, a.line), (b.thread, b.line)])
        except Exception:       # an explanation is a hint: never a reason to fail
            continue
    return ExplainCycles(cycles) if cycles else None


def pruner_for(test: A.Litmus, dialect: str | None, targets=()):
    return SharedLocations(test) if test.arch == "C" else KeepAll()
