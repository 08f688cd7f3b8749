"""Conditions, verdicts and herd7's condition printing."""
from __future__ import annotations

from hypothesis import given, strategies as st

from weakmem.litmus import ast as A
from weakmem.litmus.cond import holds
from weakmem.verdict import Verdict, condition_str


def atom(t, v, op="="):
    return A.PAtom(t, op, A.IntVal(v))


R0 = A.RegTerm(0, "r0")
X = A.LocTerm("x")


def test_condition_printing_matches_herd():
    p = A.POr(A.PAnd(atom(R0, 0), atom(X, 0, "!=")), atom(A.RegTerm(1, "r1"), 2))
    assert condition_str(A.Condition("exists", p)) == "exists (0:r0=0 /\\ not ([x]=0) \\/ 1:r1=2)"
    q = A.PAnd(atom(R0, 1), A.POr(atom(X, 1), atom(X, 2)))
    assert condition_str(A.Condition("forall", q)) == "forall (0:r0=1 /\\ ([x]=1 \\/ [x]=2))"
    assert condition_str(A.Condition("~exists", A.PNot(q))) == \
        "~exists (not (0:r0=1 /\\ ([x]=1 \\/ [x]=2)))"


def test_holds_on_symbolic_values():
    p = A.PAtom(R0, "=", A.SymVal("y"))
    assert holds(p, {(0, "r0"): A.SymVal("y")}, {})
    assert not holds(p, {(0, "r0"): 0}, {})
    assert holds(A.PImplies(A.PFalse(), A.PFalse()), {}, {})


@given(st.integers(0, 5), st.integers(0, 5))
def test_verdict_rules(pos, neg):
    for q in ("exists", "~exists", "forall"):
        v = Verdict(q, pos, neg)
        assert v.observation == ("Never" if pos == 0 else "Always" if neg == 0 else "Sometimes")
        assert v.ok == {"exists": pos > 0, "~exists": pos == 0, "forall": neg == 0}[q]


def test_models_listing_names_sources():
    from weakmem.models_info import builtin_model_infos
    infos = {i.name: i for i in builtin_model_infos()}
    assert {"sc", "lkmm"} <= set(infos)
    for i in infos.values():
        assert i.source, f"model {i.name} names no source"
    assert "C" in infos["lkmm"].default_for
