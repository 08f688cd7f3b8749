"""ARM and AArch32: the herd7 regression tests (ARM, AArch32) against herd7's
reference results, under herd7's own arm.cat (interpreted by weakmem)
and under weakmem's built-in armv7 model; classic litmus shapes with
their known verdicts; and the built-in model against arm.cat on
generated shapes.  Corpus parts skip when ../shared is absent."""
from __future__ import annotations

import pytest

import asm_util
from asm_util import check_text, same_result
from corpus_util import need_shared
from asm_shapes import all_tests, generate

HERD_CAT = "arm.cat"
# regression corpora: tests/test_asm_regression.py
_CORPORA = ["ARM", "AArch32"]


def herd_opts() -> dict:
    return asm_util.herd_opts(HERD_CAT)


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


@pytest.mark.parametrize("shape, decos, verdict", KNOWN, ids=lambda x: str(x))
def test_known_verdicts(shape, decos, verdict):
    res = check_text(generate("ARM", shape, decos), timeout=60)
    assert res.verdict.observation == verdict


@pytest.mark.parametrize("name, text", all_tests("ARM", max_per_shape=4), ids=lambda x: x if "\n" not in x else "")
def test_builtin_agrees_with_herd_model(name, text):
    need_shared()
    ours = check_text(text, timeout=60)
    theirs = check_text(text, **herd_opts())
    assert same_result(ours, theirs)


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
