"""The `weakmem matrix FILE` command (registered in weakmem.cli)."""
from __future__ import annotations

import json
import os
import sys

import click

from weakmem.cli_options import user_errors
from weakmem.limits import positive_seconds
from weakmem.matrix.mappings import TARGETS
from weakmem.report import formats, reporter

TARGET_IDS = tuple(t.id for t in TARGETS)


@click.command("matrix")
@click.option("--emit", "emit_dir", metavar="DIR", type=click.Path(file_okay=False),
              help="write the generated assembly litmus tests (one per target) to DIR")
@click.option("--format", "fmt", type=click.Choice(formats("matrix")), default="text", show_default=True)
@click.option("--dialect", type=click.Choice(["qemu", "linux", "c11", "xen"]),
              help="the API the test is written in (default: detected from the names it calls)")
@click.option("--target", "targets", multiple=True, type=click.Choice(TARGET_IDS), metavar="ID",
              help=f"only these hardware targets (repeatable): {', '.join(TARGET_IDS)}")
@click.option("--no-languages", is_flag=True, help="skip the SC and language-model rows")
@click.option("--timeout", type=float, default=None, metavar="S", callback=positive_seconds,
              help="time limit per row, in seconds")
@click.option("--unroll", type=click.IntRange(min=0), default=2, show_default=True, help="loop unrolling bound")
@click.argument("file", type=click.Path())
def matrix(emit_dir, fmt, dialect, targets, no_languages, timeout, unroll, file) -> None:
    """Compile a C litmus test for every CPU and check each, next to SC and the language models.

    FILE is a C litmus test written with QEMU's (qatomic_*, smp_*), Linux's
    (READ_ONCE, smp_store_release, xchg, atomic_*), Xen's or C11's atomics.
    Each thread is compiled with the published C11 mappings and the code
    base's own per-architecture definitions for x86-64, AArch64 (LL/SC and
    LSE), Armv7, POWER and RISC-V; the generated herd assembly tests run
    with weakmem's CPU models.  One table: target, model, verdict, and the
    instructions chosen for each access."""
    from weakmem.matrix.core import build_matrix

    with user_errors(file):
        m = build_matrix(file, dialect=dialect, targets=list(targets) or None, timeout=timeout,
                         unroll=unroll, emit_dir=emit_dir, languages=not no_languages)
    click.echo(reporter(fmt, "matrix")(m).rstrip("\n"))


def matrix_json(m) -> str:
    return json.dumps([r.as_json() for r in m.rows], indent=1)


def matrix_text(m) -> str:
    """The table (rich), as the terminal shows it when the output is one."""
    import io
    import shutil
    buf = io.StringIO()
    render_table(m, buf, tty=sys.stdout.isatty(), width=shutil.get_terminal_size().columns)
    return buf.getvalue()


def verdict_cell(row) -> str:
    if row.verdict in ("Always", "Sometimes", "Never"):
        return row.verdict
    return f"{row.verdict}: {row.reason}" if row.reason else row.verdict


def render_table(m, file=None, tty: bool | None = None, width: int | None = None) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    out = file or sys.stdout
    tty = out.isatty() if tty is None else tty
    console = Console(file=out, width=width if tty else 200, soft_wrap=False, highlight=False,
                      force_terminal=tty or None)
    title = escape(f"{m.name} ({m.dialect} API)    {m.condition}")
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("target", no_wrap=True)
    table.add_column("model", no_wrap=True)
    table.add_column("verdict")
    table.add_column("instructions")
    style = {"Always": "bold", "Sometimes": "bold", "Never": "bold"}
    last_kind = None
    for r in m.rows:
        if last_kind is not None and r.kind != last_kind:
            table.add_section()
        last_kind = r.kind
        table.add_row(escape(r.target), escape(r.model), escape(verdict_cell(r)), escape(r.instructions),
                      style=None if r.verdict in style else "dim")
    console.print(table)
    for n in m.notes:
        console.print(escape(f"note: {n}"))
    emitted = [r.emitted for r in m.rows if r.emitted]
    if emitted:
        console.print(escape(f"wrote {len(emitted)} assembly tests to {os.path.dirname(emitted[0])}/"))
    console.print(f"{len(m.rows)} rows in {m.seconds:.2f} s")
