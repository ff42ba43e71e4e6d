"""The warm kernel: one kernel reused across notebooks, each starting from a clean namespace."""

from __future__ import annotations

import nbformat
import papermill as pm
import pytest

from sa_lib.pack.warm import WarmKernel, setup_cell_index, timings


def _nb(path, *sources):
    cells = [
        nbformat.v4.new_code_cell(
            "theme = 'x'\nparams_path = 'y'", metadata={"tags": ["parameters"]}
        )
    ]
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    meta = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=meta), path)
    return str(path)


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    return [
        "".join(o.get("text", "") for o in c.outputs if o.output_type == "stream")
        for c in nb.cells
        if c.cell_type == "code"
    ]


@pytest.fixture
def kernel():
    k = WarmKernel("python3")
    yield k
    k.shutdown()


def test_second_notebook_reuses_the_kernel_with_a_clean_namespace(tmp_path, kernel):
    first = _nb(tmp_path / "a.ipynb", "import os\nleft_over = os.getpid()\nprint(left_over)")
    second = _nb(
        tmp_path / "b.ipynb",
        "import os\nprint(os.getpid())",
        "print('left_over' in dir(), theme)",
    )
    assert (
        kernel.execute(
            first,
            str(tmp_path / "a.out.ipynb"),
            parameters={"theme": "a"},
            cwd=str(tmp_path),
            timeout=60,
        )
        is False
    )
    assert (
        kernel.execute(
            second,
            str(tmp_path / "b.out.ipynb"),
            parameters={"theme": "b"},
            cwd=str(tmp_path),
            timeout=60,
        )
        is True
    )
    pid_a = _outputs(tmp_path / "a.out.ipynb")[-1].strip()
    out_b = _outputs(tmp_path / "b.out.ipynb")
    assert out_b[-2].strip() == pid_a, "the same kernel process ran both notebooks"
    assert out_b[-1].strip() == "False b", "the first notebook's variables are gone"
    # Execution counts start again at 1, as in a fresh kernel (parameters, injected, cells).
    counts = [c.execution_count for c in nbformat.read(tmp_path / "b.out.ipynb", 4).cells]
    assert counts == [1, 2, 3, 4]
    assert kernel.notebooks_run == 2


def test_a_failed_notebook_stops_the_kernel_and_the_next_starts_fresh(tmp_path, kernel):
    bad = _nb(tmp_path / "bad.ipynb", "raise ValueError('deliberate')")
    with pytest.raises(pm.PapermillExecutionError, match="deliberate"):
        kernel.execute(
            bad, str(tmp_path / "bad.out.ipynb"), parameters={}, cwd=str(tmp_path), timeout=60
        )
    assert not kernel.started
    good = _nb(tmp_path / "good.ipynb", "print('fine')")
    assert (
        kernel.execute(
            good, str(tmp_path / "g.out.ipynb"), parameters={}, cwd=str(tmp_path), timeout=60
        )
        is False
    )
    assert _outputs(tmp_path / "g.out.ipynb")[-1].strip() == "fine"


def test_evaluate_returns_a_value_from_the_warm_kernel(tmp_path, kernel):
    with pytest.raises(RuntimeError, match="not running"):
        kernel.evaluate("x = 1", "x")
    kernel.execute(
        _nb(tmp_path / "a.ipynb", "print(1)"),
        str(tmp_path / "a.out.ipynb"),
        parameters={},
        cwd=str(tmp_path),
        timeout=60,
    )
    assert kernel.evaluate("import json\nv = {'n': 3}", "json.dumps(v)") == "'{\"n\": 3}'"
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        kernel.evaluate("", "1 / 0")


def test_timings_split_setup_from_compute():
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title"),
            nbformat.v4.new_code_cell(
                "params_path = 'p'", metadata={"papermill": {"duration": 0.1}}
            ),
            nbformat.v4.new_code_cell(
                "ctx = open_context(params_path, theme)", metadata={"papermill": {"duration": 2.0}}
            ),
            nbformat.v4.new_code_cell("a = 1", metadata={"papermill": {"duration": 0.5}}),
            nbformat.v4.new_markdown_cell("text", metadata={"papermill": {"duration": 9.0}}),
            nbformat.v4.new_code_cell("b = 2", metadata={"papermill": {"duration": 0.25}}),
        ]
    )
    assert setup_cell_index(nb) == 2
    assert timings(nb) == {"setup_seconds": 2.1, "compute_seconds": 0.75}
