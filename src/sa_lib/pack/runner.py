"""Run a quarterly pack: every theme notebook listed in a parameters file, unattended.

The pack is built in a temporary folder beside ``outputs/<csp>_<period>/`` and
swapped into place only when every theme succeeded, so a failed or interrupted
run never overwrites the last good pack. A failed run keeps its build in
``outputs/<csp>_<period>.failed/`` (the failed notebook included, for
debugging), publishes no HTML for the failed theme, and exits non-zero.

Exit codes (also in the README and ``sa --help``):

====  ===========================================================
0     success: the pack is complete
1     unexpected internal error (a bug: please report it)
2     invalid parameters or command line (nothing was run)
3     at least one theme notebook failed (the last good pack is kept)
4     input data error (e.g. a malformed police.uk file at ingest)
5     output not writable: read-only folder, full disk, or a folder
      ``sa run`` did not create in the way (the path and the fix are named;
      the last good pack is kept)
130   interrupted (Ctrl-C / SIGTERM; the last good pack is kept)
====  ===========================================================

Folders the runner may remove carry its marker file (:data:`MARKER`, with the
owning process id); a folder without it is never renamed or deleted. Temporary
build folders of runs that died (``kill -9``, power loss) are removed at the
next start when their owner is no longer running. Pool workers die with the
runner (``PR_SET_PDEATHSIG`` on Linux, and a parent-watch thread everywhere);
their kernels follow them (ipykernel watches its parent).
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sa_lib import __version__, config
from sa_lib.data.periods import parse_period
from sa_lib.pack.params import load_params
from sa_lib.pack.params_model import Params

__all__ = [
    "EXIT",
    "MARKER",
    "OutputError",
    "PackBusyError",
    "RunResult",
    "run_pack",
    "pack_name",
    "pack_lock",
]

EXIT = {
    "ok": 0,
    "internal": 1,
    "params": 2,
    "notebook": 3,
    "data": 4,
    "output": 5,
    "interrupted": 130,
}

#: The file that marks a folder as made by ``sa run`` (JSON: pid, host, started).
MARKER = ".sa-run"

#: errno values that mean "the output cannot be written" rather than a bug.
_OUTPUT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EROFS,
    errno.EACCES,
    errno.EPERM,
    errno.ENOTDIR,
}


class OutputError(RuntimeError):
    """The pack cannot be written where it should go: the message names the path and the fix."""

    def __init__(self, path: str | os.PathLike[str], problem: str, fix: str):
        self.path = str(path)
        super().__init__(f"{path}: {problem}. Fix: {fix}")


def _output_error(e: OSError, path: str | os.PathLike[str] | None = None) -> OutputError:
    where = path or e.filename or "outputs/"
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return OutputError(
            where,
            "no space left on the device while writing the pack",
            "free disk space (or give `sa run --out` another folder) and run again; the "
            "temporary build was removed and the last good pack is unchanged",
        )
    if e.errno == errno.ENOTDIR:
        return OutputError(
            where, "a file is in the way of the output folder", "move the file, or use --out"
        )
    return OutputError(
        where,
        "the output folder is not writable (read-only or no permission)",
        "make it writable (e.g. `chmod u+w`), or give `sa run --out` a writable folder",
    )


def _is_output_errno(code: object) -> bool:
    return code in _OUTPUT_ERRNOS


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
    "seaborn",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "openpyxl",
]

logger = logging.getLogger("sa_lib.pack.runner")


@dataclass
class RunResult:
    """What a run did: where, whether it succeeded, and each theme's outcome."""

    out_dir: Path
    ok: bool
    themes: list[dict] = field(default_factory=list)
    exit_code: int = 0


class PackBusyError(RuntimeError):
    """Another run holds this pack's lock: it is being built now."""


class pack_lock:  # noqa: N801 - used as a context manager, like open()
    """Hold the lock of one pack's build, or raise :class:`PackBusyError`.

    The lock file is in the system's temporary folder (``sa-workbench-locks/``), named
    for the output root and the pack, so it guards runs on one machine (the workers of
    a local cluster, or two ``sa run-all`` started side by side).

    The lock is an OS advisory lock on an open file, so it is released when the holder
    exits, however it exits (a killed worker included); the holder removes the file
    when it is done (one killed on the way leaves it, and the next run takes it over).
    On entry, build folders of this pack left by a run that died (``.<name>.tmp-*``
    with the runner's marker) are removed.
    """

    def __init__(self, out_root: Path, name: str) -> None:
        import tempfile

        # Outside the outputs, so a refused or killed run leaves the outputs untouched.
        key = hashlib.sha256(str(Path(out_root).resolve()).encode()).hexdigest()[:16]
        self.path = Path(tempfile.gettempdir()) / "sa-workbench-locks" / f"{key}-{name}.lock"
        self.out_root, self.name = out_root, name
        self._fh = None

    def __enter__(self):
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # The holder removes the file on release: a lock taken on a file that was
            # removed meanwhile is not the pack's lock.
            if os.fstat(fh.fileno()).st_ino != os.stat(self.path).st_ino:
                raise OSError("lock file replaced")
        except OSError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            fh.close()
            raise PackBusyError(
                f"{self.name} is being built by another run ({holder}); it was left alone. "
                f"Wait for that run to finish, then run again (only missing or stale packs are rebuilt)."
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {platform.node()} since {datetime.now(UTC):%H:%M:%S} UTC")
        fh.flush()
        self._fh = fh
        # Under the lock no other run is building this pack, so a build folder of it that
        # the runner made (it has the marker) belongs to a run that died, on any host.
        for stale in self.out_root.glob(f".{self.name}.tmp-*"):
            if stale.is_dir() and not stale.is_symlink() and (stale / MARKER).is_file():
                shutil.rmtree(stale, ignore_errors=True)
        return self

    def __exit__(self, *exc) -> None:
        import fcntl

        if self._fh is not None:
            # Removed while still held, so the outputs keep no trace of a finished run.
            self.path.unlink(missing_ok=True)
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


def pack_name(params: Params | dict) -> str:
    """``<csp slug>_<period slug>``, e.g. ``huntingdonshire_2025q4``.

    ``params`` is the typed :class:`Params`, or a plain dict of a parameters file
    that names ``csp.slug`` (as ``sa run-all`` writes them).
    """
    if isinstance(params, Params):
        slug, period = params.csp.slug, params.period
    else:
        slug, period = params["csp"]["slug"], params["period"]
    return f"{slug}_{parse_period(period).slug}"


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


def _die_with_parent(parent: int) -> None:
    """Make this process end when ``parent`` ends, even by ``kill -9``."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent already died before prctl took effect
        os._exit(1)

    def _watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=_watch, name="sa-parent-watch", daemon=True).start()


def _worker_init(parent: int | None = None) -> None:
    """Worker processes leave SIGINT and SIGTERM to the main process, which stops them.

    They also die with the main process (:func:`_die_with_parent`), so a ``kill -9``
    of ``sa run`` leaves no worker running notebooks.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if parent is not None:
        _die_with_parent(parent)


def _write_marker(folder: Path) -> None:
    (folder / MARKER).write_text(
        json.dumps(
            {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        ),
        encoding="utf-8",
    )


def _made_by_runner(folder: Path, name: str | None = None) -> bool:
    """True when ``folder`` carries the runner's marker (or, for a pack made before the
    marker existed, a ``manifest.json`` naming ``name``)."""
    if (folder / MARKER).is_file():
        return True
    if name is not None and (folder / "manifest.json").is_file():
        try:
            doc = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(doc, dict) and doc.get("pack") == name.removesuffix(".failed")
    return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_builds(out_root: Path) -> list[Path]:
    """Remove temporary build folders of runs that died; return what was removed.

    Only hidden ``.<pack>.tmp-<pid>`` / ``.<pack>.old-<pid>`` folders that carry the
    runner's marker, on this host, whose owning process is no longer running.
    Anything else (no marker, another host, a live run) is left alone.
    """
    removed = []
    host = socket.gethostname()
    for d in sorted(out_root.glob(".*")):
        if not d.is_dir() or not (".tmp-" in d.name or ".old-" in d.name):
            continue
        try:
            info = json.loads((d / MARKER).read_text(encoding="utf-8"))
            pid, owner_host = int(info["pid"]), info.get("host")
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if owner_host != host or pid == os.getpid() or _pid_alive(pid):
            continue
        shutil.rmtree(d, ignore_errors=True)
        if not d.exists():
            removed.append(d)
            logger.info("removed the stale build %s of dead run %d", d, pid)
    return removed


def _remove_own(folder: Path, name: str | None = None) -> None:
    """Delete ``folder`` only when the runner made it; otherwise raise OutputError."""
    if not folder.exists():
        return
    if folder.is_symlink() or not _made_by_runner(folder, name):
        raise OutputError(
            folder,
            "this folder was not made by `sa run`, so it is not replaced or deleted",
            "move it out of the way (or choose another csp.slug), then run again",
        )
    shutil.rmtree(folder)


def _execute(
    theme: str,
    params_path: str,
    out_ipynb: str,
    kernel: str,
    timeout: int,
    html: dict | None = None,
) -> dict:
    """Run one notebook in a worker process, then export its HTML; return its status (never raises).

    ``html`` holds ``path``, ``title`` and ``meta`` for :func:`sa_lib.pack.export.export_html`;
    exporting in the worker keeps it in parallel with the other themes.
    """
    import nbformat
    import papermill as pm

    from sa_lib.pack.warm import timings, worker_kernel

    t0 = time.perf_counter()
    src = config.NOTEBOOKS_DIR / f"{theme}.ipynb"
    try:
        # The worker's warm kernel: started by its first theme, reused by the rest.
        warm = worker_kernel(kernel).execute(
            str(src),
            out_ipynb,
            parameters={
                "params_path": params_path,
                "theme": theme,
                # Where the notebook's theme result is written (sa_lib.themes.render.publish).
                "results_dir": str(Path(html["path"]).parent / "results") if html else None,
            },
            cwd=str(config.ROOT),
            timeout=timeout,
        )
        result = {"theme": theme, "status": "ok", "seconds": time.perf_counter() - t0}
    except pm.PapermillExecutionError as e:
        return _failure(theme, t0, e)
    except Exception as e:  # noqa: BLE001 - any failure of one theme is reported, not fatal to others
        return _unexpected(theme, t0, e)
    t_nb = time.perf_counter()
    result.update(timings(nbformat.read(out_ipynb, as_version=4)), warm_kernel=warm)
    if html is not None:
        from sa_lib.pack.export import export_html

        try:
            export_html(Path(out_ipynb), Path(html["path"]), title=html["title"], meta=html["meta"])
            result["html_bytes"] = Path(html["path"]).stat().st_size
        except Exception as e:  # noqa: BLE001
            result.update(
                status="failed", error_summary=f"HTML export failed: {type(e).__name__}: {e}"
            )
            if isinstance(e, OSError) and e.errno is not None:
                result.update(errno=e.errno, filename=e.filename, evalue=str(e))
    wall = time.perf_counter() - t0
    result.update(
        seconds=wall,
        wall_seconds=round(wall, 3),
        export_seconds=round(time.perf_counter() - t_nb, 3),
        overhead_seconds=round(wall - result["compute_seconds"], 3),
    )
    return result


def _failure(theme: str, t0: float, e) -> dict:
    """The status of a theme whose notebook raised in a cell."""
    # papermill inserts one "injected-parameters" cell after the parameters cell,
    # so the failing cell of the source notebook is one earlier.
    cell = e.cell_index - 1 if e.cell_index > 0 else e.cell_index
    src_lines = (e.source or "").strip().splitlines()
    last = src_lines[-1][:80] if src_lines else ""
    extra = {}
    if "No space left on device" in str(e.evalue or "") or "Disk quota exceeded" in str(
        e.evalue or ""
    ):
        extra = {"errno": errno.ENOSPC, "filename": None}  # the disk filled during a cell
    return {
        **extra,
        "theme": theme,
        "status": "failed",
        "seconds": time.perf_counter() - t0,
        "cell": cell,
        "exec_count": e.exec_count,
        "ename": e.ename,
        "evalue": e.evalue,
        "error_summary": f"cell {cell} of notebooks/{theme}.ipynb ({last!r}): {e.ename}: {e.evalue}",
    }


def _unexpected(theme: str, t0: float, e: Exception) -> dict:
    """The status of a theme that failed outside a cell (kernel, timeout, I/O)."""
    extra = {}
    if isinstance(e, OSError) and e.errno is not None:
        extra = {"errno": e.errno, "filename": e.filename}
    return {
        **extra,
        "theme": theme,
        "status": "failed",
        "seconds": time.perf_counter() - t0,
        "cell": None,
        "ename": type(e).__name__,
        "evalue": str(e),
        "error_summary": f"{type(e).__name__}: {e}",
    }


def theme_title(theme: str) -> str:
    """A theme's title: the first ``# heading`` of its notebook, else its name in words."""
    import nbformat

    path = config.NOTEBOOKS_DIR / f"{theme}.ipynb"
    try:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                for line in cell.source.splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
    except (OSError, ValueError):
        pass
    return theme.replace("_", " ").capitalize()


def run_pack(
    params_path: str | os.PathLike[str],
    *,
    out_root: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    progress: bool = True,
    themes: list[str] | None = None,
    inline: bool = False,
    manifest_extra=None,
) -> RunResult:
    """Run every theme in the parameters file and publish the pack atomically.

    Parameters
    ----------
    params_path : path-like
        The parameters YAML; validated before anything runs (raises
        :class:`sa_lib.pack.params.ParameterError`).
    out_root : path-like, optional
        Where packs go (default ``outputs/``).
    workers : int, optional
        Notebooks run in parallel (default from the parameters' ``run.workers``).
    progress : bool
        Show a progress bar on stderr.
    themes : list of str, optional
        Run only these of the file's themes.
    inline : bool
        Run the themes one after another in this process's warm kernel instead of a
        process pool (what a Dask worker of ``sa run-all`` does).
    manifest_extra : callable, optional
        Called with the build folder when every theme succeeded; the dict it returns
        is added to ``manifest.json`` before the pack is published.

    Returns
    -------
    RunResult

    Raises
    ------
    PackBusyError
        If another run is building the same pack (nothing is changed).
    """
    from contextlib import ExitStack

    # The pack's lock is taken once its folder is known and held until it is published.
    with ExitStack() as lock:
        return _run_pack(
            params_path,
            out_root=out_root,
            workers=workers,
            progress=progress,
            themes=themes,
            inline=inline,
            manifest_extra=manifest_extra,
            lock=lock,
        )


def _run_pack(
    params_path,
    *,
    out_root,
    workers,
    progress,
    themes,
    inline,
    manifest_extra,
    lock,
) -> RunResult:
    """:func:`run_pack`'s work, under ``lock`` (an ExitStack the pack lock is entered on)."""
    params = load_params(params_path)
    params_abs = str(params.source)
    run_cfg = params.run
    if themes is not None:
        unknown = [t for t in themes if t not in params.themes]
        if unknown:
            from sa_lib.pack.params import ParameterError

            raise ParameterError(
                str(params_path),
                [
                    f"--theme {t!r} is not in this file's themes list. Valid choices: "
                    f"{', '.join(params.themes)}. Add it to `themes:` to run it."
                    for t in unknown
                ],
            )
    todo = [t for t in params.themes if themes is None or t in themes]
    out_root = Path(out_root) if out_root else config.OUTPUTS_DIR
    name = pack_name(params)
    partial = todo != list(params.themes)
    if partial:
        # A run of some themes only is never published as the pack.
        name += ".partial"
    final = out_root / name
    root_abs = Path(os.path.abspath(out_root))
    if Path(os.path.abspath(final)).parent != root_abs or final.name in ("", ".", ".."):
        from sa_lib.pack.params import ParameterError

        raise ParameterError(
            str(params_path),
            [
                f"csp.slug={params.csp.slug!r} would put the pack outside {out_root}. "
                f"Fix: use lower-case letters, digits, '_' and '-' only."
            ],
        )
    tmp = out_root / f".{name}.tmp-{os.getpid()}"
    made_tmp = False
    if out_root.exists() and not out_root.is_dir():
        raise OutputError(
            out_root,
            "this is a file, not a folder",
            "move the file, or give `sa run --out` a folder",
        )
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        lock.enter_context(pack_lock(out_root, name))
        remove_stale_builds(out_root)
        for existing in (final, out_root / f"{name}.failed"):
            if existing.is_symlink() or (existing.exists() and not _made_by_runner(existing, name)):
                raise OutputError(
                    existing,
                    "this folder was not made by `sa run`, so it is not replaced or deleted",
                    "move it out of the way (or choose another csp.slug), then run again",
                )
        if tmp.exists():
            _remove_own(tmp)
        (tmp / "notebooks").mkdir(parents=True)
        made_tmp = True
        _write_marker(tmp)
    except OSError as e:
        if made_tmp:  # this run made it, a moment ago
            shutil.rmtree(tmp, ignore_errors=True)
        if not _is_output_errno(e.errno):
            raise
        raise _output_error(e, e.filename or out_root) from e

    try:
        handler = logging.FileHandler(tmp / "run.log", encoding="utf-8")
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if not _is_output_errno(e.errno):
            raise
        raise _output_error(e, e.filename or tmp) from e
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root_logger = logging.getLogger("sa_lib")
    root_logger.addHandler(handler)
    root_logger.setLevel(logging.INFO)
    started = datetime.now(UTC)
    logger.info("run %s: %s, themes %s", name, params_path, ", ".join(todo))

    def _on_term(signum, frame):
        raise KeyboardInterrupt

    meta = {
        "version": __version__,
        "generated": datetime.now().strftime("%d %B %Y %H:%M"),
        "params": os.path.relpath(params_abs, config.ROOT)
        if params_abs.startswith(str(config.ROOT))
        else params_abs,
        "commit": _git_commit(),
        "document": params.document.to_dict(),
        "document_title": params.title,
    }
    # Signal handlers belong to the main thread (a Dask worker runs tasks in others).
    main = threading.current_thread() is threading.main_thread()
    old_term = signal.signal(signal.SIGTERM, _on_term) if main else None
    results: list[dict] = []
    n_workers = max(1, min(workers or run_cfg.workers, len(todo)))
    try:
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(todo), desc=f"{name}", unit="theme", file=sys.stderr)
        titles = {t: theme_title(t) for t in todo}

        def _job(t):
            return (
                t,
                params_abs,
                str(tmp / "notebooks" / f"{t}.ipynb"),
                run_cfg.kernel,
                run_cfg.cell_timeout,
                {
                    "path": str(tmp / f"{t}.html"),
                    "title": f"{params.title}: {titles[t]}",
                    "meta": meta,
                },
            )

        def _done(r):
            r["title"] = titles[r["theme"]]
            results.append(r)
            level = logging.INFO if r["status"] == "ok" else logging.ERROR
            logger.log(
                level,
                "theme %s: %s in %.1f s %s",
                r["theme"],
                r["status"],
                r["seconds"],
                r.get("error_summary", ""),
            )
            if bar:
                bar.set_postfix_str(f"{r['theme']} {r['status']}")
                bar.update(1)

        if inline:
            for t in todo:
                _done(_execute(*_job(t)))
        else:
            pool = ProcessPoolExecutor(
                max_workers=n_workers, initializer=_worker_init, initargs=(os.getpid(),)
            )
            try:
                futs = {pool.submit(_execute, *_job(t)): t for t in todo}
                for fut in as_completed(futs):
                    _done(fut.result())
            except KeyboardInterrupt:
                # Stop the notebooks now rather than waiting for them: workers ignore the
                # signal themselves, so their kernels are not left half-way through a cell.
                for proc in list(getattr(pool, "_processes", {}).values()):
                    proc.terminate()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown(wait=True)
        if bar:
            bar.close()
        results.sort(key=lambda r: todo.index(r["theme"]))

        from sa_lib.pack.export import write_index

        for r in results:
            ipynb = tmp / "notebooks" / f"{r['theme']}.ipynb"
            if r["status"] != "ok":
                html = tmp / f"{r['theme']}.html"
                if html.exists():
                    html.unlink()
                if ipynb.exists():
                    ipynb.rename(ipynb.with_name(f"{r['theme']}.FAILED.ipynb"))
        period = parse_period(params.period)
        write_index(
            tmp,
            title=params.title,
            period_label=period.label,
            results=results,
            meta=meta,
            partial_of=list(params.themes) if partial else None,
        )
        from sa_lib.pack.downloads import write_workbook

        # After the index, whose own table is downloadable too.
        write_workbook(tmp, [*todo, "index"], params.title)
        ok = all(r["status"] == "ok" for r in results)
        manifest = {
            "pack": name,
            "status": ("partial" if partial else "complete") if ok else "failed",
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "parameters_file": meta["params"],
            "parameters": params.to_dict(),
            "inputs": _input_hashes(params),
            "versions": _versions(),
            "git_commit": meta["commit"],
            "themes": results,
        }
        if ok and manifest_extra is not None:
            manifest.update(manifest_extra(tmp))
        disk = [r for r in results if _is_output_errno(r.get("errno"))]
        if disk:
            raise OSError(disk[0]["errno"], disk[0].get("evalue", ""), disk[0].get("filename"))
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, indent=2, default=str), encoding="utf-8"
        )
        logger.info("run %s: %s", name, "complete" if ok else "FAILED")
    except OSError as e:
        root_logger.removeHandler(handler)
        handler.close()
        if not _is_output_errno(e.errno):
            raise
        shutil.rmtree(tmp, ignore_errors=True)
        raise _output_error(e, getattr(e, "filename", None) or out_root) from e
    except KeyboardInterrupt:
        logger.error("run %s interrupted; the last good pack is kept", name)
        root_logger.removeHandler(handler)
        handler.close()
        shutil.rmtree(tmp, ignore_errors=True)
        if main:
            signal.signal(signal.SIGTERM, old_term)
        return RunResult(final, False, results, EXIT["interrupted"])
    finally:
        if main:
            signal.signal(signal.SIGTERM, old_term)
    root_logger.removeHandler(handler)
    handler.close()

    try:
        return _publish(out_root, name, tmp, final, results, ok)
    except OutputError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except OSError as e:
        if not _is_output_errno(e.errno):
            raise
        shutil.rmtree(tmp, ignore_errors=True)
        raise _output_error(e, getattr(e, "filename", None) or out_root) from e


def _publish(
    out_root: Path, name: str, tmp: Path, final: Path, results: list[dict], ok: bool
) -> RunResult:
    """Swap the finished build into place, removing only folders the runner made."""
    failed_dir = out_root / f"{name}.failed"
    if ok:
        old = out_root / f".{name}.old-{os.getpid()}"
        if final.exists():
            if not _made_by_runner(final, name):
                raise OutputError(
                    final,
                    "this folder was not made by `sa run`, so it is not replaced",
                    "move it out of the way, then run again",
                )
            final.rename(old)
            _write_marker(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        _remove_own(failed_dir, f"{name}.failed")
        return RunResult(final, True, results, EXIT["ok"])
    _remove_own(failed_dir, f"{name}.failed")
    tmp.rename(failed_dir)
    return RunResult(failed_dir, False, results, EXIT["notebook"])
