"""weakmem's rc11.cat against herd7's rc11.cat on the classic shapes.

SB, MP, LB and 2+2W written with C11 atomics, with every combination of
memory orders on their four accesses (loads: relaxed, acquire, seq_cst;
stores: relaxed, release, seq_cst): both models must allow the same
executions -- same verdict, same Positive/Negative counts, same final
states, same flags.  Skipped when ../shared (herd7's library) is absent.
"""
from __future__ import annotations

import itertools

import pytest

from corpus_util import SHARED

HERD_RC11 = SHARED / "corpus" / "herd-libdir" / "rc11.cat"

LOADS = ("relaxed", "acquire", "seq_cst")
STORES = ("relaxed", "release", "seq_cst")


def ld(r: str, x: str, o: str) -> str:
    return f"  int {r} = atomic_load_explicit({x}, memory_order_{o});"


def st(x: str, v: int, o: str) -> str:
    return f"  atomic_store_explicit({x}, {v}, memory_order_{o});"


def litmus(name: str, threads: list[list[str]], cond: str) -> str:
    body = []
    for i, lines in enumerate(threads):
        body.append(f"P{i}(atomic_int *x, atomic_int *y) {{")
        body.extend(lines)
        body.append("}")
    return f"C {name}\n{{}}\n" + "\n".join(body) + f"\n{cond}\n"


def sb(o):
    return litmus("SB", [[st("x", 1, o[0]), ld("r0", "y", o[1])], [st("y", 1, o[2]), ld("r0", "x", o[3])]],
                  "exists (0:r0=0 /\\ 1:r0=0)")


def mp(o):
    return litmus("MP", [[st("x", 1, o[0]), st("y", 1, o[1])], [ld("r0", "y", o[2]), ld("r1", "x", o[3])]],
                  "exists (1:r0=1 /\\ 1:r1=0)")


def lb(o):
    return litmus("LB", [[ld("r0", "x", o[0]), st("y", 1, o[1])], [ld("r0", "y", o[2]), st("x", 1, o[3])]],
                  "exists (0:r0=1 /\\ 1:r0=1)")


def w22(o):
    return litmus("2+2W", [[st("x", 1, o[0]), st("y", 2, o[1])], [st("y", 1, o[2]), st("x", 2, o[3])]],
                  "exists ([x]=1 /\\ [y]=1)")


SHAPES = {
    "SB": (sb, (STORES, LOADS, STORES, LOADS)),
    "MP": (mp, (STORES, STORES, LOADS, LOADS)),
    "LB": (lb, (LOADS, STORES, LOADS, STORES)),
    "2+2W": (w22, (STORES, STORES, STORES, STORES)),
}

CASES = [(shape, orders) for shape, (_, doms) in SHAPES.items() for orders in itertools.product(*doms)]

_CACHE = None


def outcome(text: str, model: str):
    """(verdict, pos, neg, states, flags) of a test given as text."""
    global _CACHE
    from weakmem.litmus.parse import parse_litmus
    from weakmem.run import ModelCache, Options, check_test
    if _CACHE is None:
        _CACHE = ModelCache()
    opts = Options(model=model)
    test = parse_litmus("gen.litmus", text)
    r = check_test(test, _CACHE.get(opts, test.arch, test), opts)
    return r.verdict.observation, r.pos, r.neg, sorted(r.states), sorted(r.flags)


@pytest.mark.parametrize("shape,orders", CASES, ids=[f"{s}-{'-'.join(o)}" for s, o in CASES])
def test_rc11_matches_herd(shape, orders):
    if not HERD_RC11.exists():
        pytest.skip("herd7's rc11.cat (../shared) is absent")
    text = SHAPES[shape][0](orders)
    assert outcome(text, "rc11") == outcome(text, str(HERD_RC11))


# Expected verdicts of a few well-known cases (also when ../shared is absent).
KNOWN = [
    ("SB", ("seq_cst",) * 4, "Never"),
    ("SB", ("release", "acquire", "release", "acquire"), "Sometimes"),
    ("SB", ("seq_cst", "seq_cst", "seq_cst", "acquire"), "Sometimes"),
    ("MP", ("relaxed", "release", "acquire", "relaxed"), "Never"),
    ("MP", ("relaxed", "relaxed", "acquire", "relaxed"), "Sometimes"),
    ("MP", ("relaxed", "release", "relaxed", "relaxed"), "Sometimes"),
    ("LB", ("relaxed",) * 4, "Never"),          # RC11's no-thin-air: sb | rf acyclic
    ("2+2W", ("release",) * 4, "Sometimes"),
    ("2+2W", ("seq_cst",) * 4, "Never"),
]


@pytest.mark.parametrize("shape,orders,verdict", KNOWN)
def test_rc11_known(shape, orders, verdict):
    assert outcome(SHAPES[shape][0](orders), "rc11")[0] == verdict
