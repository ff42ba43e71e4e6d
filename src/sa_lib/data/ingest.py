"""Ingest data.police.uk monthly archives into the columnar store.

Reads street, outcomes and stop-and-search files exactly as data.police.uk ships
them: the downloaded zip, the unpacked ``YYYY-MM/`` folders, or single files
(plain ``.csv`` or ``.csv.gz``), for any number of forces and months. Header
variants across years are mapped onto one canonical, snake_case schema.

Every file is read and validated **before anything is written**: a malformed
file (wrong header, a truncated row, a non-CSV, a month that disagrees with the
file name) raises :class:`IngestError` naming the file and line, and the store
is left as it was. Valid data are written to one Parquet file per
(kind, force, month) under the store, so ingesting the same month twice
replaces it rather than double-counting. Rows with no location are kept.

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

import csv
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sa_lib.validation import warn

__all__ = ["IngestError", "SourceFile", "find_sources", "read_source", "ingest", "KINDS", "SCHEMAS"]

FILE_RE = re.compile(
    r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes|stop-and-search)\.csv(?P<gz>\.gz)?$"
)
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

KINDS = ("street", "outcomes", "stop_and_search")

#: Canonical columns per kind: name -> (pandas dtype, required?). Order is the stored order.
SCHEMAS: dict[str, dict[str, tuple[str, bool]]] = {
    "street": {
        "crime_id": ("string", False),
        "month": ("string", True),
        "reported_by": ("string", False),
        "falls_within": ("string", False),
        "longitude": ("float64", False),
        "latitude": ("float64", False),
        "location": ("string", False),
        "lsoa_code": ("string", False),
        "lsoa_name": ("string", False),
        "crime_type": ("string", True),
        "last_outcome": ("string", False),
        "context": ("string", False),
    },
    "outcomes": {
        "crime_id": ("string", True),
        "month": ("string", True),
        "reported_by": ("string", False),
        "falls_within": ("string", False),
        "longitude": ("float64", False),
        "latitude": ("float64", False),
        "location": ("string", False),
        "lsoa_code": ("string", False),
        "lsoa_name": ("string", False),
        "outcome_type": ("string", True),
    },
    "stop_and_search": {
        "type": ("string", True),
        "date": ("string", True),
        "month": ("string", True),
        "part_of_operation": ("string", False),
        "policing_operation": ("string", False),
        "latitude": ("float64", False),
        "longitude": ("float64", False),
        "gender": ("string", False),
        "age_range": ("string", False),
        "self_defined_ethnicity": ("string", False),
        "officer_defined_ethnicity": ("string", False),
        "legislation": ("string", False),
        "object_of_search": ("string", False),
        "outcome": ("string", False),
        "outcome_linked_to_object": ("string", False),
        "removal_of_outer_clothing": ("string", False),
    },
}

# Published header spellings (normalised: lower case, single spaces) -> canonical name.
# Variants seen across data.police.uk releases are listed so older archives load.
ALIASES: dict[str, str] = {
    "crime id": "crime_id",
    "crime_id": "crime_id",
    "persistent id": "crime_id",
    "month": "month",
    "reported by": "reported_by",
    "falls within": "falls_within",
    "longitude": "longitude",
    "latitude": "latitude",
    "location": "location",
    "lsoa code": "lsoa_code",
    "lsoa name": "lsoa_name",
    "lsoa11 code": "lsoa_code",
    "lsoa21 code": "lsoa_code",
    "crime type": "crime_type",
    "last outcome category": "last_outcome",
    "last outcome": "last_outcome",
    "context": "context",
    "outcome type": "outcome_type",
    "type": "type",
    "date": "date",
    "part of a policing operation": "part_of_operation",
    "policing operation": "policing_operation",
    "gender": "gender",
    "age range": "age_range",
    "self-defined ethnicity": "self_defined_ethnicity",
    "officer-defined ethnicity": "officer_defined_ethnicity",
    "legislation": "legislation",
    "object of search": "object_of_search",
    "outcome": "outcome",
    "outcome linked to object of search": "outcome_linked_to_object",
    "removal of more than just outer clothing": "removal_of_outer_clothing",
}


class IngestError(ValueError):
    """A police.uk file could not be ingested; the message names the file, line and fix."""


@dataclass(frozen=True)
class SourceFile:
    """One police.uk CSV, on disk or inside a zip.

    Attributes
    ----------
    label : str
        How errors name it: a path, or ``archive.zip:2024-01/2024-01-force-street.csv``.
    month, force, kind : str
        From the file name (``kind`` is one of :data:`KINDS`).
    folder_month : str or None
        The ``YYYY-MM`` of the folder holding it, when the folder is so named.
    """

    label: str
    month: str
    force: str
    kind: str
    folder_month: str | None
    path: Path
    member: str | None = None

    def read_bytes(self) -> bytes:
        if self.member is not None:
            with zipfile.ZipFile(self.path) as zf:
                data = zf.read(self.member)
        else:
            data = self.path.read_bytes()
        if self.label.endswith(".gz") or (self.member or "").endswith(".gz"):
            import gzip

            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as e:
                raise IngestError(
                    f"{self.label}: not a readable gzip file ({e}). "
                    f"Fix: download it again, or unzip it yourself and ingest the .csv."
                ) from e
        return data


def _classify(name: str, label: str, path: Path, member: str | None) -> SourceFile | None:
    base = name.rsplit("/", 1)[-1]
    m = FILE_RE.match(base)
    if not m:
        return None
    parent = name.rsplit("/", 2)[-2] if "/" in name else None
    folder_month = parent if parent and MONTH_RE.match(parent) else None
    kind = m["kind"].replace("-", "_")
    return SourceFile(label, m["month"], m["force"], kind, folder_month, path, member)


def find_sources(paths: Iterable[str | os.PathLike[str]]) -> list[SourceFile]:
    """Find the police.uk CSV files under the given paths (folders, zips or files).

    Parameters
    ----------
    paths : iterable of path-like
        Folders (searched recursively), ``.zip`` archives, or single
        ``YYYY-MM-<force>-<kind>.csv[.gz]`` files.

    Returns
    -------
    list of SourceFile
        Sorted by kind, force and month.

    Raises
    ------
    IngestError
        If a path does not exist, a single file's name is not in the police.uk
        pattern, a zip is unreadable, or nothing was found at all.
    """
    found: list[SourceFile] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise IngestError(
                f"{p}: no such file or folder. Fix: give the path of a data.police.uk zip, "
                f"an unpacked archive folder (with YYYY-MM/ subfolders) or a monthly CSV."
            )
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file():
                    rel = f.relative_to(p).as_posix()
                    if f.suffix == ".zip":
                        found.extend(find_sources([f]))
                    elif sf := _classify(
                        rel if "/" in rel else f"{f.parent.name}/{f.name}", str(f), f, None
                    ):
                        found.append(sf)
        elif p.suffix == ".zip":
            try:
                with zipfile.ZipFile(p) as zf:
                    names = zf.namelist()
            except zipfile.BadZipFile as e:
                raise IngestError(
                    f"{p}: not a readable zip file ({e}). Fix: download it again."
                ) from e
            for n in sorted(names):
                if (sf := _classify(n, f"{p}:{n}", p, n)) is not None:
                    found.append(sf)
        else:
            sf = _classify(f"{p.parent.name}/{p.name}", str(p), p, None)
            if sf is None:
                raise IngestError(
                    f"{p}: the file name is not in the data.police.uk pattern "
                    f"'YYYY-MM-<force>-street|outcomes|stop-and-search.csv'. Fix: keep the "
                    f"published file names, which carry the month, force and kind."
                )
            found.append(sf)
    if not found:
        raise IngestError(
            "No data.police.uk files found in: "
            + ", ".join(str(p) for p in paths)
            + ". Expected files named 'YYYY-MM-<force>-street.csv' (or -outcomes, "
            "-stop-and-search; optionally .gz), in a folder or a zip."
        )
    return sorted(found, key=lambda s: (s.kind, s.force, s.month, s.label))


def _norm(h: str) -> str:
    return re.sub(r"\s+", " ", h.replace("\ufeff", "").strip().lower())


def read_source(src: SourceFile) -> pd.DataFrame:
    """Read and validate one police.uk file into the canonical schema.

    Returns a new DataFrame with the kind's canonical columns plus ``force``,
    ``source_file`` and ``source_line`` (the 1-based line in the CSV).

    Raises
    ------
    IngestError
        Naming the file and line, for: a non-CSV or non-UTF-8 file, a header that
        is not police.uk's for that kind, a row with too few or too many fields
        (e.g. a truncated download), a month that is not the file's month, or a
        coordinate that is not a number.
    """
    data = src.read_bytes()
    if b"\x00" in data[:4096]:
        raise IngestError(
            f"{src.label}: line 1: this is a binary file, not a CSV. Fix: remove it or re-download."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise IngestError(
            f"{src.label}: line {line}: not UTF-8 text, so not a data.police.uk CSV ({e.reason}). "
            f"Fix: re-download the file; data.police.uk publishes UTF-8."
        ) from e
    if not text.strip():
        raise IngestError(f"{src.label}: line 1: the file is empty. Fix: re-download it.")
    header_line = text.split("\n", 1)[0].rstrip("\r")
    header = pd.read_csv(io.StringIO(header_line + "\n"), nrows=0).columns.tolist()
    schema = SCHEMAS[src.kind]
    mapped = {h: ALIASES.get(_norm(h)) for h in header}
    unknown = [h for h, c in mapped.items() if c is None or c not in schema]
    # Stop-and-search has no Month column: its month is derived from Date.
    derived = {"month"} if src.kind == "stop_and_search" else set()
    required = [c for c, (_, req) in schema.items() if req and c not in derived]
    missing = [c for c in required if c not in mapped.values()]
    if missing or len(unknown) > len(header) // 2:
        raise IngestError(
            f"{src.label}: line 1: the header is not a data.police.uk {src.kind.replace('_', '-')} header. "
            f"Missing column(s): {', '.join(missing) or 'none'}; unrecognised: "
            f"{', '.join(repr(u) for u in unknown) or 'none'}.\n"
            f"Found: {header_line[:200]!r}.\n"
            f"Fix: ingest the files as downloaded from data.police.uk, or check the file is of "
            f"the kind its name says ({src.kind.replace('_', '-')})."
        )
    if unknown:
        warn(f"{src.label}: ignoring unrecognised column(s) {', '.join(repr(u) for u in unknown)}.")
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=True,
            na_values=[],
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.ParserError as e:
        if m := re.search(r"EOF inside string starting at row (\d+)", str(e)):
            raise IngestError(
                f"{src.label}: line {int(m.group(1)) + 1}: a quoted field is never closed, so "
                f"the file looks truncated ({e}). Fix: re-download it."
            ) from e
        m = re.search(r"line (\d+)", str(e))
        where = f"line {m.group(1)}" if m else "a line"
        raise IngestError(
            f"{src.label}: {where}: the row has more fields than the header ({e}). "
            f"Fix: the file is corrupt or not a police.uk CSV; re-download it."
        ) from e
    df.columns = [mapped.get(c) or f"__unknown_{i}" for i, c in enumerate(df.columns)]
    df = df[[c for c in df.columns if not c.startswith("__unknown_")]]
    # A row with fewer fields than the header (a truncated download): count fields
    # with the csv module, because pandas fills absent fields with "" here, the same
    # as empty ones.
    reader = csv.reader(io.StringIO(text))
    short = [reader.line_num for rec in reader if rec and len(rec) < len(header)]
    if short:
        raise IngestError(
            f"{src.label}: line {short[0]}: the row has fewer fields than the header "
            f"({len(short)} such row(s)); the file looks truncated. Fix: re-download it."
        )
    if src.kind == "stop_and_search":
        # Dates are published in UTC, but data.police.uk files them by UK local
        # month: 2024-03-31T23:51+00:00 is 00:51 BST on 1 April, in the April file.
        when = pd.to_datetime(df["date"], utc=True, errors="coerce", format="ISO8601")
        bad = (when.isna() & (df["date"] != "")).to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            raise IngestError(
                f"{src.label}: line {i + 2}: date {df['date'].iloc[i]!r} is not an ISO date-time. "
                f"Fix: re-download the file; police.uk dates look like 2024-01-31T23:00:00+00:00."
            )
        df["month"] = when.dt.tz_convert("Europe/London").dt.strftime("%Y-%m").fillna("")
    bad_month = (df["month"] != src.month).to_numpy()
    if bad_month.any():
        i = int(np.argmax(bad_month))
        raise IngestError(
            f"{src.label}: line {i + 2}: month {df['month'].iloc[i]!r} is outside the file's month "
            f"{src.month} (from its name). Fix: keep each month's rows in its own YYYY-MM file as "
            f"published; do not concatenate or rename monthly files."
        )
    if src.folder_month is not None and src.folder_month != src.month:
        raise IngestError(
            f"{src.label}: line 1: the file is for {src.month} but sits in folder {src.folder_month}/. "
            f"Fix: move it into a {src.month}/ folder, as data.police.uk publishes it."
        )
    out = pd.DataFrame(index=df.index)
    for col, (dtype, _) in schema.items():
        if col not in df.columns:
            out[col] = pd.Series(pd.NA, index=df.index, dtype="string")
        elif dtype == "float64":
            s = df[col].str.strip()
            num = pd.to_numeric(s.where(s != ""), errors="coerce")
            bad = (num.isna() & (s != "")).to_numpy()
            if bad.any():
                i = int(np.argmax(bad))
                raise IngestError(
                    f"{src.label}: line {i + 2}: {col} {df[col].iloc[i]!r} is not a number. "
                    f"Fix: re-download the file; police.uk coordinates are decimal degrees."
                )
            out[col] = num.astype("float64")
        else:
            out[col] = df[col].astype("string").replace("", pd.NA)
    if out.empty and len(df) == 0:
        warn(f"{src.label}: the file has a header but no rows.")
    out["force"] = src.force
    out["source_file"] = src.label.rsplit("/", 1)[-1]
    out["source_line"] = np.arange(2, len(out) + 2, dtype="int64")
    return out.reset_index(drop=True)


def _sha256(src: SourceFile) -> str:
    return hashlib.sha256(src.read_bytes()).hexdigest()


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    store: str | os.PathLike[str],
    *,
    progress: bool = False,
) -> pd.DataFrame:
    """Validate police.uk files and write them into the Parquet store.

    All files are read and checked first; nothing is written unless every file
    is good, so a bad file never leaves the store half-ingested. Each
    (kind, force, month) is one partition: ingesting a month again replaces it.
    When two inputs carry the same partition (e.g. a zip and its unpacked
    folder), the last one listed wins and a warning says so.

    Parameters
    ----------
    paths : iterable of path-like
        Zips, folders or files (see :func:`find_sources`).
    store : path-like
        The store folder, e.g. ``data/processed``.
    progress : bool, default False
        Show a progress bar (the ``sa ingest`` command turns it on).

    Returns
    -------
    DataFrame
        One row per partition written: ``kind``, ``force``, ``month``, ``rows``,
        ``rows_no_location``, ``source``, ``sha256``.

    Raises
    ------
    IngestError
        For any malformed input, naming the file and line.
    """
    sources = find_sources(paths)
    chosen: dict[tuple[str, str, str], SourceFile] = {}
    for s in sources:
        key = (s.kind, s.force, s.month)
        if key in chosen:
            warn(
                f"{s.kind} data for {s.force} {s.month} appears twice ({chosen[key].label} and "
                f"{s.label}); keeping {s.label}. A month is stored once, never double-counted."
            )
        chosen[key] = s
    items = list(chosen.items())
    iterator: Iterable = items
    if progress:
        from tqdm.auto import tqdm

        iterator = tqdm(items, desc="reading", unit="file")
    frames: dict[tuple[str, str, str], tuple[pd.DataFrame, SourceFile]] = {}
    for key, s in iterator:
        frames[key] = (read_source(s), s)

    store = Path(store)
    store.mkdir(parents=True, exist_ok=True)
    log_path = store / "ingest_log.json"
    log = json.loads(log_path.read_text()) if log_path.exists() else {}
    rows = []
    with tempfile.TemporaryDirectory(dir=store, prefix=".ingest-") as tmp:
        staged = []
        for (kind, force, month), (df, s) in frames.items():
            tmp_file = Path(tmp) / f"{kind}-{force}-{month}.parquet"
            pq.write_table(
                pa.Table.from_pandas(df, preserve_index=False), tmp_file, compression="zstd"
            )
            final = store / kind / force / f"{month}.parquet"
            staged.append((tmp_file, final))
            no_loc = int(df["longitude"].isna().sum()) if "longitude" in df else 0
            digest = _sha256(s)
            rows.append(
                {
                    "kind": kind,
                    "force": force,
                    "month": month,
                    "rows": len(df),
                    "rows_no_location": no_loc,
                    "source": s.label,
                    "sha256": digest,
                }
            )
            log[f"{kind}/{force}/{month}"] = {
                "source": s.label,
                "sha256": digest,
                "rows": len(df),
                "rows_no_location": no_loc,
                "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        for tmp_file, final in staged:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_file, final)
    tmp_log = log_path.with_suffix(".json.tmp")
    tmp_log.write_text(json.dumps(dict(sorted(log.items())), indent=1))
    os.replace(tmp_log, log_path)
    return pd.DataFrame(
        rows, columns=["kind", "force", "month", "rows", "rows_no_location", "source", "sha256"]
    )


def iter_partitions(store: str | os.PathLike[str], kind: str) -> Iterator[Path]:
    """Yield the Parquet partition files of one kind in the store."""
    yield from sorted((Path(store) / kind).glob("*/*.parquet"))
