"""The software environment a pack was built with, and how it differs from the lock.

``requirements.lock`` (made by ``make lock``) pins every package with its hashes;
``make setup`` installs exactly it. :func:`environment_record` is what ``manifest.json``
keeps under ``"environment"``: the Python version, every installed distribution and the
lock's SHA-256, so a pack can be traced to the whole stack that made it.
:func:`lock_drift` is what ``sa doctor`` and ``sa check`` warn about.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import re
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

from sa_lib import config

#: The lock file, relative to the project root.
LOCK_NAME = "requirements.lock"

#: Installed but never in the lock: the project itself (installed editable from the tree).
NOT_LOCKED = frozenset({"sa-workbench"})


def canonical(name: str) -> str:
    """A distribution name in its normal form (PEP 503).

    Examples
    --------
    >>> canonical("Jinja2"), canonical("typing_extensions")
    ('jinja2', 'typing-extensions')
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def site_packages() -> list[str]:
    """The environment's own package folders (where pip installs).

    Only these count as installed: a package that imports setuptools puts its vendored
    copies (``setuptools/_vendor``) on ``sys.path``, and their metadata with them.
    """
    paths = sysconfig.get_paths()
    return list(dict.fromkeys([paths["purelib"], paths["platlib"]]))


def _folders_state(paths: list[str]) -> tuple:
    """Each package folder with its modification time: installing or removing a
    distribution adds or removes its ``.dist-info`` folder, which changes it."""
    out = []
    for p in paths:
        try:
            out.append((p, os.stat(p).st_mtime_ns))
        except OSError:
            out.append((p, None))
    return tuple(out)


@functools.lru_cache(maxsize=1)
def _read_installed(state: tuple) -> dict[str, str]:
    """The distributions in the folders of ``state`` (:func:`_folders_state`)."""
    out: dict[str, str] = {}
    for dist in metadata.distributions(path=[p for p, _ in state]):
        name = dist.metadata["Name"]
        if name:
            out.setdefault(canonical(name), dist.version)
    return dict(sorted(out.items()))


def installed() -> dict[str, str]:
    """Every distribution installed in the running environment: ``{name: version}``.

    Read once while the package folders are unchanged: every pack a worker builds writes
    it to its manifest, and reading the metadata of a hundred distributions is a
    noticeable share of a small pack's time.

    Examples
    --------
    >>> installed()["sa-workbench"] == metadata.version("sa-workbench")
    True
    """
    return dict(_read_installed(_folders_state(site_packages())))


def lock_path() -> Path:
    """Where the lock file is expected (``requirements.lock`` at the project root)."""
    return config.ROOT / LOCK_NAME


def lock_sha256(path: Path | None = None) -> str | None:
    """SHA-256 of the lock file's bytes, or None when there is none (an installed copy).

    Examples
    --------
    >>> len(lock_sha256() or "0" * 64)
    64
    """
    path = lock_path() if path is None else Path(path)
    if not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


def locked(text: str) -> dict[str, str]:
    """The pins of a hashed lock that apply to this interpreter and platform.

    Entries whose environment marker is false here (``; sys_platform == 'win32'``) are left
    out.

    Examples
    --------
    >>> locked("pandas==3.1.1 \\\\\\n    --hash=sha256:ab\\ncolorama==0.4.6 ; sys_platform == 'nt'\\n")
    {'pandas': '3.1.1'}
    """
    from packaging.markers import Marker

    pins = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;([^\\]*))?", line)
        if m and (not m.group(3) or Marker(m.group(3).strip()).evaluate()):
            pins[canonical(m.group(1))] = m.group(2)
    return pins


def lock_drift(have: dict[str, str] | None = None, path: Path | None = None) -> list[str]:
    """How the running environment differs from the lock, one plain sentence per package.

    Empty when every locked package is installed at its locked version and nothing else
    is installed (the project itself aside).

    Examples
    --------
    >>> import tempfile
    >>> lock = Path(tempfile.mkdtemp()) / "requirements.lock"
    >>> _ = lock.write_text("pandas==3.1.1 \\\\\\n    --hash=sha256:ab\\nrich==14.0.0\\n")
    >>> lock_drift({"pandas": "3.1.2", "seaborn": "0.13.2"}, lock)
    ['pandas 3.1.2 is installed; the lock has 3.1.1', 'rich 14.0.0 is locked but not installed', 'seaborn 0.13.2 is installed but not in the lock']
    """
    path = lock_path() if path is None else Path(path)
    if not path.is_file():
        return [f"no {LOCK_NAME} to compare with (expected at {path})"]
    have = installed() if have is None else {canonical(k): v for k, v in have.items()}
    pins = locked(path.read_text(encoding="utf-8"))
    out = []
    for name in sorted(pins.keys() | have.keys() - NOT_LOCKED):
        if name not in have:
            out.append(f"{name} {pins[name]} is locked but not installed")
        elif name not in pins:
            out.append(f"{name} {have[name]} is installed but not in the lock")
        elif have[name] != pins[name]:
            out.append(f"{name} {have[name]} is installed; the lock has {pins[name]}")
    return out


def environment_record() -> dict:
    """What ``manifest.json`` keeps under ``"environment"``.

    Examples
    --------
    >>> rec = environment_record()
    >>> sorted(rec)
    ['distributions', 'lock', 'lock_drift', 'platform', 'python']
    >>> rec["python"] == platform.python_version()
    True
    """
    return {
        "python": platform.python_version(),
        "platform": f"{sys.platform} {platform.machine()}",
        "lock": {"file": LOCK_NAME, "sha256": lock_sha256()},
        "lock_drift": lock_drift(),
        "distributions": installed(),
    }
