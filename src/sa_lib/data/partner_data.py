"""Partner data beside police records: licensed premises and ambulance assault call-outs.

Both are CSVs a CSP receives from partners (licensing, the ambulance trust). The
sample ships SYNTHETIC versions (``data/sample/synthetic/``), every row marked
``synthetic = True``.

Examples
--------
>>> import io
>>> p = load_premises(io.StringIO("premises_id,easting,northing\\nA,523500,271300\\n"))
>>> p.crs.to_epsg(), len(p)
(27700, 1)
"""

from __future__ import annotations

import os

import geopandas as gpd
import pandas as pd

from sa_lib.validation import first_bad_row, require_columns, require_non_negative

__all__ = ["load_premises", "load_ambulance", "is_synthetic"]


def _read(path) -> tuple[pd.DataFrame, str]:
    name = getattr(path, "name", None) or str(path)
    if isinstance(path, str | os.PathLike) and not os.path.exists(path):
        raise ValueError(
            f"{name} does not exist. Fix: check the path in the parameters (data section)."
        )
    return pd.read_csv(path), str(name)


def load_premises(path) -> gpd.GeoDataFrame:
    """Read licensed premises points (``easting``/``northing``, or ``longitude``/``latitude``).

    Returns
    -------
    GeoDataFrame
        The file's columns plus point geometry in EPSG:27700.

    Raises
    ------
    ValueError
        If neither coordinate pair is present, or a coordinate is missing (naming the line).
    """
    df, name = _read(path)
    if {"easting", "northing"} <= set(df.columns):
        x, y, crs = "easting", "northing", 27700
    elif {"longitude", "latitude"} <= set(df.columns):
        x, y, crs = "longitude", "latitude", 4326
    else:
        raise ValueError(
            f"{name} has no coordinates: expected columns easting and northing (British National Grid) "
            f"or longitude and latitude. It has: {', '.join(df.columns)}."
        )
    bad = first_bad_row(df, df[x].isna() | df[y].isna())
    if bad is not None:
        raise ValueError(
            f"{name}: line {int(bad) + 2}: missing {x}/{y}. Fix: give every premises a location."
        )
    g = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df[x], df[y]), crs=crs)
    return g.to_crs(27700)


def load_ambulance(path) -> pd.DataFrame:
    """Read monthly ambulance assault call-outs per LSOA.

    Returns
    -------
    DataFrame
        ``lsoa21_code``, ``month`` ("YYYY-MM"), ``assault_callouts`` and any other columns.
    """
    df, name = _read(path)
    require_columns(
        df, ["lsoa21_code", "month", "assault_callouts"], arg=name, fix="one row per LSOA and month"
    )
    require_non_negative(df, "assault_callouts", arg=name)
    bad = first_bad_row(df, ~df["month"].astype(str).str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])"))
    if bad is not None:
        raise ValueError(
            f"{name}: line {int(bad) + 2}: month {df.loc[bad, 'month']!r} is not YYYY-MM."
        )
    return df


def is_synthetic(df: pd.DataFrame) -> bool:
    """True if any row is marked ``synthetic``."""
    return "synthetic" in df.columns and bool(df["synthetic"].fillna(False).astype(bool).any())
