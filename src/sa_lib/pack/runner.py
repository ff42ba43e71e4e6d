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
next start when their owner is no longer running. The themes run as tasks on
the executor shared with ``sa run-all`` (:mod:`sa_lib.pack.executor`, a Dask
local cluster): its workers die with the runner, and their kernels with them.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import platform
import shutil
import signal
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sa_lib import __version__, config
from sa_lib.data.periods import parse_period
from sa_lib.pack.params import load_params
from sa_lib.pack.params_model import Params
from sa_lib.pack.provenance import (  # noqa: F401
    PACKAGES,
    _git_commit,
    _input_hashes,
    _versions,
    store_changes,
    store_inputs,
)
from sa_lib.pack.theme_task import execute_theme as _execute
from sa_lib.pack.theme_task import theme_title

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


#: The output root's folder of pack locks.
LOCK_DIR = ".sa-locks"


def _lock_fix(e: Exception) -> str:
    msg = str(e)
    return msg.split(" Fix: ", 1)[1] if " Fix: " in msg else "remove it, then run again"


class pack_lock:  # noqa: N801 - used as a context manager, like open()
    """Hold the lock of one pack's build, or raise :class:`PackBusyError`.

    The lock file is in the output root's lock folder (``.sa-locks/``, 0700), so it
    guards every run that writes this root, whatever its ``TMPDIR`` (``PrivateTmp``,
    another host on a shared disk). It is a :class:`sa_lib.safe_lock.SafeLock`
    (``flock`` on a file opened without following links, owner and mode checked),
    taken without waiting, released when the holder exits however it exits; the
    holder writes who it is into the file, which a refused run names. On entry, build folders of this pack left by a run that died
    (``.<name>.tmp-*`` with the runner's marker) are removed.
    """

    def __init__(self, out_root: Path, name: str) -> None:
        self.path = Path(out_root) / LOCK_DIR / f"{name}.lock"
        self.out_root, self.name = out_root, name
        self._lock = None

    def __enter__(self):
        from sa_lib.safe_lock import SafeLock, UnsafeLockError

        lock = SafeLock(self.path)
        try:
            self.path.parent.parent.mkdir(parents=True, exist_ok=True)
            held = lock.acquire(blocking=False)
        except UnsafeLockError as e:
            raise OutputError(
                self.path, str(e).split(" Fix: ")[0].rstrip("."), _lock_fix(e)
            ) from None
        if not held:
            holder = lock.holder()
            raise PackBusyError(
                f"{self.name} is being built by another run ({holder or 'another process'}); "
                f"it was left alone. Wait for that run to finish, then run again (only missing "
                f"or stale packs are rebuilt)."
            )
        self._lock = lock
        try:
            lock.write_holder(
                f"pid {os.getpid()} on {platform.node()} since {datetime.now(UTC):%H:%M:%S} UTC"
            )
        except OSError:
            pass  # who holds it is only for the message of a refused run
        # Under the lock no other run is building this pack, so a build folder of it that
        # the runner made (it has the marker) belongs to a run that died, on any host.
        for stale in self.out_root.glob(f".{self.name}.tmp-*"):
            # One with no marker yet is a run killed between making it and marking it.
            if (
                stale.is_dir()
                and not stale.is_symlink()
                and ((stale / MARKER).is_file() or _unmarked_start(stale))
            ):
                shutil.rmtree(stale, ignore_errors=True)
        return self

    def __exit__(self, *exc) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None


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


def _unmarked_start(folder: Path) -> bool:
    """True when ``folder`` is what a build makes before its marker: an empty
    ``notebooks/`` folder and nothing else (a run killed in between leaves it so).

    Nothing can be lost by removing it, so it is removed under the pack's lock.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()) / ".x.tmp-1"
    >>> (d / "notebooks").mkdir(parents=True)
    >>> _unmarked_start(d), (d / "a.txt").write_text("x") > 0, _unmarked_start(d)
    (True, True, False)
    """
    try:
        entries = list(folder.iterdir())
        return [e.name for e in entries] == ["notebooks"] and not any(
            (folder / "notebooks").iterdir()
        )
    except OSError:
        return False


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


def run_pack(
    params_path: str | os.PathLike[str],
    *,
    out_root: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    progress: bool = True,
    themes: list[str] | None = None,
    inline: bool = False,
    manifest_extra=None,
    scheduler: str | None = None,
    notebooks: bool = True,
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
        Notebooks run in parallel (default from the parameters' ``run.workers``): the
        size of the local Dask cluster (:mod:`sa_lib.pack.executor`).
    progress : bool
        Show a progress bar on stderr.
    themes : list of str, optional
        Run only these of the file's themes.
    inline : bool
        Run the themes one after another in this process's warm kernel instead of on
        the executor (what a Dask worker of ``sa run-all`` does).
    manifest_extra : callable, optional
        Called with the build folder when every theme succeeded; the dict it returns
        is added to ``manifest.json`` before the pack is published.
    scheduler : str, optional
        Run the themes on the Dask scheduler at this address instead of a local cluster.
    notebooks : bool
        Run notebooks in a kernel (default); False builds the same pack without one
        (:mod:`sa_lib.pack.direct`), keeping no executed notebooks.

    Returns
    -------
    RunResult

    Raises
    ------
    PackBusyError
        If another run is building the same pack (nothing is changed).

    Examples
    --------
    >>> res = run_pack("parameters/huntingdonshire_2025q4.yaml")  # doctest: +SKIP
    >>> res.exit_code, res.out_dir.name  # doctest: +SKIP
    (0, 'huntingdonshire_2025q4')
    """
    from contextlib import ExitStack

    params = load_params(params_path)
    todo = _select_themes(params, params_path, themes)
    out_root = Path(out_root) if out_root else config.OUTPUTS_DIR
    name, partial = _pack_folder_name(params, params_path, out_root, todo)
    run = _Run(
        params=params,
        params_abs=str(params.source),
        out_root=out_root,
        name=name,
        todo=todo,
        partial=partial,
        notebooks=notebooks,
    )
    # The pack's lock is taken once its folder is known and held until it is published.
    with ExitStack() as lock:
        _prepare_build(run, lock)
        opts = {"workers": workers, "progress": progress, "inline": inline}
        return _build_and_publish(run, scheduler=scheduler, manifest_extra=manifest_extra, **opts)


def _build_and_publish(run: _Run, **build_opts) -> RunResult:
    """Build the pack in its build folder (logging to its ``run.log``), then publish it.

    An output error (disk full, read-only) removes the build and raises
    :class:`OutputError`; an interrupt removes it and returns exit code 130.
    """
    handler = _open_run_log(run)
    try:
        ok = _build(run, **build_opts)
    except OSError as e:
        if not _is_output_errno(e.errno):
            raise
        shutil.rmtree(run.tmp, ignore_errors=True)
        raise _output_error(e, getattr(e, "filename", None) or run.out_root) from e
    except KeyboardInterrupt:
        logger.error("run %s interrupted; the last good pack is kept", run.name)
        shutil.rmtree(run.tmp, ignore_errors=True)
        return RunResult(run.final, False, run.results, EXIT["interrupted"])
    except ValueError:  # a scheduler refused or not answering (executor.SchedulerError)
        shutil.rmtree(run.tmp, ignore_errors=True)
        raise
    finally:
        logging.getLogger("sa_lib").removeHandler(handler)
        handler.close()
    try:
        return _publish(run.out_root, run.name, run.tmp, run.final, run.results, ok)
    except OutputError:
        shutil.rmtree(run.tmp, ignore_errors=True)
        raise
    except OSError as e:
        if not _is_output_errno(e.errno):
            raise
        shutil.rmtree(run.tmp, ignore_errors=True)
        raise _output_error(e, getattr(e, "filename", None) or run.out_root) from e


@dataclass
class _Run:
    """One run of :func:`run_pack`: what it builds, where, and the themes' results so far."""

    params: dict
    params_abs: str
    out_root: Path
    name: str
    todo: list[str]
    partial: bool
    notebooks: bool = True
    results: list[dict] = field(default_factory=list)
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: The store partitions the build reads, taken when it starts (provenance.store_inputs).
    store: dict | None = None

    @property
    def final(self) -> Path:
        return self.out_root / self.name

    @property
    def tmp(self) -> Path:
        return self.out_root / f".{self.name}.tmp-{os.getpid()}"


def _select_themes(params: dict, params_path, themes: list[str] | None) -> list[str]:
    """The themes to run, in the file's order; an unknown ``--theme`` is a ParameterError."""
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
    return [t for t in params.themes if themes is None or t in themes]


def _pack_folder_name(params: dict, params_path, out_root: Path, todo: list[str]):
    """``(name, partial)`` of the pack folder; one outside ``out_root`` is a ParameterError."""
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
    return name, partial


def _prepare_build(run: _Run, lock) -> None:
    """Take the pack's lock (on ``lock``), check the folders in the way, make the build folder."""
    from sa_lib.pack.out_root import check_out_root

    out_root, name, tmp = check_out_root(run.out_root), run.name, run.tmp
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
        for existing in (run.final, out_root / f"{name}.failed"):
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


def _open_run_log(run: _Run) -> logging.Handler:
    """Start the build's ``run.log`` (the ``sa_lib`` loggers' INFO and above)."""
    try:
        handler = logging.FileHandler(run.tmp / "run.log", encoding="utf-8")
    except OSError as e:
        shutil.rmtree(run.tmp, ignore_errors=True)
        if not _is_output_errno(e.errno):
            raise
        raise _output_error(e, e.filename or run.tmp) from e
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root_logger = logging.getLogger("sa_lib")
    root_logger.addHandler(handler)
    root_logger.setLevel(logging.INFO)
    return handler


def _page_meta(run: _Run) -> dict:
    """What every page's footer cites: version, date, parameters file, commit, document."""
    params_abs = run.params_abs
    return {
        "version": __version__,
        "generated": datetime.now().strftime("%d %B %Y %H:%M"),
        "params": os.path.relpath(params_abs, config.ROOT)
        if params_abs.startswith(str(config.ROOT))
        else params_abs,
        "commit": _git_commit(),
        "document": run.params.document.to_dict(),
        "document_title": run.params.title,
    }


def _on_term(signum, frame):
    raise KeyboardInterrupt


def _build(run: _Run, *, workers, progress, inline, scheduler, manifest_extra) -> bool:
    """Run the themes into the build folder, then write its index, workbook and manifest.

    Returns True when every theme succeeded. SIGTERM is turned into KeyboardInterrupt
    for the duration (in the main thread; a Dask worker runs tasks in others).
    """
    logger.info("run %s: %s, themes %s", run.name, run.params_abs, ", ".join(run.todo))
    meta = _page_meta(run)
    main = threading.current_thread() is threading.main_thread()
    old_term = signal.signal(signal.SIGTERM, _on_term) if main else None
    try:
        # What the slice reads, recorded before it reads it: an ingest while the themes run
        # must not show up in the manifest as an input of this pack.
        run.store = store_inputs(run.params)
        _run_themes(
            run, meta, workers=workers, progress=progress, inline=inline, scheduler=scheduler
        )
        ok = _write_pack_files(run, meta, manifest_extra)
    finally:
        if main:
            signal.signal(signal.SIGTERM, old_term)
    logger.info("run %s: %s", run.name, "complete" if ok else "FAILED")
    return ok


def _theme_jobs(run: _Run, meta: dict) -> tuple[dict, dict, dict]:
    """Each theme's task: ``(args, kwargs, titles)`` keyed by theme, for :func:`_execute`."""
    run_cfg, tmp = run.params.run, run.tmp
    titles = {t: theme_title(t) for t in run.todo}
    args = {
        t: (
            t,
            run.params_abs,
            str(tmp / "notebooks" / f"{t}.ipynb"),
            run_cfg.kernel,
            run_cfg.cell_timeout,
            {
                "path": str(tmp / f"{t}.html"),
                "title": f"{run.params.title}: {titles[t]}",
                "meta": meta,
            },
        )
        for t in run.todo
    }
    # The notebook and folder are this process's: a worker need not share its configuration.
    nb_dir, cwd = config.NOTEBOOKS_DIR, str(config.ROOT)
    kw = {"cwd": cwd, "notebooks": run.notebooks}
    kwargs = {t: {"notebook": str(nb_dir / f"{t}.ipynb"), **kw} for t in run.todo}
    return args, kwargs, titles


def _run_themes(run: _Run, meta: dict, *, workers, progress, inline, scheduler) -> None:
    """Run every theme (inline, or as tasks on the executor); their results go to ``run.results``."""
    from sa_lib.pack.executor import dask_client, run_tasks

    args, kwargs, titles = _theme_jobs(run, meta)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(run.todo), desc=run.name, unit="theme", file=sys.stderr)

    def _done(theme: str, r) -> None:
        if isinstance(r, BaseException):  # the task's worker died, or the task could not run
            r = _lost_task(theme, r)
        r["title"] = titles[r["theme"]]
        run.results.append(r)
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
        from sa_lib import memo

        # One process builds every theme of the pack: what several themes compute (the
        # ward table, the stop-and-search analysis) is computed once (sa_lib.memo).
        with memo.pack_scope():
            for t in run.todo:
                _done(t, _execute(*args[t], **kwargs[t]))
    else:
        n_workers = max(1, min(workers or run.params.run.workers, len(run.todo)))
        with dask_client(n_workers, scheduler) as client:
            suffix = f"{os.getpid()}-{time.time_ns()}"
            jobs = {f"sa-theme-{t}-{suffix}": a for t, a in args.items()}
            kw = {f"sa-theme-{t}-{suffix}": k for t, k in kwargs.items()}
            for key, r in run_tasks(client, _execute, jobs, kwargs=kw):
                _done(key[len("sa-theme-") : -len(suffix) - 1], r)
    if bar:
        bar.close()
    run.results.sort(key=lambda r: run.todo.index(r["theme"]))


def _lost_task(theme: str, e: BaseException) -> dict:
    """The status of a theme whose task raised instead of returning one (e.g. its worker died)."""
    return {
        "theme": theme,
        "status": "failed",
        "seconds": 0.0,
        "cell": None,
        "ename": type(e).__name__,
        "evalue": str(e),
        "error_summary": f"the theme's worker failed: {type(e).__name__}: {e}",
    }


def _write_pack_files(run: _Run, meta: dict, manifest_extra) -> bool:
    """Mark failed notebooks, write index.html, the workbook and manifest.json; True if all ok."""
    from sa_lib.pack.downloads import write_workbook
    from sa_lib.pack.environment import environment_record
    from sa_lib.pack.export import write_index
    from sa_lib.pack.front import write_board_paper

    tmp, results, params = run.tmp, run.results, run.params
    for r in results:
        ipynb = tmp / "notebooks" / f"{r['theme']}.ipynb"
        if r["status"] != "ok":
            (tmp / f"{r['theme']}.html").unlink(missing_ok=True)
            if ipynb.exists():
                ipynb.rename(ipynb.with_name(f"{r['theme']}.FAILED.ipynb"))
    write_index(
        tmp,
        title=params.title,
        period_label=parse_period(params.period).label,
        results=results,
        meta=meta,
        partial_of=list(params.themes) if run.partial else None,
    )
    write_board_paper(tmp, params, meta)
    # After the index, whose own table is downloadable too.
    write_workbook(tmp, [*run.todo, "index"], params.title)
    ok = all(r["status"] == "ok" for r in results)
    manifest = {
        "pack": run.name,
        "status": ("partial" if run.partial else "complete") if ok else "failed",
        "started": run.started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "parameters_file": meta["params"],
        "parameters": params.to_dict(),
        "inputs": _input_hashes(params, _store_record(run)),
        "versions": _versions(),
        "environment": environment_record(),
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
    return ok


def _store_record(run: _Run) -> dict | None:
    """The store snapshot of the build's start, with any partition replaced since named."""
    if run.store is None:
        return None
    changed = store_changes(run.params, run.store)
    if changed:
        logger.warning(
            "run %s: the store changed while the pack was built (%s); the manifest records the "
            "partitions as they were when the build started. Rebuild the pack to use the new ones.",
            run.name,
            ", ".join(changed[:5]),
        )
    return {**run.store, "changed_during_build": changed} if changed else run.store


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
