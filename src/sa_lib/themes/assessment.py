"""The strategic assessment summary: candidate issues, priority matrix, every ward, current priorities.

Everything here is computed from the CSP's data with the same library functions
the theme pages use, so each number on the summary can be traced to a table:

- :func:`ward_analysis`: every ward's count, rate with CI, tested change, rank,
  deprivation and flags (:mod:`sa_lib.stats.ward_flags`);
- :func:`candidate_measures`: one row of measures per candidate issue (each crime
  type and ASB, theme headline measures, wards with several flags), in the columns
  :mod:`sa_lib.stats.priority` scores;
- :func:`priorities_review`: the partnership's current priorities (``priorities`` in
  the parameters) against their baselines and targets;
- :func:`summary_findings`: the 5-7 key findings, ranked by priority score.

Examples
--------
>>> change_word("significant increase", 12.0), change_word("increase, not significant", 3.0)
('significant increase', 'increase')
"""

from __future__ import annotations

import html as _html
import re
import warnings

import numpy as np
import pandas as pd

from sa_lib.data.counts import POLICE_UK_TYPES, area_counts, monthly_counts
from sa_lib.stats import concentration, priority, spc, ward_flags
from sa_lib.stats.change import compare_counts
from sa_lib.themes import summary

__all__ = [
    "ASB",
    "change_word",
    "stats_kwargs",
    "ward_analysis",
    "appendix_display",
    "candidate_measures",
    "matrix_display",
    "sensitivity_display",
    "plot_matrix",
    "priorities_review",
    "review_display",
    "summary_findings",
    "document_control",
    "anchor",
    "show_linked_findings",
    "flagged_wards",
    "flagged_display",
    "ward_profile",
    "show_ward_heading",
]

ASB = "Anti-social behaviour"
SENSITIVE_NOTE = "withheld (sensitive theme)"
#: Whole-number columns of the matrix that are ranks or scores, not counts.
SCORE_COLUMNS = [
    "Rank",
    "Volume",
    "Direction",
    "Harm",
    "Vulnerability",
    "Concentration",
    "Impact",
    "Likelihood",
]


def stats_kwargs(ctx) -> dict:
    """The statistics settings every summary table uses."""
    return dict(
        rate_per=ctx.rate_per,
        conf_level=ctx.stats["conf_level"],
        alpha=ctx.stats["alpha"],
        correction=ctx.stats["correction"],
    )


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


def _deprived_lsoas(ctx) -> set:
    """The most deprived fifth of the CSP's LSOAs (by IMD rank; empty without IMD)."""
    ls = ctx.geo.lsoas
    if "imd_rank" not in ls or ls["imd_rank"].isna().all():
        return set()
    k = max(1, int(np.ceil(0.2 * ls["imd_rank"].notna().sum())))
    return set(ls.sort_values("imd_rank").head(k)["lsoa21_code"])


def _deprived_ratio(rows: pd.DataFrame, ctx, deprived: set) -> float:
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
    kw = stats_kwargs(ctx)
    crimes = ctx.crimes
    allc = crimes[crimes["crime_type"] != ASB]
    base = summary.area_summary(allc, ctx.geo.wards, ctx.periods, **kw)
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


def appendix_display(wa: dict, ctx) -> pd.DataFrame:
    """The ward appendix for readers: one row per ward."""
    t = wa["table"]
    key = "last_year" if "last_year" in ctx.periods else "previous"
    p = ctx.periods
    ok = comparable(ctx, key)
    out = pd.DataFrame(
        {
            "Rank": t["rank"].astype("int64"),
            "Ward": t["ward_name"],
            p["current"].label: t["count_current"].astype("int64"),
            p[key].label: t[f"count_{key}"].astype("int64"),
            f"Rate {ctx.rate_label} a year": t["rate"].round(1),
            "95% CI": [
                f"{lo:.1f} to {hi:.1f}" if pd.notna(lo) else "–"
                for lo, hi in zip(t["rate_lower"], t["rate_upper"], strict=True)
            ],
            f"vs {p[key].label}": [
                _change_text(pc, lab) if ok else "not available"
                for pc, lab in zip(t[f"pct_vs_{key}"], t[f"label_vs_{key}"], strict=True)
            ],
            "IMD decile (median LSOA)": [
                "–" if pd.isna(d) else str(int(round(d))) for d in t["imd_decile"]
            ],
            "Flags": [f if f else "–" for f in t["flags"].fillna("")],
        }
    )
    # A period the data do not fully cover is not available, never a (partial) count.
    return out if ok else out.drop(columns=[p[key].label])


def _change_text(pct: float, label: str) -> str:
    if not isinstance(label, str):
        return "–"
    if label.startswith("new"):
        return "new (was 0)"
    if label.startswith("no change"):
        return "no change"
    txt = f"{pct:+.0f}%" if pd.notna(pct) else ""
    return f"{txt} significant" if label.startswith("significant") else f"{txt} (n.s.)"


def _harm_band(types: pd.Series, rules: dict, ctx) -> pd.Series:
    """Harm band per crime type: from ``data.harm_weights`` when given, else the labelled default."""
    path = ctx.path("harm_weights")
    if path is not None:
        from sa_lib.stats.harm import load_weights

        w = load_weights(path).set_index("crime_type")["weight"]
        return pd.Series(
            priority.band(types.map(w).astype(float), rules["harm"]["weight_bands"]),
            index=types.index,
        )
    return types.map(rules["harm"]["default_bands"]).astype(float)


def _above_wider(ctx, crime_type: str) -> bool | float:
    """True when the CSP's rate of ``crime_type`` is significantly above the wider area's."""
    fc = ctx.force_counts
    if fc is None:
        return np.nan
    from sa_lib.stats import comparison

    wider = ctx.params["comparison"]["wider_area_name"]
    try:
        areas = comparison.wider_area_counts(
            fc,
            ctx.period.months,
            exclude_types=(),
            crime_types=[crime_type],
            wider_area_name=wider,
            areas=list(ctx.params["csp"]["lad_codes"]),
        )
    except ValueError:
        return np.nan
    areas["person_years"] = areas["population"] * ctx.period.n_months / 12
    comp = comparison.compare_areas(
        areas, "area", "count", "person_years", per=ctx.rate_per, reference=wider
    )
    csp = comp[comp["lad_code"].isin(ctx.params["csp"]["lad_codes"])]
    return bool((csp["comparison"] == "above").any()) if len(csp) else np.nan


def _spc_high(monthly: pd.DataFrame, months: list[str]) -> bool:
    if len(monthly) < 6 or monthly["count"].sum() == 0:
        return False
    chart = spc.xmr(monthly, date_col="month_start", value_col="count")
    inside = chart["month_start"].dt.strftime("%Y-%m").isin(months)
    return bool((chart["special_cause"] & (chart["direction"] == "high") & inside).any())


def candidate_measures(ctx, wa: dict, rules: dict, *, min_flags: int = 2) -> pd.DataFrame:
    """One row of measures per candidate issue, in the columns of :mod:`sa_lib.stats.priority`.

    Candidates: each police.uk crime type and ASB; the domestic-abuse headline measure
    when an extract is given (synthetic ones labelled, sensitive); each ward with at
    least ``min_flags`` flags.

    Returns
    -------
    DataFrame
        ``issue``, ``kind`` (crime type / theme measure / place), ``theme`` (the page
        holding the evidence), ``sensitive`` (bool), ``count``, ``count_before``,
        ``pct_change``, ``share``, ``above_wider``, ``change``, ``rising_trend``,
        ``spc_signal``, ``harm_band``, ``deprived_ratio``, ``repeat_share``,
        ``top10_share``, ``ward_ratio``, ``rate``, ``rate_lower``, ``rate_upper``, ``synthetic``.
    """
    kw = stats_kwargs(ctx)
    key = "last_year" if "last_year" in ctx.periods else "previous"
    types = summary.type_summary(
        ctx.crimes, ctx.periods, ctx.geo.population, types=POLICE_UK_TYPES, total_label=None, **kw
    )
    cur = ctx.in_period("current")
    total = len(cur)
    monthly = monthly_counts(ctx.crimes, by="crime_type")
    trends = summary.trend_table(monthly, list(types["crime_type"]), alpha=ctx.stats["alpha"])
    rising = (
        set(trends.loc[trends["direction"] == "increasing", "crime_type"]) if len(trends) else set()
    )
    deprived = _deprived_lsoas(ctx)
    rows = []
    for _, r in types.iterrows():
        t = r["crime_type"]
        these = cur[cur["crime_type"] == t]
        lsoa = area_counts(these, ctx.geo.lsoas, "lsoa21_code", ctx.period.months)
        rows.append(
            {
                "issue": t,
                "kind": "crime type",
                "theme": "overview",
                "sensitive": False,
                "count": int(r["count_current"]),
                "count_before": int(r[f"count_{key}"]),
                "pct_change": r[f"pct_vs_{key}"],
                "share": r["count_current"] / total if total else np.nan,
                "above_wider": _above_wider(ctx, t),
                "change": change_word(r[f"label_vs_{key}"], r[f"pct_vs_{key}"])
                if comparable(ctx, key)
                else np.nan,
                "rising_trend": t in rising,
                "spc_signal": _spc_high(
                    monthly[monthly["crime_type"] == t][["month_start", "count"]],
                    ctx.period.months,
                ),
                "deprived_ratio": _deprived_ratio(these, ctx, deprived),
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
    ]
    extra = [e for e in extra if e is not None]
    if extra:
        out = pd.concat([out, pd.DataFrame(extra)], ignore_index=True)
    return out


def _da_measure(ctx, rules: dict, key: str, total: int) -> dict | None:
    """The domestic-abuse headline measure (crimes, tested change, repeat victims) from an extract."""
    if ctx.extract_path is None:
        return None
    from sa_lib.stats import repeat_victims
    from sa_lib.themes import domestic_abuse

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
    window = int((ctx.params.get("domestic_abuse") or {}).get("repeat_window_days") or 365)
    rep = repeat_victims.repeat_rate(
        da,
        start,
        end,
        window_days=window,
        alpha=ctx.stats["alpha"],
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
        "count_before": int(t[f"count_{key}"]),
        "pct_change": t[f"pct_vs_{key}"],
        "share": np.nan,
        "above_wider": np.nan,
        "change": change_word(t[f"label_vs_{key}"], t[f"pct_vs_{key}"])
        if comparable(ctx, key)
        else np.nan,
        "rising_trend": False,
        "spc_signal": False,
        "harm_band": float(rules["harm"]["default_bands"].get("Domestic abuse", 4)),
        "deprived_ratio": _deprived_ratio(now, ctx, _deprived_lsoas(ctx))
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
    """Night-time violence: violence with injury on Friday and Saturday nights (20:00-05:59), from an extract."""
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
    t = pd.to_datetime(vwi["committed_from"], errors="coerce")
    day, hour = t.dt.day_of_week, t.dt.hour
    night = ((day.isin([4, 5]) & (hour >= 20)) | (day.isin([5, 6]) & (hour < 6))).fillna(False)
    rows = vwi[night.to_numpy()].assign(crime_type="Night-time violence")
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
        count_before=int(tab[f"count_{key}"]),
        pct_change=tab[f"pct_vs_{key}"],
        change=change_word(tab[f"label_vs_{key}"], tab[f"pct_vs_{key}"])
        if comparable(ctx, key)
        else np.nan,
        harm_band=float(rules["harm"]["default_bands"].get("Night-time violence", 4)),
        deprived_ratio=_deprived_ratio(now, ctx, deprived),
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
    ch = cse_report.annual_change(d, cols, alpha=ctx.stats["alpha"]).set_index("indicator")
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
    bands = rules["harm"]["default_bands"]
    district = len(cur) / (ctx.geo.population * ctx.period.n_months / 12) * ctx.rate_per
    out = []
    for _, w in flagged.iterrows():
        rows = cur[cur["ward_code"] == w["ward_code"]]
        harm = rows["crime_type"].map(bands).astype(float).mean() if len(rows) else np.nan
        out.append(
            {
                "issue": f"{w['ward_name']} (ward)",
                "kind": "place",
                "theme": "wards",
                "sensitive": False,
                "count": int(w["count_current"]),
                "count_before": int(w[f"count_{key}"]),
                "pct_change": w[f"pct_vs_{key}"],
                "share": w["count_current"] / total if total else np.nan,
                "above_wider": np.nan,
                "change": change_word(w[f"label_vs_{key}"], w[f"pct_vs_{key}"])
                if comparable(ctx, key)
                else np.nan,
                "rising_trend": False,
                "spc_signal": False,
                "harm_band": float(np.floor(harm + 0.5)) if pd.notna(harm) else np.nan,
                "deprived_ratio": _deprived_ratio(rows, ctx, deprived),
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


def _fmt(v, spec: str) -> str:
    return "–" if v is None or (isinstance(v, float) and np.isnan(v)) else format(v, spec)


def matrix_display(scored: pd.DataFrame, ctx, thresholds: dict | None = None) -> pd.DataFrame:
    """The priority matrix for readers: measures and each separately shown score.

    Counts of sensitive-theme issues are not shown here (their own page applies its
    disclosure rules); other counts below the threshold show as "fewer than N".
    """
    thr = ctx.disclosure["threshold"]
    grid = "impact" in scored

    def count_text(r):
        if r["sensitive"]:
            return SENSITIVE_NOTE
        return f"fewer than {thr}" if 0 < r["count"] < thr else f"{int(r['count']):,}"

    d = pd.DataFrame(
        {
            "Rank": scored["rank"].astype("int64"),
            "Issue": [
                i + (" (SYNTHETIC)" if s else "")
                for i, s in zip(scored["issue"], scored["synthetic"], strict=True)
            ],
            "Count": [count_text(r) for _, r in scored.iterrows()],
            "Share of all": [
                "[c]" if 0 < c < thr and not sens else _fmt(v, ".0%")
                for v, c, sens in zip(
                    scored["share"], scored["count"], scored["sensitive"], strict=True
                )
            ],
            "Change": ["–" if not isinstance(c, str) else c for c in scored["change"]],
            "Volume": scored["volume"].astype("int64"),
            "Direction": scored["direction"].astype("int64"),
            "Harm": scored["harm"].astype("int64"),
            "Vulnerability": scored["vulnerability"].astype("int64"),
            "Concentration": scored["concentration"].astype("int64"),
            "Confidence": scored["confidence"].round(2),
        }
    )
    if grid:
        d["Impact"] = scored["impact"].astype("int64")
        d["Likelihood"] = scored["likelihood"].astype("int64")
    d["Priority score"] = scored["score"].round(2)
    return d


def count_band_text(count: float, rules: dict) -> str:
    """A withheld count's size band, as the confidence rule reads it (e.g. "100 or more").

    Examples
    --------
    >>> count_band_text(250, {"confidence": {"count_bands": [30, 100]}})
    '100 or more'
    """
    lo, hi = rules["confidence"]["count_bands"]
    if count >= hi:
        return f"{hi} or more"
    return f"{lo} to {hi - 1}" if count >= lo else f"fewer than {lo}"


def measures_display(scored: pd.DataFrame, rules: dict, threshold: int) -> pd.DataFrame:
    """The measures each score was computed from, for readers and for recomputing the scores.

    A count below ``threshold`` shows as "fewer than N" and its share as ``[c]``; a
    sensitive theme's count shows only its size band ("withheld (100 or more)"), which
    is all the confidence rule uses. Ratios and shares are given to 6 decimals so the
    band each falls in can be read exactly.
    """
    counts, shares = [], []
    for c, s, sh in zip(scored["count"], scored["sensitive"], scored["share"], strict=True):
        if s:
            counts.append(f"withheld ({count_band_text(c, rules)})")
            shares.append("–" if pd.isna(sh) else "[c]")
        elif 0 < c < threshold:
            counts.append(f"fewer than {threshold}")
            shares.append("[c]")
        else:
            counts.append(int(c))
            shares.append(_fmt(sh, ".6f"))
    return pd.DataFrame(
        {
            "Issue": scored["issue"],
            "Count": counts,
            "Share of all crime and ASB": shares,
            "Rate above wider area": [
                "–" if pd.isna(v) else ("yes" if v else "no") for v in scored["above_wider"]
            ],
            "Tested change": ["–" if not isinstance(c, str) else c for c in scored["change"]],
            "Rising trend": ["yes" if v else "no" for v in scored["rising_trend"]],
            "SPC high signal": ["yes" if v else "no" for v in scored["spc_signal"]],
            "Harm band": [_fmt(v, ".0f") for v in scored["harm_band"]],
            "Deprived-fifth ratio": [_fmt(v, ".6f") for v in scored["deprived_ratio"]],
            "Repeat share": [_fmt(v, ".6f") for v in scored["repeat_share"]],
            "Young victims share": [
                _fmt(v, ".6f")
                for v in scored.get("young_share", pd.Series(np.nan, index=scored.index))
            ],
            "Top 10% LSOA share": [_fmt(v, ".6f") for v in scored["top10_share"]],
            "Ward rate / district": [_fmt(v, ".6f") for v in scored["ward_ratio"]],
            "Concerns children": ["yes" if v else "no" for v in _bools(scored, "children")],
            "Synthetic": ["yes" if v else "no" for v in scored["synthetic"]],
        }
    )


def _bools(df: pd.DataFrame, col: str) -> list[bool]:
    if col not in df:
        return [False] * len(df)
    return [bool(v) if isinstance(v, bool | np.bool_) else False for v in df[col]]


def sensitivity_display(sens: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The sensitivity check for readers."""
    return pd.DataFrame(
        {
            "Weight": sens["weight"].str.capitalize(),
            "Moved by": sens["change"],
            f"Same top {top_n}?": ["yes" if v else "no" for v in sens["top_same"]],
            "Entered the top": [v or "–" for v in sens["entered"]],
            "Left the top": [v or "–" for v in sens["left"]],
            "New first priority": sens["first"],
        }
    )


def plot_matrix(scored: pd.DataFrame, rules: dict, title: str, label_top: int = 5):
    """Impact (harm, vulnerability) against likelihood (volume, direction, concentration) on a 4 x 4 grid."""
    import matplotlib.pyplot as plt

    from sa_lib.style import OKABE_ITO

    w = rules["weights"]

    def side(dims):
        tw = sum(w[d] for d in dims) or 1
        return sum(w[d] * scored[d].astype(float) for d in dims) / tw

    x = side(rules["grid"]["likelihood"])
    y = side(rules["grid"]["impact"])
    fig, ax = plt.subplots(figsize=(8.5, 6.5))
    for v in (1.5, 2.5, 3.5):
        ax.axhline(v, color="#ccc", lw=0.8)
        ax.axvline(v, color="#ccc", lw=0.8)
    colours = {"crime type": OKABE_ITO[5], "place": OKABE_ITO[1], "theme measure": OKABE_ITO[6]}
    for kind, g in scored.groupby("kind"):
        ax.scatter(
            x[g.index],
            y[g.index],
            s=40 + 200 * g["confidence"],
            color=colours.get(kind, "#666"),
            alpha=0.75,
            label=kind,
            edgecolor="k",
            lw=0.5,
        )
    # Each point is labelled with its rank (the matrix table names every issue); the top
    # ranks are named in a key, so that labels never overwrite each other.
    seen: dict[tuple, int] = {}
    for i in scored.index:
        key = (round(float(x[i]), 2), round(float(y[i]), 2))
        k = seen.get(key, 0)
        seen[key] = k + 1
        ax.annotate(
            str(int(scored.loc[i, "rank"])),
            (x[i], y[i]),
            textcoords="offset points",
            xytext=(7 + 12 * k, 5),
            fontsize=8,
        )
    top = scored.head(label_top)
    ax.text(
        0.02,
        0.02,
        "Top priorities:\n"
        + "\n".join(f"{int(r['rank'])}. {r['issue']}" for _, r in top.iterrows()),
        transform=ax.transAxes,
        fontsize=8,
        va="bottom",
        bbox={"facecolor": "white", "edgecolor": "#999", "alpha": 0.9},
    )
    ax.set_xlim(0.8, 4.4)
    ax.set_ylim(0.8, 4.4)
    ax.set_xlabel(
        "Likelihood (volume, direction, concentration), 1-4; numbers: rank in the matrix table"
    )
    ax.set_ylabel("Impact (harm, vulnerability), 1-4")
    ax.set_title(title)
    ax.legend(frameon=False, loc="lower right", title="Point size: confidence")
    fig.tight_layout()
    return fig


def priorities_review(ctx) -> pd.DataFrame:
    """Each current priority (``priorities`` in the parameters) against its baseline and target.

    Returns
    -------
    DataFrame
        ``name``, ``crime_type``, ``baseline_year``, ``baseline``, ``latest`` (the 12
        months ending with the period), ``pct_change``, ``change_label`` (exact test
        against the baseline year, same length), ``trend`` (direction), ``trend_pct``
        (per year), ``target_year``, ``target``, ``projected``, ``projected_lower``,
        ``projected_upper``, ``status`` (on/off track from
        :func:`sa_lib.stats.trend.target_tracking`).
    """
    specs = ctx.params.get("priorities") or []
    if not specs:
        return pd.DataFrame()
    monthly = monthly_counts(ctx.crimes, by="crime_type")
    targets = summary.target_table(
        monthly,
        [
            {k: s[k] for k in ("crime_type", "reduction_pct", "baseline_year", "target_year")}
            for s in specs
        ],
        alpha=ctx.stats["alpha"],
    )
    types = [s["crime_type"] for s in specs]
    end = ctx.period.end
    latest_months = [str(end - k) for k in range(12)]
    rows = []
    for s, (_, tg) in zip(specs, targets.iterrows(), strict=True):
        t = s["crime_type"]
        if t == "All crime":
            d = ctx.crimes[ctx.crimes["crime_type"] != ASB]
            m = (
                monthly[monthly["crime_type"] != ASB]
                .groupby("month_start", as_index=False)["count"]
                .sum()
            )
        else:
            d = ctx.crimes[ctx.crimes["crime_type"] == t]
            m = monthly[monthly["crime_type"] == t][["month_start", "count"]]
        base = int(d["month"].str.startswith(str(s["baseline_year"])).sum())
        base_months = {f"{s['baseline_year']}-{m:02d}" for m in range(1, 13)}
        complete = not ctx.months_present or base_months <= set(ctx.months_present)
        latest = int(d["month"].isin(latest_months).sum())
        cmp_ = compare_counts(
            pd.DataFrame({"count_before": [base], "count_after": [latest]}),
            alpha=ctx.stats["alpha"],
        ).iloc[0]
        tr = summary.trend_table(m.assign(crime_type=t), [t], alpha=ctx.stats["alpha"])
        rows.append(
            {
                "name": s.get("name") or t,
                "crime_type": t,
                "baseline_year": int(s["baseline_year"]),
                "baseline": base,
                "latest": latest,
                "pct_change": float(cmp_["pct_change"]) if complete else np.nan,
                "change_label": cmp_["change_label"] if complete else "not available",
                "trend": tr["direction"].iloc[0] if len(tr) else "not available",
                "trend_pct": float(tr["pct_per_year"].iloc[0]) if len(tr) else np.nan,
                "target_year": int(s["target_year"]),
                "target": tg["target"],
                "projected": tg["projected"],
                "projected_lower": tg["projected_lower"],
                "projected_upper": tg["projected_upper"],
                "status": tg["status"],
            }
        )
    del types
    return pd.DataFrame(rows)


def review_display(rev: pd.DataFrame, ctx) -> pd.DataFrame:
    """The review of current priorities for readers."""
    end = ctx.period.end
    latest = f"12 months to {end.strftime('%b %Y')}"
    return pd.DataFrame(
        {
            "Priority": rev["name"],
            "Baseline year": rev["baseline_year"].astype(str),
            "Baseline": rev["baseline"].astype("int64"),
            latest: rev["latest"].astype("int64"),
            "Change against baseline": [
                "not available" if lab == "not available" else _change_text(p, lab)
                for p, lab in zip(rev["pct_change"], rev["change_label"], strict=True)
            ],
            "Trend": [
                f"{d} ({p:+.1f}% a year)" if pd.notna(p) else d
                for d, p in zip(rev["trend"], rev["trend_pct"], strict=True)
            ],
            "Target": [
                f"{t:,.0f} by {y}" for t, y in zip(rev["target"], rev["target_year"], strict=True)
            ],
            "Projected": [
                f"{p:,.0f} ({lo:,.0f} to {hi:,.0f})"
                for p, lo, hi in zip(
                    rev["projected"], rev["projected_lower"], rev["projected_upper"], strict=True
                )
            ],
            "Status": rev["status"],
        }
    )


def _link(theme: str, section: str, themes: list[str], fallback: str = "#Priority-matrix") -> str:
    if theme in themes:
        return f"{theme}.html#{anchor(section)}"
    return fallback


EVIDENCE = {
    "overview": "Crime and ASB by type",
    "violence": "Night-time economy",
    "cse": "Key findings",
    "domestic_abuse": "Key findings",
    "wards": "Wards with several flags",
}


def summary_findings(scored: pd.DataFrame, ctx, n: int = 6, search=None) -> list[dict]:
    """The key findings: the top ``n`` issues by priority score, in plain English.

    Significant changes are stated as changes; the issues among the top whose change
    was not significant are listed on one "no real change" line. With ``search`` (a
    :class:`sa_lib.themes.outcomes_report.SearchResult`), the drugs finding says when
    drug offences moved with searches for drugs.

    Returns
    -------
    list of dict
        ``text`` and ``href`` (the evidence on its theme page, or the matrix).
    """
    key = "last_year" if "last_year" in ctx.periods else "previous"
    before = ctx.periods[key].label
    thr = ctx.disclosure["threshold"]
    themes = list(ctx.params["themes"])
    can_compare = comparable(ctx, key)
    top = scored.head(n)
    out, steady = [], []
    for _, r in top.iterrows():
        name = r["issue"]
        syn = " (SYNTHETIC data)" if r["synthetic"] else ""
        if r["sensitive"]:
            size = "see its page for the figures"
        elif 0 < r["count"] < thr:
            size = f"fewer than {thr} in {ctx.period.label}"
        else:
            size = f"{int(r['count']):,} in {ctx.period.label}"
            if pd.notna(r["share"]):
                size += f" ({r['share']:.0%} of all recorded crime and ASB)"
        ch = r["change"]
        if isinstance(ch, str) and ch.startswith("significant"):
            word = "up" if "increase" in ch else "down"
            change = f"{word} {abs(r['pct_change']):.0f}% on {before}, a significant change"
        else:
            change = None
            if can_compare:
                steady.append(name)
        extra = []
        if r.get("above_wider") is True:
            extra.append("its rate is significantly above the wider area's")
        if r["kind"] == "place" and pd.notna(r.get("ward_ratio")):
            extra.append(f"its crime rate is {r['ward_ratio']:.1f} times the district's")
        if pd.notna(r.get("repeat_share")) and not r["sensitive"]:
            extra.append(f"{r['repeat_share']:.0%} of victims were repeat victims")
        parts = [f"{name}{syn}: {size}"]
        if change:
            parts.append(change)
        parts.extend(extra)
        text = "; ".join(parts) + f". Priority score {r['score']:.2f} (rank {int(r['rank'])})."
        if name == "Drugs" and search is not None:
            text += "".join(" " + c["text"] for c in context_findings(scored, search, n=n))
        href = _link(r["theme"], EVIDENCE.get(r["theme"], "Key findings"), themes)
        if r["kind"] == "place" and "wards" in themes:
            href = f"wards.html#{anchor(name.removesuffix(' (ward)'))}"
        out.append({"text": text, "href": href})
    if not can_compare:
        out.append(
            {
                "text": f"The change against {before} is not available: the data do not cover "
                "every month of it, so no issue is scored on its direction of change.",
                "href": "#Priority-matrix",
            }
        )
    if steady:
        out.append(
            {
                "text": f"No real change against {before} (not statistically significant) in: "
                + ", ".join(steady)
                + ".",
                "href": "#Priority-matrix",
            }
        )
    return out


def findings_html(findings: list[dict]) -> str:
    """The key findings as the page's findings list, each with a link to its evidence."""
    items = "".join(
        f'<li>{_html.escape(f["text"])} <a class="sa-evidence" href="{_html.escape(f["href"], quote=True)}">Evidence</a></li>'
        for f in findings
    )
    return f'<ul class="sa-findings">{items}</ul>'


def recommendations(scored: pd.DataFrame, top_n: int) -> list[str]:
    """The recommended priorities, phrased as candidates for the board to agree."""
    out = []
    for _, r in scored.head(top_n).iterrows():
        dims = {d: int(r[d]) for d in priority.DIMENSIONS}
        high = [d for d, v in dims.items() if v >= 3]
        why = ", ".join(high) if high else "no single dimension"
        syn = (
            " Based on SYNTHETIC data: confirm with real data before deciding."
            if r["synthetic"]
            else ""
        )
        out.append(
            f"Candidate {int(r['rank'])}: {r['issue']} (priority score {r['score']:.2f}; high on "
            f"{why}; confidence {r['confidence']:.1f}). For the board to consider adopting as a "
            f"priority.{syn}"
        )
    return out


def document_control(params: dict) -> pd.DataFrame:
    """Document control (title, author, version, status, protective marking, distribution)."""
    doc = params.get("document") or {}
    dist = doc.get("distribution") or []
    return pd.DataFrame(
        {
            "Item": ["Title", "Author", "Version", "Status", "Protective marking", "Distribution"],
            "Value": [
                params.get("title") or "",
                doc.get("author") or "not set",
                str(doc.get("version") or "not set"),
                doc.get("status") or "draft",
                doc.get("protective_marking") or "not set",
                "; ".join(map(str, dist)) if dist else "not set",
            ],
        }
    )


def show_linked_findings(findings: list[dict]) -> None:
    """Display the key findings with their evidence links."""
    from sa_lib.themes import results

    results.emit(results.Findings([results.Finding(f["text"], link=f["href"]) for f in findings]))


def flagged_wards(wa: dict, min_flags: int = 2) -> pd.DataFrame:
    """Wards with at least ``min_flags`` flags: ``ward_code``, ``ward_name``, ``n_flags``, ``flags``."""
    t = wa["table"]
    f = t[t["n_flags"] >= min_flags][["ward_code", "ward_name", "n_flags", "flags", "rank"]]
    return f.sort_values(["n_flags", "rank"], ascending=[False, True]).reset_index(drop=True)


def flagged_display(flagged: pd.DataFrame, themes: list[str]) -> str:
    """Wards with several flags as an HTML list, each linked to its profile."""
    items = []
    for _, w in flagged.iterrows():
        name = _html.escape(w["ward_name"])
        link = (
            f' <a href="wards.html#{_html.escape(anchor(w["ward_name"]), quote=True)}">Profile</a>'
            if "wards" in themes
            else ""
        )
        items.append(
            f"<li><strong>{name}</strong>: {w['n_flags']} flags ({_html.escape(w['flags'])}).{link}</li>"
        )
    return "<ul>" + "".join(items) + "</ul>" if items else "<p>No ward has several flags.</p>"


def ward_profile(ctx, wa: dict, ward_code: str) -> dict:
    """A compact profile of one ward: key findings and its crime by type against last year.

    Returns
    -------
    dict
        ``name``, ``findings`` (list of str) and ``types`` (a
        :func:`sa_lib.themes.summary.type_summary` table for the ward's crimes, rates
        per ward resident).
    """
    t = wa["table"].set_index("ward_code").loc[ward_code]
    fl = wa["flags"]
    mine = fl[(fl["ward_code"] == ward_code) & fl["flag"]]
    rows = ctx.crimes[ctx.crimes["ward_code"] == ward_code]
    types = summary.type_summary(rows, ctx.periods, float(t["population"]), **stats_kwargs(ctx))
    key = "last_year" if "last_year" in ctx.periods else "previous"
    thr = ctx.disclosure["threshold"]
    n = int(t["count_current"])
    size = f"fewer than {thr}" if 0 < n < thr else f"{n:,}"
    out = [
        f"{t['ward_name']} ranks {int(t['rank'])} of {len(wa['table'])} wards on crime rate (excluding "
        f"ASB): {size} crimes in {ctx.period.label}, {t['rate']:.0f} {ctx.rate_label} a year "
        f"(95% CI {t['rate_lower']:.0f} to {t['rate_upper']:.0f})."
    ]
    lab = t[f"label_vs_{key}"]
    if not comparable(ctx, key):
        out.append(f"The change on {ctx.periods[key].label} is not available (months missing).")
    elif isinstance(lab, str) and lab.startswith("significant"):
        out.append(
            f"That is a {lab} of {abs(t[f'pct_vs_{key}']):.0f}% on {ctx.periods[key].label}."
        )
    else:
        out.append(f"No significant change on {ctx.periods[key].label}.")
    for _, f in mine.iterrows():
        out.append(
            f"Flagged on {f['indicator'].lower()}: rate {f['rate']:.1f} against the district's "
            f"{f['district_rate']:.1f} {ctx.rate_label} a year (interval {f['rate_lower']:.1f} to "
            f"{f['rate_upper']:.1f}, entirely above), rank {int(f['rate_rank'])} of the wards."
        )
    if pd.notna(t.get("imd_decile")):
        out.append(
            f"Deprivation: the median of its LSOAs is in IMD 2019 decile {int(round(t['imd_decile']))} "
            "(1 = most deprived tenth in England)."
        )
    return {"name": t["ward_name"], "findings": out, "types": types}


def show_ward_heading(name: str) -> None:
    """A level-3 heading for a ward's profile, with the id the summary links to."""
    from sa_lib.themes.results import emit_html

    emit_html(f'<h3 id="{_html.escape(anchor(name), quote=True)}">{_html.escape(name)}</h3>')


def context_findings(scored: pd.DataFrame, search, n: int = 6) -> list[dict]:
    """Context the top findings need: drug offences beside stop and search.

    When drugs are among the top ``n`` issues and recorded drug offences moved with
    drug searches (:func:`sa_lib.stats.stop_search.drugs_alongside_searches`), say so.
    """
    top = set(scored.head(n)["issue"])
    d = getattr(search, "drugs", {}) or {}
    if "Drugs" not in top or not d.get("rises_with_searches"):
        return []
    return [
        {
            "text": f"Drug offences are largely found by police activity: in {search.year.label} "
            f"recorded drug offences rose and fell with searches for drugs (Spearman rho "
            f"{d['rho']:.2f}, p = {d['p_value']:.3f}), so a rise in drug crime may reflect more "
            "searching rather than more drug use or supply.",
            "href": "outcomes.html#Searches-beside-drug-offences",
        }
    ]


def rules_display(rules: dict) -> pd.DataFrame:
    """The scoring method, weights and band edges used, one row each."""
    rows = [("Method", rules["method"]), ("Recommended priorities", str(rules["top_n"]))]
    rows += [(f"Weight: {d}", f"{rules['weights'][d]:g}") for d in priority.DIMENSIONS]
    if rules["method"] == "grid":
        rows += [
            ("Impact from", ", ".join(rules["grid"]["impact"])),
            ("Likelihood from", ", ".join(rules["grid"]["likelihood"])),
        ]
    v, dr, vu, c, cf = (
        rules["volume"],
        rules["direction"],
        rules["vulnerability"],
        rules["concentration"],
        rules["confidence"],
    )
    rows += [
        (
            "Volume",
            f"share of all crime and ASB, edges {v['share_bands']}; +{v['above_wider_area']} if the rate is above the wider area",
        ),
        (
            "Direction",
            "; ".join(f"{k} {dr[k]}" for k in priority.CHANGES)
            + f"; +{dr['rising_trend']} rising trend; +{dr['spc_signal']} SPC high signal",
        ),
        ("Harm", "band 1-4 per type (see note)"),
        (
            "Vulnerability",
            f"deprived-fifth ratio edges {vu['deprived_ratio_bands']}; repeat share edges {vu['repeat_share_bands']}; under-18 victims share edges "
            f"{vu['young_share_bands']} (the highest of the three); "
            f"{vu['children']} for an issue concerning children",
        ),
        (
            "Concentration",
            f"top 10% LSOA share edges {c['top10_share_bands']}; ward rate / district edges {c['ward_ratio_bands']}",
        ),
        (
            "Confidence",
            f"count edges {cf['count_bands']} give {cf['values']}; x{cf['synthetic']} for synthetic data",
        ),
        ("Missing measure", f"scores {rules['missing_score']}"),
        (
            "Sensitivity",
            f"each weight moved by +/-{rules['sensitivity']:.0%}, one at a time; then {rules.get('n_sims', 0):,} runs varying all at once",
        ),
    ]
    return pd.DataFrame(rows, columns=["Rule", "Value"])


def harm_note(ctx) -> str:
    """Where the harm bands come from (a cited index, or the labelled default assumption)."""
    if ctx.path("harm_weights") is not None:
        return "Harm bands come from the harm weights named in the parameters (a cited index), banded 1-4."
    return (
        "ASSUMPTION: no harm weights were given, so harm uses the workbench's default seriousness "
        "band per crime type (1-4, in the broad order of the ONS Crime Severity Score). It is not a "
        "cited harm index; the partnership should replace it with its own ranking or a cited index."
    )


def stability_display(stab: pd.DataFrame, top_n: int, n: int = 10) -> pd.DataFrame:
    """Monte Carlo rank stability (:func:`sa_lib.stats.priority.rank_stability`) of the top ``n`` issues."""
    t = stab.head(n)
    return pd.DataFrame(
        {
            "Rank": t["rank"].astype("int64"),
            "Issue": t["issue"],
            f"In the top {top_n}": [f"{v:.0%}" for v in t["share_top"]],
            "Median simulated rank": t["median_rank"].round(0).astype("int64"),
            "Rank range (90% of runs)": [
                f"{lo:.0f} to {hi:.0f}"
                for lo, hi in zip(t["rank_low"], t["rank_high"], strict=True)
            ],
        }
    )


def sensitivity_sentence(sens: pd.DataFrame, top_n: int) -> str:
    """One sentence on the sensitivity check."""
    same = int(sens["top_same"].sum())
    moved = sorted(
        {i for s in sens["entered"].tolist() + sens["left"].tolist() for i in s.split("; ") if i}
    )
    if same == len(sens):
        return f"The top {top_n} priorities are the same whichever weight moves by half: the ranking is robust."
    return (
        f"The top {top_n} stays the same in {same} of {len(sens)} weight changes; the issues moving "
        f"in or out of it ({', '.join(moved)}) are close calls."
    )


def ward_findings(wa: dict, flagged: pd.DataFrame, ctx) -> list[str]:
    """Key findings for the ward page."""
    t = wa["table"]
    top = t.iloc[0]
    thr = ctx.disclosure["threshold"]
    out = [
        f"{len(t)} wards; {int((t['n_flags'] > 0).sum())} have at least one flag and "
        f"{len(flagged)} have several."
    ]
    if top["count_current"] >= thr:
        out.append(
            f"{top['ward_name']} had the highest crime rate (excluding ASB): {top['rate']:.0f} "
            f"{ctx.rate_label} a year (95% CI {top['rate_lower']:.0f} to {top['rate_upper']:.0f})."
        )
    key = "last_year" if "last_year" in ctx.periods else "previous"
    ok = comparable(ctx, key)
    up = t[t[f"label_vs_{key}"] == "significant increase"]["ward_name"].tolist() if ok else []
    down = t[t[f"label_vs_{key}"] == "significant decrease"]["ward_name"].tolist() if ok else []
    if not ok:
        out.append(f"The change on {ctx.periods[key].label} is not available (months missing).")
    if up:
        out.append(f"Significant increase on {ctx.periods[key].label} in: {', '.join(up)}.")
    if down:
        out.append(f"Significant decrease on {ctx.periods[key].label} in: {', '.join(down)}.")
    if len(flagged):
        out.append(
            "Wards with several flags: "
            + "; ".join(
                f"{w} ({n})" for w, n in zip(flagged["ward_name"], flagged["n_flags"], strict=True)
            )
            + "."
        )
    return out


def flags_by_indicator(wa: dict, ctx) -> pd.DataFrame:
    """Each flag indicator: the district rate and the wards flagged on it."""
    fl = wa["flags"]
    rows = []
    for ind, g in fl.groupby("indicator", sort=False):
        names = g.loc[g["flag"], "ward_name"].tolist()
        rows.append(
            {
                "Indicator": ind,
                f"District rate {ctx.rate_label} a year": round(
                    float(g["district_rate"].iloc[0]), 1
                ),
                "Wards flagged": ", ".join(names) if names else "none",
            }
        )
    return pd.DataFrame(rows)
