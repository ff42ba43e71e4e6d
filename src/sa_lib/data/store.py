"""Read slices of the columnar store written by :mod:`sa_lib.data.ingest`.

Queries go straight to Parquet with filters pushed down (pyarrow datasets), so a
notebook loads one CSP's months without re-parsing any CSV.

Examples
--------
>>> from sa_lib.data.store import load_street  # doctest: +SKIP
>>> df = load_street("data/processed", months=["2025-10", "2025-11"])  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from sa_lib.data.ingest import KINDS, SCHEMAS
from sa_lib.data.store_writer import recover
from sa_lib.validation import require_choice

__all__ = [
    "load",
    "load_street",
    "store_months",
    "store_summary",
    "unreadable_partitions",
    "StoreEmptyError",
]


class StoreEmptyError(ValueError):
    """The store holds no data of the requested kind."""


def _dataset(store: str | os.PathLike[str], kind: str) -> ds.Dataset:
    require_choice(kind, KINDS, arg="kind")
    recover(store)  # finish an ingest that committed but was killed while switching
    files = sorted(str(p) for p in (Path(store) / kind).glob("*/*.parquet"))
    if not files:
        raise StoreEmptyError(
            f"The store {store} has no {kind.replace('_', '-')} data. Fix: run "
            f"`sa ingest PATH...` on data.police.uk files first (e.g. `sa ingest data/sample/police_uk`)."
        )
    return ds.dataset(files, format="parquet")


def load(
    store: str | os.PathLike[str],
    kind: str = "street",
    *,
    months: Iterable[str] | None = None,
    lsoa_codes: Iterable[str] | None = None,
    include_no_location: bool = False,
    forces: Iterable[str] | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Load rows of one kind from the store, filtered in Parquet.

    Parameters
    ----------
    store : path-like
        The store folder (``data/processed``).
    kind : {"street", "outcomes", "stop_and_search"}
    months : iterable of "YYYY-MM", optional
        Keep only these months.
    lsoa_codes : iterable of str, optional
        Keep only rows in these LSOAs (not for stop-and-search, which has none).
    include_no_location : bool, default False
        With ``lsoa_codes``, also keep rows that have no LSOA (no location).
    forces : iterable of str, optional
        Keep only these force slugs (e.g. ``"cambridgeshire"``).
    columns : list of str, optional
        Columns to read (default all).

    Returns
    -------
    DataFrame
        Columns as in :data:`sa_lib.data.ingest.SCHEMAS` plus ``force``, ``source_file``,
        ``source_line``; string columns use pandas' ``string`` dtype.
    """
    dset = _dataset(store, kind)
    flt = None

    def _and(a, b):
        return b if a is None else a & b

    if months is not None:
        flt = _and(flt, ds.field("month").isin(list(months)))
    if forces is not None:
        flt = _and(flt, ds.field("force").isin(list(forces)))
    if lsoa_codes is not None:
        if kind == "stop_and_search":
            raise ValueError(
                "lsoa_codes cannot filter stop-and-search rows: they have coordinates but no LSOA. "
                "Fix: load them without lsoa_codes and select by point-in-polygon (sa_lib.data.geography)."
            )
        # An explicitly typed array: an empty list would be inferred as null type.
        cond = ds.field("lsoa_code").isin(pa.array(list(lsoa_codes), type=pa.string()))
        if include_no_location:
            cond = cond | ds.field("lsoa_code").is_null()
        flt = _and(flt, cond)
    table = dset.to_table(filter=flt, columns=columns)
    df = table.to_pandas()
    for col, (dtype, _) in SCHEMAS[kind].items():
        if col in df.columns and dtype == "string":
            df[col] = df[col].astype("string")
    return df


def load_street(store: str | os.PathLike[str], **kwargs) -> pd.DataFrame:
    """Load street-level crime and ASB rows (see :func:`load`)."""
    return load(store, "street", **kwargs)


def store_months(store: str | os.PathLike[str], kind: str = "street") -> list[str]:
    """Return the sorted months present in the store for ``kind`` (any force)."""
    require_choice(kind, KINDS, arg="kind")
    recover(store)
    return sorted({p.stem for p in (Path(store) / kind).glob("*/*.parquet")})


def store_summary(store: str | os.PathLike[str]) -> dict:
    """Return the ingest log (partition -> source, sha256, rows) for manifests."""
    recover(store)
    p = Path(store) / "ingest_log.json"
    return json.loads(p.read_text()) if p.exists() else {}


def unreadable_partitions(
    store: str | os.PathLike[str], *, last_month: str | None = None, kinds: Iterable[str] = KINDS
) -> list[dict]:
    """Partitions whose Parquet footer cannot be read (truncated or corrupt files).

    Only the footer is read (``pyarrow.parquet.read_metadata``), so this is fast
    even on a national store.

    Parameters
    ----------
    store : path-like
        The store folder.
    last_month : "YYYY-MM", optional
        Check only partitions up to this month (the months a report can use).
    kinds : iterable of str
        Kinds to check (default all).

    Returns
    -------
    list of dict
        ``path``, ``kind``, ``month``, ``error`` for each unreadable partition.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "street" / "x").mkdir(parents=True)
    >>> _ = (d / "street" / "x" / "2025-01.parquet").write_bytes(b"not parquet")
    >>> [b["month"] for b in unreadable_partitions(d)]
    ['2025-01']
    """
    import pyarrow.parquet as pq

    bad = []
    for kind in kinds:
        for f in sorted((Path(store) / kind).glob("*/*.parquet")):
            if last_month is not None and f.stem > last_month:
                continue
            try:
                pq.read_metadata(f)
            except (OSError, pa.ArrowException) as e:
                bad.append({"path": str(f), "kind": kind, "month": f.stem, "error": str(e)[:200]})
    return bad
