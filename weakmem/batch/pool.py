"""Worker processes that lose only the test they were running when they die.

concurrent.futures.ProcessPoolExecutor marks the whole pool broken when one
worker dies, so every queued test would be lost; here each worker is a
multiprocessing.Process with its own pipe.  The parent hands out one test at
a time, watches each worker's pipe and process sentinel, and when a worker
dies (crash, SIGKILL, the kernel's OOM killer) or overruns the hard time
limit, reports that one test and starts a fresh worker.

Workers start from a fork server (a clean process that has imported the
engine and checked one small test of the batch, so that its model is loaded:
weakmem.batch.preload) rather than forking the caller, which may run threads
(the progress bar); on platforms without it they are spawned.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import signal
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import wait
from typing import Callable, Iterable

from weakmem.batch.preload import WARMUP_ENV
from weakmem.batch.task import Outcome, Task, run_task


def _worker_main(conn, environ) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent decides when to stop
    os.environ.clear()                               # the caller's environment, not the fork server's
    os.environ.update(environ)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(run_task(task))


def _context():
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["weakmem.batch.preload"])
        return ctx
    return mp.get_context("spawn")


@dataclass
class _Worker:
    proc: object
    conn: object
    task: Task | None = None
    started: float = 0.0


def hard_limit(timeout: float | None) -> float | None:
    """When the parent stops waiting for a worker: the engine checks its own
    deadline between executions, so this only catches a test that stops
    checking it (a long model evaluation, a stuck front-end)."""
    if timeout is None:
        return None
    return timeout + max(2.0, timeout * 0.5)


def signal_name(code: int | None) -> str:
    if code is None:
        return "unknown"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


class ProcessPool:
    def __init__(self, jobs: int, timeout: float | None = None):
        self.jobs = max(1, jobs)
        self.limit = hard_limit(timeout)
        self.ctx = _context()
        self.workers: list[_Worker] = []

    def _start(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        environ = {k: v for k, v in os.environ.items() if k != WARMUP_ENV}
        p = self.ctx.Process(target=_worker_main, args=(child, environ), daemon=True)
        p.start()
        child.close()
        return _Worker(p, parent)

    def _stop(self, w: _Worker, kill: bool = False) -> None:
        try:
            if kill:
                w.proc.kill()
            else:
                w.conn.send(None)
        except (OSError, ValueError):
            pass
        w.proc.join(timeout=2 if not kill else 5)
        if w.proc.is_alive():
            w.proc.kill()
            w.proc.join(timeout=5)
        w.conn.close()

    def run(self, tasks: Iterable[Task], on_done: Callable[[Task, Outcome], None],
            on_start: Callable[[Task], None] | None = None) -> None:
        """Check every task; call on_done(task, outcome) in the caller's
        process as each finishes (in completion order)."""
        queue = deque(tasks)
        n = min(self.jobs, len(queue))
        self.workers = self._start_all(n, queue)
        try:
            while True:
                for w in self.workers:
                    if w.task is None and queue:
                        t = queue.popleft()
                        try:
                            w.conn.send(t)
                        except (OSError, ValueError):
                            queue.appendleft(t)      # dead before it started: replaced below
                            self._replace(w)
                            continue
                        w.task, w.started = t, time.monotonic()
                        if on_start is not None:
                            on_start(t)
                busy = [w for w in self.workers if w.task is not None]
                if not busy:
                    break
                handles = [w.conn for w in busy] + [w.proc.sentinel for w in busy]
                wait(handles, timeout=0.5)
                now = time.monotonic()
                for w in busy:
                    t = w.task
                    eof = False
                    if w.conn.poll():
                        try:
                            out = w.conn.recv()
                        except (EOFError, OSError):
                            eof = True
                        else:
                            w.task = None
                            on_done(t, out)
                            continue
                    if eof or not w.proc.is_alive():
                        w.proc.join(timeout=5)
                        why = signal_name(w.proc.exitcode)
                        out = Outcome(t.path, crashed=True, seconds=now - w.started,
                                      error=f"{t.path}: error: the worker process checking it died ({why})")
                        self._replace(w)
                        on_done(t, out)
                    elif self.limit is not None and now - w.started > self.limit:
                        out = Outcome(t.path, crashed=True, seconds=now - w.started,
                                      undetermined=f"no answer within {self.limit:g} s (worker stopped)")
                        self._replace(w)
                        on_done(t, out)
        finally:
            for w in self.workers:
                self._stop(w, kill=w.task is not None)
            self.workers = []

    def _start_all(self, n: int, queue: deque) -> list[_Worker]:
        """n workers; when the fork server starts now and the batch has more
        tests than workers, it first checks the shortest test (by size) to
        load the batch's model once for every worker."""
        warm = None
        if self.ctx.get_start_method() == "forkserver" and len(queue) > n:
            try:
                fd, warm = tempfile.mkstemp(prefix="weakmem-warmup-", suffix=".pickle")
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(min(queue, key=lambda t: len(t.text)), f)
                os.environ[WARMUP_ENV] = warm
            except OSError:
                warm = None
        try:
            return [self._start() for _ in range(n)]
        finally:
            if warm is not None:
                os.environ.pop(WARMUP_ENV, None)
                try:
                    os.unlink(warm)
                except OSError:
                    pass

    def _replace(self, w: _Worker) -> None:
        """A fresh worker in place of a dead or overrunning one."""
        self._stop(w, kill=True)
        nw = self._start()
        w.proc, w.conn, w.task, w.started = nw.proc, nw.conn, None, 0.0


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
