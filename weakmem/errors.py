"""Errors that reach the user: always one line naming file:line:column."""
from __future__ import annotations

import re
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
        msg = clean(self.msg)
        if self.pos is not None:
            return f"{clean(str(self.pos), 200)}: error: {msg}"
        return f"error: {msg}"

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


_WARNED: set[tuple[str, str]] = set()


def warn(msg: str, pos: Pos | None = None) -> None:
    """A non-fatal remark on the input: one line `FILE:LINE:COL: warning: MSG`
    on stderr, once per run for one place and message."""
    import sys
    where = f"{clean(str(pos), 200)}: " if pos is not None else ""
    line = f"{where}warning: {clean(msg)}"
    if (where, line) in _WARNED:
        return
    if len(_WARNED) < 10000:
        _WARNED.add((where, line))
    sys.stderr.write(line + "\n")


class LimitReached(Exception):
    """A test ran out of its budget (weakmem.limits): it ends Undetermined."""
    what = "limit"


class Timeout(LimitReached):
    """Raised when a test exceeds its time budget (--timeout)."""
    what = "time limit"


class MemoryLimit(LimitReached):
    """Raised when a test exceeds its memory budget (--memory)."""
    what = "memory limit"


_QUOTED = re.compile(r"'[^']*'")
MAX_MESSAGE = 300      # characters of one error line (message part)


def quote(text: str, width: int = 40) -> str:
    """`text` for a message: quoted, non-printable characters escaped, cut."""
    return "'" + clean(text, width) + "'"


def clean(text: str, width: int = MAX_MESSAGE) -> str:
    """One printable line of at most `width` characters."""
    text = str(text)
    if len(text) > width:      # shorten quoted pieces first, then the whole line
        text = _QUOTED.sub(lambda m: m.group(0) if len(m.group(0)) <= 62 else m.group(0)[:58] + "...'", text)
    if len(text) > 4 * width:
        text = text[:4 * width]
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append(" ")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(ascii(ch)[1:-1])
    s = "".join(out)
    if len(s) > width:
        s = s[:width - 3] + "..."
    return s
