"""Errors that reach the user: always one line naming file:line:column."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pos:
    """A position in a source file (1-based line and column)."""
    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file


class WeakmemError(Exception):
    """A user-facing error: bad litmus, bad model, unknown macro, ...

    `pos` names where (file, line, column); `msg` says what.  The CLI prints
    `FILE:LINE:COL: error: MSG` and exits non-zero; never a traceback.
    """

    def __init__(self, msg: str, pos: Pos | None = None):
        super().__init__(msg)
        self.msg = msg
        self.pos = pos

    def __str__(self) -> str:
        if self.pos is not None:
            return f"{self.pos}: error: {self.msg}"
        return f"error: {self.msg}"

    # where, for callers of the Python API (weakmem.api): None / 0 when unknown
    @property
    def file(self) -> str | None:
        return self.pos.file if self.pos is not None else None

    @property
    def line(self) -> int:
        return self.pos.line if self.pos is not None else 0

    @property
    def column(self) -> int:
        return self.pos.col if self.pos is not None else 0


class LitmusError(WeakmemError):
    """Malformed litmus test, unknown macro/instruction, unsupported feature."""


class CatError(WeakmemError):
    """Malformed or ill-typed cat model, unbound name, bad cfg."""


class Timeout(Exception):
    """Raised inside exploration when a test exceeds its time budget."""
