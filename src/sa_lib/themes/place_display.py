"""Place profile display: the charts, the tables a reader sees and the key findings.

The area and its numbers come from :mod:`sa_lib.themes.place`; this module turns
them into what the page shows:

- :func:`plot_place`: the area within the district, wards named;
- :func:`plot_area_vs_rest`: monthly rates, area against the rest of the district;
- :func:`vs_rest_display` / :func:`mix_display` (with :func:`mix_table_args`): the
  reader's columns of :func:`~sa_lib.themes.place.area_vs_rest` and
  :func:`~sa_lib.themes.place.crime_mix`;
- :func:`place_findings`: key findings with significance and disclosure control.

Examples
--------
>>> mix_table_args("North")["count_cols"]
['North count', 'District count']
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sa_lib.charts.geodraw import draw_outline, draw_polygons
from sa_lib.charts.maps import add_north_arrow, add_scale_bar, label_areas
from sa_lib.spatial.grids import BNG
from sa_lib.style import COLD, HOT
from sa_lib.themes.place import Place
from sa_lib.themes.results import Finding
from sa_lib.validation import require_columns, require_geodataframe

__all__ = [
    "plot_area_vs_rest",
    "plot_place",
    "vs_rest_display",
    "mix_display",
    "mix_table_args",
    "place_findings",
    "MIN_RATIO_COUNT",
]

#: The fewest crimes in the area for a finding to quote "N times the rest of the
#: district" (issue 20: "Robbery (7.2 times)" on 3 crimes); the disclosure threshold
#: applies too, whichever is higher.
MIN_RATIO_COUNT = 10


def plot_area_vs_rest(
    monthly: pd.DataFrame,
    place_name: str,
    *,
    period_months: Sequence[str] | None = None,
    ylabel: str = "Crimes per 1,000 residents a year",
    title: str | None = None,
) -> Figure:
    """Line chart of :func:`monthly_area_vs_rest`: the area against the rest of the district.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"month": ["2025-01", "2025-02"],
    ...     "month_start": pd.to_datetime(["2025-01-01", "2025-02-01"]),
    ...     "rate_area": [20.0, 22.0], "rate_rest": [10.0, 11.0]})
    >>> fig = plot_area_vs_rest(m, "North")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['North', 'Rest of district']
    """
    require_columns(monthly, ["month", "month_start", "rate_area", "rate_rest"], arg="monthly")
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(monthly["month_start"], monthly["rate_area"], color=HOT, lw=2, label=place_name)
    ax.plot(
        monthly["month_start"], monthly["rate_rest"], color=COLD, lw=2, label="Rest of district"
    )
    if period_months:
        sel = monthly[monthly["month"].isin(list(period_months))]["month_start"]
        if len(sel):
            ax.axvspan(
                sel.min() - pd.Timedelta(days=14),
                sel.max() + pd.Timedelta(days=14),
                color="#EEEEEE",
                zorder=0,
            )
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False, loc="upper left")
    ax.set_title(title or f"{place_name} and the rest of the district, by month", loc="left")
    fig.tight_layout()
    return fig


def plot_place(place: Place, geo, *, title: str | None = None) -> Figure:
    """Map the area within the district: the area shaded, every ward outlined and named.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from sa_lib.data.geography import CSPGeography
    >>> lsoas = gpd.GeoDataFrame({"lsoa21_code": ["L1", "L2"], "ward_code": ["W1", "W2"],
    ...     "ward_name": ["North", "South"], "population": [1000, 3000]},
    ...     geometry=[box(0, 0, 1000, 1000), box(0, 1000, 1000, 2000)], crs="EPSG:27700")
    >>> geo = CSPGeography(["E1"], lsoas, lsoas.drop(columns="lsoa21_code"), lsoas.dissolve(), None)
    >>> from sa_lib.themes.place import select_place
    >>> fig = plot_place(select_place(geo, {"type": "ward", "value": "W1"}), geo)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text() in ("North", "South"))
    ['North', 'South']
    """
    require_geodataframe(place.outline, "place.outline")
    fig, ax = plt.subplots(figsize=(9, 7))
    wards = geo.wards.to_crs(BNG) if geo.wards.crs.to_epsg() != 27700 else geo.wards
    draw_polygons(ax, wards, color="white", edgecolor="#777777", linewidth=0.5)
    draw_polygons(ax, place.outline, color=HOT, alpha=0.55, edgecolor=HOT, linewidth=1.5, zorder=3)
    draw_outline(ax, geo.boundary, cache=True, color="black", linewidth=1.2, zorder=4)
    label_areas(ax, wards, "ward_name")
    ax.set_axis_off()
    ax.set_aspect("equal")
    add_north_arrow(ax)
    add_scale_bar(ax)
    ax.legend(
        handles=[
            Patch(facecolor=HOT, alpha=0.55, edgecolor=HOT, label=place.name),
            Patch(facecolor="white", edgecolor="#777777", label="Wards (rest of district)"),
        ],
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
        fontsize=8,
    )
    ax.set_title(title or f"{place.name} within the district", loc="left")
    fig.tight_layout()
    return fig


def _ci(lo: float, hi: float, fmt: str = "{:.1f}") -> str:
    if pd.isna(lo) or pd.isna(hi):
        return "–"
    return f"{fmt.format(lo)} to {fmt.format(hi)}"


def _p(p: float) -> str:
    if pd.isna(p):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def vs_rest_display(vs_rest: pd.DataFrame, place_name: str) -> pd.DataFrame:
    """:func:`area_vs_rest` as the columns a reader sees.

    Returns
    -------
    DataFrame
        ``Crime type``, ``<place> count``, ``<place> rate``, ``<place> CI``,
        ``Rest count``, ``Rest rate``, ``Rest CI``, ``Rate ratio``, ``Ratio CI``,
        ``Adjusted p``, ``Compared with the rest``. Count columns are the two
        ``... count`` columns; the rates, intervals and ratio derive from them.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"crime_type": ["Drugs"], "count_area": [30], "rate_area": [12.0],
    ...     "rate_area_lower": [8.1], "rate_area_upper": [17.1], "count_rest": [90],
    ...     "rate_rest": [6.0], "rate_rest_lower": [4.8], "rate_rest_upper": [7.4],
    ...     "rate_ratio": [2.0], "rr_lower": [1.3], "rr_upper": [3.0], "p_adjusted": [0.0004],
    ...     "comparison": ["higher"]})
    >>> vs_rest_display(t, "North").iloc[0, -2:].tolist()
    ['<0.001', 'higher']
    """
    require_columns(
        vs_rest, ["crime_type", "count_area", "count_rest", "rate_ratio"], arg="vs_rest"
    )
    return pd.DataFrame(
        {
            "Crime type": vs_rest["crime_type"],
            f"{place_name} count": vs_rest["count_area"].astype("int64"),
            f"{place_name} rate": vs_rest["rate_area"].round(1),
            f"{place_name} CI": [
                _ci(a, b)
                for a, b in zip(vs_rest["rate_area_lower"], vs_rest["rate_area_upper"], strict=True)
            ],
            "Rest count": vs_rest["count_rest"].astype("int64"),
            "Rest rate": vs_rest["rate_rest"].round(1),
            "Rest CI": [
                _ci(a, b)
                for a, b in zip(vs_rest["rate_rest_lower"], vs_rest["rate_rest_upper"], strict=True)
            ],
            "Rate ratio": vs_rest["rate_ratio"].where(np.isfinite(vs_rest["rate_ratio"])).round(2),
            "Ratio CI": [
                _ci(a, b, "{:.2f}")
                for a, b in zip(vs_rest["rr_lower"], vs_rest["rr_upper"], strict=True)
            ],
            "Adjusted p": [_p(p) for p in vs_rest["p_adjusted"]],
            "Compared with the rest": vs_rest["comparison"],
        }
    )


def mix_display(mix: pd.DataFrame, place_name: str) -> pd.DataFrame:
    """:func:`crime_mix` as the columns a reader sees.

    Returns
    -------
    DataFrame
        ``Crime type``, ``<place> count``, ``<place> share``, ``95% CI`` (of the
        share), ``District count``, ``District share``, ``Compared with the district``.

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame({"crime_type": ["Drugs"], "count_area": [30], "share_area": [20.0],
    ...     "share_lower": [14.4], "share_upper": [27.1], "count_district": [200],
    ...     "share_district": [10.0], "comparison": ["higher"]})
    >>> mix_display(m, "North").columns[2]
    'North share'
    """
    require_columns(mix, ["crime_type", "count_area", "share_area"], arg="mix")
    return pd.DataFrame(
        {
            "Crime type": mix["crime_type"],
            f"{place_name} count": mix["count_area"],
            f"{place_name} share": mix["share_area"].round(1),
            "95% CI": [
                _ci(a, b, "{:.1f}%")
                for a, b in zip(mix["share_lower"], mix["share_upper"], strict=True)
            ],
            "District count": mix["count_district"],
            "District share": mix["share_district"].round(1),
            "Compared with the district": mix["comparison"],
        }
    )


def mix_table_args(place_name: str) -> dict:
    """The disclosure arguments for :func:`mix_display`'s table (for ``report.show_table``).

    Each share, interval and comparison is withheld with the count it comes from, the
    district share included: printed beside a suppressed district count, it would give
    the count back (share x the district total).

    Examples
    --------
    >>> mix_table_args("North")["derived"]["District share"]
    ['District count']
    """
    c_area = f"{place_name} count"
    return {
        "count_cols": [c_area, "District count"],
        "derived": {
            f"{place_name} share": [c_area],
            "95% CI": [c_area],
            "Compared with the district": [c_area, "District count"],
            "District share": ["District count"],
        },
        "pct_cols": [f"{place_name} share", "District share"],
    }


def place_findings(
    place: Place,
    vs_rest: pd.DataFrame,
    mix: pd.DataFrame,
    types: pd.DataFrame | None = None,
    hot_cells: gpd.GeoDataFrame | None = None,
    *,
    period_label: str,
    rate_label: str = "per 1,000 residents",
    compare_label: str | None = None,
    compare_key: str = "last_year",
    total_label: str = "All crime",
    threshold: int = 10,
    as_findings: bool = False,
) -> list:
    """Key findings for a place profile, with significance and disclosure control.

    Parameters
    ----------
    place : Place
    vs_rest : DataFrame
        From :func:`area_vs_rest` (with a ``total_label`` row).
    mix : DataFrame
        From :func:`crime_mix`.
    types : DataFrame, optional
        :func:`sa_lib.themes.summary.type_summary` of the area's crimes (for change over time).
    hot_cells : GeoDataFrame, optional
        From :func:`cells_in_place` on Gi* output (``gi_bin``, ``area_km2``).
    period_label, rate_label, compare_label : str
        Labels of the period, the rate and the comparison period.
    threshold : int
        Counts below this are written "fewer than N", and no rate is quoted for them.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd, geopandas as gpd
    >>> from sa_lib.themes.place import area_vs_rest, crime_mix
    >>> p = Place("North", "ward", ["L1"], gpd.GeoDataFrame(geometry=[]), 1000, [])
    >>> crimes = pd.DataFrame({"month": "2025-10", "crime_type": "Drugs",
    ...     "lsoa21_code": ["L1"] * 30 + ["L2"] * 30})
    >>> v = area_vs_rest(crimes, p, 4000, ["2025-10"], types=["Drugs"])
    >>> m = crime_mix(crimes, p, ["2025-10"], types=["Drugs"])
    >>> place_findings(p, v, m, period_label="Oct 2025")[0][:60]
    'All crime in North, Oct 2025: 30 crimes, 360.0 per 1,000 res'
    """
    from sa_lib.themes.findings import format_count, format_p, format_pct

    out = []
    tot = vs_rest[vs_rest["crime_type"] == total_label]
    if len(tot):
        r = tot.iloc[0]
        if r["count_area"] >= threshold:
            how = {
                "higher": "significantly higher than",
                "lower": "significantly lower than",
            }.get(r["comparison"], "not significantly different from")
            out.append(
                Finding(
                    f"{total_label} in {place.name}, {period_label}: "
                    f"{format_count(r['count_area'])} crimes, {r['rate_area']:.1f} {rate_label} a "
                    f"year (95% CI {r['rate_area_lower']:.1f} to {r['rate_area_upper']:.1f}), "
                    f"{how} the rest of the district ({r['rate_rest']:.1f}; rate ratio "
                    f"{r['rate_ratio']:.2f}, {format_p(r['p_value'])}).",
                    subject=f"{total_label} in {place.name}",
                    measure="rate against the rest of the district",
                    value=float(r["rate_ratio"]),
                    test="exact Poisson",
                    tested=True,
                    significant=bool(r["significant"]),
                )
            )
        else:
            out.append(
                f"{total_label} in {place.name}, {period_label}: "
                f"{format_count(r['count_area'], threshold)} crimes; too few to quote a rate."
            )
    out += _difference_findings(
        place, vs_rest[vs_rest["crime_type"] != total_label], mix, threshold
    )
    if types is not None and f"label_vs_{compare_key}" in types.columns:
        out += _change_findings(
            place, types, total_label, threshold, compare_key, compare_label, period_label
        )
    if hot_cells is not None and len(hot_cells):
        hot = hot_cells[hot_cells["gi_bin"].to_numpy() > 0]
        area = float(hot_cells["area_km2"].sum())
        text = (
            f"District-wide Gi* hot spots cover {format_pct(100 * hot['area_km2'].sum() / area)} "
            f"of {place.name} ({float(hot['area_km2'].sum()):.2f} km²)."
            if len(hot)
            else f"No district-wide Gi* hot spot falls inside {place.name}."
        )
        out.append(Finding(text, subject=place.name, measure="hot-spot cover"))
    out = [f if isinstance(f, Finding) else Finding(f, subject=place.name) for f in out]
    return out if as_findings else [f.text for f in out]


def _difference_findings(
    place: Place, body: pd.DataFrame, mix: pd.DataFrame, threshold: int
) -> list:
    """Crime types whose rate or share differs significantly from the rest of the district."""
    from sa_lib.themes.results import Finding

    out = []
    shown = body["count_area"] >= threshold
    for word in ("higher", "lower"):
        sel = body[(body["comparison"] == word) & shown]
        if len(sel):
            # A ratio on a handful of crimes is not a claim to print: below the
            # disclosure threshold or under MIN_RATIO_COUNT the type is named without it.
            items = ", ".join(
                f"{t} ({rr:.1f} times)"
                if n >= max(threshold, MIN_RATIO_COUNT)
                else f"{t} (too few crimes to quote a ratio)"
                for t, rr, n in zip(
                    sel["crime_type"], sel["rate_ratio"], sel["count_area"], strict=True
                )
            )
            out.append(
                Finding(
                    f"Rates significantly {word} than in the rest of the district: {items}.",
                    subject=f"Crime types in {place.name}",
                    measure="rate against the rest of the district",
                    test="exact Poisson",
                    tested=True,
                    significant=True,
                )
            )
    for word, more in (("higher", "larger"), ("lower", "smaller")):
        sel = mix[(mix["comparison"] == word) & (mix["count_area"] >= threshold)]
        if len(sel):
            items = ", ".join(
                f"{t} ({a:.0f}% against {d:.0f}%)"
                for t, a, d in zip(
                    sel["crime_type"], sel["share_area"], sel["share_district"], strict=True
                )
            )
            out.append(
                Finding(
                    f"Crime mix: a {more} share than the district's of {items}.",
                    subject=f"Crime mix in {place.name}",
                    measure="share of crime",
                    tested=True,
                    significant=True,
                )
            )
    return out


def _change_findings(
    place: Place, types, total_label, threshold, compare_key, compare_label, period_label
) -> list:
    """The area's all-crime change against the comparison period, tested."""
    from sa_lib.themes.findings import format_pct

    out = []
    row = types[types["crime_type"] == total_label]
    if len(row) and row.iloc[0]["count_current"] >= threshold:
        r = row.iloc[0]
        lab, pct = str(r[f"label_vs_{compare_key}"]), r[f"pct_vs_{compare_key}"]
        since = f" compared with {compare_label}" if compare_label else ""
        sig = lab.startswith("significant") and pd.notna(pct)
        text = (
            f"{total_label} in {place.name} {'rose' if pct > 0 else 'fell'} by "
            f"{format_pct(pct)}{since}: a significant change after correction."
            if sig
            else f"{total_label} in {place.name}: no significant change{since}."
        )
        up = pd.notna(pct) and pct > 0
        out.append(
            Finding(
                text,
                subject=f"{total_label} in {place.name}",
                measure="change",
                comparison=compare_label,
                periods=(compare_label, period_label) if compare_label else None,
                tested=True,
                significant=bool(sig),
                direction=("increase" if up else "decrease") if sig else "none",
            )
        )
    return out
