"""Regular grids over a CSP area and point counts in polygons (cells, LSOAs, wards).

Everything metric happens in British National Grid (EPSG:27700): a boundary in
another CRS is reprojected with a warning.

Automatic cell size
-------------------
When ``cell_size`` is None the rule of the R package *sfhotspot* is used: the
shorter side of the boundary's bounding box divided by 50, rounded *down* to a
whole 100 m (or to a whole 10 m when that would be zero, or to a whole metre for
very small areas). The value and the rule are logged with
:func:`sa_lib.choices.record_choice`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box, Point
>>> area = gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 1000)], crs="EPSG:27700")
>>> grid = make_grid(area, cell_size=250)
>>> len(grid), list(grid.columns)
(16, ['cell_id', 'area_km2', 'geometry'])
>>> pts = gpd.GeoDataFrame(geometry=[Point(100, 100), Point(120, 90)], crs="EPSG:27700")
>>> int(count_points(pts, grid, "cell_id")["count"].sum())
2
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from sa_lib.choices import record_choice
from sa_lib.validation import (
    first_bad_row,
    require_choice,
    require_columns,
    require_geodataframe,
    require_no_missing,
    require_numeric,
    require_positive,
    warn,
)

__all__ = [
    "BNG",
    "MAX_CELLS",
    "auto_cell_size",
    "make_grid",
    "count_points",
    "points_outside",
    "to_bng",
    "require_points",
]

#: British National Grid, the CRS for every metric calculation.
BNG = "EPSG:27700"
#: Largest grid :func:`make_grid` will build (more is slow and rarely meaningful).
MAX_CELLS = 200_000
#: sfhotspot's rule: 50 cells along the shorter side of the bounding box.
CELLS_ON_SHORT_SIDE = 50


def to_bng(gdf: gpd.GeoDataFrame, *, arg: str) -> gpd.GeoDataFrame:
    """Return ``gdf`` in EPSG:27700, reprojecting (with a warning) if needed.

    Parameters
    ----------
    gdf : GeoDataFrame
        Any GeoDataFrame with a CRS set.
    arg : str
        The argument's name, used in messages.

    Returns
    -------
    GeoDataFrame
        A copy in EPSG:27700 (the input is not changed).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> g = gpd.GeoDataFrame(geometry=[Point(-0.18, 52.33)], crs="EPSG:4326")
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     round(float(to_bng(g, arg="g").geometry.x.iloc[0]), -3)
    524000.0
    """
    require_geodataframe(gdf, arg)
    if gdf.crs.to_epsg() == 27700:
        return gdf.copy()
    kind = "geographic" if gdf.crs.is_geographic else "projected"
    warn(
        f"{arg} is in {gdf.crs.to_string()} ({kind}); reprojecting it to EPSG:27700 (British "
        f"National Grid) so that distances and areas are in metres. Pass data already in "
        f"EPSG:27700 to silence this warning."
    )
    return gdf.to_crs(BNG)


def require_points(
    points_gdf: gpd.GeoDataFrame,
    *,
    arg: str = "points_gdf",
    crime_types: Sequence[str] | None = None,
) -> None:
    """Raise ValueError unless ``points_gdf`` is a non-empty GeoDataFrame of points.

    Parameters
    ----------
    points_gdf : GeoDataFrame
        The points (e.g. crimes).
    arg : str
        The argument's name, used in messages.
    crime_types : sequence of str, optional
        The crime types the points were selected by. Used only in the message
        when the selection is empty, so the analyst can see what was asked for.

    Examples
    --------
    >>> import geopandas as gpd
    >>> empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:27700")
    >>> try:
    ...     require_points(empty, crime_types=["Arson"])
    ... except ValueError as e:
    ...     print(str(e).splitlines()[0])
    points_gdf has no points (0 rows) for crime type(s) 'Arson'.
    """
    require_geodataframe(points_gdf, arg)
    if len(points_gdf) == 0:
        if crime_types is not None:
            asked = ", ".join(repr(t) for t in crime_types) or "(an empty list)"
            msg = (
                f"{arg} has no points (0 rows) for crime type(s) {asked}.\n"
                f"Fix: check the spelling against the police.uk 'Crime type' values "
                f"(e.g. 'Burglary', 'Violence and sexual offences') and the date range."
            )
        else:
            msg = (
                f"{arg} has no points (0 rows).\n"
                f"Fix: check the crime-type and date filters that built it."
            )
        raise ValueError(msg)
    geom = points_gdf.geometry
    bad = geom.isna() | geom.is_empty | (geom.geom_type != "Point")
    label = first_bad_row(points_gdf, bad)
    if label is not None:
        what = geom.loc[label]
        found = "a missing/empty geometry" if what is None or what.is_empty else what.geom_type
        raise ValueError(
            f"{arg} must contain only Point geometries; found {found} at row {label!r} "
            f"({int(bad.sum())} bad row(s) in all).\n"
            f"Fix: drop rows without coordinates (e.g. police.uk rows with no Longitude) "
            f"or use polygon centroids."
        )


def _nice_floor(x: float) -> float:
    """Round down to a whole 100 m, else 10 m, else 1 m (never below 1 m)."""
    for step in (100.0, 10.0, 1.0):
        if x >= step:
            return math.floor(x / step) * step
    return max(round(x, 1), 0.1)


def _bounds(area: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = (float(v) for v in area.total_bounds)
    return xmin, ymin, xmax, ymax


def auto_cell_size(boundary_gdf: gpd.GeoDataFrame) -> float:
    """Cell size (m) by the sfhotspot rule: shorter bbox side / 50, rounded down.

    Rounded down to a whole 100 m when that is at least 100 m, otherwise to a
    whole 10 m, otherwise to a whole metre.

    Parameters
    ----------
    boundary_gdf : GeoDataFrame
        The area (any CRS; measured in EPSG:27700).

    Returns
    -------
    float
        The cell size in metres.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> auto_cell_size(gpd.GeoDataFrame(geometry=[box(0, 0, 40000, 37543)], crs="EPSG:27700"))
    700.0
    """
    require_geodataframe(boundary_gdf, "boundary_gdf")
    area = boundary_gdf if boundary_gdf.crs.to_epsg() == 27700 else boundary_gdf.to_crs(BNG)
    xmin, ymin, xmax, ymax = _bounds(area)
    short = min(xmax - xmin, ymax - ymin)
    if not short > 0:
        raise ValueError(
            "boundary_gdf has a zero-width bounding box, so no cell size can be chosen.\n"
            "Fix: pass a polygon boundary (not points or a line)."
        )
    return _nice_floor(short / CELLS_ON_SHORT_SIDE)


def _square_cells(xmin, ymin, xmax, ymax, size):
    # Align the lattice to whole multiples of the cell size, so grids for
    # neighbouring areas (or repeated runs) line up exactly.
    x0 = math.floor(xmin / size) * size
    y0 = math.floor(ymin / size) * size
    nx = max(1, math.ceil((xmax - x0) / size))
    ny = max(1, math.ceil((ymax - y0) / size))
    xs = x0 + size * np.arange(nx)
    ys = y0 + size * np.arange(ny)
    x, y = (a.ravel() for a in np.meshgrid(xs, ys))  # west to east, then south to north
    return list(shapely.box(x, y, x + size, y + size))


def _hex_cells(xmin, ymin, xmax, ymax, size):
    # Pointy-topped hexagons; `size` is the flat-to-flat width, which is also
    # the distance between the centres of neighbouring cells.
    r = size / math.sqrt(3)  # centre-to-vertex
    dy = 1.5 * r
    x0 = math.floor(xmin / size) * size
    y0 = math.floor(ymin / dy) * dy
    nx = math.ceil((xmax - x0) / size) + 2
    ny = math.ceil((ymax - y0) / dy) + 2
    angles = np.deg2rad(30 + 60 * np.arange(6))
    ux, uy = r * np.cos(angles), r * np.sin(angles)
    cells = []
    for j in range(-1, ny):
        cy = y0 + j * dy
        shift = size / 2 if j % 2 else 0.0
        for i in range(-1, nx):
            cx = x0 + i * size + shift
            cells.append(Polygon(zip(cx + ux, cy + uy, strict=True)))
    return cells


def _estimated_cells(width: float, height: float, size: float, shape: str) -> int:
    if shape == "square":
        return (math.ceil(width / size) + 1) * (math.ceil(height / size) + 1)
    hex_area = math.sqrt(3) / 2 * size**2
    return int(width * height / hex_area) + 1


def _cell_size(cell_size, suggested: float, width: float, height: float, shape: str) -> float:
    """The grid's cell size: ``suggested`` when none is given, else the analyst's, checked; recorded for Methods."""
    if cell_size is None:
        cell_size = suggested
        record_choice(
            "grid cell size (m)",
            f"{cell_size:g}",
            f"auto (sfhotspot rule): shorter side of the area's bounding box "
            f"({min(width, height):,.0f} m) / {CELLS_ON_SHORT_SIDE}, rounded down to a whole "
            f"100 m (10 m / 1 m for small areas); {shape} cells",
        )
    else:
        require_positive(cell_size, arg="cell_size")
        cell_size = float(cell_size)
        record_choice(
            "grid cell size (m)",
            f"{cell_size:g}",
            f"set by the analyst; {shape} cells",
            source="parameters",
        )
        if cell_size > min(width, height):
            raise ValueError(
                f"cell_size={cell_size:g} m is larger than the area: its bounding box is "
                f"{width:,.0f} m x {height:,.0f} m, so the grid would be at most one cell "
                f"across and hot-spot statistics need neighbouring cells.\n"
                f"Fix: use a smaller cell_size, e.g. {suggested:g} (or cell_size=None to "
                f"choose one automatically)."
            )
        n_est = _estimated_cells(width, height, cell_size, shape)
        if n_est > MAX_CELLS:
            fit = math.sqrt(width * height / MAX_CELLS)
            if shape == "hex":
                fit /= math.sqrt(math.sqrt(3) / 2)
            need = math.ceil(fit / 10) * 10
            raise ValueError(
                f"cell_size={cell_size:g} m would make about {n_est:,} cells over this "
                f"{width:,.0f} m x {height:,.0f} m area (the limit is {MAX_CELLS:,}).\n"
                f"Fix: use cell_size of at least {need:g} m, e.g. {max(need, suggested):g} "
                f"(or cell_size=None to choose one automatically)."
            )
    return cell_size


def make_grid(
    boundary_gdf: gpd.GeoDataFrame,
    cell_size: float | None = None,
    shape: str = "square",
    clip: bool = True,
) -> gpd.GeoDataFrame:
    """Build a regular grid of square or hexagonal cells over an area (EPSG:27700).

    Parameters
    ----------
    boundary_gdf : GeoDataFrame
        The CSP area (one or more polygons, e.g. its LSOAs; they are dissolved).
        A boundary in another CRS is reprojected to EPSG:27700 with a warning.
    cell_size : float, optional
        Cell size in metres: the side of a square, or the flat-to-flat width of a
        hexagon (the distance between neighbouring centres). If None, the
        sfhotspot rule is used (shorter side of the bounding box / 50, rounded
        down to a whole 100 m; see :func:`auto_cell_size`) and recorded with
        :func:`sa_lib.choices.record_choice`.
    shape : {"square", "hex"}
        Cell shape.
    clip : bool, default True
        Clip cells to the boundary (edge cells become partial). If False, whole
        cells that overlap the boundary are kept.

    Returns
    -------
    GeoDataFrame
        In EPSG:27700, one row per cell overlapping the area, with columns:

        - ``cell_id`` : int, 0..n-1, west-to-east then south-to-north;
        - ``area_km2`` : float, the (clipped) cell area in km²;
        - ``geometry`` : the cell polygon.

    Raises
    ------
    ValueError
        If ``cell_size`` is larger than the shorter side of the area's bounding
        box (too few cells for hot-spot analysis), or so small the grid would have
        more than :data:`MAX_CELLS` cells; the message suggests a usable size.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> area = gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 500)], crs="EPSG:27700")
    >>> g = make_grid(area, cell_size=100)
    >>> len(g), round(float(g["area_km2"].sum()), 3)
    (50, 0.5)
    """
    require_geodataframe(boundary_gdf, "boundary_gdf")
    require_choice(shape, ["square", "hex"], arg="shape")
    if not isinstance(clip, bool):
        raise ValueError(f"clip must be True or False, got {clip!r}.")
    if len(boundary_gdf) == 0:
        raise ValueError(
            "boundary_gdf is empty (0 rows).\nFix: load the CSP boundary (e.g. its LSOAs)."
        )
    area = to_bng(boundary_gdf, arg="boundary_gdf")
    area = area[area.geometry.notna() & ~area.geometry.is_empty]
    region = area.geometry.union_all()
    if region.is_empty or region.area <= 0:
        raise ValueError(
            "boundary_gdf has no area (its geometries are empty, points or lines).\n"
            "Fix: pass polygon boundaries."
        )
    xmin, ymin, xmax, ymax = _bounds(area)
    width, height = xmax - xmin, ymax - ymin
    suggested = auto_cell_size(area)

    cell_size = _cell_size(cell_size, suggested, width, height, shape)

    builder = _square_cells if shape == "square" else _hex_cells
    cells = gpd.GeoDataFrame(geometry=builder(xmin, ymin, xmax, ymax, cell_size), crs=BNG)
    cells = cells[cells.intersects(region)]
    # Order west-to-east then south-to-north by the whole cell's centre.
    lattice = cells.geometry.centroid
    cells = cells.assign(_y=lattice.y.round(3), _x=lattice.x.round(3))
    inside = cells.intersection(region)
    # Drop cells that only touch the boundary (no area inside it).
    keep = (inside.area > 1e-6 * cell_size**2).to_numpy()
    cells = cells[keep]
    if clip:
        cells = cells.set_geometry(inside[keep])
    cells = cells.sort_values(["_y", "_x"], kind="stable").reset_index(drop=True)
    out = gpd.GeoDataFrame(
        {
            "cell_id": np.arange(len(cells), dtype=np.int64),
            "area_km2": cells.geometry.area.to_numpy() / 1e6,
        },
        geometry=cells.geometry.to_numpy(),
        crs=BNG,
    )
    return out


def _align_points(points_gdf: gpd.GeoDataFrame, polygons_gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return points in the polygons' CRS, reprojecting with a warning naming both."""
    if points_gdf.crs == polygons_gdf.crs:
        return points_gdf
    warn(
        f"points_gdf and polygons_gdf are in different coordinate reference systems: "
        f"points_gdf is {points_gdf.crs.to_string()}, polygons_gdf is "
        f"{polygons_gdf.crs.to_string()}. Reprojecting points_gdf to "
        f"{polygons_gdf.crs.to_string()}; reproject it yourself to silence this warning."
    )
    return points_gdf.to_crs(polygons_gdf.crs)


def _assign_points(points: gpd.GeoDataFrame, polygons: gpd.GeoDataFrame) -> pd.Series:
    """Positional index of the polygon each point falls in (-1 when outside all).

    A point on a shared edge is given to the first polygon in row order, so it
    is counted once.
    """
    pt_idx, poly_idx = polygons.sindex.query(points.geometry, predicate="intersects")
    owner = np.full(len(points), -1, dtype=np.int64)
    if len(pt_idx):
        order = np.lexsort((poly_idx, pt_idx))
        pt_sorted, poly_sorted = pt_idx[order], poly_idx[order]
        first = np.r_[True, pt_sorted[1:] != pt_sorted[:-1]]
        owner[pt_sorted[first]] = poly_sorted[first]
    return pd.Series(owner, index=points.index)


def points_outside(points_gdf: gpd.GeoDataFrame, polygons_gdf: gpd.GeoDataFrame) -> int:
    """Count points that fall outside every polygon.

    Parameters
    ----------
    points_gdf : GeoDataFrame
        Points (reprojected to ``polygons_gdf``'s CRS with a warning if needed).
    polygons_gdf : GeoDataFrame
        Grid cells, LSOAs or wards.

    Returns
    -------
    int
        The number of points outside all polygons.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box, Point
    >>> polys = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10)], crs="EPSG:27700")
    >>> pts = gpd.GeoDataFrame(geometry=[Point(5, 5), Point(50, 5)], crs="EPSG:27700")
    >>> points_outside(pts, polys)
    1
    """
    require_geodataframe(polygons_gdf, "polygons_gdf")
    require_points(points_gdf)
    pts = _align_points(points_gdf, polygons_gdf)
    return int((_assign_points(pts, polygons_gdf) < 0).sum())


def count_points(
    points_gdf: gpd.GeoDataFrame,
    polygons_gdf: gpd.GeoDataFrame,
    id_col: str,
    weight: str | None = None,
    *,
    crime_types: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Count points (optionally weighted) in each polygon: grid cells, LSOAs or wards.

    Parameters
    ----------
    points_gdf : GeoDataFrame
        Points, e.g. police.uk crimes. If its CRS differs from ``polygons_gdf``'s
        it is reprojected to the polygons' CRS with a warning naming both.
    polygons_gdf : GeoDataFrame
        The polygons to count in (from :func:`make_grid`, or LSOA / ward
        boundaries).
    id_col : str
        Column of ``polygons_gdf`` with a unique id per polygon (``"cell_id"``,
        ``"LSOA21CD"``, ``"WD25CD"``...).
    weight : str, optional
        Numeric, non-missing column of ``points_gdf`` to sum (e.g. a harm score).
    crime_types : sequence of str, optional
        The crime types the points were selected by; used only to make the
        "no points" error say what was asked for.

    Returns
    -------
    GeoDataFrame
        A copy of ``polygons_gdf`` (same CRS, rows and order) with added columns

        - ``count`` : int, points in the polygon;
        - ``weight_sum`` : float, sum of ``weight`` (only when ``weight`` is given).

        Points outside every polygon are not in any count; their number is in
        ``result.attrs["points_outside"]`` (also available from
        :func:`points_outside`) and a warning is issued when it is above zero. A
        point on the edge between two polygons is counted once, in the first
        polygon in row order.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box, Point
    >>> polys = gpd.GeoDataFrame({"id": ["a", "b"]},
    ...     geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs="EPSG:27700")
    >>> pts = gpd.GeoDataFrame({"harm": [2.0, 3.0, 5.0]},
    ...     geometry=[Point(1, 1), Point(2, 2), Point(15, 5)], crs="EPSG:27700")
    >>> out = count_points(pts, polys, "id", weight="harm")
    >>> out["count"].tolist(), out["weight_sum"].tolist()
    ([2, 1], [5.0, 5.0])
    """
    require_geodataframe(polygons_gdf, "polygons_gdf")
    require_columns(polygons_gdf, [id_col], arg="polygons_gdf", fix="pass the polygons' id column")
    require_no_missing(polygons_gdf, id_col, arg="polygons_gdf")
    dup = polygons_gdf[id_col].duplicated()
    label = first_bad_row(polygons_gdf, dup)
    if label is not None:
        raise ValueError(
            f"polygons_gdf[{id_col!r}] must be unique; {polygons_gdf[id_col].loc[label]!r} is "
            f"repeated at row {label!r} ({int(dup.sum())} duplicate(s)).\n"
            f"Fix: dissolve the polygons by {id_col!r} first (polygons_gdf.dissolve({id_col!r}))."
        )
    require_points(points_gdf, crime_types=crime_types)
    if weight is not None:
        require_numeric(points_gdf, weight, arg="points_gdf")
        require_no_missing(
            points_gdf, weight, arg="points_gdf", fix=f"fill or drop missing {weight!r} values"
        )
    pts = _align_points(points_gdf, polygons_gdf)
    owner = _assign_points(pts, polygons_gdf)
    inside = owner.to_numpy() >= 0
    n_poly = len(polygons_gdf)
    out = polygons_gdf.copy()
    out["count"] = np.bincount(owner.to_numpy()[inside], minlength=n_poly).astype(np.int64)
    if weight is not None:
        w = pts[weight].to_numpy(dtype=float)
        out["weight_sum"] = np.bincount(
            owner.to_numpy()[inside], weights=w[inside], minlength=n_poly
        )
    n_out = int((~inside).sum())
    out.attrs["points_outside"] = n_out
    if n_out:
        first = first_bad_row(pts, ~inside)
        warn(
            f"{n_out} of {len(pts)} point(s) in points_gdf fall outside every polygon in "
            f"polygons_gdf and are not counted (the first is row {first!r}). They are "
            f"reported in result.attrs['points_outside']. Check that the points were "
            f"filtered to the CSP area and that both layers use the right CRS."
        )
    return out
