"""Data-quality checks reported in every assessment.

police.uk has real gaps: about 3% of rows have no location (so cannot be placed
in any CSP), points are snapped to anonymised map points (a few land outside
the LSOA they are coded to), and months can be missing. None of these rows is
dropped silently: each is counted here and shown in the report.

Examples
--------
>>> missing_months(["2025-10", "2025-11", "2025-12"], ["2025-10", "2025-12"])
['2025-11']
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from sa_lib.data.geography import to_points
from sa_lib.data.vintage import PLACEMENTS
from sa_lib.validation import require_columns, require_geodataframe

__all__ = ["missing_months", "points_outside", "data_quality"]


def missing_months(expected: Sequence[str], present: Sequence[str]) -> list[str]:
    """Months in ``expected`` that are not in ``present``, in order."""
    have = set(present)
    return [m for m in expected if m not in have]


def points_outside(
    rows: pd.DataFrame, boundary: gpd.GeoDataFrame, tolerance_m: float = 0.0
) -> pd.DataFrame:
    """Rows whose coordinates fall outside ``boundary`` (buffered by ``tolerance_m``).

    Returns a new DataFrame of those rows (rows with no coordinates are not included).
    """
    require_columns(rows, ["longitude", "latitude"], arg="rows")
    require_geodataframe(boundary, "boundary")
    pts = to_points(rows)
    if pts.empty:
        return rows.iloc[0:0].copy()
    area = boundary.to_crs(pts.crs).union_all()
    if tolerance_m:
        area = area.buffer(tolerance_m)
    inside = pts.within(area)
    return pd.DataFrame(pts.loc[~inside].drop(columns="geometry"))


def data_quality(
    csp_rows: pd.DataFrame,
    no_location_rows: pd.DataFrame,
    boundary: gpd.GeoDataFrame,
    months_expected: Sequence[str],
    months_present: Sequence[str],
    force_located_rows: int | None = None,
    identical_dropped: int | None = None,
) -> pd.DataFrame:
    """Summarise data quality for the report's data-quality section.

    ``identical_dropped``: street rows the ingest kept as one record because they were
    identical in every field to another (force-wide, from the ingest log), or None.

    Parameters
    ----------
    csp_rows : DataFrame
        The CSP's rows over ``months_expected`` (from :func:`sa_lib.data.geography.assign_to_csp`).
    no_location_rows : DataFrame
        The force's rows with no location over the same months.
    boundary : GeoDataFrame
        The CSP outline.
    months_expected, months_present : sequence of "YYYY-MM"
    force_located_rows : int, optional
        Located rows for the whole force over the months, to estimate how many of
        the unlocated rows are likely to be the CSP's (pro rata).

    Returns
    -------
    DataFrame
        ``check``, ``value``, ``detail``: one row per check.
    """
    require_columns(csp_rows, ["month", "crime_type", "longitude", "latitude"], arg="csp_rows")
    require_columns(no_location_rows, ["month", "crime_type"], arg="no_location_rows")
    rows = _no_location_checks(csp_rows, no_location_rows, force_located_rows)
    outside = points_outside(csp_rows, boundary, tolerance_m=0.0)
    rows.append(
        {
            "check": "Rows coded to the CSP's LSOAs but mapped outside its boundary",
            "value": len(outside),
            "detail": "police.uk snaps points to anonymised map points, which can sit just over a "
            "boundary; these rows are counted by their LSOA code, as police.uk assigns them.",
        }
    )
    miss = missing_months(months_expected, months_present)
    rows.append(
        {
            "check": "Months missing from the data",
            "value": len(miss),
            "detail": ", ".join(miss)
            if miss
            else f"none: all {len(months_expected)} months present",
        }
    )
    if "placement" in csp_rows:
        rows += _placement_checks(csp_rows)
    ids = csp_rows["crime_id"].dropna() if "crime_id" in csp_rows else pd.Series(dtype="string")
    dup = int(ids.duplicated().sum())
    if identical_dropped is not None:
        rows.append(
            {
                "check": "Rows repeated in every field, counted once",
                "value": int(identical_dropped),
                "detail": "force-wide, at ingest: a row identical in every field to another row "
                "with the same crime ID is one record",
            }
        )
    rows.append(
        {
            "check": "Rows sharing a crime ID with another row",
            "value": dup,
            "detail": "kept: they differ in location, type or outcome, and police.uk lists each "
            "as a record; ASB rows have no ID and are not checked",
        }
    )
    return pd.DataFrame(rows, columns=["check", "value", "detail"])


def _no_location_checks(
    csp_rows: pd.DataFrame, no_location_rows: pd.DataFrame, force_located_rows: int | None
) -> list[dict]:
    """Rows with no location (force-wide), the CSP's likely share of them, and their commonest types."""
    rows = []
    n = len(csp_rows)
    nl = len(no_location_rows)
    share_txt = (
        " How many are this CSP's cannot be estimated: the force-wide located count is not known "
        "(give data.force_counts, or ingest the whole force)."
    )
    if force_located_rows and force_located_rows > n:
        est = nl * n / force_located_rows
        share_txt = (
            f" If they fall across the force as located rows do, about {est:,.0f} would be this "
            f"CSP's ({est / max(n, 1):.1%} on top of its {n:,} located rows)."
        )
    rows.append(
        {
            "check": "Rows with no location (force-wide)",
            "value": nl,
            "detail": "police.uk publishes some crimes with no map point or LSOA; they cannot be "
            "placed in any CSP, so they are kept in the store but not in this CSP's counts."
            + share_txt,
        }
    )
    if nl:
        top = no_location_rows["crime_type"].value_counts().head(3)
        rows.append(
            {
                "check": "Most common types with no location",
                "value": int(top.iloc[0]),
                "detail": "; ".join(f"{k}: {v:,}" for k, v in top.items()),
            }
        )
    return rows


def _placement_checks(csp_rows: pd.DataFrame) -> list[dict]:
    """How rows coded to either LSOA vintage were placed (:mod:`sa_lib.data.vintage`)."""
    rows = []
    by = csp_rows["placement"].value_counts()
    n11 = int(by[[k for k in by.index if str(k).startswith("LSOA 2011")]].sum())
    rows.append(
        {
            "check": "Rows coded to an LSOA 2011 that changed in 2021, placed by the ONS lookup",
            "value": n11,
            "detail": "; ".join(f"{k}: {v:,}" for k, v in by.items() if k != PLACEMENTS[0])
            or "none: every row carries an LSOA 2021 code (or one unchanged since 2011)",
        }
    )
    unplaced = int(by.get(PLACEMENTS[-1], 0))
    rows.append(
        {
            "check": "Rows coded to the CSP that could not be placed in an LSOA 2021",
            "value": unplaced,
            "detail": "every row whose LSOA code (2011 or 2021) belongs to the CSP is counted",
        }
    )
    return rows
