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

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: `sa ingest` writes coverage without loading pandas
    import pandas as pd

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
    "CoverageError",
    "file_sha256",
    "partition_problems",
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


class CoverageError(ValueError):
    """``coverage.json`` cannot be read; the message gives the command that rebuilds it."""


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes (read in 1 MB blocks)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def merged_coverage(store: str | os.PathLike[str], written: pd.DataFrame | list[dict]) -> dict:
    """The store's coverage records with ``written`` merged in (for an ingest's atomic commit).

    ``written`` has one row per partition (a DataFrame, or records as the ingest command
    keeps them): ``kind``, ``force``, ``month``, ``source``, ``sha256``, ``rows``, and
    optionally ``parquet_sha256``. Returns ``kind/force/month`` -> source, sha256, rows,
    sorted.
    """
    if not isinstance(written, list):
        from sa_lib.validation import require_columns

        fix = "pass the ingest's partition summary"
        require_columns(written, _COLUMNS, arg="written", fix=fix)
        written = written.to_dict("records")
    missing = sorted({c for r in written for c in _COLUMNS if c not in r})
    if missing:
        raise ValueError(f"written: missing column(s) {', '.join(missing)}")
    log = read_coverage_log(store)
    for r in written:
        rec = {"source": str(r["source"]), "sha256": str(r["sha256"]), "rows": int(r["rows"])}
        if r.get("parquet_sha256"):
            rec["parquet_sha256"] = str(r["parquet_sha256"])
        log[f"{r['kind']}/{r['force']}/{r['month']}"] = rec
    return dict(sorted(log.items()))


def read_coverage_log(store: str | os.PathLike[str]) -> dict:
    """The coverage records (``kind/force/month`` -> source, sha256, rows); {} if none."""
    p = Path(store) / COVERAGE_FILE
    if not p.exists():
        return {}
    try:
        log = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        log = e
    if not isinstance(log, dict) or not all(isinstance(v, dict) for v in log.values()):
        raise CoverageError(
            f"{p} is corrupt ({log if isinstance(log, Exception) else 'not a table of months'}), "
            f"so the store cannot say which months it holds. Fix: move it aside "
            f"(`mv {p} {p}.bad`) and rebuild it by ingesting every police.uk folder of the "
            f"store again: `sa ingest --replace PATH...`."
        )
    return log


def partition_problems(
    store: str | os.PathLike[str],
    *,
    forces=None,
    last_month: str | None = None,
    kinds=("street", "outcomes", "stop_and_search"),
    hashes: bool = True,
) -> list[str]:
    """Every partition compared with ``coverage.json``: its record, row count, force, month
    and (``hashes``) file hash; one message per mismatch, naming the file and the fix.

    A store without ``coverage.json`` (written before coverage was recorded) is not
    checked. Row counts, forces and months come from the Parquet footer (its column
    statistics), so only the hash reads the files.

    Examples
    --------
    >>> partition_problems("/nonexistent")
    []
    """
    log = read_coverage_log(store)
    if not log:
        return []
    out = []
    for kind in kinds:
        base = Path(store) / kind
        folders = [base / f for f in forces] if forces is not None else sorted(base.glob("*"))
        for f in sorted(p for d in folders for p in d.glob("*.parquet")):
            if last_month is not None and f.stem > last_month:
                continue
            why = _partition_mismatch(f, log.get(f"{kind}/{f.parent.name}/{f.stem}"), hashes)
            if why:
                out.append(
                    f"data.store: partition {f} {why}. Fix: re-ingest {f.parent.name} "
                    f"{f.stem} from its data.police.uk file (`sa ingest --replace PATH`), "
                    f"which rewrites the partition and its record."
                )
    return out


def _partition_mismatch(path: Path, rec: dict | None, hashes: bool) -> str | None:
    """Why the partition at ``path`` does not match its coverage record ``rec`` (None if it does)."""
    import pyarrow.parquet as pq

    if rec is None:
        return "has no record in coverage.json (not written by `sa ingest`)"
    try:
        meta = pq.read_metadata(path)
    except Exception as e:  # noqa: BLE001 - any unreadable footer is a mismatch
        return f"cannot be read ({str(e)[:120]})"
    if isinstance(rec.get("rows"), int) and meta.num_rows != rec["rows"]:
        return f"holds {meta.num_rows:,} rows where coverage.json records {rec['rows']:,}"
    for col, want in (("force", path.parent.name), ("month", path.stem)):
        seen = _column_values(meta, col)
        if seen and seen != {want}:
            return f"holds rows of {col} {', '.join(sorted(seen))[:80]}, not {want}"
    if hashes and rec.get("parquet_sha256") and file_sha256(path) != rec["parquet_sha256"]:
        return "differs from the file `sa ingest` wrote (its hash does not match coverage.json)"
    return None


def _column_values(meta, col: str) -> set[str]:
    """The distinct values of a string column, from the row groups' min/max statistics."""
    names = meta.schema.names
    if col not in names:
        return set()
    i = names.index(col)
    vals: set[str] = set()
    for g in range(meta.num_row_groups):
        st = meta.row_group(g).column(i).statistics
        if st is None or not st.has_min_max:
            return set()
        vals |= {str(st.min), str(st.max)}
    return vals


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
    import pandas as pd

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
    import pandas as pd

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


#: The default of ``statistics.series_months``: the most months a series (trend, control
#: chart, target) reads, ending with the period: two years, the same on any store however
#: far back it goes. A pack reads its own setting (``ctx.series_max_months``).
SERIES_MAX_MONTHS = 24


def contiguous_run(months, end: str) -> list[str]:
    """The longest run of consecutive held months ending at ``end`` (empty if ``end`` is not held).

    Examples
    --------
    >>> contiguous_run(["2024-01", "2024-03", "2024-04"], "2024-04")
    ['2024-03', '2024-04']
    """
    import pandas as pd

    held = set(months)
    cur = pd.Period(end, freq="M")
    out = []
    while str(cur) in held:
        out.append(str(cur))
        cur -= 1
    return out[::-1]
