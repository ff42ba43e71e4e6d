"""One local Dask cluster for the tests that fan packs out to a scheduler, alive only while
they run.

An idle local cluster (two worker processes and the scheduler's and client's event loops
in the test process) costs about 4 CPU-seconds a minute in heartbeats and polling.
Started by the first test that asks for it and kept to the end of the session, it idled
for most of the run (about 18 CPU-s of ``make test``). So the modules whose tests use it
run one after another (:func:`run_together`), and it is closed once the last of them is
done (:class:`SharedCluster`); a test that asks for it later starts a new one.

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
            from distributed import Client, LocalCluster

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
