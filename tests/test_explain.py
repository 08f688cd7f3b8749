"""weakmem.explain: cycles for forbidden outcomes, witnesses for allowed ones,
JSON, DOT pictures, the `explain` command."""
from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner

from weakmem.cli import main
from weakmem.explain import ExplainOptions, explain
from weakmem.explain.dot import execution_dot
from weakmem.explain.pictures import main_picture
from weakmem.explain.render import to_json
from weakmem.litmus.parse import parse_litmus
from weakmem.run import ModelCache, Options

HERE = os.path.dirname(os.path.abspath(__file__))
EX = os.path.join(HERE, "..", "examples")
_MODELS = ModelCache()


def explained(path, xopts=None, **kw):
    opts = Options(**kw)
    test = parse_litmus(path)
    return test, explain(test, _MODELS.get(opts, test.arch, test), opts, xopts)


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_sb_mb_one_group_four_event_cycle_through_both_fences():
    _, ex = explained(os.path.join(EX, "SB+mb.litmus"))
    assert ex.forbidden and ex.observation == "Never"
    assert len(ex.groups) == 1
    g = ex.groups[0]
    assert g.check == "propagation" and g.executions == 1 and g.test == "acyclic"
    assert "ropagation" in g.meaning
    assert len(g.cycle) == 4                                   # four events
    assert [e.name for e in g.cycle].count("po;mb;po") == 2    # through both fences
    assert {e.name for e in g.cycle} == {"po;mb;po", "fre"}
    assert sorted(e.src.thread for e in g.cycle) == [0, 0, 1, 1]
    assert all(e.src.line for e in g.cycle)
    fences = {s.dst for e in g.cycle for s in e.steps[:-1]}
    assert len(fences) == 2                                    # the two F mb events
    for e in g.cycle:
        for s in e.steps:
            assert s.holds()
    # the edges chain: each ends where the next starts, and the last closes it
    assert all(a.dst == b.src for a, b in zip(g.cycle, g.cycle[1:] + g.cycle[:1]))


def test_sb_witness_names_p0_store_load_pair_unordered():
    _, ex = explained(os.path.join(EX, "SB.litmus"))
    assert not ex.forbidden and ex.witness is not None
    w = ex.witness
    assert len(w.rf) == 2 and all(wr.thread is None for wr, _ in w.rf)   # both read the initial values
    p0 = [u for u in w.unordered if u.first.thread == 0]
    assert len(p0) == 1
    u = p0[0]
    assert u.first.access.startswith("W") and u.second.access.startswith("R")
    assert u.reason.startswith("W x then R y on P0: unordered")
    assert "happens-before" in u.relation or "propagation" in u.relation
    assert w.would == ["smp_mb()"] and "smp_mb() after each first access would forbid" in u.reason


def test_wmb_is_not_suggested_where_it_does_not_order():
    """Xen's shutdown deferral with smp_wmb(): the store->load pairs stay
    unordered, and the fence that would forbid the outcome is smp_mb()."""
    _, ex = explained(os.path.join(EX, "gallery", "Xen-shutdown-deferral+wmb.litmus"))
    w = ex.witness
    assert len(w.unordered) == 2 and w.would == ["smp_mb()"]


def test_hypothetical_fences_insertion_keeps_the_execution():
    from weakmem.cat.eval import evaluate
    from weakmem.explain.hypo import Fence, with_fences
    test, ex = explained(os.path.join(EX, "SB.litmus"))
    cand = ex.witness.execution
    n = cand.skeleton.n
    firsts = [u.first.eid for u in ex.witness.unordered]
    # a fence that orders nothing (no tag the model knows) keeps the execution allowed
    lm = _MODELS.get(Options(), test.arch, test)
    inp = with_fences(cand, firsts, Fence("nop", frozenset({"F"}), frozenset()))
    assert inp.n == n + 2
    assert any(o.allowed for o in evaluate(lm.model, inp))
    from weakmem.cat import rel as R
    po = inp.rels["po"]
    for i, a in enumerate(firsts):
        f = n + i
        assert (po >> (a * inp.n + f)) & 1                      # the fence is po-after its access
        later = [b for b in range(n) if (cand.skeleton.rels["po"] >> (a * n + b)) & 1]
        assert later and all((po >> (f * inp.n + b)) & 1 for b in later)
    assert R.is_acyclic(inp.n, po)


def test_same_test_under_sc_gives_sc_cycle_and_x86_tso_witness(tmp_path):
    _, ex = explained(os.path.join(EX, "SB.litmus"), model="sc")
    assert ex.forbidden and ex.groups and ex.groups[0].cycle
    for e in ex.groups[0].cycle:
        assert all(s.holds() for s in e.steps)


def test_no_candidate_reason(tmp_path):
    f = write(tmp_path, "two.litmus", "C two\n{}\nP0(int *x)\n{\n\tWRITE_ONCE(*x, 1);\n}\n\nexists (x=2)\n")
    _, ex = explained(f)
    assert ex.forbidden and not ex.groups
    assert ex.no_candidate == "no write of 2 to x"
    d = to_json(ex)
    assert d["cycle"] == [] and d["no_candidate"] == "no write of 2 to x"


def test_json_forbidden_shape():
    _, ex = explained(os.path.join(EX, "SB+mb.litmus"))
    d = json.loads(json.dumps(to_json(ex)))
    (g,) = d["groups"]
    assert g["check"] == "propagation" and g["executions"] == 1
    assert [c["edge"] for c in g["cycle"]].count("po;mb;po") == 2
    for c in g["cycle"]:
        assert set(c) >= {"event", "thread", "line", "access", "edge"}
        assert c["thread"] in ("P0", "P1") and isinstance(c["line"], int)


def test_json_witness_shape():
    _, ex = explained(os.path.join(EX, "SB.litmus"))
    d = to_json(ex)
    w = d["witness"]
    assert {e["event"] for e in w["events"]} >= {"a", "b", "c", "d"}
    assert len(w["rf"]) == 2 and w["co"] and w["unordered"]


def test_dot_highlights_cycle_and_draws_columns():
    test, ex = explained(os.path.join(EX, "SB+mb.litmus"))
    dot = main_picture(test, ex)
    assert "subgraph cluster_P0" in dot and "subgraph cluster_P1" in dot
    assert dot.count("penwidth=2.6") == 4                       # the four cycle edges
    assert dot.count('label="po;mb;po"') == 2 and dot.count('label="fre"') == 2
    assert "line 14" in dot and "WRITE_ONCE(*x, 1);" in dot
    assert 'label="rf"' in dot                                  # the reads from init
    g = ex.groups[0]
    for e in g.cycle:
        assert f"e{e.src.eid} -> e{e.dst.eid} [color=\"#d62728\"" in dot


def test_dot_witness_has_rf_co_fr():
    test, ex = explained(os.path.join(EX, "SB.litmus"))
    dot = execution_dot(test, ex.witness.execution)
    assert 'label="rf"' in dot and 'label="co"' in dot and 'label="fr"' in dot
    assert "penwidth" not in dot
    dot = main_picture(test, ex)              # the pairs it relies on, dotted
    assert dot.count('label="unordered"') == 2
    u = ex.witness.unordered[0]
    assert f"e{u.first.eid} -> e{u.second.eid} [color=" in dot


X86_SB_MFENCES = """X86 SB+mfences
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MFENCE      | MFENCE      ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\\ 1:EAX=0)
"""


def test_herd_cat_files_explained(tmp_path):
    lib = os.environ.get("WEAKMEM_SHARED", os.path.join(HERE, "..", "..", "shared")) + "/corpus/herd-libdir"
    if not os.path.isdir(lib):
        pytest.skip("../shared is absent")
    f = write(tmp_path, "SB+mfences.litmus", X86_SB_MFENCES)
    _, ex = explained(f, model=os.path.join(lib, "x86tso.cat"), includes=[lib])
    assert ex.forbidden and len(ex.groups) == 1
    g = ex.groups[0]
    assert len(g.cycle) == 4 and all(s.holds() for e in g.cycle for s in e.steps)
    assert sum("MFENCE" in e.name.upper() for e in g.cycle) == 2
    assert g.cycle[0].src.line == 4 and g.cycle[0].src.source == "MOV [x],$1"


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_cli_explain_text_and_json():
    r = run("explain", os.path.join(EX, "SB+mb.litmus"))
    assert r.exit_code == 0, r.output
    assert "check propagation" in r.output and "-[po;mb;po]->" in r.output
    r = run("explain", "--format", "json", os.path.join(EX, "SB.litmus"))
    assert r.exit_code == 0
    assert json.loads(r.output)["witness"]["unordered"]


def test_cli_graph_dot_and_show(tmp_path):
    out = tmp_path / "g.dot"
    r = run("explain", "--graph", str(out), os.path.join(EX, "SB+mb.litmus"))
    assert r.exit_code == 0, r.output
    assert "penwidth" in out.read_text()
    r = run("explain", "--show", "all", str(tmp_path / "all"), os.path.join(EX, "SB.litmus"))
    assert r.exit_code == 0, r.output
    assert len(os.listdir(tmp_path / "all")) == 4              # the four allowed executions
    r = run("explain", "--show", "forbidden", str(tmp_path / "forb"), "--model", "sc",
            os.path.join(EX, "SB.litmus"))
    assert r.exit_code == 0, r.output
    assert len(os.listdir(tmp_path / "forb")) >= 1


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz dot absent")
def test_cli_graph_svg(tmp_path):
    out = tmp_path / "g.svg"
    r = run("explain", "--graph", str(out), os.path.join(EX, "SB+mb.litmus"))
    assert r.exit_code == 0, r.output
    assert out.read_text().lstrip().startswith("<?xml") and "po;mb;po" in out.read_text()


def test_cli_bad_input_one_line(tmp_path):
    bad = write(tmp_path, "bad.litmus", "C bad\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1;\n}\nexists (x=1)\n")
    r = run("explain", bad)
    assert r.exit_code == 1 and f"{bad}:4:19: error:" in r.output and "Traceback" not in r.output
    r = run("explain", "--graph", str(tmp_path / "x.jpg"), os.path.join(EX, "SB.litmus"))
    assert r.exit_code == 1 and "must end in .svg, .dot or .png" in r.output


def test_missing_dot_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    r = run("explain", "--graph", str(tmp_path / "g.png"), os.path.join(EX, "SB.litmus"))
    assert r.exit_code == 1
    assert "apt-get install graphviz" in r.output and len(r.output.strip().splitlines()) == 1


def test_all_events_option_keeps_register_events():
    test, ex = explained(os.path.join(EX, "SB.litmus"), xopts=ExplainOptions(all_events=True))
    assert ex.witness is not None


def test_run_explain_json_has_explanation():
    r = run("run", "--explain", "--format", "json", os.path.join(EX, "SB+mb.litmus"))
    d = json.loads(r.output)
    assert d["verdict"] == "Never" and d["explanation"]["groups"][0]["check"] == "propagation"


def test_gallery_explanations_are_current():
    """docs/gallery.md's explanations block is what `python3 -m
    weakmem.explain.gallery` writes today, and every picture it shows is
    committed (docs/gallery/*.svg)."""
    from pathlib import Path

    from weakmem.explain.gallery import BEGIN, END, build, gallery_files
    root = Path(HERE).parent
    doc = (root / "docs" / "gallery.md").read_text()
    block, dots = build(root)
    got = doc[doc.index(BEGIN):doc.index(END) + len(END)]
    assert got == block.rstrip("\n"), "docs/gallery.md is stale: run python3 -m weakmem.explain.gallery"
    assert len(dots) == len(gallery_files(root))
    for name in dots:
        svg = root / "docs" / "gallery" / name
        assert svg.exists() and "<svg" in svg.read_text()
        assert f"(gallery/{name})" in doc


def test_web_payload_for_the_page():
    from weakmem.explain import web_payload
    test = parse_litmus(os.path.join(EX, "SB+mb.litmus"))
    opts = Options()
    d = web_payload(test, _MODELS.get(opts, test.arch, test), opts)
    assert d["explanation"]["groups"][0]["check"] == "propagation"
    assert "-[po;mb;po]->" in d["explanation_text"]
    if shutil.which("dot"):
        assert d["svg"].startswith("<svg") and "po;mb;po" in d["svg"]


def test_cycles_api_for_other_consumers():
    _, ex = explained(os.path.join(EX, "SB+mb.litmus"))
    (cyc,) = ex.cycles
    pts = [(e.src.thread, e.src.line) for e in cyc]
    assert pts == [(0, 14), (0, 16), (1, 23), (1, 25)]
    assert all(len(t) == 3 for e in cyc for t in e.as_tuples())


def test_c11_rmw_then_relaxed_read_relies_on_no_sc_order():
    """QEMU's 2023 lost wakeup: qatomic_xchg then qatomic_read may be
    reordered under the qemu (C11) model; a full barrier would forbid it.
    Single-event RMWs must not make the SC cycle a self-loop."""
    _, ex = explained(os.path.join(EX, "gallery", "QEMU-event-xchg+read.litmus"))
    w = ex.witness
    assert [(u.first.access.split()[0], u.second.access.split()[0]) for u in w.unordered] == \
        [("RMW[sc]", "R[rlx]")] * 2
    assert w.would == ["smp_mb()"]
