"""Reading and validating one data.police.uk file, for :mod:`sa_lib.data.ingest`.

A file is parsed with pyarrow's CSV reader and checked column-wise, in named
steps: its bytes (not binary, not empty, no unclosed quote), its header (the
kind's published columns), its rows (no short or long rows), each row's month,
the coordinates (within England and Wales) and LSOA codes, the force that
reported the rows, and street rows repeated in every field. A problem raises
:class:`~sa_lib.data.ingest_files.IngestError` naming the file, line and column.

Examples
--------
>>> from sa_lib import config
>>> from sa_lib.data.ingest_files import find_sources
>>> src = find_sources([config.SAMPLE_DIR / "police_uk" / "2024-01"])[-1]
>>> int(read_source(src)["source_line"].min())
2
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from sa_lib.data.ingest_files import (
    ALIASES,
    MAX_FILE_BYTES,
    SCHEMAS,
    IngestError,
    SourceFile,
    force_slug,
    warn,
)

try:  # pyarrow's compute kernels, called without the wrappers of pyarrow.compute (see _k)
    from pyarrow._compute import (
        CastOptions,
        MatchSubstringOptions,
        StrftimeOptions,
        StrptimeOptions,
        call_function,
    )
except ImportError:  # pragma: no cover - a pyarrow that moved its private module
    from pyarrow.compute import (
        CastOptions,
        MatchSubstringOptions,
        StrftimeOptions,
        StrptimeOptions,
        call_function,
    )

if TYPE_CHECKING:  # the ingest command does not load pandas (only read_source returns it)
    import pandas as pd

__all__ = ["read_source", "EW_BOUNDS"]

LSOA_RE = r"^[EW]01[0-9]{6}$"
_LSOA = MatchSubstringOptions(LSOA_RE)
#: Longitude and latitude limits of England and Wales (with the Isles of Scilly),
#: with a small margin: (lon_min, lon_max, lat_min, lat_max).
EW_BOUNDS = (-6.6, 2.0, 49.8, 56.0)


def _norm(h: str) -> str:
    return re.sub(r"\s+", " ", h.replace("\ufeff", "").strip().lower())


# pyarrow imports pandas the first time it converts a Python or NumPy value (a scalar
# argument, ``pa.array(ndarray)``, ``to_numpy()`` of a boolean array). The checks below
# build their scalars and arrays from buffers instead, so that ``sa ingest`` never loads
# pandas: about 0.3 CPU-s, as much as pyarrow's own read of a force's month.


def _k(name: str, *args, options=None):
    """Call pyarrow's compute function ``name`` (``_k("equal", a, b)`` is ``pc.equal(a, b)``).

    Importing :mod:`pyarrow.compute` builds a Python wrapper, with its docstring, for
    each of its hundreds of functions: about 0.03 CPU-s, a tenth of ``sa ingest`` of a
    force's year of street files. The checks call the same kernels directly.
    """
    return call_function(name, list(args), options)


def _str(value: str) -> pa.Scalar:
    """A string scalar, built without pyarrow's Python conversion (which loads pandas)."""
    b = value.encode()
    offsets = pa.py_buffer(np.array([0, len(b)], dtype=np.int32))
    return pa.StringArray.from_buffers(1, offsets, pa.py_buffer(b))[0]


def _f64(value: float) -> pa.Scalar:
    """A float64 scalar, built without pyarrow's Python conversion (which loads pandas)."""
    return pa.Array.from_buffers(pa.float64(), 1, [None, pa.py_buffer(np.array([value]))])[0]


def _int64s(values: np.ndarray) -> pa.Array:
    """An int64 array of ``values`` (a NumPy array), without pyarrow's conversion."""
    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


_FALSE = pa.Array.from_buffers(pa.bool_(), 1, [None, pa.py_buffer(np.zeros(1, np.uint8))])[0]
_TRUE = pa.Array.from_buffers(pa.bool_(), 1, [None, pa.py_buffer(np.ones(1, np.uint8))])[0]


def _no_rows(n: int) -> pa.Array:
    """A boolean array of ``n`` False values."""
    return pa.Array.from_buffers(
        pa.bool_(), n, [None, pa.py_buffer(np.zeros((n + 7) // 8, np.uint8))]
    )


def _first(mask: pa.ChunkedArray | pa.Array) -> int:
    """Index of the first True in a boolean array (nulls count as False), or -1."""
    idx = _k("indices_nonzero", mask)
    return int(idx[0].as_py()) if len(idx) else -1


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
        ts = _k("strptime", dates, options=StrptimeOptions("%Y-%m-%dT%H:%M:%S%z", "s"))
        uk = _k("cast", ts, options=CastOptions(pa.timestamp("s", tz="Europe/London")))
        return _k("strftime", uk, options=StrftimeOptions("%Y-%m"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # Other ISO 8601 spellings (no seconds, 'Z', fractions), or a bad date to name.
    import pandas as pd  # only here: the ingest command does not load pandas

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
    rows_shared_id: int = 0


def _csv(data: bytes, names, types, include, *, threads: bool, bad: list, newlines: bool):
    def handler(row):
        bad.append((row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"

    return pacsv.read_csv(
        pa.BufferReader(data),  # the bytes as they are: no copy, no Python file calls
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


@dataclass
class _Header:
    """How a file's columns map onto the kind's schema.

    Columns are read by position (``f0``, ``f1``, ...) so a repeated or odd header
    name cannot confuse the reader; only the known columns are converted.
    """

    names: list[str]
    canon: dict[str, str]  # positional name -> canonical column
    col_header: dict[str, str]  # canonical column -> the header as spelled in the file
    coords: list[str]  # positional names of the float columns


def _check_bytes(src: SourceFile, data: bytes) -> int:
    """Refuse a binary, empty or truncated (unclosed quote) file; return the first quote's offset."""
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
    return first_quote


def _map_header(src: SourceFile, data: bytes) -> _Header:
    """Map the file's header onto the kind's schema, refusing one that is not police.uk's."""
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
    names = [f"f{i}" for i in range(len(header))]
    canon: dict[str, str] = {}
    col_header: dict[str, str] = {}
    for n, h in zip(names, header, strict=True):
        c = mapped[h]
        if c in schema and c not in col_header:
            canon[n] = c
            col_header[c] = h
    coords = [n for n, c in canon.items() if schema[c][0] == "float64"]
    return _Header(names, canon, col_header, coords)


def _parse(src: SourceFile, data: bytes, hd: _Header, newlines: bool, threads: bool):
    """Parse the rows: (table, bad rows, the error if a coordinate was not a number)."""
    types = {n: pa.float64() if n in hd.coords else pa.string() for n in hd.canon}
    as_text = dict.fromkeys(hd.canon, pa.string())
    include = list(hd.canon)
    bad: list = []
    try:
        return (
            _csv(data, hd.names, types, include, threads=threads, bad=bad, newlines=newlines),
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
            _csv(data, hd.names, as_text, include, threads=threads, bad=bad, newlines=newlines),
            bad,
            e,
        )


def _parse_rows(src: SourceFile, data: bytes, hd: _Header, first_quote: int, threads: bool = True):
    """Parse the file into canonical columns, refusing a row with too few or too many fields.

    Returns the table and the error raised if a coordinate was not a number (then
    coordinates were read as text).
    """
    # Fast path: rows never span lines. A quoted value holding a line break (legal
    # CSV, rare in police.uk files) shows as a bad row; then parse again allowing it.
    quotes = first_quote >= 0
    table, bad, float_error = _parse(src, data, hd, False, threads)
    if bad and quotes:
        table, bad, float_error = _parse(src, data, hd, True, threads)
    if bad:
        if any(b[0] is None for b in bad):  # row numbers are known only when read serially
            bad = []
            as_text = dict.fromkeys(hd.canon, pa.string())
            _csv(data, hd.names, as_text, list(hd.canon), threads=False, bad=bad, newlines=quotes)
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
    return table.rename_columns([hd.canon[n] for n in table.column_names]), float_error


_KEEP_BAD_FIX = (
    "re-download the file; or pass --keep-bad to keep such rows with no location (counted)."
)


def _fail(src: SourceFile, hd: _Header, i: int, col: str, what: str, fix: str) -> None:
    raise IngestError(
        f"{src.label}: line {i + 2}: column {hd.col_header[col]!r}: {what}. Fix: {fix}"
    )


def _numeric_coords(
    src: SourceFile, table: pa.Table, hd: _Header, keep_bad: bool, bad_loc: pa.Array
) -> tuple[pa.Table, pa.Array]:
    """Coordinates read as text (one was not a number) made numbers; the bad ones marked
    (returned with ``bad_loc`` updated)."""
    import pandas as pd  # a rare path: the ingest command does not load pandas otherwise

    for c in (hd.canon[x] for x in hd.coords):
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
        bad_loc = _k("or", bad_loc, pa.array(wrong))
        table = table.set_column(
            table.column_names.index(c),
            c,
            pa.array(num.to_numpy(), type=pa.float64(), from_pandas=True),
        )
    return table, bad_loc


def _check_month(src: SourceFile, table: pa.Table) -> pa.Table:
    """Every row in the file's month (stop-and-search: derived from Date), the file in its folder."""
    if src.kind == "stop_and_search":
        # Dates are published in UTC, but data.police.uk files them by UK local
        # month: 2024-03-31T23:51+00:00 is 00:51 BST on 1 April, in the April file.
        table = table.append_column("month", _uk_month(src, table["date"]))
    i = _first(_k("invert", _k("coalesce", _k("equal", table["month"], _str(src.month)), _FALSE)))
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
    return table


def _locations_ok(table: pa.Table) -> bool:
    """True when no row can fail :func:`_check_locations`, tested cheaply (as most files are):
    each coordinate's range, the two coordinates empty in the same rows, the distinct LSOA
    codes. False means the row-by-row check must find and name (or mark) the bad rows.
    """
    lon_min, lon_max, lat_min, lat_max = EW_BOUNDS
    have = [c for c in ("longitude", "latitude") if c in table.column_names]
    for c, lo, hi in (("longitude", lon_min, lon_max), ("latitude", lat_min, lat_max)):
        if c in have:  # min and max skip empty and NaN values, as the comparisons do
            low, high = (x.as_py() for x in _k("min_max", table[c]).values())
            if low is not None and (low < lo or high > hi):
                return False
    if len(have) == 2:
        lon, lat = table["longitude"], table["latitude"]
        if lon.null_count != lat.null_count:
            return False
        if lon.null_count and _first(_k("xor", _k("is_null", lon), _k("is_null", lat))) >= 0:
            return False
    if "lsoa_code" in table.column_names:
        codes = _k("drop_null", _k("unique", table["lsoa_code"]))
        if _k("match_substring_regex", codes, options=_LSOA).true_count < len(codes):
            return False
    return True


def _check_locations(
    src: SourceFile, table: pa.Table, hd: _Header, keep_bad: bool, bad_loc: pa.Array
) -> pa.Array:
    """Coordinates within England and Wales, both or neither; LSOA codes well formed.

    A bad location raises, or with ``keep_bad`` is marked in ``bad_loc`` (returned).
    """
    if _locations_ok(table):
        return bad_loc
    lon_min, lon_max, lat_min, lat_max = EW_BOUNDS
    have = [c for c in ("longitude", "latitude") if c in table.column_names]
    for c, lo, hi in (("longitude", lon_min, lon_max), ("latitude", lat_min, lat_max)):
        if c not in have:
            continue
        v = table[c]
        out = _k("coalesce", _k("or", _k("less", v, _f64(lo)), _k("greater", v, _f64(hi))), _FALSE)
        if len(have) == 2:  # one coordinate without the other
            other = table["latitude" if c == "longitude" else "longitude"]
            out = _k("or", out, _k("and", _k("is_null", v), _k("is_valid", other)))
        i = -1 if keep_bad else _first(out)
        if i >= 0:
            val = table[c][i].as_py()
            _fail(
                src,
                hd,
                i,
                c,
                f"{c} {val!r} is outside England and Wales ({lo} to {hi})"
                if val is not None
                else f"{c} is empty but the other coordinate is not",
                _KEEP_BAD_FIX,
            )
        bad_loc = _k("or", bad_loc, out)
    if "lsoa_code" in table.column_names:
        valid = _k("match_substring_regex", table["lsoa_code"], options=_LSOA)
        wrong = _k("invert", _k("coalesce", valid, _TRUE))
        i = -1 if keep_bad else _first(wrong)
        if i >= 0:
            _fail(
                src,
                hd,
                i,
                "lsoa_code",
                f"{table['lsoa_code'][i].as_py()!r} is not an LSOA code (E01 or W01 and 6 digits)",
                _KEEP_BAD_FIX,
            )
        bad_loc = _k("or", bad_loc, wrong)
    return bad_loc


def _blank_bad_locations(table: pa.Table, mask: pa.Array) -> pa.Table:
    """The rows marked in ``mask`` with no location (coordinates and LSOA emptied)."""
    for c in ("longitude", "latitude", "lsoa_code", "lsoa_name"):
        if c in table.column_names:
            col = table[c]
            nulls = pa.nulls(table.num_rows, type=col.type)
            table = table.set_column(
                table.column_names.index(c), c, _k("if_else", mask, nulls, col)
            )
    return table


def _reporting_force(src: SourceFile, table: pa.Table, hd: _Header) -> str | None:
    """The force that reported the rows (not the file name's), refusing rows of several forces."""
    for c in ("reported_by", "falls_within"):
        if c in table.column_names and table[c].null_count < table.num_rows:
            force_name = table[c][_first(_k("is_valid", table[c]))].as_py()
            i = _first(_k("not_equal", table[c], _str(force_name)))  # cheaper than hashing
            if i >= 0:
                values = sorted(map(str, _k("unique", _k("drop_null", table[c])).to_pylist()))
                _fail(
                    src,
                    hd,
                    i,
                    c,
                    f"rows of more than one force ({', '.join(values[:3])})",
                    "ingest each force's files as data.police.uk publishes them.",
                )
            return force_name
    return None


def _drop_repeated_ids(src: SourceFile, table: pa.Table) -> tuple[pa.Table, pa.Array, int, int]:
    """Street rows identical in every field to an earlier row with a Crime ID dropped.

    Returns (table, source lines kept, rows dropped, rows kept that share a Crime ID).
    Rows that share a Crime ID but differ in any field (location, type, outcome) are
    separate records, as police.uk lists each: they are kept and counted. Rows with no
    Crime ID (ASB) are never dropped: identical ASB rows are separate incidents.
    """
    n = table.num_rows
    lines = _int64s(np.arange(2, n + 2))
    n_dup = n_shared = 0
    if src.kind == "street" and "crime_id" in table.column_names:
        ids = table["crime_id"]
        # The distinct IDs: a hash table, as count_distinct builds, at half its cost.
        distinct = len(_k("unique", ids)) - (1 if ids.null_count else 0)
        if distinct < n - ids.null_count:
            # The first of each group of rows identical in every field (nulls equal).
            first = (
                table.append_column("_row", pa.array(np.arange(n, dtype=np.int64)))
                .group_by(table.column_names, use_threads=False)
                .aggregate([("_row", "min")])["_row_min"]
            )
            keep = np.zeros(n, dtype=bool)
            keep[first.to_numpy()] = True
            keep |= ids.is_null().to_numpy(zero_copy_only=False)  # ASB rows are never dropped
            n_dup = int(n - keep.sum())
            # Dropping exact repeats leaves every Crime ID: the rest share one.
            n_shared = int(n - n_dup - ids.null_count - distinct)
            if n_dup:
                table = table.filter(pa.array(keep))
                lines = lines.filter(pa.array(keep))
    return table, lines, n_dup, n_shared


def _canonical(src: SourceFile, table: pa.Table, force: str, lines: pa.Array) -> pa.Table:
    """The kind's canonical columns in order (absent ones empty), then force and source."""
    m = table.num_rows
    cols, fields = [], []
    for col, (dtype, _) in SCHEMAS[src.kind].items():
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
    return pa.Table.from_arrays(cols, schema=pa.schema(fields))


def _read_table(
    src: SourceFile, *, keep_bad: bool = False, limit: int = MAX_FILE_BYTES, threads: bool = True
) -> _Read:
    """Read and validate one file, step by step; the first problem raises :class:`IngestError`.

    ``threads=False`` parses on the calling thread alone (when files are read in parallel).
    """
    data = src.read_bytes(limit)
    digest = hashlib.sha256(data).hexdigest()
    first_quote = _check_bytes(src, data)
    hd = _map_header(src, data)
    table, float_error = _parse_rows(src, data, hd, first_quote, threads)
    n = table.num_rows
    bad_loc = _no_rows(n)
    if float_error is not None:
        table, bad_loc = _numeric_coords(src, table, hd, keep_bad, bad_loc)
    table = _check_month(src, table)
    bad_loc = _check_locations(src, table, hd, keep_bad, bad_loc)
    n_bad = int(_k("sum", bad_loc).as_py() or 0)
    if n_bad:
        table = _blank_bad_locations(table, bad_loc)
    force_name = _reporting_force(src, table, hd)
    force = force_slug(force_name, src.force)
    table, lines, n_dup, n_shared = _drop_repeated_ids(src, table)
    out = _canonical(src, table, force, lines)
    if out.num_rows == 0 and n == 0:
        warn(f"{src.label}: the file has a header but no rows.")
    return _Read(out, force, force_name, n_bad, n_dup, digest, n_shared)


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
    >>> from sa_lib.data.ingest_files import find_sources
    >>> src = find_sources([config.SAMPLE_DIR / "police_uk" / "2024-01"])[-1]
    >>> read_source(src)[["month", "force"]].drop_duplicates().values.tolist()
    [['2024-01', 'cambridgeshire']]
    """
    import pandas as pd

    res = _read_table(src, keep_bad=keep_bad)
    return res.table.to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)
