"""Composition for the hot-spot report: crime-type selection, hot-spot wards, emerging filters.

The statistics live in :mod:`sa_lib.spatial.grids`, :mod:`sa_lib.spatial.kde`, :mod:`sa_lib.spatial.hotspots`
and :mod:`sa_lib.spatial.emerging`; this module holds the small steps a theme notebook
needs between them, so notebooks stay thin:

- :func:`resolve_crime_types` / :func:`crime_points`: turn the ``hotspots.crime_types``
  parameter into validated crime types and located points (EPSG:27700), with a
  clear error naming the valid types;
- :func:`gi_weights`: queen weights with the self-weight already in, so repeated Gi*
  over the same cells (every month of an emerging hot-spot analysis) does not
  rebuild them each time;
- :func:`majority_ward` / :func:`hot_spot_wards`: which wards contain Gi* hot cells;
- :func:`restrict_preventing`: a minimum count before a cell can be "Preventing"
  (a rural cell rising from two crimes to five is noise, not a place to prevent);
- :func:`emerging_table`: CSP categories against the ArcGIS categories;
- :func:`ward_change`: tested change per ward between two periods (FDR);
- :func:`hotspot_findings`: plain-English key findings with disclosure control.

Examples
--------
>>> resolve_crime_types(["Burglary", "Robbery"])
['Burglary', 'Robbery']
>>> crime_label(resolve_crime_types(["All crime"]))
'All crime (excluding ASB)'
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd

from sa_lib.choices import record_choice
from sa_lib.data.counts import POLICE_UK_TYPES, area_counts
from sa_lib.data.geography import to_points
from sa_lib.spatial.emerging import EHSA_CATEGORIES
from sa_lib.spatial.grids import BNG
from sa_lib.spatial.hotspots import GI_LABELS, compare_areas_change, spatial_weights
from sa_lib.themes.hotspot_findings import hotspot_findings  # re-exported
from sa_lib.validation import (
    require_columns,
    require_dataframe,
    require_geodataframe,
    require_int,
)

__all__ = [
    "ALL_CRIME",
    "resolve_crime_types",
    "crime_label",
    "crime_points",
    "gi_weights",
    "majority_ward",
    "hot_spot_wards",
    "restrict_preventing",
    "emerging_table",
    "ward_change",
    "hotspot_findings",
]

#: The parameter value meaning every crime type except anti-social behaviour.
ALL_CRIME = "All crime"
_ASB = "Anti-social behaviour"
_CRIME_TYPES = [t for t in POLICE_UK_TYPES if t != _ASB]


def _valid_text() -> str:
    return f"{ALL_CRIME!r} (every type except ASB), " + ", ".join(repr(t) for t in POLICE_UK_TYPES)


def resolve_crime_types(crime_types: Sequence[str] | str | None) -> list[str]:
    """Turn the ``crime_types`` parameter into a list of police.uk crime types.

    Parameters
    ----------
    crime_types : list of str, str or None
        police.uk categories; ``"All crime"`` stands for every type except ASB.
        None means ``["All crime"]`` (recorded with
        :func:`sa_lib.choices.record_choice`).

    Returns
    -------
    list of str
        The types, in the police.uk order, each once.

    Raises
    ------
    ValueError
        If the list is empty or names an unknown type; the message lists the valid types.

    Examples
    --------
    >>> resolve_crime_types(["Robbery", "Burglary", "Robbery"])
    ['Burglary', 'Robbery']
    >>> len(resolve_crime_types(None))
    13
    """
    if crime_types is None:
        record_choice(
            "hot-spot crime types",
            "All crime (excluding ASB)",
            "default: hotspots.crime_types not set",
        )
        return list(_CRIME_TYPES)
    if isinstance(crime_types, str):
        crime_types = [crime_types]
    if not isinstance(crime_types, list | tuple) or len(crime_types) == 0:
        raise ValueError(
            f"crime_types is empty ({crime_types!r}); name at least one crime type.\n"
            f"Valid types: {_valid_text()}.\n"
            f"Fix: e.g. hotspots.crime_types: [Burglary], or leave it out for all crime."
        )
    chosen: set[str] = set()
    for t in crime_types:
        if t == ALL_CRIME:
            chosen.update(_CRIME_TYPES)
        elif t in POLICE_UK_TYPES:
            chosen.add(t)
        else:
            close = [v for v in POLICE_UK_TYPES if str(t).lower()[:4] == v.lower()[:4]]
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"crime_types: unknown crime type {t!r}.{hint}\nValid types: {_valid_text()}."
            )
    return [t for t in POLICE_UK_TYPES if t in chosen]


def crime_label(crime_types: Sequence[str]) -> str:
    """A short name for a set of crime types, for titles and findings.

    Examples
    --------
    >>> crime_label(["Burglary"]), crime_label(["Burglary", "Robbery"])
    ('Burglary', 'Burglary and Robbery')
    """
    types = list(crime_types)
    if set(types) == set(_CRIME_TYPES):
        return "All crime (excluding ASB)"
    if set(types) == set(POLICE_UK_TYPES):
        return "All crime and ASB"
    if len(types) <= 3:
        return types[0] if len(types) == 1 else ", ".join(types[:-1]) + " and " + types[-1]
    return f"{len(types)} crime types"


def crime_points(
    crimes: pd.DataFrame,
    crime_types: Sequence[str],
    months: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Located rows of the chosen crime types as points in EPSG:27700, without identifiers.

    Parameters
    ----------
    crimes : DataFrame
        police.uk rows with ``month``, ``crime_type``, ``longitude``, ``latitude``
        (e.g. ``ctx.crimes``).
    crime_types : sequence of str
        From :func:`resolve_crime_types`.
    months : sequence of str, optional
        Keep only these months ("2025-10"...); default all.

    Returns
    -------
    GeoDataFrame
        EPSG:27700 points with ``month``, ``crime_type`` and, when present,
        ``ward_code``, ``ward_name``, ``lsoa21_code`` (no crime ids or other
        record-level columns). Rows with no location are dropped.

    Raises
    ------
    ValueError
        If no located row matches (the message names the types and months asked for).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"month": ["2025-10", "2025-10"], "crime_type": ["Burglary", "Drugs"],
    ...     "longitude": [-0.18, -0.18], "latitude": [52.33, 52.33], "crime_id": ["a", "b"]})
    >>> p = crime_points(df, ["Burglary"])
    >>> len(p), "crime_id" in p.columns, p.crs.to_epsg()
    (1, False, 27700)
    """
    require_dataframe(crimes, "crimes")
    require_columns(crimes, ["month", "crime_type", "longitude", "latitude"], arg="crimes")
    types = list(crime_types)
    if not types:
        raise ValueError(f"crime_types is empty; valid types: {_valid_text()}.")
    sel = crimes["crime_type"].isin(types)
    if months is not None:
        sel &= crimes["month"].isin(list(months))
    keep = ["month", "crime_type", "longitude", "latitude"] + [
        c for c in ("ward_code", "ward_name", "lsoa21_code") if c in crimes.columns
    ]
    rows = crimes.loc[sel.to_numpy(), keep]
    located = rows["longitude"].notna() & rows["latitude"].notna()
    if not located.any():
        span = f" in {months[0]} to {months[-1]}" if months else ""
        raise ValueError(
            f"crimes has no located rows for crime type(s) {', '.join(map(repr, types))}{span} "
            f"({int(sel.sum())} row(s) before dropping those with no location).\n"
            f"Fix: choose other crime types or a longer period."
        )
    pts = to_points(rows)
    return pts.drop(columns=["longitude", "latitude"]).reset_index(drop=True)


def gi_weights(cells: gpd.GeoDataFrame) -> libpysal.weights.W:
    """Binary queen weights for Gi* with each cell's self-weight (1) already on the diagonal.

    :func:`sa_lib.spatial.hotspots.gi_star` adds the self-weight on every call; with it
    already present, esda uses the weights as they are, so the z-scores and
    p-values are identical and a monthly emerging hot-spot analysis (one Gi* per
    month) is markedly faster. Pass the result as ``weights=`` to
    :func:`sa_lib.spatial.hotspots.gi_star` or :func:`sa_lib.spatial.emerging.emerging_hotspots`.

    Parameters
    ----------
    cells : GeoDataFrame
        Grid cells or areas in EPSG:27700 (row order = ids 0..n-1).

    Returns
    -------
    libpysal.weights.W

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(x, 0, x + 1, 1) for x in range(3)], crs="EPSG:27700")
    >>> sorted(gi_weights(g).neighbors[1])
    [0, 1, 2]
    """
    require_geodataframe(cells, "cells")
    w = spatial_weights(cells, "queen")
    w.transform = "B"
    return libpysal.weights.fill_diagonal(w, 1)


def majority_ward(
    cells: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    ward_code_col: str = "ward_code",
    ward_name_col: str = "ward_name",
) -> gpd.GeoDataFrame:
    """Give each cell the ward holding the largest part of its area.

    Parameters
    ----------
    cells : GeoDataFrame
        Grid cells (any polygons) in EPSG:27700.
    wards : GeoDataFrame
        Ward polygons with ``ward_code_col`` and ``ward_name_col``.

    Returns
    -------
    GeoDataFrame
        A copy of ``cells`` with ``ward_code`` and ``ward_name`` (missing where a
        cell overlaps no ward).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10)], crs="EPSG:27700")
    >>> wards = gpd.GeoDataFrame({"ward_code": ["W1", "W2"], "ward_name": ["A", "B"]},
    ...     geometry=[box(0, 0, 3, 10), box(3, 0, 10, 10)], crs="EPSG:27700")
    >>> majority_ward(cells, wards)["ward_name"].tolist()
    ['B']
    """
    require_geodataframe(cells, "cells")
    require_geodataframe(wards, "wards")
    require_columns(wards, [ward_code_col, ward_name_col], arg="wards")
    c = cells if cells.crs.to_epsg() == 27700 else cells.to_crs(BNG)
    w = wards if wards.crs.to_epsg() == 27700 else wards.to_crs(BNG)
    left = gpd.GeoDataFrame({"_cell": np.arange(len(c))}, geometry=c.geometry.to_numpy(), crs=BNG)
    right = gpd.GeoDataFrame(
        {"_code": w[ward_code_col].to_numpy(), "_name": w[ward_name_col].to_numpy()},
        geometry=w.geometry.to_numpy(),
        crs=BNG,
    )
    pieces = gpd.overlay(left, right, how="intersection", keep_geom_type=True)
    pieces["_area"] = pieces.geometry.area
    best = pieces.sort_values(["_cell", "_area"], ascending=[True, False], kind="stable")
    best = best.drop_duplicates("_cell")
    best = best.set_index("_cell")
    out = cells.copy()
    pos = np.arange(len(cells))
    out["ward_code"] = pd.Series(pos).map(best["_code"]).to_numpy()
    out["ward_name"] = pd.Series(pos).map(best["_name"]).to_numpy()
    return out


def hot_spot_wards(
    gi_cells: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame,
    *,
    count_col: str = "count",
    ward_code_col: str = "ward_code",
    ward_name_col: str = "ward_name",
) -> pd.DataFrame:
    """Wards containing Gi* hot cells, with the hot area and the crimes in those cells.

    Each cell belongs to the ward holding most of its area (:func:`majority_ward`).

    Parameters
    ----------
    gi_cells : GeoDataFrame
        Output of :func:`sa_lib.spatial.hotspots.gi_star` on grid cells, with ``gi_bin``,
        ``area_km2`` and ``count_col``.
    wards : GeoDataFrame
        Ward polygons (``ward_code``, ``ward_name``).

    Returns
    -------
    DataFrame
        One row per ward with at least one hot cell (``gi_bin > 0``), sorted by
        ``count_in_hot_cells`` (descending): ``ward_code``, ``ward_name``,
        ``hot_cells`` (int), ``hot_area_km2``, ``strongest`` (the highest
        confidence class, e.g. "Hot spot 99%"), ``count_in_hot_cells`` (crimes in
        those cells: a count, publish through disclosure control), and
        ``share_of_hot_count`` (% of all crimes in hot cells that are in this ward's).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame({"gi_bin": [3, 0, 2], "count": [30, 1, 10],
    ...     "area_km2": [1.0, 1.0, 1.0]},
    ...     geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000),
    ...               box(2000, 0, 3000, 1000)], crs="EPSG:27700")
    >>> wards = gpd.GeoDataFrame({"ward_code": ["W1", "W2"], "ward_name": ["West", "East"]},
    ...     geometry=[box(0, 0, 1500, 1000), box(1500, 0, 3000, 1000)], crs="EPSG:27700")
    >>> hot_spot_wards(cells, wards)[["ward_name", "count_in_hot_cells"]].values.tolist()
    [['West', 30], ['East', 10]]
    """
    require_geodataframe(gi_cells, "gi_cells")
    require_columns(
        gi_cells,
        ["gi_bin", "area_km2", count_col],
        arg="gi_cells",
        fix="pass grid cells counted with count_points() and run through gi_star()",
    )
    cols = ["ward_code", "ward_name", "hot_cells", "hot_area_km2", "strongest"]
    cols += ["count_in_hot_cells", "share_of_hot_count"]
    hot = gi_cells[gi_cells["gi_bin"].to_numpy() > 0]
    if hot.empty:
        return pd.DataFrame(columns=cols)
    hot = majority_ward(hot, wards, ward_code_col=ward_code_col, ward_name_col=ward_name_col)
    g = hot.groupby(["ward_code", "ward_name"], dropna=True)
    out = pd.DataFrame(
        {
            "hot_cells": g.size(),
            "hot_area_km2": g["area_km2"].sum(),
            "_bin": g["gi_bin"].max(),
            "count_in_hot_cells": g[count_col].sum().astype("int64"),
        }
    ).reset_index()
    out["strongest"] = out["_bin"].map(GI_LABELS)
    total = float(hot[count_col].sum())
    out["share_of_hot_count"] = 100 * out["count_in_hot_cells"] / total if total else np.nan
    out = out.sort_values(["count_in_hot_cells", "ward_name"], ascending=[False, True])
    return out[cols].reset_index(drop=True)


def restrict_preventing(emerging: gpd.GeoDataFrame, min_count: int) -> gpd.GeoDataFrame:
    """Require ``min_count`` crimes in a cell (over the whole window) before it is "Preventing".

    A significant rising Gi* trend in a cell with a handful of crimes (typically
    rural, rising from a low base) is not a place to direct prevention; such cells
    become "No pattern". Sustaining and Emerging cells are unchanged.

    Parameters
    ----------
    emerging : GeoDataFrame
        Output of :func:`sa_lib.spatial.emerging.emerging_hotspots` (its
        ``attrs["by_period"]`` holds the per-period counts).
    min_count : int
        Minimum crimes in the cell over all periods analysed (0 keeps every cell).

    Returns
    -------
    GeoDataFrame
        A copy with ``count_total`` (crimes in the cell over the window) and
        ``csp_category`` updated; ``attrs["preventing_removed"]`` is the number of
        cells moved to "No pattern".

    Examples
    --------
    >>> import pandas as pd, geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"cell_id": [0, 1], "csp_category": ["Preventing", "Preventing"]},
    ...     geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:27700")
    >>> g.attrs["by_period"] = pd.DataFrame({"cell_id": [0, 0, 1, 1], "count": [1, 2, 20, 30]})
    >>> restrict_preventing(g, 10)["csp_category"].tolist()
    ['No pattern', 'Preventing']
    """
    require_geodataframe(emerging, "emerging")
    require_columns(emerging, ["cell_id", "csp_category"], arg="emerging")
    require_int(min_count, arg="min_count", minimum=0)
    by_period = emerging.attrs.get("by_period")
    if by_period is None or "count" not in getattr(by_period, "columns", []):
        raise ValueError(
            "emerging has no per-period counts in attrs['by_period'].\n"
            "Fix: pass the output of emerging_hotspots() unchanged."
        )
    totals = by_period.groupby("cell_id")["count"].sum()
    out = emerging.copy()
    out.attrs = dict(emerging.attrs)
    out["count_total"] = out["cell_id"].map(totals).fillna(0).astype("int64")
    drop = (out["csp_category"] == "Preventing") & (out["count_total"] < min_count)
    out.loc[drop, "csp_category"] = "No pattern"
    out.attrs["preventing_removed"] = int(drop.sum())
    record_choice(
        "Preventing: minimum count",
        f"{min_count} crimes per cell over the window",
        f"rising cells with fewer crimes are noise, not places to prevent; "
        f"{int(drop.sum())} cell(s) moved to 'No pattern'",
        source="parameters",
    )
    return out


def emerging_table(emerging: gpd.GeoDataFrame) -> pd.DataFrame:
    """CSP categories against the ArcGIS emerging hot-spot categories.

    Parameters
    ----------
    emerging : GeoDataFrame
        Cells with ``csp_category``, ``ehsa_category``, ``area_km2`` and
        ``count_total`` (from :func:`restrict_preventing`).

    Returns
    -------
    DataFrame
        One row per (CSP, ArcGIS) pair present, except cells with no pattern in
        both: ``csp_category``, ``ehsa_category``, ``cells``, ``area_km2``,
        ``count_total`` (crimes over the window: a count). Sorted Sustaining,
        Emerging, Preventing, No pattern, then in ArcGIS order.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"csp_category": ["Emerging", "Sustaining", "No pattern"],
    ...     "ehsa_category": ["New hot spot", "Persistent hot spot", "No pattern detected"],
    ...     "area_km2": [0.5, 0.5, 0.5], "count_total": [12, 80, 1]},
    ...     geometry=[box(0, 0, 1, 1)] * 3, crs="EPSG:27700")
    >>> emerging_table(g)["csp_category"].tolist()
    ['Sustaining', 'Emerging']
    """
    require_columns(
        emerging,
        ["csp_category", "ehsa_category", "area_km2", "count_total"],
        arg="emerging",
        fix="pass the output of restrict_preventing()",
    )
    keep = ~(
        (emerging["csp_category"] == "No pattern")
        & (emerging["ehsa_category"] == "No pattern detected")
    )
    d = pd.DataFrame(emerging.loc[keep.to_numpy()])
    cols = ["csp_category", "ehsa_category", "cells", "area_km2", "count_total"]
    if d.empty:
        return pd.DataFrame(columns=cols)
    t = (
        d.groupby(["csp_category", "ehsa_category"])
        .agg(
            cells=("area_km2", "size"),
            area_km2=("area_km2", "sum"),
            count_total=("count_total", "sum"),
        )
        .reset_index()
    )
    order = ["Sustaining", "Emerging", "Preventing", "No pattern"]  # CSP priority order
    t["_a"] = t["csp_category"].map({c: i for i, c in enumerate(order)})
    t["_b"] = t["ehsa_category"].map({c: i for i, c in enumerate(EHSA_CATEGORIES)})
    t = t.sort_values(["_a", "_b"]).drop(columns=["_a", "_b"])
    t["count_total"] = t["count_total"].astype("int64")
    return t[cols].reset_index(drop=True)


def ward_change(
    crimes: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    before_months: Sequence[str],
    after_months: Sequence[str],
    *,
    alpha: float = 0.05,
    correction: str = "fdr_bh",
    series_months: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Tested change in crime per ward between two periods (Poisson test, FDR across wards).

    With ``series_months`` (``ctx.series_months``) each ward's test allows for the
    overdispersion of its monthly series, as the overview's and the ward profiles'
    ward tables do (:func:`sa_lib.themes.summary.series_dispersions`): the same ward,
    the same periods, the same answer on every page.

    Parameters
    ----------
    crimes : DataFrame
        Rows with ``month`` and ``ward_code`` (already filtered to the crime types).
    wards : GeoDataFrame
        ``ward_code``, ``ward_name``, ``population``, geometry.
    before_months, after_months : sequence of str
        The two periods' months; periods of different length are compared as
        monthly rates.
    alpha, correction
        Passed to :func:`sa_lib.spatial.hotspots.compare_areas_change`.

    Returns
    -------
    GeoDataFrame
        One row per ward (EPSG:27700): significant increases, significant decreases,
        then the rest, each by ``rate_ratio`` (descending). Columns
        ``ward_code``, ``ward_name``, ``population``, ``count_before``,
        ``count_after`` and the columns of
        :func:`sa_lib.spatial.hotspots.compare_areas_change` (``pct_change``,
        ``rate_ratio``, ``rr_lower``, ``rr_upper``, ``p_value``, ``p_adjusted``,
        ``significant``, ``change_label``, ``change_class``...).

    Examples
    --------
    >>> import geopandas as gpd, pandas as pd
    >>> from shapely.geometry import box
    >>> wards = gpd.GeoDataFrame({"ward_code": ["A", "B"], "ward_name": ["Ay", "Bee"],
    ...     "population": [100, 100]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
    ...     crs="EPSG:27700")
    >>> crimes = pd.DataFrame({"month": ["2024-10"] * 10 + ["2025-10"] * 40 + ["2025-10"] * 5,
    ...     "ward_code": ["A"] * 50 + ["B"] * 5})
    >>> ward_change(crimes, wards, ["2024-10"], ["2025-10"])["change_class"].tolist()
    ['Significant increase', 'No significant change']
    """
    require_columns(crimes, ["month", "ward_code"], arg="crimes")
    require_geodataframe(wards, "wards")
    require_columns(wards, ["ward_code", "ward_name", "population"], arg="wards")
    b = area_counts(crimes, wards, "ward_code", before_months, name_col="ward_name")
    a = area_counts(crimes, wards, "ward_code", after_months)
    t = b.rename(columns={"count": "count_before"}).merge(
        a[["ward_code", "count"]].rename(columns={"count": "count_after"}), on="ward_code"
    )
    same = len(before_months) == len(after_months)
    disp = {}
    if series_months:
        from sa_lib.themes.summary import series_dispersions

        d = series_dispersions(
            crimes, series_months, list(t["ward_code"]), by="ward_code", alpha=alpha
        )
        t = t.assign(_phi=d["dispersion"].to_numpy(), _phi_df=d["dispersion_df"].to_numpy())
        disp = {"dispersion": "_phi", "dispersion_df": "_phi_df"}
    res = compare_areas_change(
        t,
        alpha=alpha,
        correction=correction,
        exposure_before=None if same else float(len(before_months)),
        exposure_after=None if same else float(len(after_months)),
        method="exact",
        **disp,
    ).drop(columns=["_phi", "_phi_df"], errors="ignore")
    geo = wards.set_index("ward_code").geometry
    out = gpd.GeoDataFrame(res, geometry=res["ward_code"].map(geo).to_numpy(), crs=wards.crs)
    rank = {"Significant increase": 0, "Significant decrease": 1, "No significant change": 2}
    out["_k"] = out["change_class"].map(rank)
    out = out.sort_values(
        ["_k", "rate_ratio", "ward_name"], ascending=[True, False, True], na_position="last"
    )
    return out.drop(columns="_k").reset_index(drop=True)


def hot_wards_display(hot_wards: pd.DataFrame) -> pd.DataFrame:
    """:func:`hot_spot_wards` as the columns a reader sees (no cell numbers, which read as counts).

    Returns
    -------
    DataFrame
        ``Ward``, ``Hot area (km²)``, ``Strongest class``, ``Crimes in hot cells``
        (the count column), ``Share of all crimes in hot cells`` (derived from it).

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame({"ward_name": ["A"], "hot_area_km2": [0.98], "strongest": ["Hot spot 99%"],
    ...     "count_in_hot_cells": [40], "share_of_hot_count": [100.0]})
    >>> hot_wards_display(h).columns.tolist()[-2:]
    ['Crimes in hot cells', 'Share of all crimes in hot cells']
    """
    require_columns(
        hot_wards,
        ["ward_name", "hot_area_km2", "strongest", "count_in_hot_cells", "share_of_hot_count"],
        arg="hot_wards",
    )
    return pd.DataFrame(
        {
            "Ward": hot_wards["ward_name"],
            "Hot area (km²)": hot_wards["hot_area_km2"].astype(float).round(2),
            "Strongest class": hot_wards["strongest"],
            "Crimes in hot cells": hot_wards["count_in_hot_cells"].astype("int64"),
            "Share of all crimes in hot cells": hot_wards["share_of_hot_count"].astype(float),
        }
    )


def emerging_display(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`emerging_table` as the columns a reader sees.

    Returns
    -------
    DataFrame
        ``CSP priority``, ``ArcGIS category``, ``Area (km²)``, ``Crimes in these
        cells`` (the count column).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"csp_category": ["Emerging"], "ehsa_category": ["New hot spot"],
    ...     "cells": [2], "area_km2": [0.98], "count_total": [25]})
    >>> emerging_display(t).columns.tolist()
    ['CSP priority', 'ArcGIS category', 'Area (km²)', 'Crimes in these cells']
    """
    require_columns(
        table, ["csp_category", "ehsa_category", "area_km2", "count_total"], arg="table"
    )
    return pd.DataFrame(
        {
            "CSP priority": table["csp_category"],
            "ArcGIS category": table["ehsa_category"],
            "Area (km²)": table["area_km2"].astype(float).round(2),
            "Crimes in these cells": table["count_total"].astype("int64"),
        }
    )


def change_display(change: pd.DataFrame, before_label: str, after_label: str) -> pd.DataFrame:
    """:func:`ward_change` as the columns a reader sees.

    Returns
    -------
    DataFrame
        ``Ward``, ``<before_label>``, ``<after_label>`` (the count columns),
        ``Change``, ``Rate ratio (95% CI)``, ``Adjusted p``, ``Result`` (the
        change, the ratio and p derive from both counts).

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"ward_name": ["A"], "count_before": [20], "count_after": [40],
    ...     "pct_change": [100.0], "rate_ratio": [2.0], "rr_lower": [1.1], "rr_upper": [3.6],
    ...     "p_adjusted": [0.01], "change_class": ["Significant increase"]})
    >>> change_display(c, "Q4 2024", "Q4 2025").iloc[0].tolist()[3:]
    ['+100%', '2.00 (1.10 to 3.60)', '0.010', 'Significant increase']
    """
    require_columns(
        change,
        ["ward_name", "count_before", "count_after", "pct_change", "rate_ratio", "p_adjusted"],
        arg="change",
    )

    def _pct(p):
        return "new" if pd.isna(p) else f"{p:+.0f}%"

    def _rr(r, lo, hi):
        if not np.isfinite(r):
            return "–"
        return f"{r:.2f} ({lo:.2f} to {hi:.2f})"

    return pd.DataFrame(
        {
            "Ward": change["ward_name"],
            before_label: change["count_before"].astype("int64"),
            after_label: change["count_after"].astype("int64"),
            "Change": [_pct(p) for p in change["pct_change"]],
            "Rate ratio (95% CI)": [
                _rr(r, lo, hi)
                for r, lo, hi in zip(
                    change["rate_ratio"], change["rr_lower"], change["rr_upper"], strict=True
                )
            ],
            "Adjusted p": [
                "–" if pd.isna(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")
                for p in change["p_adjusted"]
            ],
            "Result": change["change_class"],
        }
    )
