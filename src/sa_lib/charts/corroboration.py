"""Recorded crime beside a partner measure, both indexed to 100 (:mod:`sa_lib.stats.corroboration`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sa_lib import style  # noqa: F401 - data labels drawn as plain text (no mathtext)
from sa_lib.validation import require_columns

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_indexed"]


def plot_indexed(
    monthly: pd.DataFrame,
    date_col: str,
    series: dict[str, str],
    title: str | None = None,
    base_months: int = 3,
) -> Figure:
    """Plot several monthly series indexed to 100 (mean of the first ``base_months``)."""
    import matplotlib.pyplot as plt

    require_columns(monthly, [date_col, *series.values()], arg="monthly")
    fig, ax = plt.subplots(figsize=(8, 3.8))
    d = monthly.sort_values(date_col)
    for label, col in series.items():
        base = d[col].head(base_months).mean()
        ax.plot(
            pd.to_datetime(d[date_col]),
            d[col] / base * 100 if base else np.nan,
            marker="o",
            ms=3,
            label=label,
        )
    ax.axhline(100, color="0.6", lw=0.8)
    ax.set_ylabel(f"Index (first {base_months} months = 100)")
    ax.legend(frameon=False)
    if title:
        ax.set_title(title, loc="left")
    fig.tight_layout()
    return fig
