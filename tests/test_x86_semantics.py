"""The x86 / x86-64 front-end: instruction decoding, events, registers."""
from __future__ import annotations

import pytest

from asm_util import evs as kinds, litmus_error
from asm_util import traces as run
from weakmem.errors import LitmusError
from weakmem.litmus.ast import SymVal
from weakmem.litmus.parse import parse_litmus
from weakmem.semantics.x86 import X86Frontend
from weakmem.semantics.x86_decode import Imm, Mem, Name, Reg, canonical_reg, decode


def frontend(text: str, unroll: int = 2) -> X86Frontend:
    return X86Frontend(parse_litmus("t.litmus", text), None, unroll)


# ----------------------------------------------------------------------------
# decoding


@pytest.mark.parametrize("text, op, ops", [
    ("MOV [x],$1", "mov", [Imm(1), Mem(sym="x")]),
    ("MOV EAX,[y]", "mov", [Mem(sym="y"), "EAX"]),
    ("mov eax,[ebx+8]", "mov", [Mem(base="EBX", disp=8), "EAX"]),
    ("XCHG [x],EAX", "xchg", ["EAX", Mem(sym="x")]),
    ("MFENCE", "mfence", []),
    ("INC [x]", "inc", [Mem(sym="x")]),
    ("JNE L0", "jcc", [Name("L0")]),
])
def test_decode_x86_intel_order(text, op, ops):
    ins = decode(text, "X86", None)
    assert ins.op == op
    want = [Reg(None, o) if isinstance(o, str) else o for o in ops]
    got = [Reg(None, o.name) if isinstance(o, Reg) else o for o in ins.ops]
    got = [Mem(sym=o.sym, base=o.base.name if o.base else None, disp=o.disp) if isinstance(o, Mem) else o
           for o in got]
    assert got == want


@pytest.mark.parametrize("text, op, size, ops", [
    ("movl $1,(x)", "mov", 32, "imm mem"),
    ("movl (x),%eax", "mov", 32, "mem reg"),
    ("MOVQ %RBX,(x)", "mov", 64, "reg mem"),
    ("movq 0(%rax,%rbx,8),%rcx", "mov", 64, "mem reg"),
    ("nopl 0(%rax,%eax,0)", "nop", 32, "mem"),
    ("NOPL %cs:0(%rax,%eax,0)", "nop", 32, "mem"),
    ("endbr64", "endbr64", None, ""),
    ("shl 2,%eax", "shl", None, "imm reg"),
    ("and %eax,%eax", "and", None, "reg reg"),
    ("lock xaddl %eax,(x)", "xadd", 32, "reg mem"),
    ("lock; incq (x)", "inc", 64, "mem"),
    ("cmpxchgl (x),%ecx", "cmpxchg", 32, "reg mem"),     # herd7 order: destination first
    ("movb $1,8(%rdi)", "mov", 8, "imm mem"),
    ("mov x(%rip),%eax", "mov", None, "mem reg"),
    ("sete %al", "setcc", None, "reg"),
    ("je L0x3b", "jcc", None, "name"),
])
def test_decode_x86_64_att(text, op, size, ops):
    ins = decode(text, "X86_64", None)
    assert ins.op == op and ins.size == size
    names = {Imm: "imm", Mem: "mem", Reg: "reg", Name: "name"}
    assert " ".join(names[type(o)] for o in ins.ops) == ops


def test_decode_addressing_modes():
    m = decode("movq 16(%rax,%rbx,8),%rcx", "X86_64", None).ops[0]
    assert (m.base.name, m.index.name, m.scale, m.disp) == ("rax", "rbx", 8, 16)
    assert decode("mov x(%rip),%eax", "X86_64", None).ops[0] == Mem(sym="x")
    assert decode("lock xaddl %eax,(x)", "X86_64", None).lock


def test_register_names():
    assert canonical_reg("RAX", "X86_64") == "rax"
    assert canonical_reg("eax", "X86_64") == "rax"
    assert canonical_reg("%al", "X86_64") == "rax"
    assert canonical_reg("r8d", "X86_64") == "r8"
    assert canonical_reg("rip", "X86_64") == "rip"
    assert canonical_reg("eax", "X86") == "EAX"
    assert canonical_reg("r0", "X86") == "r0"


@pytest.mark.parametrize("text, msg", [
    ("FOO [x],$1", "unknown instruction 'FOO [x],$1'"),
    ("MOVSD", "unknown instruction"),
    ("MOV [x]", "takes 2 operand"),
    ("MOV [x],[y]", "two memory operands"),
    ("MOV $1,EAX", "destination cannot be an immediate"),
    ("LOCK MOV [x],$1", "illegal lock prefix"),
    ("LOCK ADD EAX,$1", "illegal lock prefix"),
    ("MOV [x],$1 $2", "unknown instruction"),
])
def test_decode_errors(text, msg):
    e = litmus_error(lambda: decode(text, "X86", None))
    assert msg in e.msg


def test_unknown_instruction_has_position():
    e = litmus_error(lambda: frontend("X86 t\n{}\n P0 ;\n FROB [x] ;\nexists (0:EAX=0)\n"))
    assert e.pos.line == 4 and "unknown instruction" in str(e)


def test_unknown_label():
    with pytest.raises(LitmusError, match="label L9 not found on P0, although used in instruction .JMP L9."):
        frontend("X86 t\n{}\n P0 ;\n JMP L9 ;\nexists (0:EAX=0)\n")


# ----------------------------------------------------------------------------
# events

SB = """X86 SB
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MFENCE      ;
             | MOV EAX,[x] ;
exists (0:EAX=0 /\\ 1:eax=0)
"""


def test_plain_accesses_and_fence():
    fe = frontend(SB)
    assert fe.shared == {"x", "y"}
    t0 = run(fe, 0)
    assert [kinds(t) for t in t0] == [[("W", "x", 1), ("R", "y", 0)], [("W", "x", 1), ("R", "y", 1)]]
    assert [t.regs for t in t0] == [{"EAX": 0}, {"EAX": 1}]
    t1 = run(fe, 1)
    assert kinds(t1[0]) == [("W", "y", 1), ("FMFENCE", None, None), ("R", "x", 0)]
    assert all(e.rf_read == ("R" in e.kinds) and e.is_write == ("W" in e.kinds) for e in t1[0].events)


def test_condition_registers_renamed():
    fe = frontend(SB)
    p = fe.test.condition.prop
    assert (p.a.lhs.reg, p.b.lhs.reg) == ("EAX", "EAX")
    fe = frontend("X86_64 t\n{ 0:RBX=2; }\n P0 ;\n movl %ebx,(x) ;\nlocations [0:EBX;]\n"
                  "exists (0:RAX=0 /\\ 0:rbx=2)\n")
    p = fe.test.condition.prop
    assert (p.a.lhs.reg, p.b.lhs.reg) == ("rax", "rbx")
    assert fe.test.locations[0].reg == "rbx"
    assert fe.test.init[0].target.reg == "rbx"
    (tr,) = run(fe, 0)
    assert kinds(tr) == [("W", "x", 2)] and tr.regs == {"rbx": 2}


@pytest.mark.parametrize("instr", ["SFENCE", "LFENCE", "MFENCE"])
def test_fence_kinds(instr):
    fe = frontend(f"X86 t\n{{}}\n P0 ;\n {instr} ;\nexists (0:EAX=0)\n")
    (tr,) = run(fe, 0)
    assert tr.events[0].kinds == frozenset({"F", instr})


def test_locked_add_is_atomic_rmw():
    fe = frontend("X86 t\n{}\n P0 ;\n MOV EAX,$2 ;\n LOCK; ADD [x],EAX ;\nexists (x=3)\n")
    trs = run(fe, 0, {"x": [0, 1]})
    assert [kinds(t) for t in trs] == [[("RX", "x", 0), ("WX", "x", 2)], [("RX", "x", 1), ("WX", "x", 3)]]
    for t in trs:
        assert t.rmw == [(0, 1)]
        assert t.events[1].data == frozenset({0})


def test_unlocked_inc_is_not_atomic():
    fe = frontend("X86 t\n{}\n P0 ;\n INC [x] ;\nexists (x=2)\n")
    trs = run(fe, 0, {"x": [1]})
    assert kinds(trs[0]) == [("R", "x", 1), ("W", "x", 2)] and trs[0].rmw == []


def test_xchg_with_memory_is_locked():
    fe = frontend("X86 t\n{ 0:EAX=5; 0:EBX=7; }\n P0 ;\n XCHG [x],EAX ;\n XCHG EAX,EBX ;\nexists (0:EBX=0)\n")
    (tr,) = run(fe, 0, {"x": [0]})
    assert kinds(tr) == [("RX", "x", 0), ("WX", "x", 5)] and tr.rmw == [(0, 1)]
    assert tr.regs == {"EAX": 7, "EBX": 0}


def test_xadd_and_cmpxchg():
    fe = frontend("X86_64 t\n{ 0:rax=1; 0:rcx=7; }\n P0 ;\n lock xaddq %rcx,(x) ;\n"
                  " lock cmpxchgq (y),%rcx ;\nexists (0:rax=0)\n")
    trs = run(fe, 0, {"x": [3], "y": [1, 2]})
    ok, fail = trs
    assert kinds(ok) == [("RX", "x", 3), ("WX", "x", 10), ("RX", "y", 1), ("WX", "y", 3)]
    assert ok.rmw == [(0, 1), (2, 3)] and ok.regs["rcx"] == 3 and ok.regs["rax"] == 1
    assert kinds(fail) == [("RX", "x", 3), ("WX", "x", 10), ("RX", "y", 2)]
    assert fail.rmw == [(0, 1)] and fail.regs["rax"] == 2


def test_split_lock_prefix():
    fe = frontend("X86 t\n{}\n P0 ;\n LOCK ;\n INC [x] ;\nexists (x=1)\n")
    (tr,) = run(fe, 0, {"x": [0]})
    assert kinds(tr) == [("RX", "x", 0), ("WX", "x", 1)] and tr.rmw == [(0, 1)]


def test_dependencies():
    fe = frontend("X86_64 t\n{ 0:rbx=y; }\n P0 ;\n movq (x),%rax ;\n movq %rax,(z) ;\n"
                  " movq (%rbx),%rcx ;\n movq (%rcx),%rdx ;\nexists (0:rax=0)\n")
    (tr,) = run(fe, 0, {"x": [0], "y": [SymVal("w")], "w": [4], "z": [0]})
    assert kinds(tr) == [("R", "x", 0), ("W", "z", 0), ("R", "y", SymVal("w")), ("R", "w", 4)]
    assert tr.events[1].data == frozenset({0})
    assert tr.events[3].addr == frozenset({2})


def test_branches_and_ctrl():
    fe = frontend("""X86_64 A006
{ [P1_r0]=0;[x]=0;[y]=0; }
  P0                 ;
   mov (y),%eax      ;
   cmp $1,%eax       ;
   je L0x3b          ;
  L0x31:             ;
   mov %eax,(P1_r0)  ;
   ret               ;
  L0x3b:             ;
   movl $1,(x)       ;
   jmp L0x31         ;
exists ([x]=2 /\\ P1_r0=1)
""")
    assert fe.shared == {"x", "y", "P1_r0"}
    a, b = run(fe, 0, {"y": [0, 1]})
    assert kinds(a) == [("R", "y", 0), ("W", "P1_r0", 0)]
    assert kinds(b) == [("R", "y", 1), ("W", "x", 1), ("W", "P1_r0", 1)]
    assert b.events[1].ctrl == frozenset({0}) and b.events[2].ctrl == frozenset({0})


def test_loop_unrolling_bound():
    src = "X86 t\n{}\n P0 ;\n L0: MOV EAX,[x] ;\n CMP EAX,$0 ;\n JE L0 ;\nexists (0:EAX=1)\n"
    trs = run(frontend(src, unroll=2), 0, {"x": [0, 1]})
    # exits after 1, 2 or 3 reads; a path still looping after 2 jumps is dropped
    assert sorted(len(t.events) for t in trs) == [1, 2, 3]


def test_array_indexing():
    fe = frontend("X86_64 A009\n{\nint64_t t[2]={1,-1};\n0:rax=t;\n0:rbx=1;\nint64_t 0:rcx;\n}\n"
                  "P0 ;\nmovq 0(%rax,%rbx,8),%rcx ;\nforall 0:rcx = -1\n")
    (tr,) = run(fe, 0, {"t": [-1]})
    assert tr.events[0].loc == SymVal("t", 1)
    assert tr.regs["rcx"] == -1
    with pytest.raises(LitmusError, match="not aligned"):
        run(frontend("X86_64 t\n{ int64_t t[2]; 0:rax=t; }\nP0 ;\nmovq 4(%rax),%rcx ;\nexists (0:rcx=0)\n"), 0)
    with pytest.raises(LitmusError, match="outside"):
        run(frontend("X86_64 t\n{ int64_t t[2]; 0:rax=t; }\nP0 ;\nmovq 16(%rax),%rcx ;\nexists (0:rcx=0)\n"), 0)


@pytest.mark.parametrize("code, init, reg, value", [
    ("shl 2,%eax", "0:RAX=1", "rax", 4),
    ("and %eax,%eax", "0:RAX=1", "rax", 1),
    ("movl $-1,%eax", "0:RAX=0", "rax", 0xFFFFFFFF),
    ("movq $-1,%rax", "0:RAX=0", "rax", -1),
    ("movb $0x12,%ah", "0:RAX=0x5555", "rax", 0x1255),
    ("movw $7,%ax", "0:RAX=-1", "rax", -65536 + 7),
    ("addl $1,%eax", "0:RAX=0xffffffff", "rax", 0),
    ("subq $3,%rax", "0:RAX=1", "rax", -2),
    ("negq %rax", "0:RAX=5", "rax", -5),
    ("notl %eax", "0:RAX=0", "rax", 0xFFFFFFFF),
    ("sarq $1,%rax", "0:RAX=-4", "rax", -2),
    ("leaq (x),%rax", "0:RAX=0", "rax", SymVal("x")),
    ("xchgq %rax,%rbx", "0:RAX=3", "rbx", 3),
])
def test_register_arithmetic(code, init, reg, value):
    fe = frontend(f"X86_64 t\n{{ {init}; }}\nP0 ;\n{code} ;\nforall (0:rax=0)\n")
    (tr,) = run(fe, 0)
    assert tr.regs[reg] == value


@pytest.mark.parametrize("cmp, jcc, taken", [
    ("cmpq $1,%rax", "je", False), ("cmpq $2,%rax", "je", True), ("cmpq $3,%rax", "jl", True),
    ("cmpq $2,%rax", "jl", False), ("cmpq $2,%rax", "jle", True), ("cmpq $1,%rax", "jg", True),
    ("cmpq $2,%rax", "jge", True), ("cmpq $3,%rax", "jne", True), ("cmpq $3,%rax", "jb", True),
    ("cmpq $-1,%rax", "jb", True), ("cmpq $-1,%rax", "jg", True), ("testq %rax,%rax", "jne", True),
    ("subq $2,%rax", "jz", True), ("decq %rax", "js", False),
])
def test_conditional_jumps(cmp, jcc, taken):
    fe = frontend(f"X86_64 t\n{{ 0:rax=2; }}\nP0 ;\n{cmp} ;\n{jcc} L1 ;\nmovq $1,%rbx ;\nL1: ;\n"
                  "forall (0:rbx=0)\n")
    (tr,) = run(fe, 0)
    assert tr.regs.get("rbx", 0) == (0 if taken else 1)


def test_ret_and_nops():
    fe = frontend("X86_64 t\n{}\nP0 ;\nendbr64 ;\nnopl 0(%rax,%eax,0) ;\nNOP ;\nret ;\nmovl $1,(x) ;\n"
                  "forall (0:rax=0)\n")
    (tr,) = run(fe, 0)
    assert tr.events == []


def test_numeric_address_rejected():
    with pytest.raises(LitmusError, match="not a location"):
        run(frontend("X86 t\n{}\n P0 ;\n MOV EAX,[EBX] ;\nexists (0:EAX=0)\n"), 0)
