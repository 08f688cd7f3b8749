"""RISC-V: the herd7 regression tests (RISCV) against herd7's
reference results, under herd7's own riscv.cat (interpreted by weakmem)
and under weakmem's built-in riscv model; classic litmus shapes with
their known verdicts; and the built-in model against riscv.cat on
generated shapes.  Corpus parts skip when ../shared is absent."""
from __future__ import annotations

import pytest

import asm_util
from asm_util import check_text, same_result
from corpus_util import need_shared
from asm_shapes import all_tests, generate

HERD_CAT = "riscv.cat"
# regression corpora: tests/test_asm_regression.py
_CORPORA = ["RISCV"]


def herd_opts() -> dict:
    return asm_util.herd_opts(HERD_CAT)


KNOWN = [
    # RVWMO's litmus tests (ISA manual, chapter 14 and appendix A)
    ("MP", [["po"], ["po"]], "Sometimes"),
    ("MP", [["fence.rw.rw"], ["fence.rw.rw"]], "Never"),
    ("MP", [["fence.w.w"], ["fence.r.r"]], "Never"),
    ("MP", [["rl"], ["aq"]], "Never"),
    ("MP", [["fence.w.w"], ["addr"]], "Never"),
    ("MP", [["fence.w.w"], ["ctrl"]], "Sometimes"),
    ("MP", [["fence.tso"], ["fence.tso"]], "Never"),
    ("SB", [["fence.rw.rw"], ["fence.rw.rw"]], "Never"),
    ("SB", [["fence.tso"], ["fence.tso"]], "Sometimes"),
    ("SB", [["fence.w.r"], ["fence.w.r"]], "Never"),
    ("LB", [["po"], ["po"]], "Sometimes"),
    ("LB", [["ctrl"], ["ctrl"]], "Never"),
    ("LB", [["data"], ["data"]], "Never"),
    ("IRIW", [[], ["fence.r.r"], [], ["fence.r.r"]], "Never"),
    ("IRIW", [[], ["addr"], [], ["addr"]], "Never"),
    ("WRC", [[], ["data"], ["addr"]], "Never"),
    ("2+2W", [["fence.w.w"], ["fence.w.w"]], "Never"),
    ("2+2W", [["rl"], ["rl"]], "Never"),
    ("SB", [["amo"], ["amo"]], "Sometimes"),
    ("CoRR", [[], ["po"]], "Never"),
]


@pytest.mark.parametrize("shape, decos, verdict", KNOWN, ids=lambda x: str(x))
def test_known_verdicts(shape, decos, verdict):
    res = check_text(generate("RISCV", shape, decos), timeout=60)
    assert res.verdict.observation == verdict


@pytest.mark.parametrize("name, text", all_tests("RISCV", max_per_shape=4), ids=lambda x: x if "\n" not in x else "")
def test_builtin_agrees_with_herd_model(name, text):
    need_shared()
    ours = check_text(text, timeout=60)
    theirs = check_text(text, **herd_opts())
    assert same_result(ours, theirs)


LOCK = """RISCV lock
{ 0:a2=l; 0:a4=x; 1:a2=l; 1:a4=x; }
 P0                      | P1                      ;
 li a3,1                 | li a3,1                 ;
 L0:                     | L0:                     ;
 lr.w%-3s a1,(a2)         | lr.w%-3s a1,(a2)         ;
 bnez a1,L0              | bnez a1,L0              ;
 sc.w a7,a3,(a2)         | sc.w a7,a3,(a2)         ;
 bnez a7,L0              | bnez a7,L0              ;
 lw a5,0(a4)             | lw a5,0(a4)             ;
 addi a5,a5,1            | addi a5,a5,1            ;
 sw a5,0(a4)             | sw a5,0(a4)             ;
 amoswap.w.rl x0,x0,(a2) | amoswap.w.rl x0,x0,(a2) ;
exists (x=1)
"""


@pytest.mark.parametrize("ann, verdict", [(".aq", "Never"), ("", "Sometimes")])
def test_spinlock(ann, verdict):
    """The spinlock of the ISA manual (lr.w.aq / sc.w / amoswap.w.rl):
    mutual exclusion needs the acquire annotation."""
    res = check_text(LOCK % (ann, ann), timeout=120)
    assert res.verdict.observation == verdict
