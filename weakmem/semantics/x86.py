"""herd7's X86 and X86_64 dialects: run one thread's code into traces.

Each thread's instructions are decoded once (weakmem.semantics.x86_decode)
and then run concretely, like the C front-end runs C: every memory read
returns each value of its location's domain in turn, conditional jumps
follow the flags, and a backward jump may be taken `unroll` times per jump
instruction (longer paths are dropped, as herd7 does).  Registers carry the
set of reads their value was computed from, giving the addr/data/ctrl
dependencies.

Events follow herd7's conventions for its x86 models (x86tso.cat,
x86tso-mixed.cat, sc.cat and the files they include):

* memory reads and writes: kinds R/W and M;
* accesses of a locked instruction (LOCK-prefixed, or XCHG with a memory
  operand, which the processor always locks): also kind X -- filters.cat's
  `A` -- and the read/write pair is in `rmw`;
* fences: kind F plus MFENCE, SFENCE or LFENCE;
* register and flag accesses make no events.

Registers are named in final states as herd7 prints them: `EAX` for X86,
the 64-bit name in lower case (`rax` for RAX/eax/ax/al) for X86_64; the
test's init, locations and condition are rewritten to those names.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from weakmem.errors import LitmusError, Pos, quote
from weakmem.litmus import ast as A
from weakmem.litmus.ast import SymVal
from weakmem.litmus.cond import map_terms
from weakmem.semantics.events import Val
from weakmem.semantics.frontends import Frontend
from weakmem.semantics.runner import C_TYPES, PathRunner, PathState, assemble, init_value, over_unroll
from weakmem.semantics.trace import PEvent, Trace
from weakmem.semantics.x86_decode import Imm, Instr, Mem, Reg, canonical_reg, decode, lookup_reg

EMPTY: frozenset[int] = frozenset()

FENCE_SETS = {"mfence": "MFENCE", "sfence": "SFENCE", "lfence": "LFENCE"}

# event classes herd7 binds for x86 even when no event belongs to them
DECLARED_SETS = frozenset({"X", "MFENCE", "SFENCE", "LFENCE"})

FLAGS = ("ZF", "SF", "CF", "OF")


def _mask(v: int, w: int) -> int:
    return v & ((1 << w) - 1)


def _signed(v: int, w: int) -> int:
    v = _mask(v, w)
    return v - (1 << w) if v >> (w - 1) else v


class _State(PathState):
    """A path (weakmem.semantics.runner.PathState) with x86's flags and the
    read/write pairs of its locked instructions."""
    __slots__ = ("flags", "rmw")

    def __init__(self, regs):
        super().__init__(regs)
        self.flags: dict[str, tuple[int, frozenset[int]]] = {}
        self.rmw: list[tuple[int, int]] = []

    def copy(self) -> "_State":
        q = super().copy()
        q.flags = dict(self.flags)
        q.rmw = list(self.rmw)
        return q

    def add(self, ev: PEvent) -> int:
        # the events of one instruction share its index: herd7 does not order them by po
        # (the read and the write of XCHG or of a LOCK'd instruction)
        ev.poi = self.n
        self.events.append(ev)
        return len(self.events) - 1


# --------------------------------------------------------------------------
# Rewriting register names in the test to herd7's spelling
# --------------------------------------------------------------------------


def _canon_term(t, arch):
    if isinstance(t, A.RegTerm):
        name = canonical_reg(t.reg, arch)
        return t if name == t.reg else replace(t, reg=name)
    return t


def _canon_prop(p, arch):
    return map_terms(p, lambda t: _canon_term(t, arch))


def canonicalize_test(test: A.Litmus) -> A.Litmus:
    """`test` with the registers of the init block, locations, filter and
    condition renamed to the names the front-end and herd7's output use
    (a new test: `test` is left as it is)."""
    arch = test.arch
    c = test.condition
    return replace(test,
                   init=[replace(it, target=_canon_term(it.target, arch)) if isinstance(it.target, A.RegTerm) else it
                         for it in test.init],
                   locations=[_canon_term(t, arch) for t in test.locations],
                   filter=_canon_prop(test.filter, arch),
                   condition=None if c is None else replace(c, prop=_canon_prop(c.prop, arch)))


# --------------------------------------------------------------------------
# The front-end
# --------------------------------------------------------------------------


class X86Frontend(PathRunner[_State]):
    """Turns the X86 / X86_64 threads of a test into traces."""

    def __init__(self, test: A.Litmus, macros=None, unroll: int = 2, max_traces: int = 200000):
        self.test = test = canonicalize_test(test)
        self.arch = test.arch
        self.is64 = test.arch == "X86_64"
        self.full = 64 if self.is64 else 32
        self.unroll = unroll
        self.max_traces = max_traces
        self.all_branches = False
        self.file = test.path
        self.shared: set[str] = set()
        self.elem_size: dict[str, int] = {}
        self.array_len: dict[str, int] = {}
        self.init_regs: dict[int, dict[str, Val]] = {}
        for it in test.init:
            if isinstance(it.target, A.LocTerm):
                name = it.target.name
                self.shared.add(name)
                self.elem_size[name] = self._type_size(it.ctype)
                if it.size:
                    self.array_len[name] = it.size
            elif isinstance(it.target, A.RegTerm):
                v = it.value
                val: Val = init_value(v)
                if isinstance(val, SymVal):
                    self.shared.add(val.name)
                elif isinstance(v, A.ArrayVal) or not isinstance(val, int):
                    raise LitmusError(f"register {it.target.reg} cannot hold that value",
                                      it.pos or Pos(self.file))
                self.init_regs.setdefault(it.target.tid, {})[it.target.reg] = val
        self.code: list[list[Instr]] = []
        self.labels: list[dict[str, int]] = []
        for th in test.threads:
            if not isinstance(th, A.AsmThread):
                raise LitmusError(f"expected {self.arch} assembly code", getattr(th, "pos", None) or Pos(self.file))
            prog, labels = assemble(th, self._decoder(th), self.file,
                                    lambda ins: ins.ops[0].name if ins.extra["class"] in ("jmp", "jcc") else None)
            self.code.append(prog)
            self.labels.append(labels)

    def _decoder(self, th: A.AsmThread) -> Callable[[A.AsmInstr], Instr | None]:
        """The instruction of each line of `th`; a `LOCK` line prefixes the
        thread's next instruction (`LOCK; ADD [x],$1`: the row splitter cuts
        at the `;`)."""
        prefix = ""
        last = th.code[-1] if th.code else None

        def decode_line(ai: A.AsmInstr) -> Instr | None:
            nonlocal prefix
            text = ai.text.strip()
            if text.lower() == "lock":
                prefix = "lock "
                ins = None
            else:
                if prefix and text:
                    text, prefix = prefix + text, ""
                ins = decode(text, self.arch, ai.pos, self.file)
                if ins is not None:
                    ins.label = ai.label
                    self._collect_locations(ins)
            if ai is last and prefix:
                raise LitmusError(f"LOCK prefix without an instruction at the end of {th.name}",
                                  ai.pos or Pos(self.file))
            return ins
        return decode_line

    # ------------------------------------------------------------------
    def _type_size(self, ctype: str | None) -> int:
        """Byte size of a location's cells, by its declared C type."""
        if not ctype:
            return 4
        if ctype.endswith("*") or ctype in ("long", "unsigned long", "long int"):
            return 8 if self.is64 else 4
        return C_TYPES.get(ctype, (32, True))[0] // 8

    def _collect_locations(self, ins: Instr) -> None:
        if ins.extra["class"] == "nop":
            return
        for o in ins.ops:
            if isinstance(o, Mem) and o.sym is not None:
                self.shared.add(o.sym)
            elif isinstance(o, Imm) and o.sym is not None:
                self.shared.add(o.sym)

    def err(self, msg: str, ins: Instr | None = None) -> LitmusError:
        return LitmusError(msg, (ins.pos if ins is not None else None) or Pos(self.file))

    # ------------------------------------------------------------------
    # traces(): weakmem.semantics.runner.PathRunner.  With `all_branches`, every
    # conditional jump (and conditional move) goes both ways whatever the flags.
    def start(self, tid: int) -> _State:
        self._prog, self._labels = self.code[tid], self.labels[tid]
        return _State({name: (v, EMPTY) for name, v in self.init_regs.get(tid, {}).items()})

    def at_end(self, st: _State) -> bool:
        return st.pc >= len(self._prog)

    def step(self, st: _State) -> list[_State]:
        ins = self._prog[st.pc]
        try:
            out = list(getattr(self, "i_" + ins.extra["class"])(ins, st, self._labels))
        except (ArithmeticError, ValueError) as e:     # a shift out of range...: positioned
            raise LitmusError(f"cannot execute {quote(ins.text)}: {e}", ins.pos or Pos(self.file)) from None
        for s2 in out:
            s2.n += 1
        return out

    def finish(self, tid: int, st: _State) -> Trace:
        # Without mixed-size accesses every memory event is a whole access
        # and its own instruction instance: herd7's sm and si are the
        # identity on memory events.
        same = [(i, i) for i, e in enumerate(st.events) if "M" in e.kinds]
        return Trace(tid, st.events, st.rmw, {k: v for k, (v, _) in st.regs.items()},
                     {"sm": same, "si": list(same)}, DECLARED_SETS)

    # ------------------------------------------------------------------
    # registers
    def reg_get(self, st: _State, r: Reg, width: int | None = None) -> tuple[Val, frozenset[int]]:
        v, d = st.regs.get(r.name, (0, EMPTY))
        info = r.info
        w = width if width is not None else (info.width if info else self.full)
        if isinstance(v, int):
            if info is not None and info.high:
                v = _mask(v >> 8, 8)
            elif w < self.full:
                v = _mask(v, w)
        return v, d

    def reg_set(self, st: _State, r: Reg, v: Val, d: frozenset[int], width: int | None = None) -> None:
        info = r.info
        w = width if width is not None else (info.width if info else self.full)
        if info is None or w >= self.full or (self.is64 and w == 32):
            if isinstance(v, int):
                v = _mask(v, 32) if (self.is64 and w == 32) else _signed(v, self.full)
            st.regs[r.name] = (v, d)
            return
        old, od = st.regs.get(r.name, (0, EMPTY))
        if isinstance(v, SymVal) or isinstance(old, SymVal):
            st.regs[r.name] = (v, d)
            return
        shift = 8 if info.high else 0
        m = ((1 << w) - 1) << shift
        st.regs[r.name] = (_signed((old & ~m) | ((v << shift) & m), self.full), d | od)

    # ------------------------------------------------------------------
    # addresses and memory
    def elem(self, name: str) -> int:
        return self.elem_size.get(name, 4)

    def addr_add(self, base: SymVal, nbytes: int, ins: Instr) -> SymVal:
        if nbytes == 0:
            return base
        es = self.elem(base.name)
        if nbytes % es:
            raise self.err(f"address {base.name}+{nbytes} is not aligned on the {es}-byte cells of "
                           f"{base.name}", ins)
        return SymVal(base.name, base.offset + nbytes // es)

    def eff_addr(self, st: _State, m: Mem, ins: Instr) -> tuple[SymVal, frozenset[int]]:
        if m.absolute is not None:
            raise self.err(f"numeric address {m.absolute} is not a location", ins)
        deps = EMPTY
        ptr: SymVal | None = SymVal(m.sym) if m.sym is not None else None
        off = m.disp
        for r, k in ((m.base, 1), (m.index, m.scale)):
            if r is None:
                continue
            v, d = self.reg_get(st, r, self.full if r.info is None or r.info.width >= 32 else None)
            deps = deps | d
            if isinstance(v, SymVal):
                if ptr is not None or k != 1:
                    raise self.err("an address may contain only one location", ins)
                ptr = v
            else:
                off += v * k
        if ptr is None:
            raise self.err(f"address {off} is not a location", ins)
        a = self.addr_add(ptr, off, ins)
        n = self.array_len.get(a.name)
        if (n is None and a.offset != 0) or (n is not None and not 0 <= a.offset < n):
            raise self.err(f"address {a.name}+{a.offset * self.elem(a.name)} is outside location {a.name}", ins)
        return a, deps

    def mem_read(self, st: _State, addr: SymVal, ad, locked: bool, ins: Instr):
        kinds = frozenset({"R", "M", "X"}) if locked else frozenset({"R", "M"})
        vals = list(self.domain(addr))
        for i, v in enumerate(vals):
            s2 = st.copy() if i < len(vals) - 1 else st
            idx = s2.add(PEvent(kinds, addr, v, EMPTY, ins.text, addr=ad, ctrl=s2.ctrl, rf_read=True))
            yield v, frozenset({idx}), s2

    def mem_write(self, st: _State, addr: SymVal, v: Val, ad, dd, locked: bool, ins: Instr) -> int:
        kinds = frozenset({"W", "M", "X"}) if locked else frozenset({"W", "M"})
        return st.add(PEvent(kinds, addr, v, EMPTY, ins.text, addr=ad, data=dd, ctrl=st.ctrl, is_write=True))

    # ------------------------------------------------------------------
    # operands: value of a source operand, location of a destination
    def width(self, ins: Instr) -> int:
        if ins.size is not None:
            return ins.size
        for o in ins.ops:
            if isinstance(o, Reg) and o.info is not None:
                return o.info.width
        return 32

    def src(self, st: _State, o, w: int, ins: Instr, locked: bool = False):
        """Yield (value, deps, state) for a source operand."""
        if isinstance(o, Imm):
            yield (SymVal(o.sym) if o.sym is not None else o.value), EMPTY, st
        elif isinstance(o, Reg):
            v, d = self.reg_get(st, o)
            yield v, d, st
        elif isinstance(o, Mem):
            a, ad = self.eff_addr(st, o, ins)
            yield from self.mem_read(st, a, ad, locked, ins)
        else:
            raise self.err(f"'{o.name}' is not an operand here", ins)

    def store(self, st: _State, o, v: Val, d, ins: Instr, locked: bool = False, addr=None) -> int | None:
        """Write v to a destination operand; for memory returns the event index."""
        if isinstance(o, Reg):
            self.reg_set(st, o, v, d)
            return None
        if isinstance(o, Mem):
            a, ad = addr if addr is not None else self.eff_addr(st, o, ins)
            return self.mem_write(st, a, v, ad, d, locked, ins)
        raise self.err("bad destination operand", ins)

    # ------------------------------------------------------------------
    # flags
    def set_flags(self, st: _State, d: frozenset[int], zf, sf, cf=None, of=None) -> None:
        st.flags["ZF"] = (int(zf), d)
        st.flags["SF"] = (int(sf), d)
        if cf is not None:
            st.flags["CF"] = (int(cf), d)
        if of is not None:
            st.flags["OF"] = (int(of), d)

    def flags_result(self, st: _State, r: Val, w: int, d, cf=0, of=0) -> None:
        if isinstance(r, SymVal):
            self.set_flags(st, d, 0, 0, 0, 0)
            return
        m = _mask(r, w)
        self.set_flags(st, d, m == 0, m >> (w - 1), cf, of)

    def cond(self, st: _State, c: str) -> tuple[bool, frozenset[int]]:
        f = {k: st.flags.get(k, (0, EMPTY)) for k in FLAGS}
        zf, sf, cf, of = (f[k][0] for k in FLAGS)
        deps = EMPTY
        for k in FLAGS:
            deps = deps | f[k][1]
        val = {
            "e": zf, "ne": not zf, "s": sf, "ns": not sf, "o": of, "no": not of,
            "l": sf != of, "ge": sf == of, "le": zf or sf != of, "g": (not zf) and sf == of,
            "b": cf, "ae": not cf, "be": cf or zf, "a": (not cf) and not zf,
        }[c]
        return bool(val), deps

    # ------------------------------------------------------------------
    # arithmetic
    def alu(self, op: str, a: Val, b: Val, w: int, ins: Instr, carry: int = 0):
        """dst(a) op src(b) -> (result, cf, of); a, b are the destination and
        source, `carry` the carry-in of adc/sbb."""
        if isinstance(a, SymVal) or isinstance(b, SymVal):
            if op == "add" and isinstance(a, SymVal) and isinstance(b, int):
                return self.addr_add(a, b, ins), 0, 0
            if op == "add" and isinstance(b, SymVal) and isinstance(a, int):
                return self.addr_add(b, a, ins), 0, 0
            if op == "sub" and isinstance(a, SymVal) and isinstance(b, int):
                return self.addr_add(a, -b, ins), 0, 0
            if op == "sub" and isinstance(a, SymVal) and isinstance(b, SymVal) and a.name == b.name:
                return (a.offset - b.offset) * self.elem(a.name), 0, 0
            if op in ("xor", "sub") and a == b:
                return 0, 0, 0
            if op in ("and", "or") and a == b:
                return a, 0, 0
            raise self.err(f"'{ins.op}' is not defined on an address", ins)
        ua, ub = _mask(a, w), _mask(b, w)
        top = 1 << (w - 1)
        if op in ("add", "adc"):
            r = ua + ub + carry
            cf = r >> w & 1
            of = (~(ua ^ ub) & (ua ^ r) & top) != 0
        elif op in ("sub", "sbb", "cmp"):
            r = ua - ub - carry
            cf = ua < ub + carry
            of = ((ua ^ ub) & (ua ^ r) & top) != 0
        elif op in ("and", "test"):
            r, cf, of = a & b, 0, 0
        elif op == "or":
            r, cf, of = a | b, 0, 0
        elif op == "xor":
            r, cf, of = a ^ b, 0, 0
        else:
            raise self.err(f"unknown operation {op}", ins)
        return _signed(r, w), int(cf), int(of)

    # ------------------------------------------------------------------
    def _next(self, st: _State) -> _State:
        st.pc += 1
        return st

    def i_nop(self, ins, st, labels):
        yield self._next(st)

    def i_ret(self, ins, st, labels):
        st.pc = 1 << 30
        yield st

    def i_fence(self, ins, st, labels):
        st.add(PEvent(frozenset({"F", FENCE_SETS[ins.op]}), None, None, EMPTY, ins.text, ctrl=st.ctrl))
        yield self._next(st)

    def _jump(self, st: _State, target: int) -> _State | None:
        if target <= st.pc and over_unroll(st.seen, st.pc, self.unroll):
            return None         # a backward jump, taken at most `unroll` times per jump (herd7's -unroll)
        st.pc = target
        return st

    def i_jmp(self, ins, st, labels):
        s2 = self._jump(st, labels[ins.ops[0].name])
        if s2 is not None:
            yield s2

    def i_jcc(self, ins, st, labels):
        taken, d = self.cond(st, ins.cond)
        st.ctrl = st.ctrl | d
        ways = (True, False) if self.all_branches else (taken,)
        for i, way in enumerate(ways):
            s1 = st.copy() if i < len(ways) - 1 else st
            if way:
                s2 = self._jump(s1, labels[ins.ops[0].name])
                if s2 is not None:
                    yield s2
            else:
                yield self._next(s1)

    def i_mov(self, ins, st, labels):
        s, dst = ins.ops
        w = self.width(ins)
        for v, d, s2 in self.src(st, s, w, ins):
            self.store(s2, dst, v, d, ins)
            yield self._next(s2)

    def i_lea(self, ins, st, labels):
        m, dst = ins.ops
        a, ad = self.eff_addr(st, m, ins)
        self.reg_set(st, dst, a, ad)
        yield self._next(st)

    def i_setcc(self, ins, st, labels):
        (dst,) = ins.ops
        c, d = self.cond(st, ins.cond)
        self.store(st, dst, int(c), d, ins)
        yield self._next(st)

    def i_cmovcc(self, ins, st, labels):
        s, dst = ins.ops
        c, d = self.cond(st, ins.cond)
        if self.all_branches:
            yield self._next(st.copy())
        elif not c:
            yield self._next(st)
            return
        for v, vd, s2 in self.src(st, s, self.width(ins), ins):
            self.reg_set(s2, dst, v, vd | d)
            yield self._next(s2)

    def _rmw_dst(self, ins, st, dst, locked):
        """Read a read-modify-write destination: yield (value, deps, state,
        addr-or-None, read index-or-None)."""
        if isinstance(dst, Reg):
            v, d = self.reg_get(st, dst)
            yield v, d, st, None, None
        else:
            a, ad = self.eff_addr(st, dst, ins)
            for v, d, s2 in self.mem_read(st, a, ad, locked, ins):
                yield v, d, s2, (a, ad), next(iter(d))

    def _rmw_write(self, ins, st, dst, v, d, locked, addr, ridx) -> None:
        widx = self.store(st, dst, v, d, ins, locked, addr)
        if locked and ridx is not None and widx is not None:
            st.rmw.append((ridx, widx))

    def i_arith(self, ins, st, labels):
        s, dst = ins.ops
        w = self.width(ins)
        locked = ins.lock
        for b, bd, s1 in self.src(st, s, w, ins):
            for a, ad_, s2, addr, ridx in self._rmw_dst(ins, s1, dst, locked):
                carry, cd = s2.flags.get("CF", (0, EMPTY)) if ins.op in ("adc", "sbb") else (0, EMPTY)
                r, cf, of = self.alu(ins.op, a, b, w, ins, carry)
                d = ad_ | bd | cd
                self._rmw_write(ins, s2, dst, r, d, locked, addr, ridx)
                self.flags_result(s2, r, w, d, cf, of)
                yield self._next(s2)

    def _compared(self, ins, st, w: int):
        """The two operands of CMP / TEST, read source first: yield
        (destination value, source value, their dependencies, state)."""
        s, dst = ins.ops
        for b, bd, s1 in self.src(st, s, w, ins):
            for a, ad_, s2 in self.src(s1, dst, w, ins):
                yield a, b, ad_ | bd, s2

    def i_cmp(self, ins, st, labels):
        w = self.width(ins)
        for a, b, d, s2 in self._compared(ins, st, w):
            if isinstance(a, SymVal) or isinstance(b, SymVal):
                if isinstance(a, SymVal) and isinstance(b, SymVal) and a.name == b.name:
                    a, b = a.offset, b.offset
                else:
                    self.set_flags(s2, d, a == b, 0, 0, 0)
                    yield self._next(s2)
                    continue
            r, cf, of = self.alu("cmp", a, b, w, ins)
            self.flags_result(s2, r, w, d, cf, of)
            yield self._next(s2)

    def i_test(self, ins, st, labels):
        w = self.width(ins)
        for a, b, d, s2 in self._compared(ins, st, w):
            if isinstance(a, SymVal) or isinstance(b, SymVal):
                if a == b:
                    self.set_flags(s2, d, 0, 0, 0, 0)
                    yield self._next(s2)
                    continue
                raise self.err("'test' is not defined on an address", ins)
            self.flags_result(s2, a & b, w, d, 0, 0)
            yield self._next(s2)

    def i_unary(self, ins, st, labels):
        (dst,) = ins.ops
        w = self.width(ins)
        locked = ins.lock
        for a, ad_, s2, addr, ridx in self._rmw_dst(ins, st, dst, locked):
            op = ins.op
            if isinstance(a, SymVal):
                if op in ("inc", "dec"):
                    r = self.addr_add(a, 1 if op == "inc" else -1, ins)
                    self._rmw_write(ins, s2, dst, r, ad_, locked, addr, ridx)
                    self.set_flags(s2, ad_, 0, 0, None, 0)
                    yield self._next(s2)
                    continue
                raise self.err(f"'{op}' is not defined on an address", ins)
            ua = _mask(a, w)
            top = 1 << (w - 1)
            cf = of = None
            if op == "inc":
                r = ua + 1
                of = ua == top - 1
            elif op == "dec":
                r = ua - 1
                of = ua == top
            elif op == "neg":
                r = -ua
                cf = ua != 0
                of = ua == top
            else:  # not: no flags
                r = ~ua
            r = _signed(r, w)
            self._rmw_write(ins, s2, dst, r, ad_, locked, addr, ridx)
            if op != "not":
                m = _mask(r, w)
                self.set_flags(s2, ad_, m == 0, m >> (w - 1), cf, of)
            yield self._next(s2)

    def i_shift(self, ins, st, labels):
        if len(ins.ops) == 1:
            ops = [Imm(1), ins.ops[0]]
        else:
            ops = ins.ops
        s, dst = ops
        w = ins.size or (dst.info.width if isinstance(dst, Reg) and dst.info else 32)
        for n, nd, s1 in self.src(st, s, 8, ins):
            if not isinstance(n, int):
                raise self.err("a shift count must be a number", ins)
            n &= 63 if w == 64 else 31
            for a, ad_, s2, addr, ridx in self._rmw_dst(ins, s1, dst, False):
                if isinstance(a, SymVal):
                    raise self.err(f"'{ins.op}' is not defined on an address", ins)
                d = ad_ | nd
                ua = _mask(a, w)
                if ins.op in ("shl", "sal"):
                    r = ua << n
                    cf = (ua >> (w - n)) & 1 if n else None
                elif ins.op == "shr":
                    r = ua >> n
                    cf = (ua >> (n - 1)) & 1 if n else None
                else:
                    r = _signed(ua, w) >> n
                    cf = (ua >> (n - 1)) & 1 if n else None
                r = _signed(r, w)
                self._rmw_write(ins, s2, dst, r, d, False, addr, ridx)
                if n:
                    self.flags_result(s2, r, w, d, cf, 0)
                yield self._next(s2)

    def i_xchg(self, ins, st, labels):
        a_op, b_op = ins.ops
        if isinstance(a_op, Mem):
            a_op, b_op = b_op, a_op
        # b_op is the memory operand if there is one; the processor always
        # locks an exchange with memory.
        yield from self._exchange(ins, st, a_op, b_op, isinstance(b_op, Mem))

    def i_uxch(self, ins, st, labels):
        a_op, b_op = ins.ops
        if isinstance(a_op, Mem):
            a_op, b_op = b_op, a_op
        yield from self._exchange(ins, st, a_op, b_op, False)

    def _exchange(self, ins, st, r_op, m_op, locked):
        rv, rd = self.reg_get(st, r_op)
        if isinstance(m_op, Reg):
            mv, md = self.reg_get(st, m_op)
            self.reg_set(st, m_op, rv, rd)
            self.reg_set(st, r_op, mv, md)
            yield self._next(st)
            return
        for old, od, s2, addr, ridx in self._rmw_dst(ins, st, m_op, locked):
            self._rmw_write(ins, s2, m_op, rv, rd, locked, addr, ridx)
            self.reg_set(s2, r_op, old, od)
            yield self._next(s2)

    def i_xadd(self, ins, st, labels):
        r_op, dst = ins.ops
        w = self.width(ins)
        locked = ins.lock
        rv, rd = self.reg_get(st, r_op)
        for old, od, s2, addr, ridx in self._rmw_dst(ins, st, dst, locked):
            r, cf, of = self.alu("add", old, rv, w, ins)
            d = od | rd
            self._rmw_write(ins, s2, dst, r, d, locked, addr, ridx)
            self.reg_set(s2, r_op, old, od)
            self.flags_result(s2, r, w, d, cf, of)
            yield self._next(s2)

    def i_cmpxchg(self, ins, st, labels):
        r_op, dst = ins.ops
        w = self.width(ins)
        locked = ins.lock
        acc = Reg(self._acc_info(w), self._acc_info(w).name)
        ev, ed = self.reg_get(st, acc)
        nv, nd = self.reg_get(st, r_op)
        if isinstance(dst, Reg):
            old, od = self.reg_get(st, dst)
            self._cmpxchg_finish(ins, st, dst, old, od, ev, ed, nv, nd, acc, w, False, None, None)
            yield self._next(st)
            return
        a, ad = self.eff_addr(st, dst, ins)
        for old, od, s2 in self.mem_read(st, a, ad, locked, ins):
            ridx = next(iter(od))
            self._cmpxchg_finish(ins, s2, dst, old, od, ev, ed, nv, nd, acc, w, locked, (a, ad), ridx)
            yield self._next(s2)

    def _acc_info(self, w):
        name = {64: "rax", 32: "eax", 16: "ax", 8: "al"}[w] if self.is64 else {32: "EAX", 16: "AX", 8: "AL"}.get(w, "EAX")
        return lookup_reg(name, self.arch)

    def _cmpxchg_finish(self, ins, st, dst, old, od, ev, ed, nv, nd, acc, w, locked, addr, ridx):
        d = od | ed
        eq = old == ev if (isinstance(old, SymVal) or isinstance(ev, SymVal)) else _mask(old, w) == _mask(ev, w)
        if eq:
            # success: the new value goes to the destination
            self._rmw_write(ins, st, dst, nv, nd, locked, addr, ridx)
        else:
            # failure: the accumulator receives the value read; no write
            self.reg_set(st, acc, old, od)
        if isinstance(old, int) and isinstance(ev, int):
            r, cf, of = self.alu("cmp", ev, old, w, ins)
            self.flags_result(st, r, w, d, cf, of)
        else:
            self.set_flags(st, d, eq, 0, 0, 0)


def frontend(test, macros, unroll: int) -> Frontend:
    """This architecture's front-end for `test` (weakmem.semantics.frontends)."""
    return X86Frontend(test, macros, unroll)
