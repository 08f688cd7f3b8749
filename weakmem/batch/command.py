"""`weakmem check`, `weakmem history`, `weakmem diff` (registered in weakmem.cli)."""
from __future__ import annotations

import shlex
import sys
import time

import click

from weakmem.limits import positive_seconds


@click.command("check")
@click.option("--model", "model", metavar="NAME|FILE.cat", help="built-in model name or a .cat file")
@click.option("--conf", "conf", metavar="FILE.cfg", help="herd7 configuration file (model, bell, macros, variant)")
@click.option("-I", "includes", multiple=True, metavar="DIR", help="add DIR to the model/include search path")
@click.option("--unroll", type=click.IntRange(min=0), default=2, show_default=True, help="loop unrolling bound")
@click.option("--variant", "variants", multiple=True, metavar="NAME", help="set a cat variant (repeatable)")
@click.option("--optace/--no-optace", default=True, show_default=True,
              help="prune rf/final-write choices that break per-location coherence before running the model")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=None, metavar="N",
              help="worker processes (default: every core; 0: check in this process)")
@click.option("--timeout", type=float, callback=positive_seconds, default=None, metavar="S",
              help="per-test time limit in seconds (undetermined beyond it)")
@click.option("--memory", "memory_mb", type=click.FloatRange(min=0, min_open=True), default=None, metavar="MB",
              help="per-test memory budget in MiB (weakmem.limits; default: half the RAM, at most 4096)")
@click.option("--db", metavar="FILE.sqlite", help="results store: skip tests it already holds, add the others")
@click.option("--dask", metavar="tcp://HOST:PORT|local",
              help="check on a Dask distributed cluster (`local`: start a LocalCluster); needs weakmem[cluster]")
@click.option("--dask-workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="--dask local: number of workers (default: every core)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: one object per test on stdout (file, expected, verdict, flags, judgement, ...)")
@click.option("--junit", "junit", metavar="FILE.xml", help="also write JUnit XML for CI systems")
@click.option("--progress/--no-progress", default=None,
              help="progress bar (default: on a terminal; plain lines otherwise)")
@click.option("-q", "--quiet", is_flag=True, help="no per-test progress lines")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
def check(model, conf, includes, unroll, variants, optace, jobs, timeout, memory_mb, db, dask, dask_workers,
          fmt, junit, progress, quiet, paths) -> None:
    """Check every litmus test under PATHS against its own expectation.

    PATHS are files or directories (searched recursively for *.litmus).  A
    test's expectation is its `Result:` comment, judged as the Linux
    kernel's judgelitmus.sh does (Always/Sometimes/Never, Maybe, DEADLOCK,
    DATARACE), or else herd7's output in NAME.litmus.expected beside it.
    Prints one line per test that does not pass and a summary table; exits
    0 only when no test fails, errs or runs out of time."""
    from rich.console import Console

    from weakmem.batch.cluster import ClusterError
    from weakmem.batch.report import (BarProgress, LineProgress, json_lines, mismatch_lines, summary_table,
                                      write_junit)
    from weakmem.batch.runner import BatchConfig, Progress, run_batch
    from weakmem.run import Options

    from weakmem.limits import default_memory_mb

    opts = Options(model=model, conf=conf, includes=list(includes), unroll=unroll, timeout=timeout,
                   variants=set(variants), optace=optace,
                   memory=memory_mb if memory_mb is not None else float(default_memory_mb()))
    cfg = BatchConfig(opts=opts, jobs=jobs, db=db, dask=dask, dask_workers=dask_workers,
                      args=shlex.join(sys.argv[1:]))
    err = Console(stderr=True)
    if progress is None:
        progress = err.is_terminal
    bar: Progress
    if quiet:
        bar = Progress()
    elif progress:
        bar = BarProgress(err)
    else:
        bar = LineProgress()
    try:
        report = run_batch(list(paths), cfg, bar)
    except ClusterError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("interrupted (finished tests are kept in the results store)" if db else "interrupted", err=True)
        sys.exit(130)
    if not report.items:
        click.echo(f"error: no *.litmus files under {' '.join(paths)}", err=True)
        sys.exit(1)
    if report.store_error:
        click.echo(report.store_error, err=True)
    if fmt == "json":
        for line in json_lines(report):
            click.echo(line)
        out = err
    else:
        for line in mismatch_lines(report):
            click.echo(line)
        out = Console()
    if junit:
        try:
            write_junit(report, junit)
        except OSError as e:
            click.echo(f"{junit}: error: cannot write JUnit XML: {e.strerror or e}", err=True)
            sys.exit(1)
    out.print(summary_table(report))
    sys.exit(0 if report.ok else 1)


def _open(db: str):
    from weakmem.batch.store import StoreError, open_store
    import os
    if not os.path.exists(db):
        click.echo(f"{db}: error: no such results database", err=True)
        sys.exit(1)
    try:
        return open_store(db)
    except StoreError as e:
        click.echo(f"{db}: error: {e}", err=True)
        sys.exit(1)


def _when(t) -> str:
    return time.strftime("%m-%d %H:%M:%S", time.localtime(t)) if t else "-"


@click.command("history")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.argument("db", type=click.Path())
def history(fmt, db) -> None:
    """List the runs recorded in a results database (weakmem check --db)."""
    import json

    store = _open(db)
    runs = store.runs()
    store.close()
    if fmt == "json":
        for r in runs:
            click.echo(json.dumps(r, sort_keys=True))
        return
    from rich.console import Console
    from rich.table import Table
    t = Table(title=f"runs in {db}")
    for c in ("run", "started", "tests", "stored", "pass", "fail", "error", "undet.", "unjudged"):
        t.add_column(c, justify="left" if c == "started" else "right", no_wrap=True)
    for r in runs:
        state = "" if r["finished"] else f" [yellow]interrupted at {r['done']}[/]"
        t.add_row(str(r["id"]), _when(r["started"]) + state, str(r["tests"]), str(r["stored"]), str(r["pass"]),
                  str(r["fail"]), str(r["error"]), str(r["undetermined"]), str(r["unjudged"]))
    Console().print(t)


@click.command("diff")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.argument("db", type=click.Path())
@click.argument("run_a", type=int)
@click.argument("run_b", type=int)
def diff(fmt, db, run_a, run_b) -> None:
    """What changed from run RUN_A to run RUN_B of a results database: verdicts
    (Never -> Sometimes first), final states added and removed, tests only in one."""
    import json

    from weakmem.batch.store import StoreError
    store = _open(db)
    try:
        a = store.run_items(run_a)
        b = store.run_items(run_b)
    except StoreError as e:
        click.echo(f"{db}: error: {e}", err=True)
        sys.exit(1)
    finally:
        store.close()
    changes = diff_runs(a, b)
    if fmt == "json":
        for c in changes:
            click.echo(json.dumps(c, sort_keys=True))
        return
    if not changes:
        click.echo(f"no change between run {run_a} and run {run_b} ({len(b)} tests)")
        return
    for c in changes:
        click.echo(c["line"])
    click.echo(f"{len(changes)} tests changed between run {run_a} and run {run_b}")


def _answer(it: dict | None) -> str:
    if it is None:
        return "absent"
    if it["verdict"]:
        return it["verdict"]
    if it["undetermined"]:
        return "undetermined"
    return "error"


def diff_runs(a: dict[str, dict], b: dict[str, dict]) -> list[dict]:
    """Changes between two runs' items (file -> verdict, states, ...), the
    verdicts that newly allow an outcome (Never -> Sometimes/Always) first."""
    out = []
    for f in sorted(set(a) | set(b)):
        x, y = a.get(f), b.get(f)
        va, vb = _answer(x), _answer(y)
        sa = set(x["states"]) if x else set()
        sb = set(y["states"]) if y else set()
        added = sorted(sb - sa) if x and y and x["verdict"] and y["verdict"] else []
        removed = sorted(sa - sb) if x and y and x["verdict"] and y["verdict"] else []
        if va == vb and not added and not removed:
            continue
        newly_allowed = va == "Never" and vb in ("Sometimes", "Always")
        parts = [f"{f}: {va} -> {vb}" if va != vb else f"{f}: {va}"]
        if newly_allowed:
            parts.append("(newly allowed)")
        if added:
            parts.append("states added: " + " | ".join(added))
        if removed:
            parts.append("states removed: " + " | ".join(removed))
        out.append({"file": f, "before": va, "after": vb, "newly_allowed": newly_allowed,
                    "states_added": added, "states_removed": removed, "line": "  ".join(parts)})
    out.sort(key=lambda c: (not c["newly_allowed"], c["file"]))
    return out
