"""Lark plumbing shared by the C and state parsers.

Each grammar is compiled once per process (LALR, contextual lexer, positions
propagated); a Lark `Transformer` with `v_args(meta=True)` turns the parse tree
into the AST.  Lark exceptions never escape: they become LitmusError with a
file:line:col.
"""
from __future__ import annotations

import os
import threading
from typing import Any, Callable

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from weakmem.errors import LitmusError, Pos

_HERE = os.path.dirname(os.path.abspath(__file__))


class PosTransformer(Transformer):
    """Base of the litmus transformers: Lark's own `Transformer`, every rule
    method called as `method(meta, children)` (the class is decorated with
    `v_args(meta=True)`), and the file name of the parse for positions.

    `self.at(meta)` is the position where the rule's text begins; `self._pos(x)`
    is the position of one child (a token, an AST node, or the first
    positioned item of a list), for positions that are not the rule's first
    token (a declarator's name after its stars, an operand after a parenthesis)."""

    def __init__(self, file: str = "<input>"):
        super().__init__(visit_tokens=False)
        self.file = file

    def at(self, meta: Any) -> Pos | None:
        """Position of the first token of the rule (None for an empty rule)."""
        if getattr(meta, "empty", True):
            return None
        return Pos(self.file, meta.line, meta.column)

    def _pos(self, x: Any) -> Pos | None:
        if isinstance(x, Token):
            if x.line is None:
                return None
            return Pos(self.file, x.line, x.column)
        if isinstance(x, (list, tuple)):
            for y in x:
                p = self._pos(y)
                if p is not None:
                    return p
            return None
        return getattr(x, "pos", None)


class GrammarParser:
    """One compiled grammar (built on first use, guarded by a lock) and the
    transformer class that turns its parse trees into the AST."""

    def __init__(self, grammar_file: str, starts: list[str], transformer: Callable[[str], PosTransformer]):
        self._grammar_file = grammar_file
        self._starts = starts
        self._transformer = transformer
        self._lark: Lark | None = None
        self._lock = threading.Lock()

    def _build(self) -> Lark:
        with self._lock:
            if self._lark is None:
                with open(os.path.join(_HERE, self._grammar_file), encoding="utf-8") as f:
                    grammar = f.read()
                self._lark = Lark(
                    grammar,
                    parser="lalr",
                    lexer="contextual",
                    start=self._starts,
                    keep_all_tokens=True,
                    maybe_placeholders=True,
                    propagate_positions=True,   # each tree's meta: where its text begins
                    cache=True,      # the LALR tables are built once per machine, not per run
                )
            return self._lark

    def parse(self, text: str, start: str, file: str, line: int = 1, col: int = 1,
              what: str = "") -> Any:
        """Parse `text`, which begins at (line, col) of `file`."""
        prefix = "\n" * (line - 1) + " " * (col - 1)
        lark = self._lark or self._build()
        try:
            tree = lark.parse(prefix + text, start=start)
        except UnexpectedInput as e:
            self._check_before(e, file)
            raise lark_error(e, prefix + text, file, what) from None
        return self._transform(tree, file)

    def _transform(self, tree: Any, file: str) -> Any:
        try:
            return self._transformer(file).transform(tree)
        except VisitError as e:          # a LitmusError (or a limit) raised by a rule method
            raise e.orig_exc from None

    def _check_before(self, e: UnexpectedInput, file: str) -> None:
        """The text before a syntax error is reported first when it is itself
        wrong (`P0(const *)`: a type with no type name, then a stray `)`), as
        the errors come in reading order: the complete phrases the parser
        holds when it stops are transformed, left to right, and the first
        error found is raised."""
        ip = getattr(e, "interactive_parser", None)
        if ip is None:
            return
        for item in ip.parser_state.value_stack:
            if isinstance(item, Tree):
                self._transform(item, file)


def end_pos(text: str, file: str) -> Pos:
    """Position just after the end of `text` (which starts at line 1, col 1)."""
    line = text.count("\n") + 1
    col = len(text) - (text.rfind("\n") + 1) + 1
    return Pos(file, line, col)


def lark_error(e: UnexpectedInput, text: str, file: str, what: str = "") -> LitmusError:
    """Turn a Lark exception into a one-line LitmusError."""
    suffix = f" in {what}" if what else ""
    if isinstance(e, UnexpectedToken):
        tok = e.token
        if tok.type == "$END":
            return LitmusError(f"unexpected end of input{suffix}", end_pos(text.rstrip(), file))
        return LitmusError(f"unexpected '{tok}'{suffix}", Pos(file, tok.line, tok.column))
    if isinstance(e, UnexpectedCharacters):
        at = text[e.pos_in_stream:e.pos_in_stream + 2]
        if at == "/*":
            return LitmusError("unterminated comment", Pos(file, e.line, e.column))
        ch = text[e.pos_in_stream] if e.pos_in_stream < len(text) else ""
        if ch == '"':
            return LitmusError(f"unexpected string{suffix}", Pos(file, e.line, e.column))
        return LitmusError(f"unexpected character '{ch}'{suffix}", Pos(file, e.line, e.column))
    if isinstance(e, UnexpectedEOF):
        return LitmusError(f"unexpected end of input{suffix}", end_pos(text.rstrip(), file))
    line = getattr(e, "line", 0) or 0
    col = getattr(e, "column", 0) or 0
    return LitmusError(f"syntax error{suffix}", Pos(file, line, col))
