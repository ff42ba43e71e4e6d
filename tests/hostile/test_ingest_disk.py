"""Issue 11 item 11 (ingest part): a full disk or unwritable store is a one-line error, exit 5."""

from __future__ import annotations

import errno
import pathlib

import pyarrow.parquet as pq
import pytest

from sa_lib.data import store_writer
from sa_lib.data.ingest import StoreWriteError, ingest
from sa_lib.pack.cli import main

from ._ingest_inputs import snapshot, street_csv, write_street


@pytest.fixture
def scene(tmp_path):
    store = tmp_path / "store"
    write_street(tmp_path / "old", street_csv(10))
    ingest([tmp_path / "old"], store)
    write_street(tmp_path / "new", street_csv(12, "2024-02"), "2024-02")
    return store, tmp_path / "new", snapshot(store)


def _enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_writing_a_partition(scene, monkeypatch, capsys):
    store, new, before = scene
    monkeypatch.setattr(pq, "write_table", _enospc)
    with pytest.raises(StoreWriteError) as ei:
        ingest([new], store)
    assert ei.value.errno == errno.ENOSPC
    assert main(["ingest", "-q", str(new), "--store", str(store)]) == 5
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert err.startswith(f"sa ingest: error: cannot write {store}/.ingest-")
    assert "the disk is full" in err and "Fix: free space on that disk, or give --store" in err
    assert snapshot(store) == before
    assert not list(store.glob(".ingest-*"))


def test_disk_full_writing_the_log(scene, monkeypatch, capsys):
    store, new, before = scene
    monkeypatch.setattr(store_writer, "_write_json", _enospc)
    assert main(["ingest", "-q", str(new), "--store", str(store)]) == 5
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "the disk is full" in err and str(store) in err
    assert snapshot(store) == before
    assert not list(store.glob(".ingest-*"))


def test_store_not_writable(scene, monkeypatch, capsys):
    store, new, before = scene
    real = pathlib.Path.mkdir

    def readonly(self, *a, **k):
        if self.name.startswith(".ingest-"):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, *a, **k)

    monkeypatch.setattr(pathlib.Path, "mkdir", readonly)
    assert main(["ingest", "-q", str(new), "--store", str(store)]) == 5
    err = capsys.readouterr().err.strip()
    assert (
        "\n" not in err
        and "is not writable" in err
        and "give --store a folder you can write" in err
    )
    assert snapshot(store) == before


def test_store_path_is_a_file(tmp_path, capsys):
    write_street(tmp_path / "new", street_csv(3))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["ingest", "-q", str(tmp_path / "new"), "--store", str(blocker / "store")]) == 5
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(blocker) in err and "Fix:" in err


def test_exit_code_5_is_documented():
    from sa_lib.pack.cli import EXIT_CODES

    line = next(x for x in EXIT_CODES.splitlines() if x.strip().startswith("5 "))
    assert "full disk" in line and "not writable" in line
