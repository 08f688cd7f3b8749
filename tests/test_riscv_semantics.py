"""The RISC-V front-end: decoding, events, dependencies, registers."""
from __future__ import annotations

import pytest

from asm_util import RISCV as KIT, evs, litmus_error
from asm_util import traces as run
from weakmem.litmus import ast as A
from weakmem.semantics.riscv import canon_reg

frontend, prog, one = KIT.frontend, KIT.prog, KIT.one


@pytest.mark.parametrize("name, canon", [("a0", "x10"), ("zero", "x0"), ("ra", "x1"), ("s0", "x8"),
                                         ("fp", "x8"), ("s10", "x26"), ("t6", "x31"), ("x17", "x17"),
                                         ("r1", None)])
def test_register_names(name, canon):
    assert canon_reg(name) == canon


def test_condition_uses_x_names():
    fe = frontend(prog("li a0,1", cond="forall 0:a0=1 /\\ 0:t0=0"))
    p = fe.test.condition.prop
    assert isinstance(p, A.PAnd) and p.a.lhs.reg == "x10" and p.b.lhs.reg == "x5"


@pytest.mark.parametrize("text, kinds", [
    ("fence rw,rw", {"Fence.rw.rw"}), ("fence", {"Fence.rw.rw"}), ("fence r,r", {"Fence.r.r"}),
    ("fence iorw,ow", {"Fence.rw.w"}), ("fence w,rw", {"Fence.w.rw"}), ("fence.tso", {"Fence.tso"}),
    ("fence.i", {"Fence.i"}),
])
def test_fences(text, kinds):
    assert one(prog(text)).events[0].kinds == {"F"} | kinds


def test_annotations_and_dependencies():
    tr = one(prog("""
        lw.aq x5,0(x6)
        xor x7,x5,x5
        add x7,x8,x7
        sw.rl x5,0(x7)
        bne x5,x0,L0
        L0:
        sw x0,0(x9)
    """, "0:x6=x; 0:x8=y; 0:x9=z;"), dom={"x": [0]})
    r, w1, w2 = tr.events
    assert r.kinds == {"R", "M", "Acq"} and w1.kinds == {"W", "M", "Rel"}
    assert w1.addr == {0} and w1.data == {0} and w2.ctrl == {0} and not w2.data


def test_amo_events():
    tr = one(prog("amoadd.w.aq.rl a0,a1,(a2)", "0:a1=2; 0:a2=x;"), dom={"x": [5]})
    r, w = tr.events
    assert r.kinds == {"R", "M", "X", "AMO", "AcqRel"} and w.kinds == {"W", "M", "X", "AMO", "AcqRel"}
    assert w.value == 7 and tr.regs["x10"] == 5
    assert tr.rmw == [(0, 1)] and tr.extra_rels["amo"] == [(0, 1)]


@pytest.mark.parametrize("mnem, kr, kw", [("amoswap.w.aq", {"Acq"}, set()), ("amoswap.w.rl", set(), {"Rel"}),
                                           ("amoswap.d", set(), set())])
def test_amo_annotations_split(mnem, kr, kw):
    tr = one(prog(f"{mnem} a0,a1,(a2)", "0:a1=2; 0:a2=x;"), dom={"x": [0]})
    assert tr.events[0].kinds - {"R", "M", "X", "AMO"} == kr
    assert tr.events[1].kinds - {"W", "M", "X", "AMO"} == kw


def test_lr_sc():
    fe = frontend(prog("""
        lr.w.aq t0,(a0)
        addi t0,t0,1
        sc.w.rl t1,t0,(a0)
    """, "0:a0=x;"))
    trs = run(fe, 0, {"x": [0]})
    ok = [t for t in trs if t.regs["x6"] == 0]
    ko = [t for t in trs if t.regs["x6"] == 1]
    assert len(ok) == 1 and len(ko) == 1
    assert evs(ok[0]) == [("AcqRX", "x", 0), ("RelWX", "x", 1)] and ok[0].rmw == [(0, 1)]
    assert ok[0].extra_rels["amo"] == []


def test_widths_and_sign_extension():
    tr = one(prog("""
        lw a0,0(a2)
        lwu a1,0(a2)
        li a3,-1
        sw a3,0(a4)
        lui a5,1
        slli a6,a3,32
        sext.w a7,a6
    """, "int64_t 0:a0; int64_t 0:a1; 0:a2=x; 0:a4=y; int64_t 0:a6;"), dom={"x": [-1]})
    assert (tr.regs["x10"], tr.regs["x11"], tr.regs["x15"], tr.regs["x16"], tr.regs["x17"]) == \
        (-1, 4294967295, 4096, -4294967296, 0)
    assert tr.events[1].value == -1


def test_x0_is_zero():
    tr = one(prog("addi x0,x0,5\naddi x5,x0,1"))
    assert tr.regs["x5"] == 1 and "x0" not in tr.regs


def test_branch_forms():
    tr = one(prog("""
        li t0,-1
        bltu t0,x0,L0
        li t1,1
        L0:
        blt t0,x0,L1
        li t2,1
        L1:
        beqz x0,L2
        li t3,1
        L2:
    """))
    assert tr.regs["x6"] == 1 and tr.regs.get("x7", 0) == 0 and tr.regs.get("x28", 0) == 0


def test_auipc_is_rejected_like_herd():
    e = litmus_error(lambda: frontend(prog("auipc a0, 2")))
    assert "RISCV, instruction 'auipc x10,2' not handled" in str(e)
