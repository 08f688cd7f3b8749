"""Run a batch on a Dask distributed cluster (the optional extra
`weakmem[cluster]`): `--dask tcp://HOST:PORT` for a running scheduler whose
workers have weakmem installed, `--dask local` for a LocalCluster on this
machine.  Each test is one Dask task running weakmem.batch.task.run_task, the
same function the local worker processes run, so verdicts and the results
store are the same as with `-j`; the store is written here, by the client.

A worker that dies is replaced by Dask, which retries its task on another
worker (distributed.scheduler.allowed-failures); a test that kills every
worker it meets is reported as an error, the rest of the batch goes on.
"""
from __future__ import annotations

import logging
from typing import Callable

from weakmem.batch.task import Outcome, Task, run_task


class ClusterError(Exception):
    pass


def _dask():
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ClusterError("--dask needs Dask distributed: pip install 'weakmem[cluster]'") from None
    return Client, LocalCluster, as_completed


def run_dask(tasks: list[Task], done: Callable[[Task, Outcome], None], address: str,
             workers: int | None = None) -> None:
    Client, LocalCluster, as_completed = _dask()
    cluster = None
    try:
        if address == "local":
            from weakmem.batch.pool import default_jobs
            cluster = LocalCluster(n_workers=workers or default_jobs(), threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(address, timeout="20s")
    except ClusterError:
        raise
    except Exception as e:  # noqa: BLE001 -- OSError, TimeoutError, ValueError from Dask
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"cannot reach the Dask scheduler {address}: {e}") from None
    try:
        futures = {client.submit(run_task, t, pure=False): t for t in tasks}
        for fut in as_completed(futures):
            t = futures[fut]
            try:
                out = fut.result()
            except Exception as e:  # noqa: BLE001 -- KilledWorker, a lost worker, ...
                out = Outcome(t.path, crashed=True,
                              error=f"{t.path}: error: the Dask task checking it failed: {type(e).__name__}: {e}")
            done(t, out)
            futures[fut] = None  # let the task's text go
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
