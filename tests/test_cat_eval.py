"""Interpreter tests: expression semantics, functions, sets of values,
`with` branching, checks and flags, caching, errors."""
from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakmem.cat import rel as R
from weakmem.cat.eval import EvalCache, ExecInput, Outcome, evaluate
from weakmem.cat.model import load_model, load_model_text
from cat_synth import ExecBuilder
from weakmem.errors import CatError
from corpus_util import SHARED as _SHARED
from naive_rel import closure as _plus
from naive_rel import compose as _compose
from naive_rel import set_bits as _sbits

HERD = str(_SHARED / "corpus" / "herd-libdir")

# ---------------------------------------------------------------------------
# a fixed small input: 5 events, two sets and two relations
# ---------------------------------------------------------------------------

N = 5
A_SET = {0, 1, 3}
B_SET = {1, 2}
R_REL = {(0, 1), (1, 2), (2, 0), (3, 3), (1, 4)}
S_REL = {(0, 0), (1, 3), (4, 2), (2, 4)}


def _bits(ps) -> int:
    return R.from_pairs(N, ps)


def make_input(dynamic=frozenset({"s"}), key="k", s_rel=S_REL, **extra) -> ExecInput:
    sets = {"A": _sbits(A_SET), "B": _sbits(B_SET), "_": (1 << N) - 1}
    rels = {"r": _bits(R_REL), "s": _bits(s_rel), "id": R.identity(N)}
    # the names every engine provides (stdlib.cat reads some of them)
    for k in ("W", "R", "M", "F", "IW", "FW"):
        sets[k] = 0
    for k in ("po", "loc", "int", "ext", "rf", "rmw"):
        rels[k] = 0
    sets.update(extra.get("sets", {}))
    rels.update(extra.get("rels", {}))
    return ExecInput(
        n=N, sets=sets, rels=rels,
        tags=extra.get("tags", [frozenset()] * N),
        locs=extra.get("locs", ["x", "x", "y", None, "y"]),
        values=extra.get("values", [0, 1, 1, None, 2]),
        tids=[0, 0, 1, 1, 1], dynamic=frozenset(dynamic), static_key=key)


def run(text: str, inp: ExecInput | None = None, cache: EvalCache | None = None,
        **kw) -> list[Outcome]:
    m = load_model_text(text, **kw)
    return list(evaluate(m, inp or make_input(), cache or EvalCache()))


def value(expr: str, inp: ExecInput | None = None) -> int:
    outs = run(f"let res = {expr}\nshow res", inp)
    assert len(outs) == 1
    return outs[0].env["res"]


# ---------------------------------------------------------------------------
# random relational expressions vs a naive evaluator
# ---------------------------------------------------------------------------

ALL = {(i, j) for i in range(N) for j in range(N)}
IDS = {(i, i) for i in range(N)}
EV = set(range(N))


def set_exprs():
    base = st.sampled_from([("A", A_SET), ("B", B_SET), ("_", EV),
                            ("emptyset", set())])

    def extend(children):
        return st.one_of(
            st.tuples(children, children, st.sampled_from(["|", "&", "\\"])).map(
                lambda t: (f"({t[0][0]} {t[2]} {t[1][0]})",
                           {"|": t[0][1] | t[1][1], "&": t[0][1] & t[1][1],
                            "\\": t[0][1] - t[1][1]}[t[2]])),
            children.map(lambda c: (f"(~{c[0]})", EV - c[1])),
        )
    return st.recursive(base, extend, max_leaves=4)


def rel_exprs():
    base = st.one_of(
        st.sampled_from([("r", R_REL), ("s", S_REL), ("0", set()), ("id", IDS)]),
        set_exprs().map(lambda c: (f"[{c[0]}]", {(i, i) for i in c[1]})),
        st.tuples(set_exprs(), set_exprs()).map(
            lambda t: (f"({t[0][0]} * {t[1][0]})",
                       {(i, j) for i in t[0][1] for j in t[1][1]})),
    )

    def extend(children):
        binop = st.tuples(children, children, st.sampled_from(["|", "&", "\\", ";"])).map(
            lambda t: (f"({t[0][0]} {t[2]} {t[1][0]})",
                       {"|": lambda a, b: a | b, "&": lambda a, b: a & b,
                        "\\": lambda a, b: a - b, ";": _compose}[t[2]](t[0][1], t[1][1])))
        seq3 = st.tuples(children, set_exprs(), children).map(
            lambda t: (f"({t[0][0]} ; [{t[1][0]}] ; {t[2][0]})",
                       _compose(_compose(t[0][1], {(i, i) for i in t[1][1]}), t[2][1])))
        post = st.tuples(children, st.sampled_from(["*", "+", "?", "^-1"])).map(
            lambda t: (f"({t[0][0]}){t[1]}",
                       {"*": lambda a: _plus(a) | IDS, "+": _plus,
                        "?": lambda a: a | IDS,
                        "^-1": lambda a: {(j, i) for i, j in a}}[t[1]](t[0][1])))
        comp = children.map(lambda c: (f"(~{c[0]})", ALL - c[1]))
        dom = children.map(lambda c: (f"[domain({c[0]})]", {(i, i) for i, _ in c[1]}))
        rng = children.map(lambda c: (f"[range({c[0]})]", {(j, j) for _, j in c[1]}))
        return st.one_of(binop, seq3, post, comp, dom, rng)
    return st.recursive(base, extend, max_leaves=6)


@settings(max_examples=150, deadline=None)
@given(rel_exprs())
def test_random_relation_expressions(e) -> None:
    text, expected = e
    assert value(text) == _bits(expected), text


@settings(max_examples=60, deadline=None)
@given(set_exprs())
def test_random_set_expressions(e) -> None:
    text, expected = e
    assert value(text) == _sbits(expected), text


# ---------------------------------------------------------------------------
# functions, tuples, matching, sets of values
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("expr,expected", [
    ("let f(x) = x ; x in f(r)", _compose(R_REL, R_REL)),
    ("let f x = x | s in f r", R_REL | S_REL),
    ("let g = fun (a, b) -> a & b in g(r, s)", R_REL & S_REL),
    ("let (a, b) = (r, s) in b", S_REL),
    ("let a, b = r, s in a", R_REL),
    ("fencerel(B)", {(0, 1)} | set()),  # replaced below
    ("try undefined-thing with r", R_REL),
    ("try r with s", R_REL),
    ("if A = A then r else s", R_REL),
    ("if A subset B then r else s", S_REL),
    ("imply(r, s)", (ALL - R_REL) | S_REL),
    ("nodetour(r, r, r)", R_REL - _compose(R_REL, R_REL)),
    ("singlestep(r)", R_REL - _compose(R_REL, R_REL)),
    ("[udr(r)]", {(i, i) for p in R_REL for i in p}),
    ("toid(A)", {(i, i) for i in A_SET}),
])
def test_library_and_functions(expr, expected) -> None:
    if expr == "fencerel(B)":
        po = {(0, 1), (0, 2), (1, 2), (3, 4)}
        inp = make_input(rels={"po": _bits(po)})
        assert value("fencerel(B)", inp) == _bits({(0, 2)})
        return
    assert value(expr) == _bits(expected)


def test_elements_and_sets_of_values() -> None:
    # map over a relation: each pair becomes a one-pair relation
    text = """
let singletons = map (fun p -> p ++ 0) r
let back = let rec join s = match s with || {} -> 0 || x ++ rest -> x | join rest end in join singletons
let evs = map (fun e -> {e}) A
let cart = let rec go s = match s with || {} -> 0 || e ++ rest -> (B * {e}) | go rest end in go A
let count3 = if {'a, 'b} = {'b, 'a} then r else 0
let mem = if 'a in {'a, 'b} then r else 0
show back, cart, count3, mem
"""
    out = run(text)[0]
    assert out.env["back"] == _bits(R_REL)
    assert out.env["cart"] == _bits({(i, j) for i in B_SET for j in A_SET})
    assert out.env["count3"] == _bits(R_REL)
    assert out.env["mem"] == _bits(R_REL)


def test_match_on_tags_and_enums() -> None:
    text = """
enum Kinds = 'alpha || 'beta
let pick t = match t with || 'alpha -> r || 'beta -> s || _ -> 0 end
let a = pick 'alpha
let b = pick 'beta
let c = pick 'gamma
let k = if 'beta in Kinds then r else 0
show a, b, c, k
"""
    env = run(text)[0].env
    assert (env["a"], env["b"], env["c"], env["k"]) == (_bits(R_REL), _bits(S_REL), 0, _bits(R_REL))


def test_tag_sets() -> None:
    tags = [frozenset({"once"}), frozenset(), frozenset({"once", "rcu-lock"}),
            frozenset({"rcu-lock"}), frozenset()]
    inp = make_input(tags=tags)
    text = """
enum E = 'once || 'rcu-lock
let a = Once
let b = Rcu-lock
let c = tag2set('once) & tag2events('rcu-lock)
show a, b, c
"""
    env = run(text, inp)[0].env
    assert env["a"] == _sbits({0, 2}) and env["b"] == _sbits({2, 3}) and env["c"] == _sbits({2})
    # an engine set of the same name takes precedence over the tag set
    inp2 = make_input(tags=tags, sets={"Once": _sbits({4})})
    assert run(text, inp2)[0].env["a"] == _sbits({4})


def test_primitives() -> None:
    text = """
let parts = classes-loc(_)
let nparts = let rec count s = match s with || {} -> 0 || x ++ rest -> ([x] ; r) | count rest end in count parts
let dv = different-values(r)
let sv = same-value(r)
let lin = linearisations(B, 0)
let part = partition(A)
show dv, sv
"""
    env = run(text)[0].env
    values = [0, 1, 1, None, 2]
    assert env["dv"] == _bits({(i, j) for i, j in R_REL if values[i] != values[j]})
    assert env["sv"] == _bits({(i, j) for i, j in R_REL if values[i] == values[j]})


def test_let_rec_fixpoint_and_recursive_functions() -> None:
    text = """
let rec t = r | (t ; r)
let rec even = [A] | (odd ; r) and odd = even ; r
let rec fact s = match s with || {} -> 0 || e ++ rest -> [{e}] | fact rest end
let f = fact A
show t, even, f
"""
    env = run(text)[0].env
    assert env["t"] == _bits(_plus(R_REL))
    assert env["f"] == _bits({(i, i) for i in A_SET})
    # even: paths of even length from A
    ev, od = {(i, i) for i in A_SET}, set()
    while True:
        ev2 = {(i, i) for i in A_SET} | _compose(od, R_REL)
        od2 = _compose(ev2, R_REL)
        if (ev2, od2) == (ev, od):
            break
        ev, od = ev2, od2
    assert env["even"] == _bits(ev)


# ---------------------------------------------------------------------------
# checks, flags, procedures, with
# ---------------------------------------------------------------------------


def test_checks_stop_at_first_failure() -> None:
    outs = run("""
acyclic r as first
flag ~empty r as f-before
irreflexive r as second
flag ~empty r as f-after
""")
    # r has a cycle 0->1->2->0: the first check fails
    assert [(o.allowed, o.failed) for o in outs] == [(False, "first")]
    outs = run("""
flag ~empty r as fr1
flag empty r as never
undefined_unless empty r as undef
irreflexive s as second
flag ~empty s as after
""")
    assert len(outs) == 1
    o = outs[0]
    assert not o.allowed and o.failed == "second" and o.flags == ("fr1", "*undef*")


def test_procedures_and_forall() -> None:
    outs = run("""
procedure sub(x, y) = empty x \\ y end
call sub(r & s, r) as ok1
call sub(r, s) as bad
""")
    assert [(o.allowed, o.failed) for o in outs] == [(False, "bad")]
    outs = run("""
forall e in A do
  let row = [{e}] ; r
  flag ~empty row as has-row
end
call total(r, {})
call subseteq(A & B, A)
""")
    assert outs[0].allowed and "has-row" in outs[0].flags


def test_with_branches() -> None:
    outs = run("""
with x from {r, s, 0}
let y = x
flag empty y as empty-branch
acyclic y as acyc
show y
""")
    got = sorted((o.allowed, o.env.get("y"), o.flags) for o in outs)
    assert got == sorted([(False, _bits(R_REL), ()),          # r is cyclic
                          (False, _bits(S_REL), ()),          # s has (0,0)
                          (True, 0, ("empty-branch",))])


def test_static_with_and_dynamic_with_nest() -> None:
    # `m` comes from a static set, `d` from a dynamic one (depends on s)
    text = """
with m from {[A], [B]}
with d from {s, s;s}
let both = m | d
show both
"""
    inp = make_input()
    cache = EvalCache()
    outs = run(text, inp, cache)
    got = sorted(o.env["both"] for o in outs)
    ss = _compose(S_REL, S_REL)
    exp = sorted(_bits({(i, i) for i in X} | Y) for X in (A_SET, B_SET) for Y in (S_REL, ss))
    assert got == exp
    # same static key, different dynamic relation: cached state is reused
    inp2 = make_input(s_rel={(1, 1)})
    outs2 = list(evaluate(load_model_text(text), inp2, EvalCache()))
    m = load_model_text(text)
    c = EvalCache()
    a = sorted(o.env["both"] for o in evaluate(m, inp, c))
    b = sorted(o.env["both"] for o in evaluate(m, inp2, c))
    assert a == got
    assert b == sorted(o.env["both"] for o in outs2)
    assert c.hits == 1 and c.misses == 1


def test_static_failure_short_circuits() -> None:
    m = load_model_text("""
let big = s ; s ; s
acyclic r as static-cycle
flag ~empty big as never-reached
""")
    c = EvalCache()
    outs = list(evaluate(m, make_input(), c))
    assert [(o.allowed, o.failed, o.flags) for o in outs] == [(False, "static-cycle", ())]
    outs = list(evaluate(m, make_input(s_rel={(0, 1)}), c))
    assert [(o.allowed, o.failed) for o in outs] == [(False, "static-cycle")]


def test_dynamic_and_static_agree() -> None:
    """Marking everything dynamic or nothing dynamic gives the same result."""
    text = """
let t = (r | s)+
let u = [A] ; t ; [B]
flag ~empty u as u-flag
acyclic s & (A * B) as ok
with c from {r, s}
flag ~empty c & t as c-flag
show t, u, c
"""
    dyns = (frozenset(), frozenset({"s"}), frozenset({"r", "s", "A", "B"}))
    m = load_model_text(text)
    res = []
    for dyn in dyns:
        outs = list(evaluate(m, make_input(dynamic=dyn, key=("k", dyn)), EvalCache()))
        res.append(sorted((o.allowed, o.failed, o.flags, sorted(o.env.items()))
                          for o in outs))
    assert res[0] == res[1] == res[2]
    assert len(res[0]) == 2 and all(o[0] for o in res[0])
    # with a failing check: a static failure short-circuits (no flags), a
    # dynamic one reports the flags raised before it; both are forbidden
    m = load_model_text(text.replace("s & (A * B)", "s"))
    for dyn in dyns:
        outs = list(evaluate(m, make_input(dynamic=dyn, key=("k", dyn)), EvalCache()))
        assert [(o.allowed, o.failed) for o in outs] == [(False, "ok")]


def test_instruction_level_match_and_if() -> None:
    outs = run("""
let t = 'b
match t with
|| 'a -> let v = r
|| 'b -> let v = s let w = r
end
if v = s then let u = r acyclic 0 as fine else let u = s end
show v, u
""")
    assert [(o.allowed, o.env["v"], o.env["u"]) for o in outs] == [
        (True, _bits(S_REL), _bits(R_REL))]
    outs = run("""
with c from {'a, 'b}
match c with
|| 'a -> let v = r
|| _ -> let v = s
end
show v
""")
    assert sorted(o.env["v"] for o in outs) == sorted([_bits(R_REL), _bits(S_REL)])


def test_variants() -> None:
    text = """
if "opt" then let v = r else let v = s end
let w = if "opt" && not "other" then r else s
show v, w
"""
    env = run(text, variants={"opt"})[0].env
    assert env["v"] == env["w"] == _bits(R_REL)
    env = run(text)[0].env
    assert env["v"] == env["w"] == _bits(S_REL)


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


def test_unbound_variable_position() -> None:
    with pytest.raises(CatError) as ei:
        run("let a = r\nlet b = a | LKR\n", file="m.cat")
    e = ei.value
    assert e.msg == "unbound var: LKR"
    assert (e.pos.file, e.pos.line, e.pos.col) == ("m.cat", 2, 13)
    assert str(e) == "m.cat:2:13: error: unbound var: LKR"


def test_type_error_position() -> None:
    with pytest.raises(CatError) as ei:
        run("let a = r\n\nlet b = domain(A)\n", file="m.cat")
    assert ei.value.pos.line == 3 and "relation expected" in ei.value.msg
    with pytest.raises(CatError) as ei:
        run("let b = A | r\n", file="m.cat")
    assert ei.value.pos.line == 1 and "union" in ei.value.msg


# ---------------------------------------------------------------------------
# SB and MP under a sequential-consistency model
# ---------------------------------------------------------------------------

SC = """SC-like
include "cos.cat"
empty rmw & (fre ; coe) as atomic
acyclic po | rf | co | fr as sc
"""


def sb() -> ExecBuilder:
    b = ExecBuilder(["x", "y"])
    b.write(0, "x", 1)
    b.read(0, "y", 0)
    b.write(1, "y", 1)
    b.read(1, "x", 0)
    return b


def mp(r1: int, r2: int) -> ExecBuilder:
    b = ExecBuilder(["x", "y"])
    b.write(0, "x", 1)
    b.write(0, "y", 1)
    b.read(1, "y", r1)
    b.read(1, "x", r2)
    return b


def allowed(model, builder: ExecBuilder) -> bool:
    cache = EvalCache()
    return any(o.allowed for inp in builder.candidates()
               for o in evaluate(model, inp, cache))


@pytest.mark.parametrize("variants", [set(), {"cos-opt"}])
def test_sc_sb_mp(variants) -> None:
    m = load_model_text(SC, variants=variants)
    assert not allowed(m, sb())
    assert not allowed(m, mp(1, 0))
    for r1, r2 in ((0, 0), (0, 1), (1, 1)):
        assert allowed(m, mp(r1, r2))


def test_herd_sc_and_tso() -> None:
    if not os.path.isdir(HERD):
        pytest.skip("../shared is absent")
    sc = load_model("sc.cat", [HERD])
    tso = load_model("x86tso.cat", [HERD])
    assert sc.title == "SC" and tso.title == "X86 TSO"
    assert not allowed(sc, sb()) and allowed(tso, sb())
    assert not allowed(sc, mp(1, 0)) and not allowed(tso, mp(1, 0))
    assert allowed(sc, mp(1, 1))


def test_co_enumeration() -> None:
    """Three writes to x (init + 2): 2 coherence orders, each an outcome."""
    m = load_model_text('"co"\ninclude "cos.cat"\nshow co')
    b = ExecBuilder(["x"])
    w1 = b.write(0, "x", 1)
    w2 = b.write(1, "x", 2)
    inp = next(b.candidates())
    outs = list(evaluate(m, inp, EvalCache()))
    cos = sorted(o.env["co"] for o in outs)
    i = b.init["x"]
    exp = sorted(_bits_n(len(b.events), {(i, w1), (i, w2), (w1, w2)}) for _ in [0])
    exp += [_bits_n(len(b.events), {(i, w1), (i, w2), (w2, w1)})]
    assert cos == sorted(exp)


def _bits_n(n: int, ps) -> int:
    return R.from_pairs(n, ps)
