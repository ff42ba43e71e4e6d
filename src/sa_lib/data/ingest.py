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
- Street rows with a Crime ID already seen in the same force and month are
  dropped and counted (``rows_duplicate``).
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

import csv
import hashlib
import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sa_lib.data.coverage import COVERAGE_FILE, merged_coverage
from sa_lib.data.store_writer import Staging, StoreWriteError, recover, store_lock, write_error
from sa_lib.validation import warn

__all__ = [
    "IngestError",
    "StoreWriteError",
    "SourceFile",
    "find_sources",
    "read_source",
    "ingest",
    "force_slug",
    "KINDS",
    "SCHEMAS",
    "MAX_FILE_BYTES",
    "SHRINK_LIMIT",
    "EW_BOUNDS",
]

FILE_RE = re.compile(
    r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes|stop-and-search)\.csv(?P<gz>\.gz)?$"
)
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
LSOA_RE = r"^[EW]01[0-9]{6}$"

#: The largest CSV (after unzipping or gunzipping) a single monthly file may be.
#: The largest real monthly file (Metropolitan street) is about 30 MB.
MAX_FILE_BYTES = 512 * 1024 * 1024
#: A re-ingested month with fewer than this share of the stored rows needs ``replace``.
SHRINK_LIMIT = 0.9
#: Longitude and latitude limits of England and Wales (with the Isles of Scilly),
#: with a small margin: (lon_min, lon_max, lat_min, lat_max).
EW_BOUNDS = (-6.6, 2.0, 49.8, 56.0)

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

#: data.police.uk force names (``Reported by`` / ``Falls within``) -> the slug its
#: file names use.
FORCE_SLUGS: dict[str, str] = {
    "Avon and Somerset Constabulary": "avon-and-somerset",
    "Bedfordshire Police": "bedfordshire",
    "British Transport Police": "btp",
    "Cambridgeshire Constabulary": "cambridgeshire",
    "Cheshire Constabulary": "cheshire",
    "City of London Police": "city-of-london",
    "Cleveland Police": "cleveland",
    "Cumbria Constabulary": "cumbria",
    "Derbyshire Constabulary": "derbyshire",
    "Devon & Cornwall Police": "devon-and-cornwall",
    "Dorset Police": "dorset",
    "Durham Constabulary": "durham",
    "Dyfed-Powys Police": "dyfed-powys",
    "Essex Police": "essex",
    "Gloucestershire Constabulary": "gloucestershire",
    "Greater Manchester Police": "greater-manchester",
    "Gwent Police": "gwent",
    "Hampshire Constabulary": "hampshire",
    "Hertfordshire Constabulary": "hertfordshire",
    "Humberside Police": "humberside",
    "Kent Police": "kent",
    "Lancashire Constabulary": "lancashire",
    "Leicestershire Police": "leicestershire",
    "Lincolnshire Police": "lincolnshire",
    "Merseyside Police": "merseyside",
    "Metropolitan Police Service": "metropolitan",
    "Norfolk Constabulary": "norfolk",
    "North Wales Police": "north-wales",
    "North Yorkshire Police": "north-yorkshire",
    "Northamptonshire Police": "northamptonshire",
    "Northumbria Police": "northumbria",
    "Nottinghamshire Police": "nottinghamshire",
    "Police Service of Northern Ireland": "northern-ireland",
    "South Wales Police": "south-wales",
    "South Yorkshire Police": "south-yorkshire",
    "Staffordshire Police": "staffordshire",
    "Suffolk Constabulary": "suffolk",
    "Surrey Police": "surrey",
    "Sussex Police": "sussex",
    "Thames Valley Police": "thames-valley",
    "Warwickshire Police": "warwickshire",
    "West Mercia Police": "west-mercia",
    "West Midlands Police": "west-midlands",
    "West Yorkshire Police": "west-yorkshire",
    "Wiltshire Police": "wiltshire",
}


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", "and")).strip("-")


# A file-name slug spelled as the force's full name (``cambridgeshire-constabulary``)
# means the same force as its published slug.
_SLUG_ALIASES = {_slugify(n): s for n, s in FORCE_SLUGS.items()} | {
    _slugify(n.lower()): s for n, s in FORCE_SLUGS.items()
}
_KNOWN_SLUGS = frozenset(FORCE_SLUGS.values())
_NAME_LOOKUP = {re.sub(r"\s+", " ", n.strip().lower()): s for n, s in FORCE_SLUGS.items()}


def force_slug(name: str | None, file_slug: str) -> str:
    """Return the store's force slug for rows reported by ``name`` in a file named ``file_slug``.

    A data.police.uk force name (``Cambridgeshire Constabulary``) gives its
    published slug (``cambridgeshire``); otherwise the file name's slug is used,
    with a full-name spelling (``cambridgeshire-constabulary``) mapped to the
    published one.

    Examples
    --------
    >>> force_slug("Cambridgeshire Constabulary", "cambridgeshire-constabulary")
    'cambridgeshire'
    >>> force_slug(None, "essex-police")
    'essex'
    >>> force_slug("Test Police", "testforce")
    'testforce'
    """
    if name:
        slug = _NAME_LOOKUP.get(re.sub(r"\s+", " ", name.strip().lower()))
        if slug:
            return slug
    return _SLUG_ALIASES.get(file_slug, file_slug)


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

    def read_bytes(self, limit: int = MAX_FILE_BYTES) -> bytes:
        """Return the file's CSV bytes (unzipped, gunzipped), refusing more than ``limit``.

        The declared size of a zip member is checked before anything is read,
        and the bytes actually produced are capped, so a small archive that
        expands to gigabytes (a "zip bomb") is refused in well under a second.
        """
        too_big = (
            f"{self.label}: the file is larger than the {limit / 2**20:,.0f} MB limit for one "
            f"monthly police.uk file (%s), so it is not a data.police.uk CSV or the archive is "
            f"corrupt. Fix: re-download it; if it is genuine, raise the limit with --max-file-mb."
        )
        if self.member is not None:
            try:
                with zipfile.ZipFile(self.path) as zf:
                    info = zf.getinfo(self.member)
                    if info.file_size > limit:
                        raise IngestError(too_big % f"it declares {info.file_size / 2**20:,.0f} MB")
                    with zf.open(info) as f:
                        data = f.read(info.file_size + 1)  # never more than declared
            except (zipfile.BadZipFile, zlib.error, EOFError) as e:
                raise IngestError(
                    f"{self.label}: the zip member is corrupt ({e}). Fix: download the archive again."
                ) from e
        else:
            size = self.path.stat().st_size
            if size > limit:
                raise IngestError(too_big % f"it is {size / 2**20:,.0f} MB")
            data = self.path.read_bytes()
        liar = (
            f"{self.label}: the file holds more than its archive header declares, so the archive "
            f"is corrupt or crafted. Fix: re-download it."
        )
        if len(data) > limit:
            raise IngestError(liar)
        if self.label.endswith(".gz") or (self.member or "").endswith(".gz"):
            # The gzip trailer declares the size (mod 4 GiB): refuse a bomb before
            # expanding it, and never expand more than it declares.
            declared = int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0
            try:
                out = b""
                if declared <= limit:
                    d = zlib.decompressobj(wbits=31)
                    out = d.decompress(data, declared + 1)
                if declared > limit or len(out) != declared or not d.eof:
                    # Something is off: count the real size in bounded steps to tell a
                    # truncated download from a bomb or a size that lies.
                    real = _gunzipped_size(data, limit)
                    if real > limit:
                        raise IngestError(too_big % "once gunzipped")
                    raise IngestError(liar)
                if d.unused_data.strip(b"\x00"):
                    raise EOFError("it holds several gzip members; only one is expected")
            except (zlib.error, EOFError) as e:
                raise IngestError(
                    f"{self.label}: not a readable gzip file ({e}). "
                    f"Fix: download it again, or unzip it yourself and ingest the .csv."
                ) from e
            data = out
        return data


def _gunzipped_size(data: bytes, limit: int) -> int:
    """Size of gzip ``data`` once expanded, counted in 1 MB steps and never beyond ``limit + 1``.

    Memory stays at one step. Raises EOFError if the stream ends early (a
    truncated file, whose last four bytes are then not its size at all).
    """
    d = zlib.decompressobj(wbits=31)
    total, chunk = 0, data
    while not d.eof:
        total += len(d.decompress(chunk, 1 << 20))
        if total > limit:
            return total
        chunk = d.unconsumed_tail
        if not chunk and not d.eof:
            raise EOFError("the compressed stream ends early")
    return total


def _classify(name: str, label: str, path: Path, member: str | None) -> SourceFile | None:
    base = name.rsplit("/", 1)[-1]
    m = FILE_RE.match(base)
    if not m:
        return None
    parent = name.rsplit("/", 2)[-2] if "/" in name else None
    folder_month = parent if parent and MONTH_RE.match(parent) else None
    kind = m["kind"].replace("-", "_")
    return SourceFile(label, m["month"], m["force"], kind, folder_month, path, member)


def _list_sources(paths: Iterable[str | os.PathLike[str]]) -> list[SourceFile]:
    """The police.uk files under ``paths``, in the order listed (a folder's files by path)."""
    found: list[SourceFile] = []
    paths = list(paths)
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
                        found.extend(_list_sources([f]))
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
    return found


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
        Sorted by kind, force and month (:func:`ingest` itself keeps the order
        listed, so that the last one listed wins).

    Raises
    ------
    IngestError
        If a path does not exist, a single file's name is not in the police.uk
        pattern, a zip is unreadable, or nothing was found at all.
    """
    return sorted(_list_sources(paths), key=lambda s: (s.kind, s.force, s.month, s.label))


def _norm(h: str) -> str:
    return re.sub(r"\s+", " ", h.replace("\ufeff", "").strip().lower())


def _first(mask: pa.ChunkedArray | pa.Array) -> int:
    """Index of the first True in a boolean array (nulls count as False), or -1."""
    if not pc.any(mask).as_py():
        return -1
    return int(pc.index(pc.fill_null(mask, False), True).as_py())


def _header(src: SourceFile, data: bytes) -> tuple[list[str], str]:
    end = data.find(b"\n")
    header_line = (data if end < 0 else data[:end]).decode("utf-8-sig").rstrip("\r")
    return next(csv.reader([header_line]), []), header_line


def _not_utf8(src: SourceFile, data: bytes) -> None:
    """Raise the error for a file that is not UTF-8, naming the first bad line."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise IngestError(
            f"{src.label}: line {line}: not UTF-8 text, so not a data.police.uk CSV ({e.reason}). "
            f"Fix: re-download the file; data.police.uk publishes UTF-8."
        ) from e


def _unclosed_quote_line(text: str) -> int:
    odd, start = False, 1
    for n, line in enumerate(text.split("\n"), 1):
        if line.count('"') % 2:
            if not odd:
                start = n
            odd = not odd
    return start


def _uk_month(src: SourceFile, dates: pa.ChunkedArray) -> pa.Array:
    """The UK local ``YYYY-MM`` of each UTC date-time (police.uk's stop-and-search filing)."""
    try:  # the published form, vectorised
        ts = pc.strptime(dates, format="%Y-%m-%dT%H:%M:%S%z", unit="s")
        return pc.strftime(ts.cast(pa.timestamp("s", tz="Europe/London")), format="%Y-%m")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # Other ISO 8601 spellings (no seconds, 'Z', fractions), or a bad date to name.
    s = dates.to_pandas()
    when = pd.to_datetime(s, utc=True, errors="coerce", format="ISO8601")
    bad = (when.isna() & s.notna()).to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise IngestError(
            f"{src.label}: line {i + 2}: date {s.iloc[i]!r} is not an ISO date-time. "
            f"Fix: re-download the file; police.uk dates look like 2024-01-31T23:00:00+00:00."
        )
    month = when.dt.tz_convert("Europe/London").dt.strftime("%Y-%m")
    return pa.array(month.to_numpy(), type=pa.string(), from_pandas=True)


def _constant(value: str, n: int) -> pa.Array:
    """A string array of ``n`` copies of ``value``, built from buffers (no Python objects)."""
    b = value.encode()
    offsets = np.arange(n + 1, dtype=np.int64) * len(b)
    if offsets[-1] < 2**31:
        return pa.StringArray.from_buffers(
            n, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(b * n)
        )
    return pa.array([value] * n, type=pa.string())


@dataclass
class _Read:
    """One validated file: its table and what was counted while reading it."""

    table: pa.Table
    force: str
    force_name: str | None
    rows_bad_location: int
    rows_duplicate: int
    sha256: str


def _csv(data: bytes, names, types, include, *, threads: bool, bad: list, newlines: bool):
    def handler(row):
        bad.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"

    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, use_threads=threads),
        parse_options=pacsv.ParseOptions(newlines_in_values=newlines, invalid_row_handler=handler),
        convert_options=pacsv.ConvertOptions(
            include_columns=include,
            column_types=types,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
            check_utf8=True,
        ),
    )


def _read_table(src: SourceFile, *, keep_bad: bool = False, limit: int = MAX_FILE_BYTES) -> _Read:
    data = src.read_bytes(limit)
    digest = hashlib.sha256(data).hexdigest()
    if b"\x00" in data[:4096]:
        raise IngestError(
            f"{src.label}: line 1: this is a binary file, not a CSV. Fix: remove it or re-download."
        )
    if re.match(rb"(\xef\xbb\xbf)?\s*\Z", data):
        raise IngestError(f"{src.label}: line 1: the file is empty. Fix: re-download it.")
    first_quote = data.find(b'"')  # most police.uk files have no quotes at all
    if first_quote >= 0 and data.count(b'"', first_quote) % 2:
        text = data.decode("utf-8", errors="replace")
        raise IngestError(
            f"{src.label}: line {_unclosed_quote_line(text)}: a quoted field is never closed, so "
            f"the file looks truncated. Fix: re-download it."
        )
    try:
        header, header_line = _header(src, data)
    except UnicodeDecodeError:
        _not_utf8(src, data)
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
    # Columns are read by position (f0, f1, ...) so a repeated or odd header name cannot
    # confuse the reader; only the known columns are converted.
    names = [f"f{i}" for i in range(len(header))]
    canon: dict[str, str] = {}
    col_header: dict[str, str] = {}
    for n, h in zip(names, header, strict=True):
        c = mapped[h]
        if c in schema and c not in col_header:
            canon[n] = c
            col_header[c] = h
    coords = [n for n, c in canon.items() if schema[c][0] == "float64"]
    types = {n: pa.float64() if n in coords else pa.string() for n in canon}
    as_text = dict.fromkeys(canon, pa.string())

    def parse(newlines: bool):
        bad: list = []
        try:
            return (
                _csv(data, names, types, list(canon), threads=True, bad=bad, newlines=newlines),
                bad,
                None,
            )
        except pa.ArrowInvalid as e:
            if "invalid UTF8" in str(e):
                _not_utf8(src, data)
            if "conversion error to double" not in str(e):
                raise IngestError(
                    f"{src.label}: the file could not be parsed as CSV ({e}). Fix: re-download it."
                ) from e
            # A coordinate that is not a number: read coordinates as text to find it.
            bad = []
            return (
                _csv(data, names, as_text, list(canon), threads=True, bad=bad, newlines=newlines),
                bad,
                e,
            )

    # Fast path: rows never span lines. A quoted value holding a line break (legal
    # CSV, rare in police.uk files) shows as a bad row; then parse again allowing it.
    quotes = first_quote >= 0
    table, bad, float_error = parse(False)
    if bad and quotes:
        table, bad, float_error = parse(True)
    if bad:
        if any(b[0] is None for b in bad):  # row numbers are known only when read serially
            bad = []
            _csv(data, names, as_text, list(canon), threads=False, bad=bad, newlines=quotes)
        line, expected, actual, _ = min(bad, key=lambda b: b[0])
        if actual > expected:
            raise IngestError(
                f"{src.label}: line {line}: the row has more fields than the header ({actual} "
                f"fields, expected {expected}). Fix: the file is corrupt or not a police.uk CSV; "
                f"re-download it."
            )
        short = sum(1 for b in bad if b[2] < b[1])
        raise IngestError(
            f"{src.label}: line {line}: the row has fewer fields than the header "
            f"({short} such row(s)); the file looks truncated. Fix: re-download it."
        )
    table = table.rename_columns([canon[n] for n in table.column_names])
    n = table.num_rows
    bad_loc = np.zeros(n, dtype=bool)

    def fail(i: int, col: str, what: str, fix: str) -> None:
        raise IngestError(
            f"{src.label}: line {i + 2}: column {col_header[col]!r}: {what}. Fix: {fix}"
        )

    keep_bad_fix = (
        "re-download the file; or pass --keep-bad to keep such rows with no location (counted)."
    )
    if float_error is not None:
        for c in (canon[x] for x in coords):
            s = table[c].to_pandas().str.strip()
            num = pd.to_numeric(s.where(s != ""), errors="coerce")
            wrong = (num.isna() & s.notna() & (s != "")).to_numpy()
            if wrong.any() and not keep_bad:
                i = int(np.argmax(wrong))
                raise IngestError(
                    f"{src.label}: line {i + 2}: {c} {table[c][i].as_py()!r} is not a number. "
                    f"Fix: re-download the file; police.uk coordinates are decimal degrees; or "
                    f"pass --keep-bad to keep such rows with no location (counted)."
                )
            bad_loc |= wrong
            table = table.set_column(
                table.column_names.index(c),
                c,
                pa.array(num.to_numpy(), type=pa.float64(), from_pandas=True),
            )
    if src.kind == "stop_and_search":
        # Dates are published in UTC, but data.police.uk files them by UK local
        # month: 2024-03-31T23:51+00:00 is 00:51 BST on 1 April, in the April file.
        table = table.append_column("month", _uk_month(src, table["date"]))
    i = _first(pc.invert(pc.fill_null(pc.equal(table["month"], src.month), False)))
    if i >= 0:
        raise IngestError(
            f"{src.label}: line {i + 2}: month {table['month'][i].as_py() or ''!r} is outside the "
            f"file's month {src.month} (from its name). Fix: keep each month's rows in its own "
            f"YYYY-MM file as published; do not concatenate or rename monthly files."
        )
    if src.folder_month is not None and src.folder_month != src.month:
        raise IngestError(
            f"{src.label}: line 1: the file is for {src.month} but sits in folder {src.folder_month}/. "
            f"Fix: move it into a {src.month}/ folder, as data.police.uk publishes it."
        )
    # Coordinates within England and Wales, both or neither; LSOA codes well formed.
    lon_min, lon_max, lat_min, lat_max = EW_BOUNDS
    have = [c for c in ("longitude", "latitude") if c in table.column_names]
    for c, lo, hi in (("longitude", lon_min, lon_max), ("latitude", lat_min, lat_max)):
        if c not in have:
            continue
        v = table[c]
        out = pc.fill_null(pc.or_(pc.less(v, lo), pc.greater(v, hi)), False)
        if len(have) == 2:  # one coordinate without the other
            other = table["latitude" if c == "longitude" else "longitude"]
            out = pc.or_(out, pc.and_(pc.is_null(v), pc.is_valid(other)))
        i = -1 if keep_bad else _first(out)
        if i >= 0:
            val = table[c][i].as_py()
            fail(
                i,
                c,
                f"{c} {val!r} is outside England and Wales ({lo} to {hi})"
                if val is not None
                else f"{c} is empty but the other coordinate is not",
                keep_bad_fix,
            )
        bad_loc |= out.to_numpy(zero_copy_only=False)
    if "lsoa_code" in table.column_names:
        wrong = pc.invert(pc.fill_null(pc.match_substring_regex(table["lsoa_code"], LSOA_RE), True))
        i = -1 if keep_bad else _first(wrong)
        if i >= 0:
            fail(
                i,
                "lsoa_code",
                f"{table['lsoa_code'][i].as_py()!r} is not an LSOA code (E01 or W01 and 6 digits)",
                keep_bad_fix,
            )
        bad_loc |= wrong.to_numpy(zero_copy_only=False)
    n_bad = int(bad_loc.sum())
    if n_bad:
        mask = pa.array(bad_loc)
        for c in ("longitude", "latitude", "lsoa_code", "lsoa_name"):
            if c in table.column_names:
                col = table[c]
                nulls = pa.nulls(n, type=col.type)
                table = table.set_column(
                    table.column_names.index(c), c, pc.if_else(mask, nulls, col)
                )
    # The force is the one that reported the rows, not the file name's slug.
    force_name = None
    for c in ("reported_by", "falls_within"):
        if c in table.column_names and table[c].null_count < n:
            force_name = table[c][_first(pc.is_valid(table[c]))].as_py()
            i = _first(pc.not_equal(table[c], force_name))  # cheaper than hashing every value
            if i >= 0:
                values = sorted(map(str, pc.unique(pc.drop_null(table[c])).to_pylist()))
                fail(
                    i,
                    c,
                    f"rows of more than one force ({', '.join(values[:3])})",
                    "ingest each force's files as data.police.uk publishes them.",
                )
            break
    force = force_slug(force_name, src.force)
    lines = pa.array(np.arange(2, n + 2, dtype="int64"))
    n_dup = 0
    if src.kind == "street" and "crime_id" in table.column_names:
        ids = table["crime_id"]
        if pc.count_distinct(ids).as_py() < n - ids.null_count:
            idx = pc.dictionary_encode(ids).combine_chunks().indices
            codes = pc.fill_null(idx, -1).to_numpy(zero_copy_only=False)
            keep = codes < 0
            keep[np.unique(codes, return_index=True)[1]] = True
            n_dup = int((~keep).sum())
            table = table.filter(pa.array(keep))
            lines = lines.filter(pa.array(keep))
    m = table.num_rows
    cols, fields = [], []
    for col, (dtype, _) in schema.items():
        typ = pa.float64() if dtype == "float64" else pa.string()
        cols.append(table[col] if col in table.column_names else pa.nulls(m, type=typ))
        fields.append(pa.field(col, typ))
    cols += [
        _constant(force, m),
        _constant(src.label.rsplit("/", 1)[-1], m),
        lines,
    ]
    fields += [
        pa.field("force", pa.string()),
        pa.field("source_file", pa.string()),
        pa.field("source_line", pa.int64()),
    ]
    out = pa.Table.from_arrays(cols, schema=pa.schema(fields))
    if m == 0 and n == 0:
        warn(f"{src.label}: the file has a header but no rows.")
    return _Read(out, force, force_name, n_bad, n_dup, digest)


def read_source(src: SourceFile, *, keep_bad: bool = False) -> pd.DataFrame:
    """Read and validate one police.uk file into the canonical schema.

    Returns a new DataFrame with the kind's canonical columns plus ``force``
    (from the rows' ``Reported by``, see :func:`force_slug`), ``source_file``
    and ``source_line`` (the 1-based line in the CSV).

    Parameters
    ----------
    src : SourceFile
        From :func:`find_sources`.
    keep_bad : bool, default False
        Keep rows with invalid coordinates or LSOA codes, with no location,
        instead of raising.

    Raises
    ------
    IngestError
        Naming the file and line, for: a non-CSV or non-UTF-8 file, a header that
        is not police.uk's for that kind, a row with too few or too many fields
        (e.g. a truncated download), a quoted field never closed, a month that is
        not the file's month, a coordinate that is not a number or lies outside
        England and Wales, or a malformed LSOA code.

    Examples
    --------
    >>> from sa_lib import config
    >>> src = find_sources([config.SAMPLE_DIR / "police_uk" / "2024-01"])[-1]
    >>> read_source(src)[["month", "force"]].drop_duplicates().values.tolist()
    [['2024-01', 'cambridgeshire']]
    """
    res = _read_table(src, keep_bad=keep_bad)
    return res.table.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)


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
    listed = _list_sources(paths)
    # The documented rule: the last one listed wins.
    chosen: dict[tuple[str, str, str], SourceFile] = {}
    for s in listed:
        key = (s.kind, force_slug(None, s.force), s.month)
        if key in chosen:
            warn(
                f"{s.kind} data for {key[1]} {s.month} appears twice ({chosen[key].label} and "
                f"{s.label}); keeping {s.label}, the last listed. A month is stored once, never "
                f"double-counted."
            )
            del chosen[key]  # re-insert so the order is the order listed
        chosen[key] = s
    sources = list(chosen.values())
    store = Path(store)
    try:
        store.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise (write_error(e, store, store) or e) from e
    log_path = store / "ingest_log.json"
    n_workers = workers or min(4, os.cpu_count() or 1)
    try:
        lock = store_lock(store, blocking=False)
        if not lock.__enter__():
            lock.__exit__(None, None, None)
            warn(f"another sa ingest is writing {store}; waiting for it to finish.")
            lock = store_lock(store)
            lock.__enter__()
    except OSError as e:
        raise (write_error(e, store, store) or e) from e
    try:
        recovered = recover(store, locked=True)
        log = json.loads(log_path.read_text()) if log_path.exists() else {}
        with Staging(store) as staging:

            def work(item: tuple[int, SourceFile]):
                i, s = item
                res = _read_table(s, keep_bad=keep_bad, limit=max_file_bytes)
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

            problems, rows = [], []
            now = datetime.now(UTC).isoformat(timespec="seconds")
            for rel, (s, force, force_name, n, no_loc, res, _) in results.items():
                before = _stored_rows(store, rel, log)
                where = f"{s.kind.replace('_', '-')} {force} {s.month}"
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
                    }
                )
                log[rel.removesuffix(".parquet")] = {
                    "source": s.label,
                    "sha256": res.sha256,
                    "rows": n,
                    "rows_no_location": no_loc,
                    "rows_bad_location": res.rows_bad_location,
                    "rows_duplicate": res.rows_duplicate,
                    "ingested_at": now,
                }
            if problems:
                raise IngestError(
                    "these months would change markedly:\n  "
                    + "\n  ".join(problems)
                    + "\nFix: re-download the file(s) if a download was cut short or misnamed; "
                    "if the change is intended, run again with --replace."
                )
            _commit(
                staging,
                {rel: r[6] for rel, r in results.items()},
                {
                    "ingest_log.json": dict(sorted(log.items())),
                    # Months held per force, with source and hash (sa_lib.data.coverage).
                    COVERAGE_FILE: merged_coverage(store, pd.DataFrame(rows)),
                },
            )
    finally:
        lock.__exit__(None, None, None)
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS).sort_values(["kind", "force", "month"])
    summary["rows_before"] = summary["rows_before"].astype("Int64")
    summary = summary.reset_index(drop=True)
    summary.attrs["recovered"] = recovered
    return summary


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
