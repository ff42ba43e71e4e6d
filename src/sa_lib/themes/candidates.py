"""Candidate issues for the priority matrix: one row of measures per issue.

Each police.uk crime type and ASB; the theme headline measures (domestic abuse's
repeat victims and night-time violence from a force extract, CSE from its
quarterly file); each ward with several flags. The columns are those
:mod:`sa_lib.stats.priority` scores.

Examples
--------
>>> _young_share(pd.DataFrame({"victim_age_band": ["13-15", "25-34", None, "0-12"]}))
0.6666666666666666
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sa_lib.data.counts import POLICE_UK_TYPES, area_counts, monthly_counts
from sa_lib.stats import concentration, nte, priority, spc
from sa_lib.themes import summary
from sa_lib.themes.assessment import (
    ASB,
    change_word,
    comparable,
    comparison_key,
    deprived_lsoas,
    deprived_ratio,
    stats_kwargs,
)
from sa_lib.themes.harm_input import harm_input

__all__ = ["YOUNG_BANDS", "candidate_measures"]


#: The denominators of ``share``: a crime type's share is of all crime and ASB; a ward's
#: (whose count excludes ASB) of all crime excluding ASB.
SHARE_OF_ALL = "all recorded crime and ASB"
SHARE_OF_CRIME = "all recorded crime (excluding ASB)"


def _harm_band(types: pd.Series, rules: dict, ctx) -> pd.Series:
    """Harm band per crime type: the harm input's weight (the partnership's own table, else the
    shipped CCHI default) banded 1-4 by ``harm.weight_bands``; NaN (not scored) with no weight."""
    w = harm_input(ctx).weights
    return pd.Series(
        priority.band(types.map(w).astype(float), rules["harm"]["weight_bands"]),
        index=types.index,
    )


def _above_wider(ctx, crime_type: str) -> bool | float:
    """True when the CSP's rate of ``crime_type`` is significantly above the wider area's."""
    fc = ctx.force_counts
    if fc is None:
        return np.nan
    from sa_lib.stats import comparison

    wider = ctx.params.comparison.wider_area_name
    try:
        areas = comparison.wider_area_counts(
            fc,
            ctx.period.months,
            exclude_types=(),
            crime_types=[crime_type],
            wider_area_name=wider,
            areas=list(ctx.params.csp.lad_codes),
        )
    except ValueError:
        return np.nan
    areas["person_years"] = areas["population"] * ctx.period.n_months / 12
    comp = comparison.compare_areas(
        areas, "area", "count", "person_years", per=ctx.rate_per, reference=wider
    )
    csp = comp[comp["lad_code"].isin(ctx.params.csp.lad_codes)]
    return bool((csp["comparison"] == "above").any()) if len(csp) else np.nan


def _vs(ctx, row, key: str | None) -> dict:
    """``count_before``, ``pct_change`` and ``change`` against the comparison period ``key``.

    All NaN when no comparison period is held in full (``key`` None or months missing):
    an issue is never scored on a change that was not tested.
    """
    if key is None or not comparable(ctx, key):
        return {"count_before": np.nan, "pct_change": np.nan, "change": np.nan}
    return {
        "count_before": int(row[f"count_{key}"]),
        "pct_change": row[f"pct_vs_{key}"],
        "change": change_word(row[f"label_vs_{key}"], row[f"pct_vs_{key}"]),
    }


def _spc_ran(monthly: pd.DataFrame) -> bool:
    """Whether a control chart is drawn from this series (six months or more, not all zero)."""
    return len(monthly) >= 6 and monthly["count"].sum() > 0


def _spc_high(monthly: pd.DataFrame, months: list[str]) -> bool:
    if not _spc_ran(monthly):
        return False
    chart = spc.xmr(monthly, date_col="month_start", value_col="count")
    inside = chart["month_start"].dt.strftime("%Y-%m").isin(months)
    return bool((chart["special_cause"] & (chart["direction"] == "high") & inside).any())


def candidate_measures(
    ctx, wa: dict, rules: dict, *, min_flags: int = 2, partner=None
) -> pd.DataFrame:
    """One row of measures per candidate issue, in the columns of :mod:`sa_lib.stats.priority`.

    Candidates: each police.uk crime type and ASB with a crime in the period; the domestic-abuse headline measure
    when an extract is given (synthetic ones labelled, sensitive); each ward with at
    least ``min_flags`` flags; each partner indicator with a significant rise or
    special-cause variation in ``partner`` (the partner theme's result,
    :func:`sa_lib.themes.partner_report.build`: its measures are read, never recomputed),
    whose ward flags also count towards a flagged ward's vulnerability.

    Returns
    -------
    DataFrame
        ``issue``, ``kind`` (crime type / theme measure / place), ``theme`` (the page
        holding the evidence), ``sensitive`` (bool), ``count``, ``count_before``,
        ``pct_change``, ``share`` (of ``share_of``, the denominator in words),
        ``above_wider``, ``change``, ``rising_trend``,
        ``spc_signal``, ``trend_tested`` and ``spc_tested`` (whether each test ran: crime
        types only, missing for the other issues), ``harm_band``, ``deprived_ratio``,
        ``repeat_share``, ``top10_share``, ``ward_ratio``, ``rate``, ``rate_lower``,
        ``rate_upper``, ``synthetic``, and with partner ward flags ``partner_flags`` (how many
        partner indicators put the ward significantly above the district) and
        ``partner_flag_names``.
    """
    kw = stats_kwargs(ctx)
    key = comparison_key(ctx)
    types = summary.type_summary(
        ctx.crimes, ctx.periods, ctx.geo.population, types=POLICE_UK_TYPES, total_label=None, **kw
    )
    # A crime type with no crimes in the period is not a candidate priority (its harm
    # weight alone ranked "Possession of weapons: 0 in Jan 2018" fifth, issue 19).
    if (types["count_current"] > 0).any():
        types = types[types["count_current"] > 0]
    cur = ctx.in_period("current")
    total = len(cur)
    # Trends and control charts read the unbroken run of held months, as the theme pages do.
    monthly = monthly_counts(ctx.series(), by="crime_type")
    trends = summary.trend_table(monthly, list(types["crime_type"]), alpha=ctx.stats.alpha)
    rising = (
        set(trends.loc[trends["direction"] == "increasing", "crime_type"]) if len(trends) else set()
    )
    trend_ran = monthly["month_start"].nunique() >= summary.MIN_SERIES_MONTHS
    deprived = deprived_lsoas(ctx)
    rows = []
    for _, r in types.iterrows():
        t = r["crime_type"]
        these = cur[cur["crime_type"] == t]
        series = monthly[monthly["crime_type"] == t][["month_start", "count"]]
        lsoa = area_counts(these, ctx.geo.lsoas, "lsoa21_code", ctx.period.months)
        rows.append(
            {
                "issue": t,
                "kind": "crime type",
                "theme": "overview",
                "sensitive": False,
                "count": int(r["count_current"]),
                **_vs(ctx, r, key),
                "share": r["count_current"] / total if total else np.nan,
                "share_of": SHARE_OF_ALL,
                "above_wider": _above_wider(ctx, t),
                "rising_trend": t in rising,
                "spc_signal": _spc_high(series, ctx.period.months),
                # Which of the two tests ran ("no real change" says only what was tested).
                "trend_tested": bool(trend_ran),
                "spc_tested": _spc_ran(series),
                "deprived_ratio": deprived_ratio(these, ctx, deprived),
                "repeat_share": np.nan,
                "top10_share": concentration.top_share(lsoa, "count", 10)
                if lsoa["count"].sum() > 0
                else np.nan,
                "ward_ratio": np.nan,
                "children": False,
                "rate": r["rate"],
                "rate_lower": r["rate_lower"],
                "rate_upper": r["rate_upper"],
                "synthetic": False,
            }
        )
    out = pd.DataFrame(rows)
    out["harm_band"] = _harm_band(out["issue"], rules, ctx).to_numpy()
    extra = [
        _da_measure(ctx, rules, key, total),
        _nte_measure(ctx, rules, key, deprived),
        _cse_measure(ctx, rules),
        *_ward_measures(ctx, wa, rules, key, total, deprived, min_flags),
        *_partner_measures(partner, rules),
    ]
    extra = [e for e in extra if e is not None]
    if extra:
        out = pd.concat([out, pd.DataFrame(extra)], ignore_index=True)
    return _partner_ward_flags(out, partner)


def _da_measure(ctx, rules: dict, key: str, total: int) -> dict | None:
    """The domestic-abuse headline measure (crimes, tested change, repeat victims) from an extract."""
    if ctx.extract_path is None:
        return None
    from sa_lib.stats import repeat_victims
    from sa_lib.themes import domestic_abuse, report

    ex = ctx.extract
    da = domestic_abuse.da_rows(ex)
    if da.empty or da["recorded_date"].isna().all():
        return None
    t = summary.type_summary(
        da.assign(crime_type="Domestic abuse"),
        ctx.periods,
        ctx.geo.population_16plus,
        types=["Domestic abuse"],
        total_label=None,
        **stats_kwargs(ctx),
    ).iloc[0]
    start, end = ctx.period.start.start_time, ctx.period.end.end_time
    window = ctx.params.domestic_abuse.repeat_window_days
    rep = repeat_victims.repeat_rate(
        da,
        start,
        end,
        window_days=window,
        alpha=ctx.stats.alpha,
        date_col="recorded_date",
        data_start=pd.Timestamp(ex["recorded_date"].min()),
    )
    victims = rep[rep["measure"] == "victims"]
    now = ctx.in_period("current", da)
    return {
        "issue": "Domestic abuse (repeat victims)",
        "kind": "theme measure",
        "theme": "domestic_abuse",
        "sensitive": True,
        "count": int(t["count_current"]),
        # Tested only where the extract holds every month of the comparison period too.
        **_vs(ctx, t, key if key is not None and report.extract_holds(ctx, key) else None),
        "share": np.nan,
        "above_wider": np.nan,
        "rising_trend": False,
        "spc_signal": False,
        "harm_band": float(rules["harm"]["default_bands"].get("Domestic abuse", 4)),
        "deprived_ratio": deprived_ratio(now, ctx, deprived_lsoas(ctx))
        if "lsoa21_code" in now
        else np.nan,
        "repeat_share": float(victims["proportion"].iloc[0]) if len(victims) else np.nan,
        "young_share": _young_share(now),
        "top10_share": np.nan,
        "ward_ratio": np.nan,
        "children": False,
        "rate": t["rate"],
        "rate_lower": t["rate_lower"],
        "rate_upper": t["rate_upper"],
        "synthetic": bool(ctx.extract_synthetic),
    }


def _blank_measure(**kw) -> dict:
    base = {
        "kind": "theme measure",
        "sensitive": False,
        "count_before": np.nan,
        "pct_change": np.nan,
        "share": np.nan,
        "above_wider": np.nan,
        "change": np.nan,
        "rising_trend": False,
        "spc_signal": False,
        "harm_band": np.nan,
        "deprived_ratio": np.nan,
        "repeat_share": np.nan,
        "young_share": np.nan,
        "top10_share": np.nan,
        "ward_ratio": np.nan,
        "children": False,
        "rate": np.nan,
        "rate_lower": np.nan,
        "rate_upper": np.nan,
        "synthetic": False,
    }
    base.update(kw)
    return base


YOUNG_BANDS = ("0-12", "13-15", "16-17")


def _young_share(rows: pd.DataFrame) -> float:
    """Share of victims aged under 18, among rows with a victim age band (NaN without any)."""
    if "victim_age_band" not in rows:
        return np.nan
    band = rows["victim_age_band"].dropna().astype(str)
    band = band[band != ""]
    return float(band.isin(YOUNG_BANDS).mean()) if len(band) else np.nan


def _nte_measure(ctx, rules: dict, key: str, deprived: set) -> dict | None:
    """Night-time violence: violence with injury on Friday and Saturday nights (20:00-05:59), from an extract.

    The nights are :func:`sa_lib.stats.nte.weekend_night_rows`, the rule of the violence
    page's weekend-night share.
    """
    if ctx.extract_path is None:
        return None
    from sa_lib.themes import violence

    ex = ctx.extract
    if "committed_from" not in ex:
        return None
    vwi = violence.subgroup_rows(ex)
    vwi = vwi[vwi["crime_type"] == "Violence with injury"]
    if vwi.empty:
        return None
    # The violence page's rule (its weekend-night share): the rows its day-hour table
    # counts in a weekend-night cell, so a crime with no usable time is not counted.
    rows = vwi[nte.weekend_night_rows(vwi).to_numpy()].assign(crime_type="Night-time violence")
    if rows.empty:
        return None
    tab = summary.type_summary(
        rows,
        ctx.periods,
        ctx.geo.population,
        types=["Night-time violence"],
        total_label=None,
        **stats_kwargs(ctx),
    ).iloc[0]
    now = ctx.in_period("current", rows)
    lsoa = area_counts(now, ctx.geo.lsoas, "lsoa21_code", ctx.period.months)
    return _blank_measure(
        issue="Night-time violence (weekend nights)",
        theme="violence",
        count=int(tab["count_current"]),
        **_vs(ctx, tab, key),
        harm_band=float(rules["harm"]["default_bands"].get("Night-time violence", 4)),
        deprived_ratio=deprived_ratio(now, ctx, deprived),
        young_share=_young_share(now),
        top10_share=concentration.top_share(lsoa, "count", 10) if lsoa["count"].sum() else np.nan,
        rate=tab["rate"],
        rate_lower=tab["rate_lower"],
        rate_upper=tab["rate_upper"],
        synthetic=bool(ctx.extract_synthetic),
    )


def _cse_measure(ctx, rules: dict) -> dict | None:
    """CSE: CSE-flagged crimes and referrals over the last two calendar years (sensitive)."""
    if ctx.path("cse_quarterly") is None:
        return None
    from sa_lib.themes import cse_report

    cols = ["cse_crimes", "cse_referrals"]
    try:
        q = cse_report.load_quarterly(ctx.path("cse_quarterly"), ctx.geo.wards, cols)
    except ValueError as e:
        # Not this CSP's wards (or malformed): the CSE page reports the error itself.
        warnings.warn(f"CSE is left out of the priority matrix: {e}", stacklevel=2)
        return None
    d = cse_report.district_quarterly(q, cols)
    ch = cse_report.annual_change(d, cols, alpha=ctx.stats.alpha).set_index("indicator")
    year = ch.attrs.get("years", ("", ""))[-1]
    last = q[q["quarter"].astype(str).str.startswith(str(year))]
    by_ward = last.groupby("ward_code")[cols].sum().sum(axis=1).rename("count").reset_index()
    c = ch.loc["cse_crimes"]
    pct = 100 * (c["count_after"] / c["count_before"] - 1) if c["count_before"] else np.nan
    syn = cse_report._is_synthetic_file(ctx.path("cse_quarterly"))
    return _blank_measure(
        issue="Child sexual exploitation (priority wards)",
        theme="cse",
        sensitive=True,
        count=int(ch["count_after"].sum()),
        count_before=int(ch["count_before"].sum()),
        pct_change=pct,
        change=change_word(c["change_label"], pct),
        harm_band=float(rules["harm"]["default_bands"].get("Child sexual exploitation", 4)),
        children=True,
        top10_share=concentration.top_share(by_ward, "count", 10)
        if by_ward["count"].sum()
        else np.nan,
        synthetic=bool(syn),
    )


def _ward_measures(ctx, wa, rules, key, total, deprived, min_flags) -> list[dict]:
    t = wa["table"]
    flagged = t[t["n_flags"] >= min_flags]
    cur = ctx.in_period("current")
    cur = cur[cur["crime_type"] != ASB]
    weights = harm_input(ctx).weights
    district = len(cur) / (ctx.geo.population * ctx.period.n_months / 12) * ctx.rate_per
    out = []
    for _, w in flagged.iterrows():
        rows = cur[cur["ward_code"] == w["ward_code"]]
        # A ward's harm: the mean weight of its crimes (harm per crime), banded as a type's.
        harm = rows["crime_type"].map(weights).astype(float).mean() if len(rows) else np.nan
        out.append(
            {
                "issue": f"{w['ward_name']} (ward)",
                "ward_code": w["ward_code"],
                "kind": "place",
                "theme": "wards",
                "sensitive": False,
                "count": int(w["count_current"]),
                **_vs(ctx, w, key),
                # A ward's count is crime excluding ASB: its share is of the same total.
                "share": w["count_current"] / len(cur) if len(cur) else np.nan,
                "share_of": SHARE_OF_CRIME,
                "above_wider": np.nan,
                "rising_trend": False,
                "spc_signal": False,
                "harm_band": float(priority.band([harm], rules["harm"]["weight_bands"])[0]),
                "deprived_ratio": deprived_ratio(rows, ctx, deprived),
                "repeat_share": np.nan,
                "top10_share": np.nan,
                "ward_ratio": w["rate"] / district if district else np.nan,
                "children": False,
                "rate": w["rate"],
                "rate_lower": w["rate_lower"],
                "rate_upper": w["rate_upper"],
                "synthetic": False,
            }
        )
    return out


def _partner_data(partner, name: str) -> pd.DataFrame:
    """A frame of the partner theme's result ``data`` (empty without one)."""
    d = getattr(partner, "data", {}).get(name) if partner is not None else None
    return d if isinstance(d, pd.DataFrame) else pd.DataFrame()


def _partner_measures(partner, rules: dict) -> list[dict]:
    """Partner indicators with a significant rise or special-cause variation, as the
    partner page tested them (:func:`sa_lib.themes.partner_measures.indicator_measures`).

    Volume has no measure (a partner count is not a share of recorded crime) and harm has
    one only where ``harm.default_bands`` of the scoring rules names the indicator: both
    are then "not scored". Vulnerability and concentration are measured for an indicator
    given by LSOA (deprived-fifth ratio, top-10% LSOA share), with the minimum count.
    """
    from sa_lib.themes.partner_measures import PARTNER_SUFFIX, SPECIAL_HIGH

    t = _partner_data(partner, "indicators")
    bands = rules["harm"].get("default_bands", {})
    out = []
    for _, p in t.iterrows():
        label, var = p["change_label"], p["variation"]
        rise = isinstance(label, str) and label.endswith("significant increase")
        special = isinstance(var, str) and var.startswith("special cause")
        if not (rise or special):
            continue
        out.append(
            _blank_measure(
                issue=p["name"] + PARTNER_SUFFIX,
                kind="partner indicator",
                theme="partner",
                count=int(p["count"]),
                count_before=p["count_before"],
                pct_change=p["pct_change"],
                change=p["change"],
                spc_signal=var == SPECIAL_HIGH,
                harm_band=float(bands[p["name"]]) if p["name"] in bands else np.nan,
                deprived_ratio=p["deprived_ratio"],
                top10_share=p["top10_share"],
                rate=p["rate"],
                rate_lower=p["rate_lower"],
                rate_upper=p["rate_upper"],
                synthetic=bool(p["synthetic"]),
            )
        )
    return out


def _partner_ward_flags(out: pd.DataFrame, partner) -> pd.DataFrame:
    """Each flagged ward's partner flags: the partner indicators on which the partner page
    found its rate significantly above the district's (vulnerability, see
    :func:`sa_lib.stats.priority.dimension_scores`; a ward whose vulnerability synthetic
    partner flags raise counts as synthetic there)."""
    f = _partner_data(partner, "ward_flags")
    if f.empty or not f["flag"].any():
        return out
    f = f[f["flag"]]
    out = out.copy()
    # Named as the measures table shows them: synthetic flags say so.
    names = f.groupby("ward_code").apply(
        lambda g: ", ".join(g["name"]) + (" (SYNTHETIC)" if g["synthetic"].any() else ""),
        include_groups=False,
    )
    syn = f.groupby("ward_code")["synthetic"].any()
    ward = out["ward_code"] if "ward_code" in out else pd.Series(np.nan, index=out.index)
    out["partner_flags"] = ward.map(f["ward_code"].value_counts()).fillna(0).astype("int64")
    out["partner_flag_names"] = ward.map(names).fillna("")
    out["partner_synthetic"] = ward.map(syn).fillna(False).astype(bool)
    return out
