"""The age x sex chart of :func:`sa_lib.stats.profiles.age_sex_table`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sa_lib.stats.profiles import age_sex_table  # noqa: F401 - named in docstrings

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_age_sex"]


def plot_age_sex(
    table: pd.DataFrame, hidden: pd.DataFrame | None = None, title: str | None = None
) -> Figure:
    """Back-to-back bars (female left, male right) by age band.

    Bars for suppressed cells (``hidden``: a boolean frame aligned with ``table``) are
    not drawn, and the axis has no tick values, so no small count can be read off.
    """
    import matplotlib.pyplot as plt

    from sa_lib.style import OKABE_ITO

    t = table[table["age_band"] != "Total"].reset_index(drop=True)
    h = (
        hidden.reset_index(drop=True).iloc[: len(t)]
        if hidden is not None
        else pd.DataFrame(False, index=t.index, columns=t.columns)
    )
    y = np.arange(len(t))
    fem = t["Female"].to_numpy(float)
    mal = t["Male"].to_numpy(float)
    fem_h = h.get("Female", pd.Series(False, index=t.index)).to_numpy(bool)
    mal_h = h.get("Male", pd.Series(False, index=t.index)).to_numpy(bool)
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(t) + 1.5))
    ax.barh(y[~fem_h], -fem[~fem_h], color=OKABE_ITO[7], label="Female")
    ax.barh(y[~mal_h], mal[~mal_h], color=OKABE_ITO[5], label="Male")
    for yi in y[fem_h]:
        ax.annotate(
            "suppressed",
            (0, yi),
            xytext=(-4, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=7,
            color="0.4",
        )
    for yi in y[mal_h]:
        ax.annotate(
            "suppressed",
            (0, yi),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=7,
            color="0.4",
        )
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, t["age_band"])
    ax.set_xticks([])
    ax.set_xlabel("← Female      Male →  (bar length: number of victims; values in the table)")
    ax.legend(frameon=False, loc="lower right")
    if title:
        ax.set_title(title, loc="left")
    fig.tight_layout()
    return fig
