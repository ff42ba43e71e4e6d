"""Write the columnar store atomically: stage, journal, switch; recover after a crash.

An ingest never writes into the store's partitions directly. It stages every
new partition and every metadata file (``ingest_log.json``, and any further
store metadata) in a private folder ``<store>/.ingest-<pid>-<random>/``, then
commits in one step:

1. every staged file is written and flushed to disk;
2. a journal (``journal.json``, listing staged file -> store file) is written to
   a temporary name and renamed into place: **this rename is the commit point**;
3. each staged file is renamed over its store file (same file system, so each
   rename is atomic), then the staging folder is removed.

A crash before step 2 leaves the store as it was (the staging folder is stale
and is removed at the next start); a crash after it leaves a journal that the
next ``sa ingest``, or the next read of the store, completes (every step is a
rename that can be redone), so the store is seen as after. Only one ingest
writes a store at a time (an advisory lock on ``<store>/.ingest.lock``); while
it holds the lock every other staging folder is stale by definition, so stale
folders of killed ingests never accumulate.

Examples
--------
>>> from sa_lib.data.store_writer import Staging, store_lock  # doctest: +SKIP
>>> with store_lock("data/processed"), Staging("data/processed") as st:  # doctest: +SKIP
...     path = st.stage_path("street/essex/2025-01.parquet")
...     st.commit({"street/essex/2025-01.parquet": path}, {"ingest_log.json": {}})
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

__all__ = [
    "StoreWriteError",
    "Staging",
    "store_lock",
    "recover",
    "STAGING_PREFIX",
    "EXIT_STORE_WRITE",
]

#: Staging folders are ``<store>/.ingest-<pid>-<random>``.
STAGING_PREFIX = ".ingest-"
LOCK_NAME = ".ingest.lock"
JOURNAL = "journal.json"
#: ``sa`` exit code for "disk full or output not writable" (shared with ``sa run``).
EXIT_STORE_WRITE = 5

#: Errors that mean the disk or folder cannot take the write, not a bug.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}

# Indirections so tests can inject a failure at any step of the commit.
_replace = os.replace


def _fault(point: str) -> None:
    """A no-op hook called at each commit step; tests replace it to inject a crash."""


class StoreWriteError(OSError):
    """The store could not be written (disk full, read-only, no permission).

    The message is one line naming the path and the fix; ``sa`` exits with
    :data:`EXIT_STORE_WRITE`.
    """


def write_error(
    e: OSError, path: str | os.PathLike[str], store: str | os.PathLike[str]
) -> StoreWriteError | None:
    """Translate an OSError from writing ``path`` into a :class:`StoreWriteError`, or None.

    Returns None when the error is not a disk or permission fault (a bug, re-raised).
    """
    code = getattr(e, "errno", None)
    text = str(e)
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "No space left" in text:
        why = "the disk is full"
        fix = "free space on that disk, or give --store a folder on another disk"
    elif (
        code in (errno.EROFS, errno.EACCES, errno.EPERM)
        or "Read-only file system" in text
        or "Permission denied" in text
    ):
        why = "the folder is not writable"
        fix = "make it writable, or give --store a folder you can write"
    elif code in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        why = "a file is in the way of a folder there"
        fix = "give --store a folder path (not a file), or move the file away"
    else:
        return None
    return StoreWriteError(
        code or errno.EIO,
        f"cannot write {path}: {why}. Fix: {fix}. The store {store} was left unchanged.",
    )


def _write_json(path: Path, obj: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    _replace(tmp, path)


@contextlib.contextmanager
def store_lock(store: str | os.PathLike[str], *, blocking: bool = True) -> Iterator[bool]:
    """Hold the store's writer lock for the ``with`` block.

    Yields True when the lock is held; with ``blocking=False`` yields False at
    once if another process holds it. The lock (:class:`sa_lib.safe_lock.SafeLock`
    on ``<store>/.ingest.lock``: ``flock`` on Unix, opened without following a
    link; ``filelock`` on Windows) is released when the process dies, so a killed
    ingest never leaves the store locked.
    """
    from sa_lib.safe_lock import SafeLock

    lock = SafeLock(Path(store) / LOCK_NAME, check_dir=False)
    Path(store).mkdir(parents=True, exist_ok=True)
    if not lock.acquire(blocking=blocking):
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def _roll_forward(store: Path, folder: Path) -> bool:
    """Complete a committed staging folder's journal; return True if it had one."""
    journal = folder / JOURNAL
    try:
        entries = json.loads(journal.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    for staged_rel, final_rel in entries:
        staged, final = folder / staged_rel, store / final_rel
        if staged.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            _replace(staged, final)
    return True


def recover(store: str | os.PathLike[str], *, locked: bool = False) -> list[str]:
    """Complete interrupted commits and remove stale staging folders.

    Parameters
    ----------
    store : path-like
        The store folder.
    locked : bool, default False
        True when the caller already holds :func:`store_lock`: then every
        staging folder is stale (its ingest is dead) and is removed after its
        journal, if any, is completed. When False (a reader), the lock is tried
        without waiting; if a live ingest holds it nothing is touched.

    Returns
    -------
    list of str
        One plain sentence per action taken (empty when there was nothing to do).
    """
    store = Path(store)
    if not store.is_dir():
        return []
    folders = sorted(p for p in store.glob(STAGING_PREFIX + "*") if p.is_dir())
    if not folders:
        return []
    if not locked:
        if not any((p / JOURNAL).exists() for p in folders):
            return []  # readers only finish commits; ingest removes the rest
        try:
            with store_lock(store, blocking=False) as got:
                return recover(store, locked=True) if got else []
        except OSError:
            return []  # a read-only store: the next ingest completes it
    done = []
    for folder in folders:
        if _roll_forward(store, folder):
            done.append(f"completed an interrupted ingest that had committed ({folder.name})")
        else:
            done.append(f"removed the staging folder of an interrupted ingest ({folder.name})")
        shutil.rmtree(folder, ignore_errors=True)
    return done


class Staging:
    """A private staging folder in the store, removed on exit unless committed.

    Use as a context manager while holding :func:`store_lock`.
    """

    def __init__(self, store: str | os.PathLike[str]):
        self.store = Path(store)
        # os.urandom, not secrets (which costs `sa ingest` its import of random and hmac).
        self.folder = self.store / f"{STAGING_PREFIX}{os.getpid()}-{os.urandom(4).hex()}"
        #: SHA-256 (hex) of each file :meth:`write_parquet` staged, taken from the bytes
        #: as they were written, so nothing is read back to hash it.
        self.sha256: dict[Path, str] = {}

    def __enter__(self) -> Staging:
        try:
            self.folder.mkdir()
        except OSError as e:
            raise (write_error(e, self.folder, self.store) or e) from e
        return self

    def __exit__(self, *exc) -> None:
        # After the commit point the journal is complete; a failure while
        # switching leaves it for recover() rather than deleting staged files.
        if not (self.folder / JOURNAL).exists() or exc[0] is None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def stage_path(self, name: str) -> Path:
        """A path inside the staging folder for a staged file called ``name``."""
        p = self.folder / "files" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write_parquet(self, name: str, table, **options) -> Path:
        """Write ``table`` (a pyarrow Table) as Parquet into the staging folder, flushed to disk.

        Returns the staged path, to pass to :meth:`commit`; its SHA-256 is in
        :attr:`sha256`. The file is encoded in memory, hashed, then written and
        flushed through one descriptor. Disk and permission faults raise
        :class:`StoreWriteError`.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = self.stage_path(name)
        try:
            sink = pa.BufferOutputStream()
            pq.write_table(table, sink, **options)
            data = sink.getvalue()
            digest = hashlib.sha256(data).hexdigest()
            with open(path, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        except OSError as e:
            raise (write_error(e, path, self.store) or e) from e
        self.sha256[path] = digest
        return path

    def commit(self, partitions: Mapping[str, Path], json_files: Mapping[str, object]) -> None:
        """Switch the staged partitions and metadata files into the store in one step.

        Parameters
        ----------
        partitions : mapping of str to Path
            Store-relative path (``street/essex/2025-01.parquet``) -> staged file
            (from :meth:`write_parquet`, or a file written to :meth:`stage_path`
            and flushed by the caller).
        json_files : mapping of str to object
            Store-relative name -> JSON-able object, e.g. ``{"ingest_log.json": log}``.
            Every store metadata file that must agree with the partitions belongs
            here, so it switches in the same step.
        """
        entries = []
        try:
            for rel, staged in partitions.items():
                entries.append((staged.relative_to(self.folder).as_posix(), rel))
            for name, obj in json_files.items():
                staged = self.stage_path(f"meta/{name}")
                _write_json(staged, obj)
                entries.append((staged.relative_to(self.folder).as_posix(), name))
            _fault("staged")
            _write_json(self.folder / JOURNAL, {"pid": os.getpid(), "files": entries})
        except OSError as e:
            (self.folder / JOURNAL).unlink(missing_ok=True)
            raise (write_error(e, self.folder, self.store) or e) from e
        _fault("journal")
        for i, (staged_rel, final_rel) in enumerate(entries):
            staged, final = self.folder / staged_rel, self.store / final_rel
            final.parent.mkdir(parents=True, exist_ok=True)
            _replace(staged, final)
            _fault(f"switched {i + 1}")
        shutil.rmtree(self.folder, ignore_errors=True)
