"""Dialect detection (weakmem.dialects.detect) and its wiring in weakmem.run:
which API a C test is written in, which macro table and which model apply
when none is named (docs/dialects.md)."""
from __future__ import annotations

import pytest

from weakmem.dialects import detect, model_family, table_path, vocabulary
from weakmem.errors import LitmusError
from weakmem.litmus.parse import parse_litmus
from weakmem.run import ModelCache, Options, check_test


def litmus_of(*bodies: str, init: str = "{}") -> str:
    threads = "\n".join(f"P{i}(int *x, int *y, int *z) {{\n{b}\n}}" for i, b in enumerate(bodies))
    return f"C t\n{init}\n{threads}\nexists (x=0)\n"


def dialect(*bodies: str) -> str:
    return detect(parse_litmus("t.litmus", litmus_of(*bodies))).name


# ------------------------------------------------------------------ rules

@pytest.mark.parametrize("body,expected", [
    # distinctive names
    ("int r0 = qatomic_read(x);", "qemu"),
    ("qatomic_set(x, 1); smp_mb__after_rmw();", "qemu"),
    ("smp_mb_acquire();", "qemu"),
    ("smp_read_barrier_depends();", "qemu"),
    ("int r0 = READ_ONCE(*x);", "linux"),
    ("smp_store_release(x, 1);", "linux"),
    ("spin_lock(x);", "linux"),
    ("int r0 = read_atomic(x);", "xen"),
    ("write_atomic(x, 1);", "xen"),
    ("int r0 = ACCESS_ONCE(*x);", "xen"),
    ("int r0 = atomic_load_explicit(x, memory_order_relaxed);", "c11"),
    ("atomic_thread_fence(memory_order_seq_cst);", "c11"),
    ("int r0 = atomic_load(x);", "c11"),
    # ambiguous names take the dialect of the names around them
    ("smp_mb(); int r0 = qatomic_read(x);", "qemu"),
    ("smp_mb(); int r0 = READ_ONCE(*x);", "linux"),
    ("smp_mb(); int r0 = read_atomic(x);", "xen"),
    ("int r0 = xchg(x, 1); int r1 = read_atomic(y);", "xen"),
    ("int r0 = atomic_read(x); write_atomic(y, 1);", "xen"),
    # ... with C11 functions: QEMU's barriers are C11 fences
    ("smp_mb(); int r0 = atomic_load_explicit(x, memory_order_relaxed);", "qemu"),
    ("barrier(); int r0 = atomic_load_explicit(x, memory_order_relaxed);", "qemu"),
    ("int r0 = xchg(x, 1); int r1 = atomic_load_explicit(y, memory_order_relaxed);", "linux"),
    # ... alone: Linux (herd7's default for C)
    ("smp_mb();", "linux"),
    ("int r0 = xchg(x, 1);", "linux"),
    ("*x = 1;", "linux"),
    # atomic_fetch_add: a C11 function and a Linux macro
    ("int r0 = atomic_fetch_add(x, 1); int r1 = atomic_load(y);", "c11"),
    ("int r0 = atomic_fetch_add(1, x);", "linux"),
    # herd7's primitives: by their tags
    ("int r0 = __load{once}(*x);", "linux"),
    ("__fence{mb};", "linux"),
    ("__fence{sc};", "c11"),
    ("int r0 = __load{rlx,qemu-rcu-read}(*x);", "qemu"),
])
def test_detect(body, expected):
    assert dialect(body) == expected


def test_detect_across_threads_and_nesting():
    assert dialect("if (*y == 1) { while (*z == 0) { smp_wmb(); } }",
                   "int r0 = 0; if (r0 == 0) { r0 = qatomic_xchg(x, 1) + 1; }") == "qemu"


def test_mixed_apis():
    d = detect(parse_litmus("t.litmus", litmus_of("int r0 = qatomic_read(x);", "int r0 = READ_ONCE(*y);")))
    assert d.name == "mixed" and d.model is None
    assert "QEMU" in d.error and "Linux" in d.error and "qatomic_read" in d.error


def test_default_models():
    for body, model in [("int r0 = qatomic_read(x);", "qemu"), ("int r0 = READ_ONCE(*x);", "lkmm"),
                        ("int r0 = read_atomic(x);", "lkmm"),
                        ("int r0 = atomic_load_explicit(x, memory_order_relaxed);", "rc11")]:
        assert detect(parse_litmus("t.litmus", litmus_of(body))).model == model


def test_vocabulary_from_tables():
    voc = vocabulary()
    assert "qatomic_fetch_inc_nonzero" in voc["qemu"] and "READ_ONCE" in voc["linux"]
    assert "read_atomic" in voc["xen"] and "atomic_compare_exchange_weak_explicit" in voc["c11"]
    assert "smp_mb" in voc["qemu"] and "smp_mb" in voc["linux"] and "smp_mb" in voc["xen"]


def test_model_family():
    assert model_family("lkmm") == "lkmm" and model_family("/a/linux-kernel.cfg") == "lkmm"
    assert model_family("rc11") == "c11" and model_family("/x/rc11.cat") == "c11"
    assert model_family("c11") == "c11" and model_family("qemu") == "c11"
    assert model_family("c11_partialSC.cat") == "c11"
    assert model_family("sc") is None and model_family(None) is None


def test_table_paths():
    assert table_path("qemu", "c11").name == "qemu.def"
    assert table_path("qemu", "lkmm").name == "qemu-lkmm.def"
    assert table_path("qemu", None).name == "qemu.def"
    assert table_path("xen", None).name == "xen.def"
    assert table_path("xen", "c11").name == "xen-c11.def"
    assert table_path("linux", None).name == "lkmm.def"
    assert table_path("c11", "c11") is None


# ------------------------------------------------------------------ wiring in run.py

SB_XCHG = """C SB+xchg
{}
P0(int *x, int *y) { int r0 = qatomic_xchg(y, 1); int r1 = qatomic_read(x); }
P1(int *x, int *y) { int r0 = qatomic_xchg(x, 1); int r1 = qatomic_read(y); }
exists (0:r1=0 /\\ 1:r1=0)
"""

_CACHE = ModelCache()


def run(text, **opts):
    o = Options(**opts)
    t = parse_litmus("t.litmus", text)
    return check_test(t, _CACHE.get(o, t.arch, t), o)


def test_qemu_test_defaults_to_qemu_model():
    r = run(SB_XCHG)
    assert r.model == "qemu" and r.verdict.observation == "Sometimes"


def test_explicit_model_wins_and_picks_the_family_table():
    assert run(SB_XCHG, model="c11").model == "c11"
    r = run(SB_XCHG, model="lkmm")              # QEMU names read as the kernel's
    assert r.model == "lkmm" and r.verdict.observation == "Never"
    assert run(SB_XCHG, model="sc").verdict.observation == "Never"


def test_xen_test_uses_lkmm_with_xen_table():
    text = litmus_of("write_atomic(x, 1); smp_mb(); int r0 = read_atomic(y);",
                   "write_atomic(y, 1); smp_mb(); int r0 = read_atomic(x);").replace(
        "exists (x=0)", "exists (0:r0=0 /\\ 1:r0=0)")
    r = run(text)
    assert r.model == "lkmm" and r.verdict.observation == "Never"


def test_linux_tests_unchanged():
    text = litmus_of("WRITE_ONCE(*x, 1); int r0 = READ_ONCE(*y);",
                   "WRITE_ONCE(*y, 1); int r0 = READ_ONCE(*x);").replace("exists (x=0)", "exists (0:r0=0 /\\ 1:r0=0)")
    r = run(text)
    assert r.model == "lkmm" and r.verdict.observation == "Sometimes"


def test_mixed_test_is_rejected_with_a_clear_error():
    with pytest.raises(LitmusError, match="mixes the Linux and QEMU APIs"):
        run(litmus_of("int r0 = qatomic_read(x);", "int r0 = READ_ONCE(*y);"))


def test_user_conf_with_macros_wins(tmp_path):
    """A configuration naming a macro file keeps it: no detection, so no
    mixed-API error either."""
    from weakmem.paths import MODELS_DIR
    cfg = tmp_path / "my.cfg"
    cfg.write_text(f"model {MODELS_DIR / 'sc.cat'}\nmacros {MODELS_DIR / 'qemu.def'}\n")
    r = run(SB_XCHG, conf=str(cfg))
    assert r.verdict.observation == "Never"


def test_api_without_test_keeps_old_default():
    """ModelCache.get without the test (library callers): LKMM's table."""
    lm = _CACHE.get(Options(), "C")
    assert lm.name == "lkmm" and "READ_ONCE" in lm.macros


def test_cli_detects(tmp_path):
    from click.testing import CliRunner

    from weakmem.cli import main
    f = tmp_path / "t.litmus"
    f.write_text(SB_XCHG)
    out = CliRunner().invoke(main, ["run", str(f)])
    assert out.exit_code == 0 and "under qemu" in out.output
