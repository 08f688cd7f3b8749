"""Classic litmus shapes for the assembly front-ends, in the manner of diy.

`generate(arch, shape, decorations)` writes an ARM, PPC or RISC-V litmus
test of a classic shape (MP, SB, LB, S, R, 2+2W, WRC, ISA2, IRIW, RWC,
W+RWC, WRR+2W, WRW+2W, CoRR) whose consecutive accesses in a thread are
separated by a decoration: nothing (`po`), a fence, an address, data or
control dependency (`ctrl` + `isync`/`isb` for `ctrlisync`), or RISC-V
acquire/release annotations.  `all_tests(arch)` enumerates every shape
with every applicable decoration.  The tests check the front-ends and
compare models (tests/test_*_models.py): each decoration is a feature of
the architecture that some model axiom is about.
"""
from __future__ import annotations

import itertools

# A shape: threads of accesses ("W", loc, value) / ("R", loc, result-name),
# and the final condition as (result-name or "[loc]", value) atoms.
SHAPES: dict[str, tuple[list[list[tuple]], list[tuple]]] = {
    "MP": ([[("W", "x", 1), ("W", "y", 1)], [("R", "y", "a"), ("R", "x", "b")]], [("a", 1), ("b", 0)]),
    "SB": ([[("W", "x", 1), ("R", "y", "a")], [("W", "y", 1), ("R", "x", "b")]], [("a", 0), ("b", 0)]),
    "LB": ([[("R", "x", "a"), ("W", "y", 1)], [("R", "y", "b"), ("W", "x", 1)]], [("a", 1), ("b", 1)]),
    "S": ([[("W", "x", 2), ("W", "y", 1)], [("R", "y", "a"), ("W", "x", 1)]], [("a", 1), ("[x]", 2)]),
    "R": ([[("W", "x", 1), ("W", "y", 1)], [("W", "y", 2), ("R", "x", "a")]], [("[y]", 2), ("a", 0)]),
    "2+2W": ([[("W", "x", 2), ("W", "y", 1)], [("W", "y", 2), ("W", "x", 1)]], [("[x]", 2), ("[y]", 2)]),
    "WRC": ([[("W", "x", 1)], [("R", "x", "a"), ("W", "y", 1)], [("R", "y", "b"), ("R", "x", "c")]],
            [("a", 1), ("b", 1), ("c", 0)]),
    "ISA2": ([[("W", "x", 1), ("W", "y", 1)], [("R", "y", "a"), ("W", "z", 1)], [("R", "z", "b"), ("R", "x", "c")]],
             [("a", 1), ("b", 1), ("c", 0)]),
    "IRIW": ([[("W", "x", 1)], [("R", "x", "a"), ("R", "y", "b")], [("W", "y", 1)], [("R", "y", "c"), ("R", "x", "d")]],
             [("a", 1), ("b", 0), ("c", 1), ("d", 0)]),
    "RWC": ([[("W", "x", 1)], [("R", "x", "a"), ("R", "y", "b")], [("W", "y", 1), ("R", "x", "c")]],
            [("a", 1), ("b", 0), ("c", 0)]),
    "W+RWC": ([[("W", "x", 1), ("W", "y", 1)], [("R", "y", "a"), ("R", "z", "b")], [("W", "z", 1), ("R", "x", "c")]],
              [("a", 1), ("b", 0), ("c", 0)]),
    "WRR+2W": ([[("W", "x", 2)], [("R", "x", "a"), ("R", "y", "b")], [("W", "y", 1), ("W", "x", 1)]],
               [("a", 2), ("b", 0), ("[x]", 2)]),
    "WRW+2W": ([[("W", "x", 2)], [("R", "x", "a"), ("W", "y", 1)], [("W", "y", 2), ("W", "x", 1)]],
               [("a", 2), ("[y]", 2), ("[x]", 2)]),
    "CoRR": ([[("W", "x", 1)], [("R", "x", "a"), ("R", "x", "b")]], [("a", 1), ("b", 0)]),
}

DECORATIONS = {
    "ARM": ["po", "dmb", "dmb.st", "dsb", "dmb.ish", "isb", "addr", "data", "ctrl", "ctrlisb"],
    "PPC": ["po", "sync", "lwsync", "eieio", "isync", "addr", "data", "ctrl", "ctrlisync"],
    "RISCV": ["po", "fence.rw.rw", "fence.r.rw", "fence.rw.w", "fence.r.r", "fence.w.w", "fence.w.r",
              "fence.tso", "addr", "data", "ctrl", "aq", "rl", "aqrl", "amo"],
}


def applicable(deco: str, first: tuple, second: tuple) -> bool:
    """Whether a decoration can sit between the accesses `first` and `second`."""
    if deco in ("addr", "ctrl", "ctrlisb", "ctrlisync", "aq"):
        return first[0] == "R"
    if deco == "data":
        return first[0] == "R" and second[0] == "W"
    if deco == "rl":
        return second[0] == "W"
    if deco == "aqrl":
        return first[0] == "R" and second[0] == "W"
    if deco == "amo":      # both accesses become AMOs (amoswap / amoor with x0)
        return True
    return True


class _Thread:
    """Code of one thread under construction, with its own registers."""

    def __init__(self, arch: str, tid: int):
        self.arch = arch
        self.tid = tid
        self.code: list[str] = []
        self.addr_regs: dict[str, str] = {}
        self.next = 0
        self.nlabel = 0
        self.results: dict[str, str] = {}

    def reg(self) -> str:
        if self.arch == "ARM":
            r = f"R{self.next}"
        elif self.arch == "PPC":
            r = f"r{self.next + 1}"
        else:
            r = f"x{self.next + 5}"
        self.next += 1
        return r

    def areg(self, loc: str) -> str:
        if loc not in self.addr_regs:
            self.addr_regs[loc] = self.reg()
        return self.addr_regs[loc]

    def label(self) -> str:
        self.nlabel += 1
        return f"LC{self.tid}{self.nlabel:02d}"


def _dep_zero(t: _Thread, src: str) -> str:
    """A new register holding 0 computed from `src`: a dependency on it."""
    z = t.reg()
    t.code.append(f"EOR {z},{src},{src}" if t.arch == "ARM" else f"xor {z},{src},{src}")
    return z


def _rv_base(t: _Thread, ar: str, dep: str | None, src: str | None) -> str:
    """RISC-V's base register of an access: `ar`, plus a zero computed from
    `src` under an address dependency."""
    if dep != "addr":
        return ar
    z = _dep_zero(t, src)
    t.code.append(f"add {z},{ar},{z}")
    return z


def _emit(t: _Thread, op: tuple, dep: str | None, src: str | None, ann: str) -> str | None:
    """Code of one access; `dep` ('addr'/'data') on register `src`; `ann`
    RISC-V ordering suffix.  Returns the register a read fills."""
    a = t.arch
    kind, loc = op[0], op[1]
    ar = t.areg(loc)
    if kind == "W":
        val = op[2]
        v = t.reg()
        if a == "ARM":
            if dep == "data":
                t.code += [f"EOR {v},{src},{src}", f"ADD {v},{v},#{val}"]
            else:
                t.code.append(f"MOV {v},#{val}")
            t.code.append(f"STR {v},[{ar},{_dep_zero(t, src)}]" if dep == "addr" else f"STR {v},[{ar}]")
        elif a == "PPC":
            if dep == "data":
                t.code += [f"xor {v},{src},{src}", f"addi {v},{v},{val}"]
            else:
                t.code.append(f"li {v},{val}")
            t.code.append(f"stwx {v},{_dep_zero(t, src)},{ar}" if dep == "addr" else f"stw {v},0({ar})")
        else:
            if dep == "data":
                t.code += [f"xor {v},{src},{src}", f"ori {v},{v},{val}"]
            else:
                t.code.append(f"ori {v},x0,{val}")
            base = _rv_base(t, ar, dep, src)
            t.code.append(f"amoswap.w x0,{v},({base})" if ann == ".amo" else f"sw{ann} {v},0({base})")
        return None
    r = t.reg()
    if a == "ARM":
        t.code.append(f"LDR {r},[{ar},{_dep_zero(t, src)}]" if dep == "addr" else f"LDR {r},[{ar}]")
    elif a == "PPC":
        t.code.append(f"lwzx {r},{_dep_zero(t, src)},{ar}" if dep == "addr" else f"lwz {r},0({ar})")
    else:
        base = _rv_base(t, ar, dep, src)
        t.code.append(f"amoor.w {r},x0,({base})" if ann == ".amo" else f"lw{ann} {r},0({base})")
    t.results[op[2]] = r
    return r


_FENCE_TEXT = {
    "dmb": "DMB", "dmb.st": "DMB ST", "dsb": "DSB", "dmb.ish": "DMB ISH", "isb": "ISB",
    "sync": "sync", "lwsync": "lwsync", "eieio": "eieio", "isync": "isync",
    "fence.rw.rw": "fence rw,rw", "fence.r.rw": "fence r,rw", "fence.rw.w": "fence rw,w", "fence.r.r": "fence r,r",
    "fence.w.w": "fence w,w", "fence.w.r": "fence w,r", "fence.tso": "fence.tso",
}


def _ctrl(t: _Thread, src: str, fence: str | None) -> None:
    lbl = t.label()
    if t.arch == "ARM":
        t.code += [f"CMP {src},{src}", f"BNE {lbl}", f"{lbl}:"]
    elif t.arch == "PPC":
        t.code += [f"cmpw {src},{src}", f"beq {lbl}", f"{lbl}:"]
    else:
        t.code += [f"bne {src},x0,{lbl}", f"{lbl}:"]
    if fence:
        t.code.append(fence)


def generate(arch: str, shape: str, decorations: list[list[str]], name: str | None = None) -> str:
    """The litmus text of `shape` with decorations[tid][k] between the
    k-th and (k+1)-th accesses of thread tid."""
    threads_ops, cond = SHAPES[shape]
    threads = []
    for tid, ops in enumerate(threads_ops):
        t = _Thread(arch, tid)
        for op in ops:              # address registers first, as diy does
            t.areg(op[1])
        prev_reg = None
        for k, op in enumerate(ops):
            dep, ann = None, ""
            if k > 0:
                d = decorations[tid][k - 1]
                if d in ("addr", "data"):
                    dep = d
                elif d in ("ctrl", "ctrlisb", "ctrlisync"):
                    fence = {"ctrl": None, "ctrlisb": "ISB", "ctrlisync": "isync"}[d]
                    _ctrl(t, prev_reg, fence)
                elif d in _FENCE_TEXT:
                    t.code.append(_FENCE_TEXT[d])
                if d in ("rl", "aqrl"):
                    ann = ".rl"
                if d == "amo":
                    ann = ".amo"
            if k + 1 < len(ops):
                d2 = decorations[tid][k]
                if d2 in ("aq", "aqrl") and not ann:
                    ann = ".aq"
                if d2 == "amo" and not ann:
                    ann = ".amo"
            prev_reg = _emit(t, op, dep, prev_reg, ann) or prev_reg
        threads.append(t)
    deco_name = "+".join(d for ds in decorations for d in ds) or "po"
    name = name or f"{shape}+{deco_name}"
    lines = [f"{arch} {name}", "{"]
    for t in threads:
        lines.append(" ".join(f"{t.tid}:{r}={loc};" for loc, r in t.addr_regs.items()))
    lines.append("}")
    width = max(len(c) for t in threads for c in t.code + [f"P{t.tid}"]) + 1
    nrows = max(len(t.code) for t in threads)
    lines.append(" | ".join(f" P{t.tid}".ljust(width) for t in threads) + " ;")
    for i in range(nrows):
        lines.append(" | ".join(f" {t.code[i] if i < len(t.code) else ''}".ljust(width) for t in threads) + " ;")
    atoms = []
    for what, v in cond:
        if what.startswith("["):
            atoms.append(f"{what}={v}")
        else:
            tid = next(t.tid for t in threads if what in t.results)
            atoms.append(f"{tid}:{threads[tid].results[what]}={v}")
    lines.append("exists (" + " /\\ ".join(atoms) + ")")
    return "\n".join(lines) + "\n"


def edges(shape: str) -> list[tuple[int, int]]:
    """(tid, k) of every decoration slot of a shape."""
    threads_ops, _ = SHAPES[shape]
    return [(tid, k) for tid, ops in enumerate(threads_ops) for k in range(len(ops) - 1)]


def all_tests(arch: str, max_per_shape: int | None = None) -> list[tuple[str, str]]:
    """(name, litmus text) for every shape and every combination of
    applicable decorations (at most max_per_shape per shape, spread)."""
    out = []
    for shape, (threads_ops, _) in SHAPES.items():
        slots = edges(shape)
        choices = []
        for tid, k in slots:
            ops = threads_ops[tid]
            choices.append([d for d in DECORATIONS[arch] if applicable(d, ops[k], ops[k + 1])])
        combos = list(itertools.product(*choices))
        if max_per_shape is not None and len(combos) > max_per_shape:
            step = len(combos) / max_per_shape
            combos = [combos[int(i * step)] for i in range(max_per_shape)]
        for combo in combos:
            decos: list[list[str]] = [[] for _ in threads_ops]
            for (tid, k), d in zip(slots, combo):
                decos[tid].append(d)
            name = f"{shape}+" + "+".join(combo) if combo else shape
            out.append((name, generate(arch, shape, decos, name)))
    return out
