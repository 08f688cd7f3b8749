"""The command line: formats, exit codes, errors with positions, --explain."""
from __future__ import annotations

import json
import os

from click.testing import CliRunner

from weakmem.cli import main

HERE = os.path.dirname(os.path.abspath(__file__))
EX = os.path.join(HERE, "..", "examples")


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_text_and_explain():
    r = run("run", "--explain", os.path.join(EX, "SB+mb.litmus"), os.path.join(EX, "SB.litmus"))
    assert r.exit_code == 0, r.output
    assert "SB+mb: Never" in r.output and "SB: Sometimes" in r.output
    assert "check propagation" in r.output                # the LKMM axiom that forbids SB+mb
    assert "-[po;mb;po]->" in r.output and "-[fre]->" in r.output   # and its cycle
    assert "witness" in r.output and "W x then R y on P0: unordered" in r.output


def test_herd_format_block():
    r = run("run", "--format", "herd", os.path.join(EX, "SB.litmus"))
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0] == "Test SB Allowed"
    assert lines[1] == "States 4"
    assert "Ok" in lines and "Positive: 1 Negative: 3" in lines
    assert "Condition exists (0:r0=0 /\\ 1:r0=0)" in lines
    assert "Observation SB Sometimes 1 3" in lines


def test_json_format():
    r = run("run", "--format", "json", "--model", "sc", os.path.join(EX, "SB.litmus"))
    d = json.loads(r.output)
    assert d["verdict"] == "Never" and d["model"] == "sc" and len(d["states"]) == 3


def test_bad_input_names_position_and_fails(tmp_path):
    bad = tmp_path / "bad.litmus"
    bad.write_text("C bad\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1;\n}\nexists (x=1)\n")
    good = os.path.join(EX, "SB.litmus")
    r = run("run", str(bad), good)
    assert r.exit_code == 1
    assert f"{bad}:4:19: error:" in r.output
    assert "SB: Sometimes" in r.output                    # the run goes on with the next file
    assert "Traceback" not in r.output


def test_unknown_macro_and_bad_model(tmp_path):
    t = tmp_path / "u.litmus"
    t.write_text("C u\n{}\nP0(int *x) {\n  smp_memb();\n}\nexists (x=0)\n")
    r = run("run", str(t))
    assert r.exit_code == 1 and "4:3: error: Unknown macro smp_memb" in r.output
    m = tmp_path / "m.cat"
    m.write_text('"m"\nacyclic po | nosuch as x\n')
    r = run("run", "--model", str(m), os.path.join(EX, "SB.litmus"))
    assert r.exit_code == 1 and "m.cat:2:14: error: unbound var: nosuch" in r.output


def test_timeout_reports_undetermined(tmp_path):
    # four threads incrementing one counter: many executions, tiny budget
    t = tmp_path / "t.litmus"
    body = "".join(f"P{i}(int *x) {{ int r; r = xchg(x, {i + 1}); atomic_inc(x); r = READ_ONCE(*x); }}\n"
                   for i in range(5))
    t.write_text("C t\n{}\n" + body + "exists (x=0)\n")
    r = run("run", "--format", "herd", "--timeout", "1", str(t), os.path.join(EX, "SB.litmus"))
    assert r.exit_code == 0
    assert "Undetermined: time limit" in r.output and "Observation SB Sometimes" in r.output


def test_models_command():
    r = run("models", "--format", "json")
    names = {m["name"] for m in json.loads(r.output)}
    assert {"lkmm", "sc"} <= names


def test_herd_default_model_from_its_library():
    """With herd7's library on the include path and no --model, an assembly
    test runs under herd7's own default model for its architecture."""
    from corpus_util import SHARED
    import pytest
    lib = SHARED / "corpus" / "herd-libdir"
    tests = SHARED / "corpus" / "catalogue" / "x86" / "tests"
    if not lib.is_dir() or not tests.is_dir():
        pytest.skip("../shared is absent")
    f = sorted(tests.glob("*.litmus"))[0]
    r = run("run", "-I", str(lib), str(f))
    assert r.exit_code == 0 and "under x86tso.cat" in r.output
    r = run("run", str(f))
    assert r.exit_code == 0 and "under x86-tso" in r.output
