"""JSON report: the same facts as the herd block, plus timing."""
from __future__ import annotations

import json

from weakmem.report.herd import state_line
from weakmem.verdict import TestResult


def json_obj(r: TestResult) -> dict:
    v = r.verdict
    return {
        "test": r.name,
        "file": r.path,
        "model": r.model,
        "kind": v.kind,
        "verdict": None if r.undetermined else v.observation,
        "ok": None if r.undetermined else v.ok,
        "pos": r.pos,
        "neg": r.neg,
        "states": sorted(state_line(s) for s in r.states),
        "flags": sorted(r.flags),
        "condition": r.condition_text,
        "undetermined": r.undetermined,
        "candidates": r.candidates,
        "expected": r.results_comment,        # the test's own `Result:` comment lines
        "seconds": round(r.seconds, 4),
    }


def json_line(r: TestResult) -> str:
    return json.dumps(json_obj(r), sort_keys=True)
