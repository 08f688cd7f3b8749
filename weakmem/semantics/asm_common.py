"""Machinery shared by the assembly front-ends (ARM/AArch32, PPC, RISC-V).

Each architecture module decodes the text of every `AsmInstr` into an
`Ins` (a function that runs the instruction on a machine state) and hands
the decoded program to `AsmFrontend`, which runs each thread concretely,
like the C front-end: a read takes every value of its location's value
domain in turn, a conditional branch follows the way its (concrete)
condition says, a backward jump is taken at most `unroll` times per
target (paths needing more are dropped, as herd7 drops them).

Conventions follow herd7's instruction semantics:

* registers carry a value and the set of reads it was computed from;
  `addr`, `data` and `ctrl` dependencies are read off those sets
  (`ctrl`: from the reads a conditional branch depends on to every later
  event of the thread, fences included);
* addresses are symbolic (`x`, `x+4`, in bytes); an access to a
  non-symbolic address is an error, as in herd7;
* exclusive / atomic accesses carry the set `X`; `rmw` pairs each
  exclusive read with the next exclusive write to the same location
  when no exclusive read of it lies in between (herd7's rule);
* values are machine words (32 bits for ARM, 64 for PPC and RISC-V);
  registers and memory locations have C types (`int` by default), and
  final values are shown as their type says (`int`: signed 32 bits).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from weakmem.errors import LitmusError, Pos, quote
from weakmem.litmus import ast as A
from weakmem.litmus.ast import LabelVal, SymVal
from weakmem.litmus.cond import is_term, map_atoms
from weakmem.semantics.runner import C_TYPES, DEFAULT_C_TYPE, PathRunner, PathState, assemble, init_value, over_unroll
from weakmem.semantics.trace import PEvent, Trace
from weakmem.semantics.values import ValueError_, binop

EMPTY: frozenset[int] = frozenset()
R_KINDS = frozenset({"R", "M"})
W_KINDS = frozenset({"W", "M"})
F_KINDS = frozenset({"F"})

EXIT = "exit"   # a jump target meaning "the thread ends here"


@dataclass(frozen=True)
class CondJump:
    """The outcome of a conditional branch: go to `label` if `taken`.
    While value domains are computed (all_branches) both ways are run."""
    label: str
    taken: bool

# ----------------------------------------------------------------------------
# C types: size in bits and signedness
# ----------------------------------------------------------------------------



def type_info(ctype: str | None) -> tuple[int, bool] | None:
    """(bits, signed) of a C type name, None for pointers/unknown types."""
    if ctype is None:
        return C_TYPES[DEFAULT_C_TYPE]
    t = " ".join(ctype.split())
    if "*" in t:
        return None
    t = t.replace("volatile ", "").replace("const ", "").replace("_Atomic ", "")
    return C_TYPES.get(t)


def wrap(v: int, bits: int, signed: bool = True) -> int:
    """v truncated to `bits` bits, read as signed or unsigned."""
    m = (1 << bits) - 1
    v &= m
    if signed and v >> (bits - 1):
        v -= 1 << bits
    return v


def norm_typed(v, ctype: str | None):
    """A value as a location or register of type `ctype` holds it."""
    if not isinstance(v, int):
        return v
    ti = type_info(ctype)
    if ti is None:
        return v
    return wrap(v, *ti)


# ----------------------------------------------------------------------------
# Operand parsing helpers shared by the decoders
# ----------------------------------------------------------------------------

def split_operands(s: str) -> list[str]:
    """'R1, [R2, #4], {R3,R4}' -> ['R1', '[R2, #4]', '{R3,R4}']  (commas
    inside brackets, braces and parentheses do not split)."""
    out: list[str] = []
    depth = 0
    cur = []
    for ch in s:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    last = "".join(cur).strip()
    if last or out:
        out.append(last)
    return out


_INT = re.compile(r"[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)$")


def parse_int(s: str) -> int | None:
    s = s.strip()
    if not _INT.match(s):
        return None
    neg = s.startswith("-")
    s = s.lstrip("+-")
    v = int(s, 0) if not (len(s) > 1 and s[0] == "0" and s[1].isdigit()) else int(s, 10)
    return -v if neg else v


class DecodeError(Exception):
    """An instruction the decoder cannot read (turned into a LitmusError)."""


# ----------------------------------------------------------------------------
# Machine state and decoded instructions
# ----------------------------------------------------------------------------

St = PathState      # one path through a thread (weakmem.semantics.runner)


Step = Iterable[tuple[St, object]]   # (new state, jump): see Ins


@dataclass
class Ins:
    """A decoded instruction: `run(ex, st)` yields (state, jump) pairs, one
    per outcome (read values, success/failure of a store-conditional...);
    jump is None to fall through, a label name, EXIT, a LabelVal (indirect
    branch) or a CondJump (conditional branch)."""
    text: str
    run: Callable[["AsmFrontend", St], Step]
    pos: Pos | None = None


def nop_run(ex, st):
    yield st, None


def branch_to(label: str, run):
    """Mark a decoded branch's `run` with its target label, so that a label
    missing from the thread is refused before anything runs (herd7: "Label
    L not found on P0"), whether the branch is taken or not."""
    run.target = label
    return run


class Arch:
    """What an architecture module supplies to `AsmFrontend`."""
    name = "?"
    word_bits = 64
    reg_type = "int"           # default C type of registers (for final values)
    zero_regs: frozenset[str] = frozenset()   # registers that read as 0, ignore writes
    internal_regs: frozenset[str] = frozenset()  # not reported in final states
    declared_sets: frozenset[str] = frozenset()  # event sets that exist even when empty

    reg_error = ""             # extra words for a bad-register message

    @staticmethod
    def canon_name(name: str) -> str | None:   # pragma: no cover - per arch
        """The architecture's canonical spelling of a register name, or None."""
        raise NotImplementedError

    def canon_reg(self, name: str) -> str | None:
        if name.startswith("%"):
            return name           # a symbolic register
        return self.canon_name(name)

    def reg(self, s: str) -> str:
        """A register operand, canonical; DecodeError if it is not one."""
        s = s.strip()
        if s.startswith("%"):
            return s
        r = self.canon_name(s)
        if r is None:
            raise DecodeError(f"{self.name}, bad register '{s}'{self.reg_error}")
        return r

    def imm(self, s: str) -> int:
        """An immediate operand (`#` prefix allowed); DecodeError if it is not a number."""
        s = s.strip()
        if s.startswith("#"):
            s = s[1:]
        v = parse_int(s)
        if v is None:
            raise DecodeError(f"{self.name}, bad immediate '{s}'")
        return v

    def decode(self, text: str) -> Ins:   # pragma: no cover - per arch
        raise NotImplementedError


# ----------------------------------------------------------------------------
# The front-end
# ----------------------------------------------------------------------------

class AsmFrontend(PathRunner[St]):
    """Runs the assembly threads of a test into traces."""

    def __init__(self, test: A.Litmus, arch: Arch, unroll: int = 2, max_traces: int = 200000):
        self.test = test
        self.arch = arch
        self.unroll = unroll
        self.max_traces = max_traces
        self.file = test.path
        self.word_bits = arch.word_bits
        self.cur: Ins | None = None
        self.all_branches = False
        self.loc_types: dict[str, str | None] = {}
        self.arrays: dict[str, int] = {}
        self.shared: set[str] = set()
        self.init_regs: dict[int, dict[str, object]] = {}
        self.reg_types: dict[tuple[int, str], str | None] = {}
        self.sym_regs: dict[str, object] = {}
        self._read_init()
        self.progs: list[list[Ins]] = []
        self.labels: list[dict[str, int]] = []
        for th in test.threads:
            if not isinstance(th, A.AsmThread):
                raise LitmusError(f"expected {arch.name} assembly code", getattr(th, "pos", None) or Pos(self.file))
            self._decode_thread(th)
        self._normalize_test()

    # ------------------------------------------------------------------ init
    def err(self, msg: str, pos: Pos | None = None) -> LitmusError:
        if pos is None and self.cur is not None:
            pos = self.cur.pos
        return LitmusError(msg, pos or self.test.pos or Pos(self.file))

    def _note_syms(self, v) -> None:
        if isinstance(v, SymVal):
            self.shared.add(v.name)
        elif isinstance(v, A.ArrayVal):
            for x in v.values:
                self._note_syms(x)

    def _read_init(self) -> None:
        new_init: list[A.InitItem] = []
        changed = False
        for it in self.test.init:
            t = it.target
            if isinstance(t, A.LocTerm):
                self.shared.add(t.name)
                self.loc_types[t.name] = it.ctype
                if it.size:
                    self.arrays[t.name] = it.size
                self._note_syms(it.value)
                if isinstance(it.value, A.ArrayVal):
                    # cells hold values of the element type (`int x[2] = {0xffffffff,0}`: -1)
                    cells = A.ArrayVal(tuple(self._cell_value(v, it.ctype) for v in it.value.values))
                    if cells != it.value:
                        changed = True
                        it = A.InitItem(t, it.ctype, cells, it.size, it.pos)
                elif isinstance(it.value, A.IntVal):
                    nv = A.IntVal(norm_typed(it.value.value, it.ctype))
                    if nv != it.value:
                        changed = True
                        it = A.InitItem(t, it.ctype, nv, it.size, it.pos)
                new_init.append(it)
            elif isinstance(t, A.RegTerm):
                self._note_syms(it.value)
                reg = t.reg if t.reg.startswith("%") else self.arch.canon_reg(t.reg)
                if reg is None:
                    raise self.err(f"unknown {self.arch.name} register '{t.reg}'", it.pos or t.pos)
                val = self._reg_init_value(it.value)
                if t.tid < 0:
                    self.sym_regs[reg] = val
                    self.reg_types[(-1, reg)] = it.ctype
                else:
                    self.init_regs.setdefault(t.tid, {})[reg] = val
                    if it.ctype is not None:
                        self.reg_types[(t.tid, reg)] = it.ctype
                new_init.append(it)
            else:
                new_init.append(it)
        if changed:
            self.test = dataclasses.replace(self.test, init=new_init)

    def _cell_value(self, v, ctype):
        if isinstance(v, A.IntVal):
            return A.IntVal(norm_typed(v.value, ctype))
        return v

    def _reg_init_value(self, v):
        val = init_value(v)
        if isinstance(val, int):
            return self.word(val)
        if isinstance(val, (SymVal, LabelVal)):
            return val
        raise self.err(f"unsupported initial register value {v!r}")

    # ------------------------------------------------------------------ code
    def _decode_thread(self, th: A.AsmThread) -> None:
        def decode(ai: A.AsmInstr) -> Ins | None:
            text = ai.text.strip()
            if not text:
                return Ins("", nop_run, ai.pos) if ai.label is not None else None
            try:
                ins = self.arch.decode(text)
            except DecodeError as e:
                msg = str(e) or f"{self.arch.name}, instruction '{text}' not handled"
                raise LitmusError(msg, ai.pos or Pos(self.file)) from None
            ins.pos = ai.pos
            return ins

        prog, labels = assemble(th, decode, self.file, lambda ins: getattr(ins.run, "target", None))
        while len(self.progs) <= th.tid:
            self.progs.append([])
            self.labels.append({})
        self.progs[th.tid] = prog
        self.labels[th.tid] = labels

    # ------------------------------------------------------------------ test
    def reg_type(self, tid: int, reg: str) -> str | None:
        if (tid, reg) in self.reg_types:
            return self.reg_types[(tid, reg)]
        if (-1, reg) in self.reg_types:
            return self.reg_types[(-1, reg)]
        return self.arch.reg_type

    def _norm_term(self, t):
        if isinstance(t, A.RegTerm):
            reg = t.reg if t.reg.startswith("%") else self.arch.canon_reg(t.reg)
            if reg is None:
                raise self.err(f"unknown {self.arch.name} register '{t.reg}'", t.pos)
            if reg != t.reg:
                return A.RegTerm(t.tid, reg, t.pos)
        return t

    def _term_type(self, t):
        if isinstance(t, A.RegTerm):
            return self.reg_type(t.tid, t.reg)
        if isinstance(t, A.LocTerm):
            return self.loc_types.get(t.name)
        return None

    def _norm_atom(self, p):
        if not isinstance(p, A.PAtom):
            return p
        lhs = self._norm_term(p.lhs)
        rhs = p.rhs
        if is_term(rhs):
            rhs = self._norm_term(rhs)
        elif isinstance(rhs, A.IntVal):
            rhs = A.IntVal(norm_typed(rhs.value, self._term_type(lhs)))
        if lhs is p.lhs and rhs == p.rhs:
            return p
        return A.PAtom(lhs, p.op, rhs, p.pos)

    def _norm_prop(self, p):
        return map_atoms(p, self._norm_atom)

    def _normalize_test(self) -> None:
        """Spell registers in the condition as herd7 does (canonical names,
        e.g. RISC-V a0 -> x10) and read its constants at the type of the
        register or location they are compared with (ARM: 0xBEEF0000 is
        -1091633152 in an `int` register)."""
        t = self.test
        cond = t.condition
        if cond is not None:
            prop = self._norm_prop(cond.prop)
            if prop is not cond.prop:
                cond = A.Condition(cond.quantifier, prop, cond.text)
        self.test = dataclasses.replace(t, condition=cond, filter=self._norm_prop(t.filter),
                                        locations=[self._norm_term(x) for x in t.locations])

    # ------------------------------------------------------------------ values
    def word(self, v):
        if isinstance(v, int):
            return wrap(v, self.word_bits, True)
        return v

    def op(self, o: str, a, b):
        """Binary operation on machine words (symbolic addresses allowed
        where they make sense: x+4, x-x, x^x...)."""
        if isinstance(a, int) and isinstance(b, int):
            if o in ("<<", ">>") and b < 0:
                raise self.err(f"negative shift amount {b}")
            return self.word(binop(o, a, b))
        try:
            return binop(o, a, b)
        except ValueError_ as ex:
            raise self.err(str(ex)) from None

    def loc_of(self, addr) -> SymVal:
        """The location an address designates (array cells by index)."""
        if not isinstance(addr, SymVal):
            shown = addr.label if isinstance(addr, LabelVal) else addr
            raise self.err(f"Non-symbolic memory access found on '[{shown}]'")
        off = addr.offset
        if off == 0:
            return addr
        size = self.arrays.get(addr.name)
        ti = type_info(self.loc_types.get(addr.name)) or (self.word_bits, True)
        elt = max(ti[0] // 8, 1)
        if size is None or off % elt or not 0 <= off // elt < size:
            raise self.err(f"access to {addr.name}+{off} is outside location {addr.name} "
                           "(mixed-size accesses are not supported)")
        return SymVal(addr.name, off // elt)

    def mem_norm(self, loc: SymVal, v, width: int | None = None):
        """A value as location `loc` stores it (a store of `width` bits)."""
        if not isinstance(v, int):
            return v
        if width is not None:
            v = wrap(v, width, False)
        return norm_typed(v, self.loc_types.get(loc.name))

    def extend(self, v, width: int | None, signed: bool):
        """A value loaded from memory, `width` bits zero- or sign-extended."""
        if not isinstance(v, int):
            return v
        if width is not None:
            v = wrap(v, width, signed)
        return self.word(v)

    # ------------------------------------------------------------------ registers
    def rd(self, st: St, r: str):
        if r in self.arch.zero_regs:
            return 0, EMPTY
        return st.regs.get(r, (0, EMPTY))

    def wr(self, st: St, r: str, v, deps: frozenset[int]) -> None:
        if r in self.arch.zero_regs:
            return
        st.regs[r] = (v, deps)

    # ------------------------------------------------------------------ events
    def text(self) -> str:
        return self.cur.text if self.cur is not None else ""

    def load(self, st: St, addr, adeps, kinds=R_KINDS) -> Iterator[tuple[St, object, int]]:
        """One read of `addr`: yields (state, value read, event index) per
        value of the location's domain."""
        loc = self.loc_of(addr)
        vals = list(self.domain(loc))
        for i, v in enumerate(vals):
            s2 = st.copy() if i < len(vals) - 1 else st
            s2.events.append(PEvent(kinds, loc, v, frozenset(), self.text(), addr=adeps, ctrl=s2.ctrl,
                                    rf_read=True, poi=s2.n))
            yield s2, v, len(s2.events) - 1

    def store(self, st: St, addr, adeps, v, ddeps, kinds=W_KINDS, width: int | None = None) -> int:
        loc = self.loc_of(addr)
        st.events.append(PEvent(kinds, loc, self.mem_norm(loc, v, width), frozenset(), self.text(), addr=adeps,
                                data=ddeps, ctrl=st.ctrl, is_write=True, poi=st.n))
        return len(st.events) - 1

    def fence(self, st: St, kinds: Iterable[str]) -> int:
        st.events.append(PEvent(F_KINDS | frozenset(kinds), None, None, frozenset(), self.text(), ctrl=st.ctrl,
                                poi=st.n))
        return len(st.events) - 1

    # ------------------------------------------------------------------ running
    # (traces(): weakmem.semantics.runner.PathRunner.  With `all_branches`, conditional
    # branches and conditionally executed instructions go both ways whatever their
    # condition, and paths that would be errors are dropped.)
    def start(self, tid: int) -> St:
        self.cur_tid = tid
        self._prog = self.progs[tid]
        regs: dict[str, tuple[object, frozenset[int]]] = {}
        for r, v in self.sym_regs.items():
            regs[r] = (v, EMPTY)
        for r, v in self.init_regs.get(tid, {}).items():
            regs[r] = (v, EMPTY)
        return St(regs)

    def thread_name(self, tid: int) -> str:
        return self.test.threads[tid].name if tid < len(self.test.threads) else f"P{tid}"

    def done(self, tid: int, out: list[Trace]) -> list[Trace]:
        self.cur = None
        return out

    def at_end(self, st: St) -> bool:
        return st.pc >= len(self._prog)

    def step(self, st: St) -> list[St]:
        tid = self.cur_tid
        ins = self._prog[st.pc]
        self.cur = ins
        try:
            try:
                results = list(ins.run(self, st))
            except (ArithmeticError, ValueError, ValueError_) as e:
                # (division by zero, a shift out of range...): a user error, positioned
                raise self.err(f"cannot execute {quote(ins.text)}: {e}", ins.pos) from None
        except LitmusError:
            if self.all_branches:
                return []       # a path that cannot happen (e.g. address 0 on a branch not taken)
            raise
        labels = self.labels[tid]
        nxt = []
        for s2, jump in results:
            # the events of one instruction share its program-order index: herd7 does
            # not order them by po (e.g. the read and the write of XCHG or an AMO)
            s2.n += 1
            if isinstance(jump, CondJump):
                if self.all_branches:
                    nxt.extend(x for x in (self._jump(tid, s2.copy(), jump.label, labels, ins),
                                           self._jump(tid, s2, None, labels, ins)) if x is not None)
                    continue
                jump = jump.label if jump.taken else None
            s2 = self._jump(tid, s2, jump, labels, ins)
            if s2 is not None:
                nxt.append(s2)
        return nxt

    def label_value(self, label: str) -> LabelVal:
        """The address of a code label of the running thread (`la x5,L0`)."""
        tid = self.cur_tid
        if label not in self.labels[tid]:
            raise self.err(f"Label {label} not found on P{tid}")
        return LabelVal(tid, label)

    def _jump(self, tid, st: St, jump, labels, ins) -> St | None:
        here = st.pc
        if jump is None:
            st.pc = here + 1
            return st
        if jump == EXIT:
            st.pc = len(self.progs[tid])
            return st
        if isinstance(jump, LabelVal):
            if jump.tid != tid:
                raise self.err(f"jump to label {jump.label} of thread P{jump.tid}")
            jump = jump.label
        if jump not in labels:
            raise self.err(f"label {jump} is not defined in thread P{tid}", ins.pos)
        tgt = labels[jump]
        if tgt <= here and over_unroll(st.seen, tgt, self.unroll):
            return None         # a backward jump, taken at most `unroll` times per target (herd7's -unroll)
        st.pc = tgt
        return st

    def finish(self, tid: int, st: St) -> Trace:
        regs, regdeps = {}, {}
        for r, (v, d) in st.regs.items():
            if r in self.arch.internal_regs:
                continue
            regs[r] = norm_typed(v, self.reg_type(tid, r))
            if d:
                regdeps[r] = d
        amo = [(i, i + 1) for i, e in enumerate(st.events) if "AMO" in e.kinds and "R" in e.kinds
               and i + 1 < len(st.events) and "AMO" in st.events[i + 1].kinds]
        return Trace(tid, st.events, rmw=pair_exclusives(st.events), regs=regs, regdeps=regdeps,
                     extra_rels={"amo": amo}, declared_sets=self.arch.declared_sets)


def pair_exclusives(events: list[PEvent]) -> list[tuple[int, int]]:
    """herd7's atomic pairs: each exclusive (X) read with the first
    exclusive write after it to the same location, unless an exclusive
    read of that location comes in between."""
    pairs = []
    xs = [i for i, e in enumerate(events) if "X" in e.kinds]
    for k, i in enumerate(xs):
        e = events[i]
        if "R" not in e.kinds:
            continue
        for j in xs[k + 1:]:
            f = events[j]
            if f.loc != e.loc:
                continue
            if "W" in f.kinds:
                pairs.append((i, j))
                break
            if "R" in f.kinds:
                break
    return pairs
