"""weakmem vs herd7 7.58 on the LKMM corpora (skips without ../shared)."""
from __future__ import annotations

import pytest

from corpus_util import SHARED, compare, load_reference, need_shared, run_file, sample

KERNEL = load_reference("lkmm-litmus-tests.jsonl")
PMK = load_reference("pmk-manual.jsonl")


def official():
    model = SHARED / "corpus" / "lkmm" / "model"
    return dict(conf=str(model / "linux-kernel.cfg"), includes=[str(model)], timeout=120)


@pytest.mark.parametrize("ref", [r for r in KERNEL if r.get("verdict")], ids=lambda r: r["file"])
@pytest.mark.parametrize("model", ["official", "builtin"])
def test_kernel_litmus(ref, model):
    shared = need_shared()
    opts = official() if model == "official" else dict(model="lkmm", timeout=120)
    res = run_file(shared / "corpus" / "lkmm" / "litmus-tests" / ref["file"], **opts)
    assert compare(res, ref, counts=True) == []


@pytest.mark.parametrize("ref", sample(PMK, 60, max_seconds=0.5), ids=lambda r: r["file"])
@pytest.mark.parametrize("model", ["official", "builtin"])
def test_pmk_manual_sample(ref, model):
    shared = need_shared()
    opts = official() if model == "official" else dict(model="lkmm", timeout=120)
    res = run_file(shared / "corpus" / "pmk-manual" / ref["file"], **opts)
    assert compare(res, ref, counts=True) == []
