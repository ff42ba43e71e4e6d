"""Partner indicators: fire, ambulance, council ASB cases, hate crime, probation, youth offending, treatment.

A CSP's partners send counts, not records: deliberate fires from the fire service,
assault call-outs from the ambulance trust, ASB cases from the council, and so on.
The workbench reads them in one long shape, a row per area, month and indicator:

``area_type``
    ``lsoa``, ``ward`` or ``district``.
``area_code``
    The area's ONS code (LSOA 2021, ward, or the district's LAD code).
``month``
    ``YYYY-MM``.
``indicator``
    One of :data:`INDICATORS` (a plain name for each is in the same table).
``count``
    A whole number, 0 or more.
``synthetic`` (optional)
    True on made-up rows (the shipped example); pages using them say so.

A partner's file in another shape is read through a mapping YAML (like a force
extract's: ``config/partner_mappings/``): its columns onto these, its codes onto
these values, its month format. Personal data are refused before anything is mapped
(:mod:`sa_lib.data.personal_data`): counts need no names, dates of birth or
addresses. Every bad row is named, not just the first.

Examples
--------
>>> import io
>>> df = read_partner_indicators(io.StringIO(
...     "area_type,area_code,month,indicator,count\\n"
...     "lsoa,E01017585,2025-01,fire_deliberate,3\\n"))
>>> df[["area_code", "indicator", "count"]].values.tolist()
[['E01017585', 'fire_deliberate', 3]]
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "INDICATORS",
    "COLUMNS",
    "PartnerMapping",
    "load_mapping",
    "read_partner_indicators",
    "district_monthly",
]

#: Indicator -> (plain name, source, the police.uk series it is read beside or None).
INDICATORS: dict[str, tuple[str, str, str | None]] = {
    "fire_deliberate": ("Deliberate fires", "fire and rescue service", "Criminal damage and arson"),
    "ambulance_assault": (
        "Ambulance call-outs to assaults",
        "ambulance trust",
        "Violence and sexual offences",
    ),
    "council_asb_cases": ("Council ASB cases", "district council", "Anti-social behaviour"),
    "hate_crime_reports": (
        "Hate incidents reported to partners",
        "third-party reporting centres",
        "Public order",
    ),
    "probation_caseload": ("People on probation", "probation service", None),
    "youth_offending_caseload": (
        "Young people with the youth offending service",
        "youth justice service",
        None,
    ),
    "treatment_starts": ("Drug and alcohol treatment starts", "treatment provider", "Drugs"),
}
#: The most characters a mapping's ``name`` (shown on the partner page) may have.
MAPPING_NAME_CAP = 200
#: The schema's columns, in order (``synthetic`` is optional).
COLUMNS = ["area_type", "area_code", "month", "indicator", "count"]
AREA_TYPES = ("lsoa", "ward", "district")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_CODE = re.compile(r"^[EW]\d{8}$")


@dataclass
class PartnerMapping:
    """How a partner's file maps onto the schema (from a mapping YAML)."""

    name: str = "workbench schema"
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    month_format: str | None = None
    synthetic: bool | None = None
    drop: list[str] = field(default_factory=list)
    constants: dict[str, str] = field(default_factory=dict)


def load_mapping(path: str | os.PathLike[str]) -> PartnerMapping:
    """Read a partner mapping YAML.

    Keys: ``name``; ``columns`` (schema column: the file's column); ``values`` (schema
    column: {the file's code: the schema's value}); ``constants`` (schema column: one
    value for every row, e.g. ``area_type: ward``); ``month_format`` (a strftime format,
    e.g. ``"%b %Y"`` for "Jan 2025"); ``drop`` (the file's columns not needed).

    Raises
    ------
    ValueError
        If the file is missing, or maps onto a column the schema does not have.
    """
    from sa_lib.validation import read_bounded_yaml

    p = Path(path)
    if not p.exists():
        raise ValueError(f"partner mapping {p} does not exist. Fix: check data.partner_mapping.")
    # Bounded and alias-free, as every YAML the workbench reads from users.
    raw = read_bounded_yaml(p, what="partner mapping") or {}
    if not isinstance(raw, dict):
        raise ValueError(
            f"partner mapping {p.name} is not a mapping of keys. Fix: see the example."
        )
    if len(str(raw.get("name") or "")) > MAPPING_NAME_CAP:
        raise ValueError(
            f"partner mapping {p.name}: name is {len(str(raw['name'])):,} characters long; the cap "
            f"is {MAPPING_NAME_CAP} characters (it is shown on the pages). Fix: shorten it."
        )
    cols = {str(k): str(v) for k, v in (raw.get("columns") or {}).items()}
    unknown = sorted(set(cols) - set(COLUMNS) - {"synthetic"})
    if unknown:
        raise ValueError(
            f"partner mapping {p.name} maps onto {', '.join(unknown)}, which the partner schema "
            f"does not have. Schema columns: {', '.join(COLUMNS)} (and synthetic)."
        )
    return PartnerMapping(
        name=str(raw.get("name") or p.stem),
        columns=cols,
        values={
            str(k): {str(a): str(b) for a, b in v.items()}
            for k, v in (raw.get("values") or {}).items()
        },
        month_format=raw.get("month_format"),
        synthetic=raw.get("synthetic"),
        drop=[str(c) for c in raw.get("drop") or []],
        constants={str(k): str(v) for k, v in (raw.get("constants") or {}).items()},
    )


def _apply(raw: pd.DataFrame, m: PartnerMapping, name: str) -> pd.DataFrame:
    missing = [src for src in m.columns.values() if src not in raw.columns]
    if missing:
        raise ValueError(
            f"{name}: the mapping {m.name!r} names column(s) {', '.join(missing)}, which the file "
            f"does not have. It has: {', '.join(map(str, raw.columns))}."
        )
    out = pd.DataFrame({k: raw[src] for k, src in m.columns.items()}) if m.columns else raw.copy()
    for col, value in m.constants.items():
        out[col] = value
    for col, codes in m.values.items():
        if col in out:
            out[col] = out[col].astype(str).str.strip().map(lambda v, c=codes: c.get(v, v))
    if m.month_format and "month" in out:
        parsed = pd.to_datetime(
            out["month"].astype(str).str.strip(), format=m.month_format, errors="coerce"
        )
        out["month"] = parsed.dt.strftime("%Y-%m").where(parsed.notna(), out["month"].astype(str))
    if m.synthetic is not None and "synthetic" not in out:
        out["synthetic"] = bool(m.synthetic)
    return out


def _problems(df: pd.DataFrame) -> list[str]:
    """Every bad row, by its CSV line, with what is wrong and how to fix it."""
    checks = [
        (~df["area_type"].isin(AREA_TYPES), f"area_type is not one of {', '.join(AREA_TYPES)}"),
        (~df["area_code"].str.match(_CODE), "area_code is not an ONS code (E or W and 8 digits)"),
        (~df["month"].str.match(_MONTH), "month is not YYYY-MM"),
        (
            ~df["indicator"].isin(list(INDICATORS)),
            "indicator is not one of " + ", ".join(INDICATORS),
        ),
    ]
    n = pd.to_numeric(df["count"], errors="coerce")
    checks.append(((n.isna()) | (n < 0) | (n % 1 != 0), "count is not a whole number of 0 or more"))
    bad = np.column_stack([np.asarray(b, dtype=bool) for b, _ in checks])
    msgs = [msg for _, msg in checks]
    return [
        f"line {i + 2}: " + "; ".join(m for m, b in zip(msgs, bad[i], strict=True) if b)
        for i in np.flatnonzero(bad.any(axis=1))
    ]


def read_partner_indicators(
    path, mapping: PartnerMapping | str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Read a partner-indicator CSV (in the schema's shape, or through ``mapping``).

    Returns
    -------
    DataFrame
        ``area_type``, ``area_code``, ``month``, ``indicator``, ``count`` (int),
        ``synthetic`` (bool), one row per area, month and indicator (duplicates summed).

    Raises
    ------
    sa_lib.data.personal_data.PersonalDataError
        If the file holds personal data (names, dates of birth, addresses, ...).
    ValueError
        If a column is missing, or any row is bad: every bad row is listed by line.
    """
    key = _file_key(path, mapping)
    hit = _READ.get(key) if key is not None else None
    if hit is None:
        hit = _read(path, mapping)
        if key is not None:
            _READ[key] = hit
            while len(_READ) > 2:
                _READ.popitem(last=False)
    return hit.copy()


#: Partner files read (and checked for personal data) in this process, by content.
_READ: OrderedDict = OrderedDict()


def _file_key(path, mapping) -> tuple | None:
    """The files' paths and contents' digests; None when not both files (or none) on disk.

    A summary and the partner page of a pack read the same file: it is read and scanned
    once, and again whenever its bytes (or its mapping's) change. A refused file is not kept.
    """
    files = [path] if mapping is None else [path, mapping]
    if not all(isinstance(f, str | os.PathLike) and os.path.isfile(f) for f in files):
        return None
    return tuple(
        (str(Path(f).resolve()), hashlib.blake2b(Path(f).read_bytes()).hexdigest()) for f in files
    )


def _read(path, mapping) -> pd.DataFrame:
    from sa_lib.data.personal_data import refuse_personal_data

    name = getattr(path, "name", None) or str(path)
    if isinstance(path, str | os.PathLike) and not os.path.exists(path):
        raise ValueError(f"{name} does not exist. Fix: check data.partner_indicators.")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    refuse_personal_data(raw, source=str(name))
    m = (
        load_mapping(mapping)
        if isinstance(mapping, str | os.PathLike)
        else (mapping or PartnerMapping())
    )
    df = _apply(raw.drop(columns=[c for c in m.drop if c in raw.columns]), m, str(name))
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(
            f"{name} has no column(s) {', '.join(missing)}. Fix: give the columns "
            f"{', '.join(COLUMNS)}, or a mapping (data.partner_mapping) from the file's own columns."
        )
    for c in ("area_type", "indicator"):
        df[c] = df[c].astype(str).str.strip().str.lower()
    df["area_code"] = df["area_code"].astype(str).str.strip()
    df["month"] = df["month"].astype(str).str.strip()
    bad = _problems(df)
    if bad:
        shown = bad[:50] + ([f"... and {len(bad) - 50} more"] if len(bad) > 50 else [])
        raise ValueError(f"{name}: {len(bad)} bad row(s):\n  " + "\n  ".join(shown))
    syn = (
        df["synthetic"].astype(str).str.lower().isin(["true", "1", "yes"])
        if "synthetic" in df
        else False
    )
    out = df[COLUMNS].assign(count=pd.to_numeric(df["count"]).astype("int64"), synthetic=syn)
    keys = ["area_type", "area_code", "month", "indicator"]
    return out.groupby(keys, as_index=False).agg(
        count=("count", "sum"), synthetic=("synthetic", "max")
    )


def district_monthly(
    df: pd.DataFrame, lsoa_ward: pd.DataFrame, lad_codes: list[str]
) -> pd.DataFrame:
    """Each indicator's monthly count for the district, from whatever level it came at.

    LSOA rows count when the LSOA is in the district (``lsoa_ward``: ``lsoa_code``,
    ``ward_code``), ward rows when the ward is, district rows when the code is one of
    ``lad_codes``. An indicator given at more than one level is read at the finest.

    Returns
    -------
    DataFrame
        ``indicator``, ``month``, ``count``, ``level`` (the level read), ``synthetic``.
    """
    lsoas = set(lsoa_ward["lsoa_code"])
    wards = set(lsoa_ward["ward_code"])
    inside = (
        ((df["area_type"] == "lsoa") & df["area_code"].isin(lsoas))
        | ((df["area_type"] == "ward") & df["area_code"].isin(wards))
        | ((df["area_type"] == "district") & df["area_code"].isin(lad_codes))
    )
    d = df[inside]
    order = {"lsoa": 0, "ward": 1, "district": 2}
    finest = d.assign(_o=d["area_type"].map(order)).groupby("indicator")["_o"].transform("min")
    d = d[d["area_type"].map(order) == finest]
    return d.groupby(["indicator", "month"], as_index=False).agg(
        count=("count", "sum"), level=("area_type", "first"), synthetic=("synthetic", "max")
    )
