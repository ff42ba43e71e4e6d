"""Rewrite a theme notebook as a thin renderer of its theme result (a one-off migration aid).

Keeps the notebook's markdown cells (the narrative) and its parameters cell, and
replaces its code cells, in order, by one call each: the set-up cell becomes
``result = <module>.build(ctx)`` plus the header, and each later code cell
``render.show(result, "<section>")``; the last also publishes the result.

Usage: python scripts/thin_notebook.py THEME MODULE SECTION [SECTION ...]
(one section per code cell after the set-up cell, in order; the first is usually
"findings", the last "methods").
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def thin(theme: str, module: str, sections: list[str]) -> None:
    path = ROOT / "notebooks" / f"{theme}.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    params, setup, rest = code[0], code[1], code[2:]
    if len(rest) != len(sections):
        raise SystemExit(f"{theme}: {len(rest)} code cells after set-up, {len(sections)} sections")
    src = nb.cells[params].source.rstrip("\n")
    if "results_dir" not in src:
        src += "\n# Where the runner collects the page's result (None: not written).\nresults_dir = None"
    nb.cells[params].source = src
    nb.cells[setup].source = (
        f"from sa_lib.themes import {module}, render, report\n"
        "from sa_lib.pack.context import open_context\n\n"
        "report.setup_notebook()\n"
        + _open_line(nb.cells[setup].source)
        + f"\nresult = {module.split(' as ')[-1]}.build(ctx)\n"
        'render.show(result, "header")'
    )
    for i, key in zip(rest, sections, strict=True):
        line = f'render.show(result, "{key}")'
        if i == rest[-1]:
            line += "\nrender.publish(result, results_dir)"
        nb.cells[i].source = line
    for c in nb.cells:
        if c.cell_type == "code":
            c.outputs, c.execution_count = [], None
    nbformat.write(nb, path)


def _open_line(setup: str) -> str:
    for line in setup.splitlines():
        if line.startswith("ctx = open_context("):
            return line
    raise SystemExit("no `ctx = open_context(...)` line in the set-up cell")


if __name__ == "__main__":
    thin(sys.argv[1], sys.argv[2], sys.argv[3:])
