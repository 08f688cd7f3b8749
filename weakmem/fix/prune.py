"""Dropping candidate changes that cannot help, before anything is run.

A `Pruner` has one method, `keep(changes) -> changes`.  The search
(weakmem.fix.search) is correct with any pruner that only drops changes
that cannot be part of a minimal fix; its own monotonicity rules do the
rest.

* `SharedLocations` (always on): a thread none of whose locations is
  accessed by another thread takes part in no communication cycle, so a
  change in it orders nothing another thread can see.
* `ExplainCycles` plugs in the explanation of weakmem.explain when that
  package is present: a change that touches no cycle of the explanation
  (no two events of its thread on either side of it) cannot forbid the
  outcome under that model.  It is applied only when every target is a
  language model whose explanation is available: a CPU target's cycles are
  over instructions, and a change that helps only a CPU would be lost.
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
    of the explanation.  `cycles`: list of cycles, each a list of (thread,
    line) pairs, as adapted from weakmem.explain."""

    def __init__(self, cycles: list[list[tuple[int, int]]]):
        self.spans: dict[int, list[tuple[int, int]]] = {}
        for cyc in cycles:
            per: dict[int, list[int]] = {}
            for tid, line in cyc:
                per.setdefault(tid, []).append(line)
            for tid, lines in per.items():
                if len(lines) >= 2:
                    self.spans.setdefault(tid, []).append((min(lines), max(lines)))

    def keep(self, changes):
        out = []
        for c in changes:
            for lo, hi in self.spans.get(c.thread, ()):
                if (c.kind == "insert" and lo < c.line <= hi) or (c.kind == "replace" and lo <= c.line <= hi):
                    out.append(c)
                    break
        return out


class Chain:
    def __init__(self, *ps):
        self.ps = ps

    def keep(self, changes):
        for p in self.ps:
            changes = p.keep(changes)
        return changes


def explain_cycles(test, model_names) -> list[list[tuple[int, int]]] | None:
    """The explanation's cycles as (thread, line) lists, or None when
    weakmem.explain is not there or says nothing we can read."""
    try:
        from weakmem import explain as X      # noqa: F401  (built in parallel; optional)
    except ImportError:
        return None
    fn = getattr(X, "explain", None)
    if fn is None:
        return None
    from weakmem.run import ModelCache, Options
    cycles: list[list[tuple[int, int]]] = []
    cache = ModelCache()
    for m in model_names:
        try:
            opts = Options(model=m)
            ex = fn(test, cache.get(opts, test.arch, test), opts)
        except Exception:
            return None
        got = getattr(ex, "cycles", None)
        if not got:
            return None
        for cyc in got:
            pts = []
            for e in getattr(cyc, "edges", cyc):
                for end in (getattr(e, "src", None), getattr(e, "dst", None)):
                    tid = getattr(end, "thread", getattr(end, "tid", None))
                    line = getattr(end, "line", None)
                    if isinstance(tid, int) and isinstance(line, int) and tid >= 0:
                        pts.append((tid, line))
            if not pts:
                return None
            cycles.append(pts)
    return cycles


def pruner_for(test: A.Litmus, dialect: str | None, targets=()):
    shared = SharedLocations(test) if test.arch == "C" else KeepAll()
    if targets and all(t.kind == "model" for t in targets) and test.arch == "C":
        cyc = explain_cycles(test, [t.id for t in targets])
        if cyc:
            return Chain(shared, ExplainCycles(cyc))
    return shared
