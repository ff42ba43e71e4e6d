"""Every use of papermill, in one place: its public calls and the internals the warm kernel needs.

papermill has no public way to run a notebook in a kernel it does not own, so
:mod:`sa_lib.pack.warm` registers a variant of papermill's nbclient engine built
from papermill's internal classes (``papermill.engines.NBClientEngine``,
``papermill.clientwrap.PapermillNotebookClient``, ``papermill.utils``) and reads
the per-cell timings papermill writes (``metadata.papermill.duration``). A new
papermill release may move any of these; ``tests/test_papermill_compat.py``
checks each name and signature relied on here, so such a release fails that test
rather than a pack build.

Examples
--------
>>> import nbformat
>>> cell = nbformat.v4.new_code_cell("x = 1", metadata={"papermill": {"duration": 0.5}})
>>> cell_duration(cell)
0.5
>>> cell_duration(nbformat.v4.new_code_cell("y = 2")) is None
True
"""

from __future__ import annotations

import logging

from papermill import PapermillExecutionError as ExecutionError

__all__ = [
    "ENGINE",
    "INJECTED_CELLS",
    "ExecutionError",
    "cell_duration",
    "execute_notebook",
    "failed_source_cell",
    "register_warm_engine",
]

#: The name the warm engine is registered under.
ENGINE = "sa_warm"

#: Cells papermill inserts after a notebook's ``parameters`` cell (``injected-parameters``).
INJECTED_CELLS = 1


def cell_duration(cell) -> float | None:
    """Seconds papermill recorded for an executed cell, or None (not run, or not a code cell)."""
    d = (cell.get("metadata", {}).get("papermill") or {}).get("duration")
    return None if d is None else float(d)


def failed_source_cell(e) -> int:
    """The index, in the source notebook, of the cell a ``PapermillExecutionError`` names.

    papermill counts the executed notebook, which has the injected-parameters cell
    after the parameters cell, so the failing cell of the source is one earlier.
    """
    return e.cell_index - INJECTED_CELLS if e.cell_index > 0 else e.cell_index


def register_warm_engine() -> None:
    """Register :data:`ENGINE`: papermill's nbclient engine, run in a kernel it does not own."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    if ENGINE in papermill_engines._engines:
        return

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            km = kwargs.pop("km")
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(
                kwargs,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logging.getLogger("papermill"),
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            # A kernel manager given from outside is not shut down after the notebook
            # (nbclient only cleans up kernels it owns); its client's channels are.
            client = PapermillNotebookClient(nb_man, km=km, **final)
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register(ENGINE, WarmEngine)


def execute_notebook(
    src: str, out: str, *, parameters: dict, km, kernel_name: str, cwd: str, timeout: int
) -> None:
    """Run ``src`` into ``out`` with papermill in the kernel of ``km`` (the warm engine).

    Raises what :func:`papermill.execute_notebook` raises (:data:`ExecutionError`
    for an error in a cell).
    """
    import papermill as pm

    register_warm_engine()
    pm.execute_notebook(
        src,
        out,
        parameters=parameters,
        engine_name=ENGINE,
        km=km,
        kernel_name=kernel_name,
        cwd=cwd,
        progress_bar=False,
        log_output=False,
        execution_timeout=timeout,
        report_mode=False,
        # One write of the executed notebook at the end (and on a cell error),
        # not two per cell: the rewrites cost about a second per theme.
        request_save_on_cell_execute=False,
        # Kernel start-up chatter (e.g. ipykernel's transport notice) is not run output.
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    )
