"""The Lorenz curve of :func:`sa_lib.stats.concentration.lorenz`, with its Gini coefficient."""

from __future__ import annotations

import pandas as pd

from sa_lib.stats.concentration import gini, gini_generalised, lorenz

__all__ = ["plot_lorenz"]


def plot_lorenz(
    df: pd.DataFrame,
    count: str = "count",
    *,
    title: str | None = None,
    label: str = "Lorenz curve",
    show_max_equality: bool = True,
    ax=None,
):
    """Plot the Lorenz curve with the lines of perfect and maximal equality.

    Parameters
    ----------
    df : DataFrame
        One row per place, including places with 0 crimes.
    count : str, default "count"
        Column of non-negative counts.
    title : str, optional
        Axes title; defaults to one quoting the Gini that applies.
    label : str, default "Lorenz curve"
        Legend label of the curve.
    show_max_equality : bool, default True
        Draw the line of maximal equality given the data when crimes < places.
    ax : matplotlib Axes, optional
        Draw on this Axes; a new Figure is made otherwise.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> fig = plot_lorenz(pd.DataFrame({"count": [5, 2, 1, 0]}))
    >>> type(fig).__name__
    'Figure'
    """
    import matplotlib.pyplot as plt

    from sa_lib.style import OKABE_ITO

    curve = lorenz(df, count)
    n, total = len(curve) - 1, float(curve["count"].sum())
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.5, 5))
    else:
        fig = ax.figure
    x, y = 100 * curve["cum_share_places"], 100 * curve["cum_share_crime"]
    ax.plot([0, 100], [0, 100], color="grey", ls="--", lw=1, label="Perfect equality")
    if show_max_equality and total < n:
        ax.plot(
            x,
            100 * curve["max_equality"],
            color=OKABE_ITO[2],
            ls=":",
            lw=1.5,
            label="Maximal equality given the data",
        )
    ax.plot(x, y, color=OKABE_ITO[5], lw=2, label=label, drawstyle="default")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("Cumulative % of places (most crime first)")
    ax.set_ylabel("Cumulative % of crime")
    if title is None:
        if total < n:
            title = (
                f"Generalised Gini {gini_generalised(df, count):.2f} ({total:g} crimes, {n} places)"
            )
        else:
            title = f"Gini {gini(df, count):.2f} ({total:g} crimes, {n} places)"
    ax.set_title(title)
    ax.legend(loc="lower right", frameon=False)
    return fig
