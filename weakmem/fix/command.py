"""The `weakmem fix FILE` command (registered in weakmem.cli)."""
from __future__ import annotations

import json
import sys

import click

from weakmem.cli_options import user_errors
from weakmem.matrix.command import TARGET_IDS


@click.command("fix")
@click.option("--model", "models", multiple=True, metavar="NAME",
              help="verify under this language (or CPU) model too (repeatable)")
@click.option("--target", "targets", multiple=True, type=click.Choice(TARGET_IDS), metavar="CPU",
              help=f"verify on this CPU, compiled as `weakmem matrix` does (repeatable): {', '.join(TARGET_IDS)}")
@click.option("--all-targets", is_flag=True,
              help="every language model of the test's API and every CPU of the matrix")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--write", "write", metavar="FILE", type=click.Path(dir_okay=False),
              help="write the best patched test to FILE")
@click.option("--max-fixes", type=int, default=10, show_default=True, help="at most this many fixes")
@click.option("--max-size", type=int, default=6, show_default=True, help="at most this many changes per fix")
@click.option("--budget", type=float, default=60.0, show_default=True, metavar="S",
              help="stop searching after S seconds (the fixes found so far are verified)")
@click.option("--timeout", type=float, default=None, metavar="S", help="time limit per engine run")
@click.option("--unroll", type=int, default=2, show_default=True, help="loop unrolling bound")
@click.argument("file", type=click.Path())
def fix(models, targets, all_targets, fmt, write, max_fixes, max_size, budget, timeout, unroll, file) -> None:
    """Find the cheapest minimal changes that make FILE's outcome impossible.

    Changes are in the test's own API (a barrier between two accesses, a
    stronger access); each proposal is verified on every target (by default
    the API's language model and every CPU of `weakmem matrix`, or for an
    assembly test its CPU's model), is minimal (no smaller subset works),
    and is ranked by its cost per CPU (docs/fix.md)."""
    from weakmem.fix.core import fix_test

    with user_errors(file):
        rep = fix_test(file, models, targets, all_targets, max_fixes=max_fixes, max_size=max_size,
                       budget=budget, timeout=timeout, unroll=unroll)
    if write and rep.fixes:
        try:
            with open(write, "w") as f:
                f.write(rep.fixes[0].litmus)
        except OSError as e:
            click.echo(f"{write}: error: {e.strerror or e}", err=True)
            sys.exit(1)
    if fmt == "json":
        click.echo(json.dumps(rep.as_json(), indent=1))
        return
    click.echo(render_text(rep, write))


def render_text(rep, write=None) -> str:
    out = []
    api = f" ({rep.dialect} API)" if rep.dialect else ""
    out.append(f"{rep.test}{api}")
    out.append("before: " + " · ".join(f"{t.label} {rep.original[t.id].verdict}" for t in rep.targets))
    for n in rep.notes:
        out.append(f"note: {n}")
    if rep.already_forbidden:
        out.append("The outcome is already impossible on every target: nothing to fix.")
        if rep.load_bearing:
            out.append("Load-bearing (the outcome becomes possible without it):")
            for b in rep.load_bearing:
                out.append(f"  P{b.thread} line {b.line}: {b.what}  -> possible on {', '.join(b.targets)}")
        else:
            out.append("No single existing barrier or ordered access is load-bearing "
                       "(the outcome is impossible without each of them).")
    elif rep.no_fix:
        out.append(f"No fix: {rep.no_fix}")
    for k, f in enumerate(rep.fixes, 1):
        costs = " · ".join(f"{tid} {c}" for tid, c in f.cost.items())
        out.append("")
        out.append(f"fix {k}: cost {f.total}  ({costs})" if f.cost else
                   f"fix {k}: (no CPU this test compiles for: no cost)")
        for c in f.changes:
            out.append(f"  {c.describe()}")
        out.append(f.diff.rstrip("\n"))
    if rep.fixes:
        out.append("")
        out.append("Each fix is minimal and Never on: " + ", ".join(t.label for t in rep.targets) + ".")
    if not rep.stats.complete:
        out.append(f"note: {rep.stats.why_incomplete}; cheaper or other fixes may exist")
    if write and rep.fixes:
        out.append(f"wrote fix 1 to {write}")
    out.append(f"{len(rep.fixes)} fixes, {rep.stats.sets_tried} sets tried, {rep.runs} runs, {rep.seconds:.2f} s")
    return "\n".join(out)
