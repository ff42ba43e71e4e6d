"""Theme notebooks are thin and run interactively on their default parameters."""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from sa_lib import config
from sa_lib.pack.params import load_params

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin_stripped_and_parameterised(path):
    nb = json.loads(path.read_text())
    cells = nb["cells"]
    params = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, "exactly one cell tagged 'parameters'"
    src = "".join(params[0]["source"])
    # Literals only: name = "string" lines.
    for line in filter(None, (s.strip() for s in src.splitlines() if not s.startswith("#"))):
        assert re.fullmatch(
            r"[a-z_]+ = (\"[^\"]*\"|'[^']*'|-?\d+(\.\d+)?|True|False|None)", line
        ), line
    assert f'theme = "{path.stem}"' in src
    for i, c in enumerate(cells):
        if c["cell_type"] == "code":
            assert not re.search(r"^\s*(def|class)\s", "".join(c["source"]), re.M), (
                f"cell {i} defines a function"
            )
            assert c.get("outputs") == [], f"cell {i} has stored outputs"
            assert c.get("execution_count") is None, f"cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_default_parameters_file_is_valid(path):
    nb = nbformat.read(path, as_version=4)
    src = next(c.source for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    default = re.search(r'params_path = "([^"]+)"', src).group(1)
    p = load_params(default, check_store=False)
    assert path.stem in p["themes"], f"{default} does not list {path.stem}"


@pytest.mark.e2e
def test_overview_runs_interactively_from_the_notebooks_folder():
    """As an analyst would in JupyterLab: cwd notebooks/, default parameters, no papermill."""
    from nbclient import NotebookClient

    if not (config.PROCESSED_DIR / "ingest_log.json").exists():
        pytest.skip("data/processed not built: run `make ingest-sample` (make test does)")
    nb = nbformat.read(config.NOTEBOOKS_DIR / "overview.ipynb", as_version=4)
    NotebookClient(
        nb,
        timeout=300,
        kernel_name="sa-workbench",
        resources={"metadata": {"path": str(config.NOTEBOOKS_DIR)}},
    ).execute()
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []
    html = "".join(
        o.get("data", {}).get("text/html", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "Huntingdonshire" in html and "sa-findings" in html
