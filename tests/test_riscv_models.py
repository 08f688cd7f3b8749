"""RISC-V models: RVWMO's litmus tests (ISA manual) with their verdicts under
the built-in riscv model, which must also agree with herd7's riscv.cat on
generated shapes when ../shared is there, and the manual's acquire spinlock.
tests/test_asm_regression.py runs the RISCV regression corpus."""
from __future__ import annotations

import pytest

from asm_util import check_text, shape_tests

HERD_CAT = "riscv.cat"


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


test_known_verdicts, test_builtin_agrees_with_herd_model = shape_tests("RISCV", KNOWN, HERD_CAT)


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
