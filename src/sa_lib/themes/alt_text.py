"""Alt text for charts, written from the chart's own data, and the SYNTHETIC watermark.

A screen-reader user (and anyone who pastes a chart elsewhere) needs to know what a
chart shows and what it says. :func:`describe_figure` reads a matplotlib figure: its
title, axes, series and their values (latest, highest, lowest), bars (largest), and
heat-map grids (highest cell). :func:`watermark_synthetic` stamps "SYNTHETIC DATA"
across a figure built from synthetic data, so the label travels with the image.

Only what the chart draws is described: a value hidden by disclosure control is not
drawn, so it is not described either.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots()
>>> _ = ax.plot([1, 2, 3], [5, 9, 7], label="Burglary")
>>> _ = ax.set_title("Burglary per month"); _ = ax.set_ylabel("Crimes")
>>> describe_figure(fig)
'Chart: Burglary per month. Vertical axis: Crimes. Burglary: latest 7, highest 9, lowest 5.'
>>> plt.close(fig)
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["describe_figure", "watermark_synthetic", "WATERMARK"]

#: The text stamped across a synthetic chart.
WATERMARK = "SYNTHETIC DATA"


#: The ``gid`` of a line the chart's own ``fig.sa_alt`` already describes (in the page's
#: number format), so the generic description does not quote it a second way.
ALT_GIVEN = "sa-alt-given"


def _num(v: float) -> str:
    if not math.isfinite(v):
        return "–"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:,.1f}"


def _tick_label(labels: list[str], positions: np.ndarray, x: float) -> str | None:
    if not labels or len(positions) == 0:
        return None
    i = int(np.argmin(np.abs(positions - x)))
    return labels[i] or None


def _describe_axes(ax) -> list[str]:
    return _describe_labels(ax) + _describe_lines(ax) + _describe_bars(ax) + _describe_images(ax)


def _describe_labels(ax) -> list[str]:
    """The title and axis labels (a map says so instead of naming its eastings)."""
    out = []
    title = " ".join(t for t in (ax.get_title(loc) for loc in ("left", "center", "right")) if t)
    if title:
        out.append(f"{title}.")
    xl, yl = ax.get_xlabel(), ax.get_ylabel()
    if "Easting" in xl or "Northing" in yl:
        out.append("A map of the district.")
        xl = yl = ""
    if xl:
        out.append(f"Horizontal axis: {xl}.")
    if yl:
        out.append(f"Vertical axis: {yl}.")
    return out


def _is_errorbar_cap(line) -> bool:
    """An error bar's cap (markers only, "|" or "_"): it draws an interval's ends at each
    point's position, not a series, so it is not described as one."""
    return (
        str(line.get_label()).startswith("_")
        and str(line.get_linestyle()) in ("None", "none", "")
        and line.get_marker() in ("|", "_")
    )


def _category_dots(ax, label: str, line) -> str | None:
    """A dot series drawn across named rows (value on x, a row's position on y): its highest
    and lowest value named by row, never the row positions as if they were values."""
    try:
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
    except (TypeError, ValueError):
        return None
    names = [t.get_text() for t in ax.yaxis.get_ticklabels()]
    pos = np.asarray(ax.yaxis.get_ticklocs(), dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(y) < 2 or not names or not all(names) or len(pos) != len(names):
        return None
    numeric = all(n.replace("\u2212", "-").lstrip("-").replace(".", "", 1).isdigit() for n in names)
    # Every row has its dot, at the row's position (a count series on a numeric axis is not).
    if numeric or not (np.allclose(y, np.round(y)) and set(np.round(y)) == set(np.round(pos))):
        return None
    hi, lo = int(np.argmax(x)), int(np.argmin(x))
    return (
        f"{label}: highest {_num(x[hi])} ({_tick_label(names, pos, y[hi])}), lowest "
        f"{_num(x[lo])} ({_tick_label(names, pos, y[lo])})."
    )


def _describe_lines(ax) -> list[str]:
    """Each labelled line's latest, highest and lowest value (an unlabelled one if longest)."""
    out = []
    lines = []
    for line in ax.get_lines():
        if _is_errorbar_cap(line) or line.get_gid() == ALT_GIVEN:
            continue
        try:
            y = np.asarray(line.get_ydata(), dtype=float)
        except (TypeError, ValueError):
            continue
        dots = _category_dots(ax, line.get_label() or "Values", line)
        if dots is not None and not str(line.get_label()).startswith("_"):
            out.append(dots)
            continue
        y = y[np.isfinite(y)]
        if len(y) >= 2:
            lines.append((line.get_label() or "", y))
    longest = max((len(y) for _, y in lines), default=0)
    for label, y in lines:
        if label.startswith("_"):
            if len(y) < longest or longest < 3:
                continue
            label = "Values"
        if np.ptp(y) == 0:
            out.append(f"{label}: {_num(y[0])}.")
        else:
            out.append(
                f"{label}: latest {_num(y[-1])}, highest {_num(y.max())}, lowest {_num(y.min())}."
            )
    return out


def _describe_bars(ax) -> list[str]:
    """The number of bars and the largest, named by its tick label."""
    bars = [p for p in ax.patches if type(p).__name__ == "Rectangle" and p.get_height() > 0]
    if len(bars) < 2 or ax.images:
        return []
    horizontal = len({round(b.get_x(), 6) for b in bars}) == 1
    # Bars drawn to the left or down (an age pyramid's female side) have negative size.
    sizes = np.abs([b.get_width() if horizontal else b.get_height() for b in bars])
    big = bars[int(np.argmax(sizes))]
    axis = ax.yaxis if horizontal else ax.xaxis
    pos = np.asarray(axis.get_ticklocs(), dtype=float)
    labels = [t.get_text() for t in axis.get_ticklabels()]
    centre = big.get_y() + big.get_height() / 2 if horizontal else big.get_x() + big.get_width() / 2
    name = _tick_label(labels, pos, centre)
    return [
        f"{len(bars)} bars; the largest is {_num(sizes.max())}" + (f" ({name})." if name else ".")
    ]


def _describe_images(ax) -> list[str]:
    """Each heat map's size, highest cell (named by its row and column) and blank cells."""
    out = []
    for im in ax.images:
        a = np.ma.masked_invalid(np.asarray(im.get_array(), dtype=float))
        if a.count():
            r, c = np.unravel_index(int(a.argmax()), a.shape)
            ylabels = [t.get_text() for t in ax.yaxis.get_ticklabels()]
            xlabels = [t.get_text() for t in ax.xaxis.get_ticklabels()]
            where = ""
            if r < len(ylabels) and c < len(xlabels) and ylabels[r] and xlabels[c]:
                where = f" ({ylabels[r]}, {xlabels[c]})"
            hidden = int(a.mask.sum()) if np.ma.is_masked(a) else 0
            out.append(
                f"A grid of {a.size} cells; the highest is {_num(float(a.max()))}{where}"
                + (f"; {hidden} cells are blank (not shown)." if hidden else ".")
            )
    return out


def describe_figure(fig) -> str:
    """What a chart shows and its main figures, in words, from the figure itself.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    str
        Starts "Chart:"; names the title, axes, each labelled series with its latest,
        highest and lowest value, the largest bar and the highest heat-map cell.
        A figure carrying ``fig.sa_alt`` (set by the code that drew it) uses that
        text first.
    """
    parts = []
    sup = fig._suptitle.get_text() if getattr(fig, "_suptitle", None) else ""
    if sup:
        parts.append(f"{sup}.")
    custom = getattr(fig, "sa_alt", None)
    if custom:
        parts.append(str(custom))
    for ax in fig.axes:
        if ax.get_label() == "<colorbar>":
            continue
        parts.extend(_describe_axes(ax))
    if getattr(fig, "sa_synthetic", False):
        parts.insert(0, "SYNTHETIC DATA, not for decisions.")
    text = " ".join(p.replace("\n", " ") for p in parts if p) or "A chart."
    text = " ".join(text.split())
    return "Chart: " + (text if len(text) <= 900 else text[:897] + "...")


def watermark_synthetic(fig) -> None:
    """Stamp "SYNTHETIC DATA" across the figure (once) and mark it ``fig.sa_synthetic``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(); watermark_synthetic(fig); watermark_synthetic(fig)
    >>> [t.get_text() for t in fig.texts]
    ['SYNTHETIC DATA', 'SYNTHETIC DATA']
    >>> plt.close(fig)
    """
    if getattr(fig, "sa_synthetic", False):
        return
    fig.text(
        0.5,
        0.5,
        WATERMARK,
        ha="center",
        va="center",
        rotation=25,
        fontsize=42,
        fontweight="bold",
        color="#8a5a00",
        alpha=0.22,
        zorder=1000,
    )
    fig.text(
        0.0, 0.0, WATERMARK, ha="left", va="top", fontsize=11, fontweight="bold", color="#8a5a00"
    )  # under the chart, clear of its title and axes
    fig.sa_synthetic = True
