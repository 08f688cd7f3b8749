"""weakmem.explain -- why an outcome cannot happen, or how it can.

    from weakmem.explain import explain, ExplainOptions
    ex = explain(test, lm, opts)                 # Explanation
    ex.groups[0].check, ex.groups[0].cycle       # forbidden: failing check, cycle
    [(s.src, s.dst, s.name) for e in ex.groups[0].cycle for s in e.steps]
    ex.witness.unordered                         # allowed: what the model leaves unordered
    render_text(ex), to_json(ex), to_dot(...)    # reports

See docs/explain.md.
"""
from .core import CycleEdge, EventInfo, Explanation, Group, Unordered, Witness
from .driver import ExplainOptions, explain
from .pictures import web_payload
from .unfold import Step

__all__ = ["explain", "ExplainOptions", "Explanation", "Group", "CycleEdge", "EventInfo",
           "Witness", "Unordered", "Step", "web_payload"]
