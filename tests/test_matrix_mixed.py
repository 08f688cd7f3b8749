"""A QEMU device model against a Linux guest: threads in different APIs
(examples/gallery/mixed, docs/gallery.md)."""
from __future__ import annotations

from pathlib import Path

import pytest

from weakmem.errors import LitmusError
from weakmem.matrix.core import build_matrix

MIXED = Path(__file__).resolve().parents[1] / "examples" / "gallery" / "mixed"
HW = ("x86-64", "AArch64 LL/SC", "AArch64 LSE", "Armv7", "POWER", "RISC-V")


def verdicts(m):
    return {r.target: r.verdict for r in m.rows}


def test_dma_without_barriers_is_allowed_everywhere_but_x86():
    m = build_matrix(str(MIXED / "QEMU-Linux-dma-mp-2012-before.litmus"))
    v = verdicts(m)
    assert v["x86-64"] == "Never"
    assert all(v[t] == "Sometimes" for t in HW if t != "x86-64"), v
    assert m.dialect == "qemu+linux"


def test_dma_with_smp_wmb_and_virt_rmb_is_never_on_every_cpu():
    m = build_matrix(str(MIXED / "QEMU-Linux-dma-mp-2012-after.litmus"))
    v = verdicts(m)
    assert all(v[t] == "Never" for t in HW), v
    rows = {r.target: r for r in m.rows}
    # each thread compiled with its own API's mapping: QEMU's smp_wmb is a C11 release
    # fence (DMB ISH on arm64), Linux's virt_rmb is smp_rmb (DMB ISHLD on arm64)
    assert "smp_wmb: DMB ISH;" in rows["AArch64 LL/SC"].instructions
    assert "virt_rmb: DMB ISHLD" in rows["AArch64 LL/SC"].instructions
    assert "virt_rmb: fence r,r" in rows["RISC-V"].instructions


def test_language_rows_say_briefly_they_do_not_apply():
    m = build_matrix(str(MIXED / "QEMU-Linux-dma-mp-2012-after.litmus"))
    lang = [r for r in m.rows if r.kind == "lang"]
    assert len(lang) == 1 and lang[0].verdict == "N/A"
    assert lang[0].reason == "threads in QEMU and Linux APIs"


def test_detected_per_thread_without_annotations(tmp_path):
    text = (MIXED / "QEMU-Linux-dma-mp-2012-after.litmus").read_text()
    p = tmp_path / "t.litmus"
    p.write_text(text.replace("(* api: qemu *)", "").replace("(* api: linux *)", ""))
    m = build_matrix(str(p), languages=False)
    assert verdicts(m) == {t: "Never" for t in HW}


def test_annotation_decides_an_ambiguous_thread(tmp_path):
    # P1 only calls names both APIs define (smp_rmb): the annotation says whose
    src = """C ann
{}
(* api: qemu *)
P0(int *buf, int *status) { qatomic_set(buf, 1); smp_wmb(); qatomic_set(status, 1); }
(* api: linux *)
P1(int *buf, int *status) { int r0 = READ_ONCE(*status); smp_rmb(); int r1 = READ_ONCE(*buf); }
exists (1:r0=1 /\\ 1:r1=0)
"""
    p = tmp_path / "t.litmus"
    p.write_text(src)
    rows = {r.target: r for r in build_matrix(str(p), languages=False).rows}
    assert rows["RISC-V"].instructions.endswith("smp_rmb: fence r,r")       # Linux's smp_rmb
    p.write_text(src.replace("(* api: linux *)", "(* api: qemu *)").replace("READ_ONCE(*status)",
                 "qatomic_read(status)").replace("READ_ONCE(*buf)", "qatomic_read(buf)"))
    rows = {r.target: r for r in build_matrix(str(p), languages=False).rows}
    assert rows["RISC-V"].instructions.endswith("smp_rmb: fence r,rw")      # QEMU's (an acquire fence)


def test_unknown_api_annotation_is_an_error(tmp_path):
    p = tmp_path / "t.litmus"
    p.write_text("C t\n{}\n(* api: bsd *)\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1)\n")
    with pytest.raises(LitmusError, match="unknown API 'bsd'"):
        build_matrix(str(p))


@pytest.mark.parametrize("name", ["virt_mb", "virt_rmb", "virt_wmb", "dma_rmb", "dma_wmb", "rmb", "wmb", "mb"])
def test_linux_guest_barriers_are_in_the_linux_table(name, tmp_path):
    p = tmp_path / "t.litmus"
    p.write_text(f"C t\n{{}}\nP0(int *x, int *y) {{ WRITE_ONCE(*x, 1); {name}(); WRITE_ONCE(*y, 1); }}\n"
                 f"P1(int *x, int *y) {{ int r0 = READ_ONCE(*y); {name}(); int r1 = READ_ONCE(*x); }}\n"
                 "exists (1:r0=1 /\\ 1:r1=0)\n")
    m = build_matrix(str(p))
    v = verdicts(m)
    assert all(v[t] in ("Never", "Sometimes") for t in HW), v
    assert v["lkmm"] in ("Never", "Sometimes")
    want = "Sometimes" if name in ("dma_wmb", "virt_wmb", "wmb", "dma_rmb", "virt_rmb", "rmb") else "Never"
    assert v["lkmm"] == want
