"""Explore-stage helpers: justification of values."""
from __future__ import annotations

from weakmem.explore.thinair import undetermined


def justified(n, rf_pairs, deps):
    return undetermined(n, rf_pairs, deps) == 0


def test_thin_air_cycle_is_not_justified():
    # events: 0 = read a, 1 = write b (data from 0), 2 = read b, 3 = write a (data from 2)
    n = 4
    deps = [1 << 1, 0, 1 << 3, 0]
    assert not justified(n, [(3, 0), (1, 2)], deps)     # each read reads the other's write
    assert justified(n, [(1, 2)], deps)                   # one read from the other: fine


def test_justified_without_dependencies():
    assert justified(3, [(0, 1), (1, 2)], [0, 0, 0])
