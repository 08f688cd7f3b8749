"""Shared harness for the Armv7, POWER and RISC-V model tests."""
from __future__ import annotations

from corpus_util import SHARED
from weakmem.litmus.parse import parse_litmus
from weakmem.run import ModelCache, Options, check_test

MODELS = ModelCache()


def herd_opts(cat: str) -> dict:
    """Options running herd7's own model file `cat` from its library."""
    lib = SHARED / "corpus" / "herd-libdir"
    return dict(model=str(lib / cat), includes=[str(lib)], timeout=60)


def check_text(text: str, **opts):
    o = Options(**opts)
    t = parse_litmus("t.litmus", text)
    return check_test(t, MODELS.get(o, t.arch), o)


def same_result(a, b) -> bool:
    return (a.verdict.observation, a.pos, a.neg, sorted(a.states)) == \
        (b.verdict.observation, b.pos, b.neg, sorted(b.states))
