"""Source text helpers shared by the litmus and cat parsers: an offset as a
line and column, and the end of herd's nested `(* ... *)` comments."""
from __future__ import annotations


def line_col(text: str, off: int) -> tuple[int, int]:
    """1-based line and column of offset `off` in `text`."""
    line = text.count("\n", 0, off) + 1
    col = off - (text.rfind("\n", 0, off) + 1) + 1
    return line, col


def comment_end(text: str, i: int) -> int | None:
    """`text[i:]` starts with `(*`: the offset after the matching `*)`
    (comments nest), or None when the comment is never closed."""
    depth = 0
    n = len(text)
    while i < n:
        if text.startswith("(*", i):
            depth += 1
            i += 2
        elif text.startswith("*)", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return None
