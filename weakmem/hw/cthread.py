"""C litmus threads, compiled as written in their own API.

The parsed thread (weakmem.litmus.ast: statements and expressions, macro
calls unexpanded) is printed back as C, one function per thread, each
statement under a `#line` directive naming its line in the test, so that
the compiler's messages point into the test.  The API the test calls
(weakmem.dialects.detect: Linux, QEMU, Xen or C11) picks the header that
defines it as that project defines it for this CPU (weakmem/hw/include):
what runs is what the user's code compiles to.

Changes from the source, all meaning-preserving: declarations are hoisted
to the top of the function (registers start at 0, as herd7's do) so that
their final values can be recorded after the body; each parameter is bound
to its location in the current instance.
"""
from __future__ import annotations

import re

from weakmem.errors import LitmusError, Pos
from weakmem.hw.harness import INCLUDE_DIR, Builder, Harness, c_ident, finish, line_directive, storage_of
from weakmem.litmus import ast as A
from weakmem.litmus.cwalk import walk

HEADERS = {"linux": "wm_linux.h", "qemu": "wm_qemu.h", "xen": "wm_xen.h", "c11": "wm_c11.h"}
DEPENDS = {"linux": ("wm_x86_atomic.h",), "xen": ("wm_x86_atomic.h",)}   # headers they include

# primitives that need machinery a harness does not have
UNRUNNABLE = {
    "synchronize_rcu": "waits for a grace period of every RCU reader in the system",
    "synchronize_rcu_expedited": "waits for a grace period of every RCU reader in the system",
    "synchronize_srcu": "waits for a grace period of every SRCU reader in the system",
    "synchronize_srcu_expedited": "waits for a grace period of every SRCU reader in the system",
}


class _Printer:
    def __init__(self, b: Builder, th: A.CThread):
        self.b = b
        self.th = th
        self.decls: dict[str, str] = {}

    def err(self, msg: str, node) -> LitmusError:
        return LitmusError(msg, getattr(node, "pos", None) or self.th.pos or Pos(self.b.path))

    def expr(self, e) -> str:
        if isinstance(e, A.EInt):
            return str(e.value)
        if isinstance(e, A.EVar):
            return e.name
        if isinstance(e, A.EDeref):
            return f"(*{self.expr(e.e)})"
        if isinstance(e, A.EAddr):
            return f"(&{self.expr(e.e)})"
        if isinstance(e, A.EIndex):
            return f"{self.expr(e.base)}[{self.expr(e.index)}]"
        if isinstance(e, A.EBin):
            return f"({self.expr(e.a)} {e.op} {self.expr(e.b)})"
        if isinstance(e, A.EUn):
            return f"({e.op}{self.expr(e.e)})"
        if isinstance(e, A.ECond):
            return f"({self.expr(e.c)} ? {self.expr(e.a)} : {self.expr(e.b)})"
        if isinstance(e, A.ECall):
            if e.tags or e.name.startswith("__"):
                tag = "{" + ",".join(e.tags) + "}" if e.tags else ""
                raise self.err(f"{e.name}{tag} is a herd7 primitive, not an API call; the harness runs "
                               "the code's own API (Linux, QEMU, Xen, C11)", e)
            if e.name in UNRUNNABLE:
                raise self.err(f"{e.name}() {UNRUNNABLE[e.name]}; the harness cannot run it", e)
            return f"{e.name}({', '.join(self.expr(a) for a in e.args)})"
        if isinstance(e, A.EOp):
            raise self.err(f"operator argument '{e.op}' is herd7 macro syntax; the harness cannot compile it", e)
        raise self.err(f"cannot compile expression {type(e).__name__}", e)

    def collect_names(self, s, deref: set[str], names: set[str]) -> None:
        """The variables `s` names, and those it dereferences (`*r`, `r[i]`)."""
        for n in walk(s):
            if isinstance(n, A.EVar):
                names.add(n.name)
            elif isinstance(n, (A.EDeref, A.EIndex)):
                inner = n.e if isinstance(n, A.EDeref) else n.base
                if isinstance(inner, A.EVar):
                    deref.add(inner.name)

    def collect_decls(self, s) -> None:
        for n in walk(s):
            if isinstance(n, A.SDecl) and n.name not in self.decls:
                self.decls[n.name] = n.ctype

    def stmt(self, s, ind: str, out: list[str]) -> None:
        pos = getattr(s, "pos", None)
        d = line_directive(pos)
        if d:
            out.append(d)
            self.b.line_cols.setdefault(pos.line, pos.col)
        if isinstance(s, A.SDecl):
            if s.init is not None:
                out.append(f"{ind}{s.name} = {self.expr(s.init)};")
        elif isinstance(s, A.SAssign):
            out.append(f"{ind}{self.expr(s.lhs)} = {self.expr(s.e)};")
        elif isinstance(s, A.SExpr):
            out.append(f"{ind}{self.expr(s.e)};")
        elif isinstance(s, A.SIf):
            out.append(f"{ind}if ({self.expr(s.cond)}) {{")
            self.stmt(s.then, ind + "\t", out)
            if s.els is not None:
                out.append(f"{ind}}} else {{")
                self.stmt(s.els, ind + "\t", out)
            out.append(f"{ind}}}")
        elif isinstance(s, A.SWhile):
            out.append(f"{ind}while ({self.expr(s.cond)}) {{")
            self.stmt(s.body, ind + "\t", out)
            out.append(f"{ind}}}")
        elif isinstance(s, A.SBlock):
            out.append(f"{ind}{{")
            for x in s.body:
                self.stmt(x, ind + "\t", out)
            out.append(f"{ind}}}")
        elif isinstance(s, A.SSkip):
            out.append(f"{ind};")
        else:
            raise self.err(f"cannot compile statement {type(s).__name__}", s)

    def generate(self) -> str:
        th = self.th
        b = self.b
        for s in th.body:
            self.collect_decls(s)
        # herd7's registers are untyped: an `int` register may hold an
        # address and be dereferenced, and a register may be used without a
        # declaration (it is then 0).  Such registers get a C type that can.
        deref: set[str] = set()
        names: set[str] = set()
        for s in th.body:
            self.collect_names(s, deref, names)
        params = {p.name for p in th.params}
        for name, ct in list(self.decls.items()):
            if "*" in ct:
                continue
            if name in deref:
                self.decls[name] = "int *"
            elif ct.strip() == "int":
                self.decls[name] = "intptr_t"
        for name in sorted(names - params - set(self.decls)):
            if re.fullmatch(r"r\d+", name):
                self.decls[name] = "int *" if name in deref else "intptr_t"
        out: list[str] = []
        w = out.append
        w(f"/* {th.name}, as written in the test */")
        w(f"static __attribute__((noinline)) void wm_P{th.tid}(long wm_i)")
        w("{")
        for p in th.params:
            ct = p.ctype.strip()
            w(f"\t{ct} {p.name} = ({ct})WM_LOC({c_ident(p.name)}, wm_i);")
        inits = {it.target.reg: it.value for it in b.test.init
                 if isinstance(it.target, A.RegTerm) and it.target.tid == th.tid}
        outs = {reg for (tid, reg) in b.reg_outputs if tid == th.tid}
        for name, ct in self.decls.items():
            v = inits.pop(name, None)
            val = b.value_expr(v) if v is not None else "0"
            w(f"\t{ct} {name} = ({ct})({val});")
        for name in sorted(outs - set(self.decls)):
            v = inits.pop(name, None)
            val = b.value_expr(v) if v is not None else "0"
            w(f"\tint64_t {name} = {val};   /* in the condition, not declared by the thread */")
        body: list[str] = []
        for s in th.body:
            self.stmt(s, "\t", body)
        out.extend(body)
        w("#line WM_RESET")
        for name in sorted(outs):
            w(f"\twm_out_{th.tid}_{c_ident(name)}[wm_i] = (int64_t)(intptr_t)({name});")
        w("}")
        w("")
        return "\n".join(out)


def build_c(test: A.Litmus) -> Harness:
    from weakmem.dialects import detect
    d = detect(test)
    if d.error:
        raise LitmusError(d.error, test.pos or Pos(test.path))
    b = Builder(test)
    b.includes.append(HEADERS[d.name])
    for name in (HEADERS[d.name],) + DEPENDS.get(d.name, ()):
        b.headers[name] = (INCLUDE_DIR / name).read_text()
    b.init_locations()
    for th in test.threads:
        if not isinstance(th, A.CThread):
            raise LitmusError("expected C code", Pos(test.path))
        for p in th.params:
            ct = p.ctype.strip()
            pointee = ct[:-1].strip() if ct.endswith("*") else ct
            st = storage_of(pointee, th.pos or Pos(test.path))
            loc = b.add_location(p.name, st)
            if not any(isinstance(it.target, A.LocTerm) and it.target.name == p.name and it.ctype
                       for it in test.init):
                loc.storage = st
    b.slots()
    for th in test.threads:
        b.thread_code.append(_Printer(b, th).generate())
    return finish(b, d.name)
