"""The Linux-kernel memory model (from ../shared) on hand-built executions
of litmus tests whose herd7 verdicts are in the reference results."""
from __future__ import annotations

import os
from typing import Callable

import pytest

from weakmem.cat.eval import EvalCache, evaluate
from weakmem.cat.model import load_cfg, load_model
from cat_synth import ExecBuilder
from corpus_util import SHARED as _SHARED

LK = str(_SHARED / "corpus" / "lkmm" / "model")
HERD = str(_SHARED / "corpus" / "herd-libdir")

pytestmark = pytest.mark.skipif(not os.path.isdir(LK), reason="../shared is absent")


@pytest.fixture(scope="module", params=["bundled-lib", "herd-libdir"])
def lkmm(request):
    cfg = load_cfg(os.path.join(LK, "linux-kernel.cfg"))
    sp = [LK] + ([HERD] if request.param == "herd-libdir" else [])
    return load_model(cfg.model, sp, cfg.variants, bell=cfg.bell)


Cond = Callable[[dict], bool]


def verdict(model, b: ExecBuilder, cond: Cond | None = None) -> tuple[bool, set[str]]:
    """(some allowed outcome satisfies cond, flags of allowed outcomes)."""
    cache = EvalCache()
    ok = False
    flags: set[str] = set()
    for inp in b.candidates():
        for o in evaluate(model, inp, cache):
            if o.allowed and (cond is None or cond(o.env)):
                ok = True
                flags.update(o.flags)
    return ok, flags


def co_has(b: ExecBuilder, w1: int, w2: int) -> Cond:
    n = len(b.events)
    return lambda env: bool((env["co"] >> (w1 * n + w2)) & 1)


# ---------------------------------------------------------------------------


def sb(fence: str | None) -> ExecBuilder:
    b = ExecBuilder(["x", "y"])
    b.write(0, "x", 1, "once")
    if fence:
        b.fence(0, fence)
    b.read(0, "y", 0, "once")
    b.write(1, "y", 1, "once")
    if fence:
        b.fence(1, fence)
    b.read(1, "x", 0, "once")
    return b


def mp(w_tags=("once", "once"), r_tags=("once", "once"), wf=None, rf_=None) -> ExecBuilder:
    b = ExecBuilder(["x", "y"])
    b.write(0, "x", 1, w_tags[0])
    if wf:
        b.fence(0, wf)
    b.write(0, "y", 1, w_tags[1])
    b.read(1, "y", 1, r_tags[0])
    if rf_:
        b.fence(1, rf_)
    b.read(1, "x", 0, r_tags[1])
    return b


def test_model_shape(lkmm) -> None:
    assert lkmm.title == "Linux-kernel memory consistency model"
    assert lkmm.generates_co
    assert set(lkmm.enums) == {"Accesses", "Barriers", "SRCU"}
    assert lkmm.check_annotation("R", {"once"}) is None
    assert lkmm.check_annotation("R", set()) is None
    assert lkmm.check_annotation("R", {"lderef"}) == (
        "does not match bell declarations\nR: [{acquire,noreturn,once}]")
    assert lkmm.check_annotation("F", {"rb_dep"}) == (
        "does not match bell declarations\nF: [{after-atomic,after-spinlock,"
        "after-unlock-lock,barrier,before-atomic,mb,rcu-lock,rcu-unlock,rmb,"
        "sync-rcu,wmb}]")
    assert lkmm.check_annotation("W", {"release"}) is None
    assert lkmm.check_annotation("W", {"acquire"}) is not None


def test_sb(lkmm) -> None:
    assert verdict(lkmm, sb(None))[0]                 # SB+poonceonces: Sometimes
    assert not verdict(lkmm, sb("mb"))[0]             # SB+mbonceonces: Never


def test_mp(lkmm) -> None:
    assert verdict(lkmm, mp())[0]                                         # Sometimes
    assert not verdict(lkmm, mp(("once", "release"), ("acquire", "once")))[0]
    assert not verdict(lkmm, mp(wf="wmb", rf_="rmb"))[0]
    assert verdict(lkmm, mp(wf="wmb"))[0]                                 # no rmb


def test_lb(lkmm) -> None:
    def lb(ctrl: bool, fence: str | None) -> ExecBuilder:
        b = ExecBuilder(["x", "y"])
        r0 = b.read(0, "x", 1, "once")
        w0 = b.write(0, "y", 1, "once")
        if ctrl:
            b.dep("ctrl", r0, w0)
        b.read(1, "y", 1, "once")
        if fence:
            b.fence(1, fence)
        b.write(1, "x", 1, "once")
        return b
    assert verdict(lkmm, lb(False, None))[0]          # LB+poonceonces: Sometimes
    assert not verdict(lkmm, lb(True, "mb"))[0]       # LB+ctrlonceonce+mbonceonce: Never


def test_r_and_s(lkmm) -> None:
    def r(fence):
        b = ExecBuilder(["x", "y"])
        b.write(0, "x", 1, "once")
        if fence:
            b.fence(0, fence)
        wy1 = b.write(0, "y", 1, "once")
        wy2 = b.write(1, "y", 2, "once")
        if fence:
            b.fence(1, fence)
        b.read(1, "x", 0, "once")
        return b, co_has(b, wy1, wy2)
    b, c = r(None)
    assert verdict(lkmm, b, c)[0]                     # R+poonceonces: Sometimes
    b, c = r("mb")
    assert not verdict(lkmm, b, c)[0]                 # R+mbonceonces: Never

    def s(fence, acq):
        b = ExecBuilder(["x", "y"])
        wx2 = b.write(0, "x", 2, "once")
        if fence:
            b.fence(0, fence)
        b.write(0, "y", 1, "once")
        b.read(1, "y", 1, "acquire" if acq else "once")
        wx1 = b.write(1, "x", 1, "once")
        return b, co_has(b, wx1, wx2)
    b, c = s(None, False)
    assert verdict(lkmm, b, c)[0]                     # S+poonceonces: Sometimes
    b, c = s("wmb", True)
    assert not verdict(lkmm, b, c)[0]                 # S+wmbonceonce+poacquireonce: Never


def test_wrc_iriw_isa2(lkmm) -> None:
    def wrc(strong: bool):
        b = ExecBuilder(["x", "y"])
        b.write(0, "x", 1, "once")
        b.read(1, "x", 1, "once")
        b.write(1, "y", 1, "release" if strong else "once")
        b.read(2, "y", 1, "once")
        if strong:
            b.fence(2, "rmb")
        b.read(2, "x", 0, "once")
        return b
    assert verdict(lkmm, wrc(False))[0]
    assert not verdict(lkmm, wrc(True))[0]

    def iriw(fence):
        b = ExecBuilder(["x", "y"])
        b.write(0, "x", 1, "once")
        b.read(1, "x", 1, "once")
        if fence:
            b.fence(1, fence)
        b.read(1, "y", 0, "once")
        b.write(2, "y", 1, "once")
        b.read(3, "y", 1, "once")
        if fence:
            b.fence(3, fence)
        b.read(3, "x", 0, "once")
        return b
    assert verdict(lkmm, iriw(None))[0]
    assert not verdict(lkmm, iriw("mb"))[0]

    def isa2(strong: bool):
        b = ExecBuilder(["x", "y", "z"])
        b.write(0, "x", 1, "once")
        b.write(0, "y", 1, "release" if strong else "once")
        b.read(1, "y", 1, "acquire" if strong else "once")
        b.write(1, "z", 1, "release" if strong else "once")
        b.read(2, "z", 1, "acquire" if strong else "once")
        b.read(2, "x", 0, "once")
        return b
    assert verdict(lkmm, isa2(False))[0]
    assert not verdict(lkmm, isa2(True))[0]


def test_coherence(lkmm) -> None:
    b = ExecBuilder(["x"])                            # CoRR: Never
    b.write(0, "x", 1, "once")
    b.read(1, "x", 1, "once")
    b.read(1, "x", 0, "once")
    assert not verdict(lkmm, b)[0]


def _locked_z6(after_spinlock: bool) -> tuple[ExecBuilder, Cond]:
    """Z6.0+pooncelock+poonceLock+pombonce (Never) and, without
    smp_mb__after_spinlock(), Z6.0+pooncelock+pooncelock+pombonce
    (Sometimes)."""
    b = ExecBuilder(["x", "y", "z", "l"])

    def lock(t):
        r = b.event(t, {"LKR"}, "l", 0)
        w = b.event(t, {"LKW"}, "l", 1)
        return r, w

    lock(0)
    b.write(0, "x", 1, "once")
    b.write(0, "y", 1, "once")
    b.event(0, {"UL"}, "l", 0)
    lock(1)
    if after_spinlock:
        b.fence(1, "after-spinlock")
    b.read(1, "y", 1, "once")
    wz1 = b.write(1, "z", 1, "once")
    b.event(1, {"UL"}, "l", 0)
    wz2 = b.write(2, "z", 2, "once")
    b.fence(2, "mb")
    b.read(2, "x", 0, "once")
    return b, co_has(b, wz1, wz2)


def test_locks(lkmm) -> None:
    b, c = _locked_z6(True)
    assert not verdict(lkmm, b, c)[0]
    b, c = _locked_z6(False)
    assert verdict(lkmm, b, c)[0]


def test_data_race_flag(lkmm) -> None:
    def race(tags):
        b = ExecBuilder(["x"])
        b.write(0, "x", 1, tags)
        b.read(1, "x", 1, tags)
        return b
    ok, flags = verdict(lkmm, race(()))
    assert ok and "data-race" in flags
    ok, flags = verdict(lkmm, race("once"))
    assert ok and not flags


def test_rcu(lkmm) -> None:
    """RCU MP: reader inside a critical section, updater with
    synchronize_rcu() between its writes: r0=1 /\\ r1=0 is forbidden
    (the reader reads y then x); without the grace period it is allowed."""
    def rcu(gp: bool) -> ExecBuilder:
        b = ExecBuilder(["x", "y"])
        b.fence(0, "rcu-lock")
        b.read(0, "x", 1, "once")
        b.read(0, "y", 0, "once")
        b.fence(0, "rcu-unlock")
        b.write(1, "y", 1, "once")
        if gp:
            b.fence(1, "sync-rcu")
        b.write(1, "x", 1, "once")
        return b
    assert not verdict(lkmm, rcu(True))[0]
    assert verdict(lkmm, rcu(False))[0]


def _big() -> ExecBuilder:
    """About 20 events over four threads and four locations."""
    b = ExecBuilder(["x", "y", "z", "w"])
    b.write(0, "x", 1, "once")
    b.fence(0, "mb")
    b.write(0, "y", 1, "release")
    b.read(0, "z", 1, "once")
    r = b.read(1, "y", 1, "acquire")
    b.fence(1, "rmb")
    r2 = b.read(1, "x", 1, "once")
    b.dep("addr", r, r2)
    b.write(1, "z", 1, "once")
    b.write(2, "z", 1, "once")
    b.fence(2, "wmb")
    b.write(2, "w", 1, "once")
    b.read(2, "x", 0, "once")
    b.read(3, "w", 1, "once")
    b.fence(3, "mb")
    b.read(3, "y", 1)
    b.write(3, "x", 1, "once")
    return b


def test_cached_evaluation_is_stable(lkmm) -> None:
    """Evaluating every candidate again with the warmed static cache gives
    the same outcomes as the first, uncached pass (speed is measured in
    benchmarks/, not here)."""
    b = _big()
    assert len(b.events) == 20
    cands = list(b.candidates())
    cache = EvalCache()
    first = [[(o.allowed, o.failed) for o in evaluate(lkmm, inp, cache)] for inp in cands]
    again = [[(o.allowed, o.failed) for o in evaluate(lkmm, inp, cache)] for inp in cands]
    assert first == again
    assert any(a for outs in first for a, _ in outs) and any(not a for outs in first for a, _ in outs)
