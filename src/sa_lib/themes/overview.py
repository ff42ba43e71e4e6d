"""The overview and end-of-year review page: all crime and ASB, computed once by :func:`build`.

:func:`analysis` makes every series, trend and control-chart call once and keeps
the frames (the summary reads them from ``result.data``); :func:`build` lays them
out as the page's sections, in the order the notebook shows them. The display
helpers only the overview uses live here too (key findings, harm, the wider-area
comparison, the concentration, trend and target tables).

Examples
--------
>>> import pandas as pd
>>> trend_display(pd.DataFrame()).columns.tolist()
['Crime type', 'Trend', 'Change a year', '95% CI', 'p']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sa_lib.themes import report, results
from sa_lib.themes.findings import change_tests_note
from sa_lib.themes.harm_input import harm_input
from sa_lib.themes.results import ThemeResult

__all__ = [
    "Analysis",
    "analysis",
    "build",
    "overview_findings",
    "show_wider_comparison",
    "show_harm",
    "concentration_display",
    "trend_display",
    "target_display",
]

TITLE = "Overview and end-of-year review"
ASB = "Anti-social behaviour"
NO_FORCE_COUNTS = (
    "No force-wide counts were given, so the comparison with the wider area is skipped."
)
NO_CHANGE = (
    "Neither the previous period nor the same period last year is available in the data, "
    "so no change is reported."
)


@dataclass
class Analysis:
    """The overview's tables and series, each computed once.

    ``types`` and ``wards`` are :mod:`sa_lib.themes.summary` tables (by crime type,
    and by ward excluding ASB); ``monthly`` the monthly counts by type over the
    series months; ``total`` the monthly all-crime (excluding ASB) counts and
    ``chart`` their XmR chart (None when the series is too short); ``major`` the types given a trend chart;
    ``trends`` and ``targets`` the trend and target tables.
    """

    types: pd.DataFrame
    wards: pd.DataFrame
    monthly: pd.DataFrame
    total: pd.DataFrame
    chart: pd.DataFrame | None
    major: list[str]
    trends: pd.DataFrame
    targets: pd.DataFrame

    def frames(self) -> dict[str, object]:
        """The named frames a result keeps in ``data`` for other themes."""
        return {
            "types": self.types,
            "wards": self.wards,
            "monthly": self.monthly,
            "monthly_total": self.total,
            "spc": self.chart,
            "major_types": self.major,
            "trends": self.trends,
            "targets": self.targets,
        }


def analysis(ctx) -> Analysis:
    """Compute the overview's type and ward tables, monthly series, XmR chart, trends and targets.

    Each is computed once: :func:`build` shows them and keeps them in ``result.data``.
    """
    from sa_lib.data import counts
    from sa_lib.themes import summary
    from sa_lib.themes.assessment import ward_table

    st = ctx.stats
    tests = {
        "conf_level": st.conf_level,
        "alpha": st.alpha,
        "correction": st.correction,
        "series_months": ctx.series_months,
    }
    types = summary.type_summary(
        ctx.crimes, ctx.periods, ctx.geo.population, rate_per=ctx.rate_per, **tests
    )
    # The summary's ward analysis starts from the same table (computed once per pack).
    wards = ward_table(ctx)
    series = ctx.series()
    monthly = counts.monthly_counts(series, by="crime_type")
    total = counts.monthly_counts(series[series["crime_type"] != ASB], by=None)
    chart = report.xmr_or_none(total, ctx.annotations, "Violence and sexual offences")
    major = report.major_types(types, ctx)
    trends = summary.trend_table(monthly, major, alpha=st.alpha)
    targets = summary.target_table(
        monthly, [t.to_dict() for t in ctx.params.targets], alpha=st.alpha
    )
    return Analysis(types, wards, monthly, total, chart, major, trends, targets)


def build(ctx) -> ThemeResult:
    """Compute the overview page once: every section, finding and table.

    Sections: ``header``, ``findings``, ``types``, ``harm``, ``monthly``, ``spc``,
    ``trend``, ``wards``, ``ward_map``, ``comparison``, ``concentration``,
    ``quality``, ``methods``. A measure the data cannot support (no comparison
    period, no harm weights, a series too short for a trend, no force-wide counts)
    is in ``availability`` with its reason. ``data`` keeps the frames the summary
    reads (see :meth:`Analysis.frames`).

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> result = build(open_context("parameters/huntingdonshire_2025q4.yaml", "overview"))  # doctest: +SKIP
    >>> list(result.sections)[:3]  # doctest: +SKIP
    ['header', 'findings', 'types']
    """
    r = report.new_result(ctx, "overview", TITLE)
    with r.section("header"):
        report.show_header(ctx, TITLE)
        # Inside the header section: a library warning while computing becomes a note
        # after the header, where the notebook's computing cell showed it.
        a = analysis(ctx)
    r.data.update(a.frames())
    with r.section("findings"):
        if not ({"last_year", "previous"} & set(ctx.periods)):
            r.unavailable("change", NO_CHANGE)
        report.show_findings(
            overview_findings(
                a.types, a.wards, ctx, chart=a.chart, trends=a.trends, targets=a.targets
            )
        )
        key = next((k for k in ("last_year", "previous") if k in ctx.periods), None)
        if key:
            # How the changes were tested, from the tests that ran (not a fixed string).
            report.note(change_tests_note(a.types, key, ctx.stats.correction))
    _type_sections(r, ctx, a)
    _series_sections(r, ctx, a)
    _ward_sections(r, ctx, a)
    with r.section("comparison"):
        if ctx.force_counts is None:
            r.unavailable("wider comparison", NO_FORCE_COUNTS, note=True)
        else:
            r.data["comparison"] = show_wider_comparison(ctx)
    _concentration_section(r, ctx)
    _quality_section(r, ctx)
    with r.section("methods"):
        report.show_methods(ctx)
    return r


def _type_sections(r: ThemeResult, ctx, a: Analysis) -> None:
    with r.section("types"):
        report.show_summary(a.types, ctx, caption=f"Crime and ASB by type, {ctx.csp_name}")
    with r.section("harm"):
        r.data["harm"] = show_harm(ctx, a.types)


def _series_sections(r: ThemeResult, ctx, a: Analysis) -> None:
    from sa_lib.charts.monthly import plot_monthly_trends
    from sa_lib.charts.spc import plot_xmr
    from sa_lib.charts.trend import plot_target

    thr = ctx.disclosure.threshold
    with r.section("monthly"):
        plot_monthly_trends(a.monthly, a.major, ctx.annotations, ctx.period, suppress_below=thr)
        report.show_breaks(
            ctx.annotations, a.monthly["month_start"].min(), a.monthly["month_start"].max()
        )
    with r.section("spc"):
        if a.chart is None:
            r.unavailable("control chart", report.spc_unavailable(len(a.total)), note=True)
        else:
            plot_xmr(
                a.chart,
                title="All crime (excluding ASB): monthly XmR chart",
                ylabel="Crimes per month",
            )
            report.show_spc_summary(a.chart, threshold=thr)
    with r.section("trend"):
        if ctx.series_note:
            report.note(ctx.series_note)
        if a.trends.attrs.get("too_short"):
            r.unavailable("trend", a.trends.attrs["too_short"], note=True)
        else:
            report.show_table(
                trend_display(a.trends),
                caption="Trend per year, all months the force holds up to the end of the period",
            )
        if len(a.targets):
            report.show_table(target_display(a.targets), caption="Targets from the parameters")
            for name, res in a.targets.attrs["results"].items():
                plot_target(res, title=f"Target: {name}")


def _ward_sections(r: ThemeResult, ctx, a: Analysis) -> None:

    thr = ctx.disclosure.threshold
    with r.section("wards"):
        report.show_summary(
            report.top_ranked(a.wards, ctx, ctx.options.top_wards),
            ctx,
            full=a.wards,
            label_col="ward_name",
            label="Ward",
            caption=f"Top wards by crime rate, {ctx.period.label} "
            f"(wards with fewer than {thr} crimes are not ranked)",
        )
    with r.section("ward_map"):
        report.show_ward_map(
            ctx,
            a.wards,
            f"Crime rate by ward, {ctx.period.label}",
            more="The map works offline: no map tiles are fetched.",
        )


def _concentration_section(r: ThemeResult, ctx) -> None:
    from sa_lib.charts.concentration import plot_lorenz
    from sa_lib.data import counts
    from sa_lib.stats import concentration

    with r.section("concentration"):
        lsoa_counts = counts.area_counts(
            ctx.in_period("current"), ctx.geo.lsoas, "lsoa21_code", ctx.period.months
        )
        conc = concentration.concentration_summary(lsoa_counts, "count")
        r.data["lsoa_counts"], r.data["concentration"] = lsoa_counts, conc
        report.show_table(concentration_display(conc))
        plot_lorenz(
            lsoa_counts,
            "count",
            title=f"Lorenz curve of crime and ASB across LSOAs, {ctx.period.label}",
        )


def _quality_section(r: ThemeResult, ctx) -> None:
    from sa_lib.data import quality

    with r.section("quality"):
        dq = quality.data_quality(
            ctx.crimes[ctx.crimes["month"].isin(ctx.months_in_view)],
            ctx.no_location,
            ctx.geo.boundary,
            ctx.months_wanted,
            ctx.months_present,
            force_located_rows=ctx.force_located_count,
            identical_dropped=_identical_dropped(ctx),
        )
        r.data["data_quality"] = dq
        report.show_table(
            dq, count_cols=["value"], threshold=ctx.disclosure.threshold, secondary=False
        )


def latest_words(res: pd.DataFrame, now: str, then: str) -> dict[str, str]:
    """Each label's tested change in words, to put beside its target's extrapolation.

    Examples
    --------
    >>> t = pd.DataFrame({"label": ["ASB"], "pct_change": [-1.2], "significant": [False]})
    >>> latest_words(t, "Q4 2025", "Q4 2024")["ASB"]
    'the latest quarter, Q4 2025, was 1% lower than Q4 2024 (not significant)'
    """
    out = {}
    kind = "quarter" if now.startswith("Q") else "period"
    for lab, pct, sig in res[["label", "pct_change", "significant"]].itertuples(index=False):
        if pd.isna(pct):
            continue
        way = "higher" if pct > 0 else "lower"
        word = "significant" if sig else "not significant"
        out[lab] = f"the latest {kind}, {now}, was {abs(pct):.0f}% {way} than {then} ({word})"
    return out


def _identical_dropped(ctx) -> int | None:
    """Street rows of the force's months in view kept as one record at ingest (ingest log)."""
    from sa_lib.data.store import store_summary

    log = store_summary(ctx.store)
    forces = ctx.forces or sorted({k.split("/")[1] for k in log if k.startswith("street/")})
    keys = [f"street/{f}/{m}" for f in forces for m in ctx.months_in_view]
    held = [log[k] for k in keys if k in log]
    return sum(int(e.get("rows_duplicate", 0) or 0) for e in held) if held else None


def overview_findings(
    types: pd.DataFrame,
    wards: pd.DataFrame,
    ctx,
    chart=None,
    trends=None,
    targets=None,
    max_findings: int = 8,
) -> list:
    """Key findings for the overview, from the tested tables (see :func:`sa_lib.themes.findings.key_findings`).

    Changes are read against the same period last year when it is held, else the
    previous period; with neither, the first finding says no change is reported.
    The last finding names the ward with the highest rate among wards whose counts
    are shown, "one of the highest" when its interval overlaps the next ward's.
    """
    from sa_lib.themes.findings import key_findings, ranked_sentence
    from sa_lib.themes.summary import change_table

    key = "last_year" if "last_year" in ctx.periods else "previous"
    tested = {
        "trends": trends.attrs.get("results") if trends is not None else None,
        "spc": {"All crime (excluding ASB)": chart} if chart is not None else None,
        "targets": targets.attrs.get("results") if targets is not None else None,
        "suppress_below": ctx.disclosure.threshold,
        "max_findings": max_findings,
    }
    if key not in ctx.periods:
        empty = pd.DataFrame(
            columns=["label", "count_before", "count_after", "p_value", "significant"]
        )
        return [NO_CHANGE, *key_findings(empty, **tested, as_findings=True)]
    res = change_table(types, key, alpha=ctx.stats.alpha, correction=ctx.stats.correction)
    res = res[~res["label"].isin(report.withheld(types, ctx, key=key))]
    tested["latest"] = latest_words(res, ctx.period.label, ctx.periods[key].label)
    res = res.assign(label=res["label"].replace({"All crime": "All crime (excluding ASB)"}))
    before = ctx.periods[key].label
    lead = results.Finding(
        f"Compared with {before} (changes tested at the "
        f"{float(ctx.stats.alpha):.0%} level, "
        f"{report.correction_words(ctx.stats.correction)} across crime types):",
        comparison=before,
    )
    out = [lead, *key_findings(res, **tested, comparison=before, as_findings=True)]
    shown = report.shown_wards(wards, ctx)
    if len(shown):
        # "the highest" only when its interval is clear of the next ward's, and only
        # among wards whose counts are shown.
        out.append(
            results.Finding(
                ranked_sentence(
                    shown,
                    "ward_name",
                    "crime rate",
                    f"{ctx.rate_label} a year",
                    conf_level=ctx.stats.conf_level,
                ),
                subject="Wards",
                measure="ward rate",
            )
        )
    return out


def _show_fig(fig) -> None:
    results.emit(results.figure(fig))


def wider_area_rates(
    ctx, exclude_types: Sequence[str] = ("Anti-social behaviour",)
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The CSP, its peers and the wider area: counts per area and their compared rates.

    Returns ``(areas, comp)``: the counts and populations per area (from
    ``data.force_counts``), and :func:`sa_lib.stats.comparison.compare_areas` of them
    against the wider area, rates annualised (per resident per year).
    """
    from sa_lib.stats import comparison

    wider = ctx.params.comparison.wider_area_name
    peers = ctx.params.comparison.peers
    areas = comparison.wider_area_counts(
        ctx.force_counts,
        ctx.period.months,
        exclude_types=exclude_types,
        wider_area_name=wider,
        areas=list(ctx.params.csp.lad_codes) + list(peers),
    )
    areas["person_years"] = areas["population"] * ctx.period.n_months / 12
    comp = comparison.compare_areas(
        areas,
        "area",
        "count",
        "person_years",
        per=ctx.rate_per,
        conf_level=ctx.stats.conf_level,
        reference=wider,
    )
    return areas, comp


def _comparison_table(ctx, comp: pd.DataFrame, wider: str) -> None:
    shown = pd.DataFrame(
        {
            "Area": comp["area"],
            "Crimes": comp["count"].astype("int64"),
            "Population": comp["population"].astype("int64"),
            f"Rate {ctx.rate_label} a year": comp["rate"].round(1),
            "95% CI": [
                f"{lo:.1f} to {hi:.1f}"
                for lo, hi in zip(comp["rate_lower"], comp["rate_upper"], strict=True)
            ],
            f"Against the {wider}": comp["comparison"].replace({"reference": "(reference)"}),
        }
    )
    report.show_table(
        shown,
        count_cols=["Crimes"],
        threshold=ctx.disclosure.threshold,
        secondary=False,
        derived={
            c: ["Crimes"]
            for c in shown.columns
            if c.startswith("Rate") or c == "95% CI" or c.startswith("Against the")
        },
        caption=f"All crime (excluding ASB), {ctx.period.label}: {wider} and its districts",
    )


def _funnel(ctx, areas: pd.DataFrame, wider: str, highlight) -> None:
    import warnings

    from sa_lib.charts.comparison import plot_funnel
    from sa_lib.stats import comparison

    # Residents on the x axis: rates per resident-year are the same as rates per
    # resident scaled to a year (per x 12 / months), and so are the limits.
    per = ctx.rate_per * 12 / ctx.period.n_months
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the few-areas caveat is in the note below
        disp = comparison.funnel_overdispersion(
            areas,
            "area",
            "count",
            "population",
            per=per,
            reference=wider,
            method=ctx.params.comparison.funnel_overdispersion or "additive",
        )
    _show_fig(
        plot_funnel(
            areas,
            "area",
            "count",
            "population",
            per=per,
            reference=wider,
            highlight=highlight,
            title=f"Funnel plot against the {wider} rate, {ctx.period.label}",
            xlabel="Residents (Census 2021)",
            ylabel=f"Crimes {ctx.rate_label} a year",
            dispersion=disp,
        )
    )
    report.note(disp.describe())


def show_wider_comparison(
    ctx, exclude_types: Sequence[str] = ("Anti-social behaviour",)
) -> pd.DataFrame | None:
    """Compare the CSP's crime rate with the wider area and its peers: table, CI chart, funnel plot.

    Uses ``data.force_counts`` and ``comparison.peers`` from the parameters. Rates are
    annualised (per resident per year) so quarters and years compare. Returns the
    comparison table (see :func:`sa_lib.stats.comparison.compare_areas`), or None with a
    note when no force-wide counts are given. An area whose count is suppressed is
    left out of the charts.
    """
    from sa_lib.charts.comparison import plot_rates_with_ci

    if ctx.force_counts is None:
        report.note(NO_FORCE_COUNTS)
        return None
    wider = ctx.params.comparison.wider_area_name
    areas, comp = wider_area_rates(ctx, exclude_types)
    csp_rows = comp[comp["lad_code"].isin(ctx.params.csp.lad_codes)]
    highlight = csp_rows["area"].iloc[0] if len(csp_rows) else None
    _comparison_table(ctx, comp, wider)
    thr = ctx.disclosure.threshold
    small = (comp["count"] > 0) & (comp["count"] < thr)
    comp_plot = comp
    if small.any():
        report.note(
            f"{int(small.sum())} area(s) with fewer than {thr} crimes are left out of the charts."
        )
        comp_plot = comp[~small]
        areas = areas[areas["area"].isin(comp_plot["area"])]
    _show_fig(
        plot_rates_with_ci(
            comp_plot,
            "area",
            highlight=highlight,
            per=ctx.rate_per,
            title=f"Crime rate per {ctx.rate_per:,} residents a year, {ctx.period.label} (95% CI)",
        )
    )
    if len(areas) > 3:
        _funnel(ctx, areas, wider, highlight)
    return comp


def show_harm(ctx, types: pd.DataFrame) -> pd.DataFrame:
    """Harm-weighted totals beside counts, naming the weights' source; ASB reported separately.

    The weights are the partnership's own ``data.harm_weights`` table when given, else the
    shipped Cambridge Crime Harm Index default (:mod:`sa_lib.themes.harm_input`).
    """
    from sa_lib.stats import harm

    h = harm_input(ctx)
    rows = types[types["crime_type"] != "All crime"]
    weighted = rows["crime_type"].isin(h.weights.index)
    res = harm.harm_weighted(
        rows[weighted].rename(columns={"count_current": "count"})[["crime_type", "count"]],
        h.weights,
        population_col=None,
    )
    shown = res.rename(
        columns={"crime_type": "Crime type", "count": "Count", "weight": h.unit.capitalize()}
    )
    shown["Harm"] = res["harm"].round(0)
    shown["Share of harm"] = [f"{v:.0%}" for v in res["harm_share"]]
    report.show_table(
        shown[["Crime type", "Count", h.unit.capitalize(), "Harm", "Share of harm"]],
        count_cols=["Count"],
        threshold=ctx.disclosure.threshold,
        derived={"Harm": ["Count"], "Share of harm": ["Count"]},
        caption=f"Harm-weighted crime, {ctx.period.label}",
    )
    report.note(h.sentence())
    thr = ctx.disclosure.threshold
    for t, n in rows.loc[~weighted, ["crime_type", "count_current"]].itertuples(index=False):
        n = int(n)
        report.note(h.separate_sentence(t, f"fewer than {thr}" if 0 < n < thr else f"{n:,}"))
    return res


def concentration_display(conc: pd.DataFrame) -> pd.DataFrame:
    """The concentration summary as a two-column table a reader can follow.

    Examples
    --------
    >>> conc = pd.DataFrame([{"n_places": 100, "n_crimes": 40, "share_top_5pct": 0.3,
    ...     "share_top_10pct": 0.45, "places_for_50pct": 12, "pct_places_for_50pct": 12.0,
    ...     "gini": 0.61, "gini_generalised": 0.52, "sparse": True, "note": "sparse"}])
    >>> concentration_display(conc).iloc[7]["Value"]
    'generalised Gini (fewer crimes than places)'
    """
    r = conc.iloc[0]
    rows = [
        ("Places (LSOAs)", f"{int(r['n_places']):,}"),
        ("Crimes and ASB incidents", f"{int(r['n_crimes']):,}"),
        ("Share in the top 5% of places", f"{r['share_top_5pct']:.0%}"),
        ("Share in the top 10% of places", f"{r['share_top_10pct']:.0%}"),
        (
            "Places holding half of all incidents",
            f"{int(r['places_for_50pct'])} ({r['pct_places_for_50pct']:.0f}%)",
        ),
        ("Gini coefficient", f"{r['gini']:.2f}"),
        ("Generalised Gini (Bernasco & Steenbeek 2017)", f"{r['gini_generalised']:.2f}"),
        ("Which to read", "generalised Gini (fewer crimes than places)" if r["sparse"] else "Gini"),
        ("Reading", str(r["note"])),
    ]
    return pd.DataFrame(rows, columns=["Measure", "Value"])


def trend_display(trends: pd.DataFrame) -> pd.DataFrame:
    """Trend table for readers: direction, % a year with CI, p-value.

    Examples
    --------
    >>> t = pd.DataFrame({"crime_type": ["Burglary"], "direction": ["decreasing"],
    ...     "pct_per_year": [-8.04], "pct_lower": [-12.0], "pct_upper": [-4.1], "p_value": [0.0004]})
    >>> trend_display(t).iloc[0].tolist()
    ['Burglary', 'decreasing', '-8.0%', '-12.0% to -4.1%', '<0.001']
    """
    if trends.empty:
        return pd.DataFrame(columns=["Crime type", "Trend", "Change a year", "95% CI", "p"])
    return pd.DataFrame(
        {
            "Crime type": trends["crime_type"],
            "Trend": trends["direction"],
            "Change a year": [f"{v:+.1f}%" for v in trends["pct_per_year"]],
            "95% CI": [
                f"{lo:+.1f}% to {hi:+.1f}%"
                for lo, hi in zip(trends["pct_lower"], trends["pct_upper"], strict=True)
            ],
            "p": [f"{p:.3f}" if p >= 0.001 else "<0.001" for p in trends["p_value"]],
        }
    )


def target_display(targets: pd.DataFrame) -> pd.DataFrame:
    """Target table for readers: the target, its baseline and value, the projection and status."""
    if targets.empty:
        return pd.DataFrame(columns=["Target", "Baseline", "Target value", "Projected", "Status"])
    return pd.DataFrame(
        {
            "Target": [
                f"{t}: {b}→{y}"
                for t, b, y in zip(
                    targets["crime_type"],
                    targets["baseline_year"],
                    targets["target_year"],
                    strict=True,
                )
            ],
            "Baseline": targets["baseline"].round(0).astype("int64"),
            "Target value": targets["target"].round(0).astype("int64"),
            "Projected": [
                f"{p:,.0f} ({lo:,.0f} to {hi:,.0f})"
                for p, lo, hi in zip(
                    targets["projected"],
                    targets["projected_lower"],
                    targets["projected_upper"],
                    strict=True,
                )
            ],
            "Status": targets["status"],
        }
    )
