"""Which months each police force's data cover in the store, with source file and hash.

The store's partitions (``<store>/<kind>/<force>/<YYYY-MM>.parquet``) say which
months a force holds; ``<store>/coverage.json`` records, for each, the source file
and its SHA-256, written by :func:`record_coverage` when an ingest commits. Reports
use only the months the CSP's **own** force holds, so another force's files (or
years) in the same store never change a pack, and a month a force does not hold
is "not available", never a zero.

Examples
--------
>>> import tempfile, pandas as pd
>>> d = tempfile.mkdtemp()
>>> _ = record_coverage(d, pd.DataFrame({"kind": ["street"], "force": ["essex"],
...     "month": ["2018-01"], "source": ["2018-01-essex-street.csv"], "sha256": ["ab"], "rows": [3]}))
>>> sorted(read_coverage_log(d))
['street/essex/2018-01']
>>> month_ranges(["2018-01", "2018-02", "2018-03", "2018-07"])
'2018-01 to 2018-03, 2018-07'
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from sa_lib.validation import require_columns

__all__ = [
    "COVERAGE_FILE",
    "record_coverage",
    "merged_coverage",
    "read_coverage_log",
    "store_coverage",
    "force_months",
    "month_ranges",
    "SERIES_MAX_MONTHS",
    "contiguous_run",
]

COVERAGE_FILE = "coverage.json"
_COLUMNS = ["kind", "force", "month", "source", "sha256", "rows"]


def record_coverage(store: str | os.PathLike[str], written: pd.DataFrame) -> Path:
    """Record the partitions an ingest has just committed (call it after the commit).

    Parameters
    ----------
    store : path-like
    written : DataFrame
        One row per partition written: ``kind``, ``force``, ``month``, ``source``,
        ``sha256``, ``rows``.

    Returns
    -------
    pathlib.Path
        The coverage file (replaced atomically).
    """
    store = Path(store)
    store.mkdir(parents=True, exist_ok=True)
    log = merged_coverage(store, written)
    path = store / COVERAGE_FILE
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(dict(sorted(log.items())), indent=1))
    os.replace(tmp, path)
    return path


def merged_coverage(store: str | os.PathLike[str], written: pd.DataFrame) -> dict:
    """The store's coverage records with ``written`` merged in (for an ingest's atomic commit).

    ``written`` has one row per partition: ``kind``, ``force``, ``month``, ``source``,
    ``sha256``, ``rows``. Returns ``kind/force/month`` -> source, sha256, rows, sorted.
    """
    require_columns(written, _COLUMNS, arg="written", fix="pass the ingest's partition summary")
    log = read_coverage_log(store)
    for r in written[_COLUMNS].itertuples(index=False):
        log[f"{r.kind}/{r.force}/{r.month}"] = {
            "source": str(r.source),
            "sha256": str(r.sha256),
            "rows": int(r.rows),
        }
    return dict(sorted(log.items()))


def read_coverage_log(store: str | os.PathLike[str]) -> dict:
    """The coverage records (``kind/force/month`` -> source, sha256, rows); {} if none."""
    p = Path(store) / COVERAGE_FILE
    return json.loads(p.read_text()) if p.exists() else {}


def store_coverage(store: str | os.PathLike[str], kind: str = "street") -> pd.DataFrame:
    """Every (force, month) the store holds for ``kind``, with its source and hash.

    A partition on disk with no coverage record (a store written before coverage
    was recorded) is listed with the ingest log's source, else ``<NA>``.

    Returns
    -------
    DataFrame
        ``force``, ``month``, ``source``, ``sha256``, ``rows``; sorted by force and month.
    """
    base = Path(store) / kind
    parts = sorted(base.glob("*/*.parquet")) if base.is_dir() else []
    log = read_coverage_log(store)
    if not log and (Path(store) / "ingest_log.json").exists():
        log = json.loads((Path(store) / "ingest_log.json").read_text())
    rows = []
    for p in parts:
        rec = log.get(f"{kind}/{p.parent.name}/{p.stem}", {})
        rows.append((p.parent.name, p.stem, rec.get("source"), rec.get("sha256"), rec.get("rows")))
    out = pd.DataFrame(rows, columns=["force", "month", "source", "sha256", "rows"])
    return out.astype({"force": "string", "month": "string"})


def force_months(store: str | os.PathLike[str], forces=None, kind: str = "street") -> list[str]:
    """Sorted months held for ``kind`` by **every** force in ``forces`` (any force if None).

    Examples
    --------
    >>> force_months("/nonexistent", ["essex"])
    []
    """
    base = Path(store) / kind
    if not base.is_dir():
        return []
    if forces is None:
        return sorted({p.stem for p in base.glob("*/*.parquet")})
    sets = [{p.stem for p in (base / f).glob("*.parquet")} for f in forces]
    return sorted(set.intersection(*sets)) if sets else []


def month_ranges(months) -> str:
    """Months as compact ranges, e.g. ``'2024-01 to 2025-12'`` (for messages)."""
    ms = sorted({pd.Period(m, freq="M") for m in months})
    if not ms:
        return "none"
    runs, start, prev = [], ms[0], ms[0]
    for m in ms[1:]:
        if m != prev + 1:
            runs.append((start, prev))
            start = m
        prev = m
    runs.append((start, prev))
    return ", ".join(str(a) if a == b else f"{a} to {b}" for a, b in runs)


#: The most months a series (trend, control chart, target) reads, ending with the period:
#: two years, the same on any store however far back it goes.
SERIES_MAX_MONTHS = 24


def contiguous_run(months, end: str) -> list[str]:
    """The longest run of consecutive held months ending at ``end`` (empty if ``end`` is not held).

    Examples
    --------
    >>> contiguous_run(["2024-01", "2024-03", "2024-04"], "2024-04")
    ['2024-03', '2024-04']
    """
    held = set(months)
    cur = pd.Period(end, freq="M")
    out = []
    while str(cur) in held:
        out.append(str(cur))
        cur -= 1
    return out[::-1]
