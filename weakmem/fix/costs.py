"""What a change costs on each CPU.

The instructions come from the matrix (weakmem.matrix.mappings, through
the compilation `weakmem matrix` does): a fix's cost on a target is the
weight of the patched test's compiled code minus that of the original, so
`smp_mb__after_rmw()` costs nothing on x86 (QEMU defines it as a compiler
barrier there), a `DMB ISH` on Arm and a `sync` on POWER, and
`qatomic_set_mb()` an XCHG on x86 (a locked instruction replacing a MOV).

Weights are relative, an ordinal scale (docs/fix.md gives the reasons and
sources), per instruction:

    4  full fence: MFENCE, x86 locked instructions (XCHG with memory, LOCK
       prefix), DMB ISH / DMB SY / DSB, POWER sync (hwsync), RISC-V fence
       whose predecessor and successor sets both hold r and w
    3  an atomic read-modify-write's exclusive access (LDXR/LDAXR, LDREX,
       lwarx/ldarx, LSE SWP/LDADD/CAS/ST<op>, RISC-V lr and amo), counted once
    2  partial fence: DMB ISHLD / ISHST (and LD/ST/OSH* forms), lwsync,
       eieio, isync, ISB, any other RISC-V fence (fence r,r / w,w / r,rw /
       rw,w / fence.tso)
    1  per acquire or release attached to an access: LDAR, LDAPR, STLR,
       the A/L of LDAXR, STLXR and LSE forms, RISC-V .aq / .rl
    0  plain loads and stores, ALU, compares, branches, labels, compiler
       barriers
"""
from __future__ import annotations

import re

FULL, RMW, PARTIAL, ORDER = 4, 3, 2, 1

_X86_LOCKED = re.compile(r"^(lock\b|xchg\w*\s+%\w+\s*,\s*-?\d*\(|xchg\w*\s+.*\()", re.I)


def _x86(ins: str) -> int:
    s = ins.strip().lower()
    if s.startswith("mfence"):
        return FULL
    if s.startswith("lock") or (s.startswith("xchg") and "(" in s) or (s.startswith("xchg") and "[" in s):
        return FULL          # a locked instruction is a full barrier (Intel SDM vol. 3A, 9.2.2)
    if s.startswith(("lfence", "sfence")):
        return PARTIAL
    return 0


def _aarch64(ins: str) -> int:
    s = ins.strip().upper()
    op = s.split()[0] if s else ""
    if op in ("DMB", "DSB"):
        opt = s.split()[1].rstrip(";") if len(s.split()) > 1 else "SY"
        return PARTIAL if opt.endswith(("LD", "ST")) else FULL
    if op == "ISB":
        return PARTIAL
    if re.fullmatch(r"LD(A)?XR[BH]?|LDAXP|LDXP", op):
        return RMW + (ORDER if "A" in op[2:3] else 0)
    if re.fullmatch(r"ST(L)?XR[BH]?|STLXP|STXP", op):
        return ORDER if op.startswith("STL") else 0
    m = re.fullmatch(r"(SWP|CAS|LD(ADD|CLR|EOR|SET|SMAX|SMIN|UMAX|UMIN)|ST(ADD|CLR|EOR|SET))(A?L?)([BH]?)", op)
    if m:
        return RMW + len(m.group(4))
    if op in ("LDAR", "LDAPR", "STLR", "LDARB", "LDARH", "STLRB", "STLRH", "LDAPRB", "LDAPRH"):
        return ORDER
    return 0


def _armv7(ins: str) -> int:
    s = ins.strip().upper()
    op = s.split()[0] if s else ""
    if op in ("DMB", "DSB"):
        opt = s.split()[1] if len(s.split()) > 1 else "SY"
        return PARTIAL if opt.endswith("ST") else FULL
    if op == "ISB":
        return PARTIAL
    if op.startswith("LDREX"):
        return RMW
    return 0


def _power(ins: str) -> int:
    op = ins.strip().split()[0].lower() if ins.strip() else ""
    if op in ("sync", "hwsync"):
        return FULL
    if op in ("lwsync", "eieio", "isync"):
        return PARTIAL
    if op in ("lwarx", "ldarx", "lbarx", "lharx"):
        return RMW
    return 0


def _riscv(ins: str) -> int:
    s = ins.strip().lower()
    op = s.split()[0] if s else ""
    if op == "fence":
        args = s[len("fence"):].replace(" ", "")
        pred, _, succ = args.partition(",")
        if not args:
            return FULL
        return FULL if {"r", "w"} <= set(pred) and {"r", "w"} <= set(succ) else PARTIAL
    if op in ("fence.tso", "fence.i"):
        return PARTIAL
    base = op.split(".")[0]
    sfx = op.split(".")[2:] if len(op.split(".")) > 2 else []
    order = sum(ORDER * (("aq" in x) + ("rl" in x)) for x in sfx)
    if base == "lr" or base.startswith("amo"):
        return RMW + order
    if base == "sc":
        return order
    return 0


WEIGHT = {"x86": _x86, "aarch64": _aarch64, "armv7": _armv7, "power": _power, "riscv": _riscv}


def weight(isa: str, ins: str) -> int:
    if not ins or ins.rstrip().endswith(":"):
        return 0
    f = WEIGHT.get(isa)
    return f(ins) if f else 0


def code_cost(isa: str, lines) -> int:
    return sum(weight(isa, ins) for ins in lines)


def barrier_costs(dialect: str) -> dict[str, dict[str, int]]:
    """What each barrier of `dialect`'s menu costs on each CPU target, from
    the matrix's mapping table (docs/fix.md prints it)."""
    from weakmem.fix.menu import BARRIERS
    from weakmem.matrix import mappings as M
    from weakmem.matrix.api import TABLES, MEMORY_ORDERS
    out: dict[str, dict[str, int]] = {}
    for bar in BARRIERS.get(dialect, []):
        name = bar.name.split("(")[0]
        api = TABLES[dialect].get(name)
        if api is None:
            continue
        key = api.key
        if "{mo}" in key:
            key = key.replace("{mo}", MEMORY_ORDERS[bar.name.split("(")[1].rstrip(")")])
        out[bar.name] = {t.id: code_cost(t.isa, M.FENCES[t.isa][M.resolve(key)]) for t in M.TARGETS}
    return out
