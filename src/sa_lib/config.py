"""Project paths: the one place that knows where things live.

Notebooks and modules never build relative paths of their own; they ask here.
The project root is found from the ``SA_ROOT`` environment variable if set,
else from the location of this package in a source checkout (``src/sa_lib``),
else the current working directory.

Examples
--------
>>> from sa_lib import config
>>> config.SAMPLE_DIR.name
'sample'
"""

from __future__ import annotations

import os
from pathlib import Path


def _find_root() -> Path:
    env = os.environ.get("SA_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "src" / "sa_lib").is_dir():
            return parent
    return Path.cwd().resolve()


ROOT: Path = _find_root()
DATA_DIR: Path = ROOT / "data"
SAMPLE_DIR: Path = DATA_DIR / "sample"
RAW_DIR: Path = DATA_DIR / "raw"
PROCESSED_DIR: Path = DATA_DIR / "processed"


def _national_dir() -> Path:
    # The national reference ships with the code: a project root (SA_ROOT) without its own
    # data/national uses the one beside this package in the source checkout.
    own = DATA_DIR / "national"
    if own.is_dir():
        return own
    for parent in Path(__file__).resolve().parents:
        cand = parent / "data" / "national"
        if cand.is_dir() and (parent / "src" / "sa_lib").is_dir():
            return cand
    return own


NATIONAL_DIR: Path = _national_dir()


def _shipped_dir(name: str) -> Path:
    """``data/<name>`` of the root, else the one beside this package in the source checkout."""
    own = DATA_DIR / name
    if own.is_dir():
        return own
    for parent in Path(__file__).resolve().parents:
        cand = parent / "data" / name
        if cand.is_dir() and (parent / "src" / "sa_lib").is_dir():
            return cand
    return own


#: The shipped default harm weights (Cambridge Crime Harm Index 2026 by police.uk category).
HARM_DIR: Path = _shipped_dir("harm")
NOTEBOOKS_DIR: Path = ROOT / "notebooks"
PARAMETERS_DIR: Path = ROOT / "parameters"
OUTPUTS_DIR: Path = ROOT / "outputs"
CONFIG_DIR: Path = ROOT / "config"


def resolve(path: str | os.PathLike[str]) -> Path:
    """Resolve a path from a parameters file: absolute as given, else relative to the root.

    Parameters
    ----------
    path : str or path-like
        A path as written in a parameters file.

    Returns
    -------
    pathlib.Path
        An absolute path.

    Examples
    --------
    >>> from sa_lib.config import resolve, ROOT
    >>> resolve("data/sample") == ROOT / "data" / "sample"
    True
    """
    p = Path(os.path.expanduser(os.fspath(path)))
    return p if p.is_absolute() else (ROOT / p)
