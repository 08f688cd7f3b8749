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

from weakmem.errors import LitmusError, Pos
from weakmem.litmus.asm import split_asm
from weakmem.litmus.ast import CThread, Litmus
from weakmem.litmus.cparse import parse_c_program
from weakmem.litmus.split import blank, blank_comments, line_col, pos_at, split_litmus
from weakmem.litmus.state import make_condition, parse_constraint, parse_init

# herd7's architecture names (canonical spelling), looked up case-insensitively.
ARCHS = {a.upper(): a for a in (
    "C", "X86", "X86_64", "AArch64", "ARM", "PPC", "RISCV", "MIPS", "LISA", "BPF",
)}
ASM_ARCHS = frozenset(a for a in ARCHS.values() if a != "C")


def read_litmus_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError as e:
        raise LitmusError(f"cannot read litmus file: {e.strerror or e}", Pos(path)) from None


def parse_litmus(path: str, text: str | None = None) -> Litmus:
    if text is None:
        text = read_litmus_text(path)
    text = text.replace("\r\n", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    sec = split_litmus(text, path)

    arch = ARCHS.get(sec.arch.upper())
    if arch is None:
        raise LitmusError(f"unknown architecture '{sec.arch}'", sec.arch_pos)

    lit = Litmus(arch=arch, name=sec.name, path=path, doc=sec.doc, info=dict(sec.info),
                 results=list(sec.results), pos=sec.arch_pos)

    # ---------------------------------------------------------------- init
    a, b = sec.init
    line, col = line_col(text, a)
    lit.init = parse_init(blank_comments(text, a, b, path), path, line, col)

    # ---------------------------------------------------------------- program
    a, b = sec.prog
    if arch == "C":
        prog = text[a:b]
        for ca, cb in sec.prog_comments:      # `(* *)` between functions
            prog = prog[:ca - a] + blank(text[ca:cb]) + prog[cb - a:]
        line, col = line_col(text, a)
        threads = parse_c_program(prog, path, line, col)
        if not threads:
            raise LitmusError("no thread functions (expected 'P0(...) { ... }')", pos_at(text, path, b))
        seen: dict[int, CThread] = {}
        for t in threads:
            if t.tid in seen:
                raise LitmusError(f"duplicate thread {t.name}", t.pos)
            seen[t.tid] = t
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
    line, col = line_col(text, a)
    k = parse_constraint(ctext, path, line, col)
    lit.locations = k.locations
    lit.filter = k.filter
    lit.condition = make_condition(k, ctext)
    return lit


def _split_asm_in_place(text: str, a: int, b: int, path: str):
    """Column-split text[a:b] with comments blanked, keeping file offsets."""
    blanked = text[:a] + blank_comments(text, a, b, path)
    return split_asm(blanked, a, b, path)
