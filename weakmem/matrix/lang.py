"""The language-model rows: the C source itself under SC, C11, QEMU's model, LKMM.

A test in the dialect a model speaks natively runs as written (Linux under
lkmm, C11 under c11).  Otherwise its API calls are rewritten, from the same
api.py table the compiler uses, into the language's own primitives:

* style "c11": C11 <stdatomic.h> calls with explicit orders, as QEMU defines
  its macros portably (qatomic_read = relaxed load, qatomic_xchg = seq_cst
  exchange, smp_mb__after_rmw = smp_mb() = seq_cst fence -- the language-level
  definition, not the x86 shortcut; qatomic_rcu_read = consume, as QEMU's
  TSAN build spells it; barrier() disappears);
* style "lk": herd7's Linux primitives (__load{once}, __xchg{mb}, ...), for
  Xen sources under LKMM.

QEMU's qatomic_cmpxchg returns the old value; C11's compare_exchange writes
it to `*expected`: the rewrite gives each such call a private location
`cmpxchg_expN` (a thread-local temporary in C, never raced on).
"""
from __future__ import annotations

import dataclasses

from weakmem.litmus import ast as A
from weakmem.matrix.ir import NotCompilable
from weakmem.matrix.lower import Lowerer

C11_MO = {"rlx": "memory_order_relaxed", "con": "memory_order_consume", "acq": "memory_order_acquire",
          "rel": "memory_order_release", "acq_rel": "memory_order_acq_rel", "sc": "memory_order_seq_cst"}

# key -> C11 order (style c11)
C11_OF_KEY = {
    "ld:rlx": "rlx", "ld:q_rcu": "con", "ld:con": "con", "ld:acq": "acq", "ld:sc": "sc",
    "ld:once": "rlx", "ld:lk_acq": "acq",
    "st:rlx": "rlx", "st:rel": "rel", "st:sc": "sc", "st:once": "rlx", "st:lk_rel": "rel",
    "rmw:rlx": "rlx", "rmw:con": "con", "rmw:acq": "acq", "rmw:rel": "rel", "rmw:acq_rel": "acq_rel",
    "rmw:sc": "sc", "rmw:lk_mb": "sc", "rmw:lk_relaxed": "rlx", "rmw:lk_acquire": "acq",
    "rmw:lk_release": "rel", "rmw:lk_noret": "rlx",
    "f:acq": "acq", "f:rel": "rel", "f:acq_rel": "acq_rel", "f:sc": "sc", "f:q_rmw_mb": "sc",
    "f:lk_mb": "sc", "f:lk_rmb": "acq", "f:lk_wmb": "rel", "f:lk_ba": "sc", "f:lk_aa": "sc",
}
# key -> herd Linux tag (style lk)
LK_OF_KEY = {
    "ld:rlx": "once", "ld:q_rcu": "once", "ld:con": "once", "ld:acq": "acquire", "ld:sc": "acquire",
    "ld:once": "once", "ld:lk_acq": "acquire",
    "st:rlx": "once", "st:rel": "release", "st:sc": "release", "st:once": "once", "st:lk_rel": "release",
    "rmw:rlx": "once", "rmw:con": "acquire", "rmw:acq": "acquire", "rmw:rel": "release", "rmw:acq_rel": "mb",
    "rmw:sc": "mb", "rmw:lk_mb": "mb", "rmw:lk_relaxed": "once", "rmw:lk_acquire": "acquire",
    "rmw:lk_release": "release",
    "f:acq": "rmb", "f:rel": "wmb", "f:acq_rel": "mb", "f:sc": "mb", "f:q_rmw_mb": "mb",
    "f:lk_mb": "mb", "f:lk_rmb": "rmb", "f:lk_wmb": "wmb", "f:lk_ba": "before-atomic",
    "f:lk_aa": "after-atomic", "f:compiler": "barrier",
}
C11_RMW = {"xchg": "atomic_exchange_explicit", "add": "atomic_fetch_add_explicit",
           "sub": "atomic_fetch_sub_explicit", "and": "atomic_fetch_and_explicit",
           "or": "atomic_fetch_or_explicit", "xor": "atomic_fetch_xor_explicit"}
OPS = {"add": "+", "sub": "-", "and": "&", "or": "|", "xor": "^"}


class Renderer:
    def __init__(self, test: A.Litmus, dialect: str, style: str):
        self.test = test
        self.low = Lowerer(test, dialect)
        self.style = style
        self.nexp = 0
        self.new_locs: dict[int, list[str]] = {}
        self.tid = 0

    def render(self) -> A.Litmus:
        threads = []
        for th in self.test.threads:
            self.tid = th.tid
            body = tuple(self.stmt(s) for s in th.body)
            params = th.params + tuple(A.CParam("int *", n) for n in self.new_locs.get(th.tid, []))
            threads.append(dataclasses.replace(th, body=body, params=params))
        init = list(self.test.init)
        for locs in self.new_locs.values():
            for n in locs:
                init.append(A.InitItem(A.LocTerm(n), "int", A.IntVal(0)))
        return dataclasses.replace(self.test, threads=threads, init=init)

    # ------------------------------------------------------------------ statements
    def stmt(self, s):
        if isinstance(s, A.SExpr):
            if isinstance(s.e, A.ECall):
                return self.call_stmt(s.e, None, s)
            return dataclasses.replace(s, e=self.expr(s.e))
        if isinstance(s, A.SAssign):
            if isinstance(s.e, A.ECall):
                return self.call_stmt(s.e, s.lhs, s)
            return dataclasses.replace(s, lhs=self.expr(s.lhs), e=self.expr(s.e))
        if isinstance(s, A.SDecl):
            if isinstance(s.init, A.ECall):
                return A.SBlock((dataclasses.replace(s, init=None),
                                 self.call_stmt(s.init, A.EVar(s.name, s.pos), s)), s.pos) \
                    if self._is_cmpxchg(s.init) else dataclasses.replace(s, init=self.expr(s.init))
            return s if s.init is None else dataclasses.replace(s, init=self.expr(s.init))
        if isinstance(s, A.SIf):
            return dataclasses.replace(s, cond=self.expr(s.cond), then=self.stmt(s.then),
                                       els=None if s.els is None else self.stmt(s.els))
        if isinstance(s, A.SWhile):
            return dataclasses.replace(s, cond=self.expr(s.cond), body=self.stmt(s.body))
        if isinstance(s, A.SBlock):
            return dataclasses.replace(s, body=tuple(self.stmt(b) for b in s.body))
        return s

    def _is_cmpxchg(self, e: A.ECall) -> bool:
        a = self.low.lookup(e.name) if not e.tags else None
        return a is not None and a.kind == "rmw" and a.op == "cas" and "e" not in a.args

    def call_stmt(self, e: A.ECall, lhs, s):
        """A call as a statement or as the whole right-hand side of an assignment."""
        a = self.low.lookup(e.name) if not e.tags else None
        if a is not None and a.kind == "rmw" and a.op == "cas" and "e" not in a.args and self.style == "c11":
            return self.cmpxchg_c11(e, a, lhs, s)
        if a is not None and a.kind == "compound":
            if lhs is not None:
                raise NotCompilable(f"{e.name} has no value", e.pos)
            return A.SBlock(tuple(A.SExpr(x, e.pos) for x in self.compound(e, a)), s.pos)
        if a is not None and a.kind == "fence" and lhs is None:
            r = self.fence(e, a)
            return A.SSkip(s.pos) if r is None else A.SExpr(r, s.pos)
        new = self.expr(e)
        if lhs is None:
            return A.SExpr(new, s.pos)
        return A.SAssign(self.expr(lhs), new, s.pos)

    # ------------------------------------------------------------------ expressions
    def expr(self, e):
        if isinstance(e, A.ECall):
            return self.call(e)
        if isinstance(e, (A.EDeref, A.EAddr, A.EUn)):
            return dataclasses.replace(e, e=self.expr(e.e))
        if isinstance(e, A.EIndex):
            return dataclasses.replace(e, base=self.expr(e.base), index=self.expr(e.index))
        if isinstance(e, A.EBin):
            return dataclasses.replace(e, a=self.expr(e.a), b=self.expr(e.b))
        if isinstance(e, A.ECond):
            return dataclasses.replace(e, c=self.expr(e.c), a=self.expr(e.a), b=self.expr(e.b))
        return e

    def call(self, e: A.ECall):
        if e.tags:
            if self.style == "lk":
                return dataclasses.replace(e, args=tuple(self.expr(x) for x in e.args))
            raise NotCompilable(f"herd primitive {e.name} has no C11 equivalent", e.pos)
        a = self.low.lookup(e.name)
        if a is None:
            raise NotCompilable(f"{e.name} is not an API the matrix knows", e.pos)
        if a.kind == "unsupported":
            if self.style == "lk":
                return dataclasses.replace(e, args=tuple(self.expr(x) for x in e.args))
            raise NotCompilable(a.why, e.pos)
        if len(e.args) != len(a.args):
            raise NotCompilable(f"{e.name} takes {len(a.args)} arguments", e.pos)
        args = dict(zip(a.args, (self.expr(x) for x in e.args)))
        key = a.key
        if "m" in args:
            m = args["m"]
            from weakmem.matrix.api import MEMORY_ORDERS
            mo = MEMORY_ORDERS.get(getattr(m, "name", ""), "sc")
            key = key.replace("{mo}", mo)
        pos = e.pos
        if a.kind == "load":
            if self.style == "c11":
                return A.ECall("atomic_load_explicit", (self.ptr(args), self.mo(key, pos)), (), pos)
            return A.ECall("__load", (self.lval(args),), (LK_OF_KEY[key],), pos)
        if a.kind == "store":
            if self.style == "c11":
                return A.ECall("atomic_store_explicit", (self.ptr(args), args["v"], self.mo(key, pos)), (), pos)
            return A.ECall("__store", (self.lval(args), args["v"]), (LK_OF_KEY[key],), pos)
        if a.kind == "fence":
            r = self.fence(e, a, key)
            if r is None:
                raise NotCompilable(f"{e.name} used as a value", pos)
            return r
        if a.kind == "rmw":
            return self.rmw(e, a, args, key)
        raise NotCompilable(f"{e.name} cannot be used inside an expression here", pos)

    def mo(self, key, pos) -> A.EVar:
        return A.EVar(C11_MO[C11_OF_KEY[key]], pos)

    def ptr(self, args):
        if "p" in args:
            return args["p"]
        x = args["l"]
        return x.e if isinstance(x, A.EDeref) else A.EAddr(x, getattr(x, "pos", None))

    def lval(self, args):
        if "l" in args:
            return args["l"]
        x = args["p"]
        return x.e if isinstance(x, A.EAddr) else A.EDeref(x, getattr(x, "pos", None))

    def fence(self, e, a, key=None):
        key = key or a.key
        if self.style == "c11":
            if key in ("f:compiler", "f:lk_rcu"):
                return None
            return A.ECall("atomic_thread_fence", (self.mo(key, e.pos),), (), e.pos)
        if key == "f:lk_rcu":
            tag = "rcu-lock" if "unlock" not in e.name else "rcu-unlock"
        else:
            tag = LK_OF_KEY[key]
        return A.ECall("__fence", (), (tag,), e.pos)

    def rmw(self, e, a, args, key):
        pos = e.pos
        val = A.EInt(a.imm, pos) if a.imm is not None else args.get("v")
        if self.style == "c11":
            if a.op == "cas":
                if "e" in args:      # native C11
                    return A.ECall("atomic_compare_exchange_strong_explicit",
                                   (args["p"], args["e"], args["n"], self.mo(key, pos), self.mo(key, pos)), (), pos)
                raise NotCompilable(f"{e.name} inside an expression: assign its result to a register first", pos)
            call = A.ECall(C11_RMW[a.op], (self.ptr(args), val, self.mo(key, pos)), (), pos)
        else:
            p = self.ptr(args)
            tag = LK_OF_KEY.get(key)
            if a.op == "xchg":
                call = A.ECall("__xchg", (p, val), (tag,), pos)
            elif a.op == "cas":
                call = A.ECall("__cmpxchg", (p, args["o"], args["n"]), (tag,), pos)
            elif key == "rmw:lk_noret" or a.ret == "none":
                return A.ECall("__atomic_op", (p, A.EOp(OPS[a.op], pos), val), (), pos)
            elif a.ret == "new":
                call = A.ECall("__atomic_op_return", (p, A.EOp(OPS[a.op], pos), val), (tag,), pos)
            else:
                call = A.ECall("__atomic_fetch_op", (p, A.EOp(OPS[a.op], pos), val), (tag,), pos)
            if a.ret == "new" and a.op in ("xchg", "cas"):
                raise NotCompilable(f"{e.name}", pos)
            if a.test == "==0":
                return A.EBin("==", call, A.EInt(0, pos), pos)
            if a.test == "<0":
                return A.EBin("<", call, A.EInt(0, pos), pos)
            return call
        if a.ret == "new":
            call = A.EBin(OPS[a.op], call, val, pos)
        if a.test == "==0":
            return A.EBin("==", call, A.EInt(0, pos), pos)
        if a.test == "<0":
            return A.EBin("<", call, A.EInt(0, pos), pos)
        return call

    def compound(self, e, a):
        args = dict(zip(a.args, (self.expr(x) for x in e.args)))
        pos = e.pos
        if a.key == "q_set_mb":
            if self.style == "c11":
                return [A.ECall("atomic_store_explicit", (self.ptr(args), args["v"], self.mo("st:rel", pos)), (), pos),
                        A.ECall("atomic_thread_fence", (self.mo("f:sc", pos),), (), pos)]
            return [A.ECall("__store", (self.lval(args), args["v"]), ("release",), pos),
                    A.ECall("__fence", (), ("mb",), pos)]
        if a.key == "lk_store_mb":
            if self.style == "c11":
                return [A.ECall("atomic_store_explicit", (self.ptr(args), args["v"], self.mo("st:rlx", pos)), (), pos),
                        A.ECall("atomic_thread_fence", (self.mo("f:sc", pos),), (), pos)]
            return [A.ECall("__store", (self.lval(args), args["v"]), ("once",), pos),
                    A.ECall("__fence", (), ("mb",), pos)]
        raise NotCompilable(f"{e.name}", pos)

    def cmpxchg_c11(self, e, a, lhs, s):
        """r = cmpxchg(p, o, n)  ->  { *exp = o; CAS(p, exp, n, mo, mo); r = *exp; }"""
        args = dict(zip(a.args, (self.expr(x) for x in e.args)))
        self.nexp += 1
        name = f"cmpxchg_exp{self.nexp}"
        self.new_locs.setdefault(self.tid, []).append(name)
        pos = e.pos
        exp = A.EVar(name, pos)
        mo = self.mo(a.key, pos)
        body = [A.SAssign(A.EDeref(exp, pos), args["o"], pos),
                A.SExpr(A.ECall("atomic_compare_exchange_strong_explicit",
                                (self.ptr(args), exp, args["n"], mo, mo), (), pos), pos)]
        if lhs is not None:
            body.append(A.SAssign(self.expr(lhs), A.EDeref(exp, pos), pos))
        return A.SBlock(tuple(body), s.pos)


def render(test: A.Litmus, dialect: str, style: str) -> A.Litmus:
    return Renderer(test, dialect, style).render()
