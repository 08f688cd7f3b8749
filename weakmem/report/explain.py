"""Why: a witness execution for an outcome that can happen, or the check that
rules out every execution with an outcome that cannot."""
from __future__ import annotations

import string

from weakmem.cat import rel as R
from weakmem.semantics.events import show_val
from weakmem.verdict import TestResult


def _label(i: int) -> str:
    letters = string.ascii_lowercase
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


def describe_event(e) -> str:
    kinds = [k for k in ("R", "W", "F") if k in e.kinds] or sorted(e.kinds)
    kind = "RMW" if ("R" in e.kinds and "W" in e.kinds) else kinds[0]
    tags = f"[{','.join(sorted(e.tags))}]" if e.tags else ""
    where = e.loc.name if e.loc is not None else ""
    val = ""
    if e.value is not None and e.loc is not None:
        val = f"={show_val(e.value)}" if e.rval is None else f"={show_val(e.rval)}->{show_val(e.value)}"
    return f"{kind}{tags} {where}{val}".strip()


def explain_candidate(c, title: str) -> list[str]:
    sk = c.skeleton
    n = sk.n
    names = {}
    out = [title]
    k = 0
    for e in sk.events:
        if e.tid < 0:
            names[e.eid] = f"init {e.loc.name}" if e.loc is not None else "init"
    for tid in sorted({e.tid for e in sk.events if e.tid >= 0}):
        parts = []
        for e in sk.events:
            if e.tid != tid:
                continue
            names[e.eid] = f"{_label(k)}"
            parts.append(f"{_label(k)}: {describe_event(e)}" + (f" ({e.instr})" if e.instr else ""))
            k += 1
        out.append(f"  P{tid}: " + "; ".join(parts))
    rf = [f"{names[r]} <- {names[w]}" for w, r in R.pairs(n, c.rf)]
    if rf:
        out.append("  reads from: " + ", ".join(rf))
    co = c.env.get("co") if c.env else None
    if isinstance(co, int) and co:
        by_loc: dict = {}
        for w1, w2 in R.pairs(n, co):
            by_loc.setdefault(sk.events[w1].loc, set()).update((w1, w2))
        for loc, ws in sorted(by_loc.items(), key=lambda kv: (kv[0].name if kv[0] else "")):
            order = sorted(ws, key=lambda w: sum(1 for v in ws if (co >> (v * n + w)) & 1))
            out.append(f"  coherence {loc.name if loc else '?'}: " + " < ".join(names[w] for w in order))
    return out


def explain(r: TestResult) -> str:
    lines = []
    v = r.verdict
    if r.undetermined:
        return ""
    if v.observation != "Never" and r.witness is not None:
        lines += explain_candidate(r.witness, "  witness (an allowed execution with this outcome):")
    elif r.forbidden_by:
        checks = ", ".join(f"{k} ({n})" for k, n in sorted(r.forbidden_by.items(), key=lambda kv: -kv[1]))
        lines.append(f"  every execution with this outcome is rejected; checks that reject them: {checks}")
        if r.blocked is not None:
            lines += explain_candidate(r.blocked, f"  for example (rejected by {r.blocked.failed}):")
    elif v.observation == "Never":
        lines.append("  no candidate execution has this outcome at all (it is ruled out by the program's values,"
                     " before any model)")
    return "\n".join(lines) + ("\n" if lines else "")
