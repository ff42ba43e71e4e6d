"""Output roots that cannot be turned against the user: ``--out`` is checked before any build.

``sa run`` and ``sa run-all`` replace and delete folders in their output root, so
the root must be one the runner owns:

* not the repository root (or a folder above it), whose tracked files a run could
  overwrite;
* not a published pack (a folder with the runner's marker or a ``manifest.json``),
  whose ``index.html`` a run-all would replace;
* not a folder holding files the runner did not make: only packs made by the runner,
  their hidden build folders, the lock folder, the national index and ``.gitkeep``
  may be there.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> d = Path(tempfile.mkdtemp())
>>> check_out_root(d / "outputs") == (d / "outputs")
True
>>> (d / "notes.txt").write_text("mine")
4
>>> check_out_root(d)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
sa_lib.pack.runner.OutputError: ...: this folder holds what was not made by `sa run` ...
"""

from __future__ import annotations

import os
from pathlib import Path

from sa_lib import config

__all__ = ["check_out_root"]

#: What the runner itself leaves at an output root, besides its packs.
_OWN_FILES = {".gitkeep", "index.html", ".sa-locks"}


def _is_pack(folder: Path) -> bool:
    from sa_lib.pack.runner import MARKER

    return (folder / MARKER).is_file() or (folder / "manifest.json").is_file()


def _run_all_parameters(folder: Path) -> bool:
    """``parameters/`` as ``sa run-all`` writes it: only the files it wrote (their header says so)."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    for f in folder.iterdir():
        if f.name.startswith(".") and ".tmp-" in f.name:
            continue
        try:
            with open(f, encoding="utf-8") as fh:
                head = fh.readline(300)
        except (OSError, UnicodeDecodeError):
            return False
        if "written by `sa run-all`" not in head:
            return False
    return True


def _runner_made(entry: Path) -> bool:
    name = entry.name
    if name in _OWN_FILES:
        return True
    if name == "parameters":
        return _run_all_parameters(entry)
    if name.startswith(".") and (".tmp-" in name or ".old-" in name):
        return True
    return entry.is_dir() and not entry.is_symlink() and _is_pack(entry)


def check_out_root(out_root: str | os.PathLike[str]) -> Path:
    """``out_root`` when the runner may write packs there; else :class:`OutputError` with the fix.

    Raises
    ------
    sa_lib.pack.runner.OutputError
        The repository root, a published pack, or a folder of other files.
    """
    from sa_lib.pack.runner import OutputError

    root = Path(out_root)
    real = root.resolve()
    repo = Path(config.ROOT).resolve()
    if real == repo or real in repo.parents:
        raise OutputError(
            root,
            "this is the workbench's own folder (or one above it); a run would overwrite its files",
            "give --out an empty folder, or leave it out to use outputs/",
        )
    if not real.is_dir():
        return root
    if _is_pack(real):
        raise OutputError(
            root,
            "this is a published pack, not a folder of packs; a run would replace its pages",
            f"give its parent folder ({real.parent}) as --out",
        )
    foreign = sorted(str(root / e.name) for e in real.iterdir() if not _runner_made(e))
    if foreign:
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise OutputError(
            root,
            f"this folder holds what was not made by `sa run` ({', '.join(foreign[:3])}{more}), "
            "which a run could replace or delete",
            "move it out of the way, or give --out an empty folder (or one that only holds "
            "packs), or leave --out out to use outputs/",
        )
    return root
