"""The one executor of ``sa run`` and ``sa run-all``: a Dask cluster.

``sa run`` submits each theme of one pack as a task; ``sa run-all`` submits each
CSP's pack as a task (whose themes then run one after another in the worker's
warm kernel, :mod:`sa_lib.pack.warm`). Both get their cluster from
:func:`dask_client`:

* by default a ``distributed.LocalCluster`` of worker *processes*, one
  single-threaded worker per requested worker (each keeps one warm kernel), each
  watched by a nanny, with no dashboard, and at most one task queued on a worker
  at a time (like a process pool, so no theme waits behind another while a
  worker is idle);
* or the Dask scheduler at an address (``tcp://HOST:8786``): the store and the
  output folder must then be on a path every worker sees.

What the nanny guarantees, so the runner needs no process handling of its own:

* a worker that dies (killed, out of memory) is restarted; its task is
  rescheduled (``sa run-all``) or reported failed (``sa run``);
* ``kill -9`` of ``sa run``: each worker process holds the read end of a pipe
  whose write end only the parent holds, and exits at once when it closes
  (``distributed.process.AsyncProcess._immediate_exit_when_closed``); the
  worker's kernel follows it (ipykernel's parent poller, which jupyter_client
  turns on with ``JPY_PARENT_PID``);
* Ctrl-C / SIGTERM of ``sa run``: the ``with`` block is left by the
  KeyboardInterrupt, the futures are cancelled and the cluster closed with a
  short timeout, after which the nanny kills workers still busy in a notebook.

Examples
--------
>>> from sa_lib.pack.executor import dask_client, run_tasks  # doctest: +SKIP
>>> with dask_client(n_workers=2) as client:  # doctest: +SKIP
...     for key, value in run_tasks(client, pow, {"a": (2, 3), "b": (3, 2)}):
...         print(key, value)
a 8
b 9
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["dask_client", "run_tasks", "CLOSE_TIMEOUT"]

logger = logging.getLogger("sa_lib.pack.executor")

#: Seconds a closing cluster gives its workers before the nannies kill them.
CLOSE_TIMEOUT = 5


@contextmanager
def dask_client(n_workers: int | None = None, scheduler: str | None = None) -> Iterator:
    """A ``distributed.Client`` for the ``with`` block: of ``scheduler``, or of a new local cluster.

    Parameters
    ----------
    n_workers : int, optional
        Local cluster size (default one worker per core); ignored with ``scheduler``.
    scheduler : str, optional
        Address of an existing Dask scheduler; the cluster is then not ours to close.

    Yields
    ------
    distributed.Client
    """
    from distributed import Client

    if scheduler:
        client = Client(scheduler, timeout="30s")
        try:
            yield client
        finally:
            client.close()
        return
    cluster = _local_cluster(n_workers or os.cpu_count() or 1)
    client = Client(cluster)
    try:
        yield client
    finally:
        # After Ctrl-C the nannies kill workers still busy in a notebook and say so at
        # WARNING: expected then, so not shown on the console.
        dlog = logging.getLogger("distributed")
        level = dlog.level
        dlog.setLevel(logging.ERROR)
        try:
            client.close(timeout=CLOSE_TIMEOUT)
            cluster.close(timeout=CLOSE_TIMEOUT)
        finally:
            dlog.setLevel(level)


def _local_cluster(n: int):
    import dask
    from distributed import LocalCluster

    # One task per single-threaded worker at a time (the default queues ceil(1.1) = 2):
    # a notebook never waits behind another on a busy worker while one is idle.
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        return LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # No dashboard; the scheduler's own HTTP endpoint (health checks) on a free
            # local port rather than 8787, which another cluster may hold.
            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        )


def run_tasks(
    client,
    fn: Callable,
    jobs: dict[str, tuple],
    *,
    kwargs: dict[str, dict] | None = None,
    retries: int = 0,
) -> Iterator[tuple[str, object]]:
    """Run ``fn(*args, **kwargs[key])`` for each ``key: args`` of ``jobs``; yield ``(key, result)``
    as each ends.

    A task that raised (or whose worker died more often than Dask allows) yields its
    exception as the result rather than raising. Leaving the loop early (an
    exception, Ctrl-C) cancels the tasks not yet finished.

    Parameters
    ----------
    client : distributed.Client
    fn : callable
        A module-level function (pickled by reference; its module must be importable
        by the workers).
    jobs : dict of str to tuple
        Task key (unique within the run) to the positional arguments of ``fn``.
    kwargs : dict of str to dict, optional
        Task key to the keyword arguments of ``fn``.
    retries : int
        How often Dask reruns a task that raised.
    """
    from distributed import as_completed

    futures = {
        client.submit(
            fn, *args, key=key, pure=False, retries=retries, **(kwargs or {}).get(key, {})
        ): key
        for key, args in jobs.items()
    }
    try:
        for fut, res in as_completed(list(futures), with_results=True, raise_errors=False):
            if fut.status == "error":  # ``res`` is then (type, exception, traceback)
                res = res[1] if isinstance(res, tuple) else fut.exception()
            yield futures[fut], res
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            try:
                client.cancel(pending, force=True)
            except Exception as e:  # noqa: BLE001 - a cluster already going away
                logger.debug("could not cancel %d task(s): %s", len(pending), e)
