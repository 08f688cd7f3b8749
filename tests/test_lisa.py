"""herd7's LISA dialect (weakmem.semantics.lisa): syntax, events and
dependencies, the bell's annotation check, and LISA versions of classic
LKMM tests checked against their C equivalents."""
from __future__ import annotations

import textwrap

import pytest

from corpus_util import SHARED, need_shared, run_file
from weakmem.errors import LitmusError, WeakmemError
from weakmem.litmus.parse import parse_litmus
from weakmem.semantics.asm_common import DecodeError
from weakmem.semantics.lisa import LisaFrontend, parse_instr

LKMM = SHARED / "corpus" / "lkmm"


def write(tmp_path, name: str, text: str):
    p = tmp_path / f"{name}.litmus"
    p.write_text(textwrap.dedent(text).lstrip())
    return p


def frontend(tmp_path, text: str) -> LisaFrontend:
    return LisaFrontend(parse_litmus(str(write(tmp_path, "t", text))))


def one_trace(fe: LisaFrontend, tid: int = 0, values=(1,)):
    trs = fe.traces(tid, lambda loc: list(values))
    assert len(trs) == 1
    return trs[0]


# ----------------------------------------------------------------------------
# syntax: herd7's grammar, printed back as herd7 prints it
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("src, shown", [
    ("r[once] r1 x", "r[once] r1 x"),
    ("r[lderef]  r0   y", "r[lderef] r0 y"),
    ("r[once] r1 x+r2", "r[once] r1 x+r2"),
    ("r[] r01 r0", "r[] r1 r0"),
    ("r r1 x", "r[] r1 x"),
    ("w[once] x 0x10", "w[once] x 16"),
    ("w[release] r3 r4", "w[release] r3 r4"),
    ("w[once] y -1", "w[once] y -1"),
    ("f[mb]", "f[mb]"),
    ("f[after-atomic]", "f[after-atomic]"),
    ("f[once,mb]", "f[once,mb]"),
    ("rmw[once] r1 (add r1 1) x", "rmw[once] r1 (add r1 1) x"),
    ("rmw[acquire] r1 5 x", "rmw[acquire] r1 5 x"),
    ("mov r3 (xor r1 r1)", "mov r3 (xor r1 r1)"),
    ("mov r3 (eq r1 0)", "mov r3 (eq r1 0)"),
    ("mov r3 (neq r1 r2)", "mov r3 (neq r1 r2)"),
    ("mov r3 (and r1 7)", "mov r3 (and r1 7)"),
    ("mov r3 (add x r1)", "mov r3 (add x r1)"),
    ("mov r3 x", "mov r3 x"),
    ("b[] r3 SKIP0", "b[] r3 SKIP0"),
    ("b L", "b[] L"),
])
def test_syntax(src, shown):
    assert str(parse_instr(src)) == shown


@pytest.mark.parametrize("src", ["r[once] x r1", "w[once] x y", "mov r1 (sub r1 1)", "ld r1 x",
                                 "r[once r1 x", "f[mb] r1", "b[] r1", "w[once] x 1 2"])
def test_syntax_errors(src):
    with pytest.raises(DecodeError):
        parse_instr(src)


def test_syntax_error_has_position(tmp_path):
    p = write(tmp_path, "bad", """
        LISA bad
        {}
         P0           | P1           ;
         w[once] x 1  | r[once] x r1 ;
        exists (1:r1=1)
        """)
    with pytest.raises(LitmusError) as ei:
        run_file(p, model="lkmm")
    assert str(ei.value).startswith(f"{p}:4:17: error: LISA, syntax error in 'r[once] x r1'")


# ----------------------------------------------------------------------------
# events and dependencies (herd7's BellSem)
# ----------------------------------------------------------------------------

def test_events_tags_and_dependencies(tmp_path):
    fe = frontend(tmp_path, """
        LISA deps
        { 0:r4 = u; }
         P0                 ;
         r[once] r1 x       ;
         mov r2 (xor r1 r1) ;
         r[acquire] r3 y+r2 ;
         w[release] z r3    ;
         w[once] r4 5       ;
         b[] r2 L           ;
         f[mb]              ;
         L:                 ;
         w[once] a 1        ;
        exists (0:r1=1)
        """)
    tr = one_trace(fe)
    ev = tr.events
    assert [sorted(e.kinds) for e in ev] == [["M", "R"], ["M", "R"], ["M", "W"], ["M", "W"],
                                            ["F", "Ftotal"], ["M", "W"]]
    assert [set(e.tags) for e in ev] == [{"once"}, {"acquire"}, {"release"}, {"once"}, {"mb"}, {"once"}]
    assert [e.loc.name if e.loc else None for e in ev] == ["x", "y", "z", "u", None, "a"]
    assert ev[1].addr == {0}                 # y+r2, r2 computed from r1
    assert ev[2].data == {1} and not ev[2].addr
    assert not ev[3].addr and not ev[3].data
    assert not ev[3].ctrl and ev[4].ctrl == {0} and ev[5].ctrl == {0}   # after the branch
    assert tr.regs == {"r1": 1, "r2": 0, "r3": 1, "r4": tr.regs["r4"]}


def test_branches(tmp_path):
    src = """
        LISA br
        {}
         P0               ;
         r[once] r1 x     ;
         mov r2 (eq r1 0) ;
         b[] r2 SKIP      ;
         w[once] y 1      ;
         SKIP:            ;
         w[once] z 1      ;
        exists (0:r1=1)
        """
    fe = frontend(tmp_path, src)
    trs = fe.traces(0, lambda loc: [0, 1])
    locs = sorted(tuple(e.loc.name for e in tr.events) for tr in trs)
    assert locs == [("x", "y", "z"), ("x", "z")]     # r1=0 jumps over y
    for tr in trs:
        assert all(e.ctrl == {0} for e in tr.events[1:])


def test_backward_branch_unrolled(tmp_path):
    fe = frontend(tmp_path, """
        LISA loop
        {}
         P0           ;
         L:           ;
         r[once] r1 x ;
         b[] r1 L     ;
        exists (0:r1=1)
        """)
    trs = fe.traces(0, lambda loc: [0, 1])
    # the loop body runs 1..unroll+1 times; paths needing more are dropped
    assert sorted(len(t.events) for t in trs) == [1, 2, 3]


def test_rmw_forms(tmp_path):
    fe = frontend(tmp_path, """
        LISA rmw
        {}
         P0                        ;
         r[once] r2 y              ;
         rmw[once] r1 (add r1 r2) x ;
         rmw[acquire] r3 r2 z      ;
        exists (0:r1=1)
        """)
    tr = one_trace(fe, values=(3,))
    r0, r1, w1, r2, w2 = tr.events
    assert r1.kinds >= {"R", "X", "RMW"} and w1.kinds >= {"W", "X", "RMW"}
    assert r1.tags == w1.tags == {"once"} and r2.tags == w2.tags == {"acquire"}
    assert tr.rmw == [(1, 2), (3, 4)]
    # op reads the value read: data R -> W; r2 comes through a non-data port: addr
    assert w1.value == 6 and w1.data == {1} and w1.addr == {0}
    # exchange: the W takes op's value, r2's read gives an addr dependency
    assert w2.value == 3 and w2.data == set() and w2.addr == {0}
    assert tr.regs["r1"] == 3 and tr.regs["r3"] == 3


def test_register_holds_address(tmp_path):
    fe = frontend(tmp_path, """
        LISA regaddr
        { 0:r0 = a; a = 2; }
         P0            ;
         r[once] r1 r0 ;
         mov r2 y      ;
         w[once] r2 r1 ;
        exists (0:r1=2)
        """)
    tr = one_trace(fe, values=(2,))
    assert [e.loc.name for e in tr.events] == ["a", "y"]
    assert tr.events[1].data == {0}
    assert "a" in fe.shared and "y" in fe.shared


def test_non_address_is_an_error(tmp_path):
    p = write(tmp_path, "bad", """
        LISA bad
        {}
         P0            ;
         mov r0 5      ;
         r[once] r1 r0 ;
        exists (0:r1=1)
        """)
    with pytest.raises(LitmusError, match="Non-symbolic memory access"):
        run_file(p, model="lkmm")


# ----------------------------------------------------------------------------
# the bell check (herd7's BellCheck): instructions, not events
# ----------------------------------------------------------------------------

ANNOT = """
    LISA annot
    {}
     P0          | P1           ;
     w[once] x 1 | r[once] r1 x ;
     {ins}       | r[once] r2 y ;
     L:          |              ;
    exists (1:r1=1)
    """


@pytest.mark.parametrize("ins, kind, decl", [
    ("r[lderef] r0 y", "R", "[{acquire,noreturn,once}]"),
    ("r[] r0 y", "R", "[{acquire,noreturn,once}]"),            # no annotation: no match
    ("r[once,acquire] r0 y", "R", "[{acquire,noreturn,once}]"),  # one annotation per set
    ("w[assign] y 1", "W", "[{once,release}]"),
    ("f[rb_dep]", "F", "[{after-atomic,after-spinlock,after-unlock-lock,barrier,before-atomic,mb,"
                       "rcu-lock,rcu-unlock,rmb,sync-rcu,wmb}]"),
    ("f[sync]", "F", None),
    ("rmw[mb] r0 1 y", "RMW", "[{acquire,once,release}]"),
    ("b[once] r0 L", "B", "[]"),                                  # undeclared kind: only []
])
def test_annotation_rejected(tmp_path, ins, kind, decl):
    p = write(tmp_path, "annot", ANNOT.replace("{ins}", ins))
    with pytest.raises(LitmusError) as ei:
        run_file(p, model="lkmm")
    msg = str(ei.value)
    shown = str(parse_instr(ins))
    assert msg.startswith(f"{p}:5:2: error: annotation error, instruction '{shown}' "
                          f"does not match bell declarations {kind}: ")
    assert "\n" not in msg
    if decl is not None:
        assert msg.endswith(f"{kind}: {decl}")


@pytest.mark.parametrize("ins", ["rmw[acquire] r0 1 y", "rmw[release] r0 (add r0 1) y", "b[] r0 L",
                                 "b L", "mov r0 (add r0 1)", "f[rcu-lock]", "f[sync-rcu]", "w[release] y 1",
                                 "r[noreturn] r0 y"])
def test_annotation_accepted(tmp_path, ins):
    p = write(tmp_path, "annot", ANNOT.replace("{ins}", ins))
    res = run_file(p, model="lkmm")
    assert res.states


def test_unreached_instruction_is_checked(tmp_path):
    # herd7 checks the program text, not the events of the executions
    p = write(tmp_path, "unreached", """
        LISA unreached
        {}
         P0                ;
         b L               ;
         r[lderef] r1 x    ;
         L:                ;
        exists (0:r1=0)
        """)
    with pytest.raises(LitmusError, match=r":5:2: error: annotation error, instruction 'r\[lderef\] r1 x'"):
        run_file(p, model="lkmm")


def test_no_bell_no_check(tmp_path):
    p = write(tmp_path, "annot", ANNOT.replace("{ins}", "r[lderef] r0 y"))
    res = run_file(p, model="sc")
    assert res.verdict.observation == "Sometimes"


def test_cli_one_line_error(tmp_path):
    from click.testing import CliRunner

    from weakmem.cli import main
    p = write(tmp_path, "annot", ANNOT.replace("{ins}", "f[rb_dep]"))
    out = CliRunner().invoke(main, ["run", "--model", "lkmm", str(p)])
    assert out.exit_code == 1
    lines = [l for l in out.output.splitlines() if l.strip()]
    assert lines == [f"{p}:5:2: error: annotation error, instruction 'f[rb_dep]' does not match bell "
                     "declarations F: [{after-atomic,after-spinlock,after-unlock-lock,barrier,before-atomic,"
                     "mb,rcu-lock,rcu-unlock,rmb,sync-rcu,wmb}]"]


# ----------------------------------------------------------------------------
# LISA versions of LKMM tests vs their C versions (same weakmem, same model)
# ----------------------------------------------------------------------------

# name -> (C test: a file of lkmm/litmus-tests or the text of one, LISA text)
PAIRS = {
    "MP+pooncerelease+poacquireonce": ("MP+pooncerelease+poacquireonce.litmus", """
        LISA MP+pooncerelease+poacquireonce
        {}
         P0                | P1                 ;
         w[once] buf 1     | r[acquire] r0 flag ;
         w[release] flag 1 | r[once] r1 buf     ;
        exists (1:r0=1 /\\ 1:r1=0)
        """),
    "MP+poonceonces": ("MP+poonceonces.litmus", """
        LISA MP+poonceonces
        {}
         P0             | P1              ;
         w[once] buf 1  | r[once] r0 flag ;
         w[once] flag 1 | r[once] r1 buf  ;
        exists (1:r0=1 /\\ 1:r1=0)
        """),
    "MP+fencewmbonceonce+fencermbonceonce": ("MP+fencewmbonceonce+fencermbonceonce.litmus", """
        LISA MP+fencewmbonceonce+fencermbonceonce
        {}
         P0             | P1              ;
         w[once] buf 1  | r[once] r0 flag ;
         f[wmb]         | f[rmb]          ;
         w[once] flag 1 | r[once] r1 buf  ;
        exists (1:r0=1 /\\ 1:r1=0)
        """),
    "SB+fencembonceonces": ("SB+fencembonceonces.litmus", """
        LISA SB+fencembonceonces
        {}
         P0           | P1           ;
         w[once] x 1  | w[once] y 1  ;
         f[mb]        | f[mb]        ;
         r[once] r0 y | r[once] r0 x ;
        exists (0:r0=0 /\\ 1:r0=0)
        """),
    "SB+poonceonces": ("SB+poonceonces.litmus", """
        LISA SB+poonceonces
        {}
         P0           | P1           ;
         w[once] x 1  | w[once] y 1  ;
         r[once] r0 y | r[once] r0 x ;
        exists (0:r0=0 /\\ 1:r0=0)
        """),
    "SB+rfionceonce-poonceonces": ("SB+rfionceonce-poonceonces.litmus", """
        LISA SB+rfionceonce-poonceonces
        {}
         P0           | P1           ;
         w[once] x 1  | w[once] y 1  ;
         r[once] r1 x | r[once] r3 y ;
         r[once] r2 y | r[once] r4 x ;
        locations [0:r1; 1:r3; x; y]
        exists (0:r2=0 /\\ 1:r4=0)
        """),
    "LB+poonceonces": ("LB+poonceonces.litmus", """
        LISA LB+poonceonces
        {}
         P0           | P1           ;
         r[once] r0 x | r[once] r0 y ;
         w[once] y 1  | w[once] x 1  ;
        exists (0:r0=1 /\\ 1:r0=1)
        """),
    "LB+poacquireonce+pooncerelease": ("LB+poacquireonce+pooncerelease.litmus", """
        LISA LB+poacquireonce+pooncerelease
        {}
         P0             | P1              ;
         r[once] r0 x   | r[acquire] r0 y ;
         w[release] y 1 | w[once] x 1     ;
        exists (0:r0=1 /\\ 1:r0=1)
        """),
    "LB+ctrlonceonce+mbonceonce": ("LB+ctrlonceonce+mbonceonce.litmus", """
        LISA LB+ctrlonceonce+mbonceonce
        {}
         P0                | P1           ;
         r[once] r0 x      | r[once] r0 y ;
         mov r9 (eq r0 0)  | f[mb]        ;
         b[] r9 SKIP       | w[once] x 1  ;
         w[once] y 1       |              ;
         SKIP:             |              ;
        exists (0:r0=1 /\\ 1:r0=1)
        """),
    "LB+datas": ("""
        C LB+datas
        {}
        P0(int *x, int *y) { int r0; r0 = READ_ONCE(*x); WRITE_ONCE(*y, r0); }
        P1(int *x, int *y) { int r0; r0 = READ_ONCE(*y); WRITE_ONCE(*x, r0 + 1); }
        exists (0:r0=1 /\\ 1:r0=1)
        """, """
        LISA LB+datas
        {}
         P0           | P1                ;
         r[once] r0 x | r[once] r0 y      ;
         w[once] y r0 | mov r9 (add r0 1) ;
                      | w[once] x r9      ;
        exists (0:r0=1 /\\ 1:r0=1)
        """),
    "LB+addrs": ("""
        C LB+addrs
        {}
        P0(int *x, int *y) { int r0; r0 = READ_ONCE(*x); WRITE_ONCE(*(y + (r0 & 0)), 1); }
        P1(int *x, int *y) { int r0; r0 = READ_ONCE(*y); WRITE_ONCE(*(x + (r0 - r0)), 1); }
        exists (0:r0=1 /\\ 1:r0=1)
        """, """
        LISA LB+addrs
        {}
         P0                 | P1                 ;
         r[once] r0 x       | r[once] r0 y       ;
         mov r9 (and r0 0)  | mov r9 (xor r0 r0) ;
         w[once] y+r9 1     | w[once] x+r9 1     ;
        exists (0:r0=1 /\\ 1:r0=1)
        """),
    "WRC+pooncerelease+fencermbonceonce+Once": ("WRC+pooncerelease+fencermbonceonce+Once.litmus", """
        LISA WRC+pooncerelease+fencermbonceonce+Once
        {}
         P0          | P1             | P2           ;
         w[once] x 1 | r[once] r0 x   | r[once] r0 y ;
                     | w[release] y 1 | f[rmb]       ;
                     |                | r[once] r1 x ;
        exists (1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0)
        """),
    "WRC+poonceonces+Once": ("WRC+poonceonces+Once.litmus", """
        LISA WRC+poonceonces+Once
        {}
         P0          | P1           | P2           ;
         w[once] x 1 | r[once] r0 x | r[once] r0 y ;
                     | w[once] y 1  | r[once] r1 x ;
        exists (1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0)
        """),
    "ISA2+pooncerelease+poacquirerelease+poacquireonce": (
        "ISA2+pooncerelease+poacquirerelease+poacquireonce.litmus", """
        LISA ISA2+pooncerelease+poacquirerelease+poacquireonce
        {}
         P0             | P1              | P2              ;
         w[once] x 1    | r[acquire] r0 y | r[acquire] r0 z ;
         w[release] y 1 | w[release] z 1  | r[once] r1 x    ;
        exists (1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0)
        """),
    "ISA2+poonceonces": ("ISA2+poonceonces.litmus", """
        LISA ISA2+poonceonces
        {}
         P0          | P1           | P2           ;
         w[once] x 1 | r[once] r0 y | r[once] r0 z ;
         w[once] y 1 | w[once] z 1  | r[once] r1 x ;
        exists (1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0)
        """),
    "IRIW+fencembonceonces+OnceOnce": ("IRIW+fencembonceonces+OnceOnce.litmus", """
        LISA IRIW+fencembonceonces+OnceOnce
        {}
         P0          | P1           | P2          | P3           ;
         w[once] x 1 | r[once] r0 x | w[once] y 1 | r[once] r0 y ;
                     | f[mb]        |             | f[mb]        ;
                     | r[once] r1 y |             | r[once] r1 x ;
        exists (1:r0=1 /\\ 1:r1=0 /\\ 3:r0=1 /\\ 3:r1=0)
        """),
    "R+fencembonceonces": ("R+fencembonceonces.litmus", """
        LISA R+fencembonceonces
        {}
         P0          | P1           ;
         w[once] x 1 | w[once] y 2  ;
         f[mb]       | f[mb]        ;
         w[once] y 1 | r[once] r0 x ;
        exists (y=2 /\\ 1:r0=0)
        """),
    "S+fencewmbonceonce+poacquireonce": ("S+fencewmbonceonce+poacquireonce.litmus", """
        LISA S+fencewmbonceonce+poacquireonce
        {}
         P0          | P1              ;
         w[once] x 2 | r[acquire] r0 y ;
         f[wmb]      | w[once] x 1     ;
         w[once] y 1 |                 ;
        exists (x=2 /\\ 1:r0=1)
        """),
    "Z6.0+pooncerelease+poacquirerelease+fencembonceonce": (
        "Z6.0+pooncerelease+poacquirerelease+fencembonceonce.litmus", """
        LISA Z6.0+pooncerelease+poacquirerelease+fencembonceonce
        {}
         P0             | P1              | P2           ;
         w[once] x 1    | r[acquire] r0 y | w[once] z 2  ;
         w[release] y 1 | w[release] z 1  | f[mb]        ;
                        |                 | r[once] r1 x ;
        exists (1:r0=1 /\\ z=2 /\\ 2:r1=0)
        """),
    "CoRR+poonceonce+Once": ("CoRR+poonceonce+Once.litmus", """
        LISA CoRR+poonceonce+Once
        {}
         P0          | P1           ;
         w[once] x 1 | r[once] r0 x ;
                     | r[once] r1 x ;
        exists (1:r0=1 /\\ 1:r1=0)
        """),
    "CoWW+poonceonce": ("CoWW+poonceonce.litmus", """
        LISA CoWW+poonceonce
        {}
         P0          ;
         w[once] x 1 ;
         w[once] x 2 ;
        exists (x=1)
        """),
    "MP+onceassign+derefonce": ("MP+onceassign+derefonce.litmus", """
        LISA MP+onceassign+derefonce
        { p = y; y = 0; }
         P0              | P1            ;
         w[once] x 1     | f[rcu-lock]   ;
         mov r9 x        | r[once] r0 p  ;
         w[release] p r9 | r[once] r1 r0 ;
                         | f[rcu-unlock] ;
        exists (1:r0=x /\\ 1:r1=0)
        """),
    "RCU-MP": ("""
        C RCU-MP
        {}
        P0(int *x, int *y) { WRITE_ONCE(*x, 1); synchronize_rcu(); WRITE_ONCE(*y, 1); }
        P1(int *x, int *y) { int r0; int r1; rcu_read_lock(); r0 = READ_ONCE(*y);
                             r1 = READ_ONCE(*x); rcu_read_unlock(); }
        exists (1:r0=1 /\\ 1:r1=0)
        """, """
        LISA RCU-MP
        {}
         P0          | P1            ;
         w[once] x 1 | f[rcu-lock]   ;
         f[sync-rcu] | r[once] r0 y  ;
         w[once] y 1 | r[once] r1 x  ;
                     | f[rcu-unlock] ;
        exists (1:r0=1 /\\ 1:r1=0)
        """),
    "SB+xchgs": ("""
        C SB+xchgs
        {}
        P0(int *x, int *y) { int r0; int r1; r0 = xchg(x, 1); r1 = READ_ONCE(*y); }
        P1(int *x, int *y) { int r0; int r1; r0 = xchg(y, 1); r1 = READ_ONCE(*x); }
        exists (0:r1=0 /\\ 1:r1=0)
        """, """
        LISA SB+xchgs
        {}
         P0                 | P1                 ;
         f[mb]              | f[mb]              ;
         rmw[once] r0 1 x   | rmw[once] r0 1 y   ;
         f[mb]              | f[mb]              ;
         r[once] r1 y       | r[once] r1 x       ;
        exists (0:r1=0 /\\ 1:r1=0)
        """),
    "SB+xchg_relaxeds": ("""
        C SB+xchg_relaxeds
        {}
        P0(int *x, int *y) { int r0; int r1; r0 = xchg_relaxed(x, 1); r1 = READ_ONCE(*y); }
        P1(int *x, int *y) { int r0; int r1; r0 = xchg_relaxed(y, 1); r1 = READ_ONCE(*x); }
        exists (0:r1=0 /\\ 1:r1=0)
        """, """
        LISA SB+xchg_relaxeds
        {}
         P0                 | P1                 ;
         rmw[once] r0 1 x   | rmw[once] r0 1 y   ;
         r[once] r1 y       | r[once] r1 x       ;
        exists (0:r1=0 /\\ 1:r1=0)
        """),
    "fetch_add-atomicity": ("""
        C fetch_add-atomicity
        { x = 0; }
        P0(int *x) { int r0; r0 = atomic_fetch_add_relaxed(1, x); }
        P1(int *x) { int r0; r0 = atomic_fetch_add_relaxed(1, x); }
        exists (0:r0=0 /\\ 1:r0=0)
        """, """
        LISA fetch_add-atomicity
        { x = 0; }
         P0                         | P1                         ;
         rmw[once] r0 (add r0 1) x  | rmw[once] r0 (add r0 1) x  ;
        exists (0:r0=0 /\\ 1:r0=0)
        """),
}


def _configs():
    model = LKMM / "model"
    return {
        "official": dict(conf=str(model / "linux-kernel.cfg"), includes=[str(model)], timeout=60),
        "builtin": dict(model="lkmm", timeout=60),
    }


def _states(res):
    from weakmem.report.herd import state_line
    return sorted(state_line(s) for s in res.states)


@pytest.mark.parametrize("config", ["official", "builtin"])
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_lisa_matches_c(tmp_path, name, config):
    if config == "official":
        need_shared()
    c_src, lisa_src = PAIRS[name]
    if c_src.endswith(".litmus"):
        need_shared()
        c_path = LKMM / "litmus-tests" / c_src
    else:
        c_path = write(tmp_path, name + "-C", c_src)
    lisa_path = write(tmp_path, name + "-LISA", lisa_src)
    opts = _configs()[config]
    c = run_file(c_path, **opts)
    lisa = run_file(lisa_path, **opts)
    assert not c.undetermined and not lisa.undetermined
    assert lisa.verdict.observation == c.verdict.observation
    assert _states(lisa) == _states(c)
    assert (lisa.pos, lisa.neg) == (c.pos, c.neg)
    assert lisa.flags == c.flags


def test_lisa_expected_verdicts(tmp_path):
    """The classic shapes give the kernel's documented answers (no ../shared needed)."""
    expect = {"MP+pooncerelease+poacquireonce": "Never", "MP+poonceonces": "Sometimes",
              "SB+fencembonceonces": "Never", "SB+poonceonces": "Sometimes", "LB+datas": "Never",
              "LB+addrs": "Never", "LB+poonceonces": "Sometimes", "LB+ctrlonceonce+mbonceonce": "Never",
              "WRC+poonceonces+Once": "Sometimes", "IRIW+fencembonceonces+OnceOnce": "Never",
              "RCU-MP": "Never", "SB+xchgs": "Never", "SB+xchg_relaxeds": "Sometimes",
              "fetch_add-atomicity": "Never", "MP+onceassign+derefonce": "Never"}
    for name, want in expect.items():
        res = run_file(write(tmp_path, name, PAIRS[name][1]), model="lkmm")
        assert res.verdict.observation == want, name


# ----------------------------------------------------------------------------
# the pmk-manual LISA tests (herd7 7.58 rejects them all under the LKMM)
# ----------------------------------------------------------------------------

def _pmk_lisa():
    import json
    p = SHARED / "reference" / "pmk-manual.jsonl"
    if not p.exists():
        return []
    out = []
    for line in p.read_text().splitlines():
        if not line.strip():
            continue
        ref = json.loads(line)
        f = SHARED / "corpus" / "pmk-manual" / ref["file"]
        try:
            head = f.read_text(errors="replace").split(None, 1)[0]
        except OSError:
            continue
        if head == "LISA":
            out.append(ref)
    return out


PMK_LISA = _pmk_lisa()


def _herd_annotation_error(err: str) -> str | None:
    """herd7's annotation error as weakmem prints it (one line), or None."""
    import re
    m = re.search(r"annotation error, (instruction '.*' does not match bell declarations)\n(.*)", err or "")
    if m is None:
        return None
    decl = re.sub(r" \(User e.*$|\s*\(User error\)$", "", m.group(2))
    return f"annotation error, {m.group(1)} {decl}"


@pytest.mark.parametrize("config", ["official", "builtin"])
def test_pmk_manual_lisa(config):
    """Every pmk-manual LISA test: herd7 7.58 rejects 148 for their
    annotations (r[lderef], f[rb_dep], f[sync], w[assign]...), and weakmem
    gives the same message at the instruction's position; the other 26 pass
    the bell check, and herd7 then stops in lock.cat ("unbound var: LKR",
    LISA has no lock events), where weakmem runs them (docs/lisa.md)."""
    shared = need_shared()
    assert len(PMK_LISA) == 174
    opts = _configs()[config]
    rejected = ran = 0
    for ref in PMK_LISA:
        path = shared / "corpus" / "pmk-manual" / ref["file"]
        want = _herd_annotation_error(ref.get("error"))
        try:
            res = run_file(path, **opts)
        except WeakmemError as e:
            msg = str(e)
            assert want is not None, f"{ref['file']}: unexpected error {msg}"
            assert msg.startswith(f"{path}:") and ": error: annotation error, instruction '" in msg, msg
            assert "\n" not in msg
            got = msg.split(": error: ", 1)[1]
            assert got.startswith(want), f"{ref['file']}: {got!r} != herd7 {want!r}"
            rejected += 1
            continue
        assert want is None, f"{ref['file']}: herd7 rejects it: {want}"
        assert "unbound var: LKR" in ref["error"]
        assert not res.undetermined and res.verdict.observation in ("Never", "Sometimes", "Always")
        ran += 1
    assert (rejected, ran) == (148, 26)
