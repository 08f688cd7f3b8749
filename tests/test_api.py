"""The Python API: weakmem.check / check_many / matrix, Result, errors."""
from __future__ import annotations

import dataclasses
import importlib
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import weakmem

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "SB+mb.litmus"

SB = """C SB
(* Result: Sometimes *)
{}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); int r0 = READ_ONCE(*y); }
P1(int *x, int *y) { WRITE_ONCE(*y, 1); int r0 = READ_ONCE(*x); }
exists (0:r0=0 /\\ 1:r0=0)
"""


def test_import_is_cheap():
    """`import weakmem` loads none of the engine (the API is imported on use)."""
    code = "import sys, weakmem; print(sorted(m for m in sys.modules if m.startswith('weakmem')))"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "['weakmem']"


def test_check_path():
    r = weakmem.check(EXAMPLE)
    assert isinstance(r, weakmem.Result)
    assert (r.verdict, r.kind, r.model) == ("Never", "Allowed", "lkmm")
    assert r.counts == (r.positive, r.negative) and r.positive == 0 and r.negative == 3
    assert len(r.states) == 3 and "0:r0=0; 1:r0=0;" not in r.states
    assert r.explanation and r.witness is None
    d = r.to_dict()
    assert d["verdict"] == "Never" and json.loads(r.to_json())["states"] == r.states


def test_check_text_and_models():
    r = weakmem.check(SB)
    assert (r.file, r.verdict, r.expected, r.judgement) == ("<string>", "Sometimes", "Sometimes", "pass")
    assert r.witness and "P0" in r.witness and "P1" in r.witness
    assert weakmem.check(SB, model="sc").verdict == "Never"
    assert weakmem.check(SB, model="sc").judgement == "fail"
    r = weakmem.check(SB, explain=False)
    assert r.witness is None and r.explanation is None


def test_check_errors_carry_position(tmp_path):
    bad = "C bad\n{}\nP0(int *x) { WRITE_ONCE(*x, ; }\nexists (x=1)\n"
    with pytest.raises(weakmem.LitmusError) as e:
        weakmem.check(bad)
    assert (e.value.file, e.value.line, e.value.column) == ("<string>", 3, 29)
    f = tmp_path / "bad.litmus"
    f.write_text(bad)
    with pytest.raises(weakmem.WeakmemError) as e:
        weakmem.check(f)
    assert e.value.file == str(f) and e.value.line == 3
    with pytest.raises(weakmem.WeakmemError) as e:
        weakmem.check(tmp_path / "missing.litmus")
    assert e.value.file == str(tmp_path / "missing.litmus") and "cannot read" in str(e.value)
    with pytest.raises(weakmem.WeakmemError) as e:
        weakmem.check(EXAMPLE, model="no-such-model")
    assert e.value.file == str(EXAMPLE) and "unknown model" in e.value.msg


def test_check_timeout_is_a_result():
    big = ROOT / "examples" / "SB+mb.litmus"
    r = weakmem.check(big, timeout=1e-9)
    assert r.verdict is None and r.undetermined and r.judgement in ("undetermined", "unjudged")


def test_check_many(tmp_path):
    (tmp_path / "a.litmus").write_text(SB)
    (tmp_path / "b.litmus").write_text(SB.replace("Sometimes", "Never"))
    (tmp_path / "c.litmus").write_text("C c\n{}\nP0(int *x) { WRITE_ONCE(*x, ; }\nexists (x=1)\n")
    db = tmp_path / "r.sqlite"
    rs = weakmem.check_many([tmp_path], jobs=2, db=db)
    assert [(Path(r.file).name, r.judgement) for r in rs] == [("a.litmus", "pass"), ("b.litmus", "fail"),
                                                              ("c.litmus", "error")]
    assert rs[2].error.startswith(f"{tmp_path / 'c.litmus'}:3:29: error:")
    again = weakmem.check_many(str(tmp_path), jobs=0, db=db)
    assert [r.stored for r in again] == [True, True, True]
    assert [dataclasses.replace(r, stored=False, seconds=0) for r in again] == \
           [dataclasses.replace(r, seconds=0) for r in rs]
    notdb = tmp_path / "x.txt"
    notdb.write_text("hello")
    with pytest.raises(weakmem.WeakmemError) as e:
        weakmem.check_many([tmp_path / "a.litmus"], db=notdb)
    assert e.value.file == str(notdb)


def test_matrix():
    m = weakmem.matrix(EXAMPLE, targets=["x86-64"], languages=False)
    assert [(r.target, r.verdict) for r in m.rows] == [("x86-64", "Never")]
    importlib.import_module("weakmem.matrix.core")   # the package shadows the function: still callable
    assert isinstance(weakmem.matrix, types.ModuleType)
    m2 = weakmem.matrix(EXAMPLE, targets=["x86-64"], languages=False)
    assert dataclasses.asdict(m2)["rows"][0]["verdict"] == "Never"
