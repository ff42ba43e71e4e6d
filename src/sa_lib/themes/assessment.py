"""The strategic assessment's shared core: ward analysis and the helpers its pages share.

The summary and ward pages are built from the CSP's data with the same library
functions the theme pages use, so each number can be traced to a table. The
assessment is split by concept:

- this module: :func:`ward_analysis` (every ward's count, rate with CI, tested
  change, rank, deprivation and flags, :mod:`sa_lib.stats.ward_flags`),
  :func:`flagged_wards`, and the helpers the others share (comparison period,
  change words, deprived LSOAs);
- :mod:`sa_lib.themes.candidates`: one row of measures per candidate issue, in the
  columns :mod:`sa_lib.stats.priority` scores;
- :mod:`sa_lib.themes.scoring_display`: the priority matrix, the measures and rules
  behind it, the sensitivity and rank-stability tables, the matrix chart;
- :mod:`sa_lib.themes.assessment_review`: document control and the review of the
  current priorities against their baselines and targets;
- :mod:`sa_lib.themes.summary_report`: the summary's key findings and
  recommendations, and its ``build(ctx)``;
- :mod:`sa_lib.themes.wards_report`: the ward appendix and profiles, and the ward
  page's ``build(ctx)``.

Examples
--------
>>> change_word("significant increase", 12.0), change_word("increase, not significant", 3.0)
('significant increase', 'increase')
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sa_lib.data.counts import POLICE_UK_TYPES
from sa_lib.stats import ward_flags
from sa_lib.themes import summary

__all__ = [
    "ASB",
    "SENSITIVE_NOTE",
    "anchor",
    "change_text",
    "change_word",
    "comparable",
    "comparison_key",
    "comparison_label",
    "deprived_lsoas",
    "deprived_ratio",
    "flagged_wards",
    "stats_kwargs",
    "ward_analysis",
]

ASB = "Anti-social behaviour"
SENSITIVE_NOTE = "withheld (sensitive theme)"


def stats_kwargs(ctx) -> dict:
    """The statistics settings every summary table uses.

    ``series_months`` (the unbroken run of held months) lets each change test allow for
    the overdispersion of its row's monthly series.
    """
    return dict(
        rate_per=ctx.rate_per,
        conf_level=ctx.stats.conf_level,
        alpha=ctx.stats.alpha,
        correction=ctx.stats.correction,
        series_months=ctx.series_months,
    )


def comparison_key(ctx) -> str | None:
    """The comparison period the assessment reads changes against: last year, else the previous period.

    None when the store holds neither (the first period of a store): no change is made.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> comparison_key(SimpleNamespace(periods={"current": 1, "previous": 2}))
    'previous'
    >>> comparison_key(SimpleNamespace(periods={"current": 1})) is None
    True
    """
    for key in ("last_year", "previous"):
        if key in ctx.periods:
            return key
    return None


def comparison_label(ctx) -> str:
    """The label of the period changes are read against, held or not (for "not available" lines).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> per = SimpleNamespace(label="Q1 2017 (Jan-Mar)")
    >>> comparison_label(SimpleNamespace(periods={"current": 1}, unavailable={"last_year": per}))
    'Q1 2017 (Jan-Mar)'
    """
    key = comparison_key(ctx)
    if key is not None:
        return ctx.periods[key].label
    every = getattr(ctx, "unavailable", {}) or {}
    per = every.get("last_year") or every.get("previous")
    return per.label if per is not None else "an earlier period"


def anchor(heading: str) -> str:
    """The id the HTML export gives a heading (spaces become hyphens).

    Examples
    --------
    >>> anchor("Crime and ASB by type")
    'Crime-and-ASB-by-type'
    """
    return re.sub(r"\s+", "-", heading.strip())


def change_word(label: object, pct: float) -> str | float:
    """A tested change label (:mod:`sa_lib.stats.change`) as one of the scoring words."""
    if not isinstance(label, str):
        return np.nan
    if label.startswith("significant "):
        return label
    if label.startswith("new"):
        return "increase"
    if pd.isna(pct) or pct == 0 or label.startswith("no change"):
        return "no change"
    return "increase" if pct > 0 else "decrease"


def comparable(ctx, key: str) -> bool:
    """True when the store holds every month of the comparison period ``key`` (else it is not available)."""
    have = set(getattr(ctx, "months_present", None) or [])
    return key in ctx.periods and (not have or set(ctx.periods[key].months) <= have)


def deprived_lsoas(ctx) -> set:
    """The most deprived fifth of the CSP's LSOAs (by IMD rank; empty without IMD)."""
    ls = ctx.geo.lsoas
    if "imd_rank" not in ls or ls["imd_rank"].isna().all():
        return set()
    k = max(1, int(np.ceil(0.2 * ls["imd_rank"].notna().sum())))
    return set(ls.sort_values("imd_rank").head(k)["lsoa21_code"])


def deprived_ratio(rows: pd.DataFrame, ctx, deprived: set) -> float:
    if not deprived or len(rows) == 0:
        return np.nan
    ls = ctx.geo.lsoas
    pop_share = (
        ls.loc[ls["lsoa21_code"].isin(deprived), "population"].sum() / ls["population"].sum()
    )
    return float(rows["lsoa21_code"].isin(deprived).mean() / pop_share)


def ward_analysis(ctx, *, min_count: int = 50, top_share: float = 0.2) -> dict:
    """Every ward: all-crime count, rate with CI, tested change, rank, IMD decile and flags.

    Indicators flagged: all crime (excluding ASB), ASB, and each crime type with at
    least ``min_count`` crimes in the district in the period.

    Returns
    -------
    dict
        ``table`` (the :func:`sa_lib.themes.summary.area_summary` columns plus
        ``imd_decile`` (median of the ward's LSOAs' IMD 2019 deciles), ``n_flags``,
        ``flags``), ``flags`` (long: ``indicator``, ``ward_code``, ``ward_name``,
        ``count``, ``rate``, ``rate_lower``, ``rate_upper``, ``district_rate``,
        ``rate_rank``, ``top_group``, ``above_district``, ``flag``) and ``indicators``.
    """
    from sa_lib import memo

    return memo.shared(
        ctx,
        "ward_analysis",
        lambda: _ward_analysis(ctx, min_count=min_count, top_share=top_share),
        min_count,
        top_share,
    )


def ward_table(ctx) -> pd.DataFrame:
    """Every ward's all-crime (excluding ASB) :func:`sa_lib.themes.summary.area_summary` row.

    The overview's ward table and the base of :func:`ward_analysis`: computed once per
    pack when both are built in one process (:func:`sa_lib.memo.shared`).
    """
    from sa_lib import memo

    def compute() -> pd.DataFrame:
        allc = ctx.crimes[ctx.crimes["crime_type"] != ASB]
        return summary.area_summary(allc, ctx.geo.wards, ctx.periods, **stats_kwargs(ctx))

    return memo.shared(ctx, "ward_table", compute)


def _ward_analysis(ctx, *, min_count: int, top_share: float) -> dict:
    kw = stats_kwargs(ctx)
    crimes = ctx.crimes
    allc = crimes[crimes["crime_type"] != ASB]
    base = ward_table(ctx)
    cur = ctx.in_period("current")
    person_years = ctx.geo.population * ctx.period.n_months / 12
    counts = cur["crime_type"].value_counts()
    indicators = {"All crime": allc, ASB: crimes[crimes["crime_type"] == ASB]}
    for t in POLICE_UK_TYPES:
        if t != ASB and counts.get(t, 0) >= min_count:
            indicators[t] = crimes[crimes["crime_type"] == t]
    long = []
    for name, rows in indicators.items():
        t = summary.area_summary(rows, ctx.geo.wards, {"current": ctx.period}, **kw)
        district = ctx.in_period("current", rows).shape[0] / person_years * ctx.rate_per
        f = ward_flags.flag_areas(t, district, top_share=top_share)
        long.append(
            pd.DataFrame(
                {
                    "indicator": name,
                    "ward_code": f["ward_code"].to_numpy(),
                    "ward_name": f["ward_name"].to_numpy(),
                    "count": f["count_current"].to_numpy(),
                    "rate": f["rate"].to_numpy(),
                    "rate_lower": f["rate_lower"].to_numpy(),
                    "rate_upper": f["rate_upper"].to_numpy(),
                    "district_rate": district,
                    "rate_rank": f["rate_rank"].to_numpy(),
                    "top_group": f["top_group"].to_numpy(),
                    "above_district": f["above_district"].to_numpy(),
                    "flag": f["flag"].to_numpy(),
                }
            )
        )
    long = pd.concat(long, ignore_index=True)
    fs = ward_flags.flag_summary(long)
    table = base.merge(fs, on="ward_code", how="left")
    ls = ctx.geo.lsoas
    if "imd_decile" in ls:
        dec = ls.groupby("ward_code")["imd_decile"].median()
        table["imd_decile"] = table["ward_code"].map(dec)
    else:
        table["imd_decile"] = np.nan
    return {"table": table, "flags": long, "indicators": list(indicators)}


def flagged_wards(wa: dict, min_flags: int = 2) -> pd.DataFrame:
    """Wards with at least ``min_flags`` flags: ``ward_code``, ``ward_name``, ``n_flags``, ``flags``."""
    t = wa["table"]
    f = t[t["n_flags"] >= min_flags][["ward_code", "ward_name", "n_flags", "flags", "rank"]]
    return f.sort_values(["n_flags", "rank"], ascending=[False, True]).reset_index(drop=True)


def change_text(pct: float, label: str, per_day: bool = False) -> str:
    """A tested change as a table cell: "+23% significant", "-5% per day (n.s.)".

    ``per_day``: the periods differ in length, so the change is in the daily rate.

    Examples
    --------
    >>> change_text(-4.9, "decrease, not significant", per_day=True)
    '-5% per day (n.s.)'
    """
    if not isinstance(label, str):
        return "–"
    if label.startswith("new"):
        return "new (was 0)"
    if label.startswith("no change"):
        return "no change"
    txt = f"{pct:+.0f}%" if pd.notna(pct) else ""
    if per_day and txt:
        txt += " per day"
    return f"{txt} significant" if label.startswith("significant") else f"{txt} (n.s.)"
