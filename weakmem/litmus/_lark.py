"""Lark plumbing shared by the C and state parsers.

Each grammar is compiled once per process (LALR, contextual lexer) with its
transformer applied inline, so parsing builds the AST directly.  Lark
exceptions never escape: they become LitmusError with a file:line:col.
"""
from __future__ import annotations

import os
import threading
from typing import Any, Callable

from lark import Lark, Token
from lark.exceptions import (
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)

from weakmem.errors import LitmusError, Pos

_HERE = os.path.dirname(os.path.abspath(__file__))


class PosTransformer:
    """Base for inline transformers: knows the file name of the current parse."""

    file: str = "<input>"

    def pos(self, x: Any) -> Pos | None:
        """Position of a token, an AST node, or the first positioned item of a list."""
        if isinstance(x, Token):
            if x.line is None:
                return None
            return Pos(self.file, x.line, x.column)
        if isinstance(x, (list, tuple)):
            for y in x:
                p = self.pos(y)
                if p is not None:
                    return p
            return None
        return getattr(x, "pos", None)


class GrammarParser:
    """One compiled grammar plus its (stateful) transformer, guarded by a lock."""

    def __init__(self, grammar_file: str, starts: list[str], transformer_factory: Callable[[], PosTransformer]):
        self._grammar_file = grammar_file
        self._starts = starts
        self._factory = transformer_factory
        self._lark: Lark | None = None
        self._transformer: PosTransformer | None = None
        self._lock = threading.RLock()

    def _build(self) -> None:
        with open(os.path.join(_HERE, self._grammar_file), encoding="utf-8") as f:
            grammar = f.read()
        self._transformer = self._factory()
        self._lark = Lark(
            grammar,
            parser="lalr",
            lexer="contextual",
            start=self._starts,
            keep_all_tokens=True,
            maybe_placeholders=True,
            transformer=self._transformer,
            cache=True,      # the LALR tables are built once per machine, not per run
        )

    def parse(self, text: str, start: str, file: str, line: int = 1, col: int = 1,
              what: str = "") -> Any:
        """Parse `text`, which begins at (line, col) of `file`."""
        prefix = "\n" * (line - 1) + " " * (col - 1)
        with self._lock:
            if self._lark is None:
                self._build()
            assert self._lark is not None and self._transformer is not None
            self._transformer.file = file
            try:
                return self._lark.parse(prefix + text, start=start)
            except UnexpectedInput as e:
                raise lark_error(e, prefix + text, file, what) from None


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
