"""Partner indicators as tested measures: the numbers the partner page shows and the summary reads.

:func:`indicator_measures` gives one row per partner indicator: its counts, annualised
rate with its interval, the tested change against the comparison period (the same
test as every other page: :func:`sa_lib.themes.summary.type_summary`, days at risk,
quasi-Poisson where the indicator's monthly series is over-dispersed, the correction
across the indicators), the SPC variation of its latest month and, for an indicator
given by LSOA, its deprived-fifth ratio and top-10% LSOA share. :func:`ward_partner_flags`
flags the wards whose rate of an indicator given by LSOA or ward is significantly above
the district's (the ward-flag rule of :mod:`sa_lib.stats.ward_flags`). The partner page
(:mod:`sa_lib.themes.partner_report`) stores both in its result's ``data``; the summary
(:mod:`sa_lib.themes.candidates`) reads them from there and never recomputes them.

Examples
--------
>>> d = pd.DataFrame({"indicator": ["a", "b"], "month": ["2025-01", "2025-01"], "count": [2, 0]})
>>> records(d)["indicator"].tolist()
['a', 'a']
>>> unbroken_run(["2025-01", "2025-03", "2025-04"], "2025-04")
['2025-03', '2025-04']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "PARTNER_SUFFIX",
    "SPECIAL_HIGH",
    "records",
    "indicator_measures",
    "unbroken_run",
    "ward_partner_flags",
]

#: How a partner indicator is named among the summary's candidate issues.
PARTNER_SUFFIX = " (partner data)"
SPECIAL_HIGH = "special cause: concern (high)"


def records(d: pd.DataFrame) -> pd.DataFrame:
    """One row per counted event (a partner file holds counts; the tests read rows)."""
    idx = np.repeat(np.arange(len(d)), d["count"].astype("int64").to_numpy())
    return d.iloc[idx].drop(columns=["count"]).reset_index(drop=True)


def unbroken_run(months, end: str) -> list[str]:
    """The unbroken run of ``months`` ending with ``end`` (empty when ``end`` is not held)."""
    held = set(months)
    run: list[str] = []
    p = pd.Period(end, freq="M")
    while str(p) in held:
        run.append(str(p))
        p -= 1
    return run[::-1]


def _variation(d: pd.DataFrame, end: str) -> str | None:
    """The SPC variation of the latest month (NHS Making Data Count), or None when fewer than
    12 unbroken months are held or every month is 0."""
    from sa_lib.stats import spc
    from sa_lib.themes.spc_summary import variation

    run = unbroken_run(d["month"], end)
    s = d[d["month"].isin(run)].sort_values("month")
    if len(run) < 12 or s["count"].sum() <= 0:
        return None
    s = s.assign(month_start=pd.to_datetime(s["month"]))
    chart = spc.xmr(s[["month_start", "count"]], "month_start", "count")
    return variation(chart.iloc[-1].to_dict())


def _lsoa_measures(raw: pd.DataFrame, ind: str, ctx) -> tuple[float, float]:
    """Deprived-fifth ratio and top-10% LSOA share of an indicator given by LSOA (else NaN)."""
    from sa_lib.data.counts import area_counts
    from sa_lib.stats import concentration
    from sa_lib.themes.assessment import deprived_lsoas, deprived_ratio

    d = raw[(raw["indicator"] == ind) & (raw["area_type"] == "lsoa")]
    d = d[d["area_code"].isin(ctx.geo.lsoas["lsoa21_code"])]
    rows = records(d[["area_code", "month", "count"]]).rename(columns={"area_code": "lsoa21_code"})
    now = rows[rows["month"].isin([str(m) for m in ctx.period.months])]
    if now.empty:
        return np.nan, np.nan
    lsoa = area_counts(now, ctx.geo.lsoas, "lsoa21_code", ctx.period.months)
    return deprived_ratio(now, ctx, deprived_lsoas(ctx)), concentration.top_share(lsoa, "count", 10)


def indicator_measures(monthly: pd.DataFrame, raw: pd.DataFrame, ctx) -> pd.DataFrame:
    """Each partner indicator held over both periods, with its tested change and SPC variation.

    Parameters
    ----------
    monthly : DataFrame
        :func:`sa_lib.data.partner_indicators.district_monthly`.
    raw : DataFrame
        :func:`sa_lib.data.partner_indicators.read_partner_indicators` (for the LSOA measures).

    Returns
    -------
    DataFrame
        ``indicator``, ``name``, ``source``, ``level``, ``synthetic``, ``count``,
        ``count_before``, ``rate``, ``rate_lower``, ``rate_upper`` (per ``ctx.rate_per``
        residents a year), ``pct_change``, ``change_label``, ``p_value`` (adjusted across
        the indicators), ``test``, ``per_day``, ``dispersion``, ``change`` (the scoring
        word, :func:`sa_lib.themes.assessment.change_word`), ``variation`` (an
        :data:`sa_lib.themes.spc_summary.ICONS` key, None with too few months), ``months``
        (the unbroken months to the period's end that the SPC variation reads),
        ``deprived_ratio``, ``top10_share``. The comparison columns are NaN when there is
        no comparison period (``attrs["against"]`` is then None).
    """
    from sa_lib.data.partner_indicators import INDICATORS
    from sa_lib.themes import summary
    from sa_lib.themes.assessment import change_word, comparison_key, stats_kwargs

    key = comparison_key(ctx)
    cur = [str(m) for m in ctx.period.months]
    before = [str(m) for m in ctx.periods[key].months] if key else []
    held = {i: set(d["month"]) for i, d in monthly.groupby("indicator", sort=False)}
    inds = [i for i, h in held.items() if set(cur) | set(before) <= h]
    if not inds:
        return pd.DataFrame()
    periods = {"current": ctx.period, **({key: ctx.periods[key]} if key else {})}
    # The series each change test reads: the months of the unbroken police series that
    # every tested indicator holds (an unheld month is never counted as 0).
    common = set.intersection(*(held[i] for i in inds))
    series = unbroken_run([m for m in ctx.series_months if m in common], cur[-1])
    kw = {**stats_kwargs(ctx), "series_months": series or None}
    m = monthly[monthly["indicator"].isin(inds)]
    t = summary.type_summary(
        records(m[["indicator", "month", "count"]]).rename(columns={"indicator": "crime_type"}),
        periods,
        ctx.geo.population,
        types=inds,
        total_label=None,
        **kw,
    ).set_index("crime_type")
    rows = []
    for ind in inds:
        r, d = t.loc[ind], monthly[monthly["indicator"] == ind]
        pct, label = (r[f"pct_vs_{key}"], r[f"label_vs_{key}"]) if key else (np.nan, np.nan)
        dep, top = _lsoa_measures(raw, ind, ctx) if d["level"].iloc[0] == "lsoa" else (np.nan,) * 2
        rows.append(
            {
                "indicator": ind,
                "name": INDICATORS[ind][0],
                "source": INDICATORS[ind][1],
                "level": d["level"].iloc[0],
                "synthetic": bool(d["synthetic"].any()),
                "count": int(r["count_current"]),
                "count_before": int(r[f"count_{key}"]) if key else np.nan,
                "rate": float(r["rate"]),
                "rate_lower": float(r["rate_lower"]),
                "rate_upper": float(r["rate_upper"]),
                "pct_change": pct,
                "change_label": label,
                "p_value": r[f"p_vs_{key}"] if key else np.nan,
                "test": r[f"test_vs_{key}"] if key else np.nan,
                "per_day": bool(r[f"per_day_vs_{key}"]) if key else False,
                "dispersion": float(r["dispersion"]) if "dispersion" in t else 1.0,
                "change": change_word(label, pct),
                "variation": _variation(d, cur[-1]),
                "months": len(unbroken_run(d["month"], cur[-1])),
                "deprived_ratio": dep,
                "top10_share": top,
            }
        )
    out = pd.DataFrame(rows)
    out.attrs["against"] = ctx.periods[key].label if key else None
    return out


def ward_partner_flags(raw: pd.DataFrame, ctx) -> pd.DataFrame:
    """Wards whose rate of a partner indicator is significantly above the district's.

    An indicator given by LSOA or ward (LSOAs summed to their wards) is read when the
    district has at least ``wards.min_count`` of it in the period (the minimum-count rule
    of the ward flags); a ward is flagged by :func:`sa_lib.stats.ward_flags.flag_areas`:
    among the top ``wards.top_share`` of wards by rate *and* the lower limit of its rate's
    interval above the district's rate.

    Returns
    -------
    DataFrame
        ``indicator``, ``name``, ``ward_code``, ``ward_name``, ``count``, ``rate``,
        ``rate_lower``, ``district_rate``, ``flag``, ``synthetic``: one row per ward and
        indicator read (empty when none is).
    """
    from sa_lib.data.partner_indicators import INDICATORS
    from sa_lib.stats import ward_flags
    from sa_lib.themes import summary
    from sa_lib.themes.assessment import stats_kwargs

    cur = [str(m) for m in ctx.period.months]
    lk = ctx.geo.lsoas.set_index("lsoa21_code")["ward_code"]
    d = raw[raw["month"].isin(cur)].copy()
    d["ward_code"] = np.where(
        d["area_type"] == "lsoa",
        d["area_code"].map(lk),
        d["area_code"].where(d["area_type"] == "ward"),
    )
    d = d[d["ward_code"].isin(ctx.geo.wards["ward_code"]) & d["area_type"].isin(["lsoa", "ward"])]
    # An indicator given at both levels is read at the finer (as the district series is).
    finest = d.groupby("indicator")["area_type"].transform(
        lambda s: "lsoa" if (s == "lsoa").any() else "ward"
    )
    d = d[d["area_type"] == finest]
    wo = ctx.params.wards
    min_count = wo.min_count or 50
    person_years = ctx.geo.population * ctx.period.n_months / 12
    kw = {k: v for k, v in stats_kwargs(ctx).items() if k != "series_months"}
    out = []
    for ind, g in d.groupby("indicator", sort=False):
        if g["count"].sum() < min_count:
            continue
        t = summary.area_summary(
            records(g[["ward_code", "month", "count"]]),
            ctx.geo.wards,
            {"current": ctx.period},
            **kw,
        )
        district = g["count"].sum() / person_years * ctx.rate_per
        f = ward_flags.flag_areas(t, district, top_share=wo.top_share)
        out.append(
            pd.DataFrame(
                {
                    "indicator": ind,
                    "name": INDICATORS[ind][0],
                    "ward_code": f["ward_code"].to_numpy(),
                    "ward_name": f["ward_name"].to_numpy(),
                    "count": f["count_current"].to_numpy(),
                    "rate": f["rate"].to_numpy(),
                    "rate_lower": f["rate_lower"].to_numpy(),
                    "district_rate": district,
                    "flag": f["flag"].to_numpy(),
                    "synthetic": bool(g["synthetic"].any()),
                }
            )
        )
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()
