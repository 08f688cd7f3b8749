"""POWER models: the built-in power model's verdicts on the shapes of "Understanding
POWER multiprocessors" and [HC14], its agreement with herd7's ppc.cat on
generated shapes, the isync spinlock and the pmk-manual demos (the parts that
need ../shared skip without it).  The PPC regression corpus is in
tests/test_asm_regression.py."""
from __future__ import annotations

import pytest

from asm_util import check_text, shape_tests
from corpus_util import need_shared, run_file

HERD_CAT = "ppc.cat"


KNOWN = [
    # [HC14] and "Understanding POWER multiprocessors" (PLDI 2011)
    ("MP", [["po"], ["po"]], "Sometimes"),
    ("MP", [["lwsync"], ["addr"]], "Never"),
    ("MP", [["lwsync"], ["ctrl"]], "Sometimes"),
    ("MP", [["lwsync"], ["ctrlisync"]], "Never"),
    ("MP", [["eieio"], ["addr"]], "Never"),
    ("MP", [["sync"], ["isync"]], "Sometimes"),
    ("SB", [["sync"], ["sync"]], "Never"),
    ("SB", [["lwsync"], ["lwsync"]], "Sometimes"),
    ("LB", [["po"], ["po"]], "Sometimes"),
    ("LB", [["addr"], ["addr"]], "Never"),
    ("LB", [["ctrl"], ["ctrl"]], "Never"),
    ("WRC", [[], ["lwsync"], ["addr"]], "Never"),
    ("WRC", [[], ["addr"], ["addr"]], "Sometimes"),
    ("IRIW", [[], ["sync"], [], ["sync"]], "Never"),
    ("IRIW", [[], ["lwsync"], [], ["lwsync"]], "Sometimes"),
    ("R", [["lwsync"], ["sync"]], "Sometimes"),
    ("R", [["sync"], ["sync"]], "Never"),
    ("2+2W", [["lwsync"], ["lwsync"]], "Never"),
    ("S", [["lwsync"], ["data"]], "Never"),
    ("ISA2", [["lwsync"], ["addr"], ["addr"]], "Never"),
    ("RWC", [[], ["sync"], ["sync"]], "Never"),
    ("RWC", [[], ["lwsync"], ["sync"]], "Sometimes"),
    ("W+RWC", [["lwsync"], ["addr"], ["sync"]], "Sometimes"),
    ("CoRR", [[], ["po"]], "Never"),
]


test_known_verdicts, test_builtin_agrees_with_herd_model = shape_tests("PPC", KNOWN, HERD_CAT)


LOCK = """PPC lock%s
{ 0:r2=l; 0:r4=x; 1:r2=l; 1:r4=x; }
 P0              | P1              ;
 li r3,1         | li r3,1         ;
 L0:             | L0:             ;
 lwarx r1,r0,r2  | lwarx r1,r0,r2  ;
 cmpwi r1,0      | cmpwi r1,0      ;
 bne L0          | bne L0          ;
 stwcx. r3,r0,r2 | stwcx. r3,r0,r2 ;
 bne L0          | bne L0          ;
 %-15s | %-15s ;
 lwz r5,0(r4)    | lwz r5,0(r4)    ;
 addi r5,r5,1    | addi r5,r5,1    ;
 stw r5,0(r4)    | stw r5,0(r4)    ;
 lwsync          | lwsync          ;
 li r6,0         | li r6,0         ;
 stw r6,0(r2)    | stw r6,0(r2)    ;
exists (x=1)
"""


@pytest.mark.parametrize("acquire, verdict", [("isync", "Never"), ("nop", "Sometimes")])
def test_spinlock_needs_isync(acquire, verdict):
    """Two increments under an lwarx/stwcx. spinlock: mutual exclusion needs
    the isync after the acquiring branch (ctrl+isync)."""
    res = check_text(LOCK % (acquire, acquire, acquire), timeout=120)
    assert res.verdict.observation == verdict


@pytest.mark.parametrize("name, verdict", [
    ("PPC-DCL.litmus", "Sometimes"),            # readers lack ctrl+isync
    ("PPC-LB+addrs-po.litmus", "Never"),
    ("PPC-MP+lwsync+addr.litmus", "Never"),
    ("PPC-MP+lwsync+ctrl.litmus", "Sometimes"),
])
def test_pmk_manual_power_demos(name, verdict):
    """pmk-manual's PPC demos (herd7's reference ran them under LKMM, which
    fails); under Power they give the textbook verdicts."""
    shared = need_shared()
    res = run_file(shared / "corpus" / "pmk-manual" / "demo" / name, timeout=60)
    assert res.verdict.observation == verdict


def test_pmk_manual_non_symbolic_access_rejected():
    """herd7 rejects PPC-MP+lwsync+addr-po: a store through a register
    holding 0 or 1 ("Non-symbolic memory access found on '[0]'")."""
    from weakmem.errors import LitmusError
    shared = need_shared()
    with pytest.raises(LitmusError) as e:
        run_file(shared / "corpus" / "pmk-manual" / "demo" / "PPC-MP+lwsync+addr-po.litmus", timeout=60)
    assert "Non-symbolic memory access found on '[0]'" in str(e.value) and e.value.pos.line == 12
