"""Charts drawn once (issue 24): the PNG of a chart is the tight ``savefig`` to a reader."""

import io

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from sa_lib.charts.png import png_bytes, quiet_geopandas  # noqa: E402


def _tight(fig) -> np.ndarray:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, facecolor=fig.get_facecolor(), bbox_inches="tight")
    return np.asarray(Image.open(buf).convert("RGB")).astype(int)


def _img(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def _chart(legend_outside: bool = False):
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=96)
    ax.plot(np.arange(24), np.sin(np.arange(24) / 3) * 50 + 100, label="crimes")
    ax.set_title("Crimes per month")
    ax.set_ylabel("Crimes")
    if legend_outside:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1))
    fig.tight_layout()
    return fig


@pytest.mark.parametrize("outside", [False, True])
def test_png_bytes_is_the_tight_savefig_to_within_antialiasing(outside):
    fig = _chart(legend_outside=outside)
    try:
        ref, got = _tight(fig), _img(png_bytes(fig))
    finally:
        plt.close(fig)
    assert got.shape == ref.shape  # same size, so the page lays out the same
    differs = np.abs(got - ref).max(axis=2) > 64
    assert differs.mean() < 0.03  # edges re-antialiased by a sub-pixel shift, nothing moved


def _painted(draw) -> int:
    """Paths painted by ``draw()`` (a layout pass without pixels paints none)."""
    from matplotlib.backends.backend_agg import RendererAgg

    calls = []
    real = RendererAgg.draw_path

    def counting(self, *a, **k):
        calls.append(1)
        return real(self, *a, **k)

    RendererAgg.draw_path = counting
    try:
        draw()
    finally:
        RendererAgg.draw_path = real
    return len(calls)


@pytest.mark.parametrize("below", [False, True])
def test_png_bytes_paints_the_figure_once(below):
    """Laid out first without pixels; painted once, also when a note below the figure
    makes the canvas grow (the tight savefig's route: it paints once too)."""
    one, fig = _chart(), _chart()
    if below:
        for f in (one, fig):
            f.text(0.01, -0.02, "Source: police.uk", va="top")
    try:
        once = _painted(one.canvas.draw)
        got = _painted(lambda: png_bytes(fig))
    finally:
        plt.close(one)
        plt.close(fig)
    assert got == once > 0


@pytest.mark.parametrize("below", [False, True])
def test_png_bytes_lays_the_figure_out_once_and_matches_the_tight_savefig(below):
    """With a layout engine, png_bytes runs it once, also when a note below the figure makes
    the canvas grow (savefig's own route lays it out again for its dry run)."""
    from matplotlib.layout_engine import TightLayoutEngine

    def chart():
        fig, ax = plt.subplots(figsize=(6, 3.5), dpi=96, layout="tight")
        ax.plot(np.arange(24), np.cos(np.arange(24) / 4) * 30 + 60)
        ax.set_title("Crimes per month")
        if below:
            fig.text(0.01, -0.02, "Source: police.uk", va="top")
        return fig

    ref_fig, fig = chart(), chart()
    runs = []
    real = TightLayoutEngine.execute

    def counting(self, f):
        runs.append(1)
        return real(self, f)

    TightLayoutEngine.execute = counting
    try:
        got = _img(png_bytes(fig))
    finally:
        TightLayoutEngine.execute = real
    try:
        ref = _tight(ref_fig)
    finally:
        plt.close(ref_fig)
        plt.close(fig)
    assert len(runs) == 1
    assert got.shape == ref.shape
    assert (np.abs(got - ref).max(axis=2) > 64).mean() < 0.03


def test_png_bytes_keeps_the_layout_engine():
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([1, 2, 3])
    engine = fig.get_layout_engine()
    try:
        png_bytes(fig)
        assert fig.get_layout_engine() is engine
    finally:
        plt.close(fig)


def test_quiet_geopandas_skips_the_drawing_after_each_layer_and_restores_it():
    gpd = pytest.importorskip("geopandas")
    from matplotlib.backend_bases import FigureCanvasBase
    from shapely.geometry import box

    g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=27700)
    fig, ax = plt.subplots()
    drawn = []
    fig.canvas.mpl_connect("draw_event", lambda e: drawn.append(1))
    before = FigureCanvasBase.draw_idle
    with quiet_geopandas():
        g.plot(ax=ax)
    assert drawn == [] and FigureCanvasBase.draw_idle is before
    g.plot(ax=ax)  # outside the block geopandas draws the figure again
    plt.close(fig)
    assert drawn


def test_grid_cells_filled_as_one_collection_look_as_geopandas_draws_them():
    gpd = pytest.importorskip("geopandas")
    from shapely.geometry import box

    from sa_lib.charts.hotspot_maps import _fill

    cells = gpd.GeoDataFrame(
        geometry=[box(x, y, x + 100, y + 100) for x in range(0, 1000, 100) for y in (0, 100)],
        crs=27700,
    )
    colours = ["#1b9e77" if i % 3 else "#d95f02" for i in range(len(cells))]
    imgs = []
    for fast in (False, True):
        fig, ax = plt.subplots(figsize=(5, 2), dpi=96)
        with quiet_geopandas():
            if fast:
                _fill(ax, cells, colours)
            else:
                cells.plot(ax=ax, color=colours, linewidth=0, zorder=2)
        ax.set_axis_off()  # as on every map
        imgs.append(_img(png_bytes(fig)))
        plt.close(fig)
    assert imgs[0].shape == imgs[1].shape
    assert (np.abs(imgs[0] - imgs[1]).max(axis=2) > 64).mean() < 0.01


def test_lay_out_without_the_box_runs_the_layout_and_every_artists_drawing():
    """``lay_out(fig, box=False)`` (a test's chart without pixels) lays the figure out as
    for painting, draws every artist with pixels off, and skips only the crop box."""
    from matplotlib.artist import Artist

    from sa_lib.charts.png import lay_out

    class Broken(Artist):
        def draw(self, renderer):
            raise RuntimeError("this artist cannot be drawn")

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=96, layout="tight")
    try:
        ax.plot(np.arange(24), np.arange(24) * 3.0)
        ax.set_title("Crimes per month")
        before = fig.subplotpars.left
        canvas, box = lay_out(fig, box=False)
        assert box is None and canvas.figure is fig
        assert fig.subplotpars.left != before  # the tight layout ran
        _, tight = lay_out(fig)
        assert tight.width > 0 and tight.height > 0
        ax.add_artist(Broken())
        with pytest.raises(RuntimeError, match="cannot be drawn"):
            lay_out(fig, box=False)
    finally:
        plt.close(fig)
