"""ARM and AArch32 models: weakmem's built-in armv7 model on classic litmus
shapes with their known verdicts, against herd7's own arm.cat on generated
shapes (skipped when ../shared is absent), and on a spinlock.  The herd7
regression corpora (ARM, AArch32) are run by tests/test_asm_regression.py."""
from __future__ import annotations

import pytest

from asm_util import check_text, shape_tests

HERD_CAT = "arm.cat"


KNOWN = [
    # [HC14] and the ARM litmus test catalogues
    ("MP", [["po"], ["po"]], "Sometimes"),
    ("MP", [["dmb"], ["addr"]], "Never"),
    ("MP", [["dmb"], ["ctrl"]], "Sometimes"),
    ("MP", [["dmb"], ["ctrlisb"]], "Never"),
    ("MP", [["dmb.st"], ["addr"]], "Never"),
    ("MP", [["dmb"], ["isb"]], "Sometimes"),
    ("SB", [["dmb"], ["dmb"]], "Never"),
    ("SB", [["dmb.st"], ["dmb.st"]], "Sometimes"),
    ("LB", [["po"], ["po"]], "Sometimes"),
    ("LB", [["data"], ["data"]], "Never"),
    ("LB", [["ctrl"], ["ctrl"]], "Never"),
    ("WRC", [[], ["dmb"], ["addr"]], "Never"),
    ("WRC", [[], ["addr"], ["addr"]], "Sometimes"),
    ("IRIW", [[], ["dmb"], [], ["dmb"]], "Never"),
    ("IRIW", [[], ["addr"], [], ["addr"]], "Sometimes"),
    ("R", [["dmb"], ["dmb"]], "Never"),
    ("2+2W", [["dmb.st"], ["dmb.st"]], "Never"),
    ("S", [["dmb"], ["data"]], "Never"),
    ("ISA2", [["dmb"], ["addr"], ["addr"]], "Never"),
    ("CoRR", [[], ["po"]], "Never"),
]


test_known_verdicts, test_builtin_agrees_with_herd_model = shape_tests("ARM", KNOWN, HERD_CAT)


LOCK = """ARM lock
{ 0:R2=l; 0:R4=x; 1:R2=l; 1:R4=x; }
 P0                | P1                ;
 MOV R3,#1         | MOV R3,#1         ;
 L0:               | L0:               ;
 LDREX R1,[R2]     | LDREX R1,[R2]     ;
 CMP R1,#0         | CMP R1,#0         ;
 BNE L0            | BNE L0            ;
 STREX R7,R3,[R2]  | STREX R7,R3,[R2]  ;
 CMP R7,#0         | CMP R7,#0         ;
 BNE L0            | BNE L0            ;
 %-17s | %-17s ;
 LDR R5,[R4]       | LDR R5,[R4]       ;
 ADD R5,R5,#1      | ADD R5,R5,#1      ;
 STR R5,[R4]       | STR R5,[R4]       ;
 DMB               | DMB               ;
 MOV R6,#0         | MOV R6,#0         ;
 STR R6,[R2]       | STR R6,[R2]       ;
exists (x=1)
"""


@pytest.mark.parametrize("acquire, verdict", [("DMB", "Never"), ("ISB", "Never"), ("NOP", "Sometimes")])
def test_spinlock(acquire, verdict):
    """Two increments under an LDREX/STREX spinlock: the critical section
    needs a DMB (or ctrl+ISB) after acquiring."""
    res = check_text(LOCK % (acquire, acquire), timeout=120)
    assert res.verdict.observation == verdict
