"""Child sexual exploitation (CSE) theme: the page, built once by :func:`build`.

``build(ctx)`` computes the CSE page (ward risk index, priority wards and how stable
they are, the previous assessment, the priority wards' counts, banded trends) and
returns a :class:`~sa_lib.themes.results.ThemeResult`; ``notebooks/cse.ipynb`` only
renders it. Every table is a result table shown by the one table renderer
(:mod:`sa_lib.themes.render`), so it reaches the pack's downloads. CSE is a sensitive
theme: counts pass the strictest disclosure control (secondary suppression always),
standardised values and quarterly totals are shown as bands.

The pieces live by concept: :mod:`sa_lib.themes.cse_data` (inputs, index settings,
bands, trends), :mod:`sa_lib.themes.cse_display` (safe tables, key findings, settings)
and :mod:`sa_lib.themes.cse_charts` (banded charts); their public names are importable
from here too.

Examples
--------
>>> from sa_lib.pack.context import open_context  # doctest: +SKIP
>>> result = build(open_context("parameters/huntingdonshire_2025q4.yaml", "cse"))  # doctest: +SKIP
>>> list(result.sections)[:3]  # doctest: +SKIP
['header', 'findings', 'sources']
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sa_lib.themes.cse_data import (
    BAND_COLOURS,
    BAND_CUTS,
    BAND_LABELS,
    BAND_SHORT,
    DENOMINATORS,
    LABELS,
    SCORES,
    annual_change,
    band_levels,
    band_text,
    deprivation_correlation,
    district_quarterly,
    generate_previous_priority,
    index_settings,
    indicator_rates,
    is_synthetic_file,
    label,
    load_indicators,
    load_quarterly,
    quarterly_bands,
    trend_bands,
)
from sa_lib.themes.cse_display import (
    annual_display,
    band_styles,
    comparison_display,
    index_display,
    indicator_table,
    input_rows,
    inputs_frame,
    key_findings,
    methods_extra,
    priority_counts,
    quarterly_display,
    safe_table,
    stability_display,
    synthetic_warning_html,
)
from sa_lib.themes.results import ThemeResult

__all__ = [
    "build",
    "CseAnalysis",
    "analyse",
    "BAND_COLOURS",
    "BAND_CUTS",
    "BAND_LABELS",
    "BAND_SHORT",
    "DENOMINATORS",
    "LABELS",
    "SCORES",
    "annual_change",
    "annual_display",
    "band_levels",
    "band_styles",
    "band_text",
    "comparison_display",
    "deprivation_correlation",
    "district_quarterly",
    "generate_previous_priority",
    "index_display",
    "index_settings",
    "indicator_rates",
    "indicator_table",
    "input_rows",
    "inputs_frame",
    "is_synthetic_file",
    "key_findings",
    "label",
    "load_indicators",
    "load_quarterly",
    "methods_extra",
    "priority_counts",
    "quarterly_bands",
    "quarterly_display",
    "safe_table",
    "stability_display",
    "synthetic_warning_html",
    "trend_bands",
]

#: Old private name, still read by :mod:`sa_lib.themes.assessment`.
_is_synthetic_file = is_synthetic_file

#: The quarterly series of the trends section: reader's name -> column.
SERIES = {"CSE-flagged crimes": "cse_crimes", "CSE referrals": "cse_referrals"}

#: Said on the page (and held as the reason) when no previous priority wards are given.
NO_PREVIOUS = (
    "No previous priority wards were given (data.previous_priority_wards), so there is no "
    "comparison."
)


@dataclass
class CseAnalysis:
    """Everything the CSE page shows, computed once (see :func:`analyse`)."""

    ind: pd.DataFrame
    quarterly: pd.DataFrame
    spec: dict
    rates: pd.DataFrame
    idx: pd.DataFrame
    priority: pd.DataFrame
    stability: pd.DataFrame
    comparison: pd.DataFrame | None
    banded: pd.DataFrame
    annual: pd.DataFrame | None

    @property
    def priority_codes(self) -> list[str]:
        return self.priority["ward_code"].tolist()


def analyse(ctx) -> CseAnalysis:
    """Read the partner files and compute the index, priority wards, stability and trends.

    ``comparison`` is None when the parameters give no previous priority wards.
    """
    from sa_lib.stats import risk_index

    opt, dis = ctx.options, ctx.disclosure
    ind = load_indicators(ctx.path("cse_indicators"), ctx.geo.wards)
    spec = index_settings(opt, ind.columns)
    rates = indicator_rates(ind, spec["indicators"], per=ctx.rate_per)
    idx = risk_index.composite_index(rates, **spec)
    priority = risk_index.priority_wards(idx, opt.top_n)
    stability = risk_index.rank_stability(
        rates,
        **spec,
        top_n=opt.top_n,
        seed=ctx.stats.seed,
        n_sims=opt.n_sims,
        perturbation=opt.perturbation,
    )
    previous = ctx.path("previous_priority_wards")
    comparison = risk_index.compare_previous(priority, previous, wards=idx) if previous else None
    cols = list(SERIES.values())
    quarterly = load_quarterly(ctx.path("cse_quarterly"), ctx.geo.wards, cols)
    district = district_quarterly(quarterly, cols)
    banded = quarterly_bands(district, cols, dis.threshold, dis.suppress_zero)
    # Calendar years that end by the period's end: never a year after the assessment
    # (issue 19: a Q1 2024 assessment compared 2025 with 2024).
    end = ctx.period.months[-1]
    last = int(end[:4]) if end.endswith("-12") else int(end[:4]) - 1
    try:
        annual = annual_change(
            district[district["quarter"].str[:4].astype(int) <= last], cols, alpha=ctx.stats.alpha
        )
    except ValueError:  # fewer than two complete years by then
        annual = None
    return CseAnalysis(
        ind, quarterly, spec, rates, idx, priority, stability, comparison, banded, annual
    )


def build(ctx) -> ThemeResult:
    """Compute the CSE page once: every section, finding and table.

    Sections: ``header``, ``findings``, ``sources``, ``correlation``, ``index``,
    ``priority``, ``comparison``, ``counts``, ``profiles``, ``map``, ``trends``,
    ``methods``. Without previous priority wards, ``previous assessment`` is in
    ``availability`` with its reason, said on the page in the comparison section.
    ``data`` holds ``index`` (the ward index) and ``priority`` (the priority wards).
    """
    from sa_lib.themes import report

    r = report.new_result(ctx, "cse", "Child sexual exploitation")
    a = analyse(ctx)
    # Synthetic iff its inputs are: the indicators or the quarterly counts say so.
    syn = bool(a.ind.attrs.get("synthetic")) or bool(
        a.quarterly is not None and a.quarterly.attrs.get("synthetic")
    )
    r.synthetic = "page" if syn else "none"
    with r.section("header"):
        report.show_header(ctx, "Child sexual exploitation", synthetic=syn)
    dis = ctx.disclosure
    with r.section("findings"):
        report.show_findings(
            key_findings(
                a.idx,
                a.priority,
                a.stability,
                a.comparison,
                a.annual,
                threshold=dis.threshold,
                n_sims=ctx.options.n_sims,
                synthetic=a.ind.attrs["synthetic"],
                as_findings=True,
            )
        )
    _index_sections(r, ctx, a)
    _priority_sections(r, ctx, a)
    _map_and_trend_sections(r, ctx, a)
    with r.section("methods"):
        report.show_methods(ctx, extra=methods_extra(a.spec, ctx.options, ctx))
    r.data["index"] = a.idx
    r.data["priority"] = a.priority
    return r


def show_sources(ctx, ind: pd.DataFrame, quarterly: pd.DataFrame | None) -> None:
    """Emit "what this page is based on": the SYNTHETIC warning and the inputs table."""
    from sa_lib.themes import results

    warning = synthetic_warning_html(ind, quarterly)
    if warning:
        results.emit_html(warning)
    rows = inputs_frame(input_rows(ctx, ind, quarterly))
    results.emit(safe_table(rows, caption="Inputs"))


def _index_sections(r: ThemeResult, ctx, a: CseAnalysis) -> None:
    from sa_lib.themes import report, results

    dis = ctx.disclosure
    with r.section("sources"):
        show_sources(ctx, a.ind, a.quarterly)
    with r.section("correlation"):
        report.show_table(
            deprivation_correlation(a.rates, a.ind["deprivation_z"]),
            decimals={"Spearman rho": 2},
            caption="Correlation of each indicator with ward deprivation",
        )
    with r.section("index"):
        totals = indicator_table(
            a.ind,
            a.spec["indicators"],
            a.spec["weights"],
            threshold=dis.threshold,
            secondary=dis.secondary,
        )
        results.emit(
            safe_table(
                totals,
                count_cols=["District total"],
                caption="Indicators in the index, their weights and district totals",
            )
        )
        shown = index_display(a.idx, a.spec["indicators"], a.priority_codes)
        results.emit(
            safe_table(
                shown,
                not_count_cols=["Rank"],
                styles=band_styles(shown),
                caption="Ward risk index, all wards (bands: compared with the district's wards)",
            )
        )


def _priority_sections(r: ThemeResult, ctx, a: CseAnalysis) -> None:
    from sa_lib.charts.risk_index import plot_stability
    from sa_lib.themes import report, results

    opt, dis = ctx.options, ctx.disclosure
    with r.section("priority"):
        results.emit(
            safe_table(
                stability_display(a.stability, a.priority_codes, opt.top_n),
                not_count_cols=["Rank", "Median simulated rank"],
                caption="Priority wards and how stable their ranking is",
            )
        )
        report.note(
            f"Monte Carlo settings: {opt.n_sims:,} simulations; each weight multiplied by a "
            f"random factor between {1 - opt.perturbation:g} and {1 + opt.perturbation:g} "
            f"(uniform) and the weights renormalised; seed {ctx.stats.seed}. 'In the top "
            f"{opt.top_n}' is the share of simulations in which the ward is in the priority "
            "list."
        )
        plot_stability(a.stability)
    with r.section("comparison"):
        if a.comparison is None:
            r.unavailable("previous assessment", NO_PREVIOUS, note=True)
        else:
            results.emit(
                safe_table(
                    comparison_display(a.comparison),
                    not_count_cols=["Rank now", "Rank last time"],
                    caption="Priority wards: this assessment and the previous one",
                )
            )
    with r.section("counts"):
        counts = priority_counts(a.ind, a.priority_codes, a.spec["indicators"])
        report.show_table(
            counts,
            count_cols=list(counts.columns[1:]),
            threshold=dis.threshold,
            secondary=dis.secondary,
            suppress_zero=dis.suppress_zero,
            caption="Priority wards: annual indicator counts",
        )


def _map_and_trend_sections(r: ThemeResult, ctx, a: CseAnalysis) -> None:
    from sa_lib.themes import cse_charts, report, results

    dis = ctx.disclosure
    with r.section("profiles"):
        cse_charts.plot_profile_heatmap(a.idx, a.priority_codes, a.spec["indicators"])
    with r.section("map"):
        cse_charts.plot_index_map(
            ctx.geo.wards,
            a.idx,
            a.priority_codes,
            boundary=ctx.geo.boundary,
            title="CSE risk index by ward",
        )
    with r.section("trends"):
        results.emit(
            safe_table(
                quarterly_display(a.banded, SERIES),
                count_cols=list(SERIES),
                caption="CSE-flagged crimes and CSE referrals per quarter, district, banded",
            )
        )
        # Left open, the chart is shown after the section's tables, as the notebook showed it.
        cse_charts.plot_banded_trend(
            a.banded, SERIES, title="CSE-flagged crimes and referrals per quarter (banded)"
        )
        if a.annual is None:
            r.unavailable(
                "calendar-year totals",
                "The calendar-year comparison is not available: the partners' quarterly "
                f"counts hold fewer than two complete calendar years ending by {ctx.period.label}.",
                note=True,
            )
            return
        years = list(a.annual.attrs["years"])
        report.show_table(
            annual_display(a.annual),
            count_cols=years,
            threshold=dis.threshold,
            secondary=dis.secondary,
            derived={"Change": years, "Exact Poisson test": years},
            caption="Calendar-year totals, district",
        )
