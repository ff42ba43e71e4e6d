"""Emerging hot spots: how Gi* hot and cold spots change over months or quarters.

For each period a Gi* z-score is computed per cell (a *bin* is one cell in one period);
a cell is a *hot spot* in a period when ``gi_p_adjusted <= alpha`` and ``gi_z > 0``
(a *cold spot* when ``gi_z < 0``). A Mann-Kendall test
(:func:`sa_lib.stats.trend.mann_kendall`) on each cell's series of Gi* z-scores gives the
trend (``trend_tau``, Kendall's tau-a; ``trend_p``, two-sided), significant when
``trend_p <= alpha``. Three classifications are returned.

The Gi* neighbourhood (``time_step``)
-------------------------------------
- ``time_step = k >= 1`` (default 1, as ArcGIS's *neighborhood time step*): the
  **space-time** Gi* of ArcGIS Emerging Hot Spot Analysis. A bin's neighbours are
  its spatial neighbours and itself in the same period *and in each of the ``k``
  periods before* (fewer at the start of the series). With binary weights, ``L`` the
  sum of the counts in the bin's neighbourhood and ``W`` the number of bins in it,
  ``z = (L - xbar W) / (S sqrt((N W - W**2) / (N - 1)))`` where ``N``, ``xbar`` and
  ``S`` (population SD) are taken over every bin of the cube (ArcGIS's default
  global window, "entire cube"). p-values are two-sided normal, adjusted with
  ``correction`` across the cells of each period.
- ``time_step = 0``: spatial only, the project's earlier method: Gi* of each period
  on its own (:func:`sa_lib.spatial.hotspots.gi_star`, mean and SD of that period,
  analytical or permutation p-values).

**Cells whose whole neighbourhood has no crime in the window** are not classified:
their z depends only on the other cells (the period's or cube's mean and spread), so
a trend in it says nothing about the cell. They get no trend (``trend_tau`` and
``trend_p`` NaN), "No pattern detected" / "no pattern" / "No pattern", and
``empty_neighbourhood = True``; their number is in ``attrs["empty_neighbourhoods"]``.

``ehsa_category`` - ArcGIS Pro *Emerging Hot Spot Analysis*
------------------------------------------------------------
From Esri's "How Emerging Hot Spot Analysis works" (``n`` periods; "90%" means
at least 90% of the periods). Hot-spot categories (cold spots mirror them, with
"intensifying" meaning a significant *downward* trend in z):

- **New hot spot**: hot in the final period and never significant (hot or cold) before.
- **Consecutive hot spot**: a single uninterrupted run of at least two hot periods at
  the end, never significant before that run, and hot in less than 90% of periods.
- **Intensifying hot spot**: hot in at least 90% of periods including the final one,
  with a significant upward trend in z.
- **Persistent hot spot**: hot in at least 90% of periods including the final one,
  with no significant trend.
- **Diminishing hot spot**: hot in at least 90% of periods including the final one,
  with a significant downward trend in z.
- **Sporadic hot spot**: hot in the final period, on-and-off hot before it (not new or
  consecutive), hot in less than 90% of periods and never a cold spot.
- **Oscillating hot spot**: hot in the final period, a cold spot in some earlier
  period, and hot in less than 90% of periods.
- **Historical hot spot**: not hot in the final period but hot in at least 90% of periods.
- **No pattern detected**: none of the above, hot or cold.

Where Esri's wording overlaps, the category that describes the final period wins
(e.g. a cell hot in 9 of 10 months and a cold spot in the last one is an
oscillating cold spot, not a historical hot spot), and a cell with an earlier
cold spot is oscillating rather than new or consecutive (as in R ``sfdep``).
``docs/methods.md`` sets each category beside Esri's definition; the z- and p-series
in ``tests/fixtures/ehsa/`` land in each of the 17 categories, so any port can be
checked against them.

``simple_category`` - adapted from R ``sfhotspot::hotspot_classify`` (Ashby)
--------------------------------------------------------------------------
With its default parameters: the *recent* periods are the last
``max(1, floor(recent_prop * n))`` (``recent_prop = 0.2``), the rest are *older*.

- **persistent hot spot**: hot in at least ``persistent_prop`` (0.8) of all periods;
- **emerging hot spot**: hot in less than ``hotspot_prop`` (0.1) of older periods
  and in at least ``recent_prop`` of recent periods;
- **former hot spot**: hot in at least ``hotspot_prop`` of older periods and in less
  than ``hotspot_prop`` of recent periods;
- **intermittent hot spot**: otherwise hot in at least ``hotspot_prop`` of all periods;
- the same for cold spots; **mixed hot/cold spot** when a cell has both a hot and a
  cold category; otherwise **no pattern**.

``csp_category`` - the CSP's plan vocabulary
--------------------------------------------
Defined from the EHSA *hot-spot* categories only:

- **Sustaining**: an EHSA persistent, intensifying, diminishing or historical hot
  spot (hot in at least 90% of periods): a long-running problem place where effort
  must be kept up.
- **Emerging**: an EHSA new, consecutive, sporadic or oscillating hot spot (hot in
  the final period but in less than 90% of periods): a recent or recurring problem.
- **Preventing**: no EHSA category at all ("No pattern detected": neither a hot nor a
  cold spot pattern), but a significant *rising* trend in Gi* z (``trend_tau > 0``
  and ``trend_p <= alpha``): not yet a hot spot, heading towards one. A cold-spot
  category (e.g. a diminishing cold spot, whose z rises towards 0) is never
  Preventing.
- **No pattern**: anything else, including every cold-spot category.

Examples
--------
>>> import pandas as pd
>>> s = pd.DataFrame({"cell_id": 1, "period": range(10),
...                   "gi_z": [0.1] * 8 + [3.0, 3.2], "gi_p_adjusted": [0.9] * 8 + [0.01] * 2})
>>> classify_emerging(s)[["ehsa_category", "csp_category"]].values.tolist()
[['Consecutive hot spot', 'Emerging']]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
from scipy import sparse

from sa_lib.choices import record_choice
from sa_lib.spatial.grids import BNG, count_points, require_points, to_bng
from sa_lib.spatial.hotspots import _adjust, gi_bins, gi_star, spatial_weights
from sa_lib.spatial.space_time import _binary_with_self, _window_sum, space_time_gi
from sa_lib.stats.mann_kendall import tau_and_p
from sa_lib.validation import (
    require_choice,
    require_columns,
    require_int,
    require_no_missing,
    require_numeric,
    require_probability,
    warn,
)

__all__ = [
    "EHSA_CATEGORIES",
    "SIMPLE_CATEGORIES",
    "CSP_CATEGORIES",
    "gi_star_by_period",
    "space_time_gi",
    "classify_emerging",
    "emerging_hotspots",
]

_EHSA_KINDS = [
    "New",
    "Consecutive",
    "Intensifying",
    "Persistent",
    "Diminishing",
    "Sporadic",
    "Oscillating",
    "Historical",
]
#: All ``ehsa_category`` values, hot first, in legend order.
EHSA_CATEGORIES: list[str] = (
    [f"{k} hot spot" for k in _EHSA_KINDS]
    + [f"{k} cold spot" for k in _EHSA_KINDS]
    + ["No pattern detected"]
)
_SIMPLE_KINDS = ["persistent", "emerging", "former", "intermittent"]
#: All ``simple_category`` values.
SIMPLE_CATEGORIES: list[str] = (
    [f"{k} hot spot" for k in _SIMPLE_KINDS]
    + [f"{k} cold spot" for k in _SIMPLE_KINDS]
    + ["mixed hot/cold spot", "no pattern"]
)
#: All ``csp_category`` values.
CSP_CATEGORIES: list[str] = ["Emerging", "Sustaining", "Preventing", "No pattern"]

_FREQS = {"month": "M", "quarter": "Q"}
_SHARE = 0.9  # Esri's "90 percent of the time-step intervals"


def _ehsa_one_side(on: np.ndarray, off: np.ndarray, tau: float, sig_trend: bool) -> str | None:
    """EHSA kind for one side (``on`` = hot flags, ``off`` = cold flags, or swapped).

    ``tau`` is already signed so that > 0 means "more extreme on this side".
    Returns the kind (e.g. "New") or None.
    """
    n = len(on)
    share = on.sum() / n
    final = bool(on[-1])
    if share >= _SHARE and final:
        if sig_trend and tau > 0:
            return "Intensifying"
        if sig_trend and tau < 0:
            return "Diminishing"
        return "Persistent"
    if share >= _SHARE and not final:
        return "Historical"
    if not final:
        return None
    # final period on, share < 90%
    run = int(np.argmin(on[::-1])) if not on.all() else n
    before = slice(0, n - run)
    if off[:-1].any():
        return "Oscillating"
    if not on[before].any():
        return "New" if run == 1 else "Consecutive"
    return "Sporadic"


def _ehsa(hot: np.ndarray, cold: np.ndarray, tau: float, sig_trend: bool) -> str:
    h = _ehsa_one_side(hot, cold, tau, sig_trend)
    c = _ehsa_one_side(cold, hot, -tau, sig_trend)
    # The category that describes the final period wins (historical is the only one that doesn't).
    if h is not None and c is not None:
        return f"{c} cold spot" if h == "Historical" else f"{h} hot spot"
    if h is not None:
        return f"{h} hot spot"
    if c is not None:
        return f"{c} cold spot"
    return "No pattern detected"


def _simple_one_side(on, hotspot_prop, persistent_prop, recent_prop) -> str | None:
    n = len(on)
    n_recent = max(1, math.floor(recent_prop * n))
    older, recent = on[: n - n_recent], on[n - n_recent :]
    prop, prop_old, prop_recent = on.mean(), older.mean(), recent.mean()
    if prop >= persistent_prop:
        return "persistent"
    if prop_old < hotspot_prop and prop_recent >= recent_prop:
        return "emerging"
    if prop_old >= hotspot_prop and prop_recent < hotspot_prop:
        return "former"
    if prop >= hotspot_prop:
        return "intermittent"
    return None


def _simple(hot, cold, hotspot_prop, persistent_prop, recent_prop) -> str:
    h = _simple_one_side(hot, hotspot_prop, persistent_prop, recent_prop)
    c = _simple_one_side(cold, hotspot_prop, persistent_prop, recent_prop)
    if h and c:
        return "mixed hot/cold spot"
    if h:
        return f"{h} hot spot"
    if c:
        return f"{c} cold spot"
    return "no pattern"


_SUSTAINING = {"Persistent", "Intensifying", "Diminishing", "Historical"}


def _csp(ehsa: str, tau: float, sig_trend: bool) -> str:
    """CSP label from the EHSA category (hot-spot categories only) and the z trend."""
    if ehsa.endswith(" hot spot"):
        return "Sustaining" if ehsa[: -len(" hot spot")] in _SUSTAINING else "Emerging"
    if ehsa == "No pattern detected" and sig_trend and tau > 0:
        return "Preventing"
    return "No pattern"


def classify_emerging(
    series: pd.DataFrame,
    id_col: str = "cell_id",
    period_col: str = "period",
    z_col: str = "gi_z",
    p_col: str = "gi_p_adjusted",
    alpha: float = 0.05,
    *,
    hotspot_prop: float = 0.1,
    persistent_prop: float = 0.8,
    recent_prop: float = 0.2,
    neighbourhood_col: str | None = "neighbourhood_count",
) -> pd.DataFrame:
    """Classify each cell's Gi* series (EHSA, sfhotspot-style and CSP categories).

    Parameters
    ----------
    series : DataFrame
        Long table: one row per cell and period (e.g. from :func:`gi_star_by_period`).
        Every cell must have every period once.
    id_col, period_col : str
        Cell id and period columns (periods must sort in time order).
    z_col, p_col : str
        Gi* z-score and (adjusted) two-sided p-value columns. A missing z (no
        test possible that period) counts as 0 and not significant.
    alpha : float, default 0.05
        Significance level for hot/cold spots in each period and for the trend.
    hotspot_prop, persistent_prop, recent_prop : float
        sfhotspot parameters for ``simple_category`` (see the module docstring).
    neighbourhood_col : str or None, default "neighbourhood_count"
        Column with the crimes in each bin's Gi* neighbourhood (from
        :func:`gi_star_by_period`). When it is present, a cell whose neighbourhood
        has no crime in any period gets no trend and no category (module docstring).

    Returns
    -------
    DataFrame
        One row per cell, sorted by ``id_col``, with columns ``id_col``,
        ``n_periods``, ``n_hot``, ``n_cold``, ``final_state`` ("hot", "cold" or
        "not significant"), ``trend_tau``, ``trend_p``, ``ehsa_category``,
        ``simple_category``, ``csp_category``, ``empty_neighbourhood``. Rules:
        module docstring. ``attrs["empty_neighbourhoods"]`` counts the cells left
        unclassified because their neighbourhood never had a crime.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"cell_id": 7, "period": range(10),
    ...     "gi_z": [3.0 + 0.2 * t for t in range(10)], "gi_p_adjusted": 0.001})
    >>> classify_emerging(s)[["ehsa_category", "csp_category"]].values.tolist()
    [['Intensifying hot spot', 'Sustaining']]
    """
    _check_emerging_args(
        series, id_col, period_col, z_col, p_col, alpha, hotspot_prop, persistent_prop, recent_prop
    )
    periods, wide_z, wide_p = _wide_series(series, id_col, period_col, z_col, p_col)
    n = len(periods)
    z = np.nan_to_num(wide_z[periods].to_numpy(dtype=float), nan=0.0)
    p = wide_p[periods].to_numpy(dtype=float)
    sig = np.nan_to_num(p, nan=1.0) <= alpha
    hot, cold = sig & (z > 0), sig & (z < 0)
    empty = _empty_neighbourhoods(series, id_col, neighbourhood_col, wide_z.index)

    # Every cell's Mann-Kendall trend at once (the per-cell test's statistic, tie and
    # continuity corrections); the short-series warning was given once above.
    taus, tps = tau_and_p(z)
    rows = []
    for k, cell in enumerate(wide_z.index):
        h, c = hot[k], cold[k]
        row = {
            id_col: cell,
            "n_periods": n,
            "n_hot": int(h.sum()),
            "n_cold": int(c.sum()),
            "final_state": "hot" if h[-1] else ("cold" if c[-1] else "not significant"),
        }
        if empty[k]:
            rows.append(row | _EMPTY_NEIGHBOURHOOD)
            continue
        rows.append(
            row
            | _cell_categories(
                taus[k], tps[k], h, c, alpha, hotspot_prop, persistent_prop, recent_prop
            )
        )
    out = pd.DataFrame(rows)
    out.attrs["empty_neighbourhoods"] = int(empty.sum())
    return out


#: Categories of a cell with no crime anywhere in its neighbourhood (its z reflects only
#: the other cells).
_EMPTY_NEIGHBOURHOOD = {
    "trend_tau": np.nan,
    "trend_p": np.nan,
    "ehsa_category": "No pattern detected",
    "simple_category": "no pattern",
    "csp_category": "No pattern",
    "empty_neighbourhood": True,
}


def _check_emerging_args(
    series: pd.DataFrame,
    id_col: str,
    period_col: str,
    z_col: str,
    p_col: str,
    alpha: float,
    hotspot_prop: float,
    persistent_prop: float,
    recent_prop: float,
) -> None:
    """Validate :func:`classify_emerging`'s arguments (columns, levels, no repeated bins)."""
    require_columns(series, [id_col, period_col, z_col, p_col], arg="series")
    require_numeric(series, z_col, arg="series")
    require_numeric(series, p_col, arg="series")
    require_no_missing(series, id_col, arg="series")
    require_no_missing(series, period_col, arg="series")
    require_probability(alpha, arg="alpha")
    for name, v in [
        ("hotspot_prop", hotspot_prop),
        ("persistent_prop", persistent_prop),
        ("recent_prop", recent_prop),
    ]:
        require_probability(v, arg=name)
    dup = series.duplicated([id_col, period_col])
    if dup.any():
        row = series.index[int(np.argmax(dup.to_numpy()))]
        raise ValueError(
            f"series has {int(dup.sum())} repeated ({id_col}, {period_col}) pair(s); the first "
            f"is at row {row!r}.\nFix: one row per cell and period (aggregate first)."
        )


def _wide_series(
    series: pd.DataFrame, id_col: str, period_col: str, z_col: str, p_col: str
) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    """Sorted periods and the z and p tables (cells x periods); every bin must be present."""
    periods = np.sort(series[period_col].unique())
    n = len(periods)
    if n < 3:
        raise ValueError(
            f"series has {n} period(s); emerging hot-spot analysis needs at least 3 (ArcGIS "
            f"recommends 10 or more).\nFix: use a longer date range or monthly periods."
        )
    wide_z = series.pivot(index=id_col, columns=period_col, values=z_col)
    wide_p = series.pivot(index=id_col, columns=period_col, values=p_col)
    if wide_z.index.size * n != len(series):
        gaps = wide_p.isna().any(axis=1) & wide_z.isna().all(axis=1)
        missing = wide_z.index[wide_p.isna().any(axis=1) | gaps]
        raise ValueError(
            f"series does not have every period for every cell ({len(series)} rows, expected "
            f"{wide_z.index.size} cells x {n} periods); e.g. {id_col}={missing[0]!r}.\n"
            f"Fix: include periods with no crimes as zero counts (gi_star_by_period does)."
        )
    if n < 10:
        warn(
            f"only {n} periods: the Mann-Kendall trend and the 90%-of-periods rules need about "
            f"10 or more (ArcGIS recommends 10+); treat categories as indicative."
        )
    return periods, wide_z, wide_p


def _empty_neighbourhoods(
    series: pd.DataFrame, id_col: str, neighbourhood_col: str | None, cells: pd.Index
) -> np.ndarray:
    """Per cell (in ``cells`` order): True where its neighbourhood never had a crime."""
    if neighbourhood_col is not None and neighbourhood_col in series.columns:
        require_numeric(series, neighbourhood_col, arg="series")
        hood = series.groupby(id_col)[neighbourhood_col].sum().reindex(cells)
        return hood.fillna(0).to_numpy(dtype=float) == 0
    return np.zeros(len(cells), dtype=bool)


def _cell_categories(
    tau: float,
    tp: float,
    h: np.ndarray,
    c: np.ndarray,
    alpha: float,
    hotspot_prop: float,
    persistent_prop: float,
    recent_prop: float,
) -> dict[str, object]:
    """One cell's trend (Mann-Kendall ``tau`` and ``tp`` of its z series) with its EHSA,
    simple and CSP categories."""
    sig_trend = tp <= alpha
    ehsa = _ehsa(h, c, tau, sig_trend)
    return {
        "trend_tau": float(tau),
        "trend_p": float(tp),
        "ehsa_category": ehsa,
        "simple_category": _simple(h, c, hotspot_prop, persistent_prop, recent_prop),
        "csp_category": _csp(ehsa, tau, sig_trend),
        "empty_neighbourhood": False,
    }


def _periods(values: pd.Series, freq: str, arg: str) -> pd.Series:
    try:
        stamps = pd.to_datetime(values.astype(str) if values.dtype == object else values)
    except (ValueError, TypeError):
        bad = pd.to_datetime(values.astype(str), errors="coerce").isna()
        row = values.index[int(np.argmax(bad.to_numpy()))]
        raise ValueError(
            f"{arg} has a value that is not a date: {values.loc[row]!r} at row {row!r}.\n"
            f"Fix: use police.uk 'Month' values such as '2024-01' or real dates."
        ) from None
    return stamps.dt.to_period(_FREQS[freq])


def gi_star_by_period(
    points_gdf: gpd.GeoDataFrame,
    grid_gdf: gpd.GeoDataFrame,
    time_col: str = "month",
    *,
    id_col: str = "cell_id",
    freq: str = "month",
    start: str | None = None,
    end: str | None = None,
    weights: str = "queen",
    threshold: float | None = None,
    p_value: str | None = None,
    permutations: int = 999,
    seed: int | None = None,
    alpha: float = 0.05,
    correction: str = "fdr_bh",
    crime_types: Sequence[str] | None = None,
    time_step: int = 1,
) -> pd.DataFrame:
    """Count points per cell and period and compute each bin's Gi* (space-time or spatial).

    Parameters
    ----------
    points_gdf : GeoDataFrame
        Points with a date or month column (police.uk ``Month`` like "2024-01").
    grid_gdf : GeoDataFrame
        Cells (or LSOAs / wards) with a unique ``id_col``.
    time_col : str
        Column of ``points_gdf`` with the date or month.
    id_col : str, default "cell_id"
        Unique id column of ``grid_gdf``.
    freq : {"month", "quarter"}
        Period length.
    start, end : str, optional
        First and last period (e.g. "2023-04", "2024-03"); default: the data's range.
        Periods with no points are included as zero counts.
    weights, threshold, p_value, permutations, seed, alpha, correction
        Passed to :func:`sa_lib.spatial.hotspots.gi_star` for every period (the permutation
        seed is ``seed + k`` in period ``k``, so results are reproducible).
    crime_types : sequence of str, optional
        The crime types the points were selected by (used in the "no points" error).
    time_step : int, default 1
        ArcGIS's neighbourhood time step: a bin's Gi* neighbourhood includes the same
        cells in the ``time_step`` periods before (space-time Gi*, analytical
        p-values, cube-wide mean and SD; see the module docstring). 0 gives the
        spatial-only Gi* of each period.

    Returns
    -------
    DataFrame
        Long table, one row per cell and period: ``id_col``, ``period`` (str, e.g.
        "2024-01" or "2024Q1"), ``count``, ``neighbourhood_count`` (crimes in the
        bin's Gi* neighbourhood), ``gi_z``, ``gi_p``, ``gi_p_adjusted``, ``gi_bin``.
        With ``time_step=0`` a period whose counts are all equal (e.g. all zero) gets
        ``gi_z = 0`` and p-values of 1, with a warning.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from sa_lib.spatial.grids import make_grid
    >>> grid = make_grid(gpd.GeoDataFrame(geometry=[box(0, 0, 400, 400)], crs="EPSG:27700"), 100)
    >>> pts = gpd.GeoDataFrame({"month": ["2024-01", "2024-02", "2024-03"] * 2},
    ...     geometry=[Point(50, 50), Point(150, 50), Point(50, 150)] * 2, crs="EPSG:27700")
    >>> out = gi_star_by_period(pts, grid, "month")
    >>> sorted(out["period"].unique()), len(out)
    (['2024-01', '2024-02', '2024-03'], 48)
    """
    require_points(points_gdf, crime_types=crime_types)
    require_columns(points_gdf, [time_col], arg="points_gdf", fix="pass time_col='Month'")
    require_no_missing(points_gdf, time_col, arg="points_gdf", fix="drop undated rows")
    require_choice(freq, list(_FREQS), arg="freq")
    require_columns(grid_gdf, [id_col], arg="grid_gdf")
    pts = to_bng(points_gdf, arg="points_gdf")
    grid = to_bng(grid_gdf, arg="grid_gdf")
    pts, per, all_periods = _select_periods(pts, time_col, freq, start, end)
    _warn_points_outside(pts, grid, id_col)
    require_int(time_step, arg="time_step", minimum=0)
    # Build the weights once; every period uses the same cells.
    w = spatial_weights(grid, weights, threshold) if isinstance(weights, str) else weights
    counts = _counts_by_period(pts.assign(_period=per.to_numpy()), grid, id_col, all_periods)
    adj = _binary_with_self(w, len(grid))
    lag = np.asarray(adj @ counts)  # crimes in each cell and its spatial neighbours
    base = {
        "ids": grid[id_col].to_numpy(),
        "id_col": id_col,
        "periods": [str(p) for p in all_periods],
        "counts": counts,
        "hood": _window_sum(lag, time_step),
    }
    if time_step >= 1:
        if p_value == "permutation":
            warn(
                "permutation p-values are not available for the space-time Gi*; analytical "
                "(normal) p-values are used, as in ArcGIS Emerging Hot Spot Analysis. Set the "
                "time step to 0 for spatial-only Gi* with permutations."
            )
        return _space_time_frames(base, adj, time_step, alpha, correction)
    return _spatial_frames(base, grid, w, p_value, permutations, seed, alpha, correction)


def _select_periods(
    pts: gpd.GeoDataFrame, time_col: str, freq: str, start: str | None, end: str | None
) -> tuple[gpd.GeoDataFrame, pd.Series, pd.PeriodIndex]:
    """The points between ``start`` and ``end``, their periods, and every period in range."""
    per = _periods(pts[time_col], freq, "points_gdf[" + repr(time_col) + "]")
    code = _FREQS[freq]
    first = pd.Period(start, code) if start is not None else per.min()
    last = pd.Period(end, code) if end is not None else per.max()
    if last < first:
        raise ValueError(f"end ({last}) is before start ({first}). Swap them.")
    all_periods = pd.period_range(first, last, freq=code)
    keep = (per >= first) & (per <= last)
    if not keep.any():
        raise ValueError(
            f"points_gdf has no points between {first} and {last} (its dates run from "
            f"{per.min()} to {per.max()}).\nFix: check start/end."
        )
    return pts[keep.to_numpy()], per[keep], all_periods


def _warn_points_outside(pts: gpd.GeoDataFrame, grid: gpd.GeoDataFrame, id_col: str) -> None:
    """Warn once, for the whole date range, about points outside every cell."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # re-worded below for the whole date range
        counted = count_points(pts, grid, id_col)
    n_out = counted.attrs.get("points_outside", 0)
    if n_out:
        warn(
            f"{n_out} of {len(pts)} point(s) fall outside every cell of grid_gdf and are not "
            f"counted in any period. Check the points were filtered to the CSP area."
        )


def _counts_by_period(
    pts: gpd.GeoDataFrame, grid: gpd.GeoDataFrame, id_col: str, all_periods: pd.PeriodIndex
) -> np.ndarray:
    """Cells x periods array of point counts (``pts["_period"]`` holds each point's period)."""
    counts = np.zeros((len(grid), len(all_periods)))
    for k, period in enumerate(all_periods):
        sub = pts[pts["_period"] == period]
        if len(sub):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # outside-points warning given once above
                counts[:, k] = count_points(sub, grid, id_col)["count"].to_numpy()
    return counts


def _space_time_frames(
    base: dict, adj: sparse.csr_matrix, time_step: int, alpha: float, correction: str
) -> pd.DataFrame:
    """The long table for the space-time Gi* (``time_step`` >= 1), analytical p-values."""
    counts, hood, id_col = base["counts"], base["hood"], base["id_col"]
    z, pv = space_time_gi(counts, adj, time_step)
    record_choice(
        "Emerging hot spots: Gi* neighbourhood",
        f"space-time, time step {time_step}",
        f"as ArcGIS Emerging Hot Spot Analysis: spatial neighbours in the same and the "
        f"{time_step} previous period(s); mean and SD over the whole space-time cube; "
        f"two-sided normal p-values, {correction} correction across cells in each period",
        source="parameters",
    )
    frames = []
    for k, period in enumerate(base["periods"]):
        p_adj = _adjust(pv[:, k], correction)
        frames.append(
            pd.DataFrame(
                {
                    id_col: base["ids"],
                    "period": period,
                    "count": counts[:, k],
                    "neighbourhood_count": hood[:, k],
                    "gi_z": z[:, k],
                    "gi_p": pv[:, k],
                    "gi_p_adjusted": p_adj,
                    "gi_bin": gi_bins(z[:, k], p_adj, alpha),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _spatial_frames(
    base: dict,
    grid: gpd.GeoDataFrame,
    w: libpysal.weights.W,
    p_value: str | None,
    permutations: int,
    seed: int | None,
    alpha: float,
    correction: str,
) -> pd.DataFrame:
    """The long table for the spatial-only Gi* of each period (``time_step`` 0)."""
    counts, hood, id_col = base["counts"], base["hood"], base["id_col"]
    record_choice(
        "Emerging hot spots: Gi* neighbourhood",
        "spatial only (time step 0)",
        "Gi* of each period on its own, with that period's mean and SD",
        source="parameters",
    )
    frames = []
    for k, period in enumerate(base["periods"]):
        y = counts[:, k]
        frame = pd.DataFrame(
            {id_col: base["ids"], "period": period, "count": y, "neighbourhood_count": hood[:, k]}
        )
        if np.all(y == y[0]):
            warn(
                f"period {period}: every cell has the same count ({y[0]:g}), so Gi* is "
                f"undefined; the period is kept with gi_z = 0 and p = 1 (no hot or cold spots)."
            )
            frames.append(frame.assign(gi_z=0.0, gi_p=1.0, gi_p_adjusted=1.0, gi_bin=np.int64(0)))
            continue
        res = gi_star(
            grid.assign(count=y),
            "count",
            weights=w,
            p_value=p_value,
            permutations=permutations,
            seed=None if seed is None else seed + k,
            alpha=alpha,
            correction=correction,
        )
        frames.append(
            frame.assign(
                gi_z=res["gi_z"].to_numpy(),
                gi_p=res["gi_p"].to_numpy(),
                gi_p_adjusted=res["gi_p_adjusted"].to_numpy(),
                gi_bin=res["gi_bin"].to_numpy(),
            )
        )
    return pd.concat(frames, ignore_index=True)


def emerging_hotspots(
    points_gdf: gpd.GeoDataFrame,
    grid_gdf: gpd.GeoDataFrame,
    time_col: str = "month",
    *,
    id_col: str = "cell_id",
    freq: str = "month",
    start: str | None = None,
    end: str | None = None,
    weights: str = "queen",
    threshold: float | None = None,
    p_value: str | None = None,
    permutations: int = 999,
    seed: int | None = None,
    alpha: float = 0.05,
    correction: str = "fdr_bh",
    crime_types: Sequence[str] | None = None,
    time_step: int = 1,
) -> gpd.GeoDataFrame:
    """Emerging hot-spot classification of each cell over months or quarters.

    Runs :func:`gi_star_by_period` then :func:`classify_emerging` (rules in the
    module docstring). Parameters are those of :func:`gi_star_by_period`;
    ``alpha`` is used for the per-period hot/cold spots and for the trend.

    Returns
    -------
    GeoDataFrame
        A copy of ``grid_gdf`` (EPSG:27700, same rows and order) with columns
        ``n_periods``, ``n_hot``, ``n_cold``, ``final_state``, ``trend_tau``,
        ``trend_p``, ``ehsa_category``, ``simple_category``, ``csp_category``,
        ``empty_neighbourhood``. The per-period table is in
        ``result.attrs["by_period"]``; ``attrs["empty_neighbourhoods"]`` counts the
        cells left unclassified (no crime in their neighbourhood in the window).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> from sa_lib.spatial.grids import make_grid
    >>> grid = make_grid(gpd.GeoDataFrame(geometry=[box(0, 0, 400, 400)], crs="EPSG:27700"), 100)
    >>> months = [f"2024-{m:02d}" for m in range(1, 11)]
    >>> pts = gpd.GeoDataFrame({"month": months * 3},
    ...     geometry=[Point(350, 350)] * 10 + [Point(50, 50)] * 10 + [Point(150, 250)] * 10,
    ...     crs="EPSG:27700")
    >>> out = emerging_hotspots(pts, grid, "month")
    >>> sorted(out["csp_category"].unique())
    ['No pattern']
    """
    by_period = gi_star_by_period(
        points_gdf,
        grid_gdf,
        time_col,
        id_col=id_col,
        freq=freq,
        start=start,
        end=end,
        weights=weights,
        threshold=threshold,
        p_value=p_value,
        permutations=permutations,
        seed=seed,
        alpha=alpha,
        correction=correction,
        crime_types=crime_types,
        time_step=time_step,
    )
    classes = classify_emerging(by_period, id_col=id_col, period_col="period", alpha=alpha)
    out = grid_gdf if grid_gdf.crs.to_epsg() == 27700 else grid_gdf.to_crs(BNG)
    out = out.merge(classes, on=id_col, how="left")
    out.attrs["by_period"] = by_period
    out.attrs["empty_neighbourhoods"] = classes.attrs["empty_neighbourhoods"]
    out.attrs["time_step"] = time_step
    return out
