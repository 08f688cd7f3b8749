"""Applying changes to the text of a litmus test, and showing them as a diff.

The patched test is the original text with whole lines inserted and calls
replaced in place, so that it reads like the original; it is parsed again
(weakmem.litmus) before anything else uses it.
"""
from __future__ import annotations

import difflib

from weakmem.errors import LitmusError


def apply(lines: list[str], changes) -> str:
    """The test text with `changes` (weakmem.fix.sites.Change, or an
    assembly change with the same fields) applied."""
    out = list(lines)
    inserts: dict[int, list] = {}
    for c in changes:
        if c.kind == "insert":
            inserts.setdefault(c.line, []).append(c)
    # replacements: right to left within a line, so columns stay valid
    for c in sorted((c for c in changes if c.kind == "replace"), key=lambda c: (c.line, -c.col)):
        text = out[c.line - 1]
        k = c.col - 1
        if text[k:k + len(c.old)] != c.old:
            raise LitmusError(f"internal: cannot find `{c.old}` at line {c.line}", None)
        new = c.text
        rest = text[k + len(c.old):]
        if not new and rest.lstrip().startswith(";") and not text[:k].strip():
            # removing a whole statement: drop the line
            out[c.line - 1] = None
            continue
        out[c.line - 1] = text[:k] + new + rest
    result = []
    for n, text in enumerate(out, start=1):
        for c in inserts.get(n, ()):
            result.append(c.row or c.indent + c.text)
        if text is not None:
            result.append(text)
    return "\n".join(result)


def unified_diff(old: str, new: str, name: str) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=f"a/{name}", tofile=f"b/{name}"))
