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

import pandas as pd

from sa_lib.validation import require_columns

__all__ = ["age_sex_table"]


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
