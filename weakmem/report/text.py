"""The default, short and readable report."""
from __future__ import annotations

from weakmem.litmus.ast import Quantifier
from weakmem.verdict import TestResult


def text_report(r: TestResult) -> str:
    v = r.verdict
    if r.verdict_only:
        return _verdict_only(r)
    if r.undetermined:
        head = f"{r.name}: Undetermined: {r.undetermined} under {r.model}"
    else:
        meaning = {"Never": "cannot happen", "Always": "always happens", "Sometimes": "can happen"}[v.observation]
        head = f"{r.name}: {v.observation} — the condition {meaning} under {r.model}"
    out = [head,
           f"  condition: {r.condition_text}",
           f"  allowed executions: {r.pos + r.neg} ({r.pos} satisfy it), {len(r.states)} final state(s); "
           f"{r.seconds:.2f} s"]
    if r.flags:
        out.append(f"  flags: {', '.join(sorted(r.flags))}")
    if r.results_comment and not r.undetermined:
        said = r.results_comment[0]
        agree = said.split()[0].lower() == v.observation.lower() if said.split() else False
        out.append(f"  the test's own Result comment says {said!r}" + ("" if agree else "  <-- differs"))
    return "\n".join(out) + "\n"


def _verdict_only(r: TestResult) -> str:
    """--verdict-only: the search stopped at the first execution deciding
    the condition, so only whether one exists is known."""
    if r.undetermined:
        head = f"{r.name}: UNDETERMINED ({r.undetermined}) under {r.model}"
    elif r.quantifier == Quantifier.FORALL:
        head = (f"{r.name}: No — the condition can fail under {r.model}" if r.neg else
                f"{r.name}: Always — the condition always holds under {r.model}")
    else:
        head = (f"{r.name}: Yes — the condition can happen under {r.model}" if r.pos else
                f"{r.name}: Never — the condition cannot happen under {r.model}")
    found = r.pos + r.neg
    why = ("--verdict-only" if r.states_cut is None else
           f"counting them all took more than {r.states_cut:g} s; --all-states waits for them")
    tail = ("stopped at the first deciding execution" if found else
            "no allowed execution decides it") + f"; states not counted ({why})"
    return "\n".join([head, f"  condition: {r.condition_text}", f"  {tail}; {r.seconds:.2f} s"]) + "\n"
