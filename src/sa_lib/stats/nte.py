"""Night-time economy: when violence happens, and how near licensed premises.

Needs a record-level extract with times (police.uk has months only): a
day-of-week x hour table and heatmap, and a comparison of violence within a set
distance of licensed premises against the rest of the area, per unit of area.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"committed_from": pd.to_datetime(["2025-01-03 23:30", "2025-01-04 01:10"])})
>>> t = day_hour_table(df)
>>> int(t.loc["Fri", 23]), int(t.loc["Sat", 1])
(1, 1)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sa_lib.choices import record_choice
from sa_lib.validation import (
    require_columns,
    require_geodataframe,
    require_positive,
    require_projected,
)

__all__ = [
    "DAYS",
    "day_hour_table",
    "near_premises",
    "premises_comparison",
    "premises_near_area",
    "weekend_night_rows",
    "weekend_night_share",
]

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
#: Weekend nights, Friday and Saturday 20:00 to 05:59 the next morning, as (day, hours) cells.
WEEKEND_NIGHT = (
    ("Fri", range(20, 24)),
    ("Sat", range(20, 24)),
    ("Sat", range(0, 6)),
    ("Sun", range(0, 6)),
)


def _timed(
    df: pd.DataFrame, time_col: str, window_col: str | None, max_window_hours: float
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Each row's start time, whether it has one, and whether its window is too long to use."""
    t = pd.to_datetime(df[time_col], errors="coerce")
    ok = t.notna()
    imprecise = pd.Series(False, index=df.index)
    if window_col is not None and window_col in df.columns:
        end = pd.to_datetime(df[window_col], errors="coerce")
        imprecise = ((end - t).dt.total_seconds() > max_window_hours * 3600).fillna(False)
    return t, ok, imprecise


def day_hour_table(
    df: pd.DataFrame,
    time_col: str = "committed_from",
    window_col: str | None = "committed_to",
    max_window_hours: float = 1.0,
    hours_per_block: int = 1,
) -> pd.DataFrame:
    """Count rows by day of week (rows, Mon..Sun) and hour (columns 0..23, or blocks).

    Rows with no time, and rows whose committed window (``window_col`` after
    ``time_col``) is longer than ``max_window_hours`` (e.g. coercive control over
    months, or "between Friday evening and Monday morning"), are left out: their
    start time is not when the crime happened. Their numbers are in
    ``attrs["missing_time"]`` and ``attrs["imprecise_time"]``. With
    ``hours_per_block`` (a divisor of 24, e.g. 3), hours are grouped into blocks
    labelled by their first hour, which keeps sparse data above a disclosure
    threshold.

    Returns
    -------
    DataFrame
        7 x (24 / hours_per_block) integer counts, index ``DAYS``, columns the
        first hour of each block.
    """
    if hours_per_block not in (1, 2, 3, 4, 6, 8, 12, 24):
        raise ValueError(
            f"hours_per_block={hours_per_block!r} must divide 24 (1, 2, 3, 4, 6, 8, 12 or 24)."
        )
    require_columns(df, [time_col], arg="df", fix="needs an extract with committed date-times")
    t, ok, imprecise = _timed(df, time_col, window_col, max_window_hours)
    use = ok & ~imprecise
    blocks = list(range(0, 24, hours_per_block))
    tab = pd.crosstab(t[use].dt.day_of_week, t[use].dt.hour // hours_per_block * hours_per_block)
    tab = tab.reindex(index=range(7), columns=blocks, fill_value=0).astype("int64")
    tab.index = DAYS
    tab.index.name = "day"
    tab.columns.name = "hour"
    tab.attrs["missing_time"] = int((~ok).sum())
    tab.attrs["imprecise_time"] = int((ok & imprecise).sum())
    return tab


def weekend_night_share(table: pd.DataFrame) -> float:
    """Share of the table's crimes on Friday and Saturday nights (Fri/Sat 20:00 to 05:59 next day).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame(0, index=DAYS, columns=range(24)); t.loc["Sat", 2] = 3; t.loc["Mon", 12] = 1
    >>> weekend_night_share(t)
    0.75
    """
    total = table.to_numpy().sum()
    if total == 0:
        return float("nan")
    if len(table.columns) != 24:
        raise ValueError("weekend_night_share needs an hourly table (hours_per_block=1).")
    night = sum(table.loc[day, list(hours)].to_numpy().sum() for day, hours in WEEKEND_NIGHT)
    return float(night / total)


def weekend_night_rows(
    df: pd.DataFrame,
    time_col: str = "committed_from",
    window_col: str | None = "committed_to",
    max_window_hours: float = 1.0,
) -> pd.Series:
    """True for each row :func:`day_hour_table` counts in a weekend-night cell.

    The same rule as :func:`weekend_night_share` (``WEEKEND_NIGHT``), row by row: a
    row with no time, or with a committed window longer than ``max_window_hours``,
    is not a weekend-night crime, as it is not in the day-hour table.

    Examples
    --------
    >>> df = pd.DataFrame({"committed_from": ["2025-01-03 23:30", "2025-01-04 01:10",
    ...                                       "2025-01-06 23:00", None],
    ...                    "committed_to": ["2025-01-03 23:30", "2025-01-06 09:00", None, None]})
    >>> weekend_night_rows(df).tolist()
    [True, False, False, False]
    """
    require_columns(df, [time_col], arg="df", fix="needs an extract with committed date-times")
    t, ok, imprecise = _timed(df, time_col, window_col, max_window_hours)
    day = t.dt.day_of_week.map(lambda d: DAYS[int(d)] if pd.notna(d) else None)
    night = pd.Series(False, index=df.index)
    for name, hours in WEEKEND_NIGHT:
        night |= (day == name) & t.dt.hour.isin(list(hours))
    return (night & ok & ~imprecise).astype(bool)


def near_premises(points, premises, distance_m: float) -> pd.Series:
    """Whether each point lies within ``distance_m`` of any licensed premises.

    Parameters
    ----------
    points, premises : GeoDataFrame
        In the same projected CRS (metres), e.g. EPSG:27700.
    distance_m : float
        The distance (from the parameters, e.g. 100 m).

    Returns
    -------
    Series of bool, aligned with ``points``.
    """
    require_projected(points, arg="points")
    require_projected(premises, arg="premises")
    require_positive(distance_m, arg="distance_m")
    if points.crs != premises.crs:
        premises = premises.to_crs(points.crs)
    zone = premises.buffer(distance_m).union_all()
    return pd.Series(points.within(zone).to_numpy(), index=points.index, name="near_premises")


def premises_near_area(premises, area, distance_m: float = 100.0):
    """The licensed premises whose ``distance_m`` zone reaches into ``area`` (a new frame).

    A premises file often covers a whole county while a pack covers one district:
    :func:`premises_comparison` needs at least one premises zone inside the area.

    Parameters
    ----------
    premises : GeoDataFrame
        Licensed premises points.
    area : GeoDataFrame
        The CSP boundary (one or more polygons).
    distance_m : float
        Buffer distance around each premises.

    Returns
    -------
    GeoDataFrame
        The rows of ``premises`` within ``distance_m`` of ``area`` (possibly none).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> area = gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 1000)], crs=27700)
    >>> pubs = gpd.GeoDataFrame(geometry=[Point(500, 500), Point(5000, 5000)], crs=27700)
    >>> len(premises_near_area(pubs, area, 100))
    1
    """
    require_geodataframe(area, "area")
    require_projected(premises, arg="premises")
    require_positive(distance_m, arg="distance_m")
    keep = premises.distance(area.to_crs(premises.crs).union_all()) <= distance_m
    return premises[keep.to_numpy()].copy()


def premises_comparison(
    points,
    premises,
    area,
    distance_m: float = 100.0,
    *,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Violence density within ``distance_m`` of licensed premises against the rest of the area.

    The counts inside and outside the buffer zone are compared per km² with the
    exact conditional Poisson test (:func:`sa_lib.stats.change.compare_counts`, exposure =
    area), so "more violence near pubs" is only said when the test says so.

    Parameters
    ----------
    points : GeoDataFrame
        Crimes with locations, projected CRS.
    premises : GeoDataFrame
        Licensed premises points.
    area : GeoDataFrame
        The CSP boundary (one or more polygons).
    distance_m : float
        Buffer distance around each premises.
    alpha : float

    Returns
    -------
    DataFrame
        Two rows, ``zone`` = "Within {d} m of licensed premises" / "Elsewhere", with
        ``count``, ``area_km2``, ``per_km2``; and on the first row ``rate_ratio``,
        ``rr_lower``, ``rr_upper``, ``p_value``, ``significant``.
    """
    from sa_lib.stats.change import compare_counts

    require_geodataframe(area, "area")
    require_positive(distance_m, arg="distance_m")
    record_choice(
        "licensed premises distance (m)",
        distance_m,
        "from the parameters (violence.nte_distance_m)",
        source="parameters",
    )
    area = area.to_crs(points.crs)
    whole = area.union_all()
    zone = premises.to_crs(points.crs).buffer(distance_m).union_all().intersection(whole)
    near = near_premises(points, premises.to_crs(points.crs), distance_m)
    inside = points.within(whole)
    n_near = int((near & inside).sum())
    n_else = int((~near & inside).sum())
    a_near = zone.area / 1e6
    a_else = (whole.area - zone.area) / 1e6
    if a_near <= 0 or a_else <= 0:
        where = "no" if a_near <= 0 else "every part of the"
        raise ValueError(
            f"premises_comparison: {where} area lies within {distance_m:g} m of a licensed "
            "premises, so there is nothing to compare; check premises_near_area() first"
        )
    res = compare_counts(
        pd.DataFrame({"b": [n_else], "a": [n_near]}),
        before="b",
        after="a",
        exposure_before=a_else,
        exposure_after=a_near,
        alpha=alpha,
    )
    out = pd.DataFrame(
        {
            "zone": [f"Within {distance_m:g} m of licensed premises", "Elsewhere"],
            "count": [n_near, n_else],
            "area_km2": [a_near, a_else],
        }
    )
    out["per_km2"] = out["count"] / out["area_km2"]
    for c in ("rate_ratio", "rr_lower", "rr_upper", "p_value", "significant"):
        out[c] = [res[c].iloc[0], np.nan if c != "significant" else False]
    return out
