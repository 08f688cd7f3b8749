"""Init blocks, `locations`, `filter` and final conditions."""
from __future__ import annotations

import pytest

from weakmem.errors import LitmusError, Pos
from weakmem.litmus import parse_litmus
from weakmem.litmus.ast import (
    ArrayVal,
    InitItem,
    InstrVal,
    IntVal,
    LabelVal,
    LocTerm,
    PAnd,
    PAtom,
    PFalse,
    PFault,
    PImplies,
    PNot,
    POr,
    PTrue,
    RegTerm,
    SymVal,
)
from weakmem.litmus.state import make_condition, parse_constraint, parse_init


def error_pos(parse, text) -> tuple[int, int]:
    """(line, column) of the LitmusError `parse(text, "t")` raises."""
    with pytest.raises(LitmusError) as ei:
        parse(text, "t")
    return ei.value.pos.line, ei.value.pos.col


def items(text):
    return [(i.target, i.ctype, i.value, i.size) for i in parse_init(text, "t")]


@pytest.mark.parametrize("src, expected", [
    ("x=1", [(LocTerm("x"), None, IntVal(1), None)]),
    ("x = 1;", [(LocTerm("x"), None, IntVal(1), None)]),
    ("int x = 1", [(LocTerm("x"), "int", IntVal(1), None)]),
    ("int x;", [(LocTerm("x"), "int", None, None)]),
    ("spinlock_t s;", [(LocTerm("s"), "spinlock_t", None, None)]),
    ("int *p = x", [(LocTerm("p"), "int*", SymVal("x"), None)]),
    ("p=x", [(LocTerm("p"), None, SymVal("x"), None)]),
    ("int *p = &x", [(LocTerm("p"), "int*", SymVal("x"), None)]),
    ("int* p=&x", [(LocTerm("p"), "int*", SymVal("x"), None)]),
    ("int **q = p", [(LocTerm("q"), "int**", SymVal("p"), None)]),
    ("0:r0=1", [(RegTerm(0, "r0"), None, IntVal(1), None)]),
    ("P0:r0 = x", [(RegTerm(0, "r0"), None, SymVal("x"), None)]),
    ("0: X0 = -1", [(RegTerm(0, "X0"), None, IntVal(-1), None)]),
    ("int 0:r1 = 0", [(RegTerm(0, "r1"), "int", IntVal(0), None)]),
    ("int * 1:r1", [(RegTerm(1, "r1"), "int*", None, None)]),
    ("int x[2]", [(LocTerm("x"), "int", None, 2)]),
    ("atomic_int x = 0", [(LocTerm("x"), "atomic_int", IntVal(0), None)]),
    ("_Atomic __int128 z = 0", [(LocTerm("z"), "_Atomic __int128", IntVal(0), None)]),
    ("__int128 y", [(LocTerm("y"), "__int128", None, None)]),
    ("volatile int v", [(LocTerm("v"), "int", None, None)]),
    ("atomic_t a = ATOMIC_INIT(2)", [(LocTerm("a"), "atomic_t", IntVal(2), None)]),
    ("x = 0x10", [(LocTerm("x"), None, IntVal(16), None)]),
    ("p = x+1", [(LocTerm("p"), None, SymVal("x", 1), None)]),
    ("p = &x[1]", [(LocTerm("p"), None, SymVal("x", 1), None)]),
    ("int64_t v[2] = {1, -2}", [(LocTerm("v"), "int64_t", ArrayVal((IntVal(1), IntVal(-2))), 2)]),
    ("[x]=3", [(LocTerm("x", bracketed=True), None, IntVal(3), None)]),
    ("uint64_t %P0_x=x", [(RegTerm(-1, "%P0_x"), "uint64_t", SymVal("x"), None)]),
    ("0:X0=P1:L1", [(RegTerm(0, "X0"), None, LabelVal(1, "L1"), None)]),
    ('ins_t 0:X1=instr:"B .+4"', [(RegTerm(0, "X1"), "ins_t", InstrVal("B .+4"), None)]),
    ('0:X1=label:"P1:L0"', [(RegTerm(0, "X1"), None, LabelVal(1, "L0"), None)]),
    ("", []),
    (";;", []),
])
def test_init_items(src, expected):
    assert items(src) == expected


def test_init_block_layouts():
    one_line = items("int x = 1; int *p = x; 0:r0 = 2; y=3")
    multi = items("\n\tint x = 1;\n\tint *p = x;\n\n\t0:r0 = 2;\n y=3;\n")
    assert one_line == multi and len(one_line) == 4


def test_init_positions():
    (a, b) = parse_init("x=1;\n  int *p = &x;", "t", 5, 3)
    assert a.pos == Pos("t", 5, 3)
    assert b.pos == Pos("t", 6, 8)


@pytest.mark.parametrize("bad, col", [
    ("x = ;", 5),
    ("x 1", 3),
    ("v[3] = 3", 8),
    ("int x[2] = {1,2,3}", 5),
    ("x = {1,2}", 1),
    ("* = 1", 1),
])
def test_bad_init(bad, col):
    assert error_pos(parse_init, bad) == (1, col)


def cond(text):
    k = parse_constraint(text, "t")
    return make_condition(k, text)


def atom(lhs, rhs, op="="):
    return PAtom(lhs, op, rhs)


R = RegTerm
L = LocTerm


@pytest.mark.parametrize("src, quant, prop", [
    ("exists (0:r0=1)", "exists", atom(R(0, "r0"), IntVal(1))),
    ("~exists (0:r0=1)", "~exists", atom(R(0, "r0"), IntVal(1))),
    ("~ exists 0:r0=1", "~exists", atom(R(0, "r0"), IntVal(1))),
    ("forall x=1", "forall", atom(L("x"), IntVal(1))),
    ("exists [x]=1", "exists", atom(L("x", bracketed=True), IntVal(1))),
    ("exists x[1]=2", "exists", atom(L("x", index=1), IntVal(2))),
    ("exists 0:r0=x", "exists", atom(R(0, "r0"), SymVal("x"))),
    ("exists 0:r0!=1", "exists", atom(R(0, "r0"), IntVal(1), "!=")),
    ("exists 0:r0<>-1", "exists", atom(R(0, "r0"), IntVal(-1), "!=")),
    ("exists 0:r0=0xff", "exists", atom(R(0, "r0"), IntVal(255))),
    ("exists 0:r0=1:r0", "exists", atom(R(0, "r0"), R(1, "r0"))),
    ("exists x=[y]", "exists", atom(L("x"), L("y", bracketed=True))),
    ("exists x={2,1}", "exists", atom(L("x"), ArrayVal((IntVal(2), IntVal(1))))),
    ("exists (true)", "exists", PTrue()),
    ("forall false", "forall", PFalse()),
    ("exists (x=1 /\\ y=2 /\\ z=3)", "exists",
     PAnd(PAnd(atom(L("x"), IntVal(1)), atom(L("y"), IntVal(2))), atom(L("z"), IntVal(3)))),
    ("exists x=1 \\/ y=2 /\\ z=3", "exists",
     POr(atom(L("x"), IntVal(1)), PAnd(atom(L("y"), IntVal(2)), atom(L("z"), IntVal(3))))),
    ("exists (x=1 \\/ y=2) /\\ z=3", "exists",
     PAnd(POr(atom(L("x"), IntVal(1)), atom(L("y"), IntVal(2))), atom(L("z"), IntVal(3)))),
    ("exists ~x=1 /\\ not (y=2)", "exists",
     PAnd(PNot(atom(L("x"), IntVal(1))), PNot(atom(L("y"), IntVal(2))))),
    ("forall x=1 /\\ y=1 => z=1 \\/ w=1", "forall",
     PImplies(PAnd(atom(L("x"), IntVal(1)), atom(L("y"), IntVal(1))),
              POr(atom(L("z"), IntVal(1)), atom(L("w"), IntVal(1))))),
    ("forall a=1 => b=1 => c=1", "forall",
     PImplies(atom(L("a"), IntVal(1)), PImplies(atom(L("b"), IntVal(1)), atom(L("c"), IntVal(1))))),
    ("forall(Fault(P0:L0,SupervisorCall))", "forall", PFault(0, "L0", ("SupervisorCall",))),
    ("exists fault(P1, x)", "exists", PFault(1, None, ("x",))),
    ('forall (0:X0=label:"P0:L0")', "forall", atom(R(0, "X0"), LabelVal(0, "L0"))),
    ('forall 0:X0=instr:"NOP"', "forall", atom(R(0, "X0"), InstrVal("NOP"))),
    ("exists P1_r0=1;", "exists", atom(L("P1_r0"), IntVal(1))),
    ("exists 0:%sym=1", "exists", atom(R(0, "%sym"), IntVal(1))),
])
def test_conditions(src, quant, prop):
    c = cond(src)
    assert c.quantifier == quant
    assert c.prop == prop


def test_condition_text_and_positions():
    text = "locations [x; 0:r0; y;]\nfilter (0:r0=1)\nexists (0:r0=1 /\\\n   1:r1 = 0) ;\n"
    k = parse_constraint(text, "t", 20, 1)
    assert k.locations == [L("x"), R(0, "r0"), L("y")]
    assert k.filter == atom(R(0, "r0"), IntVal(1))
    c = make_condition(k, text)
    assert c.text == "exists (0:r0=1 /\\ 1:r1 = 0)"
    assert c.prop.a.pos == Pos("t", 22, 9)
    assert c.prop.b.pos == Pos("t", 23, 4)
    assert k.qpos == Pos("t", 22, 1)


def test_locations_forms():
    k = parse_constraint("locations [0:X2 ins_t; 1:r1*; x]", "t")
    assert k.locations == [R(0, "X2"), R(1, "r1"), L("x")]
    assert parse_constraint("locations []", "t").locations == []


def test_missing_final_condition_is_forall_true():
    for text in ("", "   \n", "locations [x;]"):
        c = cond(text)
        assert (c.quantifier, c.prop, c.text) == ("forall", PTrue(), "forall (true)")


@pytest.mark.parametrize("bad, col", [
    ("exists (x=)", 11),
    ("exists (x=1", 12),
    ("exists x=1 /\\", 14),
    ("exists x=1 foo", 12),
    ("exists (x=1))", 13),
    ("exists x:red=1", 9),
    ("filter", 7),
    ("exists 0:r0 = $", 15),
])
def test_bad_conditions(bad, col):
    assert error_pos(parse_constraint, bad) == (1, col)


def test_comments_in_init_and_condition():
    lit = parse_litmus("t", """C t
{ x = 1; (* a comment { with braces } (* nested *) *) y = 2 }
P0(int *x) { }
exists (* here *) (x=1 (* and here *) /\\ y=2) (* and after *)
""")
    assert [i.target.name for i in lit.init] == ["x", "y"]
    assert lit.condition.text == "exists (x=1 /\\ y=2)"
    assert isinstance(lit.init[0], InitItem)
