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

__all__ = ["PACKAGES"]

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


def _input_hashes(params: Params) -> dict:
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
    from sa_lib.data.store import store_summary

    out["store"] = {
        "path": params.data.store,
        "partitions": store_summary(params.paths.store),
    }
    return out


def _versions() -> dict:
    v = {"python": platform.python_version()}
    for p in PACKAGES:
        try:
            v[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            v[p] = None
    return v
