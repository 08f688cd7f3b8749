"""The polarity analysis (weakmem.cat.monotone): which checks may refute a
partial execution.  Soundness is tested against the interpreter on random
expressions; the built-in models and herd7's library are analysed whole."""
from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakmem.cat import rel as R
from weakmem.cat.eval import EvalCache, ExecInput, evaluate
from weakmem.cat.model import load_model, load_model_text
from weakmem.cat.monotone import ANY, CONST, DEC, INC, ZERO, analyse

from corpus_util import SHARED

N = 4


def pol_of(text: str, name: str = "v") -> int:
    return analyse(load_model_text(text)).names[name]


def prunable(text: str) -> list[str]:
    a = analyse(load_model_text(text))
    return [s.name for s, k, ok in a.checks if ok]


# ---------------------------------------------------------------- polarity rules


@pytest.mark.parametrize("expr,want", [
    ("po", CONST),
    ("rf", INC),
    ("rf | po", INC),
    ("rf ; po", INC),
    ("(rf | po)+", INC),
    ("rf^-1 ; po", INC),
    ("[domain(rf)]", INC),
    ("~rf", DEC),
    ("po \\ rf", DEC),
    ("rf \\ po", INC),
    ("rf \\ rf", ANY),
    ("(rf ; po) \\ id", INC),
    ("rf & ~rf", ANY),
    ("po \\ (po \\ rf)", INC),
    ("let f(x) = x ; po in f(rf)", INC),
    ("let g(x) = po \\ x in g(rf)", DEC),
    ("try rf with 0", ANY),
    ("try po with rf", INC),
])
def test_polarity_rules(expr, want):
    assert pol_of(f"let v = {expr}\nshow v") == want


def test_with_over_dynamic_set_is_zero_then_absorbing():
    text = ("let s = rf\nwith c from {s}\n"
            "let a = c \\ (c ; c)\nlet b = c | po\nlet d = ~c\nshow a, b, d")
    an = analyse(load_model_text(text))
    assert an.names["c"] == ZERO
    assert an.names["a"] == ZERO          # co \ (co;co) is empty at the lower bound
    assert an.names["b"] == INC
    assert an.names["d"] == DEC


def test_with_over_static_set_is_exact():
    an = analyse(load_model_text("with c from {po, id}\nlet v = c | rf\nshow v"))
    assert an.names["c"] == CONST and an.names["v"] == INC


def test_checks_and_negated_checks():
    text = ("acyclic rf | po as a\nirreflexive po \\ rf as b\n"
            "~empty po \\ rf as c\n~empty rf as d\nflag ~empty rf as e")
    assert prunable(text) == ["a", "c"]


def test_condition_on_dynamic_value_is_not_trusted():
    text = ("let v = if rf = 0 then po else id\nacyclic v as a\n"
            "let w = if \"novariant\" then rf else po\nacyclic w as b")
    assert prunable(text) == ["b"]


def test_recursive_fixpoint_keeps_polarity():
    assert pol_of("let rec v = rf | (v ; po)\nshow v") == INC
    assert pol_of("let rec v = po \\ (v ; rf)\nshow v") == ANY


# ------------------------------------------------------ soundness on random input

ATOMS = ["rf", "po", "id", "r", "[A]", "0"]


def exprs():
    leaf = st.sampled_from(ATOMS)

    def ext(children):
        return st.one_of(
            st.tuples(children, st.sampled_from(["|", "&", ";", "\\"]), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(children, st.sampled_from(["+", "*", "?", "^-1"])).map(lambda t: f"({t[0]}){t[1]}"),
            children.map(lambda c: f"~({c})"),
            children.map(lambda c: f"[domain({c})]"),
            children.map(lambda c: f"[range({c})]"),
        )
    return st.recursive(leaf, ext, max_leaves=6)


PAIRS = [(i, j) for i in range(N) for j in range(N)]


def _inp(rf: int, r: int) -> ExecInput:
    sets = {"A": 0b0101, "W": 0, "R": 0, "M": 0, "F": 0, "IW": 0, "FW": 0}
    rels = {"rf": rf, "r": r, "po": R.from_pairs(N, [(0, 1), (0, 2), (1, 2)]), "loc": 0, "int": 0, "ext": 0,
            "rmw": 0, "id": R.identity(N)}
    return ExecInput(n=N, sets=sets, rels=rels, tags=[frozenset()] * N, locs=[None] * N, values=[None] * N,
                     tids=[0] * N, dynamic=frozenset({"rf"}), static_key=None)


def _value(model, rf: int, r: int) -> int:
    outs = list(evaluate(model, _inp(rf, r), EvalCache()))
    return outs[0].env["v"]


@settings(max_examples=150, deadline=None)
@given(exprs(), st.sets(st.sampled_from(PAIRS)), st.sets(st.sampled_from(PAIRS)), st.sets(st.sampled_from(PAIRS)))
def test_polarity_is_sound(expr, small, extra, r):
    model = load_model_text(f"let v = {expr}\nshow v")
    p = analyse(model).names["v"]
    lo = R.from_pairs(N, small)
    hi = R.from_pairs(N, small | extra)
    rr = R.from_pairs(N, r)
    a, b = _value(model, lo, rr), _value(model, hi, rr)
    if p == CONST:
        assert a == b
    elif p in (INC, ZERO):
        assert a & ~b == 0, f"{expr}: {a:b} not below {b:b}"
    elif p == DEC:
        assert b & ~a == 0, f"{expr}: {a:b} not above {b:b}"


# ------------------------------------------------------------- whole models

BUILTIN = {"lkmm": "co-consistency", "x86-tso": "coherence", "aarch64": None, "armv7": None, "power": None,
           "riscv": None, "rc11": None, "sc": None, "c11": None, "qemu": None}


@pytest.mark.parametrize("name", sorted(BUILTIN))
def test_builtin_models_have_prunable_checks(name):
    from weakmem.config import Options, load_model_for
    arch = "C" if name in ("lkmm", "rc11", "c11", "qemu") else "X86"
    an = analyse(load_model_for(Options(model=name), arch).model)
    names = [s.name for s, k, ok in an.checks if ok and k == "check"]
    assert names, f"{name}: no check can prune ({an.summary()})"
    if BUILTIN[name]:
        assert BUILTIN[name] in names


def test_lkmm_coherence_is_not_prunable_through_co_next():
    # the lock read's rf is built from the immediate co successor, a
    # difference over co: checks that read that rf must wait for full executions
    from weakmem.config import Options, load_model_for
    an = analyse(load_model_for(Options(model="lkmm"), "C").model)
    status = {s.name: ok for s, k, ok in an.checks if k == "check"}
    assert status["co-consistency"] and not status["coherence"]


HERD_LIB = os.path.join(SHARED, "corpus", "herd-libdir")


@pytest.mark.skipif(not os.path.isdir(HERD_LIB), reason="herd7's library (../shared) absent")
@pytest.mark.parametrize("cat", ["x86tso.cat", "aarch64.cat", "arm.cat", "ppc.cat", "riscv.cat", "rc11.cat", "sc.cat"])
def test_herd_library_models(cat):
    an = analyse(load_model(os.path.join(HERD_LIB, cat), search_path=[HERD_LIB]))
    assert any(ok for _, k, ok in an.checks if k == "check")
