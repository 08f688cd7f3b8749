"""Every gallery test's verdict per language model and per CPU (weakmem matrix).

tests/data/gallery_matrix.json records the table shown in docs/gallery.md;
the language rows are also asserted, with their reasons, by test_gallery.py,
and the CPU models agree with herd7's on the reference corpora."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from weakmem.matrix.core import build_matrix

HERE = Path(__file__).parent
GALLERY = HERE.parent / "examples" / "gallery"
EXPECTED = json.loads((HERE / "data" / "gallery_matrix.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_gallery_matrix(name):
    rows = build_matrix(str(GALLERY / f"{name}.litmus")).rows
    got = {r.target: r.verdict for r in rows}
    want = {t: v for t, v in EXPECTED[name].items() if v != "?"}
    assert {t: got.get(t) for t in want} == want
