"""Charts of area comparisons: funnel plots and rates with confidence intervals.

The statistics (rates, intervals, funnel limits, overdispersion) are in
:mod:`sa_lib.stats.comparison`; these functions draw them.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"area": ["A", "B", "C"], "count": [30, 80, 55],
...                    "population": [5000, 9000, 7000]})
>>> len(plot_funnel(df, highlight="B").axes)
1
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sa_lib import validation as v
from sa_lib.stats.comparison import (
    FunnelDispersion,
    _level_name,
    compare_areas,
    funnel_limits,
)
from sa_lib.style import COLD, HOT, NEUTRAL, OKABE_ITO

__all__ = ["plot_funnel", "plot_rates_with_ci"]


def _label_points(ax, pts, area_col, population_col, highlight, grid, ref_rate) -> None:
    """Label every point (alternating above and below) and ring the highlighted area."""
    # Every point is labelled (a funnel plot is read area by area), alternating above and
    # below so neighbours at similar populations do not overprint.
    order = np.argsort(pts[population_col].to_numpy(dtype=float))
    for k, i in enumerate(order):
        name = str(pts[area_col].iloc[i])
        x, y = float(pts[population_col].iloc[i]), float(pts["rate"].iloc[i])
        ax.annotate(
            name,
            (x, y),
            xytext=(5, 7 if k % 2 == 0 else -12),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold" if name == highlight else "normal",
        )
    if highlight is not None:
        h = pts[pts[area_col] == highlight]
        if h.empty:  # the highlighted area is the reference row
            ax.text(grid[-1], ref_rate, f" {highlight}", va="bottom", ha="right")
        else:
            x, y = float(h[population_col].iloc[0]), float(h["rate"].iloc[0])
            ax.scatter([x], [y], s=90, facecolors="none", edgecolors=OKABE_ITO[0], lw=1.5, zorder=4)


def plot_funnel(
    df: pd.DataFrame,
    area_col: str = "area",
    count_col: str = "count",
    population_col: str = "population",
    per: float = 1000,
    reference: str | float | None = None,
    levels: Sequence[float] = (0.95, 0.998),
    highlight: str | None = None,
    *,
    title: str | None = None,
    ax=None,
    dispersion: FunnelDispersion | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
):
    """Funnel plot of area rates against population with Poisson control limits.

    Parameters
    ----------
    df : DataFrame
        One row per area.
    area_col, count_col, population_col : str
        Column names.
    per : float, default 1000
        Rates are per this many of the population.
    reference : str, float or None
        As for :func:`compare_areas`; a named reference row is drawn as the
        target line, not as a point.
    levels : sequence of float, default (0.95, 0.998)
        Limits to draw (dashed for the first, solid for the others).
    highlight : str, optional
        Area to highlight (ringed, its label bold); every point is labelled.
    xlabel, ylabel : str, optional
        Axis titles (default "Population" and "Rate per <per>").
    title : str, optional
        Axes title.
    ax : matplotlib Axes, optional
        Draw here; a new Figure is made otherwise.
    dispersion : FunnelDispersion, optional
        Draw overdispersion-adjusted limits (:func:`funnel_overdispersion`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"area": ["A", "B", "C"], "count": [30, 80, 55],
    ...                    "population": [5000, 9000, 7000]})
    >>> type(plot_funnel(df, highlight="B")).__name__
    'Figure'
    """
    import matplotlib.pyplot as plt

    comp = compare_areas(df, area_col, count_col, population_col, per=per, reference=reference)
    if highlight is not None and not (comp[area_col] == highlight).any():
        raise ValueError(
            f"highlight={highlight!r} is not in df[{area_col!r}]. Fix: pass one of "
            f"{', '.join(repr(a) for a in comp[area_col].head(8))}."
        )
    ref_rate = float(comp["reference_rate"].iloc[0])
    pts = comp[comp["comparison"] != "reference"]
    lo = max(1.0, 0.8 * float(pts[population_col].min()))
    hi = 1.2 * float(pts[population_col].max())
    grid = np.geomspace(lo, hi, 200) if hi / lo > 20 else np.linspace(lo, hi, 200)
    lim = funnel_limits(ref_rate, grid, per=per, levels=levels, dispersion=dispersion)
    adjusted = dispersion is not None and dispersion.method != "none"

    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 5))
    else:
        fig = ax.figure
    ax.axhline(ref_rate, color=OKABE_ITO[0], lw=1, label=f"Reference rate ({ref_rate:.3g})")
    styles = ["--", "-", ":", "-."]
    for k, lv in enumerate(levels):
        name = _level_name(lv)
        ls = styles[k % len(styles)]
        ax.plot(
            grid,
            lim[f"upper_{name}"],
            color="grey",
            ls=ls,
            lw=1,
            label=f"{lv:.1%} limits"
            + (f" ({dispersion.method} overdispersion)" if adjusted else ""),
        )
        ax.plot(grid, lim[f"lower_{name}"], color="grey", ls=ls, lw=1)
    outer = _level_name(max(levels))
    pl = funnel_limits(
        ref_rate,
        pts[population_col].to_numpy(dtype=float),
        per=per,
        levels=levels,
        dispersion=dispersion,
    )
    above = pts["rate"].to_numpy() > pl[f"upper_{outer}"].to_numpy()
    below = pts["rate"].to_numpy() < pl[f"lower_{outer}"].to_numpy()
    colours = np.where(above, HOT, np.where(below, COLD, NEUTRAL))
    ax.scatter(
        pts[population_col],
        pts["rate"],
        c=list(colours),
        edgecolors="grey",
        linewidths=0.5,
        s=30,
        zorder=3,
    )
    _label_points(ax, pts, area_col, population_col, highlight, grid, ref_rate)

    if hi / lo > 20:
        ax.set_xscale("log")
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(xlabel or "Population")
    ax.set_ylabel(ylabel or f"Rate per {per:,g}")
    kind = "overdispersion-adjusted" if adjusted else "Poisson"
    ax.set_title(title or f"Rates against population with {kind} funnel limits")
    # Outside the plot, so it covers no point.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return fig


def plot_rates_with_ci(
    df: pd.DataFrame,
    area_col: str = "area",
    rate_col: str = "rate",
    lower_col: str = "rate_lower",
    upper_col: str = "rate_upper",
    *,
    reference_rate: float | None = None,
    highlight: str | None = None,
    comparison_col: str = "comparison",
    sort: bool = True,
    per: float | None = None,
    title: str | None = None,
    ax=None,
):
    """Horizontal dot-and-whisker chart of rates with confidence intervals.

    Parameters
    ----------
    df : DataFrame
        One row per area, e.g. the output of :func:`compare_areas`.
    area_col, rate_col, lower_col, upper_col : str
        Column names for the labels, rates and CI limits.
    reference_rate : float, optional
        Draw a vertical reference line; defaults to ``df["reference_rate"]`` if present.
    highlight : str, optional
        Area whose label is drawn in bold.
    comparison_col : str, default "comparison"
        If present, dots are coloured: above (orange-red), below (blue), similar
        (grey), reference (black).
    sort : bool, default True
        Order areas by rate (highest at the top).
    per : float, optional
        Only for the axis label ("Rate per 1,000").
    title : str, optional
        Axes title.
    ax : matplotlib Axes, optional
        Draw here; a new Figure is made otherwise.
    dispersion : FunnelDispersion, optional
        Draw overdispersion-adjusted limits (:func:`funnel_overdispersion`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"area": ["A", "B"], "rate": [5.0, 7.0],
    ...                    "rate_lower": [4.0, 6.0], "rate_upper": [6.0, 8.0]})
    >>> type(plot_rates_with_ci(df)).__name__
    'Figure'
    """
    import matplotlib.pyplot as plt

    v.require_columns(df, [area_col, rate_col, lower_col, upper_col], arg="df")
    v.require_not_empty(df, arg="df")
    for c in (rate_col, lower_col, upper_col):
        v.require_numeric(df, c, arg="df")
    bad = (df[lower_col] > df[rate_col]) | (df[upper_col] < df[rate_col])
    if bad.any():
        label = v.first_bad_row(df, bad)
        raise ValueError(
            f"df row {label!r}: the interval [{df.loc[label, lower_col]}, "
            f"{df.loc[label, upper_col]}] does not contain the rate {df.loc[label, rate_col]}. "
            f"Fix: check lower_col / upper_col are the right way round."
        )
    if highlight is not None and not (df[area_col] == highlight).any():
        raise ValueError(
            f"highlight={highlight!r} is not in df[{area_col!r}]. Fix: pass one of "
            f"{', '.join(repr(a) for a in df[area_col].head(8))}."
        )
    d = df.sort_values(rate_col, ascending=True, kind="stable") if sort else df.iloc[::-1]
    if reference_rate is None and "reference_rate" in d.columns:
        reference_rate = float(d["reference_rate"].iloc[0])
    palette = {"above": HOT, "below": COLD, "similar": "#777777", "reference": OKABE_ITO[0]}
    if comparison_col in d.columns:
        colours = [palette.get(str(c), OKABE_ITO[5]) for c in d[comparison_col]]
    else:
        colours = [OKABE_ITO[5]] * len(d)

    if ax is None:
        fig, ax = plt.subplots(figsize=(7, max(2.5, 0.35 * len(d) + 1)))
    else:
        fig = ax.figure
    y = np.arange(len(d))
    rate = d[rate_col].to_numpy(dtype=float)
    err = np.vstack([rate - d[lower_col].to_numpy(float), d[upper_col].to_numpy(float) - rate])
    ax.errorbar(rate, y, xerr=err, fmt="none", ecolor="grey", elinewidth=1.2, capsize=3)
    ax.scatter(rate, y, c=colours, s=40, zorder=3)
    if reference_rate is not None:
        ax.axvline(reference_rate, color=OKABE_ITO[0], ls="--", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([str(a) for a in d[area_col]])
    if highlight is not None:
        for lab in ax.get_yticklabels():
            if lab.get_text() == str(highlight):
                lab.set_fontweight("bold")
    ax.set_xlabel(f"Rate per {per:,g}" if per else "Rate")
    if comparison_col in d.columns:
        from matplotlib.lines import Line2D

        present = [
            c for c in ("above", "similar", "below", "reference") if c in set(d[comparison_col])
        ]
        handles = [
            Line2D([], [], marker="o", ls="", color=palette[c], label=c.capitalize())
            for c in present
        ]
        ax.legend(handles=handles, loc="lower right", frameon=False, fontsize=8)
    ax.set_title(title or "Rates with confidence intervals")
    # Alt text from the rates as the tables show them (one decimal), named by area.
    hi, lo = int(np.argmax(rate)), int(np.argmin(rate))
    names = [str(a) for a in d[area_col]]
    fig.sa_alt = (
        f"{len(d)} areas; the highest rate is {rate[hi]:,.1f} ({names[hi]}), the lowest "
        f"{rate[lo]:,.1f} ({names[lo]})."
    )
    return fig
