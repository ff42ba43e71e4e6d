"""A warm kernel: one Jupyter kernel per worker process, reused by every theme it runs.

Starting a kernel and importing the scientific stack costs a few seconds per
notebook; a pack of six themes for each of 314 CSPs would spend most of its time
there. A worker (a Dask worker of :mod:`sa_lib.pack.executor`, running ``sa run``'s
themes or ``sa run-all``'s packs) keeps one kernel and runs each theme in it with papermill, as a
cold run would: the same parameter injection, the same error markers, the same
executed notebook. Before each notebook the kernel's namespace is reset (user
variables, open figures, the execution counter), so a theme sees nothing left by
the previous one except modules already imported and the context cache of
:mod:`sa_lib.pack.context` (the CSP's geography and store slice, which are the
same for every theme of one CSP). A kernel that failed a theme, died or timed out
is shut down and the next theme starts a fresh one.

Examples
--------
>>> from sa_lib.pack.warm import setup_cell_index
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[
...     nbformat.v4.new_markdown_cell("# T"),
...     nbformat.v4.new_code_cell("params_path = 'x'"),
...     nbformat.v4.new_code_cell("ctx = open_context(params_path, theme)"),
... ])
>>> setup_cell_index(nb)
2
"""

from __future__ import annotations

import logging
import os
import threading

__all__ = ["WarmKernel", "worker_kernel", "shutdown_worker_kernel", "setup_cell_index", "timings"]

logger = logging.getLogger("sa_lib.pack.warm")

#: Run in the kernel before each notebook: forget the previous theme's variables and figures.
RESET_CODE = """\
get_ipython().reset(new_session=True)
import matplotlib.pyplot as _sa_plt
_sa_plt.close("all")
del _sa_plt
"""


def setup_cell_index(nb) -> int | None:
    """Index of a theme notebook's set-up cell (the code cell that calls ``open_context``)."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "open_context(" in cell.source:
            return i
    return None


def timings(nb) -> dict:
    """Seconds spent in an executed notebook's cells: ``setup`` (imports, context) and ``compute``.

    Read from papermill's per-cell ``duration`` metadata; cells before and including
    the set-up cell count as set-up, the rest as compute.
    """
    from sa_lib.pack.papermill_compat import cell_duration

    idx = setup_cell_index(nb)
    setup = compute = 0.0
    for i, cell in enumerate(nb.cells):
        d = cell_duration(cell)
        if cell.cell_type != "code" or d is None:
            continue
        if idx is not None and i <= idx:
            setup += d
        else:
            compute += d
    return {"setup_seconds": round(setup, 3), "compute_seconds": round(compute, 3)}


class WarmKernel:
    """One kernel, started on first use and reused for every notebook run through it.

    Parameters
    ----------
    kernel_name : str
        The Jupyter kernel (``run.kernel`` in the parameters).
    """

    def __init__(self, kernel_name: str) -> None:
        self.kernel_name = kernel_name
        self.km = None
        self.kc = None
        self.notebooks_run = 0

    @property
    def started(self) -> bool:
        return self.km is not None and self.km.has_kernel

    def _client(self):
        """A blocking client of the kernel, kept for its life (resets and evaluations)."""
        if self.kc is None:
            from jupyter_client import BlockingKernelClient

            kc = BlockingKernelClient()
            kc.load_connection_info(self.km.get_connection_info())
            kc.start_channels()
            kc.wait_for_ready(timeout=60)
            self.kc = kc
        return self.kc

    def _reset(self) -> None:
        reply = self._client().execute_interactive(
            RESET_CODE, store_history=False, timeout=60, output_hook=lambda msg: None
        )
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"could not reset the kernel: {reply['content'].get('evalue')}")

    def execute(self, src: str, out: str, *, parameters: dict, cwd: str, timeout: int) -> bool:
        """Run notebook ``src`` with papermill into ``out`` in this kernel; True if it was warm.

        Raises what :func:`sa_lib.pack.papermill_compat.execute_notebook` raises; after any error the kernel
        is shut down so the next notebook starts clean.
        """
        from jupyter_client.manager import AsyncKernelManager

        from sa_lib.pack.papermill_compat import execute_notebook

        warm = self.started
        try:
            if warm:
                self._reset()
            else:
                self.km = AsyncKernelManager(kernel_name=self.kernel_name)
            execute_notebook(
                src,
                out,
                parameters=parameters,
                km=self.km,
                kernel_name=self.kernel_name,
                cwd=cwd,
                timeout=timeout,
            )
        except BaseException:
            self.shutdown()
            raise
        self.notebooks_run += 1
        return warm

    def evaluate(self, code: str, expression: str) -> str:
        """Run ``code`` in the (started) kernel, then return ``expression``'s plain-text value.

        For small results a worker needs from the kernel's warm state, e.g. a CSP's
        headline from the context the themes just used.
        """
        if not self.started:
            raise RuntimeError("the kernel is not running: run a notebook in it first")
        reply = self._client().execute_interactive(
            code,
            store_history=False,
            user_expressions={"value": expression},
            timeout=600,
            output_hook=lambda msg: None,
        )
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")
        value = content["user_expressions"]["value"]
        if value.get("status") != "ok":
            raise RuntimeError(f"{value.get('ename')}: {value.get('evalue')}")
        return value["data"]["text/plain"]

    def shutdown(self) -> None:
        """Stop the kernel (if any); the next :meth:`execute` starts a new one."""
        km, self.km = self.km, None
        kc, self.kc = self.kc, None
        if kc is not None:
            kc.stop_channels()
        if km is None or not km.has_kernel:
            return
        from jupyter_core.utils import run_sync

        try:
            run_sync(km.shutdown_kernel)(now=True)
        except Exception as e:  # noqa: BLE001 - a kernel that will not stop is logged, not fatal
            logger.warning("could not shut the kernel down cleanly: %s", e)


_LOCAL = threading.local()
_ALL: list[WarmKernel] = []


def worker_kernel(kernel_name: str) -> WarmKernel:
    """This process's and thread's warm kernel for ``kernel_name`` (created on first use).

    Keyed by process id too: a forked process inherits its parent's objects, but
    never its parent's kernel.
    """
    kernels = getattr(_LOCAL, "kernels", None)
    if kernels is None:
        kernels = _LOCAL.kernels = {}
    key = (os.getpid(), kernel_name)
    if key not in kernels:
        _register_shutdown()
        kernels[key] = WarmKernel(kernel_name)
        _ALL.append((os.getpid(), kernels[key]))
    return kernels[key]


def shutdown_worker_kernel() -> None:
    """Stop every warm kernel this process started (at worker exit)."""
    for pid, k in list(_ALL):
        if pid == os.getpid():
            k.shutdown()


_SHUTDOWN_REGISTERED: set[int] = set()


def _register_shutdown() -> None:
    if os.getpid() in _SHUTDOWN_REGISTERED:
        return
    import atexit
    from multiprocessing import util

    # Dask worker processes leave through multiprocessing's exit path, which runs its
    # finalizers but not atexit; the main process runs atexit. Kernels also stop by themselves
    # when their parent process dies (ipykernel's parent poller).
    util.Finalize(None, shutdown_worker_kernel, exitpriority=10)
    atexit.register(shutdown_worker_kernel)
    _SHUTDOWN_REGISTERED.add(os.getpid())
