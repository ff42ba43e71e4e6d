"""Charts as PNG for a page, drawn once: the cheap equivalent of ``savefig(bbox_inches="tight")``.

``savefig(..., bbox_inches="tight")`` lays the figure out and draws it twice: a dry run
to find the tight box around its artists, then the real drawing shifted to that box.
For the hundreds of charts of a national fan-out (issue 24) that is a large share of a
pack's CPU. :func:`png_bytes` lays the figure out without painting it (savefig's own
dry run), finds the same tight box from that layout, draws the figure once on an Agg
canvas with the layout engine off (as savefig draws), and crops the pixels to the box
(padded by ``savefig.pad_inches``, the margin beyond the figure's edge filled with its
face colour). The image has the size and content of the tight ``savefig`` to within a
pixel. A figure whose artists reach outside its own edge (where the tight box grows the
canvas) is saved by ``savefig`` given that padded box, with the layout engine off: the
layout and the box are already known, so savefig neither lays the figure out again nor
makes its own dry run, and paints it once.

:func:`quiet_geopandas` stops geopandas' ``plot`` from drawing the whole figure after
each layer it adds (``canvas.draw_idle()``): the figure is drawn once, when it is saved.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
>>> _ = ax.plot([1, 2, 3])
>>> png = png_bytes(fig)
>>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
>>> plt.close(fig)
"""

from __future__ import annotations

import contextlib
import io
import math

__all__ = ["lay_out", "png_bytes", "quiet_geopandas"]


def _boxed_png(fig, box) -> bytes:
    """``savefig`` of the laid-out figure cropped to ``box`` (inches, padded): one painting.

    The tight ``savefig`` would lay the figure out again and make a dry run to find the
    box; both are done already, so the layout engine is off while it saves.
    """
    buf = io.BytesIO()
    engine = fig.get_layout_engine()
    fig.set_layout_engine("none")
    try:
        fig.savefig(
            buf,
            format="png",
            dpi=fig.dpi,
            facecolor=fig.get_facecolor(),
            edgecolor=fig.get_edgecolor(),
            bbox_inches=box,
        )
    finally:
        fig.set_layout_engine(engine)
    return buf.getvalue()


def png_bytes(fig) -> bytes | None:
    """The figure as PNG bytes, cropped to its artists like ``bbox_inches="tight"``, drawn once.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    bytes or None
        PNG data; None for a figure with nothing on it (as IPython's ``print_figure``).
    """
    import matplotlib as mpl
    import numpy as np
    from matplotlib.colors import to_rgba

    if not fig.axes and not fig.lines:
        return None
    # The tight box says whether the artists stay inside the figure before any pixels
    # are drawn.
    canvas, box = lay_out(fig)
    w, h = fig.get_size_inches()
    eps = 1e-6
    pad = mpl.rcParams["savefig.pad_inches"]
    if box.x0 < -eps or box.y0 < -eps or box.x1 > w + eps or box.y1 > h + eps:
        return _boxed_png(fig, box.padded(pad))  # artists outside the figure: it grows
    _draw_laid_out(fig, canvas)
    dpi = fig.dpi
    img = np.asarray(canvas.buffer_rgba())
    H, W = img.shape[:2]
    # The padded box in pixels, sized as savefig sizes it (truncated) and placed as it
    # shifts the drawing (by the box's lower-left corner; rows counted from the top).
    x0, y0 = (box.x0 - pad) * dpi, (box.y0 - pad) * dpi
    out_w, out_h = int((box.width + 2 * pad) * dpi), int((box.height + 2 * pad) * dpi)
    c0 = math.floor(x0 + 0.5)
    r0 = math.floor(h * dpi - out_h - y0 + 0.5)
    face = (np.array(to_rgba(fig.get_facecolor())) * 255).round().astype(np.uint8)
    out = np.empty((out_h, out_w, 4), dtype=np.uint8)
    out[:] = face
    sr0, sc0 = max(r0, 0), max(c0, 0)
    sr1, sc1 = min(r0 + out_h, H), min(c0 + out_w, W)
    out[sr0 - r0 : sr1 - r0, sc0 - c0 : sc1 - c0] = img[sr0:sr1, sc0:sc1]
    buf = io.BytesIO()
    mpl.image.imsave(buf, out, format="png", origin="upper", dpi=dpi)
    return buf.getvalue()


def lay_out(fig, *, box: bool = True):
    """Lay ``fig`` out without painting it, as savefig's first pass does; return its Agg
    canvas and the tight box around its artists (inches; None when ``box`` is False,
    for a caller that will not crop a picture).

    Runs the layout engine (tight or constrained layout) and every artist's drawing code
    with pixels off, so a chart that cannot be drawn fails here.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    return canvas, fig.get_tightbbox(canvas.get_renderer()) if box else None


def _draw_laid_out(fig, canvas) -> None:
    """Paint the figure as laid out, without running its layout engine again (as savefig)."""
    engine = fig.get_layout_engine()
    if engine is None:
        canvas.draw()
        return
    fig.set_layout_engine("none")
    try:
        canvas.draw()
    finally:
        fig.set_layout_engine(engine)


@contextlib.contextmanager
def quiet_geopandas():
    """Within the block, ``canvas.draw_idle()`` (which geopandas' ``plot`` calls) draws nothing.

    geopandas draws the whole figure after every layer it adds; on a non-interactive
    canvas that is a full drawing each time. The figures of this package are drawn
    once, when they are saved (:func:`png_bytes`), so those drawings are wasted work.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure()
    >>> with quiet_geopandas():
    ...     fig.canvas.draw_idle()  # nothing is drawn
    >>> plt.close(fig)
    """
    from matplotlib.backend_bases import FigureCanvasBase

    saved = FigureCanvasBase.draw_idle
    FigureCanvasBase.draw_idle = lambda self, *args, **kwargs: None
    try:
        yield
    finally:
        FigureCanvasBase.draw_idle = saved
