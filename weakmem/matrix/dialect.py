"""Which API dialect a C litmus test is written in: qemu, linux, c11 or xen.

The dialect decides what the names shared by several code bases mean
(`smp_wmb()` is a C11 release fence in QEMU and `dmb ishst` on arm64 Linux)
and which language models apply.  Order of precedence:

1. the `--dialect` option;
2. weakmem.dialects (the project-wide detection), when it is installed and
   names one of ours;
3. the names the test uses (api.DISTINCTIVE) and its parameter types
   (`atomic_t` -> linux, `atomic_int`/`_Atomic` -> c11);
4. linux (weakmem's default for C tests, as for `weakmem run`).
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter

from weakmem.litmus import ast as A
from weakmem.matrix.api import DISTINCTIVE

DIALECTS = ("qemu", "linux", "c11", "xen")


def call_names(test: A.Litmus) -> list[A.ECall]:
    """Every call in the test's threads, in source order."""
    out: list[A.ECall] = []

    def ex(e):
        if isinstance(e, A.ECall):
            out.append(e)
            for a in e.args:
                ex(a)
        elif isinstance(e, (A.EDeref, A.EAddr, A.EUn)):
            ex(e.e)
        elif isinstance(e, A.EIndex):
            ex(e.base)
            ex(e.index)
        elif isinstance(e, A.EBin):
            ex(e.a)
            ex(e.b)
        elif isinstance(e, A.ECond):
            ex(e.c)
            ex(e.a)
            ex(e.b)

    def st(s):
        if isinstance(s, A.SExpr):
            ex(s.e)
        elif isinstance(s, A.SAssign):
            ex(s.lhs)
            ex(s.e)
        elif isinstance(s, A.SDecl):
            if s.init is not None:
                ex(s.init)
        elif isinstance(s, A.SIf):
            ex(s.cond)
            st(s.then)
            if s.els is not None:
                st(s.els)
        elif isinstance(s, A.SWhile):
            ex(s.cond)
            st(s.body)
        elif isinstance(s, A.SBlock):
            for b in s.body:
                st(b)

    for th in test.threads:
        for s in getattr(th, "body", ()):
            st(s)
    return out


def _project_dialect(test: A.Litmus) -> str | None:
    """The project-wide detection (weakmem.dialects), if present."""
    try:
        import weakmem.dialects as D   # noqa: F401  (written by another part of the project)
    except Exception:
        return None
    for fname in ("detect_dialect", "detect", "dialect_of"):
        f = getattr(D, fname, None)
        if f is None:
            continue
        try:
            d = f(test)
        except Exception:
            return None
        name = getattr(d, "name", d)
        if isinstance(name, str):
            name = name.lower()
            for ours in DIALECTS:
                if name == ours or name.startswith(ours):
                    return ours
            if name in ("lkmm", "kernel"):
                return "linux"
            if name in ("rc11", "c"):
                return "c11"
        return None
    return None


def detect(test: A.Litmus, forced: str | None = None) -> str:
    if forced:
        return forced
    proj = _project_dialect(test)
    if proj:
        return proj
    names = [c.name for c in call_names(test)]
    score: Counter = Counter()
    for n in names:
        for d, s in DISTINCTIVE.items():
            if n in s:
                score[d] += 1
        if n.startswith("__") and n in ("__load", "__store", "__fence", "__xchg", "__cmpxchg",
                                         "__atomic_op", "__atomic_op_return", "__atomic_fetch_op"):
            score["linux"] += 1
    for th in test.threads:
        for p in getattr(th, "params", ()):
            words = p.ctype.replace("*", " ").split()
            if "atomic_t" in words:
                score["linux"] += 1
            elif "_Atomic" in words or any(w.startswith("atomic_") for w in words):
                score["c11"] += 1
    if score:
        best = max(score.values())
        for d in ("qemu", "c11", "xen", "linux"):      # ties: the more specific API wins
            if score[d] == best:
                return d
    return "linux"


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
    if not notes:
        try:
            from weakmem.dialects import detect as project_detect
            if project_detect(test).name != "mixed":
                return None
        except Exception:
            return None
    per = {th.tid: notes.get(th.tid) or detect(dataclasses.replace(test, threads=[th]))
           for th in test.threads}
    return per if len(set(per.values())) > 1 else None
