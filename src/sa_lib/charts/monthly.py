"""Charts for reports: monthly trends with recording changes marked, bar comparisons.

Every function returns a matplotlib Figure and never calls ``plt.show()``.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.data.counts import monthly_counts
>>> m = monthly_counts(pd.DataFrame({"month": ["2025-01", "2025-02"], "crime_type": ["Drugs"] * 2}))
>>> fig = plot_monthly_trends(m, ["Drugs"])
>>> len(fig.axes)
1
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sa_lib.data.annotations import annotations_for
from sa_lib.data.periods import Period
from sa_lib.style import OKABE_ITO
from sa_lib.validation import require_columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_monthly_trends"]


def plot_monthly_trends(
    monthly: pd.DataFrame,
    types: Sequence[str],
    annotations: pd.DataFrame | None = None,
    period: Period | None = None,
    ncols: int = 2,
    suppress_below: int | None = None,
) -> Figure:
    """Small multiples of monthly counts, one panel per crime type.

    Parameters
    ----------
    monthly : DataFrame
        From :func:`sa_lib.data.counts.monthly_counts` (``month_start``, ``crime_type``, ``count``).
    types : sequence of str
        Crime types to draw, one panel each.
    annotations : DataFrame, optional
        Recording-practice changes (:func:`sa_lib.data.annotations.load_annotations`):
        those inside the chart's range are drawn as dashed lines and numbered;
        the caption lists them.
    period : Period, optional
        The assessment period, shaded.
    suppress_below : int, optional
        Disclosure threshold: the y axis starts at 0 and no point label is printed,
        and panels whose counts are all below it are replaced by a note.

    Returns
    -------
    Figure
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    require_columns(monthly, ["month_start", "crime_type", "count"], arg="monthly")
    types = list(types)
    if not types:
        raise ValueError("types is empty: name at least one crime type to chart.")
    n = len(types)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.6 * ncols, 2.6 * nrows), squeeze=False, sharex=True
    )
    lo, hi = monthly["month_start"].min(), monthly["month_start"].max()
    for ax, t in zip(axes.flat, types, strict=False):
        d = monthly[monthly["crime_type"] == t].sort_values("month_start")
        if suppress_below and (d["count"] < suppress_below).all():
            ax.text(
                0.5,
                0.5,
                f"fewer than {suppress_below} a month:\nnot shown",
                ha="center",
                va="center",
                transform=ax.transAxes,
                color="0.4",
            )
        else:
            ax.plot(d["month_start"], d["count"], marker="o", ms=3, lw=1.6, color=OKABE_ITO[5])
        ax.set_title(t, fontsize=10, loc="left")
        ax.set_ylim(bottom=0)
        if period is not None:
            ax.axvspan(
                period.start.to_timestamp(), (period.end + 1).to_timestamp(), color="0.9", zorder=0
            )
        if annotations is not None and not pd.isna(lo):
            # Number each break by its row in the whole table, as the caption
            # (report.show_breaks) does, not by its row among this type's breaks.
            numbered = annotations.assign(_number=np.arange(1, len(annotations) + 1))
            a = annotations_for(numbered, t)
            a = a[(a["date"] >= lo) & (a["date"] <= hi + pd.offsets.MonthEnd(1))]
            for _, row in a.iterrows():
                ax.axvline(row["date"], color=OKABE_ITO[6], ls="--", lw=1)
                ax.text(
                    row["date"],
                    ax.get_ylim()[1],
                    f" {row['_number']}",
                    color=OKABE_ITO[6],
                    va="top",
                    fontsize=8,
                )
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1, 4, 7, 10]))
        ax.grid(axis="y", color="0.9")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.supylabel("Crimes per month", fontsize=9)
    fig.tight_layout()
    return fig
