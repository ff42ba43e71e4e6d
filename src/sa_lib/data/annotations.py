"""Dated recording-practice changes (breaks in the series) for charts and text.

The table lives in a CSV named in the parameters (``data.annotations``), never
in code: columns ``date`` (YYYY-MM-DD), ``crime_types`` (``;``-separated police.uk
types, or ``all``), ``label`` and ``source``.

Examples
--------
>>> import pandas as pd
>>> a = pd.DataFrame({"date": pd.to_datetime(["2014-11-18"]), "crime_types": ["all"],
...                   "label": ["HMIC report"], "source": ["HMIC 2014"]})
>>> len(annotations_for(a, "Robbery"))
1
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from sa_lib.validation import first_bad_row, require_columns

__all__ = ["load_annotations", "annotations_for"]


def load_annotations(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and validate the annotations CSV.

    Returns
    -------
    DataFrame
        ``date`` (Timestamp), ``crime_types`` (str), ``label``, ``source``, sorted by date.

    Raises
    ------
    ValueError
        If the file is missing, lacks a column, or has a bad date (naming the line).
    """
    p = Path(path)
    if not p.exists():
        raise ValueError(
            f"Annotations file {p} does not exist. Fix: check data.annotations in the parameters."
        )
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    require_columns(df, ["date", "crime_types", "label", "source"], arg=str(p))
    dates = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    bad = first_bad_row(df, dates.isna())
    if bad is not None:
        raise ValueError(
            f"{p}: line {int(bad) + 2}: date {df.loc[bad, 'date']!r} is not a YYYY-MM-DD date. "
            f"Fix: write dates like 2023-05-01."
        )
    out = df.assign(date=dates).sort_values("date").reset_index(drop=True)
    return out


def annotations_for(annotations: pd.DataFrame, crime_type: str | None = None) -> pd.DataFrame:
    """The annotations that apply to ``crime_type`` (all of them when None)."""
    require_columns(annotations, ["date", "crime_types", "label"], arg="annotations")
    if crime_type is None:
        return annotations.copy()
    applies = annotations["crime_types"].map(
        lambda s: s.strip().lower() == "all" or crime_type in [t.strip() for t in s.split(";")]
    )
    return annotations[applies].reset_index(drop=True)
