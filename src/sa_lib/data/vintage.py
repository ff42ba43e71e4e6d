"""Place police.uk rows coded to LSOA 2011 or LSOA 2021 in the LSOA 2021 geography.

police.uk files before about 2023 carry LSOA **2011** codes; later ones LSOA **2021**.
police.uk assigned each row's LSOA from its (anonymised) point, so the code is the
authority wherever it is unambiguous. A row is placed by the official ONS
LSOA11 -> LSOA21 change lookup:

- a code that is an LSOA 2021 code is used as it is;
- an LSOA11 code that is unchanged (U) or merged (M) maps to its one LSOA21;
- a split (S) or irregular (X) LSOA11 maps to several LSOA21 parts: the row goes to
  the part containing its own point; a point outside every part (the polygons are
  generalised) goes to the nearest part; a row without coordinates goes to the part
  with the most residents (Census 2021).

:func:`place_rows` adds ``lsoa21_code`` and ``placement`` (how the row was placed,
one of :data:`PLACEMENTS`) so the data-quality section can count every rule used.

Examples
--------
>>> import geopandas as gpd, pandas as pd
>>> from shapely.geometry import box
>>> parts = gpd.GeoDataFrame({"lsoa21_code": ["N1", "N2"], "population": [10, 900]},
...     geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700)
>>> change = pd.DataFrame({"lsoa11_code": ["OLD", "OLD"], "lsoa21_code": ["N1", "N2"],
...     "change_code": ["S", "S"]})
>>> rows = pd.DataFrame({"lsoa_code": ["OLD", "OLD", "N1"], "easting": [5.0, None, None],
...     "northing": [5.0, None, None]})
>>> out = place_rows(rows, change, parts, x="easting", y="northing", crs=27700)
>>> out[["lsoa21_code", "placement"]].values.tolist()
[['N1', 'LSOA 2011 split: by its point'], ['N2', 'LSOA 2011 split: no point, most populous part'], ['N1', 'LSOA 2021 code, or unchanged since 2011']]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sa_lib.validation import require_columns, require_geodataframe

__all__ = ["PLACEMENTS", "place_rows", "placement_counts"]

#: How a row can be placed (``placement`` column), in report order.
PLACEMENTS = (
    "LSOA 2021 code, or unchanged since 2011",
    "LSOA 2011, one LSOA 2021 part",
    "LSOA 2011 merged",
    "LSOA 2011 split: by its point",
    "LSOA 2011 split: point outside every part, nearest part",
    "LSOA 2011 split: no point, most populous part",
    "not placed: LSOA code outside the area",
)


def place_rows(
    rows: pd.DataFrame,
    change: pd.DataFrame,
    lsoa21: gpd.GeoDataFrame,
    *,
    lsoa_col: str = "lsoa_code",
    x: str = "longitude",
    y: str = "latitude",
    crs: object = "EPSG:4326",
) -> pd.DataFrame:
    """Give every row an LSOA 2021 code in ``lsoa21`` (see the module docstring).

    Parameters
    ----------
    rows : DataFrame
        Rows with an LSOA code of either vintage and (optionally empty) coordinates.
    change : DataFrame
        The ONS change lookup: ``lsoa11_code``, ``lsoa21_code``, ``change_code``.
    lsoa21 : GeoDataFrame
        The area's LSOA 2021 polygons: ``lsoa21_code``, ``population``, ``geometry``.
        Only parts in it are candidates.
    lsoa_col, x, y : str
        Column names in ``rows``.
    crs : CRS of ``x``/``y`` (default WGS84 longitude/latitude).

    Returns
    -------
    DataFrame
        A copy of ``rows`` with ``lsoa21_code`` (``<NA>`` when not placed) and
        ``placement`` (one of :data:`PLACEMENTS`).
    """
    require_columns(rows, [lsoa_col, x, y], arg="rows", fix="load rows with sa_lib.data.store")
    require_columns(change, ["lsoa11_code", "lsoa21_code", "change_code"], arg="change")
    require_geodataframe(lsoa21, "lsoa21")
    require_columns(lsoa21, ["lsoa21_code", "population"], arg="lsoa21")
    out = rows.copy()
    codes = out[lsoa_col].astype("string")
    in_area = set(lsoa21["lsoa21_code"])
    ch = change[change["lsoa21_code"].isin(in_area)]
    res = pd.Series(pd.NA, index=out.index, dtype="string")
    how = pd.Series(PLACEMENTS[-1], index=out.index, dtype="object")

    is21 = codes.isin(in_area).fillna(False).to_numpy()
    res[is21] = codes[is21]
    how[is21] = PLACEMENTS[0]

    # Parts per LSOA11 code (within the area).
    n_parts = ch.groupby("lsoa11_code")["lsoa21_code"].nunique()
    single = ch[ch["lsoa11_code"].map(n_parts) == 1].drop_duplicates("lsoa11_code")
    single = single.set_index("lsoa11_code")
    one = (~is21) & codes.isin(single.index).fillna(False).to_numpy()
    res[one] = codes[one].map(single["lsoa21_code"])
    merged = codes[one].map(single["change_code"]).eq("M").to_numpy()
    how.loc[out.index[one]] = np.where(merged, PLACEMENTS[2], PLACEMENTS[1])

    multi_codes = n_parts[n_parts > 1].index
    multi = (~is21) & codes.isin(multi_codes).fillna(False).to_numpy()
    if multi.any():
        sub = pd.DataFrame(
            {"_row": np.flatnonzero(multi), "lsoa11_code": codes[multi].to_numpy()},
        )
        cand = sub.merge(ch[["lsoa11_code", "lsoa21_code"]], on="lsoa11_code")
        polys = lsoa21.set_index("lsoa21_code")
        cand["population"] = cand["lsoa21_code"].map(polys["population"]).fillna(0)
        xs = out[x].to_numpy(dtype="float64")[cand["_row"].to_numpy()]
        ys = out[y].to_numpy(dtype="float64")[cand["_row"].to_numpy()]
        has_pt = ~(np.isnan(xs) | np.isnan(ys))
        pts = gpd.GeoSeries(gpd.points_from_xy(xs, ys), crs=crs).to_crs(lsoa21.crs).values
        geoms = polys.geometry.reindex(cand["lsoa21_code"]).values
        cand["inside"] = has_pt & shapely.contains(geoms, pts)
        with np.errstate(invalid="ignore"):
            cand["dist"] = np.where(has_pt, shapely.distance(geoms, pts), np.inf)
        cand["has_pt"] = has_pt
        # Best part per row: containing, else nearest, else (no point) most populous.
        cand = cand.sort_values(
            ["_row", "inside", "dist", "population", "lsoa21_code"],
            ascending=[True, False, True, False, True],
        )
        best = cand.drop_duplicates("_row").set_index("_row")
        idx = out.index[best.index.to_numpy()]
        res.loc[idx] = best["lsoa21_code"].to_numpy()
        how.loc[idx] = np.select(
            [best["inside"].to_numpy(), best["has_pt"].to_numpy()],
            [PLACEMENTS[3], PLACEMENTS[4]],
            PLACEMENTS[5],
        )
    out["lsoa21_code"] = res
    out["placement"] = how.astype("string")
    return out


def placement_counts(placed: pd.DataFrame) -> pd.DataFrame:
    """Count rows by how they were placed, in :data:`PLACEMENTS` order (zeros kept).

    Returns
    -------
    DataFrame
        ``placement``, ``rows``.

    Examples
    --------
    >>> placement_counts(pd.DataFrame({"placement": ["LSOA 2021 code, or unchanged since 2011"] * 2}))["rows"].tolist()[0]
    2
    """
    require_columns(placed, ["placement"], arg="placed", fix="place rows with place_rows first")
    n = placed["placement"].value_counts()
    return pd.DataFrame(
        {"placement": list(PLACEMENTS), "rows": [int(n.get(p, 0)) for p in PLACEMENTS]}
    )
