"""Pictures of executions: Graphviz DOT text, and SVG/PNG through `dot`.

One column (cluster) per thread, events top to bottom in program order,
initial writes in a row above; rf, co and fr edges between them; the edges
of an explanation's cycle drawn thick and red with their names.  The DOT
text needs nothing installed; SVG and PNG need Graphviz's `dot` program."""
from __future__ import annotations

import shutil
import subprocess
from typing import Iterable, Optional

from weakmem.cat import rel as R
from weakmem.errors import WeakmemError

from .core import CycleEdge, EventTable

INSTALL_HINT = ("the graphviz `dot` program is needed for .svg/.png pictures "
                "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz); "
                "a .dot file needs nothing")

COLORS = {"rf": "#1f77b4", "co": "#2ca02c", "fr": "#ff7f0e", "po": "#555555"}
HIGHLIGHT = "#d62728"


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _node_id(eid: int) -> str:
    return f"e{eid}"


def execution_dot(test, cand, *, title: str = "", cycle: Optional[list[CycleEdge]] = None,
                  all_events: bool = False, unordered: Iterable[tuple[int, int]] = ()) -> str:
    """DOT text for one execution (a weakmem.verdict.Judged) of `test`."""
    sk = cand.skeleton
    n = sk.n
    table = EventTable(test, sk)
    shown = {e.eid for e in sk.events if all_events or not table[e.eid].register}
    lines = ["digraph execution {",
             '  graph [rankdir=TB, newrank=true, nodesep=0.6, ranksep=0.45, fontname="Helvetica", '
             'fontsize=12' + (f", label={_q(title)}, labelloc=t" if title else "") + "];",
             '  node [shape=box, style="rounded,filled", fillcolor="#f7f7f7", fontname="Helvetica", '
             'fontsize=11];',
             '  edge [fontname="Helvetica", fontsize=10, arrowsize=0.7];']
    inits = sorted((e for e in sk.events if e.tid < 0 and e.eid in shown),
                   key=lambda e: (e.loc.name, e.loc.offset) if e.loc is not None else ("", 0))
    if inits:
        lines.append("  subgraph cluster_init {")
        lines.append('    label="initial values"; style=dashed; color="#bbbbbb";')
        for e in inits:
            lines.append(f'    {_node_id(e.eid)} [label={_q(table[e.eid].access.replace("W ", ""))}, '
                         'fillcolor="#ffffff"];')
        lines.append("  }")
    threads = sorted({e.tid for e in sk.events if e.tid >= 0})
    firsts = []
    for tid in threads:
        evs = sorted((e for e in sk.events if e.tid == tid and e.eid in shown), key=lambda e: (e.poi, e.eid))
        lines.append(f"  subgraph cluster_P{tid} {{")
        lines.append('    label=""; style=rounded; color="#888888";')
        # a header node per thread: the header row has no other edges, so the
        # invisible chain between headers fixes the columns' order
        lines.append(f'    h{tid} [label="P{tid}", shape=plaintext, style="", fontsize=13];')
        for e in evs:
            info = table[e.eid]
            where = f"line {info.line}" if info.line else ""
            src = info.source if info.source and info.source != info.access else ""
            sub = ": ".join(x for x in (where, src) if x)
            label = f"{info.label}: {info.access}" + (f"\\n{_esc_lbl(sub)}" if sub else "")
            fill = "#fff3cd" if "F" in e.kinds and not info.memory else "#f7f7f7"
            lines.append(f'    {_node_id(e.eid)} [label="{_esc_q(label)}", fillcolor="{fill}"];')
        for a, b in zip(evs, evs[1:]):
            lines.append(f'    {_node_id(a.eid)} -> {_node_id(b.eid)} [color="{COLORS["po"]}", '
                         'weight=100, label="po", fontcolor="#777777"];')
        if evs:
            lines.append(f"    h{tid} -> {_node_id(evs[0].eid)} [style=invis, weight=100];")
        lines.append("  }")
        firsts.append(f"h{tid}")
    if inits and firsts:
        # initial writes above every thread
        for h in firsts:
            lines.append(f"  {_node_id(inits[-1].eid)} -> {h} [style=invis];")
    if len(firsts) > 1:
        # columns left to right in thread order
        lines.append("  { rank=same; " + "; ".join(firsts) + "; }")
        for a, b in zip(firsts, firsts[1:]):
            lines.append(f"  {a} -> {b} [style=invis];")
    hl: set[tuple[int, int]] = set()
    for e in cycle or []:
        for s in e.steps:
            hl.add((s.src, s.dst))
    co = cand.env.get("co", 0) if cand.env else 0
    co = co if isinstance(co, int) else 0
    rf = cand.rf
    fr = R.compose(n, R.inverse(n, rf), co) & ~R.identity(n) if co else 0
    co_imm = co & ~R.compose(n, co, co) if co else 0

    def rel_edges(name: str, r: int, extra: str = "") -> None:
        for a, b in R.pairs(n, r):
            if a not in shown or b not in shown:
                continue
            if (a, b) in hl:
                continue            # drawn as a cycle edge
            lines.append(f'  {_node_id(a)} -> {_node_id(b)} [color="{COLORS[name]}", '
                         f'fontcolor="{COLORS[name]}", label="{name}", constraint=false{extra}];')

    rel_edges("rf", rf)
    rel_edges("co", co_imm)
    rel_edges("fr", fr, ", style=dashed")
    for e in cycle or []:
        a, b = e.src.eid, e.dst.eid
        lines.append(f'  {_node_id(a)} -> {_node_id(b)} [color="{HIGHLIGHT}", fontcolor="{HIGHLIGHT}", '
                     f'penwidth=2.6, label={_q(e.name)}, constraint=false];')
    for a, b in unordered:        # program-order pairs a witness relies on the model leaving unordered
        lines.append(f'  {_node_id(a)} -> {_node_id(b)} [color="{HIGHLIGHT}", fontcolor="{HIGHLIGHT}", '
                     'style=dotted, penwidth=1.6, label="unordered", constraint=false];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _esc_q(s: str) -> str:
    return s.replace('"', '\\"')


def _esc_lbl(s: str) -> str:
    return s.replace("\\", "\\\\")


def have_dot() -> bool:
    return shutil.which("dot") is not None


def render(dot_text: str, fmt: str) -> bytes:
    """Run Graphviz's `dot` (fmt 'svg' or 'png').  WeakmemError with the
    install hint when it is missing."""
    exe = shutil.which("dot")
    if exe is None:
        raise WeakmemError(INSTALL_HINT)
    try:
        p = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode(), capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise WeakmemError(f"graphviz dot failed: {e}") from None
    if p.returncode != 0:
        raise WeakmemError(f"graphviz dot failed: {p.stderr.decode(errors='replace').strip()[:200]}")
    return p.stdout


def write_picture(path: str, dot_text: str) -> None:
    """Write `dot_text` to `path` as .dot, .svg or .png (by the suffix)."""
    low = path.lower()
    if low.endswith(".dot") or low.endswith(".gv"):
        data = dot_text.encode()
    elif low.endswith(".svg"):
        data = render(dot_text, "svg")
    elif low.endswith(".png"):
        data = render(dot_text, "png")
    else:
        raise WeakmemError(f"{path}: picture file must end in .svg, .dot or .png")
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as e:
        raise WeakmemError(f"{path}: cannot write: {e.strerror}") from None


def write_many(directory: str, base: str, items: Iterable[tuple[str, str]]) -> list[str]:
    """Write (suffix, dot_text) items as DIR/base-suffix.svg (or .dot when
    `dot` is absent); returns the paths."""
    import os
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as e:
        raise WeakmemError(f"{directory}: cannot create: {e.strerror}") from None
    ext = ".svg" if have_dot() else ".dot"
    out = []
    for suffix, text in items:
        p = os.path.join(directory, f"{base}-{suffix}{ext}")
        write_picture(p, text)
        out.append(p)
    return out


__all__ = ["execution_dot", "render", "write_picture", "write_many", "have_dot", "INSTALL_HINT"]
