"""Where a pack came from: the workbench's commit, input file hashes and package versions.

The manifest of every pack (:mod:`sa_lib.pack.runner`) records these, so a pack can be
traced to the code, data and stack that made it.

Examples
--------
>>> v = _versions()
>>> v["python"].count(".") == 2 and "pandas" in v
True
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from sa_lib import config
from sa_lib.pack.params_model import Params

__all__ = ["PACKAGES", "store_inputs", "store_changes"]

PACKAGES = [
    "sa-workbench",
    "pandas",
    "numpy",
    "geopandas",
    "shapely",
    "pyproj",
    "pyarrow",
    "scipy",
    "statsmodels",
    "esda",
    "libpysal",
    "mapclassify",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "openpyxl",
]


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(config.ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        sha = out.stdout.strip() or "unknown"
        dirty = subprocess.run(
            ["git", "-C", str(config.ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def store_inputs(params: Params) -> dict:
    """The store partitions a pack reads, as ``coverage`` records say they are now.

    The CSP's own force's partitions (every kind) up to the period's last month: the
    slice (:func:`sa_lib.pack.context._csp_slice`) and every theme read no others.
    The runner takes this snapshot when the build starts, so a concurrent ``sa ingest``
    of another force or a later month never appears in the manifest as an input.

    Returns
    -------
    dict
        ``partitions`` (``kind/force/month`` -> its ingest-log record: source, sha256,
        rows) and ``sha256`` (a hash of those records, in key order).
    """
    import json

    from sa_lib.data.periods import parse_period
    from sa_lib.data.store import store_summary
    from sa_lib.pack.params import csp_forces

    forces = csp_forces(params)
    last = parse_period(params.period).months[-1]
    log = store_summary(params.paths.store)
    parts = {}
    for key in sorted(log):
        kind, force, month = (key.split("/") + ["", "", ""])[:3]
        if month <= last and (not forces or force in forces):
            parts[key] = log[key]
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
    return {"partitions": parts, "sha256": digest}


def store_changes(params: Params, before: dict) -> list[str]:
    """Partitions of ``before`` (:func:`store_inputs`) replaced or removed since it was taken."""
    now = store_inputs(params)["partitions"]
    return sorted(k for k, rec in before["partitions"].items() if now.get(k) != rec)


def _input_hashes(params: Params, store: dict | None = None) -> dict:
    out = {}
    for key, value in params.data.to_dict().items():
        if value is None or key == "store" or value == "synthetic":
            continue
        p = getattr(params.paths, key)
        if p == "national":  # the shipped reference (the commit names it)
            continue
        if p.is_file():
            out[key] = {"path": value, "sha256": _sha256(p)}
        elif p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file())
            h = hashlib.sha256()
            for f in files:
                h.update(f.relative_to(p).as_posix().encode())
                h.update(_sha256(f).encode())
            out[key] = {"path": value, "sha256": h.hexdigest(), "files": len(files)}
    snap = store if store is not None else store_inputs(params)
    out["store"] = {
        "path": params.data.store,
        "partitions": snap["partitions"],
        "sha256": snap["sha256"],
    }
    if snap.get("changed_during_build"):
        out["store"]["changed_during_build"] = snap["changed_during_build"]
    return out


def _versions() -> dict:
    v = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            v[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            v[p] = None
    return v
