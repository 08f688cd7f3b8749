"""Property tests: bitset relations (weakmem.cat.rel) vs sets of pairs."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from naive_rel import closure as naive_closure
from naive_rel import compose as naive_compose
from naive_rel import set_bits as sbits
from weakmem.cat import rel as R
from weakmem.cat.prims import linearisations


@st.composite
def n_and_rels(draw, k: int = 2):
    n = draw(st.integers(min_value=1, max_value=9))
    pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    rels = [draw(st.frozensets(pair, max_size=n * n)) for _ in range(k)]
    sets = [draw(st.frozensets(st.integers(0, n - 1))) for _ in range(2)]
    return n, rels, sets


def bits(n: int, ps) -> int:
    return R.from_pairs(n, ps)


@settings(max_examples=300, deadline=None)
@given(n_and_rels())
def test_ops_match_naive(data) -> None:
    n, (a, b), (s1, s2) = data
    A, B = bits(n, a), bits(n, b)
    assert R.compose(n, A, B) == bits(n, naive_compose(a, b))
    assert R.inverse(n, A) == bits(n, {(j, i) for i, j in a})
    assert R.domain(n, A) == sbits({i for i, _ in a})
    assert R.range_(n, A) == sbits({j for _, j in a})
    plus = naive_closure(a)
    assert R.tclosure(n, A) == bits(n, plus)
    assert R.rtclosure(n, A) == bits(n, plus | {(i, i) for i in range(n)})
    assert R.is_acyclic(n, A) == (not any((i, i) in plus for i in range(n)))
    assert R.is_irreflexive(n, A) == (not any((i, i) in a for i in range(n)))
    S1, S2 = sbits(s1), sbits(s2)
    assert R.cartesian(n, S1, S2) == bits(n, {(i, j) for i in s1 for j in s2})
    assert R.diag(n, S1) == bits(n, {(i, i) for i in s1})
    assert R.spread(n, S1) == sum(1 << (i * n) for i in s1)
    assert R.gather(n, R.spread(n, S1)) == S1
    assert R.complement(n, A) == bits(n, {(i, j) for i in range(n) for j in range(n)} - a)
    assert R.restrict(n, A, S1) == bits(n, {(i, j) for i, j in a if i in s1 and j in s1})
    assert sorted(R.pairs(n, A)) == sorted(a)
    assert list(R.members(S1)) == sorted(s1)
    assert R.from_rows(n, R.rows(n, A)) == A


@settings(max_examples=200, deadline=None)
@given(n_and_rels(k=1))
def test_linearisations(data) -> None:
    n, (a,), (s, _) = data
    S = sbits(s)
    A = bits(n, a)
    orders = linearisations(n, S, A)
    sub = {(i, j) for i, j in a if i in s and j in s}
    cyclic = any((i, i) in naive_closure(sub) for i in s)
    if cyclic:
        assert orders == []
        return
    import math
    assert len(set(orders)) == len(orders)
    # each order is a strict total order on s containing sub
    for o in orders:
        ps = set(R.pairs(n, o))
        assert sub <= ps
        assert all(i in s and j in s and i != j for i, j in ps)
        assert len(ps) == len(s) * (len(s) - 1) // 2
        assert naive_compose(ps, ps) <= ps
    if not sub:
        assert len(orders) == math.factorial(len(s))
