"""Issue 11 item 12 (ingest part): kill -9 of sa ingest leaves no temporary folder for ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from sa_lib.data.ingest import ingest
from sa_lib.data.store import load_street
from sa_lib.pack.cli import main

from ._ingest_inputs import street_csv, write_street


def test_staging_of_a_killed_ingest_is_removed_at_the_next_start(tmp_path, capsys):
    store = tmp_path / "store"
    write_street(tmp_path / "in", street_csv(20))
    # An ingest that stalls while staging, killed with SIGKILL as a user's kill -9 would.
    script = textwrap.dedent(
        f"""
        import time
        from sa_lib.data import store_writer
        from sa_lib.data.ingest import ingest

        def stall(p):
            if p == "staged":
                time.sleep(600)

        store_writer._fault = stall
        ingest([{str(tmp_path / "in")!r}], {str(store)!r})
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 120
        while not list(store.glob(".ingest-*/journal.json.tmp")) and not list(
            store.glob(".ingest-*/files/meta/*")
        ):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert len(list(store.glob(".ingest-*"))) == 1
    assert main(["ingest", "-q", str(tmp_path / "in"), "--store", str(store)]) == 0
    assert "removed the staging folder of an interrupted ingest" in capsys.readouterr().out
    assert not list(store.glob(".ingest-*"))
    assert len(load_street(store)) == 20


def test_old_style_temporary_folders_are_removed_too(tmp_path):
    store = tmp_path / "store"
    (store / ".ingest-abc123" / "x").mkdir(parents=True)  # a tempfile.mkdtemp() of the old code
    write_street(tmp_path / "in", street_csv(3))
    summary = ingest([tmp_path / "in"], store)
    assert summary.attrs["recovered"] == [
        "removed the staging folder of an interrupted ingest (.ingest-abc123)"
    ]
    assert not list(store.glob(".ingest-*"))


def test_a_reader_never_removes_a_live_ingest_staging_folder(tmp_path):
    store = tmp_path / "store"
    write_street(tmp_path / "in", street_csv(3))
    ingest([tmp_path / "in"], store)
    live = store / ".ingest-1-live"
    (live / "files").mkdir(parents=True)
    load_street(store)
    assert live.exists()
