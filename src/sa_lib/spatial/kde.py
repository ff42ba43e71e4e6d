"""Kernel density estimation (KDE) of points on a grid's cell centroids.

The density is evaluated at each cell's centroid (the centroid of the clipped
cell for edge cells) and expressed as **expected points per km²**, so that
``kde * area_km2`` summed over a grid that covers all the kernel mass equals the
number (or weighted total) of points. There is no edge correction: near the
CSP boundary part of each kernel falls outside the area, so densities there are
somewhat lower than in the interior.

Kernels
-------
``"quartic"`` (the default, as in ArcGIS *Kernel Density* and CrimeStat; Silverman
1986, eq. 4.5): ``K(u) = 3/pi * (1 - u**2)**2`` for ``u = d / h < 1`` and 0
beyond, so the bandwidth ``h`` is the search radius.
``"gaussian"``: ``K(u) = exp(-u**2 / 2) / (2 * pi)``, with ``h`` the standard
deviation (summed out to 5 h).
Both integrate to 1 over the plane; the density at a location ``s`` is
``sum_i w_i K(d_i / h) / h**2`` per m², times 10**6 for per km².

Automatic bandwidth
-------------------
When ``bandwidth`` is None, the spatial variant of Silverman's rule of thumb
used by ArcGIS Pro's Kernel Density tool:
``h = 0.9 * min(SD, sqrt(1 / ln 2) * Dm) * n ** -0.2``, where ``SD`` is the
standard distance of the points, ``Dm`` the median distance from their mean
centre and ``n`` the number of points (the sum of weights when weighted). The
value is recorded with :func:`sa_lib.choices.record_choice`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import Point, box
>>> from sa_lib.spatial.grids import make_grid
>>> grid = make_grid(gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 1000)], crs="EPSG:27700"), 50)
>>> pts = gpd.GeoDataFrame(geometry=[Point(500, 500)], crs="EPSG:27700")
>>> out = kde_grid(pts, grid, bandwidth=200)
>>> round(float((out["kde"] * out["area_km2"]).sum()), 2)
1.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from sa_lib.choices import record_choice
from sa_lib.spatial.grids import require_points, to_bng
from sa_lib.validation import (
    require_choice,
    require_geodataframe,
    require_no_missing,
    require_non_negative,
    require_positive,
    warn,
)

__all__ = ["KERNELS", "silverman_bandwidth", "kde_grid"]

#: Supported kernels and how far (in bandwidths) each is summed.
KERNELS: dict[str, float] = {"quartic": 1.0, "gaussian": 5.0}


def _kernel(kernel: str, u: np.ndarray) -> np.ndarray:
    if kernel == "quartic":
        return np.where(u < 1.0, 3.0 / math.pi * (1.0 - u**2) ** 2, 0.0)
    return np.exp(-0.5 * u**2) / (2.0 * math.pi)


def silverman_bandwidth(xy: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Spatial Silverman rule of thumb (ArcGIS Kernel Density default), in metres.

    ``h = 0.9 * min(SD, sqrt(1 / ln 2) * Dm) * n ** -0.2``

    Parameters
    ----------
    xy : ndarray, shape (n, 2)
        Projected point coordinates (metres).
    weights : ndarray, optional
        Point weights; ``n`` is then their sum and ``SD``, ``Dm`` are weighted.

    Returns
    -------
    float
        The bandwidth (0 when all points coincide).

    Examples
    --------
    >>> import numpy as np
    >>> xy = np.array([[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]]) * 100
    >>> round(silverman_bandwidth(xy), 2)  # 0.9 * 100 * sqrt(2) * 4 ** -0.2
    96.46
    """
    xy = np.asarray(xy, dtype=float)
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, dtype=float)
    n = w.sum()
    centre = (xy * w[:, None]).sum(axis=0) / n
    d2 = ((xy - centre) ** 2).sum(axis=1)
    sd = math.sqrt((w * d2).sum() / n)
    d = np.sqrt(d2)
    order = np.argsort(d)
    cum = np.cumsum(w[order])
    dm = float(d[order][np.searchsorted(cum, 0.5 * n)])  # weighted median
    return float(0.9 * min(sd, math.sqrt(1.0 / math.log(2.0)) * dm) * n ** (-0.2))


def kde_grid(
    points_gdf: gpd.GeoDataFrame,
    grid_gdf: gpd.GeoDataFrame,
    bandwidth: float | None = None,
    kernel: str = "quartic",
    *,
    weight: str | None = None,
    crime_types: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Kernel density of points at each grid cell's centroid, in points per km².

    Parameters
    ----------
    points_gdf : GeoDataFrame
        Points (e.g. crimes); reprojected to EPSG:27700 with a warning if needed.
    grid_gdf : GeoDataFrame
        Cells (from :func:`sa_lib.spatial.grids.make_grid`) or any polygons; reprojected
        to EPSG:27700 with a warning if needed.
    bandwidth : float, optional
        Bandwidth in metres (the search radius for the quartic kernel, the
        standard deviation for the Gaussian). If None, the spatial Silverman rule
        (see the module notes and :func:`silverman_bandwidth`) is used and
        recorded with :func:`sa_lib.choices.record_choice`.
    kernel : {"quartic", "gaussian"}
        Kernel shape.
    weight : str, optional
        Non-negative numeric column of ``points_gdf`` to weight points by.
    crime_types : sequence of str, optional
        The crime types the points were selected by; used only in the error
        when there are no points.

    Returns
    -------
    GeoDataFrame
        A copy of ``grid_gdf`` in EPSG:27700 (rows and order unchanged) with

        - ``kde`` : float, expected points (or weight) per km² at the centroid;
        - ``kde_bandwidth_m`` : float, the bandwidth used (same on every row).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> cells = gpd.GeoDataFrame({"cell_id": [0]}, geometry=[box(-5, -5, 5, 5)], crs="EPSG:27700")
    >>> pts = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs="EPSG:27700")
    >>> out = kde_grid(pts, cells, bandwidth=1000)  # at the point: 3 / pi / h^2 per m^2
    >>> round(float(out["kde"].iloc[0]), 4), round(3 / 3.141592653589793, 4)
    (0.9549, 0.9549)
    """
    require_choice(kernel, list(KERNELS), arg="kernel")
    require_geodataframe(grid_gdf, "grid_gdf")
    if len(grid_gdf) == 0:
        raise ValueError(
            "grid_gdf is empty (0 rows).\nFix: build one with sa_lib.spatial.grids.make_grid."
        )
    require_points(points_gdf, crime_types=crime_types)
    if weight is not None:
        require_non_negative(points_gdf, weight, arg="points_gdf")
        require_no_missing(points_gdf, weight, arg="points_gdf", fix=f"fill or drop {weight!r}")
    pts = to_bng(points_gdf, arg="points_gdf")
    grid = to_bng(grid_gdf, arg="grid_gdf")
    xy = np.column_stack([pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()])
    w = np.ones(len(pts)) if weight is None else pts[weight].to_numpy(dtype=float)

    if bandwidth is None:
        h = silverman_bandwidth(xy, w)
        if not h > 0:
            raise ValueError(
                f"points_gdf has {len(pts)} point(s) all at the same place, so no bandwidth "
                f"can be estimated from their spread.\nFix: pass bandwidth=... in metres "
                f"(e.g. 250)."
            )
        h = round(h, 1)
        record_choice(
            "KDE bandwidth (m)",
            f"{h:g}",
            f"auto: spatial Silverman rule (ArcGIS Kernel Density) 0.9 x min(SD, "
            f"sqrt(1/ln 2) x Dm) x n^-0.2 over {len(pts)} point(s); {kernel} kernel",
        )
    else:
        require_positive(bandwidth, arg="bandwidth")
        h = float(bandwidth)
        record_choice(
            "KDE bandwidth (m)",
            f"{h:g}",
            f"set by the analyst; {kernel} kernel",
            source="parameters",
        )

    centroids = grid.geometry.centroid
    cxy = np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])
    spacing = math.sqrt(float(grid.geometry.area.median()))
    if h < spacing:
        warn(
            f"bandwidth {h:g} m is smaller than the typical cell width ({spacing:,.0f} m), so "
            f"the density is poorly sampled and may miss points between centroids. Use a "
            f"bandwidth of at least the cell size, or smaller cells."
        )
    radius = KERNELS[kernel] * h
    # "ndarray" output keeps zero distances (a point exactly on a centroid).
    pairs = cKDTree(cxy).sparse_distance_matrix(
        cKDTree(xy), max_distance=radius, output_type="ndarray"
    )
    k = _kernel(kernel, pairs["v"] / h) * w[pairs["j"]]
    dens = np.bincount(pairs["i"], weights=k, minlength=len(grid)).astype(float)
    out = grid.copy()
    out["kde"] = dens / h**2 * 1e6
    out["kde_bandwidth_m"] = h
    return out
