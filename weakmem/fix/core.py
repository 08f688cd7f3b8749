"""`fix_test()`: the minimal, verified, costed changes that forbid a test's outcome."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from weakmem.errors import LitmusError, Pos, WeakmemError
from weakmem.fix import patch
from weakmem.fix.search import Search, SearchStats
from weakmem.fix.verify import Outcome, Target, Verifier, cpu_target, model_target
from weakmem.litmus.parse import parse_litmus
from weakmem.matrix import mappings as M

CPU_IDS = tuple(t.id for t in M.TARGETS)


@dataclass
class Fix:
    changes: list                    # weakmem.fix.sites.Change (or asm changes), in source order
    cost: dict[str, int]             # CPU target id -> weight added
    litmus: str                      # the patched test
    diff: str

    @property
    def total(self) -> int:
        return sum(self.cost.values())

    def as_json(self) -> dict:
        return {"changes": [c.as_json() for c in self.changes], "cost": dict(self.cost),
                "litmus": self.litmus}


@dataclass
class LoadBearing:
    what: str                        # "remove smp_mb()" / "qatomic_load_acquire(x) -> qatomic_read(x)"
    thread: int
    line: int
    targets: list[str]               # where the outcome becomes possible without it


@dataclass
class FixReport:
    test: str
    path: str
    dialect: str | None
    targets: list[Target]
    cost_targets: list[str]
    original: dict[str, Outcome]
    already_forbidden: bool = False
    fixes: list[Fix] = field(default_factory=list)
    load_bearing: list[LoadBearing] = field(default_factory=list)
    no_fix: str | None = None        # why no change of the menu forbids the outcome
    notes: list[str] = field(default_factory=list)
    stats: SearchStats = field(default_factory=SearchStats)
    runs: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict:
        d = {"test": self.test,
             "models": [t.id for t in self.targets if t.kind == "model"],
             "targets": [t.id for t in self.targets if t.kind == "cpu"],
             "already_forbidden": self.already_forbidden,
             "fixes": [f.as_json() for f in self.fixes]}
        if self.already_forbidden:
            d["load_bearing"] = [{"thread": b.thread, "line": b.line, "change": b.what, "targets": b.targets}
                                 for b in self.load_bearing]
        if self.no_fix:
            d["no_fix"] = self.no_fix
        d["verdicts"] = {k: v.verdict for k, v in self.original.items()}
        if self.notes:
            d["notes"] = list(self.notes)
        d["search"] = {"complete": self.stats.complete, "sets_tried": self.stats.sets_tried,
                       "runs": self.runs, "seconds": round(self.seconds, 3)}
        if not self.stats.complete:
            d["search"]["why_incomplete"] = self.stats.why_incomplete
        return d


def default_targets(test, dialect: str | None) -> list[Target]:
    if test.arch != "C":
        from weakmem.arch import default_model
        return [model_target(default_model(test.arch) or "sc")]
    from weakmem.dialects import detect
    d = detect(test)
    model = d.model or "lkmm"
    return [model_target(model)] + [cpu_target(t) for t in CPU_IDS]


def all_targets(test, dialect: str | None) -> list[Target]:
    if test.arch != "C":
        return default_targets(test, dialect)
    from weakmem.matrix.core import LANGUAGE_ROWS
    models = [m for _, m in LANGUAGE_ROWS.get(dialect or "linux", []) if m != "sc"]
    return [model_target(m) for m in models] + [cpu_target(t) for t in CPU_IDS]


def fix_test(path: str, models=(), targets=(), every_target=False, max_fixes=10, max_size=6,
             budget=60.0, timeout=None, unroll=2, text: str | None = None) -> FixReport:
    t0 = time.monotonic()
    if text is None:
        try:
            text = open(path).read()
        except OSError as e:
            raise LitmusError(f"cannot read: {e.strerror or e}", Pos(path))
    test = parse_litmus(path, text)
    if test.condition is None:
        raise LitmusError("the test has no final condition", Pos(path))
    dialect = None
    if test.arch == "C":
        from weakmem.matrix.dialect import detect
        dialect = detect(test)
    chosen: list[Target] = []
    if every_target:
        chosen = all_targets(test, dialect)
    for m in models:
        chosen.append(model_target(m))
    for t in targets:
        if t not in M.TARGET_BY_ID:
            raise WeakmemError(f"unknown target {t} (targets: {', '.join(CPU_IDS)})")
        if test.arch != "C":
            raise WeakmemError(f"--target compiles C tests; {os.path.basename(path)} is {test.arch} "
                               f"assembly (use --model)")
        chosen.append(cpu_target(t))
    explicit = bool(chosen)
    if not chosen:
        chosen = default_targets(test, dialect)
    seen = set()
    chosen = [t for t in chosen if not (t.id in seen or seen.add(t.id))]
    ver = Verifier(path, test.arch, dialect, timeout, unroll)
    name = test.name[:-len(".litmus")] if test.name.endswith(".litmus") else test.name
    rep = FixReport(name, path, dialect, chosen, [], {})
    for t in list(chosen):
        out = ver.outcome(text, t)
        rep.original[t.id] = out
        if out.verdict not in ("Never", "Sometimes", "Always"):
            if explicit:
                rep.no_fix = f"{t.label}: {out.verdict}: {out.reason} -- no change can be verified there"
            else:
                rep.notes.append(f"{t.label} left out: {out.verdict}: {out.reason}")
                chosen.remove(t)
    rep.targets = chosen
    cpu_ids = [t.id for t in chosen if t.kind == "cpu"]
    if test.arch == "C":
        rep.cost_targets = cpu_ids or [t for t in CPU_IDS if ver.cost(text, t) is not None]
    else:
        rep.cost_targets = [test.arch]
    if rep.no_fix:
        return _done(rep, ver, t0)
    sites = _sites(test, dialect, text)
    if all(rep.original[t.id].ok for t in chosen):
        rep.already_forbidden = True
        rep.load_bearing = _load_bearing(sites, ver, chosen, text)
        return _done(rep, ver, t0)

    base_cost = {tid: ver.cost(text, tid) for tid in rep.cost_targets}
    fail_count: dict[str, int] = {t.id: 0 for t in chosen}

    def patched(changes) -> str:
        return patch.apply(sites.lines, sorted(changes, key=lambda c: c.sort_key()))

    def check(changes):
        try:
            new = patched(changes)
            ver.parse(new)
        except WeakmemError:
            return False, "parse"
        for t in sorted(chosen, key=lambda t: -fail_count[t.id]):
            if not ver.outcome(new, t).ok:
                fail_count[t.id] += 1
                return False, t.id
        return True, None

    est_cache: dict = {}

    def estimate(c) -> float:
        got = est_cache.get(c)
        if got is None:
            try:
                new = patched([c])
                ver.parse(new)
                got = 0.0
                for tid in rep.cost_targets:
                    k = ver.cost(new, tid)
                    got += (k - base_cost[tid]) if k is not None and base_cost[tid] is not None else 100
            except WeakmemError:
                got = 1e9
            est_cache[c] = got
        return got

    from weakmem.fix.prune import explain_spans, pruner_for
    candidates = pruner_for(test, dialect, chosen).keep(sites.changes)
    spans = explain_spans(test, chosen)
    search = Search(candidates, check, estimate, max_fixes=max_fixes, max_size=max_size, budget=budget,
                    hint=spans.touches if spans is not None else None)
    sets, top_ok = search.solve()
    rep.stats = search.stats
    if not top_ok:
        rep.no_fix = _no_fix_reason(test, text, ver, chosen, search, candidates)
        return _done(rep, ver, t0)
    for s in sets:
        changes = sorted(s, key=lambda c: c.sort_key())
        new = patched(changes)
        cost = {}
        for tid in rep.cost_targets:
            k = ver.cost(new, tid)
            cost[tid] = (k - base_cost[tid]) if k is not None and base_cost[tid] is not None else -1
        rep.fixes.append(Fix(changes, cost, new, patch.unified_diff(text, new, os.path.basename(path))))
    rep.fixes.sort(key=lambda f: (f.total, len(f.changes), max(f.cost.values(), default=0),
                                  [c.sort_key() for c in f.changes]))
    rep.fixes = [f for f in rep.fixes if not any(_dominates(g, f) for g in rep.fixes if g is not f)]
    if not rep.fixes:
        rep.no_fix = (f"no set of at most {max_size} changes forbids it"
                      + (f" ({search.stats.why_incomplete})" if not search.stats.complete else ""))
    return _done(rep, ver, t0)


def _dominates(a: Fix, b: Fix) -> bool:
    """a is as strong as b, position by position, and costs no more anywhere: b adds nothing."""
    pa = {c.position: c for c in a.changes}
    pb = {c.position: c for c in b.changes}
    if set(pa) != set(pb) or a.cost == b.cost and [c.text for c in a.changes] == [c.text for c in b.changes]:
        return False
    return all(pa[p].strength >= pb[p].strength for p in pa) and \
        all(a.cost[t] <= b.cost.get(t, 0) for t in a.cost) and a.total < b.total


def _done(rep: FixReport, ver: Verifier, t0: float) -> FixReport:
    rep.runs = ver.runs
    rep.seconds = time.monotonic() - t0
    return rep


def _sites(test, dialect, text):
    if test.arch == "C":
        from weakmem.fix.sites import collect
        return collect(test, dialect, text)
    from weakmem.fix.asm import collect_asm
    return collect_asm(test, text)


def _load_bearing(sites, ver: Verifier, targets, text) -> list[LoadBearing]:
    from weakmem.fix.sites import weakenings
    out = []
    if not hasattr(sites, "threads_items"):
        from weakmem.fix.asm import weakenings as asm_weakenings
        cands = asm_weakenings(sites)
    else:
        cands = weakenings(sites)
    for change, what in cands:
        try:
            new = patch.apply(sites.lines, [change])
            ver.parse(new)
        except WeakmemError:
            continue
        bad = [t.label for t in targets if not ver.outcome(new, t).ok]
        if bad:
            out.append(LoadBearing(what, change.thread, change.line, bad))
    return out


def _no_fix_reason(test, text, ver: Verifier, targets, search, candidates) -> str:
    if not candidates:
        return "the menu offers no change here (no gap between two accesses of a thread, no access to strengthen)"
    sc = ver.outcome(text, model_target("sc"))
    if not sc.ok and sc.verdict in ("Sometimes", "Always"):
        return ("the outcome is allowed even under sequential consistency (model sc): it is an interleaving "
                "of the threads as written, which no barrier or stronger access can forbid")
    top = search.top(sorted(search.by_pos, key=str))
    new = patch.apply(ver_lines(text), sorted(top, key=lambda c: c.sort_key()))
    bad = [t.label for t in targets if not ver.outcome(new, t).ok]
    return ("even with the strongest change at every position (" + "; ".join(c.describe() for c in
            sorted(top, key=lambda c: c.sort_key())) + ") the outcome stays possible on " + ", ".join(bad))


def ver_lines(text: str) -> list[str]:
    return text.split("\n")
