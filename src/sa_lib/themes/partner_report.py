"""The partner-data page: fire, ambulance, council ASB cases, hate crime, probation, youth offending, treatment.

Every indicator from ``data.partner_indicators`` (read through ``data.partner_mapping``
when the file has another shape, :mod:`sa_lib.data.partner_indicators`) is summed to
the district by month and shown with its rate per 1,000 residents, the tested change
against a year earlier (exact Poisson test), its SPC variation (NHS Making Data Count,
:mod:`sa_lib.themes.spc_summary`) and, where a police.uk series measures the same harm,
whether the two move together (the divergence test of :mod:`sa_lib.stats.corroboration`).

Examples
--------
>>> _period_total(pd.DataFrame({"month": ["2025-01", "2025-02"], "count": [3, 4]}), ["2025-02"])
4
"""

from __future__ import annotations

import pandas as pd

from sa_lib.themes.results import ThemeResult

__all__ = ["build", "indicator_table", "NO_PARTNER_DATA"]

NO_PARTNER_DATA = (
    "No partner indicators are given in the parameters, so there is nothing to show: ask "
    "partners for monthly counts by LSOA, ward or district."
)


def _period_total(d: pd.DataFrame, months: list[str]) -> int:
    return int(d.loc[d["month"].isin(months), "count"].sum())


def indicator_table(monthly: pd.DataFrame, ctx) -> pd.DataFrame:
    """One row per indicator: counts now and a year earlier, rate, tested change, SPC variation."""
    from sa_lib.data.partner_indicators import INDICATORS
    from sa_lib.stats import spc
    from sa_lib.stats.change import compare_counts
    from sa_lib.themes.assessment import change_text
    from sa_lib.themes.spc_summary import ICONS, variation

    cur = [str(m) for m in ctx.period.months]
    key = "last_year" if "last_year" in ctx.periods else "previous"
    before = [str(m) for m in ctx.periods[key].months]
    pop = float(ctx.geo.lsoas["population"].sum())
    rows = []
    for ind, d in monthly.groupby("indicator", sort=False):
        now, then = _period_total(d, cur), _period_total(d, before)
        held = set(d["month"])
        if not (set(cur) | set(before)) <= held:
            continue  # said in a note: the indicator does not cover both periods
        cmp_ = compare_counts(
            pd.DataFrame({"count_before": [then], "count_after": [now]}), alpha=ctx.stats.alpha
        ).iloc[0]
        series = d[d["month"] <= cur[-1]].assign(month_start=lambda x: pd.to_datetime(x["month"]))
        span = pd.period_range(series["month"].min(), cur[-1], freq="M").astype(str)
        var = "not enough months"
        # An XmR chart needs an unbroken run of months (12 or more, as the other pages).
        if len(series) >= 12 and set(span) <= set(series["month"]) and series["count"].sum() > 0:
            chart = spc.xmr(series[["month_start", "count"]], "month_start", "count")
            icon, _, words = ICONS[variation(chart.iloc[-1].to_dict())]
            var = f"{icon} {words}"
        rows.append(
            {
                "Indicator": INDICATORS[ind][0],
                "From": INDICATORS[ind][1],
                ctx.period.label: now,
                ctx.periods[key].label: then,
                f"Rate {ctx.rate_label} a year": now / pop * ctx.rate_per * 12 / len(cur),
                f"vs {ctx.periods[key].label}": change_text(
                    cmp_["pct_change"], cmp_["change_label"]
                )
                if set(cur) | set(before) <= held
                else "not available",
                "Variation (SPC)": var,
                "Level": {"lsoa": "LSOA"}.get(d["level"].iloc[0], d["level"].iloc[0]),
            }
        )
    return pd.DataFrame(rows)


def corroboration_table(monthly: pd.DataFrame, ctx) -> pd.DataFrame:
    """Each indicator with a police.uk counterpart: do the two monthly series move together?"""
    from sa_lib.data.counts import monthly_counts
    from sa_lib.data.partner_indicators import INDICATORS
    from sa_lib.stats.corroboration import divergence_test

    police = monthly_counts(ctx.series(), by="crime_type")
    police["month"] = police["month_start"].dt.strftime("%Y-%m")
    rows = []
    for ind, d in monthly.groupby("indicator", sort=False):
        crime = INDICATORS[ind][2]
        if crime is None:
            continue
        p = police[police["crime_type"] == crime][["month", "month_start", "count"]]
        both = p.merge(d[["month", "count"]], on="month", suffixes=("_police", "_partner"))
        if len(both) < 6:
            continue
        r = divergence_test(
            both, "month_start", "count_police", "count_partner", alpha=ctx.stats.alpha
        )
        rows.append(
            {
                "Indicator": INDICATORS[ind][0],
                "Police series": crime,
                "Months": int(r["n_months"]),
                "Correlation (r)": round(float(r["correlation"]), 2),
                "Diverging?": "yes: " + r["direction"] if r["diverging"] else "no",
                "p": round(float(r["p_value"]), 3),
            }
        )
    return pd.DataFrame(rows)


def _change_sentence(r: pd.Series, cur: str, key: str, thr: int):
    """One indicator's change in the words of the other pages, with its structured fields."""
    from sa_lib.themes.results import Finding

    now, then, vs = r.get(cur), r.get(key), str(r[f"vs {key}"])
    if now is None or then is None or pd.isna(now) or pd.isna(then) or vs == "not available":
        return None
    now, then = int(now), int(then)
    sig = "significant" in vs and "n.s." not in vs
    fields = dict(
        subject=str(r["Indicator"]),
        measure="count",
        comparison=key,
        tested=True,
        significant=sig,
        direction=("increase" if now > then else "decrease") if sig else "none",
    )
    if 0 < min(now, then) < thr:
        text = f"{r['Indicator']} ({r['From']}): {vs} on {key} (counts below {thr} not shown)."
        return Finding(text, **fields)
    if now == then or then == 0:
        text = f"{r['Indicator']} was unchanged at {now:,}; this is within normal variation."
        return Finding(text, **fields)
    verb, pct = ("rose" if now > then else "fell"), abs(now - then) / then * 100
    base = f"{r['Indicator']} ({r['From']}) {verb} {pct:.0f}% (from {then:,} to {now:,})"
    if sig:
        return Finding(
            f"{base}; this is a statistically significant {fields['direction']}.", **fields
        )
    return Finding(f"{base}; this is within normal variation.", **fields)


def _findings(table: pd.DataFrame, corr: pd.DataFrame, ctx, key: str, syn: bool) -> list:
    from sa_lib.themes.results import Finding

    out = []
    if syn:
        out.append(
            Finding(
                "SYNTHETIC DATA: the partner indicators on this page are made up for "
                "demonstration; do not use them for decisions.",
                synthetic=True,
            )
        )
    out.append(Finding(f"Compared with {key}:", comparison=key))
    thr = ctx.disclosure.threshold
    out += [
        t
        for _, r in table.iterrows()
        if (t := _change_sentence(r, ctx.period.label, key, thr)) is not None
    ]
    for _, r in corr.iterrows():
        div = r["Diverging?"] != "no"
        text = (
            f"{r['Indicator']} and recorded {r['Police series'].lower()} diverge significantly "
            f"(p = {r['p']:.3f}): a change in one may be recording or reporting, not harm."
            if div
            else f"{r['Indicator']} and recorded {r['Police series'].lower()} move together "
            f"(r = {r['Correlation (r)']:.2f}; they do not diverge)."
        )
        out.append(
            Finding(
                text,
                subject=str(r["Indicator"]),
                measure="divergence from the police series",
                test="divergence",
                tested=True,
                significant=div,
            )
        )
    return out


def build(ctx) -> ThemeResult:
    """Compute the partner-data page: sections ``header``, ``findings``, ``indicators``,
    ``corroboration``, ``methods``; with no partner file, ``partner data`` in ``availability``.
    """
    from sa_lib.data.partner_indicators import (
        INDICATORS,
        district_monthly,
        read_partner_indicators,
    )
    from sa_lib.themes import report, results

    r = report.new_result(ctx, "partner", "Partner data")
    path = ctx.path("partner_indicators")
    raw = None
    if path is not None:
        raw = read_partner_indicators(path, ctx.path("partner_mapping"))
    syn = bool(raw is not None and raw["synthetic"].any())
    r.synthetic = "page" if syn else "none"
    with r.section("header"):
        report.show_header(ctx, "Partner data", synthetic=syn)
    if raw is None:
        with r.section("findings"):
            r.unavailable("partner data", NO_PARTNER_DATA, note=True)
        return r
    lookup = ctx.geo.lsoas[["lsoa21_code", "ward_code"]].rename(
        columns={"lsoa21_code": "lsoa_code"}
    )
    monthly = district_monthly(raw, lookup, list(ctx.params.csp.lad_codes))
    key = "last_year" if "last_year" in ctx.periods else "previous"
    table = indicator_table(monthly, ctx)
    corr = corroboration_table(monthly, ctx)
    with r.section("findings"):
        results.emit(results.Findings(_findings(table, corr, ctx, ctx.periods[key].label, syn)))
    counts = [c for c in (ctx.period.label, ctx.periods[key].label) if c in table.columns]
    with r.section("indicators"):
        shown = set(table["Indicator"]) if len(table) else set()
        gaps = sorted(
            INDICATORS[i][0] for i in monthly["indicator"].unique() if INDICATORS[i][0] not in shown
        )
        if gaps:
            r.unavailable(
                "partner indicators",
                f"Not shown: {', '.join(gaps)}: the partner's file does not cover every month "
                f"of {ctx.period.label} and {ctx.periods[key].label}.",
                note=True,
            )
        if table.empty:
            return r
        report.show_table(
            table,
            count_cols=counts,
            threshold=ctx.disclosure.threshold,
            secondary=False,
            derived={c: counts[:1] for c in table.columns if c.startswith(("Rate", "vs "))},
            caption=f"Partner indicators, {ctx.period.label}: the district's counts, rate, change "
            "and SPC variation",
            synthetic=syn,
        )
    with r.section("corroboration"):
        if corr.empty:
            r.unavailable(
                "corroboration", "No indicator has a police.uk series to compare.", note=True
            )
        else:
            report.show_table(
                corr,
                not_count_cols=["Months"],
                decimals={"Correlation (r)": 2, "p": 3},
                caption="Partner indicators beside the police.uk series for the same harm",
                synthetic=syn,
            )
    with r.section("methods"):
        report.show_methods(ctx, {"partner file": "given in the parameters (partner indicators)"})
    r.data["monthly"] = monthly
    return r
