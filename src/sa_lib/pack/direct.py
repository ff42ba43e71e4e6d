"""A theme's page without a kernel: call its ``build(ctx)`` here and lay the page out statically.

Every theme notebook is a parameters cell, a set-up cell (``result = <module>.build(ctx)``)
and one ``render.show(result, "<section>")`` per code cell between markdown cells. For a
fan-out of hundreds of packs, running each notebook in a kernel (papermill, the
``.ipynb`` written and read back, a kernel reset) costs more than many themes' statistics.
:func:`build_notebook` does what the kernel would: it reads the notebook with
nbformat, calls the theme's ``build`` in this process, and fills each code cell's
outputs with what its ``render.show`` calls display (captured by
:class:`sa_lib.themes.render.capture`). The result is an executed notebook node that
:func:`sa_lib.pack.export.export_html` turns into the same page as the kernel's.

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[
...     nbformat.v4.new_code_cell("result = overview.build(ctx)\\nrender.show(result, 'header')"),
...     nbformat.v4.new_code_cell("render.show(result, 'types')"),
... ])
>>> theme_module(nb), [shown_sections(c.source) for c in nb.cells]
('overview', [['header'], ['types']])
"""

from __future__ import annotations

import copy
import importlib
import logging
import re
import time
import warnings
from pathlib import Path

__all__ = [
    "theme_module",
    "theme_builders",
    "shown_sections",
    "build_notebook",
    "execute_theme_direct",
]

logger = logging.getLogger("sa_lib.pack.direct")

_BUILD = re.compile(r"^\s*result\s*=\s*(\w+)\.build\(ctx\)", re.M)
_SHOW = re.compile(r"""render\.show\(\s*result\s*,\s*["'](\w+)["']\s*\)""")


def theme_module(nb) -> str:
    """The themes module whose ``build(ctx)`` the notebook's set-up cell calls.

    Raises
    ------
    ValueError
        If no code cell has ``result = <module>.build(ctx)``.
    """
    for cell in nb.cells:
        if cell.cell_type == "code":
            m = _BUILD.search(cell.source)
            if m:
                return m.group(1)
    raise ValueError("the notebook has no set-up cell with `result = <module>.build(ctx)`")


def theme_builders(notebooks_dir: Path | None = None) -> dict[str, str]:
    """``{theme: module}``: the themes module each theme notebook builds with, by name.

    The notebooks are where a theme is tied to its ``build(ctx)``; tests and scripts that
    build themes without a notebook read the mapping from them instead of keeping a copy.

    Examples
    --------
    >>> theme_builders()["hotspots"]
    'hotspots_build'
    """
    import nbformat

    from sa_lib import config

    folder = Path(notebooks_dir or config.NOTEBOOKS_DIR)
    return {
        nb.stem: theme_module(nbformat.read(str(nb), as_version=4))
        for nb in sorted(folder.glob("*.ipynb"))
    }


def shown_sections(source: str) -> list[str]:
    """The sections a code cell shows, in order (``render.show(result, "<key>")``).

    Examples
    --------
    >>> shown_sections('render.show(result, "methods")\\nrender.publish(result, results_dir)')
    ['methods']
    """
    return _SHOW.findall(source)


def _injected_cell(nb, parameters: dict):
    """The cell papermill adds after the parameters cell (its input is never published)."""
    import nbformat

    src = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in parameters.items())
    cell = nbformat.v4.new_code_cell(src)
    cell.metadata["tags"] = ["injected-parameters"]
    idx = next(
        (
            i + 1
            for i, c in enumerate(nb.cells)
            if "parameters" in c.get("metadata", {}).get("tags", [])
        ),
        0,
    )
    nb.cells.insert(idx, cell)


def build_notebook(
    src: str | Path,
    params_path: str,
    theme: str,
    results_dir: str | None,
    steps: dict | None = None,
):
    """Build theme ``theme`` in this process; return ``(executed notebook node, ThemeResult)``.

    The notebook's set-up cell gets what ``open_context`` and ``build`` displayed (library
    warnings as notes) and its ``header`` section; every other code cell the sections it
    shows. The result is written to ``results_dir`` as the notebook's ``render.publish``
    would. Exceptions of ``open_context`` or ``build`` propagate. ``steps``, when given,
    receives the CPU seconds of this process in ``build`` (context and ``build``) and
    ``render`` (the page's blocks laid out as outputs, the result written).
    """
    import nbformat

    from sa_lib.charts.png import quiet_geopandas
    from sa_lib.collector import fewer_collections
    from sa_lib.pack.context import open_context
    from sa_lib.themes import render, report

    nb = copy.deepcopy(nbformat.read(str(src), as_version=4))
    module = importlib.import_module(f"sa_lib.themes.{theme_module(nb)}")
    setup_idx = next(
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and _BUILD.search(c.source)
    )
    count = 0
    c0 = time.process_time()
    # Maps are drawn once, when saved (not after every geopandas layer too); the garbage
    # collector runs less often while the theme is built (sa_lib.collector).
    with warnings.catch_warnings(), quiet_geopandas(), fewer_collections():
        report.setup_notebook()
        with render.capture() as setup_out:
            ctx = open_context(params_path, theme)
            result = module.build(ctx)
        c1 = time.process_time()
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            count += 1
            cell.execution_count = count
            with render.capture() as outs:
                for key in shown_sections(cell.source):
                    render.show(result, key)
            shown = [*setup_out, *outs] if i == setup_idx else outs
            cell.outputs = [nbformat.from_dict(o) for o in shown]
    render.publish(result, results_dir)
    _injected_cell(nb, {"params_path": params_path, "theme": theme, "results_dir": results_dir})
    if steps is not None:
        steps.update(build=c1 - c0, render=time.process_time() - c1)
    return nb, result


def execute_theme_direct(
    theme: str, params_path: str, notebook: str, html: dict | None, out_ipynb: str | None
) -> dict:
    """Build one theme without a kernel and export its page; return its status (never raises).

    The status has the keys of :func:`sa_lib.pack.theme_task.execute_theme`'s, with
    the CPU seconds of this process in each step (``build_cpu_seconds``,
    ``render_cpu_seconds``, ``export_cpu_seconds``). ``out_ipynb``, when given, receives
    the executed notebook (``sa run --notebooks``).
    """
    from sa_lib.pack.theme_task import _unexpected

    t0 = time.perf_counter()
    results_dir = str(Path(html["path"]).parent / "results") if html else None
    steps: dict = {}
    try:
        nb, _ = build_notebook(notebook, params_path, theme, results_dir, steps)
    except Exception as e:  # noqa: BLE001 - any failure of one theme is reported, not fatal
        import traceback

        res = _unexpected(theme, t0, e)
        res["error_summary"] = f"{theme} build(): {res['error_summary']}"
        # No failed notebook to open: the traceback goes to the manifest and run.log instead.
        res["traceback"] = traceback.format_exc()[-6000:]
        logger.error("theme %s failed without a kernel:\n%s", theme, res["traceback"])
        return res
    t1, c1 = time.perf_counter(), time.process_time()
    res = {"theme": theme, "status": "ok", "warm_kernel": None, "setup_seconds": 0.0}
    res.update(
        compute_seconds=round(t1 - t0, 3),
        build_cpu_seconds=round(steps["build"], 3),
        render_cpu_seconds=round(steps["render"], 3),
    )
    if out_ipynb:
        import nbformat

        nbformat.write(nb, out_ipynb)
    if html is not None:
        from sa_lib.pack.export import export_html

        try:
            export_html(nb, Path(html["path"]), title=html["title"], meta=html["meta"])
            res["html_bytes"] = Path(html["path"]).stat().st_size
        except Exception as e:  # noqa: BLE001
            res.update(
                status="failed", error_summary=f"HTML export failed: {type(e).__name__}: {e}"
            )
            if isinstance(e, OSError) and e.errno is not None:
                res.update(errno=e.errno, filename=e.filename, evalue=str(e))
    wall = time.perf_counter() - t0
    res.update(
        seconds=wall,
        wall_seconds=round(wall, 3),
        export_seconds=round(time.perf_counter() - t1, 3),
        export_cpu_seconds=round(time.process_time() - c1, 3),
        overhead_seconds=0.0,
    )
    return res
