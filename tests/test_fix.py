"""`weakmem fix`: minimal, verified, costed fixes in the test's own API."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from weakmem.cli import main
from weakmem.fix import fix_test
from weakmem.fix.costs import weight
from weakmem.matrix.core import build_matrix
from weakmem.run import ModelCache, Options, check_test
from weakmem.litmus.parse import parse_litmus

GALLERY = Path(__file__).resolve().parents[1] / "examples" / "gallery"
CPUS = ["x86-64", "aarch64-llsc", "aarch64-lse", "armv7", "power", "riscv"]

SB = """C SB
{}
P0(int *x, int *y)
{
	WRITE_ONCE(*x, 1);
	int r0 = READ_ONCE(*y);
}
P1(int *x, int *y)
{
	WRITE_ONCE(*y, 1);
	int r0 = READ_ONCE(*x);
}
exists (0:r0=0 /\\ 1:r0=0)
"""

MP = """C MP
{}
P0(int *x, int *y)
{
	WRITE_ONCE(*x, 1);
	WRITE_ONCE(*y, 1);
}
P1(int *x, int *y)
{
	int r0 = READ_ONCE(*y);
	int r1 = READ_ONCE(*x);
}
exists (1:r0=1 /\\ 1:r1=0)
"""

SC_ALLOWED = """C SC-allowed
{}
P0(int *x)
{
	int r0 = READ_ONCE(*x);
	int r1 = READ_ONCE(*x);
}
P1(int *x)
{
	WRITE_ONCE(*x, 1);
}
exists (0:r0=0 /\\ 0:r1=0)
"""


def write(tmp_path, name, text) -> str:
    p = tmp_path / f"{name}.litmus"
    p.write_text(text)
    return str(p)


def summary(fix) -> set[tuple]:
    return {(c.thread, c.kind, c.text if c.kind == "insert" else c.text.split("(")[0]) for c in fix.changes}


def test_sb_linux_needs_smp_mb_on_both_sides(tmp_path):
    rep = fix_test(write(tmp_path, "SB", SB))
    assert rep.dialect == "linux"
    assert [t.id for t in rep.targets] == ["lkmm"] + CPUS
    assert not rep.already_forbidden
    # nothing cheaper is claimed: the only minimal fix is a full barrier in each thread
    assert [summary(f) for f in rep.fixes] == [{(0, "insert", "smp_mb();"), (1, "insert", "smp_mb();")}]
    f = rep.fixes[0]
    assert f.cost == {"x86-64": 8, "aarch64-llsc": 8, "aarch64-lse": 8, "armv7": 8, "power": 8, "riscv": 8}
    assert rep.stats.complete


def test_mp_linux_wmb_rmb_before_mb_and_release_acquire_offered(tmp_path):
    rep = fix_test(write(tmp_path, "MP", MP))
    sums = [summary(f) for f in rep.fixes]
    wr = sums.index({(0, "insert", "smp_wmb();"), (1, "insert", "smp_rmb();")})
    mb = sums.index({(0, "insert", "smp_mb();"), (1, "insert", "smp_mb();")})
    assert wr < mb
    assert rep.fixes[wr].total < rep.fixes[mb].total
    assert {(0, "replace", "smp_store_release"), (1, "replace", "smp_load_acquire")} in sums
    # the store release goes on the flag, the acquire on the flag's read
    rel = rep.fixes[sums.index({(0, "replace", "smp_store_release"), (1, "replace", "smp_load_acquire")})]
    assert {c.text for c in rel.changes} == {"smp_store_release(y, 1)", "smp_load_acquire(y)"}
    # ranked by total cost
    totals = [f.total for f in rep.fixes]
    assert totals == sorted(totals)


def test_every_fix_is_minimal_and_verified(tmp_path):
    rep = fix_test(write(tmp_path, "MP", MP))
    cache = ModelCache()
    for f in rep.fixes:
        for k in range(len(f.changes)):
            # one change less: the outcome is possible again somewhere
            from weakmem.fix import patch
            fewer = [c for j, c in enumerate(f.changes) if j != k]
            text = patch.apply(MP.split("\n"), fewer)
            t = parse_litmus("x.litmus", text)
            opts = Options(model="lkmm")
            res = check_test(t, cache.get(opts, "C", t), opts)
            m = build_matrix(write(tmp_path, "fewer", text), languages=False)
            assert res.verdict.observation != "Never" or any(r.verdict != "Never" for r in m.rows)


def test_json_format(tmp_path):
    path = write(tmp_path, "MP", MP)
    r = CliRunner().invoke(main, ["fix", "--format", "json", path])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["test"] == "MP" and d["models"] == ["lkmm"] and d["targets"] == CPUS
    assert d["already_forbidden"] is False
    f = d["fixes"][0]
    assert set(f) == {"changes", "cost", "litmus"}
    for c in f["changes"]:
        assert set(c) in ({"thread", "line", "insert"}, {"thread", "line", "replace", "with"})
    assert set(f["cost"]) == set(CPUS)
    assert parse_litmus("p.litmus", f["litmus"]).name == "MP"


def test_write_and_text(tmp_path):
    path = write(tmp_path, "SB", SB)
    out = tmp_path / "fixed.litmus"
    r = CliRunner().invoke(main, ["fix", "--write", str(out), path])
    assert r.exit_code == 0, r.output
    assert "smp_mb();" in out.read_text()
    assert "+\tsmp_mb();" in r.output
    assert "fix 1: cost 48" in r.output
    r = CliRunner().invoke(main, ["run", str(out)])
    assert "Never" in r.output


def test_model_and_target_options(tmp_path):
    rep = fix_test(write(tmp_path, "MP", MP), models=["lkmm"], targets=["power"])
    assert [t.id for t in rep.targets] == ["lkmm", "power"]
    assert all(set(f.cost) == {"power"} for f in rep.fixes)
    rep = fix_test(write(tmp_path, "MP", MP), every_target=True)
    assert [t.id for t in rep.targets] == ["lkmm"] + CPUS


def test_allowed_under_sc_is_said(tmp_path):
    rep = fix_test(write(tmp_path, "SCA", SC_ALLOWED))
    assert not rep.fixes and not rep.already_forbidden
    assert "sequential consistency" in rep.no_fix


def test_already_forbidden_names_load_bearing_barriers():
    rep = fix_test(str(GALLERY / "Xen-shutdown-deferral.litmus"))
    assert rep.already_forbidden and not rep.fixes
    assert {(b.thread, b.what) for b in rep.load_bearing} == {(0, "remove smp_mb()"), (1, "remove smp_mb()")}
    rep = fix_test(str(GALLERY / "QEMU-doc-MP+store_release+load_acquire.litmus"))
    assert rep.already_forbidden
    whats = {b.what for b in rep.load_bearing}
    assert any("qatomic_store_release" in w for w in whats) and any("qatomic_load_acquire" in w for w in whats)


def test_bad_input_one_line_error(tmp_path):
    p = write(tmp_path, "bad", "C bad\n{}\nP0(int *x) { WRITE_ONCE(*x, ; }\nexists (x=1)\n")
    r = CliRunner().invoke(main, ["fix", p])
    assert r.exit_code == 1
    assert r.output.count("\n") == 1 and "error" in r.output
    r = CliRunner().invoke(main, ["fix", str(tmp_path / "missing.litmus")])
    assert r.exit_code == 1 and "error" in r.output and "Traceback" not in r.output


# --------------------------------------------------------------------------
# the gallery's before-fix scenarios, next to the fix each project made
# --------------------------------------------------------------------------
def test_qemu_xchg_then_read_gets_mb_after_rmw():
    rep = fix_test(str(GALLERY / "QEMU-event-xchg+read.litmus"))
    best = rep.fixes[0]
    assert summary(best) == {(0, "insert", "smp_mb__after_rmw();"), (1, "insert", "smp_mb__after_rmw();")}
    # right after each exchange
    lines = best.litmus.split("\n")
    for c in best.changes:
        k = lines.index(c.indent + c.text, sum(1 for x in best.changes if x.line < c.line and x.kind == "insert"))
        assert "qatomic_xchg" in lines[k - 1]
    assert best.cost["x86-64"] == 0 and best.cost["aarch64-llsc"] == 8 and best.cost["power"] == 8
    # no more expensive anywhere than the historical fix (the gallery's fixed version)
    hist = historical_cost("QEMU-event-xchg+read", "QEMU-event-xchg+mb__after_rmw+read")
    assert all(best.cost[t] <= hist[t] for t in CPUS)


def historical_cost(before: str, after: str) -> dict[str, int]:
    from weakmem.fix.verify import Verifier
    v = Verifier("h.litmus", "C", "qemu" if before.startswith("QEMU") else "xen")
    a = (GALLERY / f"{before}.litmus").read_text()
    b = (GALLERY / f"{after}.litmus").read_text()
    return {t: v.cost(b, t) - v.cost(a, t) for t in CPUS}


def test_dma_device_writes_get_wmb_between_data_and_status():
    rep = fix_test(str(GALLERY / "QEMU-dma-mp-2012-before.litmus"))
    sums = [summary(f) for f in rep.fixes]
    assert {(0, "insert", "smp_wmb();")} in sums
    wmb = rep.fixes[sums.index({(0, "insert", "smp_wmb();")})]
    (c,) = wmb.changes
    lines = wmb.litmus.split("\n")
    k = lines.index("\tsmp_wmb();")
    assert "qatomic_set(buf" in lines[k - 1] and "qatomic_set(status" in lines[k + 1]
    # cheaper than the historical smp_mb() on POWER (lwsync vs sync) and x86 (nothing vs mfence)
    hist = historical_cost("QEMU-dma-mp-2012-before", "QEMU-dma-mp-2012-after")
    assert wmb.cost["power"] < hist["power"] and wmb.cost["x86-64"] < hist["x86-64"]
    assert all(rep.fixes[0].cost[t] <= hist[t] for t in CPUS)
    assert all(rep.fixes[0].cost[t] <= wmb.cost[t] for t in CPUS)


def test_xen_shutdown_handshake_needs_smp_mb_on_both_sides():
    for name in ("Xen-shutdown-deferral+nobarrier", "Xen-shutdown-deferral+wmb"):
        rep = fix_test(str(GALLERY / f"{name}.litmus"))
        assert len(rep.fixes) == 1
        f = rep.fixes[0]
        assert {c.thread for c in f.changes} == {0, 1}
        assert all(c.name == "smp_mb" for c in f.changes)
        hist = historical_cost(name, "Xen-shutdown-deferral")
        assert all(f.cost[t] <= hist[t] for t in CPUS)


def test_bh_scheduling_gets_the_2015_full_barriers():
    rep = fix_test(str(GALLERY / "QEMU-bh-schedule-2015-before.litmus"))
    best = rep.fixes[0]
    # P0: a full barrier between the data write and the read of bh->scheduled;
    # P1: aio_bh_poll's smp_rmb() becomes smp_mb() ("should have been changed to smp_mb()")
    assert {(c.thread, c.kind, c.text, c.old) for c in best.changes} == {
        (0, "insert", "smp_mb();", ""), (1, "replace", "smp_mb()", "smp_rmb()")}
    hist = historical_cost("QEMU-bh-schedule-2015-before", "QEMU-bh-schedule-2015-after")
    assert all(best.cost[t] <= hist[t] for t in CPUS)


def test_event_reset_gets_mb_after_rmw_after_the_or():
    rep = fix_test(str(GALLERY / "QEMU-event-reset-2022.litmus"))
    best = rep.fixes[0]
    (c,) = best.changes
    assert c.text == "smp_mb__after_rmw();" and c.thread == 0
    lines = best.litmus.split("\n")
    assert "qatomic_or(ev, 1)" in lines[lines.index("\t\tsmp_mb__after_rmw();") - 1]


# --------------------------------------------------------------------------
# every proposal is Never on every requested target, by `weakmem run` and `weakmem matrix`
# --------------------------------------------------------------------------
def verify_with_commands(tmp_path, rep):
    for k, f in enumerate(rep.fixes):
        p = write(tmp_path, f"{rep.test}-fix{k}", f.litmus)
        for t in rep.targets:
            if t.kind == "model":
                r = CliRunner().invoke(main, ["run", "--format", "json", "--model", t.id, p])
                assert r.exit_code == 0, r.output
                assert json.loads(r.output.splitlines()[0])["verdict"] == "Never", (rep.test, t.id)
        cpus = [t.id for t in rep.targets if t.kind == "cpu"]
        if cpus:
            m = build_matrix(p, targets=cpus, languages=False)
            assert {r.target_id: r.verdict for r in m.rows} == {c: "Never" for c in cpus}, (rep.test, k)


ALLOWED_GALLERY = ["QEMU-MP+wmb+addr", "QEMU-bh-schedule-2015-before", "QEMU-bh-schedule-2015-poll-mb",
                   "QEMU-dma-mp-2012-before", "QEMU-dma-notify-wmb", "QEMU-doc-fetch_add+read",
                   "QEMU-doc-rbd-ctrl", "QEMU-event-reset-2022", "QEMU-event-xchg+read",
                   "Xen-shutdown-deferral+nobarrier", "Xen-shutdown-deferral+wmb"]


def test_gallery_list_is_every_allowed_gallery_test():
    """ALLOWED_GALLERY is the set of gallery tests some default target allows
    (asserted, so a new gallery test cannot be missed)."""
    allowed = []
    for p in sorted(GALLERY.glob("*.litmus")):
        m = build_matrix(str(p), languages=False)
        t = parse_litmus(str(p))
        from weakmem.dialects import detect
        opts = Options(model=detect(t).model)
        res = check_test(t, ModelCache().get(opts, "C", t), opts)
        if res.verdict.observation != "Never" or any(r.verdict != "Never" for r in m.rows):
            allowed.append(p.stem)
    # bh-schedule-2015-after is Sometimes on POWER only: the known CPU-model limit (docs/matrix.md)
    assert sorted(set(allowed) - {"QEMU-bh-schedule-2015-after"}) == sorted(ALLOWED_GALLERY)


@pytest.mark.parametrize("name", ALLOWED_GALLERY)
def test_gallery_fixes_verified_by_run_and_matrix(tmp_path, name):
    rep = fix_test(str(GALLERY / f"{name}.litmus"), max_fixes=2)
    assert rep.fixes, rep.no_fix
    verify_with_commands(tmp_path, rep)


def kernel_allowed_tests():
    from corpus_util import SHARED
    d = SHARED / "corpus" / "lkmm" / "litmus-tests"
    if not d.is_dir():
        return []
    names = sorted(p.name for p in d.glob("*.litmus") if "Result: Sometimes" in p.read_text())
    # a deterministic sample (every other one) keeps CI fast; benchmarks/fix.py runs them all
    return names[::2]


@pytest.mark.parametrize("name", kernel_allowed_tests() or ["(absent)"])
def test_kernel_litmus_fixes_verified(tmp_path, name):
    from corpus_util import SHARED, need_shared
    need_shared()
    p = SHARED / "corpus" / "lkmm" / "litmus-tests" / name
    if not p.exists():
        pytest.skip("kernel litmus tests absent")
    rep = fix_test(str(p), max_fixes=1)
    verify_with_commands(tmp_path, rep)
    if not rep.fixes:
        assert rep.no_fix


def test_cost_weights_follow_the_mappings():
    # the examples of the issue: smp_mb__after_rmw free on x86, DMB ISH on Arm, sync on POWER
    from weakmem.matrix import mappings as M
    assert M.FENCES["x86"]["f:q_rmw_mb"] == ()
    assert weight("aarch64", M.FENCES["aarch64"]["f:q_rmw_mb"][0]) == 4
    assert weight("power", M.FENCES["power"]["f:q_rmw_mb"][0]) == 4
    assert weight("power", M.FENCES["power"]["f:lk_wmb"][0]) == 2        # smp_wmb: lwsync
    assert weight("x86", "mfence") == 4 and weight("x86", "xchgl %esi,(%rbx)") == 4
    assert weight("x86", "movl $1,(%rbx)") == 0
    assert weight("aarch64", "DMB ISHST") == 2 and weight("aarch64", "STLR W1,[X0]") == 1
    assert weight("riscv", "fence rw,rw") == 4 and weight("riscv", "fence r,rw") == 2
    assert weight("riscv", "amoswap.w.aqrl x7,x9,(x5)") == 5


def test_docs_barrier_cost_tables_match_the_mappings():
    import re
    from weakmem.fix.costs import barrier_costs
    doc = (Path(__file__).resolve().parents[1] / "docs" / "fix.md").read_text()
    cols = ["x86-64", "aarch64-llsc", "armv7", "power", "riscv"]
    checked = 0
    for dialect, header in (("qemu", "| QEMU barrier |"), ("linux", "| Linux / Xen barrier |")):
        table = doc[doc.index(header):].split("\n\n")[0].splitlines()[2:]
        costs = barrier_costs(dialect)
        for row in table:
            cells = [c.strip() for c in row.strip("|").split("|")]
            label = re.match(r"`([\w/]+)\(", cells[0]).group(1)       # smp_wmb, smp_mb__before/after_rmw
            key = label.replace("before/after", "after")
            nums = [int(re.match(r"\d+", c).group()) for c in cells[1:]]
            assert [costs[key][c] for c in cols] == nums, (dialect, key)
            checked += 1
    assert checked == 8


X86_SB = """X86 SB
{ x=0; y=0; }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\\ 1:EAX=0)
"""

A64_MP = """AArch64 MP
{
0:X1=x; 0:X3=y;
1:X1=y; 1:X3=x;
}
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | LDR W2,[X3] ;
 STR W0,[X3] |             ;
exists (1:X0=1 /\\ 1:X2=0)
"""

C11_MP = """C c11-MP
{}
P0(atomic_int *x, atomic_int *y)
{
	atomic_store_explicit(x, 1, memory_order_relaxed);
	atomic_store_explicit(y, 1, memory_order_relaxed);
}
P1(atomic_int *x, atomic_int *y)
{
	int r0 = atomic_load_explicit(y, memory_order_relaxed);
	int r1 = atomic_load_explicit(x, memory_order_relaxed);
}
exists (1:r0=1 /\\ 1:r1=0)
"""

PLAIN_SB = """C plain-SB
{}
P0(int *x, int *y)
{
	*x = 1;
	int r0 = *y;
}
P1(int *x, int *y)
{
	*y = 1;
	int r0 = *x;
}
exists (0:r0=0 /\\ 1:r0=0)
"""


def test_assembly_fences_x86():
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "SB.litmus"
        p.write_text(X86_SB)
        rep = fix_test(str(p))
    assert [t.id for t in rep.targets] == ["x86-tso"]
    assert [sorted((c.thread, c.text) for c in f.changes) for f in rep.fixes] == [[(0, "MFENCE"), (1, "MFENCE")]]
    assert rep.fixes[0].cost == {"X86": 8}
    assert " MFENCE |  ;" in rep.fixes[0].litmus


def test_assembly_aarch64_release_acquire_and_fences(tmp_path):
    rep = fix_test(write(tmp_path, "MP", A64_MP))
    sums = [sorted((c.thread, c.text.split()[0] if c.kind == "replace" else c.text) for c in f.changes)
            for f in rep.fixes]
    assert [(0, "STLR"), (1, "LDAR")] in sums
    assert [(0, "DMB ISHST"), (1, "DMB ISHLD")] in sums
    assert sums.index([(0, "STLR"), (1, "LDAR")]) < sums.index([(0, "DMB ISH"), (1, "DMB ISH")])
    for f in rep.fixes:
        t = parse_litmus("p.litmus", f.litmus)
        opts = Options()
        assert check_test(t, ModelCache().get(opts, t.arch), opts).verdict.observation == "Never"


def test_c11_fences_and_orders(tmp_path):
    rep = fix_test(write(tmp_path, "c11", C11_MP))
    assert [t.id for t in rep.targets] == ["rc11"] + CPUS
    texts = [{c.text for c in f.changes} for f in rep.fixes]
    assert {"atomic_store_explicit(y, 1, memory_order_release)",
            "atomic_load_explicit(y, memory_order_acquire)"} in texts
    assert {"atomic_thread_fence(memory_order_release);", "atomic_thread_fence(memory_order_acquire);"} in texts


def test_plain_accesses_get_marked_under_lkmm(tmp_path):
    rep = fix_test(write(tmp_path, "plain", PLAIN_SB))
    best = rep.fixes[0]
    assert {c.text for c in best.changes} >= {"smp_mb();"}
    assert any(c.text.startswith(("READ_ONCE", "WRITE_ONCE")) for c in best.changes)


def test_explain_cycles_pruner_keeps_changes_on_a_cycle():
    from weakmem.fix.prune import ExplainCycles
    from weakmem.fix.sites import Change
    p = ExplainCycles([[(0, 5), (0, 7), (1, 12), (1, 14)]])
    inside = Change(0, 6, "insert", "smp_mb();", position=("gap", 0, 6))
    outside = Change(0, 9, "insert", "smp_mb();", position=("gap", 0, 9))
    other = Change(2, 20, "insert", "smp_mb();", position=("gap", 2, 20))
    assert p.keep([inside, outside, other]) == [inside]


def test_explain_hint_plugs_in(tmp_path, monkeypatch):
    """With a weakmem.explain that names unordered pairs, the candidates that
    touch them go first, and the answer is the same."""
    import sys
    import types
    from weakmem.fix.prune import explain_spans
    from weakmem.fix.verify import model_target

    def info(t, line):
        return types.SimpleNamespace(thread=t, line=line)

    def fake_explain(test, lm, opts):
        u = [types.SimpleNamespace(first=info(0, 6), second=info(0, 7)),
             types.SimpleNamespace(first=info(1, 11), second=info(1, 12))]
        return types.SimpleNamespace(witness=types.SimpleNamespace(unordered=u))

    path = write(tmp_path, "SB", SB)
    before = [summary(f) for f in fix_test(path).fixes]
    monkeypatch.setitem(sys.modules, "weakmem.explain", types.SimpleNamespace(explain=fake_explain))
    t = parse_litmus(path)
    spans = explain_spans(t, [model_target("lkmm")])
    assert spans is not None and spans.spans == {0: [(6, 7)], 1: [(11, 12)]}
    assert [summary(f) for f in fix_test(path).fixes] == before
