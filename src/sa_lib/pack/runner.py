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
130   interrupted (Ctrl-C / SIGTERM; the last good pack is kept)
====  ===========================================================
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sa_lib import __version__, config
from sa_lib.data.periods import parse_period
from sa_lib.pack.params import load_params

__all__ = ["EXIT", "RunResult", "run_pack", "pack_name"]

EXIT = {"ok": 0, "internal": 1, "params": 2, "notebook": 3, "data": 4, "interrupted": 130}

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
]

logger = logging.getLogger("sa_lib.pack.runner")


@dataclass
class RunResult:
    """What a run did: where, whether it succeeded, and each theme's outcome."""

    out_dir: Path
    ok: bool
    themes: list[dict] = field(default_factory=list)
    exit_code: int = 0


def pack_name(params: dict) -> str:
    """``<csp slug>_<period slug>``, e.g. ``huntingdonshire_2025q4``."""
    return f"{params['csp']['slug']}_{parse_period(params['period']).slug}"


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


def _input_hashes(params: dict) -> dict:
    out = {}
    for key, value in params["data"].items():
        if value is None or key == "store" or value == "synthetic":
            continue
        p = config.resolve(value)
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
        "path": params["data"]["store"],
        "partitions": store_summary(config.resolve(params["data"]["store"])),
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


def _worker_init() -> None:
    """Worker processes leave SIGINT and SIGTERM to the main process, which stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


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
    import papermill as pm

    t0 = time.perf_counter()
    src = config.NOTEBOOKS_DIR / f"{theme}.ipynb"
    try:
        pm.execute_notebook(
            str(src),
            out_ipynb,
            parameters={"params_path": params_path, "theme": theme},
            kernel_name=kernel,
            cwd=str(config.ROOT),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            report_mode=False,
            # Kernel start-up chatter (e.g. ipykernel's transport notice) is not run output.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
        result = {"theme": theme, "status": "ok", "seconds": time.perf_counter() - t0}
    except pm.PapermillExecutionError as e:
        return _failure(theme, t0, e)
    except Exception as e:  # noqa: BLE001 - any failure of one theme is reported, not fatal to others
        return _unexpected(theme, t0, e)
    if html is not None:
        from sa_lib.pack.export import export_html

        try:
            export_html(Path(out_ipynb), Path(html["path"]), title=html["title"], meta=html["meta"])
            result["html_bytes"] = Path(html["path"]).stat().st_size
        except Exception as e:  # noqa: BLE001
            result.update(
                status="failed", error_summary=f"HTML export failed: {type(e).__name__}: {e}"
            )
        result["seconds"] = time.perf_counter() - t0
    return result


def _failure(theme: str, t0: float, e) -> dict:
    """The status of a theme whose notebook raised in a cell."""
    # papermill inserts one "injected-parameters" cell after the parameters cell,
    # so the failing cell of the source notebook is one earlier.
    cell = e.cell_index - 1 if e.cell_index > 0 else e.cell_index
    src_lines = (e.source or "").strip().splitlines()
    last = src_lines[-1][:80] if src_lines else ""
    return {
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
    return {
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

    Returns
    -------
    RunResult
    """
    params = load_params(params_path)
    params_abs = str(config.resolve(params_path))
    run_cfg = params["run"]
    if themes is not None:
        unknown = [t for t in themes if t not in params["themes"]]
        if unknown:
            from sa_lib.pack.params import ParameterError

            raise ParameterError(
                str(params_path),
                [
                    f"--theme {t!r} is not in this file's themes list. Valid choices: "
                    f"{', '.join(params['themes'])}. Add it to `themes:` to run it."
                    for t in unknown
                ],
            )
    todo = [t for t in params["themes"] if themes is None or t in themes]
    out_root = Path(out_root) if out_root else config.OUTPUTS_DIR
    out_root.mkdir(parents=True, exist_ok=True)
    name = pack_name(params)
    partial = todo != list(params["themes"])
    if partial:
        # A run of some themes only is never published as the pack.
        name += ".partial"
    final = out_root / name
    tmp = out_root / f".{name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "notebooks").mkdir(parents=True)

    handler = logging.FileHandler(tmp / "run.log", encoding="utf-8")
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
    }
    old_term = signal.signal(signal.SIGTERM, _on_term)
    results: list[dict] = []
    n_workers = max(1, min(workers or run_cfg["workers"], len(todo)))
    try:
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(todo), desc=f"{name}", unit="theme", file=sys.stderr)
        titles = {t: theme_title(t) for t in todo}
        pool = ProcessPoolExecutor(max_workers=n_workers, initializer=_worker_init)
        try:
            futs = {
                pool.submit(
                    _execute,
                    t,
                    params_abs,
                    str(tmp / "notebooks" / f"{t}.ipynb"),
                    run_cfg["kernel"],
                    run_cfg["cell_timeout"],
                    {
                        "path": str(tmp / f"{t}.html"),
                        "title": f"{params['title']}: {titles[t]}",
                        "meta": meta,
                    },
                ): t
                for t in todo
            }
            for fut in as_completed(futs):
                r = fut.result()
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
        period = parse_period(params["period"])
        write_index(
            tmp,
            title=params["title"],
            period_label=period.label,
            results=results,
            meta=meta,
            partial_of=list(params["themes"]) if partial else None,
        )
        ok = all(r["status"] == "ok" for r in results)
        manifest = {
            "pack": name,
            "status": ("partial" if partial else "complete") if ok else "failed",
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "parameters_file": meta["params"],
            "parameters": params,
            "inputs": _input_hashes(params),
            "versions": _versions(),
            "git_commit": meta["commit"],
            "themes": results,
        }
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, indent=2, default=str), encoding="utf-8"
        )
        logger.info("run %s: %s", name, "complete" if ok else "FAILED")
    except KeyboardInterrupt:
        logger.error("run %s interrupted; the last good pack is kept", name)
        root_logger.removeHandler(handler)
        handler.close()
        shutil.rmtree(tmp, ignore_errors=True)
        signal.signal(signal.SIGTERM, old_term)
        return RunResult(final, False, results, EXIT["interrupted"])
    finally:
        signal.signal(signal.SIGTERM, old_term)
    root_logger.removeHandler(handler)
    handler.close()

    if ok:
        old = out_root / f".{name}.old-{os.getpid()}"
        if final.exists():
            final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        failed_dir = out_root / f"{name}.failed"
        if failed_dir.exists():
            shutil.rmtree(failed_dir)
        return RunResult(final, True, results, EXIT["ok"])
    failed_dir = out_root / f"{name}.failed"
    if failed_dir.exists():
        shutil.rmtree(failed_dir)
    tmp.rename(failed_dir)
    return RunResult(failed_dir, False, results, EXIT["notebook"])
