"""The place-profile page built once as a theme result: :func:`build` (``build(ctx) -> ThemeResult``).

The area and its numbers come from :mod:`sa_lib.themes.place`, the charts, tables
and findings from :mod:`sa_lib.themes.place_display`; this module runs them in the
page's order and decides what the store can support:

- :func:`notebook_overrides`: the notebook's main choices as ``open_context`` overrides;
- :func:`comparison_period`: the earlier period the area's change is measured
  against (the same period last year, else the previous one), or why there is none;
- :func:`place_analysis`: every number the page shows, computed once (:class:`PlaceAnalysis`);
- :func:`build`: the page's sections, tables, figures, findings and availability.

Examples
--------
>>> notebook_overrides(None, "St Neots East")
{'period': None, 'place_profile.area': {'type': 'ward', 'value': 'St Neots East'}}
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from sa_lib.themes import place, place_display
from sa_lib.themes.results import ThemeResult

__all__ = [
    "PlaceAnalysis",
    "notebook_overrides",
    "comparison_period",
    "place_analysis",
    "build",
]

#: The comparison periods a place's change is measured against, in order of preference.
_COMPARE = (("last_year", "the same period last year"), ("previous", "the previous period"))


@dataclass
class PlaceAnalysis:
    """Everything the place-profile page shows, computed once by :func:`place_analysis`.

    ``compare_key`` is None, with ``compare_note`` saying why, when the store holds
    no earlier period to measure the area's change against.
    """

    area: place.Place
    vs_rest: pd.DataFrame
    types: pd.DataFrame
    mix: pd.DataFrame
    monthly: pd.DataFrame
    hs_label: str
    gi_area: gpd.GeoDataFrame
    compare_key: str | None
    compare_note: str | None


def notebook_overrides(period: str | None, ward: str | None) -> dict:
    """The notebook's main choices as ``open_context`` overrides (None keeps the parameters file's).

    Examples
    --------
    >>> notebook_overrides("2025-Q3", None)
    {'period': '2025-Q3', 'place_profile.area': None}
    """
    return {
        "period": period,
        "place_profile.area": {"type": "ward", "value": ward} if ward else None,
    }


def comparison_period(ctx) -> tuple[str | None, str | None]:
    """The key of the period the area's change is measured against, or None and why.

    The same period last year when the store holds it, else the previous period.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from sa_lib.data.periods import parse_period
    >>> cur = parse_period("2024-Q1")
    >>> ctx = SimpleNamespace(period=cur, periods={"current": cur},
    ...     unavailable={"previous": parse_period("2023-Q4")})
    >>> comparison_period(ctx)[1]
    'Change over time: not available: the store does not hold the previous period, Q4 2023 (Oct-Dec), so the area is not compared with an earlier period.'
    """
    for key, _ in _COMPARE:
        if key in ctx.periods:
            return key, None
    missing = [
        f"{what}, {ctx.unavailable[key].label}," for key, what in _COMPARE if key in ctx.unavailable
    ]
    held = " or ".join(missing) if missing else "an earlier period,"
    return None, (
        f"Change over time: not available: the store does not hold {held} so the area is not "
        "compared with an earlier period."
    )


def place_analysis(ctx, area: place.Place) -> PlaceAnalysis:
    """Area against the rest, counts by period, crime mix, monthly rates and Gi* cells, once.

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> ctx = open_context("parameters/huntingdonshire_2025q4.yaml", "place_profile")  # doctest: +SKIP
    >>> a = place_analysis(ctx, place.select_place(ctx.geo, ctx.options.area))  # doctest: +SKIP
    >>> a.vs_rest["crime_type"].iloc[-1]  # doctest: +SKIP
    'All crime'
    """
    from sa_lib.themes import summary

    stats, per = ctx.stats, ctx.rate_per
    tests = dict(alpha=stats.alpha, correction=stats.correction)
    area_crimes = place.place_crimes(ctx.crimes, area)
    vs_rest = place.area_vs_rest(
        ctx.crimes, area, ctx.geo.population, ctx.period.months, per=per,
        conf_level=stats.conf_level, **tests,
    )  # fmt: skip
    # Change over time allows for each series' overdispersion, as on every other page.
    types = summary.type_summary(
        area_crimes, ctx.periods, area.population, rate_per=per,
        conf_level=stats.conf_level, series_months=ctx.series_months, **tests,
    )  # fmt: skip
    mix = place.crime_mix(ctx.crimes, area, ctx.period.months, conf_level=stats.conf_level)
    monthly = place.monthly_area_vs_rest(
        ctx.series(), area, ctx.geo.population, per=per, suppress_below=ctx.disclosure.threshold
    )
    hs_label, gi = _district_gi(ctx)
    compare_key, compare_note = comparison_period(ctx)
    return PlaceAnalysis(
        area=area,
        vs_rest=vs_rest,
        types=types,
        mix=mix,
        monthly=monthly,
        hs_label=hs_label,
        gi_area=place.cells_in_place(gi, area),
        compare_key=compare_key,
        compare_note=compare_note,
    )


def _district_gi(ctx) -> tuple[str, gpd.GeoDataFrame]:
    """District-wide Gi* with the hot-spots page's settings, and the crime types' label."""
    from sa_lib.spatial import grids, hotspots
    from sa_lib.themes import hotspot_report

    hs, stats = ctx.params.hotspots, ctx.stats
    hs_types = hotspot_report.resolve_crime_types(hs.crime_types)
    grid = grids.make_grid(ctx.geo.boundary, cell_size=hs.cell_size, shape=hs.shape)
    points = hotspot_report.crime_points(ctx.crimes, hs_types, ctx.period.months)
    cells = grids.count_points(points, grid, "cell_id", crime_types=hs_types)
    gi = hotspots.gi_star(
        cells, "count", p_value=hs.p_value, permutations=stats.permutations,
        seed=stats.seed, alpha=stats.alpha, correction=stats.correction,
    )  # fmt: skip
    return hotspot_report.crime_label(hs_types), gi


# --------------------------------------------------------------------------- the theme result


def build(ctx) -> ThemeResult:
    """Compute the place-profile page once: every section, finding, table and chart.

    Sections: ``header``, ``findings``, ``area``, ``counts``, ``mix``, ``when``,
    ``hotspots``, ``methods``. A measure the store cannot support (change over time
    with no earlier period held, time of day without a force extract) is in
    ``availability`` with its reason, and said on the page in its section.

    Examples
    --------
    >>> from sa_lib.pack.context import open_context  # doctest: +SKIP
    >>> result = build(open_context("parameters/huntingdonshire_2025q4.yaml", "place_profile"))  # doctest: +SKIP
    >>> list(result.sections)[:3]  # doctest: +SKIP
    ['header', 'findings', 'area']
    """
    from sa_lib.themes import report

    area = place.select_place(
        ctx.geo,
        ctx.options.area,
        crimes=ctx.in_period("current"),
        polygon=ctx.params.paths.place_polygon,
    )
    r = report.new_result(ctx, "place_profile", f"Place profile: {area.name}")
    r.synthetic = "part" if ctx.extract_synthetic else "none"
    with r.section("header"):
        report.show_header(
            ctx, f"Place profile: {area.name}", partly_synthetic=ctx.extract_synthetic
        )
    a = place_analysis(ctx, area)
    r.data["vs_rest"], r.data["mix"] = a.vs_rest, a.mix
    with r.section("findings"):
        report.show_findings(_findings(ctx, a))
    with r.section("area"):
        place_display.plot_place(area, ctx.geo)
        report.note(
            f"{area.name}: {len(area.lsoa_codes)} LSOAs, {area.population:,} residents (Census "
            f"2021); ward(s): {', '.join(area.ward_names)}."
        )
    _counts_section(r, ctx, a)
    _mix_section(r, ctx, a)
    _when_section(r, ctx, area)
    with r.section("hotspots"):
        if len(a.gi_area):
            _plot_hot_cells(ctx, a)
        else:
            report.note("No grid cell overlaps the area.")
    with r.section("methods"):
        report.show_methods(ctx, extra=_methods(ctx, a))
    return r


def _findings(ctx, a: PlaceAnalysis) -> list[str]:
    key = a.compare_key
    return place_display.place_findings(
        a.area,
        a.vs_rest,
        a.mix,
        a.types if key is not None else None,
        a.gi_area,
        period_label=ctx.period.label,
        rate_label=ctx.rate_label,
        compare_label=ctx.periods[key].label if key is not None else None,
        compare_key=key or "last_year",
        threshold=ctx.disclosure.threshold,
        as_findings=True,
    )


def _counts_section(r: ThemeResult, ctx, a: PlaceAnalysis) -> None:
    from sa_lib.themes import report

    dis, name = ctx.disclosure, a.area.name
    with r.section("counts"):
        shown = place_display.vs_rest_display(a.vs_rest, name)
        c_area, c_rest = f"{name} count", "Rest count"
        report.show_table(
            shown,
            count_cols=[c_area, c_rest],
            threshold=dis.threshold,
            secondary=dis.secondary,
            suppress_zero=dis.suppress_zero,
            derived={
                c: [c_area, c_rest]
                for c in shown.columns
                if c not in ("Crime type", c_area, c_rest)
            },
            decimals={"Rate ratio": 2},
            caption=f"{name} against the rest of the district, {ctx.period.label}: crimes "
            f"{ctx.rate_label} a year",
        )
        report.show_summary(a.types, ctx, caption=f"{name}: crime and ASB by type and period")
        if a.compare_key is None:
            r.unavailable("change over time", a.compare_note, note=True)
        place_display.plot_area_vs_rest(
            a.monthly,
            name,
            period_months=ctx.period.months,
            ylabel=f"Crimes {ctx.rate_label} a year",
            title=f"All crime (excluding ASB): {name} and the rest of the district, by month",
        )


def _mix_section(r: ThemeResult, ctx, a: PlaceAnalysis) -> None:
    from sa_lib.themes import report

    dis, name = ctx.disclosure, a.area.name
    with r.section("mix"):
        report.show_table(
            place_display.mix_display(a.mix, name),
            **place_display.mix_table_args(name),
            threshold=dis.threshold,
            secondary=dis.secondary,
            suppress_zero=dis.suppress_zero,
            caption=f"Crime mix, {name} and the district, {ctx.period.label}",
        )


def _when_section(r: ThemeResult, ctx, area: place.Place) -> None:
    from sa_lib.charts.nte import plot_day_hour
    from sa_lib.stats import nte
    from sa_lib.themes import report

    with r.section("when"):
        if ctx.extract is None:
            r.unavailable(
                "time of day",
                "Time of day and day of week need a record-level force extract with offence "
                "times (set data.extract in the parameters); police.uk data have months only.",
                note=True,
            )
            return
        if ctx.extract_synthetic:
            report.synthetic_banner()
        area_extract = place.place_crimes(ctx.last_months(12, ctx.extract), area)
        plot_day_hour(
            nte.day_hour_table(area_extract, hours_per_block=3),
            title=f"Crimes in the force extract in {area.name} by day and time of day, last 12 "
            "months",
            suppress_below=ctx.extract_disclosure.threshold,
        )


def _plot_hot_cells(ctx, a: PlaceAnalysis) -> None:
    from sa_lib.charts.hotspot_maps import plot_hotspots

    plot_hotspots(
        a.gi_area,
        a.area.outline,
        title=f"{a.hs_label}: district-wide Gi* hot spots inside {a.area.name}, {ctx.period.label}",
    )


def _methods(ctx, a: PlaceAnalysis) -> dict:
    hs, area = ctx.params.hotspots, a.area
    return {
        "area": f"{area.kind}: {area.name} ({len(area.lsoa_codes)} LSOAs)",
        "area vs rest test": area_vs_rest_families(ctx.stats.correction, len(a.vs_rest)),
        "hot spots": f"{a.hs_label}; district-wide Gi*, {hs.p_value} p-values",
    }


def area_vs_rest_families(correction: str, rows: int, total_label: str = "All crime") -> str:
    """The area-vs-rest test and its families of tests, as applied by :func:`place.area_vs_rest`.

    Examples
    --------
    >>> area_vs_rest_families("fdr_bh", 15)
    'exact conditional Poisson test; the 14 crime types form one family, adjusted together (false discovery rate correction); All crime is tested on its own'
    """
    from sa_lib.themes.formatting import correction_words

    return (
        f"exact conditional Poisson test; the {rows - 1} crime types form one family, adjusted "
        f"together ({correction_words(correction)}); {total_label} is tested on its own"
    )
