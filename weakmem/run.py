"""Check one litmus test: parse -> semantics -> explore -> model -> verdict.

    lm = ModelCache().get(opts, test.arch, test)
    res = check_test(test, lm, opts)          # TestResult

The stages meet here and nowhere else: the front-end makes each thread's
traces, `Exploration` streams the candidate executions, `judge` pairs each
with the model's outcomes and the verdict's `Collector` consumes them.
Another consumer (an explanation, a fix search) reads the same stream.
`Options`, `ModelCache` and model loading live in weakmem.config."""
from __future__ import annotations

import os
import time
from dataclasses import replace

from weakmem import limits
from weakmem.cat.eval import EvalCache
from weakmem.cat.judge import annotation_checker, judge
from weakmem.cat.partial import refuter_for
from weakmem.config import LoadedModel, ModelCache, Options, load_model_for  # noqa: F401  (the check's API)
from weakmem.errors import LimitReached, Timeout, WeakmemError
from weakmem.explore.engine import Deadline
from weakmem.explore.executions import Exploration
from weakmem.litmus import ast as A
from weakmem.litmus.cond import array_sizes, holds, holds3
from weakmem.semantics.frontends import frontend_for
from weakmem.verdict import Collector, TestResult, condition_str

def deciding(test: A.Litmus):
    """For --verdict-only: which executions can decide the condition --
    for `exists P` / `~exists P` one allowed execution satisfying P, for
    `forall P` one violating it.  Returns want(regs, mem) on a complete
    execution and want_regs(regs, threads) on the registers of some threads
    (None: cannot tell yet)."""
    prop = test.condition.prop
    arrays = array_sizes(test)
    need = test.condition.quantifier != A.Quantifier.FORALL     # the value of P sought

    def want(regs, mem) -> bool:
        return holds(prop, regs, mem, arrays) == need

    def want_regs(regs, threads) -> bool | None:
        v = holds3(prop, regs, threads)
        return None if v is None else v == need
    return want, want_regs



def read_test(test: A.Litmus, lm: LoadedModel, opts: Options) -> A.Litmus:
    """The test as its front-end reads it (registers under their canonical
    names, constants at the type of what they are compared with): what a
    result's states and an execution's registers speak of.  A consumer that
    reads the condition next to the executions (weakmem.explain) checks this
    test; checking it again reads it the same way."""
    return frontend_for(test, lm.macros, opts.unroll).test


def check_test(test: A.Litmus, lm: LoadedModel, opts: Options, observe=None) -> TestResult:
    """Parse tree -> front-end traces -> executions -> model -> verdict,
    within the options' time and memory limits (a test that runs out of
    either ends Undetermined).  `observe(execution, outcome)`, if given,
    also sees every outcome, with the model's failure hook on
    (weakmem.explain is such a consumer); nothing is pruned then."""
    if opts.jobs > 1 and opts.share is None and observe is None:
        return _check_parallel(test, lm, opts)
    with limits.budget(opts.timeout, opts.memory):
        return _check_test(test, lm, opts, observe)


def _check_parallel(test: A.Litmus, lm: LoadedModel, opts: Options) -> TestResult:
    """-j: `opts.jobs` forked processes each take every jobs-th choice of
    thread traces (weakmem.explore.executions.Exploration `share`); their
    counts, states and flags add up to those of one process.  With
    --verdict-only the first process to decide the condition ends the others."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    t0 = time.monotonic()
    ctx = mp.get_context("fork")
    n = opts.jobs
    conns, procs = [], []
    for k in range(n):
        rd, wr = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_share_worker, args=(test, lm, replace(opts, share=(k, n)), wr), daemon=True)
        p.start()
        wr.close()
        conns.append(rd)
        procs.append(p)
    parts: list = []
    try:
        waiting = list(conns)
        while waiting:
            for c in wait(waiting):
                waiting.remove(c)
                try:
                    kind, val = c.recv()
                except EOFError:
                    kind, val = "error", WeakmemError("a worker process died")
                if kind == "error":
                    raise val
                parts.append(val)
                if opts.verdict_only and (val.pos or val.neg):
                    waiting = []          # decided: the other shares are not needed
                    break
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join()
    res = TestResult.of_test(test, lm.name, lm.hexa)
    res.verdict_only = opts.verdict_only
    for part in sorted(parts, key=lambda r: r.share_index):
        res.condition_text = part.condition_text
        for st, c in part.states.items():
            res.states[st] = res.states.get(st, 0) + c
        res.pos += part.pos
        res.neg += part.neg
        res.flags |= part.flags
        res.candidates += part.candidates
        for why, c in part.forbidden_by.items():
            res.forbidden_by[why] = res.forbidden_by.get(why, 0) + c
        res.undetermined = res.undetermined or part.undetermined
    if opts.verdict_only and (res.pos or res.neg):
        res.undetermined = None           # a share that was stopped decides nothing
    res.seconds = time.monotonic() - t0
    return res


STATES_WITHIN = 1.0     # seconds the text format spends counting every final state before it answers the verdict alone


def check_within(test: A.Litmus, lm: LoadedModel, opts: Options, seconds: float = STATES_WITHIN) -> TestResult:
    """The text format's default: every final state when counting them all
    takes at most `seconds`; past that, the verdict alone, from a
    verdict-directed search (`opts.verdict_only`), with `states_cut` saying
    how long the counting ran.  The test's own limits (`opts.timeout`,
    the enclosing budget) bound both searches together."""
    t0 = time.monotonic()
    with limits.budget(seconds):
        res = check_test(test, lm, opts)
    if res.undetermined != Timeout.what:
        return res
    own_left = None if opts.timeout is None else opts.timeout - (time.monotonic() - t0)
    outer_left = limits.remaining()          # an enclosing budget (weakmem run's, per file)
    if any(left is not None and left <= 0 for left in (own_left, outer_left)):
        return res                            # the test's own time limit: Undetermined
    quick = check_test(test, lm, replace(opts, verdict_only=True, timeout=own_left))
    quick.states_cut = seconds
    quick.seconds = time.monotonic() - t0
    return quick


def _share_worker(test, lm, opts: Options, conn) -> None:
    """One share of a test (a forked process): its result, without the
    executions kept for explanations, goes back through `conn`."""
    try:
        res = check_test(test, lm, opts)
        res.witness = res.counterexample = res.blocked = None
        res.share_index = opts.share[0]
        conn.send(("ok", res))
    except WeakmemError as e:
        conn.send(("error", e))
    except BaseException as e:       # never a traceback from a worker
        conn.send(("error", WeakmemError(f"internal error in a worker: {type(e).__name__}: {e}")))
    finally:
        conn.close()


def limit_result(path: str, test: A.Litmus | None, lm: LoadedModel | None, opts: Options,
                 what: str) -> TestResult:
    """The Undetermined result of a test that ran out of `what` ("time limit",
    "memory limit") before its check started (while parsing or loading the model)."""
    name = test.name if test is not None else os.path.basename(path)
    name = name[:-len(".litmus")] if name.endswith(".litmus") else name
    res = TestResult(name, path, lm.name if lm is not None else os.path.basename(opts.model or opts.conf or "its model"))
    res.undetermined = what
    if test is not None and test.condition is not None:
        res.quantifier = test.condition.quantifier
        res.condition_text = condition_str(test.condition, False)
    return res


def _check_test(test: A.Litmus, lm: LoadedModel, opts: Options, observe=None) -> TestResult:
    t0 = time.monotonic()
    res = TestResult.of_test(test, lm.name, lm.hexa)
    deadline = Deadline(opts.timeout)
    space = None
    try:
        fe = frontend_for(test, lm.macros, opts.unroll)
        test = fe.test                               # canonical registers, typed constants
        checked = fe.check_annotations(lm.model)    # per instruction (LISA), else per event below
        check_trace = None if checked else annotation_checker(lm.model, test.path)
        cache = EvalCache()
        refuter = refuter_for(lm.model) if opts.prune and observe is None else None
        want = want_regs = None
        if opts.verdict_only:
            want, want_regs = deciding(test)
            res.verdict_only = True
        space = Exploration(test, fe, optace=opts.optace, deadline=deadline, check_trace=check_trace,
                            refuter=refuter, cache=cache, want=want, want_regs=want_regs, share=opts.share)
        res.condition_text = condition_str(test.condition, lm.hexa, space.arrays)
        collect = Collector(res, test, space.arrays, lm.hexa)
        for ex, out in judge(lm.model, space, deadline.check, explain=observe is not None, cache=cache,
                             refuter=refuter):
            collect.add(ex, out)                                  # one outcome per co (with-)branch
            if observe is not None:
                observe(ex, out)
            if opts.verdict_only and out.allowed:
                break             # every execution left decides the condition
    except LimitReached as e:
        res.undetermined = e.what
    except MemoryError:
        res.undetermined = "memory limit"
    res.candidates = space.candidates if space is not None else 0
    res.seconds = time.monotonic() - t0
    return res
