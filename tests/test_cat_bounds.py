"""Evaluation on bounds (weakmem.cat.bounds): a value computed from an input
known only to lie in [lo, hi] lies between the bounds computed for it,
whatever the expression (differences, complements and closures included);
and pruning `with` choices with it changes no result."""
from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weakmem.cat import rel as R
from weakmem.cat.bounds import Bounds, Iv, Unknown
from weakmem.cat.eval import EvalCache
from weakmem.cat.model import load_model_text
from weakmem.litmus.parse import parse_litmus
from weakmem.run import ModelCache, Options, check_test

from c_random import c_test, draw_ops
from corpus_util import SHARED
from test_cat_monotone import N, PAIRS, _inp, _value, exprs

CACHE = ModelCache()


def _bounds(model, r: int):
    inp = _inp(0, r)
    prog, root = EvalCache().root(model, inp)
    vals = list(root.env)
    for s, name, k, static in prog.inputs:
        if not static:
            vals[s] = inp.rels[name]
    return Bounds.over(prog, vals)


@settings(max_examples=200, deadline=None)
@given(exprs(), st.sets(st.sampled_from(PAIRS)), st.sets(st.sampled_from(PAIRS)),
       st.sets(st.sampled_from(PAIRS)), st.sets(st.sampled_from(PAIRS)))
def test_bounds_are_sound(expr, small, extra, mid, r):
    model = load_model_text(f"let v = {expr}\nshow v")
    lo = R.from_pairs(N, small)
    hi = R.from_pairs(N, small | extra)
    x = R.from_pairs(N, small | (mid & extra))       # some value between lo and hi
    rr = R.from_pairs(N, r)
    e = model.instrs[-2].binds[0].e
    try:
        b = _bounds(model, rr).value(e, {"rf": Iv(lo, hi) if lo != hi else lo})
    except Unknown:
        return
    v = _value(model, x, rr)
    blo, bhi = (b.lo, b.hi) if isinstance(b, Iv) else (b, b)
    assert blo & ~v == 0, f"{expr}: lower bound {blo:b} not below {v:b}"
    assert v & ~bhi == 0, f"{expr}: {v:b} not below upper bound {bhi:b}"


def test_immediate_successor_is_exact_where_the_order_is():
    # c \ (c ; c) is not monotone in c, but where c is known exactly (its lower
    # and upper bounds agree on the pairs among 0, 1, 2) so is its lower bound
    model = load_model_text("let v = rf \\ (rf ; rf)\nshow v")
    e = model.instrs[-2].binds[0].e
    lo = R.from_pairs(N, [(0, 1), (1, 2), (0, 2)])
    hi = lo | R.from_pairs(N, [(3, 3)])
    b = _bounds(model, 0).value(e, {"rf": Iv(lo, hi)})
    assert b.lo == R.from_pairs(N, [(0, 1), (1, 2)])


# ------------------------------------------------- whole tests with locks

LOCK_OPS = [
    "r{r} = READ_ONCE(*{x});",
    "WRITE_ONCE(*{x}, {v});",
    "smp_mb();",
    "r{r} = smp_load_acquire({x});",
]


@st.composite
def lock_tests(draw):
    threads, regs = [], []
    for t in range(draw(st.integers(2, 3))):
        body, rr = [], 0
        for _ in range(draw(st.integers(1, 2))):
            lk = draw(st.sampled_from(["l", "m", None]))
            ops = draw(st.lists(st.sampled_from(LOCK_OPS), min_size=1, max_size=2))
            sec, rr = draw_ops(draw, t, ops, rr, regs)
            body += ([f"spin_lock({lk});"] + sec + [f"spin_unlock({lk});"]) if lk else sec
        threads.append((rr, body))
    return c_test(draw, "locks", "int *x, int *y, spinlock_t *l, spinlock_t *m", threads, regs)


KERNEL = os.path.join(SHARED, "corpus", "lkmm", "model")


def _opts(model: str, **kw) -> Options:
    if model == "kernel":
        return Options(conf=os.path.join(KERNEL, "linux-kernel.cfg"), includes=[KERNEL], **kw)
    return Options(model=model, **kw)


def _run(tmp_path, text: str, model: str, **kw):
    p = tmp_path / "t.litmus"
    p.write_text(text)
    test = parse_litmus(str(p))
    opts = _opts(model, **kw)
    return check_test(test, CACHE.get(opts, test.arch, test), opts)


def _same(tmp_path, text: str, model: str) -> None:
    full = _run(tmp_path, text, model, prune=False)
    pruned = _run(tmp_path, text, model)
    assert not full.undetermined and not pruned.undetermined
    assert pruned.states == full.states, text
    assert (pruned.pos, pruned.neg, pruned.flags) == (full.pos, full.neg, full.flags), text
    vo = _run(tmp_path, text, model, verdict_only=True)
    assert (vo.pos > 0) == (full.pos > 0), text


MODELS = ["lkmm"] + (["kernel"] if os.path.isfile(os.path.join(KERNEL, "lock.cat")) else [])


@pytest.mark.parametrize("model", MODELS)
@settings(max_examples=15, deadline=None, suppress_health_check=list(__import__("hypothesis").HealthCheck))
@given(text=lock_tests())
def test_lock_tests_pruned_as_unpruned(tmp_path, model, text):
    _same(tmp_path, text, model)


LOCKED = """C locked3
{
}
P0(int *x, int *y, spinlock_t *l) { int r0; spin_lock(l); WRITE_ONCE(*x, 1); r0 = READ_ONCE(*y); spin_unlock(l); }
P1(int *x, int *y, spinlock_t *l) { int r0; spin_lock(l); WRITE_ONCE(*y, 1); r0 = READ_ONCE(*x); spin_unlock(l); }
P2(int *x, int *y, spinlock_t *l) { int r0; spin_lock(l); r0 = READ_ONCE(*x); WRITE_ONCE(*y, 2); spin_unlock(l); }
exists (0:r0=0 /\\ 1:r0=0)
"""


@pytest.mark.parametrize("model", MODELS)
def test_lock_orders_are_refuted_on_bounds(tmp_path, model):
    """With locks, checks after the coherence order are not monotone in it
    (the lock reads-from is its immediate successor): partial orders are
    refuted on bounds, with the results of full enumeration."""
    from weakmem.cat.partial import refuter_for
    _same(tmp_path, LOCKED, model)
    p = tmp_path / "t.litmus"
    p.write_text(LOCKED)
    test = parse_litmus(str(p))
    opts = _opts(model)
    ref = refuter_for(CACHE.get(opts, test.arch, test).model)
    before = ref.refuted
    _run(tmp_path, LOCKED, model)
    assert ref.refuted > before
