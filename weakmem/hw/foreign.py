"""Litmus tests in another CPU's assembly (AArch64, Armv7, RISC-V).

This machine cannot run them, so `weakmem hw` refuses them -- unless asked
for the harness (`--emit-c DIR`), which is then generated here to be built
and run on such a machine (docs/hw.md).  Each thread's instructions go into
GCC inline assembly as written (the syntax of herd7's tests for these CPUs
is the GNU assembler's), with

* every register the thread names bound to that register through a local
  `register uint64_t ... asm("x1")` variable, initialised from the init
  block (addresses of the instance's locations) and copied out afterwards;
* labels renamed to local labels unique per asm instance (`%=`).

Registers the compiler needs (stack, frame, link, platform registers) are
refused with the instruction's line.  POWER is refused: its tests write
registers as r1, r2..., which neither GCC's register variables nor the
assembler (without -mregnames) accept as such, and r1/r2 are the stack and
TOC pointers.
"""
from __future__ import annotations

import platform
import re
from dataclasses import dataclass

from weakmem.errors import LitmusError, Pos
from weakmem.hw.harness import Builder, Harness, c_ident, finish, line_directive
from weakmem.litmus import ast as A


@dataclass(frozen=True)
class Isa:
    regex: str                       # a register name in an instruction
    canon: object                    # match -> GCC's name of the full register
    reserved: frozenset[str]         # GCC's names the test may not use
    why: str


def _a64(m: re.Match) -> str | None:
    kind, n = m.group(1).upper(), m.group(2)
    return f"x{int(n)}"


def _arm(m: re.Match) -> str | None:
    return f"r{int(m.group(1))}"


_RV_ABI = {"zero": 0, "ra": 1, "sp": 2, "gp": 3, "tp": 4, "t0": 5, "t1": 6, "t2": 7, "s0": 8, "fp": 8,
           "s1": 9, **{f"a{i}": 10 + i for i in range(8)}, **{f"s{i}": 16 + i for i in range(2, 12)},
           **{f"t{i}": 25 + i for i in range(3, 7)}}


def _rv(m: re.Match) -> str | None:
    name = m.group(0).lower()
    if name.startswith("x") and name[1:].isdigit():
        return f"x{int(name[1:])}"
    return f"x{_RV_ABI[name]}"


ISAS = {
    "AArch64": Isa(r"\b([XWxw])([0-9]|[12][0-9]|30)\b", _a64,
                   frozenset({"x18", "x29", "x30"}), "platform, frame and link registers"),
    "ARM": Isa(r"\b[Rr]([0-9]|1[0-5])\b", _arm,
               frozenset({"r11", "r13", "r14", "r15"}), "frame, stack, link registers and pc"),
    "RISCV": Isa(r"\b(x([0-9]|[12][0-9]|3[01])|zero|ra|sp|gp|tp|fp|t[0-6]|s([0-9]|1[01])|a[0-7])\b", _rv,
                 frozenset({"x1", "x2", "x3", "x4", "x8"}), "return address, stack, global, thread and frame "
                 "registers"),
}


def build_foreign(test: A.Litmus, emit: bool = False) -> Harness:
    isa = ISAS.get(test.arch)
    if not emit or isa is None:
        why = ("only with --emit-c DIR, to build and run on such a machine" if isa is not None
               else "its harness cannot be generated either (see docs/hw.md)")
        raise LitmusError(f"{test.arch} assembly cannot run on this {platform.machine()} machine; "
                          f"{why}", test.pos or Pos(test.path))
    b = Builder(test)
    b.init_locations()
    b.slots()
    pat = re.compile(isa.regex)
    for th in test.threads:
        if not isinstance(th, A.AsmThread):
            raise LitmusError(f"expected {test.arch} assembly", Pos(test.path))
        b.thread_code.append(_thread(b, test, th, isa, pat))
    return finish(b, f"{test.arch} assembly")


def _thread(b: Builder, test: A.Litmus, th: A.AsmThread, isa: Isa, pat: re.Pattern) -> str:
    labels = {ai.label for ai in th.code if ai.label}
    regs: dict[str, str] = {}         # GCC name -> C variable

    def reg(name: str, pos) -> str:
        if name in isa.reserved:
            raise LitmusError(f"register {name} is one of the compiler's ({isa.why}); the harness "
                              "cannot give it to the test", pos or Pos(test.path))
        regs.setdefault(name, f"wm_{name}")
        return name

    lines: list[tuple[object, str]] = []
    for ai in th.code:
        if ai.label:
            lines.append((None, f".Lwm_{c_ident(ai.label)}_%=:"))
        text = ai.text.strip()
        if not text:
            continue
        for m in pat.finditer(text):
            reg(isa.canon(m), ai.pos)
        text = text.replace("%", "%%")
        for lab in labels:
            text = re.sub(rf"\b{re.escape(lab)}\b", f".Lwm_{c_ident(lab)}_%=", text)
        lines.append((ai.pos, text))
    inits = {}
    for it in test.init:
        if isinstance(it.target, A.RegTerm) and it.target.tid == th.tid:
            m = pat.fullmatch(it.target.reg)
            if m is None:
                raise LitmusError(f"unknown register {it.target.reg}", it.pos or Pos(test.path))
            inits[reg(isa.canon(m), it.pos)] = it.value
    outs = {}
    for (tid, r) in sorted(b.reg_outputs):
        if tid == th.tid:
            m = pat.fullmatch(r)
            if m is None:
                raise LitmusError(f"unknown register {r}", Pos(test.path))
            outs[r] = reg(isa.canon(m), None)
    out: list[str] = []
    w = out.append
    w(f"/* {th.name}: " + " ; ".join(ai.text.strip() for ai in th.code if ai.text.strip()).replace("*/", "* /")
      + " */")
    w(f"static __attribute__((noinline)) void wm_P{th.tid}(long wm_i)")
    w("{")
    for name in sorted(regs):
        v = inits.get(name)
        val = "0" if v is None else b.value_expr(v)
        w(f'\tregister uint64_t {regs[name]} __asm__("{name}") = (uint64_t)({val});')
    w("\t__asm__ __volatile__(")
    for pos, text in lines:
        d = line_directive(pos)
        if d:
            w(d)
            b.line_cols.setdefault(pos.line, pos.col)
        w(f'\t\t"{text}\\n\\t"')
    w("#line WM_RESET")
    w("\t\t: " + ", ".join(f'"+r"({regs[n]})' for n in sorted(regs)))
    w("\t\t:")
    w('\t\t: "memory", "cc");')
    for r, name in outs.items():
        w(f"\twm_out_{th.tid}_{c_ident(r)}[wm_i] = (int64_t){regs[name]};")
    w("}")
    w("")
    return "\n".join(out)
