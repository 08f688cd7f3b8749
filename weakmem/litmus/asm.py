"""Generic column splitting of assembly litmus programs.

    P0          | P1          ;
    MOV [x],$1  | MOV EAX,[y] ;
    L0:         | ;

Rows end with `;`, columns are separated by `|`; the first row names the
threads (`P0`, `P1`, ...).  Each non-empty cell becomes an AsmInstr: an
optional leading label (`L0:`) and the instruction text, stripped.  A cell
holding only a label gives AsmInstr(text='', label='L0') -- a label that
marks the position of the thread's next instruction (or the end of the
code).  Decoding `text` is the job of the architecture front-ends.
"""
from __future__ import annotations

import re

from weakmem.errors import LitmusError, Pos, quote
from weakmem.limits import check
from weakmem.litmus.ast import AsmInstr, AsmThread
from weakmem.litmus.split import line_col

_PROC = re.compile(r"P([0-9]+)")
_LABEL = re.compile(r"([A-Za-z_.$][A-Za-z0-9_.$]*)[ \t]*:(?!:)[ \t]*")


def _cells(text: str, a: int, b: int):
    """Split text[a:b] (one row) on `|`, yielding (stripped cell, offset)."""
    start = a
    while True:
        j = text.find("|", start, b)
        end = b if j < 0 else j
        cell = text[start:end]
        lead = len(cell) - len(cell.lstrip())
        yield cell.strip(), start + lead
        if j < 0:
            return
        start = j + 1


def split_asm(text: str, start: int, end: int, file: str) -> list[AsmThread]:
    """Split the program text[start:end] (comments already blanked) into threads."""

    def pos(off: int) -> Pos:
        line, col = line_col(text, off)
        return Pos(file, line, col)

    rows: list[tuple[int, int]] = []
    i = start
    while i < end:
        check()
        j = text.find(";", i, end)
        if j < 0:
            rest = text[i:end]
            if rest.strip():
                # herd7: every row, the last one too, ends with `;` (a test cut short)
                k = i + len(rest) - len(rest.lstrip())
                raise LitmusError(f"unexpected end of program: row {quote(rest.strip())} does not end with ';'",
                                  pos(k))
            break
        rows.append((i, j))
        i = j + 1
    # the row of thread names may follow a lone `;`; blank rows (only spaces) separate nothing
    while rows and not text[rows[0][0]:rows[0][1]].strip():
        rows.pop(0)
    if not rows:
        raise LitmusError("missing program (expected a row 'P0 | P1 ... ;')", pos(end))

    # ---------------------------------------------------------------- header row
    names: list[tuple[str, int]] = []
    for cell, off in _cells(text, *rows[0]):
        m = _PROC.fullmatch(cell)
        if m is None:
            what = f"'{cell}'" if cell else "an empty column"
            raise LitmusError(f"bad thread name {what} (expected P0, P1, ...)", pos(off))
        names.append((cell, off))
    seen: set[int] = set()
    for k, (name, off) in enumerate(names):
        tid = int(name[1:])
        if tid in seen:
            raise LitmusError(f"duplicate thread {name}", pos(off))
        seen.add(tid)
        if tid != k:
            raise LitmusError(f"processes must be P0, P1, ... in this order: found {quote(name)} "
                              f"where P{k} was expected", pos(off))

    if len(rows) == 1:
        raise LitmusError("missing program: no instruction row after the thread names", pos(rows[0][1] + 1))
    code: list[list[AsmInstr]] = [[] for _ in names]
    for a, b in rows[1:]:
        cells = list(_cells(text, a, b))
        if len(cells) > len(names):
            _, off = cells[len(names)]
            raise LitmusError(f"too many columns: {len(cells)} for {len(names)} threads", pos(off - 1))
        if len(cells) < len(names) and text[a:b].strip():
            # herd7: "mismatch in instruction lines"
            raise LitmusError(f"too few columns: {len(cells)} for {len(names)} threads", pos(b))
        for k, (cell, off) in enumerate(cells):
            if not cell:
                continue
            label = None
            label_off = off
            m = _LABEL.match(cell)
            # labels are `NAME:` at the start of the cell (not `NAME::`)
            while m is not None:
                if label is not None:
                    code[k].append(AsmInstr("", label, pos(label_off)))
                label, label_off = m.group(1), off
                cell = cell[m.end():]
                off += m.end()
                m = _LABEL.match(cell)
            code[k].append(AsmInstr(cell, label, pos(off if cell else label_off)))
    return [AsmThread(int(name[1:]), name, tuple(instrs)) for (name, _), instrs in zip(names, code)]
