"""The gallery (examples/gallery, docs/gallery.md): each test's verdict under
each language model is the one its header comment states
("Expected: c11 Sometimes, qemu Never, lkmm Never, sc Never", optionally
"Sometimes with *undef*"), and docs/gallery.md shows every test."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GALLERY = ROOT / "examples" / "gallery"
FILES = sorted(GALLERY.glob("*.litmus"))
MODELS = ("c11", "qemu", "lkmm", "sc")


def expected(path: Path) -> dict[str, tuple[str, str | None]]:
    """model -> (verdict, flag or None), from the header's Expected: clause."""
    text = path.read_text()
    m = re.search(r"Expected:(.*?)\n \* Source:", text, re.S)
    assert m, f"{path.name}: no Expected:/Source: lines"
    clause = " ".join(l.strip().lstrip("*").strip() for l in m.group(1).splitlines())
    while re.search(r"\([^()]*\)", clause):
        clause = re.sub(r"\([^()]*\)", "", clause)
    out = {}
    for model, verdict, flag in re.findall(r"\b(c11|qemu|lkmm|sc) (Sometimes|Never|Always)(?: with (\S+))?",
                                          clause):
        out[model] = (verdict, flag.rstrip(",.") if flag else None)
    return out


CASES = [(f, m) for f in FILES for m in MODELS]

_CACHE = None


@pytest.mark.parametrize("path,model", CASES, ids=[f"{f.stem}-{m}" for f, m in CASES])
def test_gallery_verdict(path, model):
    global _CACHE
    from weakmem.litmus.parse import parse_litmus
    from weakmem.run import ModelCache, Options, check_test
    if _CACHE is None:
        _CACHE = ModelCache()
    want = expected(path)
    assert set(want) == set(MODELS), f"{path.name}: Expected: names {sorted(want)}"
    opts = Options(model=model)
    test = parse_litmus(str(path))
    r = check_test(test, _CACHE.get(opts, test.arch, test), opts)
    verdict, flag = want[model]
    assert r.verdict.observation == verdict
    assert sorted(r.flags) == ([flag] if flag else [])


def test_worked_example():
    """The brief's worked example: xchg then read on two threads is allowed
    by both QEMU readings; smp_mb__after_rmw() forbids it."""
    assert expected(GALLERY / "QEMU-event-xchg+read.litmus")["c11"][0] == "Sometimes"
    assert expected(GALLERY / "QEMU-event-xchg+read.litmus")["qemu"][0] == "Sometimes"
    assert expected(GALLERY / "QEMU-event-xchg+mb__after_rmw+read.litmus")["c11"][0] == "Never"


def test_every_gallery_test_is_in_the_docs():
    doc = (ROOT / "docs" / "gallery.md").read_text()
    for f in FILES:
        assert f.name in doc, f"docs/gallery.md does not show {f.name}"


def test_headers_name_their_source():
    for f in FILES:
        text = f.read_text()
        assert "Models:" in text and "Source:" in text, f.name


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_c11_reading_is_herds_rc11(path):
    """The c11 model is RC11: herd7's rc11.cat over the same events gives
    the same verdicts, counts and flags (skipped without ../shared)."""
    from corpus_util import SHARED
    herd = SHARED / "corpus" / "herd-libdir" / "rc11.cat"
    if not herd.exists():
        pytest.skip("herd7's rc11.cat (../shared) is absent")
    global _CACHE
    from weakmem.litmus.parse import parse_litmus
    from weakmem.run import ModelCache, Options, check_test
    if _CACHE is None:
        _CACHE = ModelCache()
    test = parse_litmus(str(path))
    out = []
    for model in ("c11", str(herd)):
        opts = Options(model=model)
        r = check_test(test, _CACHE.get(opts, test.arch, test), opts)
        out.append((r.verdict.observation, r.pos, r.neg, sorted(r.states), sorted(r.flags)))
    assert out[0] == out[1]
