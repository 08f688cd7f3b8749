"""The search for minimal sets of changes.

Everything rests on one property of the models: they are *monotone* in the
changes of the menu -- adding a barrier or strengthening an access never
makes a forbidden outcome possible again.  With it:

* `top`: the strongest change at every position at once.  If the outcome
  is still possible with `top`, no set of changes from the menu forbids it.
* a position p is *required* when `top` without p fails: every working set
  then has a change at p (it is weaker than `top` without p).
* a change c at p is *viable* when `top` with c at p works: a set holding
  a non-viable change is weaker than that and fails.
* a set weaker than a set already seen to fail on a target (change by
  change at the same positions: weakmem.fix.menu strengths) fails there too
  and is not run.
* candidates are tried by increasing size and, within a size, by
  estimated cost; a superset of a working set is not minimal and is never
  tried; once a fix of k changes is known, sets of more than k + `slack`
  (2) changes are not tried (the report says so).  Every working set is checked to be minimal (each set with one
  change less fails).

These are the pruning rules of the own search.  A `Pruner` (weakmem.fix.
prune) may in addition drop candidate changes that cannot help before
anything is run, and a `hint` (weakmem.explain's unordered pairs, when that
package is there) says which sets to try first within a size.
"""
from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field


@dataclass
class SearchStats:
    sets_tried: int = 0
    sets_pruned: int = 0
    complete: bool = True
    why_incomplete: str = ""
    required: list = field(default_factory=list)
    seconds: float = 0.0


class Search:
    """`check(changes) -> (ok, failing target id or None)` runs every target
    (stopping at the first that fails); `estimate(change) -> float` orders
    candidates."""

    def __init__(self, changes, check, estimate, max_fixes=10, max_size=6, budget=60.0, hint=None, slack=2):
        self.changes = list(changes)
        self.check = check
        self.estimate = estimate
        self.max_fixes = max_fixes
        self.max_size = max_size
        self.budget = budget
        self.hint = hint          # a predicate on changes: sets with one it likes go first
        self.slack = slack        # at most this many changes more than the smallest fix
        self.failed: dict[str, list[frozenset]] = {}     # target -> sets that fail there
        self.passed: set[frozenset] = set()
        self.stats = SearchStats()
        self.t0 = time.monotonic()
        self.by_pos: dict[tuple, list] = {}
        for c in self.changes:
            self.by_pos.setdefault(c.position, []).append(c)

    # ---- monotonicity bookkeeping
    @staticmethod
    def weaker(s: frozenset, f: frozenset) -> bool:
        """Every change of s is matched by one of f at its position at least as strong."""
        return all(any(g.position == c.position and g.strength >= c.strength for g in f) for c in s)

    def known_fail(self, s: frozenset) -> bool:
        return any(self.weaker(s, f) for fs in self.failed.values() for f in fs)

    def run(self, s: frozenset) -> bool:
        if s in self.passed:
            return True
        if self.known_fail(s):
            self.stats.sets_pruned += 1
            return False
        ok, where = self.check(s)
        if ok:
            self.passed.add(s)
        else:
            self.failed.setdefault(where or "?", []).append(s)
        return ok

    def out_of_time(self) -> bool:
        if time.monotonic() - self.t0 > self.budget:
            self.stats.complete = False
            self.stats.why_incomplete = f"search stopped after {self.budget:g} s"
            return True
        return False

    # ---- the search
    def top(self, positions) -> frozenset:
        out = []
        for p in positions:
            cs = self.by_pos[p]
            best = max(cs, key=lambda c: (len(c.strength), getattr(c, "general", True), -self.estimate(c)))
            out.append(best)
        return frozenset(out)

    def solve(self) -> tuple[list[frozenset], bool]:
        """(minimal working sets, whether the top set works)."""
        positions = sorted(self.by_pos, key=str)
        if not positions:
            return [], False
        top = self.top(positions)
        if not self.run(top):
            return [], False
        top_at = {c.position: c for c in top}
        # required positions (per thread first: a thread whose positions can all go is optional)
        required = []
        threads = sorted({p[1] for p in positions})
        for t in threads:
            mine = [p for p in positions if p[1] == t]
            if self.run(frozenset(c for c in top if c.position[1] != t)):
                continue
            for p in mine:
                if not self.run(top - {top_at[p]}):
                    required.append(p)
        self.stats.required = required
        # viable changes per position
        viable: dict[tuple, list] = {}
        for p in positions:
            keep = []
            for c in sorted(self.by_pos[p], key=lambda c: (-len(c.strength), self.estimate(c))):
                if c is top_at[p] or self.run((top - {top_at[p]}) | {c}):
                    keep.append(c)
            if keep:
                viable[p] = keep
            elif p in required:
                return [], True      # cannot happen with a monotone model; be safe
        optional = [p for p in positions if p not in required and p in viable]
        fixes: list[frozenset] = []
        # every fix holds the required positions: never fewer changes than that
        self.max_size = max(self.max_size, len(required))
        for size in range(max(1, len(required)), self.max_size + 1):
            if size - len(required) > len(optional):
                break                # no set of this size: nothing left out
            if fixes and size > min(len(f) for f in fixes) + self.slack:
                self.stats.complete = False
                self.stats.why_incomplete = (f"sets of more than {size - 1} changes not tried "
                                             f"(a fix of {min(len(f) for f in fixes)} exists)")
                break
            if fixes:
                # `top` without any position a fix uses: if that fails, so does every set
                # that avoids them all (a weaker set), and the cache then says so at once
                used = {c.position for f in fixes for c in f}
                rest = frozenset(c for c in top if c.position not in used)
                if rest:
                    self.run(rest)
            extra = size - len(required)
            if extra < 0 or extra > len(optional):
                continue
            cands = []
            for opt in itertools.combinations(optional, extra):
                for combo in itertools.product(*[viable[p] for p in list(required) + list(opt)]):
                    s = frozenset(combo)
                    if any(f <= s for f in fixes):
                        continue
                    cands.append(s)
            cands.sort(key=lambda s: (self.hint is not None and not any(self.hint(c) for c in s),
                                      sum(self.estimate(c) for c in s), sorted(c.sort_key() for c in s)))
            for s in cands:
                if self.out_of_time():
                    return fixes, True
                if any(f <= s for f in fixes):
                    continue
                self.stats.sets_tried += 1
                if self.run(s) and self.minimal(s):
                    fixes.append(s)
                    if len(fixes) >= self.max_fixes:
                        if size < self.max_size or s is not cands[-1]:
                            self.stats.complete = False
                            self.stats.why_incomplete = f"stopped at {self.max_fixes} fixes"
                        return fixes, True
        return fixes, True

    def minimal(self, s: frozenset) -> bool:
        return all(not self.run(s - {c}) for c in s) if len(s) > 1 else True
