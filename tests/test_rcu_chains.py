"""The RCU chains of benchmarks/rcu_chains.py (kernel-style grace-period
cycles in the four shapes RW, WR, WW, RR): on small sizes, weakmem's verdict
is the RCU rule's (forbidden when there are at least as many grace periods
as read-side critical sections), pruned or not, and --verdict-only agrees."""
from __future__ import annotations

import os
import sys

import pytest

from weakmem.litmus.parse import parse_litmus
from weakmem.run import ModelCache, Options, check_test

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
from rcu_chains import SHAPES, families  # noqa: E402

CACHE = ModelCache()


@pytest.mark.parametrize("name,text", families([4], SHAPES), ids=lambda x: x if x.startswith("C-") else "")
def test_rcu_rule(tmp_path, name, text):
    p = tmp_path / f"{name}.litmus"
    p.write_text(text)
    test = parse_litmus(str(p))
    expect = text.split("Result: ")[1].split()[0]
    out = {}
    for kw in ({}, {"prune": False}, {"verdict_only": True}):
        opts = Options(model="lkmm", **kw)
        out[tuple(kw)] = r = check_test(test, CACHE.get(opts, test.arch, test), opts)
        assert not r.undetermined
        assert (r.pos > 0) == (expect == "Sometimes"), (name, kw)
    full, unpruned = out[()], out[("prune",)]
    assert (full.states, full.pos, full.neg) == (unpruned.states, unpruned.pos, unpruned.neg)
