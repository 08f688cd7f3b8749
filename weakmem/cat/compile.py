"""Compile a cat model (AST) into Python closures plus a flat list of steps.

Every expression becomes a function `code(vals, loc)`:

* `vals` is the list of top-level *slots*: each top-level binding (and each
  input name or tag set the model reads) owns one index, resolved at compile
  time, so rebinding a name (`let rf = rf | ...`) simply creates a new slot
  and lexical scoping is exact.  `vals[0]` holds the execution's `Ctx`.
* `loc` is a dict of local names (function parameters, `let ... in`,
  pattern variables) or None at top level.

While compiling, every expression is classified as *static* when it does not
depend -- through slots, closures and `with`-bound names -- on an input named
in `ExecInput.dynamic`.  Static top-level steps are evaluated once per
`static_key` by weakmem.cat.eval; the others on every call.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Optional

from weakmem.errors import CatError, Pos, warn
from weakmem.limits import check, check_now

from . import ast as A
from . import rel as R
from .prims import PRIM_VALUES
from .values import (Closure, ESet, Ev, Prim, Proc, add, as_rel, as_set, diff,
                     equal, explicit_set, inter, is_empty, kind, member, split,
                     subset, union)

Code = Callable[[list, Optional[dict]], Any]

# step kinds
LET, REC, CHECK, WITH, CALL, FORALL, BRANCH, MARK_FLAG, MARK_FAIL, SWITCH = range(10)

MAX_FIX_ITER = 100_000


# ---------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------


class Step:
    __slots__ = ("kind", "static", "pos", "refs", "live")

    def __init__(self, kind: int, static: bool, pos: Pos):
        self.kind = kind
        self.static = static
        self.pos = pos
        self.refs: frozenset[int] = frozenset()   # slots read by the step
        self.live = True                           # False: result unused


class SLet(Step):
    """Top level: bind slots.  `slots` is a list (one per pattern name, None
    for `_`), `is_tuple` says whether the value is destructured."""
    __slots__ = ("slots", "is_tuple", "code")

    def __init__(self, static, pos, slots, is_tuple, code):
        super().__init__(LET, static, pos)
        self.slots = slots
        self.is_tuple = is_tuple
        self.code = code


class SRec(Step):
    """`let rec`: closures for function bindings, least fixpoint for the
    others, then an optional `when` check."""
    __slots__ = ("funs", "fixs", "when")

    def __init__(self, static, pos, funs, fixs, when):
        super().__init__(REC, static, pos)
        self.funs = funs          # list[(slot|name, code)]
        self.fixs = fixs          # list[(slot|name, code)]
        self.when = when          # SCheck | None


class SCheck(Step):
    """A check.  `spec` (the AST: test, negation, expression, name) and
    `scope` (the top-level names visible at the check, name -> slot) serve
    the failure hook of weakmem.cat.eval (evaluate(..., explain=True)) and
    cost nothing at run time."""
    __slots__ = ("ckind", "test", "neg", "code", "name", "spec", "scope")

    def __init__(self, static, pos, ckind, test, neg, code, name,
                 spec=None, scope=None):
        super().__init__(CHECK, static, pos)
        self.ckind = ckind        # 'check' 'flag' 'undefined' 'assert'
        self.test = test          # 'acyclic' 'irreflexive' 'empty'
        self.neg = neg
        self.code = code
        self.name = name
        self.spec = spec          # A.TestSpec
        self.scope = scope        # dict[str, int], shared, never mutated


class SWith(Step):
    """`with var from code`; `scope` (name -> slot, before `var` is bound)
    serves weakmem.cat.bounds, which evaluates what follows on bounds."""
    __slots__ = ("slot", "code", "var", "scope")

    def __init__(self, static, pos, slot, code, var, scope=None):
        super().__init__(WITH, static, pos)
        self.slot = slot
        self.code = code
        self.var = var
        self.scope = scope


class SCall(Step):
    __slots__ = ("proc", "arg", "as_name")

    def __init__(self, static, pos, proc, arg, as_name):
        super().__init__(CALL, static, pos)
        self.proc = proc
        self.arg = arg
        self.as_name = as_name


class SForall(Step):
    __slots__ = ("var", "code", "body")

    def __init__(self, static, pos, var, code, body):
        super().__init__(FORALL, static, pos)
        self.var = var
        self.code = code
        self.body = body          # local steps


class SBranch(Step):
    """Instruction-level `if` on values / `match` on tags.  `select(vals,
    loc)` returns the index of the branch to run (or -1 for none)."""
    __slots__ = ("select", "branches", "local")

    def __init__(self, static, pos, select, branches, local):
        super().__init__(BRANCH, static, pos)
        self.select = select
        self.branches = branches  # list[list[Step]]
        self.local = local


class SMark(Step):
    """Replay of a static check's result inside a dynamic program."""
    __slots__ = ("names",)

    def __init__(self, kind, names, pos):
        super().__init__(kind, True, pos)
        self.names = names


class SLocalLet(Step):
    __slots__ = ("binds",)

    def __init__(self, static, pos, binds):
        super().__init__(LET, static, pos)
        self.binds = binds        # list[(names, is_tuple, code)]


# ---------------------------------------------------------------------------
# helpers used by generated code
# ---------------------------------------------------------------------------


def bind_pattern(loc: dict, names: list, is_tuple: bool, v: Any) -> None:
    if not is_tuple:
        if names[0] is not None:
            loc[names[0]] = v
        return
    if type(v) is not tuple or len(v) != len(names):
        raise CatError(f"cannot match a {kind(v)} against a {len(names)}-tuple pattern")
    for nm, x in zip(names, v):
        if nm is not None:
            loc[nm] = x


def apply(f: Any, x: Any, vals: list) -> Any:
    t = type(f)
    if t is Closure:
        check()
        loc = dict(f.loc) if f.loc else {}
        if f.is_tuple:
            names = f.names
            if type(x) is not tuple or len(x) != len(names):
                raise CatError(f"function {f.name}: expects {len(names)} arguments")
            for nm, v in zip(names, x):
                if nm is not None:
                    loc[nm] = v
        else:
            nm = f.names[0]
            if nm is not None:
                loc[nm] = x
        return f.body(f.vals, loc)
    if t is Prim:
        return f.fn(vals[0], x)
    raise CatError(f"cannot apply a {kind(f)} (not a function)")


def run_test(ctx, test: str, v: Any) -> bool:
    if test == "empty":
        return is_empty(v)
    r = as_rel(v)
    if test == "acyclic":
        return R.is_acyclic(ctx.n, r)
    return not (r & ctx.ident)


def _seq_code(items_t: tuple[tuple[bool, Code], ...]) -> Code:
    """Code for a sequence; items are (is [S], code of S or of a relation)."""
    if len(items_t) == 1:
        is_id, a = items_t[0]
        if not is_id:
            return a

        def c1(vals, loc):
            ctx = vals[0]
            return (as_set(a(vals, loc)) * ctx.K.col) & ctx.ident
        return c1
    if len(items_t) == 2 and not items_t[0][0] and not items_t[1][0]:
        a, b = items_t[0][1], items_t[1][1]

        def c2(vals, loc):
            x = a(vals, loc)
            y = b(vals, loc)
            if type(x) is not int:
                x = as_rel(x)
            if type(y) is not int:
                y = as_rel(y)
            return R.compose(vals[0].n, x, y)
        return c2

    def c(vals, loc):
        ctx = vals[0]
        n = ctx.n
        K = ctx.K
        pending = -1      # >= 0: the value so far is [pending]
        cur = 0
        first = True
        for is_id, code in items_t:
            v = code(vals, loc)
            if is_id:
                s = v if type(v) is ESet else as_set(v)
                if first:
                    pending = s
                elif pending >= 0:
                    pending &= s
                else:
                    cur &= s * K.col
            else:
                r = v if type(v) is int else as_rel(v)
                if first:
                    cur = r
                elif pending >= 0:
                    cur = r & (R.spread(n, pending) * K.row) if pending else 0
                    pending = -1
                else:
                    cur = R.compose(n, cur, r)
            first = False
        if pending >= 0:
            return (pending * K.col) & K.ident
        return cur
    return c


def _walk(e):
    """Every expression node under `e` (pre-order)."""
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, A.Expr):
            yield x
        if isinstance(x, (A.Expr, A.Binding)) or type(x) in (list, tuple):
            items = x if type(x) in (list, tuple) else [getattr(x, f) for f in vars(x) if f != "pos"]
            stack.extend(reversed([y for y in items if isinstance(y, (A.Expr, A.Binding, list, tuple))]))


def _unbound(name: str, pos: Pos) -> Code:
    def c(vals, loc):
        raise CatError(f"unbound var: {name}", pos)
    return c


def _const(v: Any) -> Code:
    def c(vals, loc):
        return v
    return c


_TRIVIAL = (A.Var, A.EmptyRel, A.Universe, A.TagLit, A.Fun)


def _norm_variant(s: str) -> str:
    return s.strip().lower()


# ---------------------------------------------------------------------------
# the compiler
# ---------------------------------------------------------------------------


class Program:
    """A compiled model for one input signature."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.nslots = 1
        self.slot_names: list[str] = ["<ctx>"]
        self.slot_static: list[bool] = [True]
        # (slot, name, 'set'|'rel'|'id', static)
        self.inputs: list[tuple[int, str, str, bool]] = []
        self.tagsets: list[tuple[int, str]] = []
        self.env_slots: dict[str, int] = {}
        # for explanations (weakmem.cat.failure): the definition of each
        # top-level slot bound by a `let` (its expression and the scope it
        # was compiled in), and the compiler, to compile sub-expressions
        # of the model on demand
        self.defs: dict[int, tuple[A.Expr, dict[str, int]]] = {}
        self.compiler: Optional["Compiler"] = None
        # compiled function bodies: id(body code) -> (A.Fun, top-level scope)
        self.funs: dict[int, tuple[A.Fun, dict[str, int]]] = {}
        # segments: (start, stop, with_index | None, dyn_slots_before)
        self.segments: list[tuple[int, int, Optional[int], list[int]]] = []


class Compiler:
    def __init__(self, *, variants: set[str], enums: dict[str, list[str]],
                 set_names: set[str], rel_names: set[str],
                 dynamic: frozenset[str], skipped: frozenset[str] = frozenset()):
        self.variants = {_norm_variant(v) for v in variants}
        self.skipped = skipped
        self.enums = enums
        self.tag_caps: dict[str, str] = {}
        for tags in enums.values():
            for t in tags:
                if t:
                    self.tag_caps.setdefault(t[0].upper() + t[1:], t)
        self.set_names = set_names
        self.rel_names = rel_names
        self.dynamic = dynamic
        self.prog = Program()
        self.top: dict[str, int] = {}
        self.input_slot: dict[str, int] = {}
        self.tagset_slot: dict[str, int] = {}
        self.shown: list[str] = []
        self.refs: set[int] = set()
        # hoisting of static subexpressions out of dynamic top-level ones
        self.hoists: list[Step] = []
        self.hoist_ok = os.environ.get("WEAKMEM_CAT_NOHOIST") is None
        self._snap: Optional[dict[str, int]] = None
        self._snap_of: Optional[dict[str, int]] = None

    # ------------------------------------------------------------ slots
    def new_slot(self, name: str, static: bool) -> int:
        p = self.prog
        s = p.nslots
        p.nslots += 1
        p.slot_names.append(name)
        p.slot_static.append(static)
        return s

    def bind_top(self, name: Optional[str], static: bool) -> Optional[int]:
        if name is None:
            return None
        s = self.new_slot(name, static)
        self.top[name] = s
        self._snap = None
        return s

    def scope(self) -> dict[str, int]:
        """A read-only snapshot of the top-level names (name -> slot), shared
        until the next binding (explanations only, see SCheck)."""
        if self._snap is None or self._snap_of is not self.top:
            self._snap = dict(self.top)
            self._snap_of = self.top
        return self._snap

    # ----------------------------------------------------- name lookup
    def lookup(self, name: str, sc: Optional[dict], pos: Pos) -> tuple[Code, bool]:
        if sc is not None and name in sc:
            def c(vals, loc, name=name):
                return loc[name]
            return c, sc[name]
        s = self.top.get(name)
        if s is not None:
            self.refs.add(s)

            def c(vals, loc, s=s):
                return vals[s]
            return c, self.prog.slot_static[s]
        s = self.input_ref(name)
        if s is not None:
            self.refs.add(s)

            def c(vals, loc, s=s):
                return vals[s]
            return c, self.prog.slot_static[s]
        tag = self.tag_caps.get(name)
        if tag is not None:
            s = self.tagset_slot.get(tag)
            if s is None:
                s = self.new_slot(name, True)
                self.tagset_slot[tag] = s
                self.prog.tagsets.append((s, tag))
            self.refs.add(s)

            def c(vals, loc, s=s):
                return vals[s]
            return c, True
        if name in self.enums:
            return _const(frozenset(self.enums[name])), True
        prim = PRIM_VALUES.get(name)
        if prim is not None:
            return _const(prim), True
        if name == "id":
            def c(vals, loc):
                return vals[0].ident
            return c, True
        return _unbound(name, pos), True

    def known(self, name: str, sc: Optional[dict]) -> bool:
        """Is `name` bound here (what `lookup` resolves without an error)?"""
        return ((sc is not None and name in sc) or name in self.top or name in self.input_slot
                or name in self.set_names or name in self.rel_names or name in self.tag_caps
                or name in self.enums or name in PRIM_VALUES or name == "id")

    def lint_show(self, ins: A.IShow, sc: Optional[dict]) -> None:
        """`show` is not evaluated when checking tests, so what it names is
        never looked up: warn (non-fatal) when it names nothing, and when its
        expression runs on into the next line by juxtaposition (`show r` then
        `typo ghb as tso`: the second line reads as a check but is part of
        the show, and so is dropped)."""
        if ins.e is None:
            for nm in ins.names:
                if not self.known(nm, sc):
                    warn(f"show of an undefined name '{nm}'", ins.pos)
            return
        if any(isinstance(x, (A.Fun, A.LetIn, A.MatchSet, A.MatchTag)) for x in _walk(ins.e)):
            return           # binders inside: no simple free-name test
        runs_on = [x.arg for x in _walk(ins.e)
                   if isinstance(x, A.App) and isinstance(x.arg, A.Var) and x.arg.pos.line > x.pos.line]
        if runs_on:
            a = min(runs_on, key=lambda v: (v.pos.line, v.pos.col))
            first = min((v for v in _walk(ins.e) if v.pos.line == a.pos.line), key=lambda v: v.pos.col)
            warn(f"'show' on line {ins.pos.line} goes on to line {a.pos.line}: what reads as a statement "
                 f"there (a check?) is part of the show, and dropped", first.pos)
        for x in _walk(ins.e):
            if isinstance(x, A.Var) and not self.known(x.name, sc):
                warn(f"show of an undefined name '{x.name}'", x.pos)

    def input_ref(self, name: str) -> Optional[int]:
        s = self.input_slot.get(name)
        if s is not None:
            return s
        if name in self.set_names:
            k = "set"
        elif name in self.rel_names:
            k = "rel"
        else:
            return None
        static = name not in self.dynamic
        s = self.new_slot(name, static)
        self.input_slot[name] = s
        self.prog.inputs.append((s, name, k, static))
        return s

    # ----------------------------------------------------- conditions
    def ccond(self, c: A.Cond, sc) -> tuple[Any, bool]:
        """Returns (bool constant | code, static)."""
        if isinstance(c, A.CVariant):
            return _norm_variant(c.name) in self.variants, True
        if isinstance(c, A.CNot):
            v, st = self.ccond(c.c, sc)
            if isinstance(v, bool):
                return (not v), True

            def code(vals, loc, v=v):
                return not v(vals, loc)
            return code, st
        if isinstance(c, (A.CAnd, A.COr)):
            is_and = isinstance(c, A.CAnd)
            parts = [self.ccond(x, sc) for x in c.cs]
            consts = [v for v, _ in parts if isinstance(v, bool)]
            dyn = [v for v, _ in parts if not isinstance(v, bool)]
            if is_and and not all(consts):
                return False, True
            if not is_and and any(consts):
                return True, True
            if not dyn:
                return is_and, True
            st = all(s for _, s in parts)
            if is_and:
                def code(vals, loc, dyn=dyn):
                    return all(d(vals, loc) for d in dyn)
            else:
                def code(vals, loc, dyn=dyn):
                    return any(d(vals, loc) for d in dyn)
            return code, st
        if isinstance(c, A.CCmp):
            a, sa = self.cexp(c.a, sc)
            b, sb = self.cexp(c.b, sc)
            if c.op == "eq":
                def code(vals, loc):
                    return equal(a(vals, loc), b(vals, loc))
            elif c.op == "subset":
                def code(vals, loc):
                    return subset(a(vals, loc), b(vals, loc))
            else:
                def code(vals, loc):
                    return member(vals[0].n, a(vals, loc), b(vals, loc))
            return code, sa and sb
        raise CatError("unknown condition", c.pos)

    # ----------------------------------------------------- expressions
    def cexp(self, e: A.Expr, sc: Optional[dict]) -> tuple[Code, bool]:
        meth = getattr(self, "e_" + type(e).__name__)
        return meth(e, sc)

    def cexp_nohoist(self, e: A.Expr, sc: Optional[dict]) -> tuple[Code, bool]:
        """Compile a subexpression that is not always evaluated (or whose
        errors are caught): nothing inside it may be hoisted."""
        saved = self.hoist_ok
        self.hoist_ok = False
        try:
            return self.cexp(e, sc)
        finally:
            self.hoist_ok = saved

    def hoist(self, code: Code, static: bool, e: A.Expr, sc) -> Code:
        """Inside a dynamic top-level expression, move a static, non-trivial
        operand into its own static step (evaluated once per static key)
        and read it from a hidden slot."""
        if (sc is not None or not static or not self.hoist_ok
                or isinstance(e, _TRIVIAL)):
            return code
        h = self.new_slot(f"<static@{e.pos.line}:{e.pos.col}>", True)
        self.hoists.append(SLet(True, e.pos, [h], False, code))

        def c(vals, loc, h=h):
            return vals[h]
        return c

    def operands(self, es: list[A.Expr], sc) -> tuple[list[Code], bool]:
        parts = [self.cexp(x, sc) for x in es]
        st = all(s for _, s in parts)
        if st or sc is not None:
            return [c for c, _ in parts], st
        return [self.hoist(c, s, x, sc) for (c, s), x in zip(parts, es)], st

    def e_Var(self, e: A.Var, sc):
        return self.lookup(e.name, sc, e.pos)

    def e_EmptyRel(self, e, sc):
        return _const(0), True

    def e_Universe(self, e, sc):
        def c(vals, loc):
            return ESet(vals[0].univ)
        return c, True

    def e_TagLit(self, e: A.TagLit, sc):
        return _const(e.name), True

    def e_ExplicitSet(self, e: A.ExplicitSet, sc):
        codes, st = self.operands(e.elems, sc)
        if not codes:
            return _const(ESet(0)), True

        def c(vals, loc):
            return explicit_set(vals[0].n, [x(vals, loc) for x in codes])
        return c, st

    def e_TupleE(self, e: A.TupleE, sc):
        codes, st = self.operands(e.elems, sc)

        def c(vals, loc):
            return tuple(x(vals, loc) for x in codes)
        return c, st

    def e_ToId(self, e: A.ToId, sc):
        (a,), st = self.operands([e.e], sc)

        def c(vals, loc):
            return vals[0].identity_on(a(vals, loc))
        return c, st

    def e_Unop(self, e: A.Unop, sc):
        (a,), st = self.operands([e.e], sc)
        op = e.op
        if op == "comp":
            def c(vals, loc):
                x = a(vals, loc)
                t = type(x)
                if t is int:
                    return vals[0].full ^ x
                if t is ESet:
                    return ESet(vals[0].univ ^ x)
                if t is Ev:
                    return ESet(vals[0].univ ^ (1 << x.i))
                raise CatError(f"complement of a {kind(x)}")
        elif op == "star":
            def c(vals, loc):
                ctx = vals[0]
                return R.tclosure(ctx.n, as_rel(a(vals, loc))) | ctx.ident
        elif op == "plus":
            def c(vals, loc):
                return R.tclosure(vals[0].n, as_rel(a(vals, loc)))
        elif op == "opt":
            def c(vals, loc):
                return as_rel(a(vals, loc)) | vals[0].ident
        elif op == "inv":
            def c(vals, loc):
                return R.inverse(vals[0].n, as_rel(a(vals, loc)))
        else:  # pragma: no cover
            raise CatError(f"unknown operator {op}", e.pos)
        return c, st

    def e_Binop(self, e: A.Binop, sc):
        op = e.op
        if op == "seq":
            return self.seq(e, sc)
        codes, st = self.operands(e.args, sc)
        if op == "union":
            if len(codes) == 2:
                a, b = codes

                def c(vals, loc):
                    x = a(vals, loc)
                    y = b(vals, loc)
                    if type(x) is int and type(y) is int:
                        return x | y
                    return union(x, y)
            else:
                first, rest = codes[0], codes[1:]

                def c(vals, loc):
                    x = first(vals, loc)
                    for cc in rest:
                        y = cc(vals, loc)
                        if type(x) is int and type(y) is int:
                            x = x | y
                        else:
                            x = union(x, y)
                    return x
            return c, st
        a, b = codes
        if op == "inter":
            def c(vals, loc):
                x = a(vals, loc)
                y = b(vals, loc)
                if type(x) is int and type(y) is int:
                    return x & y
                return inter(x, y)
        elif op == "diff":
            def c(vals, loc):
                x = a(vals, loc)
                y = b(vals, loc)
                if type(x) is int and type(y) is int:
                    return x & ~y
                return diff(x, y)
        elif op == "cart":
            def c(vals, loc):
                x = as_set(a(vals, loc))
                y = as_set(b(vals, loc))
                return R.cartesian(vals[0].n, x, y)
        elif op == "add":
            def c(vals, loc):
                return add(vals[0].n, a(vals, loc), b(vals, loc))
        else:  # pragma: no cover
            raise CatError(f"unknown operator {op}", e.pos)
        return c, st

    def seq(self, e: A.Binop, sc):
        """r1 ; r2 ; ... with [S] operands turned into row/column masks.
        In a dynamic top-level sequence, runs of static operands are
        composed once (hoisted)."""
        items: list[tuple[bool, Code, bool, A.Expr]] = []
        for x in e.args:
            if isinstance(x, A.ToId):
                c, s = self.cexp(x.e, sc)
                items.append((True, c, s, x))
            else:
                c, s = self.cexp(x, sc)
                items.append((False, c, s, x))
        st = all(it[2] for it in items)
        if not st and sc is None and self.hoist_ok:
            grouped: list[tuple[bool, Code, bool, A.Expr]] = []
            i = 0
            while i < len(items):
                j = i
                while j < len(items) and items[j][2]:
                    j += 1
                if j - i >= 2:
                    run = items[i:j]
                    code = _seq_code(tuple((t, c) for t, c, _, _ in run))
                    sub = A.Binop("seq", [x for _, _, _, x in run], pos=run[0][3].pos)
                    grouped.append((False, self.hoist(code, True, sub, sc), True, sub))
                    i = j
                elif j - i == 1:
                    t, c, s_, x = items[i]
                    if not t:
                        c = self.hoist(c, True, x, sc)
                    grouped.append((t, c, s_, x))
                    i = j
                else:
                    grouped.append(items[i])
                    i += 1
            items = grouped
        return _seq_code(tuple((t, c) for t, c, _, _ in items)), st

    def e_App(self, e: A.App, sc):
        (f, a), st = self.operands([e.f, e.arg], sc)

        def c(vals, loc):
            return apply(f(vals, loc), a(vals, loc), vals)
        return c, st

    def e_Fun(self, e: A.Fun, sc):
        inner = dict(sc) if sc else {}
        for nm in e.pat.bound():
            inner[nm] = True
        body, st = self.cexp(e.body, inner)
        names = list(e.pat.names)
        is_tuple = e.pat.is_tuple
        name = e.name
        # the function's source and top-level scope, for weakmem.cat.bounds
        self.prog.funs[id(body)] = (e, self.scope())

        def c(vals, loc):
            return Closure(names, is_tuple, body, vals, loc, name)
        return c, st

    def e_LetIn(self, e: A.LetIn, sc):
        if e.rec:
            return self.letrec_in(e, sc)
        binds = []
        inner = dict(sc) if sc else {}
        st = True
        for b in e.binds:
            c, s = self.cexp(b.e, sc)
            st = st and s
            binds.append((list(b.pat.names), b.pat.is_tuple, c))
            for nm in b.pat.bound():
                inner[nm] = s
        body, sb = self.cexp(e.body, inner)

        def c(vals, loc):
            loc2 = dict(loc) if loc else {}
            for names, is_tuple, code in binds:
                bind_pattern(loc2, names, is_tuple, code(vals, loc))
            return body(vals, loc2)
        return c, st and sb

    def _rec_parts(self, binds: list[A.Binding], sc: dict):
        funs, fixs = [], []
        st = True
        for b in binds:
            if b.pat.is_tuple:
                raise CatError("let rec: tuple patterns are not supported", b.pos)
        for b in binds:
            c, s = self.cexp(b.e, sc)
            st = st and s
            nm = b.pat.names[0]
            if isinstance(b.e, A.Fun):
                funs.append((nm, c))
            else:
                fixs.append((nm, c))
        return funs, fixs, st

    def letrec_in(self, e: A.LetIn, sc):
        inner = dict(sc) if sc else {}
        for b in e.binds:
            for nm in b.pat.bound():
                inner[nm] = True
        funs, fixs, st = self._rec_parts(e.binds, inner)
        if not st:
            for b in e.binds:
                for nm in b.pat.bound():
                    inner[nm] = False
        body, sb = self.cexp(e.body, inner)
        pos = e.pos

        def c(vals, loc):
            loc2 = dict(loc) if loc else {}
            local_rec(vals, loc2, funs, fixs, pos)
            return body(vals, loc2)
        return c, st and sb

    def e_MatchTag(self, e: A.MatchTag, sc):
        a, st = self.cexp(e.e, sc)
        table = {}
        for tag, x in e.clauses:
            c, s = self.cexp_nohoist(x, sc)
            st = st and s
            table.setdefault(tag, c)
        dflt = None
        if e.default is not None:
            dflt, s = self.cexp_nohoist(e.default, sc)
            st = st and s
        pos = e.pos

        def c(vals, loc):
            v = a(vals, loc)
            if type(v) is not str:
                raise CatError(f"match on tags: found a {kind(v)}", pos)
            cc = table.get(v, dflt)
            if cc is None:
                raise CatError(f"match failure on tag '{v}", pos)
            return cc(vals, loc)
        return c, st

    def e_MatchSet(self, e: A.MatchSet, sc):
        a, st = self.cexp(e.e, sc)
        ec, s1 = self.cexp_nohoist(e.empty, sc)
        inner = dict(sc) if sc else {}
        for nm in (e.x, e.rest, e.pre):
            if nm is not None:
                inner[nm] = st
        xc, s2 = self.cexp(e.elt, inner)
        xn, rn, pn = e.x, e.rest, e.pre

        def c(vals, loc):
            v = a(vals, loc)
            sp = split(vals[0].n, v)
            if sp is None:
                return ec(vals, loc)
            loc2 = dict(loc) if loc else {}
            if xn is not None:
                loc2[xn] = sp[0]
            if rn is not None:
                loc2[rn] = sp[1]
            if pn is not None:
                loc2[pn] = inter(v, 0) if type(v) is not frozenset else frozenset()
            return xc(vals, loc2)
        return c, st and s1 and s2

    def e_Try(self, e: A.Try, sc):
        a, sa = self.cexp_nohoist(e.e, sc)
        b, sb = self.cexp_nohoist(e.alt, sc)

        def c(vals, loc):
            try:
                return a(vals, loc)
            except CatError:
                return b(vals, loc)
        return c, sa and sb

    def e_IfE(self, e: A.IfE, sc):
        saved = self.hoist_ok
        self.hoist_ok = False
        try:
            cond, scond = self.ccond(e.cond, sc)
        finally:
            self.hoist_ok = saved
        if isinstance(cond, bool):
            return self.cexp(e.then if cond else e.els, sc)
        t, st = self.cexp_nohoist(e.then, sc)
        f, sf = self.cexp_nohoist(e.els, sc)

        def c(vals, loc):
            return t(vals, loc) if cond(vals, loc) else f(vals, loc)
        return c, scond and st and sf

    # ----------------------------------------------------- checks
    def check(self, kind_: str, spec: A.TestSpec, sc, pos: Pos) -> SCheck:
        c, st = self.cexp(spec.e, sc)
        name = spec.name
        if name is None:
            name = (("~" if spec.neg else "") + spec.test + " "
                    + A.show_expr(spec.e))
            if len(name) > 60:
                name = name[:57] + "..."
        if kind_ == "check" and (name in self.skipped or "*" in self.skipped):
            kind_ = "skipped"            # herd7's -skipcheck NAME: the check is not applied
        return SCheck(st, pos, kind_, spec.test, spec.neg, c, name, spec, self.scope())

    # ----------------------------------------------------- top level
    def compile(self, instrs: list[A.Instr], env_names: list[str]) -> Program:
        p = self.prog
        p.compiler = self
        p.steps = self.top_block(instrs)
        for nm in list(env_names) + self.shown:
            s = self.top.get(nm)
            if s is None:
                s = self.input_ref(nm)
            if s is not None:
                p.env_slots.setdefault(nm, s)
        self.liveness()
        self.segment()
        return p

    def liveness(self) -> None:
        """Mark `let` steps whose slots are never read as dead.  Dead
        dynamic steps are skipped; dead static ones are still evaluated
        (once per static key) so that errors such as unbound names are
        reported as herd does."""
        p = self.prog
        live = set(p.env_slots.values())
        for st in reversed(p.steps):
            if isinstance(st, (SLet, SRec)) and not (isinstance(st, SRec) and st.when):
                slots = _assigned_slots(st)
                if not any(s in live for s in slots):
                    st.live = False
                    continue
            live |= st.refs

    def top_block(self, instrs: list[A.Instr]) -> list[Step]:
        out: list[Step] = []
        for ins in instrs:
            saved = self.refs
            saved_h = self.hoists
            self.refs = set()
            self.hoists = []
            k = len(out)
            self.top_instr(ins, out)
            refs = frozenset(self.refs)
            for st in out[k:]:
                st.refs = st.refs | refs
            out[k:k] = self.hoists
            self.refs = saved | self.refs
            self.hoists = saved_h
        return out

    def top_instr(self, ins: A.Instr, out: list[Step]) -> None:
        if isinstance(ins, A.ILet):
            if ins.rec:
                out.append(self.top_rec(ins))
                return
            compiled = []
            scope = self.scope()
            for b in ins.binds:
                c, st = self.cexp(b.e, None)
                compiled.append((b, c, st))
            for b, c, st in compiled:
                slots = [self.bind_top(nm, st) for nm in b.pat.names]
                if not b.pat.is_tuple and slots[0] is not None:
                    self.prog.defs[slots[0]] = (b.e, scope)
                out.append(SLet(st, b.pos, slots, b.pat.is_tuple, c))
            return
        if isinstance(ins, A.ITest):
            out.append(self.check(ins.kind, ins.spec, None, ins.pos))
            return
        if isinstance(ins, A.IShow):
            self.lint_show(ins, None)
            if ins.e is None:
                self.shown.extend(n for n in ins.names if n not in self.shown)
            return
        if isinstance(ins, (A.IUnshow, A.IEvents, A.IDebug, A.ICatdep,
                            A.IInclude)):
            return
        if isinstance(ins, A.IEnum):
            s = self.bind_top(ins.name, True)
            out.append(SLet(True, ins.pos, [s], False,
                            _const(frozenset(ins.tags))))
            return
        if isinstance(ins, A.IProcedure):
            slot = None
            if ins.rec:
                slot = self.bind_top(ins.name, True)
            sc = {nm: True for nm in ins.pat.bound()}
            body, st = self.local_block(ins.body, sc)
            if slot is None:
                slot = self.bind_top(ins.name, st)
            else:
                self.prog.slot_static[slot] = st
            names, is_tuple, pname = list(ins.pat.names), ins.pat.is_tuple, ins.name

            def mk(vals, loc):
                return Proc(names, is_tuple, body, vals, loc, pname)
            out.append(SLet(st, ins.pos, [slot], False, mk))
            return
        if isinstance(ins, A.ICall):
            pc, sp = self.lookup(ins.name, None, ins.pos)
            ac, sa = self.cexp(ins.arg, None)
            out.append(SCall(sp and sa, ins.pos, pc, ac, ins.as_name))
            return
        if isinstance(ins, A.IForall):
            c, st = self.cexp(ins.e, None)
            body, sb = self.local_block(ins.body, {ins.var: st})
            out.append(SForall(st and sb, ins.pos, ins.var, c, body))
            return
        if isinstance(ins, A.IWith):
            c, st = self.cexp(ins.e, None)
            scope = self.scope()
            slot = self.bind_top(ins.var, st)
            out.append(SWith(st, ins.pos, slot, c, ins.var, scope))
            return
        if isinstance(ins, A.IIf):
            cond, scond = self.ccond(ins.cond, None)
            if isinstance(cond, bool):
                for i in (ins.then if cond else ins.els):
                    self.top_instr(i, out)
                return

            def sel(vals, loc, cond=cond):
                return 0 if cond(vals, loc) else 1
            out.append(self.top_branch(sel, scond, [ins.then, ins.els], ins.pos))
            return
        if isinstance(ins, A.IMatch):
            a, sa = self.cexp(ins.e, None)
            tags = [t for t, _ in ins.clauses]
            blocks = [b for _, b in ins.clauses]
            dflt = len(blocks)
            blocks.append(ins.default or [])
            table: dict[str, int] = {}
            for i, t in enumerate(tags):
                table.setdefault(t, i)
            has_default = ins.default is not None
            pos = ins.pos

            def sel(vals, loc):
                v = a(vals, loc)
                if type(v) is not str:
                    raise CatError(f"match on tags: found a {kind(v)}", pos)
                i = table.get(v)
                if i is None:
                    if not has_default:
                        raise CatError(f"match failure on tag '{v}", pos)
                    return dflt
                return i
            out.append(self.top_branch(sel, sa, blocks, ins.pos))
            return
        raise CatError(f"unsupported instruction {type(ins).__name__}", ins.pos)

    def top_rec(self, ins: A.ILet) -> SRec:
        names = []
        for b in ins.binds:
            if b.pat.is_tuple or b.pat.names[0] is None:
                raise CatError("let rec: a name is expected", b.pos)
            names.append(b.pat.names[0])
        slots = {nm: self.bind_top(nm, True) for nm in names}
        scope = self.scope()
        for b in ins.binds:
            self.prog.defs[slots[b.pat.names[0]]] = (b.e, scope)
        # first pass (no hoisting) to learn whether the bindings are static
        saved = self.hoist_ok
        self.hoist_ok = False
        try:
            funs, fixs, st = self._rec_parts(ins.binds, None)
        finally:
            self.hoist_ok = saved
        if not st:
            for s in slots.values():
                self.prog.slot_static[s] = False
            funs, fixs, st = self._rec_parts(ins.binds, None)
        funs = [(slots[nm], c) for nm, c in funs]
        fixs = [(slots[nm], c) for nm, c in fixs]
        when = None
        if ins.when is not None:
            when = self.check("check", ins.when, None, ins.pos)
            st = st and when.static
        return SRec(st, ins.pos, funs, fixs, when)

    def top_branch(self, sel: Code, ssel: bool, blocks: list[list[A.Instr]],
                   pos: Pos) -> SBranch:
        before = dict(self.top)
        outs: list[list[Step]] = []
        afters: list[dict[str, int]] = []
        for blk in blocks:
            self.top = dict(before)
            steps = self.top_block(blk)
            if any(s.kind == WITH for s in steps):
                raise CatError("`with` is not supported inside if/match", pos)
            outs.append(steps)
            afters.append(self.top)
        changed = sorted({nm for a in afters for nm, s in a.items()
                          if before.get(nm) != s})
        static = ssel and all(s.static for blk in outs for s in blk)
        self.top = dict(before)
        for nm in changed:
            dest = self.bind_top(nm, static)
            for steps, a in zip(outs, afters):
                src = a.get(nm)
                if src is None:
                    continue

                def mv(vals, loc, src=src):
                    return vals[src]
                steps.append(SLet(static, pos, [dest], False, mv))
        return SBranch(static, pos, sel, outs, False)

    # ----------------------------------------------------- local blocks
    def local_block(self, instrs: list[A.Instr], sc: dict) -> tuple[list[Step], bool]:
        out: list[Step] = []
        st = True
        sc = dict(sc)
        for ins in instrs:
            s = self.local_instr(ins, sc, out)
            st = st and s
        return out, st

    def local_instr(self, ins: A.Instr, sc: dict, out: list[Step]) -> bool:
        if isinstance(ins, A.ILet):
            if ins.rec:
                for b in ins.binds:
                    for nm in b.pat.bound():
                        sc[nm] = True
                funs, fixs, st = self._rec_parts(ins.binds, sc)
                when = None
                if ins.when is not None:
                    when = self.check("check", ins.when, sc, ins.pos)
                    st = st and when.static
                if not st:
                    for b in ins.binds:
                        for nm in b.pat.bound():
                            sc[nm] = False
                out.append(SRec(st, ins.pos, funs, fixs, when))
                return st
            binds = []
            st = True
            news = {}
            for b in ins.binds:
                c, s = self.cexp(b.e, sc)
                st = st and s
                binds.append((list(b.pat.names), b.pat.is_tuple, c))
                for nm in b.pat.bound():
                    news[nm] = s
            sc.update(news)
            out.append(SLocalLet(st, ins.pos, binds))
            return st
        if isinstance(ins, A.ITest):
            ck = self.check(ins.kind, ins.spec, sc, ins.pos)
            out.append(ck)
            return ck.static
        if isinstance(ins, (A.IShow, A.IUnshow, A.IEvents, A.IDebug,
                            A.ICatdep, A.IInclude, A.IEnum)):
            if isinstance(ins, A.IShow):
                self.lint_show(ins, sc)
            return True
        if isinstance(ins, A.ICall):
            pc, sp = self.lookup(ins.name, sc, ins.pos)
            ac, sa = self.cexp(ins.arg, sc)
            out.append(SCall(sp and sa, ins.pos, pc, ac, ins.as_name))
            return sp and sa
        if isinstance(ins, A.IForall):
            c, st = self.cexp(ins.e, sc)
            inner = dict(sc)
            inner[ins.var] = st
            body, sb = self.local_block(ins.body, inner)
            out.append(SForall(st and sb, ins.pos, ins.var, c, body))
            return st and sb
        if isinstance(ins, A.IProcedure):
            inner = dict(sc)
            if ins.rec:
                inner[ins.name] = True
            for nm in ins.pat.bound():
                inner[nm] = True
            body, st = self.local_block(ins.body, inner)
            names, is_tuple, pname = list(ins.pat.names), ins.pat.is_tuple, ins.name

            def mk(vals, loc):
                return Proc(names, is_tuple, body, vals, loc, pname)
            sc[ins.name] = st
            out.append(SLocalLet(st, ins.pos, [([ins.name], False, mk)]))
            return st
        if isinstance(ins, A.IIf):
            cond, scond = self.ccond(ins.cond, sc)
            if isinstance(cond, bool):
                st = True
                for i in (ins.then if cond else ins.els):
                    st = self.local_instr(i, sc, out) and st
                return st
            b1, s1 = self.local_block(ins.then, sc)
            b2, s2 = self.local_block(ins.els, sc)

            def sel(vals, loc, cond=cond):
                return 0 if cond(vals, loc) else 1
            out.append(SBranch(scond and s1 and s2, ins.pos, sel, [b1, b2], True))
            return scond and s1 and s2
        if isinstance(ins, A.IMatch):
            a, sa = self.cexp(ins.e, sc)
            blocks = []
            st = sa
            table: dict[str, int] = {}
            for i, (t, blk) in enumerate(ins.clauses):
                b, s = self.local_block(blk, sc)
                blocks.append(b)
                table.setdefault(t, i)
                st = st and s
            dflt = len(blocks)
            b, s = self.local_block(ins.default or [], sc)
            blocks.append(b)
            has_default = ins.default is not None
            pos = ins.pos

            def sel(vals, loc):
                v = a(vals, loc)
                i = table.get(v) if type(v) is str else None
                if i is None:
                    if not has_default:
                        raise CatError("match failure", pos)
                    return dflt
                return i
            out.append(SBranch(st and s, ins.pos, sel, blocks, True))
            return st and s
        if isinstance(ins, A.IWith):
            raise CatError("`with` is only allowed at top level", ins.pos)
        raise CatError(f"unsupported instruction {type(ins).__name__}", ins.pos)

    # ----------------------------------------------------- segments
    def segment(self) -> None:
        """Cut the top-level steps at static `with` steps."""
        p = self.prog
        dyn_inputs = [s for s, _, _, st in p.inputs if not st]
        assigned: list[int] = list(dyn_inputs)
        start = 0
        for i, st in enumerate(p.steps):
            if st.kind == WITH and st.static:
                p.segments.append((start, i, i, list(assigned)))
                start = i + 1
            elif not st.static and st.live:
                assigned.extend(_assigned_slots(st))
        p.segments.append((start, len(p.steps), None, list(assigned)))
        # dyn_slots_before for a segment is what was assigned before it
        segs = []
        before = list(dyn_inputs)
        for (a, b, w, upto) in p.segments:
            segs.append((a, b, w, before))
            before = upto
        p.segments = segs


def _assigned_slots(st: Step) -> list[int]:
    if isinstance(st, SLet):
        return [s for s in st.slots if s is not None]
    if isinstance(st, SRec):
        return [s for s, _ in st.funs] + [s for s, _ in st.fixs]
    if isinstance(st, SWith):
        return [st.slot]
    if isinstance(st, SBranch):
        out = []
        for blk in st.branches:
            for s in blk:
                out.extend(_assigned_slots(s))
        return out
    return []


def local_rec(vals: list, loc: dict, funs, fixs, pos: Pos) -> None:
    """Evaluate `let rec` bindings into the dict `loc` (in place)."""
    for nm, c in funs:
        loc[nm] = c(vals, loc)
    if not fixs:
        return
    for nm, _ in fixs:
        loc[nm] = 0
    for _ in range(MAX_FIX_ITER):
        check_now()
        changed = False
        for nm, c in fixs:
            v = c(vals, loc)
            old = loc[nm]
            if type(v) is type(old) and v == old:
                continue
            if not equal(v, old):
                changed = True
            loc[nm] = v
        if not changed:
            return
    raise CatError("let rec: no fixpoint reached", pos)


def top_rec(vals: list, st: SRec) -> None:
    for s, c in st.funs:
        vals[s] = c(vals, None)
    if not st.fixs:
        return
    for s, _ in st.fixs:
        vals[s] = 0
    for _ in range(MAX_FIX_ITER):
        check_now()
        changed = False
        for s, c in st.fixs:
            v = c(vals, None)
            old = vals[s]
            if type(v) is type(old) and v == old:
                continue
            if not equal(v, old):
                changed = True
            vals[s] = v
        if not changed:
            return
    raise CatError("let rec: no fixpoint reached", st.pos)


__all__ = [
    "Compiler", "Program", "Step", "SLet", "SRec", "SCheck", "SWith", "SCall",
    "SForall", "SBranch", "SMark", "SLocalLet", "apply", "run_test",
    "bind_pattern", "local_rec", "top_rec",
    "LET", "REC", "CHECK", "WITH", "CALL", "FORALL", "BRANCH", "MARK_FLAG",
    "MARK_FAIL", "SWITCH",
]
