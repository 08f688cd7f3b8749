"""herd7's C dialect: thread functions, statements, expressions, .def macros.

The grammar is c.lark (LALR).  Entry points:

    parse_c_program(text, file, line, col) -> list[CThread]
    parse_c_expr(text, file="<expr>") -> Expr
    parse_c_stmts(text, file="<stmts>") -> list[Stmt]
    parse_def_items(text, file) -> list[MacroDef]

Type names are keywords (int, long, char, short, signed, unsigned, void, bool,
intN_t/uintN_t, intptr_t, uintptr_t, __int128[_t], __uint128[_t], atomic_t,
atomic_int & co, spinlock_t, mtx_t, srcu_struct, `struct NAME`, `_Atomic T`,
`_Atomic(T)`, qualifiers const/volatile/restrict); any other identifier in a
type position is a syntax error, like herd7 (`unexpected 'int128_t'`).

Normalised C types: qualifiers const/volatile/restrict are dropped, words are
joined by one space, pointer stars follow after a space: 'int', 'int *',
'int **', 'spinlock_t *', '_Atomic __int128', 'struct srcu_struct *'.
Casts are accepted and ignored.
"""
from __future__ import annotations

from dataclasses import dataclass

from lark import Token, v_args

from weakmem.errors import LitmusError, Pos
from weakmem.litmus._lark import GrammarParser, PosTransformer
from weakmem.litmus.ast import (
    CParam,
    CThread,
    EAddr,
    EBin,
    ECall,
    ECond,
    EDeref,
    EIndex,
    EInt,
    EOp,
    EUn,
    EVar,
    Expr,
    SAssign,
    SBlock,
    SDecl,
    SExpr,
    SIf,
    SSkip,
    Stmt,
    SWhile,
)

_QUALIFIERS = {"const", "volatile", "restrict", "__restrict"}


@dataclass(frozen=True)
class MacroDef:
    """One definition from a .def file (built into weakmem.litmus.macros.Macro)."""
    name: str
    params: tuple[str, ...]
    expr: Expr | None                 # expression macro body
    stmts: tuple[Stmt, ...] | None    # statement macro body
    pos: Pos | None = None


@dataclass
class _Type:
    words: list[str]
    pos: Pos | None

    def base(self) -> str:
        return " ".join(self.words)


@dataclass
class _Void:
    """`P0(void)`."""
    pos: Pos | None


def ctype_str(t: _Type, stars: int) -> str:
    base = t.base()
    return f"{base} {'*' * stars}" if stars else base


def _int_of(tok: str) -> int:
    if tok[:2] in ("0x", "0X"):
        return int(tok, 16)
    return int(tok, 10)


def _flatten_stmts(items) -> list[Stmt]:
    out: list[Stmt] = []
    for it in items:
        if isinstance(it, list):
            out.extend(it)
        elif isinstance(it, Token) or it is None:
            continue
        else:
            out.append(it)
    return out


def _one_stmt(x, pos) -> Stmt:
    """A statement slot (if/while body) holding a multi-declaration list."""
    if isinstance(x, list):
        return x[0] if len(x) == 1 else SBlock(tuple(x), pos)
    return x


@v_args(meta=True)
class CTransformer(PosTransformer):
    # ------------------------------------------------------------ entry points
    def start(self, meta, c):
        return [t for t in c if isinstance(t, CThread)]

    def expr_start(self, meta, c):
        return c[0]

    def stmts_start(self, meta, c):
        return _flatten_stmts(c)

    # ------------------------------------------------------------ threads
    def thread(self, meta, c):
        proc = c[0]
        params = c[2] if isinstance(c[2], list) else []
        body = _flatten_stmts(c[3:])
        return CThread(int(proc[1:]), str(proc), tuple(params), tuple(body), self.at(meta))

    def params(self, meta, c):
        ps = [p for p in c if isinstance(p, (CParam, _Void))]
        voids = [p for p in ps if isinstance(p, _Void)]
        if voids:
            if len(ps) == 1:
                return []
            raise LitmusError("'void' must be the only parameter", voids[0].pos)
        return ps

    def param(self, meta, c):
        t: _Type = c[0]
        stars = sum(1 for x in c[1:-1] if x == "*")
        return CParam(ctype_str(t, stars), str(c[-1]))

    def param_void(self, meta, c):
        t: _Type = c[0]
        if t.words == ["void"]:
            return _Void(t.pos)
        raise LitmusError("parameter name expected", t.pos)

    # ------------------------------------------------------------ types
    def typespec(self, meta, c):
        words = [str(w) for w in c if w not in _QUALIFIERS]
        if all(w == "_Atomic" for w in words):
            raise LitmusError("type name expected", self.at(meta))
        return _Type(words, self.at(meta))

    def specifier(self, meta, c):
        return c[0]

    def atomic_paren(self, meta, c):
        t, stars = c[2]
        return Token.new_borrow_pos("TYPEWORD", "_Atomic " + ctype_str(t, stars), c[0])

    def struct_spec(self, meta, c):
        return Token.new_borrow_pos("TYPEWORD", f"struct {c[1]}", c[0])

    def typename(self, meta, c):
        return (c[0], sum(1 for x in c[1:] if x == "*"))

    def star(self, meta, c):
        return "*"

    # ------------------------------------------------------------ statements
    def decl(self, meta, c):
        t: _Type = c[0]
        out = []
        for d in c[1:]:
            if isinstance(d, tuple):
                stars, name, size, init, pos = d
                ctype = ctype_str(t, stars)
                if size is not None:
                    ctype = f"{ctype}[{size}]"
                out.append(SDecl(ctype, name, init, pos))
        return out

    def declarator(self, meta, c):
        stars = 0
        i = 0
        while c[i] == "*":
            stars += 1
            i += 1
        name = c[i]
        size = None
        init = None
        rest = c[i + 1:]
        # rest: ['[' INT ']' | None x3], ['=' expr | None x2] (placeholders)
        rest = [x for x in rest if x is not None]
        j = 0
        while j < len(rest):
            x = rest[j]
            if isinstance(x, Token) and x.type == "LSQB":
                size = _int_of(rest[j + 1])
                j += 3
            elif isinstance(x, Token) and x.type == "EQUAL":
                init = rest[j + 1]
                j += 2
            else:
                j += 1
        return (stars, str(name), size, init, self._pos(name))

    def assign(self, meta, c):
        lhs, e = c[0], c[2]
        self._check_lvalue(lhs)
        return SAssign(lhs, e, self._pos(lhs))

    def opassign(self, meta, c):
        lhs, op, e = c[0], str(c[1])[:-1], c[2]
        self._check_lvalue(lhs)
        return SAssign(lhs, EBin(op, lhs, e, self._pos(lhs)), self._pos(lhs))

    def _check_lvalue(self, lhs):
        if not isinstance(lhs, (EVar, EDeref, EIndex)):
            raise LitmusError("invalid assignment target", self._pos(lhs))

    def exprstmt(self, meta, c):
        return SExpr(c[0], self._pos(c[0]))

    def skip(self, meta, c):
        return SSkip(self.at(meta))

    def block(self, meta, c):
        return SBlock(tuple(_flatten_stmts(c[1:-1])), self.at(meta))

    def if_(self, meta, c):
        p = self.at(meta)
        return SIf(c[2], _one_stmt(c[4], p), None, p)

    def ifelse(self, meta, c):
        p = self.at(meta)
        return SIf(c[2], _one_stmt(c[4], p), _one_stmt(c[6], p), p)

    def while_(self, meta, c):
        p = self.at(meta)
        return SWhile(c[2], _one_stmt(c[4], p), p)

    # ------------------------------------------------------------ expressions
    def cond(self, meta, c):
        return ECond(c[0], c[2], c[4], self._pos(c[0]))

    def binop(self, meta, c):
        return EBin(str(c[1]), c[0], c[2], self._pos(c[0]))

    def unop(self, meta, c):
        op, e = str(c[0]), c[1]
        p = self.at(meta)
        if op == "+":
            return e
        if op == "-" and isinstance(e, EInt):
            return EInt(-e.value, p)
        return EUn(op, e, p)

    def deref(self, meta, c):
        return EDeref(c[1], self.at(meta))

    def addr(self, meta, c):
        return EAddr(c[1], self.at(meta))

    def cast(self, meta, c):
        return c[3]

    def index(self, meta, c):
        return EIndex(c[0], c[2], self._pos(c[0]))

    def call(self, meta, c):
        name = c[0]
        tags: tuple[str, ...] = ()
        rest = c[1:]
        if isinstance(rest[0], Token) and rest[0].type == "TAGS":
            tags = self._tags(rest[0])
            rest = rest[1:]
        args = rest[1] if isinstance(rest[1], list) else []
        return ECall(str(name), tuple(args), tags, self.at(meta))

    def call_noargs(self, meta, c):
        return ECall(str(c[0]), (), self._tags(c[1]), self.at(meta))

    @staticmethod
    def _tags(tok) -> tuple[str, ...]:
        inner = str(tok)[1:-1]
        return tuple(t.strip() for t in inner.split(","))

    def int_(self, meta, c):
        return EInt(_int_of(c[0]), self.at(meta))

    def var(self, meta, c):
        return EVar(str(c[0]), self.at(meta))

    def paren(self, meta, c):
        return c[1]

    def args(self, meta, c):
        return [a for a in c if not (isinstance(a, Token) and a.type == "COMMA")]

    def oparg(self, meta, c):
        return c[0]

    def opsym(self, meta, c):
        return EOp(str(c[0]), self.at(meta))

    # ------------------------------------------------------------ .def files
    def defs(self, meta, c):
        return list(c)

    def formals(self, meta, c):
        return tuple(str(x) for x in c if x.type == "IDENT")

    def _macro_head(self, meta, c):
        name = c[0]
        params = c[2] if isinstance(c[2], tuple) else ()
        if len(set(params)) != len(params):
            raise LitmusError(f"duplicate parameter in macro {name}", self.at(meta))
        return str(name), params, self.at(meta)

    def macro_expr(self, meta, c):
        name, params, pos = self._macro_head(meta, c)
        return MacroDef(name, params, c[4], None, pos)

    def macro_stmts(self, meta, c):
        name, params, pos = self._macro_head(meta, c)
        return MacroDef(name, params, None, tuple(_flatten_stmts(c[5:-1])), pos)

    def macro_stmts_tail(self, meta, c):
        name, params, pos = self._macro_head(meta, c)
        stmts = _flatten_stmts(c[5:-2])
        tail = c[-2]
        if not stmts:
            # `NAME(X) { e }`: an expression in braces (herd's xchg.def).
            return MacroDef(name, params, tail, None, pos)
        return MacroDef(name, params, None, tuple(stmts) + (SExpr(tail, self._pos(tail)),), pos)


_PARSER = GrammarParser("c.lark", ["start", "expr_start", "stmts_start", "defs"], CTransformer)


def parse_c_program(text: str, file: str, line: int = 1, col: int = 1) -> list[CThread]:
    """Parse the thread functions of a C litmus test (text starts at line:col)."""
    return _PARSER.parse(text, "start", file, line, col)


def parse_c_expr(text: str, file: str = "<expr>", line: int = 1, col: int = 1) -> Expr:
    return _PARSER.parse(text, "expr_start", file, line, col)


def parse_c_stmts(text: str, file: str = "<stmts>", line: int = 1, col: int = 1) -> list[Stmt]:
    return _PARSER.parse(text, "stmts_start", file, line, col)


def parse_def_items(text: str, file: str) -> list[MacroDef]:
    return _PARSER.parse(text, "defs", file)
