"""Ingest data.police.uk monthly archives into the columnar store.

Reads street, outcomes and stop-and-search files exactly as data.police.uk ships
them: the downloaded zip, the unpacked ``YYYY-MM/`` folders, or single files
(plain ``.csv`` or ``.csv.gz``), for any number of forces and months. Header
variants across years are mapped onto one canonical, snake_case schema.

Files are parsed with pyarrow's CSV reader and validated column-wise, one file
at a time, so memory is bounded by the largest file, not the archive. Every
file is validated **before anything reaches the store**: a malformed file (wrong
header, a truncated row or quoted field, a non-CSV, a month that disagrees with
the file name, a coordinate outside England and Wales, a malformed LSOA code)
raises :class:`IngestError` naming the file, line and column, and the store is
left as it was. Valid data are staged and switched into the store in one step
(:mod:`sa_lib.data.store_writer`), one Parquet file per (kind, force, month),
so ingesting the same month twice replaces it rather than double-counting.

- The force is taken from the rows (``Reported by``, else ``Falls within``), not
  the file name, so the same rows under another file name are stored once.
- A street row identical in every field to an earlier row with the same Crime ID
  is one record: dropped and counted (``rows_duplicate``). Rows that share a Crime
  ID but differ (location, type, outcome) are separate records, as police.uk lists
  each: kept and counted (``rows_shared_id``).
- Rows with no location are kept and counted. With ``keep_bad=True`` a row
  whose coordinates or LSOA code are invalid is kept with no location and counted
  (``rows_bad_location``) instead of stopping the ingest.
- A month that would shrink markedly (a truncated download), or a file whose rows
  are another force's than its name says, needs ``replace=True``.

Store layout::

    <store>/street/<force>/<YYYY-MM>.parquet
    <store>/outcomes/<force>/<YYYY-MM>.parquet
    <store>/stop_and_search/<force>/<YYYY-MM>.parquet
    <store>/ingest_log.json      # one entry per partition: source, sha256, rows

Examples
--------
>>> from sa_lib.data.ingest import ingest  # doctest: +SKIP
>>> summary = ingest(["data/sample/police_uk"], store="data/processed")  # doctest: +SKIP
>>> summary.groupby("kind")["rows"].sum()  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from sa_lib.data.coverage import COVERAGE_FILE, merged_coverage
from sa_lib.data.ingest_files import (
    _KNOWN_SLUGS,
    KINDS,
    MAX_FILE_BYTES,
    SCHEMAS,
    IngestError,
    SourceFile,
    _list_sources,
    find_sources,
    force_slug,
    warn,
)
from sa_lib.data.ingest_read import EW_BOUNDS, _read_table, read_source
from sa_lib.data.store_writer import Staging, StoreWriteError, recover, store_lock, write_error

if TYPE_CHECKING:  # pandas is imported only to return the summary: `sa ingest` never loads it
    import pandas as pd

__all__ = [
    "IngestError",
    "StoreWriteError",
    "SourceFile",
    "find_sources",
    "read_source",
    "ingest",
    "ingest_records",
    "force_slug",
    "KINDS",
    "SCHEMAS",
    "MAX_FILE_BYTES",
    "SHRINK_LIMIT",
    "EW_BOUNDS",
]

#: The first month of data.police.uk's street-level data: earlier months are refused.
FIRST_MONTH = "2010-12"

#: A re-ingested month with fewer than this share of the stored rows needs ``replace``.
SHRINK_LIMIT = 0.9


def _stored_rows(store: Path, rel: str, log: dict) -> int | None:
    key = rel.removesuffix(".parquet")
    if key in log and isinstance(log[key].get("rows"), int):
        return log[key]["rows"]
    p = store / rel
    if p.exists():
        try:
            return pq.ParquetFile(p).metadata.num_rows
        except (OSError, pa.ArrowException):
            return 0
    return None


SUMMARY_COLUMNS = [
    "kind",
    "force",
    "month",
    "rows",
    "rows_no_location",
    "source",
    "sha256",
    "rows_before",
    "rows_bad_location",
    "rows_duplicate",
    "rows_shared_id",
]


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    store: str | os.PathLike[str],
    *,
    progress: bool = False,
    replace: bool = False,
    keep_bad: bool = False,
    max_file_bytes: int = MAX_FILE_BYTES,
    workers: int | None = None,
) -> pd.DataFrame:
    """Validate police.uk files and switch them into the Parquet store in one step.

    Every file is read and checked first, one at a time (memory is bounded by
    the largest file) into a staging folder; nothing reaches the store unless
    every file is good, and then all partitions and the log switch in together
    (:mod:`sa_lib.data.store_writer`), so a bad file or a crash never leaves the
    store half-ingested. Each (kind, force, month) is one partition: ingesting a
    month again replaces it. When two inputs carry the same partition (e.g. a
    zip and its unpacked folder, or the same rows under another file name), the
    last one listed wins and a warning says so; within a folder, files are
    listed by path.

    Parameters
    ----------
    paths : iterable of path-like
        Zips, folders or files (see :func:`find_sources`).
    store : path-like
        The store folder, e.g. ``data/processed``.
    progress : bool, default False
        Show a progress bar (the ``sa ingest`` command turns it on).
    replace : bool, default False
        Allow a month to be replaced by markedly fewer rows (below
        :data:`SHRINK_LIMIT` of the stored count), and a file whose rows are
        another force's than its name says. Without it, both are errors that
        say what would change.
    keep_bad : bool, default False
        Keep rows with invalid coordinates or LSOA codes as rows with no
        location (counted in ``rows_bad_location``) instead of raising.
    max_file_bytes : int, default :data:`MAX_FILE_BYTES`
        Refuse a file (after unzipping) larger than this.
    workers : int, optional
        Files read at once (default: the number of CPUs, at most 4).

    Returns
    -------
    DataFrame
        One row per partition written: ``kind``, ``force``, ``month``, ``rows``,
        ``rows_no_location``, ``source``, ``sha256``, ``rows_before`` (the stored
        count it replaced, NA if new), ``rows_bad_location``, ``rows_duplicate``
        (street rows dropped for a repeated Crime ID). ``summary.attrs["recovered"]``
        lists interrupted ingests this run cleaned up.

    Raises
    ------
    IngestError
        For any malformed input, naming the file and line; nothing is written.
    StoreWriteError
        When the store cannot be written (disk full, read-only): one line naming
        the path and the fix; the store is unchanged.
    """
    import pandas as pd

    rows, recovered = ingest_records(
        paths,
        store,
        progress=progress,
        replace=replace,
        keep_bad=keep_bad,
        max_file_bytes=max_file_bytes,
        workers=workers,
    )
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS).sort_values(["kind", "force", "month"])
    summary["rows_before"] = summary["rows_before"].astype("Int64")
    summary = summary.reset_index(drop=True)
    summary.attrs["recovered"] = recovered
    return summary


def ingest_records(
    paths: Iterable[str | os.PathLike[str]],
    store: str | os.PathLike[str],
    *,
    progress: bool = False,
    replace: bool = False,
    keep_bad: bool = False,
    max_file_bytes: int = MAX_FILE_BYTES,
    workers: int | None = None,
) -> tuple[list[dict], list[str]]:
    """:func:`ingest` without pandas: the summary as records, and the recovered ingests.

    What the ``sa ingest`` command calls, so that it starts in the time pyarrow takes to
    import (pandas alone costs about as much again). The parameters are :func:`ingest`'s.

    Returns
    -------
    (list of dict, list of str)
        One dict per partition written, keyed by :data:`SUMMARY_COLUMNS` (``rows_before``
        is None for a new partition), sorted by kind, force and month; then the
        interrupted ingests this run cleaned up.

    Examples
    --------
    >>> from sa_lib.data.ingest import ingest_records  # doctest: +SKIP
    >>> rows, recovered = ingest_records(["data/sample/police_uk"], "data/processed")  # doctest: +SKIP
    """
    sources = _choose_sources(paths)
    store = Path(store)
    lock = _lock_store(store)
    try:
        recovered = recover(store, locked=True)
        log_path = store / "ingest_log.json"
        log = json.loads(log_path.read_text()) if log_path.exists() else {}
        with Staging(store) as staging:
            n_workers = workers or min(4, os.cpu_count() or 1)
            results = _read_all(
                sources, staging, keep_bad, max_file_bytes, n_workers, progress=progress
            )
            rows = _check_and_log(results, store, log, staging.sha256, replace=replace)
            _commit(
                staging,
                {rel: r[6] for rel, r in results.items()},
                {
                    "ingest_log.json": dict(sorted(log.items())),
                    # Months held per force, with source and hash (sa_lib.data.coverage).
                    COVERAGE_FILE: merged_coverage(store, rows),
                },
            )
    finally:
        lock.__exit__(None, None, None)
    rows = sorted(rows, key=lambda r: (r["kind"], r["force"], r["month"]))
    return [{c: r[c] for c in SUMMARY_COLUMNS} for r in rows], recovered


def _choose_sources(paths: Iterable[str | os.PathLike[str]]) -> list[SourceFile]:
    """The files to read, one per (kind, force, month): the last one listed wins (warned)."""
    chosen: dict[tuple[str, str, str], SourceFile] = {}
    for s in _list_sources(paths):
        key = (s.kind, force_slug(None, s.force), s.month)
        if key in chosen:
            warn(
                f"{s.kind} data for {key[1]} {s.month} appears twice ({chosen[key].label} and "
                f"{s.label}); keeping {s.label}, the last listed. A month is stored once, never "
                f"double-counted."
            )
            del chosen[key]  # re-insert so the order is the order listed
        chosen[key] = s
    return list(chosen.values())


def _lock_store(store: Path):
    """Create the store folder and take its lock (waiting, with a warning, if another ingest holds it)."""
    try:
        store.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise (write_error(e, store, store) or e) from e
    try:
        lock = store_lock(store, blocking=False)
        if not lock.__enter__():
            lock.__exit__(None, None, None)
            warn(f"another sa ingest is writing {store}; waiting for it to finish.")
            lock = store_lock(store)
            lock.__enter__()
    except OSError as e:
        raise (write_error(e, store, store) or e) from e
    return lock


def _read_all(
    sources: list[SourceFile],
    staging: Staging,
    keep_bad: bool,
    max_file_bytes: int,
    n_workers: int,
    *,
    progress: bool,
) -> dict[str, tuple]:
    """Read, validate and stage every file: partition path -> (source, force, force name,
    rows, rows with no location, the read's counts, the staged file).

    Files are read by ``n_workers`` threads; when two carry the same partition (the
    same force's rows), the last one listed wins and a warning says so. With several
    files to a worker, each file is parsed on its worker's thread alone: pyarrow's
    own threads would only contend with the other workers for the same cores.
    """
    threads = n_workers == 1 or len(sources) < 2 * n_workers

    def work(item: tuple[int, SourceFile]):
        i, s = item
        res = _read_table(s, keep_bad=keep_bad, limit=max_file_bytes, threads=threads)
        staged = _write_partition(staging, f"parts/{i}.parquet", res.table)
        no_loc, rows = res.table["longitude"].null_count, res.table.num_rows
        res.table = None  # free the rows at once; only the counts are kept
        return s, res.force, res.force_name, rows, no_loc, res, staged

    results: dict[str, tuple] = {}
    with ThreadPoolExecutor(n_workers) as pool:
        it = pool.map(work, enumerate(sources))
        if progress:
            from tqdm.auto import tqdm

            it = tqdm(it, total=len(sources), desc="reading", unit="file")
        try:
            for s, force, force_name, rows, no_loc, res, staged in it:
                rel = f"{s.kind}/{force}/{s.month}.parquet"
                if rel in results:
                    warn(
                        f"{s.kind} data for {force} {s.month} appears twice "
                        f"({results[rel][0].label} and {s.label}: the same force's rows); "
                        f"keeping {s.label}, the last listed. A month is stored once, "
                        f"never double-counted."
                    )
                    results[rel][6].unlink(missing_ok=True)
                results[rel] = (s, force, force_name, rows, no_loc, res, staged)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def _next_month(month: str) -> str:
    """The month after ``YYYY-MM``.

    Examples
    --------
    >>> _next_month("2025-12"), _next_month("2026-01")
    ('2026-01', '2026-02')
    """
    y, m = map(int, month.split("-"))
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


def _check_and_log(
    results: dict[str, tuple], store: Path, log: dict, digests: dict[Path, str], *, replace: bool
) -> list[dict]:
    """The summary rows of the partitions read, with their entries added to ``log``
    (``digests``: each staged file's SHA-256, :attr:`Staging.sha256`).

    Without ``replace``, a month that would shrink markedly or a file whose rows are
    another force's than its name says raises :class:`IngestError` listing them all.
    """
    problems, rows = [], []
    now = datetime.now(UTC).isoformat(timespec="seconds")
    last = _next_month(now[:7])
    for rel, (s, force, force_name, n, no_loc, res, staged) in results.items():
        before = _stored_rows(store, rel, log)
        where = f"{s.kind.replace('_', '-')} {force} {s.month}"
        if not FIRST_MONTH <= s.month <= last:
            raise IngestError(
                f"{where}: {s.label} is for {s.month}, outside {FIRST_MONTH} to {last} "
                f"(data.police.uk began in {FIRST_MONTH}). Fix: check the file's name and "
                f"month column; nothing was written."
            )
        if not replace and before and n < SHRINK_LIMIT * before:
            problems.append(
                f"{where}: {s.label} has {n:,} rows where the store holds {before:,} "
                f"({1 - n / before:.0%} fewer; a truncated download?)"
            )
        file_force = force_slug(None, s.force)
        if not replace and force != file_force and file_force in _KNOWN_SLUGS:
            problems.append(
                f"{where}: {s.label} is named for '{s.force}' but its rows are "
                f"{force_name}'s; they would be stored as {force} {s.month}"
                + (f", replacing {before:,} rows" if before is not None else "")
            )
        rows.append(
            {
                "kind": s.kind,
                "force": force,
                "month": s.month,
                "rows": n,
                "rows_no_location": no_loc,
                "source": s.label,
                "sha256": res.sha256,
                "rows_before": before,
                "rows_bad_location": res.rows_bad_location,
                "rows_duplicate": res.rows_duplicate,
                "parquet_sha256": digests[staged],
                "rows_shared_id": res.rows_shared_id,
            }
        )
        log[rel.removesuffix(".parquet")] = {
            "source": s.label,
            "sha256": res.sha256,
            "rows": n,
            "rows_no_location": no_loc,
            "rows_bad_location": res.rows_bad_location,
            "rows_duplicate": res.rows_duplicate,
            "rows_shared_id": res.rows_shared_id,
            "ingested_at": now,
        }
    if problems:
        raise IngestError(
            "these months would change markedly:\n  "
            + "\n  ".join(problems)
            + "\nFix: re-download the file(s) if a download was cut short or misnamed; "
            "if the change is intended, run again with --replace."
        )
    return rows


#: Columns worth dictionary-encoding (few distinct values) and those the store's
#: readers filter on (their Parquet statistics let pyarrow skip files).
_DICT_COLUMNS = [
    "month", "reported_by", "falls_within", "location", "lsoa_code", "lsoa_name",
    "crime_type", "last_outcome", "context", "outcome_type", "type", "gender",
    "age_range", "self_defined_ethnicity", "officer_defined_ethnicity", "legislation",
    "object_of_search", "outcome", "force", "source_file",
]  # fmt: skip
_STATS_COLUMNS = ["month", "force", "lsoa_code"]


def _write_partition(staging: Staging, name: str, table: pa.Table) -> Path:
    cols = set(table.column_names)
    return staging.write_parquet(
        name,
        table,
        compression="zstd",
        use_dictionary=[c for c in _DICT_COLUMNS if c in cols],
        write_statistics=[c for c in _STATS_COLUMNS if c in cols],
        # Line numbers count up by one: stored as differences, they cost next to nothing.
        column_encoding={"source_line": "DELTA_BINARY_PACKED"} if "source_line" in cols else None,
    )


def _commit(staging: Staging, partitions: dict[str, Path], json_files: dict[str, object]) -> None:
    """The single place where the store changes: partitions and metadata switch together.

    Store metadata that must agree with the partitions (e.g. per-force month
    coverage) is added to ``json_files`` here, so it is staged and switched in
    the same step.
    """
    try:
        staging.commit(partitions, json_files)
    except StoreWriteError:
        raise
    except OSError as e:
        raise StoreWriteError(
            e.errno,
            f"the ingest was committed but switching it into {staging.store} failed ({e}). "
            f"Fix: run `sa ingest` again (or read the store): it completes the switch.",
        ) from e


def iter_partitions(store: str | os.PathLike[str], kind: str) -> Iterator[Path]:
    """Yield the Parquet partition files of one kind in the store."""
    yield from sorted((Path(store) / kind).glob("*/*.parquet"))
