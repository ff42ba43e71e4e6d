"""The XmR chart of :func:`sa_lib.stats.spc.xmr`, coloured as in NHS "Making Data Count".

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.spc import xmr
>>> df = pd.DataFrame({"date": pd.date_range("2023-01-01", periods=12, freq="MS"),
...                    "count": [10, 12, 11, 13, 10, 12, 11, 12, 10, 11, 13, 30]})
>>> len(plot_xmr(xmr(df), title="Burglary").axes)
1
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sa_lib.stats.spc import xmr  # noqa: F401 - named in the docstrings
from sa_lib.style import COLD, HOT
from sa_lib.validation import require_columns, require_dataframe

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_xmr", "GREY"]

#: Colour of common-cause points and of the series line.
GREY = "#7F7F7F"


def plot_xmr(
    result: pd.DataFrame,
    title: str | None = None,
    date_col: str | None = None,
    value_col: str | None = None,
    ylabel: str | None = None,
) -> Figure:
    """Plot an XmR chart from :func:`xmr`, coloured as in Making Data Count.

    Points with special cause are orange-red (high) or blue (low); common-cause points
    are grey. The mean is a solid line and the process limits dashed lines, one set per
    segment.

    Parameters
    ----------
    result : DataFrame
        The output of :func:`xmr`.
    title : str, optional
        Chart title.
    date_col, value_col : str, optional
        Override the column names kept in ``result.attrs``.
    ylabel : str, optional
        Y-axis label (default: the value column's name).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"date": pd.date_range("2023-01-01", periods=12, freq="MS"),
    ...                    "count": [10, 12, 11, 13, 10, 12, 11, 12, 10, 11, 13, 30]})
    >>> fig = plot_xmr(xmr(df), title="Burglary")
    """
    import matplotlib.pyplot as plt

    require_dataframe(result, "result")
    date_col = date_col or result.attrs.get("date_col", "date")
    value_col = value_col or result.attrs.get("value_col", "count")
    require_columns(
        result,
        [date_col, value_col, "mean", "upper", "lower", "segment", "direction"],
        arg="result",
        fix="pass the DataFrame returned by sa_lib.stats.spc.xmr (and date_col/value_col if renamed).",
    )
    fig, ax = plt.subplots(figsize=(8, 4.5))
    dates = pd.to_datetime(result[date_col])
    y = result[value_col]
    ax.plot(dates, y, color=GREY, linewidth=1, zorder=1)
    colours = np.where(
        result["direction"] == "high", HOT, np.where(result["direction"] == "low", COLD, GREY)
    )
    ax.scatter(dates, y, c=colours, s=28, zorder=2)
    for i, (_, seg) in enumerate(result.groupby("segment", sort=True)):
        sd = pd.to_datetime(seg[date_col])
        ax.plot(sd, seg["mean"], color="black", linewidth=1.2, label="Mean" if i == 0 else None)
        ax.plot(
            sd,
            seg["upper"],
            color="black",
            linestyle="--",
            linewidth=0.9,
            label="Process limits" if i == 0 else None,
        )
        ax.plot(sd, seg["lower"], color="black", linestyle="--", linewidth=0.9)
    for colour, name in ((HOT, "Special cause (high)"), (COLD, "Special cause (low)")):
        ax.scatter([], [], c=colour, s=28, label=name)
    ax.scatter([], [], c=GREY, s=28, label="Common cause")
    ax.set_ylabel(ylabel or value_col)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncol=3)
    fig.autofmt_xdate()
    return fig
