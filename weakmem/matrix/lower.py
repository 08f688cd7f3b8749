"""C litmus threads -> the matrix IR (weakmem.matrix.ir).

Lowering works on the source AST, before any macro expansion, so that the
API names (and with them the per-host choices) reach the targets.  It keeps
every computation the source writes: no constant folding through registers,
no dead-code removal, so that `x[r & 0]` stays an address dependency and
`if (r) ...` stays a control dependency, as in the source.  (A real compiler
may fold such fake dependencies away; the table's note says so.)

Errors:
* malformed calls (wrong argument count, a bad memory order) are input
  errors: weakmem.errors.LitmusError with the call's position;
* constructs that cannot be compiled faithfully raise ir.NotCompilable,
  which the matrix reports on every hardware row.
"""
from __future__ import annotations

from dataclasses import dataclass

from weakmem.errors import LitmusError, Pos
from weakmem.litmus import ast as A
from weakmem.matrix import api as API
from weakmem.matrix.ir import (Addr, Alu, Branch, Compound, Fence, Imm, Jump, Label, Load, Mov, NotCompilable,
                               Origin, Rmw, SetCmp, Store, ThreadIR, VReg)

ARITH = {"+", "-", "&", "|", "^", "*", "<<", ">>"}
COMPARE = {"==", "!=", "<", "<=", ">", ">="}
NEGATE = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
MIRROR = {"==": "==", "!=": "!=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}
COMMUTATIVE = {"+", "&", "|", "^", "*"}
HERD_OPS = {"+": "add", "-": "sub", "&": "and", "|": "or", "^": "xor"}


@dataclass
class Cmp:
    """A comparison: only meaningful as a branch condition."""
    op: str
    a: object
    b: object


def stars(ctype: str | None) -> int:
    return (ctype or "").count("*")


def table_chain(dialect: str) -> list[dict]:
    order = [dialect] + [d for d in ("c11", "linux", "qemu", "xen") if d != dialect]
    chain = [API.TABLES[d] for d in order]
    if dialect == "qemu":
        chain.insert(1, API.QEMU_OLD)
    return chain


class Lowerer:
    def __init__(self, test: A.Litmus, dialect: str):
        self.test = test
        self.dialect = dialect
        self.chain = table_chain(dialect)
        self.shared: set[str] = set()
        self.loc_ptr: dict[str, bool] = {}        # location -> holds an address
        for it in test.init:
            if isinstance(it.target, A.LocTerm):
                self.shared.add(it.target.name)
                if stars(it.ctype) >= 1 or isinstance(it.value, A.SymVal):
                    self.loc_ptr[it.target.name] = True
        for th in test.threads:
            for p in th.params:
                self.shared.add(p.name)
                if stars(p.ctype) >= 2:
                    self.loc_ptr[p.name] = True
        self.reg_init: dict[int, dict[str, object]] = {}
        for it in test.init:
            if isinstance(it.target, A.RegTerm):
                v = it.value
                val = 0 if v is None else (v.value if isinstance(v, A.IntVal) else v)
                self.reg_init.setdefault(it.target.tid, {})[it.target.reg] = val

    def lookup(self, name: str) -> API.Api | None:
        for t in self.chain:
            a = t.get(name)
            if a is not None:
                return a
        return None

    def lower(self) -> list[ThreadIR]:
        return [self.lower_thread(th) for th in self.test.threads]

    def lower_thread(self, th: A.CThread) -> ThreadIR:
        return _Thread(self, th).run()


class _Thread:
    def __init__(self, low: Lowerer, th: A.CThread):
        self.low = low
        self.th = th
        self.ir = ThreadIR(th.tid, th.name)
        self.params = {p.name: p.ctype for p in th.params}
        self.types: dict[str, str] = {}          # C register -> declared type
        self.ntmp = 0
        self.nlab = 0
        for reg, v in low.reg_init.get(th.tid, {}).items():
            self.ir.init_vals[reg] = v
            self.var(reg, wide=isinstance(v, A.SymVal))

    def run(self) -> ThreadIR:
        for s in self.th.body:
            self.stmt(s)
        return self.ir

    # ------------------------------------------------------------------ helpers
    def emit(self, node):
        self.ir.nodes.append(node)

    def tmp(self, wide=False) -> VReg:
        self.ntmp += 1
        return VReg(f"%t{self.ntmp}", wide)

    def label(self) -> str:
        self.nlab += 1
        return f"{self.nlab}"

    def is_reg(self, name: str) -> bool:
        return name in self.types or name in self.ir.vars or name not in self.low.shared

    def var(self, name: str, wide: bool | None = None) -> VReg:
        v = self.ir.vars.get(name)
        if v is None:
            if wide is None:
                wide = stars(self.types.get(name)) >= 1
            v = VReg(name, wide)
            self.ir.vars[name] = v
        return v

    def addr_reg(self, loc: str) -> VReg:
        v = self.ir.addr_regs.get(loc)
        if v is None:
            v = VReg(f"&{loc}", True, loc)
            self.ir.addr_regs[loc] = v
        return v

    def err(self, msg: str, node) -> LitmusError:
        return LitmusError(msg, getattr(node, "pos", None) or Pos(self.low.test.path))

    def nc(self, msg: str, node) -> NotCompilable:
        return NotCompilable(msg, getattr(node, "pos", None))

    def widen(self, dst: VReg, wide: bool) -> VReg:
        """A register that receives an address becomes a 64-bit one."""
        if wide and not dst.wide and dst.name in self.ir.vars and self.ir.vars[dst.name] is dst:
            dst = VReg(dst.name, True, dst.loc)
            self.ir.vars[dst.name] = dst
            # earlier nodes keep the narrow object; the targets look registers up by name
        return dst

    # ------------------------------------------------------------------ statements
    def stmt(self, s):
        if isinstance(s, A.SDecl):
            self.types[s.name] = s.ctype
            v = self.var(s.name)
            if s.init is not None:
                self.assign(v, s.init)
        elif isinstance(s, A.SAssign):
            lhs = s.lhs
            if isinstance(lhs, A.EVar) and self.is_reg(lhs.name):
                self.assign(self.var(lhs.name), s.e)
            else:
                addr, ptr = self.lvalue(lhs)
                src = self.value(s.e)
                self.emit(Store(addr, self.operand(src, s.e), "st:plain", ptr, Origin("plain store", s.pos)))
        elif isinstance(s, A.SExpr):
            if isinstance(s.e, A.ECall):
                self.call(s.e, None)
            else:
                self.value(s.e)
        elif isinstance(s, A.SBlock):
            for b in s.body:
                self.stmt(b)
        elif isinstance(s, A.SSkip):
            pass
        elif isinstance(s, A.SIf):
            l_else, l_end = self.label(), self.label()
            self.branch_if(s.cond, False, l_else if s.els is not None else l_end)
            self.stmt(s.then)
            if s.els is not None:
                self.emit(Jump(l_end))
                self.emit(Label(l_else))
                self.stmt(s.els)
            self.emit(Label(l_end))
        elif isinstance(s, A.SWhile):
            l_top, l_end = self.label(), self.label()
            self.emit(Label(l_top))
            self.branch_if(s.cond, False, l_end)
            self.stmt(s.body)
            self.emit(Jump(l_top))
            self.emit(Label(l_end))
        else:
            raise self.nc(f"statement {type(s).__name__} is not supported", s)

    def assign(self, dst: VReg, e):
        if isinstance(e, A.ECall):
            r = self.call(e, dst)
            if r is None:
                raise self.err(f"{e.name} has no value", e)
            r = self.operand(r, e)
            if r != dst:
                self.emit(Mov(self.widen(dst, isinstance(r, VReg) and r.wide), r))
            return
        if isinstance(e, A.EBin) and e.op in ARITH:
            r = self.arith(e, dst)
            if r != dst:
                self.emit(Mov(dst, r))
            return
        v = self.value(e)
        if isinstance(v, Cmp):
            self.setcmp(v, dst, e)
            return
        r = self.operand(v, e)
        if r != dst:
            self.emit(Mov(self.widen(dst, isinstance(r, VReg) and r.wide), r))

    def setcmp(self, c: Cmp, dst: VReg | None, node) -> VReg:
        """A comparison's value (0 or 1) in a register, without a branch."""
        a, b, op = c.a, c.b, c.op
        if isinstance(a, Imm) and isinstance(b, Imm):
            d = dst or self.tmp()
            self.emit(Mov(d, Imm(int(_cmp(op, a.value, b.value)))))
            return d
        if isinstance(a, Imm):
            a, b, op = b, a, MIRROR[op]
        d = dst or self.tmp()
        self.emit(SetCmp(d, op, a, b))
        return d

    # ------------------------------------------------------------------ conditions
    def branch_if(self, e, truth: bool, label: str):
        """Jump to `label` when the truth of `e` is `truth`."""
        if isinstance(e, A.EBin) and e.op == "&&":
            if truth:
                skip = self.label()
                self.branch_if(e.a, False, skip)
                self.branch_if(e.b, True, label)
                self.emit(Label(skip))
            else:
                self.branch_if(e.a, False, label)
                self.branch_if(e.b, False, label)
            return
        if isinstance(e, A.EBin) and e.op == "||":
            if truth:
                self.branch_if(e.a, True, label)
                self.branch_if(e.b, True, label)
            else:
                skip = self.label()
                self.branch_if(e.a, True, skip)
                self.branch_if(e.b, False, label)
                self.emit(Label(skip))
            return
        if isinstance(e, A.EUn) and e.op == "!":
            self.branch_if(e.e, not truth, label)
            return
        c = self.value(e)
        if not isinstance(c, Cmp):
            c = Cmp("!=", c, Imm(0))
        op = c.op if truth else NEGATE[c.op]
        a, b = c.a, c.b
        if isinstance(a, Imm) and isinstance(b, Imm):
            if _cmp(op, a.value, b.value):
                self.emit(Jump(label))
            return
        if isinstance(a, Imm):
            a, b, op = b, a, MIRROR[op]
        self.emit(Branch(op, a, b, label))

    # ------------------------------------------------------------------ expressions
    def operand(self, v, node):
        if isinstance(v, Cmp):
            return self.setcmp(v, None, node)
        if v is None:
            raise self.err("expression has no value", node)
        return v

    def value(self, e, dst: VReg | None = None):
        if isinstance(e, A.EInt):
            return Imm(e.value)
        if isinstance(e, A.EVar):
            if e.name in API.MEMORY_ORDERS:
                raise self.err(f"memory order {e.name} used as a value", e)
            if self.is_reg(e.name):
                return self.var(e.name)
            return self.addr_reg(e.name)
        if isinstance(e, (A.EDeref, A.EIndex)):
            addr, ptr = self.lvalue(e)
            d = dst or self.tmp(ptr)
            d = self.widen(d, ptr)
            self.emit(Load(d, addr, "ld:plain", ptr, Origin("plain load", e.pos)))
            return d
        if isinstance(e, A.EAddr):
            addr, _ = self.lvalue(e.e)
            if addr.index is not None:
                raise self.nc("the address of an array cell as a value", e)
            return addr.base
        if isinstance(e, A.EBin):
            if e.op in COMPARE:
                a = self.operand(self.value(e.a), e.a)
                b = self.operand(self.value(e.b), e.b)
                return Cmp(e.op, a, b)
            if e.op in ("&&", "||"):
                raise self.nc(f"'{e.op}' used as a value (only in if/while conditions)", e)
            return self.arith(e, dst)
        if isinstance(e, A.EUn):
            x = self.operand(self.value(e.e), e.e)
            if e.op == "!":
                return Cmp("==", x, Imm(0))
            if isinstance(x, Imm):
                return Imm(-x.value if e.op == "-" else ~x.value)
            d = dst or self.tmp()
            if e.op == "-":
                z = self.tmp()
                self.emit(Mov(z, Imm(0)))
                self.emit(Alu(d, "-", z, x))
            elif e.op == "~":
                self.emit(Alu(d, "^", x, Imm(-1)))
            else:
                raise self.nc(f"unary operator '{e.op}'", e)
            return d
        if isinstance(e, A.ECall):
            r = self.call(e, dst)
            if r is None:
                raise self.err(f"{e.name} has no value", e)
            return r
        if isinstance(e, A.ECond):
            raise self.nc("the conditional operator ?: (write an if)", e)
        raise self.nc(f"expression {type(e).__name__} is not supported", e)

    def arith(self, e: A.EBin, dst: VReg | None):
        if e.op not in ARITH:
            raise self.nc(f"operator '{e.op}' is not supported", e)
        a = self.operand(self.value(e.a), e.a)
        b = self.operand(self.value(e.b), e.b)
        if isinstance(a, Imm) and isinstance(b, Imm):
            return Imm(_fold(e.op, a.value, b.value))
        if isinstance(a, Imm):
            if e.op in COMMUTATIVE:
                a, b = b, a
            else:
                t = self.tmp()
                self.emit(Mov(t, a))
                a = t
        wide = a.wide or (isinstance(b, VReg) and b.wide)
        if e.op == "+" and wide and not (a.wide and isinstance(b, VReg) and b.wide):
            return self.pointer_plus(a if a.wide else b, b if a.wide else a, dst, e)
        if wide and not (e.op in ("^", "-", "&") and isinstance(b, VReg) and b.name == a.name) \
                and not (e.op in ("&", "*") and isinstance(b, Imm) and b.value == 0):
            # C scales pointer arithmetic by the element size; only p + i and
            # p[i] (lvalues, scaled by the targets) are compiled
            raise self.nc("arithmetic on a pointer value (write p + i or p[i] as the location)", e)
        d = dst or self.tmp(wide)
        d = self.widen(d, wide)
        self.emit(Alu(d, e.op, a, b))
        return d

    def pointer_plus(self, p: VReg, i, dst, node) -> VReg:
        """`p + i` as a value: C scales i by the element size (int cells: 4,
        computed by doubling so that the dependency on i stays a data one)."""
        if self.pointee_is_ptr(p):
            raise self.nc("arithmetic on a pointer to pointers (the cell size depends on the target)", node)
        if isinstance(i, Imm):
            if i.value == 0:
                return p
            t = self.tmp()
            self.emit(Mov(t, Imm(4 * i.value)))
        else:
            t1, t = self.tmp(), self.tmp()
            self.emit(Alu(t1, "+", i, i))
            self.emit(Alu(t, "+", t1, t1))
        d = self.widen(dst or self.tmp(True), True)
        self.emit(Alu(d, "+", p, t))
        return d

    def pointee_is_ptr(self, v: VReg) -> bool:
        if v.loc is not None:
            return self.loc_is_ptr(v.loc)
        return self.pointee_ptr_of_reg(v.name)

    # ------------------------------------------------------------------ locations
    def loc_is_ptr(self, name: str) -> bool:
        return self.low.loc_ptr.get(name, False)

    def pointee_ptr_of_reg(self, name: str) -> bool:
        return stars(self.types.get(name)) >= 2

    def lvalue(self, e) -> tuple[Addr, bool]:
        """The address of a location expression, and whether the cell holds an address."""
        if isinstance(e, A.EDeref):
            return self.pointer(e.e)
        if isinstance(e, A.EIndex):
            base, ptr = self.pointer(e.base)
            return self.indexed(base, ptr, e.index, e), ptr
        if isinstance(e, A.EVar):
            if self.is_reg(e.name):
                return Addr(self.var(e.name, wide=True)), self.pointee_ptr_of_reg(e.name)
            return Addr(self.addr_reg(e.name)), self.loc_is_ptr(e.name)
        raise self.nc("not a location", e)

    def pointer(self, e) -> tuple[Addr, bool]:
        """An expression whose value is an address."""
        if isinstance(e, A.EVar):
            if e.name in API.MEMORY_ORDERS:
                raise self.err(f"memory order {e.name} where a pointer is expected", e)
            if self.is_reg(e.name):
                v = self.var(e.name)
                if not v.wide:
                    v = self.widen(v, True)
                return Addr(v), self.pointee_ptr_of_reg(e.name)
            return Addr(self.addr_reg(e.name)), self.loc_is_ptr(e.name)
        if isinstance(e, A.EAddr):
            return self.lvalue(e.e)
        if isinstance(e, A.EBin) and e.op == "+":
            base, ptr = self.pointer(e.a)
            return self.indexed(base, ptr, e.b, e), ptr
        v = self.operand(self.value(e), e)
        if isinstance(v, Imm):
            raise self.nc("a constant used as an address", e)
        return Addr(v), False

    def indexed(self, base: Addr, ptr: bool, index_e, node) -> Addr:
        if base.index is not None:
            raise self.nc("nested pointer arithmetic", node)
        idx = self.operand(self.value(index_e), index_e)
        if isinstance(idx, Imm):
            if idx.value == 0:
                return base
            t = self.tmp()
            self.emit(Mov(t, idx))
            idx = t
        return Addr(base.base, idx, "ptr" if ptr else "int")

    # ------------------------------------------------------------------ API calls
    def call(self, e: A.ECall, dst: VReg | None):
        if e.tags:
            return self.herd_prim(e, dst)
        a = self.low.lookup(e.name)
        if a is None:
            raise self.nc(f"{e.name} is not an API the matrix knows for dialect {self.low.dialect} "
                          f"(see weakmem/matrix/api.py)", e)
        if a.kind == "unsupported":
            raise self.nc(a.why, e)
        roles = a.args
        if len(e.args) != len(roles):
            raise self.err(f"{e.name} takes {len(roles)} argument{'s' if len(roles) != 1 else ''}, "
                           f"{len(e.args)} given", e)
        args = dict(zip(roles, e.args))
        key = a.key
        origin = Origin(e.name, e.pos)
        if "m" in args:
            mo = self.order(args["m"], a.kind, e)
            key = key.replace("{mo}", mo)
            origin = Origin(f"{e.name}({args['m'].name})", e.pos)
        if "f" in args:
            self.order(args["f"], "load", e)
        if a.kind == "fence":
            self.emit(Fence(key, origin))
            return None
        addr, ptr = self.location(args, e)
        if a.kind == "load":
            d = dst if dst is not None and dst.name in self.ir.vars else self.tmp(ptr)
            d = self.widen(d, ptr)
            self.emit(Load(d, addr, key, ptr, origin))
            return d
        if a.kind == "store":
            v = self.operand(self.value(args["v"]), args["v"])
            self.emit(Store(addr, v, key, ptr, origin))
            return None
        if a.kind == "compound":
            v = self.operand(self.value(args["v"]), args["v"])
            self.emit(Compound(key, addr, v, ptr, origin))
            return None
        # read-modify-write
        expected = None
        exp_var = None
        if a.op == "cas":
            if "e" in args:
                exp_var = self.expected_var(args["e"])
                expected = self.tmp(exp_var.wide)
                self.emit(Mov(expected, exp_var))
                val = self.operand(self.value(args["n"]), args["n"])
            else:
                expected = self.operand(self.value(args["o"]), args["o"])
                val = self.operand(self.value(args["n"]), args["n"])
        elif a.imm is not None:
            val = Imm(a.imm)
        else:
            val = self.operand(self.value(args["v"]), args["v"])
        ret = a.ret
        want = ret != "none" or dst is not None or a.test is not None or exp_var is not None
        if ret == "none" and want and a.test is None and exp_var is None:
            raise self.err(f"{e.name} returns no value", e)
        if want and dst is not None and dst.name in self.ir.vars and a.test is None and exp_var is None:
            d = dst
        elif want:
            d = self.tmp(ptr)
        else:
            d = None
        if d is not None:
            d = self.widen(d, ptr)
        self.emit(Rmw(d, addr, key, a.op, val, expected, ret, ptr, origin))
        if exp_var is not None:
            # C11: `expected` receives the value read (equal to it on success);
            # the call's value is success.
            self.emit(Mov(exp_var, d))
            return Cmp("==", d, expected)
        if a.test == "==0":
            return Cmp("==", d, Imm(0))
        if a.test == "<0":
            return Cmp("<", d, Imm(0))
        return d

    def location(self, args: dict, e) -> tuple[Addr, bool]:
        if "p" in args:
            return self.pointer(args["p"])
        if "l" in args:
            return self.lvalue(args["l"])
        raise self.err(f"{e.name}: no location argument", e)

    def expected_var(self, arg) -> VReg:
        if isinstance(arg, A.EAddr) and isinstance(arg.e, A.EVar) and self.is_reg(arg.e.name):
            return self.var(arg.e.name)
        raise self.nc("C11 compare_exchange whose `expected` is not the address of a local variable", arg)

    def order(self, arg, kind: str, e) -> str:
        if isinstance(arg, A.EVar) and arg.name in API.MEMORY_ORDERS:
            mo = API.MEMORY_ORDERS[arg.name]
            if mo not in API.VALID_ORDERS[kind]:
                raise self.err(f"{arg.name} is not a valid order for {e.name}", arg)
            if kind == "fence" and mo == "rlx":
                return "compiler"      # a relaxed fence is no fence
            if kind == "fence" and mo == "con":
                return "acq"
            return mo
        raise self.err(f"{e.name}: expected a memory order (memory_order_* or __ATOMIC_*)", arg)

    # herd7 primitives, as linux-kernel.def expands to them
    def herd_prim(self, e: A.ECall, dst: VReg | None):
        name, tags = e.name, e.tags
        tag = tags[0] if len(tags) == 1 else None
        origin = Origin(f"{name}{{{','.join(tags)}}}", e.pos)

        def need(n):
            if len(e.args) != n:
                raise self.err(f"{name} takes {n} arguments, {len(e.args)} given", e)

        if name == "__fence" and tag in API.HERD_TAGS_F:
            self.emit(Fence(API.HERD_TAGS_F[tag], origin))
            return None
        if name == "__load" and tag in API.HERD_TAGS_LD:
            need(1)
            addr, ptr = self.lvalue(e.args[0])
            d = dst if dst is not None else self.tmp(ptr)
            d = self.widen(d, ptr)
            self.emit(Load(d, addr, API.HERD_TAGS_LD[tag], ptr, origin))
            return d
        if name == "__store" and tag in API.HERD_TAGS_ST:
            need(2)
            addr, ptr = self.lvalue(e.args[0])
            v = self.operand(self.value(e.args[1]), e.args[1])
            self.emit(Store(addr, v, API.HERD_TAGS_ST[tag], ptr, origin))
            return None
        if name in ("__xchg", "__cmpxchg") and tag in API.HERD_TAGS_RMW:
            need(2 if name == "__xchg" else 3)
            addr, ptr = self.pointer(e.args[0])
            if name == "__xchg":
                op, val, exp = "xchg", self.operand(self.value(e.args[1]), e.args[1]), None
            else:
                op = "cas"
                exp = self.operand(self.value(e.args[1]), e.args[1])
                val = self.operand(self.value(e.args[2]), e.args[2])
            d = dst if dst is not None else self.tmp(ptr)
            self.emit(Rmw(d, addr, API.HERD_TAGS_RMW[tag], op, val, exp, "old", ptr, origin))
            return d
        if name in ("__atomic_op", "__atomic_op_return", "__atomic_fetch_op"):
            need(3)
            opn = e.args[1]
            if not isinstance(opn, A.EOp) or opn.op not in HERD_OPS:
                raise self.err("expected an operator argument (+ - & | ^)", opn)
            if name == "__atomic_op":
                key, ret = "rmw:lk_noret", "none"
            else:
                if tag not in API.HERD_TAGS_RMW:
                    raise self.nc(f"{name}{{{tag}}} is not supported", e)
                key, ret = API.HERD_TAGS_RMW[tag], ("new" if name == "__atomic_op_return" else "old")
            addr, ptr = self.pointer(e.args[0])
            val = self.operand(self.value(e.args[2]), e.args[2])
            d = None if ret == "none" else (dst if dst is not None else self.tmp())
            self.emit(Rmw(d, addr, key, HERD_OPS[opn.op], val, None, ret, ptr, origin))
            return d
        raise self.nc(f"herd primitive {name}{{{','.join(tags)}}} is not compiled "
                      "(lock/RCU/SRCU primitives have no fixed instruction sequence)", e)


def _cmp(op, a, b) -> bool:
    return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _fold(op, a, b) -> int:
    return {"+": a + b, "-": a - b, "&": a & b, "|": a | b, "^": a ^ b, "*": a * b,
            "<<": a << b, ">>": a >> b}[op]


def lower(test: A.Litmus, dialect: str) -> list[ThreadIR]:
    return Lowerer(test, dialect).lower()
