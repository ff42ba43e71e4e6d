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
* or the Dask scheduler at an address (``tls://HOST:8786``): the store and the
  output folder must then be on a path every worker sees.

Who may use the cluster (docs/security.md):

* the local cluster listens on 127.0.0.1 only and speaks TLS with credentials made
  for this run alone (``Security.temporary()``, held in memory, mutual TLS with
  ``require_encryption``): another local user who finds its port cannot connect,
  let alone run code on a worker;
* an external scheduler is reached over ``tls://`` with the user's certificates
  from the Dask configuration (``distributed.comm.tls.ca-file``,
  ``distributed.comm.tls.client.cert`` / ``.key``); plain ``tcp://`` is refused
  for any host but this machine unless ``insecure=True`` (``--insecure``);
* a scheduler that does not answer (a wrong port, an HTTP server) is a
  :class:`SchedulerError` within :data:`CONNECT_TIMEOUT` seconds, not a hang.

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
  The workers' kernels are listed before the cluster closes and ended after it
  (SIGTERM, then SIGKILL): a kernel inside one long C call (``sum(range(10**14))``)
  never runs its parent watch and would otherwise spin on as an orphan.

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

__all__ = [
    "dask_client",
    "run_tasks",
    "check_scheduler",
    "allow_insecure",
    "SchedulerError",
    "CLOSE_TIMEOUT",
    "CONNECT_TIMEOUT",
]

logger = logging.getLogger("sa_lib.pack.executor")

#: Seconds a closing cluster gives its workers before the nannies kill them.
CLOSE_TIMEOUT = 5
#: Seconds to reach an external scheduler before giving up with a clear error.
CONNECT_TIMEOUT = 20

_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


class SchedulerError(ValueError):
    """A scheduler address refused or not reachable; the message says what to do."""


#: Addresses the user allowed plain TCP to (``--insecure``), for this process.
_INSECURE_OK: set[str] = set()


def allow_insecure(address: str) -> None:
    """Allow plain ``tcp://`` to ``address`` for the rest of this process (``--insecure``)."""
    _INSECURE_OK.add(address)


def check_scheduler(address: str, *, insecure: bool = False) -> str:
    """The scheduler ``address`` if it may be used; else :class:`SchedulerError` with the fix.

    ``tls://`` needs the user's certificates in the Dask configuration; ``tcp://``
    (or no scheme) is accepted for this machine only, unless ``insecure``.

    Examples
    --------
    >>> check_scheduler("tcp://127.0.0.1:8786")
    'tcp://127.0.0.1:8786'
    >>> check_scheduler("tcp://10.0.0.5:8786")
    Traceback (most recent call last):
    ...
    sa_lib.pack.executor.SchedulerError: tcp://10.0.0.5:8786 is plain TCP to another host: ...
    """
    scheme, _, rest = address.rpartition("://")
    scheme = scheme or "tcp"
    host = rest.rsplit(":", 1)[0] if rest.count(":") == 1 or rest.startswith("[") else rest
    port = rest.rsplit(":", 1)[1] if ":" in rest else ""
    if not host or any(ord(c) < 32 for c in address) or (port and not port.isdigit()):
        raise SchedulerError(
            f"{address!r} is not a scheduler address. Fix: give it as tls://HOST:PORT."
        )
    if scheme == "tls":
        _user_security()
        return address
    if scheme != "tcp":
        raise SchedulerError(
            f"{address}: only tls:// (or tcp:// on this machine) is supported. "
            "Fix: give the scheduler as tls://HOST:PORT."
        )
    if host not in _LOCAL_HOSTS and not insecure:
        raise SchedulerError(
            f"{address} is plain TCP to another host: anyone on the network could read "
            "the data or run code on its workers. Fix: run the scheduler with TLS and give "
            "tls://HOST:PORT (certificates in the Dask configuration: distributed.comm.tls."
            "ca-file, distributed.comm.tls.client.cert and .key), or pass --insecure on a "
            "network you trust."
        )
    return address


def _user_security():
    """The user's TLS credentials from the Dask configuration, or :class:`SchedulerError`."""
    from distributed.security import Security

    sec = Security()
    if not (sec.tls_ca_file and sec.tls_client_cert):
        raise SchedulerError(
            "a tls:// scheduler needs your certificates. Fix: set distributed.comm.tls.ca-file, "
            "distributed.comm.tls.client.cert and distributed.comm.tls.client.key in the Dask "
            "configuration (or DASK_DISTRIBUTED__COMM__TLS__CA_FILE, ..._CLIENT__CERT, "
            "..._CLIENT__KEY)."
        )
    return sec


@contextmanager
def dask_client(
    n_workers: int | None = None, scheduler: str | None = None, *, insecure: bool = False
) -> Iterator:
    """A ``distributed.Client`` for the ``with`` block: of ``scheduler``, or of a new local cluster.

    Parameters
    ----------
    n_workers : int, optional
        Local cluster size (default one worker per core); ignored with ``scheduler``.
    scheduler : str, optional
        Address of an existing Dask scheduler; the cluster is then not ours to close.
        Checked by :func:`check_scheduler`.
    insecure : bool
        Allow plain ``tcp://`` to another host.

    Yields
    ------
    distributed.Client

    Raises
    ------
    SchedulerError
        The address is refused, or no scheduler answers there.
    """
    if n_workers is not None and n_workers < 1:
        raise SchedulerError(f"--workers {n_workers}: give at least 1 worker.")
    if scheduler:
        insecure = insecure or scheduler in _INSECURE_OK
        client = _connect(check_scheduler(scheduler, insecure=insecure))
        try:
            yield client
        finally:
            client.close()
        return
    from distributed import Client

    cluster = _local_cluster(n_workers or os.cpu_count() or 1)
    client = Client(cluster)
    try:
        yield client
    finally:
        # The workers' kernels, taken before the workers go: a kernel busy in one long
        # C call never runs its parent watch, so it would outlive a killed worker.
        kernels = _worker_descendants(cluster)
        # After Ctrl-C the nannies kill workers still busy in a notebook and say so at
        # WARNING: expected then, so not shown on the console.
        dlog = logging.getLogger("distributed")
        level = dlog.level
        dlog.setLevel(logging.ERROR)
        try:
            for close in (client.close, cluster.close):
                try:
                    close(timeout=CLOSE_TIMEOUT)
                except TimeoutError:
                    # The work is done and published; on a loaded machine the workers
                    # can take longer to stop than this (the nannies then kill them).
                    logger.warning("the local cluster took over %s s to close", CLOSE_TIMEOUT)
        finally:
            dlog.setLevel(level)
            _end_processes(kernels)


def _worker_descendants(cluster) -> list:
    """The processes below the local cluster's worker processes (their kernels and theirs).

    Worker pids come from the nannies (``Nanny.pid``). psutil handles, so a pid reused
    after the process ended is never signalled.
    """
    try:
        import psutil

        out = []
        for nanny in getattr(cluster, "workers", {}).values():
            pid = getattr(nanny, "pid", None)
            if pid:
                try:
                    out += psutil.Process(pid).children(recursive=True)
                except psutil.Error:
                    continue
        return out
    except Exception as e:  # noqa: BLE001 - best effort: a platform without process listing
        logger.debug("could not list the workers' processes: %s", e)
        return []


def _end_processes(procs: list, grace: float = 3.0) -> None:
    """SIGTERM each process still running, then SIGKILL those alive after ``grace`` s."""
    if not procs:
        return
    import psutil

    alive = []
    for p in procs:
        try:
            if p.is_running():
                p.terminate()
                alive.append(p)
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(alive, timeout=grace)
    for p in alive:
        try:
            p.kill()
            logger.info("ended process %d (a kernel left by a stopped worker)", p.pid)
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=grace)


def _connect(address: str):
    """A client of the scheduler at ``address``, or :class:`SchedulerError` within the timeout.

    The client is made in a helper thread that is waited for at most
    :data:`CONNECT_TIMEOUT` seconds: a peer that accepts the connection but never
    completes Dask's handshake (an HTTP server, a dashboard port) would otherwise
    hold ``Client()`` for good.
    """
    import threading

    import dask
    from distributed import Client

    security = _user_security() if address.startswith("tls://") else None
    timeout = f"{CONNECT_TIMEOUT}s"
    box: dict = {}

    def make() -> None:
        try:
            with dask.config.set({"distributed.comm.timeouts.connect": timeout}):
                box["client"] = Client(address, timeout=timeout, security=security)
        except Exception as e:  # noqa: BLE001 - reported below as a SchedulerError
            box["error"] = e

    t = threading.Thread(target=make, name="sa-connect", daemon=True)
    t.start()
    t.join(CONNECT_TIMEOUT + 5)
    if "client" in box:
        return box["client"]
    why = f"{type(box['error']).__name__}: {box['error']}" if "error" in box else "no answer"
    raise SchedulerError(
        f"no Dask scheduler answered at {address} within {CONNECT_TIMEOUT} s ({why}). "
        "Fix: check the address and port (the scheduler's port, not its dashboard), "
        "and that it is running."
    )


#: Dask settings of the run's own local cluster (its scheduler and every worker).
#: ``worker-saturation`` 1: one task per single-threaded worker at a time (the default
#: queues ceil(1.1) = 2), so a notebook never waits behind another on a busy worker while
#: one is idle. No statistical profiler (it samples every worker's stack every 10 ms for a
#: dashboard the run never starts), and the event-loop and system monitors every 1-2 s
#: rather than every 20 and 500 ms: an idle worker then uses about a third of the CPU
#: (docs/benchmarks.md). The memory monitor keeps Dask's 100 ms, so worker memory limits
#: act as quickly as before.
LOCAL_CLUSTER_CONFIG = {
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}


def _local_cluster(n: int):
    import dask
    from distributed import LocalCluster
    from distributed.security import Security

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            protocol="tls://",
            # Credentials made for this run, in memory only: mutual TLS, encryption required.
            security=Security.temporary(),
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
            # Let the scheduler forget a finished task: a future still held is recomputed
            # when its worker dies, so a pack already published would be built again,
            # in the background, after the run has returned.
            key = futures.pop(fut)
            fut.release()
            yield key, res
    finally:
        pending = [f for f in futures if not f.done()]
        if pending:
            try:
                client.cancel(pending, force=True)
            except Exception as e:  # noqa: BLE001 - a cluster already going away
                logger.debug("could not cancel %d task(s): %s", len(pending), e)
