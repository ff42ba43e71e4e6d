"""Finding data.police.uk files and reading their bytes safely, for :mod:`sa_lib.data.ingest`.

The published schema of each kind (street, outcomes, stop-and-search), the header
spellings seen across releases, the force names and slugs, and :class:`SourceFile`:
one monthly CSV on disk or in a zip, read with limits that refuse a corrupt or
crafted archive before it is expanded.

Examples
--------
>>> force_slug("Cambridgeshire Constabulary", "cambridgeshire-constabulary")
'cambridgeshire'
>>> sorted(SCHEMAS) == sorted(KINDS)
True
"""

from __future__ import annotations

import os
import re
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "IngestError",
    "SourceFile",
    "find_sources",
    "force_slug",
    "KINDS",
    "SCHEMAS",
    "ALIASES",
    "FORCE_SLUGS",
    "MAX_FILE_BYTES",
]

FILE_RE = re.compile(
    r"^(?P<month>\d{4}-\d{2})-(?P<force>[a-z0-9-]+?)-(?P<kind>street|outcomes|stop-and-search)\.csv(?P<gz>\.gz)?$"
)
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def warn(message: str) -> None:
    """:func:`sa_lib.validation.warn` for the ingest modules, which must not load pandas.

    ``sa ingest`` imports only pyarrow: sa_lib.validation imports pandas, which costs
    about as much CPU as pyarrow's whole read of a force's month.
    """
    warnings.warn(message, UserWarning, stacklevel=3)


#: The largest CSV (after unzipping or gunzipping) a single monthly file may be.
#: The largest real monthly file (Metropolitan street) is about 30 MB.
MAX_FILE_BYTES = 512 * 1024 * 1024

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
            import zipfile  # only for archives: `sa ingest` of CSVs skips its import

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
            import zipfile

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
