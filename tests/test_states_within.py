"""The text format's default (weakmem.run.check_within): every final state
when counting them is quick, otherwise the verdict alone from a
verdict-directed search -- the same verdict, and the report says why."""
from __future__ import annotations

import os
import sys

import pytest
from click.testing import CliRunner

from weakmem.cli import main
from weakmem.litmus.parse import parse_litmus
from weakmem.run import ModelCache, Options, check_test, check_within

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
from rcu_chains import SHAPES, families  # noqa: E402

CACHE = ModelCache()
# 6-thread chains: hundreds of executions, far more than a microsecond of counting
CHAINS = [(n, t) for n, t in families([6], SHAPES)][::5]


def _test(tmp_path, name, text):
    p = tmp_path / f"{name}.litmus"
    p.write_text(text)
    return parse_litmus(str(p))


@pytest.mark.parametrize("name,text", CHAINS, ids=[n for n, _ in CHAINS])
def test_cut_short_gives_the_full_verdict(tmp_path, name, text):
    test = _test(tmp_path, name, text)
    opts = Options(model="lkmm")
    lm = CACHE.get(opts, test.arch, test)
    full = check_test(test, lm, opts)
    assert not full.undetermined and not full.verdict_only
    quick = check_within(test, lm, opts, seconds=1e-6)
    assert quick.verdict_only and quick.states_cut == 1e-6 and not quick.undetermined
    assert (quick.pos > 0) == (full.pos > 0), name          # exists: Yes exactly when some execution satisfies it
    assert not quick.states or len(quick.states) < len(full.states)
    roomy = check_within(test, lm, opts, seconds=600)
    assert not roomy.verdict_only and roomy.states_cut is None
    assert (roomy.states, roomy.pos, roomy.neg, roomy.flags) == (full.states, full.pos, full.neg, full.flags)


def test_own_time_limit_still_undetermined(tmp_path):
    name, text = CHAINS[0]
    test = _test(tmp_path, name, text)
    opts = Options(model="lkmm", timeout=1e-6)
    res = check_within(test, CACHE.get(opts, test.arch, test), opts, seconds=1e-6)
    assert res.undetermined == "time limit" and not res.verdict_only


def test_cli_says_why_and_all_states(tmp_path, monkeypatch):
    name, text = CHAINS[0]
    p = tmp_path / f"{name}.litmus"
    p.write_text(text)
    import weakmem.run
    monkeypatch.setattr(weakmem.run.check_within, "__defaults__", (1e-6,))
    r = CliRunner().invoke(main, ["run", str(p)])
    assert r.exit_code == 0, r.output
    assert "states not counted (counting them all took more than 1e-06 s; --all-states waits for them)" in r.output
    r = CliRunner().invoke(main, ["run", "--all-states", str(p)])
    assert r.exit_code == 0 and "final state(s)" in r.output and "not counted" not in r.output
    r = CliRunner().invoke(main, ["run", "--all-states", "--verdict-only", str(p)])
    assert r.exit_code == 2 and "choose one" in r.output
    r = CliRunner().invoke(main, ["run", "--format", "herd", str(p)])     # herd and JSON always count
    assert r.exit_code == 0 and "States" in r.output and "not counted" not in r.output
