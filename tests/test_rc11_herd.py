"""weakmem's rc11.cat against herd7's rc11.cat and herd7's recorded results.

* herd7's C regression tests (herd-regression/C, run as herd7 ran them:
  `-conf c.cfg`, which names rc11.cat): weakmem's rc11 must reproduce the
  reference verdicts, counts, states and flags -- and agree with herd7's
  own rc11.cat run by weakmem;
* hand-written C11 tests beyond the plain shapes of test_rc11_shapes.py:
  fences of every order, each kind of RMW (exchange, fetch-op, strong and
  weak compare-exchange, the forms without _explicit), consume reads,
  IRIW, data races.
Skipped when ../shared is absent (except the verdicts stated outright).
"""
from __future__ import annotations

import itertools

import pytest

from corpus_util import SHARED, compare, load_reference

HERD_RC11 = SHARED / "corpus" / "herd-libdir" / "rc11.cat"
CDIR = SHARED / "corpus" / "herd-regression" / "C"
REFS = [r for r in load_reference("herd-regression-C.jsonl") if r.get("verdict")]

_CACHE = None


def run(text: str | None, model: str | None = None, path: str = "gen.litmus", **kw):
    global _CACHE
    from weakmem.litmus.parse import parse_litmus
    from weakmem.run import ModelCache, Options, check_test
    if _CACHE is None:
        _CACHE = ModelCache()
    opts = Options(model=model, **kw)
    test = parse_litmus(path, text)
    return check_test(test, _CACHE.get(opts, test.arch, test), opts)


def facts(r):
    return r.verdict.observation, r.pos, r.neg, sorted(r.states), sorted(r.flags)


@pytest.mark.parametrize("ref", REFS, ids=[r["file"] for r in REFS])
def test_herd_regression_c(ref):
    """-conf c.cfg finds weakmem's rc11.cat (herd7's is not on the path)."""
    path = str(CDIR / ref["file"])
    mine = run(None, path=path, conf=str(CDIR / "c.cfg"))
    assert compare(mine, ref) == []
    assert sorted(mine.flags) == sorted(ref.get("flags") or [])
    theirs = run(None, path=path, conf=str(CDIR / "c.cfg"), includes=[str(SHARED / "corpus" / "herd-libdir")])
    assert facts(mine) == facts(theirs)


# ---------------------------------------------------------------- hand-written

def prog(name, threads, cond, init="{}"):
    out = [f"C {name}", init]
    for i, lines in enumerate(threads):
        out.append(f"P{i}(atomic_int *x, atomic_int *y, atomic_int *z) {{")
        out += ["  " + l for l in lines]
        out.append("}")
    out.append(cond)
    return "\n".join(out) + "\n"


FENCES = (None, "acquire", "release", "acq_rel", "seq_cst")


def fence(o):
    return [] if o is None else [f"atomic_thread_fence(memory_order_{o});"]


def rlx_st(x, v):
    return f"atomic_store_explicit({x}, {v}, memory_order_relaxed);"


def rlx_ld(r, x):
    return f"int {r} = atomic_load_explicit({x}, memory_order_relaxed);"


CASES: list[tuple[str, str]] = []
for f0, f1 in itertools.product(FENCES, FENCES):
    tag = f"{f0}-{f1}"
    CASES.append((f"SB+fences-{tag}", prog("SB", [[rlx_st("x", 1), *fence(f0), rlx_ld("r0", "y")],
                                                 [rlx_st("y", 1), *fence(f1), rlx_ld("r0", "x")]],
                                         "exists (0:r0=0 /\\ 1:r0=0)")))
    CASES.append((f"MP+fences-{tag}", prog("MP", [[rlx_st("x", 1), *fence(f0), rlx_st("y", 1)],
                                                 [rlx_ld("r0", "y"), *fence(f1), rlx_ld("r1", "x")]],
                                         "exists (1:r0=1 /\\ 1:r1=0)")))
    CASES.append((f"LB+fences-{tag}", prog("LB", [[rlx_ld("r0", "x"), *fence(f0), rlx_st("y", 1)],
                                                 [rlx_ld("r0", "y"), *fence(f1), rlx_st("x", 1)]],
                                         "exists (0:r0=1 /\\ 1:r0=1)")))

ORDERS = ("relaxed", "acquire", "release", "acq_rel", "seq_cst")
RMWS = {
    "xchg": "int r9 = atomic_exchange_explicit({x}, 1, memory_order_{o});",
    "fetch_add": "int r9 = atomic_fetch_add_explicit({x}, 1, memory_order_{o});",
    "fetch_sub": "int r9 = atomic_fetch_sub_explicit({x}, -1, memory_order_{o});",
    "fetch_or": "int r9 = atomic_fetch_or_explicit({x}, 1, memory_order_{o});",
    "cas_strong": "int r9 = atomic_compare_exchange_strong_explicit({x}, z, 1, memory_order_{o}, "
                  "memory_order_relaxed);",
    "cas_weak": "int r9 = atomic_compare_exchange_weak_explicit({x}, z, 1, memory_order_{o}, "
                "memory_order_relaxed);",
}
for (op, form), o in itertools.product(RMWS.items(), ORDERS):
    # SB whose stores are RMWs: seq_cst RMWs alone do not order the later loads
    CASES.append((f"SB+{op}-{o}", prog("SB", [[form.format(x="x", o=o), rlx_ld("r0", "y")],
                                             [form.format(x="y", o=o), rlx_ld("r0", "x")]],
                                     "exists (0:r0=0 /\\ 1:r0=0)")))
    # MP whose flag write is an RMW (release sequence / synchronisation)
    CASES.append((f"MP+{op}-{o}", prog("MP", [[rlx_st("x", 1), form.format(x="y", o=o)],
                                             ["int r0 = atomic_load_explicit(y, memory_order_acquire);",
                                              rlx_ld("r1", "x")]],
                                     "exists (1:r0=1 /\\ 1:r1=0)")))

# the seq_cst forms without _explicit
CASES += [
    ("SB+plain-names", prog("SB", [["atomic_store(x, 1);", "int r0 = atomic_load(y);"],
                                   ["atomic_store(y, 1);", "int r0 = atomic_load(x);"]],
                            "exists (0:r0=0 /\\ 1:r0=0)")),
    ("MP+exchange", prog("MP", [[rlx_st("x", 1), "int r9 = atomic_exchange(y, 1);"],
                                ["int r0 = atomic_fetch_add(y, 0);", rlx_ld("r1", "x")]],
                         "exists (1:r0=1 /\\ 1:r1=0)")),
    ("MP+cas", prog("MP", [[rlx_st("x", 1), "int r9 = atomic_compare_exchange_strong(y, z, 1);"],
                           ["int r0 = atomic_load(y);", rlx_ld("r1", "x")]],
                    "exists (1:r0=1 /\\ 1:r1=0)")),
    ("MP+fetch-or-xor-and", prog("MP", [[rlx_st("x", 1), "int r8 = atomic_fetch_or(y, 1);",
                                         "int r9 = atomic_fetch_xor(y, 2);"],
                                        ["int r0 = atomic_fetch_and(y, 3);", rlx_ld("r1", "x")]],
                                 "exists (1:r0=3 /\\ 1:r1=0)")),
    # consume: atomic, but no synchronisation in RC11 (nor in herd7's rc11.cat)
    ("MP+rel+con", prog("MP", [[rlx_st("x", 1), "atomic_store_explicit(y, 1, memory_order_release);"],
                               ["int r0 = atomic_load_explicit(y, memory_order_consume);", rlx_ld("r1", "x")]],
                        "exists (1:r0=1 /\\ 1:r1=0)")),
    # a data race: plain accesses to x
    ("MP+race", prog("MP", [["*x = 1;", "atomic_store_explicit(y, 1, memory_order_release);"],
                            ["int r0 = atomic_load_explicit(y, memory_order_relaxed);", "int r1 = *x;"]],
                     "exists (1:r0=1 /\\ 1:r1=0)")),
    ("MP+norace", prog("MP", [["*x = 1;", "atomic_store_explicit(y, 1, memory_order_release);"],
                              ["int r0 = atomic_load_explicit(y, memory_order_acquire);",
                               "if (r0 == 1) { int r1 = *x; }"]],
                       "exists (1:r0=1 /\\ 1:r1=0)")),
    # coherence and atomicity of RMWs
    ("2RMW", prog("2RMW", [["int r0 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed);"],
                           ["int r0 = atomic_fetch_add_explicit(x, 1, memory_order_relaxed);"]],
                  "exists ([x]=1)")),
    ("CoRR", prog("CoRR", [[rlx_st("x", 1)], [rlx_ld("r0", "x"), rlx_ld("r1", "x")]],
                  "exists (1:r0=1 /\\ 1:r1=0)")),
]
for o in ("relaxed", "acquire", "seq_cst"):
    ld = f"atomic_load_explicit({{x}}, memory_order_{o})"
    CASES.append((f"IRIW-{o}", prog("IRIW", [
        ["atomic_store_explicit(x, 1, memory_order_seq_cst);"],
        [f"int r0 = {ld.format(x='x')};", f"int r1 = {ld.format(x='y')};"],
        ["atomic_store_explicit(y, 1, memory_order_seq_cst);"],
        [f"int r0 = {ld.format(x='y')};", f"int r1 = {ld.format(x='x')};"]],
        "exists (1:r0=1 /\\ 1:r1=0 /\\ 3:r0=1 /\\ 3:r1=0)")))


@pytest.mark.parametrize("name,text", CASES, ids=[c[0] for c in CASES])
def test_rc11_hand_written(name, text):
    if not HERD_RC11.exists():
        pytest.skip("herd7's rc11.cat (../shared) is absent")
    assert facts(run(text, "rc11")) == facts(run(text, str(HERD_RC11)))


KNOWN = {
    "SB+fences-seq_cst-seq_cst": "Never",
    "SB+fences-acq_rel-acq_rel": "Sometimes",
    "MP+fences-release-acquire": "Never",
    "SB+xchg-seq_cst": "Sometimes",        # RMWs are not fences (QEMU's 2023 bug)
    "MP+xchg-release": "Never",
    "MP+rel+con": "Sometimes",
    "IRIW-seq_cst": "Never",
    "IRIW-acquire": "Sometimes",
    "2RMW": "Never",
    "CoRR": "Never",
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_rc11_known_verdicts(name):
    text = dict(CASES)[name]
    assert run(text, "rc11").verdict.observation == KNOWN[name]


def test_data_race_flags_undef():
    r = run(dict(CASES)["MP+race"], "rc11")
    assert "*undef*" in r.flags
    assert "*undef*" not in run(dict(CASES)["MP+norace"], "rc11").flags


def test_c11_test_defaults_to_rc11():
    """No --model: a test calling C11 atomics is checked with rc11."""
    r = run(dict(CASES)["SB+xchg-seq_cst"])
    assert r.model == "rc11" and r.verdict.observation == "Sometimes"


def test_cas_with_local_expected():
    """atomic_compare_exchange_*(obj, &expected, ...) with `expected` a local
    variable: it is updated on failure, no memory event for it."""
    text = prog("CAS-local", [["int e = 0;", "int ok = atomic_compare_exchange_strong(x, &e, 2);"],
                              [rlx_st("x", 1)]],
                "exists (0:ok=0 /\\ 0:e=1)")
    r = run(text, "rc11")
    assert r.verdict.observation == "Sometimes"
    assert {frozenset(s) for s in r.states} == {frozenset({("0:ok", "0"), ("0:e", "1")}),
                                                frozenset({("0:ok", "1"), ("0:e", "0")})}
