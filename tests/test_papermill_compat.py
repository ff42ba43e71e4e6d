"""The papermill internals :mod:`sa_lib.pack.papermill_compat` relies on still exist, as used.

A papermill release that renames or re-signs any of them fails here, with the name,
rather than in the middle of a pack build.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import nbformat
import pytest

from sa_lib import config
from sa_lib.pack import papermill_compat as compat


def _params(fn) -> list[str]:
    return list(inspect.signature(fn).parameters)


def test_the_engine_classes_and_registry_exist_with_the_signatures_used():
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    # WarmEngine overrides this classmethod with exactly these parameters.
    assert _params(NBClientEngine.execute_managed_notebook) == [
        "nb_man",
        "kernel_name",
        "log_output",
        "stdout_file",
        "stderr_file",
        "start_timeout",
        "execution_timeout",
        "kwargs",
    ]
    client_params = inspect.signature(PapermillNotebookClient.__init__).parameters
    assert list(client_params)[:3] == ["self", "nb_man", "km"]
    assert any(p.kind is p.VAR_KEYWORD for p in client_params.values())
    assert hasattr(PapermillNotebookClient, "execute")
    assert isinstance(papermill_engines._engines, dict)
    assert _params(papermill_engines.register) == ["name", "engine"]
    assert _params(merge_kwargs) == ["caller_args", "callee_args"]
    assert _params(remove_args) == ["args", "kwargs"]
    assert merge_kwargs({"a": 1}, b=2) == {"a": 1, "b": 2}
    assert remove_args(["x"], x=1, y=2) == {"y": 2}


def test_execute_notebook_takes_every_argument_passed():
    import papermill as pm

    sig = inspect.signature(pm.execute_notebook)
    source = inspect.getsource(compat.execute_notebook)
    call = source[source.index("pm.execute_notebook(") :]
    passed = set(re.findall(r"^\s+(\w+)=", call, flags=re.M))
    assert passed >= {"parameters", "engine_name", "kernel_name", "cwd", "report_mode"}
    named = set(sig.parameters) - {"engine_kwargs"}
    # Those papermill does not name go to the engine (km, execution_timeout, extra_arguments).
    assert passed - named == {"km", "execution_timeout", "extra_arguments"}
    assert any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())


def test_registering_the_warm_engine_is_idempotent():
    from papermill.engines import NBClientEngine, papermill_engines

    compat.register_warm_engine()
    first = papermill_engines.get_engine(compat.ENGINE)
    compat.register_warm_engine()
    assert papermill_engines.get_engine(compat.ENGINE) is first
    assert issubclass(first, NBClientEngine)


def test_the_execution_error_carries_what_the_runner_reports():
    err = compat.ExecutionError(
        cell_index=3, exec_count=2, source="x", ename="ValueError", evalue="v", traceback=[]
    )
    assert (err.exec_count, err.ename, err.evalue, err.source) == (2, "ValueError", "v", "x")
    assert compat.failed_source_cell(err) == 2


def test_papermill_injects_one_cell_after_the_parameters_cell(tmp_path):
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("theme = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), params, nbformat.v4.new_code_cell("1/0")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, tmp_path / "n.ipynb")
    out = parameterize_notebook(load_notebook_node(str(tmp_path / "n.ipynb")), {"theme": "x"})
    injected = [
        i
        for i, c in enumerate(out.cells)
        if "injected-parameters" in c.get("metadata", {}).get("tags", [])
    ]
    assert injected == [2]
    assert len(out.cells) - len(nb.cells) == compat.INJECTED_CELLS


def test_a_notebook_runs_through_the_warm_engine_and_records_durations(tmp_path):
    """End to end through the internals: the warm engine runs a notebook in a kernel it does
    not own, writes per-cell durations, and reports a failing cell's source index."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("theme = ''")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        params,
        nbformat.v4.new_code_cell("y = theme * 2"),
        nbformat.v4.new_code_cell("1/0"),
    ]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    src = tmp_path / "n.ipynb"
    nbformat.write(nb, src)
    km = AsyncKernelManager(kernel_name="python3")
    try:
        with pytest.raises(compat.ExecutionError) as e:
            compat.execute_notebook(
                str(src),
                str(tmp_path / "o.ipynb"),
                parameters={"theme": "a"},
                km=km,
                kernel_name="python3",
                cwd=str(tmp_path),
                timeout=60,
            )
        assert km.has_kernel, "the engine leaves a kernel it does not own running"
    finally:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    assert compat.failed_source_cell(e.value) == 2 and e.value.ename == "ZeroDivisionError"
    out = nbformat.read(tmp_path / "o.ipynb", as_version=4)
    assert compat.cell_duration(out.cells[2]) is not None  # "y = theme * 2" ran


def test_no_module_but_the_compat_module_imports_papermill():
    src = Path(config.ROOT) / "src" / "sa_lib"
    users = sorted(
        p.relative_to(src).as_posix()
        for p in src.rglob("*.py")
        if re.search(r"^\s*(import papermill|from papermill)", p.read_text(), flags=re.M)
    )
    assert users == ["pack/papermill_compat.py"]
