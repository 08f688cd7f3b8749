"""herd7's C dialect: run one thread's code into traces (weakmem.semantics.trace).

Execution is concrete: every read returns each value of its location's
value domain in turn (the explore stage computes the domains as a
fixpoint), every `if`/`while` follows the branch its condition selects,
and `while` loops are unrolled `unroll` times (paths needing more
iterations are dropped, as herd7 does).  Dependencies are tracked through
registers: each value carries the set of reads it was computed from.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from weakmem.errors import LitmusError, Pos
from weakmem.limits import check
from weakmem.litmus import ast as A
from weakmem.litmus.ast import SymVal
from weakmem.semantics.events import Val
from weakmem.semantics.frontends import Frontend
from weakmem.semantics.runner import init_value
from weakmem.semantics.trace import PEvent, Trace
from weakmem.semantics.values import ValueError_, binop, truth, unop

EMPTY: frozenset[int] = frozenset()

R_KINDS = frozenset({"R", "M"})
RMW_R_KINDS = frozenset({"R", "M", "RMW"})
RMW_W_KINDS = frozenset({"W", "M", "RMW"})
C11_RMW_KINDS = frozenset({"R", "W", "M", "RMW"})
W_KINDS = frozenset({"W", "M"})
F_KINDS = frozenset({"F"})

C11_ORDERS = {
    "memory_order_relaxed": "rlx",
    "memory_order_consume": "con",
    "memory_order_acquire": "acq",
    "memory_order_release": "rel",
    "memory_order_acq_rel": "acq_rel",
    "memory_order_seq_cst": "sc",
}

OPS = {"+", "-", "&", "|", "^", "*", "/", "%", "<<", ">>"}


class _State:
    """One path through a thread.  `poi` counts statements the way herd7
    numbers them (program order between statements); `ctrl` holds the reads
    the enclosing `if` conditions depend on."""
    __slots__ = ("regs", "events", "rmw", "ctrl", "poi", "pure")

    def __init__(self, regs, events, rmw, ctrl, poi=0, pure=None):
        self.regs: dict[str, tuple[Val, frozenset[int]]] = regs
        self.events: list[PEvent] = events
        self.rmw: list[tuple[int, int]] = rmw
        self.ctrl: frozenset[int] = ctrl
        self.poi: int = poi
        self.pure: dict[str, bool] = pure if pure is not None else {}   # register = a read's value, unchanged

    def copy(self) -> "_State":
        return _State(dict(self.regs), list(self.events), list(self.rmw), self.ctrl, self.poi, dict(self.pure))

    def add(self, ev: PEvent) -> int:
        """Append an event of the current statement.  Its intra-statement
        predecessors (iico) are the same-statement events it depends on."""
        ev.poi = self.poi
        pre = set()
        for i in ev.addr | ev.data | ev.ctrl | ev.iico:
            e = self.events[i]
            if e.poi == self.poi:
                pre.add(i)
                pre |= e.iico
        ev.iico = frozenset(pre)
        self.events.append(ev)
        return len(self.events) - 1


@dataclass
class RmwFlavour:
    """How a tagged read-modify-write primitive becomes events."""
    fence_before: str | None
    read_tags: frozenset[str]
    write_tags: frozenset[str]
    fence_after: str | None


def rmw_flavour(tag: str, success: bool = True) -> RmwFlavour:
    """herd7's expansion of `__xchg{tag}` and friends (LKMM conventions):
    {mb}: fully ordered, i.e. an mb fence on each side of a relaxed RMW
    (a failed conditional RMW is a lone relaxed read, with no fences);
    {acquire}: acquire read, relaxed write; {release}: relaxed read,
    release write; {once}: relaxed both; {full}: as {mb}, but the fences
    stay when a conditional RMW fails (weakmem's, for Xen's cmpxchg)."""
    once = frozenset({"once"})
    if tag == "full":
        # a fully ordered RMW that is fenced whether or not it succeeds
        # (Xen's cmpxchg: smp_mb() on both sides of the ll/sc loop on Arm,
        # a LOCK'd instruction on x86): the {mb} events, and on failure the
        # lone R[once] between the two fences
        return RmwFlavour("mb", once, once, "mb")
    if not success:
        # herd7: a failed conditional RMW is a lone R[once], whatever its
        # annotation (a failed cmpxchg_acquire() orders nothing)
        return RmwFlavour(None, once, once, None)
    if tag == "mb":
        return RmwFlavour("mb", once, once, "mb")
    if tag == "acquire":
        return RmwFlavour(None, frozenset({"acquire"}), once, None)
    if tag == "release":
        return RmwFlavour(None, once, frozenset({"release"}), None)
    return RmwFlavour(None, frozenset({tag}), frozenset({tag}), None)


class CFrontend(Frontend):
    """Turns the C threads of a test into traces."""

    def __init__(self, test: A.Litmus, macros=None, unroll: int = 2, max_traces: int = 200000):
        self.test = test
        self.macros = macros
        self.unroll = unroll
        self.max_traces = max_traces
        self.file = test.path
        # shared locations: everything in init, thread parameters, the condition
        self.shared: set[str] = set()
        for it in test.init:
            if isinstance(it.target, A.LocTerm):
                self.shared.add(it.target.name)
        self.bodies: list[tuple[A.Stmt, ...]] = []
        self.init_regs: dict[int, dict[str, Val]] = {}
        for it in test.init:
            if isinstance(it.target, A.RegTerm):
                self.init_regs.setdefault(it.target.tid, {})[it.target.reg] = init_value(it.value)
        for th in test.threads:
            if not isinstance(th, A.CThread):
                raise LitmusError("expected a C thread", th.pos if hasattr(th, "pos") else None)
            for p in th.params:
                self.shared.add(p.name)
            body = th.body
            if macros is not None:
                body = tuple(self._expand(s) for s in body)
            self.bodies.append(body)

    # ------------------------------------------------------------------
    def _expand(self, s):
        return self.macros.expand_stmt(s)

    def err(self, msg: str, node=None) -> LitmusError:
        pos = getattr(node, "pos", None) or Pos(self.file)
        return LitmusError(msg, pos)

    # ------------------------------------------------------------------
    def traces(self, tid: int, domain: Callable[[SymVal], Iterable[Val]], all_branches: bool = False) -> list[Trace]:
        """All traces of thread `tid`, reads drawing values from `domain`.

        With `all_branches`, every `if` runs both of its branches whatever
        its condition (and loops run 0..unroll times): the traces are then
        only an over-approximation of the writes, used to compute value
        domains.  A branch may be taken only thanks to a value that itself
        comes from a write inside a branch (control "out of thin air"),
        which herd7 explores too."""
        self.domain = domain
        self.all_branches = all_branches
        self.bad_deref = None
        self.tid = tid
        th = self.test.threads[tid]
        regs = {name: (v, EMPTY) for name, v in self.init_regs.get(tid, {}).items()}
        st = _State(regs, [], [], EMPTY)
        out: list[Trace] = []
        for fin in self.exec_block(self.bodies[tid], st):
            out.append(Trace(tid, fin.events, fin.rmw, {k: v for k, (v, _) in fin.regs.items()},
                             regdeps={k: d for k, (_, d) in fin.regs.items() if d}))
            if len(out) > self.max_traces:
                raise self.err(f"thread {th.name} has more than {self.max_traces} paths", th)
        if not out and self.bad_deref is not None and not all_branches:
            raise self.bad_deref
        return out

    # ------------------------------------------------------------------
    # statements
    def exec_block(self, stmts, st: _State) -> list[_State]:
        states = [st]
        for s in stmts:
            nxt: list[_State] = []
            for s0 in states:
                nxt.extend(self.exec_stmt(s, s0))
            states = nxt
            if not states:
                break
        return states

    def exec_stmt(self, s, st: _State) -> list[_State]:
        check()
        if isinstance(s, A.SDecl) and s.init is None:
            st.regs.setdefault(s.name, (0, EMPTY))
            return [st]
        st.poi += 1          # every statement node takes the next index (herd7)
        if isinstance(s, A.SBlock):
            return self.exec_block(s.body, st)
        if isinstance(s, A.SSkip):
            return [st]
        if isinstance(s, A.SDecl):
            return self.assign_reg(s.name, s.init, st)
        if isinstance(s, A.SAssign):
            return self.exec_assign(s, st)
        if isinstance(s, A.SExpr):
            return [s2 for _, _, s2 in self.eval(s.e, st, stmt=True)]
        if isinstance(s, A.SIf):
            # ctrl reaches the events of the branch taken, not those after the join
            out = []
            outer = st.ctrl
            for v, d, s2 in self.eval(s.cond, st):
                s2.ctrl = outer | d
                if self.all_branches:
                    s3 = s2.copy()
                    s3.poi += 1
                    done = self.exec_stmt(s.then, s3)
                    if s.els is not None:
                        s2.poi += 1
                        done = done + self.exec_stmt(s.els, s2)
                    else:
                        done = done + [s2]
                elif truth(v):
                    s2.poi += 1
                    done = self.exec_stmt(s.then, s2)
                elif s.els is not None:
                    s2.poi += 1
                    done = self.exec_stmt(s.els, s2)
                else:
                    done = [s2]
                for s3 in done:
                    s3.ctrl = outer
                out.extend(done)
            return out
        if isinstance(s, A.SWhile):
            return self.exec_while(s, st, self.unroll)
        raise self.err(f"unsupported statement {type(s).__name__}", s)

    def exec_while(self, s: A.SWhile, st: _State, fuel: int) -> list[_State]:
        # `while (c) b` is `if (c) { b; while (c) b }`, unrolled `unroll` times;
        # paths needing more iterations are dropped (herd7 does not count them).
        out = []
        outer = st.ctrl
        for v, d, s2 in self.eval(s.cond, st):
            if self.all_branches:
                if fuel > 0:
                    s3 = s2.copy()
                    s3.ctrl = outer | d
                    s3.poi += 1
                    for s4 in self.exec_stmt(s.body, s3):
                        out.extend(self.exec_while(s, s4, fuel - 1))
                s2.ctrl = outer
                out.append(s2)
            elif not truth(v):
                s2.ctrl = outer
                out.append(s2)
            elif fuel > 0:
                s2.ctrl = outer | d
                s2.poi += 1
                for s3 in self.exec_stmt(s.body, s2):
                    for s4 in self.exec_while(s, s3, fuel - 1):
                        s4.ctrl = outer
                        out.append(s4)
        return out

    def assign_reg(self, name: str, e, st: _State) -> list[_State]:
        """`r = e` for a register r (or a declaration's initialiser)."""
        out = []
        pure = self.is_copy(e, st)
        for v, d, s2 in self.eval(e, st):
            s2.regs[name] = (v, d)
            s2.pure[name] = pure
            out.append(s2)
        return out

    def exec_assign(self, s: A.SAssign, st: _State) -> list[_State]:
        lhs = s.lhs
        if isinstance(lhs, A.EVar) and self.is_reg(lhs.name, st):
            return self.assign_reg(lhs.name, s.e, st)
        # a plain memory store: *p = e, a[i] = e, or x = e on a shared name
        out = []
        pure = self.is_copy(s.e, st)
        for v, d, s2 in self.eval(s.e, st):
            for addr, ad, s3 in self.lval(lhs, s2):
                self.write(s3, addr, v, self.plain_tags(addr), ad, d, s, pure=pure)
                out.append(s3)
        return out

    def is_reg(self, name: str, st: _State) -> bool:
        return name in st.regs or name not in self.shared

    # ------------------------------------------------------------------
    # events
    def plain_tags(self, addr: SymVal) -> frozenset[str]:
        # Plain C accesses carry no annotation: LKMM's Plain, C11's NA
        # (also through an atomic_int pointer, as herd7 does).
        return frozenset()

    def read(self, st: _State, addr: SymVal, tags, addr_deps, node, kinds=R_KINDS) -> Iterator[tuple[Val, frozenset[int], _State]]:
        vals = list(self.domain(addr))
        for i, v in enumerate(vals):
            s2 = st.copy() if i < len(vals) - 1 else st
            idx = s2.add(PEvent(kinds, addr, v, frozenset(tags), self.text(node), addr=addr_deps,
                                ctrl=s2.ctrl, rf_read=True))
            yield v, frozenset({idx}), s2

    def write(self, st: _State, addr: SymVal, v: Val, tags, addr_deps, data_deps, node, kinds=W_KINDS,
              pure: bool = False) -> int:
        return st.add(PEvent(kinds, addr, v, frozenset(tags), self.text(node), addr=addr_deps,
                             data=data_deps, ctrl=st.ctrl, is_write=True, data_pure=pure))

    def is_copy(self, e, st: _State) -> bool:
        """Is the value of `e` some read's value, unchanged (a register
        holding one, or a load)?  herd7 solves such copies by substitution."""
        if isinstance(e, A.EVar):
            return st.pure.get(e.name, False)
        if isinstance(e, (A.EDeref, A.EIndex)):
            return True
        if isinstance(e, A.ECall):
            return e.name in ("__load", "atomic_load_explicit", "atomic_load")
        return False

    def fence(self, st: _State, tag: str, node) -> int:
        return st.add(PEvent(F_KINDS, None, None, frozenset({tag}), self.text(node), ctrl=st.ctrl))

    def special(self, st: _State, kinds: set[str], addr: SymVal | None, v: Val | None, tags, node,
                addr_deps=EMPTY, data_deps=EMPTY) -> int:
        return st.add(PEvent(frozenset(kinds), addr, v, frozenset(tags), self.text(node), addr=addr_deps,
                             data=data_deps, ctrl=st.ctrl))

    def text(self, node) -> str:
        pos = getattr(node, "pos", None)
        return f"line {pos.line}" if pos and pos.line else ""

    # ------------------------------------------------------------------
    # expressions: each yields (value, deps, state)
    def lval(self, e, st: _State) -> Iterator[tuple[SymVal, frozenset[int], _State]]:
        if isinstance(e, A.EDeref):
            for v, d, s2 in self.eval(e.e, st):
                a = self.as_addr(v, e, d)
                if a is not None:
                    yield a, d, s2
        elif isinstance(e, A.EIndex):
            for b, db, s2 in self.eval(e.base, st):
                for i, di, s3 in self.eval(e.index, s2):
                    a = self.as_addr(self.op("+", b, i, e), e, db | di)
                    if a is not None:
                        yield a, db | di, s3
        elif isinstance(e, A.EVar):
            if e.name in st.regs:
                # a register holding an address used as an lvalue (macro
                # argument passed a pointer): the location it points to
                v, d = st.regs[e.name]
                a = self.as_addr(v, e, d)
                if a is not None:
                    yield a, d, st
            elif e.name in self.shared:
                yield SymVal(e.name), EMPTY, st
            else:
                raise self.err(f"unknown location or register '{e.name}'", e)
        else:
            raise self.err("not an lvalue", e)

    def ptr(self, e, st: _State) -> Iterator[tuple[SymVal, frozenset[int], _State]]:
        """Evaluate an expression that denotes an address (a pointer argument)."""
        for v, d, s2 in self.eval(e, st):
            a = self.as_addr(v, e, d)
            if a is not None:
                yield a, d, s2

    def as_addr(self, v, node, deps=EMPTY) -> SymVal | None:
        """The address v denotes.  A non-address that comes from a read
        (deps) only drops this path: that read value may belong to no
        consistent execution.  (herd7 rejects the test if such a value
        occurs in a candidate; we report it only when no path is left.)"""
        if isinstance(v, SymVal):
            return v
        if self.all_branches:
            # computing domains: keep going (a dummy cell) so that the writes
            # later on this path still count
            return SymVal("\0nowhere")
        if deps:
            if self.bad_deref is None:
                self.bad_deref = self.err(f"value {v} used as an address", node)
            return None
        raise self.err(f"value {v} used as an address", node)

    def op(self, o, a, b, node):
        try:
            return binop(o, a, b)
        except ValueError_ as ex:
            raise self.err(str(ex), node)

    def eval(self, e, st: _State, stmt: bool = False) -> Iterator[tuple[Val, frozenset[int], _State]]:
        if isinstance(e, A.EInt):
            yield e.value, EMPTY, st
        elif isinstance(e, A.EVar):
            if e.name in st.regs:
                v, d = st.regs[e.name]
                yield v, d, st
            elif e.name in self.shared:
                yield SymVal(e.name), EMPTY, st
            elif e.name in ("NULL",):
                yield 0, EMPTY, st
            elif e.name in C11_ORDERS:
                yield e.name, EMPTY, st  # type: ignore[misc]
            else:
                # an undeclared register reads as 0 (herd7 does the same)
                yield 0, EMPTY, st
        elif isinstance(e, A.EDeref) or isinstance(e, A.EIndex):
            for addr, ad, s2 in self.lval(e, st):
                yield from self.read(s2, addr, self.plain_tags(addr), ad, e)
        elif isinstance(e, A.EAddr):
            inner = e.e
            if isinstance(inner, A.EVar) and inner.name in self.shared and inner.name not in st.regs:
                yield SymVal(inner.name), EMPTY, st
            else:
                for addr, ad, s2 in self.lval(inner, st):
                    yield addr, ad, s2
        elif isinstance(e, A.EBin):
            for a, da, s2 in self.eval(e.a, st):
                for b, db, s3 in self.eval(e.b, s2):
                    yield self.op(e.op, a, b, e), da | db, s3
        elif isinstance(e, A.EUn):
            for a, da, s2 in self.eval(e.e, st):
                try:
                    yield unop(e.op, a), da, s2
                except ValueError_ as ex:
                    raise self.err(str(ex), e)
        elif isinstance(e, A.ECond):
            for c, dc, s2 in self.eval(e.c, st):
                branch = e.a if truth(c) else e.b
                for v, dv, s3 in self.eval(branch, s2):
                    yield v, dc | dv, s3
        elif isinstance(e, A.ECall):
            yield from self.call(e, st)
        else:
            raise self.err(f"unsupported expression {type(e).__name__}", e)

    # ------------------------------------------------------------------
    # primitives
    def call(self, e: A.ECall, st: _State):
        name = e.name
        h = getattr(self, "p_" + name.lstrip("_"), None) if name.startswith("__") else None
        if h is not None:
            yield from h(e, st)
            return
        if name in C11_PRIMS:
            self.nargs(e, C11_ARITY[name])
            yield from getattr(self, C11_PRIMS[name])(e, st)
            return
        raise self.err(f"Unknown macro {name}", e)

    def tag1(self, e: A.ECall) -> str:
        if len(e.tags) != 1:
            raise self.err(f"{e.name} needs exactly one tag", e)
        return e.tags[0]

    def nargs(self, e: A.ECall, n: int):
        if len(e.args) != n:
            raise self.err(f"{e.name} takes {n} arguments, {len(e.args)} given", e)

    def p_load(self, e, st):
        self.nargs(e, 1)
        for addr, ad, s2 in self.lval(e.args[0], st):
            yield from self.read(s2, addr, e.tags, ad, e)

    def p_store(self, e, st):
        self.nargs(e, 2)
        pure = self.is_copy(e.args[1], st)
        for v, d, s2 in self.eval(e.args[1], st):
            for addr, ad, s3 in self.lval(e.args[0], s2):
                self.write(s3, addr, v, e.tags, ad, d, e, pure=pure)
                yield 0, EMPTY, s3

    def p_fence(self, e, st):
        # `__fence{t}`; weakmem also accepts several tags, `__fence{sc,after-rmw}`
        # (one fence event in the sets of all its tags: a C11 order plus the
        # name of the QEMU barrier it comes from)
        if not e.tags:
            raise self.err(f"{e.name} needs a tag", e)
        st.add(PEvent(F_KINDS, None, None, frozenset(e.tags), self.text(e), ctrl=st.ctrl))
        yield 0, EMPTY, st

    # ------------------------------------------------------------------
    # Linux read-modify-writes: an R and a W paired by rmw, both in RMW;
    # {mb} adds F[mb] before and after; a failed conditional RMW is a lone
    # R[once] (still in RMW), with no fences.
    def _linux_rmw(self, e, st, addr_e, tag, value_deps, compute, cond=None, ret="old",
                   data_rw=False, ctrl_deps=EMPTY):
        """compute(old) -> new; cond(old) -> success; ret: 'old'|'new'|'none'|'success'|'read'."""
        for addr, ad, s2 in self.ptr(addr_e, st):
            vals = list(self.domain(addr))
            for k, old in enumerate(vals):
                s3 = s2.copy() if k < len(vals) - 1 else s2
                ok = True if cond is None else cond(old)
                fl = rmw_flavour(tag, ok)
                rtags = fl.read_tags
                if e.name == "__atomic_op":
                    rtags = frozenset({"noreturn"})
                pre = EMPTY
                if fl.fence_before:
                    pre = frozenset({self.fence(s3, fl.fence_before, e)})
                ridx = s3.add(PEvent(RMW_R_KINDS, addr, old, rtags, self.text(e), addr=ad, ctrl=s3.ctrl,
                                     rf_read=True, iico=pre))
                rd = frozenset({ridx})
                new = None
                if ok:
                    new = compute(old)
                    widx = s3.add(PEvent(RMW_W_KINDS, addr, new, fl.write_tags, self.text(e), addr=ad,
                                         data=value_deps | (rd if data_rw else EMPTY),
                                         ctrl=s3.ctrl | ctrl_deps, is_write=True, iico=rd | pre))
                    s3.rmw.append((ridx, widx))
                    if fl.fence_after:
                        s3.add(PEvent(F_KINDS, None, None, frozenset({fl.fence_after}), self.text(e),
                                      ctrl=s3.ctrl, iico=rd | {widx} | pre))
                elif fl.fence_after:
                    s3.add(PEvent(F_KINDS, None, None, frozenset({fl.fence_after}), self.text(e),
                                  ctrl=s3.ctrl, iico=rd | pre))
                if ret == "old" or ret == "read":
                    yield old, rd, s3
                elif ret == "new":
                    yield new, rd | value_deps, s3
                elif ret == "success":
                    yield int(ok), rd, s3
                else:
                    yield 0, EMPTY, s3

    def _op(self, e: A.ECall, i: int) -> str:
        opnode = e.args[i]
        if not isinstance(opnode, A.EOp) or opnode.op not in OPS:
            raise self.err("expected an operator argument", opnode)
        return opnode.op

    def p_xchg(self, e, st):
        self.nargs(e, 2)
        tag = self.tag1(e)
        for v, d, s2 in self.eval(e.args[1], st):
            yield from self._linux_rmw(e, s2, e.args[0], tag, d, lambda old, v=v: v)

    def p_cmpxchg(self, e, st):
        self.nargs(e, 3)
        tag = self.tag1(e)
        for o, do, s2 in self.eval(e.args[1], st):
            for n, dn, s3 in self.eval(e.args[2], s2):
                yield from self._linux_rmw(e, s3, e.args[0], tag, dn, lambda old, n=n: n,
                                           cond=lambda old, o=o: old == o, ctrl_deps=do)

    def _arith(self, e, st, tag, ret):
        self.nargs(e, 3)
        op = self._op(e, 1)
        for v, d, s2 in self.eval(e.args[2], st):
            yield from self._linux_rmw(e, s2, e.args[0], tag, d, lambda old, v=v: self.op(op, old, v, e),
                                       ret=ret, data_rw=True)

    def p_atomic_op(self, e, st):
        yield from self._arith(e, st, "once", "none")

    def p_atomic_op_return(self, e, st):
        yield from self._arith(e, st, self.tag1(e), "new")

    def p_atomic_fetch_op(self, e, st):
        yield from self._arith(e, st, self.tag1(e), "old")

    def _add_unless(self, e, st, tag, ret):
        self.nargs(e, 3)
        for a, da, s2 in self.eval(e.args[1], st):
            for u, du, s3 in self.eval(e.args[2], s2):
                yield from self._linux_rmw(e, s3, e.args[0], tag, da, lambda old, a=a: self.op("+", old, a, e),
                                           cond=lambda old, u=u: old != u, ret=ret, data_rw=True,
                                           ctrl_deps=du)

    def p_atomic_add_unless(self, e, st):
        # `__atomic_add_unless{t}(x,a,u)` returns the value read
        yield from self._add_unless(e, st, self.tag1(e) if e.tags else "mb", "read")

    def b_atomic_add_unless(self, e, st):
        # the built-in `atomic_add_unless(x,a,u)`: fully ordered, returns success
        yield from self._add_unless(e, st, "mb", "success")

    # locks: events without value, outside R/W/M (lock.cat gives them rf/co)
    def _lock_pair(self, st, addr, ad, e):
        r = st.add(PEvent(frozenset({"LKR"}), addr, None, frozenset(), self.text(e), addr=ad, ctrl=st.ctrl))
        w = st.add(PEvent(frozenset({"LKW"}), addr, None, frozenset(), self.text(e), addr=ad,
                          ctrl=st.ctrl, iico=frozenset({r})))
        st.rmw.append((r, w))
        return r

    def p_lock(self, e, st):
        self.nargs(e, 1)
        for addr, ad, s2 in self.ptr(e.args[0], st):
            self._lock_pair(s2, addr, ad, e)
            yield 0, EMPTY, s2

    def p_unlock(self, e, st):
        self.nargs(e, 1)
        for addr, ad, s2 in self.ptr(e.args[0], st):
            s2.add(PEvent(frozenset({"UL"}), addr, None, frozenset(), self.text(e), addr=ad, ctrl=s2.ctrl))
            yield 0, EMPTY, s2

    def p_trylock(self, e, st):
        self.nargs(e, 1)
        for addr, ad, s2 in self.ptr(e.args[0], st):
            s3 = s2.copy()
            r = self._lock_pair(s2, addr, ad, e)
            yield 1, frozenset({r}), s2
            f = s3.add(PEvent(frozenset({"LF"}), addr, None, frozenset(), self.text(e), addr=ad, ctrl=s3.ctrl))
            yield 0, frozenset({f}), s3

    def p_islocked(self, e, st):
        self.nargs(e, 1)
        for addr, ad, s2 in self.ptr(e.args[0], st):
            s3 = s2.copy()
            r = s2.add(PEvent(frozenset({"RL"}), addr, None, frozenset(), self.text(e), addr=ad, ctrl=s2.ctrl))
            yield 1, frozenset({r}), s2
            u = s3.add(PEvent(frozenset({"RU"}), addr, None, frozenset(), self.text(e), addr=ad, ctrl=s3.ctrl))
            yield 0, frozenset({u}), s3

    # SRCU: events with a location, outside M/R/W/F.  srcu_read_lock returns
    # herd7's per-site value (tid+1)*307 + poi*599, which srcu_read_unlock
    # passes back (different-values checks the pairing).
    def p_srcu(self, e, st):
        tag = self.tag1(e)
        kinds = frozenset({"SRCU"})
        if tag == "srcu-lock":
            self.nargs(e, 1)
            for addr, ad, s2 in self.ptr(e.args[0], st):
                v = (self.tid + 1) * 307 + s2.poi * 599
                s2.add(PEvent(kinds, addr, v, frozenset({tag}), self.text(e), addr=ad, ctrl=s2.ctrl))
                yield v, EMPTY, s2
        elif tag == "srcu-unlock":
            self.nargs(e, 2)
            for v, d, s2 in self.eval(e.args[1], st):
                for addr, ad, s3 in self.ptr(e.args[0], s2):
                    s3.add(PEvent(kinds, addr, v, frozenset({tag}), self.text(e), addr=ad, data=d, ctrl=s3.ctrl))
                    yield 0, EMPTY, s3
        elif tag == "sync-srcu":
            self.nargs(e, 1)
            for addr, ad, s2 in self.ptr(e.args[0], st):
                s2.add(PEvent(kinds, addr, None, frozenset({tag}), self.text(e), addr=ad, ctrl=s2.ctrl))
                yield 0, EMPTY, s2
        else:
            raise self.err(f"unknown srcu operation '{tag}'", e)

    # ------------------------------------------------------------------
    # C11: accesses tagged with their memory order; RMWs are one event in
    # both R and W (value read in `rval`, value written in `value`).
    def mo(self, e, arg) -> str:
        if isinstance(arg, A.EVar) and arg.name in C11_ORDERS:
            return C11_ORDERS[arg.name]
        raise self.err("expected a memory_order_* argument", arg)

    def c11_load(self, e, st):
        mo = self.mo(e, e.args[1]) if len(e.args) == 2 else "sc"
        for addr, ad, s2 in self.ptr(e.args[0], st):
            yield from self.read(s2, addr, {mo}, ad, e)

    def c11_store(self, e, st):
        mo = self.mo(e, e.args[2]) if len(e.args) == 3 else "sc"
        pure = self.is_copy(e.args[1], st)
        for v, d, s2 in self.eval(e.args[1], st):
            for addr, ad, s3 in self.ptr(e.args[0], s2):
                self.write(s3, addr, v, {mo}, ad, d, e, pure=pure)
                yield 0, EMPTY, s3

    def c11_fence(self, e, st):
        mo = self.mo(e, e.args[0]) if e.args else "sc"
        self.fence(st, mo, e)
        yield 0, EMPTY, st

    def _c11_rmw(self, s2, addr, ad, old, new, vdeps, mo, e) -> int:
        return s2.add(PEvent(C11_RMW_KINDS, addr, new, frozenset({mo}), self.text(e), addr=ad, data=vdeps,
                             ctrl=s2.ctrl, rf_read=True, is_write=True, rval=old))

    def _c11_update(self, e, st, nargs_mo, compute):
        mo = self.mo(e, e.args[nargs_mo]) if len(e.args) > nargs_mo else "sc"
        for v, d, s2 in self.eval(e.args[1], st):
            for addr, ad, s3 in self.ptr(e.args[0], s2):
                vals = list(self.domain(addr))
                for k, old in enumerate(vals):
                    s4 = s3.copy() if k < len(vals) - 1 else s3
                    idx = self._c11_rmw(s4, addr, ad, old, compute(old, v), d, mo, e)
                    yield old, frozenset({idx}), s4

    def c11_xchg(self, e, st):
        yield from self._c11_update(e, st, 2, lambda old, v: v)

    def c11_fetch(self, e, st):
        op = {"add": "+", "sub": "-", "or": "|", "xor": "^", "and": "&"}[e.name.split("_")[2]]
        yield from self._c11_update(e, st, 2, lambda old, v: self.op(op, old, v, e))

    def c11_cas(self, e, st):
        """atomic_compare_exchange_{strong,weak}[_explicit](obj, exp, des[, succ, fail]):
        read *exp (plain); success: one RMW event writing des, returns 1;
        failure: a read of obj with the failure order, then *exp = value read
        (plain), returns 0.  The weak form may also fail spuriously.
        When exp is the address of a register (`&expected`, a local variable
        in C), the register is read and, on failure, updated: no memory
        events for it."""
        self.nargs(e, 5 if e.name.endswith("_explicit") else 3)
        weak = "weak" in e.name
        succ = self.mo(e, e.args[3]) if len(e.args) > 3 else "sc"
        fail = self.mo(e, e.args[4]) if len(e.args) > 4 else "sc"
        ex = e.args[1]
        if isinstance(ex, A.EAddr) and isinstance(ex.e, A.EVar) and self.is_reg(ex.e.name, st):
            yield from self._c11_cas_reg(e, st, ex.e.name, weak, succ, fail)
            return
        for expaddr, ed, s1 in self.ptr(e.args[1], st):
            for expected, xd, s2 in self.read(s1, expaddr, (), ed, e):
                yield from self._c11_cas_outcomes(
                    e, s2, expected, weak, succ, fail,
                    lambda s5, old, ridx: self.write(s5, expaddr, old, (), ed, frozenset({ridx}), e))

    def _c11_cas_reg(self, e, st, reg, weak, succ, fail):
        expected, xd = st.regs.get(reg, (0, EMPTY))

        def store_back(s5, old, ridx):
            s5.regs[reg] = (old, frozenset({ridx}))
        yield from self._c11_cas_outcomes(e, st, expected, weak, succ, fail, store_back)

    def _c11_cas_outcomes(self, e, st, expected, weak, succ, fail, store_back):
        """The outcomes of a compare-exchange expecting `expected`: success
        (one RMW event, returns 1) and failure (a read with the failure
        order, the value read stored back by `store_back(state, value,
        read)`, returns 0); a weak one may fail on an equal value too."""
        for des, dd, s3 in self.eval(e.args[2], st):
            for addr, ad, s4 in self.ptr(e.args[0], s3):
                for old in list(self.domain(addr)):
                    if old == expected:
                        s5 = s4.copy()
                        self._c11_rmw(s5, addr, ad, old, des, dd, succ, e)
                        yield 1, EMPTY, s5
                    if old != expected or weak:
                        s5 = s4.copy()
                        ridx = s5.add(PEvent(R_KINDS, addr, old, frozenset({fail}), self.text(e), addr=ad,
                                             ctrl=s5.ctrl, rf_read=True))
                        store_back(s5, old, ridx)
                        yield 0, EMPTY, s5

    def p_c11_cmpxchg(self, e, st):
        """`__c11_cmpxchg(obj, old, new, succ, fail)`: a strong C11
        compare-exchange that returns the value read (GCC's
        __atomic_compare_exchange_n on a local copy of `old`, as QEMU's
        qatomic_cmpxchg uses it).  Success: one RMW event of order succ;
        failure: a read of order fail."""
        self.nargs(e, 5)
        succ, fail = self.mo(e, e.args[3]), self.mo(e, e.args[4])
        for o, do, s1 in self.eval(e.args[1], st):
            for des, dd, s2 in self.eval(e.args[2], s1):
                for addr, ad, s3 in self.ptr(e.args[0], s2):
                    vals = list(self.domain(addr))
                    for k, old in enumerate(vals):
                        s4 = s3.copy() if k < len(vals) - 1 else s3
                        if old == o:
                            idx = s4.add(PEvent(C11_RMW_KINDS, addr, des, frozenset({succ}), self.text(e),
                                                addr=ad, data=dd, ctrl=s4.ctrl | do, rf_read=True,
                                                is_write=True, rval=old))
                        else:
                            idx = s4.add(PEvent(R_KINDS, addr, old, frozenset({fail}), self.text(e), addr=ad,
                                                ctrl=s4.ctrl, rf_read=True))
                        yield old, frozenset({idx}), s4

    def p_c11_add_unless(self, e, st):
        """`__c11_add_unless(obj, a, u, read_order, rmw_order)`: read obj
        (read_order); if the value v is u, return it; otherwise add a with an
        RMW of rmw_order that reads v, and return v.  This is the last
        iteration of the usual `v = load(obj); while (v != u &&
        !cas(obj, v, v + a)) v = load(obj);` loop (QEMU's
        qatomic_fetch_inc_nonzero); earlier iterations only read."""
        self.nargs(e, 5)
        rmo, umo = self.mo(e, e.args[3]), self.mo(e, e.args[4])
        for a, da, s1 in self.eval(e.args[1], st):
            for u, du, s2 in self.eval(e.args[2], s1):
                for addr, ad, s3 in self.ptr(e.args[0], s2):
                    for v, dv, s4 in self.read(s3, addr, {rmo}, ad, e):
                        if v == u:
                            yield v, dv, s4
                            continue
                        outer = s4.ctrl
                        s4.ctrl = outer | dv | du      # the RMW runs because v != u
                        idx = self._c11_rmw(s4, addr, ad, v, self.op("+", v, a, e), da | dv, umo, e)
                        s4.ctrl = outer
                        yield v, dv | {idx}, s4


C11_PRIMS = {
    "atomic_load_explicit": "c11_load",
    "atomic_load": "c11_load",
    "atomic_store_explicit": "c11_store",
    "atomic_store": "c11_store",
    "atomic_thread_fence": "c11_fence",
    "atomic_exchange_explicit": "c11_xchg",
    "atomic_exchange": "c11_xchg",
    "atomic_fetch_add_explicit": "c11_fetch",
    "atomic_fetch_sub_explicit": "c11_fetch",
    "atomic_fetch_or_explicit": "c11_fetch",
    "atomic_fetch_xor_explicit": "c11_fetch",
    "atomic_fetch_and_explicit": "c11_fetch",
    "atomic_fetch_add": "c11_fetch",
    "atomic_fetch_sub": "c11_fetch",
    "atomic_fetch_or": "c11_fetch",
    "atomic_fetch_xor": "c11_fetch",
    "atomic_fetch_and": "c11_fetch",
    "atomic_compare_exchange_strong_explicit": "c11_cas",
    "atomic_compare_exchange_weak_explicit": "c11_cas",
    "atomic_compare_exchange_strong": "c11_cas",
    "atomic_compare_exchange_weak": "c11_cas",
    "atomic_add_unless": "b_atomic_add_unless",
}
# the number of arguments of each (C11, <stdatomic.h>; Linux for atomic_add_unless)
C11_ARITY = {
    "atomic_load_explicit": 2, "atomic_load": 1, "atomic_store_explicit": 3, "atomic_store": 2,
    "atomic_thread_fence": 1, "atomic_exchange_explicit": 3, "atomic_exchange": 2,
    "atomic_compare_exchange_strong_explicit": 5, "atomic_compare_exchange_weak_explicit": 5,
    "atomic_compare_exchange_strong": 3, "atomic_compare_exchange_weak": 3, "atomic_add_unless": 3}
C11_ARITY.update({f"atomic_fetch_{op}{x}": 3 if x else 2
                  for op in ("add", "sub", "or", "xor", "and") for x in ("", "_explicit")})
assert set(C11_ARITY) == set(C11_PRIMS)


def frontend(test, macros, unroll: int) -> Frontend:
    """This architecture's front-end for `test` (weakmem.semantics.frontends)."""
    return CFrontend(test, macros, unroll)
