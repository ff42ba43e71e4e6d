"""Place profiles: pick a named area (ward, LSOAs or polygon) and compare it with its district.

An area is always a set of whole LSOAs, because that is what police.uk rows
and Census populations are coded to, so counts and rates inside and outside it
add up to the district's. A ward is its best-fit LSOAs (as in
:mod:`sa_lib.data.geography`); a polygon is the LSOAs with more than half of their
area inside it (the rule is recorded with :func:`sa_lib.choices.record_choice`).

- :func:`select_place`: the area from ``{type: ward|lsoas|polygon, value: ...}``;
- :func:`place_crimes`: the rows inside it;
- :func:`area_vs_rest`: the area's rate against the rest of the district, per
  crime type, with confidence intervals and a Poisson test (FDR across types);
- :func:`crime_mix`: the area's share of crime by type, with a Wilson interval,
  against the district's share;
- :func:`monthly_area_vs_rest`: monthly rates, area and rest of district;
- :func:`cells_in_place`: district-wide Gi* cells clipped to the area.

The charts, reader's tables and key findings are in :mod:`sa_lib.themes.place_display`;
the page is built by :func:`sa_lib.themes.place_build.build`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> from sa_lib.data.geography import CSPGeography
>>> lsoas = gpd.GeoDataFrame({"lsoa21_code": ["L1", "L2"], "ward_code": ["W1", "W2"],
...     "ward_name": ["North", "South"], "population": [1000, 3000]},
...     geometry=[box(0, 0, 1000, 1000), box(0, 1000, 1000, 2000)], crs="EPSG:27700")
>>> wards = lsoas.rename(columns={}).drop(columns="lsoa21_code")
>>> geo = CSPGeography(["E1"], lsoas, wards, lsoas.dissolve(), None)
>>> p = select_place(geo, {"type": "ward", "value": "north"})
>>> p.name, p.lsoa_codes, p.population
('North', ['L1'], 1000)
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from sa_lib.choices import record_choice
from sa_lib.data.counts import POLICE_UK_TYPES
from sa_lib.spatial.grids import BNG
from sa_lib.stats.change import compare_counts
from sa_lib.stats.rates import proportion_ci, rate_ci
from sa_lib.validation import require_columns, require_dataframe, require_geodataframe

__all__ = [
    "Place",
    "AREA_TYPES",
    "select_place",
    "place_crimes",
    "area_vs_rest",
    "crime_mix",
    "monthly_area_vs_rest",
    "cells_in_place",
]

#: The kinds of area a place profile can describe.
AREA_TYPES = ("ward", "lsoas", "polygon")
_ASB = "Anti-social behaviour"
_CRIME_TYPES = [t for t in POLICE_UK_TYPES if t != _ASB]


@dataclass
class Place:
    """A named area inside a CSP.

    Attributes
    ----------
    name : str
        For titles: the ward's name, "N LSOAs" or the polygon file's name.
    kind : str
        "ward", "lsoas" or "polygon".
    lsoa_codes : list of str
        The LSOA21 codes making up the area.
    outline : GeoDataFrame
        One row, EPSG:27700: the ward or polygon as given (for an LSOA list, their union).
    population : int
        Census 2021 residents of the area's LSOAs.
    ward_names : list of str
        Wards the area's LSOAs belong to.
    """

    name: str
    kind: str
    lsoa_codes: list[str]
    outline: gpd.GeoDataFrame
    population: int
    ward_names: list[str]


def _spec(spec: object) -> tuple[str, object]:
    if not isinstance(spec, Mapping) or set(spec) != {"type", "value"}:
        raise ValueError(
            f"area must be a mapping with exactly the keys 'type' and 'value', got {spec!r}.\n"
            f"Fix: e.g. {{type: ward, value: Huntingdon North}}, {{type: lsoas, value: "
            f"[E01017..., ...]}} or {{type: polygon, value: path/to/area.geojson}}."
        )
    kind = spec["type"]
    if kind not in AREA_TYPES:
        raise ValueError(
            f"area type {kind!r} is not valid. Valid types: {', '.join(map(repr, AREA_TYPES))}."
        )
    return kind, spec["value"]


def _place_from_lsoas(geo, codes: list[str], name: str, kind: str, outline=None) -> Place:
    ls = geo.lsoas[geo.lsoas["lsoa21_code"].isin(codes)]
    if outline is None:
        outline = gpd.GeoDataFrame(geometry=[ls.geometry.union_all()], crs=geo.lsoas.crs)
    outline = outline if outline.crs.to_epsg() == 27700 else outline.to_crs(BNG)
    return Place(
        name=name,
        kind=kind,
        lsoa_codes=sorted(ls["lsoa21_code"].astype(str)),
        outline=outline.reset_index(drop=True),
        population=int(ls["population"].sum()),
        ward_names=sorted(ls["ward_name"].dropna().astype(str).unique()),
    )


def _top_ward(geo, crimes: pd.DataFrame | None) -> str:
    if crimes is None or len(crimes) == 0:
        raise ValueError(
            "area is not set and no crimes were given to choose the ward with most crime.\n"
            "Fix: set place_profile.area, e.g. {type: ward, value: <a ward name>}."
        )
    require_columns(crimes, ["ward_code", "crime_type"], arg="crimes")
    c = crimes[crimes["crime_type"] != _ASB]["ward_code"].value_counts()
    code = str(c.index[0])
    name = str(geo.wards.loc[geo.wards["ward_code"] == code, "ward_name"].iloc[0])
    record_choice(
        "place profile area",
        f"ward {name}",
        "default: place_profile.area not set; the ward with most crime (excluding ASB)",
    )
    return name


def select_place(
    geo,
    spec: Mapping | None,
    *,
    crimes: pd.DataFrame | None = None,
    polygon: str | os.PathLike[str] | None = None,
) -> Place:
    """The area a place profile describes, from the ``place_profile.area`` parameter.

    Parameters
    ----------
    geo : CSPGeography
        The CSP's geography (``ctx.geo``).
    spec : mapping or None
        ``{"type": "ward", "value": name or code}`` (names match ignoring case),
        ``{"type": "lsoas", "value": [LSOA21 codes]}`` or
        ``{"type": "polygon", "value": path to a GeoJSON file}`` (any CRS; read from
        ``polygon`` when given, else from ``value`` as given). None: the ward with most crime
        (excluding ASB) in ``crimes``, recorded as a choice.
    crimes : DataFrame, optional
        Rows with ``ward_code`` and ``crime_type``; only used when ``spec`` is None.
    polygon : path-like, optional
        The polygon file resolved (``params.paths.place_polygon``, which
        :func:`sa_lib.pack.params.load_params` resolves from the project root).

    Returns
    -------
    Place

    Raises
    ------
    ValueError
        An unknown ward (the message lists the valid ward names), unknown LSOA
        codes, a missing or unreadable polygon file, a polygon covering no LSOA by
        more than half, or an area that is the whole district (nothing to compare with).
    """
    if spec is None:
        spec = {"type": "ward", "value": _top_ward(geo, crimes)}
    kind, value = _spec(spec)
    if kind == "ward":
        place = _ward_place(geo, value)
    elif kind == "lsoas":
        place = _lsoas_place(geo, value)
    else:
        place = _polygon_place(geo, value, polygon)
    if len(place.lsoa_codes) == len(geo.lsoas):
        raise ValueError(
            f"area {place.name!r} covers every LSOA of the CSP, so there is no rest of the "
            f"district to compare it with.\nFix: choose a smaller area."
        )
    return place


def _ward_place(geo, value: object) -> Place:
    """The ward named (or coded) ``value``, ignoring case, as its best-fit LSOAs."""
    wards = geo.wards
    key = str(value).strip().casefold()
    hit = wards[
        (wards["ward_name"].astype(str).str.casefold() == key)
        | (wards["ward_code"].astype(str).str.casefold() == key)
    ]
    if hit.empty:
        names = sorted(wards["ward_name"].astype(str))
        raise ValueError(
            f"area: no ward called {value!r} in this CSP. Valid ward names: "
            f"{', '.join(names)} (or their codes, e.g. {wards['ward_code'].iloc[0]})."
        )
    row = hit.iloc[0]
    codes = geo.lsoas.loc[geo.lsoas["ward_code"] == row["ward_code"], "lsoa21_code"].tolist()
    if not codes:
        raise ValueError(
            f"area: ward {row['ward_name']!r} has no best-fit LSOA (it is smaller than "
            f"half of every LSOA it touches), so no counts or population can be given.\n"
            f"Fix: use {{type: lsoas, value: [...]}} or {{type: polygon, value: ...}}."
        )
    outline = gpd.GeoDataFrame(geometry=[row.geometry], crs=wards.crs)
    return _place_from_lsoas(geo, codes, str(row["ward_name"]), "ward", outline)


def _lsoas_place(geo, value: object) -> Place:
    """The listed LSOA21 codes (one code or a list); every code must be the CSP's."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise ValueError(f"area: 'lsoas' needs a non-empty list of LSOA21 codes, got {value!r}.")
    valid = set(geo.lsoas["lsoa21_code"].astype(str))
    bad = [c for c in value if str(c) not in valid]
    if bad:
        ex = ", ".join(sorted(valid)[:5])
        raise ValueError(
            f"area: {len(bad)} LSOA code(s) are not LSOAs of this CSP: "
            f"{', '.join(map(repr, bad[:10]))}. This CSP has {len(valid)} LSOAs (2021 "
            f"codes), e.g. {ex}."
        )
    codes = sorted({str(c) for c in value})
    return _place_from_lsoas(geo, codes, f"{len(codes)} LSOAs", "lsoas")


def _polygon_place(geo, value: object, polygon: str | os.PathLike[str] | None) -> Place:
    """The LSOAs more than half inside the polygon file (``polygon``, else ``value``)."""
    path = Path(polygon) if polygon is not None else Path(str(value))
    if not path.is_file():
        raise ValueError(f"area: polygon file not found: {value} (looked at {path}).")
    try:
        poly = gpd.read_file(path)
    except Exception as e:  # any reader error: say which file
        raise ValueError(f"area: cannot read polygon file {value}: {e}") from None
    if poly.crs is None:
        raise ValueError(
            f"area: polygon file {value} has no coordinate reference system.\n"
            f"Fix: save it as GeoJSON with a CRS (WGS84 or EPSG:27700)."
        )
    poly = poly.to_crs(BNG)
    shape = poly.geometry.union_all()
    if shape.is_empty or shape.area <= 0:
        raise ValueError(f"area: polygon file {value} holds no polygon with an area.")
    ls = geo.lsoas
    inside = ls.geometry.intersection(shape).area / ls.geometry.area
    codes = ls.loc[(inside > 0.5).to_numpy(), "lsoa21_code"].tolist()
    if not codes:
        touched = ls.loc[(inside > 0).to_numpy(), "lsoa21_code"].tolist()
        raise ValueError(
            f"area: the polygon in {value} covers no LSOA of this CSP by more than half "
            f"(it touches {len(touched)}: {', '.join(touched[:10]) or 'none'}), so no "
            f"counts or population can be given.\nFix: draw a larger polygon, or use "
            f"{{type: lsoas, value: [...]}}."
        )
    record_choice(
        "place profile LSOAs",
        f"{len(codes)} LSOAs",
        "LSOAs with more than half of their area inside the polygon",
    )
    outline = gpd.GeoDataFrame(geometry=[shape], crs=BNG)
    return _place_from_lsoas(geo, codes, path.stem.replace("_", " "), "polygon", outline)


def place_crimes(crimes: pd.DataFrame, place: Place) -> pd.DataFrame:
    """The rows of ``crimes`` (with ``lsoa21_code``) inside the place: a new DataFrame.

    Examples
    --------
    >>> import pandas as pd, geopandas as gpd
    >>> p = Place("A", "lsoas", ["L1"], gpd.GeoDataFrame(geometry=[]), 10, [])
    >>> len(place_crimes(pd.DataFrame({"lsoa21_code": ["L1", "L2", "L1"]}), p))
    2
    """
    require_columns(crimes, ["lsoa21_code"], arg="crimes", fix="use ctx.crimes")
    return crimes[crimes["lsoa21_code"].isin(place.lsoa_codes).to_numpy()].reset_index(drop=True)


def _type_counts(rows: pd.DataFrame, types: list[str], total_label: str | None) -> pd.Series:
    c = rows["crime_type"].value_counts().reindex(types, fill_value=0).astype("int64")
    if total_label:
        c[total_label] = int(rows["crime_type"].isin(_CRIME_TYPES).sum())
    return c


def area_vs_rest(
    crimes: pd.DataFrame,
    place: Place,
    district_population: float,
    months: Sequence[str],
    *,
    types: Sequence[str] | None = None,
    total_label: str | None = "All crime",
    per: int = 1000,
    conf_level: float = 0.95,
    alpha: float = 0.05,
    correction: str = "fdr_bh",
) -> pd.DataFrame:
    """The area's crime rate against the rest of the district, per crime type, tested.

    Rates are annualised (per ``per`` residents a year) with Byar / exact Poisson
    intervals (:func:`sa_lib.stats.rates.rate_ci`). The test is the exact conditional
    Poisson test of the two rates with population x months as exposures
    (:func:`sa_lib.stats.change.compare_counts`), adjusted across the crime types
    (one family); the ``total_label`` row is tested on its own, unadjusted.

    Parameters
    ----------
    crimes : DataFrame
        The CSP's rows (``month``, ``crime_type``, ``lsoa21_code``).
    place : Place
    district_population : float
        The CSP's population (``ctx.geo.population``).
    months : sequence of str
        The period's months.
    types : sequence of str, optional
        Rows to show (default the 14 police.uk categories).
    total_label : str or None
        Adds an all-crime row (every type except ASB).

    Returns
    -------
    DataFrame
        ``crime_type``, ``count_area``, ``rate_area``, ``rate_area_lower``,
        ``rate_area_upper``, ``count_rest``, ``rate_rest``, ``rate_rest_lower``,
        ``rate_rest_upper``, ``rate_ratio`` (area / rest), ``rr_lower``,
        ``rr_upper``, ``p_value``, ``p_adjusted``, ``significant`` and
        ``comparison``: "higher", "lower", "similar" (not significant) or "no
        crimes" (none in either).

    Examples
    --------
    >>> import pandas as pd, geopandas as gpd
    >>> p = Place("A", "lsoas", ["L1"], gpd.GeoDataFrame(geometry=[]), 1000, [])
    >>> crimes = pd.DataFrame({"month": "2025-10", "crime_type": "Burglary",
    ...     "lsoa21_code": ["L1"] * 30 + ["L2"] * 30})
    >>> t = area_vs_rest(crimes, p, 4000, ["2025-10"], types=["Burglary"], total_label=None)
    >>> t[["rate_area", "rate_rest", "comparison"]].values.tolist()
    [[360.0, 120.0, 'higher']]
    """
    require_columns(crimes, ["month", "crime_type", "lsoa21_code"], arg="crimes")
    rest_pop = float(district_population) - float(place.population)
    if not place.population > 0 or not rest_pop > 0:
        raise ValueError(
            f"area_vs_rest needs residents in the area and in the rest of the district; got "
            f"{place.population} in {place.name!r} and {rest_pop:g} elsewhere.\n"
            f"Fix: check district_population (ctx.geo.population) and the area."
        )
    types = list(types or POLICE_UK_TYPES)
    rows = crimes[crimes["month"].isin(list(months)).to_numpy()]
    inside = rows["lsoa21_code"].isin(place.lsoa_codes).to_numpy()
    a = _type_counts(rows[inside], types, total_label)
    r = _type_counts(rows[~inside], types, total_label)
    years = len(months) / 12
    t = pd.DataFrame(
        {
            "crime_type": a.index,
            "count_area": a.to_numpy(),
            "count_rest": r.to_numpy(),
            "_pa": place.population * years,
            "_pr": rest_pop * years,
        }
    )
    t = rate_ci(t, "count_area", "_pa", per=per, conf_level=conf_level).rename(
        columns={
            "rate": "rate_area",
            "rate_lower": "rate_area_lower",
            "rate_upper": "rate_area_upper",
        }
    )
    t = rate_ci(t, "count_rest", "_pr", per=per, conf_level=conf_level).rename(
        columns={
            "rate": "rate_rest",
            "rate_lower": "rate_rest_lower",
            "rate_upper": "rate_rest_upper",
        }
    )
    # One family: the crime types, adjusted together; the total (made of the same
    # crimes, a different question) is tested on its own, as the Methods table says.
    kw = dict(before="count_rest", after="count_area", exposure_before="_pr", exposure_after="_pa")
    alone = (t["crime_type"] == total_label).to_numpy() if total_label else np.zeros(len(t), bool)
    parts = [compare_counts(t[~alone], alpha=alpha, correction=correction, method="exact", **kw)]
    if alone.any():
        parts.append(compare_counts(t[alone], alpha=alpha, correction="none", method="exact", **kw))
    res = pd.concat(parts).loc[t.index]
    sig = res["significant"].to_numpy()
    rr = res["rate_ratio"].to_numpy()
    tested = res["p_value"].notna().to_numpy()
    comp = np.where(
        ~tested, "no crimes", np.where(sig & (rr > 1), "higher", np.where(sig, "lower", "similar"))
    )
    cols = [
        "crime_type",
        "count_area",
        "rate_area",
        "rate_area_lower",
        "rate_area_upper",
        "count_rest",
        "rate_rest",
        "rate_rest_lower",
        "rate_rest_upper",
    ]
    out = t[cols].copy()
    for c in ("rate_ratio", "rr_lower", "rr_upper", "p_value", "p_adjusted", "significant"):
        out[c] = res[c].to_numpy()
    out["comparison"] = comp
    return out


def crime_mix(
    crimes: pd.DataFrame,
    place: Place,
    months: Sequence[str],
    *,
    types: Sequence[str] | None = None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """The area's crime mix (share of each type) against the district's, with Wilson CIs.

    The district share (the whole CSP, area included) is the benchmark, as in
    the Fingertips method: "higher" when the area's whole interval lies above it,
    "lower" when below, otherwise "similar".

    Parameters
    ----------
    crimes : DataFrame
        The CSP's rows (``month``, ``crime_type``, ``lsoa21_code``).
    place : Place
    months : sequence of str
        The period's months.
    types : sequence of str, optional
        The types making up the mix (default: the 13 crime types, ASB excluded).
    conf_level : float, default 0.95

    Returns
    -------
    DataFrame
        One row per type: ``crime_type``, ``count_area``, ``share_area``,
        ``share_lower``, ``share_upper`` (percentages of the area's total over
        ``types``), ``count_district``, ``share_district`` (%), ``comparison``.

    Examples
    --------
    >>> import pandas as pd, geopandas as gpd
    >>> p = Place("A", "lsoas", ["L1"], gpd.GeoDataFrame(geometry=[]), 1000, [])
    >>> crimes = pd.DataFrame({"month": "2025-10",
    ...     "crime_type": ["Drugs"] * 80 + ["Burglary"] * 20 + ["Burglary"] * 100,
    ...     "lsoa21_code": ["L1"] * 100 + ["L2"] * 100})
    >>> crime_mix(crimes, p, ["2025-10"], types=["Burglary", "Drugs"])[
    ...     ["crime_type", "share_area", "share_district", "comparison"]].values.tolist()
    [['Burglary', 20.0, 60.0, 'lower'], ['Drugs', 80.0, 40.0, 'higher']]
    """
    require_dataframe(crimes, "crimes")
    require_columns(crimes, ["month", "crime_type", "lsoa21_code"], arg="crimes")
    types = list(types or _CRIME_TYPES)
    rows = crimes[crimes["month"].isin(list(months)).to_numpy()]
    rows = rows[rows["crime_type"].isin(types).to_numpy()]
    inside = rows["lsoa21_code"].isin(place.lsoa_codes).to_numpy()
    a = _type_counts(rows[inside], types, None)
    d = _type_counts(rows, types, None)
    if a.sum() == 0:
        raise ValueError(
            f"{place.name!r} has no crimes of the types {', '.join(types)} in "
            f"{months[0]} to {months[-1]}, so it has no crime mix to compare."
        )
    t = pd.DataFrame(
        {
            "crime_type": types,
            "count_area": a.to_numpy(),
            "_total": int(a.sum()),
            "count_district": d.to_numpy(),
        }
    )
    t = proportion_ci(t, "count_area", "_total", conf_level=conf_level)
    district_share = t["count_district"] / float(d.sum())
    comp = np.where(
        t["proportion_lower"] > district_share,
        "higher",
        np.where(t["proportion_upper"] < district_share, "lower", "similar"),
    )
    record_choice(
        "crime mix comparison",
        f"Wilson {conf_level:.0%} CI of the area's share vs the district's share",
        "higher/lower when the whole interval is above/below the district share "
        "(district treated as a fixed benchmark)",
    )
    return pd.DataFrame(
        {
            "crime_type": t["crime_type"],
            "count_area": t["count_area"].astype("int64"),
            "share_area": 100 * t["proportion"],
            "share_lower": 100 * t["proportion_lower"],
            "share_upper": 100 * t["proportion_upper"],
            "count_district": t["count_district"].astype("int64"),
            "share_district": 100 * district_share,
            "comparison": comp,
        }
    )


def monthly_area_vs_rest(
    crimes: pd.DataFrame,
    place: Place,
    district_population: float,
    *,
    crime_types: Sequence[str] | None = None,
    per: int = 1000,
    suppress_below: int | None = None,
) -> pd.DataFrame:
    """Monthly crime rates (annualised) in the area and in the rest of the district.

    Parameters
    ----------
    crimes : DataFrame
        Rows with ``month``, ``crime_type``, ``lsoa21_code``.
    crime_types : sequence of str, optional
        Default: every type except ASB.
    suppress_below : int, optional
        A month whose area count is below this has ``rate_area`` NaN (not drawn).

    Returns
    -------
    DataFrame
        ``month``, ``month_start``, ``rate_area``, ``rate_rest`` (per ``per``
        residents a year, i.e. the monthly rate x 12).

    Examples
    --------
    >>> import pandas as pd, geopandas as gpd
    >>> p = Place("A", "lsoas", ["L1"], gpd.GeoDataFrame(geometry=[]), 1000, [])
    >>> c = pd.DataFrame({"month": ["2025-01"] * 3 + ["2025-02"], "crime_type": "Drugs",
    ...     "lsoa21_code": ["L1", "L1", "L2", "L1"]})
    >>> monthly_area_vs_rest(c, p, 2000)["rate_area"].tolist()
    [24.0, 12.0]
    """
    require_columns(crimes, ["month", "crime_type", "lsoa21_code"], arg="crimes")
    types = list(crime_types or _CRIME_TYPES)
    rows = crimes[crimes["crime_type"].isin(types).to_numpy()]
    months = [str(m) for m in pd.period_range(rows["month"].min(), rows["month"].max(), freq="M")]
    inside = rows["lsoa21_code"].isin(place.lsoa_codes).to_numpy()
    a = rows[inside]["month"].value_counts().reindex(months, fill_value=0)
    r = rows[~inside]["month"].value_counts().reindex(months, fill_value=0)
    rest_pop = float(district_population) - place.population
    out = pd.DataFrame(
        {
            "month": months,
            "month_start": pd.PeriodIndex(months, freq="M").to_timestamp(),
            "rate_area": a.to_numpy() / place.population * per * 12,
            "rate_rest": r.to_numpy() / rest_pop * per * 12,
        }
    )
    if suppress_below is not None:
        out.loc[(a.to_numpy() < suppress_below), "rate_area"] = np.nan
    return out


def cells_in_place(cells: gpd.GeoDataFrame, place: Place) -> gpd.GeoDataFrame:
    """Grid cells (e.g. district-wide Gi* results) clipped to the area's outline.

    Parameters
    ----------
    cells : GeoDataFrame
        Cells in EPSG:27700 with ``area_km2``.

    Returns
    -------
    GeoDataFrame
        The cells overlapping the area, clipped to it (rows and columns kept,
        ``area_km2`` recomputed for the clipped part, ``share_in_area`` the
        share of the cell inside the area).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame({"area_km2": [1.0, 1.0]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs="EPSG:27700")
    >>> p = Place("A", "lsoas", [], gpd.GeoDataFrame(geometry=[box(0, 0, 1500, 1000)],
    ...     crs="EPSG:27700"), 1, [])
    >>> cells_in_place(cells, p)["area_km2"].tolist()
    [1.0, 0.5]
    """
    require_geodataframe(cells, "cells")
    require_columns(cells, ["area_km2"], arg="cells")
    c = cells if cells.crs.to_epsg() == 27700 else cells.to_crs(BNG)
    shape = place.outline.geometry.union_all()
    clipped = c.geometry.intersection(shape)
    keep = (clipped.area > 0).to_numpy()
    out = c[keep].copy()
    full = out.geometry.area
    out = out.set_geometry(clipped[keep])
    out["area_km2"] = out.geometry.area / 1e6
    out["share_in_area"] = (out.geometry.area / full).to_numpy()
    return out.reset_index(drop=True)
