"""Cut a litmus file into header, init block, program and constraint.

Follows herd7's splitter: the first line is `ARCH NAME [(texname)] ["doc"]`
(the doc string may be on the next line); until the `{` of the init block
`(* ... *)` comments are skipped, `key = value` lines are recorded and any
other text is ignored; the init block runs to the matching `}`; the program
runs to the first of `exists`, `~exists`, `forall`, `locations`, `filter`
(and herd's obsolete `final`, `cases`, `observed`), which starts the
constraint section; the constraint runs to the end of the file (or `<<`).

Differences from herd, all in the direction of accepting more: leading blank
lines are skipped, `(*` starts a comment anywhere before the init block, and
in C code the keywords only count outside braces and comments (herd would
stop at an `exists` in a `//` comment).  In C code `(* ... *)` is a comment
only between thread functions (inside a body `(*x)` is C).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from weakmem.errors import LitmusError, Pos
from weakmem.srctext import comment_end, line_col

KEYWORDS = ("final", "forall", "exists", "cases", "observed", "Observed", "locations", "filter")

_HEADER = re.compile(
    r"[ \t\r]*(?P<arch>[A-Za-z0-9_]+)[ \t]+(?P<name>[A-Za-z0-9_/.+\-\[\]]+)"
    r"[ \t]*(?:\((?P<tex>[A-Za-z][A-Za-z0-9_/.\-]*)\)[ \t]*)?"
    r"(?:(?P<nl>\r?\n)?[ \t]*\"(?P<doc>[^\"]*)\"[ \t]*)?;?")
_ARCH_ONLY = re.compile(r"[ \t\r]*([A-Za-z0-9_]+)[ \t\r]*(?:\n|$)")
_INFO = re.compile(r"([A-Za-z][A-Za-z0-9_/.\-]*)[ \t]*=[ \t]*([^\n]*)")
_THREAD_START = re.compile(r"P[0-9]+[ \t]*[(|;]")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_/.\-]*")
_NOTEXISTS = re.compile(r"~[ \t\r\n]*exists(?![A-Za-z0-9_/.\-])")
_WORDCHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_/.-")


def _results(text: str) -> list[str]:
    """The ` * Result: Never` comment lines: `Result:` first on its line, after
    an optional comment opener.  (Plain string operations: linear whatever
    the spacing.)"""
    out = []
    if "Result:" not in text:
        return out
    for line in text.split("\n"):
        if "Result:" not in line:
            continue
        s = line.strip(" \t\r")
        for opener in ("(*", "/*", "//", "*"):
            if s.startswith(opener):
                s = s[len(opener):].lstrip(" \t")
                break
        if not s.startswith("Result:"):
            continue
        s = s[len("Result:"):].strip(" \t")
        for closer in ("*)", "*/"):
            if s.endswith(closer):
                s = s[:-len(closer)].rstrip(" \t")
                break
        out.append(s)
    return out


@dataclass
class Sections:
    arch: str
    name: str
    arch_pos: Pos
    doc: str | None = None
    texname: str | None = None
    info: dict[str, str] = field(default_factory=dict)
    results: list[str] = field(default_factory=list)
    init: tuple[int, int] = (0, 0)       # offsets of the text between the braces
    init_open: int = 0                   # offset of the `{`
    prog: tuple[int, int] = (0, 0)
    extra: tuple[int, int] | None = None  # C: `regions: ...` / `scopes: ...` after the code
    prog_comments: list[tuple[int, int]] = field(default_factory=list)  # C: `(* *)` between functions
    constr: tuple[int, int] = (0, 0)


def pos_at(text: str, file: str, off: int) -> Pos:
    line, col = line_col(text, off)
    return Pos(file, line, col)


def skip_comment(text: str, i: int, file: str) -> int:
    """`text[i:]` starts with `(*`; return the offset after the matching `*)`."""
    end = comment_end(text, i)
    if end is None:
        raise LitmusError("unterminated comment", pos_at(text, file, i))
    return end


def blank(s: str) -> str:
    """Replace everything but newlines by spaces (keeps line/col positions)."""
    return re.sub(r"[^\n]", " ", s)


def blank_comments(text: str, start: int, end: int, file: str) -> str:
    """text[start:end] with its `(* ... *)` comments (nested) blanked out."""
    out = []
    i = start
    while True:
        j = text.find("(*", i, end)
        if j < 0:
            out.append(text[i:end])
            return "".join(out)
        out.append(text[i:j])
        k = skip_comment(text, j, file)
        if k > end:
            raise LitmusError("unterminated comment", pos_at(text, file, j))
        out.append(blank(text[j:k]))
        i = k


def _is_keyword_at(text: str, i: int) -> bool:
    """Does a constraint keyword start at offset i (herd's longest-name rule)?"""
    if i > 0 and text[i - 1] in _WORDCHARS:
        return False
    ch = text[i]
    if ch == "~":
        return _NOTEXISTS.match(text, i) is not None
    m = _WORD.match(text, i)
    return m is not None and m.group(0) in KEYWORDS


def _find_constraint_asm(text: str, i: int, file: str) -> int:
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "(" and text.startswith("(*", i):
            i = skip_comment(text, i, file)
            continue
        if ch == '"':
            j = text.find('"', i + 1)
            i = n if j < 0 else j + 1
            continue
        if (ch == "~" or ch.isalpha()) and _is_keyword_at(text, i):
            return i
        if ch.isalpha():
            m = _WORD.match(text, i)
            i = m.end() if m else i + 1
            continue
        i += 1
    return n


_EXTRA = re.compile(r"(regions|scopes)[ \t]*:")


def _find_constraint_c(text: str, i: int, file: str,
                       comments: list[tuple[int, int]]) -> tuple[int, int | None]:
    """(start of constraint, start of a `regions:`/`scopes:` section or None).
    Spans of `(* ... *)` comments found between functions go to `comments`."""
    n = len(text)
    depth = 0
    extra = None
    start = i
    while i < n:
        ch = text[i]
        if ch == "/" and text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if ch == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise LitmusError("unterminated comment", pos_at(text, file, i))
            i = j + 2
            continue
        if ch == '"':
            j = text.find('"', i + 1)
            i = n if j < 0 else j + 1
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and ch == "(" and text.startswith("(*", i):
            j = skip_comment(text, i, file)
            comments.append((i, j))
            i = j
            continue
        elif depth == 0 and (ch == "~" or ch.isalpha()):
            if _is_keyword_at(text, i):
                return i, extra
            if extra is None and (i == 0 or text[i - 1] not in _WORDCHARS) and _EXTRA.match(text, i):
                extra = i
            m = _WORD.match(text, i)
            if m:
                i = m.end()
                continue
        i += 1
    # No keyword outside braces (unbalanced code?): fall back to herd's rule.
    comments.clear()
    j = _find_constraint_asm(text, start, file)
    return j, None


def split_litmus(text: str, file: str) -> Sections:
    # ---------------------------------------------------------------- header
    i = 0
    while True:  # skip leading blank lines
        m = re.match(r"[ \t\r]*\n", text[i:])
        if not m:
            break
        i += m.end()
    m = _HEADER.match(text, i)
    if m is None:
        a = _ARCH_ONLY.match(text, i)
        if a is not None and a.group(1):
            raise LitmusError(f"missing test name after '{a.group(1)}'", pos_at(text, file, a.end(1)))
        if text[i:].strip() == "":
            raise LitmusError("empty file, expected a header 'ARCH NAME'", Pos(file, 1, 1))
        raise LitmusError("bad header line, expected 'ARCH NAME'", pos_at(text, file, i))
    sec = Sections(arch=m.group("arch"), name=m.group("name"),
                   arch_pos=pos_at(text, file, m.start("arch")))
    sec.doc = m.group("doc")
    sec.texname = m.group("tex")
    i = m.end()

    # ---------------------------------------------------------------- to the init block
    n = len(text)
    at_line_start = False
    while True:
        if i >= n:
            raise LitmusError("missing init block '{ ... }'", pos_at(text, file, n))
        ch = text[i]
        if ch == "\n":
            i += 1
            at_line_start = True
            continue
        if ch in " \t\r":
            i += 1
            continue
        if text.startswith("(*", i):
            i = skip_comment(text, i, file)
            continue
        if ch == "{":
            break
        if at_line_start:
            mi = _INFO.match(text, i)
            if mi is not None and "{" not in mi.group(2) and "(*" not in mi.group(2):
                sec.info[mi.group(1)] = mi.group(2).strip()
                i = mi.end()
                continue
        if at_line_start and _THREAD_START.match(text, i):
            raise LitmusError("missing init block '{ ... }' before the threads", pos_at(text, file, i))
        # junk: herd ignores it up to the end of the line or a `{`
        at_line_start = False
        while i < n and text[i] not in "\n{" and not text.startswith("(*", i):
            i += 1

    # ---------------------------------------------------------------- init block
    sec.init_open = i
    depth = 0
    j = i
    while True:
        if j >= n:
            raise LitmusError("unterminated init block (missing '}')", pos_at(text, file, i))
        ch = text[j]
        if ch == "(" and text.startswith("(*", j):
            j = skip_comment(text, j, file)
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                break
        j += 1
    sec.init = (i + 1, j)
    p0 = j + 1

    # ---------------------------------------------------------------- program / constraint
    if sec.arch.upper() == "C":
        c0, extra = _find_constraint_c(text, p0, file, sec.prog_comments)
        if extra is not None:
            sec.prog = (p0, extra)
            sec.extra = (extra, c0)
        else:
            sec.prog = (p0, c0)
    else:
        c0 = _find_constraint_asm(text, p0, file)
        sec.prog = (p0, c0)
    end = text.find("<<", c0)
    sec.constr = (c0, n if end < 0 else end)

    sec.results = _results(text)
    return sec
