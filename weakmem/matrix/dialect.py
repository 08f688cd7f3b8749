"""Which API dialect a C litmus test is written in: qemu, linux, c11 or xen.

The dialect decides what the names shared by several code bases mean
(`smp_wmb()` is a C11 release fence in QEMU and `dmb ishst` on arm64 Linux)
and which language models apply.  The `--dialect` option wins; otherwise
the project's one detector, weakmem.dialects.detect.  A test that mixes
APIs (an error for `weakmem run`) is read, as a whole, in the API of its
first thread that uses one alone (and compiled thread by thread:
`thread_dialects`).
"""
from __future__ import annotations

import dataclasses
import re

from weakmem.dialects import detect as detect_dialect
from weakmem.litmus import ast as A

DIALECTS = ("qemu", "linux", "c11", "xen")


def _alone(test: A.Litmus, th) -> A.Litmus:
    """The test reduced to one of its threads."""
    return dataclasses.replace(test, threads=[th])


def detect(test: A.Litmus, forced: str | None = None) -> str:
    if forced:
        return forced
    d = detect_dialect(test)
    if d.error is None:
        return d.name
    for th in test.threads:          # mixed APIs: the first thread's own
        one = detect_dialect(_alone(test, th))
        if one.error is None and one.evidence:
            return one.name
    best = max(len(d.evidence.get(x, ())) for x in DIALECTS)
    return next(x for x in ("qemu", "c11", "xen", "linux") if len(d.evidence.get(x, ())) == best)


_API_NOTE = re.compile(r"\(\*\s*api:\s*([A-Za-z0-9_]+)\s*\*\)\s*P(\d+)\s*\(")


def thread_dialects(test: A.Litmus, text: str | None) -> dict[int, str] | None:
    """Each thread's API when the threads are written in different ones (a QEMU device
    model against a Linux guest driver), else None.  A thread's API is the one an
    `(* api: qemu *)` comment right before it names, else the one its own calls show."""
    from weakmem.errors import LitmusError, Pos
    notes: dict[int, str] = {}
    for m in _API_NOTE.finditer(text or ""):
        name = m.group(1).lower()
        if name not in DIALECTS:
            line = (text or "").count("\n", 0, m.start()) + 1
            raise LitmusError(f"unknown API '{m.group(1)}' in an api: comment (expected one of "
                              f"{', '.join(DIALECTS)})", Pos(test.path, line, 1))
        notes[int(m.group(2))] = name
    if not notes and detect_dialect(test).error is None:
        return None
    per = {th.tid: notes.get(th.tid) or detect(_alone(test, th))
           for th in test.threads}
    return per if len(set(per.values())) > 1 else None
