"""The target-tracking chart of :func:`sa_lib.stats.trend.target_tracking`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from sa_lib.stats.trend import TargetResult, target_tracking  # noqa: F401 - named in docstrings
from sa_lib.style import OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_target"]


def plot_target(
    result: TargetResult, title: str | None = None, ylabel: str = "Count per month"
) -> Figure:
    """Chart of monthly counts, the fitted trend, its projection and the target.

    Observed months are points; the fitted trend is a solid line and its projection a
    dashed line with a shaded confidence band. The baseline and target are drawn as
    monthly averages (annual total / 12) over the baseline and target years.

    Parameters
    ----------
    result : TargetResult
        From :func:`target_tracking`.
    title : str, optional
        Chart title (default states the status).
    ylabel : str, default "Count per month"
        Y-axis label.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> months = pd.date_range("2021-01-01", periods=36, freq="MS")
    >>> df = pd.DataFrame({"date": months, "count": np.round(1000 * 0.9 ** (np.arange(36) / 12))})
    >>> fig = plot_target(target_tracking(df, 2021, 20, 2024))
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, TargetResult):
        raise ValueError(
            f"result must be the TargetResult returned by target_tracking, got "
            f"{type(result).__name__}."
        )
    p = result.projection
    fig, ax = plt.subplots(figsize=(8, 4.5))
    obs = p[~p["is_projection"]]
    fut = p[p["is_projection"]]
    blue, orange, green = OKABE_ITO[5], OKABE_ITO[1], OKABE_ITO[3]
    ax.scatter(p["date"], p["observed"], color=OKABE_ITO[0], s=14, label="Recorded", zorder=3)
    ax.plot(obs["date"], obs["fitted"], color=blue, label="Trend")
    if not fut.empty:
        joined = pd.concat([obs.tail(1), fut])
        ax.plot(joined["date"], joined["fitted"], color=blue, linestyle="--", label="Projection")
        ax.fill_between(
            joined["date"], joined["fitted_lower"], joined["fitted_upper"], color=blue, alpha=0.15
        )

    def _span(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
        start = pd.Timestamp(year=year, month=result.year_start_month, day=1)
        return start, start + pd.DateOffset(months=11)

    b0, b1 = _span(result.baseline_year)
    t0, t1 = _span(result.target_year)
    ax.hlines(result.baseline_value / 12, b0, b1, color=orange, linewidth=2, label="Baseline")
    ax.hlines(result.target_value / 12, t0, t1, color=green, linewidth=2, label="Target")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.set_title(title or f"Target for {result.target_year}: {result.status}")
    ax.legend(loc="best", fontsize=8, frameon=False)
    fig.autofmt_xdate()
    return fig
