"""Check one litmus test: parse -> semantics -> explore -> model -> verdict."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from weakmem import limits
from weakmem.cat.eval import EvalCache
from weakmem.cat.judge import annotation_checker, judge
from weakmem.cat.partial import refuter_for
from weakmem.errors import LimitReached, LitmusError, Pos, WeakmemError
from weakmem.explore.engine import Deadline
from weakmem.explore.executions import Exploration
from weakmem.litmus import ast as A
from weakmem.litmus.cond import array_sizes, holds, holds3
from weakmem.semantics.frontends import frontend_for
from weakmem.verdict import Collector, TestResult, condition_str

MODELS_DIR = Path(__file__).parent / "models"

# herd7's default model per architecture (looked up in -I directories only)
HERD_DEFAULT_CATS = {"X86": "x86tso.cat", "X86_64": "x86tso-mixed.cat", "AArch64": "aarch64.cat",
                     "ARM": "arm.cat", "AArch32": "arm.cat", "PPC": "ppc.cat", "RISCV": "riscv.cat"}

# the model used when none is named, per architecture
DEFAULT_MODELS = {"C": "lkmm", "X86": "x86-tso", "X86_64": "x86-tso", "AArch64": "aarch64",
                  "ARM": "armv7", "AArch32": "armv7", "PPC": "power", "RISCV": "riscv", "LISA": "lkmm"}


@dataclass
class Options:
    model: str | None = None
    conf: str | None = None
    includes: list[str] = field(default_factory=list)
    unroll: int = 2
    timeout: float | None = None
    memory: float | None = None      # MiB (weakmem.limits); None: no budget
    variants: set[str] = field(default_factory=set)
    optace: bool = True
    hexa: bool = False
    bell: str | None = None       # overrides the configuration's bell (herd7's -bell)
    macros: str | None = None     # overrides the configuration's macros (herd7's -macros)
    skipchecks: frozenset[str] = frozenset()   # checks not applied (herd7's -skipcheck; "*": all)
    prune: bool = True            # drop rf prefixes the model refutes (weakmem.cat.partial)
    verdict_only: bool = False    # stop at the first execution that decides the condition
    jobs: int = 1                 # worker processes sharing one test's executions
    share: tuple[int, int] | None = None   # (k, n): this process takes the k-th of n shares


@dataclass
class LoadedModel:
    name: str
    model: object
    macros: object | None
    hexa: bool = False


class ModelCache:
    """Models and macro tables are loaded once per run."""

    def __init__(self):
        self._cache: dict = {}

    def get(self, opts: Options, arch: str, test: A.Litmus | None = None) -> LoadedModel:
        """The model for `arch`; given the test, a C test's dialect (the API
        it calls: weakmem.dialects) picks the macro table and, when no model
        is named, the model."""
        dialect = None
        if arch == "C" and test is not None:
            from weakmem.dialects import detect
            dialect = detect(test)
        key = (opts.model, opts.conf, tuple(opts.includes), tuple(sorted(opts.variants)), arch,
               dialect.name if dialect is not None else None, opts.bell, opts.macros, opts.skipchecks)
        lm = self._cache.get(key)
        if lm is None:
            lm = load_model_for(opts, arch, dialect)
            self._cache[key] = lm
        return lm


def _find(name: str, dirs: list[str]) -> str | None:
    if os.path.isabs(name) or os.path.exists(name):
        return name if os.path.exists(name) else None
    for d in dirs:
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    return None


def builtin_models() -> list[str]:
    """Names `--model` accepts without a path (pieces of models excluded)."""
    from weakmem.models_info import builtin_model_infos
    return [i.name for i in builtin_model_infos()]


def load_model_for(opts: Options, arch: str, dialect=None) -> LoadedModel:
    """Load the model (and, for C, the macro table) for `arch`.

    `dialect` (weakmem.dialects.Dialect, from the test) applies to C tests:
    with no --model/--conf it names the model (QEMU code: qemu, C11: rc11,
    Linux and Xen: lkmm), and unless a user configuration names a `macros`
    file it picks the table that turns the test's API into the events of
    the model's family (docs/dialects.md).  Without it, C tests get the
    LKMM's table, as before."""
    from weakmem.cat.model import load_cfg, load_model
    from weakmem.litmus.macros import load_defs

    search = list(opts.includes)
    variants = set(opts.variants)
    model_file = bell = macros = None
    hexa = opts.hexa
    name = opts.model
    conf = opts.conf
    builtin_cfg = False          # the configuration is a built-in model's, not the user's
    if arch != "C":
        dialect = None
    default_name = DEFAULT_MODELS.get(arch)
    if dialect is not None and dialect.model is not None:
        default_name = dialect.model
    if conf is None and name is None and arch in HERD_DEFAULT_CATS:
        # herd7's library on the include path and no model named: herd7's own
        # default model for the architecture, as herd7 would pick it
        found = _find(HERD_DEFAULT_CATS[arch], search)
        if found is not None:
            name = found
            default_name = os.path.basename(found)
    if conf is None and name is None:
        name = default_name
        if name is None:
            raise WeakmemError(f"no default model for architecture {arch}; name one with --model")
    if conf is None and name is not None and not name.endswith(".cat") and not name.endswith(".cfg"):
        # a built-in model: its .cfg if it has one, else its .cat
        cfg = MODELS_DIR / f"{name}.cfg"
        cat = MODELS_DIR / f"{name}.cat"
        if cfg.exists():
            conf = str(cfg)
            name = None
            builtin_cfg = True
        elif cat.exists():
            name = str(cat)
        else:
            raise WeakmemError(f"unknown model '{name}' (built-in models: {', '.join(builtin_models())})")
    if name is not None and name.endswith(".cfg"):
        conf, name = name, None
    if conf is not None:
        cpath = _find(conf, search)
        if cpath is None:
            raise WeakmemError(f"cannot find configuration file {conf}")
        cfg = load_cfg(cpath)
        cdir = os.path.dirname(os.path.abspath(cpath))
        search = search + [cdir]
        model_file = cfg.model
        bell = cfg.bell
        macros = cfg.macros
        variants |= set(cfg.variants)
        if getattr(cfg, "options", {}).get("hexa") == "true":
            hexa = True
    if name is not None:
        model_file = name
    bell = opts.bell or bell
    macros = opts.macros or macros
    if model_file is None:
        raise WeakmemError("no model given (the configuration names none)")
    mpath = _find(model_file, search + [str(MODELS_DIR)])
    if mpath is None:
        mpath = model_file  # let load_model search its library
    bpath = _find(bell, search + [str(MODELS_DIR)]) if bell else None
    model = load_model(mpath, search_path=search, variants=variants, bell=bpath or bell)
    model.skipped = frozenset(opts.skipchecks)
    table = None
    if arch == "C":
        if dialect is not None and (macros is None or builtin_cfg):
            from weakmem.dialects import model_family, table_path
            if dialect.error:
                raise LitmusError(dialect.error, None)
            fam = model_family(opts.model) or model_family(model_file) or model_family(opts.conf)
            tpath = table_path(dialect.name, fam)
            macros = str(tpath) if tpath is not None else None
        elif macros is None:
            macros = str(MODELS_DIR / "lkmm.def") if (MODELS_DIR / "lkmm.def").exists() else None
        if macros is not None:
            dpath = _find(macros, search + [str(MODELS_DIR)])
            if dpath is None:
                raise WeakmemError(f"cannot find macro file {macros}")
            table = load_defs(dpath)
    label = opts.model or opts.conf or default_name or "?"
    return LoadedModel(os.path.basename(str(label)), model, table, hexa)


def deciding(test: A.Litmus):
    """For --verdict-only: which executions can decide the condition --
    for `exists P` / `~exists P` one allowed execution satisfying P, for
    `forall P` one violating it.  Returns want(regs, mem) on a complete
    execution and want_regs(regs, threads) on the registers of some threads
    (None: cannot tell yet)."""
    prop = test.condition.prop
    arrays = array_sizes(test)
    need = test.condition.quantifier != "forall"     # the value of P sought

    def want(regs, mem) -> bool:
        return holds(prop, regs, mem, arrays) == need

    def want_regs(regs, threads) -> bool | None:
        v = holds3(prop, regs, threads)
        return None if v is None else v == need
    return want, want_regs



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
    from dataclasses import replace
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
        fe_check = getattr(fe, "check_annotations", None)   # per-instruction bell check (LISA)
        if fe_check is not None:
            fe_check(lm.model)
        check_trace = None if fe_check is not None else annotation_checker(lm.model, test.path)
        cache = EvalCache()
        refuter = refuter_for(lm.model) if opts.prune and observe is None else None
        want = want_regs = None
        if opts.verdict_only:
            want, want_regs = deciding(test)
            res.verdict_only = True
        space = Exploration(test, fe, optace=opts.optace, deadline=deadline, check_trace=check_trace,
                            refuter=refuter, cache=cache, want=want, want_regs=want_regs, share=opts.share)
        # assembly front-ends spell the condition as herd7 does (canonical registers, typed constants)
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
