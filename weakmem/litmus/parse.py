"""parse_litmus: read a herd7 litmus test into a weakmem.litmus.ast.Litmus.

    from weakmem.litmus.parse import parse_litmus
    lit = parse_litmus("tests/SB.litmus")            # reads the file
    lit = parse_litmus("SB.litmus", text)            # or parses `text`

Dispatch is on the first word of the header line: `C` gives CThreads (the C
dialect, see cparse.py); the assembly architectures give AsmThreads (generic
column splitting, see asm.py).  The init block, `locations`, `filter` and the
final condition share one grammar (state.py).  A missing final condition
means `forall (true)`, like herd7.  Every malformed input raises
weakmem.errors.LitmusError with a file:line:col.
"""
from __future__ import annotations

import functools
import os
import re

from weakmem.arch import arch_info, arch_of_header
from weakmem.errors import LitmusError, Pos, quote, warn
from weakmem.litmus.ast import CThread, Litmus, PFault, RegTerm
from weakmem.litmus.cwalk import walk
from weakmem.litmus.split import blank, blank_comments, line_col, pos_at, split_litmus


def read_litmus_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError as e:
        raise LitmusError(f"cannot read litmus file: {e.strerror or e}", Pos(path)) from None


@functools.cache
def _code_stamp() -> str:
    """Sizes and dates of the parser's own files: a cached parse is used
    only by the code that made it (the code this process loaded: read once)."""
    here = os.path.dirname(os.path.abspath(__file__))
    files = [os.path.join(here, f) for f in sorted(os.listdir(here)) if f.endswith((".py", ".lark"))]
    files.append(os.path.join(os.path.dirname(here), "arch.py"))    # architecture names, value sizes
    out = []
    for p in files:
        st = os.stat(p)
        out.append(f"{os.path.basename(p)}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(out)


def parse_litmus(path: str, text: str | None = None) -> Litmus:
    """The test in `path` (or `text`); a successful parse is kept in the
    on-disk cache (weakmem.diskcache) keyed by the text, so that running a
    corpus again, or one small test, does not load the grammars.  Warnings
    are kept with it and repeated on every use."""
    if text is None:
        text = read_litmus_text(path)
    from weakmem.diskcache import cached
    lit, warnings = cached("litmus", text, lambda: _parse_litmus(path, text), salt=path + "\0" + _code_stamp())
    for msg, pos in warnings:
        warn(msg, pos)
    return lit


def _parse_litmus(path: str, text: str) -> tuple[Litmus, list]:
    from weakmem.litmus.cparse import parse_c_program
    from weakmem.litmus.state import make_condition, parse_constraint, parse_init
    warnings: list = []
    text = text.replace("\r\n", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    sec = split_litmus(text, path)

    info = arch_of_header(sec.arch)          # herd7's architecture names, in any case
    if info is None:
        raise LitmusError(f"unknown architecture '{sec.arch}'", sec.arch_pos)
    arch = info.name

    lit = Litmus(arch=arch, name=sec.name, path=path, doc=sec.doc, info=dict(sec.info),
                 results=list(sec.results), pos=sec.arch_pos)

    # ---------------------------------------------------------------- init
    a, b = sec.init
    line, col = line_col(text, a)
    itext = blank_comments(text, a, b, path)
    _check_constants(text, itext, a, arch, path)
    _check_digits(text, a, b, path)
    lit.init = parse_init(itext, path, line, col)
    _check_init_dups(lit.init, lit.pos)

    # ---------------------------------------------------------------- program
    a, b = sec.prog
    _check_digits(text, a, b, path)
    if arch == "C":
        prog = text[a:b]
        for ca, cb in sec.prog_comments:      # `(* *)` between functions
            prog = prog[:ca - a] + blank(text[ca:cb]) + prog[cb - a:]
        line, col = line_col(text, a)
        threads = parse_c_program(prog, path, line, col)
        if not threads:
            raise LitmusError("no thread functions (expected 'P0(...) { ... }')", pos_at(text, path, b))
        seen: dict[int, CThread] = {}
        for k, t in enumerate(threads):
            if t.tid in seen:
                raise LitmusError(f"duplicate thread {t.name}", t.pos)
            seen[t.tid] = t
            if t.tid != k:
                raise LitmusError(f"processes must be P0, P1, ... in this order: found {quote(t.name)} "
                                  f"where P{k} was expected", t.pos)
        lit.threads = sorted(threads, key=lambda t: t.tid)
        if sec.extra is not None:
            ea, eb = sec.extra
            extra = " ".join(blank_comments(text, ea, eb, path).split())
            key, _, val = extra.partition(":")
            lit.info[key.strip()] = val.strip()
    else:
        lit.threads = _split_asm_in_place(text, a, b, path)

    # ---------------------------------------------------------------- constraint
    a, b = sec.constr
    ctext = blank_comments(text, a, b, path)
    _check_constants(text, ctext, a, arch, path)
    _check_digits(text, a, b, path)
    line, col = line_col(text, a)
    k = parse_constraint(ctext, path, line, col)
    lit.locations = k.locations
    lit.filter = k.filter
    lit.condition = make_condition(k, ctext)
    if k.quantifier is None:
        # herd7 checks `forall (true)`: say so, a test cut short is the likely cause
        warnings.append(("no final condition (exists/forall/~exists): checking 'forall (true)'",
                         pos_at(text, path, len(text.rstrip()))))
    _check_processes(lit)
    return lit, warnings


# herd7's constants in the init block and the condition are the
# architecture's machine integers: 32-bit for C, X86 and ARM, 64-bit for
# the others.  A decimal literal must fit the signed range, a hexadecimal one
# the unsigned range; herd7 stops on anything else (Int32/Int64.of_string).
_NUMBER = re.compile(r"(?<![\w.$])(-?)(0[xX][0-9a-fA-F]+|[0-9]+)(?![\w.])")
MAX_DIGITS = 64           # longer digit runs are refused anywhere in a test


def _check_constants(full: str, part: str, base: int, arch: str, path: str) -> None:
    """Refuse constants of the init block / constraint that herd7 cannot read."""
    bits = arch_info(arch).value_bits
    for m in _NUMBER.finditer(part):
        digits = m.group(2)
        if len(digits) > MAX_DIGITS:
            raise LitmusError(f"number too long ({len(digits)} digits)", pos_at(full, path, base + m.start()))
        hexa = digits[:2] in ("0x", "0X")
        v = int(digits, 16) if hexa else int(digits)
        hi = (1 << bits) - 1 if hexa else (1 << (bits - 1)) - 1 + (1 if m.group(1) else 0)
        if v > hi:
            raise LitmusError(f"constant {quote(m.group(0))} does not fit the {bits}-bit values of {arch}",
                              pos_at(full, path, base + m.start()))


_LONG_NUMBER = re.compile(r"[0-9a-fA-F]{%d,}" % (MAX_DIGITS + 1))


def _check_digits(text: str, a: int, b: int, path: str) -> None:
    """Refuse absurdly long numbers in the code (before anything converts
    them), and constants beyond 64 bits (herd7 cannot read them either)."""
    for m in _LONG_NUMBER.finditer(text, a, b):
        if any(c.isdigit() for c in m.group(0)[:2]):
            raise LitmusError(f"number too long ({len(m.group(0))} digits)", pos_at(text, path, m.start()))
    for m in _NUMBER.finditer(text, a, b):
        digits = m.group(2)
        if len(digits) < 19:
            continue
        v = int(digits, 16) if digits[:2] in ("0x", "0X") else int(digits)
        if v >> 64:
            raise LitmusError(f"constant {quote(m.group(0))} does not fit in 64 bits", pos_at(text, path, m.start()))


def _check_init_dups(items, where: Pos | None) -> None:
    """herd7: "Location x is initialized more than once"."""
    seen = set()
    for it in items:
        t = it.target
        if it.value is None:
            continue          # a declaration without value
        if isinstance(t, RegTerm):
            key, shown = ("reg", t.tid, t.reg), f"{t.tid}:{t.reg}"
        else:
            key = ("loc", t.name, t.index or 0)
            shown = t.name if not t.index else f"{t.name}[{t.index}]"
        if key in seen:
            raise LitmusError(f"location {shown} is initialized more than once", it.pos or where)
        seen.add(key)


def _check_processes(lit: Litmus) -> None:
    """Registers named in the init block, `locations` and the condition
    belong to threads of the test (herd7: "Bad process P2")."""
    n = len(lit.threads)
    parts = [lit.init, lit.locations, lit.condition.prop if lit.condition is not None else None]
    for part in parts:
        for t in (n for n in walk(part) if isinstance(n, (RegTerm, PFault))):
            tid = getattr(t, "tid", None)
            if type(tid) is int and tid >= n:      # (-1: a symbolic register, no thread)
                raise LitmusError(f"bad process P{tid}: the test has threads P0..P{n - 1}",
                                  getattr(t, "pos", None) or lit.pos)



def _split_asm_in_place(text: str, a: int, b: int, path: str):
    """Column-split text[a:b] with comments blanked, keeping file offsets."""
    from weakmem.litmus.asm import split_asm
    blanked = text[:a] + blank_comments(text, a, b, path)
    return split_asm(blanked, a, b, path)
