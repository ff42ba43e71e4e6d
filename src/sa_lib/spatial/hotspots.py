"""Getis-Ord Gi* hot and cold spots, and two-period change per cell or area.

Gi* (Getis & Ord 1992; Ord & Getis 1995) compares the sum of a value (usually a
crime count) in each cell *and its neighbours* with what would be expected if the
values were spread at random. With binary weights ``w_ij`` (``w_ii = 1``: the
cell counts itself), ``n`` cells, mean ``xbar`` and ``S = sqrt(sum(x**2)/n - xbar**2)``:

``z_i = (sum_j w_ij x_j - xbar * W_i) / (S * sqrt((n * W_i - W_i**2) / (n - 1)))``

where ``W_i = sum_j w_ij`` (binary weights, so ``sum_j w_ij**2 = W_i``). This is
the z-score ArcGIS reports as ``GiZScore``; it is computed with
:class:`esda.G_Local` (``star=True``, ``transform="B"``).

p-values are **two-sided**: ``2 * p_norm`` (analytical, normal approximation) or,
from PySAL's conditional permutations (``permutations`` draws of the neighbours'
values, the cell's own value fixed), ``min(1, 2 * (min(#sim >= G, #sim <= G) + 1) /
(permutations + 1))``. Ties count on both sides, unlike PySAL's ``p_sim``, which
would make every all-zero neighbourhood a 99% cold spot in a sparse crime grid.
They are then
adjusted for testing every cell (Benjamini-Hochberg FDR by default), and binned as
in ArcGIS's ``Gi_Bin``: ±3 when the adjusted p <= 0.01 (99% confidence), ±2 when
<= 0.05 (95%), ±1 when <= 0.10 (90%), sign from the z-score, 0 otherwise or when
the adjusted p is above ``alpha``. Because a BH-adjusted p-value is at most ``q``
exactly when the test passes BH at level ``q``, this matches ArcGIS's FDR option.

Examples
--------
>>> import geopandas as gpd, numpy as np
>>> from shapely.geometry import box
>>> counts = [9 if x < 2 and y < 2 else 0 for y in range(6) for x in range(6)]
>>> cells = gpd.GeoDataFrame({"count": counts},
...     geometry=[box(x, y, x + 1, y + 1) for y in range(6) for x in range(6)], crs="EPSG:27700")
>>> out = gi_star(cells, "count", p_value="analytical", correction="none")
>>> out.loc[0, "gi_label"], out.loc[35, "gi_label"]
('Hot spot 99%', 'Not significant')
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
from esda import G_Local
from statsmodels.stats.multitest import multipletests

from sa_lib.choices import record_choice
from sa_lib.validation import (
    require_choice,
    require_columns,
    require_geodataframe,
    require_int,
    require_no_missing,
    require_numeric,
    require_positive,
    require_probability,
    require_projected,
    warn,
)

__all__ = [
    "CORRECTIONS",
    "GI_LABELS",
    "spatial_weights",
    "gi_star",
    "gi_bins",
    "compare_areas_change",
]

#: Multiple-comparison corrections (statsmodels ``multipletests`` names, plus "none").
CORRECTIONS = ["fdr_bh", "bonferroni", "none"]
#: ``gi_bin`` -> ``gi_label``, in legend order (hot to cold).
GI_LABELS: dict[int, str] = {
    3: "Hot spot 99%",
    2: "Hot spot 95%",
    1: "Hot spot 90%",
    0: "Not significant",
    -1: "Cold spot 90%",
    -2: "Cold spot 95%",
    -3: "Cold spot 99%",
}
_LEVELS = ((0.01, 3), (0.05, 2), (0.10, 1))


def spatial_weights(
    gdf: gpd.GeoDataFrame,
    weights: str = "queen",
    threshold: float | None = None,
) -> libpysal.weights.W:
    """Binary spatial weights (without self-weights) for cells or areas, in row order.

    Parameters
    ----------
    gdf : GeoDataFrame
        Cells or areas in a projected CRS (metres), e.g. EPSG:27700.
    weights : {"queen", "distance"}
        ``"queen"``: polygons that share an edge or a corner are neighbours
        (:func:`libpysal.weights.fuzzy_contiguity` with a 1 cm buffer, so that
        rounding in clipped cells or real boundaries does not break contiguity).
        ``"distance"``: centroids within ``threshold`` metres
        (:class:`libpysal.weights.DistanceBand`, binary).
    threshold : float, optional
        Distance band in metres, for ``weights="distance"``. If None, the smallest
        distance that gives every cell at least one neighbour (ArcGIS's default),
        recorded with :func:`sa_lib.choices.record_choice`.

    Returns
    -------
    libpysal.weights.W
        Ids are row positions 0..n-1.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame(geometry=[box(x, y, x + 1, y + 1) for y in range(3)
    ...     for x in range(3)], crs="EPSG:27700")
    >>> spatial_weights(g).cardinalities[4]  # the middle cell of 3 x 3
    8
    """
    require_projected(gdf, arg="gdf")
    require_choice(weights, ["queen", "distance"], arg="weights")
    geo = gpd.GeoDataFrame(geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal's island warning: ours is clearer
        if weights == "queen":
            w = libpysal.weights.fuzzy_contiguity(
                geo, buffering=True, buffer=0.01, silence_warnings=True
            )
        else:
            c = geo.geometry.centroid
            xy = np.column_stack([c.x.to_numpy(), c.y.to_numpy()])
            if threshold is None:
                threshold = float(libpysal.weights.min_threshold_distance(xy)) * (1 + 1e-9)
                record_choice(
                    "Gi* distance band (m)",
                    f"{threshold:,.0f}",
                    "auto: the smallest distance giving every cell at least one neighbour",
                )
            else:
                require_positive(threshold, arg="threshold")
                record_choice(
                    "Gi* distance band (m)",
                    f"{threshold:,.0f}",
                    "set by the analyst",
                    source="parameters",
                )
            w = libpysal.weights.DistanceBand(
                xy, threshold=float(threshold), binary=True, silence_warnings=True
            )
    if w.islands:
        warn(
            f"{len(w.islands)} of {w.n} cell(s)/area(s) have no neighbours (the first is row "
            f"{w.islands[0]}); their Gi* uses only their own value. Use weights='distance' "
            f"or check for detached polygons."
        )
    return w


def gi_bins(z: np.ndarray, p_adjusted: np.ndarray, alpha: float = 0.10) -> np.ndarray:
    """ArcGIS-style ``Gi_Bin``: -3..3 from z-score signs and adjusted p-values.

    Parameters
    ----------
    z : array of float
        Gi* z-scores.
    p_adjusted : array of float
        Two-sided p-values after multiple-comparison adjustment.
    alpha : float, default 0.10
        Cells with ``p_adjusted > alpha`` get 0 whatever their level.

    Returns
    -------
    ndarray of int
        3/2/1 for hot spots at 99/95/90% confidence, -3/-2/-1 for cold spots, 0 otherwise.

    Examples
    --------
    >>> gi_bins([3.0, -2.1, 1.7, 0.3], [0.004, 0.03, 0.08, 0.7]).tolist()
    [3, -2, 1, 0]
    >>> gi_bins([3.0, -2.1, 1.7], [0.004, 0.03, 0.08], alpha=0.05).tolist()
    [3, -2, 0]
    """
    z = np.asarray(z, dtype=float)
    p = np.asarray(p_adjusted, dtype=float)
    level = np.zeros(len(p), dtype=np.int64)
    for cut, b in reversed(_LEVELS):  # 0.10 first, then overwrite with stronger levels
        level[p <= cut] = b
    level[~(p <= alpha)] = 0  # also NaN p-values
    sign = np.sign(np.nan_to_num(z)).astype(np.int64)
    return sign * level


def _permutation_p(observed: np.ndarray, sims: np.ndarray) -> np.ndarray:
    """Two-sided pseudo p-value, counting ties with the observed value on both sides.

    ``p = min(1, 2 * (min(#sim >= obs, #sim <= obs) + 1) / (permutations + 1))``.
    PySAL's folded ``p_sim`` counts ties only as "larger", so a cell whose
    neighbourhood is all zeros (the smallest value possible) would come out as a
    highly significant cold spot; here it is (rightly) not significant unless zeros
    are rare.
    """
    tol = 1e-12 * np.maximum(np.abs(observed), 1e-300)[:, None]
    ge = (sims >= observed[:, None] - tol).sum(axis=1)
    le = (sims <= observed[:, None] + tol).sum(axis=1)
    return np.minimum(1.0, 2.0 * (np.minimum(ge, le) + 1) / (sims.shape[1] + 1))


def _adjust(p: np.ndarray, correction: str) -> np.ndarray:
    """Adjust the finite p-values; NaN (untestable cells) stay NaN and are not counted."""
    out = p.copy()
    ok = np.isfinite(p)
    if correction != "none" and ok.any():
        out[ok] = multipletests(p[ok], method=correction)[1]
    return out


def gi_star(
    gdf: gpd.GeoDataFrame,
    column: str = "count",
    *,
    weights: str | libpysal.weights.W = "queen",
    threshold: float | None = None,
    p_value: str | None = None,
    permutations: int = 999,
    seed: int | None = None,
    alpha: float = 0.10,
    correction: str = "fdr_bh",
) -> gpd.GeoDataFrame:
    """Getis-Ord Gi* hot and cold spots per cell or area (ArcGIS ``Gi_Bin`` classes).

    Parameters
    ----------
    gdf : GeoDataFrame
        Cells (from :func:`sa_lib.spatial.grids.make_grid` + :func:`sa_lib.spatial.grids.count_points`)
        or areas (LSOAs, wards), in a projected CRS (EPSG:27700).
    column : str, default "count"
        Non-negative numeric column to analyse (a count, weighted count or rate).
    weights : {"queen", "distance"} or libpysal W
        Neighbours (see :func:`spatial_weights`); a W must have ids 0..n-1 in row
        order. The cell itself is always included (Gi*, ``star=True``).
    threshold : float, optional
        Distance band in metres for ``weights="distance"`` (automatic if None).
    p_value : {"analytical", "permutation"} or None
        ``"analytical"``: normal approximation (PySAL ``p_norm``, as ArcGIS's Hot Spot
        Analysis). ``"permutation"``: conditional randomisation, more robust to the
        skewed counts of crime grids but limited in resolution: the smallest
        two-sided p is ``2 / (permutations + 1)``, so after FDR over thousands of
        cells few or none can be significant (a warning says so). None means
        "analytical", recorded with :func:`sa_lib.choices.record_choice`.
    permutations : int, default 999
        Number of permutations (``p_value="permutation"`` only).
    seed : int, optional
        Random seed for the permutations; the same seed gives the same p-values.
    alpha : float, default 0.10
        Largest adjusted p-value called significant (0.10 shows all three ArcGIS
        confidence levels; 0.05 drops the 90% class).
    correction : {"fdr_bh", "bonferroni", "none"}, default "fdr_bh"
        Multiple-comparison adjustment over all cells.

    Returns
    -------
    GeoDataFrame
        A copy of ``gdf`` with columns

        - ``gi_z`` : float, the Gi* z-score (the analytical one, as ArcGIS); NaN, with
          a warning, where a cell's neighbourhood is every row (no test possible);
        - ``gi_p`` : float, two-sided p-value (permutation or analytical);
        - ``gi_p_adjusted`` : float, ``gi_p`` after ``correction``;
        - ``gi_bin`` : int, -3..3 (see :func:`gi_bins`);
        - ``gi_label`` : str, "Hot spot 99%" ... "Not significant" ... "Cold spot 99%".

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> vals = [0] * 25
    >>> vals[12] = vals[13] = vals[17] = vals[18] = 10
    >>> cells = gpd.GeoDataFrame({"count": vals},
    ...     geometry=[box(x, y, x + 1, y + 1) for y in range(5) for x in range(5)],
    ...     crs="EPSG:27700")
    >>> out = gi_star(cells, p_value="permutation", permutations=99, seed=1, correction="none")
    >>> bool(out.loc[12, "gi_z"] > 2), out.loc[12, "gi_label"]
    (True, 'Hot spot 95%')
    """
    p_value, source, y = _check_gi_args(gdf, column, p_value, permutations, seed, alpha, correction)
    w = _gi_weights(gdf, weights, threshold)
    z, p = _gi_z_p(y, w, p_value, permutations, seed)
    p_adj = _adjust(p, correction)
    record_choice(
        "Gi* significance",
        f"{p_value} two-sided p-values; {correction} correction; alpha {alpha:g}",
        "Getis-Ord Gi* (esda), binary weights including the cell itself; bins as ArcGIS "
        "Gi_Bin (90/95/99% confidence)",
        source=source,
    )
    bins = gi_bins(z, p_adj, alpha)
    out = gdf.copy()
    out["gi_z"] = z
    out["gi_p"] = p
    out["gi_p_adjusted"] = p_adj
    out["gi_bin"] = bins
    out["gi_label"] = pd.Series(bins, index=out.index).map(GI_LABELS)
    return out


def _check_gi_args(
    gdf: gpd.GeoDataFrame,
    column: str,
    p_value: str | None,
    permutations: int,
    seed: int | None,
    alpha: float,
    correction: str,
) -> tuple[str, str, np.ndarray]:
    """Validate :func:`gi_star`'s arguments.

    Returns the p-value method (None resolved to "analytical"), its choice source
    ("parameters" or "library") and the column's values as floats.
    """
    require_geodataframe(gdf, "gdf")
    require_projected(gdf, arg="gdf")
    require_columns(gdf, [column], arg="gdf", fix="count points first with count_points()")
    require_numeric(gdf, column, arg="gdf")
    require_no_missing(gdf, column, arg="gdf", fix=f"fill missing {column!r} (e.g. with 0)")
    source = "parameters"
    if p_value is None:
        p_value, source = "analytical", "library"
    require_choice(p_value, ["analytical", "permutation"], arg="p_value")
    require_choice(correction, CORRECTIONS, arg="correction")
    require_probability(alpha, arg="alpha")
    n = len(gdf)
    if p_value == "permutation":
        _check_permutations(n, permutations, seed, alpha, correction)
    if n < 3:
        raise ValueError(
            f"gdf has {n} row(s); Gi* needs at least 3 cells or areas.\n"
            f"Fix: use a smaller cell size or a larger area."
        )
    y = gdf[column].to_numpy(dtype=float)
    if np.all(y == y[0]):
        raise ValueError(
            f"gdf[{column!r}] has the same value ({y[0]:g}) in every row, so Gi* is undefined "
            f"(no variation to cluster).\nFix: check the crime-type/date filter or the count."
        )
    return p_value, source, y


def _check_permutations(
    n: int, permutations: int, seed: int | None, alpha: float, correction: str
) -> None:
    """Validate the permutation settings; warn where they limit power or need much memory."""
    require_int(permutations, arg="permutations", minimum=19)
    if seed is not None:
        require_int(seed, arg="seed", minimum=0)
    p_min = 2.0 / (permutations + 1)
    if correction != "none" and p_min * n > alpha:
        need = int(np.ceil(2 * n / alpha))
        warn(
            f"With {permutations} permutations the smallest possible p-value is "
            f"{p_min:.4f}; after {correction} over {n:,} cells a cell is significant only "
            f"if many cells reach that floor, so true hot spots may be missed. Use "
            f"p_value='analytical', or about {need:,} permutations."
        )
    if n * permutations > 50_000_000:
        warn(
            f"{n:,} cells x {permutations} permutations needs about "
            f"{n * permutations * 8 / 1e9:.1f} GB of memory for the simulations. Use fewer "
            f"permutations, larger cells or p_value='analytical' if this runs out of memory."
        )


def _gi_weights(
    gdf: gpd.GeoDataFrame, weights: str | libpysal.weights.W, threshold: float | None
) -> libpysal.weights.W:
    """Binary spatial weights for ``gdf`` (a copy of a given W, checked against its rows)."""
    n = len(gdf)
    if isinstance(weights, libpysal.weights.W):
        if weights.n != n:
            raise ValueError(
                f"weights has {weights.n} observations but gdf has {n} rows.\n"
                f"Fix: build the weights from this gdf (spatial_weights(gdf))."
            )
        w = libpysal.weights.W(weights.neighbors, weights.weights, silence_warnings=True)
    else:
        w = spatial_weights(gdf, weights, threshold)
    # Binary weights; G_Local adds the self-weight 1 (star=True).
    w.transform = "B"
    return w


def _gi_z_p(
    y: np.ndarray,
    w: libpysal.weights.W,
    p_value: str,
    permutations: int,
    seed: int | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and two-sided p-values (NaN, with a warning, where undefined)."""
    with warnings.catch_warnings():
        # esda warns that its default one-sided p_sim will change (we double it
        # ourselves); libpysal repeats the island warning spatial_weights gave.
        warnings.filterwarnings("ignore", message="The alternative hypothesis", category=Warning)
        warnings.filterwarnings("ignore", message="The weights matrix is not fully connected")
        warnings.filterwarnings("ignore", message=".*islands", category=UserWarning)
        warnings.filterwarnings("ignore", message="invalid value", category=RuntimeWarning)
        lg = G_Local(
            y,
            w,
            transform="B",
            star=True,
            permutations=permutations if p_value == "permutation" else 0,
            seed=seed,
            n_jobs=1,
            keep_simulations=p_value == "permutation",
        )
    z = np.asarray(lg.Zs, dtype=float)
    if p_value == "permutation":
        p = _permutation_p(np.asarray(lg.Gs, dtype=float), np.asarray(lg.rGs, dtype=float))
        if seed is None:
            record_choice(
                "Gi* permutation seed", "none", "not set: permutation p-values vary between runs"
            )
    else:
        p = 2.0 * np.asarray(lg.p_norm, dtype=float)
    undefined = ~np.isfinite(z)
    if undefined.any():
        first = int(np.argmax(undefined))
        warn(
            f"Gi* is undefined for {int(undefined.sum())} cell(s)/area(s) whose neighbourhood "
            f"covers every row (the first is position {first}); they get gi_z and gi_p NaN and "
            f"gi_bin 0. Use smaller cells, a larger area or a shorter distance band."
        )
        z[undefined] = np.nan
        p[undefined] = np.nan
    return z, p


def compare_areas_change(
    df: pd.DataFrame,
    before: str = "count_before",
    after: str = "count_after",
    alpha: float = 0.05,
    correction: str = "fdr_bh",
    *,
    exposure_before: str | float | None = None,
    exposure_after: str | float | None = None,
    method: str | None = None,
    dispersion: str | float | None = None,
    dispersion_df: str | float | None = None,
) -> pd.DataFrame:
    """Change in counts between two periods per cell, LSOA or ward, with FDR control.

    A thin layer over :func:`sa_lib.stats.change.compare_counts` (conditional Poisson
    test per row), defaulting to Benjamini-Hochberg FDR because every cell or area
    is tested at once. A GeoDataFrame stays a GeoDataFrame, ready to map.

    Parameters
    ----------
    df : DataFrame or GeoDataFrame
        One row per cell or area, with whole-number counts for both periods.
    before, after : str
        Count columns for the earlier and the later period.
    alpha : float, default 0.05
        Significance level.
    correction : {"fdr_bh", "bonferroni", "none"}, default "fdr_bh"
        Multiple-comparison adjustment across rows.
    exposure_before, exposure_after : str, float or None
        Exposure (e.g. months, or a population column); None for equal periods.
    method : {"exact", "score"} or None
        Passed to :func:`sa_lib.stats.change.compare_counts`.
    dispersion, dispersion_df : str, float or None
        Each row's series dispersion and its df, passed to
        :func:`sa_lib.stats.change.compare_counts` (rows above 1: quasi-Poisson).

    Returns
    -------
    DataFrame or GeoDataFrame
        A copy of ``df`` with the columns of :func:`sa_lib.stats.change.compare_counts`
        (``change``, ``pct_change``, ``rate_ratio``, ``rr_lower``, ``rr_upper``,
        ``p_value``, ``p_adjusted``, ``significant``, ``change_label``) plus
        ``change_class``: "Significant increase", "Significant decrease" or
        "No significant change" (three classes for maps).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ward": ["a", "b", "c"], "count_before": [10, 40, 5],
    ...                    "count_after": [12, 80, 5]})
    >>> compare_areas_change(df, method="exact")["change_class"].tolist()
    ['No significant change', 'Significant increase', 'No significant change']
    """
    from sa_lib.stats.change import compare_counts

    require_choice(correction, CORRECTIONS, arg="correction")
    out = compare_counts(
        df,
        before=before,
        after=after,
        exposure_before=exposure_before,
        exposure_after=exposure_after,
        alpha=alpha,
        correction=correction,
        method=method,
        dispersion=dispersion,
        dispersion_df=dispersion_df,
    )
    sig = out["significant"].astype(bool)
    up = sig & (out["rate_ratio"] > 1)  # inf (was 0) counts as an increase
    down = sig & (out["rate_ratio"] < 1)
    out["change_class"] = np.select(
        [up.to_numpy(), down.to_numpy()],
        ["Significant increase", "Significant decrease"],
        "No significant change",
    )
    if isinstance(df, gpd.GeoDataFrame) and not isinstance(out, gpd.GeoDataFrame):
        out = gpd.GeoDataFrame(out, geometry=df.geometry.name, crs=df.crs)
    return out
