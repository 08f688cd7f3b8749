"""AArch64 litmus tests of classic shapes, in the manner of diy.

`generate(shape, threads)` writes a test of a classic shape (MP, SB, LB,
S, R, 2+2W, WRC, ISA2, IRIW, RWC, CoRR...) where every access is given a
flavour (plain, acquire, release, exclusive pair, SWP, LDADD, CAS...) and
consecutive accesses of a thread are separated by a decoration (nothing,
a DMB/DSB/ISB, an address/data/control/pick dependency, a dependency
through memory...).  `sample(n, seed)` draws n such tests at random.  They
exercise every clause of the AArch64 model: tests/test_aarch64_models.py
checks that weakmem's aarch64.cat and herd7's agree on them.
"""
from __future__ import annotations

import random

from asm_shapes import SHAPES

READS = ["ldr", "ldar", "ldapr", "ldxr", "swp", "swpa", "ldadd", "ldadda", "casa", "cas-fail"]
WRITES = ["str", "stlr", "stxr", "swp", "swpl", "stadd", "staddl", "cas", "casl"]
DECOS = ["po", "dmb.sy", "dmb.ld", "dmb.st", "dmb.ish", "dsb.sy", "dsb.ld", "isb", "addr", "data", "ctrl",
         "ctrlisb", "addrisb", "csel", "csel-data", "lrs", "rfi-ctrl", "po-loc"]


def applicable(deco: str, first: tuple, second: tuple) -> bool:
    if deco in ("addr", "ctrl", "ctrlisb", "addrisb", "csel", "lrs", "rfi-ctrl"):
        return first[0] == "R"
    if deco in ("data", "csel-data"):
        return first[0] == "R" and second[0] == "W"
    return True


class _T:
    def __init__(self, tid: int):
        self.tid = tid
        self.code: list[str] = []
        self.nreg = 0
        self.addr: dict[str, str] = {}
        self.res: dict[str, str] = {}
        self.labels = 0

    def reg(self) -> int:
        self.nreg += 1
        return 10 + self.nreg

    def areg(self, loc: str) -> str:
        if loc not in self.addr:
            self.addr[loc] = f"X{len(self.addr)}"
        return self.addr[loc]

    def label(self) -> str:
        self.labels += 1
        return f"LC{self.tid}{self.labels}"


def _value_reg(t: _T, v: int, dep: str | None, data: str | None) -> str:
    """A register holding v, made to depend on register `dep` when data is
    'data' (EOR trick) or 'csel' (a CSEL picking between equal values)."""
    r = t.reg()
    if dep is None:
        t.code.append(f"MOV W{r},#{v}")
        return f"W{r}"
    if data == "csel":
        k = t.reg()
        t.code.append(f"MOV W{k},#{v}")
        t.code.append(f"CMP {dep},#0")
        t.code.append(f"CSEL W{r},W{k},W{k},EQ")
        return f"W{r}"
    t.code.append(f"EOR W{r},{dep},{dep}")
    t.code.append(f"ADD W{r},W{r},#{v}")
    return f"W{r}"


def _addr(t: _T, loc: str, dep: str | None, how: str | None, simple: bool = False) -> str:
    """Address operand for loc, depending on register dep when asked;
    `simple`: the instruction only takes [Xn]."""
    base = t.areg(loc)
    if dep is None:
        return f"[{base}]"
    r = t.reg()
    if how == "csel":
        k = t.reg()
        t.code.append(f"MOV W{k},#0")
        t.code.append(f"CMP {dep},#0")
        t.code.append(f"CSEL W{r},W{k},W{k},NE")
    else:
        t.code.append(f"EOR W{r},{dep},{dep}")
    if simple:
        x = t.reg()
        t.code.append(f"ADD X{x},{base},W{r},SXTW")
        return f"[X{x}]"
    return f"[{base},W{r},SXTW]"


def _emit(t: _T, op: tuple, flavour: str, dep: str | None, how: str | None) -> str | None:
    """Emit one access; returns the register holding a read's value."""
    kind, loc = op[0], op[1]
    if kind == "W":
        v = op[2]
        data = how if how in ("data", "csel") else None
        vr = _value_reg(t, v, dep if data else None, data)
        a = _addr(t, loc, dep if how in ("addr",) else None, how, simple=flavour != "str")
        if flavour == "str":
            t.code.append(f"STR {vr},{a}")
        elif flavour == "stlr":
            t.code.append(f"STLR {vr},{a}")
        elif flavour == "stxr":
            r, s = t.reg(), t.reg()
            t.code.append(f"LDXR W{r},{a}")
            t.code.append(f"STXR W{s},{vr},{a}")
        elif flavour in ("swp", "swpl"):
            r = t.reg()
            t.code.append(f"{flavour.upper()} {vr},W{r},{a}")
        elif flavour in ("stadd", "staddl"):
            t.code.append(f"{flavour.upper()} {vr},{a}")
        elif flavour in ("cas", "casl"):
            r = t.reg()
            t.code.append(f"MOV W{r},#0")
            t.code.append(f"{flavour.upper()} W{r},{vr},{a}")
        return None
    res = op[2]
    a = _addr(t, loc, dep if how in ("addr", "csel") else None, how, simple=flavour != "ldr")
    r = t.reg()
    if flavour in ("ldr", "ldar", "ldapr", "ldxr"):
        t.code.append(f"{flavour.upper()} W{r},{a}")
    elif flavour in ("swp", "swpa"):
        k = t.reg()
        t.code.append(f"MOV W{k},#9")
        t.code.append(f"{flavour.upper()} W{k},W{r},{a}")
    elif flavour in ("ldadd", "ldadda"):
        k = t.reg()
        t.code.append(f"MOV W{k},#0")
        t.code.append(f"{flavour.upper()} W{k},W{r},{a}")
    elif flavour in ("casa", "cas-fail"):
        k = t.reg()
        t.code.append(f"MOV W{r},#{1 if flavour == 'casa' else 7}")
        t.code.append(f"MOV W{k},#{1 if flavour == 'casa' else 7}")
        t.code.append(f"{'CASA' if flavour == 'casa' else 'CAS'} W{r},W{k},{a}")
    t.res[res] = f"X{r}"
    return f"W{r}"


def generate(shape: str, threads: list[list[tuple[str, str]]], name: str | None = None) -> str:
    """threads[i] = [(flavour, deco-before), ...] per access of thread i
    (the first access's decoration is ignored)."""
    ops, cond = SHAPES[shape]
    ts: list[_T] = []
    for tid, (acc, spec) in enumerate(zip(ops, threads)):
        t = _T(tid)
        prev = None
        for k, op in enumerate(acc):
            flavour, deco = spec[k]
            dep = how = None
            if k > 0:
                if deco.startswith("dmb.") or deco.startswith("dsb."):
                    kind, opt = deco.split(".")
                    t.code.append(f"{kind.upper()} {opt.upper()}")
                elif deco == "isb":
                    t.code.append("ISB")
                elif deco in ("addr", "data", "csel", "csel-data") and prev is not None:
                    dep, how = prev, {"csel-data": "csel"}.get(deco, deco)
                    if deco == "data" and op[0] != "W":
                        how = "addr"
                elif deco in ("ctrl", "ctrlisb") and prev is not None:
                    lab = t.label()
                    t.code.append(f"CBNZ {prev},{lab}")
                    t.code.append(f"{lab}:")
                    if deco == "ctrlisb":
                        t.code.append("ISB")
                elif deco == "addrisb" and prev is not None:
                    r = t.reg()
                    t.code.append(f"EOR W{r},{prev},{prev}")
                    t.code.append(f"LDR W{t.reg()},[{t.areg('z')},W{r},SXTW]")
                    t.code.append("ISB")
                elif deco == "lrs" and prev is not None:
                    # prev -data-> store to z, then a load of z, then addr
                    r = t.reg()
                    t.code.append(f"STR {prev},[{t.areg('z')}]")
                    t.code.append(f"LDR W{r},[{t.areg('z')}]")
                    dep, how = f"W{r}", "addr"
                elif deco == "rfi-ctrl" and prev is not None:
                    r = t.reg()
                    t.code.append(f"STR {prev},[{t.areg('z')}]")
                    t.code.append(f"LDR W{r},[{t.areg('z')}]")
                    lab = t.label()
                    t.code.append(f"CBNZ W{r},{lab}")
                    t.code.append(f"{lab}:")
                elif deco == "po-loc":
                    t.code.append(f"LDR W{t.reg()},[{t.areg(op[1])}]")
            prev = _emit(t, op, flavour, dep, how)
        ts.append(t)
    init = []
    for t in ts:
        for loc, r in sorted(t.addr.items(), key=lambda kv: kv[1]):
            init.append(f"{t.tid}:{r}={loc};")
    res_of = {}
    for t in ts:
        for res, r in t.res.items():
            res_of[res] = f"{t.tid}:{r}"
    atoms = [f"{res_of[a]}={v}" if not a.startswith("[") else f"{a}={v}" for a, v in cond]
    width = max(8, max((len(l) for t in ts for l in t.code), default=8))
    n = max(len(t.code) for t in ts)
    rows = [" | ".join(f"P{t.tid}".ljust(width) for t in ts) + " ;"]
    for i in range(n):
        rows.append(" | ".join((t.code[i] if i < len(t.code) else "").ljust(width) for t in ts) + " ;")
    name = name or shape
    cond = " /\\ ".join(atoms)
    return (f"AArch64 {name}\n{{\n" + " ".join(init) + "\n}\n" + "\n".join(rows) +
            f"\nexists ({cond})\n")


def sample(n: int, seed: int = 0, shapes: list[str] | None = None) -> list[tuple[str, str]]:
    """n random tests (name, text), deterministic for a seed."""
    rnd = random.Random(seed)
    shapes = shapes or ["MP", "SB", "LB", "S", "R", "2+2W", "WRC", "ISA2", "IRIW", "RWC", "CoRR", "WRR+2W",
                        "WRW+2W", "W+RWC"]
    out = []
    for i in range(n):
        shape = shapes[i % len(shapes)]
        ops, _ = SHAPES[shape]
        threads = []
        for acc in ops:
            spec = []
            for k, op in enumerate(acc):
                fl = rnd.choice(WRITES if op[0] == "W" else READS)
                decos = [d for d in DECOS if k == 0 or applicable(d, acc[k - 1], op)]
                spec.append((fl, rnd.choice(decos)))
            threads.append(spec)
        out.append((f"{shape}-{seed}-{i}", generate(shape, threads, f"{shape}-{seed}-{i}")))
    return out
