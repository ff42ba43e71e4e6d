"""Counts of crime and ASB by period, type, month and area, with rates.

These are the plain tallies every report starts from; the statistics modules
(:mod:`sa_lib.stats.rates`, :mod:`sa_lib.stats.change`) add intervals and tests on top.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.data.periods import parse_period
>>> crimes = pd.DataFrame({"month": ["2025-10", "2025-07", "2025-10"],
...                        "crime_type": ["Robbery", "Robbery", "Drugs"]})
>>> t = period_counts(crimes, {"current": parse_period("2025-Q4"), "previous": parse_period("2025-Q3")},
...                   categories=["Drugs", "Robbery"], total_label=None)
>>> t.set_index("crime_type")[["current", "previous"]].to_dict("index")
{'Drugs': {'current': 1, 'previous': 0}, 'Robbery': {'current': 1, 'previous': 1}}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sa_lib.data.periods import Period
from sa_lib.validation import require_columns, require_non_negative, require_positive

__all__ = [
    "POLICE_UK_TYPES",
    "period_counts",
    "monthly_counts",
    "area_counts",
    "add_rate",
    "pct_change",
]

#: The 14 police.uk categories (13 crime types and anti-social behaviour).
POLICE_UK_TYPES: list[str] = [
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
]


def period_counts(
    crimes: pd.DataFrame,
    periods: Mapping[str, Period],
    by: str = "crime_type",
    categories: Sequence[str] | None = None,
    total_label: str | None = "All crime",
    asb_label: str = "Anti-social behaviour",
) -> pd.DataFrame:
    """Count rows per category in each period.

    Parameters
    ----------
    crimes : DataFrame
        Needs ``month`` ("YYYY-MM") and the ``by`` column.
    periods : mapping of name -> Period
        E.g. from :func:`sa_lib.data.periods.comparison_periods`; each becomes a column.
    by : str, default "crime_type"
    categories : sequence of str, optional
        Categories to list even when absent (count 0). Defaults to the police.uk
        types when ``by == "crime_type"``, else those present.
    total_label : str or None
        Adds a total row of all crime *excluding* ASB (police.uk ASB is incidents,
        not crimes), as CSP reports do. None for no total.

    Returns
    -------
    DataFrame
        ``<by>`` then one integer column per period name.
    """
    require_columns(crimes, ["month", by], arg="crimes")
    if categories is None:
        categories = POLICE_UK_TYPES if by == "crime_type" else sorted(crimes[by].dropna().unique())
    out = pd.DataFrame({by: list(categories)})
    for name, period in periods.items():
        sel = crimes[crimes["month"].isin(period.months)]
        c = sel[by].value_counts()
        out[name] = out[by].map(c).fillna(0).astype("int64")
    extra = sorted(set(crimes[by].dropna()) - set(categories))
    if extra:
        from sa_lib.validation import warn

        warn(f"crimes has {by} value(s) not in the category list, left out of the table: {extra}.")
    if total_label is not None and by == "crime_type":
        crime_rows = out[out[by] != asb_label]
        total = {by: total_label, **{k: int(crime_rows[k].sum()) for k in periods}}
        out = pd.concat([out, pd.DataFrame([total])], ignore_index=True)
    return out


def monthly_counts(
    crimes: pd.DataFrame, by: str | None = "crime_type", months: Sequence[str] | None = None
) -> pd.DataFrame:
    """Count rows per month (and category), filling absent months with 0.

    Returns
    -------
    DataFrame
        Long format: ``month`` (str), ``month_start`` (Timestamp), ``<by>`` (if
        given) and ``count``.
    """
    require_columns(crimes, ["month"] + ([by] if by else []), arg="crimes")
    if months is None:
        lo, hi = crimes["month"].min(), crimes["month"].max()
        months = [str(p) for p in pd.period_range(lo, hi, freq="M")] if pd.notna(lo) else []
    keys = ["month"] + ([by] if by else [])
    c = crimes.groupby(keys, observed=True).size().rename("count")
    if by:
        cats = sorted(crimes[by].dropna().unique())
        idx = pd.MultiIndex.from_product([list(months), cats], names=keys)
    else:
        idx = pd.Index(list(months), name="month")
    out = c.reindex(idx, fill_value=0).reset_index()
    out["count"] = out["count"].astype("int64")
    out.insert(1, "month_start", pd.PeriodIndex(out["month"], freq="M").to_timestamp())
    return out


def area_counts(
    crimes: pd.DataFrame,
    areas: pd.DataFrame,
    area_col: str,
    months: Sequence[str],
    name_col: str | None = None,
    population_col: str = "population",
) -> pd.DataFrame:
    """Count rows per area over ``months``, keeping areas with none (count 0).

    Returns
    -------
    DataFrame
        ``<area_col>``, ``<name_col>`` (if given), ``population``, ``count``.
    """
    require_columns(crimes, ["month", area_col], arg="crimes")
    require_columns(
        areas, [area_col, population_col] + ([name_col] if name_col else []), arg="areas"
    )
    sel = crimes[crimes["month"].isin(list(months))]
    c = sel[area_col].value_counts()
    cols = [area_col] + ([name_col] if name_col else []) + [population_col]
    out = pd.DataFrame(areas[cols]).copy()
    out = out.rename(columns={population_col: "population"})
    out["count"] = out[area_col].map(c).fillna(0).astype("int64")
    return out.reset_index(drop=True)


def add_rate(
    df: pd.DataFrame,
    count: str = "count",
    population: str = "population",
    per: int = 1000,
    out: str = "rate",
) -> pd.DataFrame:
    """Return a copy with ``out`` = count / population x per (NaN where population is missing or 0).

    Examples
    --------
    >>> import pandas as pd
    >>> add_rate(pd.DataFrame({"count": [5], "population": [2000]}))["rate"].tolist()
    [2.5]
    """
    require_non_negative(df, count, arg="df")
    require_columns(df, [population], arg="df")
    require_positive(per, arg="per")
    res = df.copy()
    pop = pd.to_numeric(res[population], errors="coerce").astype("float64")
    res[out] = np.where(pop > 0, res[count] / pop.where(pop > 0) * per, np.nan)
    return res


def pct_change(before: pd.Series | float, after: pd.Series | float) -> pd.Series | float:
    """Percentage change from ``before`` to ``after``; NaN where ``before`` is 0.

    Examples
    --------
    >>> pct_change(410, 459)
    11.951219512195122
    >>> import math; math.isnan(pct_change(0, 5))
    True
    """
    b = np.asarray(before, dtype="float64")
    a = np.asarray(after, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(b > 0, (a - b) / np.where(b > 0, b, 1) * 100, np.nan)
    if np.ndim(r) == 0:
        return float(r)
    return pd.Series(r, index=getattr(after, "index", None))
