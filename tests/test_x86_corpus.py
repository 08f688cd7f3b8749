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
    m = model if "." not in model else str(LIBDIR / model)
    res = run_file(shared / "corpus" / folder / ref["file"], model=m, timeout=60)
    assert compare(res, ref) == []


@pytest.mark.parametrize("ref", ok(X86_TSO), ids=lambda r: r["file"])
@pytest.mark.parametrize("model", ["x86tso.cat", "x86-tso"])
def test_x86_catalogue_tso(ref, model):
    check("catalogue/x86", ref, model)


@pytest.mark.parametrize("ref", sample(X86_DEFAULT, 8), ids=lambda r: r["file"])
def test_x86_catalogue_default_model(ref):
    # no --model: weakmem's default for X86 is its own x86-tso
    shared = need_shared()
    res = run_file(shared / "corpus" / "catalogue" / "x86" / ref["file"], timeout=60)
    assert compare(res, ref) == []


@pytest.mark.parametrize("ref", sample(X86_SC, 8), ids=lambda r: r["file"])
@pytest.mark.parametrize("model", ["sc.cat", "sc"])
def test_x86_catalogue_sc(ref, model):
    check("catalogue/x86", ref, model)


@pytest.mark.parametrize("ref", ok(X64_MIXED), ids=lambda r: r["file"])
@pytest.mark.parametrize("model", ["x86tso-mixed.cat", "x86-tso"])
def test_x86_64_catalogue_tso(ref, model):
    check("catalogue/x86_64", ref, model)


@pytest.mark.parametrize("ref", sample(X64_DEFAULT, 8), ids=lambda r: r["file"])
def test_x86_64_catalogue_default_model(ref):
    shared = need_shared()
    res = run_file(shared / "corpus" / "catalogue" / "x86_64" / ref["file"], timeout=60)
    assert compare(res, ref) == []


@pytest.mark.parametrize("ref", sample(X64_SC, 8), ids=lambda r: r["file"])
@pytest.mark.parametrize("model", ["sc.cat", "sc"])
def test_x86_64_catalogue_sc(ref, model):
    check("catalogue/x86_64", ref, model)


@pytest.mark.parametrize("ref", ok(REGRESSION), ids=lambda r: r["file"])
@pytest.mark.parametrize("model", ["x86tso-mixed.cat", "x86-tso"])
def test_herd_regression_x86_64(ref, model):
    check("herd-regression/X86_64", ref, model)


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
