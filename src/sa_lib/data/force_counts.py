"""Force-wide counts by LAD x month x crime type, made from the store (``sa init --csp``).

The wider-area comparison (overview) and the "above the wider area" score (summary)
read ``data.force_counts``: every LAD of the police force area, its crimes by month and
type, and its Census 2021 population, in the layout of
:func:`sa_lib.stats.comparison.load_force_counts`. When the store holds the whole force
(located rows in every LAD of the force area in every month asked for), this module
counts them; otherwise it says why not, so a file of counts that would read as zeros
is never written.

Rows are placed in LADs by their LSOA code: LSOA 2021 codes by the official LSOA21 ->
LAD 2024 lookup, LSOA 2011 codes through the ONS LSOA11 -> LSOA21 lookup (LSOAs nest
in LADs, so a split or merged LSOA stays in its LAD). Rows with no LSOA are
``(no location)``; rows in an LSOA outside the force area are ``(outside force area)``;
neither counts towards a LAD or the wider area.

Examples
--------
>>> counts, reason = force_counts_from_store("/nonexistent", "essex", ["2018-01"])
>>> counts is None, reason
(True, "the store does not hold essex's 2018-01")
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from sa_lib.data.coverage import month_ranges
from sa_lib.data.national import change_lookup, lad_lookup, lsoa_lookup, population_long
from sa_lib.data.store import load_street, store_months

__all__ = ["force_counts_from_store", "COLUMNS"]

#: The columns of a force counts file (:func:`sa_lib.stats.comparison.load_force_counts`).
COLUMNS = ["lad_code", "lad_name", "month", "crime_type", "count", "population"]

NO_LOCATION, OUTSIDE = "(no location)", "(outside force area)"


def _lsoa_to_lad() -> pd.Series:
    """LSOA code (2021 or 2011) -> LAD 2024 code."""
    look = lsoa_lookup()
    by21 = look.set_index("lsoa21_code")["lad_code"]
    ch = change_lookup()
    by11 = (
        ch.assign(lad_code=ch["lsoa21_code"].map(by21))
        .dropna(subset=["lad_code"])
        .drop_duplicates("lsoa11_code")
        .set_index("lsoa11_code")["lad_code"]
    )
    return pd.concat([by21, by11[~by11.index.isin(by21.index)]])


def force_counts_from_store(
    store: str | os.PathLike[str], force: str, months: Sequence[str]
) -> tuple[pd.DataFrame | None, str]:
    """Count the force's police.uk street rows by LAD x month x crime type over ``months``.

    Parameters
    ----------
    store : path-like
        The store (``data/processed``).
    force : str
        The police.uk force slug, e.g. ``"essex"``.
    months : sequence of "YYYY-MM"
        The months to count; each must be held for the whole force.

    Returns
    -------
    (DataFrame or None, str)
        The counts (:data:`COLUMNS`; population is the LAD's Census 2021 usual residents,
        empty for the bracketed pseudo-areas), sorted by LAD, month and type, and ``""``;
        or None and the reason (no rows, a month not held, or a LAD with no rows in a
        month: the store does not hold the whole force).
    """
    months = sorted(set(months))
    if not months or not set(months) <= set(store_months(store, forces=[force])):
        held = store_months(store, forces=[force])
        miss = sorted(set(months) - set(held))
        return None, f"the store does not hold {force}'s {month_ranges(miss) if miss else 'months'}"
    lk = lad_lookup()
    lads = lk[lk["force"] == force][["lad_code", "lad_name"]]
    if lads.empty:
        return None, f"{force!r} is not a police force of the national lookup"
    cols = ["month", "crime_type", "lsoa_code"]
    rows = load_street(store, months=months, forces=[force], columns=cols)
    lad = rows["lsoa_code"].map(_lsoa_to_lad())
    rows = rows.assign(
        lad_code=lad.where(lad.isin(lads["lad_code"]), OUTSIDE).mask(
            rows["lsoa_code"].isna(), NO_LOCATION
        )
    )
    seen = set(zip(rows["lad_code"], rows["month"], strict=True))
    gaps = [
        (c, n, m) for c, n in lads.itertuples(index=False) for m in months if (c, m) not in seen
    ]
    if gaps:
        c, n, m = gaps[0]
        return None, (
            f"the store holds no {force} rows in {n} ({c}) for {m} ({len(gaps)} LAD-month(s) "
            f"without rows): it does not hold the whole force, only some of its partnerships"
        )
    counts = rows.groupby(["lad_code", "month", "crime_type"]).size().rename("count").reset_index()
    look = lsoa_lookup()
    pop = population_long(look.loc[look["lad_code"].isin(lads["lad_code"]), "lsoa21_code"])
    pop = pop.merge(look[["lsoa21_code", "lad_code"]], on="lsoa21_code")
    counts["population"] = counts["lad_code"].map(pop.groupby("lad_code")["usual_residents"].sum())
    counts["population"] = counts["population"].astype("Int64")
    names = lads.set_index("lad_code")["lad_name"]
    counts.insert(1, "lad_name", counts["lad_code"].map(names).fillna(counts["lad_code"]))
    counts["count"] = counts["count"].astype("int64")
    return counts.sort_values(["lad_code", "month", "crime_type"]).reset_index(drop=True)[
        COLUMNS
    ], ""
