"""Victim (or offender) profiles by age band and sex, ready for disclosure control.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"victim_age_band": ["18-24", "18-24", "25-34"], "victim_sex": ["Female", "Male", "Female"]})
>>> age_sex_table(df, age_bands=["18-24", "25-34"]).values.tolist()
[['18-24', 1, 1, 0, 2], ['25-34', 1, 0, 0, 1], ['Total', 2, 1, 0, 3]]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sa_lib.validation import require_columns

__all__ = ["age_sex_table", "plot_age_sex"]


def age_sex_table(
    df: pd.DataFrame,
    age_col: str = "victim_age_band",
    sex_col: str = "victim_sex",
    *,
    age_bands: Sequence[str] | None = None,
    sexes: Sequence[str] = ("Female", "Male", "Unknown"),
    unknown_label: str = "Not recorded",
) -> pd.DataFrame:
    """Counts by age band (rows) and sex (columns), with totals.

    Rows with no age band are counted in an ``unknown_label`` row rather than dropped.

    Returns
    -------
    DataFrame
        ``age_band``, one column per sex, ``Total``; the last row is ``Total``.
    """
    require_columns(
        df, [age_col, sex_col], arg="df", fix="needs an extract with victim age band and sex"
    )
    if age_bands is None:
        from sa_lib.data.extract import AGE_BANDS

        age_bands = AGE_BANDS
    age = df[age_col].astype("string").fillna(unknown_label)
    sex = df[sex_col].astype("string").fillna("Unknown")
    tab = pd.crosstab(age, sex)
    rows = list(age_bands) + ([unknown_label] if (age == unknown_label).any() else [])
    tab = tab.reindex(index=rows, columns=list(sexes), fill_value=0).astype("int64")
    tab["Total"] = tab.sum(axis=1)
    tab.loc["Total"] = tab.sum(axis=0)
    tab.index.name = "age_band"
    return tab.reset_index()


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
