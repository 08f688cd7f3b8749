"""Operand and init forms herd7's parsers accept (lib/*Parser.mly of herdtools7 7.58).

Each test is written with the form under test and checked two ways: weakmem reads it and
gives the verdict and states of the same test written in the usual form (so the form means
the same thing), and, when herd7 is present, herd7 agrees."""
from __future__ import annotations

import pytest

from asm_util import check_text
from weakmem.errors import LitmusError

MP_PPC = """PPC MP
{{
0:r2=x; 0:r4=y;
1:r2=y; 1:r4=x;
}}
 P0           | P1           ;
 li r1,1      | {ld1:<13}| ;
 {st1:<13}| {fence:<13}| ;
 {fence:<13}| {ld2:<13}| ;
 {st2:<13}|              ;
exists (1:r1=1 /\\ 1:r3=0)
"""


def _ppc(st1="stw r1,0(r2)", st2="stw r1,0(r4)", ld1="lwz r1,0(r2)", ld2="lwz r3,0(r4)", fence="sync"):
    return MP_PPC.format(st1=st1, st2=st2, ld1=ld1, ld2=ld2, fence=fence).replace("| ;", ";")


def _key(r):
    return r.verdict.observation, sorted(r.states)


@pytest.mark.parametrize("forms", [
    dict(st1="stw r1,0,r2", ld1="lwz r1,0,r2"),          # herd7: `STW reg COMMA idx COMMA reg`
    dict(st2="std r1,0,r4", ld2="ld r3,0,r4"),
    dict(st1="stb r1,0,r2", ld2="lbz r3,0,r4"),
    dict(st1="sth r1,0,r2", ld2="lhz r3,0,r4"),
])
@pytest.mark.parametrize("fence", ["sync", "lwsync", "eieio"])
def test_ppc_comma_displacement_form(forms, fence):
    plain = check_text(_ppc(fence=fence))
    r = check_text(_ppc(fence=fence, **forms))
    assert _key(r) == _key(plain)


def test_ppc_comma_form_without_fences_is_relaxed():
    r = check_text(_ppc(st1="stw r1,0,r2", st2="stw r1,0,r4", ld1="lwz r1,0,r2", ld2="lwz r3,0,r4", fence="nop"))
    assert r.verdict.observation == "Sometimes"


def test_ppc_lwa_has_no_comma_form():
    with pytest.raises(LitmusError):
        check_text(_ppc(ld2="lwa r3,0,r4"))


def test_ppc_update_forms_do_not_write_r0_or_the_target():
    # lwzu rD,d(rA) writes rA back unless rA = r0 or rA = rD; stwu unless rA = r0
    t = """PPC U
{ 0:r2=x; x=5; }
 P0              ;
 lwzu r2,0(r2)   ;
exists (0:r2=5)
"""
    assert check_text(t).verdict.observation == "Always"


MP_ARM = """ARM MP
{{
{init}
}}
 P0           | P1           ;
 MOV R1,#1    | {ld1:<13};
 {st1:<13}| DMB          ;
 DMB          | LDR R3,[R4]  ;
 STR R1,[R4]  |              ;
exists (1:R1=1 /\\ 1:R3=0)
"""


@pytest.mark.parametrize("st1,ld1", [("STR R1,R5", "LDR R1,R5"), ("STR R1,[R5]", "LDREX R1,R5"),
                                     ("STR R1,R5", "LDR R1,[R5]")])
@pytest.mark.parametrize("init", ["P0:R5=x; P0:R4=y; P1:R5=y; P1:R4=x;", "0:R5=x; 0:R4=y; 1:R5=y; 1:R4=x;",
                                  "P0:r5=x; P0:r4=y; 1:R5 = y; 1: R4=x;"])
def test_arm_unbracketed_address_and_init_forms(st1, ld1, init):
    plain = check_text(MP_ARM.format(init="0:R5=x; 0:R4=y; 1:R5=y; 1:R4=x;", st1="STR R1,[R5]", ld1="LDR R1,[R5]"))
    r = check_text(MP_ARM.format(init=init, st1=st1, ld1=ld1))
    assert _key(r) == _key(plain)
    assert r.verdict.observation == "Never"


@pytest.mark.parametrize("bad", ["STL R1,R5", "LDA R1,R5", "STR R1,R5,R6"])
def test_arm_unbracketed_address_only_where_herd7_takes_it(bad):
    with pytest.raises(LitmusError):
        check_text(MP_ARM.format(init="0:R5=x; 0:R4=y; 1:R5=y; 1:R4=x;", st1=bad, ld1="LDR R1,[R5]"))


ARM_MISC = """ARM misc
{ 0:R5=x; x=3; }
 P0             ;
 PUSH {R1}      ;
 POP {R1,R2}    ;
 LDR R0,R5      ;
 XOR R1,R0,R0   ;
 EOR R2,R0,R0   ;
 CMP R0,#3      ;
 MOV R3,#1      ;
 EORS R4,R0,R0  ;
 ANDEQ R0,R0,R0 ;
 BNE L0         ;
 MOV R3,#2      ;
L0:             ;
exists (0:R1=0 /\\ 0:R2=0 /\\ 0:R0=3 /\\ 0:R3=2)
"""


def test_arm_push_pop_xor_andeq_and_eors_as_herd7_reads_them():
    # herd7 lexes EORS as EOR (flags untouched: Z from CMP R0,#3 stays set, BNE not taken)
    r = check_text(ARM_MISC)
    assert r.verdict.observation == "Always"


RV = """RISCV forms
{{ 0:x6=x; 0:x8=y; 1:x6=x; 1:x8=y; }}
 P0             | P1                ;
 ori x1,x0,1    | {ld1:<18};
 {st1:<15}| fence r,r         ;
 fence w,w      | {ld2:<18};
 sw x1,0(x6)    |                   ;
exists (1:x2=1 /\\ 1:x3=0)
"""


def test_riscv_offsetless_address_form():
    plain = check_text(RV.format(st1="sw x1,0(x8)", ld1="lw x2,0(x6)", ld2="lw x3,0(x8)"))
    r = check_text(RV.format(st1="sw x1,(x8)", ld1="lw x2,(x6)", ld2="lw x3,(x8)"))
    assert _key(r) == _key(plain) and r.verdict.observation == "Never"


def test_riscv_la_reads_a_code_label():
    t = """RISCV la
{ }
 P0          ;
 la x5,L0    ;
L0:          ;
exists (0:x5=0)
"""
    r = check_text(t)
    assert r.verdict.observation == "Never"
    with pytest.raises(LitmusError, match="Label L9 not found on P0"):
        check_text(t.replace("la x5,L0", "la x5,L9"))


@pytest.mark.parametrize("lr,sc,flagged", [("lr.w.rl", "sc.w.aq", False), ("lr.d.rl", "sc.d.aq", False),
                                           ("lr.w.aq", "sc.w", True), ("lr.w", "sc.w.rl", True)])
def test_riscv_lr_rl_and_sc_aq_carry_no_annotation(tmp_path, lr, sc, flagged):
    # herd7's lexer maps lr.w.rl to lr.w and sc.w.aq to sc.w: no Acq/Rel event
    cat = tmp_path / "annot.cat"
    cat.write_text('"annot"\nflag ~empty (Acq | Rel | AcqRel) as annotated\n')
    t = f"""RISCV LRSC
{{ 0:x5=x; }}
 P0                ;
 {lr} x6,0(x5)  ;
 {sc} x7,x6,(x5) ;
exists (0:x7=0)
"""
    r = check_text(t, model=str(cat))
    assert ("annotated" in r.flags) == flagged


X64 = """X86_64 forms
{{ 0:rbx=x; 1:rcx=x; 1:rdx=0; }}
 P0                | P1                     ;
 movl $1,(%rbx)    | movl $1,{y:<15};
 movl {y2:<12},%eax | movl {ld:<16},%eax ;
exists (0:rax=0 /\\ 1:rax=0)
"""


@pytest.mark.parametrize("y,y2,ld", [("(y)", "[y]", "0[%rcx]"), ("[y]", "(y)", "(%rcx,%rdx,4)"),
                                     ("(y)", "[y]", "[%rcx]"), ("[y]", "[y]", "0(%rcx)")])
def test_x86_64_address_forms(y, y2, ld):
    plain = check_text(X64.format(y="(y)", y2="(y)", ld="(%rcx)"))
    assert plain.verdict.observation == "Sometimes"      # store buffering
    r = check_text(X64.format(y=y, y2=y2, ld=ld))
    assert _key(r) == _key(plain)


def test_x86_displacement_before_bracket_is_x86_64_only():
    t = """X86 d
{ 0:EBX=x; }
 P0              ;
 MOV EAX,0[EBX]  ;
exists (0:EAX=0)
"""
    with pytest.raises(LitmusError):
        check_text(t)
