"""armv7-llh: Armv7 with load-load hazards (docs/models/armv7.md)."""
from __future__ import annotations

import pytest

from asm_util import check_text

CORR = """ARM CoRR
{ 0:R5=x; 1:R5=x; }
 P0          | P1          ;
 MOV R0,#1   | LDR R1,[R5] ;
 STR R0,[R5] | LDR R2,[R5] ;
exists (1:R1=1 /\\ 1:R2=0)
"""
# the other coherence shapes stay forbidden: only read-read pairs are relaxed
COWR = """ARM CoWR
{ 0:R5=x; 1:R5=x; }
 P0          | P1          ;
 MOV R0,#1   | MOV R0,#2   ;
 STR R0,[R5] | STR R0,[R5] ;
 LDR R1,[R5] |             ;
exists (0:R1=2 /\\ x=1)
"""
CORW = """ARM CoRW
{ 0:R5=x; 1:R5=x; }
 P0          | P1          ;
 LDR R1,[R5] | MOV R0,#1   ;
 MOV R0,#2   | STR R0,[R5] ;
 STR R0,[R5] |             ;
exists (0:R1=1 /\\ x=1)
"""
COWW = """ARM CoWW
{ 0:R5=x; }
 P0          ;
 MOV R0,#1   ;
 STR R0,[R5] ;
 MOV R0,#2   ;
 STR R0,[R5] ;
exists (x=1)
"""
# two LDREX/STREX increments: atomicity kept
ATOM = """ARM ATOM
{ 0:R5=x; 1:R5=x; }
 P0                | P1                ;
 LDREX R1,[R5]     | LDREX R1,[R5]     ;
 ADD R1,R1,#1      | ADD R1,R1,#1      ;
 STREX R2,R1,[R5]  | STREX R2,R1,[R5]  ;
filter (0:R2=0 /\\ 1:R2=0)
exists (x=1)
"""
# the hazard through an intervening write of the same thread is still a read-read pair
MP_DMB = """ARM MP+dmbs
{ 0:R5=x; 0:R6=y; 1:R5=y; 1:R6=x; }
 P0          | P1          ;
 MOV R0,#1   | LDR R1,[R5] ;
 STR R0,[R5] | DMB         ;
 DMB         | LDR R2,[R6] ;
 STR R0,[R6] |             ;
exists (1:R1=1 /\\ 1:R2=0)
"""


def test_corr_is_the_difference():
    assert check_text(CORR, model="armv7").verdict.observation == "Never"
    assert check_text(CORR, model="armv7-llh").verdict.observation == "Sometimes"


@pytest.mark.parametrize("text", [COWR, CORW, COWW, ATOM, MP_DMB], ids=["CoWR", "CoRW", "CoWW", "atomic", "MP+dmbs"])
def test_everything_else_as_armv7(text):
    a, b = check_text(text, model="armv7"), check_text(text, model="armv7-llh")
    assert a.verdict.observation == b.verdict.observation == "Never"
    assert sorted(a.states) == sorted(b.states)


def test_listed_by_weakmem_models():
    from weakmem.models_info import builtin_model_infos
    infos = {i.name: i for i in builtin_model_infos()}
    assert "armv7-llh" in infos and "armv7-core" not in infos
    assert "load-load" in infos["armv7"].title and "load-load" in infos["armv7-llh"].title
