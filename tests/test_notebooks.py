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
    assert path.stem in p.themes, f"{default} does not list {path.stem}"


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


#: Notebooks that render a theme result (``<module>.build(ctx)``); all of them in the end.
BUILT = [p for p in NOTEBOOKS if ".build(ctx)" in p.read_text(encoding="utf-8")]
_BRANCHING = re.compile(r"^\s*(if|elif|else|for|while|try|def|class|with)\b|\bif\b.+\belse\b", re.M)


@pytest.mark.parametrize("path", BUILT, ids=[p.stem for p in BUILT])
def test_built_notebook_only_renders_its_result(path):
    """No data-availability branching (or any logic) in a notebook that renders a result."""
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    for src in code[1:]:
        assert not _BRANCHING.search(src), f"{path.name}: logic in a cell:\n{src}"
    shows = re.findall(r'render\.show\(result, "(\w+)"\)', "\n".join(code))
    assert shows[0] == "header" and len(shows) == len(set(shows)), shows
    assert "render.publish(result, results_dir)" in code[-1]
    assert re.search(r"^results_dir = None$", code[0], re.M)


def test_built_notebooks_show_every_section_of_their_result():
    """Each section the builder makes is shown by the notebook (checked for outcomes here;
    each theme's own test file checks its builder's sections)."""
    src = (config.NOTEBOOKS_DIR / "outcomes.ipynb").read_text(encoding="utf-8")
    from sa_lib.themes import outcomes_report

    doc = outcomes_report.build.__doc__
    for key in re.findall(r"``(\w+)``", doc.split("Sections:")[1].split(".")[0]):
        assert f'render.show(result, \\"{key}\\")' in src, key
