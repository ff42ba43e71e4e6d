"""The CSP's police.uk outcomes and stop-and-search rows, and which year they cover.

Forces publish outcomes and stop-and-search in their own monthly files, and not
every force or month has them (the shipped sample has 2024 only). A theme asks
:func:`analysis_year` which twelve months to use: the assessment period when the
store holds every month of it, otherwise the latest calendar year that has any of
these files, with a sentence saying which.

Examples
--------
>>> from sa_lib.data.periods import parse_period
>>> p, note = analysis_year(["2024-01", "2024-02"], parse_period("2025-Q4"), "outcomes")
>>> p.label, note.startswith("No outcomes files")
('2024', True)
>>> analysis_year([], parse_period("2025-Q4"), "outcomes")[0] is None
True
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import pandas as pd

from sa_lib.data.geography import CSPGeography, to_points
from sa_lib.data.periods import Period, calendar_year
from sa_lib.data.store import StoreEmptyError, load, store_months
from sa_lib.validation import require_choice

__all__ = ["analysis_year", "kind_months", "load_outcomes", "load_csp_searches"]

_WORDS = {"outcomes": "outcomes", "stop_and_search": "stop-and-search"}


def kind_months(store: str | os.PathLike[str], kind: str) -> list[str]:
    """Months the store holds for ``kind`` (``[]`` when it holds none)."""
    require_choice(kind, list(_WORDS), arg="kind")
    return store_months(store, kind)


def analysis_year(
    months_present: Sequence[str], period: Period, kind: str
) -> tuple[Period | None, str]:
    """The period to analyse ``kind`` for, and a plain-English note on the choice.

    Parameters
    ----------
    months_present : sequence of "YYYY-MM"
        Months the store holds for this kind (see :func:`kind_months`).
    period : Period
        The assessment period.
    kind : {"outcomes", "stop_and_search"}

    Returns
    -------
    (Period or None, str)
        The assessment period when every month of it is present; otherwise the
        latest calendar year with any month present (the note says which, and how
        many of its months are present); None when there are no months at all.
    """
    require_choice(kind, list(_WORDS), arg="kind")
    word = _WORDS[kind]
    have = set(months_present)
    if not have:
        return None, (
            f"No {word} files are in the store for this force: the force may not publish "
            "them, or they were not downloaded. This section is not available."
        )
    if set(period.months) <= have:
        return period, f"{word.capitalize()} files cover the assessment period, {period.label}."
    year = max(int(m[:4]) for m in have)
    p = calendar_year(year)
    n = len(set(p.months) & have)
    cover = "every month" if n == 12 else f"{n} of its 12 months"
    return p, (
        f"No {word} files are published for the assessment period ({period.label}), so this "
        f"section shows the latest year that has them: {p.label} ({cover})."
    )


def load_outcomes(
    store: str | os.PathLike[str], months: Iterable[str], forces: Iterable[str] | None = None
) -> pd.DataFrame:
    """Outcome rows recorded in ``months`` (any month from the crime's onwards), or an empty frame.

    Returns
    -------
    DataFrame
        ``crime_id``, ``month``, ``outcome_type``, ``lsoa_code``, ``force``.
    """
    cols = ["crime_id", "month", "outcome_type", "lsoa_code", "force"]
    try:
        return load(store, "outcomes", months=list(months), forces=forces, columns=cols)
    except StoreEmptyError:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in cols})


def load_csp_searches(
    store: str | os.PathLike[str],
    geo: CSPGeography,
    months: Iterable[str],
    forces: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Stop-and-search rows located in the CSP (by point in polygon), and what was left out.

    Returns
    -------
    (DataFrame, dict)
        The searches in the CSP boundary (the store's columns, with ``ward_code`` and
        ``ward_name`` of the ward they fall in), and counts ``loaded``, ``no_location``
        (searches with no coordinates: they cannot be placed in any CSP) and
        ``outside`` (located outside the CSP).
    """
    try:
        s = load(store, "stop_and_search", months=list(months), forces=forces)
    except StoreEmptyError:
        return pd.DataFrame(), {"loaded": 0, "no_location": 0, "outside": 0}
    located = s["longitude"].notna() & s["latitude"].notna()
    pts = to_points(s)
    wards = geo.wards[["ward_code", "ward_name", "geometry"]]
    import geopandas as gpd

    joined = gpd.sjoin(pts, wards, how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    inside = joined[joined["ward_code"].notna()].drop(columns=["geometry", "index_right"])
    out = pd.DataFrame(inside).reset_index(drop=True)
    return out, {
        "loaded": int(len(s)),
        "no_location": int((~located).sum()),
        "outside": int(located.sum() - len(out)),
    }
