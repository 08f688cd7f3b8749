"""What a batch's fork server imports before it forks the workers, so that no
worker pays for it on its first test: the engine's modules, including those
the check path imports only when it first needs them, and, when the parent
names one (WARMUP_ENV: the path of a pickled Task), one small test of the
batch checked once here, which loads and parses the batch's model and macro
table into weakmem.batch.task's model cache (every forked worker inherits
it).  Nothing here may stop the fork server: any failure only means colder
workers.
"""
from __future__ import annotations

import dataclasses
import importlib
import os
import pickle

WARMUP_ENV = "WEAKMEM_BATCH_WARMUP"
WARMUP_SECONDS = 1.0                # the warm-up test's own time limit

# imported by the check path on first use (run_task, ModelCache.get, the C front-end, reporting);
# and the command line: a worker started under the `weakmem` script re-runs that script (as
# multiprocessing does with a main script), which imports weakmem.cli
MODULES = ("weakmem.batch.task", "weakmem.litmus.parse", "weakmem.dialects.detect", "weakmem.diskcache",
           "weakmem.report.herd", "weakmem.semantics.c", "weakmem.semantics.runner",
           "weakmem.semantics.values", "weakmem.version", "weakmem.cli")


def _warm() -> None:
    for name in MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    path = os.environ.get(WARMUP_ENV)
    if not path:
        return
    try:
        from weakmem.batch.task import run_task
        with open(path, "rb") as f:
            task = pickle.load(f)
        opts = task.opts
        timeout = WARMUP_SECONDS if opts.timeout is None else min(opts.timeout, WARMUP_SECONDS)
        task = dataclasses.replace(task, opts=dataclasses.replace(opts, timeout=timeout, memory=None),
                                   detail=False)
        run_task(task, hooks=False)
    except Exception:  # noqa: BLE001 -- a cold worker is still a correct worker
        pass


_warm()
