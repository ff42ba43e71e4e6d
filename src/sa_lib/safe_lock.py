"""Lock files that cannot be turned against the user who takes them.

A lock file is opened without following a symbolic link (``O_NOFOLLOW``), must be a
regular file with one link owned by the user, and is never truncated before the
lock is held; its folder must be a real folder (not a link) owned by the user, not
writable by others. So a link or hard link planted where the lock goes cannot make
a run (``root`` included) overwrite another file, and a folder made by someone else
is refused with the fix rather than an unrelated error.

Where the OS has no ``fcntl`` (Windows), ``filelock`` does the locking.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> lock = SafeLock(d / "locks" / "x.lock")
>>> lock.acquire(blocking=False), SafeLock(d / "locks" / "x.lock").acquire(blocking=False)
(True, False)
>>> lock.release()
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["SafeLock", "UnsafeLockError", "safe_lock_dir"]


class UnsafeLockError(PermissionError):
    """A lock file or folder that is a link, or not the user's: the message says what to do."""


def _uid() -> int | None:
    return os.geteuid() if hasattr(os, "geteuid") else None


def safe_lock_dir(folder: Path) -> Path:
    """Make (mode 0700) or check the lock folder ``folder``; :class:`UnsafeLockError` if unsafe."""
    folder = Path(folder)
    try:
        folder.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        pass
    st = os.lstat(folder)
    uid = _uid()
    fix = f"Fix: remove {folder} (it is only a lock folder) and run again as the user who owns it."
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise UnsafeLockError(f"the lock folder {folder} is a link or not a folder. {fix}")
    if uid is not None and (st.st_uid != uid or st.st_mode & 0o022):
        raise UnsafeLockError(
            f"the lock folder {folder} belongs to another user (uid {st.st_uid}) or others "
            f"may write to it. {fix}"
        )
    return folder


class SafeLock:
    """An exclusive OS lock on ``path`` (``flock``), released when the holder exits."""

    def __init__(self, path: str | os.PathLike[str], *, check_dir: bool = True) -> None:
        self.path = Path(path)
        self.check_dir = check_dir
        self._fd: int | None = None
        self._fallback = None

    def acquire(self, *, blocking: bool = True) -> bool:
        """Take the lock; False at once when ``blocking`` is False and another holds it."""
        try:
            import fcntl
        except ImportError:
            return self._acquire_filelock(blocking)
        if self.check_dir:
            safe_lock_dir(self.path.parent)
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as e:
            if os.path.islink(self.path):
                raise UnsafeLockError(
                    f"the lock file {self.path} is a symbolic link; it was not followed. "
                    f"Fix: remove the link, then run again."
                ) from None
            raise e
        try:
            st = os.fstat(fd)
            uid = _uid()
            if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_uid != uid:
                raise UnsafeLockError(
                    f"the lock file {self.path} is not a plain file of yours (or has other "
                    f"links). Fix: remove it, then run again."
                )
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                os.close(fd)
                return False
        except BaseException:
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
            raise
        self._fd = fd
        return True

    def _acquire_filelock(self, blocking: bool) -> bool:
        from filelock import FileLock, Timeout

        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.path)
        try:
            lock.acquire(timeout=-1 if blocking else 0)
        except Timeout:
            return False
        self._fallback = lock
        return True

    def write_holder(self, text: str) -> None:
        """Write who holds the lock into its file (for the message of a refused run)."""
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, text.encode("utf-8"), 0)

    def holder(self) -> str:
        """Who holds the lock, as its holder wrote it ('' if unknown); no link is followed."""
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return ""
        try:
            return os.read(fd, 500).decode("utf-8", "replace").strip()
        finally:
            os.close(fd)

    def release(self) -> None:
        """Release the lock (closing the file releases the ``flock``)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._fallback is not None:
            self._fallback.release()
            self._fallback = None
