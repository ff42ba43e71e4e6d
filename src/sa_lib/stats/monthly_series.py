"""A monthly series of counts, read and checked once for the statistics that model it.

:func:`monthly_series` validates a frame of one row per month (dates and counts) and
returns it sorted, with the month as a Period; :func:`months_and_counts` reads the same
months and counts straight from numpy where the input allows (the trend model's
Pearson dispersion reads hundreds of series per pack); :func:`series_key` is a series
whole, as the key under which a pack's memo (:mod:`sa_lib.memo`) keeps a fit of it.

Examples
--------
>>> import pandas as pd
>>> d = pd.DataFrame({"date": pd.to_datetime(["2025-02-01", "2025-01-01"]), "count": [3, 4]})
>>> monthly_series(d, "date", "count")["month"].astype(str).tolist()
['2025-01', '2025-02']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sa_lib.validation import (
    first_bad_row,
    read_dates,
    require_columns,
    require_dataframe,
    require_no_missing,
    require_non_negative,
    require_not_empty,
)

__all__ = ["monthly_series", "months_and_counts", "series_key"]


def monthly_series(df: pd.DataFrame, date_col: str, count_col: str) -> pd.DataFrame:
    """Validate a monthly series; return it sorted with ``month`` (Period), ``date`` and ``count``.

    Examples
    --------
    >>> d = pd.DataFrame({"date": ["2025-02-01", "2025-01-01"], "count": [3, 4]})
    >>> monthly_series(d, "date", "count")["count"].tolist()
    [4.0, 3.0]
    """
    require_dataframe(df, "monthly_df")
    require_not_empty(df, arg="monthly_df", fix="pass one row per month of counts.")
    require_columns(df, [date_col, count_col], arg="monthly_df")
    require_no_missing(df, count_col, arg="monthly_df", fix="use 0 for months with no records.")
    require_non_negative(df, count_col, arg="monthly_df")
    require_no_missing(df, date_col, arg="monthly_df", fix="drop rows without a date.")
    month = read_dates(df, date_col, arg="monthly_df").dt.to_period("M")
    dup = month.duplicated()
    label = first_bad_row(df, dup)
    if label is not None:
        raise ValueError(
            f"monthly_df has more than one row for month {month.loc[label]} (first repeat at "
            f"row {label!r}). Fix: aggregate to one row per month first, e.g. "
            f"df.groupby(df[{date_col!r}].dt.to_period('M'))[{count_col!r}].sum()."
        )
    order = np.argsort(month.array.asi8, kind="stable")
    periods = month.array[order]
    counts = df[count_col].to_numpy(dtype=float)[order]
    return pd.DataFrame({"month": periods, "count": counts, "date": periods.to_timestamp()})


def months_and_counts(df, date_col: str, count_col: str) -> tuple[np.ndarray, np.ndarray]:
    """Month ordinals (months since January 1970, ascending) and float counts of a series.

    What :func:`monthly_series` returns, read straight from numpy for the common input (numpy
    datetimes and numbers, none missing or negative, one row per month); anything else
    goes through :func:`monthly_series`, its checks and its messages.

    Examples
    --------
    >>> d = pd.DataFrame({"date": pd.to_datetime(["2025-02-01", "2025-01-01"]), "count": [3, 4]})
    >>> months, counts = months_and_counts(d, "date", "count")
    >>> months.tolist(), counts.tolist()  # months since January 1970
    ([660, 661], [4.0, 3.0])
    """
    if (
        isinstance(df, pd.DataFrame)
        and len(df)
        and date_col in df.columns
        and count_col in df.columns
        and df.columns.is_unique
    ):
        dates, counts = df[date_col], df[count_col]
        numpy_dtypes = isinstance(dates.dtype, np.dtype) and isinstance(counts.dtype, np.dtype)
        if numpy_dtypes and dates.dtype.kind == "M" and counts.dtype.kind in "iuf":
            d = dates.to_numpy()
            y = counts.to_numpy(dtype=float)
            if not np.isnat(d).any() and not np.isnan(y).any() and (y >= 0).all():
                months = d.astype("datetime64[M]").astype(np.int64)
                order = np.argsort(months, kind="stable")
                months = months[order]
                if not (np.diff(months) == 0).any():
                    return months, y[order]
    m = monthly_series(df, date_col, count_col)
    return m["month"].array.asi8, m["count"].to_numpy()


def series_key(monthly_df: pd.DataFrame, date_col: str, count_col: str) -> tuple:
    """A monthly series whole, as a key of :func:`sa_lib.memo.pure`.

    Examples
    --------
    >>> d = pd.DataFrame({"date": pd.to_datetime(["2025-01-01"]), "count": [4]})
    >>> series_key(d, "date", "count") == series_key(d.copy(), "date", "count")
    True
    """
    dates = monthly_df[date_col]
    # numpy datetimes by their bytes (with the dtype beside them), anything else as text
    exact = isinstance(dates.dtype, np.dtype) and dates.dtype.kind == "M"
    return (
        tuple(monthly_df.index),
        str(dates.dtype),
        dates.to_numpy().tobytes() if exact else tuple(dates.astype(str)),
        str(monthly_df[count_col].dtype),
        tuple(monthly_df[count_col].tolist()),
        date_col,
        count_col,
    )
