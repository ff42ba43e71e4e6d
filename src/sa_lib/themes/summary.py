"""Summary tables for reports: crime by type and by area, with rates, intervals and tests.

These compose :mod:`sa_lib.data.counts`, :mod:`sa_lib.stats.rates` and :mod:`sa_lib.stats.change`
into the tables every theme shows, so each number carries its uncertainty and
every "increase" is tested.

Every comparison uses days at risk as exposure, so a 28-day February is compared
with a 31-day January per day, and a quarter with the baseline *year* on its daily
rate; where the lengths differ the percentage change is ``100 x (rate ratio - 1)``
per day (``per_day_vs_<c>`` is True). Given the months of the unbroken series
(``series_months``), each row's change test allows for the overdispersion its monthly
series shows (:func:`sa_lib.stats.dispersion.series_dispersion`: quasi-Poisson where the
trend model's Pearson chi-square shows overdispersion, the exact Poisson test where
it does not).

Examples
--------
>>> import pandas as pd
>>> from sa_lib.data.periods import parse_period
>>> crimes = pd.DataFrame({"month": ["2025-10"] * 30 + ["2024-10"] * 10, "crime_type": ["Robbery"] * 40})
>>> t = type_summary(crimes, {"current": parse_period("2025-Q4"), "last_year": parse_period("2024-Q4")},
...                  population=10000, types=["Robbery"], total_label=None)
>>> t.loc[0, ["count_current", "count_last_year", "pct_vs_last_year"]].tolist()
[30.0, 10.0, 200.0]
>>> t.loc[0, "label_vs_last_year"]
'significant increase'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from sa_lib.choices import record_choice
from sa_lib.data.counts import POLICE_UK_TYPES, area_counts, period_counts
from sa_lib.data.periods import Period
from sa_lib.stats.change import compare_counts
from sa_lib.stats.rates import rate_ci
from sa_lib.validation import require_columns, require_positive

__all__ = [
    "type_summary",
    "area_summary",
    "period_days",
    "series_dispersions",
    "COMPARISONS",
]

#: Comparison period keys and how the tables name them.
COMPARISONS = {
    "previous": "previous period",
    "last_year": "same period last year",
    "baseline": "baseline year",
}


def period_days(period: Period) -> int:
    """Days at risk in a period (the sum of its months' lengths).

    Examples
    --------
    >>> from sa_lib.data.periods import parse_period
    >>> period_days(parse_period("2025-Q4")), period_days(parse_period("2024"))
    (92, 366)
    """
    return int(sum(pd.Period(m, freq="M").days_in_month for m in period.months))


def series_dispersions(
    crimes: pd.DataFrame,
    series_months: Sequence[str] | None,
    labels: Sequence[str],
    by: str = "crime_type",
    total_label: str | None = None,
    asb_label: str = "Anti-social behaviour",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The dispersion of each row's monthly series, for its period-change tests.

    ``labels`` are the values of ``by`` (a row each); ``total_label`` is the all-crime
    (excluding ASB) row. Months of ``series_months`` with no rows count 0 (they are held
    months). Without ``series_months`` nothing is estimated (dispersion 1: exact tests).

    Returns
    -------
    DataFrame
        ``dispersion`` (phi used, 1 when not over-dispersed), ``dispersion_df``, one row
        per label in order.
    """
    from sa_lib.stats.dispersion import series_dispersion

    phi = np.ones(len(labels))
    dfs = np.full(len(labels), np.nan)
    if series_months:
        months = sorted(series_months)
        table, names = _month_counts(crimes, months, by)
        dates = pd.to_datetime(months)
        column = {name: j for j, name in enumerate(names)}
        for i, lab in enumerate(labels):
            if lab == total_label:
                y = table[:, [j for j, n in enumerate(names) if n != asb_label]].sum(axis=1)
            elif lab in column:
                y = table[:, column[lab]]
            else:
                y = np.zeros(len(months), dtype=np.int64)
            if y.sum() > 0:
                r = series_dispersion(pd.DataFrame({"date": dates, "count": y}), alpha=alpha)
                phi[i], dfs[i] = r["dispersion"], r["df"]
    return pd.DataFrame({"dispersion": phi, "dispersion_df": dfs})


def _month_counts(crimes: pd.DataFrame, months: list[str], by: str) -> tuple[np.ndarray, list]:
    """Rows of ``crimes`` counted by month (``months``, in order) x ``by``: an int64 array
    (one row per month, 0 where none) and the ``by`` values of its columns (rows whose
    month is not listed, or whose ``by`` is missing, are not counted)."""
    month_at = pd.Index(months).get_indexer(crimes["month"])
    values = crimes[by].to_numpy(dtype=object)
    keep = (month_at >= 0) & pd.notna(values)
    codes, names = pd.factorize(values[keep])
    flat = month_at[keep] * len(names) + codes
    table = np.bincount(flat, minlength=len(months) * len(names)).astype(np.int64)
    return table.reshape(len(months), len(names)), list(names)


def _family_compare(
    base: pd.DataFrame, alone: np.ndarray | None, *, alpha: float, correction: str, **kw
) -> pd.DataFrame:
    """compare_counts with ``correction`` across the family; rows in ``alone`` tested alone."""
    if alone is None or not alone.any():
        return compare_counts(base, alpha=alpha, correction=correction, **kw)
    fam = compare_counts(base[~alone], alpha=alpha, correction=correction, **kw)
    own = compare_counts(base[alone], alpha=alpha, correction="none", **kw)
    return pd.concat([fam, own]).loc[base.index]


def _add_comparisons(
    t: pd.DataFrame,
    periods: Mapping[str, Period],
    alpha: float,
    correction: str,
    exposure: str | None = None,
    alone: np.ndarray | None = None,
    dispersion: pd.DataFrame | None = None,
) -> pd.DataFrame:
    cur = periods["current"]
    t["days_current"] = period_days(cur)
    if dispersion is not None:
        t["dispersion"] = dispersion["dispersion"].to_numpy()
        t["dispersion_df"] = dispersion["dispersion_df"].to_numpy()
    for key in COMPARISONS:
        if key not in periods:
            continue
        p = periods[key]
        exp_b = float(period_days(p))
        exp_a = float(period_days(cur))
        t[f"days_{key}"] = exp_b
        cols = {f"count_{key}": "_b", "count_current": "_a"}
        extra = [c for c in ("dispersion", "dispersion_df") if c in t.columns]
        res = _family_compare(
            t.rename(columns=cols)[["_b", "_a", *extra]],
            alone,
            before="_b",
            after="_a",
            exposure_before=exp_b,
            exposure_after=exp_a,
            alpha=alpha,
            correction=correction,
            dispersion="dispersion" if extra else None,
            dispersion_df="dispersion_df" if extra else None,
        )
        same_length = exp_a == exp_b
        t[f"per_day_vs_{key}"] = not same_length
        t[f"test_vs_{key}"] = res["test"].to_numpy()
        pct = res["pct_change"] if same_length else (res["rate_ratio"] - 1) * 100
        pct = pct.where(np.isfinite(pct))
        t[f"pct_vs_{key}"] = pct.to_numpy()
        t[f"p_vs_{key}"] = res["p_adjusted"].to_numpy()
        t[f"significant_vs_{key}"] = res["significant"].to_numpy()
        t[f"label_vs_{key}"] = res["change_label"].to_numpy()
        t[f"rr_vs_{key}"] = res["rate_ratio"].to_numpy()
        t[f"rr_lower_vs_{key}"] = res["rr_lower"].to_numpy()
        t[f"rr_upper_vs_{key}"] = res["rr_upper"].to_numpy()
    return t


def type_summary(
    crimes: pd.DataFrame,
    periods: Mapping[str, Period],
    population: float,
    *,
    types: Sequence[str] | None = None,
    rate_per: int = 1000,
    conf_level: float = 0.95,
    alpha: float = 0.05,
    correction: str = "fdr_bh",
    total_label: str | None = "All crime",
    series_months: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Counts by crime type for each period, the current rate with its CI, and tested changes.

    Parameters
    ----------
    crimes : DataFrame
        ``month`` and ``crime_type`` per row (the CSP's rows).
    periods : mapping
        Must include ``current``; ``previous``, ``last_year`` and ``baseline`` are
        compared with it when present.
    population : float
        Residents (the rate's denominator).
    types : sequence of str, optional
        Rows to show (default: the 14 police.uk categories).
    rate_per, conf_level, alpha, correction
        See :func:`sa_lib.stats.rates.rate_ci` and :func:`sa_lib.stats.change.compare_counts`.
        ``correction`` applies across the crime types of each comparison (the family is
        the ``types`` rows; the all-crime row is tested on its own, unadjusted).
    total_label : str or None
        Adds an all-crime row (excluding ASB).
    series_months : sequence of str, optional
        The unbroken run of held months (``ctx.series_months``): each row's change tests
        allow for the overdispersion of its monthly series over these months. None:
        exact Poisson tests.

    Returns
    -------
    DataFrame
        ``crime_type``; ``count_<period>`` for each period; ``rate``, ``rate_lower``,
        ``rate_upper`` (current period, annualised: per ``rate_per`` residents per
        year); and for each comparison ``<c>`` in previous / last_year / baseline:
        ``pct_vs_<c>``, ``p_vs_<c>`` (adjusted), ``significant_vs_<c>``,
        ``label_vs_<c>``, ``rr_vs_<c>``, ``rr_lower_vs_<c>``, ``rr_upper_vs_<c>``,
        ``test_vs_<c>`` (the test each row was given), ``per_day_vs_<c>`` (True when
        the periods differ in length, so the change is per day); ``days_current``,
        ``days_<c>``, and with ``series_months`` ``dispersion`` and ``dispersion_df``.
    """
    require_columns(crimes, ["month", "crime_type"], arg="crimes")
    require_positive(population, arg="population")
    if "current" not in periods:
        raise ValueError(f"periods must include 'current'; got {', '.join(periods)}.")
    t = period_counts(
        crimes, periods, categories=list(types or POLICE_UK_TYPES), total_label=total_label
    )
    t = t.rename(columns={k: f"count_{k}" for k in periods})
    cur = periods["current"]
    # Annualise so quarters and years read on one scale (crimes per 1,000 per year).
    t["_pop_years"] = float(population) * cur.n_months / 12
    t = rate_ci(
        t, count="count_current", population="_pop_years", per=rate_per, conf_level=conf_level
    )
    t = t.drop(columns=["_pop_years"])
    alone = (t["crime_type"] == total_label).to_numpy() if total_label else None
    if alone is not None and alone.any():
        record_choice(
            "Multiple comparisons: crime types",
            f"{correction} across the {int((~alone).sum())} crime types; "
            f"{total_label!r} tested on its own",
            "the crime-type rows are one family of tests; the total is a different question "
            "(and is made of the same crimes), so it is not adjusted with them",
            source="parameters",
        )
    disp = (
        series_dispersions(
            crimes, series_months, list(t["crime_type"]), total_label=total_label, alpha=alpha
        )
        if series_months and len(periods) > 1
        else None
    )
    t = _add_comparisons(t, periods, alpha, correction, alone=alone, dispersion=disp)
    return t


def area_summary(
    crimes: pd.DataFrame,
    areas: pd.DataFrame,
    periods: Mapping[str, Period],
    *,
    area_col: str = "ward_code",
    name_col: str | None = "ward_name",
    rate_per: int = 1000,
    conf_level: float = 0.95,
    alpha: float = 0.05,
    correction: str = "fdr_bh",
    series_months: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Counts and rates per area, ranked by the current rate, with tested change.

    Parameters
    ----------
    crimes : DataFrame
        ``month`` and ``area_col`` per row.
    areas : DataFrame
        One row per area: ``area_col``, ``name_col``, ``population`` (areas with no
        crimes are kept with count 0).
    periods : mapping
        Must include ``current``; compared with ``last_year`` / ``previous`` /
        ``baseline`` when present, with ``correction`` across areas.
    series_months : sequence of str, optional
        As for :func:`type_summary`: each area's tests allow for its series' dispersion.

    Returns
    -------
    DataFrame
        ``rank`` (1 = highest rate), ``area_col``, ``name_col``, ``population``,
        ``count_<period>`` for each period, ``rate``, ``rate_lower``, ``rate_upper``
        (annualised, per ``rate_per`` residents), and the ``*_vs_<c>`` columns of
        :func:`type_summary`. Sorted by ``rate`` descending.
    """
    require_columns(crimes, ["month", area_col], arg="crimes")
    if "current" not in periods:
        raise ValueError(f"periods must include 'current'; got {', '.join(periods)}.")
    t = None
    for key, p in periods.items():
        c = area_counts(crimes, areas, area_col, p.months, name_col=name_col)
        c = c.rename(columns={"count": f"count_{key}"})
        t = c if t is None else t.merge(c[[area_col, f"count_{key}"]], on=area_col)
    cur = periods["current"]
    t["_pop_years"] = t["population"].astype("float64") * cur.n_months / 12
    t = rate_ci(
        t, count="count_current", population="_pop_years", per=rate_per, conf_level=conf_level
    )
    t = t.drop(columns=["_pop_years"])
    disp = (
        series_dispersions(crimes, series_months, list(t[area_col]), by=area_col, alpha=alpha)
        if series_months and len(periods) > 1
        else None
    )
    t = _add_comparisons(t, periods, alpha, correction, dispersion=disp)
    t = t.sort_values("rate", ascending=False, na_position="last").reset_index(drop=True)
    t.insert(0, "rank", np.arange(1, len(t) + 1))
    return t


#: Fewest consecutive months a trend or target projection is fitted to: with fewer, the
#: method reports no result (a trend from a few months is not a trend).
MIN_SERIES_MONTHS = 12


def trend_table(
    monthly: pd.DataFrame, types: Sequence[str], *, alpha: float = 0.05
) -> pd.DataFrame:
    """Long-term trend per crime type: Poisson regression with a seasonal term.

    Parameters
    ----------
    monthly : DataFrame
        From :func:`sa_lib.data.counts.monthly_counts` (``month_start``, ``crime_type``, ``count``).
    types : sequence of str
        Crime types to fit.

    Returns
    -------
    DataFrame
        ``crime_type``, ``direction``, ``pct_per_year``, ``pct_lower``, ``pct_upper``,
        ``p_value``, ``significant``, ``n_months``, ``seasonal``; plus the fitted result
        objects in the frame's ``attrs["results"]`` (a dict by crime type).
    """
    from sa_lib.stats.trend import poisson_trend

    require_columns(monthly, ["month_start", "crime_type", "count"], arg="monthly")
    rows, results = [], {}
    n_months = monthly["month_start"].nunique()
    if n_months < MIN_SERIES_MONTHS:
        out = pd.DataFrame(rows)
        out.attrs["results"] = results
        out.attrs["too_short"] = (
            f"The series has {n_months} month(s); a trend needs at least {MIN_SERIES_MONTHS}, "
            f"so none is reported."
        )
        return out
    for t in types:
        d = monthly[monthly["crime_type"] == t][["month_start", "count"]]
        if d["count"].sum() == 0:
            continue
        r = poisson_trend(d, date_col="month_start", count_col="count", alpha=alpha)
        results[t] = r
        rows.append(
            {
                "crime_type": t,
                "direction": r.direction,
                "pct_per_year": r.pct_change_per_year,
                "pct_lower": r.pct_lower,
                "pct_upper": r.pct_upper,
                "p_value": r.p_value,
                "significant": r.significant,
                "n_months": r.n_months,
                "seasonal": r.seasonal,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["results"] = results
    return out


def target_table(
    monthly: pd.DataFrame, targets: Sequence[dict], *, alpha: float = 0.05
) -> pd.DataFrame:
    """Track reduction targets ("16% fewer than the baseline year by year X").

    Parameters
    ----------
    monthly : DataFrame
        From :func:`sa_lib.data.counts.monthly_counts` by crime type (``All crime`` is the
        sum of every type except ASB).
    targets : sequence of dict
        Each ``{crime_type, reduction_pct, baseline_year, target_year}``.

    Returns
    -------
    DataFrame
        ``crime_type``, ``baseline_year``, ``baseline``, ``target_year``, ``target``,
        ``projected``, ``projected_lower``, ``projected_upper``, ``status``; the
        :class:`sa_lib.stats.trend.TargetResult` objects in ``attrs["results"]``.
    """
    from sa_lib.stats.trend import target_tracking

    require_columns(monthly, ["month_start", "crime_type", "count"], arg="monthly")
    rows, results = [], {}
    if monthly["month_start"].nunique() < MIN_SERIES_MONTHS:
        targets = []  # a projection from under a year of months is not reported
    for spec in targets:
        t = spec["crime_type"]
        if t == "All crime":
            d = (
                monthly[monthly["crime_type"] != "Anti-social behaviour"]
                .groupby("month_start", as_index=False)["count"]
                .sum()
            )
        else:
            d = monthly[monthly["crime_type"] == t][["month_start", "count"]]
        if d.empty:
            raise ValueError(
                f"targets: no data for crime_type {t!r}. Valid crime types: "
                f"{', '.join(sorted(monthly['crime_type'].unique()))}, or 'All crime'."
            )
        r = target_tracking(
            d,
            int(spec["baseline_year"]),
            float(spec["reduction_pct"]),
            int(spec["target_year"]),
            date_col="month_start",
            count_col="count",
            alpha=alpha,
        )
        results[t] = r
        rows.append(
            {
                "crime_type": t,
                "baseline_year": r.baseline_year,
                "baseline": r.baseline_value,
                "target_year": r.target_year,
                "target": r.target_value,
                "projected": r.projected_value,
                "projected_lower": r.projected_lower,
                "projected_upper": r.projected_upper,
                "status": r.status,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["results"] = results
    return out


def change_table(
    t: pd.DataFrame,
    key: str = "last_year",
    *,
    label_col: str = "crime_type",
    alpha: float = 0.05,
    correction: str = "fdr_bh",
    total_label: str | None = "All crime",
) -> pd.DataFrame:
    """One comparison of a summary table, in the shape :func:`sa_lib.themes.findings.key_findings` reads.

    Parameters
    ----------
    t : DataFrame
        From :func:`type_summary` or :func:`area_summary`.
    key : str or None
        The comparison period (``last_year``, ``previous`` or ``baseline``); None when the
        comparison period is not available in the data: no row (nothing is compared).
    total_label : str or None, default "All crime"
        A row with this label is tested on its own; ``correction`` applies across the
        other rows (the crime types), as in :func:`type_summary`.

    Returns
    -------
    DataFrame
        ``label``, ``count_before``, ``count_after``, the columns of
        :func:`sa_lib.stats.change.compare_counts` (tested per day and allowing for each
        row's dispersion when ``t`` carries them), and ``per_day`` (the periods differ
        in length, so the change is a change per day).
    """
    if key is None:
        one = pd.DataFrame({"label": ["-"], "count_before": [1], "count_after": [1]})
        return compare_counts(one, alpha=alpha, correction=correction).iloc[0:0]
    require_columns(t, [label_col, "count_current", f"count_{key}"], arg="t")
    base = pd.DataFrame(
        {
            "label": t[label_col].to_numpy(),
            "count_before": t[f"count_{key}"].to_numpy(),
            "count_after": t["count_current"].to_numpy(),
        }
    )
    kw = {}
    if f"days_{key}" in t.columns:
        kw.update(exposure_before=float(t[f"days_{key}"].iloc[0]))
        kw.update(exposure_after=float(t["days_current"].iloc[0]))
    if "dispersion" in t.columns:
        base["dispersion"] = t["dispersion"].to_numpy()
        base["dispersion_df"] = t["dispersion_df"].to_numpy()
        kw.update(dispersion="dispersion", dispersion_df="dispersion_df")
    alone = (base["label"] == total_label).to_numpy() if total_label else None
    out = _family_compare(base, alone, alpha=alpha, correction=correction, **kw)
    out["per_day"] = bool(t.get(f"per_day_vs_{key}", pd.Series([False])).iloc[0])
    return out
