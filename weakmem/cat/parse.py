"""Parser for cat / bell files: text -> weakmem.cat.ast.CatFile.

Comments are blanked out first (nested `(* *)`, and `//` or `#` to end of
line), keeping every newline so Lark's positions are the file's positions.
Any syntax error becomes a one-line `CatError` at FILE:LINE:COL.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (LarkError, UnexpectedCharacters, UnexpectedEOF,
                             UnexpectedInput, UnexpectedToken, VisitError)

from weakmem.errors import CatError, Pos
from weakmem.srctext import comment_end, line_col

from . import ast as A

_GRAMMAR = Path(__file__).with_name("cat.lark")


def strip_comments(text: str, file: str = "<cat>") -> str:
    """Blank out comments, preserving newlines (and hence positions)."""
    out: list[str] = []
    i, n = 0, len(text)

    def blank(s: str) -> str:
        return "".join(c if c == "\n" else " " for c in s)

    start = 0           # start of the pending verbatim chunk
    while i < n:
        c = text[i]
        if c == '"':
            j = text.find('"', i + 1)
            if j < 0:
                j = n - 1
            i = j + 1
            continue
        if c == "(" and i + 1 < n and text[i + 1] == "*":
            out.append(text[start:i])
            j = comment_end(text, i)
            if j is None:
                raise CatError("unterminated comment", Pos(file, *line_col(text, i)))
            out.append(blank(text[i:j]))
            i = start = j
            continue
        if c == "#" or (c == "/" and i + 1 < n and text[i + 1] == "/"):
            out.append(text[start:i])
            j = text.find("\n", i)
            if j < 0:
                j = n
            out.append(" " * (j - i))
            i = start = j
            continue
        i += 1
    out.append(text[start:])
    return "".join(out)


def _pos(file: str, meta_or_tok: Any) -> A.Pos:
    line = getattr(meta_or_tok, "line", 0) or 0
    col = getattr(meta_or_tok, "column", 0) or 0
    return Pos(file, line, col)


def _pat(names: list) -> A.Pattern:
    return A.Pattern(list(names), True)


def _var_pat(name: A.PVar) -> A.Pattern:
    return A.Pattern([name], False)


class _Builder(Transformer):
    """Lark tree -> AST.  Methods receive (meta, children)."""

    def __init__(self, file: str):
        super().__init__(visit_tokens=False)
        self.file = file

    def P(self, meta: Any) -> Pos:
        return _pos(self.file, meta)

    # ---------------------------------------------------------------- file
    @v_args(meta=True)
    def start(self, meta, ch):
        title = None
        arch = None
        instrs = []
        for c in ch:
            if isinstance(c, tuple) and c and c[0] == "title":
                arch, title = c[1], c[2]
            else:
                instrs.append(c)
        return A.CatFile(self.file, title, arch, instrs)

    def title_names(self, ch):
        if len(ch) == 2:
            return ("title", str(ch[0]), f"{ch[0]} {ch[1]}")
        return ("title", str(ch[0]), str(ch[0]))

    def title_name_string(self, ch):
        return ("title", str(ch[0]), str(ch[1])[1:-1])

    def title_string(self, ch):
        return ("title", None, str(ch[0])[1:-1])

    # -------------------------------------------------------- instructions
    @v_args(meta=True)
    def i_let(self, meta, ch):
        return A.ILet(ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def i_letrec(self, meta, ch):
        return A.ILet(ch[0], rec=True, pos=self.P(meta))

    @v_args(meta=True)
    def i_letrec_when(self, meta, ch):
        return A.ILet(ch[0], rec=True, when=ch[1], pos=self.P(meta))

    def in_opt(self, ch):
        return None

    def then_opt(self, ch):
        return None

    @v_args(meta=True)
    def i_test(self, meta, ch):
        kind = "check"
        spec = ch[-1]
        if len(ch) == 2:
            kind = ch[0]
        return A.ITest(kind, spec, pos=self.P(meta))

    def tk_flag(self, ch):
        return "flag"

    def tk_undefined(self, ch):
        return "undefined"

    def tk_assert(self, ch):
        return "assert"

    @v_args(meta=True)
    def test_pos(self, meta, ch):
        return A.TestSpec(ch[0], False, ch[1], ch[2], self.P(meta))

    @v_args(meta=True)
    def test_neg(self, meta, ch):
        return A.TestSpec(ch[0], True, ch[1], ch[2], self.P(meta))

    def t_acyclic(self, ch):
        return "acyclic"

    def t_irreflexive(self, ch):
        return "irreflexive"

    def t_empty(self, ch):
        return "empty"

    def as_opt(self, ch):
        return str(ch[0]) if ch else None

    def name_list(self, ch):
        return [str(c) for c in ch]

    @v_args(meta=True)
    def i_show_as(self, meta, ch):
        return A.IShow([str(ch[1])], ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def i_show(self, meta, ch):
        return A.IShow(ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def i_unshow(self, meta, ch):
        return A.IUnshow(ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def i_include(self, meta, ch):
        return A.IInclude(str(ch[0])[1:-1], pos=self.P(meta))

    @v_args(meta=True)
    def i_proc(self, meta, ch):
        return A.IProcedure(str(ch[0]), _pat(ch[1]), list(ch[2:]),
                            pos=self.P(meta))

    @v_args(meta=True)
    def i_proc1(self, meta, ch):
        return A.IProcedure(str(ch[0]), _var_pat(ch[1]), list(ch[2:]),
                            pos=self.P(meta))

    @v_args(meta=True)
    def i_proc_rec(self, meta, ch):
        p = self.i_proc(meta, ch)
        p.rec = True
        return p

    @v_args(meta=True)
    def i_proc1_rec(self, meta, ch):
        p = self.i_proc1(meta, ch)
        p.rec = True
        return p

    @v_args(meta=True)
    def i_call(self, meta, ch):
        return A.ICall(str(ch[0]), ch[1], ch[2], pos=self.P(meta))

    @v_args(meta=True)
    def i_forall(self, meta, ch):
        return A.IForall(str(ch[0]), ch[1], list(ch[2:]), pos=self.P(meta))

    @v_args(meta=True)
    def i_with(self, meta, ch):
        return A.IWith(str(ch[0]), ch[1], pos=self.P(meta))

    @v_args(meta=True)
    def i_if(self, meta, ch):
        cond = ch[0]
        rest = [c for c in ch[1:] if c is not None]
        els: list = []
        if rest and isinstance(rest[-1], tuple) and rest[-1][0] == "else":
            els = rest[-1][1]
            rest = rest[:-1]
        return A.IIf(cond, rest, els, pos=self.P(meta))

    def else_instrs(self, ch):
        return ("else", list(ch))

    @v_args(meta=True)
    def i_match(self, meta, ch):
        clauses, default = ch[1]
        return A.IMatch(ch[0], clauses, default, pos=self.P(meta))

    def ins_clauses(self, ch):
        clauses, default = [], None
        for c in ch:
            if c[0] == "default":
                default = c[1]
            else:
                clauses.append(c)
        return clauses, default

    def ins_clause(self, ch):
        return (str(ch[0])[1:], list(ch[1:]))

    def ins_default(self, ch):
        return ("default", list(ch))

    @v_args(meta=True)
    def i_enum(self, meta, ch):
        return A.IEnum(str(ch[0]), [str(t)[1:] for t in ch[1:]],
                       pos=self.P(meta))

    @v_args(meta=True)
    def i_instructions(self, meta, ch):
        return A.IEvents(str(ch[0]), ch[1], False, pos=self.P(meta))

    @v_args(meta=True)
    def i_default(self, meta, ch):
        return A.IEvents(str(ch[0]), ch[1], True, pos=self.P(meta))

    @v_args(meta=True)
    def i_debug(self, meta, ch):
        return A.IDebug(ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def i_catdep(self, meta, ch):
        return A.ICatdep(pos=self.P(meta))

    # ------------------------------------------------------------ bindings
    def binds(self, ch):
        return list(ch)

    @v_args(meta=True)
    def bind_var(self, meta, ch):
        return A.Binding(_var_pat(str(ch[0])), ch[1], self.P(meta))

    @v_args(meta=True)
    def bind_wild(self, meta, ch):
        return A.Binding(_var_pat(None), ch[0], self.P(meta))

    @v_args(meta=True)
    def bind_tuple(self, meta, ch):
        names = ch[0]
        pat = _var_pat(names[0]) if len(names) == 1 else _pat(names)
        return A.Binding(pat, ch[1], self.P(meta))

    @v_args(meta=True)
    def bind_tuple_bare(self, meta, ch):
        return A.Binding(_pat(ch[:-1]), ch[-1], self.P(meta))

    @v_args(meta=True)
    def bind_fun1(self, meta, ch):
        name = str(ch[0])
        f = A.Fun(_var_pat(ch[1]), ch[2], name, pos=self.P(meta))
        return A.Binding(_var_pat(name), f, self.P(meta))

    @v_args(meta=True)
    def bind_fun(self, meta, ch):
        name = str(ch[0])
        names = ch[1]
        pat = _var_pat(names[0]) if len(names) == 1 else _pat(names)
        f = A.Fun(pat, ch[2], name, pos=self.P(meta))
        return A.Binding(_var_pat(name), f, self.P(meta))

    def formals(self, ch):
        return list(ch)

    def pat0(self, ch):
        return str(ch[0]) if ch else None

    # --------------------------------------------------------- expressions
    @v_args(meta=True)
    def e_let(self, meta, ch):
        return A.LetIn(ch[0], ch[1], False, pos=self.P(meta))

    @v_args(meta=True)
    def e_letrec(self, meta, ch):
        return A.LetIn(ch[0], ch[1], True, pos=self.P(meta))

    @v_args(meta=True)
    def e_fun1(self, meta, ch):
        return A.Fun(_var_pat(ch[0]), ch[1], pos=self.P(meta))

    @v_args(meta=True)
    def e_fun(self, meta, ch):
        names = ch[0]
        pat = _var_pat(names[0]) if len(names) == 1 else _pat(names)
        return A.Fun(pat, ch[1], pos=self.P(meta))

    @v_args(meta=True)
    def e_try(self, meta, ch):
        return A.Try(ch[0], ch[1], pos=self.P(meta))

    @v_args(meta=True)
    def e_if(self, meta, ch):
        return A.IfE(ch[0], ch[1], ch[2], pos=self.P(meta))

    @v_args(meta=True)
    def e_match_tag(self, meta, ch):
        clauses, default = ch[1]
        return A.MatchTag(ch[0], clauses, default, pos=self.P(meta))

    def tag_clauses(self, ch):
        return self.ins_clauses(ch)

    def tag_clause(self, ch):
        return (str(ch[0])[1:], ch[1])

    def tag_default(self, ch):
        return ("default", ch[0])

    @v_args(meta=True)
    def e_match_set(self, meta, ch):
        empty, elt = ch[1]
        m = A.MatchSet(ch[0], empty, elt[1], elt[2], elt[3],
                       pos=self.P(meta))
        if elt[0] == 3:
            m.pre, m.three = elt[4], True
        return m

    def set_clauses_ee(self, ch):
        return ch[0], ch[1]

    def set_clauses_ee_rev(self, ch):
        return ch[1], ch[0]

    def empty_clause(self, ch):
        return ch[0]

    def elt_clause(self, ch):
        return (2, ch[0], ch[1], ch[2])

    def elt_clause3(self, ch):
        return (3, ch[1], ch[2], ch[3], ch[0])

    @v_args(meta=True)
    def e_tuple(self, meta, ch):
        return A.TupleE(list(ch), pos=self.P(meta))

    # conditions
    @v_args(meta=True)
    def c_or(self, meta, ch):
        return ch[0] if len(ch) == 1 else A.COr(list(ch), pos=self.P(meta))

    @v_args(meta=True)
    def c_and(self, meta, ch):
        return ch[0] if len(ch) == 1 else A.CAnd(list(ch), pos=self.P(meta))

    @v_args(meta=True)
    def c_not(self, meta, ch):
        return A.CNot(ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def c_variant(self, meta, ch):
        return A.CVariant(str(ch[0])[1:-1], pos=self.P(meta))

    @v_args(meta=True)
    def c_eq(self, meta, ch):
        return A.CCmp("eq", ch[0], ch[1], pos=self.P(meta))

    @v_args(meta=True)
    def c_subset(self, meta, ch):
        return A.CCmp("subset", ch[0], ch[1], pos=self.P(meta))

    @v_args(meta=True)
    def c_in(self, meta, ch):
        return A.CCmp("in", ch[0], ch[1], pos=self.P(meta))

    # operators
    def _nary(self, op, meta, ch):
        args: list = []
        for c in ch:
            if isinstance(c, A.Binop) and c.op == op:
                args.extend(c.args)
            else:
                args.append(c)
        return A.Binop(op, args, pos=self.P(meta))

    @v_args(meta=True)
    def e_union(self, meta, ch):
        return self._nary("union", meta, ch)

    @v_args(meta=True)
    def e_seq(self, meta, ch):
        return self._nary("seq", meta, ch)

    @v_args(meta=True)
    def e_add(self, meta, ch):
        return A.Binop("add", list(ch), pos=self.P(meta))

    @v_args(meta=True)
    def e_diff(self, meta, ch):
        return A.Binop("diff", list(ch), pos=self.P(meta))

    @v_args(meta=True)
    def e_inter(self, meta, ch):
        return A.Binop("inter", list(ch), pos=self.P(meta))

    @v_args(meta=True)
    def e_cart(self, meta, ch):
        return A.Binop("cart", list(ch), pos=self.P(meta))

    @v_args(meta=True)
    def e_comp(self, meta, ch):
        return A.Unop("comp", ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def e_star(self, meta, ch):
        return A.Unop("star", ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def e_plus(self, meta, ch):
        return A.Unop("plus", ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def e_opt(self, meta, ch):
        return A.Unop("opt", ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def e_inv(self, meta, ch):
        return A.Unop("inv", ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def e_app(self, meta, ch):
        return A.App(ch[0], ch[1], pos=self.P(meta))

    def e_var(self, ch):
        t = ch[0]
        return A.Var(str(t), pos=_pos(self.file, t))

    @v_args(meta=True)
    def e_zero(self, meta, ch):
        return A.EmptyRel(pos=self.P(meta))

    @v_args(meta=True)
    def e_universe(self, meta, ch):
        return A.Universe(pos=self.P(meta))

    def e_tag(self, ch):
        t = ch[0]
        return A.TagLit(str(t)[1:], pos=_pos(self.file, t))

    @v_args(meta=True)
    def e_set(self, meta, ch):
        return A.ExplicitSet(ch[0], pos=self.P(meta))

    @v_args(meta=True)
    def e_unit(self, meta, ch):
        return A.TupleE([], pos=self.P(meta))

    @v_args(meta=True)
    def e_toid(self, meta, ch):
        return A.ToId(ch[0], pos=self.P(meta))

    def args(self, ch):
        return list(ch)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR.read_text(), parser="lalr", start="start", cache=True,
                propagate_positions=True, maybe_placeholders=False,
                lexer="basic")


def _describe(tok: Token) -> str:
    if tok.type == "$END":
        return "end of file"
    return repr(str(tok))


def parse_text(text: str, file: str = "<cat>") -> A.CatFile:
    """Parse cat source text.  Raises CatError on any syntax error."""
    src = strip_comments(text, file)
    try:
        tree = _parser().parse(src)
    except UnexpectedToken as e:
        tok = e.token
        if tok.type == "$END":
            ln = src.count("\n") + 1
            col = len(src) - (src.rfind("\n") + 1) + 1
            raise CatError("syntax error: unexpected end of file",
                           Pos(file, ln, col)) from None
        raise CatError(f"syntax error near {_describe(tok)}",
                       Pos(file, e.line, e.column)) from None
    except UnexpectedCharacters as e:
        ch = src[e.pos_in_stream] if e.pos_in_stream < len(src) else "?"
        raise CatError(f"syntax error: unexpected character {ch!r}",
                       Pos(file, e.line, e.column)) from None
    except UnexpectedEOF:
        ln = src.count("\n") + 1
        raise CatError("syntax error: unexpected end of file",
                       Pos(file, ln, 1)) from None
    except UnexpectedInput as e:  # pragma: no cover - defensive
        raise CatError("syntax error", Pos(file, getattr(e, "line", 0),
                                            getattr(e, "column", 0))) from None
    try:
        return _Builder(file).transform(tree)
    except VisitError as e:  # pragma: no cover - builder bug
        raise CatError(f"internal parser error: {e.orig_exc}",
                       Pos(file)) from None
    except LarkError as e:  # pragma: no cover
        raise CatError(f"syntax error: {e}", Pos(file)) from None


def parse_expr(text: str) -> A.Expr:
    """Parse one cat expression (e.g. "po ; [Mb] ; po").  Raises CatError."""
    cf = parse_text(f"let _expr_ = {text}", "<expr>")
    if len(cf.instrs) != 1 or not isinstance(cf.instrs[0], A.ILet):
        raise CatError(f"not an expression: {text}", Pos("<expr>"))
    return cf.instrs[0].binds[0].e
