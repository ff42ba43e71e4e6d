"""The outcomes and stop-and-search theme: what happened to crimes, and what searches found.

Assembles :mod:`sa_lib.stats.outcomes` and :mod:`sa_lib.stats.stop_search` on the
CSP's data into the page's tables, charts and findings. Both sections degrade to a
note where the force publishes no files, and use the latest year that has them
when the assessment period has none (:func:`sa_lib.data.outcome_search_data.analysis_year`).

Examples
--------
>>> import pandas as pd
>>> shares = pd.DataFrame({"crime_type": ["Burglary"] * 2, "outcome_group": ["Charge/summons", "Awaiting outcome"],
...                        "count": [5, 15], "crimes": [20, 20], "share": [0.25, 0.75],
...                        "share_lower": [0.1, 0.5], "share_upper": [0.5, 0.9]})
>>> d = outcome_display(shares, groups=["Charge/summons"])
>>> d.loc[0, "Crime type"], int(d.loc[0, "Crimes"]), d.loc[0, "Charge/summons"]
('Burglary', 20, '25% (10% to 50%)')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sa_lib.data.outcome_search_data import (
    analysis_year,
    kind_months,
    load_csp_searches,
    load_outcomes,
)
from sa_lib.data.periods import Period, calendar_year
from sa_lib.stats.outcomes import (
    AWAITING,
    adjust_family,
    compare_shares,
    outcome_shares,
    shares_from_counts,
)
from sa_lib.stats.stop_search import drugs_alongside_searches, find_rate, search_table
from sa_lib.themes.findings import format_count, format_p
from sa_lib.themes.results import ThemeResult

__all__ = [
    "build",
    "OutcomeResult",
    "SearchResult",
    "outcomes_analysis",
    "search_analysis",
    "outcome_display",
    "outcome_findings",
    "search_findings",
    "plot_outcome_months",
    "plot_searches_drugs",
    "search_note",
]

ASB = "Anti-social behaviour"
DRUGS = "Drugs"
SHOWN_GROUPS = [
    "Charge/summons",
    "Out-of-court",
    "No suspect identified",
    "Evidential difficulties",
    "Under investigation",
    AWAITING,
]


@dataclass
class OutcomeResult:
    """Outcome shares for the CSP's crimes of one year (``year`` None: no outcome files)."""

    year: Period | None
    note: str
    by_type: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_month: pd.DataFrame = field(default_factory=pd.DataFrame)
    last_year: pd.DataFrame | None = None
    vs_last_year: pd.DataFrame | None = None
    vs_force: pd.DataFrame | None = None
    force: pd.DataFrame | None = None
    crimes: int = 0
    unmatched: int = 0
    last_year_period: Period | None = None
    correction: str = "none"


@dataclass
class SearchResult:
    """Stop-and-search in the CSP for one year (``year`` None: no search files)."""

    year: Period | None
    note: str
    searches: pd.DataFrame = field(default_factory=pd.DataFrame)
    dropped: dict = field(default_factory=dict)
    by_object: pd.DataFrame = field(default_factory=pd.DataFrame)
    overall: pd.DataFrame = field(default_factory=pd.DataFrame)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)
    drugs: dict = field(default_factory=dict)


def _forces(ctx) -> list[str] | None:
    f = ctx.crimes.get("force")
    return None if f is None else sorted(f.dropna().unique().tolist()) or None


def _with_total(crimes: pd.DataFrame, outs: pd.DataFrame, conf_level: float) -> pd.DataFrame:
    t = outcome_shares(crimes, outs, by=["crime_type"], conf_level=conf_level)
    allc = outcome_shares(crimes, outs, by=[], conf_level=conf_level)
    allc.insert(0, "crime_type", "All crime")
    return pd.concat([t, allc], ignore_index=True)


def outcomes_analysis(ctx) -> OutcomeResult:
    """Outcome shares by crime type and by month of the crime, against last year and the force.

    The force comparison uses the store's crimes outside this CSP when the store
    holds them (a force-wide ingest), and is left out otherwise.
    """
    months = kind_months(ctx.store, "outcomes")
    year, note = analysis_year(months, ctx.period, "outcomes")
    if year is None:
        return OutcomeResult(None, note)
    forces = _forces(ctx)
    conf = ctx.stats.conf_level
    crimes = ctx.crimes[ctx.crimes["crime_type"] != ASB]
    crimes = crimes[crimes["crime_id"].notna()]
    cur = crimes[crimes["month"].isin(year.months)]
    outs = load_outcomes(ctx.store, [m for m in months if m >= year.months[0]], forces)
    res = OutcomeResult(year, note, crimes=int(len(cur)))
    res.by_type = _with_total(cur, outs, conf)
    res.by_month = outcome_shares(cur, outs, by=["month"], conf_level=conf)
    res.unmatched = int((~outs["crime_id"].isin(crimes["crime_id"])).sum())
    prev = calendar_year(int(year.months[0][:4]) - 1) if year.kind == "year" else None
    if prev is not None and any(m in months for m in prev.months):
        ly = crimes[crimes["month"].isin(prev.months)]
        outs_ly = load_outcomes(ctx.store, [m for m in months if m >= prev.months[0]], forces)
        res.last_year = _with_total(ly, outs_ly, conf)
        res.last_year_period = prev
        res.vs_last_year = _compare(res.by_type, res.last_year, ctx)
    res.force = _force_shares(ctx, year, outs, conf)
    if res.force is not None:
        res.vs_force = _compare(res.by_type, res.force, ctx)
    res.correction = ctx.stats.correction
    return res


def _compare(a: pd.DataFrame, b: pd.DataFrame, ctx, group: str = "Charge/summons") -> pd.DataFrame:
    """The tested share differences of one comparison, adjusted as the page states.

    One family per comparison: the ``group`` share of every crime type (the rows of
    the page's comparison table, suppressed ones included); the all-crime share is
    tested on its own (see :func:`families_note`).
    """
    c = compare_shares(a, b, alpha=ctx.stats.alpha)
    fam = (c["outcome_group"] == group) & (c["crime_type"] != "All crime")
    return adjust_family(c, fam, alpha=ctx.stats.alpha, correction=ctx.stats.correction)


def families_note(res: OutcomeResult, group: str = "Charge/summons") -> str:
    """What forms each family of tests in the comparison table, in words (the rule applied).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"crime_type": ["A", "B", "All crime"], "outcome_group": ["Charge/summons"] * 3,
    ...                   "in_family": [True, True, False]})
    >>> r = OutcomeResult(None, "", vs_force=c, correction="fdr_bh")
    >>> print(families_note(r))  # doctest: +NORMALIZE_WHITESPACE
    Differences are tested with a two-proportion z-test. Against the force: the 2 crime types'
    tests form one family, adjusted together (false discovery rate correction); all crime is
    tested on its own.
    """
    from sa_lib.themes.formatting import correction_words

    parts = []
    ly = res.last_year_period.label if res.last_year_period is not None else "last year"
    for name, cmp_ in ((ly, res.vs_last_year), ("the force", res.vs_force)):
        if cmp_ is None:
            continue
        n = int(cmp_.loc[cmp_["outcome_group"] == group, "in_family"].sum())
        parts.append(
            f"Against {name}: the {n} crime types' tests form one family, adjusted together "
            f"({correction_words(res.correction)}); all crime is tested on its own."
        )
    return " ".join(["Differences are tested with a two-proportion z-test.", *parts])


def _force_shares(ctx, year: Period, outs: pd.DataFrame, conf: float) -> pd.DataFrame | None:
    """The force's outcome shares: from ``data.force_outcomes``, else a force-wide store, else None."""
    path = ctx.path("force_outcomes")
    if path is not None:
        fc = pd.read_csv(path, dtype={"month": str})
        fc = fc[fc["month"].isin(year.months) & (fc["lad_code"] != "(outside force area)")]
        if fc.empty:
            return None
        t = shares_from_counts(fc, by=["crime_type"], conf_level=conf)
        t = t[t["crime_type"] != ASB]
        allc = shares_from_counts(fc[fc["crime_type"] != ASB], by=[], conf_level=conf)
        allc.insert(0, "crime_type", "All crime")
        return pd.concat([t, allc], ignore_index=True)
    rows = _force_crimes(ctx, year)
    if rows is None or rows.empty:
        return None
    return _with_total(rows, outs, conf)


def _force_crimes(ctx, year: Period) -> pd.DataFrame | None:
    """The force's crimes (all CSPs) in ``year``, when the store holds more than this CSP."""
    from sa_lib.data.store import load_street

    rows = load_street(
        ctx.store,
        months=year.months,
        forces=_forces(ctx),
        columns=["crime_id", "crime_type", "lsoa_code"],
    )
    rows = rows[rows["crime_type"] != ASB]
    located = rows["lsoa_code"].dropna()
    if located.isin(ctx.geo.lsoas["lsoa21_code"]).all():
        return None
    return rows[rows["crime_id"].notna()]


def _pct_ci(p: float, lo: float, hi: float) -> str:
    if pd.isna(p):
        return "–"
    return f"{p:.0%} ({lo:.0%} to {hi:.0%})"


def outcome_display(
    shares: pd.DataFrame, groups: Sequence[str] = SHOWN_GROUPS, threshold: int | None = None
) -> pd.DataFrame:
    """One row per crime type: crimes and the share in each outcome group with its CI.

    With ``threshold``, a share whose count is below it (and above 0) shows ``[c]``
    (the crimes column is shown, so the share would reveal the count).
    """
    rows = []
    for ct, g in shares.groupby("crime_type", sort=False):
        g = g.set_index("outcome_group")
        row = {"Crime type": ct, "Crimes": int(g["crimes"].iloc[0])}
        for grp in groups:
            if grp not in g.index:
                row[grp] = "–"
                continue
            r = g.loc[grp]
            small = threshold is not None and 0 < r["count"] < threshold
            row[grp] = "[c]" if small else _pct_ci(r["share"], r["share_lower"], r["share_upper"])
        rows.append(row)
    out = pd.DataFrame(rows)
    order = [c for c in out["Crime type"] if c != "All crime"] + ["All crime"]
    return (
        out.set_index("Crime type")
        .loc[[c for c in order if c in set(out["Crime type"])]]
        .reset_index()
    )


def _points(d: float) -> str:
    r = round(float(d))
    return "0 points" if r == 0 else f"{r:+d} points"


def comparison_display(
    res: OutcomeResult, group: str = "Charge/summons", threshold: int | None = None
) -> pd.DataFrame | None:
    """Charge/summons share by type beside last year and the force, with the tested difference.

    With ``threshold``, a type whose count in the group is below it (and above 0) shows
    ``[c]`` for its share and its differences, as in :func:`outcome_display`.
    """
    t = res.by_type[res.by_type["outcome_group"] == group][["crime_type", "share", "count"]]
    small = (
        (t["count"] > 0) & (t["count"] < threshold)
        if threshold
        else pd.Series(False, index=t.index)
    ).to_numpy()
    out = pd.DataFrame(
        {"Crime type": t["crime_type"].to_numpy(), res.year.label: t["share"].to_numpy()}
    )
    shown = False
    for name, other, cmp_ in (
        ("last year", res.last_year, res.vs_last_year),
        ("force", res.force, res.vs_force),
    ):
        if other is None:
            continue
        shown = True
        c = cmp_[cmp_["outcome_group"] == group].set_index("crime_type")
        out[name.capitalize()] = out["Crime type"].map(c["share_b"])
        out[f"Difference vs {name}"] = [
            "–" if pd.isna(d) else _points(d) + (" significant" if s else " (n.s.)")
            for d, s in zip(
                out["Crime type"].map(c["difference"]),
                out["Crime type"].map(c["significant"]),
                strict=True,
            )
        ]
    if not shown:
        return None
    for col in out.columns[1:]:
        if not str(col).startswith("Difference"):
            out[col] = [f"{v:.0%}" if pd.notna(v) else "–" for v in out[col]]
    hide = [out.columns[1]] + [c for c in out.columns if str(c).startswith("Difference")]
    out.loc[small, hide] = "[c]"
    return out


def month_display(res: OutcomeResult, threshold: int | None = None) -> pd.DataFrame:
    """Crimes by month of the crime: count, charge/summons share and the share still awaiting."""
    m = res.by_month
    rows = []
    for month, g in m.groupby("month", sort=True):
        g = g.set_index("outcome_group")
        awaiting = g.loc[AWAITING, "count"] + g.loc["Under investigation", "count"]
        n = int(g["crimes"].iloc[0])
        ch = g.loc["Charge/summons"]
        small = threshold is not None and 0 < ch["count"] < threshold
        rows.append(
            {
                "Month of crime": pd.Period(month, "M").strftime("%b %Y"),
                "Crimes": n,
                "Charge/summons": "[c]"
                if small
                else _pct_ci(ch["share"], ch["share_lower"], ch["share_upper"]),
                "Awaiting an outcome": int(awaiting),
            }
        )
    return pd.DataFrame(rows)


def plot_outcome_months(res: OutcomeResult, title: str):
    """Share of crimes charged and share still awaiting an outcome, by month of the crime, with CIs."""
    import matplotlib.pyplot as plt

    from sa_lib.style import OKABE_ITO

    m = res.by_month.copy()
    m["date"] = pd.PeriodIndex(m["month"], freq="M").to_timestamp()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    for grp, colour in (("Charge/summons", OKABE_ITO[5]), (AWAITING, OKABE_ITO[1])):
        g = m[m["outcome_group"] == grp].sort_values("date")
        ax.plot(g["date"], 100 * g["share"], marker="o", color=colour, label=grp)
        ax.fill_between(
            g["date"], 100 * g["share_lower"], 100 * g["share_upper"], color=colour, alpha=0.2
        )
    ax.set_ylabel("% of crimes")
    ax.set_ylim(0, 100)
    ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def outcome_findings(res: OutcomeResult, threshold: int, as_findings: bool = False) -> list:
    """Plain-English findings on outcomes (never quoting a count below ``threshold``).

    With ``as_findings``, :class:`~sa_lib.themes.results.Finding` objects with their
    structured fields (the tested comparisons' periods, test and direction).
    """
    if res.year is None:
        return _as([res.note], "Outcomes", as_findings)
    t = res.by_type[res.by_type["crime_type"] == "All crime"].set_index("outcome_group")
    ch = t.loc["Charge/summons"]
    aw = int(t.loc[AWAITING, "count"] + t.loc["Under investigation", "count"])
    out = [
        f"Of {format_count(res.crimes, threshold)} crimes recorded in {res.year.label}, {ch['share']:.0%} "
        f"({ch['share_lower']:.0%} to {ch['share_upper']:.0%}) had led to a charge or summons "
        f"by the latest outcomes published.",
        f"{format_count(aw, threshold)} crimes ({aw / res.crimes:.0%}) were still awaiting an outcome or under "
        "investigation: outcomes arrive months after the crime, so recent months look worse.",
    ]
    nsi = t.loc["No suspect identified"]
    out.append(
        f"{nsi['share']:.0%} were closed with no suspect identified and "
        f"{t.loc['Evidential difficulties', 'share']:.0%} for evidential difficulties."
    )
    out.extend(_share_comparisons(res))
    return _as(out, "Outcomes", as_findings)


def _as(items: list, subject: str, as_findings: bool) -> list:
    """Findings as :class:`Finding` objects (plain sentences given ``subject``), or their texts."""
    from sa_lib.themes.results import Finding

    out = [
        f if isinstance(f, Finding) else Finding(f, subject=subject, measure=subject.lower())
        for f in items
    ]
    return out if as_findings else [f.text for f in out]


def _share_comparisons(res: OutcomeResult) -> list:
    """The all-crime charge/summons share against the year before and the force, as findings.

    Each names both sides of its comparison ("for crimes recorded in 2024 ... the
    force's share for the same year"), never the page's assessment period.
    """
    from sa_lib.themes.results import Finding

    y = res.year.label
    sides = []
    if res.vs_last_year is not None and res.last_year_period is not None:
        ly = res.last_year_period.label
        sides.append((res.vs_last_year, f"the share for crimes recorded in {ly}", (ly, y)))
    if res.vs_force is not None:
        sides.append(
            (
                res.vs_force,
                f"the force's share for crimes recorded in {y}",
                (f"{y} (the force)", y),
            )
        )
    out = []
    for cmp_, other, periods in sides:
        c = cmp_[(cmp_["crime_type"] == "All crime") & (cmp_["outcome_group"] == "Charge/summons")]
        if not len(c):
            continue
        c = c.iloc[0]
        d, sig, p = float(c["difference"]), bool(c["significant"]), float(c["p_value"])
        ptxt = format_p(p)
        head = f"For crimes recorded in {y}, the charge/summons share here ({c['share_a']:.0%}) "
        if sig:
            word = "higher" if d > 0 else "lower"
            text = (
                f"{head}was {abs(d):.0f} points {word} than {other} ({c['share_b']:.0%}; {ptxt})."
            )
        else:
            text = (
                f"{head}was not significantly different from {other} ({c['share_b']:.0%}; {ptxt})."
            )
        out.append(
            Finding(
                text,
                subject="Charge/summons share",
                measure="share of crimes",
                value=d,
                comparison=periods[0],
                periods=periods,
                test="two-proportion z-test",
                tested=True,
                significant=sig,
                direction=("increase" if d > 0 else "decrease") if sig else "none",
            )
        )
    return out


def search_analysis(ctx) -> SearchResult:
    """Searches in the CSP by object and outcome, the find rate, and the monthly drugs series.

    Computed once per pack when the summary and this page are built in one process
    (:func:`sa_lib.memo.shared`).
    """
    from sa_lib import memo

    return memo.shared(ctx, "search_analysis", lambda: _search_analysis(ctx))


def _search_analysis(ctx) -> SearchResult:
    months = kind_months(ctx.store, "stop_and_search")
    year, note = analysis_year(months, ctx.period, "stop_and_search")
    if year is None:
        return SearchResult(None, note)
    s, dropped = load_csp_searches(ctx.store, ctx.geo, year.months, _forces(ctx))
    res = SearchResult(year, note, searches=s, dropped=dropped)
    if s.empty:
        res.note += " No searches were located in the partnership area in that year."
        return res
    conf = ctx.stats.conf_level
    res.by_object = find_rate(s, by=["object_of_search"], conf_level=conf)
    res.overall = find_rate(s, by=[], conf_level=conf)
    res.table = search_table(s, "object_of_search", "outcome")
    drug_s = s[s["object_of_search"] == "Controlled drugs"].groupby("month").size()
    drugs = ctx.crimes[(ctx.crimes["crime_type"] == DRUGS) & ctx.crimes["month"].isin(year.months)]
    present = [m for m in year.months if m in set(months)]
    monthly = pd.DataFrame({"month": present})
    monthly["searches"] = monthly["month"].map(s.groupby("month").size()).fillna(0).astype(int)
    monthly["drug_searches"] = monthly["month"].map(drug_s).fillna(0).astype(int)
    monthly["drug_crimes"] = (
        monthly["month"].map(drugs.groupby("month").size()).fillna(0).astype(int)
    )
    res.monthly = monthly
    res.drugs = drugs_alongside_searches(monthly, alpha=ctx.stats.alpha)
    return res


def find_display(by_object: pd.DataFrame) -> pd.DataFrame:
    """Searches, finds and the find rate with its CI, by object of search."""
    return pd.DataFrame(
        {
            "Object of search": by_object["object_of_search"].to_numpy(),
            "Searches": by_object["searches"].to_numpy(),
            "Finds": by_object["finds"].to_numpy(),
            "Find rate": [f"{p:.0%}" for p in by_object["find_rate"]],
            "95% CI": [
                f"{lo:.0%} to {hi:.0%}"
                for lo, hi in zip(by_object["find_lower"], by_object["find_upper"], strict=True)
            ],
        }
    )


def monthly_display(monthly: pd.DataFrame) -> pd.DataFrame:
    """Searches, drug searches and recorded drug offences by month."""
    return pd.DataFrame(
        {
            "Month": [pd.Period(m, "M").strftime("%b %Y") for m in monthly["month"]],
            "Searches": monthly["searches"].to_numpy(),
            "Drug searches": monthly["drug_searches"].to_numpy(),
            "Drug offences recorded": monthly["drug_crimes"].to_numpy(),
        }
    )


def plot_searches_drugs(monthly: pd.DataFrame, title: str):
    """Drug searches and recorded drug offences per month, on one axis."""
    import matplotlib.pyplot as plt

    from sa_lib.style import OKABE_ITO

    d = pd.PeriodIndex(monthly["month"], freq="M").to_timestamp()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.plot(d, monthly["drug_searches"], marker="o", color=OKABE_ITO[5], label="Searches for drugs")
    ax.plot(
        d, monthly["drug_crimes"], marker="s", color=OKABE_ITO[6], label="Drug offences recorded"
    )
    ax.set_ylabel("per month")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def search_findings(res: SearchResult, threshold: int, as_findings: bool = False) -> list:
    """Plain-English findings on stop and search (counts below ``threshold`` not quoted).

    With ``as_findings``, :class:`~sa_lib.themes.results.Finding` objects (the drugs
    correlation with its test).
    """
    if res.year is None or res.searches.empty:
        return _as([res.note], "Stop and search", as_findings)
    o = res.overall.iloc[0]
    n = int(o["searches"])
    top = res.by_object.iloc[0]
    out = [
        f"{format_count(n, threshold)} searches were located in the area in {res.year.label}; the most common object "
        f"was {str(top['object_of_search']).lower()} ({top['searches'] / n:.0%} of searches).",
        f"{o['find_rate']:.0%} of searches ({o['find_lower']:.0%} to {o['find_upper']:.0%}) found "
        f"what was searched for; {o['no_further_action'] / n:.0%} ended with no further action.",
    ]
    d = res.drugs
    from sa_lib.themes.results import Finding

    if d.get("rises_with_searches"):
        out.append(
            Finding(
                f"Recorded drug offences rose and fell with drug searches month by month (Spearman "
                f"rho {d['rho']:.2f}, p = {d['p_value']:.3f}): drug offences are largely found by "
                "police activity, so this is a correlation, not proof of cause: a change in "
                "recorded drug crime may reflect a change in searching rather than in drug use "
                "or supply.",
                subject="Drugs",
                measure="correlation with drug searches",
                value=float(d["rho"]),
                test="Spearman correlation",
                tested=True,
                significant=True,
                periods=(res.year.label, res.year.label),
            )
        )
    elif np.isfinite(d.get("rho", np.nan)):
        out.append(
            Finding(
                f"Recorded drug offences did not move significantly with drug searches month by "
                f"month (Spearman rho {d['rho']:.2f}, p = {d['p_value']:.2f}); drug offences are "
                "largely found by police activity, so read the drugs trend beside searches.",
                subject="Drugs",
                measure="correlation with drug searches",
                value=float(d["rho"]),
                test="Spearman correlation",
                tested=True,
                significant=False,
            )
        )
    return _as(out, "Stop and search", as_findings)


def search_note(res: SearchResult, threshold: int) -> str:
    """What the search tables leave out: unlocated searches and searches with no recorded link."""
    blank = int(res.overall["link_blank"].iloc[0]) if len(res.overall) else 0
    return (
        f"{format_count(res.dropped.get('no_location', 0), threshold)} searches by the force had no "
        f"location and cannot be placed in any area; {format_count(blank, threshold)} searches in "
        "the area had no recorded link between outcome and object (counted as not a find)."
    )


# --------------------------------------------------------------------------- the theme result


def build(ctx) -> ThemeResult:
    """Compute the outcomes and stop-and-search page once: every section, finding and table.

    Sections: ``header``, ``findings``, ``outcomes``, ``comparison``, ``months``,
    ``searches``, ``drugs``, ``methods``. A measure the store cannot support
    (no outcome files for the year, no search files, no year before) is in
    ``availability`` with its reason, and said on the page in its section.

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> result = build(open_context("parameters/huntingdonshire_2025q4.yaml", "outcomes"))  # doctest: +SKIP
    >>> sorted(result.sections)[:3]  # doctest: +SKIP
    ['comparison', 'drugs', 'findings']
    """
    from sa_lib.themes import report

    r = report.new_result(ctx, "outcomes", "Outcomes and stop and search")
    res = outcomes_analysis(ctx)
    search = search_analysis(ctx)
    subtitle = "Outcomes and stop and search"
    if res.year is not None:
        # Outcomes arrive months after the crime: the page reads the latest year that has
        # them, and says so where the period is named (issue 21: titled Q4 2025, showed 2024).
        subtitle += f": crimes recorded in {res.year.label}"
        r.period_label = f"crimes recorded in {res.year.label} (the latest year with outcomes)"
    # The page's comparisons are with the year before and the force, each named in its
    # finding: the assessment period's comparison quarter is not what they compare.
    r.against_label = ""
    with r.section("header"):
        report.show_header(ctx, subtitle)
    thr = ctx.disclosure.threshold
    with r.section("findings"):
        report.show_findings(
            outcome_findings(res, thr, as_findings=True)
            + search_findings(search, thr, as_findings=True)
        )
    _outcome_sections(r, ctx, res)
    _search_sections(r, ctx, search)
    with r.section("methods"):
        report.show_methods(
            ctx,
            {
                "outcome year": res.year.label if res.year is not None else "not available",
                "stop-and-search year": search.year.label
                if search.year is not None
                else "not available",
                "outcomes not matched to the area's crimes": f"{res.unmatched:,} (earlier crimes, "
                "or crimes elsewhere in the force)",
            },
        )
    return r


def _outcome_sections(r: ThemeResult, ctx, res: OutcomeResult) -> None:
    from sa_lib.themes import report

    thr = ctx.disclosure.threshold
    with r.section("outcomes"):
        report.note(res.note)
        if res.year is None:
            r.unavailable("outcomes", res.note)
        else:
            report.show_table(
                outcome_display(res.by_type, threshold=thr),
                count_cols=["Crimes"],
                threshold=thr,
                secondary=False,
                caption=f"Outcome of crimes recorded in {res.year.label}, by crime type",
            )
    with r.section("comparison"):
        cmp_table = comparison_display(res, threshold=thr) if res.year is not None else None
        if cmp_table is None:
            reason = (
                "A comparison with last year or the force is not available: the store holds no "
                "outcome files for the year before, and no force-wide outcome counts were given."
            )
            r.unavailable("outcome comparison", reason, note=True)
        else:
            report.show_table(cmp_table, caption="Share of crimes charged or summonsed")
            report.note(families_note(res))
            if res.last_year is None:
                r.unavailable(
                    "outcomes last year",
                    "Last year: not available (no outcome files for the year before are in the "
                    "store).",
                    note=True,
                )
    with r.section("months"):
        if res.year is not None:
            plot_outcome_months(
                res,
                f"Charge/summons and awaiting an outcome, by month of the crime ({res.year.label})",
            )
            report.show_table(
                month_display(res, threshold=thr),
                count_cols=["Crimes", "Awaiting an outcome"],
                threshold=thr,
                secondary=False,
                caption="Crimes by month of the crime",
            )


def _search_sections(r: ThemeResult, ctx, search: SearchResult) -> None:
    from sa_lib.themes import report

    dis = ctx.disclosure
    thr = dis.threshold
    with r.section("searches"):
        report.note(search.note)
        if search.searches.empty:
            r.unavailable("stop and search", search.note)
        else:
            report.show_table(
                search.table.rename(columns={"object_of_search": "Object of search"}),
                count_cols=[c for c in search.table.columns if c != "object_of_search"],
                threshold=thr,
                secondary=dis.secondary,
                caption=f"Searches by object of search and outcome, {search.year.label}",
            )
            report.show_table(
                find_display(search.by_object),
                count_cols=["Searches", "Finds"],
                threshold=thr,
                secondary=False,
                derived={"Find rate": ["Searches", "Finds"], "95% CI": ["Searches", "Finds"]},
                caption="Find rate by object of search",
            )
            report.note(search_note(search, thr))
    with r.section("drugs"):
        if not search.searches.empty:
            plot_searches_drugs(
                search.monthly,
                f"Searches for drugs and drug offences recorded, {search.year.label}",
            )
            report.show_table(
                monthly_display(search.monthly),
                count_cols=["Searches", "Drug searches", "Drug offences recorded"],
                threshold=thr,
                secondary=False,
                caption="Searches and drug offences by month",
            )
