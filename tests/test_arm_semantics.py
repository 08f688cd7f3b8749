"""The ARM / AArch32 front-end: decoding, events, dependencies, registers."""
from __future__ import annotations

import pytest

from asm_util import ARM as KIT, evs
from asm_util import traces as run
from weakmem.litmus.ast import LabelVal, SymVal
from weakmem.semantics.arm import canon_reg
from weakmem.semantics.asm_common import pair_exclusives

frontend, prog, one = KIT.frontend, KIT.prog, KIT.one


@pytest.mark.parametrize("name, canon", [("R0", "R0"), ("r7", "R7"), ("IP", "R12"), ("FP", "R11"),
                                         ("SP", "SP"), ("R14", "LR"), ("lr", "LR"), ("R13", "SP"), ("X1", None)])
def test_register_names(name, canon):
    assert canon_reg(name) == canon


def test_message_passing_events_and_dependencies():
    fe = frontend("""ARM MP+dmb+addr
{ 0:R0=x; 0:R1=y; 1:R0=y; 1:R1=x; }
 P0           | P1              ;
 MOV R2,#1    | LDR R2,[R0]     ;
 STR R2,[R0]  | EOR R4,R2,R2    ;
 DMB          | LDR R3,[R1,R4]  ;
 STR R2,[R1]  |                 ;
exists (1:R2=1 /\\ 1:R3=0)
""")
    (t0,) = run(fe, 0)
    assert evs(t0) == [("W", "x", 1), ("DMBF", None, None), ("W", "y", 1)]
    t1 = run(fe, 1, {"y": [1], "x": [0]})[0]
    assert evs(t1) == [("R", "y", 1), ("R", "x", 0)]
    assert t1.events[1].addr == {0} and not t1.events[1].data
    assert t1.regs["R3"] == 0 and t1.regs["R4"] == 0


@pytest.mark.parametrize("text, kind", [("DMB", "DMB"), ("DMB SY", "DMB"), ("DMB ISH", "DMB.ISH"),
                                        ("DMB ST", "DMB.ST"), ("dmb ishst", "DMB.ISHST"), ("DSB", "DSB"),
                                        ("DSB ISH", "DSB.ISH"), ("ISB", "ISB")])
def test_barriers(text, kind):
    tr = one(prog(text))
    assert tr.events[0].kinds == {"F", kind}


def test_data_and_control_dependencies():
    tr = one(prog("""
        LDR R1,[R0]
        ADD R2,R1,#1
        CMP R1,#0
        BNE L0
        L0:
        STR R2,[R3]
        ISB
    """, "0:R0=x; 0:R3=y;"), dom={"x": [0]})
    r, w, isb = tr.events
    assert w.data == {0} and w.ctrl == {0} and isb.ctrl == {0} and not w.addr


def test_conditional_execution_and_flags():
    tr = one(prog("""
        MOV R1,#3
        CMP R1,#3
        MOVEQ R2,#7
        MOVNE R3,#9
        SUBS R4,R1,#3
        ADDEQ R5,R1,R1
        CMP R1,#5
        MOVLT R6,#1
        MOVGT R7,#1
    """))
    assert (tr.regs["R2"], tr.regs.get("R3", 0), tr.regs["R5"], tr.regs["R6"], tr.regs.get("R7", 0)) == (7, 0, 6, 1, 0)
    assert "NZCV" not in tr.regs


def test_movw_movt_and_32_bit_arithmetic():
    tr = one(prog("""
        MOVW R0,#0xBEEF
        MOVT R0,#0xDEAD
        MOV R1,#0
        SUB R1,R1,#1
        MVN R2,#0
        LSL R3,R2,#4
    """))
    assert tr.regs["R0"] == -559038737          # 0xDEADBEEF as an int
    assert tr.regs["R1"] == -1 and tr.regs["R2"] == -1 and tr.regs["R3"] == -16


def test_condition_constants_are_read_as_int():
    fe = frontend(prog("MOVT R0,#48879", cond="forall 0:R0=0xBEEF0000"))
    assert fe.test.condition.prop.rhs.value == -1091633152


def test_ldm_ldrd_offsets_and_arrays():
    tr = one(prog("""
        LDM R0,{R1-R3}
        LDRD R4,[R0,#4]
        LDR R6,[R0,#8]
        STR R6,[R0,R7,LSL #2]
    """, "int x[3] = {1,2,3}; 0:R0=x; 0:R7=1;"), dom={"x": [0]})
    assert [(e.loc.offset, "R" in e.kinds) for e in tr.events] == [
        (0, True), (1, True), (2, True), (1, True), (2, True), (2, True), (1, False)]


def test_exclusives_success_failure_and_rmw():
    fe = frontend(prog("""
        MOV R0,#1
        L0:
        LDREX R2,[R1]
        STREX R3,R0,[R1]
        CMP R3,#0
        BNE L0
    """, "0:R1=x;"))
    trs = run(fe, 0, {"x": [0]})
    # success first time, or after one or two failures; a third failure exceeds unroll=2
    assert sorted(len(t.events) for t in trs) == [2, 3, 4]
    for t in trs:
        assert t.rmw == [(len(t.events) - 2, len(t.events) - 1)]
        assert t.events[-1].kinds == {"W", "M", "X"} and t.events[-1].value == 1
        assert t.regs["R3"] == 0


def test_strex_without_ldrex_fails():
    tr = one(prog("STREX R3,R0,[R1]", "0:R1=x;"))
    assert tr.events == [] and tr.regs["R3"] == 1


def test_acquire_release_sets():
    trs = run(frontend(prog("""
        LDA R2,[R1]
        STL R2,[R1]
        LDAEX R3,[R1]
        STLEX R4,R3,[R1]
    """, "0:R1=x;")), 0, {"x": [0]})
    tr = max(trs, key=lambda t: len(t.events))      # the STLEX that succeeds
    assert [e.kinds - {"M"} for e in tr.events][:3] == [{"R", "A"}, {"W", "L"}, {"R", "A", "X"}]
    assert tr.events[3].kinds == {"W", "M", "L", "X"}


def test_pair_exclusives_rule():
    from weakmem.semantics.trace import PEvent
    x = SymVal("x")
    ev = lambda k: PEvent(frozenset(k), x, 0)  # noqa: E731
    # R* R* W*: only the second read pairs with the write
    assert pair_exclusives([ev({"R", "X"}), ev({"R", "X"}), ev({"W", "X"})]) == [(1, 2)]
    assert pair_exclusives([ev({"R", "X"}), ev({"W"}), ev({"W", "X"})]) == [(0, 2)]


def test_branch_to_label_value_and_return():
    tr = one(prog("""
        BX R0
        MOV R1,#1
        foo:
        MOV R2,#2
        BX LR
        MOV R3,#3
    """, "0:R0=P0:foo;"))
    assert tr.regs.get("R1", 0) == 0 and tr.regs["R2"] == 2 and tr.regs.get("R3", 0) == 0
    assert tr.regs["R0"] == LabelVal(0, "foo")


def test_all_branches_runs_both_ways():
    text = prog("""
        LDR R1,[R0]
        CMP R1,#1
        BNE L0
        STR R1,[R2]
        L0:
    """, "0:R0=x; 0:R2=y;")
    fe = frontend(text)
    assert len(run(fe, 0, {"x": [0]})) == 1
    assert len(run(fe, 0, {"x": [0]}, all_branches=True)) == 2
