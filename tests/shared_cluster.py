"""One local Dask cluster for the tests that fan packs out to a scheduler, alive only while
they run.

An idle local cluster (two worker processes and the scheduler's and client's event loops
in the test process) costs about 4 CPU-seconds a minute in heartbeats and polling.
Started by the first test that asks for it and kept to the end of the session, it idled
for most of the run (about 18 CPU-s of ``make test``). So the modules whose tests use it
run one after another (:func:`run_together`), and it is closed once the last of them is
done (:class:`SharedCluster`); a test that asks for it later starts a new one.

The local workers this process starts (this cluster's and those of the `sa run`s and
`sa run-all`s run inside it) are forked from a server that has imported the library
(:func:`preloaded_workers`), not spawned to import it again each.

Examples
--------
>>> class Item:
...     def __init__(self, path, names=()):
...         self.path, self.fixturenames = path, names
>>> items = [Item("a"), Item("b", ["c"]), Item("d"), Item("e", ["c"]), Item("e")]
>>> [i.path for i in run_together(items, "c")]
['a', 'd', 'b', 'e', 'e']
>>> last_user(items, "c").path
'e'
"""

from __future__ import annotations

#: What a worker imports to build a theme, a pack or a notebook: imported once by the
#: server that the test process's local workers are forked from (:func:`preloaded_workers`).
WORKER_PRELOAD = (
    "sa_lib.pack.theme_task",
    "sa_lib.pack.direct",
    "sa_lib.pack.runner",
    "sa_lib.pack.fanout",
    "sa_lib.pack.warm",
    "sa_lib.pack.export",
    "sa_lib.pack.papermill_compat",
    "matplotlib.pyplot",
)


def preloaded_workers(modules=None) -> None:
    """The local Dask clusters this process starts fork their workers from one server that
    has imported ``modules`` (multiprocessing's ``forkserver``, as distributed's own test
    suite runs), instead of spawning each worker as a fresh interpreter that imports the
    library again (about 1.5 CPU-s a worker; the suite starts some twenty).

    Only this process's clusters: the dask configuration is set in memory, so an `sa run`
    started as a command keeps the default (``spawn``), and its workers are tested as a
    user's are (test_e2e.py, tests/hostile/test_runner.py, test_cluster.py).
    """
    import dask
    from distributed.utils import get_mp_context

    # The server and the workers it forked are this process's children only through the
    # server: stop_worker_server() at the end of the session waits for it, so their CPU
    # time is in this process's children's (the rusage figure of scripts/suite_cpu.py).
    dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"})
    # After distributed has set its own preload (get_mp_context does, once): replaced by
    # distributed itself and what the library's workers import.
    if modules is None:  # the pack's modules and every theme's (its statistics with it)
        from sa_lib.pack.direct import theme_builders

        themes = sorted({f"sa_lib.themes.{m}" for m in theme_builders().values()})
        modules = [*WORKER_PRELOAD, *themes]
    get_mp_context().set_forkserver_preload(["distributed", *modules])


def _uses(item, fixture: str) -> bool:
    return fixture in getattr(item, "fixturenames", ())


def run_together(items: list, fixture: str) -> list:
    """``items`` reordered so that every module with a test using ``fixture`` runs one
    after another, where the last of those modules stood. Each module's tests keep their
    order and stay together (its module-scoped fixtures are set up once); other modules
    keep theirs."""
    modules = {i.path for i in items if _uses(i, fixture)}
    if len(modules) < 2:
        return list(items)
    moved = [i for i in items if i.path in modules]
    rest = [i for i in items if i.path not in modules]
    first_of_last = next(k for k, i in enumerate(items) if i.path == moved[-1].path)
    at = sum(1 for i in items[:first_of_last] if i.path not in modules)
    return rest[:at] + moved + rest[at:]


def last_user(items: list, fixture: str):
    """The last of ``items`` that uses ``fixture`` (None when none does)."""
    return next((i for i in reversed(items) if _uses(i, fixture)), None)


def stop_worker_server() -> None:
    """Stop the server that local workers are forked from, once every cluster is closed,
    and wait for it (it has waited for each worker it forked): their CPU time is then in
    this process's children's, as a spawned worker's is. Python's own tests stop it so."""
    from multiprocessing import forkserver

    forkserver._forkserver._stop()


class SharedCluster:
    """A Client of one local Dask cluster (two single-threaded worker processes), started
    on first use and closed by :meth:`close` (after which the next use starts another)."""

    def __init__(self) -> None:
        self._client = None
        self._cluster = None
        #: The node id of the last test that uses the cluster: it is closed after it.
        self.last_nodeid: str | None = None

    @property
    def running(self) -> bool:
        return self._client is not None

    def client(self):
        if self._client is None:
            import dask
            from distributed import Client, LocalCluster

            from sa_lib.pack.executor import LOCAL_CLUSTER_CONFIG

            # Monitored as `sa run`'s own cluster is (no profiler, slower monitors).
            with dask.config.set(LOCAL_CLUSTER_CONFIG):
                self._cluster = LocalCluster(
                    n_workers=2,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                )
            self._client = Client(self._cluster)
        return self._client

    def close(self) -> None:
        if self._client is None:
            return
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        try:
            client.close()
        finally:
            cluster.close()
