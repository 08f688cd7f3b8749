"""Every Never test of the reference corpora gets an explanation whose every
edge is checked mechanically: each step's relation, evaluated by the model
on that execution (in the scope of the definition it came from), contains
the step's pair; the steps chain into a closed cycle (acyclic, irreflexive)
or a path (empty); the groups are exactly the checks that rejected the
outcome.  Models: herd7's own .cat files (its library) and weakmem's.
Skips without ../shared."""
from __future__ import annotations

import pytest

from corpus_util import SHARED, load_reference, need_shared

LIB = SHARED / "corpus" / "herd-libdir"
LKMM = SHARED / "corpus" / "lkmm" / "model"


def _official():
    return dict(conf=str(LKMM / "linux-kernel.cfg"), includes=[str(LKMM)])


def _lib(cat):
    return lambda: dict(model=str(LIB / cat), includes=[str(LIB)])


def _builtin(name):
    return lambda: dict(model=name)


# (corpus folder, reference file, {model label: options})
SUITES = [
    ("lkmm/litmus-tests", "lkmm-litmus-tests.jsonl", {"herd-lkmm": _official, "lkmm": _builtin("lkmm")}),
    ("herd-regression/X86_64", "herd-regression-X86_64.jsonl",
     {"x86tso-mixed.cat": _lib("x86tso-mixed.cat"), "x86-tso": _builtin("x86-tso")}),
    ("herd-regression/AArch64", "herd-regression-AArch64.jsonl",
     {"aarch64.cat": _lib("aarch64.cat"), "aarch64": _builtin("aarch64")}),
    ("catalogue/x86", "catalogue-x86.x86tso.jsonl", {"x86tso.cat": _lib("x86tso.cat"), "x86-tso": _builtin("x86-tso")}),
    ("catalogue/x86", "catalogue-x86.sc.jsonl", {"sc.cat": _lib("sc.cat")}),
    ("catalogue/x86_64", "catalogue-x86_64.tso-mixed.jsonl",
     {"x86tso-mixed.cat": _lib("x86tso-mixed.cat"), "x86-tso": _builtin("x86-tso")}),
    ("catalogue/aarch64", "catalogue-aarch64.default.jsonl",
     {"aarch64.cat": _lib("aarch64.cat"), "aarch64": _builtin("aarch64")}),
    ("catalogue/aarch64", "catalogue-aarch64.sc.jsonl", {"sc.cat": _lib("sc.cat")}),
]


def cases():
    out = []
    for folder, ref_file, models in SUITES:
        for ref in load_reference(ref_file):
            if ref.get("verdict") != "Never":
                continue
            for label, mk in models.items():
                out.append(pytest.param(folder, ref["file"], mk, id=f"{folder}/{ref['file']}[{label}]"))
    return out


_CACHE = None


def explained(folder, file, mk):
    global _CACHE
    from weakmem.explain import explain
    from weakmem.litmus.parse import parse_litmus
    from weakmem.run import ModelCache, Options
    if _CACHE is None:
        _CACHE = ModelCache()
    from weakmem.errors import WeakmemError
    opts = Options(timeout=120, **mk())
    try:
        test = parse_litmus(str(SHARED / "corpus" / folder / file))
        lm = _CACHE.get(opts, test.arch, test)
        return explain(test, lm, opts)
    except WeakmemError as e:     # a feature weakmem leaves out (the corpus tests check the error)
        pytest.skip(f"weakmem rejects this test: {e}")


def check_group(g) -> int:
    """Mechanical checks of one group; returns the number of steps checked."""
    steps = [s for e in g.cycle for s in e.steps]
    if g.member is not None:
        assert g.test == "empty"
        return 0
    assert steps, f"{g.check}: no cycle ({g.note})"
    for s in steps:
        assert s.holds(), f"{g.check}: ({s.src},{s.dst}) not in {s.name}"
    for s, t in zip(steps, steps[1:]):
        assert s.dst == t.src, f"{g.check}: broken chain at {s} / {t}"
    if g.test in ("acyclic", "irreflexive"):
        assert steps[-1].dst == steps[0].src, f"{g.check}: the cycle does not close"
    for e in g.cycle:                 # shown edges are made of their steps
        assert e.steps[0].src == e.src.eid and e.steps[-1].dst == e.dst.eid and e.name
    # the cycle really is in the check's relation, and the steps go through it
    from weakmem.cat.values import as_rel
    f = g.failure
    n = f.n
    r = as_rel(f.value)
    nodes = g.nodes
    pairs = list(zip(nodes, nodes[1:] + nodes[:1])) if g.test != "empty" else [tuple(nodes)]
    for a, b in pairs:
        assert (r >> (a * n + b)) & 1, f"{g.check}: ({a},{b}) not in its relation"
    walk = [steps[0].src] + [s.dst for s in steps]
    k = 0
    for v in walk:
        if k < len(nodes) and v == nodes[k]:
            k += 1
    assert k == len(nodes) or (g.test != "empty" and set(nodes) <= set(walk)), \
        f"{g.check}: the steps do not follow the relation's cycle"
    return len(steps)


@pytest.mark.parametrize("folder,file,mk", cases())
def test_never_tests_are_explained(folder, file, mk):
    need_shared()
    ex = explained(folder, file, mk)
    assert ex.observation == "Never" and ex.forbidden
    if ex.no_candidate:
        assert not ex.groups and not ex.result.forbidden_by
        return
    assert {g.check for g in ex.groups} == set(ex.result.forbidden_by)
    assert sum(g.executions for g in ex.groups) == sum(ex.result.forbidden_by.values())
    for g in ex.groups:
        check_group(g)
