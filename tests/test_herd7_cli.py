"""weakmem-herd7: herd7's command line (weakmem/herd7/cli.py)."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from corpus_util import SHARED, load_reference, need_shared
from weakmem.herd7.cli import UsageError, main, parse_args
from weakmem.herd7.oracle import find_tool, parse_blocks, run_herd7

ROOT = Path(__file__).resolve().parents[1]
CORR = """X86 CoRR
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV EAX,[x] ;
             | MOV EBX,[x] ;
exists (1:EAX=1 /\\ 1:EBX=0)
"""


@pytest.fixture
def corr(tmp_path):
    p = tmp_path / "CoRR.litmus"
    p.write_text(CORR)
    return p


def run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_herd7_block(capsys, corr):
    rc, out, err = run(capsys, corr)
    assert rc == 0 and err == ""
    b = parse_blocks(out)["CoRR"]
    assert (b.observation, len(b.states), b.pos, b.neg) == ("Never", 3, 0, 3)
    assert out.splitlines()[0] == "Test CoRR Allowed" and out.endswith("\n\n")


def test_through_invalid_keeps_executions_failing_checks(capsys, corr):
    b = parse_blocks(run(capsys, "-through", "invalid", corr)[1])["CoRR"]
    assert (b.observation, len(b.states)) == ("Sometimes", 4)


def test_skipcheck_names_a_check(capsys, corr, tmp_path):
    cat = tmp_path / "m.cat"
    cat.write_text('"m"\ninclude "cos.cat"\nacyclic po-loc | rf | co | fr as coh\n')
    assert parse_blocks(run(capsys, "-model", cat, corr)[1])["CoRR"].observation == "Never"
    assert parse_blocks(run(capsys, "-model", cat, "-skipcheck", "coh", corr)[1])["CoRR"].observation == "Sometimes"
    assert parse_blocks(run(capsys, "-model", cat, "-skipchecks", "x,coh", corr)[1])["CoRR"].observation == \
        "Sometimes"
    assert parse_blocks(run(capsys, "-model", cat, "-skipcheck", "other", corr)[1])["CoRR"].observation == "Never"


def test_speedcheck_stops_at_the_first_witness(capsys, tmp_path):
    sb = tmp_path / "SB.litmus"
    sb.write_text("X86 SB\n{ }\n P0 | P1 ;\n MOV [x],$1 | MOV [y],$1 ;\n MOV EAX,[y] | MOV EAX,[x] ;\n"
                  "exists (0:EAX=0 /\\ 1:EAX=0)\n")
    out = run(capsys, "-speedcheck", "true", sb)[1]
    assert out.splitlines()[1:4] == ["States 1", "0:EAX=0; 1:EAX=0;", "Ok"]
    assert "Observation SB Always 1 0" in out


def test_speedcheck_without_witness(capsys, corr):
    out = run(capsys, "-speedcheck", "fast", corr)[1]
    assert "States 0" in out and "Observation CoRR Never 0 0" in out


def test_variant_bell_macros_and_conf(capsys, tmp_path):
    need_shared()
    model = SHARED / "corpus" / "lkmm" / "model"
    t = SHARED / "corpus" / "lkmm" / "litmus-tests" / "MP+pooncerelease+poacquireonce.litmus"
    out = run(capsys, "-model", model / "linux-kernel.cat", "-bell", model / "linux-kernel.bell",
              "-macros", model / "linux-kernel.def", "-I", model, t)[1]
    assert "Observation MP+pooncerelease+poacquireonce Never" in out
    out2 = run(capsys, "-set-libdir", model, "-conf", "linux-kernel.cfg", t)[1]
    assert parse_blocks(out2) == parse_blocks(out)


@pytest.mark.parametrize("argv,msg", [
    (["-machsize", "byte"], "-machsize (a machine size other than the test's own) is not supported"),
    (["-foo"], "unknown option '-foo'"),
    (["-model"], "option -model needs an argument"),
    (["-through", "some"], "option -through expects one of all, invalid, none"),
    (["-hexa", "maybe"], "expects a boolean"),
    (["-model", "cav12"], "cav12"),
])
def test_options_it_cannot_honour_are_refused_clearly(capsys, corr, argv, msg):
    rc, out, err = run(capsys, corr, *argv)
    assert rc == 2 and out == "" and msg in err and "Traceback" not in err


@pytest.mark.parametrize("opt", [["-gv"], ["-o", "dots"], ["-view", "evince"]])
def test_figure_options_get_a_note_and_results(capsys, corr, opt):
    rc, out, err = run(capsys, *opt, corr)
    assert rc == 0 and "note:" in err and "Observation CoRR Never" in out


def test_figure_only_options_are_accepted_silently():
    a = parse_args(["-show", "prop", "-nshow", "1", "-graph", "columns", "-squished", "true", "-q", "x.litmus"])
    assert a.files == ["x.litmus"] and a.notes == []


def test_bad_test_gives_one_line_and_the_run_goes_on(capsys, corr, tmp_path):
    bad = tmp_path / "bad.litmus"
    bad.write_text("X86 bad\n{ }\n P0 ;\n FOO EAX ;\nexists (0:EAX=0)\n")
    rc, out, err = run(capsys, bad, corr)
    assert rc == 1 and "Observation CoRR" in out
    assert len(err.splitlines()) == 1 and err.startswith(f"{bad}:4:") and "error:" in err


def test_index_file_lists_tests(capsys, corr, tmp_path):
    (tmp_path / "@all").write_text("# tests\nCoRR.litmus\n")
    assert "Observation CoRR Never" in run(capsys, tmp_path / "@all")[1]


def test_help_and_version(capsys):
    assert run(capsys, "-help")[0] == 0
    rc, out, _ = run(capsys, "-version")
    assert rc == 0 and "weakmem" in out


def test_usage_error_type():
    with pytest.raises(UsageError):
        parse_args(["-unroll", "two"])


# --------------------------------------------------------------------------
# The kernel's checklitmus.sh way of running herd7, with weakmem-herd7 in its place

CHECKLITMUS = r"""#!/bin/sh
# Run one litmus test with the herd7 named by $LKMM_HERD7 (herd7 by default), keep its
# output in $LKMM_DESTDIR, and judge the Observation against the test's "Result:" line,
# as the Linux kernel's tools/memory-model/scripts/checklitmus.sh and judgelitmus.sh do.
litmus=$1
herd=${LKMM_HERD7:-herd7}
herdoptions=${LKMM_HERD_OPTIONS--conf linux-kernel.cfg}
if test -f "$litmus" -a -r "$litmus"; then :; else
	echo ' --- ' error: \"$litmus\" is not a readable file; exit 255
fi
out=$LKMM_DESTDIR/`basename $litmus`.out
echo Herd options: $herdoptions > $out
$herd $herdoptions $litmus >> $out 2>&1
ret=$?
if test "$ret" -ne 0; then
	echo ' !!! Herd failed: ' $litmus; exit $ret
fi
outcome=`grep -m 1 '^Observation' $out | awk '{ print $3 }'`
expect=`grep -m 1 '^ \* Result: ' $litmus | awk '{ print $3 }'`
if test -z "$expect"; then
	echo ' ??? No Result: line in ' $litmus "(observed $outcome)"; exit 0
elif test "$outcome" = "$expect"; then
	echo Good outcome: $litmus $outcome
else
	echo ' !!! Unexpected outcome: ' $litmus "(expected $expect, observed $outcome)"; exit 1
fi
"""


def _wrapper(bindir: Path) -> Path:
    w = bindir / "weakmem-herd7"
    w.write_text(f"#!/bin/sh\nPYTHONPATH={ROOT}${{PYTHONPATH:+:$PYTHONPATH}} exec {sys.executable} "
                 "-m weakmem.herd7 \"$@\"\n")
    w.chmod(w.stat().st_mode | stat.S_IEXEC)
    return w


def _checklitmus_all(tmp_path, herd: str, tests: list[Path]) -> dict[str, str]:
    script = tmp_path / "checklitmus.sh"
    script.write_text(CHECKLITMUS)
    dest = tmp_path / "out"
    dest.mkdir(exist_ok=True)
    env = dict(os.environ, LKMM_HERD7=herd, LKMM_DESTDIR=str(dest))
    model = SHARED / "corpus" / "lkmm" / "model"

    def one(t):
        p = subprocess.run(["sh", str(script), os.path.relpath(t, model)], cwd=model, env=env,
                           capture_output=True, text=True, timeout=600)
        return t.name, (p.returncode, p.stdout.strip())
    with ThreadPoolExecutor(2) as ex:         # checkalllitmus.sh runs them one after the other
        return dict(ex.map(one, tests))


def test_kernel_checklitmus_script_runs_weakmem_herd7(tmp_path):
    need_shared()
    tests = sorted((SHARED / "corpus" / "lkmm" / "litmus-tests").glob("*.litmus"))
    assert len(tests) > 40
    bindir = tmp_path / "bin"
    bindir.mkdir()
    res = _checklitmus_all(tmp_path, str(_wrapper(bindir)), tests)
    assert all("Herd failed" not in out for _, out in res.values())
    # the script judges each test as it judges herd7's output: herd7 7.58's own verdicts
    # (three kernel tests' Result: lines expect a newer LKMM than the one shipped with herd7)
    herd = {Path(r["file"]).name: r["verdict"] for r in load_reference("lkmm-litmus-tests.jsonl") if r.get("verdict")}
    assert len(herd) >= 40
    for name, verdict in herd.items():
        rc, out = res[name]
        expect = next((ln.split()[2] for ln in (SHARED / "corpus" / "lkmm" / "litmus-tests" / name).read_text()
                       .splitlines() if ln.startswith(" * Result: ")), None)
        if expect is None:
            assert out.startswith(" ??? No Result:") and out.endswith(f"(observed {verdict})"), out
        elif expect == verdict:
            assert rc == 0 and out == f"Good outcome: ../litmus-tests/{name} {verdict}", out
        else:
            assert rc == 1 and out.endswith(f"(expected {expect}, observed {verdict})"), out
    # the saved output is herd7's block
    out = (tmp_path / "out" / "MP+polocks.litmus.out").read_text()
    assert out.splitlines()[0] == "Herd options: -conf linux-kernel.cfg"
    assert "Observation MP+polocks Never" in out


@pytest.mark.skipif(find_tool("herd7") is None, reason="herd7 not found (WEAKMEM_HERD7 or PATH)")
def test_same_output_as_herd7_on_kernel_tests(tmp_path):
    need_shared()
    model = SHARED / "corpus" / "lkmm" / "model"
    herd7 = find_tool("herd7")
    for name in ("Z6.0+pooncelock+pooncelock+pombonce", "SB+fencembonceonces", "LB+poonceonces", "IRIW+poonceonces+OnceOnce",
                 "ISA2+pooncerelease+poacquirerelease+poacquireonce"):
        t = SHARED / "corpus" / "lkmm" / "litmus-tests" / f"{name}.litmus"
        h = run_herd7(herd7, t, ["-conf", "linux-kernel.cfg"], cwd=model)
        assert h.block is not None, h.stderr
        p = subprocess.run([sys.executable, "-m", "weakmem.herd7", "-conf", "linux-kernel.cfg", str(t)], cwd=model,
                           capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
        strip = lambda s: [ln for ln in s.splitlines() if not ln.startswith(("Time ", "Hash="))]  # noqa: E731
        assert strip(p.stdout) == strip(h.stdout), name
