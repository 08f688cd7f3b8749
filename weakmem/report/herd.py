"""herd7's output block, line for line (other tools parse it)."""
from __future__ import annotations

from weakmem.cat.eval import UNDEF_FLAG
from weakmem.litmus.ast import Quantifier
from weakmem.verdict import TestResult


def state_line(state) -> str:
    return " ".join(f"{t}={v};" for t, v in state)


def herd_block(r: TestResult) -> str:
    v = r.verdict
    lines = [f"Test {r.name} {v.kind}"]
    states = sorted(state_line(s) for s in r.states)
    lines.append(f"States {len(states)}")
    lines.extend(states)
    if r.undetermined:
        lines.append(f"Undetermined: {r.undetermined}")
    elif UNDEF_FLAG in r.flags:
        lines.append("Undef")
    else:
        lines.append("Ok" if v.ok else "No")
    lines.append("Witnesses")
    if r.quantifier == Quantifier.NOT_EXISTS:     # herd7 swaps the counts on this line only
        lines.append(f"Positive: {r.neg} Negative: {r.pos}")
    else:
        lines.append(f"Positive: {r.pos} Negative: {r.neg}")
    for f in sorted(r.flags):
        lines.append(f"Flag {f}")
    lines.append(f"Condition {r.condition_text}")
    if not r.undetermined:
        lines.append(f"Observation {r.name} {v.observation} {r.pos} {r.neg}")
    lines.append(f"Time {r.name} {r.seconds:.2f}")
    return "\n".join(lines) + "\n"
