"""The executor shared by ``sa run`` and ``sa run-all``, and the portable (filelock) locks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sa_lib import config
from sa_lib.pack.executor import LOCAL_CLUSTER_CONFIG, dask_client, run_tasks
from sa_lib.pack.runner import PackBusyError, pack_lock


def _half(x: int) -> float:
    if x == 0:
        raise ValueError("no zero, deliberately")
    return x / 2


def test_a_local_cluster_runs_each_task_and_returns_a_failure_as_a_result():
    with dask_client(n_workers=2) as client:
        workers = client.scheduler_info()["workers"].values()
        assert len(workers) == 2 and all(w["nthreads"] == 1 for w in workers)
        # Worker processes, not threads of this one (each keeps its own warm kernel).
        pids = set(client.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids
        # Each worker runs with the run's settings: no statistical profiler, slower
        # event-loop and system monitors (executor.LOCAL_CLUSTER_CONFIG).
        for callbacks in client.run(_periodic_callbacks).values():
            assert {"heartbeat", "memory_monitor", "tick"} <= callbacks
            assert not {"profile", "profile-cycle"} & callbacks
        settings = client.run(_settings, list(LOCAL_CLUSTER_CONFIG)).values()
        assert all(s == LOCAL_CLUSTER_CONFIG for s in settings)
        got = dict(run_tasks(client, _half, {"a": (4,), "b": (0,), "c": (7,)}))
    assert got["a"] == 2.0 and got["c"] == 3.5
    assert isinstance(got["b"], ValueError) and "deliberately" in str(got["b"])


def _periodic_callbacks(dask_worker) -> set[str]:
    return set(dask_worker.periodic_callbacks)


def _settings(keys: list[str]) -> dict:
    import dask

    return {k: dask.config.get(k) for k in keys}


def _known_to_scheduler(dask_scheduler, key):
    return key in dask_scheduler.tasks


def test_a_finished_task_is_forgotten_so_a_dead_worker_never_rebuilds_it():
    """A finished pack's future was held until the whole run ended, so when a worker died
    Dask recomputed the packs that worker had already finished: a published pack was built
    again in the background after `sa run-all` returned (the fan-out kill test found its
    build folder). Each task is released as soon as its result is read."""
    with dask_client(n_workers=2) as client:
        it = run_tasks(client, time.sleep, {"quick": (0.01,), "slow": (3,)})
        key, _ = next(it)
        assert key == "quick"
        deadline = time.time() + 10
        while time.time() < deadline and client.run_on_scheduler(_known_to_scheduler, key="quick"):
            time.sleep(0.05)
        assert not client.run_on_scheduler(_known_to_scheduler, key="quick")
        assert client.run_on_scheduler(_known_to_scheduler, key="slow")
        assert [k for k, _ in it] == ["slow"]


def test_the_store_modules_import_without_fcntl():
    """As on Windows, where there is no fcntl: the store and its writer still import and lock."""
    src = Path(config.ROOT) / "src" / "sa_lib" / "data"
    for name in ("store.py", "store_writer.py"):
        assert "fcntl" not in (src / name).read_text(), name
    code = (
        "import sys, tempfile\n"
        "sys.modules['fcntl'] = None\n"
        "import sa_lib.data.store\n"
        "from sa_lib.data.store_writer import store_lock\n"
        "with store_lock(tempfile.mkdtemp()) as got:\n"
        "    assert got is True\n"
        "print('imported')\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "imported" in r.stdout, r.stderr[-2000:]


def test_the_pack_lock_refuses_a_second_run_and_dies_with_its_holder(tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()
    hold = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from sa_lib.pack.runner import pack_lock\n"
        f"with pack_lock(Path({str(out)!r}), 'x_2025q4'):\n"
        "    print('held', flush=True)\n"
        "    time.sleep(120)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(PackBusyError) as e, pack_lock(out, "x_2025q4"):
            pass
        assert f"pid {holder.pid}" in str(e.value) and "being built by another run" in str(e.value)
        # Another pack of the same root is not this pack.
        with pack_lock(out, "y_2025q4"):
            pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        deadline = time.time() + 10
        while True:
            try:
                with pack_lock(out, "x_2025q4"):
                    break
            except PackBusyError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        if holder.poll() is None:
            holder.kill()
    # The lock lives in the output root's own hidden lock folder (issue 23: whatever TMPDIR
    # is), and nothing else is left in the outputs.
    assert [p.name for p in out.iterdir()] == [".sa-locks"]


def test_a_local_cluster_slow_to_close_does_not_fail_the_finished_run(monkeypatch, caplog):
    """Issue 24: under load the cluster took over CLOSE_TIMEOUT to stop and the benchmark
    (every pack already built) died with TimeoutError; both closes are still attempted."""
    import distributed

    from sa_lib.pack import executor

    closed = []

    class SlowCluster:
        def close(self, timeout=None):
            closed.append("cluster")
            raise TimeoutError(f"timed out after {timeout} s.")

    class SlowClient:
        def __init__(self, cluster):
            pass

        def close(self, timeout=None):
            closed.append("client")
            raise TimeoutError(f"timed out after {timeout} s.")

    monkeypatch.setattr(executor, "_local_cluster", lambda n: SlowCluster())
    monkeypatch.setattr(distributed, "Client", SlowClient)
    with caplog.at_level("WARNING", logger="sa_lib.pack.executor"):
        with executor.dask_client(1) as c:
            assert isinstance(c, SlowClient)
    assert closed == ["client", "cluster"]
    assert "took over" in caplog.text
