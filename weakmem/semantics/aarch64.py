"""AArch64 litmus tests: run each thread concretely into traces.

Events follow herd7's AArch64 conventions (herd7 7.58, AArch64Sem), so the
official `aarch64.cat` -- which computes dependencies itself (`catdep`) --
can be evaluated on them:

* every instruction is one *instance* (`poi`); its events are register
  reads/writes (sets Rreg / Wreg, DATA for the data ports of stores and
  RMWs), memory accesses (R W M Exp, plus the annotations A Q L X NoRet),
  barriers (F, DMB.ISH ...), and branching effects (C B; BCC for
  conditional and indirect branches, a `pred` branch inside CAS);
* `iico_data` / `iico_ctrl` order the events of one instance (value flow /
  control), `iico_order` the two accesses of LDIAPP / STILP, `rf-reg` links
  a register write to the reads of that value; `po` orders instances
  (herd7 7.58: the events of one instance are not po-related);
* `rmw` pairs atomic (X) loads and stores as herd7 does (closest later
  atomic store to the same location, no atomic load in between); `amo` are
  the pairs made by one instruction (SWP, CAS, LD<op>), `same-instance`
  relates the events of one instance and `sm` is the identity on memory
  events (no mixed-size accesses).

Reads take every value of their location's domain; branches follow the
concrete condition.  Backward jumps are bounded by `unroll` (herd7's rule:
unconditional jumps and conditional ones whose condition depends on a
memory read count, determined conditions do not); paths over the bound are
dropped.  A successful CAS yields two event structures, as in herd7: the
value written back to Rs comes either from memory or from Rs.  Native
`addr`/`data`/`ctrl` (value provenance) are also filled in for models that
do not compute dependencies.

Left out (rejected with a LitmusError): SIMD/SVE/SME, MTE, Morello,
virtual memory and page tables, faults and exceptions, system registers
other than NZCV, instruction fetch (reading or writing code), mixed-size
accesses (`Variant=mixed`), symbolic `%registers`.
"""
from __future__ import annotations

import dataclasses
from typing import Iterator

from weakmem.errors import LitmusError, Pos, quote
from weakmem.litmus import ast as A
from weakmem.litmus.ast import SymVal
from weakmem.litmus.cond import atoms, is_term, map_atoms
from weakmem.semantics.aarch64_decode import (BARRIER_OPTS, Ins, ORel, Reg, decode, reg_of)
from weakmem.semantics.aarch64_values import (CodeLoc, ValError, add, logic, mask, need_int,
                                               normalize, s64, shift, show, sub, sxt, type_size, u64)
from weakmem.semantics.frontends import Frontend
from weakmem.semantics.runner import PathCut, PathRunner, PathState, assemble, over_unroll
from weakmem.semantics.trace import PEvent, Trace

EMPTY: frozenset[int] = frozenset()

# Sets of herd7's AArch64 events that models may name even when empty.
_FENCE_SETS = frozenset([f"{k}.{o}" for k in ("DMB", "DSB") for o in BARRIER_OPTS] + ["ISB"])
_DC_IC = ("DC.CVAU", "DC.CIVAC", "DC.CVAC", "DC.CVAP", "DC.IVAC", "DC.ZVA", "DC.CSW", "DC.ISW", "DC.CISW",
          "IC.IALLUIS", "IC.IALLU", "IC.IVAU")
DECLARED_SETS = frozenset(
    ["R", "W", "M", "F", "IW", "FW", "Exp", "NExp", "Rreg", "Wreg", "DATA", "C", "B", "BCC",
     "X", "A", "Q", "L", "NoRet", "S", "NT", "EX", "RCFG", "DI", "T", "TLBI", "TLBInXS", "TLBIIS",
     "no-loc", "CutOff", "FAULT", "FAULT-RD", "FAULT-WR", "EXC-ENTRY", "EXC-RET", "SPURIOUS", "TagCheck",
     "MMU", "Translation", "AccessFlag", "Permission", "UndefinedInstruction", "SupervisorCall",
     "AF", "DB", "Instr", "PTEXS", "AMO"]
    + list(_FENCE_SETS) + list(_DC_IC))
EXTRA_RELS = ("iico_data", "iico_ctrl", "iico_order", "rf-reg", "same-instance", "amo", "sm")
# herd7 relations that are always empty here (no virtual memory, no MTE)
EMPTY_RELS = ("same-low-order-bits", "same-tag-loc", "inv-domain", "alias")

_MEM_R = frozenset({"R", "M", "Exp"})
_MEM_W = frozenset({"W", "M", "Exp"})
_RREG = frozenset({"Rreg"})
_RREG_DATA = frozenset({"Rreg", "DATA"})
_WREG = frozenset({"Wreg"})
# the logical instructions: aarch64_values.logic's name of each
_LOGIC = {"AND": "and", "ORR": "or", "EOR": "xor", "EON": "eon", "ORN": "orn", "BIC": "bic"}
_BCC = frozenset({"C", "B", "BCC", "no-loc"})      # branching effect of a conditional/indirect branch
_PRED = frozenset({"C", "B", "no-loc"})            # CAS's internal branching effect

UNSUPPORTED_VARIANTS = {"memtag", "mte", "tagmem", "morello", "mixed", "nv2", "telechat", "fatal", "vmsa",
                        "kvm", "self", "ifetch", "neon", "sve", "sme", "asl"}

MAX_STEPS = 20000          # instructions per path (determined loops are not bounded by unroll)
MAX_TRACES = 200000


class _Path(PathState):
    """One thread execution in progress (weakmem.semantics.runner.PathState;
    registers: reg -> (value, writer event or None, provenance, determined))."""
    __slots__ = ("code", "lx", "iico_d", "iico_c", "iico_o", "rfreg", "inst", "steps", "sca", "lastw")

    def __init__(self, code: int = 0):
        super().__init__()
        self.code = code                     # thread whose code we are running
        self.lx: int | None = None           # size of the pending load-exclusive
        self.iico_d: list = []
        self.iico_c: list = []
        self.iico_o: list = []
        self.rfreg: list = []
        self.inst = 0
        self.steps = 0
        self.sca: list = []                  # groups of single-copy-atomic accesses
        self.lastw: dict = {}                # location -> value of this thread's latest write

    def copy(self) -> "_Path":
        q = super().copy()
        q.code = self.code
        q.lx = self.lx
        q.iico_d = list(self.iico_d)
        q.iico_c = list(self.iico_c)
        q.iico_o = list(self.iico_o)
        q.rfreg = list(self.rfreg)
        q.inst = self.inst
        q.steps = self.steps
        q.sca = list(self.sca)
        q.lastw = dict(self.lastw)
        return q


class V:
    """A value inside one instruction: the value, the events it was
    computed from (for iico_data), the memory reads it derives from (native
    dependencies) and whether herd7 knows it statically (`det`)."""
    __slots__ = ("v", "srcs", "prov", "det")

    def __init__(self, v, srcs=(), prov=EMPTY, det=True):
        self.v = v
        self.srcs = tuple(srcs)
        self.prov = prov
        self.det = det

    def then(self, v) -> "V":
        return V(v, self.srcs, self.prov, self.det)

    def join(self, other: "V", v) -> "V":
        return V(v, self.srcs + other.srcs, self.prov | other.prov, self.det and other.det)


class TypedLit(int):
    """A constant of the final condition: compares as the value of the
    term's type (`u[0]=4294967295` holds for an int32_t u[0] of -1) but
    prints as herd7 prints it (the 64-bit signed reading of the literal)."""

    def __new__(cls, value: int, shown: int):
        self = super().__new__(cls, value)
        self.shown = shown
        return self

    def __str__(self) -> str:
        return str(self.shown)

    __repr__ = __str__


_REG0 = (0, None, EMPTY, True)   # a register never written: 0, known
_NOWRITE = object()


class AArch64Frontend(PathRunner[_Path]):
    """Turns the AArch64 threads of a test into traces (see module doc)."""
    max_traces = MAX_TRACES
    traces_word = "executions"

    def __init__(self, test: A.Litmus, macros=None, unroll: int = 2):
        self.test = test
        self.unroll = unroll
        self.file = test.path
        self._check_variants()
        # ---------------------------------------------------------- code
        self.code: list[list[Ins]] = []
        self.labels: list[dict[str, int]] = []
        self.names_at: list[dict[int, tuple[str, ...]]] = []
        for th in test.threads:
            if not isinstance(th, A.AsmThread):
                raise LitmusError("expected an AArch64 thread", test.pos)
            code, labels = assemble(th, lambda ai: decode(ai.text, ai.pos) if ai.text.strip() else None,
                                    self.file, lambda ins: ins.target)
            self.code.append(code)
            self.labels.append(labels)
            inv: dict[int, list[str]] = {}
            for lab, i in labels.items():
                inv.setdefault(i, []).append(lab)
            self.names_at.append({i: tuple(v) for i, v in inv.items()})
        self.tids = [th.tid for th in test.threads]
        self.tindex = {tid: k for k, tid in enumerate(self.tids)}
        # ---------------------------------------------------------- memory and registers
        self.loc_types: dict[str, str | None] = {}
        self.loc_size: dict[str, int | None] = {}     # array length or None
        self.reg_types: dict[tuple[int, str], str | None] = {}
        self.init_regs: dict[int, dict[str, object]] = {}
        self.shared: set[str] = set()
        for it in test.init:
            if isinstance(it.target, A.LocTerm):
                name = it.target.name
                self.shared.add(name)
                if it.ctype is not None or name not in self.loc_types:
                    self.loc_types[name] = it.ctype
                if it.size:
                    self.loc_size[name] = it.size
                if isinstance(it.value, SymVal):
                    self.shared.add(it.value.name)
        for it in test.init:      # registers second: their values may name locations declared later
            if not isinstance(it.target, A.LocTerm):
                reg = self._init_reg_name(it.target)
                tid = it.target.tid
                if it.ctype is not None:
                    self.reg_types[(tid, reg)] = it.ctype
                v = self._init_value(it.value, it.pos)
                if v is not None or reg not in self.init_regs.get(tid, {}):
                    self.init_regs.setdefault(tid, {})[reg] = 0 if v is None else v
                if isinstance(it.value, SymVal):
                    self.shared.add(it.value.name)
        for t in self._terms():
            if isinstance(t, A.LocTerm):
                self.shared.add(t.name)
        for tid, regs in self.init_regs.items():
            for v in regs.values():
                if isinstance(v, SymVal):
                    self.shared.add(v.name)
        self._normalize_props()
        self._wrote: dict[int, dict] = {}
        self._others: dict = {}
        self.init_mem = self._init_memory()

    # ------------------------------------------------------------------ set-up helpers
    def err(self, msg: str, node=None) -> LitmusError:
        pos = getattr(node, "pos", None) or Pos(self.file)
        return LitmusError(msg, pos)

    def _check_variants(self):
        for k, v in self.test.info.items():
            if k.lower() == "variant":
                for var in v.replace(",", " ").split():
                    if var.lower() in UNSUPPORTED_VARIANTS:
                        raise LitmusError(f"variant '{var}' is not supported", self.test.pos or Pos(self.file))

    def _init_reg_name(self, t: A.RegTerm) -> str:
        r = reg_of(t.reg)
        if r is None or r.zr:
            raise LitmusError(f"unsupported register '{t.reg}' in the initial state", t.pos)
        return r.name

    def _init_value(self, v, pos):
        if v is None:
            return None
        if isinstance(v, A.IntVal):
            return s64(v.value)
        if isinstance(v, SymVal):
            return SymVal(v.name, v.offset * type_size(self.loc_types.get(v.name)) if v.offset else 0)
        if isinstance(v, A.LabelVal):
            return self._code_loc(v.tid, v.label, pos)
        if isinstance(v, A.InstrVal):
            raise LitmusError("instructions as values (instruction fetch) are not supported", pos)
        raise LitmusError("unsupported initial value", pos)

    def _code_loc(self, tid: int, label: str, pos) -> CodeLoc:
        k = self.tindex.get(tid) if hasattr(self, "tindex") else None
        if k is None or label not in self.labels[k]:
            raise LitmusError(f"label {label} not found on P{tid}", pos)
        i = self.labels[k][label]
        return CodeLoc(tid, i, self.names_at[k].get(i, (label,)))

    def _terms(self) -> Iterator[A.Term]:
        yield from self.test.locations
        for p in (self.test.condition.prop if self.test.condition is not None else None, self.test.filter):
            for a in atoms(p):
                if isinstance(a, A.PFault):
                    raise LitmusError("fault conditions are not supported", a.pos)
                yield a.lhs
                if is_term(a.rhs):
                    yield a.rhs

    def term_type(self, t: A.Term) -> str | None:
        if isinstance(t, A.RegTerm):
            r = reg_of(t.reg)
            return self.reg_types.get((t.tid, r.name if r else t.reg))
        return self.loc_types.get(t.name)

    def _normalize_props(self):
        """Constants compared with a typed term are read as values of that
        type (herd7: `u[0]=4294967295` holds for an int32_t u[0] of -1);
        code labels become code addresses."""
        def atom(p):
            if isinstance(p, A.PAtom):
                rhs = p.rhs
                if isinstance(rhs, A.IntVal):
                    ty = self.term_type(p.lhs)
                    if isinstance(p.lhs, A.RegTerm) and reg_of(p.lhs.reg) and reg_of(p.lhs.reg).w:
                        ty = ty or "uint32_t"
                    nv = normalize(rhs.value, ty)
                    if nv != rhs.value or s64(rhs.value) != rhs.value:
                        return dataclasses.replace(p, rhs=A.IntVal(TypedLit(nv, s64(rhs.value))))
                elif isinstance(rhs, A.LabelVal):
                    return dataclasses.replace(p, rhs=self._code_loc(rhs.tid, rhs.label, p.pos))
            return p

        def norm(p):
            return map_atoms(p, atom)

        c = self.test.condition
        self.test = dataclasses.replace(self.test, condition=None if c is None else dataclasses.replace(c, prop=norm(c.prop)),
                                        filter=norm(self.test.filter))

    def _init_memory(self) -> dict:
        """Initial value of every memory cell named in the init block."""
        mem: dict = {}
        for it in self.test.init:
            if not isinstance(it.target, A.LocTerm):
                continue
            v = it.value
            base = it.target.index or 0
            if isinstance(v, A.ArrayVal):
                for i, x in enumerate(v.values):
                    mem[SymVal(it.target.name, base + i)] = x.value if isinstance(x, A.IntVal) else x
            elif v is not None:
                mem[SymVal(it.target.name, base)] = v.value if isinstance(v, A.IntVal) else v
        return mem

    def normalize_mem(self, loc: SymVal, v):
        """Final value of `loc` as herd7 prints it (hook used by run.py)."""
        return normalize(v, self.loc_types.get(loc.name))

    # ------------------------------------------------------------------ memory locations
    def location(self, a, size: int, ins: Ins, store: bool = False) -> SymVal:
        """The memory location (element) an address designates."""
        if isinstance(a, CodeLoc):
            if store:
                raise self.err(f"store to {show_code(a)} requires instruction fetch, which is not supported", ins)
            raise self.err("accessing code as data (instruction fetch) is not supported", ins)
        if not isinstance(a, SymVal):
            raise self.err(f"address {show(a)} is not a location", ins)
        name = a.name
        if name not in self.shared:
            raise self.err(f"unknown location {name}", ins)
        esz = type_size(self.loc_types.get(name))
        n = self.loc_size.get(name)
        off = a.offset
        if n is None:
            if off != 0:
                raise self.err(f"Out of bounds access on {name}", ins)
            return SymVal(name, 0)
        if off % esz != 0 or not 0 <= off // esz < n:
            raise self.err(f"Out of bounds access on array {name}", ins)
        return SymVal(name, off // esz)

    # ------------------------------------------------------------------ traces
    # traces(k): weakmem.semantics.runner.PathRunner.  With `all_branches`, conditional
    # branches whose condition depends on a read go both ways and a CAS may succeed
    # whatever it reads.
    def thread_id(self, k: int) -> int:
        return self.tids[k]

    def start(self, k: int) -> _Path:
        # values the other threads wrote in their latest traces, per location
        self._others: dict = {}
        for j, wrote in self._wrote.items():
            if j != k:
                for loc, vs in wrote.items():
                    self._others.setdefault(loc, set()).update(vs)
        p = _Path(k)
        for reg, v in self.init_regs.get(self.tids[k], {}).items():
            p.regs[reg] = (v, None, EMPTY, True)
        return p

    def done(self, k: int, out: list[Trace]) -> list[Trace]:
        wrote: dict = {}
        for tr in out:
            for e in tr.events:
                if e.is_write:
                    wrote.setdefault(e.loc, set()).add(e.value)
        self._wrote[k] = wrote
        return out

    def at_end(self, p: _Path) -> bool:
        return p.pc >= len(self.code[p.code])

    def step(self, p: _Path) -> list[_Path]:
        code = self.code[p.code]
        p.steps += 1
        if p.steps > MAX_STEPS:
            raise self.err(f"thread P{self.tids[p.code]} runs for more than {MAX_STEPS} instructions", code[-1])
        ins = code[p.pc]
        p.inst += 1
        try:
            return getattr(self, "i_" + ins.op)(p, ins)
        except ValError as e:
            raise self.err(str(e), ins) from None
        except (ArithmeticError, ValueError) as e:    # a shift out of range...: positioned
            raise self.err(f"cannot execute {quote(ins.text)}: {e}", ins) from None

    # ------------------------------------------------------------------ trace completion
    def finish(self, tid: int, p: _Path) -> Trace:
        evs = p.events
        n = len(evs)
        # iico closure inside each instance
        succ: dict[int, set[int]] = {}
        for a, b in p.iico_d + p.iico_c:
            succ.setdefault(a, set()).add(b)
        preds: list[set[int]] = [set() for _ in range(n)]
        for a in sorted(succ, reverse=True):
            stack = list(succ[a])
            seen: set[int] = set()
            while stack:
                b = stack.pop()
                if b in seen:
                    continue
                seen.add(b)
                stack.extend(succ.get(b, ()))
            for b in seen:
                preds[b].add(a)
        # herd7 7.58's `po` orders instances only: events of one instance are
        # not po-related (their order is iico), so PEvent.iico stays empty.
        events = list(evs)
        # same-instance, sm, rmw, amo
        same: list[tuple[int, int]] = []
        by_poi: dict[int, list[int]] = {}
        for i, e in enumerate(events):
            by_poi.setdefault(e.poi, []).append(i)
        for grp in by_poi.values():
            for a in grp:
                for b in grp:
                    same.append((a, b))
        sm = [(i, i) for i, e in enumerate(events) if "M" in e.kinds]
        for grp in p.sca:       # LDXP / STXP: one single-copy-atomic access
            sm.extend((a, b) for a in grp for b in grp if a != b)
        rmw = self._rmw(events, preds)
        amo = [(r, w) for r, w in rmw if events[r].poi == events[w].poi]
        regs, regdeps = self._final_regs(tid, p)
        return Trace(tid, events, rmw=rmw, regs=regs, regdeps=regdeps,
                     extra_rels={"iico_data": p.iico_d, "iico_ctrl": p.iico_c, "iico_order": p.iico_o,
                                 "rf-reg": p.rfreg, "same-instance": same, "amo": amo, "sm": sm,
                                 **{r: [] for r in EMPTY_RELS}},
                     declared_sets=DECLARED_SETS)

    @staticmethod
    def _rmw(events: list[PEvent], preds: list[set[int]]) -> list[tuple[int, int]]:
        """herd7's atomic load/store pairs: for each atomic (X) load, the
        closest later atomic store to the same location, provided no atomic
        load to that location comes in between."""
        def before(a: int, b: int) -> bool:
            pa, pb = events[a].poi, events[b].poi
            return pa < pb or (pa == pb and a in preds[b])

        atomics: dict = {}
        for i, e in enumerate(events):
            if "X" in e.kinds and "M" in e.kinds:
                atomics.setdefault(e.loc, []).append(i)
        out = []
        for loc, es in atomics.items():
            rs = [i for i in es if "R" in events[i].kinds]
            ws = [i for i in es if "W" in events[i].kinds]
            for r in rs:
                after = [w for w in ws if before(r, w)]
                if not after:
                    continue
                w = min(after, key=lambda x: (events[x].poi, x))
                if any(before(r, r2) and before(r2, w) for r2 in rs if r2 != r):
                    continue
                out.append((r, w))
        return out

    def _final_regs(self, tid: int, p: _Path) -> tuple[dict, dict]:
        regs: dict = {}
        deps: dict = {}
        wanted: dict = {}
        for t in self._terms():
            if isinstance(t, A.RegTerm) and t.tid == tid:
                wanted.setdefault(t.reg, t.pos)
        for name, where in wanted.items():
            r = reg_of(name)
            if r is None:
                if name.upper() == "NZCV":
                    v = p.regs.get("NZCV", _REG0)
                    regs[name] = v[0]
                    deps[name] = v[2]
                    continue
                raise LitmusError(f"unknown register {tid}:{name}", where or self.test.pos or Pos(self.file))
            st = _REG0 if r.zr else p.regs.get(r.name, _REG0)
            v = st[0]
            if r.w and isinstance(v, int):
                v &= 0xFFFFFFFF
            regs[name] = normalize(v, self.reg_types.get((tid, r.name)))
            deps[name] = st[2]
        return regs, deps

    # ------------------------------------------------------------------ event helpers
    def ev(self, p: _Path, kinds, ins: Ins, loc=None, value=None, **kw) -> int:
        p.events.append(PEvent(kinds, loc, value, instr=ins.text, poi=p.inst, **kw))
        return len(p.events) - 1

    def data(self, p: _Path, srcs, dst: int):
        for s in srcs:
            if s != dst:
                p.iico_d.append((s, dst))

    def ctl(self, p: _Path, srcs, dst: int):
        for s in srcs:
            if s != dst:
                p.iico_c.append((s, dst))

    def rreg(self, p: _Path, r: Reg, ins: Ins, is_data: bool = False, sz: int = 8) -> V:
        """Read register r; W registers (or a smaller data size) are masked."""
        if r.zr:
            return V(0)
        val, writer, prov, det = p.regs.get(r.name, _REG0)
        idx = self.ev(p, _RREG_DATA if is_data else _RREG, ins, value=val)
        if writer is not None:
            p.rfreg.append((writer, idx))
        if r.w:
            sz = min(sz, 4)
        return V(mask(val, sz), (idx,), prov, det)

    def rsys(self, p: _Path, name: str, ins: Ins) -> V:
        val, writer, prov, det = p.regs.get(name, _REG0)
        idx = self.ev(p, _RREG, ins, value=val)
        if writer is not None:
            p.rfreg.append((writer, idx))
        return V(val, (idx,), prov, det)

    def wreg(self, p: _Path, r: Reg | str, x: V, ins: Ins, ctrl_srcs=(), bind: bool = False) -> int | None:
        """Write register r (a Reg, or a register name such as 'NZCV').
        `bind`: the instruction passes the value on in herd7's static
        register environment (MOV, ADD...), so it stays *determined* if
        its inputs are; other writes (loads, CSEL, STXR status...) are not."""
        if isinstance(r, Reg):
            if r.zr:
                return None
            name = r.name
        else:
            name = r
        idx = self.ev(p, _WREG, ins, value=x.v)
        self.data(p, x.srcs, idx)
        self.ctl(p, ctrl_srcs, idx)
        p.regs[name] = (x.v, idx, x.prov, bind and x.det)
        return idx

    def wreg_sz(self, p: _Path, r: Reg, x: V, ins: Ins, sz: int, ctrl_srcs=(), bind: bool = False) -> int | None:
        """write_reg_sz: mask to the register width (W) or to `sz` bytes."""
        if r.zr:
            return None
        if r.w:
            sz = min(sz, 4)
        return self.wreg(p, r, x.then(mask(x.v, sz)), ins, ctrl_srcs, bind)

    def mem_kinds(self, base, acq: str = "", rel: bool = False, excl: bool = False, noret: bool = False):
        k = set(base)
        if acq:
            k.add(acq)
        if rel:
            k.add("L")
        if excl or noret:
            k.add("X")
        if noret:
            k.add("NoRet")
        return frozenset(k)

    def rmem(self, p: _Path, a: V, size: int, kinds, ins: Ins, more_srcs=()) -> list[tuple[_Path, int, V]]:
        """A memory read at address a: one continuation per domain value."""
        loc = self.location(a.v, size, ins)
        vals = self.read_values(p, loc)
        out = []
        for i, val in enumerate(vals):
            q = p if i == len(vals) - 1 else p.copy()
            idx = self.ev(q, kinds, ins, loc=loc, value=val, addr=a.prov, ctrl=q.ctrl, rf_read=True)
            self.data(q, a.srcs, idx)
            self.data(q, more_srcs, idx)
            out.append((q, idx, V(val, (idx,), frozenset({idx}), False)))
        return out

    def read_values(self, p: _Path, loc: SymVal) -> list:
        """The values a read of loc may return on this path.  Coherence
        (which every AArch64 model and herd7's optace assume) lets a read
        see its thread's latest po-earlier write to loc, or a write of
        another thread -- or the initial value when the thread has not
        written loc yet; never an older or later write of its own."""
        vals = list(self.domain(loc))
        others = self._others.get(loc, ())
        own = p.lastw.get(loc, _NOWRITE)
        first = self.init_mem.get(loc, 0) if own is _NOWRITE else own
        out = [first] if first in vals or own is not _NOWRITE else []
        out += [v for v in vals if v in others and v != first]
        return out

    def wmem(self, p: _Path, a: V, d: V, size: int, kinds, ins: Ins, ctrl_srcs=()) -> int:
        loc = self.location(a.v, size, ins)
        p.lastw[loc] = d.v
        idx = self.ev(p, kinds, ins, loc=loc, value=d.v, addr=a.prov, data=d.prov, ctrl=p.ctrl, is_write=True)
        self.data(p, a.srcs, idx)
        self.data(p, d.srcs, idx)
        self.ctl(p, ctrl_srcs, idx)
        return idx

    def commit(self, p: _Path, srcs, ins: Ins, bcc: bool = True) -> int:
        idx = self.ev(p, _BCC if bcc else _PRED, ins)
        self.data(p, srcs, idx)
        return idx

    # ------------------------------------------------------------------ control flow
    def target_index(self, p: _Path, ins: Ins, tgt) -> int:
        if isinstance(tgt, ORel):
            if tgt.offset % 4:
                raise self.err("branch offset must be a multiple of 4", ins)
            return p.pc + tgt.offset // 4
        labels = self.labels[p.code]
        if tgt not in labels:
            raise self.err(f"label {tgt} not found on P{self.tids[p.code]}", ins)
        return labels[tgt]

    def jump(self, p: _Path, code: int, idx: int, check_back: bool, ins: Ins):
        if not 0 <= idx <= len(self.code[code]):
            raise self.err("branch target outside the code", ins)
        if check_back and code == p.code and p.pc >= idx and over_unroll(p.seen, (code, idx), self.unroll):
            raise PathCut(keep=self.all_branches)     # its writes still count for the value domains
        p.code = code
        p.pc = idx

    def next(self, p: _Path):
        p.pc += 1

    # ------------------------------------------------------------------ instructions
    def i_nop(self, p, ins):
        self.next(p)
        return [p]

    def i_fence(self, p, ins):
        self.ev(p, frozenset({"F", "no-loc", ins.barrier}), ins)
        self.next(p)
        return [p]

    # ---------------------------------------------------------------- branches
    def i_b(self, p, ins):
        self.jump(p, p.code, self.target_index(p, ins, ins.target), True, ins)
        return [p]

    def _cond_jump(self, p, ins, c: V, taken: bool):
        self.commit(p, c.srcs, ins)
        p.ctrl = p.ctrl | c.prov
        if self.all_branches and not c.det:
            q = p.copy()
            self.next(q)
            self.jump(p, p.code, self.target_index(p, ins, ins.target), True, ins)
            return [p, q]
        if taken:
            self.jump(p, p.code, self.target_index(p, ins, ins.target), not c.det, ins)
        else:
            self.next(p)
        return [p]

    def i_bcond(self, p, ins):
        f = self.rsys(p, "NZCV", ins)
        return self._cond_jump(p, ins, f, cond_holds(ins.cond, need_int(f.v, "flags")))

    def i_cbz(self, p, ins):
        r = ins.regs[0]
        x = self.rreg(p, Reg(r.name, False) if not r.zr else r, ins)
        zero = x.v == 0          # herd7 reads the whole register, even for Wn
        return self._cond_jump(p, ins, x, (not zero) if ins.extra["nz"] else zero)

    def i_tbz(self, p, ins):
        r = ins.regs[0]
        x = self.rreg(p, Reg(r.name, False) if not r.zr else r, ins)
        bit = (need_int(x.v, "readbit") >> ins.imm) & 1
        return self._cond_jump(p, ins, x, bit != 0 if ins.extra["nz"] else bit == 0)

    def _ret_addr(self, p) -> CodeLoc:
        tid = self.tids[p.code]
        i = p.pc + 1
        return CodeLoc(tid, i, self.names_at[p.code].get(i, ()))

    def i_bl(self, p, ins):
        self.wreg(p, "X30", V(self._ret_addr(p)), ins, bind=True)
        self.jump(p, p.code, self.target_index(p, ins, ins.target), True, ins)
        return [p]

    def i_br(self, p, ins):
        srcs = ()
        if ins.extra.get("link"):
            w = self.wreg(p, "X30", V(self._ret_addr(p)), ins, bind=True)
            srcs = (w,)
        x = self.rreg(p, ins.regs[0], ins)
        self.data(p, srcs, x.srcs[0]) if x.srcs else None
        self.commit(p, x.srcs, ins)
        p.ctrl = p.ctrl | x.prov
        t = x.v
        if not isinstance(t, CodeLoc):
            if not x.det:
                raise PathCut(keep=self.all_branches)    # herd7: the target must be one of the code labels
            raise self.err(f"illegal argument for the indirect branch instruction {ins.text} "
                           "(must be a label)", ins)
        self.jump(p, self.tindex[t.tid], t.idx, True, ins)
        return [p]

    # ---------------------------------------------------------------- moves and ALU
    def i_movi(self, p, ins):
        rd = ins.regs[0]
        self.wreg_sz(p, rd, V(s64(ins.imm)), ins, 8, bind=True)
        self.next(p)
        return [p]

    def i_movr(self, p, ins):
        rd, rn = ins.regs
        x = self.rreg(p, rn, ins, sz=4 if rd.w else 8)
        self.wreg(p, rd, x, ins, bind=True)
        self.next(p)
        return [p]

    def i_movz(self, p, ins):
        self.wreg(p, ins.regs[0], V(s64(ins.imm << ins.imm2)), ins, bind=True)
        self.next(p)
        return [p]

    def i_movn(self, p, ins):
        self.wreg(p, ins.regs[0], V(s64(~(ins.imm << ins.imm2))), ins, bind=True)
        self.next(p)
        return [p]

    def i_movk(self, p, ins):
        rd = ins.regs[0]
        x = self.rreg(p, rd, ins, is_data=True)
        m = 0xFFFF << ins.imm2
        v = s64((need_int(x.v, "movk") & ~m) | (ins.imm << ins.imm2))
        self.wreg(p, rd, x.then(v), ins, bind=True)
        self.next(p)
        return [p]

    def i_adr(self, p, ins):
        if isinstance(ins.target, ORel):
            raise self.err(f"Replace offset by label in instruction {ins.text}", ins)
        k = p.code
        if ins.target not in self.labels[k]:
            raise self.err(f"Label {ins.target} not found on P{self.tids[k]}", ins)
        self.wreg(p, ins.regs[0], V(self._code_loc(self.tids[k], ins.target, ins.pos)), ins, bind=True)
        self.next(p)
        return [p]

    def i_ext(self, p, ins):
        rd, rn = ins.regs
        kind = ins.extra["kind"]
        nb = {"SXTW": 4, "SXTB": 1, "SXTH": 2, "UXTB": 1, "UXTH": 2}[kind]
        x = self.rreg(p, rn, ins, sz=nb if kind.startswith("U") else 8)
        v = x.v if kind.startswith("U") else sxt(x.v, nb)
        self.wreg_sz(p, rd, x.then(v), ins, 8, bind=kind == "SXTW")
        self.next(p)
        return [p]

    def i_alu(self, p, ins):
        rd, rn = ins.regs[0], ins.regs[1]
        w = rd.w
        sz = 4 if w else 8
        width = 32 if w else 64
        x = self.rreg(p, rn, ins, sz=sz)
        if len(ins.regs) == 3:
            rm = ins.regs[2]
            if rm.name == rn.name and not rm.zr and rm.w == rn.w:
                y = V(x.v, x.srcs, x.prov)       # one shared read, as herd7
            else:
                y = self.rreg(p, rm, ins, sz=sz)
        else:
            y = V(s64(ins.imm))
        if ins.shift is not None:
            sh = ins.shift
            if sh.kind in ("LSL", "LSR", "ASR", "ROR"):
                y = y.then(shift(sh.kind, y.v, sh.amount, width))
            elif sh.kind in ("SXTW", "UXTW", "SXTB", "SXTH", "UXTB", "UXTH", "SXTX", "UXTX"):
                nb = {"W": 4, "B": 1, "H": 2, "X": 8}[sh.kind[3]]
                yv = sxt(y.v, nb) if sh.kind[0] == "S" else mask(y.v, nb)
                y = y.then(shift("LSL", yv, sh.amount))
            else:
                raise self.err(f"unsupported shift {sh.kind}", ins)
        op = ins.alu
        xv, yv = x.v, y.v
        if op == "ADD":
            r = add(xv, yv)
        elif op == "SUB":
            r = sub(xv, yv)
        elif op in _LOGIC:
            r = logic(_LOGIC[op], xv, yv)
        elif op in ("ASR", "LSR", "LSL", "ROR"):
            n = need_int(yv, op.lower())
            r = shift(op, xv, n % width if op == "ROR" else n, width)
        else:
            raise self.err(f"unsupported operation {op}", ins)
        res = mask(r, sz)
        z = x.join(y, res)
        self.wreg(p, rd, z, ins, bind=True)
        if ins.flags:
            nzcv = flags(op, need_int(xv, "flags"), need_int(yv, "flags"), need_int(res, "flags"), width)
            self.wreg(p, "NZCV", z.then(nzcv), ins, bind=True)
        self.next(p)
        return [p]

    def i_csel(self, p, ins):
        rd, rn, rm = ins.regs
        f = self.rsys(p, "NZCV", ins)
        ok = cond_holds(ins.cond, need_int(f.v, "flags"))
        sz = 4 if rd.w else 8
        src = rn if ok else rm
        nevs = len(p.events)
        x = self.rreg(p, src, ins, is_data=True, sz=sz)
        v = x.v
        if not ok:
            op = ins.extra["op"]
            if op == "inc":
                v = mask(add(v, 1), sz)
            elif op == "neg":
                v = mask(sub(0, v), sz)
            elif op == "inv":
                v = mask(s64(~need_int(v, "inv")), sz)
        w = self.wreg(p, rd, x.then(v), ins)
        # iico_ctrl from the flags read to the first events of the chosen branch
        first = nevs if len(p.events) > nevs and x.srcs else w
        if first is not None:
            self.ctl(p, f.srcs, first)
        self.next(p)
        return [p]

    def i_bfm(self, p, ins):
        rd, rn = ins.regs
        regsize = 32 if rd.w else 64
        kr, ks = ins.imm, ins.imm2
        x = self.rreg(p, rn, ins, is_data=True, sz=4 if rd.w else 8)
        if ks >= kr:
            m = sum(1 << i for i in range(kr, ks + 1))
        else:
            m = (1 << (ks + 1)) - 1
        v = need_int(x.v, "bfm") & m
        v = u64(v) >> kr if ks >= kr else s64(v << (regsize - kr))
        if ins.signed:
            imms = ks - kr if ks >= kr else regsize - kr + ks
            t = v & (1 << imms)
            t = s64(t << (63 - imms)) >> (63 - imms)
            v = s64(v | t)
        self.wreg(p, rd, x.then(s64(v)), ins)
        self.next(p)
        return [p]

    def i_mul(self, p, ins):
        m = ins.mnem
        regs = ins.regs
        rd = regs[0]
        long_ = m.endswith("L")
        srcw = 4 if (regs[1].w) else 8
        xs = [self.rreg(p, r, ins, sz=srcw) for r in regs[1:3]]
        acc = self.rreg(p, regs[3], ins) if len(regs) == 4 else V(0)
        a, b = (need_int(z.v, "mul") for z in xs)
        if long_:
            if m[0] == "S":
                a, b = sxt(a, 4), sxt(b, 4)
            else:
                a, b = a & 0xFFFFFFFF, b & 0xFFFFFFFF
        c = need_int(acc.v, "mul")
        if m in ("SDIV", "UDIV"):
            if m == "UDIV":
                a, b = (u64(a), u64(b)) if not rd.w else (a & 0xFFFFFFFF, b & 0xFFFFFFFF)
            else:
                a, b = (sxt(a, 4), sxt(b, 4)) if rd.w else (a, b)
            q = 0 if b == 0 else abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
            r = q
        elif m in ("MUL", "SMULL", "UMULL"):
            r = a * b
        elif m in ("MNEG", "SMNEGL", "UMNEGL"):
            r = -(a * b)
        elif m in ("MADD", "SMADDL", "UMADDL"):
            r = c + a * b
        else:  # MSUB SMSUBL UMSUBL
            r = c - a * b
        res = mask(s64(r), 4 if rd.w else 8)
        z = V(res, sum((q.srcs for q in xs + [acc]), ()), frozenset().union(*(q.prov for q in xs + [acc])))
        self.wreg(p, rd, z, ins)
        self.next(p)
        return [p]

    def i_un(self, p, ins):
        rd, rn = ins.regs
        width = 32 if rd.w else 64
        x = self.rreg(p, rn, ins, sz=width // 8)
        v = need_int(x.v, ins.alu.lower()) & ((1 << width) - 1)
        m = ins.alu
        if m == "RBIT":
            r = int(format(v, f"0{width}b")[::-1], 2)
        elif m in ("REV", "REV64") or (m == "REV32" and width == 32):
            r = int.from_bytes(v.to_bytes(width // 8, "little"), "big")
        elif m in ("REV16", "REV32"):
            chunk = 2 if m == "REV16" else 4
            bs = v.to_bytes(width // 8, "little")
            r = int.from_bytes(b"".join(bs[i:i + chunk][::-1] for i in range(0, len(bs), chunk)), "little")
        elif m == "ABS":
            sv = v - (1 << width) if v >> (width - 1) else v
            r = abs(sv) & ((1 << width) - 1)
        elif m == "CLZ":
            r = width - v.bit_length()
        else:
            raise self.err(f"unsupported instruction {m}", ins)
        self.wreg(p, rd, x.then(s64(r)), ins)
        self.next(p)
        return [p]

    def i_mrs(self, p, ins):
        f = self.rsys(p, "NZCV", ins)
        self.wreg(p, ins.regs[0], f.then(s64(need_int(f.v, "mrs") << 28)), ins, bind=True)
        self.next(p)
        return [p]

    def i_msr(self, p, ins):
        x = self.rreg(p, ins.regs[0], ins)
        self.wreg(p, "NZCV", x.then((need_int(x.v, "msr") >> 28) & 0xF), ins, bind=True)
        self.next(p)
        return [p]

    # ---------------------------------------------------------------- addressing
    def ea(self, p: _Path, ins: Ins) -> tuple[V, V]:
        """Effective address, and the base register value (for write-back)."""
        a = ins.addr
        base = self.rreg(p, a.base, ins)
        if a.mode == "post":
            return base, base
        if a.off_reg is not None:
            r = a.off_reg
            off = self.rreg(p, Reg(r.name, False) if not r.zr else r, ins)
            ov = off.v
            if a.ext in ("SXTW",):
                ov = sxt(ov, 4)
            elif a.ext in ("UXTW",):
                ov = mask(ov, 4)
            if a.shift:
                ov = shift("LSL", ov, a.shift)
            return base.join(off, add(base.v, ov)), base
        if a.imm:
            return base.then(add(base.v, a.imm)), base
        return base, base

    def writeback(self, p: _Path, ins: Ins, ea: V, base: V):
        a = ins.addr
        bind = ins.op in ("ldp", "stp")     # herd7's LDP/STP write-back binds the base register
        if a.mode == "pre":
            self.wreg(p, a.base, ea, ins, bind=bind)
        elif a.mode == "post":
            if a.post_reg is not None:
                k = self.rreg(p, a.post_reg, ins)
                self.wreg(p, a.base, base.join(k, add(base.v, k.v)), ins, bind=bind)
            elif a.imm:
                self.wreg(p, a.base, base.then(add(base.v, a.imm)), ins, bind=bind)

    # ---------------------------------------------------------------- loads and stores
    def i_ldr(self, p, ins):
        rt = ins.regs[0]
        a, base = self.ea(p, ins)
        self.writeback(p, ins, a, base)
        kinds = self.mem_kinds(_MEM_R, ins.acq)
        out = []
        for q, _, x in self.rmem(p, a, ins.size, kinds, ins):
            v = x.v
            if ins.signed:
                v = sxt(v, ins.size)
                self.wreg_sz(q, rt, x.then(v), ins, 8)
            else:
                self.wreg_sz(q, rt, x.then(v), ins, ins.size)
            self.next(q)
            out.append(q)
        return out

    def i_ldar(self, p, ins):
        rt = ins.regs[0]
        a = self.rreg(p, ins.addr.base, ins)
        if ins.excl:
            self.wreg(p, "ResAddr", a, ins)
        kinds = self.mem_kinds(_MEM_R, ins.acq, excl=ins.excl)
        out = []
        for q, _, x in self.rmem(p, a, ins.size, kinds, ins):
            self.wreg_sz(q, rt, x, ins, ins.size)
            if ins.excl:
                q.lx = ins.size
            self.next(q)
            out.append(q)
        return out

    def i_str(self, p, ins):
        rt = ins.regs[0]
        a, base = self.ea(p, ins)
        self.location(a.v, ins.size, ins, store=True)
        d = self.rreg(p, rt, ins, is_data=True, sz=ins.size)
        self.writeback(p, ins, a, base)
        self.wmem(p, a, d, ins.size, self.mem_kinds(_MEM_W, rel=ins.rel), ins)
        self.next(p)
        return [p]

    def i_ldp(self, p, ins):
        r1, r2 = ins.regs
        a, base = self.ea(p, ins)
        self.writeback(p, ins, a, base)
        kinds = self.mem_kinds(_MEM_R, ins.acq)
        a2 = a.then(add(a.v, ins.size))
        out = []
        for q, i1, x1 in self.rmem(p, a, ins.size, kinds, ins):
            for q2, i2, x2 in self.rmem(q, a2, ins.size, kinds, ins):
                if ins.acq == "Q":
                    q2.iico_o.append((i1, i2))
                for r, x in ((r1, x1), (r2, x2)):
                    if ins.signed:
                        self.wreg_sz(q2, r, x.then(sxt(x.v, ins.size)), ins, 8)
                    else:
                        self.wreg_sz(q2, r, x, ins, ins.size)
                self.next(q2)
                out.append(q2)
        return out

    def i_stp(self, p, ins):
        r1, r2 = ins.regs
        a, base = self.ea(p, ins)
        d1 = self.rreg(p, r1, ins, is_data=True, sz=ins.size)
        d2 = self.rreg(p, r2, ins, is_data=True, sz=ins.size)
        self.writeback(p, ins, a, base)
        kinds = self.mem_kinds(_MEM_W, rel=ins.rel)
        w1 = self.wmem(p, a, d1, ins.size, kinds, ins)
        w2 = self.wmem(p, a.then(add(a.v, ins.size)), d2, ins.size, kinds, ins)
        if ins.rel:
            # STILP: second write first with write-back, first write first otherwise
            p.iico_o.append((w2, w1) if ins.addr.mode == "pre" else (w1, w2))
        self.next(p)
        return [p]

    # ---------------------------------------------------------------- exclusives
    def i_ldxp(self, p, ins):
        r1, r2 = ins.regs
        a = self.rreg(p, ins.addr.base, ins)
        self.wreg(p, "ResAddr", a, ins)
        kinds = self.mem_kinds(_MEM_R, ins.acq, excl=True)
        a2 = a.then(add(a.v, ins.size))
        out = []
        for q, i1, x1 in self.rmem(p, a, ins.size, kinds, ins):
            for q2, i2, x2 in self.rmem(q, a2, ins.size, kinds, ins):
                q2.sca.append((i1, i2))
                self.wreg_sz(q2, r1, x1, ins, ins.size)
                self.wreg_sz(q2, r2, x2, ins, ins.size)
                q2.lx = ins.size
                self.next(q2)
                out.append(q2)
        return out

    def _store_cond(self, p, ins, datas: list[V]):
        """STXR / STXP: herd7's store-conditional event structure."""
        rs = ins.regs[0]
        resa = self.rsys(p, "ResAddr", ins)
        a = self.rreg(p, ins.addr.base, ins)
        must_fail = p.lx is None or p.lx != ins.size
        out = []
        # failure
        q = p.copy()
        self.wreg(q, "ResAddr", V(0), ins, ctrl_srcs=resa.srcs)
        self.wreg(q, rs, V(1), ins)
        q.lx = None
        self.next(q)
        out.append(q)
        # success: the reserved address must be the store's address
        if not must_fail and resa.v == a.v:
            q = p
            kinds = self.mem_kinds(_MEM_W, rel=ins.rel, excl=True)
            addr = a
            ws = []
            for k, d in enumerate(datas):
                if k:
                    addr = a.then(add(a.v, ins.size))
                ws.append(self.wmem(q, addr, d, ins.size, kinds, ins, ctrl_srcs=resa.srcs + a.srcs))
            if len(ws) > 1:
                q.sca.append(tuple(ws))
            self.wreg(q, "ResAddr", V(0), ins, ctrl_srcs=resa.srcs)
            self.wreg(q, rs, V(0), ins)
            q.lx = None
            self.next(q)
            out.append(q)
        return out

    def i_stxr(self, p, ins):
        d = self.rreg(p, ins.regs[1], ins, is_data=True, sz=ins.size)
        return self._store_cond(p, ins, [d])

    def i_stxp(self, p, ins):
        d1 = self.rreg(p, ins.regs[1], ins, is_data=True, sz=ins.size)
        d2 = self.rreg(p, ins.regs[2], ins, is_data=True, sz=ins.size)
        return self._store_cond(p, ins, [d1, d2])

    # ---------------------------------------------------------------- atomics
    def _amo(self, p, ins, compute):
        """SWP and LD<op>: herd7's swp_or_amo structure."""
        rs, rt = ins.regs
        a = self.rreg(p, ins.addr.base, ins)
        d = self.rreg(p, rs, ins, is_data=True, sz=ins.size)
        noret = rt.zr
        rkinds = self.mem_kinds(_MEM_R, "" if noret else ins.acq, excl=not noret, noret=noret)
        wkinds = self.mem_kinds(_MEM_W, rel=ins.rel, excl=True)
        is_swp = ins.op == "swp"
        out = []
        for q, ri, x in self.rmem(p, a, ins.size, rkinds, ins):
            nv = compute(x.v, d.v)
            wd = V(nv, d.srcs if is_swp else d.srcs + (ri,), d.prov if is_swp else d.prov | x.prov)
            self.wmem(q, a, wd, ins.size, wkinds, ins, ctrl_srcs=(ri,) if is_swp else ())
            self.wreg_sz(q, rt, x, ins, ins.size)
            self.next(q)
            out.append(q)
        return out

    def i_swp(self, p, ins):
        return self._amo(p, ins, lambda old, new: new)

    def i_ldop(self, p, ins):
        op = ins.alu
        sz = ins.size

        def compute(old, v):
            if op == "ADD":
                return add(old, v)
            if op == "EOR":
                return logic("xor", old, v)
            if op == "SET":
                return logic("or", old, v)
            if op == "CLR":
                return logic("bic", old, v)
            o, w = need_int(old, op.lower()), need_int(v, op.lower())
            if op in ("SMAX", "SMIN"):
                f = max if op == "SMAX" else min
                return f(o, w)
            uo, uw = o & ((1 << 8 * sz) - 1), w & ((1 << 8 * sz) - 1)
            return o if (uo >= uw) == (op == "UMAX") else w
        return self._amo(p, ins, compute)

    def i_cas(self, p, ins):
        rs, rt = ins.regs
        a = self.rreg(p, ins.addr.base, ins)
        cv = self.rreg(p, rs, ins, is_data=True, sz=ins.size)
        noret = rs.zr
        out = []
        ok_kinds = self.mem_kinds(_MEM_R, "" if noret else ins.acq, excl=not noret, noret=noret)
        no_kinds = self.mem_kinds(_MEM_R, "" if noret else ins.acq, noret=noret)
        wkinds = self.mem_kinds(_MEM_W, rel=ins.rel, excl=True)
        loc = self.location(a.v, ins.size, ins)
        for val in self.read_values(p, loc):
            if val == cv.v or self.all_branches:
                # success: two event structures (written-back value from memory / from Rs)
                for from_rs in ((False,) if noret else (False, True)):
                    q = p.copy()
                    ri = self.ev(q, ok_kinds, ins, loc=loc, value=val, addr=a.prov, ctrl=q.ctrl, rf_read=True)
                    self.data(q, a.srcs, ri)
                    nv = self.rreg(q, rt, ins, is_data=True, sz=ins.size)
                    x = V(val, (ri,), frozenset({ri}), False)
                    br = self.commit(q, cv.srcs + (ri,), ins, bcc=False)
                    self.wmem(q, a, nv, ins.size, wkinds, ins, ctrl_srcs=(br,))
                    if from_rs:
                        self.wreg_sz(q, rs, cv.then(val), ins, ins.size, ctrl_srcs=(br,))
                    else:
                        self.wreg_sz(q, rs, x, ins, ins.size)
                    self.next(q)
                    out.append(q)
            if val != cv.v:
                q = p.copy()
                ri = self.ev(q, no_kinds, ins, loc=loc, value=val, addr=a.prov, ctrl=q.ctrl, rf_read=True)
                self.data(q, a.srcs, ri)
                x = V(val, (ri,), frozenset({ri}), False)
                self.commit(q, cv.srcs + (ri,), ins, bcc=False)
                self.wreg_sz(q, rs, x, ins, ins.size)
                self.next(q)
                out.append(q)
        return out

    def i_casp(self, p, ins):
        rs1, rs2, rt1, rt2 = ins.regs
        sz = ins.size
        a = self.rreg(p, ins.addr.base, ins)
        a2 = a.then(add(a.v, sz))
        c1 = self.rreg(p, rs1, ins, is_data=True, sz=sz)
        c2 = self.rreg(p, rs2, ins, is_data=True, sz=sz)
        loc1 = self.location(a.v, sz, ins)
        loc2 = self.location(a2.v, sz, ins)
        out = []
        for v1 in self.read_values(p, loc1):
            for v2 in self.read_values(p, loc2):
                match = v1 == c1.v and v2 == c2.v
                cases = []
                if match or self.all_branches:
                    cases += [(True, False), (True, True)]
                if not match:
                    cases.append((False, False))
                for ok, from_rs in cases:
                    q = p.copy()
                    kinds = self.mem_kinds(_MEM_R, ins.acq, excl=ok)
                    i1 = self.ev(q, kinds, ins, loc=loc1, value=v1, addr=a.prov, ctrl=q.ctrl, rf_read=True)
                    i2 = self.ev(q, kinds, ins, loc=loc2, value=v2, addr=a.prov, ctrl=q.ctrl, rf_read=True)
                    self.data(q, a.srcs, i1)
                    self.data(q, a2.srcs, i2)
                    x1 = V(v1, (i1,), frozenset({i1}), False)
                    x2 = V(v2, (i2,), frozenset({i2}), False)
                    br = self.commit(q, c1.srcs + c2.srcs + (i1, i2), ins, bcc=False)
                    if ok:
                        n1 = self.rreg(q, rt1, ins, is_data=True, sz=sz)
                        n2 = self.rreg(q, rt2, ins, is_data=True, sz=sz)
                        wk = self.mem_kinds(_MEM_W, rel=ins.rel, excl=True)
                        self.wmem(q, a, n1, sz, wk, ins, ctrl_srcs=(br,))
                        self.wmem(q, a2, n2, sz, wk, ins, ctrl_srcs=(br,))
                    if ok and from_rs:
                        self.wreg_sz(q, rs1, c1.then(v1), ins, sz, ctrl_srcs=(br,))
                        self.wreg_sz(q, rs2, c2.then(v2), ins, sz, ctrl_srcs=(br,))
                    else:
                        self.wreg_sz(q, rs1, x1, ins, sz)
                        self.wreg_sz(q, rs2, x2, ins, sz)
                    # herd7 forgets every register value after a CASP
                    q.regs = {r: (v, w, pv, False) for r, (v, w, pv, _) in q.regs.items()}
                    self.next(q)
                    out.append(q)
        return out


# --------------------------------------------------------------------------
# flags and conditions
# --------------------------------------------------------------------------

def show_code(c: CodeLoc) -> str:
    return f"P{c.tid}:{sorted(c.names)[0]}" if c.names else f"P{c.tid}:{c.idx}"


def flags(op: str, x: int, y: int, res: int, width: int) -> int:
    """NZCV (N=8, Z=4, C=2, V=1) as herd7 computes them."""
    m = (1 << width) - 1
    sign = width - 1
    r = res & m
    n = (r >> sign) & 1
    z = 1 if r == 0 else 0
    if op in ("AND", "BIC"):
        return (n << 3) | (z << 2)
    xu, yu = x & m, y & m
    if op == "ADD":
        c = ((xu & yu) | ((xu | yu) & ~r)) >> sign & 1
        v = ((r ^ xu) & (r ^ yu)) >> sign & 1
    elif op == "SUB":
        c = ((xu & ~yu) | ((xu | ~yu) & ~r)) >> sign & 1
        v = ((xu ^ yu) & (r ^ xu)) >> sign & 1
    else:
        c = v = 0
    return (n << 3) | (z << 2) | (c << 1) | v


def cond_holds(c: str, f: int) -> bool:
    n, z, cc, v = (f >> 3) & 1, (f >> 2) & 1, (f >> 1) & 1, f & 1
    return {
        "EQ": z == 1, "NE": z == 0, "CS": cc == 1, "CC": cc == 0, "MI": n == 1, "PL": n == 0,
        "VS": v == 1, "VC": v == 0, "HI": cc == 1 and z == 0, "LS": cc == 0 or z == 1,
        "GE": n == v, "LT": n != v, "GT": z == 0 and n == v, "LE": z == 1 or n != v,
        "AL": True, "NV": True,
    }[c]


def frontend(test, macros, unroll: int) -> Frontend:
    """This architecture's front-end for `test` (weakmem.semantics.frontends)."""
    return AArch64Frontend(test, macros, unroll)
