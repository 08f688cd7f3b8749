"""The `weakmem` command line."""
from __future__ import annotations

import importlib
import sys

import click

from weakmem.cli_options import error_line, model_options
from weakmem.errors import LimitReached
from weakmem.limits import memory_budget
from weakmem.report import formats
from weakmem.version import __version__

# Subcommands that live in their own package, imported only when invoked (so
# `weakmem run` does not pay for them): name -> "module:attribute" of a
# click command.  A new package-level subcommand adds one line here.
LAZY_COMMANDS: dict[str, str] = {
    "matrix": "weakmem.matrix.command:matrix",      # compile a C test for every CPU
    "hw": "weakmem.hw.command:hw",                  # run a test on this CPU
    "check": "weakmem.batch.command:check",         # batches, results store
    "history": "weakmem.batch.command:history",
    "diff": "weakmem.batch.command:diff",
    "fix": "weakmem.fix.command:fix",               # minimal verified barriers
    "explain": "weakmem.explain.command:explain_cmd",
}


class LazyGroup(click.Group):
    """A click group whose LAZY_COMMANDS are loaded on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(LAZY_COMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        cmd = super().get_command(ctx, name)
        if cmd is None and name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name].split(":")
            cmd = getattr(importlib.import_module(module), attr)
        return cmd


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, package_name="weakmem")
def main() -> None:
    """weakmem: can this outcome happen?  Checks litmus tests against memory models."""


@main.command()
@model_options
@click.option("--format", "fmt", type=click.Choice(formats("result")), default="text", show_default=True)
@click.option("--memory", type=float, default=None, metavar="MB", callback=memory_budget,
              help="per-test memory budget in MiB (default: half the RAM, at most 4096)")
@click.option("--explain", is_flag=True,
              help="add the explanation: a witness execution, or the checks and cycles that forbid the outcome "
                   "(weakmem explain has more)")
@click.option("--verdict-only", is_flag=True,
              help="text format: stop at the first execution that decides the condition (no state counts)")
@click.option("--all-states", is_flag=True,
              help="text format: count every final state however long it takes (by default, past 1 s the "
                   "text format answers the verdict alone, as --verdict-only, and says so)")
@click.option("-j", "--jobs", type=click.IntRange(1, 256), default=1, show_default=True,
              help="worker processes sharing each test's executions (same results)")
@click.option("--prune/--no-prune", default=True, show_default=True,
              help="drop partial executions the model already rejects (same results, fewer candidates)")
@click.argument("files", nargs=-1, required=True, type=click.Path())
def run(model, conf, includes, unroll, fmt, timeout, memory, variants, optace, explain, verdict_only, all_states,
        jobs, prune, files) -> None:
    """Check litmus FILES and print each verdict and its final states."""
    from weakmem.litmus.parse import parse_litmus
    from weakmem.report import reporter
    from weakmem import limits
    from weakmem.run import ModelCache, Options, check_test, check_within, limit_result

    if verdict_only and (fmt != "text" or explain):
        raise click.UsageError("--verdict-only gives no final states or counts: use it with the text format, "
                               "without --explain")
    if all_states and verdict_only:
        raise click.UsageError("--all-states and --verdict-only ask for opposite things: choose one")
    within = fmt == "text" and not (explain or verdict_only or all_states)
    opts = Options(model=model, conf=conf, includes=list(includes), unroll=unroll, timeout=timeout,
                   variants=set(variants), optace=optace, memory=memory, prune=prune, verdict_only=verdict_only,
                   jobs=jobs)
    cache = ModelCache()
    failures = 0
    for f in files:
        test = lm = why = None
        try:
            # one deadline and one memory budget for everything done for this file
            with limits.budget(timeout, memory):
                test = parse_litmus(f)
                lm = cache.get(opts, test.arch, test)       # (loading a model counts for its first test)
                if explain:
                    from weakmem.explain import explain as explain_test
                    why = explain_test(test, lm, opts)
                    res = why.result
                elif within:
                    res = check_within(test, lm, opts)
                else:
                    res = check_test(test, lm, opts)
        except LimitReached as e:
            res = limit_result(f, test, lm, opts, e.what)
        except Exception as e:  # noqa: BLE001 -- bad input: one line, never a traceback
            failures += 1
            click.echo(error_line(f, e), err=True)
            continue
        if fmt == "json" and why is not None:
            import json

            from weakmem.explain.render import to_json
            from weakmem.report.jsonout import json_obj
            click.echo(json.dumps({**json_obj(res), "explanation": to_json(why)}))
        else:
            text = reporter(fmt)(res)
            if fmt == "text" and why is not None:
                from weakmem.explain.render import render_text
                text += render_text(why)
            click.echo(text)
        sys.stdout.flush()
    if failures:
        sys.exit(1)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def models(fmt) -> None:
    """List the built-in models, their published sources and what they cover."""
    import json

    from weakmem.models_info import builtin_model_infos

    infos = builtin_model_infos()
    if fmt == "json":
        click.echo(json.dumps([i.__dict__ for i in infos], indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    t = Table(title="weakmem built-in models (weakmem run --model NAME)")
    t.add_column("name", style="bold")
    t.add_column("model")
    t.add_column("default for")
    t.add_column("source")
    for i in infos:
        t.add_row(i.name, i.title, ", ".join(i.default_for) or "-", i.source)
    Console().print(t)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="concurrent checks (default: the number of cores); the rest queue")
@click.option("--request-timeout", type=click.FloatRange(0.5, 3600), default=10.0, show_default=True,
              help="seconds per request before its worker is stopped")
@click.option("--memory", "memory_mb", type=click.IntRange(64, 1 << 20), default=1024, show_default=True,
              help="memory cap of a worker process, in MB")
def serve(host, port, workers, request_timeout, memory_mb) -> None:
    """Serve the web page and its JSON API (docs/web.md)."""
    try:
        from weakmem.web.app import serve as run_server
        from weakmem.web.pool import Limits
    except ImportError as e:
        click.echo(f"error: the web page needs the 'web' extra: pip install 'weakmem[web]' ({e})", err=True)
        sys.exit(1)
    import os
    lim = Limits(workers=workers or max(1, os.cpu_count() or 1), seconds=request_timeout, memory_mb=memory_mb)
    click.echo(f"weakmem: serving on http://{host}:{port}/ ({lim.workers} workers, {lim.seconds:g} s per request)")
    run_server(host, port, lim)


if __name__ == "__main__":
    main()
