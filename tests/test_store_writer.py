import errno
import json
import multiprocessing as mp

import pyarrow as pa
import pytest

from sa_lib.data import store_writer
from sa_lib.data.store_writer import Staging, StoreWriteError, recover, store_lock, write_error


def _table(n):
    return pa.table({"x": list(range(n))})


def test_commit_switches_partitions_and_metadata_and_removes_staging(tmp_path):
    store = tmp_path / "s"
    store.mkdir()
    with store_lock(store), Staging(store) as st:
        p = st.write_parquet("a.parquet", _table(3))
        assert p.exists() and st.folder.name.startswith(".ingest-")
        st.commit({"street/f/2024-01.parquet": p}, {"ingest_log.json": {"k": 1}})
    assert (store / "street/f/2024-01.parquet").exists()
    assert json.loads((store / "ingest_log.json").read_text()) == {"k": 1}
    assert not list(store.glob(".ingest-*"))


def test_leaving_without_commit_changes_nothing(tmp_path):
    store = tmp_path / "s"
    store.mkdir()
    with pytest.raises(RuntimeError), store_lock(store), Staging(store) as st:
        st.write_parquet("a.parquet", _table(3))
        raise RuntimeError("validation failed")
    assert sorted(p.name for p in store.iterdir()) == [".ingest.lock"]


def test_recover_rolls_a_journal_forward(tmp_path, monkeypatch):
    store = tmp_path / "s"
    store.mkdir()

    def crash(point):
        if point == "switched 1":
            raise KeyboardInterrupt

    monkeypatch.setattr(store_writer, "_fault", crash)
    with pytest.raises(KeyboardInterrupt), Staging(store) as st:
        a = st.write_parquet("a.parquet", _table(1))
        b = st.write_parquet("b.parquet", _table(2))
        st.commit({"k/f/1.parquet": a, "k/f/2.parquet": b}, {"log.json": [1]})
    assert (store / "k/f/1.parquet").exists() and not (store / "k/f/2.parquet").exists()
    assert recover(store) == [
        f"completed an interrupted ingest that had committed ({st.folder.name})"
    ]
    assert (store / "k/f/2.parquet").exists() and (store / "log.json").exists()
    assert not st.folder.exists()


def _hold(store, ready, done):
    with store_lock(store):
        ready.set()
        done.wait(30)


def test_lock_is_exclusive_across_processes(tmp_path):
    store = tmp_path / "s"
    store.mkdir()
    ctx = mp.get_context("fork")
    ready, done = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_hold, args=(store, ready, done))
    p.start()
    try:
        assert ready.wait(30)
        with store_lock(store, blocking=False) as got:
            assert got is False
        # A reader does not touch staging folders while a writer holds the lock.
        (store / ".ingest-9-x").mkdir()
        (store / ".ingest-9-x" / "journal.json").write_text('{"files": []}')
        assert recover(store) == []
        assert (store / ".ingest-9-x").exists()
    finally:
        done.set()
        p.join()
    with store_lock(store, blocking=False) as got:
        assert got is True


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "the disk is full"),
        (errno.EROFS, "is not writable"),
        (errno.EACCES, "is not writable"),
        (errno.ENOTDIR, "a file is in the way"),
    ],
)
def test_write_error_names_path_and_fix(code, words):
    e = write_error(OSError(code, "x"), "/st/.ingest-1/a.parquet", "/st")
    assert isinstance(e, StoreWriteError) and e.errno == code
    assert e.strerror.startswith("cannot write /st/.ingest-1/a.parquet: ")
    assert words in e.strerror and "Fix:" in e.strerror and "/st was left unchanged" in e.strerror


def test_other_os_errors_are_not_disguised():
    assert write_error(OSError(errno.EIO, "x"), "/p", "/st") is None


def test_a_second_ingest_waits_for_the_first(tmp_path):
    from sa_lib.data.ingest import ingest

    store = tmp_path / "s"
    store.mkdir()
    src = tmp_path / "in" / "2024-01"
    src.mkdir(parents=True)
    (src / "2024-01-testforce-stop-and-search.csv").write_text(
        "Type,Date,Latitude,Longitude\nPerson search,2024-01-10T10:00:00+00:00,52.3,-0.2\n"
    )
    ctx = mp.get_context("fork")
    ready, done = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_hold, args=(store, ready, done))
    p.start()
    try:
        assert ready.wait(30)
        threading_timer = __import__("threading").Timer(1.0, done.set)
        threading_timer.start()
        with pytest.warns(UserWarning, match="waiting for it to finish"):
            summary = ingest([tmp_path / "in"], store)
        assert done.is_set()  # it went ahead only once the other writer let go
        assert summary["rows"].tolist() == [1]
    finally:
        done.set()
        p.join()
