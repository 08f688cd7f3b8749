"""`weakmem hw`: litmus tests run on this CPU (short runs; the long ones are
benchmarks/hw.py).  Tests that run code need gcc and an x86-64 machine and
skip cleanly without them; harness generation is tested everywhere."""
from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from weakmem.cli import main
from weakmem.errors import LitmusError
from weakmem.hw import HwOptions, run_hw
from weakmem.hw.build import build_harness
from weakmem.litmus import parse_litmus
from tests.corpus_util import SHARED

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "examples"
CAT = SHARED / "corpus" / "catalogue"

can_run = pytest.mark.skipif(
    shutil.which(os.environ.get("CC", "gcc")) is None or platform.machine().lower() not in ("x86_64", "amd64"),
    reason="needs gcc on an x86-64 machine")


def write(tmp_path: Path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def hw_fails(tmp_path: Path, name: str, text: str) -> tuple[str, str]:
    """`weakmem hw -n 10` on the test `text` (written as `name`): it must
    exit 1; its path and the output."""
    p = write(tmp_path, name, text)
    res = CliRunner().invoke(main, ["hw", "-n", "10", p])
    assert res.exit_code == 1
    return p, res.output


SB_MFENCE = """X86 SB+mfences-local
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MFENCE      | MFENCE      ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\\ 1:EAX=0)
"""

MP_64 = """X86_64 MP-local
{ }
 P0          | P1            ;
 movl $1,(x) | movl (y),%eax ;
 movl $1,(y) | movl (x),%ebx ;
exists (1:rax=1 /\\ 1:rbx=0)
"""

LB = """X86 LB-local
{ }
 P0          | P1          ;
 MOV EAX,[x] | MOV EAX,[y] ;
 MOV [y],$1  | MOV [x],$1  ;
exists (0:EAX=1 /\\ 1:EAX=1)
"""

W22 = """X86_64 2+2W-local
{ }
 P0          | P1          ;
 movl $2,(x) | movl $2,(y) ;
 movl $1,(y) | movl $1,(x) ;
exists ([x]=2 /\\ [y]=2)
"""


# ---------------------------------------------------------------- generation
def test_x86_thread_becomes_inline_assembly(tmp_path):
    h = build_harness(parse_litmus(write(tmp_path, "mp.litmus", MP_64)))
    assert h.terms == ["1:rax", "1:rbx"]
    assert "movl $1,(%[wm_x])" in h.source
    assert "movl (%[wm_y]),%%eax" in h.source
    assert '"+a"(wm_rax)' in h.source and '"+b"(wm_rbx)' in h.source
    assert f'#line 4 "{tmp_path / "mp.litmus"}"' in h.source


def test_c_thread_keeps_its_api_and_lines():
    h = build_harness(parse_litmus(str(EX / "SB+mb.litmus")))
    assert h.api == "linux"
    assert "smp_mb();" in h.source and "WRITE_ONCE((*x), 1);" in h.source
    assert "wm_linux.h" in h.headers
    assert "lock; addl $0,-4(%%rsp)" in h.headers["wm_linux.h"]
    q = build_harness(parse_litmus(str(EX / "gallery" / "QEMU-bh-schedule-2015-before.litmus")))
    assert q.api == "qemu" and "qatomic_set(data, 1);" in q.source
    assert "__atomic_store_n(ptr, i, __ATOMIC_RELAXED)" in q.headers["wm_qemu.h"]


A64_MP = """AArch64 MP-local
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | CBZ W0,L0   ;
 DMB SY      | LDR W2,[X3] ;
 MOV W2,#1   | L0:         ;
 STR W2,[X3] |             ;
exists (1:X0=1 /\\ 1:X2=0)
"""


def test_other_cpu_assembly_is_refused(tmp_path):
    p = write(tmp_path, "a.litmus", A64_MP)
    with pytest.raises(LitmusError, match="AArch64 assembly cannot run on this .* --emit-c"):
        build_harness(parse_litmus(p))


def test_other_cpu_assembly_is_emitted_verbatim(tmp_path):
    h = build_harness(parse_litmus(write(tmp_path, "a.litmus", A64_MP)), foreign=True)
    assert 'register uint64_t wm_x1 __asm__("x1")' in h.source
    assert '"STR W0,[X1]\\n\\t"' in h.source and '"CBZ W0,.Lwm_L0_%=\\n\\t"' in h.source
    assert h.terms == ["1:X0", "1:X2"]
    bad = write(tmp_path, "b.litmus", "AArch64 B\n{ 0:X1=x; }\n P0 ;\n MOV X30,#1 ;\n STR W0,[X1] ;\nexists (x=1)\n")
    with pytest.raises(LitmusError, match="x30 is one of the compiler's") as e:
        build_harness(parse_litmus(bad), foreign=True)
    assert e.value.pos.line == 4


@pytest.mark.skipif(shutil.which("aarch64-linux-gnu-gcc") is None or shutil.which("qemu-aarch64") is None,
                    reason="needs an AArch64 cross compiler and qemu-user")
def test_emitted_aarch64_harness_builds_and_runs_under_qemu(tmp_path):
    res = CliRunner().invoke(main, ["hw", "--emit-c", str(tmp_path / "out"), write(tmp_path, "a.litmus", A64_MP)])
    assert res.exit_code == 0, res.output
    c = next((tmp_path / "out").glob("*/*.c"))
    exe = tmp_path / "h"
    subprocess.run(["aarch64-linux-gnu-gcc", "-O2", "-pthread", "-static", "-o", str(exe), str(c)], check=True)
    p = subprocess.run(["qemu-aarch64", str(exe), "-n", "2000", "-herd"], capture_output=True, text=True, check=True)
    assert "1:X0=1; 1:X2=1;" in p.stdout and "1:X0=1; 1:X2=0;" not in p.stdout


def test_herd_primitive_is_refused_at_its_line(tmp_path):
    p = write(tmp_path, "p.litmus", "C P\n{}\nP0(int *x)\n{\n\t__store{once}(x, 1);\n}\nexists (x=1)\n")
    with pytest.raises(LitmusError) as e:
        build_harness(parse_litmus(p))
    assert "herd7 primitive" in e.value.msg and e.value.pos.line == 5


# ---------------------------------------------------------------- runs
def relaxed_seen(path: str, n: int = 20000, tries: int = 3) -> tuple[bool, object]:
    r = None
    for _ in range(tries):        # a rare outcome on a loaded machine: give it three chances
        r = run_hw(path, HwOptions(iterations=n, timeout=60))
        assert not r.forbidden_seen, r.forbidden_seen
        if r.condition_seen:
            return True, r
    return False, r


@can_run
def test_sb_shows_its_relaxed_outcome():
    ok, r = relaxed_seen(str(EX / "SB.litmus"))
    assert ok, r.histogram
    assert {v.model for v in r.verdicts} == {"lkmm", "x86-tso"}
    assert all(v.status == "allowed and seen" for v in r.verdicts)


@can_run
def test_catalogue_sb_shows_its_relaxed_outcome():
    p = CAT / "x86" / "tests" / "SB.litmus"
    if not p.exists():
        pytest.skip("../shared catalogue absent")
    ok, r = relaxed_seen(str(p))
    assert ok, r.histogram
    assert "0:EAX=0; 1:EAX=0;" in dict(r.histogram)


@pytest.mark.parametrize("name,text", [("sbmf", SB_MFENCE), ("mp", MP_64), ("lb", LB), ("w22", W22)])
@can_run
def test_forbidden_outcomes_never_show(tmp_path, name, text):
    r = run_hw(write(tmp_path, f"{name}.litmus", text), HwOptions(iterations=5000, timeout=60))
    assert r.iterations == 5000
    assert r.condition_count == 0 and not r.condition_seen, r.histogram
    assert r.forbidden_seen == []
    assert r.verdicts[0].model == "x86-tso"
    assert r.verdicts[0].status == "forbidden, not seen in 5000 runs"
    assert sum(c for _, c in r.histogram) == 5000


@can_run
def test_sb_mb_never_shows_json():
    res = CliRunner().invoke(main, ["hw", "-n", "5000", "--format", "json", str(EX / "SB+mb.litmus")])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert d["test"] == "SB+mb" and d["iterations"] == 5000
    assert d["condition_seen"] is False and d["forbidden_seen"] == []
    assert "x86-tso" in d["model"]
    states = {h["state"] for h in d["histogram"]}
    assert "0:r0=0; 1:r0=0;" not in states
    assert states <= {"0:r0=0; 1:r0=1;", "0:r0=1; 1:r0=0;", "0:r0=1; 1:r0=1;"}
    assert sum(h["count"] for h in d["histogram"]) == 5000


@can_run
def test_observed_but_forbidden_is_loud(tmp_path):
    # under SC, SB's relaxed outcome is forbidden: seeing it must say so and exit 1
    p = write(tmp_path, "sb.litmus", SB_MFENCE.replace(" MFENCE      | MFENCE      ;\n", ""))
    for _ in range(3):
        res = CliRunner().invoke(main, ["hw", "-n", "20000", "--model", "sc", p])
        if "OBSERVED BUT FORBIDDEN" in res.output:
            break
    assert res.exit_code == 1
    assert "OBSERVED BUT FORBIDDEN" in res.output and "0:EAX=0; 1:EAX=0;" in res.output


@can_run
def test_compile_error_points_into_the_test(tmp_path):
    p, out = hw_fails(tmp_path, "bad.litmus", "C bad\n{}\nP0(int *x)\n{\n\tint r0;\n\tr0 = no_such_api(x);\n}\n"
                      "exists (0:r0=1)\n")
    assert f"{p}:6:2: error: C compiler:" in out and "no_such_api" in out


@can_run
def test_emit_c_writes_a_buildable_harness(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["hw", "-n", "100", "--emit-c", str(out), str(EX / "SB.litmus")])
    assert res.exit_code == 0, res.output
    c = out / "SB" / "SB.c"
    assert c.exists() and (out / "SB" / "wm_runtime.h").exists() and (out / "SB" / "wm_linux.h").exists()
    exe = tmp_path / "sb"
    subprocess.run(["gcc", "-O2", "-pthread", "-o", str(exe), str(c)], check=True)
    p = subprocess.run([str(exe), "-n", "200", "-s", "100"], capture_output=True, text=True, check=True)
    assert "#wm done iterations=200" in p.stdout


@can_run
def test_timeout_keeps_partial_histogram_and_leaves_no_process(tmp_path):
    p = write(tmp_path, "sb.litmus", SB_MFENCE)
    t0 = time.monotonic()
    r = run_hw(p, HwOptions(iterations=10 ** 10, size=1000, timeout=1.0, check_models=False))
    assert time.monotonic() - t0 < 30
    assert 0 < r.iterations < 10 ** 10
    assert sum(c for _, c in r.histogram) == r.iterations
    out = subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True, text=True)
    assert out.stdout.strip() == ""


@can_run
def test_sigint_stops_cleanly_with_partial_histogram(tmp_path):
    # a name of its own: pgrep must find this test's harness, not another test's
    p = write(tmp_path, "sb.litmus", SB_MFENCE.replace("SB+mfences-local", "SB+mfences-sigint"))
    cmd = [sys.executable, "-m", "weakmem", "hw", "-n", str(10 ** 10), "--timeout", "100", p]
    proc = subprocess.Popen(cmd, cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:     # model check and compile first: wait for the harness to run
        if subprocess.run(["pgrep", "-f", "SB_mfences_sigint -n"], capture_output=True).returncode == 0:
            break
        time.sleep(0.2)
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)
    assert "interrupted: partial" in out and "Histogram" in out


# ------------------------------------------------ translation, instruction by instruction
# One-thread tests have one final state: what the machine computes must be
# exactly the state weakmem's x86 semantics computes.
ONE_THREAD = {
    "rmw64": """X86_64 rmw64
{ int64_t x=5; int y=3; 0:rbx=y; }
 P0                        ;
 movq $-1,%rax             ;
 lock xaddq %rax,(x)       ;
 movl $7,%ecx              ;
 xchgl %ecx,(%rbx)         ;
 movl $3,%eax              ;
 movl $9,%edx              ;
 lock cmpxchgl (%rbx),%edx ;
 movq (x),%rsi             ;
 sete %dil                 ;
locations [0:rax; 0:rcx; 0:rsi; 0:rdi; x; y;]
exists (0:rax=0)
""",
    "widths64": """X86_64 widths64
{ int a[4] = {1,2,3,4}; 0:rcx=2; }
 P0                       ;
 movl $0,%eax             ;
 addl a(,%rcx,4),%eax     ;
 movq $a,%rdx             ;
 movl 8(%rdx),%r8d        ;
 shll $3,%r8d             ;
 movl $-5,%r9d            ;
 movw $-1,%r10w           ;
 cmpl %r8d,%r9d           ;
 cmovll %r8d,%r11d        ;
 lock incl (a)            ;
 movq $-7,%r12            ;
 movb $-1,%bl             ;
locations [0:rcx; 0:rdx; 0:r8; 0:r9; 0:r10; 0:r11; 0:r12; 0:rbx; a;]
exists (0:rax=3)
""",
    "intel32": """X86 intel32
{ x=1; 0:EBX=x; }
 P0              ;
 MOV ECX,$-2     ;
 XCHG [x],ECX    ;
 MOV EDX,[EBX]   ;
 MOV ESI,$x      ;
 MOV [y],ESI     ;
 MOV EAX,$3      ;
 CMP EAX,ECX     ;
 JNE LC00        ;
 MOV EDI,$1      ;
LC00:            ;
 LOCK; ADD [z],$5;
locations [0:ECX; 0:EDX; 0:ESI; 0:EDI; x; y; z;]
exists (0:EDI=1)
""",
}
ADDR32 = {
    "addr32": """X86 addr32
{ x=1; 0:EBX=x; }
 P0              ;
 MOV ECX,$-2     ;
 XCHG [x],ECX    ;
 LOCK; ADD [x],$5;
 MOV EDX,[EBX]   ;
 LOCK; DEC [x]   ;
 MOV ESI,$x      ;
 MOV [y],ESI     ;
 MOV EAX,[y]     ;
 CMP EAX,ESI     ;
 JNE LC00        ;
 MOV EDI,$1      ;
LC00:            ;
locations [0:ECX; 0:EDX; 0:ESI; 0:EDI; x; y;]
exists (0:EAX=x)
""",
}


@pytest.mark.parametrize("name", sorted(ONE_THREAD))
@can_run
def test_one_thread_state_is_the_models(tmp_path, name):
    p = write(tmp_path, f"{name}.litmus", ONE_THREAD[name])
    r = run_hw(p, HwOptions(iterations=200, timeout=60))
    assert len(r.histogram) == 1 and r.histogram[0][1] == 200, r.histogram
    v = r.verdicts[0]
    assert v.error is None and v.forbidden_seen == [], (r.histogram, v)
    assert v.status in ("allowed and seen", "forbidden, not seen in 200 runs")


@can_run
def test_32bit_dialect_addresses_fit_its_registers(tmp_path):
    p = write(tmp_path, "addr32.litmus", ADDR32["addr32"])
    r = run_hw(p, HwOptions(iterations=100, check_models=False))
    assert r.histogram == [("0:EAX=x; 0:ECX=1; 0:EDI=1; 0:EDX=3; 0:ESI=x; [x]=2; [y]=x;", 100)]
    assert r.condition_seen


@can_run
def test_filter_drops_states_as_herd_does(tmp_path):
    p = write(tmp_path, "f.litmus", MP_64.replace("exists", "filter (1:rax=1)\nexists"))
    r = run_hw(p, HwOptions(iterations=3000, timeout=60))
    assert all(s.startswith("1:rax=1;") for s, _ in r.histogram)
    assert r.filtered + sum(c for _, c in r.histogram) == 3000
    assert r.forbidden_seen == []


def test_no_compiler_is_a_clear_error(monkeypatch, tmp_path):
    from weakmem.hw import runner
    monkeypatch.delenv("CC", raising=False)
    monkeypatch.setattr(runner.shutil, "which", lambda name: None)
    h = build_harness(parse_litmus(str(EX / "SB.litmus")))
    with pytest.raises(runner.HwError, match="no C compiler found.*apt-get install gcc"):
        runner.compile_harness(h, tmp_path)


@can_run
def test_assembler_error_points_at_the_instruction(tmp_path):
    # the decoder takes `setl %eax`; the assembler wants an 8-bit register
    p, out = hw_fails(tmp_path, "bad64.litmus", "X86_64 bad64\n{ }\n P0            ;\n movl $1,(x)   ;\n"
                      " setl %eax     ;\nexists (0:rax=1)\n")
    assert f"{p}:5:2: error: assembler: operand size mismatch for `setl'" in out


@can_run
def test_catalogue_sample_agrees_with_x86_tso():
    """A few of the x86 catalogues' tests, briefly (benchmarks/hw.py runs them
    all, long): nothing observed that x86-TSO forbids, every histogram
    complete, and a test needing more CPUs than the machine has says so."""
    names = [("x86", "SB+rfi-pos"), ("x86", "R"), ("x86_64", "WRC"), ("x86_64", "SB+mfence+po")]
    paths = [CAT / d / "tests" / f"{n}.litmus" for d, n in names]
    if not all(p.exists() for p in paths):
        pytest.skip("../shared catalogue absent")
    for p in paths:
        r = run_hw(str(p), HwOptions(iterations=2000, timeout=60))
        assert r.forbidden_seen == [], (p.name, r.histogram)
        assert sum(c for _, c in r.histogram) == r.iterations == 2000
        if r.threads > (os.cpu_count() or 1):
            assert not r.pinned and any("time-shared" in n for n in r.notes)


@can_run
def test_untyped_registers_as_herd_reads_them(tmp_path):
    # herd7's registers are untyped: an `int` holding an address is dereferenced,
    # an undeclared register reads as 0
    p = write(tmp_path, "u.litmus", "C u\n{ int *p = x; }\nP0(int **p, int *x)\n{\n\tint r1;\n"
              "\tr1 = READ_ONCE(*p);\n\tWRITE_ONCE(*r1, 2);\n\tWRITE_ONCE(*x, r9 + 1);\n}\n"
              "exists (0:r1=x /\\ x=1)\n")
    r = run_hw(p, HwOptions(iterations=100, timeout=60))
    assert r.histogram == [("0:r1=x; [x]=1;", 100)], r.histogram
    assert r.forbidden_seen == []
