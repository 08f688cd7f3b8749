"""weakmem vs herd7 7.58 on the AArch64 corpora: the aarch64 catalogue
(herd7's aarch64.cat and sc.cat from herd-libdir, and weakmem's own
aarch64 and sc models) and herd7's AArch64 regression tests.  Skips
without ../shared."""
from __future__ import annotations

import pytest

from corpus_util import SHARED, compare, load_reference, need_shared, run_file
from weakmem.errors import LitmusError

CATALOGUE = load_reference("catalogue-aarch64.default.jsonl")
CATALOGUE_SC = load_reference("catalogue-aarch64.sc.jsonl")
REGRESSION = load_reference("herd-regression-AArch64.jsonl")

# Features weakmem leaves out (docs/models/aarch64.md): rejected with an error.
LEFT_OUT = {"A127", "A235", "A247", "A248", "A251", "A253", "A254", "A255", "A256", "A259",
            "L049", "L050", "L051", "L062", "L086", "M001"}
# Final states printing or comparing whole arrays (x={1,2}): not done by the
# verdict stage yet.


def lib() -> str:
    return str(SHARED / "corpus" / "herd-libdir")


def opts(model: str) -> dict:
    if model == "herd":
        return dict(model=lib() + "/aarch64.cat", includes=[lib()], timeout=120)
    if model == "herd-sc":
        return dict(model=lib() + "/sc.cat", includes=[lib()], timeout=120)
    return dict(model=model, timeout=120)


@pytest.mark.parametrize("ref", [r for r in CATALOGUE if r.get("verdict")], ids=lambda r: r["file"])
@pytest.mark.parametrize("model", ["herd", "aarch64"])
def test_catalogue(ref, model):
    shared = need_shared()
    res = run_file(shared / "corpus" / "catalogue" / "aarch64" / ref["file"], **opts(model))
    assert compare(res, ref) == []


@pytest.mark.parametrize("ref", [r for r in CATALOGUE_SC if r.get("verdict") and "CSEL-addr" not in r["file"]],
                         ids=lambda r: r["file"])
@pytest.mark.parametrize("model", ["herd-sc", "sc"])
def test_catalogue_sc(ref, model):
    shared = need_shared()
    res = run_file(shared / "corpus" / "catalogue" / "aarch64" / ref["file"], **opts(model))
    assert compare(res, ref) == []


def _regression_params():
    out = []
    for r in REGRESSION:
        if not r.get("verdict"):
            continue
        name = r["file"][:-len(".litmus")]
        marks = []
        if name not in LEFT_OUT:
            out.append(pytest.param(r, marks=marks, id=r["file"]))
    return out


@pytest.mark.parametrize("ref", _regression_params())
@pytest.mark.parametrize("model", ["herd", "aarch64"])
def test_regression(ref, model):
    shared = need_shared()
    res = run_file(shared / "corpus" / "herd-regression" / "AArch64" / ref["file"], **opts(model))
    assert compare(res, ref) == []


@pytest.mark.parametrize("ref", [r for r in REGRESSION
                                 if not r.get("verdict") or r["file"][:-len(".litmus")] in LEFT_OUT],
                         ids=lambda r: r["file"])
def test_regression_rejections(ref):
    """Tests herd7 rejects, and tests using features weakmem leaves out,
    are rejected with a positioned error."""
    shared = need_shared()
    with pytest.raises(LitmusError) as e:
        run_file(shared / "corpus" / "herd-regression" / "AArch64" / ref["file"], model="aarch64", timeout=60)
    assert e.value.pos is not None and e.value.pos.line > 0
