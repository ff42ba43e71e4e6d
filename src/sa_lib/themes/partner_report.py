"""The partner-data page: fire, ambulance, council ASB cases, hate crime, probation, youth offending, treatment.

Every indicator from ``data.partner_indicators`` (read through ``data.partner_mapping``
when the file has another shape, :mod:`sa_lib.data.partner_indicators`) is summed to
the district by month and shown with its rate per 1,000 residents, the tested change
against a year earlier (the change test of every page: days at risk, quasi-Poisson
where the series is over-dispersed, corrected across the indicators), its SPC
variation (NHS Making Data Count, :mod:`sa_lib.themes.spc_summary`), the wards whose
rate is significantly above the district's and, where a police.uk series measures the
same harm, whether the two move together (the divergence test of
:mod:`sa_lib.stats.corroboration`). The tested measures are kept in the result's
``data`` (:mod:`sa_lib.themes.partner_measures`): the summary's candidate issues and
ward vulnerability read them from there.

Examples
--------
>>> NO_PARTNER_DATA.startswith("No partner indicators")
True
"""

from __future__ import annotations

import pandas as pd

from sa_lib.themes.results import ThemeResult

__all__ = ["build", "indicator_table", "NO_PARTNER_DATA"]

NO_PARTNER_DATA = (
    "No partner indicators are given in the parameters, so there is nothing to show: ask "
    "partners for monthly counts by LSOA, ward or district."
)


def indicator_table(tested: pd.DataFrame, ctx) -> pd.DataFrame:
    """One row per indicator: counts now and before, rate, tested change, SPC variation.

    ``tested`` is :func:`sa_lib.themes.partner_measures.indicator_measures`: the page shows
    its numbers as they are (the summary reads the same frame from the result).
    """
    from sa_lib.themes.assessment import change_text
    from sa_lib.themes.spc_summary import ICONS

    against = tested.attrs.get("against")
    rows = []
    for _, t in tested.iterrows():
        var = t["variation"]
        row = {
            "Indicator": t["name"],
            "From": t["source"],
            ctx.period.label: int(t["count"]),
        }
        if against:
            row[against] = int(t["count_before"])
        row[f"Rate {ctx.rate_label} a year"] = t["rate"]
        row[f"vs {against}" if against else "Change"] = (
            change_text(t["pct_change"], t["change_label"], per_day=bool(t["per_day"]))
            if against
            else "not available"
        )
        row["Variation (SPC)"] = (
            "not enough months" if var is None else f"{ICONS[var][0]} {ICONS[var][2]}"
        )
        row["Level"] = {"lsoa": "LSOA"}.get(t["level"], t["level"])
        rows.append(row)
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


def _findings(table: pd.DataFrame, corr: pd.DataFrame, ctx, key: str | None, syn: bool) -> list:
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
    thr = ctx.disclosure.threshold
    if key:
        out.append(Finding(f"Compared with {key}:", comparison=key))
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
    ``wards``, ``corroboration``, ``methods``; with no partner file, ``partner data`` in
    ``availability``.

    ``data`` holds what the summary reads: ``monthly`` (district by month),
    ``indicators`` (:func:`sa_lib.themes.partner_measures.indicator_measures`) and
    ``ward_flags`` (:func:`sa_lib.themes.partner_measures.ward_partner_flags`).
    """
    from sa_lib.data.partner_indicators import district_monthly, read_partner_indicators
    from sa_lib.themes import partner_measures, report, results

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
    tested = partner_measures.indicator_measures(monthly, raw, ctx)
    flags = partner_measures.ward_partner_flags(raw, ctx)
    r.data.update(monthly=monthly, indicators=tested, ward_flags=flags)
    against = tested.attrs.get("against") if len(tested) else None
    table = indicator_table(tested, ctx)
    corr = corroboration_table(monthly, ctx)
    with r.section("findings"):
        results.emit(results.Findings(_findings(table, corr, ctx, against, syn)))
    _indicator_section(r, ctx, monthly, table, against, syn)
    _wards_section(r, ctx, flags, syn)
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
    return r


def _indicator_section(r, ctx, monthly, table: pd.DataFrame, against, syn: bool) -> None:
    from sa_lib.data.partner_indicators import INDICATORS
    from sa_lib.themes import report

    counts = [c for c in (ctx.period.label, against) if c and c in table.columns]
    with r.section("indicators"):
        shown = set(table["Indicator"]) if len(table) else set()
        gaps = sorted(
            INDICATORS[i][0] for i in monthly["indicator"].unique() if INDICATORS[i][0] not in shown
        )
        if gaps:
            both = f"{ctx.period.label} and {against}" if against else ctx.period.label
            r.unavailable(
                "partner indicators",
                f"Not shown: {', '.join(gaps)}: the partner's file does not cover every month "
                f"of {both}.",
                note=True,
            )
        if table.empty:
            return
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


def _wards_section(r, ctx, flags: pd.DataFrame, syn: bool) -> None:
    """Wards whose rate of a partner indicator is significantly above the district's."""
    from sa_lib.themes import report

    with r.section("wards"):
        if flags.empty:
            r.unavailable(
                "partner ward flags",
                f"No ward is compared with the district: no partner indicator is given by LSOA "
                f"or ward with {ctx.params.wards.min_count or 50} or more in the district in "
                f"{ctx.period.label} (the ward flags' minimum count).",
                note=True,
            )
            return
        f = flags[flags["flag"]]
        read = ", ".join(dict.fromkeys(flags["name"]))
        if f.empty:
            report.note(
                f"No ward's rate is significantly above the district's on {read} "
                f"(in the top {ctx.params.wards.top_share:.0%} of wards and the interval above "
                "the district's rate)."
            )
            return
        shown = pd.DataFrame(
            {
                "Ward": f["ward_name"].to_numpy(),
                "Indicator": f["name"].to_numpy(),
                ctx.period.label: f["count"].astype("int64").to_numpy(),
                f"Rate {ctx.rate_label} a year": f["rate"].to_numpy(),
                "Lower limit": f["rate_lower"].to_numpy(),
                "District rate": f["district_rate"].to_numpy(),
            }
        )
        report.show_table(
            shown,
            count_cols=[ctx.period.label],
            threshold=ctx.disclosure.threshold,
            secondary=False,
            derived={c: [ctx.period.label] for c in shown.columns[3:5]},
            caption=f"Wards with a partner rate significantly above the district's, "
            f"{ctx.period.label}",
            synthetic=syn,
        )
        report.note(
            f"Read: {read}. A ward is listed when its rate is in the top "
            f"{ctx.params.wards.top_share:.0%} of wards and the lower limit of its interval is "
            "above the district's rate; each listed ward counts as a vulnerability flag in the "
            "summary's priority matrix."
        )
