"""Which executions to draw: the explanation's own (`--graph`), or every
allowed / rejected one (`--show all|forbidden DIR`)."""
from __future__ import annotations

from typing import Optional

from .core import Explanation, build_group
from .dot import execution_dot, write_many


def main_picture(test, ex: Explanation, all_events: bool = False) -> Optional[str]:
    """DOT of the witness (allowed outcome) or of the first group's rejected
    execution with its cycle highlighted (forbidden outcome)."""
    if ex.forbidden and ex.groups:
        g = ex.groups[0]
        title = f"{ex.test}: rejected by {g.check} ({g.test} {g.expr}) under {ex.model}"
        return execution_dot(test, g.execution, title=title, cycle=g.cycle, all_events=all_events)
    if ex.witness is not None:
        title = f"{ex.test}: an allowed execution with {ex.condition} under {ex.model}"
        pairs = [(u.first.eid, u.second.eid) for u in ex.witness.unordered]
        return execution_dot(test, ex.witness.execution, title=title, all_events=all_events, unordered=pairs)
    return None


def write_show(test, ex: Explanation, which: str, directory: str, all_events: bool = False) -> list[str]:
    """--show all: every allowed execution; --show forbidden: every rejected
    one, each with the cycle of the check that rejected it."""
    base = ex.test.replace("/", "_")
    items = []
    if which == "all":
        for k, (cand, _out) in enumerate(ex.allowed, 1):
            items.append((f"allowed-{k}", execution_dot(
                test, cand, title=f"{ex.test}: allowed execution {k} under {ex.model}", all_events=all_events)))
    else:
        for k, (cand, failure) in enumerate(ex.rejected, 1):
            cycle = None
            check = cand.failed or "?"
            if failure is not None:
                cycle = build_group(test, check, 1, cand, failure).cycle
            items.append((f"forbidden-{k}", execution_dot(
                test, cand, title=f"{ex.test}: execution {k}, rejected by {check} under {ex.model}",
                cycle=cycle, all_events=all_events)))
    return write_many(directory, base, items)




def web_payload(test, lm, opts, ex: Optional[Explanation] = None) -> dict:
    """What the web page shows (weakmem.web.jobs): the explanation as JSON
    and as text, and the picture as inline SVG ("" without Graphviz).
    `ex`: an explanation already computed for `test` (else it is computed)."""
    from .dot import have_dot, render
    from .driver import explain
    from .render import render_text, to_json
    if ex is None:
        ex = explain(test, lm, opts)
    out = {"explanation": to_json(ex), "explanation_text": render_text(ex)}
    dot = main_picture(test, ex)
    svg = ""
    if dot is not None and have_dot():
        svg = render(dot, "svg").decode("utf-8", errors="replace")
        svg = svg[svg.find("<svg"):] if "<svg" in svg else svg     # inline: no XML prolog
    out["svg"] = svg
    if dot is not None:
        out["dot"] = dot
    return out


__all__ = ["main_picture", "write_show", "web_payload"]
