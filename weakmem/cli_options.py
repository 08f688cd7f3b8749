"""Command-line options shared by several commands."""
from __future__ import annotations

import contextlib
import sys

import click

from weakmem.limits import positive_seconds


def model_options(f):
    """The options that pick and run a model (shared by run and explain)."""
    for opt in reversed([
        click.option("--model", "model", metavar="NAME|FILE.cat", help="built-in model name or a .cat file"),
        click.option("--conf", "conf", metavar="FILE.cfg",
                     help="herd7 configuration file (model, bell, macros, variant)"),
        click.option("-I", "includes", multiple=True, metavar="DIR",
                     help="add DIR to the model/include search path"),
        click.option("--unroll", type=click.IntRange(min=0), default=2, show_default=True,
                     help="loop unrolling bound"),
        click.option("--timeout", type=float, default=None, metavar="S", callback=positive_seconds,
                     help="per-test time limit in seconds (default: none)"),
        click.option("--variant", "variants", multiple=True, metavar="NAME",
                     help="set a cat variant (repeatable)"),
        click.option("--optace/--no-optace", default=True, show_default=True,
                     help="prune rf/final-write choices that break per-location coherence before running "
                          "the model")]):
        f = opt(f)
    return f


def error_line(file: str, e: BaseException) -> str:
    """The one line a user sees for an input that cannot be checked:
    `FILE:LINE:COL: error: ...` for bad input, a short internal-error line
    otherwise (never a traceback)."""
    from weakmem.errors import WeakmemError, clean
    if isinstance(e, WeakmemError):
        return str(e) if e.pos is not None else f"{clean(file, 200)}: error: {e.msg}"
    if isinstance(e, RecursionError):
        return f"{clean(file, 200)}: error: test too deeply nested to analyse"
    if isinstance(e, OSError):
        return f"{clean(file, 200)}: error: {clean(str(e.strerror or e), 200)}"
    return f"{clean(file, 200)}: internal error: {type(e).__name__}: {clean(str(e), 200)} (please report)"


@contextlib.contextmanager
def user_errors(file: str):
    """Bad input inside the block: one line `FILE:LINE:COL: error: ...` on
    stderr and exit status 1, never a traceback."""
    try:
        yield
    except (click.exceptions.Exit, click.exceptions.Abort, SystemExit, KeyboardInterrupt):
        raise
    except Exception as e:  # noqa: BLE001 -- never a traceback for the user
        click.echo(error_line(file, e), err=True)
        sys.exit(1)
