"""Explanations as text and as JSON-ready data."""
from __future__ import annotations

from .core import CycleEdge, EventInfo, Explanation, Group, Witness


def _ev(e: EventInfo) -> str:
    return e.show()


def chain_text(cycle: list[CycleEdge], closed: bool = True) -> str:
    """`a: W x=1 (line 12) -[po;mb;po]-> b: R y=0 (line 13) -[fre]-> ... -> a`"""
    if not cycle:
        return ""
    parts = [_ev(cycle[0].src)]
    for i, e in enumerate(cycle):
        last = i == len(cycle) - 1
        dst = e.dst.label if (last and closed) else _ev(e.dst)
        parts.append(f"-[{e.name}]-> {dst}")
    return " ".join(parts)


def _sources(events: list[EventInfo]) -> list[str]:
    out = []
    seen = set()
    for e in events:
        if e.eid in seen or e.thread is None:
            continue
        seen.add(e.eid)
        if e.source and e.source != e.access:
            out.append(f"      {e.label}: {e.thread_name}, {('line %d: ' % e.line) if e.line else ''}{e.source}")
    return out


def group_text(g: Group) -> list[str]:
    head = f"  check {g.check} ({g.test} {g.expr})" if g.check != f"{g.test} {g.expr}" else f"  check {g.check}"
    k = g.executions
    lines = [f"{head}: rejects {k} execution{'s' if k != 1 else ''} with this outcome"
             + (" (before looking at rf/co)" if g.static else "")]
    if g.meaning:
        lines.append(f"    {g.meaning}")
    if g.cycle:
        kind = {"acyclic": "cycle", "irreflexive": "an event related to itself",
                "empty": "a pair that must not exist"}.get(g.test, "edges")
        lines.append(f"    {kind}: {chain_text(g.cycle, closed=g.test != 'empty')}")
        vias = [f"{e.src.label}->{e.dst.label}: {' > '.join(e.via)}" for e in g.cycle if e.via]
        if vias:
            lines.append("    edges from the model's definitions: " + "; ".join(vias))
        lines += _sources([e.src for e in g.cycle] + [e.dst for e in g.cycle])
    elif g.member is not None:
        lines.append(f"    an element that must not exist: {_ev(g.member)}")
    if g.note:
        lines.append(f"    ({g.note})")
    return lines


def witness_text(w: Witness, title: str = "witness (an allowed execution with this outcome)") -> list[str]:
    lines = [f"  {title}:"]
    by_thread: dict = {}
    for e in w.events:
        if e.thread is None:
            continue
        by_thread.setdefault(e.thread, []).append(e)
    for tid in sorted(by_thread):
        lines.append(f"    P{tid}: " + "; ".join(_ev(e) for e in by_thread[tid]))
    if w.rf:
        lines.append("    reads from: " + ", ".join(f"{r.label} <- {wr.label}" for wr, r in w.rf))
    if w.co:
        lines.append("    coherence: " + ", ".join(f"{a.label} < {b.label}" for a, b in w.co))
    if w.unordered:
        lines.append("    what this outcome relies on:")
        for u in w.unordered:
            lines.append(f"      {u.reason}")
    return lines


def render_text(ex: Explanation) -> str:
    """The explanation part of the text report (after the verdict lines)."""
    lines: list[str] = []
    r = ex.result
    if r is not None and r.undetermined:
        return ""
    if ex.forbidden:
        if ex.no_candidate:
            lines.append(f"  no candidate execution has this outcome at all: {ex.no_candidate}")
        else:
            total = sum(g.executions for g in ex.groups)
            lines.append(f"  {total} candidate execution{'s' if total != 1 else ''} with this outcome, "
                         f"all rejected by the model:")
            for g in ex.groups:
                lines += group_text(g)
    elif ex.witness is not None:
        lines += witness_text(ex.witness)
    return "\n".join(lines) + ("\n" if lines else "")


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------


def event_json(e: EventInfo) -> dict:
    return {"event": e.label, "eid": e.eid, "thread": e.thread_name, "line": e.line,
            "access": e.access, "source": e.source}


def cycle_json(cycle: list[CycleEdge]) -> list[dict]:
    out = []
    for e in cycle:
        d = event_json(e.src)
        d["edge"] = e.name
        d["to"] = e.dst.label
        d["via"] = list(e.via)
        d["steps"] = [{"src": s.src, "dst": s.dst, "relation": s.name} for s in e.steps]
        out.append(d)
    return out


def group_json(g: Group) -> dict:
    d = {"check": g.check, "executions": g.executions, "test": g.test, "expr": g.expr,
         "meaning": g.meaning, "static": g.static, "cycle": cycle_json(g.cycle)}
    if g.member is not None:
        d["member"] = event_json(g.member)
    if g.note:
        d["note"] = g.note
    return d


def witness_json(w: Witness) -> dict:
    return {
        "events": [event_json(e) for e in w.events],
        "rf": [{"write": a.label, "read": b.label} for a, b in w.rf],
        "co": [{"before": a.label, "after": b.label} for a, b in w.co],
        "unordered": [{"first": u.first.label, "second": u.second.label, "thread": u.first.thread_name,
                       "relation": u.relation, "reason": u.reason} for u in w.unordered],
        "would_forbid": list(w.would),
    }


def to_json(ex: Explanation) -> dict:
    r = ex.result
    d: dict = {"test": ex.test, "model": ex.model, "condition": ex.condition,
               "observation": ex.observation, "outcome": "forbidden" if ex.forbidden else "allowed"}
    if r is not None and r.undetermined:
        d["undetermined"] = r.undetermined
        return d
    if ex.forbidden:
        d["groups"] = [group_json(g) for g in ex.groups]
        if ex.no_candidate:
            d["cycle"] = []
            d["no_candidate"] = ex.no_candidate
    elif ex.witness is not None:
        d["witness"] = witness_json(ex.witness)
    return d


__all__ = ["render_text", "to_json", "chain_text", "group_text", "witness_text"]
