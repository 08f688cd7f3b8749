"""weakmem vs herd7 7.58 on the x86 / x86-64 corpora (skips without ../shared).

herd7's verdicts and final states, recorded in ../shared/reference, with
herd7's own models (x86tso.cat, x86tso-mixed.cat, sc.cat from its library)
and with weakmem's x86-tso and sc models.
"""
from __future__ import annotations

import pytest

from corpus_util import SHARED, compare, load_reference, need_shared, run_file, sample

LIBDIR = SHARED / "corpus" / "herd-libdir"
CAT = SHARED / "corpus" / "catalogue"

X86_TSO = load_reference("catalogue-x86.x86tso.jsonl")
X86_DEFAULT = load_reference("catalogue-x86.default.jsonl")
X86_SC = load_reference("catalogue-x86.sc.jsonl")
X64_DEFAULT = load_reference("catalogue-x86_64.default.jsonl")
X64_MIXED = load_reference("catalogue-x86_64.tso-mixed.jsonl")
X64_SC = load_reference("catalogue-x86_64.sc.jsonl")
REGRESSION = load_reference("herd-regression-X86_64.jsonl")


def ok(refs):
    return [r for r in refs if r.get("verdict")]


def check(folder, ref, model):
    shared = need_shared()
    m = str(LIBDIR / model) if model and "." in model else model
    res = run_file(shared / "corpus" / folder / ref["file"], model=m, timeout=60)
    assert compare(res, ref) == []


# (folder, reference rows, models: herd7's .cat and weakmem's own; None is
# no --model: weakmem's default for x86 and x86-64, its own x86-tso)
CASES = [
    ("catalogue/x86", ok(X86_TSO), ["x86tso.cat", "x86-tso"]),
    ("catalogue/x86", sample(X86_DEFAULT, 8), [None]),
    ("catalogue/x86", sample(X86_SC, 8), ["sc.cat", "sc"]),
    ("catalogue/x86_64", ok(X64_MIXED), ["x86tso-mixed.cat", "x86-tso"]),
    ("catalogue/x86_64", sample(X64_DEFAULT, 8), [None]),
    ("catalogue/x86_64", sample(X64_SC, 8), ["sc.cat", "sc"]),
    ("herd-regression/X86_64", ok(REGRESSION), ["x86tso-mixed.cat", "x86-tso"]),
]


@pytest.mark.parametrize("folder, ref, model",
                         [(folder, ref, model) for folder, refs, models in CASES for ref in refs for model in models],
                         ids=lambda x: x["file"] if isinstance(x, dict) else str(x))
def test_x86_corpus(folder, ref, model):
    check(folder, ref, model)


def test_herd_regression_output_matches_expected():
    """herd7's full output (.expected files): every line but Time/Hash."""
    from weakmem.report.herd import herd_block
    shared = need_shared()
    folder = shared / "corpus" / "herd-regression" / "X86_64"
    for exp in sorted(folder.glob("*.litmus.expected")):
        res = run_file(folder / exp.name[: -len(".expected")], timeout=60)
        want = [l for l in exp.read_text().splitlines() if l.strip() and not l.startswith("Hash=")]
        got = [l for l in herd_block(res).splitlines() if l.strip() and not l.startswith("Time ")]
        assert got == want, exp.name
