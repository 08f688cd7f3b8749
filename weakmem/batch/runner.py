"""A batch: collect tests, skip what the store already has, check the rest on
worker processes or a Dask cluster, judge every outcome, store it."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from weakmem.batch.expect import Expectation, Judgement, find_expectation, judge
from weakmem.batch.store import Key, Store, StoreError, open_store
from weakmem.batch.task import Outcome, Task, run_task
from weakmem.paths import LIB_DIR, MODELS_DIR, PKG_DIR
from weakmem.config import Options

MODEL_SUFFIXES = (".cat", ".cfg", ".def", ".bell")


@dataclass
class BatchConfig:
    opts: Options = field(default_factory=Options)
    jobs: int | None = None          # worker processes (None: every core); 0: in this process
    db: str | None = None            # results store
    dask: str | None = None          # "local" or a scheduler address
    dask_workers: int | None = None  # --dask local: number of workers
    detail: bool = False             # witness + explanation in every outcome
    args: str = ""                   # the command line, recorded with a stored run


@dataclass
class Item:
    """One test of a batch: what it expects, what it did, the judgement."""
    file: str
    expectation: Expectation | None
    outcome: Outcome
    judgement: Judgement
    stored: bool = False

    def as_dict(self) -> dict:
        o = self.outcome
        e = self.expectation
        return {
            "file": self.file, "test": o.test, "model": o.model,
            "expected": e.text if e else None, "expectation_source": e.source if e else None,
            "verdict": o.verdict, "pos": o.pos, "neg": o.neg, "states": o.states, "flags": o.flags,
            "condition": o.condition, "judgement": self.judgement.judgement, "reason": self.judgement.reason,
            "stored": self.stored, "seconds": round(o.seconds, 4), "cpu": round(o.cpu, 4), "undetermined": o.undetermined,
            "error": o.error,
        }


@dataclass
class BatchReport:
    items: list[Item] = field(default_factory=list)
    seconds: float = 0.0
    store_error: str | None = None   # the results store could not be used
    run_id: int | None = None
    backend: str = ""

    def count(self, judgement: str) -> int:
        return sum(1 for i in self.items if i.judgement.judgement == judgement)

    @property
    def ok(self) -> bool:
        """Everything matched: no failure, no error, nothing undetermined
        (tests without an expectation do not count), and the store worked."""
        return not self.store_error and not any(
            i.judgement.judgement in ("fail", "error", "undetermined") for i in self.items)


# ---------------------------------------------------------------------------
# collecting tests and keys
# ---------------------------------------------------------------------------
def collect(paths: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """`*.litmus` files under `paths` (files as given, directories
    recursively, sorted); and (path, error) for paths that do not exist."""
    files: list[str] = []
    missing: list[tuple[str, str]] = []
    seen = set()
    for p in paths:
        if os.path.isdir(p):
            found = sorted(str(f) for f in Path(p).rglob("*.litmus") if f.is_file() or f.is_symlink())
        elif os.path.exists(p) or os.path.islink(p):
            found = [p]
        else:
            missing.append((p, f"{p}: error: no such file or directory"))
            continue
        for f in found:
            if f not in seen:
                seen.add(f)
                files.append(f)
    return files, missing


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def version_key() -> str:
    """weakmem's version and a hash of its own sources (an edited engine
    never reuses answers stored by another)."""
    from weakmem.version import __version__
    h = hashlib.sha256()
    root = PKG_DIR
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix in (".py", ".lark") + MODEL_SUFFIXES and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return f"{__version__}+{h.hexdigest()[:16]}"


def model_hash(opts: Options) -> str:
    """A hash of every model file a run can read: the built-in models, the
    named model/configuration files and the model files (.cat .cfg .def
    .bell) in their directories and in every -I directory."""
    h = hashlib.sha256()
    dirs = [str(MODELS_DIR), str(LIB_DIR)] + list(opts.includes)
    for named in (opts.model, opts.conf):
        if named and os.path.exists(named):
            dirs.append(os.path.dirname(os.path.abspath(named)))
            h.update(b"file\0" + Path(named).read_bytes())
    for d in dict.fromkeys(os.path.abspath(d) for d in dirs):
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            if f.endswith(MODEL_SUFFIXES):
                try:
                    data = Path(d, f).read_bytes()
                except OSError:
                    continue
                h.update(f.encode() + b"\0" + _sha(data).encode())
    return h.hexdigest()[:32]


def options_key(opts: Options) -> str:
    """The options that can change an answer (not the time or memory limits)."""
    return json.dumps({"model": opts.model, "conf": opts.conf, "unroll": opts.unroll,
                       "variants": sorted(opts.variants), "optace": opts.optace, "hexa": opts.hexa,
                       "includes": [os.path.abspath(i) for i in opts.includes]}, sort_keys=True)


# ---------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------
class Progress:
    """What a batch tells its caller as it goes (the CLI draws a bar)."""

    def start(self, total: int, stored: int) -> None: ...

    def done(self, item: Item) -> None: ...

    def finish(self) -> None: ...


def run_batch(paths: list[str], cfg: BatchConfig, progress: Progress | None = None) -> BatchReport:
    t0 = time.monotonic()
    progress = progress or Progress()
    report = BatchReport()
    files, missing = collect(paths)
    store: Store | None = None
    if cfg.db:
        try:
            store = open_store(cfg.db)
        except StoreError as e:
            report.store_error = f"{cfg.db}: error: {e}; results are not stored"
    version = version_key() if store is not None else ""
    mhash = model_hash(cfg.opts) if store is not None else ""
    okey = options_key(cfg.opts)

    items: dict[str, Item] = {}
    tasks: list[Task] = []
    expectations: dict[str, Expectation | None] = {}
    keys: dict[str, Key] = {}
    for p, err in missing:
        items[p] = Item(p, None, Outcome(p, error=err), Judgement("error", err))
    if store is not None:
        try:
            report.run_id = store.start_run(cfg.args, mhash, okey, version, len(files))
        except Exception as e:  # noqa: BLE001 -- sqlite3.Error (disk full, locked too long)
            report.store_error = f"{cfg.db}: error: {e}; results are not stored"
            store.close()
            store = None
    stored_items: list[Item] = []
    for f in files:
        try:
            with open(f, "rb") as fh:
                data = fh.read()
        except OSError as e:
            err = f"{f}: error: cannot read litmus file: {e.strerror or e}"
            items[f] = Item(f, None, Outcome(f, error=err), Judgement("error", err))
            continue
        text = data.decode("utf-8", errors="replace")
        exp = find_expectation(f, text)
        expectations[f] = exp
        key = Key(_sha(data), mhash, okey, version)
        keys[f] = key
        if store is not None:
            found = store.lookup(key, f)
            if found is not None:
                _, out = found
                item = Item(f, exp, out, _judge(exp, out), stored=True)
                items[f] = item
                stored_items.append(item)
                continue
        tasks.append(Task(f, text, cfg.opts, key=key.test_hash, detail=cfg.detail))

    progress.start(len(items) + len(tasks), len(stored_items))
    for item in list(items.values()):
        if store is not None:
            _record(store, report, item, keys.get(item.file))
        progress.done(item)

    def done(task: Task, out: Outcome) -> None:
        exp = expectations.get(task.path)
        item = Item(task.path, exp, out, _judge(exp, out))
        items[task.path] = item
        if store is not None:
            _record(store, report, item, keys.get(task.path))
        progress.done(item)

    try:
        if tasks:
            if cfg.dask:
                from weakmem.batch.cluster import run_dask
                report.backend = f"dask {cfg.dask}"
                dask_opts = dataclasses.replace(cfg.opts, memory=None)   # Dask bounds a worker's memory
                for t in tasks:                                          # itself (--memory-limit)
                    t.opts = dask_opts
                run_dask(tasks, done, cfg.dask, cfg.dask_workers)
            elif cfg.jobs == 0:
                report.backend = "in-process"
                for t in tasks:
                    done(t, run_task(t))
            else:
                from weakmem.batch.pool import ProcessPool, default_jobs
                jobs = cfg.jobs or default_jobs()
                report.backend = f"{min(jobs, len(tasks))} worker processes"
                ProcessPool(jobs, cfg.opts.timeout).run(tasks, done)
        if store is not None and report.run_id is not None and report.store_error is None:
            store.finish_run(report.run_id)
    finally:
        progress.finish()
        if store is not None:
            store.close()
    report.items = sorted(items.values(), key=lambda i: i.file)
    report.seconds = time.monotonic() - t0
    return report


def _judge(exp: Expectation | None, out: Outcome) -> Judgement:
    return judge(exp, verdict=out.verdict, pos=out.pos, neg=out.neg, flags=out.flags, states=out.states,
                 error=out.error, undetermined=out.undetermined)


def _record(store: Store, report: BatchReport, item: Item, key: Key | None) -> None:
    if report.store_error is not None:
        return
    try:
        store.record(report.run_id, key, item.outcome, item.stored, item.judgement.judgement,
                     item.expectation.text if item.expectation else None, item.judgement.reason)
    except Exception as e:  # noqa: BLE001 -- sqlite3.Error: keep checking, say the store failed
        report.store_error = f"{store.path}: error: cannot write results: {e}"
