"""`weakmem hw FILE...`: run litmus tests on this CPU (docs/hw.md)."""
from __future__ import annotations

import json
import sys
import threading

import click

from weakmem.limits import positive_seconds
from weakmem.report import formats, reporter

from weakmem.cli_options import error_line


@click.command("hw")
@click.option("-n", "--iterations", type=click.IntRange(1), default=100000, show_default=True,
              help="test instances to run")
@click.option("--model", "model", metavar="NAME|FILE.cat",
              help="model to compare with (assembly: the CPU's; C: the language model)")
@click.option("--format", "fmt", type=click.Choice(formats("hw")), default="text", show_default=True)
@click.option("--emit-c", "emit_c", metavar="DIR", type=click.Path(file_okay=False),
              help="write each generated harness (C file and headers) under DIR")
@click.option("--timeout", type=float, default=60.0, show_default=True, metavar="S", callback=positive_seconds,
              help="wall-time bound per test (the partial histogram is kept)")
@click.option("-s", "--size", type=click.IntRange(1), default=1000, show_default=True,
              help="instances per run: fresh locations for each (litmus7's -s)")
@click.option("--stride", type=click.IntRange(1), default=1, show_default=True,
              help="visit the instances of a run with this stride (litmus7's -st)")
@click.option("--pad", type=click.IntRange(0), default=0, show_default=True, metavar="BYTES",
              help="extra bytes between two instances of a location (e.g. 56: one cache line each)")
@click.option("--delay", "max_delay", type=click.IntRange(0), default=64, show_default=True,
              help="random delay before each instance, up to this many spin steps")
@click.option("--seed", type=int, default=0, help="random seed of the delays (0: from the clock)")
@click.option("--no-pin", is_flag=True, help="do not pin threads to CPUs")
@click.argument("files", nargs=-1, required=True, type=click.Path())
def hw(iterations, model, fmt, emit_c, timeout, size, stride, pad, max_delay, seed, no_pin, files) -> None:
    """Run litmus FILES on this CPU and compare the final states seen with the model's."""
    from weakmem.hw.core import HwOptions

    opts = HwOptions(iterations=iterations, size=min(size, iterations), stride=stride, pad=pad,
                     max_delay=max_delay, timeout=timeout, seed=seed, pin=not no_pin, model=model,
                     emit_c=emit_c)
    failures = 0
    forbidden = 0
    interrupted = False
    for f in files:
        stop = threading.Event()
        try:
            res = _run_one(f, opts, stop, fmt)
        except KeyboardInterrupt:
            interrupted = True
            break
        except Exception as e:  # noqa: BLE001 -- bad input: one line, never a traceback
            failures += 1
            click.echo(error_line(f, e), err=True)
            continue
        if res.forbidden_seen:
            forbidden += 1
        click.echo(reporter(fmt, "hw")(res))
        sys.stdout.flush()
        if res.interrupted and not res.timed_out:
            interrupted = True
            break
    if interrupted:
        sys.exit(130)
    if failures or forbidden:
        sys.exit(1)


def _run_one(f, opts, stop, fmt):
    from weakmem.hw.core import run_hw
    if not sys.stderr.isatty():
        return run_hw(f, opts, None, stop)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeRemainingColumn(), transient=True, console=_stderr_console()) as prog:
        task = prog.add_task(f"{f}: model check, build", total=opts.iterations)

        def on_progress(done, total):
            prog.update(task, completed=done, total=total, description=f"{f}: running")
        return run_hw(f, opts, on_progress, stop)


def _stderr_console():
    from rich.console import Console
    return Console(stderr=True)


def to_json(r) -> dict:
    return {
        "test": r.test, "file": r.path, "arch": r.arch, "api": r.api,
        "iterations": r.iterations,
        "histogram": [{"state": s, "count": c} for s, c in r.histogram],
        "condition": r.condition, "condition_seen": r.condition_seen, "condition_count": r.condition_count,
        "model": r.model,
        "forbidden_seen": r.forbidden_seen,
        "models": [{"model": v.model, "role": v.role, "status": v.status, "forbidden_seen": v.forbidden_seen,
                    "outcome_allowed": v.outcome_allowed, "error": v.error, "note": v.note} for v in r.verdicts],
        "threads": r.threads, "cpus": r.cpus, "pinned": r.pinned,
        "seconds": round(r.seconds, 4), "iterations_per_second": round(r.rate),
        "filtered": r.filtered, "interrupted": r.interrupted, "timed_out": r.timed_out, "ran": r.ran,
        "emitted": r.emitted, "notes": r.notes,
    }


def json_report(r) -> str:
    return json.dumps(to_json(r))


def text_report(r) -> str:
    L: list[str] = []
    w = L.append
    w(f"Test {r.test} ({r.arch}, {r.api})")
    if r.emitted:
        w(f"Harness: {r.emitted}")
    if not r.ran:
        for n in r.notes:
            w(f"Note: {n}")
        return "\n".join(L) + "\n"
    where = (f"{r.threads} threads pinned to distinct CPUs of {r.cpus}" if r.pinned
             else f"{r.threads} threads unpinned on {r.cpus} CPUs")
    stop = " (interrupted: partial)" if r.interrupted and not r.timed_out else \
        (" (stopped by the time limit: partial)" if r.timed_out or r.interrupted else "")
    w(f"Ran {r.iterations} iterations in {r.seconds:.2f} s ({r.rate:,.0f}/s), {where}{stop}")
    forb = set(r.forbidden_seen)
    w(f"Histogram ({len(r.histogram)} states)")
    width = max([len(str(c)) for _, c in r.histogram] or [1])
    cond_states = set(r.condition_states)
    for s, c in r.histogram:
        mark = "!>" if s in forb else ("*>" if s in cond_states else ":>")
        w(f"{c:<{width}} {mark}{s}")
    pct = 100.0 * r.condition_count / r.iterations if r.iterations else 0.0
    if r.condition_seen:
        w(f"Condition {r.condition}: seen {r.condition_count} times ({pct:.3g}%)")
    else:
        w(f"Condition {r.condition}: not seen")
    for v in r.verdicts:
        label = f"{v.model} ({'this CPU' if v.role == 'cpu' else 'language model'})"
        if v.error:
            w(f"  {label}: no verdict -- {v.error}")
        elif v.forbidden_seen:
            w(f"  {label}: OBSERVED BUT FORBIDDEN: " + " | ".join(v.forbidden_seen)
              + "  (a model bug, or the compiler/CPU differs from the model)")
        else:
            w(f"  {label}: {v.status}")
    for n in r.notes:
        w(f"Note: {n}")
    return "\n".join(L) + "\n"
