"""The garbage collector's thresholds during a build (sa_lib.collector)."""

from __future__ import annotations

import gc

import pytest

from sa_lib import collector, config
from sa_lib.pack import direct


def test_thresholds_are_put_back_when_the_block_raises():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), collector.fewer_collections():
        assert gc.get_threshold() == collector.BUILD_THRESHOLDS
        raise RuntimeError("a theme failed")
    assert gc.get_threshold() == before


def test_collections_are_fewer_inside_the_block():
    """The same allocations trigger fewer young collections inside the block."""

    def young_collections(make) -> int:
        counts = []
        cb = lambda phase, info: counts.append(info["generation"]) if phase == "start" else None  # noqa: E731
        gc.callbacks.append(cb)
        try:
            make()
        finally:
            gc.callbacks.remove(cb)
        return counts.count(0)

    def make():
        keep = [[i] for i in range(200_000)]  # containers: each counts towards a collection
        return len(keep)

    old = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # CPython's defaults
    try:
        outside = young_collections(make)
        with collector.fewer_collections():
            inside = young_collections(make)
    finally:
        gc.set_threshold(*old)
    assert outside > 10 * inside > 0


def test_a_build_without_a_kernel_runs_with_fewer_collections(monkeypatch):
    """build_notebook (every theme of `sa run-all` and `sa run --no-notebooks`) builds the
    theme inside the block, and puts the thresholds back after it."""
    from sa_lib.pack import context

    seen = []

    def fake_open_context(params_path, theme):
        seen.append(gc.get_threshold())
        raise RuntimeError("stop after open_context")

    monkeypatch.setattr(context, "open_context", fake_open_context)
    old = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # CPython's defaults, as in a worker (conftest.py raises them)
    try:
        with pytest.raises(RuntimeError, match="stop after"):
            direct.build_notebook(
                config.NOTEBOOKS_DIR / "overview.ipynb", "p.yaml", "overview", None
            )
        after = gc.get_threshold()
    finally:
        gc.set_threshold(*old)
    assert seen == [collector.BUILD_THRESHOLDS]
    assert after == (700, 10, 10)


def test_a_theme_notebook_kernel_runs_with_fewer_collections():
    """A theme notebook's set-up (report.setup_notebook, run in the kernel) sets the build's
    thresholds for the kernel."""
    from sa_lib.themes import report

    old = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        report.setup_notebook()
        assert gc.get_threshold() == collector.BUILD_THRESHOLDS
    finally:
        gc.set_threshold(*old)
