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
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sa_lib.data.coverage import force_months, store_coverage
from sa_lib.data.ingest import KINDS, SCHEMAS
from sa_lib.data.store_writer import recover
from sa_lib.validation import check_parquet_bounds, require_choice

__all__ = [
    "load",
    "load_street",
    "store_months",
    "store_summary",
    "unreadable_partitions",
    "StoreMismatchError",
    "store_coverage",
    "force_months",
    "StoreEmptyError",
]


class StoreEmptyError(ValueError):
    """The store holds no data of the requested kind."""


def _dataset(
    store: str | os.PathLike[str], kind: str, forces=None, months=None
) -> list[str] | None:
    require_choice(kind, KINDS, arg="kind")
    recover(store)  # finish an ingest that committed but was killed while switching
    base = Path(store) / kind
    # Prune partitions by their path (force folder, month file) before Parquet is opened:
    # a CSP's slice of a national store reads only its force's months.
    if forces is not None:
        paths = [p for f in forces for p in (base / str(f)).glob("*.parquet")]
    else:
        paths = list(base.glob("*/*.parquet"))
    if months is not None:
        want = set(months)
        paths = [p for p in paths if p.stem in want]
    files = sorted(str(p) for p in paths)
    if not files and not any(base.glob("*/*.parquet")):
        raise StoreEmptyError(
            f"The store {store} has no {kind.replace('_', '-')} data. Fix: run "
            f"`sa ingest PATH...` on data.police.uk files first (e.g. `sa ingest data/sample/police_uk`)."
        )
    if not files:
        return None
    _check_against_coverage(store, kind, files)
    return files


class StoreMismatchError(ValueError):
    """A partition does not match its ``coverage.json`` record (misplaced, cut short, edited)."""


def _check_against_coverage(store, kind: str, files: list[str]) -> None:
    """Refuse to load partitions whose rows, force or month differ from ``coverage.json``."""
    from sa_lib.data.coverage import _partition_mismatch, read_coverage_log

    log = read_coverage_log(store)
    if not log:
        return
    bad = []
    for f in map(Path, files):
        why = _partition_mismatch(f, log.get(f"{kind}/{f.parent.name}/{f.stem}"), False)
        if why:
            bad.append(f"{f} {why}")
    if bad:
        raise StoreMismatchError(
            "the store does not match its coverage.json:\n  "
            + "\n  ".join(bad)
            + "\nFix: re-ingest those months from their data.police.uk files "
            "(`sa ingest --replace PATH`); nothing was loaded."
        )


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
    months = None if months is None else list(months)
    forces = None if forces is None else list(forces)
    dset = _dataset(store, kind, forces, months)
    if dset is None:  # the store holds none of these forces' months
        cols = list(SCHEMAS[kind]) + ["force", "source_file", "source_line"]
        empty = pd.DataFrame({c: pd.Series(dtype="object") for c in columns or cols})
        for col, (dtype, _) in SCHEMAS[kind].items():
            if col in empty.columns:
                empty[col] = empty[col].astype("string" if dtype == "string" else dtype)
        return empty
    if lsoa_codes is not None and kind == "stop_and_search":
        raise ValueError(
            "lsoa_codes cannot filter stop-and-search rows: they have coordinates but no LSOA. "
            "Fix: load them without lsoa_codes and select by point-in-polygon (sa_lib.data.geography)."
        )
    # An explicitly typed array: an empty list would be inferred as null type.
    codes = None if lsoa_codes is None else pa.array(list(lsoa_codes), type=pa.string())
    need = None if columns is None else list(columns)
    if need is not None:
        extra = [c for c in ("lsoa_code", "month", "force") if c not in need]
        need = need + extra
    tables = []
    # File by file: months and forces are pruned by path, and the LSOA mask is computed on
    # each file's table (faster than a dataset-wide filter on a national store).
    for f in dset:
        # Rows and size from the footer first: a partition not checked against coverage.json
        # (a store without one) may still declare 100 million rows.
        check_parquet_bounds(f, what="store partition")
        t = pq.read_table(f, columns=need)
        mask = None
        # Months and forces were pruned by path (one file per force and month).
        for col, values in (("lsoa_code", codes),):
            if values is None or col not in t.column_names:
                continue
            m = pc.is_in(t.column(col), value_set=values)
            if col == "lsoa_code":
                m = pc.fill_null(m, False)
                if include_no_location:
                    m = pc.or_(m, pc.is_null(t.column(col)))
            mask = m if mask is None else pc.and_(mask, m)
        if mask is not None:
            t = t.filter(mask)
        if columns is not None:
            t = t.select(list(columns))
        tables.append(t)
    table = pa.concat_tables(tables, promote_options="permissive")
    string = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}
    df = table.to_pandas(types_mapper=string.get)
    for col, (dtype, _) in SCHEMAS[kind].items():
        if col in df.columns and dtype == "string" and df[col].dtype != "string":
            df[col] = df[col].astype("string")
    return df


def load_street(store: str | os.PathLike[str], **kwargs) -> pd.DataFrame:
    """Load street-level crime and ASB rows (see :func:`load`)."""
    return load(store, "street", **kwargs)


def store_months(
    store: str | os.PathLike[str], kind: str = "street", forces: Iterable[str] | None = None
) -> list[str]:
    """Return the sorted months the store holds for ``kind``.

    With ``forces``, only months held by every one of those forces (a CSP's own force);
    without, months any force holds. See :mod:`sa_lib.data.coverage`.
    """
    require_choice(kind, KINDS, arg="kind")
    recover(store)
    return force_months(store, None if forces is None else list(forces), kind)


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
