"""Issue 11 item 9: a failure or crash at any point of the commit leaves the store as before or as after."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap

import pyarrow.parquet as pq
import pytest

from sa_lib.data import store_writer
from sa_lib.data.ingest import ingest
from sa_lib.data.store import load_street, store_summary

from ._ingest_inputs import street_csv, write_street


def state(store):
    """What a reader can see: partitions with their row counts, and the log's rows and hashes."""
    parts = {
        p.relative_to(store).as_posix(): pq.ParquetFile(p).metadata.num_rows
        for p in sorted(store.glob("*/*/*.parquet"))
    }
    log = json.loads((store / "ingest_log.json").read_text())
    return parts, {k: (v["rows"], v["sha256"]) for k, v in log.items()}


@pytest.fixture
def scene(tmp_path):
    """A store holding 2024-01 and 2024-02, new input replacing 2024-01 and adding 2024-03."""
    store = tmp_path / "store"
    old = tmp_path / "old"
    write_street(old, street_csv(10, "2024-01"), "2024-01")
    write_street(old, street_csv(10, "2024-02"), "2024-02")
    ingest([old], store)
    new = tmp_path / "new"
    write_street(new, street_csv(12, "2024-01"), "2024-01")
    write_street(new, street_csv(5, "2024-03"), "2024-03")
    after_store = tmp_path / "after"
    shutil.copytree(store, after_store)
    ingest([new], after_store)
    return store, new, state(store), state(after_store)


# Commit steps: two meta file renames, ingest_log.json and coverage.json (1-2), journal
# rename (3), four switches (4-7).
@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6, 7])
def test_a_failed_rename_at_any_step_leaves_before_or_after(scene, monkeypatch, k):
    store, new, before, after = scene
    calls = {"n": 0}
    real = store_writer._replace

    def failing(a, b):
        calls["n"] += 1
        if calls["n"] == k:
            raise OSError(errno.EIO, "injected I/O error", str(b))
        return real(a, b)

    monkeypatch.setattr(store_writer, "_replace", failing)
    with pytest.raises(OSError):
        ingest([new], store)
    monkeypatch.setattr(store_writer, "_replace", real)
    store_summary(store)  # any read completes a committed ingest
    assert state(store) in (before, after)
    assert state(store) == (before if k <= 3 else after)
    assert len(load_street(store)) == (20 if k <= 3 else 27)
    ingest([new], store)  # the next run is clean
    assert state(store) == after
    assert not list(store.glob(".ingest-*"))


@pytest.mark.parametrize("point", ["staged", "journal", "switched 1", "switched 2", "switched 3"])
def test_kill_9_at_any_commit_step_leaves_before_or_after(scene, point):
    store, new, before, after = scene
    script = textwrap.dedent(
        f"""
        import os, signal
        from sa_lib.data import store_writer
        from sa_lib.data.ingest import ingest

        def crash(p):
            if p == {point!r}:
                os.kill(os.getpid(), signal.SIGKILL)

        store_writer._fault = crash
        ingest([{str(new)!r}], {str(store)!r})
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()
    assert list(store.glob(".ingest-*")), "the killed ingest should have left its staging folder"
    seen = state(store) if point == "staged" else None
    len(load_street(store))  # a reader completes a committed ingest
    assert state(store) == (before if point == "staged" else after)
    if seen is not None:
        assert seen == before
    ingest([new], store)
    assert state(store) == after
    assert not list(store.glob(".ingest-*"))


def test_raw_files_before_the_commit_point_are_untouched(scene, monkeypatch):
    store, new, before, _ = scene
    mtimes = {p: os.stat(p).st_mtime_ns for p in store.rglob("*.parquet")}

    def boom(p):
        if p == "staged":
            raise RuntimeError("injected")

    monkeypatch.setattr(store_writer, "_fault", boom)
    with pytest.raises(RuntimeError):
        ingest([new], store)
    assert {p: os.stat(p).st_mtime_ns for p in store.rglob("*.parquet")} == mtimes
    assert not list(store.glob(".ingest-*"))
    assert state(store) == before
