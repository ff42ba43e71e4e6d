"""Lock files that cannot be turned against the user: a planted link is never followed,
a lock folder of another user is refused with the fix, and runs with different TMPDIRs
share one lock (so neither deletes the other's live build)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from sa_lib.data.store_writer import LOCK_NAME, store_lock
from sa_lib.pack.runner import LOCK_DIR, OutputError, PackBusyError, pack_lock
from sa_lib.safe_lock import SafeLock, UnsafeLockError


def test_a_planted_symlink_at_the_pack_lock_is_not_followed(tmp_path):
    out = tmp_path / "outputs"
    (out / LOCK_DIR).mkdir(parents=True, mode=0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (out / LOCK_DIR / "x_2025q4.lock").symlink_to(victim)
    with pytest.raises(OutputError) as e, pack_lock(out, "x_2025q4"):
        pass
    assert "symbolic link" in str(e.value) and "Fix: remove the link" in str(e.value)
    assert victim.read_text(encoding="utf-8") == "precious"


def test_a_planted_hard_link_is_refused(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (tmp_path / "locks").mkdir(mode=0o700)
    os.link(victim, tmp_path / "locks" / "x.lock")
    with pytest.raises(UnsafeLockError, match="other links"):
        SafeLock(tmp_path / "locks" / "x.lock").acquire(blocking=False)
    assert victim.read_text(encoding="utf-8") == "precious"


def test_a_symlink_at_the_store_lock_is_not_followed(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (store / LOCK_NAME).symlink_to(victim)
    with pytest.raises(UnsafeLockError, match="symbolic link"):
        with store_lock(store):
            pass
    assert victim.read_text(encoding="utf-8") == "precious"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a_lock_folder_of_another_user_is_refused_with_the_fix(tmp_path):
    out = tmp_path / "outputs"
    (out / LOCK_DIR).mkdir(parents=True, mode=0o700)
    os.chown(out / LOCK_DIR, 12345, 12345)
    with pytest.raises(OutputError) as e, pack_lock(out, "x_2025q4"):
        pass
    assert "another user (uid 12345)" in str(e.value) and "Fix: remove" in str(e.value)


def test_a_world_writable_lock_folder_is_refused(tmp_path):
    folder = tmp_path / "locks"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(UnsafeLockError, match="others"):
        SafeLock(folder / "x.lock").acquire(blocking=False)


@pytest.mark.slow
def test_runs_with_different_tmpdirs_share_one_lock(tmp_path, monkeypatch):
    out = tmp_path / "outputs"
    out.mkdir()
    (tmp_path / "tmp_a").mkdir()
    (tmp_path / "tmp_b").mkdir()
    hold = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from sa_lib.pack.runner import pack_lock
        with pack_lock(Path({str(out)!r}), 'x_2025q4'):
            print('held', flush=True)
            time.sleep(60)
        """
    )
    env = dict(os.environ, TMPDIR=str(tmp_path / "tmp_a"))
    holder = subprocess.Popen(
        [sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        import tempfile

        monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp_b"))
        monkeypatch.setattr(tempfile, "tempdir", None)
        with pytest.raises(PackBusyError), pack_lock(out, "x_2025q4"):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_a_build_folder_killed_before_its_marker_is_removed_under_the_lock(tmp_path):
    """A worker SIGKILLed between making ``.<pack>.tmp-<pid>/notebooks`` and writing the
    runner's marker left that folder behind for good (seen in the fan-out kill test): it
    has no marker, so no run would remove it. Under the pack's lock it is removed when it
    holds nothing but the empty ``notebooks/`` folder; one holding anything else stays."""
    out = tmp_path / "out"
    bare = out / ".x_2025q4.tmp-99999" / "notebooks"
    bare.mkdir(parents=True)
    kept = out / ".x_2025q4.tmp-99998"
    (kept / "notebooks").mkdir(parents=True)
    (kept / "mine.txt").write_text("not the runner's")
    with pack_lock(out, "x_2025q4"):
        pass
    assert not bare.parent.exists()
    assert (kept / "mine.txt").read_text() == "not the runner's"
