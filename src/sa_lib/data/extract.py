"""The record-level crime extract schema: one row per crime, pseudonymised.

police.uk data is public but coarse (one "Violence and sexual offences" type, a
month, no flags, no victim). A CSP analyst also receives a record-level extract
from the force. This module is the **canonical extract schema** that every
force extract is mapped onto (by :mod:`sa_lib.data.extract_mapping`): it coerces
and validates a frame against it, and loads an ingested extract.

The schema is a typed table spec, :data:`SCHEMA` (defined in
:mod:`sa_lib.data.extract_schema`, and importable from here): one :class:`Column`
per column with its dtype, whether it is required, its allowed values or pattern,
and a description. :func:`validate_extract` checks a frame against it and raises
a :class:`ValueError` naming the column, the first bad row (and its line in the
source CSV where known) and the fix. :func:`schema_markdown` renders the spec
as the Markdown table in ``docs/extract_schema.md``.

Dtypes (pandas): ``string`` (``"string"``), ``datetime`` (naive
``datetime64``, UK local time), ``date`` (``datetime64`` at midnight),
``bool`` (nullable ``"boolean"``: NA means "not recorded"), ``float``
(``float64``), ``category`` (``"string"`` limited to allowed values), ``int``
(``"Int64"``).

No personal data: the schema has no names, addresses, dates of birth or contact
details; victims are a pseudonymised id, an age band and sex. Columns outside
the schema are refused (data minimisation).

Examples
--------
>>> import pandas as pd
>>> from sa_lib.data.extract import coerce_extract, validate_extract
>>> raw = pd.DataFrame({
...     "crime_ref": ["X1"], "committed_from": ["2024-01-05 22:30"],
...     "recorded_date": ["2024-01-06"], "ho_offence_code": ["8N"],
...     "crime_type": ["Violence and sexual offences"], "domestic_abuse": ["false"]})
>>> df = coerce_extract(raw)
>>> df["month"].tolist(), df["domestic_abuse"].tolist()
(['2024-01'], [False])
>>> validate_extract(df)
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from sa_lib.data.extract_schema import (
    AGE_BANDS,
    COLUMNS,
    CRIME_TYPES,
    FLAGS,
    HO_OFFENCE_CODES,
    LOCATION_TYPES,
    REQUIRED,
    SCHEMA,
    SCHEMA_DOC,
    SCHEMA_VERSION,
    SEXES,
    SUBGROUPS,
    VSO,
    Column,
    age_to_band,
    schema_markdown,
    schema_table,
)
from sa_lib.validation import check_parquet_bounds, first_bad_row, require_dataframe

__all__ = [
    "Column",
    "SCHEMA",
    "SCHEMA_VERSION",
    "COLUMNS",
    "REQUIRED",
    "CRIME_TYPES",
    "VSO",
    "SUBGROUPS",
    "AGE_BANDS",
    "SEXES",
    "LOCATION_TYPES",
    "FLAGS",
    "HO_OFFENCE_CODES",
    "age_to_band",
    "coerce_extract",
    "validate_extract",
    "load_extract",
    "schema_table",
    "schema_markdown",
    "SCHEMA_DOC",
]

_BY_NAME = {c.name: c for c in SCHEMA}

_MAPPING_FIX = (
    "map it in the extract mapping YAML (see docs/extract_schema.md) and ingest with "
    "`sa ingest-extract --mapping mapping.yaml extract.csv`"
)
_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def _where(df: pd.DataFrame, label: object) -> str:
    where = f"row {label!r}"
    if "source_line" in df.columns:
        line = df["source_line"].loc[label]
        if pd.notna(line):
            where += f" (CSV line {int(line)})"
    return where


def _fail(
    df: pd.DataFrame,
    col: str,
    mask,
    problem: str,
    fix: str,
    arg: str,
    *,
    show_value: bool = True,
) -> None:
    mask = np.asarray(mask, dtype=bool)
    label = first_bad_row(df, mask)
    if label is None:
        return
    value = f" {df[col].loc[label]!r}" if show_value else ""
    raise ValueError(
        f"{arg}[{col!r}] {problem}: {int(mask.sum())} bad value(s); the first is{value} at "
        f"{_where(df, label)}.\nFix: {fix}"
    )


def _as_text(s: pd.Series) -> pd.Series:
    t = s.astype("string").str.strip()
    return t.mask(t == "")


def coerce_extract(
    df: pd.DataFrame,
    *,
    arg: str = "extract",
    date_formats: dict[str, str | list[str]] | None = None,
) -> pd.DataFrame:
    """Convert a frame with schema column names (values as text or typed) to schema dtypes.

    Text is stripped (empty means missing); dates are parsed with ``date_formats``
    (column -> strptime format or list of formats; default ISO 8601); flags accept
    true/false, 1/0, yes/no, y/n; ``month`` is derived from ``recorded_date`` when
    absent. Missing optional columns are added as all-missing, and columns come
    back in schema order. Call :func:`validate_extract` on the result.

    Parameters
    ----------
    df : DataFrame
        Columns named as in :data:`SCHEMA` (extra columns raise in validation).
    arg : str
        Name used in error messages.
    date_formats : dict, optional
        Per-column date formats.

    Returns
    -------
    DataFrame
        A new frame with every schema column, in schema order, plus any extra columns.

    Raises
    ------
    ValueError
        Naming the column and first row for an unparseable date, flag or number.

    Examples
    --------
    >>> import pandas as pd
    >>> out = coerce_extract(pd.DataFrame({"recorded_date": ["03/02/2024"]}),
    ...                      date_formats={"recorded_date": "%d/%m/%Y"})
    >>> str(out["recorded_date"].iloc[0].date()), out["month"].iloc[0]
    ('2024-02-03', '2024-02')
    """
    require_dataframe(df, arg)
    date_formats = date_formats or {}
    out = df.copy()
    for c in SCHEMA:
        if c.name not in out.columns:
            if c.name == "month" and "recorded_date" in out.columns:
                continue  # derived below
            dt = _pandas_dtype(c.dtype)
            na = np.nan if dt == "float64" else pd.NaT if dt.startswith("datetime") else pd.NA
            out[c.name] = pd.Series(na, index=out.index, dtype=dt)
            continue
        s = out[c.name]
        if c.dtype in ("string", "category"):
            if not (
                pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s) or s.isna().all()
            ):
                _fail(
                    out,
                    c.name,
                    s.notna(),
                    f"must be text, got dtype {s.dtype}",
                    f"give {c.name} as text; {_MAPPING_FIX}.",
                    arg,
                )
            out[c.name] = _as_text(s)
        elif c.dtype in ("datetime", "date"):
            out[c.name] = _parse_dates(out, c.name, date_formats.get(c.name), arg)
            if c.dtype == "date":
                out[c.name] = out[c.name].dt.normalize()
        elif c.dtype == "bool":
            out[c.name] = _parse_bool(out, c.name, arg)
        elif c.dtype in ("float", "int"):
            if pd.api.types.is_bool_dtype(s):
                num = pd.Series(np.nan, index=s.index)
                bad = s.notna()
            elif pd.api.types.is_numeric_dtype(s):
                num, bad = s.astype("float64"), pd.Series(False, index=s.index)
            else:
                t = _as_text(s)
                num = pd.to_numeric(t, errors="coerce")
                bad = num.isna() & t.notna()
            _fail(
                out,
                c.name,
                bad,
                "must be a number",
                f"clean the source column mapped to {c.name}.",
                arg,
            )
            out[c.name] = num.astype("float64") if c.dtype == "float" else num.astype("Int64")
    if "month" not in df.columns and "recorded_date" in out.columns:
        out["month"] = out["recorded_date"].dt.strftime("%Y-%m").astype("string")
    extra = [c for c in out.columns if c not in _BY_NAME]
    return out[list(COLUMNS) + extra]


def _pandas_dtype(dtype: str) -> str:
    return {
        "string": "string",
        "category": "string",
        "datetime": "datetime64[us]",
        "date": "datetime64[us]",
        "bool": "boolean",
        "float": "float64",
        "int": "Int64",
    }[dtype]


def _parse_dates(df: pd.DataFrame, col: str, fmt, arg: str) -> pd.Series:
    s = df[col]
    if pd.api.types.is_datetime64_any_dtype(s):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_convert("Europe/London").dt.tz_localize(None)
        return s.astype("datetime64[us]")
    t = _as_text(s)
    formats = [fmt] if isinstance(fmt, str) else list(fmt or ["ISO8601"])
    parsed = pd.Series(pd.NaT, index=t.index, dtype="datetime64[us]")
    for f in formats:
        todo = parsed.isna() & t.notna()
        if not todo.any():
            break
        got = pd.to_datetime(t[todo], format=f, errors="coerce")
        if getattr(got.dt, "tz", None) is not None:
            got = got.dt.tz_convert("Europe/London").dt.tz_localize(None)
        parsed.loc[todo] = got.astype("datetime64[us]")
    bad = parsed.isna() & t.notna()
    shown = " or ".join(repr(f) for f in formats)
    _fail(
        df,
        col,
        bad,
        f"is not a date in the expected format {shown}",
        f"set the right format for {col} under `dates:` in the mapping YAML "
        f"(e.g. {col}: '%d/%m/%Y %H:%M' for 31/01/2024 23:15), or correct the bad rows.",
        arg,
    )
    return parsed


def _parse_bool(df: pd.DataFrame, col: str, arg: str) -> pd.Series:
    s = df[col]
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean")
    if pd.api.types.is_numeric_dtype(s) and not s.isna().all():
        ok = s.isna() | s.isin([0, 1])
        _fail(df, col, ~ok, "must be a flag (True/False or 1/0)", _flag_fix(col), arg)
        return s.map({1: True, 0: False}).astype("boolean")
    t = _as_text(s).str.lower()
    good = t.isna() | t.isin(_TRUE | _FALSE)
    _fail(df, col, ~good.to_numpy(), "must be a flag (True/False)", _flag_fix(col), arg)
    return t.map(lambda v: v in _TRUE if isinstance(v, str) else pd.NA).astype("boolean")


def _flag_fix(col: str) -> str:
    return (
        f"list the force's codes for {col} under `flags:` in the mapping YAML, e.g. "
        f"{col}: {{'Y': true, 'N': false}}."
    )


def validate_extract(df: pd.DataFrame, *, arg: str = "extract") -> None:
    """Check a frame against the extract schema; raise ValueError on the first problem.

    Checks, in order: required columns present; no columns outside the schema (data
    minimisation: anything unlisted could be personal data); each column's dtype;
    required values present; allowed values, patterns and ranges; ``crime_ref``
    unique; ``committed_to`` not before ``committed_from``; ``month`` equal to the
    month of ``recorded_date``; ``offence_subgroup`` only on violence and sexual
    offences rows; coordinate pairs complete.

    Parameters
    ----------
    df : DataFrame
        A frame in schema dtypes (see :func:`coerce_extract`).
    arg : str
        Name used in messages.

    Raises
    ------
    ValueError
        Naming the column, the first bad row (and CSV line where known) and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> try:
    ...     validate_extract(pd.DataFrame({"crime_ref": ["A"]}))
    ... except ValueError as e:
    ...     print(str(e).splitlines()[0][:60])
    extract is missing required column(s): 'committed_from', 're
    """
    require_dataframe(df, arg)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise ValueError(
            f"{arg} is missing required column(s): {', '.join(map(repr, missing))}.\n"
            f"It has: {', '.join(map(repr, df.columns)) or '(no columns)'}.\n"
            f"Fix: {_MAPPING_FIX}; under `columns:` give the force's column for each."
        )
    extra = [c for c in df.columns if c not in _BY_NAME]
    if extra:
        raise ValueError(
            f"{arg} has column(s) outside the extract schema: {', '.join(map(repr, extra))}.\n"
            f"Fix: drop them. The workbench keeps only schema columns (data minimisation): "
            f"anything else could be personal data. Schema columns: {', '.join(COLUMNS)}."
        )
    for c in SCHEMA:
        if c.name not in df.columns:
            continue
        s = df[c.name]
        _check_dtype(df, c, arg)
        if c.required and not c.nullable:
            _fail(
                df,
                c.name,
                s.isna(),
                "is required but missing",
                f"every row needs {c.name}; check the source column mapped to it.",
                arg,
                show_value=False,
            )
        present = s.notna().to_numpy()
        if c.allowed is not None:
            bad = present & ~s.isin(c.allowed).to_numpy()
            _fail(
                df,
                c.name,
                bad,
                "has a value that is not allowed",
                f"use one of {', '.join(map(repr, c.allowed))}; recode the force's values "
                f"under `values: {c.name}:` in the mapping YAML.",
                arg,
            )
        if c.pattern is not None:
            ok = s.astype("string").str.fullmatch(c.pattern).fillna(True).to_numpy(dtype=bool)
            _fail(
                df,
                c.name,
                present & ~ok,
                f"does not match the pattern {c.pattern}",
                _pattern_fix(c.name),
                arg,
            )
        if c.bounds is not None:
            lo, hi = c.bounds
            bad = present & ~s.between(lo, hi).to_numpy(dtype=bool)
            _fail(
                df,
                c.name,
                bad,
                f"is outside the range {lo}..{hi} for England and Wales",
                "check the coordinate system: easting/northing are British National Grid "
                "metres, longitude/latitude WGS84 degrees (not swapped).",
                arg,
            )
    _cross_checks(df, arg)


def _pattern_fix(col: str) -> str:
    return {
        "crime_ref": "use the pseudonymised reference (no spaces).",
        "victim_id": "use the pseudonymised victim id (no spaces).",
        "month": "give YYYY-MM, or leave month out and it is derived from recorded_date.",
        "ho_offence_code": "give the Home Office classification code (e.g. 8N, 105A, 4/1).",
        "lsoa_code": "give a 9-character LSOA code such as E01018212.",
    }.get(col, "correct the value.")


def _check_dtype(df: pd.DataFrame, c: Column, arg: str) -> None:
    s = df[c.name]
    if s.isna().all():
        return
    if c.dtype in ("datetime", "date"):
        ok = pd.api.types.is_datetime64_any_dtype(s) and getattr(s.dt, "tz", None) is None
        if not ok:
            _fail(
                df,
                c.name,
                s.notna(),
                f"must be a naive datetime64 column, got dtype {s.dtype}",
                "parse it with sa_lib.data.extract.coerce_extract (formats under `dates:` in the "
                "mapping YAML).",
                arg,
            )
        if c.dtype == "date":
            _fail(
                df,
                c.name,
                (s.notna() & (s != s.dt.normalize())).to_numpy(),
                "must be a date (time 00:00)",
                f"keep only the date part of {c.name}.",
                arg,
            )
        return
    if c.dtype == "bool":
        if not pd.api.types.is_bool_dtype(s):
            bad = s.notna() & ~s.isin([True, False])
            _fail(
                df,
                c.name,
                bad.to_numpy(dtype=bool),
                f"must be a True/False flag, got dtype {s.dtype}",
                _flag_fix(c.name),
                arg,
            )
        return
    if c.dtype in ("float", "int"):
        if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            num = pd.to_numeric(s, errors="coerce")
            bad = (num.isna() & s.notna()).to_numpy(dtype=bool)
            if not bad.any():
                bad = s.notna().to_numpy(dtype=bool)
            _fail(
                df,
                c.name,
                bad,
                f"must be numeric, got dtype {s.dtype}",
                f"convert {c.name} to numbers (coerce_extract does it for text).",
                arg,
            )
        return
    if not (pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s)):
        _fail(
            df,
            c.name,
            s.notna(),
            f"must be text, got dtype {s.dtype}",
            f"give {c.name} as text.",
            arg,
        )
    bad = s.notna() & ~s.map(lambda v: isinstance(v, str), na_action="ignore").fillna(True)
    _fail(
        df,
        c.name,
        bad.to_numpy(dtype=bool),
        "must be text",
        f"give {c.name} as text.",
        arg,
    )


def _cross_checks(df: pd.DataFrame, arg: str) -> None:
    dup = df["crime_ref"].duplicated(keep="first") & df["crime_ref"].notna()
    _fail(
        df,
        "crime_ref",
        dup,
        "must be unique per row but repeats",
        "give one row per crime; if the force exports one row per victim or offence, keep "
        "the principal offence or add a suffix to the pseudonymised reference.",
        arg,
    )
    if "committed_to" in df.columns:
        bad = (df["committed_to"] < df["committed_from"]).fillna(False)
        _fail(
            df,
            "committed_to",
            bad,
            "is before committed_from",
            "check the from/to columns are not swapped in the mapping.",
            arg,
        )
    ok = df["recorded_date"].dt.strftime("%Y-%m").astype("string") == df["month"].astype("string")
    _fail(
        df,
        "month",
        ~ok.fillna(True).to_numpy(dtype=bool),
        "is not the month of recorded_date",
        "leave month out of the mapping; it is derived from recorded_date.",
        arg,
    )
    if "offence_subgroup" in df.columns:
        bad = df["offence_subgroup"].notna() & (df["crime_type"] != VSO)
        _fail(
            df,
            "offence_subgroup",
            bad.to_numpy(dtype=bool),
            "is set on a row that is not 'Violence and sexual offences'",
            "subgroups apply to violence and sexual offences only; check the offence code "
            "lookup (`offence_codes:` in the mapping YAML).",
            arg,
        )
    for a, b in (("easting", "northing"), ("longitude", "latitude")):
        if a in df.columns and b in df.columns:
            half = df[a].isna() != df[b].isna()
            col = a if df[a].isna().any() else b
            _fail(
                df,
                col,
                half.to_numpy(dtype=bool),
                f"must be given together with {b if col == a else a}",
                "give both coordinates of the pair or neither.",
                arg,
            )


def load_extract(path: str | os.PathLike[str], *, validate: bool = True) -> pd.DataFrame:
    """Load an ingested extract (Parquet from ``sa ingest-extract``) or a schema-shaped CSV.

    Parameters
    ----------
    path : path-like
        A ``.parquet`` file written by :func:`sa_lib.data.extract_mapping.ingest_extract`,
        or a ``.csv``/``.csv.gz`` whose columns are already the schema's (ISO dates),
        such as the shipped synthetic extract.
    validate : bool, default True
        Run :func:`validate_extract`.

    Raises
    ------
    PersonalDataError
        When any column holds personal data (:mod:`sa_lib.data.personal_data`): the
        refusal runs on every load, not only at ``sa ingest-extract``.

    Returns
    -------
    DataFrame
        Every schema column in schema dtypes.

    Examples
    --------
    >>> from sa_lib.data.extract import load_extract  # doctest: +SKIP
    >>> ex = load_extract("data/sample/synthetic/extract_synthetic.csv.gz")  # doctest: +SKIP
    >>> ex["synthetic"].all()  # doctest: +SKIP
    True
    """
    p = Path(path)
    if not p.exists():
        raise ValueError(
            f"{p}: no such extract. Fix: ingest one with `sa ingest-extract --mapping "
            f"mapping.yaml extract.csv`, or use data/sample/synthetic/extract_synthetic.csv.gz."
        )
    name = p.name.lower()
    if name.endswith(".parquet"):
        # Rows and size from the footer before any row is read (a small file can declare
        # 100 million rows).
        check_parquet_bounds(p, what="extract")
        df = pd.read_parquet(p)
        df.attrs["row_kind"] = "row"  # personal-data messages give the row, not a CSV line
    elif name.endswith((".csv", ".csv.gz")):
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    else:
        raise ValueError(
            f"{p}: unknown extract format. Fix: give a .parquet (from sa ingest-extract) or a "
            f"schema-shaped .csv/.csv.gz."
        )
    # The same personal-data refusal as `sa ingest-extract`, on every path that loads an extract.
    from sa_lib.data.personal_data import refuse_personal_data

    refuse_personal_data(df, source=str(p))
    df = coerce_extract(df, arg=str(p))
    if validate:
        validate_extract(df, arg=str(p))
    return df
