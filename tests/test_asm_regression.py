"""herd7's ARM, AArch32, PPC and RISC-V regression tests against herd7's
reference results, under herd7's own default model (interpreted by
weakmem) and under weakmem's built-in model; tests herd7 rejects are
rejected with a positioned error.  Skips when ../shared is absent."""
from __future__ import annotations

import pytest

from asm_util import herd_opts
from corpus_util import compare, load_reference, need_shared, run_file
from weakmem.errors import LitmusError

HERD_DEFAULT = {"ARM": "arm.cat", "AArch32": "arm.cat", "PPC": "ppc.cat", "RISCV": "riscv.cat"}
REFS = [(d, r) for d in HERD_DEFAULT for r in load_reference(f"herd-regression-{d}.jsonl")]


@pytest.mark.parametrize("ref", [r for r in REFS if r[1].get("verdict")], ids=lambda r: f"{r[0]}/{r[1]['file']}")
@pytest.mark.parametrize("model", ["herd", "builtin"])
def test_regression(ref, model):
    shared = need_shared()
    d, row = ref
    opts = herd_opts(HERD_DEFAULT[d]) if model == "herd" else dict(timeout=60)
    res = run_file(shared / "corpus" / "herd-regression" / d / row["file"], **opts)
    assert compare(res, row) == []
    # the reference has herd7's Positive/Negative line, swapped for ~exists
    counts = (res.neg, res.pos) if res.quantifier == "~exists" else (res.pos, res.neg)
    assert counts == (row["pos"], row["neg"])


@pytest.mark.parametrize("ref", [r for r in REFS if not r[1].get("verdict")], ids=lambda r: f"{r[0]}/{r[1]['file']}")
def test_regression_rejections(ref):
    shared = need_shared()
    d, row = ref
    with pytest.raises(LitmusError) as e:
        run_file(shared / "corpus" / "herd-regression" / d / row["file"], timeout=60)
    assert e.value.pos is not None and e.value.pos.line > 0
