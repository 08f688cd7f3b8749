"""Code generation: matrix IR -> herd assembly for one target.

One `Codegen` per (target, thread).  Registers: every virtual register gets
its own machine register for the whole thread (C variables keep theirs to
the end, so the final condition can name them); intermediate results are
freed after their last use; the sequences' own scratch registers are freed
after each node.

Read-modify-writes that are loops in real code (LL/SC, x86 CMPXCHG loops)
are compiled as one attempt, as herd's tests write them:
* AArch64, Armv7, RISC-V: the store-exclusive's status register is kept and
  the test gets `filter (0:X4=0 /\\ ...)` -- executions where an attempt
  failed are the retries of real code and are not counted;
* POWER and x86 have no status register: a failed attempt branches to the
  thread's exit label, past `li rN,1`, and the filter asks for rN=1.
The branch after POWER's stwcx. is also what gives `isync` its meaning.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from weakmem.matrix import mappings as M
from weakmem.matrix.ir import (Addr, Alu, Branch, Compound, Fence, Imm, Jump, Label, Load, Mov, NotCompilable,
                               Rmw, SetCmp, Store, ThreadIR, VReg)

NONE = "(none)"
COND_NAMES = {"==": "EQ", "!=": "NE", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}


@dataclass
class ThreadCode:
    tid: int
    lines: list[str] = field(default_factory=list)
    init: list[str] = field(default_factory=list)        # `0:X1=x`
    regmap: dict[str, str] = field(default_factory=dict)  # C variable -> register as named in the condition
    filter_terms: list[tuple[str, int]] = field(default_factory=list)   # (register, value)
    shown: list[tuple[str, str]] = field(default_factory=list)           # (source name, instructions)


class Codegen:
    isa = ""
    pool: list = []
    ptr_bytes = 8
    store_imm = False          # stores take an immediate (x86)
    rmw_imm = False            # rmw_code takes an immediate operand (x86)
    reserved: set = set()

    def __init__(self, target: M.Target, ir: ThreadIR, cond_vars: set[str]):
        self.target = target
        self.ir = ir
        self.out = ThreadCode(ir.tid)
        self.alloc: dict[str, object] = {}
        self.free = list(self.pool)
        self.scratch: list = []
        self.nlabel = 0
        self.ok = None
        self.exit_label = f"Exit{ir.tid}"
        self.cond_vars = cond_vars
        # widths by register name (a name may have been widened during lowering)
        self.wide: set[str] = {v.name for v in ir.vars.values() if v.wide}
        self.wide |= {v.name for v in ir.addr_regs.values()}
        for n in ir.nodes:
            for v in _regs_of(n):
                if v.wide:
                    self.wide.add(v.name)
        self.status_acc = None
        # registers free after their last use: intermediate results, and (in a
        # thread without backward branches) C variables the condition does not name
        loops = _has_loop(ir.nodes)
        self.last_use: dict[str, int] = {}
        for i, n in enumerate(ir.nodes):
            for v in _regs_of(n):
                if v.name.startswith("%") or (not loops and v.name in ir.vars and v.name not in cond_vars
                                              and v.name not in ir.init_vals):
                    self.last_use[v.name] = i

    # ------------------------------------------------------------------ registers
    def take(self, what: str):
        if not self.free:
            raise NotCompilable(f"the thread needs more registers than {self.target.name} has")
        return self.free.pop(0)

    def phys(self, v: VReg):
        p = self.alloc.get(v.name)
        if p is None:
            p = self.take(v.name)
            self.alloc[v.name] = p
        return p

    def tmp(self):
        p = self.take("scratch")
        self.scratch.append(p)
        return p

    def release_scratch(self):
        for p in self.scratch:
            self.free.insert(0, p)
        self.scratch = []

    def release_dead(self, i: int):
        for name, last in list(self.last_use.items()):
            if last == i and name in self.alloc:
                self.free.insert(0, self.alloc.pop(name))
                del self.last_use[name]

    def is_wide(self, v: VReg) -> bool:
        return v.name in self.wide

    def new_label(self) -> str:
        self.nlabel += 1
        return f"LC{self.ir.tid}{self.nlabel:02d}"

    # ------------------------------------------------------------------ ISA hooks
    def rn(self, p, wide: bool) -> str:            # register name in an instruction
        raise NotImplementedError

    def cond_name(self, p) -> str:                 # register name in init/condition
        return self.rn(p, True)

    def mov_imm(self, p, imm: int, wide: bool) -> list[str]:
        raise NotImplementedError

    def mov_reg(self, d, s, wide: bool) -> list[str]:
        raise NotImplementedError

    def alu(self, op: str, d, a, b, wide: bool, narrow_b: bool = False) -> list[str]:
        raise NotImplementedError

    def setcmp(self, cond: str, d, a, b, wide: bool) -> list[str]:
        raise NotImplementedError

    def branch(self, cond: str, a, b, label: str, wide: bool) -> list[str]:
        raise NotImplementedError

    def jump(self, label: str) -> list[str]:
        raise NotImplementedError

    def nop(self) -> str:
        return "NOP"

    def lea(self, base, index, scale: int) -> tuple[list[str], object]:
        """Effective address base + index*scale into a scratch register:
        the index doubled (added to itself) until scale is reached, then
        added to the base (ADD only: the forms herd7's own tests use)."""
        p = self.tmp()
        code = []
        idx = index
        while scale > 1:
            s = self.tmp()
            code.append(self.add_index(s, idx, idx))
            idx, scale = s, scale // 2
        return code + [self.add_address(p, base, idx)], p

    def add_index(self, d, a, b) -> str:
        """d = a + b on index registers (for lea)."""
        raise NotImplementedError

    def add_address(self, d, base, idx) -> str:
        """d = base + idx, an address (for lea)."""
        return self.add_index(d, base, idx)

    def fill(self, tmpl: str, **kw) -> str:
        return tmpl.format(**kw)

    def rmw_code(self, row: M.RmwRow, n: Rmw, a, old, v, e, wide: bool) -> list[str]:
        """A read-modify-write: by default the load-linked/store-conditional loop."""
        return self.llsc_code(row, n, a, old, v, e, wide)

    def mnemonic(self, line: str) -> str:
        """How an instruction is shown in the table: its mnemonic, or the
        whole instruction for barriers (DMB ISH, fence rw,rw)."""
        m = line.split()[0]
        if m.upper() in ("DMB", "DSB", "ISB", "FENCE"):
            return line.strip()
        return m

    # ------------------------------------------------------------------ driver
    def run(self) -> ThreadCode:
        for loc, v in self.ir.addr_regs.items():
            p = self.phys(v)
            self.out.init.append(f"{self.ir.tid}:{self.cond_name(p)}={loc}")
        for name, val in self.ir.init_vals.items():
            v = self.ir.vars[name]
            p = self.phys(v)
            sval = val.name if hasattr(val, "name") else str(val)
            self.out.init.append(f"{self.ir.tid}:{self.cond_name(p)}={sval}")
        for name in sorted(self.cond_vars):
            v = self.ir.vars.get(name) or VReg(name)
            self.ir.vars.setdefault(name, v)
            self.phys(v)
        # variables read before any write hold C's 0: give them registers no
        # other value has used yet
        for v in _read_before_write(self.ir.nodes):
            if v.name not in self.ir.addr_regs.values() and v.name not in self.alloc:
                self.phys(v)
        for i, n in enumerate(self.ir.nodes):
            self.node(n)
            self.release_scratch()
            self.release_dead(i)
        if self.ok is not None:
            self.emit(*self.mov_imm(self.ok, 1, False))
            self.out.lines.append(f"{self.exit_label}:")
            self.out.filter_terms.append((self.cond_name(self.ok), 1))
        if not any(not l.endswith(":") for l in self.out.lines):
            self.out.lines.append(self.nop())
        for name, v in self.ir.vars.items():
            if name in self.alloc:
                self.out.regmap[name] = self.cond_name(self.alloc[name])
        return self.out

    def emit(self, *lines: str):
        self.out.lines.extend(lines)

    def show(self, name: str, seq: list[str]):
        disp = ", ".join(self.mnemonic(l) for l in seq if not l.endswith(":")) or NONE
        self.out.shown.append((name, disp))

    def in_reg(self, x, wide: bool) -> object:
        """A physical register holding operand x (immediates go to a scratch)."""
        if isinstance(x, Imm):
            p = self.tmp()
            self.emit(*self.mov_imm(p, x.value, wide))
            return p
        return self.phys(x)

    def address(self, addr: Addr):
        """The physical register holding the address (computing base+index)."""
        base = self.phys(addr.base)
        if addr.index is None:
            return base
        scale = 4 if addr.elem == "int" else self.ptr_bytes
        code, p = self.lea(base, self.phys(addr.index), scale)
        self.emit(*code)
        return p

    def node(self, n):
        if isinstance(n, Mov):
            wide = self.is_wide(n.dst)
            d = self.phys(n.dst)
            if isinstance(n.src, Imm):
                self.emit(*self.mov_imm(d, n.src.value, wide))
            else:
                s = self.phys(n.src)
                if s != d:
                    self.emit(*self.mov_reg(d, s, wide or self.is_wide(n.src)))
        elif isinstance(n, Alu):
            wide = self.is_wide(n.dst) or self.is_wide(n.a) or (isinstance(n.b, VReg) and self.is_wide(n.b))
            d, a = self.phys(n.dst), self.phys(n.a)
            b = n.b if isinstance(n.b, Imm) else self.phys(n.b)
            if (n.op in ("&", "*") and isinstance(n.b, Imm) and n.b.value == 0) or \
                    (n.op in ("-", "^") and not isinstance(n.b, Imm) and b == a):
                # the fake-dependency idiom: 0 computed from a register
                self.emit(*self.alu("^", d, a, a, wide))
            else:
                narrow_b = wide and isinstance(n.b, VReg) and not self.is_wide(n.b)
                self.emit(*self.alu(n.op, d, a, b, wide, narrow_b))
        elif isinstance(n, SetCmp):
            wide = self.is_wide(n.a) or (isinstance(n.b, VReg) and self.is_wide(n.b))
            b = n.b if isinstance(n.b, Imm) else self.phys(n.b)
            self.emit(*self.setcmp(n.cond, self.phys(n.dst), self.phys(n.a), b, wide))
        elif isinstance(n, Branch):
            wide = self.is_wide(n.a)
            b = n.b if isinstance(n.b, Imm) else self.phys(n.b)
            self.emit(*self.branch(n.cond, self.phys(n.a), b, self.ir_label(n.label), wide))
        elif isinstance(n, Jump):
            self.emit(*self.jump(self.ir_label(n.label)))
        elif isinstance(n, Label):
            self.emit(f"{self.ir_label(n.name)}:")
        elif isinstance(n, Load):
            self.load(n.key, n.dst, n.addr, n.wide, n.origin.name)
        elif isinstance(n, Store):
            self.store(n.key, n.addr, n.src, n.wide, n.origin.name)
        elif isinstance(n, Fence):
            self.fence(n.key, n.origin.name)
        elif isinstance(n, Rmw):
            self.rmw(n)
        elif isinstance(n, Compound):
            self.compound(n)
        else:
            raise NotCompilable(f"internal: node {type(n).__name__}")

    def ir_label(self, name: str) -> str:
        return f"LC{self.ir.tid}L{name}"

    # ------------------------------------------------------------------ memory accesses
    def rows(self, table: dict, key: str, what: str):
        rows = table.get(self.isa, {})
        k = M.resolve(key)
        if k not in rows:
            raise NotCompilable(f"no {self.target.name} mapping for {what} '{key}'")
        return rows[k]

    def widths(self, wide: bool) -> dict:
        return {}

    def load(self, key, dst: VReg, addr: Addr, wide: bool, name: str):
        tmpl = self.rows(M.LOADS, key, "load")
        a = self.address(addr)
        r = self.rn(self.phys(dst), wide or self.is_wide(dst))
        start = len(self.out.lines)
        labels: dict = {}
        for t in tmpl:
            if "{L}" in t and "L" not in labels:
                labels["L"] = self.new_label()
            self.emit(self.fill(t, r=r, a=self.rn(a, True), m=self.mem(a), L=labels.get("L", ""),
                                **self.widths(wide)))
        self.show(name, self.out.lines[start:])

    def mem(self, p) -> str:
        return ""

    def store(self, key, addr: Addr, src, wide: bool, name: str):
        tmpl = self.rows(M.STORES, key, "store")
        a = self.address(addr)
        w = wide or (isinstance(src, VReg) and self.is_wide(src))
        need_reg = any("{vr}" in t for t in tmpl) or not self.store_imm
        if isinstance(src, Imm) and not need_reg:
            v = vr = self.imm_operand(src.value)
        else:
            p = self.in_reg(src, w)
            v = vr = self.rn(p, w)
        start_seq = len(self.out.lines)
        for t in tmpl:
            self.emit(self.fill(t, v=v, vr=vr, a=self.rn(a, True), m=self.mem(a), **self.widths(w)))
        self.show(name, self.out.lines[start_seq:])

    def imm_operand(self, v: int) -> str:
        return f"#{v}"

    def fence(self, key, name: str):
        seq = list(self.rows(M.FENCES, key, "fence"))
        self.emit(*seq)
        self.show(name, seq)

    def rmw(self, n: Rmw, name: str | None = None):
        row = M.rmw_row(self.target.id, self.isa, n.key, n.op)
        if row is None:
            raise NotCompilable(f"no {self.target.name} mapping for '{n.key}' {n.op}")
        wide = n.wide
        a = self.address(n.addr)
        v = n.val if (self.rmw_imm and isinstance(n.val, Imm)) else self.in_reg(n.val, wide)
        e = self.in_reg(n.expected, wide) if n.expected is not None else None
        inputs = {a, v, e}
        if n.dst is not None and n.ret == "old" and self.phys(n.dst) not in inputs:
            old = self.phys(n.dst)
        else:
            old = self.tmp()
        code = self.rmw_code(row, n, a, old, v, e, wide)
        self.emit(*code)
        self.out.shown.append((name or n.origin.name, self.rmw_display(row, n, code)))
        if n.dst is not None and n.ret == "new":
            self.emit(*self.alu(_ALU_OF[n.op], self.phys(n.dst), old, v, wide))
        elif n.dst is not None and old != self.phys(n.dst):
            self.emit(*self.mov_reg(self.phys(n.dst), old, wide))

    def rmw_display(self, row: M.RmwRow, n: Rmw, code: list[str]) -> str:
        return ", ".join(self.mnemonic(l) for l in code if not l.endswith(":"))

    def compound(self, n: Compound):
        shapes = M.COMPOUNDS[n.key]
        steps = shapes.get(self.isa) or shapes["*"]
        start_shown = len(self.out.shown)
        for step in steps:
            if step[0] == "rmw":
                self.rmw(Rmw(None, n.addr, step[1], step[2], n.val, None, "none", n.wide, n.origin))
            elif step[0] == "store":
                self.store(step[1], n.addr, n.val, n.wide, n.origin.name)
            else:
                self.fence(step[1], n.origin.name)
        parts = [d for _, d in self.out.shown[start_shown:] if d != NONE]
        del self.out.shown[start_shown:]
        self.out.shown.append((n.origin.name, ", ".join(parts) or NONE))

    # LL/SC sequences shared by AArch64, Armv7, POWER and RISC-V (cas on RISC-V)
    def llsc_code(self, row: M.RmwRow, n: Rmw, a, old, v, e, wide: bool) -> list[str]:
        code = list(row.pre)
        code.append(self.ll(row.a, old, a, wide))
        fail = None
        if n.op == "xchg":
            code += self.sc(row.b, v, a, wide)
        elif n.op == "cas":
            fail = self.new_label()
            code += self.branch("!=", old, e, fail, wide)
            code += self.sc(row.b, v, a, wide)
            if not row.post_on_fail:
                code += list(row.post)
            code.append(f"{fail}:")
        else:
            t = self.tmp()
            code += self.alu(_ALU_OF[n.op], t, old, v, wide)
            code += self.sc(row.b, t, a, wide)
        if n.op != "cas" or row.post_on_fail:
            code += list(row.post)
        return code

    def ll(self, mn: str, old, a, wide: bool) -> str:
        raise NotImplementedError

    def sc(self, mn: str, val, a, wide: bool) -> list[str]:
        raise NotImplementedError

    def status_reg(self):
        """The register for a store-exclusive's status.  The first one is kept
        to the end (the filter asks for 0, success); later ones are scratch
        registers OR-ed into it (see status_done)."""
        if self.status_acc is None:
            self.status_acc = self.take("status")
            self.out.filter_terms.append((self.cond_name(self.status_acc), 0))
            return self.status_acc
        return self.tmp()

    def status_done(self, st) -> list[str]:
        if st == self.status_acc:
            return []
        return self.alu("|", self.status_acc, self.status_acc, st, False)

    def ok_flag(self):
        if self.ok is None:
            self.ok = self.take("ok")
        return self.exit_label


_ALU_OF = {"add": "+", "sub": "-", "and": "&", "or": "|", "xor": "^", "xchg": None, "cas": None}


def _read_before_write(nodes) -> list[VReg]:
    written: set[str] = set()
    out: list[VReg] = []
    for n in nodes:
        dst = getattr(n, "dst", None)
        for v in _regs_of(n):
            if v is dst or v.loc is not None:
                continue
            if v.name not in written and all(v.name != o.name for o in out):
                out.append(v)
        if isinstance(dst, VReg):
            written.add(dst.name)
    return out


def _has_loop(nodes) -> bool:
    seen = set()
    for n in nodes:
        if isinstance(n, Label):
            seen.add(n.name)
        elif isinstance(n, (Branch, Jump)) and n.label in seen:
            return True
    return False


def _regs_of(n) -> list[VReg]:
    out = []
    for f in ("dst", "src", "a", "b", "val", "expected"):
        x = getattr(n, f, None)
        if isinstance(x, VReg):
            out.append(x)
    addr = getattr(n, "addr", None)
    if isinstance(addr, Addr):
        out.append(addr.base)
        if addr.index is not None:
            out.append(addr.index)
    return out


# ==========================================================================
# AArch64
# ==========================================================================
class AArch64(Codegen):
    isa = "aarch64"
    pool = list(range(0, 29))

    def rn(self, p, wide):
        return f"{'X' if wide else 'W'}{p}"

    def cond_name(self, p):
        return f"X{p}"

    def mov_imm(self, p, imm, wide):
        return [f"MOV {self.rn(p, wide)},#{imm}"]

    def mov_reg(self, d, s, wide):
        return [f"MOV {self.rn(d, wide)},{self.rn(s, wide)}"]

    def alu(self, op, d, a, b, wide, narrow_b=False):
        mn = {"+": "ADD", "-": "SUB", "&": "AND", "|": "ORR", "^": "EOR", "*": "MUL", "<<": "LSL",
              ">>": "ASR"}[op]
        if isinstance(b, Imm):
            if (op in ("+", "-") and 0 <= b.value < 4096) or (op in ("<<", ">>") and 0 <= b.value < 64):
                return [f"{mn} {self.rn(d, wide)},{self.rn(a, wide)},#{b.value}"]
            p = self.tmp()
            return self.mov_imm(p, b.value, wide) + self.alu(op, d, a, p, wide)
        if narrow_b and op in ("+", "-"):     # a 32-bit int added to an address
            return [f"{mn} X{d},X{a},W{b},SXTW"]
        return [f"{mn} {self.rn(d, wide)},{self.rn(a, wide)},{self.rn(b, wide)}"]

    def setcmp(self, cond, d, a, b, wide):
        cmp = self.branch(cond, a, b, "", wide)[:-1]
        return cmp + [f"CSET W{d},{COND_NAMES[cond]}"]

    def branch(self, cond, a, b, label, wide):
        if isinstance(b, Imm):
            if not 0 <= b.value < 4096:
                p = self.tmp()
                return self.mov_imm(p, b.value, wide) + self.branch(cond, a, p, label, wide)
            cmp = f"CMP {self.rn(a, wide)},#{b.value}"
        else:
            cmp = f"CMP {self.rn(a, wide)},{self.rn(b, wide)}"
        return [cmp, f"B.{COND_NAMES[cond]} {label}"]

    def jump(self, label):
        return [f"B {label}"]

    def add_index(self, d, a, b):
        return f"ADD W{d},W{a},W{b}"

    def add_address(self, d, base, idx):
        return f"ADD X{d},X{base},W{idx},SXTW"

    def ll(self, mn, old, a, wide):
        return f"{mn} {self.rn(old, wide)},[X{a}]"

    def sc(self, mn, val, a, wide):
        st = self.status_reg()
        return [f"{mn} W{st},{self.rn(val, wide)},[X{a}]"] + self.status_done(st)

    def rmw_code(self, row, n, a, old, v, e, wide):
        if row.kind == "llsc":
            return self.llsc_code(row, n, a, old, v, e, wide)
        # Armv8.1 LSE
        sfx = row.a
        R = lambda p: self.rn(p, wide)  # noqa: E731
        code = list(row.pre)
        if n.op == "cas":
            code += self.mov_reg(old, e, wide) + [f"CAS{sfx} {R(old)},{R(v)},[X{a}]"]
        elif n.op == "xchg":
            code.append(f"SWP{sfx} {R(v)},{R(old)},[X{a}]")
        else:
            opn = {"add": "ADD", "sub": "ADD", "and": "CLR", "or": "SET", "xor": "EOR"}[n.op]
            src = v
            if n.op == "sub":
                src = self.tmp()
                code.append(f"NEG {R(src)},{R(v)}")
            elif n.op == "and":
                src = self.tmp()
                code.append(f"MVN {R(src)},{R(v)}")
            if n.ret == "none" and row.noret_store:
                code.append(f"ST{opn}{sfx if sfx in ('', 'L') else ''} {R(src)},[X{a}]")
            else:
                code.append(f"LD{opn}{sfx} {R(src)},{R(old)},[X{a}]")
        code += list(row.post)
        return code

    def rmw_display(self, row, n, code):
        if row.kind == "llsc":
            core = f"{row.a}/{row.b}"
            return ", ".join(list(row.pre) + [core] + list(row.post))
        return super().rmw_display(row, n, [l for l in code if not l.startswith(("MOV", "NEG", "MVN"))])

    def widths(self, wide):
        return {}


# ==========================================================================
# Armv7 (ARM)
# ==========================================================================
class Armv7(Codegen):
    isa = "armv7"
    pool = list(range(0, 13))
    ptr_bytes = 4
    rmw_imm = True             # ORR/AND of an LDREX/STREX loop keep an immediate operand

    def rn(self, p, wide):
        return f"R{p}"

    def mov_imm(self, p, imm, wide):
        return [f"MOV R{p},#{imm}"]

    def mov_reg(self, d, s, wide):
        return [f"MOV R{d},R{s}"]

    def setcmp(self, cond, d, a, b, wide):
        """`d = (a OP b)` with herd7's ARM instructions (no shifts, no RSB, ORR with an
        immediate only, conditional moves on EQ/NE only): t = a-b (b-a for > and <=),
        its sign bit kept by AND for </>/<=/>=, then MOV #0 and MOVNE/MOVEQ #1.  A
        conditional move carries no dependency in herd7's model, so `t EOR t` (zero,
        computed from a and b) is added to keep d data-dependent on a and b."""
        code = []
        if isinstance(b, Imm):
            p = self.tmp()
            code = self.mov_imm(p, b.value, wide)
            b = p
        t, z = self.tmp(), self.tmp()
        x, y = (b, a) if cond in (">", "<=") else (a, b)
        code.append(f"SUB R{t},R{x},R{y}")
        if cond not in ("==", "!="):
            code.append(f"AND R{t},R{t},#{1 << 31}")      # the sign bit of the difference
        mv = "MOVNE" if cond in ("!=", "<", ">") else "MOVEQ"
        code += [f"CMP R{t},#0", f"MOV R{d},#0", f"{mv} R{d},#1", f"EOR R{z},R{t},R{t}", f"ADD R{d},R{d},R{z}"]
        return code

    def alu(self, op, d, a, b, wide, narrow_b=False):
        # herd7's ARM takes ADD/SUB with an immediate or a register, AND/ORR with an
        # immediate only and EOR with registers only (lib/ARMParser.mly): emit only those
        if isinstance(b, Imm) and op == "^":
            p = self.tmp()
            return self.mov_imm(p, b.value, wide) + self.alu(op, d, a, p, wide)
        if isinstance(b, Imm) and op in ("+", "-", "&", "|"):
            if 0 <= b.value <= 255 or op in ("&", "|"):
                return [f"{ {'+': 'ADD', '-': 'SUB', '&': 'AND', '|': 'ORR'}[op]} R{d},R{a},#{b.value}"]
            if op in ("+", "-"):
                p = self.tmp()
                return self.mov_imm(p, b.value, wide) + self.alu(op, d, a, p, wide)
        if not isinstance(b, Imm) and op in ("+", "-", "^"):
            return [f"{ {'+': 'ADD', '-': 'SUB', '^': 'EOR'}[op]} R{d},R{a},R{b}"]
        what = f"#{b.value}" if isinstance(b, Imm) else "a register"
        raise NotCompilable(f"Armv7: '{op}' with {what} has no form herd7's ARM accepts")

    def status_done(self, st) -> list[str]:
        # store-exclusive statuses are 0 or 1: their sum is 0 exactly when all are
        # (herd7's ARM has no ORR of two registers)
        if st == self.status_acc:
            return []
        return self.alu("+", self.status_acc, self.status_acc, st, False)

    def llsc_code(self, row, n, a, old, v, e, wide):
        if isinstance(v, Imm) and n.op in ("xchg", "cas"):
            v = self.in_reg(v, wide)     # STREX stores a register
        return super().llsc_code(row, n, a, old, v, e, wide)

    def branch(self, cond, a, b, label, wide):
        if isinstance(b, Imm):
            if b.value < 0 or b.value > 255:
                p = self.tmp()
                return self.mov_imm(p, b.value, wide) + self.branch(cond, a, p, label, wide)
            cmp = f"CMP R{a},#{b.value}"
        else:
            cmp = f"CMP R{a},R{b}"
        if cond not in ("==", "!=") and label:
            raise NotCompilable(f"Armv7: branch on '{cond}' has no form herd7's ARM accepts (BEQ, BNE only)")
        return [cmp, f"B{COND_NAMES[cond]} {label}"]

    def jump(self, label):
        return [f"B {label}"]

    def add_index(self, d, a, b):
        return f"ADD R{d},R{a},R{b}"

    def ll(self, mn, old, a, wide):
        return f"{mn} R{old},[R{a}]"

    def sc(self, mn, val, a, wide):
        st = self.status_reg()
        return [f"{mn} R{st},R{val},[R{a}]"] + self.status_done(st)

    def rmw_display(self, row, n, code):
        return ", ".join(list(row.pre) + [f"{row.a}/{row.b}"] + list(row.post))


# ==========================================================================
# POWER (PPC)
# ==========================================================================
class Power(Codegen):
    isa = "power"
    pool = list(range(1, 32))
    # a control dependency from the lwarx to the isync after an RMW: what
    # real POWER gives `stwcx.; bne; isync` and the CPU model does not (used
    # only to check whether a verdict depends on it, never emitted)
    ctrl_from_larx = False

    def llsc_code(self, row, n, a, old, v, e, wide):
        code = super().llsc_code(row, n, a, old, v, e, wide)
        if self.ctrl_from_larx and "isync" in row.post:
            i = len(code) - 1 - code[::-1].index("isync")
            lab = self.new_label()
            code[i:i] = [f"cmpw r{old},r{old}", f"beq {lab}", f"{lab}:"]
        return code

    def rn(self, p, wide):
        return f"r{p}"

    def nop(self):
        return "nop"

    def widths(self, wide):
        # herd7's PPC has cmpw/cmpwi only (a pointer compared with itself for ctrl+isync is fine)
        return {"ld": "ld" if wide else "lwz", "st": "std" if wide else "stw", "cmp": "cmpw"}

    def mov_imm(self, p, imm, wide):
        return [f"li r{p},{imm}"]

    def mov_reg(self, d, s, wide):
        return [f"mr r{d},r{s}"]

    def alu(self, op, d, a, b, wide, narrow_b=False):
        if isinstance(b, Imm):
            if op == "+":
                return [f"addi r{d},r{a},{b.value}"]
            if op == "-":
                return [f"addi r{d},r{a},{-b.value}"]
            if op in ("|", "^") and 0 <= b.value < 65536:
                return [f"{'ori' if op == '|' else 'xori'} r{d},r{a},{b.value}"]
            p = self.tmp()
            return self.mov_imm(p, b.value, wide) + self.alu(op, d, a, p, wide)
        if op == "-":
            return [f"subf r{d},r{b},r{a}"]
        # herd7's PPC parses no 64-bit multiply or shift and implements no slw/sraw
        mn = {"+": "add", "&": "and", "|": "or", "^": "xor", "*": None if wide else "mullw"}.get(op)
        if mn is None:
            raise NotCompilable(f"POWER: '{op}' has no form herd7's PPC implements")
        return [f"{mn} r{d},r{a},r{b}"]

    def setcmp(self, cond, d, a, b, wide):
        """Branch-free, with instructions herd7's PPC implements: the sign of a-b (or of
        (a-b)|(0-(a-b)) for ==/!=) rotated to bit 0 by rlwinm."""
        if isinstance(b, Imm):
            p = self.tmp()
            code = self.mov_imm(p, b.value, wide)
            return code + self.setcmp(cond, d, a, p, wide)
        invert = cond in ("==", "<=", ">=")
        t, u, z = self.tmp(), self.tmp(), self.tmp()
        if cond in ("==", "!="):
            code = [f"subf r{t},r{b},r{a}", f"li r{z},0", f"subf r{u},r{t},r{z}", f"or r{u},r{u},r{t}"]
        else:
            x, y = (a, b) if cond in ("<", ">=") else (b, a)     # x < y ?
            code = [f"subf r{u},r{y},r{x}"]
        code.append(f"rlwinm r{d},r{u},1,31,31")          # the sign bit of the low word
        if invert:
            code.append(f"xori r{d},r{d},1")
        return code

    def branch(self, cond, a, b, label, wide):
        c = "cmpw"
        if isinstance(b, Imm):
            if -32768 <= b.value < 32768:
                cmp = f"{c}i r{a},{b.value}"
            else:
                p = self.tmp()
                return self.mov_imm(p, b.value, wide) + self.branch(cond, a, p, label, wide)
        else:
            cmp = f"{c} r{a},r{b}"
        mn = {"==": "beq", "!=": "bne", "<": "blt", "<=": "ble", ">": "bgt", ">=": "bge"}[cond]
        return [cmp, f"{mn} {label}"]

    def jump(self, label):
        return [f"b {label}"]

    def add_index(self, d, a, b):
        return f"add r{d},r{a},r{b}"

    def ll(self, mn, old, a, wide):
        mn = "ldarx" if wide else mn
        return f"{mn} r{old},r0,r{a}"

    def sc(self, mn, val, a, wide):
        mn = "stdcx." if wide else mn
        return [f"{mn} r{val},r0,r{a}", f"bne {self.ok_flag()}"]

    def rmw_display(self, row, n, code):
        ll = "ldarx" if n.wide else row.a
        sc = "stdcx." if n.wide else row.b
        return ", ".join(list(row.pre) + [f"{ll}/{sc}"] + list(row.post))


# ==========================================================================
# RISC-V
# ==========================================================================
class RiscV(Codegen):
    isa = "riscv"
    pool = list(range(5, 32)) + list(range(1, 5))

    def rn(self, p, wide):
        return f"x{p}"

    def nop(self):
        return "nop"

    def widths(self, wide):
        return {"ld": "ld" if wide else "lw", "st": "sd" if wide else "sw"}

    def mov_imm(self, p, imm, wide):
        return [f"addi x{p},x0,{imm}"]

    def mov_reg(self, d, s, wide):
        return [f"addi x{d},x{s},0"]

    def setcmp(self, cond, d, a, b, wide):
        code = []
        if isinstance(b, Imm):
            if b.value == 0:
                b = 0
            else:
                p = self.tmp()
                code = self.mov_imm(p, b.value, wide)
                b = p
        if cond in ("==", "!="):
            # herd7 implements slt but not sltu/sltiu: t != 0 is (0 < t) | (t < 0)
            t = a
            if b != 0:
                t = self.tmp()
                code.append(f"sub x{t},x{a},x{b}")
            u = self.tmp()
            code += [f"slt x{u},x0,x{t}", f"slt x{d},x{t},x0", f"or x{d},x{d},x{u}"]
            return code + ([f"xori x{d},x{d},1"] if cond == "==" else [])
        x, y = (a, b) if cond in ("<", ">=") else (b, a)          # x < y ?
        code.append(f"slt x{d},x{x},x{y}")
        if cond in ("<=", ">="):
            code.append(f"xori x{d},x{d},1")
        return code

    def alu(self, op, d, a, b, wide, narrow_b=False):
        if isinstance(b, Imm):
            if -2048 <= b.value < 2048:
                if op == "+":
                    return [f"addi x{d},x{a},{b.value}"]
                if op == "-" and b.value > -2048:
                    return [f"addi x{d},x{a},{-b.value}"]
                if op in ("&", "|", "^"):
                    return [f"{ {'&': 'andi', '|': 'ori', '^': 'xori'}[op]} x{d},x{a},{b.value}"]
                if op == "<<" and b.value >= 0:
                    return [f"slli x{d},x{a},{b.value}"]
            if op != ">>":
                p = self.tmp()
                return self.mov_imm(p, b.value, wide) + self.alu(op, d, a, p, wide)
        # herd7's RISC-V has no mul and implements no sra/srai
        mn = {"+": "add", "-": "sub", "&": "and", "|": "or", "^": "xor", "<<": "sll"}.get(op)
        if mn is None:
            raise NotCompilable(f"RISC-V: '{op}' has no form herd7's RISC-V implements")
        return [f"{mn} x{d},x{a},x{b}"]

    def branch(self, cond, a, b, label, wide):
        if isinstance(b, Imm):
            if b.value == 0:
                b = 0
            else:
                p = self.tmp()
                return self.mov_imm(p, b.value, wide) + self.branch(cond, a, p, label, wide)
        if cond in ("<=", ">"):
            a, b = b, a
            cond = ">=" if cond == "<=" else "<"
        mn = {"==": "beq", "!=": "bne", "<": "blt", ">=": "bge"}[cond]
        return [f"{mn} x{a},x{b},{label}"]

    def jump(self, label):
        return [f"j {label}"]

    def lea(self, base, index, scale):
        p = self.tmp()
        code = []
        idx = index
        if scale != 1:
            s = self.tmp()
            code.append(f"slli x{s},x{index},{scale.bit_length() - 1}")
            idx = s
        code.append(f"add x{p},x{base},x{idx}")
        return code, p

    def _ls(self, mn: str, wide: bool) -> str:
        base, _, mo = mn.partition(".")
        return f"{base}.{'d' if wide else 'w'}" + (f".{mo}" if mo else "")

    def ll(self, mn, old, a, wide):
        return f"{self._ls(mn, wide)} x{old},0(x{a})"

    def sc(self, mn, val, a, wide):
        st = self.status_reg()
        return [f"{self._ls(mn, wide)} x{st},x{val},0(x{a})"] + self.status_done(st)

    def rmw_code(self, row, n, a, old, v, e, wide):
        if row.kind == "llsc":
            return self.llsc_code(row, n, a, old, v, e, wide)
        w = "d" if wide else "w"
        code = list(row.pre)
        src = v
        if n.op == "sub":
            src = self.tmp()
            code.append(f"sub x{src},x0,x{v}")
        amo = {"xchg": "amoswap", "add": "amoadd", "sub": "amoadd", "and": "amoand", "or": "amoor",
               "xor": "amoxor"}.get(n.op)
        if amo is None:
            raise NotCompilable(f"RISC-V: no AMO for {n.op}")
        rd = 0 if n.ret == "none" and n.dst is None else old
        code.append(f"{amo}.{w}{row.a} x{rd},x{src},(x{a})")
        code += list(row.post)
        return code

    def rmw_display(self, row, n, code):
        if row.kind == "llsc":
            return ", ".join(list(row.pre) + [f"{self._ls(row.a, n.wide)}/{self._ls(row.b, n.wide)}"]
                             + list(row.post))
        return ", ".join(l.split()[0] if l.split()[0].startswith("amo") else l for l in code
                         if not l.startswith("sub "))


# ==========================================================================
# x86-64 (AT&T syntax, as herd's X86_64 tests)
# ==========================================================================
X86_REGS = ["rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]
X86_32 = {"rax": "eax", "rbx": "ebx", "rcx": "ecx", "rdx": "edx", "rsi": "esi", "rdi": "edi"}


class X86(Codegen):
    isa = "x86"
    pool = list(X86_REGS)
    store_imm = True
    rmw_imm = True

    def _into(self, p, x, wide) -> list[str]:
        return self.mov_imm(p, x.value, wide) if isinstance(x, Imm) else self.mov_reg(p, x, wide)

    def _op(self, x, wide) -> str:
        return f"${x.value}" if isinstance(x, Imm) else self.rn(x, wide)

    def rn(self, p, wide):
        if wide:
            return f"%{p}"
        return f"%{X86_32.get(p, p + 'd')}"

    def cond_name(self, p):
        return p

    def nop(self):
        return "nop"

    def imm_operand(self, v):
        return f"${v}"

    def widths(self, wide):
        return {"s": "q" if wide else "l"}

    def mem(self, p):
        if isinstance(p, tuple):            # base, index, scale: as herd's `0(%rax,%rbx,8)`
            return f"0(%{p[0]},%{p[1]},{p[2]})"
        return f"(%{p})"

    def address(self, addr: Addr):
        base = self.phys(addr.base)
        if addr.index is None:
            return base
        return (base, self.phys(addr.index), 4 if addr.elem == "int" else 8)

    def mov_imm(self, p, imm, wide):
        return [f"mov{'q' if wide else 'l'} ${imm},{self.rn(p, wide)}"]

    def mov_reg(self, d, s, wide):
        return [f"mov{'q' if wide else 'l'} {self.rn(s, wide)},{self.rn(d, wide)}"]

    def setcmp(self, cond, d, a, b, wide):
        # herd7's X86_64 has SETNB only: a branch around `mov $1`
        lab = self.new_label()
        rev = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}[cond]
        return [f"movl $0,{self.rn(d, False)}"] + self.branch(rev, a, b, lab, wide) + \
            [f"movl $1,{self.rn(d, False)}", f"{lab}:"]

    def alu(self, op, d, a, b, wide, narrow_b=False):
        # herd7's X86_64 (lib/X86_64Lexer.mll) has add, or, xor (with size suffixes), and, shl
        # (without), and no sub, sar, neg: a - b is a + (-b), -b being (b ^ -1) + 1
        s = "q" if wide else "l"
        if op == "-":
            if isinstance(b, Imm):
                return self.alu("+", d, a, Imm(-b.value), wide)
            t = self.tmp()
            return self.mov_reg(t, b, wide) + [f"xor{s} $-1,{self.rn(t, wide)}", f"add{s} $1,{self.rn(t, wide)}"] + \
                self.alu("+", d, a, t, wide)
        mn = {"+": f"add{s}", "&": "and", "|": f"or{s}", "^": f"xor{s}", "<<": "shl"}.get(op)
        if mn is None:
            raise NotCompilable(f"x86-64: operator '{op}' has no form herd7's X86_64 accepts")
        bop = f"${b.value}" if isinstance(b, Imm) else self.rn(b, wide)
        if op == "<<" and not isinstance(b, Imm):
            raise NotCompilable("x86-64: shift by a register is not compiled")
        code = []
        if not isinstance(b, Imm) and b == d and d != a:
            if op in ("+", "&", "|", "^"):
                return [f"{mn} {self.rn(a, wide)},{self.rn(d, wide)}"]
            t = self.tmp()
            code += self.mov_reg(t, b, wide)
            bop = self.rn(t, wide)
        if d != a:
            code += self.mov_reg(d, a, wide)
        code.append(f"{mn} {bop},{self.rn(d, wide)}")
        return code

    def branch(self, cond, a, b, label, wide):
        s = "q" if wide else "l"
        bop = f"${b.value}" if isinstance(b, Imm) else self.rn(b, wide)
        mn = {"==": "je", "!=": "jne", "<": "jlt", "<=": "jle", ">": "jgt", ">=": "jge"}[cond]
        return [f"cmp{s} {bop},{self.rn(a, wide)}", f"{mn} {label}"]

    def jump(self, label):
        return [f"jmp {label}"]

    def mnemonic(self, line):
        m = line.split()[0].lower()
        if m == "lock":
            return "LOCK " + self.mnemonic(line.split(None, 1)[1])
        for base in ("mov", "xchg", "xadd", "cmpxchg", "add", "sub", "and", "or", "xor", "lea", "cmp"):
            if m.startswith(base) and len(m) <= len(base) + 1:
                return base.upper()
        return m.upper()

    def rmw_code(self, row, n, a, old, v, e, wide):
        s = "q" if wide else "l"
        m = self.mem(a)
        R = lambda p: self.rn(p, wide)  # noqa: E731
        if n.op == "xchg":
            return self._into(old, v, wide) + [f"xchg{s} {R(old)},{m}"]
        if n.op == "cas":
            code = self.mov_reg("rax", e, wide)
            if isinstance(v, Imm):
                p = self.tmp()
                code += self.mov_imm(p, v.value, wide)
                v = p
            code += [f"lock cmpxchg{s} {m},{R(v)}"]
            return code + self.mov_reg(old, "rax", wide)
        # herd7 takes LOCK on add, xor, inc, dec, xchg and cmpxchg only, and has no xadd
        if n.ret == "none" and n.op in ("add", "xor"):
            return [f"lock {n.op}{s} {self._op(v, wide)},{m}"]
        if n.ret == "none" and n.op == "sub" and isinstance(v, Imm):
            return [f"lock add{s} ${-v.value},{m}"]
        # otherwise GCC's LOCK CMPXCHG loop, one attempt: the old value in rax, the new one
        # computed in a scratch register, then locked in if memory still holds the old value
        t = self.tmp()
        code = [f"mov{s} {m},{self.rn('rax', wide)}"] + self.mov_reg(t, "rax", wide)
        code += self.alu(_ALU_OF[n.op], t, t, v, wide)
        code += [f"lock cmpxchg{s} {m},{R(t)}", f"jne {self.ok_flag()}"]
        return code + self.mov_reg(old, "rax", wide)

    def rmw_display(self, row, n, code):
        if any(l.startswith("lock cmpxchg") for l in code) and n.op != "cas":
            return "LOCK CMPXCHG loop"
        return ", ".join(self.mnemonic(l) for l in code if l.split()[0] in ("xchg", "xchgl", "xchgq", "lock"))


CODEGENS = {"x86": X86, "aarch64": AArch64, "armv7": Armv7, "power": Power, "riscv": RiscV}


def compile_thread(target: M.Target, ir: ThreadIR, cond_vars: set[str], **flags) -> ThreadCode:
    cg = CODEGENS[target.isa](target, ir, cond_vars)
    for k, v in flags.items():
        setattr(cg, k, v)
    return cg.run()
