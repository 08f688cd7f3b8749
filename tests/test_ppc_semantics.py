"""The POWER (PPC) front-end: decoding, events, dependencies, registers."""
from __future__ import annotations

import pytest

from asm_util import PPC as KIT, evs
from asm_util import traces as run
from weakmem.semantics.ppc import canon_reg, mask64

frontend, prog, one = KIT.frontend, KIT.prog, KIT.one


def test_registers_and_masks():
    assert canon_reg("r3") == "r3" and canon_reg("R31") == "r31" and canon_reg("r32") is None
    assert mask64(62, 63) == 3 and mask64(32, 47) == 0xFFFF0000 and mask64(0, 63) == (1 << 64) - 1


def test_message_passing_with_lwsync_and_addr():
    fe = frontend("""PPC MP+lwsync+addr
{ 0:r2=x; 0:r4=y; 1:r2=y; 1:r5=x; }
 P0           | P1            ;
 li r1,1      | lwz r1,0(r2)  ;
 stw r1,0(r2) | xor r3,r1,r1  ;
 lwsync       | lwzx r4,r3,r5 ;
 stw r1,0(r4) |               ;
exists (1:r1=1 /\\ 1:r4=0)
""")
    assert evs(run(fe, 0)[0]) == [("W", "x", 1), ("FLWSYNC", None, None), ("W", "y", 1)]
    t1 = run(fe, 1, {"y": [1], "x": [0]})[0]
    assert t1.events[1].addr == {0}


@pytest.mark.parametrize("text, kind", [("sync", "SYNC"), ("hwsync", "SYNC"), ("lwsync", "LWSYNC"),
                                        ("eieio", "EIEIO"), ("isync", "ISYNC"), ("sync 1", "LWSYNC")])
def test_fences(text, kind):
    assert one(prog(text)).events[0].kinds == {"F", kind}


def test_control_dependency_through_cr0_and_isync():
    tr = one(prog("""
        lwz r1,0(r2)
        cmpwi r1,0
        bne L0
        L0:
        isync
        lwz r3,0(r4)
    """, "0:r2=x; 0:r4=y;"), dom={"x": [0], "y": [0]})
    assert tr.events[1].ctrl == {0} and tr.events[2].ctrl == {0}


def test_data_dependency_and_widths():
    tr = one(prog("""
        lwz r1,0(r2)
        addi r3,r1,1
        stw r3,0(r4)
        lwa r5,0(r6)
        lwz r7,0(r6)
        extsw r8,r7
    """, "0:r2=x; 0:r4=y; 0:r6=z; int64_t 0:r5; int64_t 0:r7; int64_t 0:r8;"),
        dom={"x": [0], "z": [-1]})
    assert tr.events[1].data == {0}
    assert (tr.regs["r5"], tr.regs["r7"], tr.regs["r8"]) == (-1, 4294967295, -1)


def test_ra_zero_rules():
    tr = one(prog("""
        addi r3,r0,5
        addis r4,r0,1
        lwzx r5,r0,r1
        lwz r6,0(r1)
    """, "0:r0=7; 0:r1=x;"), dom={"x": [2]})
    assert (tr.regs["r3"], tr.regs["r4"], tr.regs["r5"], tr.regs["r6"]) == (5, 65536, 2, 2)


def test_rotate_instructions():
    tr = one(prog("""
        li r4,-1
        rlwinm r3,r4,4,30,31
        rlwinm r6,r4,16,0,15
        rlwimi r7,r4,0,30,31
        clrldi r8,r4,32
        slwi r9,r4,4
    """, "uint64_t 0:r6; 0:r7=8; uint64_t 0:r8;"))
    assert (tr.regs["r3"], tr.regs["r6"], tr.regs["r7"], tr.regs["r8"], tr.regs["r9"]) == \
        (3, 0xFFFF0000, 11, 0xFFFFFFFF, -16)


def test_default_register_type_is_int():
    tr = one(prog("li r4,-1\nrlwimi r3,r4,4,30,31", "0:r3=0xaaaaaaaaaaaaaaaa;"))
    assert tr.regs["r3"] == -1431655765


def test_reservations():
    fe = frontend(prog("""
        lwarx r1,0,r2
        addi r1,r1,1
        stwcx. r1,0,r2
        bne L1
        li r9,1
        L1:
    """, "0:r2=x;"))
    trs = run(fe, 0, {"x": [0]})
    ok = [t for t in trs if t.regs.get("r9") == 1]
    ko = [t for t in trs if t.regs.get("r9", 0) == 0]
    assert len(ok) == 1 and len(ko) == 1
    assert evs(ok[0]) == [("RX", "x", 0), ("WX", "x", 1)] and ok[0].rmw == [(0, 1)]
    assert evs(ko[0]) == [("RX", "x", 0)] and ko[0].rmw == []
    assert ok[0].events[1].data == {0}


def test_stwcx_without_lwarx_fails():
    (tr,) = run(frontend(prog("stwcx. r1,0,r2", "0:r2=x;")), 0)
    assert tr.events == []


def test_compare_unsigned_and_branches():
    tr = one(prog("""
        li r1,-1
        cmplwi r1,2
        bgt L0
        li r2,1
        L0:
        cmpwi r1,2
        blt L1
        li r3,1
        L1:
        blr
        li r4,1
    """))
    assert tr.regs.get("r2", 0) == 0 and tr.regs.get("r3", 0) == 0 and tr.regs.get("r4", 0) == 0


def test_backward_jumps_are_bounded():
    fe = frontend(prog("""
        L0:
        lwz r1,0(r2)
        cmpwi r1,0
        beq L0
    """, "0:r2=x;"))
    trs = run(fe, 0, {"x": [0, 1]})
    assert sorted(len(t.events) for t in trs) == [1, 2, 3]
