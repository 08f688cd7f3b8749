"""herd .def macro files and their expansion."""
from __future__ import annotations

from pathlib import Path
import os

import pytest

from weakmem.errors import LitmusError, Pos
from weakmem.litmus import MacroTable, load_defs, parse_litmus
from weakmem.litmus.ast import (
    EBin,
    ECall,
    EDeref,
    EInt,
    EOp,
    EVar,
    SAssign,
    SBlock,
    SExpr,
    SIf,
)
from weakmem.litmus.cparse import parse_c_expr, parse_c_stmts

SHARED = Path(os.environ.get("WEAKMEM_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
LK_DEF = SHARED / "corpus" / "lkmm" / "model" / "linux-kernel.def"
LIBDIR = SHARED / "corpus" / "herd-libdir"

# A self-contained excerpt in linux-kernel.def's style (the tests below do
# not depend on the shared corpus).
DEFS = """\
// ONCE
READ_ONCE(X) __load{once}(X)
WRITE_ONCE(X,V) { __store{once}(X,V); }

smp_store_release(X,V) { __store{release}(*X,V); }
smp_load_acquire(X) __load{acquire}(*X)
smp_store_mb(X,V) { __store{once}(X,V); __fence{mb}; }
smp_mb() { __fence{mb}; }
barrier() { __fence{barrier}; }
nothing() { }
xchg(X,V)  __xchg{mb}(X,V)
spin_lock(X) { __lock(X); }
srcu_read_lock(X)  __srcu{srcu-lock}(X)
atomic_read(X) READ_ONCE(*X)
atomic_set(X,V) { WRITE_ONCE(*X,V); }
atomic_inc(X)   { __atomic_op(X,+,1); }
atomic_inc_return(X) __atomic_op_return{mb}(X,+,1)
atomic_dec_and_test(X)  __atomic_op_return{mb}(X,-,1) == 0
xchg_relaxed(X,Y) { __xchg{relaxed}(X,Y) }
"""


@pytest.fixture(scope="module")
def table():
    return MacroTable.from_text(DEFS, "test.def")


def x(name):
    return EVar(name)


def expand(table, src):
    return table.expand_stmts(parse_c_stmts(src))


def test_table_contents(table):
    assert len(table) == 17
    assert table["READ_ONCE"].is_expr and table["READ_ONCE"].params == ("X",)
    assert not table["WRITE_ONCE"].is_expr and table["WRITE_ONCE"].params == ("X", "V")
    assert table["smp_mb"].params == () and len(table["smp_mb"].stmts) == 1
    assert table["smp_store_mb"].stmts is not None and len(table["smp_store_mb"].stmts) == 2
    assert table["nothing"].stmts == ()
    assert table["READ_ONCE"].pos == Pos("test.def", 2, 1)
    # `{ e }` without a `;` (herd's xchg.def) is an expression in braces
    assert table["xchg_relaxed"].is_expr
    assert "READ_ONCE" in table and "nope" not in table and table.get("nope") is None


def test_statement_macro(table):
    (s,) = expand(table, "smp_store_release(x, 1);")
    assert s == SBlock((SExpr(ECall("__store", (EDeref(x("x")), EInt(1)), ("release",))),))
    (s,) = expand(table, "WRITE_ONCE(*x, r0 + 1);")
    assert s == SBlock((SExpr(ECall("__store", (EDeref(x("x")), EBin("+", x("r0"), EInt(1))), ("once",))),))


def test_expression_macro(table):
    (s,) = expand(table, "r0 = READ_ONCE(*x);")
    assert s == SAssign(x("r0"), ECall("__load", (EDeref(x("x")),), ("once",)))
    (s,) = expand(table, "r1 = atomic_inc_return(v);")
    assert s == SAssign(x("r1"), ECall("__atomic_op_return", (x("v"), EOp("+"), EInt(1)), ("mb",)))


def test_nested_macros(table):
    # atomic_read(X) -> READ_ONCE(*X) -> __load{once}(*X)
    (s,) = expand(table, "r0 = atomic_read(v);")
    assert s == SAssign(x("r0"), ECall("__load", (EDeref(x("v")),), ("once",)))
    (s,) = expand(table, "atomic_set(v, atomic_read(w) + 1);")
    load = ECall("__load", (EDeref(x("w")),), ("once",))
    # atomic_set -> { WRITE_ONCE } -> { { __store } }: each statement macro is a block (herd7)
    assert s == SBlock((SBlock((SExpr(ECall("__store", (EDeref(x("v")), EBin("+", load, EInt(1))), ("once",))),)),))


def test_macros_in_conditions_and_blocks(table):
    (s,) = expand(table, "if (atomic_dec_and_test(v)) { smp_mb(); } else spin_lock(l);")
    dec = ECall("__atomic_op_return", (x("v"), EOp("-"), EInt(1)), ("mb",))
    assert s == SIf(EBin("==", dec, EInt(0)),
                    SBlock((SBlock((SExpr(ECall("__fence", (), ("mb",))),)),)),
                    SBlock((SExpr(ECall("__lock", (x("l"),))),)))


def test_expression_macro_as_statement_and_multi_statement_body(table):
    (s,) = expand(table, "xchg(x, 2);")
    assert s == SExpr(ECall("__xchg", (x("x"), EInt(2)), ("mb",)))
    (s,) = expand(table, "smp_store_mb(*y, 3);")
    assert s == SBlock((SExpr(ECall("__store", (EDeref(x("y")), EInt(3)), ("once",))),
                        SExpr(ECall("__fence", (), ("mb",)))))
    (s,) = expand(table, "nothing();")
    assert s == SBlock(())


def test_unknown_names_and_primitives_are_left_alone(table):
    (s,) = expand(table, "r0 = spin_unlock_wait(l);")
    assert s == SAssign(x("r0"), ECall("spin_unlock_wait", (x("l"),)))
    (s,) = expand(table, "r0 = __load{once}(x);")
    assert s == SAssign(x("r0"), ECall("__load", (x("x"),), ("once",)))
    e = table.expand_expr(parse_c_expr("foo(READ_ONCE(*x))"))
    assert e == ECall("foo", (ECall("__load", (EDeref(x("x")),), ("once",)),))


def test_positions_after_expansion(table):
    (s,) = table.expand_stmts(parse_c_stmts("\n   smp_store_release(p, v);", "t.litmus"))
    # body nodes get the call's position, arguments keep theirs
    assert s.pos == Pos("t.litmus", 2, 4)
    (s,) = s.body
    assert s.e.pos == Pos("t.litmus", 2, 4)
    assert s.e.args[0].pos == Pos("t.litmus", 2, 4)          # the `*` of `*X`
    assert s.e.args[0].e.pos == Pos("t.litmus", 2, 22)       # `p`
    assert s.e.args[1].pos == Pos("t.litmus", 2, 25)         # `v`


def test_expansion_errors(table):
    with pytest.raises(LitmusError) as ei:
        expand(table, "r0 = smp_mb();")
    assert "statement" in ei.value.msg and ei.value.pos.col == 6
    with pytest.raises(LitmusError) as ei:
        expand(table, "r0 = READ_ONCE(x, y);")
    assert ei.value.msg == "macro READ_ONCE expects 1 argument, got 2"
    with pytest.raises(LitmusError) as ei:
        expand(table, "WRITE_ONCE(x);")
    assert ei.value.msg == "macro WRITE_ONCE expects 2 arguments, got 1"


def test_recursive_macros_are_caught():
    t = MacroTable.from_text("A(X) B(X)\nB(X) A(X + 1)\nC() { C(); }\n", "cyc.def")
    with pytest.raises(LitmusError) as ei:
        t.expand_expr(parse_c_expr("A(1)"))
    assert "too deep" in ei.value.msg
    with pytest.raises(LitmusError):
        t.expand_stmts(parse_c_stmts("C();"))


def test_merge():
    a = MacroTable.from_text("F(X) X\nG(X) X", "a.def")
    b = MacroTable.from_text("F(X,Y) X + Y", "b.def")
    m = a.merge(b)
    assert m["F"].params == ("X", "Y") and "G" in m
    assert a["F"].params == ("X",)          # inputs untouched


def test_bad_def_files():
    with pytest.raises(LitmusError) as ei:
        MacroTable.from_text("F(X) { __fence{mb}; \n", "bad.def")
    assert ei.value.pos.file == "bad.def"
    with pytest.raises(LitmusError) as ei:
        MacroTable.from_text("F(X,X) X", "bad.def")
    assert "duplicate parameter" in ei.value.msg
    with pytest.raises(LitmusError):
        load_defs("/nonexistent/x.def")


needs_corpus = pytest.mark.skipif(not LK_DEF.is_file(), reason="shared corpus not available")


@needs_corpus
def test_linux_kernel_def():
    t = load_defs(str(LK_DEF))
    assert len(t) > 80
    (s,) = t.expand_stmts(parse_c_stmts("smp_store_release(x, 1);"))
    assert s == SBlock((SExpr(ECall("__store", (EDeref(x("x")), EInt(1)), ("release",))),))
    (s,) = t.expand_stmts(parse_c_stmts("r0 = atomic_inc_return(v);"))
    assert s == SAssign(x("r0"), ECall("__atomic_op_return", (x("v"), EOp("+"), EInt(1)), ("mb",)))
    (s,) = t.expand_stmts(parse_c_stmts("r0 = atomic_read(v);"))
    assert s == SAssign(x("r0"), ECall("__load", (EDeref(x("v")),), ("once",)))
    (s,) = t.expand_stmts(parse_c_stmts("r1 = atomic_add_return(2, v);"))
    assert s.e == ECall("__atomic_op_return", (x("v"), EOp("+"), EInt(2)), ("mb",))
    (s,) = t.expand_stmts(parse_c_stmts("r1 = srcu_read_lock(s);"))
    assert s.e == ECall("__srcu", (x("s"),), ("srcu-lock",))
    (s,) = t.expand_stmts(parse_c_stmts("smp_mb__before_atomic();"))
    assert s == SBlock((SExpr(ECall("__fence", (), ("before-atomic",))),))


@needs_corpus
def test_other_def_files_load():
    for name, n in (("c11.def", 12), ("kernel.def", 70), ("xchg.def", 4)):
        assert len(load_defs(str(LIBDIR / name))) >= n


@needs_corpus
def test_expand_litmus():
    t = load_defs(str(LK_DEF))
    lit = parse_litmus(str(SHARED / "corpus" / "lkmm" / "litmus-tests" / "MP+pooncerelease+poacquireonce.litmus"))
    out = t.expand_litmus(lit)
    assert out is not lit and out.name == lit.name
    p0, p1 = out.threads
    assert p0.body[0] == SBlock((SExpr(ECall("__store", (EDeref(x("buf")), EInt(1)), ("once",))),))
    assert p0.body[1] == SBlock((SExpr(ECall("__store", (EDeref(x("flag")), EInt(1)), ("release",))),))
    assert p1.body[2] == SAssign(x("r0"), ECall("__load", (EDeref(x("flag")),), ("acquire",)))
    assert lit.threads[0].body[0].e.name == "WRITE_ONCE"     # the original is untouched
