"""The `weakmem explain FILE` command (registered in weakmem.cli)."""
from __future__ import annotations

import json
import sys

import click

from weakmem.cli_options import model_options, user_errors


@click.command("explain")
@model_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--graph", "graph", metavar="FILE.svg|FILE.dot|FILE.png",
              help="draw the witness, or the rejected execution of the first check with its cycle")
@click.option("--show", "show", nargs=2, metavar="all|forbidden DIR",
              help="draw every allowed execution (all) or every rejected one (forbidden) into DIR")
@click.option("--all-events", is_flag=True, help="also show register-only events")
@click.argument("file", type=click.Path())
def explain_cmd(model, conf, includes, unroll, timeout, variants, optace, fmt, graph, show, all_events,
                file) -> None:
    """Why the outcome of FILE's condition cannot happen (each check that rejects it, with a
    shortest cycle named by the model's own definitions), or how it can (a witness execution
    and the program-order pairs the model leaves unordered)."""
    from weakmem.errors import WeakmemError
    from weakmem.litmus.parse import parse_litmus
    from weakmem.report.text import text_report
    from weakmem.run import ModelCache, Options

    from .driver import ExplainOptions, explain
    from .render import render_text, to_json

    if show is not None and show[0] not in ("all", "forbidden"):
        click.echo(f"{file}: error: --show takes 'all' or 'forbidden' then a directory, not {show[0]!r}",
                   err=True)
        sys.exit(2)
    opts = Options(model=model, conf=conf, includes=list(includes), unroll=unroll, timeout=timeout,
                   variants=set(variants), optace=optace)
    with user_errors(file):
        test = parse_litmus(file)
        lm = ModelCache().get(opts, test.arch, test)
        ex = explain(test, lm, opts, ExplainOptions(all_events=all_events, show=show[0] if show else None))
        written = []
        if graph:
            from .pictures import main_picture
            from .dot import write_picture
            dot = main_picture(test, ex, all_events)
            if dot is None:
                raise WeakmemError("no execution to draw: no candidate execution has this outcome")
            write_picture(graph, dot)
            written.append(graph)
        if show:
            from .pictures import write_show
            written += write_show(test, ex, show[0], show[1], all_events)
    if fmt == "json":
        d = to_json(ex)
        if written:
            d["pictures"] = written
        click.echo(json.dumps(d, indent=1))
        return
    out = text_report(ex.result) + render_text(ex)
    if written:
        out += "  pictures: " + ", ".join(written) + "\n"
    click.echo(out, nl=False)


__all__ = ["explain_cmd"]
