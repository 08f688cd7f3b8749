"""Where an assembly litmus test can be changed: the CPU's fences between two
memory instructions of a thread, and AArch64's acquire/release forms.

A fence is inserted as a new row of the code table, empty in every other
thread's column, so the other threads keep their instructions in order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from weakmem.arch import arch_isa
from weakmem.fix.menu import FULL
from weakmem.fix.sites import Change, useful_tokens

# (mnemonic as inserted, strength) per architecture
FENCES = {
    "X86": [("MFENCE", FULL)],
    "X86_64": [("mfence", FULL)],
    "AArch64": [("DMB ISHST", frozenset({"ww"})), ("DMB ISHLD", frozenset({"rr", "rw"})), ("DMB ISH", FULL)],
    "ARM": [("DMB ST", frozenset({"ww"})), ("DMB", FULL)],
    "PPC": [("lwsync", frozenset({"rr", "rw", "ww"})), ("sync", FULL)],
    "RISCV": [("fence w,w", frozenset({"ww"})), ("fence r,r", frozenset({"rr"})),
              ("fence r,rw", frozenset({"rr", "rw"})), ("fence rw,w", frozenset({"rw", "ww"})),
              ("fence.tso", frozenset({"rr", "rw", "ww"})), ("fence rw,rw", FULL)],
}

_FENCE_RE = re.compile(r"^(mfence|lfence|sfence|dmb|dsb|isb|sync|lwsync|hwsync|eieio|isync|fence)\b", re.I)
# AArch64: plain LDR/STR of one register through a base register, and their ordered forms
_A64_LDR = re.compile(r"^LDR\s+([WX]\d+)\s*,\s*\[\s*(X\d+)\s*\]$", re.I)
_A64_STR = re.compile(r"^STR\s+([WX]\d+)\s*,\s*\[\s*(X\d+)\s*\]$", re.I)


def access_kind(arch: str, text: str) -> str:
    """'r', 'w', 'rw' or '' for one instruction."""
    s = text.strip()
    if not s or _FENCE_RE.match(s):
        return ""
    op = s.split()[0].lower()
    if arch_isa(arch) == "x86":
        if op.startswith("lea") or not re.search(r"[\[(]", s):
            return ""
        if op.startswith(("xchg", "lock", "xadd", "cmpxchg")):
            return "rw"
        ops = s[len(op):]
        first = ops.split(",")[0]
        # Intel (X86): MOV dst,src; AT&T (X86_64): mov src,dst
        if arch == "X86":
            return "w" if "[" in first else "r"
        return "r" if "(" in first else "w"
    if arch == "AArch64":
        if op.startswith(("swp", "cas", "ldadd", "ldclr", "ldeor", "ldset", "stadd", "stclr", "steor", "stset")):
            return "rw"
        if op.startswith("ld"):
            return "r"
        if op.startswith("st"):
            return "w"
        return ""
    if arch == "ARM":
        return "r" if op.startswith("ldr") else "w" if op.startswith("str") else ""
    if arch == "PPC":
        if re.fullmatch(r"l(bz|hz|wz|d|wa|wa?z?)u?x?|l[bhwd]arx", op):
            return "r"
        if re.fullmatch(r"st[bhwd](u|x|ux|cx\.)?", op):
            return "w"
        return ""
    if arch == "RISCV":
        if re.fullmatch(r"l[bhwd]u?", op) or op.startswith("lr."):
            return "r"
        if re.fullmatch(r"s[bhwd]", op) or op.startswith("sc."):
            return "w"
        if op.startswith("amo"):
            return "rw"
    return ""


@dataclass
class AsmSites:
    lines: list[str]
    changes: list[Change]
    fences: list[tuple[int, object]]          # (thread, AsmInstr) existing fences
    ordered: list[tuple[int, object, str]]    # (thread, AsmInstr, weaker text)


def _row(nthreads: int, tid: int, text: str) -> str:
    cells = [""] * nthreads
    cells[tid] = text
    return " " + " | ".join(cells) + " ;"


def collect_asm(test, text: str) -> AsmSites:
    lines = text.split("\n")
    arch = test.arch
    n = len(test.threads)
    menu = FENCES.get(arch, [])
    changes: list[Change] = []
    fences, ordered = [], []
    for th in test.threads:
        code = [i for i in th.code if i.pos is not None]
        kinds = [access_kind(arch, i.text) for i in code]
        acc = [k for k, kd in enumerate(kinds) if kd]
        for a, b in zip(acc, acc[1:]):
            between = code[a + 1:b]
            if any(_FENCE_RE.match(i.text.strip()) for i in between):
                continue
            line = code[b].pos.line
            if any(i.pos.line == line for i in code[:b]):
                continue
            before = "".join(kinds[:b])
            after = "".join(kinds[b:])
            for name, strength in menu:
                if useful_tokens(strength, set(before), set(after)):
                    changes.append(Change(th.tid, line, "insert", name, name=name, strength=strength,
                                          position=("gap", th.tid, line), row=_row(n, th.tid, name)))
        for k, ins in enumerate(code):
            s = ins.text.strip()
            if _FENCE_RE.match(s):
                fences.append((th.tid, ins))
            if arch != "AArch64":
                continue
            pos = ("call", th.tid, ins.pos.line, ins.pos.col)
            # (no position filter: STLR followed by LDAR is ordered on AArch64, RCsc)
            m = _A64_LDR.match(s)
            if m and len(acc) > 1:
                changes.append(Change(th.tid, ins.pos.line, "replace", f"LDAR {m.group(1)},[{m.group(2)}]", old=s,
                                      col=ins.pos.col, name="LDAR", strength=frozenset({"acq"}), position=pos))
            m = _A64_STR.match(s)
            if m and len(acc) > 1:
                changes.append(Change(th.tid, ins.pos.line, "replace", f"STLR {m.group(1)},[{m.group(2)}]", old=s,
                                      col=ins.pos.col, name="STLR", strength=frozenset({"rel"}), position=pos))
            m = re.match(r"^(LDAR|STLR)\s+(.*)$", s, re.I)
            if m:
                ordered.append((th.tid, ins, ("LDR " if m.group(1).upper() == "LDAR" else "STR ") + m.group(2)))
    return AsmSites(lines, changes, fences, ordered)


def weakenings(sites: AsmSites) -> list[tuple[Change, str]]:
    out = []
    for tid, ins in sites.fences:
        s = ins.text.strip()
        out.append((Change(tid, ins.pos.line, "replace", "", old=s, col=ins.pos.col,
                           position=("call", tid, ins.pos.line, ins.pos.col)), f"remove {s}"))
    for tid, ins, weaker in sites.ordered:
        s = ins.text.strip()
        out.append((Change(tid, ins.pos.line, "replace", weaker, old=s, col=ins.pos.col,
                           position=("call", tid, ins.pos.line, ins.pos.col)), f"{s} -> {weaker}"))
    return out
