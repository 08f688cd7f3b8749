"""Shared helpers for corpus comparisons against herd7's reference results."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

SHARED = Path(os.environ.get("WEAKMEM_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))


def need_shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is absent")
    return SHARED


def load_reference(name: str) -> list[dict]:
    p = SHARED / "reference" / name
    if not p.exists():
        return []
    return [json.loads(l) for l in p.read_text().splitlines() if l.strip()]


def norm_state(s: str) -> tuple:
    parts = [p.strip() for p in s.split(";") if p.strip()]
    return tuple(sorted(re.sub(r"\s+", "", p) for p in parts))


def sample(refs: list[dict], k: int, seed: int = 0, max_seconds: float | None = None) -> list[dict]:
    """A deterministic spread of k references (every n-th), optionally only
    those herd7 finished quickly."""
    refs = [r for r in refs if r.get("verdict")]
    if max_seconds is not None:
        refs = [r for r in refs if (r.get("seconds") or 0) <= max_seconds]
    refs.sort(key=lambda r: r["file"])
    if len(refs) <= k:
        return refs
    step = len(refs) / k
    return [refs[int(i * step + seed) % len(refs)] for i in range(k)]


def compare(result, ref: dict, counts: bool = False) -> list[str]:
    """Differences between a weakmem TestResult and a herd7 reference row
    (verdict and states; with `counts`, also Positive/Negative and flags)."""
    from weakmem.report.herd import state_line
    diffs = []
    if result.undetermined:
        return [f"undetermined: {result.undetermined}"]
    if result.verdict.observation != ref["verdict"]:
        diffs.append(f"verdict {result.verdict.observation} (herd7 {ref['verdict']})")
    mine = sorted(norm_state(state_line(s)) for s in result.states)
    theirs = sorted(norm_state(s) for s in ref["states"])
    if mine != theirs:
        diffs.append(f"states +{len(set(mine) - set(theirs))} -{len(set(theirs) - set(mine))}")
    if counts:
        if (result.pos, result.neg) != (ref.get("pos"), ref.get("neg")):
            diffs.append(f"counts {result.pos}/{result.neg} (herd7 {ref.get('pos')}/{ref.get('neg')})")
        if sorted(result.flags) != sorted(ref.get("flags") or []):
            diffs.append(f"flags {sorted(result.flags)} (herd7 {ref.get('flags')})")
    return diffs


_MODELS = None


def run_file(path: Path, **opts):
    """Check one litmus file with the Python API (models cached per options)."""
    global _MODELS
    from weakmem.litmus.parse import parse_litmus
    from weakmem.run import ModelCache, Options, check_test
    if _MODELS is None:
        _MODELS = ModelCache()
    o = Options(**opts)
    test = parse_litmus(str(path))
    return check_test(test, _MODELS.get(o, test.arch), o)
