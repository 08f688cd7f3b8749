"""Bounded, killable job execution for the web server.

Every request runs in its own child process (forked from a forkserver that
has weakmem preloaded, so a child starts in milliseconds and shares nothing
mutable with the server).  The child gets a memory cap (RLIMIT_AS) and runs
the engine with its own deadline a little shorter than the request's limit,
so that it normally answers "Undetermined: time limit" itself; if it does
not answer in time it is killed and the request gets the same honest
answer.  At most `workers` children run at once; the rest wait in a queue
whose length is bounded (a full queue is refused with "busy").
"""
from __future__ import annotations

import asyncio
import multiprocessing as mp
import os
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    workers: int = max(1, os.cpu_count() or 1)
    seconds: float = 10.0          # wall time per request, queueing excluded
    memory_mb: int = 1024          # address-space cap of a worker process
    max_queue: int = 64            # requests waiting beyond the running ones
    max_bytes: int = 64 * 1024     # size of a test or a pasted model


class Busy(Exception):
    """The queue is full: the request is refused rather than kept waiting."""


def _child(conn, job: str, payload: dict, seconds: float, memory_mb: int) -> None:
    import resource

    try:
        cap = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    except (ValueError, OSError):
        pass
    from weakmem.web import jobs
    try:
        out = jobs.run_job(job, payload, seconds)
    except MemoryError:
        out = {"undetermined": f"memory limit of {memory_mb} MB reached"}
    except BaseException as e:          # never let a child die silently
        out = {"error": f"internal error: {type(e).__name__}: {str(e)[:200]}"}
    try:
        conn.send(out)
    finally:
        conn.close()


class JobPool:
    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits()
        self._sem = asyncio.Semaphore(self.limits.workers)
        self.running = 0
        self.waiting = 0
        self.done = 0
        self.killed = 0
        try:
            self._ctx = mp.get_context("forkserver")
            self._ctx.set_forkserver_preload(["weakmem.web.jobs"])
        except ValueError:             # platforms without forkserver
            self._ctx = mp.get_context("spawn")

    def status(self) -> dict:
        return {"running": self.running, "queued": self.waiting, "workers": self.limits.workers,
                "done": self.done, "killed": self.killed, "seconds": self.limits.seconds}

    async def run(self, job: str, payload: dict) -> dict:
        if self.waiting >= self.limits.max_queue:
            raise Busy(f"{self.waiting} requests are already waiting; try again shortly")
        t_queued = time.monotonic()
        self.waiting += 1
        try:
            await self._sem.acquire()
        finally:
            self.waiting -= 1
        queued = time.monotonic() - t_queued
        self.running += 1
        try:
            out = await asyncio.get_running_loop().run_in_executor(None, self._run_child, job, payload)
        finally:
            self.running -= 1
            self.done += 1
            self._sem.release()
        out.setdefault("queued_seconds", round(queued, 3))
        return out

    def _run_child(self, job: str, payload: dict) -> dict:
        lim = self.limits
        recv, send = self._ctx.Pipe(duplex=False)
        # the engine's own deadline leaves time to report before the kill
        engine_seconds = max(0.5, lim.seconds - 1.0)
        proc = self._ctx.Process(target=_child, args=(send, job, payload, engine_seconds, lim.memory_mb),
                                 daemon=True)
        proc.start()
        send.close()
        try:
            if recv.poll(lim.seconds):
                try:
                    return recv.recv()
                except EOFError:
                    proc.join(1)
                    return {"error": f"the worker stopped unexpectedly (exit {proc.exitcode})"}
            self.killed += 1
            return {"undetermined": f"time limit of {lim.seconds:g} s reached; the worker was stopped"}
        finally:
            recv.close()
            if proc.is_alive():
                proc.kill()
            proc.join(2)
