"""Where a C litmus test can be changed, and how (the candidate changes).

A thread's statements are walked in program order (into `if`/`while`
bodies); a statement *accesses memory* when it calls a load, store or RMW
of its API (weakmem.matrix.api) or dereferences a pointer.  Candidate
changes:

* **insert** a barrier of the menu (weakmem.fix.menu) at a gap between two
  consecutive accesses: right before the later one's line, or right after
  the earlier one (when that is a different line, e.g. the end of an `if`
  body); a gap that already holds a barrier gets instead
* **replace** that barrier by a stronger one; and
* **replace** an access call by a stronger form (`qatomic_read` ->
  `qatomic_load_acquire`, `WRITE_ONCE(*x, v)` -> `smp_store_release(x, v)`,
  a C11 memory order by a stronger one).

Only statements that begin their line are insertion points, so that the
patched test is the original with whole lines added (weakmem.fix.patch).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from weakmem.fix import menu as MENU
from weakmem.litmus import ast as A
from weakmem.matrix import api as API
from weakmem.matrix.lower import Lowerer
from weakmem.semantics.asm_common import split_operands


@dataclass(frozen=True)
class Change:
    thread: int
    line: int                 # line of the original test (insert: the new line goes before it)
    kind: str                 # insert | replace
    text: str                 # insert: the statement; replace: the new text
    old: str = ""             # replace: the text replaced
    col: int = 0              # replace: 1-based column of `old` in its line
    indent: str = ""          # insert: leading white space of the new line
    name: str = ""            # the API name this change introduces
    strength: frozenset = frozenset()
    position: tuple = ()      # changes at one position exclude each other
    row: str = ""             # insert: the whole line, when not indent + text (assembly)

    def as_json(self) -> dict:
        if self.kind == "insert":
            return {"thread": self.thread, "line": self.line, "insert": self.text}
        return {"thread": self.thread, "line": self.line, "replace": self.old, "with": self.text}

    def describe(self) -> str:
        if self.kind == "insert":
            return f"P{self.thread} line {self.line}: insert {self.text}"
        return f"P{self.thread} line {self.line}: {self.old} -> {self.text}"

    def sort_key(self):
        return (self.thread, self.line, self.col, self.kind, self.text)


@dataclass
class Access:
    call: object              # A.ECall, or A.EDeref/A.EIndex for a plain access
    kind: str                 # load | store | rmw | pload | pstore (plain C)
    api: API.Api | None = None


@dataclass
class Item:
    """One statement (or an if/while condition) of a thread, in program order."""
    stmt: object
    line: int
    accesses: list[Access] = field(default_factory=list)
    fences: list[A.ECall] = field(default_factory=list)    # run-time barriers (not compiler-only)
    block: int = 0            # id of the enclosing block
    next_line: int | None = None   # line of the next statement of the same block (None: last)
    starts_line: bool = True  # the statement begins its line


@dataclass
class CSites:
    dialect: str
    lines: list[str]
    changes: list[Change]
    threads_items: dict[int, list[Item]]


# Linux locks: accesses to the lock word (the LKMM's lock events), not compiled by the matrix
LOCK_KINDS = {"spin_lock": "rmw", "spin_trylock": "rmw", "spin_unlock": "store", "spin_is_locked": "load"}
_HERD_KIND = {"__load": "load", "__store": "store", "__fence": "fence"}


class _Walker:
    def __init__(self, test: A.Litmus, dialect: str, lines: list[str]):
        self.dialect = dialect
        self.lookup = Lowerer(test, dialect).lookup
        self.lines = lines
        self.items: list[Item] = []
        self.nblocks = 0

    # ---- expressions
    def expr(self, e, item: Item, in_lval=False):
        if isinstance(e, A.ECall):
            api = self.lookup(e.name)
            if api is not None and api.kind in ("load", "store", "rmw", "compound"):
                item.accesses.append(Access(e, "rmw" if api.kind in ("rmw", "compound") else api.kind, api))
                for a, role in zip(e.args, api.args or "p" * len(e.args)):
                    # an lvalue argument (READ_ONCE(*x)) is the access itself
                    self.expr(a.e if role == "l" and isinstance(a, A.EDeref) else a, item, role == "l")
                return
            if api is not None and api.kind == "unsupported" and e.name in LOCK_KINDS:
                item.accesses.append(Access(e, LOCK_KINDS[e.name], None))
                return
            if api is not None and api.kind == "fence":
                if api.key not in ("f:compiler", "f:lk_rcu"):
                    item.fences.append(e)
                return
            hk = next((k for p, k in _HERD_KIND.items() if e.name == p), None)
            if hk == "fence":
                if not set(e.tags) <= {"barrier", "rcu-lock", "rcu-unlock"}:
                    item.fences.append(e)
                return
            if hk is not None or (e.name.startswith("__") and e.tags):
                item.accesses.append(Access(e, hk or "rmw"))
            for a in e.args:
                self.expr(a, item)
        elif isinstance(e, (A.EDeref, A.EIndex)):
            if not in_lval:
                item.accesses.append(Access(e, "pload"))
            self.expr(e.e if isinstance(e, A.EDeref) else e.base, item)
            if isinstance(e, A.EIndex):
                self.expr(e.index, item)
        elif isinstance(e, (A.EAddr,)):
            inner = e.e
            # &x[i] / &*p compute an address, no access
            if isinstance(inner, A.EIndex):
                self.expr(inner.index, item)
            elif isinstance(inner, A.EDeref):
                self.expr(inner.e, item)
        elif isinstance(e, A.EUn):
            self.expr(e.e, item)
        elif isinstance(e, A.EBin):
            self.expr(e.a, item)
            self.expr(e.b, item)
        elif isinstance(e, A.ECond):
            self.expr(e.c, item)
            self.expr(e.a, item)
            self.expr(e.b, item)

    # ---- statements
    def block(self, stmts) -> None:
        self.nblocks += 1
        bid = self.nblocks
        mine: list[Item] = []
        for s in stmts:
            before = len(self.items)
            self.stmt(s, bid)
            if len(self.items) > before:
                mine.append(self.items[before])
        for a, b in zip(mine, mine[1:]):
            a.next_line = b.line

    def stmt(self, s, bid: int) -> None:
        if isinstance(s, A.SBlock):
            self.block(s.body)
            return
        line = s.pos.line if s.pos is not None else 0
        item = Item(s, line, block=bid)
        self.items.append(item)
        if isinstance(s, A.SDecl):
            if s.init is not None:
                self.expr(s.init, item)
        elif isinstance(s, A.SAssign):
            if isinstance(s.lhs, (A.EDeref, A.EIndex)):
                item.accesses.append(Access(s.lhs, "pstore"))
                if isinstance(s.lhs, A.EDeref):
                    self.expr(s.lhs.e, item)
                else:
                    self.expr(s.lhs.base, item)
                    self.expr(s.lhs.index, item)
            self.expr(s.e, item)
        elif isinstance(s, A.SExpr):
            self.expr(s.e, item)
        elif isinstance(s, A.SIf):
            self.expr(s.cond, item)
            self.block([s.then])
            if s.els is not None:
                self.block([s.els])
        elif isinstance(s, A.SWhile):
            self.expr(s.cond, item)
            self.block([s.body])


def _starts_line(lines: list[str], item: Item, prev_line: int | None) -> bool:
    return item.line > 0 and (prev_line is None or prev_line < item.line)


def _indent(lines: list[str], line: int) -> str:
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return text[: len(text) - len(text.lstrip())]


def _closing_brace(lines: list[str], after: int) -> int | None:
    for k in range(after, len(lines)):
        if lines[k].lstrip().startswith("}"):
            return k + 1
    return None


def call_span(lines: list[str], line: int, col: int) -> str | None:
    """The text of the call starting at (line, col), when it ends on that line."""
    text = lines[line - 1]
    start = col - 1
    m = re.match(r"[A-Za-z_]\w*\s*\(", text[start:])
    if not m:
        return None
    depth = 0
    for k in range(start + m.end() - 1, len(text)):
        c = text[k]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return text[start:k + 1]
    return None


def split_args(call_text: str) -> tuple[str, list[str]]:
    name, rest = call_text.split("(", 1)
    return name.strip(), [a for a in split_operands(rest[:-1]) if a]


def _as_ptr(arg: str) -> str:
    return arg[1:].strip() if arg.startswith("*") else f"&{arg}"


def _as_lval(arg: str) -> str:
    return arg[1:].strip() if arg.startswith("&") else f"*{arg}"


def rename_call(old: str, name: str, arg: str = "") -> str:
    _, args = split_args(old)
    if arg == "ptr" and args:
        args[0] = _as_ptr(args[0])
    elif arg == "lval" and args:
        args[0] = _as_lval(args[0])
    return f"{name}({', '.join(args)})"


def _c11_order(call: A.ECall, api: API.Api) -> str | None:
    if "{mo}" not in api.key:
        return api.key.split(":", 1)[1] if ":" in api.key else None
    k = api.args.find("m")
    if 0 <= k < len(call.args) and isinstance(call.args[k], A.EVar):
        return API.MEMORY_ORDERS.get(call.args[k].name)
    return None


def _order_token(call_text: str, order: str) -> str:
    return (MENU.GCC_ORDER_NAME if "__ATOMIC_" in call_text else MENU.C11_ORDER_NAME)[order]


def collect(test: A.Litmus, dialect: str, text: str) -> CSites:
    lines = text.split("\n")
    changes: list[Change] = []
    per_thread: dict[int, list[Item]] = {}
    for th in test.threads:
        w = _Walker(test, dialect, lines)
        w.block(th.body)
        items = w.items
        per_thread[th.tid] = items
        prev_line = None
        for it in items:
            it.starts_line = _starts_line(lines, it, prev_line)
            prev_line = it.line
        changes.extend(_gap_changes(th.tid, items, dialect, lines))
        changes.extend(_access_changes(th.tid, items, dialect, lines))
    changes = [c for c in changes if useful(c, per_thread[c.thread])]
    # one change per (position, text)
    seen, out = set(), []
    for c in changes:
        k = (c.position, c.kind, c.text, c.old)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return CSites(dialect, lines, out, per_thread)


_RW = {"load": "r", "pload": "r", "store": "w", "pstore": "w", "rmw": "rw"}


def useful(c: Change, items: list[Item]) -> bool:
    """A barrier orders only what lies on both sides of it: a change none of
    whose orderings has an access of the right kind before and after it in
    its thread (a release on the thread's first access, an acquire on its
    last, smp_wmb() with no write before...) cannot forbid anything."""
    before, after = set(), set()
    for it in items:
        for acc in it.accesses:
            call = acc.call
            p = getattr(call, "pos", None)
            line, col = (p.line, p.col) if p is not None else (it.line, 0)
            if c.kind == "insert":
                side = before if it.line < c.line else after
            elif (line, col) == (c.line, c.col):
                continue
            else:
                side = before if (it.line, line, col) < (c.line, c.line, c.col) else after
            side.update(_RW[acc.kind])
    return useful_tokens(c.strength, before, after)


def useful_tokens(strength, before: set, after: set) -> bool:
    """Whether one of the orderings in `strength` has something to order,
    given the kinds of access ('r', 'w') before and after the change.  A
    plain access made marked ("once") is useful by itself, but not in a
    form whose extra ordering orders nothing."""
    if "once" in strength:
        return strength == {"once"} or useful_tokens(strength - {"once"}, before, after)
    for tok in strength:
        if tok == "sc" and before and after:
            return True
        if tok in ("rr", "rw", "wr", "ww") and tok[0] in before and tok[1] in after:
            return True
        if tok == "rel" and before or tok in ("acq", "mb") and after:
            return True
    return False


def _gap_changes(tid: int, items: list[Item], dialect: str, lines: list[str]) -> list[Change]:
    out: list[Change] = []
    acc_idx = [k for k, it in enumerate(items) if it.accesses]
    barriers = MENU.BARRIERS.get(dialect, [])
    for a_k, b_k in zip(acc_idx, acc_idx[1:]):
        a, b = items[a_k], items[b_k]
        prev_rmw = a.accesses[-1].kind == "rmw"
        next_rmw = b.accesses[0].kind == "rmw"
        existing = [it for it in items[a_k + 1:b_k] if it.fences and not it.accesses]
        if existing:
            for it in existing:
                k = items.index(it)
                for f in it.fences:
                    # smp_mb__after_rmw() right after its RMW, smp_mb__before_rmw() right before
                    out.extend(_stronger_fence(tid, f, dialect, lines, prev_rmw and k == a_k + 1,
                                               next_rmw and k + 1 == b_k))
            continue
        if a.fences or b.fences:
            continue          # a barrier inside an access statement: leave that gap alone
        points = []
        adjacent = b_k == a_k + 1 and a.block == b.block      # nothing between a and b
        if b.starts_line:
            points.append((b.line, _indent(lines, b.line)))
        # right after a: before the next statement of a's block, or before its closing brace
        if not isinstance(a.stmt, (A.SIf, A.SWhile)):
            after = a.next_line if a.next_line is not None else _closing_brace(lines, a.line)
            if after is not None and after > a.line and after != b.line:
                points.append((after, _indent(lines, a.line)))
        for line, indent in points:
            for bar in barriers:
                # smp_mb__after_rmw() right after its RMW, smp_mb__before_rmw() right before
                if bar.needs == "after_rmw" and not (prev_rmw and (line != b.line or adjacent)):
                    continue
                if bar.needs == "before_rmw" and not (next_rmw and line == b.line and adjacent):
                    continue
                out.append(Change(tid, line, "insert", bar.stmt, indent=indent, name=bar.name,
                                  strength=bar.strength, position=("gap", tid, line)))
    return out


def _stronger_fence(tid, f: A.ECall, dialect, lines, prev_rmw, next_rmw) -> list[Change]:
    if f.pos is None:
        return []
    old = call_span(lines, f.pos.line, f.pos.col)
    if old is None:
        return []
    if dialect == "c11" or f.name in ("atomic_thread_fence", "__atomic_thread_fence"):
        order = None
        if f.args and isinstance(f.args[0], A.EVar):
            order = API.MEMORY_ORDERS.get(f.args[0].name)
        cur = MENU.C11_FENCE_ORDERS.get(order or "", None)
        if cur is None:
            return []
        out = []
        for o in ("acq", "rel", "acq_rel", "sc"):
            st = MENU.C11_FENCE_ORDERS[o]
            if st > cur:
                out.append(Change(tid, f.pos.line, "replace", _with_order(old, o), old=old, col=f.pos.col,
                                  name=f"atomic_thread_fence({MENU.C11_ORDER_NAME[o]})", strength=st,
                                  position=("call", tid, f.pos.line, f.pos.col)))
        return out
    cur = MENU.EXISTING.get(dialect, {}).get(f.name)
    if cur is None:
        return []
    out = []
    for bar in MENU.BARRIERS.get(dialect, []):
        if not bar.strength > cur:
            continue
        if bar.needs == "after_rmw" and not prev_rmw or bar.needs == "before_rmw" and not next_rmw:
            continue
        out.append(Change(tid, f.pos.line, "replace", bar.stmt[:-1], old=old, col=f.pos.col, name=bar.name,
                          strength=bar.strength, position=("call", tid, f.pos.line, f.pos.col)))
    return out


def _access_changes(tid: int, items: list[Item], dialect: str, lines: list[str]) -> list[Change]:
    out: list[Change] = []
    table = MENU.ACCESS.get(dialect, {})
    for acc, call, old in _api_calls(items, lines):
        pos = ("call", tid, call.pos.line, call.pos.col)
        if call.name in table:
            for s in table[call.name]:
                out.append(Change(tid, call.pos.line, "replace", rename_call(old, s.name, s.arg), old=old,
                                  col=call.pos.col, name=s.name, strength=s.strength, position=pos))
        elif "{mo}" in acc.api.key:
            order = _c11_order(call, acc.api)
            for o in MENU.C11_ORDERS.get(acc.kind, {}).get(order or "", []):
                out.append(Change(tid, call.pos.line, "replace", _with_order(old, o), old=old, col=call.pos.col,
                                  name=f"{call.name}({MENU.C11_ORDER_NAME[o]})",
                                  strength=MENU.C11_ORDER_STRENGTH[o], position=pos))
    out.extend(_plain_changes(tid, items, dialect, lines))
    return out


def _plain_changes(tid: int, items: list[Item], dialect: str, lines: list[str]) -> list[Change]:
    """`*p = v;` -> WRITE_ONCE(*p, v) & co., `*p` -> READ_ONCE(*p) & co. (whole
    statements on one line, p a name)."""
    out: list[Change] = []
    for it in items:
        for acc in it.accesses:
            e = acc.call
            if acc.kind not in ("pload", "pstore") or not isinstance(e, A.EDeref) or \
                    not isinstance(e.e, A.EVar) or e.pos is None:
                continue
            text = lines[e.pos.line - 1]
            k = e.pos.col - 1
            if acc.kind == "pstore":
                m = re.match(r"\*\s*(\w+)\s*=(?!=)\s*(.*?)\s*;\s*$", text[k:])
                if not m or m.group(1) != e.e.name:
                    continue
                old = text[k:k + m.end(2)]
                forms = [(f.format(p=m.group(1), v=m.group(2)), st) for f, st in MENU.PLAIN_STORE.get(dialect, [])]
            else:
                m = re.match(r"\*\s*(\w+)", text[k:])
                if not m or m.group(1) != e.e.name:
                    continue
                old = m.group(0)
                forms = [(f.format(p=m.group(1)), st) for f, st in MENU.PLAIN_LOAD.get(dialect, [])]
            for new, st in forms:
                out.append(Change(tid, e.pos.line, "replace", new, old=old, col=e.pos.col, name=new.split("(")[0],
                                  strength=st, position=("call", tid, e.pos.line, e.pos.col)))
    return out


def _api_calls(items: list[Item], lines: list[str]):
    """(access, call, its text) for each API call that accesses memory, when
    the call ends on its line."""
    for it in items:
        for acc in it.accesses:
            call = acc.call
            if not isinstance(call, A.ECall) or call.pos is None or acc.api is None:
                continue
            old = call_span(lines, call.pos.line, call.pos.col)
            if old is not None:
                yield acc, call, old


def _with_order(call_text: str, order: str) -> str:
    tok = _order_token(call_text, order)
    return re.sub(r"(memory_order_\w+|__ATOMIC_\w+)", tok, call_text, count=1)


def weakenings(sites: CSites) -> list[tuple[Change, str]]:
    """Changes that remove an existing barrier or weaken an ordered access:
    (change, what it removes).  A removal is a replacement of the call by
    nothing (`;` stays).  Used to name the load-bearing orderings of a test
    whose outcome is already impossible."""
    out = []
    lines = sites.lines
    for tid, items in sites.threads_items.items():
        for it in items:
            for f in it.fences:
                if f.pos is None:
                    continue
                old = call_span(lines, f.pos.line, f.pos.col)
                if old:
                    out.append((Change(tid, f.pos.line, "replace", "", old=old, col=f.pos.col, name="",
                                       position=("call", tid, f.pos.line, f.pos.col)), f"remove {old}"))
        for acc, call, old in _api_calls(items, lines):
            weak = MENU.WEAKER.get(sites.dialect, {}).get(call.name)
            new = None
            if weak is not None:
                new = rename_call(old, weak[0], weak[1])
            elif "{mo}" in acc.api.key and _c11_order(call, acc.api) not in (None, "rlx"):
                new = _with_order(old, "rlx")
            if new is not None and new != old:
                out.append((Change(tid, call.pos.line, "replace", new, old=old, col=call.pos.col,
                                   position=("call", tid, call.pos.line, call.pos.col)),
                            f"{old} -> {new}"))
    return out
