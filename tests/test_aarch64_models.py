"""AArch64 models: weakmem's aarch64.cat on classic litmus shapes with the
verdicts the Arm architecture gives them, and against herd7's own
aarch64.cat (interpreted by weakmem) on generated tests
(tests/aarch64_shapes.py).  The herd7 comparison skips without
../shared."""
from __future__ import annotations

import pytest

from corpus_util import SHARED, need_shared
from weakmem.litmus.parse import parse_litmus
from weakmem.report.herd import state_line
from weakmem.run import ModelCache, Options, check_test
from aarch64_shapes import generate, sample

MODELS = ModelCache()


def check(text: str, name: str, **opts):
    o = Options(timeout=120, **opts)
    t = parse_litmus(f"{name}.litmus", text)
    return check_test(t, MODELS.get(o, t.arch), o)


def herd_opts() -> dict:
    lib = SHARED / "corpus" / "herd-libdir"
    return dict(model=str(lib / "aarch64.cat"), includes=[str(lib)])


def P(*accs):
    """One thread: (flavour, decoration before) per access."""
    return list(accs)


# Classic shapes and what the Arm model says of them (the catalogue's
# kinds.txt and the Arm ARM's litmus examples).
KNOWN = [
    ("MP", [P(("str", ""), ("str", "po")), P(("ldr", ""), ("ldr", "po"))], "Sometimes"),
    ("MP", [P(("str", ""), ("str", "dmb.sy")), P(("ldr", ""), ("ldr", "dmb.sy"))], "Never"),
    ("MP", [P(("str", ""), ("str", "dmb.st")), P(("ldr", ""), ("ldr", "dmb.ld"))], "Never"),
    ("MP", [P(("str", ""), ("str", "dmb.st")), P(("ldr", ""), ("ldr", "addr"))], "Never"),
    ("MP", [P(("str", ""), ("str", "dmb.st")), P(("ldr", ""), ("ldr", "ctrl"))], "Sometimes"),
    ("MP", [P(("str", ""), ("str", "dmb.st")), P(("ldr", ""), ("ldr", "ctrlisb"))], "Never"),
    ("MP", [P(("str", ""), ("stlr", "po")), P(("ldar", ""), ("ldr", "po"))], "Never"),
    ("MP", [P(("str", ""), ("stlr", "po")), P(("ldapr", ""), ("ldr", "po"))], "Never"),
    ("MP", [P(("str", ""), ("stlr", "po")), P(("ldr", ""), ("ldr", "po"))], "Sometimes"),
    # a pick (CSEL) address dependency does not order a later read (MP+rel+CSEL-addr)
    ("MP", [P(("str", ""), ("stlr", "po")), P(("ldr", ""), ("ldr", "csel"))], "Sometimes"),
    ("SB", [P(("str", ""), ("ldr", "dmb.sy")), P(("str", ""), ("ldr", "dmb.sy"))], "Never"),
    ("SB", [P(("str", ""), ("ldr", "dmb.st")), P(("str", ""), ("ldr", "dmb.st"))], "Sometimes"),
    ("SB", [P(("stlr", ""), ("ldar", "po")), P(("stlr", ""), ("ldar", "po"))], "Never"),
    ("SB", [P(("stlr", ""), ("ldapr", "po")), P(("stlr", ""), ("ldapr", "po"))], "Sometimes"),
    ("LB", [P(("ldr", ""), ("str", "po")), P(("ldr", ""), ("str", "po"))], "Sometimes"),
    ("LB", [P(("ldr", ""), ("str", "data")), P(("ldr", ""), ("str", "data"))], "Never"),
    ("LB", [P(("ldr", ""), ("str", "ctrl")), P(("ldr", ""), ("str", "ctrl"))], "Never"),
    ("LB", [P(("ldr", ""), ("str", "addr")), P(("ldr", ""), ("str", "addr"))], "Never"),
    ("LB", [P(("ldr", ""), ("str", "csel")), P(("ldr", ""), ("str", "csel"))], "Never"),
    ("WRC", [P(("str", "")), P(("ldr", ""), ("str", "data")), P(("ldr", ""), ("ldr", "addr"))], "Never"),
    ("IRIW", [P(("str", "")), P(("ldr", ""), ("ldr", "addr")), P(("str", "")), P(("ldr", ""), ("ldr", "addr"))],
     "Never"),
    ("IRIW", [P(("str", "")), P(("ldr", ""), ("ldr", "po")), P(("str", "")), P(("ldr", ""), ("ldr", "po"))],
     "Sometimes"),
    ("2+2W", [P(("str", ""), ("str", "dmb.st")), P(("str", ""), ("str", "dmb.st"))], "Never"),
    ("2+2W", [P(("str", ""), ("stlr", "po")), P(("str", ""), ("stlr", "po"))], "Never"),
    ("S", [P(("str", ""), ("str", "dmb.st")), P(("ldr", ""), ("str", "data"))], "Never"),
    ("R", [P(("str", ""), ("str", "dmb.sy")), P(("str", ""), ("ldr", "dmb.sy"))], "Never"),
    ("CoRR", [P(("str", "")), P(("ldr", ""), ("ldr", "po"))], "Never"),
    ("MP", [P(("str", ""), ("swpl", "po")), P(("swpa", ""), ("ldr", "po"))], "Never"),
    ("MP", [P(("str", ""), ("stlr", "po")), P(("ldadda", ""), ("ldr", "po"))], "Never"),
    ("MP", [P(("str", ""), ("stlr", "po")), P(("ldxr", ""), ("ldr", "po"))], "Sometimes"),
    ("LB", [P(("ldr", ""), ("str", "lrs")), P(("ldr", ""), ("str", "lrs"))], "Never"),
]


@pytest.mark.parametrize("shape,threads,verdict", KNOWN,
                         ids=[f"{s}-{i}" for i, (s, _, _) in enumerate(KNOWN)])
def test_known_shapes(shape, threads, verdict):
    text = generate(shape, threads, f"{shape}-known")
    assert check(text, shape, model="aarch64").verdict.observation == verdict, text


GENERATED = sample(60, seed=11)


@pytest.mark.parametrize("name,text", GENERATED, ids=[n for n, _ in GENERATED])
def test_builtin_equals_herd_cat(name, text):
    need_shared()
    mine = check(text, name, model="aarch64")
    herd = check(text, name, **herd_opts())
    assert mine.verdict.observation == herd.verdict.observation, text
    assert sorted(map(state_line, mine.states)) == sorted(map(state_line, herd.states)), text
    assert (mine.pos, mine.neg) == (herd.pos, herd.neg)
