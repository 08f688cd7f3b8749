"""weakmem's Python API (docs/api.md), re-exported by `import weakmem`:

    import weakmem
    r = weakmem.check("SB+mb.litmus")                 # or the text of a test
    r.verdict, r.states, r.positive, r.flags, r.witness, r.explanation
    r.to_dict(); r.to_json()
    weakmem.check_many(["litmus-tests/"], jobs=2, db="runs.sqlite")   # -> list[Result], judged
    weakmem.matrix("SB+qatomic.litmus")               # -> weakmem.matrix.core.Matrix

Bad input raises weakmem.WeakmemError (LitmusError for a test, CatError for
a model) whose `file`, `line` and `column` say where.  A test that runs
out of time is not an error: its Result has `verdict=None` and says why in
`undetermined`.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from typing import Iterable, Sequence

from weakmem.errors import LitmusError, Pos, WeakmemError

__all__ = ["Result", "check", "check_many", "matrix", "WeakmemError"]


@dataclass
class Result:
    """One test checked under one model."""
    file: str                         # the test's path ("<string>" for a test given as text)
    test: str                         # its name
    model: str                        # the model it ran under
    verdict: str | None               # Always | Sometimes | Never; None when undetermined or in error
    kind: str = ""                    # Allowed (exists) | Forbidden (~exists) | Required (forall)
    ok: bool | None = None            # herd7's Ok/No: does the quantified condition hold
    condition: str = ""
    states: list[str] = field(default_factory=list)   # final states, herd7's spelling, sorted
    positive: int = 0                 # executions (allowed by the model) satisfying the condition
    negative: int = 0                 # ... and not satisfying it
    flags: list[str] = field(default_factory=list)    # flags the model raised (e.g. data-race)
    witness: str | None = None        # an allowed execution with the outcome (events, rf, co), as text
    explanation: str | None = None    # why the verdict: the witness, or the checks ruling the outcome out
    undetermined: str | None = None   # why there is no verdict (time or memory limit)
    error: str | None = None          # check_many only: `FILE:LINE:COL: error: ...` for a bad test
    seconds: float = 0.0
    expected: str | None = None       # the test's own expectation (Result: text, or .expected Observation)
    judgement: str | None = None      # pass | fail | unjudged | undetermined | error (vs `expected`)
    reason: str = ""                  # why it failed (or was forgiven)
    stored: bool = False              # check_many with db: taken from the results store

    @property
    def counts(self) -> tuple[int, int]:
        """(Positive, Negative), as herd7's Observation line prints them."""
        return self.positive, self.negative

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self, **kw) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, **kw)


def _options(model, includes, timeout, conf, unroll, variants, optace, memory=None):
    from weakmem.run import Options
    if isinstance(includes, (str, os.PathLike)):
        includes = [includes]
    return Options(model=None if model is None else os.fspath(model), conf=None if conf is None else os.fspath(conf),
                   includes=[os.fspath(i) for i in includes or ()], unroll=unroll, timeout=timeout,
                   variants=set(variants or ()), optace=optace, memory=memory)


def _source(path_or_text) -> tuple[str, str]:
    """(path, text): a path-like or a one-line string names a file; a string
    with a newline is the text of a test."""
    if isinstance(path_or_text, os.PathLike):
        path = os.fspath(path_or_text)
    elif isinstance(path_or_text, str) and "\n" not in path_or_text:
        path = path_or_text
    elif isinstance(path_or_text, str):
        return "<string>", path_or_text
    else:
        raise TypeError(f"check() wants a path or the text of a litmus test, not {type(path_or_text).__name__}")
    from weakmem.litmus.parse import read_litmus_text
    return path, read_litmus_text(path)


def _result(out, exp, judgement=None, stored=False) -> Result:
    return Result(file=out.file, test=out.test, model=out.model, verdict=out.verdict, kind=out.kind, ok=out.ok,
                  condition=out.condition, states=list(out.states), positive=out.pos, negative=out.neg,
                  flags=list(out.flags), witness=out.witness, explanation=out.explanation,
                  undetermined=out.undetermined, error=out.error, seconds=out.seconds,
                  expected=exp.text if exp is not None else None,
                  judgement=judgement.judgement if judgement is not None else None,
                  reason=judgement.reason if judgement is not None else "", stored=stored)


_CACHE = None


def check(path_or_text, model: str | None = None, includes: Sequence[str] | str = (), timeout: float | None = None,
          *, conf: str | None = None, unroll: int = 2, variants: Iterable[str] = (), optace: bool = True,
          memory_mb: float | None = None, explain: bool = True) -> Result:
    """Check one litmus test (a path, or the test's text) and return its Result.

    model: a built-in model name (`weakmem models`), a .cat or a .cfg file;
    default: the test's own default (its dialect or architecture).
    includes: directories searched for models, configurations and their
    includes (weakmem run -I).  timeout: seconds, memory_mb: MiB (None: no
    limit; past either the Result is undetermined).
    explain: fill `witness` and `explanation`.
    Raises WeakmemError (with file, line, column) for a bad test or model."""
    global _CACHE
    from weakmem.batch.expect import find_expectation, judge
    from weakmem.batch.task import Outcome, check_explained, fill_outcome
    from weakmem.litmus.parse import parse_litmus
    from weakmem.run import ModelCache

    from weakmem import limits
    from weakmem.errors import LimitReached
    from weakmem.run import limit_result

    path, text = _source(path_or_text)
    opts = _options(model, includes, timeout, conf, unroll, variants, optace, memory_mb)
    if _CACHE is None:
        _CACHE = ModelCache()
    test = lm = None
    witness = why = None
    try:
        with limits.budget(opts.timeout, opts.memory):
            test = parse_litmus(path, text)
            with limits.budget(opts.timeout, opts.memory, own=True):
                lm = _CACHE.get(opts, test.arch, test)
            res, witness, why = check_explained(test, lm, opts, explain)
    except LimitReached as e:
        res = limit_result(path, test, lm, opts, e.what)
    except WeakmemError as e:
        if e.pos is None:
            e.pos = Pos(path)
        raise
    except RecursionError:
        raise LitmusError("test too deeply nested to analyse", Pos(path)) from None
    out = Outcome(path)
    fill_outcome(out, res)
    out.witness, out.explanation = witness, why
    out.seconds = res.seconds
    exp = find_expectation(path, text) if path != "<string>" else None
    if exp is None and path == "<string>":
        from weakmem.batch.expect import result_expectation
        exp = result_expectation(text)
    j = judge(exp, verdict=out.verdict, pos=out.pos, neg=out.neg, flags=out.flags, states=out.states,
              undetermined=out.undetermined)
    return _result(out, exp, j)


def check_many(paths: Sequence[str] | str, jobs: int | None = None, db: str | None = None, *,
               model: str | None = None, includes: Sequence[str] | str = (), timeout: float | None = None,
               conf: str | None = None, unroll: int = 2, variants: Iterable[str] = (), optace: bool = True,
               memory_mb: float | None = None, dask: str | None = None, explain: bool = False) -> list[Result]:
    """Check every test under `paths` (files, or directories searched
    recursively for *.litmus) as `weakmem check` does: `jobs` worker
    processes (None: every core; 0: in this process) or a Dask cluster
    (`dask="local"` or a scheduler address), results kept in and reused from
    the SQLite store `db`.  Returns one Result per test, sorted by file,
    each judged against its own expectation; a bad test is a Result with
    `error` set (the rest still run).  Raises WeakmemError when `db` cannot
    be used as a results store."""
    from weakmem.batch.runner import BatchConfig, run_batch
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if db is not None:
        from weakmem.batch.store import StoreError, open_store
        try:
            open_store(os.fspath(db)).close()
        except StoreError as e:
            raise WeakmemError(str(e), Pos(os.fspath(db))) from None
    opts = _options(model, includes, timeout, conf, unroll, variants, optace, memory_mb)
    cfg = BatchConfig(opts=opts, jobs=jobs, db=None if db is None else os.fspath(db),
                      dask=dask, detail=explain, args="weakmem.check_many")
    report = run_batch([os.fspath(p) for p in paths], cfg)
    if report.store_error:
        raise WeakmemError(report.store_error.split(": error: ", 1)[-1], Pos(os.fspath(db)))
    return [_result(i.outcome, i.expectation, i.judgement, i.stored) for i in report.items]


def matrix(path, *, dialect: str | None = None, targets: Sequence[str] | None = None, timeout: float | None = None,
           unroll: int = 2, languages: bool = True, emit_dir: str | None = None):
    """`weakmem matrix` from Python: compile a C litmus test for every CPU
    and check each next to SC and the language models.  Returns a
    weakmem.matrix.core.Matrix (dataclasses: `dataclasses.asdict(m)`, or
    `[row.as_json() for row in m.rows]`)."""
    from weakmem.matrix.core import build_matrix
    return build_matrix(os.fspath(path), dialect=dialect, targets=list(targets) if targets else None,
                        timeout=timeout, unroll=unroll, emit_dir=emit_dir, languages=languages)
