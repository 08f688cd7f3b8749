"""Pruning partial executions changes nothing: on random small tests, for
every built-in model, the states, their counts, Positive/Negative and flags
are those of full enumeration, and --verdict-only agrees with the verdict."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from c_random import AND, c_test, draw_ops
from weakmem.litmus.parse import parse_litmus
from weakmem.run import ModelCache, Options, check_test

CACHE = ModelCache()

# ------------------------------------------------------------------ C tests

C_OPS = [
    "r{r} = READ_ONCE(*{x});",
    "WRITE_ONCE(*{x}, {v});",
    "smp_store_release({x}, {v});",
    "r{r} = smp_load_acquire({x});",
    "smp_mb();",
    "r{r} = xchg({x}, {v});",
    "synchronize_rcu();",
    "smp_wmb();",
]


@st.composite
def c_tests(draw):
    threads, regs = [], []
    for t in range(draw(st.integers(2, 3))):
        ops = draw(st.lists(st.sampled_from(C_OPS), min_size=1, max_size=3))
        rcu = draw(st.booleans()) and "synchronize_rcu();" not in ops
        body, rr = draw_ops(draw, t, ops, 0, regs)
        if rcu:
            body = ["rcu_read_lock();"] + body + ["rcu_read_unlock();"]
        threads.append((rr, body))
    return c_test(draw, "random", "int *x, int *y", threads, regs, ("exists", "exists", "~exists", "forall"))


# ------------------------------------------------------------ x86 / AArch64

def _asm_test(draw, head: str, cols: list[list[str]], regs: list[str]) -> str:
    """An assembly test: `head` (name and init block), a column of
    instructions per thread, and an `exists` on up to three of `regs` and x."""
    rows = [" | ".join(f" P{t}" for t in range(len(cols))) + " ;"]
    for i in range(max(len(c) for c in cols)):
        rows.append(" | ".join(f" {c[i] if i < len(c) else ''}" for c in cols) + " ;")
    conj = [f"{r}={draw(st.integers(0, 2))}" for r in regs[:3]] + [f"x={draw(st.integers(0, 2))}"]
    return head + "\n" + "\n".join(rows) + f"\nexists ({AND.join(conj)})\n"


@st.composite
def x86_tests(draw):
    cols = []
    regs = []
    for t in range(draw(st.integers(2, 3))):
        ins = []
        for _ in range(draw(st.integers(1, 3))):
            k = draw(st.sampled_from(["ld", "st", "mf", "xchg"]))
            x = draw(st.sampled_from(["x", "y"]))
            if k == "ld":
                r = ["EAX", "EBX"][len([i for i in ins if i.startswith("MOV E")]) % 2]
                ins.append(f"MOV {r},[{x}]")
                regs.append(f"{t}:{r}")
            elif k == "st":
                ins.append(f"MOV [{x}],${draw(st.integers(1, 2))}")
            elif k == "xchg":
                ins.append(f"MOV ECX,${draw(st.integers(1, 2))}")
                ins.append(f"XCHG [{x}],ECX")
            else:
                ins.append("MFENCE")
        cols.append(ins)
    return _asm_test(draw, "X86 random\n{ x=0; y=0; }", cols, sorted(set(regs)))


@st.composite
def aarch64_tests(draw):
    cols, regs, init = [], [], []
    for t in range(draw(st.integers(2, 3))):
        init.append(f"{t}:X1=x; {t}:X3=y;")
        ins, nr = [], 5
        for _ in range(draw(st.integers(1, 3))):
            k = draw(st.sampled_from(["ldr", "ldar", "str", "stlr", "dmb"]))
            a = draw(st.sampled_from(["X1", "X3"]))
            if k in ("ldr", "ldar"):
                ins.append(f"{k.upper()} W{nr},[{a}]")
                regs.append(f"{t}:X{nr}")
                nr += 1
            elif k in ("str", "stlr"):
                ins.append(f"MOV W0,#{draw(st.integers(1, 2))}")
                ins.append(f"{k.upper()} W0,[{a}]")
            else:
                ins.append("DMB SY")
        cols.append(ins)
    return _asm_test(draw, "AArch64 random\n{\n" + "\n".join(init) + "\n}", cols, regs)


def _check(tmp_path, text: str, model: str, **kw):
    p = tmp_path / "t.litmus"
    p.write_text(text)
    test = parse_litmus(str(p))
    opts = Options(model=model, **kw)
    return check_test(test, CACHE.get(opts, test.arch, test), opts)


def _same(tmp_path, text: str, model: str) -> None:
    full = _check(tmp_path, text, model, prune=False)
    pruned = _check(tmp_path, text, model)
    assert not full.undetermined and not pruned.undetermined
    assert pruned.states == full.states, text
    assert (pruned.pos, pruned.neg, pruned.flags) == (full.pos, full.neg, full.flags), text
    assert pruned.candidates <= full.candidates
    vo = _check(tmp_path, text, model, verdict_only=True)
    if full.quantifier == "forall":
        assert (vo.neg > 0) == (full.neg > 0), text
    else:
        assert (vo.pos > 0) == (full.pos > 0), text


SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.mark.parametrize("model", ["lkmm", "rc11", "c11", "qemu"])
@SETTINGS
@given(text=c_tests())
def test_c_models(tmp_path, model, text):
    if model != "lkmm" and "rcu" in text:
        text = text.replace("rcu_read_lock();", "").replace("rcu_read_unlock();", "")\
                   .replace("synchronize_rcu();", "smp_mb();")
    _same(tmp_path, text, model)


@pytest.mark.parametrize("model", ["x86-tso", "sc"])
@SETTINGS
@given(text=x86_tests())
def test_x86_models(tmp_path, model, text):
    _same(tmp_path, text, model)


@pytest.mark.parametrize("model", ["aarch64"])
@SETTINGS
@given(text=aarch64_tests())
def test_aarch64_models(tmp_path, model, text):
    _same(tmp_path, text, model)


def test_refuted_prefixes_are_counted_and_change_nothing(tmp_path):
    """Two threads each write x and read it back, a third reads x: reading
    the other thread's write in both breaks coherence whatever the third
    read does, so that prefix is dropped before the model runs -- with the
    same states and counts as full enumeration."""
    from weakmem.cat.partial import refuter_for
    text = ("C corr3\n{\n}\n"
            "P0(int *x) { int r0; WRITE_ONCE(*x, 1); r0 = READ_ONCE(*x); }\n"
            "P1(int *x) { int r0; WRITE_ONCE(*x, 1); r0 = READ_ONCE(*x); }\n"
            "P2(int *x) { int r0; int r1; r0 = READ_ONCE(*x); r1 = READ_ONCE(*x); }\n"
            "exists (0:r0=1 /\\ 1:r0=1 /\\ 2:r0=1)\n")
    p = tmp_path / "t.litmus"
    p.write_text(text)
    test = parse_litmus(str(p))
    lm = CACHE.get(Options(model="lkmm"), test.arch, test)
    ref = refuter_for(lm.model)
    before = ref.refuted
    _same(tmp_path, text, "lkmm")
    assert ref.refuted > before
    full = _check(tmp_path, text, "lkmm", prune=False)
    pruned = _check(tmp_path, text, "lkmm")
    assert pruned.candidates < full.candidates


CO3 = """C co3
{
}
P0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_mb(); WRITE_ONCE(*y, 1); }
P1(int *x, int *y) { WRITE_ONCE(*y, 2); smp_mb(); WRITE_ONCE(*x, 2); }
P2(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*x); r1 = READ_ONCE(*y); }
exists (2:r0=1 /\\ 2:r1=2)
"""


@pytest.mark.parametrize("jobs", [2, 3])
def test_jobs_split_one_test_with_the_same_results(tmp_path, jobs):
    one = _check(tmp_path, CO3, "lkmm")
    many = _check(tmp_path, CO3, "lkmm", jobs=jobs)
    assert len(one.states) > 1
    assert (many.states, many.pos, many.neg, many.flags, many.candidates) == \
        (one.states, one.pos, one.neg, one.flags, one.candidates)
    vo = _check(tmp_path, CO3, "lkmm", jobs=jobs, verdict_only=True)
    assert (vo.pos > 0) == (one.pos > 0) and not vo.undetermined
