"""The hot-spots page built once as a theme result: :func:`build` (``build(ctx) -> ThemeResult``).

The steps live in :mod:`sa_lib.themes.hotspot_report` (crime types, hot-spot wards,
emerging filters, ward change, findings, displays) and :mod:`sa_lib.spatial`
(grids, KDE, Gi*, emerging hot spots, maps). This module runs them in the page's
order and decides what the store can support:

- :func:`notebook_overrides`: the notebook's main choices as ``open_context`` overrides;
- :func:`hotspot_analysis`: every number the page shows, computed once
  (:class:`HotspotAnalysis`), with the reason when emerging hot spots or the ward
  change cannot be computed (too few months, comparison period not held);
- :func:`build`: the page's sections, tables, figures, findings and availability.

Examples
--------
>>> notebook_overrides(None, "Burglary")
{'period': None, 'hotspots.crime_types': ['Burglary']}
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from sa_lib.themes import hotspot_report as hr
from sa_lib.themes.results import ThemeResult

__all__ = ["HotspotAnalysis", "notebook_overrides", "hotspot_analysis", "build"]

#: The map credit printed under every hot-spot map.
MAP_NOTE = (
    "Contains OS data © Crown copyright and database right. Aggregated to grid cells; no crime "
    "locations shown."
)


@dataclass
class HotspotAnalysis:
    """Everything the hot-spots page shows, computed once by :func:`hotspot_analysis`.

    ``ehsa`` is None with ``ehsa_note`` saying why (too few unbroken periods);
    ``change`` and ``before`` are None with ``change_note`` saying why (the
    comparison period is not held).
    """

    crime_types: list[str]
    label: str
    cells: gpd.GeoDataFrame
    density: gpd.GeoDataFrame
    gi: gpd.GeoDataFrame
    hot_wards: pd.DataFrame
    history: pd.DataFrame
    n_steps: int
    ehsa: gpd.GeoDataFrame | None
    ehsa_note: str | None
    before: object | None
    change: gpd.GeoDataFrame | None
    change_note: str | None
    cell_size: float
    bandwidth: float


def notebook_overrides(period: str | None, crime_type: str | None) -> dict:
    """The notebook's main choices as ``open_context`` overrides (None keeps the parameters file's).

    Examples
    --------
    >>> notebook_overrides("2025-Q3", None)
    {'period': '2025-Q3', 'hotspots.crime_types': None}
    """
    return {"period": period, "hotspots.crime_types": [crime_type] if crime_type else None}


def _gi_settings(ctx, grid) -> dict:
    opts, stats = ctx.options, ctx.stats
    return dict(
        weights=hr.gi_weights(grid),
        p_value=opts.p_value,
        permutations=stats.permutations,
        seed=stats.seed,
        alpha=stats.alpha,
        correction=stats.correction,
    )


def _emerging(ctx, grid, history, crime_types, gi_settings) -> tuple:
    """Emerging hot spots, or None and the reason (the trend test needs 10 periods)."""
    from sa_lib.spatial import emerging

    opts = ctx.options
    n_steps = len(ctx.series_months) // (3 if opts.emerging_freq == "quarter" else 1)
    if n_steps < 10:
        note = (
            f"Emerging hot spots are not reported: the data hold {n_steps} unbroken "
            f"{opts.emerging_freq}(s) up to the end of the period, and the trend test needs "
            "at least 10."
        )
        return n_steps, None, note
    ehsa = emerging.emerging_hotspots(
        history,
        grid,
        "month",
        freq=opts.emerging_freq,
        time_step=opts.emerging_time_step,
        crime_types=crime_types,
        **gi_settings,
    )
    ehsa = hr.majority_ward(hr.restrict_preventing(ehsa, opts.min_count), ctx.geo.wards)
    return n_steps, ehsa, None


def _change(ctx, crime_types) -> tuple:
    """The tested ward change against the comparison period, or None and the reason."""
    key = ctx.options.change_from
    before = ctx.periods.get(key)
    if before is None:
        missing = ctx.unavailable.get(key)
        what = missing.label if missing is not None else f"the {key.replace('_', ' ')} period"
        return None, None, f"The ward change is not available: {what} is not in the data."
    stats = ctx.stats
    change = hr.ward_change(
        ctx.crimes[ctx.crimes["crime_type"].isin(crime_types)],
        ctx.geo.wards,
        before.months,
        ctx.period.months,
        alpha=stats.alpha,
        correction=stats.correction,
        series_months=ctx.series_months,
    )
    return before, change, None


def hotspot_analysis(ctx, crime_types: list[str]) -> HotspotAnalysis:
    """Grid counts, KDE, Gi*, hot-spot wards, emerging hot spots and ward change, once.

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> ctx = open_context("parameters/huntingdonshire_2025q4.yaml", "hotspots")  # doctest: +SKIP
    >>> hotspot_analysis(ctx, ["Burglary"]).label  # doctest: +SKIP
    'Burglary'
    """
    from sa_lib.spatial import grids, hotspots, kde

    opts = ctx.options
    points = hr.crime_points(ctx.crimes, crime_types, ctx.period.months)
    grid = grids.make_grid(ctx.geo.boundary, cell_size=opts.cell_size, shape=opts.shape)
    cells = grids.count_points(points, grid, "cell_id", crime_types=crime_types)
    density = kde.kde_grid(points, grid, bandwidth=opts.bandwidth, crime_types=crime_types)
    gi_settings = _gi_settings(ctx, grid)
    gi = hotspots.gi_star(cells, "count", **gi_settings)
    hot_wards = hr.hot_spot_wards(gi, ctx.geo.wards)
    history = hr.crime_points(ctx.series(), crime_types)
    n_steps, ehsa, ehsa_note = _emerging(ctx, grid, history, crime_types, gi_settings)
    before, change, change_note = _change(ctx, crime_types)
    return HotspotAnalysis(
        crime_types=crime_types,
        label=hr.crime_label(crime_types),
        cells=cells,
        density=density,
        gi=gi,
        hot_wards=hot_wards,
        history=history,
        n_steps=n_steps,
        ehsa=ehsa,
        ehsa_note=ehsa_note,
        before=before,
        change=change,
        change_note=change_note,
        cell_size=float(opts.cell_size or grids.auto_cell_size(ctx.geo.boundary)),
        bandwidth=float(density["kde_bandwidth_m"].iloc[0]),
    )


# --------------------------------------------------------------------------- the theme result


def build(ctx) -> ThemeResult:
    """Compute the hot-spots page once: every section, finding, table and map.

    Sections: ``header``, ``findings``, ``density``, ``hotspot_map``, ``hot_wards``,
    ``emerging_map``, ``emerging_table``, ``change_map``, ``change_table``,
    ``methods``. A measure the store cannot support (emerging hot spots with fewer
    than 10 unbroken periods, the ward change without the comparison period) is in
    ``availability`` with its reason, and said on the page in its section.

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> result = build(open_context("parameters/huntingdonshire_2025q4.yaml", "hotspots"))  # doctest: +SKIP
    >>> list(result.sections)[:3]  # doctest: +SKIP
    ['header', 'findings', 'density']
    """
    from sa_lib.themes import report

    crime_types = hr.resolve_crime_types(ctx.options.crime_types)
    label = hr.crime_label(crime_types)
    r = report.new_result(ctx, "hotspots", f"Hot spots: {label}")
    with r.section("header"):
        report.show_header(ctx, f"Hot spots: {label}")
    a = hotspot_analysis(ctx, crime_types)
    r.data["hot_wards"] = a.hot_wards
    with r.section("findings"):
        report.show_findings(
            hr.hotspot_findings(
                a.gi,
                a.hot_wards,
                a.ehsa,
                a.change,
                label=label,
                period_label=ctx.period.label,
                change_from_label=a.before.label if a.before is not None else None,
                threshold=ctx.disclosure.threshold,
                as_findings=True,
            )
        )
    _density_section(r, ctx, a)
    _hot_sections(r, ctx, a)
    _emerging_sections(r, ctx, a)
    _change_sections(r, ctx, a)
    with r.section("methods"):
        report.show_methods(ctx, extra=_methods(ctx, a))
    return r


def _density_section(r: ThemeResult, ctx, a: HotspotAnalysis) -> None:
    from sa_lib.charts.hotspot_maps import plot_cell_counts, plot_kde
    from sa_lib.themes import report

    opts, per = ctx.options, ctx.period.label
    with r.section("density"):
        report.note(
            f"{a.label}, {per}: {opts.shape} cells of {a.cell_size:,.0f} m "
            f"({'set for this partnership' if opts.cell_size else 'chosen automatically'}); "
            f"the density map smooths over {a.bandwidth:,.0f} m "
            f"({'set for this partnership' if opts.bandwidth else 'chosen automatically'}; "
            "the method is in Methods)."
        )
        plot_cell_counts(
            a.cells,
            ctx.geo.boundary,
            ctx.geo.wards,
            threshold=ctx.disclosure.threshold,
            ward_name_col="ward_name",
            title=f"{a.label}: crimes per {a.cell_size:,.0f} m cell, {per}",
            note=MAP_NOTE,
        )
        plot_kde(
            a.density,
            ctx.geo.boundary,
            ctx.geo.wards,
            ward_name_col="ward_name",
            title=f"{a.label}: crime density, {per}",
            note=MAP_NOTE,
        )


def _hot_sections(r: ThemeResult, ctx, a: HotspotAnalysis) -> None:
    from sa_lib.charts.hotspot_maps import plot_hotspots
    from sa_lib.themes import report

    dis = ctx.disclosure
    with r.section("hotspot_map"):
        plot_hotspots(
            a.gi,
            ctx.geo.boundary,
            ctx.geo.wards,
            ward_name_col="ward_name",
            title=f"{a.label}: Gi* hot and cold spots, {ctx.period.label}",
            note=MAP_NOTE,
        )
    with r.section("hot_wards"):
        if len(a.hot_wards):
            report.show_table(
                hr.hot_wards_display(a.hot_wards),
                count_cols=["Crimes in hot cells"],
                threshold=dis.threshold,
                secondary=dis.secondary,
                suppress_zero=dis.suppress_zero,
                derived={"Share of all crimes in hot cells": ["Crimes in hot cells"]},
                pct_cols=["Share of all crimes in hot cells"],
                decimals={"Hot area (km²)": 2},
                caption=f"Wards containing Gi* hot cells, {ctx.period.label}",
            )
        else:
            report.note("No cell is a significant hot spot after correction, so no ward is listed.")


def _emerging_sections(r: ThemeResult, ctx, a: HotspotAnalysis) -> None:
    from sa_lib.charts.hotspot_maps import plot_emerging
    from sa_lib.themes import report

    dis, opts = ctx.disclosure, ctx.options
    with r.section("emerging_map"):
        if a.ehsa is None:
            r.unavailable("emerging hot spots", a.ehsa_note, note=True)
        else:
            plot_emerging(
                a.ehsa,
                ctx.geo.boundary,
                ctx.geo.wards,
                ward_name_col="ward_name",
                title=f"{a.label}: emerging hot spots, {a.history['month'].min()} to "
                f"{a.history['month'].max()}",
                note=MAP_NOTE,
            )
    with r.section("emerging_table"):
        if a.ehsa is None:
            return
        table = hr.emerging_table(a.ehsa)
        if len(table):
            report.show_table(
                hr.emerging_display(table),
                count_cols=["Crimes in these cells"],
                threshold=dis.threshold,
                secondary=dis.secondary,
                suppress_zero=dis.suppress_zero,
                decimals={"Area (km²)": 2},
                caption="CSP priority and ArcGIS emerging hot-spot category",
            )
        report.note(
            f"A cell is called Preventing only with at least {opts.min_count} crimes over the "
            f"whole window: {a.ehsa.attrs.get('preventing_removed', 0):,} cells rising from fewer "
            "crimes than that are shown as No pattern (a rise from a very low base is noise, not a "
            f"place to prevent). {a.ehsa.attrs.get('empty_neighbourhoods', 0):,} cells had no "
            "recorded crime in or around them in any period, so no trend can be measured there "
            "and they show no pattern."
        )


def _change_sections(r: ThemeResult, ctx, a: HotspotAnalysis) -> None:
    from sa_lib.charts.hotspot_maps import plot_change
    from sa_lib.themes import report

    dis, now = ctx.disclosure, ctx.period.label
    with r.section("change_map"):
        if a.change is None:
            r.unavailable("ward change", a.change_note, note=True)
        else:
            plot_change(
                a.change,
                ctx.geo.boundary,
                name_col="ward_name",
                title=f"{a.label}: change by ward, {a.before.label} to {now}",
            )
    with r.section("change_table"):
        if a.change is None:
            return
        then = a.before.label
        report.show_table(
            hr.change_display(a.change, then, now),
            count_cols=[then, now],
            threshold=dis.threshold,
            secondary=dis.secondary,
            suppress_zero=dis.suppress_zero,
            derived={c: [then, now] for c in ("Change", "Rate ratio (95% CI)", "Adjusted p")},
            caption=f"{a.label} by ward: {then} against {now}",
        )


def _methods(ctx, a: HotspotAnalysis) -> dict:
    opts, stats = ctx.options, ctx.stats
    if opts.p_value == "permutation":
        p_values = f"{opts.p_value} (permutations {stats.permutations}, seed {stats.seed})"
    else:
        p_values = "analytical (normal approximation)"
    if a.before is not None:
        tests = a.change["test"] if "test" in a.change else pd.Series(dtype=str)
        tests = tests[tests.astype(str) != ""]
        n_q = int((tests == "quasi-Poisson").sum())
        change = (
            f"{a.before.label} to {ctx.period.label}: quasi-Poisson rate test for the {n_q} "
            f"wards whose monthly series is over-dispersed, exact Poisson test for the other "
            f"{len(tests) - n_q}; {stats.correction} across the {len(tests)} wards (one family)"
        )
    else:
        change = "not available (comparison period not in the data)"
    return {
        "hot-spot crime types": a.label,
        "grid": f"{opts.shape} cells, {a.cell_size:,.0f} m",
        "Gi* p-values": p_values,
        "emerging hot spots": f"{opts.emerging_freq}ly Gi*, Mann-Kendall trend; Preventing "
        f"needs {opts.min_count}+ crimes per cell",
        "ward change": change,
    }
