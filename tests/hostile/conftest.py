"""Helpers for the hostile-input tests: fixtures that break one thing, and checks that
nothing else changed.

Every hostile test asserts three things: the exit code (or the exception the CLI turns
into it: ParameterError -> 2, PersonalDataError / ValueError at ingest -> 4,
OutputError -> 5; each mapping is also checked once through the CLI), a message naming
the file/row/key and the fix, and that the store and the last good pack are
byte-for-byte unchanged (:func:`digest`; the store is checked around every test by
``_store_unchanged``).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sa_lib import config
from sa_lib.validation import libyaml_twin

SHIPPED_PARAMS = config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml"


def digest(path: str | os.PathLike[str]) -> dict[str, str]:
    """sha256 of every file under ``path`` (relative path -> hash); {} if absent.

    The output root's lock folder (``.sa-locks/``: who last held each pack's lock) is
    not content and is left out.
    """
    root = Path(path)
    if not root.exists():
        return {}
    out = {}
    for f in sorted(root.rglob("*")):
        if f.is_file() and ".sa-locks" not in f.relative_to(root).parts:
            out[f.relative_to(root).as_posix()] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


@functools.cache
def _shipped() -> dict:
    return yaml.load(
        SHIPPED_PARAMS.read_text(encoding="utf-8"), Loader=libyaml_twin(yaml.SafeLoader)
    )


def shipped_params(store: str | os.PathLike[str] | None = None) -> dict:
    """The shipped quarterly parameters as a dict (store pointed at ``store``): a fresh copy
    each call, of the file as read once per session."""
    raw = copy.deepcopy(_shipped())
    if store is not None:
        raw["data"]["store"] = str(store)
    return raw


def changed(raw: dict, **changes) -> dict:
    """A copy of ``raw`` with dotted keys (``run__cell_timeout``) set; None deletes a key."""
    raw = copy.deepcopy(raw)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        d = raw
        for k in parents:
            d = d.setdefault(k, {})
        if value is None:
            d.pop(last, None)
        else:
            d[last] = value
    return raw


def write_yaml(path: Path, raw: dict | str) -> Path:
    text = (
        raw
        if isinstance(raw, str)
        else yaml.dump(raw, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper))
    )
    path.write_text(text, encoding="utf-8")
    return path


def assert_message(msg: str, *names: str, fix: bool = True) -> None:
    """The message names each of ``names`` and (``fix``) says what to do."""
    for n in names:
        assert n in msg, f"{n!r} not named in: {msg}"
    if fix:
        assert "Fix" in msg or "fix" in msg or "Valid" in msg, f"no fix in: {msg}"


def run_sa(
    *args: str, timeout: float = 120, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """Run the ``sa`` CLI in a subprocess (where the exit code is the point)."""
    return subprocess.run(
        [sys.executable, "-m", "sa_lib.pack.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd or config.ROOT,
        check=False,
    )


def run_limited(code: str, *args: str, data_mb: int = 400, timeout: float = 60):
    """Run Python ``code`` in a subprocess whose heap is capped at ``data_mb`` MB.

    For inputs built to exhaust memory: on a regression the child fails with
    MemoryError instead of taking the machine down.
    """
    import resource

    def cap():
        lim = data_mb << 20
        resource.setrlimit(resource.RLIMIT_DATA, (lim, lim))

    return subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap,
        check=False,
    )


CLI = "import sys; from sa_lib.pack.cli import main; sys.exit(main(sys.argv[1:]))"

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every test in tests/hostile is marked ``hostile`` (``pytest -m hostile`` runs the
    suite alone); CI's `make test` runs it with the rest, its kernel and cluster tests
    marked ``slow`` (the tier `make test-fast` leaves out)."""
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.hostile)


@pytest.fixture(autouse=True)
def _store_unchanged(sample_store):
    """Every hostile test leaves the ingested store byte-for-byte as it was."""
    before = digest(sample_store)
    yield
    assert digest(sample_store) == before, "a hostile input changed the store"


@pytest.fixture
def store_copy(sample_store, tmp_path) -> Path:
    """A private copy of the ingested sample store (for tests that break a partition)."""
    dst = tmp_path / "store"
    shutil.copytree(sample_store, dst)
    return dst


@pytest.fixture
def good_pack(tmp_path) -> Path:
    """An output root holding a last good pack ``huntingdonshire_2025q4`` made by the runner."""
    from sa_lib.pack.runner import MARKER

    root = tmp_path / "outputs"
    pack = root / "huntingdonshire_2025q4"
    pack.mkdir(parents=True)
    (pack / MARKER).write_text(json.dumps({"pid": 1, "host": "x"}), encoding="utf-8")
    (pack / "index.html").write_text("<html>last good pack</html>", encoding="utf-8")
    (pack / "manifest.json").write_text(
        json.dumps({"pack": "huntingdonshire_2025q4", "status": "complete"}), encoding="utf-8"
    )
    return root
