"""The dialect macro tables: every macro expands and runs under the models
of its family, and the key macros give the events docs/dialects.md states
(QEMU: the C11 operations its header calls; Xen: the kernel's primitives)."""
from __future__ import annotations

import pytest

from weakmem.dialects import Dialect, TABLES
from weakmem.dialects.detect import DIALECT_MODELS
from weakmem.litmus.macros import load_defs
from weakmem.litmus.parse import parse_litmus
from weakmem.config import Options, load_model_for
from weakmem.run import check_test
from weakmem.semantics.frontends import frontend_for

# table -> (dialect, model to run it under)
TABLE_RUNS = {
    "qemu.def": ("qemu", "qemu"),
    "qemu-lkmm.def": ("qemu", "lkmm"),
    "xen.def": ("xen", "lkmm"),
    "xen-c11.def": ("xen", "c11"),
}
ARGS = {"P": "x", "X": "*x", "V": "1", "I": "1", "A": "1", "O": "0", "N": "2", "U": "5"}

_MODELS: dict = {}


def loaded(dialect: str, model: str):
    key = (dialect, model)
    if key not in _MODELS:
        _MODELS[key] = load_model_for(Options(model=model), "C", Dialect(dialect, DIALECT_MODELS[dialect]))
    return _MODELS[key]


def table_of(name: str):
    path = next(p for (d, f), p in TABLES.items() if p is not None and p.name == name)
    return load_defs(str(path))


def macro_cases():
    out = []
    for tname, (dialect, model) in TABLE_RUNS.items():
        for m in table_of(tname):
            out.append((tname, dialect, model, m))
    return out


CASES = macro_cases()


@pytest.mark.parametrize("tname,dialect,model,macro", CASES, ids=[f"{c[0]}:{c[3].name}" for c in CASES])
def test_each_macro_expands_and_runs(tname, dialect, model, macro):
    call = f"{macro.name}({', '.join(ARGS[p] for p in macro.params)})"
    stmt = f"int r0 = {call};" if macro.is_expr else f"{call};"
    text = f"C {macro.name}\n{{ x = 5; }}\nP0(int *x, int *y) {{\n  {stmt}\n}}\nexists (x=5)\n"
    test = parse_litmus("m.litmus", text)
    lm = loaded(dialect, model)
    r = check_test(test, lm, Options(model=model))
    assert r.pos + r.neg >= 1, f"{macro.name}: no execution allowed"


# ------------------------------------------------------------------ events

def events(body: str, table: str, value=0):
    """(kinds, tags) of the events of thread 0's single path, reads returning `value`."""
    text = f"C e\n{{}}\nP0(int *x, int *y) {{\n{body}\n}}\nexists (x=0)\n"
    test = parse_litmus("e.litmus", text)
    fe = frontend_for(test, table_of(table), 2)
    trs = fe.traces(0, lambda loc: [value])
    assert len(trs) == 1
    return [("".join(sorted(k for k in e.kinds if k in "RWF")), set(e.tags)) for e in trs[0].events]


@pytest.mark.parametrize("body,expected", [
    ("int r = qatomic_read(x);", [("R", {"rlx"})]),
    ("qatomic_set(x, 1);", [("W", {"rlx"})]),
    ("int r = qatomic_load_acquire(x);", [("R", {"acq"})]),
    ("qatomic_store_release(x, 1);", [("W", {"rel"})]),
    ("int r = qatomic_rcu_read(x);", [("R", {"rlx", "qemu-rcu-read"})]),
    ("qatomic_rcu_set(x, 1);", [("W", {"rel"})]),
    ("int r = qatomic_xchg(x, 1);", [("RW", {"sc"})]),               # one C11 RMW event
    ("int r = qatomic_fetch_add(x, 1);", [("RW", {"sc"})]),
    ("int r = qatomic_add_fetch(x, 1);", [("RW", {"sc"})]),
    ("qatomic_inc(x);", [("RW", {"sc"})]),
    ("int r = qatomic_cmpxchg(x, 0, 1);", [("RW", {"sc"})]),          # succeeds: reads 0
    ("int r = qatomic_cmpxchg(x, 3, 1);", [("R", {"sc"})]),           # fails: a seq_cst read
    ("int r = qatomic_fetch_inc_nonzero(x);", [("R", {"rlx"})]),      # reads 0: no RMW
    ("smp_mb();", [("F", {"sc"})]),
    ("smp_wmb();", [("F", {"rel"})]),
    ("smp_rmb();", [("F", {"acq"})]),
    ("smp_mb_release();", [("F", {"rel"})]),
    ("smp_mb_acquire();", [("F", {"acq"})]),
    ("smp_read_barrier_depends();", [("F", {"qemu-rbd"})]),
    ("smp_mb__before_rmw();", [("F", {"sc", "qemu-before-rmw"})]),
    ("smp_mb__after_rmw();", [("F", {"sc", "qemu-after-rmw"})]),
    ("barrier();", [("F", {"barrier"})]),
    ("qatomic_set_mb(x, 1);", [("W", {"rel"}), ("F", {"sc"})]),
    ("int r = qatomic_mb_read(x);", [("R", {"acq"})]),
    ("qatomic_mb_set(x, 1);", [("W", {"rel"}), ("F", {"sc"})]),
])
def test_qemu_events(body, expected):
    assert events(body, "qemu.def") == expected


def test_qemu_fetch_inc_nonzero_increments():
    assert events("int r = qatomic_fetch_inc_nonzero(x);", "qemu.def", value=3) == [("R", {"rlx"}), ("RW", {"sc"})]


@pytest.mark.parametrize("body,expected", [
    ("int r = qatomic_read(x);", [("R", {"once"})]),
    ("int r = qatomic_xchg(x, 1);", [("F", {"mb"}), ("R", {"once"}), ("W", {"once"}), ("F", {"mb"})]),
    ("smp_mb__after_rmw();", [("F", {"after-atomic"})]),
    ("smp_mb_acquire();", [("F", {"mb"})]),
    ("smp_read_barrier_depends();", [("F", {"barrier"})]),
])
def test_qemu_linux_reading_events(body, expected):
    assert events(body, "qemu-lkmm.def") == expected


@pytest.mark.parametrize("body,expected", [
    ("int r = read_atomic(x);", [("R", {"once"})]),
    ("write_atomic(x, 1);", [("W", {"once"})]),
    ("int r = ACCESS_ONCE(*x);", [("R", {"once"})]),
    ("smp_mb();", [("F", {"mb"})]),
    ("smp_rmb();", [("F", {"rmb"})]),
    ("smp_wmb();", [("F", {"wmb"})]),
    ("int r = xchg(x, 1);", [("F", {"mb"}), ("R", {"once"}), ("W", {"once"}), ("F", {"mb"})]),
    ("atomic_inc(x);", [("R", {"noreturn"}), ("W", {"once"})]),
    ("int r = atomic_add_return(1, x);", [("F", {"mb"}), ("R", {"once"}), ("W", {"once"}), ("F", {"mb"})]),
    # Xen's cmpxchg is fenced even when it fails (Linux's is not)
    ("int r = cmpxchg(x, 0, 1);", [("F", {"mb"}), ("R", {"once"}), ("W", {"once"}), ("F", {"mb"})]),
    ("int r = cmpxchg(x, 3, 1);", [("F", {"mb"}), ("R", {"once"}), ("F", {"mb"})]),
    ("int r = atomic_cmpxchg(x, 3, 1);", [("F", {"mb"}), ("R", {"once"}), ("F", {"mb"})]),
    ("int r = rcu_dereference(*x);", [("R", set())]),
    ("rcu_assign_pointer(*x, 1);", [("F", {"wmb"}), ("W", set())]),
])
def test_xen_events(body, expected):
    assert events(body, "xen.def") == expected


def test_linux_failed_cmpxchg_has_no_fences():
    from weakmem.paths import MODELS_DIR
    text = "C e\n{}\nP0(int *x) {\nint r = cmpxchg(x, 3, 1);\n}\nexists (x=0)\n"
    fe = frontend_for(parse_litmus("e.litmus", text), load_defs(str(MODELS_DIR / "lkmm.def")), 2)
    assert [set(e.kinds) & {"R", "W", "F"} for e in fe.traces(0, lambda loc: [0])[0].events] == [{"R"}]


# ------------------------------------------------------------------ verdicts that depend on the mapping

def verdict(text: str, dialect: str, model: str) -> str:
    test = parse_litmus("v.litmus", text)
    return check_test(test, loaded(dialect, model), Options(model=model)).verdict.observation


SB_CMPXCHG_FAIL = """C SB+failed-cmpxchg
{{ z = 9; }}
P0(int *x, int *y, int *z) {{ write_atomic(x, 1); int r1 = {op}(z, 0, 1); int r0 = read_atomic(y); }}
P1(int *x, int *y, int *z) {{ write_atomic(y, 1); int r1 = {op}(z, 0, 1); int r0 = read_atomic(x); }}
exists (0:r0=0 /\\ 1:r0=0)
"""


def test_xen_failed_cmpxchg_is_a_full_barrier():
    assert verdict(SB_CMPXCHG_FAIL.format(op="cmpxchg"), "xen", "lkmm") == "Never"


def test_qemu_cmpxchg_returns_old_value():
    text = """C cmpxchg
{ x = 1; }
P0(int *x) { int a = qatomic_cmpxchg(x, 1, 2); int b = qatomic_cmpxchg(x, 1, 3); }
exists (0:a=1 /\\ 0:b=2 /\\ x=2)
"""
    assert verdict(text, "qemu", "qemu") == "Always"


def test_qemu_new_value_forms():
    add = """C add-fetch
{ x = 1; }
P0(int *x) { int a = qatomic_add_fetch(x, 2); }
exists (0:a=3 /\\ x=3)
"""
    # (bitwise operations only below: their value domains stay small)
    bits = """C bit-ops
{ x = 1; }
P0(int *x) { int b = qatomic_or_fetch(x, 4); int c = qatomic_xor_fetch(x, 6); int d = qatomic_fetch_and(x, 3); }
exists (0:b=5 /\\ 0:c=3 /\\ 0:d=3 /\\ x=3)
"""
    for text in (add, bits):
        assert verdict(text, "qemu", "qemu") == "Always"
        assert verdict(text, "qemu", "lkmm") == "Always"


def test_qemu_fetch_inc_nonzero_semantics():
    alone = """C inc-nonzero
{ x = 1; }
P0(int *x) { int r0 = qatomic_fetch_inc_nonzero(x); }
exists (0:r0=1 /\\ x=2)
"""
    assert verdict(alone, "qemu", "qemu") == "Always"
    assert verdict(alone, "qemu", "lkmm") == "Always"
    zero = alone.replace("{ x = 1; }", "{ x = 0; }").replace("exists (0:r0=1 /\\ x=2)", "exists (0:r0=0 /\\ x=0)")
    assert verdict(zero, "qemu", "qemu") == "Always"      # zero: left alone
    race = """C inc-nonzero+set
{ x = 1; }
P0(int *x) { int r0 = qatomic_fetch_inc_nonzero(x); }
P1(int *x) { qatomic_set(x, 0); }
exists (0:r0=0 /\\ x=1)
"""
    assert verdict(race, "qemu", "qemu") == "Never"       # it read 0: no increment
    assert verdict(race.replace("0:r0=0 /\\ x=1", "0:r0=1 /\\ x=0"), "qemu", "qemu") == "Sometimes"
