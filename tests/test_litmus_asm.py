"""Assembly dialects: generic column splitting, shared init/condition syntax."""
from __future__ import annotations

import pytest

from weakmem.errors import LitmusError, Pos
from weakmem.litmus import parse_litmus
from weakmem.litmus.ast import (
    ArrayVal,
    AsmInstr,
    AsmThread,
    IntVal,
    LabelVal,
    LocTerm,
    PAtom,
    RegTerm,
    SymVal,
)

SB = """X86 SB
"Fre PodWR Fre PodWR"
Cycle=Fre PodWR Fre PodWR
{ x=0; y=0; }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\\ 1:EAX=0)
"""


def test_x86_sb():
    lit = parse_litmus("SB.litmus", SB)
    assert lit.arch == "X86" and lit.name == "SB" and lit.doc == "Fre PodWR Fre PodWR"
    assert lit.info == {"Cycle": "Fre PodWR Fre PodWR"}
    assert [t.name for t in lit.threads] == ["P0", "P1"]
    assert all(isinstance(t, AsmThread) for t in lit.threads)
    assert lit.threads[0].code == (AsmInstr("MOV [x],$1"), AsmInstr("MOV EAX,[y]"))
    assert lit.threads[1].code[1] == AsmInstr("MOV EAX,[x]")
    assert lit.threads[1].code[1].pos == Pos("SB.litmus", 7, 16)
    assert lit.condition.prop.a == PAtom(RegTerm(0, "EAX"), "=", IntVal(0))


def test_labels_empty_cells_and_comments():
    lit = parse_litmus("t", """AArch64 t
{ 0:X1=x; 1:X1=x; int64_t v[2] = {1,2}; 0:X5=P1:L1; }
(* a comment with | and ; inside *)
 P0            | P1         ;
 MOV W0,#1     | L1:        ;
 L0: STR W0,[X1] | LDR W2,[X1] ;
               | CBZ W2,L1  ;
 B L0          |            ;
 Lend:         |            ;
exists (1:X2=1 /\\ v={1,2})
""")
    p0, p1 = lit.threads
    assert [(i.label, i.text) for i in p0.code] == [
        (None, "MOV W0,#1"), ("L0", "STR W0,[X1]"), (None, "B L0"), ("Lend", "")]
    assert [(i.label, i.text) for i in p1.code] == [("L1", ""), (None, "LDR W2,[X1]"), (None, "CBZ W2,L1")]
    assert p0.code[1].pos == Pos("t", 6, 6)       # the instruction, after its label
    assert p0.code[3].pos == Pos("t", 9, 2)       # a lone label: the label itself
    init = {str(i.target.name if isinstance(i.target, LocTerm) else (i.target.tid, i.target.reg)): i
            for i in lit.init}
    assert init["(0, 'X1')"].value == SymVal("x")
    assert init["v"].value == ArrayVal((IntVal(1), IntVal(2))) and init["v"].size == 2
    assert init["(0, 'X5')"].value == LabelVal(1, "L1")


def test_single_thread_layout_and_multiline_rows():
    lit = parse_litmus("t", """AArch64 t
{ }
P0;
MOV X0, #1; ADD X0, X0, #2;
L0:;
forall (0:X0=3)
""")
    (p0,) = lit.threads
    assert [(i.label, i.text) for i in p0.code] == [(None, "MOV X0, #1"), (None, "ADD X0, X0, #2"), ("L0", "")]


def test_lisa_and_ppc():
    lit = parse_litmus("t", """LISA WRC+o+o-rel (*Paul says allowed*)
{
x = b;
1:r0 = y;
}
 P0           | P1              | P2             ;
 w[once] y 1  | r[once] r3 y    | r[lderef] r1 x ;
              | w[release] x r0 | r[once] r2 r1  ;
exists (1:r3=1 /\\ 2:r1=y)
""")
    assert lit.arch == "LISA" and lit.name == "WRC+o+o-rel"
    assert [len(t.code) for t in lit.threads] == [1, 2, 2]
    assert lit.threads[2].code[0].text == "r[lderef] r1 x"
    lit = parse_litmus("t", "PPC t\n{ 0:r2=x; }\n P0 ;\n lwz r1,0(r2) ;\n sync ;\nexists 0:r1=0\n")
    assert lit.arch == "PPC" and [i.text for i in lit.threads[0].code] == ["lwz r1,0(r2)", "sync"]


@pytest.mark.parametrize("arch", ["X86", "X86_64", "AArch64", "ARM", "PPC", "RISCV", "MIPS", "LISA"])
def test_arch_dispatch(arch):
    lit = parse_litmus("t", f"{arch} t\n{{}}\n P0 ;\n nop ;\nexists (0:r0=0)\n")
    assert lit.arch == arch and isinstance(lit.threads[0], AsmThread)


def test_arch_names_are_canonicalised():
    assert parse_litmus("t", "aarch64 t\n{}\n P0 ;\n NOP ;\nexists (0:X0=0)\n").arch == "AArch64"


def test_column_errors():
    with pytest.raises(LitmusError) as ei:
        parse_litmus("t", "X86 t\n{}\n P0 | Q1 ;\n NOP | NOP ;\nexists (0:EAX=1)\n")
    assert ei.value.msg.startswith("bad thread name 'Q1'") and ei.value.pos == Pos("t", 3, 7)
