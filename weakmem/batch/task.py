"""One test, checked wherever a batch sends it (a worker process, a Dask
worker, or in-process), through the engine's public functions only:
weakmem.litmus.parse.parse_litmus and weakmem.run.ModelCache/Options/check_test.

`Task` goes in, `Outcome` comes out; both are small picklable dataclasses.
"""
from __future__ import annotations

import os
import signal
import time
from dataclasses import asdict, dataclass, field

from weakmem.run import ModelCache, Options


@dataclass
class Task:
    path: str
    text: str                       # the file's text (read once, by the parent, which also hashes it)
    opts: Options
    key: str = ""                   # the results-store key (test, model, options, version)
    detail: bool = False            # also describe a witness and explain the verdict (API, pytest)


@dataclass
class Outcome:
    """What checking one test produced (no expectation, no judgement)."""
    file: str
    test: str = ""
    model: str = ""
    verdict: str | None = None      # Always | Sometimes | Never (None: error or undetermined)
    pos: int = 0
    neg: int = 0
    states: list[str] = field(default_factory=list)   # herd7's spelling, sorted
    flags: list[str] = field(default_factory=list)
    condition: str = ""
    kind: str = ""                  # Allowed | Forbidden | Required
    ok: bool | None = None          # herd7's Ok/No
    seconds: float = 0.0
    cpu: float = 0.0                # CPU seconds of the process that checked it (0 when stored)
    undetermined: str | None = None  # why no verdict (time or memory limit)
    error: str | None = None        # one line, `FILE:LINE:COL: error: ...`
    error_line: int = 0
    error_col: int = 0
    crashed: bool = False           # the process checking it died
    witness: str | None = None      # detail: an allowed execution with the outcome
    explanation: str | None = None  # detail: why the verdict (weakmem.explain when present)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def storable(self) -> bool:
        """Worth keeping in a results store: a verdict, or an error in the
        input (not a time/memory limit or a crash, which a rerun may beat)."""
        return not self.undetermined and not self.crashed and not (self.error and "internal error" in self.error)


_CACHE: ModelCache | None = None


def _cache() -> ModelCache:
    global _CACHE
    if _CACHE is None:
        _CACHE = ModelCache()
    return _CACHE


def _test_hooks(path: str) -> None:
    """Fault injection for weakmem's own test suite (inert unless the
    environment names this file): WEAKMEM_BATCH_CRASH=PATH makes the worker
    die by SIGKILL, WEAKMEM_BATCH_HANG=PATH makes it ignore its deadline
    (sleeping uses no CPU, so the CPU-time watchdog of weakmem.limits never
    fires), WEAKMEM_BATCH_HOG=PATH makes it allocate without end."""
    if os.environ.get("WEAKMEM_BATCH_CRASH") == path:
        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("WEAKMEM_BATCH_HANG") == path:
        while True:
            time.sleep(1)
    if os.environ.get("WEAKMEM_BATCH_HOG") == path:
        from weakmem import limits
        hog = []
        while True:
            hog.append(bytearray(32 << 20))
            limits.check_now()


def run_task(task: Task, hooks: bool = True) -> Outcome:
    """Check one test; never raises (errors become the outcome's `error`).
    hooks=False: without the test suite's fault injection (a warm-up run)."""
    from weakmem import limits
    from weakmem.errors import LimitReached, WeakmemError
    from weakmem.litmus.parse import parse_litmus
    from weakmem.run import limit_result

    t0, c0 = time.monotonic(), time.process_time()
    out = Outcome(task.path)
    opts = task.opts
    test = lm = None
    try:
        # one deadline and one memory budget for all that is done for this test
        with limits.budget(opts.timeout, opts.memory):
            if hooks:
                _test_hooks(task.path)
            test = parse_litmus(task.path, task.text)
            with limits.budget(opts.timeout, opts.memory, own=True):    # a model serves every test
                lm = _cache().get(opts, test.arch, test)
            res, witness, why = check_explained(test, lm, opts, task.detail)
        fill_outcome(out, res)
        out.witness, out.explanation = witness, why
    except LimitReached as e:
        fill_outcome(out, limit_result(task.path, test, lm, opts, e.what))
    except WeakmemError as e:
        out.error = str(e) if e.pos is not None else f"{task.path}: error: {e.msg}"
        if e.pos is not None:
            out.error_line, out.error_col = e.pos.line, e.pos.col
    except RecursionError:
        out.error = f"{task.path}: error: test too deeply nested to analyse"
    except MemoryError:
        out.undetermined = "memory limit"
    except Exception as e:  # noqa: BLE001 -- reported, never a traceback
        out.error = f"{task.path}: internal error: {type(e).__name__}: {e} (please report)"
    out.seconds = time.monotonic() - t0
    out.cpu = time.process_time() - c0
    return out


def fill_outcome(out: Outcome, res) -> None:
    """Copy a weakmem.verdict.TestResult into `out`."""
    from weakmem.report.herd import state_line
    v = res.verdict
    out.test = res.name
    out.model = res.model
    out.kind = v.kind
    out.condition = res.condition_text
    out.pos, out.neg = res.pos, res.neg
    out.states = sorted(state_line(s) for s in res.states)
    out.flags = sorted(res.flags)
    if res.undetermined:
        out.undetermined = res.undetermined
        return
    out.verdict = v.observation
    out.ok = v.ok


def check_explained(test, lm, opts: Options, detail: bool):
    """check_test, and with `detail` a witness (text) and the explanation of
    the verdict: weakmem.explain when present (it checks the test itself,
    so nothing runs twice), else the report's --explain text."""
    from weakmem.errors import LimitReached, WeakmemError
    from weakmem.run import check_test
    if detail:
        try:
            from weakmem.explain import explain
            from weakmem.explain.render import render_text, witness_text
        except ImportError:
            explain = None
        if explain is not None:
            try:
                ex = explain(test, lm, opts)
            except (WeakmemError, LimitReached, RecursionError, MemoryError):
                raise
            except Exception:  # noqa: BLE001 -- an explanation never costs the verdict
                ex = None
            if ex is not None and ex.result is not None:
                witness = _text(witness_text(ex.witness)) if ex.witness is not None else None
                return ex.result, witness, _text(render_text(ex).splitlines())
    res = check_test(test, lm, opts)
    if not detail or res.undetermined:
        return res, None, None
    try:
        from weakmem.report.explain import explain as old_explain, explain_candidate
    except ImportError:
        return res, None, None
    witness = None
    if res.witness is not None:
        witness = _text(explain_candidate(res.witness, "witness (an allowed execution with this outcome):"))
    return res, witness, _text(old_explain(res).splitlines())


def _text(lines: list[str]) -> str | None:
    import textwrap
    text = textwrap.dedent("\n".join(lines)).strip("\n")
    return text or None
