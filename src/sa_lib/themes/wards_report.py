"""Every ward: the ward appendix, flags by indicator, ward profiles, and ``build``.

Examples
--------
>>> from sa_lib.themes.assessment import anchor
>>> anchor("St Neots Eatons")
'St-Neots-Eatons'
"""

from __future__ import annotations

import html as _html

import pandas as pd

from sa_lib.themes import summary
from sa_lib.themes.assessment import (
    anchor,
    change_text,
    comparable,
    comparison_key,
    comparison_label,
    flagged_wards,
    stats_kwargs,
    ward_analysis,
)
from sa_lib.themes.findings import ranked_sentence
from sa_lib.themes.results import ThemeResult

__all__ = [
    "appendix_display",
    "build",
    "flags_by_indicator",
    "show_ward_heading",
    "ward_findings",
    "ward_profile",
]


def appendix_display(wa: dict, ctx) -> pd.DataFrame:
    """The ward appendix for readers: one row per ward."""
    t = wa["table"]
    key = comparison_key(ctx)
    p = ctx.periods
    ok = key is not None and comparable(ctx, key)
    before = comparison_label(ctx)
    cols = {
        "Rank": t["rank"].astype("int64"),
        "Ward": t["ward_name"],
        p["current"].label: t["count_current"].astype("int64"),
    }
    if ok:
        cols[before] = t[f"count_{key}"].astype("int64")
    out = pd.DataFrame(
        {
            **cols,
            f"Rate {ctx.rate_label} a year": t["rate"].round(1),
            "95% CI": [
                f"{lo:.1f} to {hi:.1f}" if pd.notna(lo) else "–"
                for lo, hi in zip(t["rate_lower"], t["rate_upper"], strict=True)
            ],
            f"vs {before}": [
                change_text(pc, lab) if ok else "not available"
                for pc, lab in zip(
                    t[f"pct_vs_{key}"] if ok else [None] * len(t),
                    t[f"label_vs_{key}"] if ok else [None] * len(t),
                    strict=True,
                )
            ],
            "IMD decile (median LSOA)": [
                "–" if pd.isna(d) else str(int(round(d))) for d in t["imd_decile"]
            ],
            "Flags": [f if f else "–" for f in t["flags"].fillna("")],
        }
    )
    # A period the data do not fully cover is not available, never a (partial) count.
    return out


def ward_findings(wa: dict, flagged: pd.DataFrame, ctx) -> list:
    """Key findings for the ward page, with their structured fields (:class:`Finding`)."""
    from sa_lib.themes.results import Finding

    t = wa["table"]
    top = t.iloc[0]
    thr = ctx.disclosure.threshold
    one, several = int((t["n_flags"] > 0).sum()), len(flagged)
    out = [
        Finding(
            f"{len(t)} wards; {one} {'has' if one == 1 else 'have'} at least one flag and "
            f"{several} {'has' if several == 1 else 'have'} several.",
            subject="Wards",
            measure="ward flags",
        )
    ]
    if top["count_current"] >= thr:
        # "Highest" only as far as the intervals separate: the overview's rule, the same words.
        from sa_lib.themes import report

        shown = report.shown_wards(t, ctx)
        out.append(
            Finding(
                ranked_sentence(
                    shown,
                    "ward_name",
                    "crime rate",
                    f"{ctx.rate_label} a year, excluding ASB",
                    conf_level=ctx.stats.conf_level,
                ),
                subject=str(top["ward_name"]),
                measure="ward rate",
            )
        )
    key = comparison_key(ctx)
    ok = key is not None and comparable(ctx, key)
    up = t[t[f"label_vs_{key}"] == "significant increase"]["ward_name"].tolist() if ok else []
    down = t[t[f"label_vs_{key}"] == "significant decrease"]["ward_name"].tolist() if ok else []
    before = comparison_label(ctx)
    if not ok:
        out.append(
            Finding(
                f"The change on {before} is not available (months missing).",
                subject="Wards",
                measure="ward count",
                tested=False,
            )
        )
    for names, word in ((up, "increase"), (down, "decrease")):
        if names:
            out.append(
                Finding(
                    f"Significant {word} on {before} in: {', '.join(names)}.",
                    subject="Wards",
                    measure="ward count",
                    comparison=before,
                    periods=(before, ctx.period.label),
                    tested=True,
                    significant=True,
                    direction=word,
                )
            )
    if len(flagged):
        out.append(
            Finding(
                "Wards with several flags: "
                + "; ".join(
                    f"{w} ({n})"
                    for w, n in zip(flagged["ward_name"], flagged["n_flags"], strict=True)
                )
                + ".",
                subject="Wards",
                measure="ward flags",
            )
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
    key = comparison_key(ctx)
    before = comparison_label(ctx)
    thr = ctx.disclosure.threshold
    n = int(t["count_current"])
    size = f"fewer than {thr}" if 0 < n < thr else f"{n:,}"
    out = [
        f"{t['ward_name']} ranks {int(t['rank'])} of {len(wa['table'])} wards on crime rate (excluding "
        f"ASB): {size} crimes in {ctx.period.label}, {t['rate']:.0f} {ctx.rate_label} a year "
        f"(95% CI {t['rate_lower']:.0f} to {t['rate_upper']:.0f})."
    ]
    if key is None or not comparable(ctx, key):
        out.append(f"The change on {before} is not available (months missing).")
    elif isinstance(t[f"label_vs_{key}"], str) and t[f"label_vs_{key}"].startswith("significant"):
        out.append(
            f"That is a {t[f'label_vs_{key}']} of {abs(t[f'pct_vs_{key}']):.0f}% on {before}."
        )
    else:
        out.append(f"No significant change on {before}.")
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


def build(ctx) -> ThemeResult:
    """Compute the ward page once: key findings, the ward appendix, flags and ward profiles.

    Sections: ``header``, ``findings``, ``appendix``, ``flags``, ``profiles`` (one
    heading, findings list and crime-by-type table per ward with several flags),
    ``methods``. ``data["wards"]`` holds the ward table (every ward's count, rate,
    change, rank, IMD decile and flags).

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> result = build(open_context("parameters/huntingdonshire_2025q4.yaml", "wards"))  # doctest: +SKIP
    >>> list(result.sections)  # doctest: +SKIP
    ['header', 'findings', 'appendix', 'flags', 'profiles', 'methods']
    """
    from sa_lib.themes import report

    r = report.new_result(ctx, "wards", "Every ward")
    with r.section("header"):
        report.show_header(ctx, "Every ward")
    opt = ctx.options
    wa = ward_analysis(ctx, min_count=opt.min_count, top_share=opt.top_share)
    flagged = flagged_wards(wa, opt.min_flags)
    with r.section("findings"):
        if comparison_key(ctx) is None:
            r.unavailable(
                "ward change",
                f"The change on {comparison_label(ctx)} is not available: the data do not hold "
                "it, so no ward is compared with an earlier period.",
            )
        report.show_findings(ward_findings(wa, flagged, ctx))
    with r.section("appendix"):
        _appendix_table(ctx, wa)
    with r.section("flags"):
        report.show_table(flags_by_indicator(wa, ctx), caption="Ward flags by indicator")
    with r.section("profiles"):
        _profiles(ctx, wa, flagged)
    with r.section("methods"):
        report.show_methods(
            ctx,
            {
                "ward flag": f"top {opt.top_share:.0%} of wards and interval above the "
                "district rate",
                "flag indicators": "; ".join(wa["indicators"]),
            },
        )
    r.data["wards"] = wa["table"]
    return r


def _appendix_table(ctx, wa: dict) -> None:
    from sa_lib.themes import report

    dis = ctx.disclosure
    shown = appendix_display(wa, ctx)
    labels = (ctx.periods["current"].label, comparison_label(ctx))
    counts = [c for c in labels if c in shown.columns]
    report.show_table(
        shown,
        count_cols=counts,
        threshold=dis.threshold,
        secondary=dis.secondary,
        lines="columns",
        derived={
            c: counts
            for c in shown.columns
            if c.startswith("Rate") or c == "95% CI" or c.startswith("vs ")
        },
        not_count_cols=["Rank", "IMD decile (median LSOA)"],
        caption=f"Every ward, {ctx.period.label}",
    )


def _profiles(ctx, wa: dict, flagged: pd.DataFrame) -> None:
    from sa_lib.themes import report

    if flagged.empty:
        report.note("No ward has several flags in this period.")
    for code in flagged["ward_code"]:
        profile = ward_profile(ctx, wa, code)
        show_ward_heading(profile["name"])
        report.show_findings(profile["findings"])
        report.show_summary(
            profile["types"], ctx, caption=f"{profile['name']}: crime and ASB by type"
        )
