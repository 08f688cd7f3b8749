"""C dialect: expressions, precedence, statements, types, thread functions."""
from __future__ import annotations

import pytest

from weakmem.errors import LitmusError, Pos
from weakmem.litmus import parse_litmus
from weakmem.litmus.ast import (
    CParam,
    EAddr,
    EBin,
    ECall,
    ECond,
    EDeref,
    EIndex,
    EInt,
    EOp,
    EUn,
    EVar,
    SAssign,
    SBlock,
    SDecl,
    SExpr,
    SIf,
    SSkip,
    SWhile,
)
from weakmem.litmus.cparse import parse_c_expr, parse_c_program, parse_c_stmts


def E(s):
    return parse_c_expr(s)


def show(e) -> str:
    """Fully parenthesised rendering, to check the tree shape."""
    if isinstance(e, EInt):
        return str(e.value)
    if isinstance(e, EVar):
        return e.name
    if isinstance(e, EOp):
        return e.op
    if isinstance(e, EBin):
        return f"({show(e.a)} {e.op} {show(e.b)})"
    if isinstance(e, EUn):
        return f"({e.op}{show(e.e)})"
    if isinstance(e, EDeref):
        return f"(*{show(e.e)})"
    if isinstance(e, EAddr):
        return f"(&{show(e.e)})"
    if isinstance(e, EIndex):
        return f"{show(e.base)}[{show(e.index)}]"
    if isinstance(e, ECond):
        return f"({show(e.c)} ? {show(e.a)} : {show(e.b)})"
    if isinstance(e, ECall):
        tags = "{" + ",".join(e.tags) + "}" if e.tags else ""
        return f"{e.name}{tags}(" + ", ".join(show(a) for a in e.args) + ")"
    raise AssertionError(e)


@pytest.mark.parametrize("src, shape", [
    ("1 + 2 * 3", "(1 + (2 * 3))"),
    ("(1 + 2) * 3", "((1 + 2) * 3)"),
    ("a - b - c", "((a - b) - c)"),
    ("a / b % c", "((a / b) % c)"),
    ("a << 1 + b", "(a << (1 + b))"),
    ("a < b == c > d", "((a < b) == (c > d))"),
    ("a <= b != c >= d", "((a <= b) != (c >= d))"),
    ("a & b ^ c | d", "(((a & b) ^ c) | d)"),
    ("a | b && c || d", "(((a | b) && c) || d)"),
    ("a || b && c", "(a || (b && c))"),
    ("a == 1 & b", "((a == 1) & b)"),
    ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
    ("a || b ? c + 1 : d", "((a || b) ? (c + 1) : d)"),
    ("-a * b", "((-a) * b)"),
    ("!a && ~b", "((!a) && (~b))"),
    ("*x + 1", "((*x) + 1)"),
    ("**p", "(*(*p))"),
    ("&x[1]", "(&x[1])"),
    ("*x[1]", "(*x[1])"),
    ("x[i + 1][2]", "x[(i + 1)][2]"),
    ("-1", "-1"),
    ("- 5 + 2", "(-5 + 2)"),
    ("+a", "a"),
    ("0x10 + 010", "(16 + 10)"),
    ("(r1 ^ r1) + r1", "((r1 ^ r1) + r1)"),
    ("(int)x", "x"),
    ("(int *)p", "p"),
    ("(char **)x", "x"),
    ("(void *)1", "1"),
    ("(volatile unsigned long)y + 1", "(y + 1)"),
    ("*(char **)x", "(*x)"),
    ("f()", "f()"),
    ("f(a, b + 1, *c)", "f(a, (b + 1), (*c))"),
    ("READ_ONCE(*x) == 1", "(READ_ONCE((*x)) == 1)"),
    ("__load{once}(x)", "__load{once}(x)"),
    ("__store{release}(*x, v)", "__store{release}((*x), v)"),
    ("__fence{mb}", "__fence{mb}()"),
    ("__fence{ before-atomic }", "__fence{before-atomic}()"),
    ("__srcu{srcu-lock}(x)", "__srcu{srcu-lock}(x)"),
    ("__xchg{mb}(x, v)", "__xchg{mb}(x, v)"),
    ("__cmpxchg{once}(x, o, n)", "__cmpxchg{once}(x, o, n)"),
    ("__atomic_op(X, +, V)", "__atomic_op(X, +, V)"),
    ("__atomic_op_return{mb}(X,-,V)", "__atomic_op_return{mb}(X, -, V)"),
    ("__atomic_fetch_op{acquire}(X,&,V)", "__atomic_fetch_op{acquire}(X, &, V)"),
    ("__atomic_op(X, *, V)", "__atomic_op(X, *, V)"),
    ("__atomic_op(X, |, -1)", "__atomic_op(X, |, -1)"),
    ("__atomic_add_unless{mb}(X,A,U)", "__atomic_add_unless{mb}(X, A, U)"),
    ("__lock(x)", "__lock(x)"),
    ("atomic_load_explicit(y, memory_order_relaxed)", "atomic_load_explicit(y, memory_order_relaxed)"),
    ("%sym + 1", "(%sym + 1)"),
])
def test_expression_shapes(src, shape):
    assert show(E(src)) == shape


def test_expression_positions():
    e = E("a +\n  b * c")
    assert e.pos == Pos("<expr>", 1, 1)
    assert e.b.pos == Pos("<expr>", 2, 3)
    assert e.b.b.pos == Pos("<expr>", 2, 7)
    c = E("  foo{once}(x)")
    assert c.pos == Pos("<expr>", 1, 3) and c.args[0].pos == Pos("<expr>", 1, 13)
    d = E("*x")
    assert d.pos.col == 1 and d.e.pos.col == 2
    assert E("- 3").pos.col == 1


def test_statements():
    s = parse_c_stmts("""
        int r0;
        int r1 = *x, *r2 = &y, r3[2];
        r0 = READ_ONCE(*x);
        *x = 1;
        x[1] = 2;
        r1 += 3;
        smp_mb();
        ;
        { r0 = 1; }
        if (r0 == 1) WRITE_ONCE(*y, 1);
        if (r0) { } else r1 = 2;
        while (r1 < 3) r1 = r1 + 1;
    """)
    assert s[0] == SDecl("int", "r0", None)
    assert s[1] == SDecl("int", "r1", EDeref(EVar("x")))
    assert s[2] == SDecl("int *", "r2", EAddr(EVar("y")))
    assert s[3] == SDecl("int[2]", "r3", None)
    assert s[4] == SAssign(EVar("r0"), ECall("READ_ONCE", (EDeref(EVar("x")),)))
    assert s[5] == SAssign(EDeref(EVar("x")), EInt(1))
    assert s[6] == SAssign(EIndex(EVar("x"), EInt(1)), EInt(2))
    assert s[7] == SAssign(EVar("r1"), EBin("+", EVar("r1"), EInt(3)))
    assert s[8] == SExpr(ECall("smp_mb", ()))
    assert s[9] == SSkip()
    assert s[10] == SBlock((SAssign(EVar("r0"), EInt(1)),))
    assert s[11] == SIf(EBin("==", EVar("r0"), EInt(1)),
                        SExpr(ECall("WRITE_ONCE", (EDeref(EVar("y")), EInt(1)))), None)
    assert s[12] == SIf(EVar("r0"), SBlock(()), SAssign(EVar("r1"), EInt(2)))
    assert s[13] == SWhile(EBin("<", EVar("r1"), EInt(3)), SAssign(EVar("r1"), EBin("+", EVar("r1"), EInt(1))))
    assert len(s) == 14
    assert s[4].pos.line == 4 and s[4].pos.col == 9


def test_dangling_else_binds_to_inner_if():
    (s,) = parse_c_stmts("if (a) if (b) r = 1; else r = 2;")
    assert s.els is None and s.then.els == SAssign(EVar("r"), EInt(2))


def test_declaration_types():
    s = parse_c_stmts("""
        const int a; volatile int *b; int * const c; unsigned long d; long long e;
        __int128 f; __int128_t g; __uint128_t h; intptr_t i; uint8_t j; int64_t k;
        atomic_int l; _Atomic int m; _Atomic __int128 n; _Atomic(int) *o; spinlock_t p;
        void *q; char **r; struct srcu_struct s; atomic_t t; bool u; int *v[2];
    """)
    assert [(d.ctype, d.name) for d in s] == [
        ("int", "a"), ("int *", "b"), ("int *", "c"), ("unsigned long", "d"), ("long long", "e"),
        ("__int128", "f"), ("__int128_t", "g"), ("__uint128_t", "h"), ("intptr_t", "i"),
        ("uint8_t", "j"), ("int64_t", "k"), ("atomic_int", "l"), ("_Atomic int", "m"),
        ("_Atomic __int128", "n"), ("_Atomic int *", "o"), ("spinlock_t", "p"), ("void *", "q"),
        ("char **", "r"), ("struct srcu_struct", "s"), ("atomic_t", "t"), ("bool", "u"),
        ("int *[2]", "v"),
    ]


def test_thread_functions():
    threads = parse_c_program("""
P0(int *x, int **y, spinlock_t *s) { int r0 = *x; }
P1 (const int* x, volatile __int128* y, atomic_int *z, void *w, struct srcu_struct *ss)
{
}
P2() { }
P3(void) { }
""", "t.litmus")
    assert [t.name for t in threads] == ["P0", "P1", "P2", "P3"]
    assert [t.tid for t in threads] == [0, 1, 2, 3]
    assert threads[0].params == (CParam("int *", "x"), CParam("int **", "y"), CParam("spinlock_t *", "s"))
    assert threads[1].params == (CParam("int *", "x"), CParam("__int128 *", "y"), CParam("atomic_int *", "z"),
                                 CParam("void *", "w"), CParam("struct srcu_struct *", "ss"))
    assert threads[2].params == () and threads[3].params == ()
    assert threads[0].pos == Pos("t.litmus", 2, 1)
    assert threads[0].body == (SDecl("int", "r0", EDeref(EVar("x"))),)


def test_comments_in_code():
    threads = parse_c_program("""
P0(int *x) // Producer
{
    /* a block
       comment */ WRITE_ONCE(*x, 1); // trailing
    int r = (*x);  /* (* not an ML comment *) */
}
""", "t")
    assert len(threads[0].body) == 2
    assert threads[0].body[1] == SDecl("int", "r", EDeref(EVar("x")))


def test_unknown_type_names_are_rejected_like_herd():
    with pytest.raises(LitmusError) as ei:
        parse_c_program("P0 (int128_t *x) {\n}", "t")
    assert ei.value.msg == "unexpected 'int128_t'"
    assert ei.value.pos == Pos("t", 1, 5)
    with pytest.raises(LitmusError) as ei:
        parse_c_program("P0 (int *x) {\n  foo_t r0 = *x;\n}", "t")
    assert ei.value.pos == Pos("t", 2, 9)


def test_full_c_litmus():
    lit = parse_litmus("MP.litmus", """C MP+poonceonces
"Some doc"
Variant=S128
(*
 * Result: Sometimes
 *)
{ x=0; int y = 0; int *p = &x; 0:r0 = 1 }

P0(int *x, int *y)
{
	WRITE_ONCE(*x, 1);
	WRITE_ONCE(*y, 1);
}

P1(int *x, int *y)
{
	int r0;
	int r1;

	r0 = READ_ONCE(*y);
	r1 = READ_ONCE(*x);
}

exists (1:r0=1 /\\ 1:r1=0) (* the bad outcome *)
""")
    assert lit.arch == "C" and lit.name == "MP+poonceonces" and lit.doc == "Some doc"
    assert lit.info == {"Variant": "S128"}
    assert lit.results == ["Sometimes"]
    assert len(lit.init) == 4 and len(lit.threads) == 2
    assert lit.threads[1].body[2] == SAssign(EVar("r0"), ECall("READ_ONCE", (EDeref(EVar("y")),)))
    assert lit.condition.quantifier == "exists"
    assert lit.condition.text == "exists (1:r0=1 /\\ 1:r1=0)"
    assert lit.pos == Pos("MP.litmus", 1, 1)


def test_header_variants():
    base = "{}\nP0(int *x) { }\nexists (x=1)\n"
    for header, name in [("C MP+[po-rf]+fence.rcu-x", "MP+[po-rf]+fence.rcu-x"),
                         ("C C-viro-2020.09.29a", "C-viro-2020.09.29a"),
                         ("C foo (* comment *)", "foo"),
                         ("C foo trailing junk ignored like herd", "foo")]:
        assert parse_litmus("t", header + "\n" + base).name == name
    lit = parse_litmus("t", "\n\nC t\n\"doc on line 2\"\n" + base)
    assert lit.doc == "doc on line 2" and lit.pos.line == 3


def test_c_threads_must_come_in_order():
    # herd7: "Processes must be P0, P1, ..." (source order, no gap)
    lit = parse_litmus("t", "C t\n{}\nP0() {}\nP1() {}\nexists (x=1)\n")
    assert [t.tid for t in lit.threads] == [0, 1]
    for body in ("P1() {}\nP0() {}\n", "P0() {}\nP2() {}\n"):
        with pytest.raises(LitmusError, match="processes must be P0, P1"):
            parse_litmus("t", "C t\n{}\n" + body + "exists (x=1)\n")
