"""One theme of a pack, run as a task on a worker of :mod:`sa_lib.pack.executor`.

:func:`execute_theme` runs the theme's notebook in the worker's warm kernel
(:mod:`sa_lib.pack.warm`), exports its partner HTML and returns the theme's
status as a plain dict (it never raises: a failed theme is a result, not an
error of the run).

Examples
--------
>>> from sa_lib.pack.theme_task import theme_title
>>> theme_title("no_such_theme")
'No such theme'
"""

from __future__ import annotations

import errno
import time
from pathlib import Path

from sa_lib import config

__all__ = ["execute_theme", "theme_title"]


def execute_theme(
    theme: str,
    params_path: str,
    out_ipynb: str,
    kernel: str,
    timeout: int,
    html: dict | None = None,
    *,
    notebook: str | None = None,
    cwd: str | None = None,
    notebooks: bool = True,
) -> dict:
    """Run one theme notebook in this worker's warm kernel, then export its HTML; return its
    status (never raises).

    ``html`` holds ``path``, ``title`` and ``meta`` for :func:`sa_lib.pack.export.export_html`;
    exporting in the worker keeps it in parallel with the other themes. ``notebook`` (the
    source notebook) and ``cwd`` default to ``notebooks/<theme>.ipynb`` and the project
    root of this process; the runner passes its own, so a worker need not share its
    configuration. ``notebooks=False`` builds the theme in this process without a kernel
    (:mod:`sa_lib.pack.direct`): the same page, no executed notebook written.
    """
    if not notebooks:
        from sa_lib.pack.direct import execute_theme_direct

        src = notebook or str(config.NOTEBOOKS_DIR / f"{theme}.ipynb")
        return execute_theme_direct(theme, params_path, src, html, None)
    import nbformat

    from sa_lib.pack.papermill_compat import ExecutionError
    from sa_lib.pack.warm import timings, worker_kernel

    t0 = time.perf_counter()
    src = notebook or str(config.NOTEBOOKS_DIR / f"{theme}.ipynb")
    try:
        # The worker's warm kernel: started by its first theme, reused by the rest.
        warm = worker_kernel(kernel).execute(
            src,
            out_ipynb,
            parameters={
                "params_path": params_path,
                "theme": theme,
                # Where the notebook's theme result is written (sa_lib.themes.render.publish).
                "results_dir": str(Path(html["path"]).parent / "results") if html else None,
            },
            cwd=cwd or str(config.ROOT),
            timeout=timeout,
        )
        result = {"theme": theme, "status": "ok", "seconds": time.perf_counter() - t0}
    except ExecutionError as e:
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
    from sa_lib.pack.papermill_compat import failed_source_cell

    cell = failed_source_cell(e)
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
