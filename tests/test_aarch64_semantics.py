"""AArch64 front-end: instruction decoding, values, event structures
(herd7's conventions), instruction semantics and rejections.  Runs without
../shared (weakmem's own aarch64 and sc models)."""
from __future__ import annotations

import pytest

from asm_util import litmus_error
from weakmem.litmus.ast import SymVal
from weakmem.litmus.parse import parse_litmus
from weakmem.report.herd import state_line
from weakmem.run import ModelCache, Options, check_test
from weakmem.semantics.aarch64 import AArch64Frontend, cond_holds, flags
from weakmem.semantics.aarch64_decode import decode
from weakmem.semantics.aarch64_values import CodeLoc, ValError, mask, normalize, shift, sxt

MODELS = ModelCache()


def run(text: str, model: str = "aarch64", **kw):
    o = Options(model=model, timeout=60, **kw)
    t = parse_litmus("t.litmus", text)
    return check_test(t, MODELS.get(o, t.arch), o)


def states(res) -> list[str]:
    return sorted(state_line(s) for s in res.states)


def one_thread(body: str, init: str = "", cond: str = "true", locs: str = "") -> str:
    lines = "\n".join(f" {l} ;" for l in body.strip().splitlines())
    loc = f"locations [{locs}]\n" if locs else ""
    return f"AArch64 T\n{{ {init} }}\n P0 ;\n{lines}\n{loc}forall ({cond})\n"


# --------------------------------------------------------------------------
# decoding
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text,op", [
    ("LDR W0,[X1]", "ldr"), ("ldr w0, [x1, #4]", "ldr"), ("LDR X0,[X1,X2,LSL #3]", "ldr"),
    ("LDRB W0,[X1,W2,SXTW]", "ldr"), ("LDRSW X2,[X0,#-16]!", "ldr"), ("LDR X0,[X1],#8", "ldr"),
    ("STR W0,[X2,W3,UXTW]", "str"), ("STLRH W1,[X2]", "str"), ("LDAPR W0,[X1]", "ldar"),
    ("LDAXRB W0,[X1]", "ldar"), ("STLXR W3,X0,[X4]", "stxr"), ("LDXP X2,X3,[X6]", "ldxp"),
    ("STXP W9,X0,X1,[X2]", "stxp"), ("LDP X0,X1,[X2],#16", "ldp"), ("STP X4,X5,[X0,#-16]!", "stp"),
    ("LDIAPP W4,W5,[X3]", "ldp"), ("STILP X0,X1,[X2]", "stp"),
    ("SWPAL W0,W1,[X2]", "swp"), ("SWPB W0,W1,[X2]", "swp"), ("CASAL X0,X1,[X2]", "cas"),
    ("CASPA W6,W7,W2,W3,[X5]", "casp"), ("LDADDAL W4,W2,[X3]", "ldop"), ("STCLRL W1,[X0]", "ldop"),
    ("LDSMAXH W1,W2,[X0]", "ldop"), ("DMB ISHLD", "fence"), ("DSB SY", "fence"), ("ISB", "fence"),
    ("B.GT .-8", "bcond"), ("CBNZ W0,L0", "cbz"), ("TBZ X0,#2,foo", "tbz"), ("BLR X8", "br"), ("RET", "br"),
    ("MOV X10,1", "movi"), ("MOV W1,#-1", "movi"), ("MOVK W1,#1,LSL #16", "movk"), ("MOVN X0,#3", "movn"),
    ("ADDS X0,X0,#1,LSL #12", "alu"), ("ORR W4,WZR,W1,ROR 4", "alu"), ("CMP W0,#1", "alu"),
    ("NEG W2,W1,LSL 2", "alu"), ("MVN X0,X1", "alu"), ("CSETM W3,MI", "csel"), ("UBFM W1,W0,#4,#2", "bfm"),
    ("SMADDL X3,W2,W1,X3", "mul"), ("RBIT X4,X3", "un"), ("ADR X0,L0", "adr"), ("MRS X0,NZCV", "mrs"),
    ("NOP", "nop"),
])
def test_decode(text, op):
    assert decode(text, None).op == op


def test_decode_details():
    i = decode("LDRSH W3,[X8,X2,LSL 1]", None)
    assert (i.size, i.signed, i.addr.off_reg.name, i.addr.shift) == (2, True, "X2", 1)
    i = decode("STR X1,[X0],#-4", None)
    assert (i.addr.mode, i.addr.imm) == ("post", -4)
    i = decode("CASAL W0,W1,[X2]", None)
    assert (i.acq, i.rel, i.size) == ("A", True, 4)
    i = decode("STADDL W1,[X0]", None)
    assert i.regs[1].zr and i.rel and not i.acq
    assert decode("B.HS foo", None).cond == "CS"
    assert decode("DMB OSHST", None).barrier == "DMB.OSHST"


@pytest.mark.parametrize("text,msg", [
    ("FICTIONAL X0, X1", "unsupported instruction 'FICTIONAL X0, X1'"),
    ("LDG X0,[X1]", "MTE"),
    ("UDF #0", "faults"),
    ("SVC #0", "exceptions"),
    ("MSR ELR_EL1,X0", "system registers"),
    ("LDR W0,[C1]", "expected a register"),
    ("CASA W0,W1,[X2,#4]", "only [Xn]"),
    ("MOV X0, %symbolic_reg", "symbolic registers"),
    ("LD1 {V0.4S},[X0]", "cannot parse"),
])
def test_decode_rejects(text, msg):
    from weakmem.errors import Pos
    e = litmus_error(lambda: decode(text, Pos("f.litmus", 3, 5)))
    assert msg in e.msg
    assert e.pos.line == 3


# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------

def test_values():
    assert mask(-1, 4) == 0xFFFFFFFF and mask(-1, 8) == -1
    assert sxt(0xFF, 1) == -1 and sxt(0x7F, 1) == 127
    assert shift("ASR", 0xF000000F, 4, 32) == -16777216      # ASR on a W register is signed
    assert shift("ROR", 0xFF, 4, 32) == 0xF000000F
    assert shift("LSR", -1, 60) == 15
    assert normalize(0xFFFFFFFF, None) == -1                 # default type int
    assert normalize(-1, "uint64_t") == 2**64 - 1
    assert normalize(257, "int8_t") == 1
    assert normalize(SymVal("x"), "int") == SymVal("x")
    with pytest.raises(ValError):
        mask(SymVal("x"), 4)
    assert str(CodeLoc(0, 1, ("L0",))) == 'label:"P0:L0"'


def test_flags_and_conditions():
    f = flags("SUB", 1, 1, 0, 32)
    assert cond_holds("EQ", f) and cond_holds("CS", f) and not cond_holds("MI", f)
    f = flags("SUB", 0, 1, 0xFFFFFFFF, 32)
    assert cond_holds("MI", f) and cond_holds("CC", f) and cond_holds("LT", f)
    f = flags("ADD", 0x7FFFFFFF, 1, 0x80000000, 32)
    assert cond_holds("VS", f) and cond_holds("MI", f)


# --------------------------------------------------------------------------
# event structures
# --------------------------------------------------------------------------

def _traces(text: str, tid: int = 0, domain=None, others=None):
    """Traces of one thread; `others`: values other threads write, per
    location name (reads see them, besides the initial/own values)."""
    t = parse_litmus("t.litmus", text)
    fe = AArch64Frontend(t, None, 2)
    if others:
        fe._wrote[-1] = {SymVal(n): set(vs) for n, vs in others.items()}
    return fe.traces(tid, domain or (lambda loc: [0]))


MP1 = """AArch64 MP1
{ 0:X1=x; 0:X3=y; }
 P0 ;
 LDR W0,[X1] ;
 STR W0,[X3] ;
exists (0:X0=0)
"""


def test_events_load_store():
    [tr] = _traces(MP1)
    kinds = [sorted(e.kinds) for e in tr.events]
    assert kinds == [["Rreg"], ["Exp", "M", "R"], ["Wreg"], ["Rreg"], ["DATA", "Rreg"], ["Exp", "M", "W"]]
    assert [e.poi for e in tr.events] == [1, 1, 1, 2, 2, 2]
    # R X1 -> R[x] -> W X0 ; R X3 -> W[y] ; R X0 (data port) -> W[y]
    assert sorted(tr.extra_rels["iico_data"]) == [(0, 1), (1, 2), (3, 5), (4, 5)]
    assert tr.extra_rels["rf-reg"] == [(2, 4)]
    # native dependencies: the store's data comes from the load
    assert tr.events[5].data == frozenset({1})
    assert all(not e.iico for e in tr.events)          # po orders instructions only


def test_cas_two_event_structures():
    text = """AArch64 C
{ 0:X0=x; 0:X1=0; 0:X2=1; }
 P0 ;
 CAS W1,W2,[X0] ;
exists (0:X1=0)
"""
    trs = _traces(text, domain=lambda loc: [0, 5], others={"x": [5]})
    ok = [t for t in trs if any("W" in e.kinds for e in t.events)]
    ko = [t for t in trs if not any("W" in e.kinds for e in t.events)]
    assert len(ok) == 2 and len(ko) == 1              # success: Rs from memory or from Rs
    for t in ok:
        assert t.rmw and t.extra_rels["amo"] == t.rmw
        assert any({"X", "R"} <= e.kinds for e in t.events)
    r = [e for e in ko[0].events if "R" in e.kinds][0]
    assert "X" not in r.kinds                          # a failed CAS reads without X
    assert not ko[0].rmw


def test_swp_and_noret_annotations():
    text = """AArch64 S
{ 0:X0=x; }
 P0 ;
 SWPA W1,W2,[X0] ;
 SWPA W1,WZR,[X0] ;
 LDADDL W1,W3,[X0] ;
exists (0:X2=0)
"""
    [tr] = _traces(text)
    mem = [e for e in tr.events if "M" in e.kinds]
    assert [sorted(e.kinds - {"M", "Exp"}) for e in mem] == [
        ["A", "R", "X"], ["W", "X"], ["NoRet", "R", "X"], ["W", "X"], ["R", "X"], ["L", "W", "X"]]
    assert len(tr.rmw) == 3 and len(tr.extra_rels["amo"]) == 3


def test_exclusives_pairing():
    text = """AArch64 X
{ 0:X0=x; }
 P0 ;
 LDXR W1,[X0] ;
 MOV W3,#2 ;
 STXR W4,W3,[X0] ;
exists (0:X4=0)
"""
    trs = _traces(text)
    assert len(trs) == 2                               # the store may fail
    ok = [t for t in trs if t.regs["X4"] == 0]
    assert len(ok) == 1 and len(ok[0].rmw) == 1 and not ok[0].extra_rels["amo"]


# --------------------------------------------------------------------------
# instruction semantics (single thread: one final state)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("body,init,expect", [
    ("MOV W0,#1\nSUB W0,WZR,W0\nSXTW X4,W0", "int64_t 0:X4;", "0:X0=-1; 0:X4=-1;"),
    ("ADDS W0,W1,W2\nCSET W3,CS\nCSET W4,EQ", "0:X1=0xFFFFFFFF; 0:X2=1;", "0:X0=0; 0:X3=1; 0:X4=1;"),
    ("SUBS W0,W1,W2\nCSETM W3,MI", "0:X1=1; 0:X2=2;", "0:X0=-1; 0:X3=-1;"),
    ("MOVZ W0,#1,LSL #16\nMOVK W0,#2", "", "0:X0=65538;"),
    ("UBFM W1,W0,#4,#2\nSBFM W2,W0,#0,#2", "0:X0=0xF;", "0:X0=15; 0:X1=1879048192; 0:X2=-1;"),
    ("MUL X3,X1,X2\nMADD X4,X1,X2,X3", "0:X1=6; 0:X2=7;", "0:X3=42; 0:X4=84;"),
    ("RBIT W2,W1\nREV W3,W1\nABS W4,W5", "0:X1=1; 0:X5=-3;", "0:X2=-2147483648; 0:X3=16777216; 0:X4=3;"),
    ("CMP W0,W0\nCSINV W1,W0,W2,NE\nCSNEG W3,W0,W2,EQ", "0:X0=1; 0:X2=5;", "0:X1=-6; 0:X3=1;"),
    ("ADD W1,W0,W0,LSL #1\nORR X2,XZR,X0,LSL 8", "0:X0=3;", "0:X1=9; 0:X2=768;"),
])
def test_alu(body, init, expect):
    regs = sorted({p.split("=")[0].strip() for p in expect.split(";") if p.strip()})
    res = run(one_thread(body, init, locs=";".join(regs)))
    assert states(res) == [expect]


def test_memory_and_addressing():
    text = one_thread("""LDR W0,[X2]
LDR W1,[X2,#4]
STR W0,[X2,#4]
STR W1,[X2],#4
LDP W3,W4,[X5]
STP W4,W3,[X6,#8]!
LDR W7,[X6,#-4]""", "int t[2]={1,2}; 0:X2=t; int u[2]={3,4}; 0:X5=u; int v[4]; 0:X6=v;",
                      locs="0:X0;0:X1;0:X7;t[0];t[1];v[0];v[1];v[2];v[3]")
    res = run(text)
    assert states(res) == ["0:X0=1; 0:X1=2; 0:X7=0; t[0]=2; t[1]=1; v[0]=0; v[1]=0; v[2]=4; v[3]=3;"]


def test_typed_printing():
    text = one_thread("LDRB W1,[X2]\nLDRH W3,[X4]\nSTRB W5,[X6]",
                      "int8_t x=-1; int16_t y=-2; uint8_t z; 0:X2=x; int8_t 0:X1; 0:X4=y; uint32_t 0:X3; "
                      "0:X5=-2; 0:X6=z;", "0:X1=255 /\\ [z]=254", locs="0:X1;0:X3;z")
    res = run(text)
    assert states(res) == ["0:X1=-1; 0:X3=65534; [z]=254;"]
    assert res.verdict.observation == "Always"


def test_cas_swp_ldadd_values():
    text = one_thread("""MOV W1,#0
MOV W2,#5
CAS W1,W2,[X0]
MOV W3,#1
CAS W3,W2,[X0]
SWP W2,W4,[X0]
LDADD W2,W5,[X0]
STCLR W2,[X0]""", "0:X0=x;", locs="0:X1;0:X3;0:X4;0:X5;x")
    # 0 -CAS-> 5, failed CAS reads 5, SWP 5, LDADD 5 -> 10, STCLR 5: 10 & ~5 = 10
    assert states(run(text)) == ["0:X1=0; 0:X3=5; 0:X4=5; 0:X5=5; [x]=10;"]


def test_branches_loops_calls():
    text = one_thread("""MOV W0,#3
MOV W1,#0
L0: ADD W1,W1,#2
SUB W0,W0,#1
CBNZ W0,L0
BL Lf
B Lend
Lf: ADD W1,W1,#10
RET
Lend: NOP""", "", locs="0:X1")
    assert states(run(text)) == ["0:X1=16;"]          # determined loop: not bounded by unroll
    looping = one_thread("L1: ADD W1,W1,#1\nB L1", "", locs="0:X1")
    assert states(run(looping)) == []                  # unconditional back jumps are bounded


def test_stxr_loop_bounded():
    text = """AArch64 A
{ int x=1; 0:X0=x; }
 P0 ;
L0: ;
 LDXR W1,[X0] ;
 MOV W3,#2 ;
 STXR W4,W3,[X0] ;
 CBNZ W4,L0 ;
forall (x=2)
"""
    res = run(text)
    assert states(res) == ["[x]=2;"] and res.verdict.observation == "Always"


def test_stxr_without_ldxr_fails():
    text = one_thread("MOV W3,#2\nSTXR W4,W3,[X0]", "int x=1; 0:X0=x;", locs="0:X4;x")
    assert states(run(text)) == ["0:X4=1; [x]=1;"]


def test_indirect_branch_through_memory():
    text = """AArch64 AK
{ int64_t *y; 0:X4=y; }
 P0 ;
 ADR X5,L1 ;
 STR X5,[X4] ;
 LDR X3,[X4] ;
 BR X3 ;
 MOV W0,#1 ;
L1: ;
exists (0:X0=1)
"""
    res = run(text)
    assert states(res) == ["0:X0=0;"]


def test_condition_literals_are_typed():
    text = one_thread("MOV W0,#-1\nSTR W0,[X1]", "int32_t u[1]; 0:X1=u;", "u[0]=4294967295", locs="u[0]")
    res = run(text)
    assert res.verdict.observation == "Always" and states(res) == ["u[0]=-1;"]


# --------------------------------------------------------------------------
# rejections (herd7 rejects these too, or weakmem leaves them out)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("text,msg", [
    ("AArch64 T\nVariant=memtag\n{ 0:X1=x; }\n P0 ;\n LDR W0,[X1] ;\nexists (0:X0=0)\n", "variant 'memtag'"),
    ("AArch64 T\n{ int v[2]; 0:X2=v; }\n P0 ;\n STR W0,[X2,#8] ;\nexists (v[0]=0)\n", "Out of bounds"),
    ("AArch64 T\n{ int *p=&x; 0:X2=p; }\n P0 ;\n LDR W0,[X2] ;\nexists (0:X0=0)\n", "mask32 on x"),
    ("AArch64 T\n{ }\n P0 | P1 ;\n BL L1 | L1: ;\nexists (0:X0=0)\n", "label L1 not found on P0"),
    ("AArch64 T\n{ }\n P0 ;\n ADR X1,.+0 ;\nexists (0:X0=0)\n", "Replace offset by label"),
    ("AArch64 T\n{ 0:X0=instr:\"NOP\"; }\n P0 ;\n NOP ;\nexists (0:X0=0)\n", "instruction fetch"),
    ("AArch64 T\n{ 0:X1=P0:L0; }\n P0 ;\n STR W0,[X1] ;\nL0: ;\nexists (0:X0=0)\n", "instruction fetch"),
    ("AArch64 T\n{ }\n P0 ;\nL0: ;\n UDF #0 ;\nforall (Fault(P0:L0,UndefinedInstruction))\n", "faults"),
])
def test_rejections(text, msg):
    e = litmus_error(lambda: run(text))
    assert msg in e.msg
    assert e.pos is not None


# --------------------------------------------------------------------------
# a few memory-model classics (weakmem's model and SC)
# --------------------------------------------------------------------------

SB_REL_ACQ = """AArch64 SB+rel+acq{pc}
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0 | P1 ;
 MOV W0,#1 | MOV W0,#1 ;
 STLR W0,[X1] | STLR W0,[X1] ;
 {ld} W2,[X3] | {ld} W2,[X3] ;
exists (0:X2=0 /\\ 1:X2=0)
"""


@pytest.mark.parametrize("ld,arm,sc", [("LDAR", "Never", "Never"), ("LDAPR", "Sometimes", "Never"),
                                        ("LDR", "Sometimes", "Never")])
def test_release_acquire_sb(ld, arm, sc):
    text = SB_REL_ACQ.replace("{ld}", ld).replace("{pc}", ld)
    assert run(text).verdict.observation == arm
    assert run(text, model="sc").verdict.observation == sc


# --------------------------------------------------------------------------
# read values: coherence prunes what a read may return
# --------------------------------------------------------------------------

def test_reads_see_own_latest_write_or_others():
    text = """AArch64 C
{ int x=1; 0:X0=x; }
 P0 ;
 LDR W1,[X0] ;
 MOV W2,#2 ;
 STR W2,[X0] ;
 LDR W3,[X0] ;
exists (0:X1=0)
"""
    dom = lambda loc: [1, 2, 3]
    # alone: the first read sees the initial value, the second its own write
    trs = _traces(text, domain=dom)
    assert len(trs) == 1
    reads = [[e.value for e in t.events if "R" in e.kinds] for t in trs]
    assert reads == [[1, 2]]
    # another thread writes 3: both reads may also see it
    trs = _traces(text, domain=dom, others={"x": [3]})
    reads = sorted([e.value for e in t.events if "R" in e.kinds] for t in trs)
    assert reads == [[1, 2], [1, 3], [3, 2], [3, 3]]


def test_dropped_paths_still_give_domains():
    text = """AArch64 D
{ int64_t *y; int64_t *z; 0:X4=y; 0:X6=z; }
 P0 ;
 ADR X5,L1 ;
 LDR X3,[X4] ;
 STR X5,[X6] ;
 BR X3 ;
L1: ;
exists (0:X3=0)
"""
    t = parse_litmus("t.litmus", text)
    fe = AArch64Frontend(t, None, 2)
    # y holds 0: BR 0 has no target, the path is dropped ...
    assert fe.traces(0, lambda loc: [0], False) == []
    # ... but for value domains its write to z still counts
    trs = fe.traces(0, lambda loc: [0], True)
    assert any(e.is_write and isinstance(e.value, CodeLoc) for tr in trs for e in tr.events)
