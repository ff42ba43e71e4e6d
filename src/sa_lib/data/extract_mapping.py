"""Map a force's own extract onto the workbench extract schema, refusing personal data.

Each force exports crimes with its own column names, date formats and flag codes.
A small YAML **mapping file** (read by :mod:`sa_lib.data.extract_mapping_file`) says
how they map onto the schema in :mod:`sa_lib.data.extract`; :func:`ingest_extract` reads the CSV, refuses personal data,
applies the mapping, validates the result and writes Parquet outside git.

Mapping file format (all keys but ``name`` and ``columns`` optional)::

    name: Example Force B (RMS export)
    csv: {delimiter: ",", encoding: utf-8, skip_rows: 0}
    columns:                  # schema column: the force's column
      crime_ref: Occurrence Ref
      committed_from: Offence From
      recorded_date: Date Recorded
      ho_offence_code: HOCR Code
      domestic_abuse: DA Marker
      victim_age_band: Victim Age
    dates:                    # strptime format (or a list) per date column
      committed_from: "%d/%m/%Y %H:%M"
      recorded_date: "%d/%m/%Y"
    flags:                    # the force's codes -> true / false / null (not recorded)
      domestic_abuse: {"Y": true, "N": false, "": false}
    values:                   # recode categorical values onto the schema's
      victim_sex: {F: Female, M: Male, U: Unknown}
    age_years: [victim_age_band]   # the mapped column holds age in years: band it
    offence_codes:            # extra or overriding HO code lookups
      "8S": {crime_type: Violence and sexual offences, subgroup: Violence with injury}
    constants: {synthetic: false}
    drop: [Beat]              # force columns deliberately not used (silences the warning)

Without ``columns: crime_type`` the police.uk crime type (and the ONS subgroup and
description where not mapped) come from the offence code via
:data:`sa_lib.data.extract.HO_OFFENCE_CODES` plus ``offence_codes``. ``month`` is derived
from ``recorded_date``. Easting/northing and longitude/latitude are completed from
each other.

Personal data are refused before anything is mapped (:mod:`sa_lib.data.personal_data`).

Real extracts never enter git: the output must be a path git ignores (``data/raw``
and ``data/processed`` are ignored) or outside any repository.

Examples
--------
>>> from sa_lib.data.extract_mapping import ingest_extract  # doctest: +SKIP
>>> ingest_extract("data/raw/force_b.csv", "config/extract_mappings/example_force_b.yaml",
...                "data/processed/extract/force_b.parquet")  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sa_lib import config
from sa_lib.data.extract import coerce_extract, validate_extract
from sa_lib.data.extract_mapping_file import ExtractMapping, _suggest, load_mapping
from sa_lib.data.extract_schema import FLAGS, REQUIRED, SCHEMA, age_to_band
from sa_lib.data.personal_data import refuse_personal_data
from sa_lib.validation import require_dataframe, warn

__all__ = [
    "ExtractMapping",
    "UnsafeOutputError",
    "DEFAULT_EXTRACT_PATH",
    "load_mapping",
    "read_extract_csv",
    "apply_mapping",
    "check_output_path",
    "ingest_extract",
]

DEFAULT_EXTRACT_PATH = config.PROCESSED_DIR / "extract" / "extract.parquet"

_DEFAULT_FLAG_CODES: dict[str, bool | None] = {
    "true": True,
    "True": True,
    "TRUE": True,
    "1": True,
    "false": False,
    "False": False,
    "FALSE": False,
    "0": False,
    "": None,
}


class UnsafeOutputError(ValueError):
    """The output path is tracked by git, or inside a repository and not ignored."""


def read_extract_csv(
    path: str | os.PathLike[str], mapping: ExtractMapping | None = None
) -> pd.DataFrame:
    """Read a force extract CSV as text (every value a string, blanks as "").

    Returns
    -------
    DataFrame
        The force's columns as text; ``attrs["first_line"]`` is the CSV line of the first row.
    """
    p = Path(path)
    if not p.exists():
        raise ValueError(f"{p}: no such extract file. Fix: check the path.")
    opts = (mapping.csv if mapping else {}) or {}
    skip = int(opts.get("skip_rows", 0) or 0)
    try:
        df = pd.read_csv(
            p,
            dtype=str,
            keep_default_na=False,
            sep=str(opts.get("delimiter", ",")),
            encoding=str(opts.get("encoding", "utf-8-sig")),
            skiprows=skip,
        )
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as e:
        raise ValueError(
            f"{p}: cannot be read as CSV ({e}). Fix: export it as CSV; set csv.delimiter and "
            f"csv.encoding in the mapping if the force uses others."
        ) from e
    df.columns = [str(c).strip() for c in df.columns]
    df.attrs["first_line"] = skip + 2
    return df


# ---- mapping ---------------------------------------------------------------------------


def _col_hint(col: str) -> str:
    desc = next(c.description for c in SCHEMA if c.name == col)
    return f"    {col}: <the force's column>   # {desc}"


def apply_mapping(
    raw: pd.DataFrame, mapping: ExtractMapping, *, source: str = "extract"
) -> pd.DataFrame:
    """Turn a raw force extract into a validated schema frame.

    Steps: refuse personal data; check every required schema column is mapped (or
    derivable) and every mapped force column exists; recode flags (unknown codes
    are listed), categorical values and ages in years; derive ``crime_type``,
    ``offence_subgroup`` and ``ho_offence_description`` from the offence code where
    not mapped; complete coordinates; parse dates; validate.

    Parameters
    ----------
    raw : DataFrame
        The force's columns, as text (:func:`read_extract_csv`).
    mapping : ExtractMapping
        From :func:`load_mapping`.
    source : str
        Name of the file, for messages.

    Returns
    -------
    DataFrame
        Every schema column in schema dtypes (see :data:`sa_lib.data.extract.SCHEMA`),
        with ``source_line`` the row's line in the CSV.

    Raises
    ------
    PersonalDataError
        If the extract holds personal data.
    ValueError
        Listing unmapped required columns, missing force columns or unknown codes,
        each with the fix; or a schema error naming the column and first bad row.

    Examples
    --------
    >>> import pandas as pd
    >>> m = ExtractMapping(name="t", columns={"crime_ref": "Ref", "committed_from": "When",
    ...     "recorded_date": "Rec", "ho_offence_code": "HO", "domestic_abuse": "DA"},
    ...     dates={"committed_from": ["%d/%m/%Y %H:%M"], "recorded_date": ["%d/%m/%Y"]},
    ...     flags={"domestic_abuse": {"Y": True, "N": False}})
    >>> raw = pd.DataFrame({"Ref": ["R1"], "When": ["05/01/2024 23:10"], "Rec": ["06/01/2024"],
    ...                     "HO": ["8N"], "DA": ["Y"]})
    >>> out = apply_mapping(raw, m)
    >>> [str(v) for v in out.loc[0, ["crime_type", "offence_subgroup", "domestic_abuse"]]]
    ['Violence and sexual offences', 'Violence with injury', 'True']
    """
    require_dataframe(raw, "raw")
    raw = raw.copy()
    raw.columns = [str(c).strip() for c in raw.columns]
    refuse_personal_data(raw, source=source, mapping=mapping)
    _check_mapped(raw, mapping, source)
    cols = mapping.columns
    first = int(raw.attrs.get("first_line", 2))
    lines = np.arange(first, first + len(raw), dtype="int64")
    out = pd.DataFrame({k: raw[v].astype("string").str.strip() for k, v in cols.items()})
    out.index = raw.index
    _recode_flags(out, mapping, lines, source)
    _recode_values_and_ages(out, mapping, lines, source)
    _from_offence_code(out, mapping, lines, source)
    for k, v in mapping.constants.items():
        out[k] = v
    if "synthetic" not in out.columns:
        out["synthetic"] = False  # a force extract is real unless it says otherwise
    out = _complete_coordinates(out)
    out["source_line"] = lines
    out = coerce_extract(out, arg=source, date_formats=mapping.dates)
    validate_extract(out, arg=source)
    return out.reset_index(drop=True)


def _check_mapped(raw: pd.DataFrame, mapping: ExtractMapping, source: str) -> None:
    """Every required column mapped (or derivable), every mapped column present; warn of unused ones."""
    cols = mapping.columns
    derivable = {"month"} | ({"crime_type"} if "ho_offence_code" in cols else set())
    unmapped = [
        c for c in REQUIRED if c not in cols and c not in mapping.constants and c not in derivable
    ]
    if unmapped:
        near = []
        for c in unmapped:
            guess = difflib.get_close_matches(
                c.replace("_", " "), [str(x).lower() for x in raw.columns], n=1, cutoff=0.4
            )
            if guess:
                orig = next(x for x in raw.columns if str(x).lower() == guess[0])
                near.append(f"{c} -> perhaps {orig!r}?")
        raise ValueError(
            f"{mapping.path}: required schema column(s) not mapped: {', '.join(unmapped)}.\n"
            f"Fix: add under `columns:` in {mapping.path}:\n"
            + "\n".join(_col_hint(c) for c in unmapped)
            + (f"\nCandidates in {source}: " + "; ".join(near) if near else "")
            + f"\n{source} has columns: {', '.join(map(repr, raw.columns))}."
        )
    absent = [(k, v) for k, v in cols.items() if v not in raw.columns]
    if absent:
        lines = [
            f"  - {k}: {v!r} is not a column of {source}.{_suggest(v, raw.columns)}"
            for k, v in absent
        ]
        raise ValueError(
            f"{mapping.path}: mapped column(s) missing from the extract:\n"
            + "\n".join(lines)
            + f"\n{source} has columns: {', '.join(map(repr, raw.columns))}.\n"
            f"Fix: correct the names under `columns:` (they must match the header exactly)."
        )
    unused = [c for c in raw.columns if c not in cols.values() and c not in mapping.drop]
    if unused:
        warn(
            f"{source}: ignoring column(s) not in the mapping: {', '.join(map(repr, unused))}. "
            f"They are not kept. List them under `drop:` in {mapping.path} to silence this."
        )


def _recode_flags(
    out: pd.DataFrame, mapping: ExtractMapping, lines: np.ndarray, source: str
) -> None:
    """Flag codes -> True, False or NA, in place; a code not in the mapping is refused."""
    cols = mapping.columns
    for flag in FLAGS:
        if flag not in out.columns:
            continue
        codes = out[flag].fillna("")
        fmap = mapping.flags.get(flag, _DEFAULT_FLAG_CODES)
        known = codes.isin(list(fmap))
        if not known.all():
            bad = codes[~known]
            counts = bad.value_counts()
            parts = []
            for code, n in counts.items():
                pos = int(np.argmax((codes == code).to_numpy()))
                parts.append(f"{code!r} ({n} row(s), first at CSV line {lines[pos]})")
            example = ", ".join(f"{c!r}: true" for c in list(counts.index)[:2])
            raise ValueError(
                f"{source}: column {cols[flag]!r} (mapped to {flag}) has code(s) not in the "
                f"mapping: {', '.join(parts)}.\nKnown codes: "
                f"{', '.join(repr(c) for c in fmap) or 'none'}.\n"
                f"Fix: add them under `flags: {flag}:` in {mapping.path}, e.g. {{{example}}} "
                f"(true, false, or null for not recorded)."
            )
        out[flag] = codes.map(fmap).astype("boolean")


def _recode_values_and_ages(
    out: pd.DataFrame, mapping: ExtractMapping, lines: np.ndarray, source: str
) -> None:
    """Categorical values recoded and ages in years banded, in place."""
    cols = mapping.columns
    for col, vmap in mapping.values.items():
        if col in out.columns:
            out[col] = out[col].map(lambda v, m=vmap: m.get(v, v) if pd.notna(v) else v)
            out[col] = out[col].astype("string")
    for col in mapping.age_years:
        if col not in out.columns:
            continue
        t = out[col].mask(out[col] == "")
        num = pd.to_numeric(t, errors="coerce")
        bad = (num.isna() & t.notna()) | (num < 0) | (num > 120)
        if bad.any():
            pos = int(np.argmax(bad.to_numpy(dtype=bool)))
            raise ValueError(
                f"{source}: column {cols[col]!r} (age in years for {col}) has a value that is "
                f"not an age at CSV line {lines[pos]}.\nFix: ages must be whole years 0-120, "
                f"or remove {col} from `age_years:` if the column already holds bands."
            )
        out[col] = age_to_band(num)


def _from_offence_code(
    out: pd.DataFrame, mapping: ExtractMapping, lines: np.ndarray, source: str
) -> None:
    """Crime type, subgroup and description derived from the offence code where not mapped, in place."""
    table = mapping.code_table()
    if "ho_offence_code" in out.columns:
        code = out["ho_offence_code"].str.upper()
        out["ho_offence_code"] = code
        if "crime_type" not in out.columns and "crime_type" not in mapping.constants:
            unknown = code.notna() & ~code.isin(list(table))
            if unknown.any():
                counts = code[unknown].value_counts()
                pos = int(np.argmax(unknown.to_numpy()))
                raise ValueError(
                    f"{source}: offence code(s) with no police.uk crime type: "
                    f"{', '.join(f'{c!r} ({n})' for c, n in counts.items())}; first at CSV line "
                    f"{lines[pos]}.\nFix: add them under `offence_codes:` in {mapping.path}, "
                    f"e.g.\n  offence_codes:\n    {counts.index[0]!r}: "
                    f"{{crime_type: Violence and sexual offences, subgroup: Violence with injury}}\n"
                    f"or map a crime-type column under `columns: crime_type`."
                )
            out["crime_type"] = code.map(lambda c: table[c][1] if c in table else pd.NA)
        if "offence_subgroup" not in out.columns and "offence_subgroup" not in mapping.constants:
            out["offence_subgroup"] = code.map(lambda c: table[c][2] if c in table else None)
            out["offence_subgroup"] = out["offence_subgroup"].astype("string")
        if "ho_offence_description" not in out.columns:
            out["ho_offence_description"] = code.map(
                lambda c: (table[c][0] or pd.NA) if c in table else pd.NA
            ).astype("string")


def _complete_coordinates(df: pd.DataFrame) -> pd.DataFrame:
    from pyproj import Transformer

    has_bng = {"easting", "northing"} <= set(df.columns)
    has_wgs = {"longitude", "latitude"} <= set(df.columns)
    if has_bng == has_wgs:
        return df
    if has_wgs:
        lon = pd.to_numeric(df["longitude"], errors="coerce")
        lat = pd.to_numeric(df["latitude"], errors="coerce")
        tr = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
        x, y = tr.transform(lon.to_numpy(float), lat.to_numpy(float))
        df["easting"], df["northing"] = np.round(x, 1), np.round(y, 1)
    else:
        e = pd.to_numeric(df["easting"], errors="coerce")
        n = pd.to_numeric(df["northing"], errors="coerce")
        tr = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        x, y = tr.transform(e.to_numpy(float), n.to_numpy(float))
        df["longitude"], df["latitude"] = np.round(x, 6), np.round(y, 6)
    return df


# ---- output safety --------------------------------------------------------------------


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)


def _refuse_under_outputs(p: Path) -> None:
    """Refuse a path under ``outputs/`` or inside a published pack: a run replaces those."""
    outputs = config.OUTPUTS_DIR.resolve()
    real = p.resolve()
    # ".sa-run" is the runner's marker of a pack folder (sa_lib.pack.runner.MARKER).
    inside_pack = any(
        (a / ".sa-run").is_file() or (a / "manifest.json").is_file() for a in real.parents
    )
    if real == outputs or outputs in real.parents or inside_pack:
        raise UnsafeOutputError(
            f"{p} is under the packs' output folder, which `sa run` replaces and cleans, so "
            f"the extract would be deleted. Fix: write it under data/processed/extract/ "
            f"(the default) or another folder outside outputs/."
        )


def check_output_path(path: str | os.PathLike[str]) -> Path:
    """Refuse an output path that git tracks, or that is in a repository and not ignored.

    A path outside any git repository is allowed. Inside one, the path must be
    ignored by ``.gitignore`` (``git check-ignore``) and not tracked
    (``git ls-files``), so extract data can never be committed by accident.

    Returns
    -------
    pathlib.Path
        The absolute path, when allowed.

    Raises
    ------
    UnsafeOutputError
        Naming the path, the repository and the fix.

    Examples
    --------
    >>> from sa_lib import config
    >>> check_output_path(config.PROCESSED_DIR / "extract" / "x.parquet").name
    'x.parquet'
    """
    p = Path(os.path.abspath(os.fspath(path)))
    _refuse_under_outputs(p)
    anc = p.parent
    while not anc.exists():
        anc = anc.parent
    tail = p.relative_to(anc)
    anc = anc.resolve()
    try:
        top = _git(["rev-parse", "--show-toplevel"], anc)
    except FileNotFoundError as e:
        if any((a / ".git").exists() for a in (anc, *anc.parents)):
            raise UnsafeOutputError(
                f"{p} is inside a git repository but git is not installed, so the workbench "
                f"cannot check it is ignored. Fix: install git, or write outside the repository."
            ) from e
        return p
    if top.returncode != 0:
        return p  # not in a git repository
    root = Path(top.stdout.strip()).resolve()
    rel = (anc.relative_to(root) / tail).as_posix()
    fix = (
        "Fix: write extracts under data/processed/ (or data/raw/), which .gitignore excludes, "
        "or outside the repository. Real extracts must never enter git."
    )
    tracked = _git(["ls-files", "--", rel], root)
    if tracked.returncode == 0 and tracked.stdout.strip():
        raise UnsafeOutputError(
            f"Refusing to write extract data to {p}: git tracks {rel!r} in {root}.\n{fix}"
        )
    ignored = _git(["check-ignore", "-q", "--", rel], root)
    if ignored.returncode == 1:
        raise UnsafeOutputError(
            f"Refusing to write extract data to {p}: it is inside the git repository {root} and "
            f"not ignored, so `git add` would pick it up.\n{fix}"
        )
    if ignored.returncode not in (0, 1):
        raise UnsafeOutputError(
            f"Could not check {p} with git check-ignore ({ignored.stderr.strip()}).\n{fix}"
        )
    return p


def _warn_if_input_exposed(csv_path: Path) -> None:
    d = csv_path.resolve().parent
    try:
        top = _git(["rev-parse", "--show-toplevel"], d)
    except FileNotFoundError:
        return
    if top.returncode != 0:
        return
    root = Path(top.stdout.strip()).resolve()
    rel = csv_path.resolve().relative_to(root).as_posix()
    tracked = _git(["ls-files", "--", rel], root).stdout.strip()
    ignored = _git(["check-ignore", "-q", "--", rel], root).returncode == 0
    if not tracked and not ignored:
        warn(
            f"{csv_path} is inside the git repository and not ignored: it could be committed by "
            f"accident. Move real extracts to data/raw/ (git-ignored)."
        )


def ingest_extract(
    csv_path: str | os.PathLike[str],
    mapping_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Read a force extract CSV, map and validate it, and write it as Parquet.

    Checks the output path first (:func:`check_output_path`), then reads the CSV,
    refuses personal data, applies the mapping and validates against the schema.
    Nothing is written unless every check passes; the Parquet file is replaced
    atomically.

    Parameters
    ----------
    csv_path : path-like
        The force's extract (``.csv`` or ``.csv.gz``).
    mapping_path : path-like
        Its mapping YAML (see ``config/extract_mappings/``).
    out_path : path-like, optional
        Parquet file to write; default ``data/processed/extract/extract.parquet``.

    Returns
    -------
    DataFrame
        One row: ``source``, ``mapping``, ``out_path``, ``rows``, ``first_month``,
        ``last_month``, ``rows_no_location``, ``domestic_abuse``, ``synthetic``, ``sha256``.

    Raises
    ------
    UnsafeOutputError, PersonalDataError, ValueError
        See :func:`check_output_path`, :func:`refuse_personal_data`, :func:`apply_mapping`.

    Examples
    --------
    >>> ingest_extract("data/sample/synthetic/extract_synthetic.csv.gz",  # doctest: +SKIP
    ...     "config/extract_mappings/workbench.yaml")
    """
    out = check_output_path(out_path if out_path is not None else DEFAULT_EXTRACT_PATH)
    mapping = load_mapping(mapping_path)
    src = Path(csv_path)
    raw = read_extract_csv(src, mapping)
    _warn_if_input_exposed(src)
    ex = apply_mapping(raw, mapping, source=str(src))
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    no_loc = ex["lsoa_code"].isna() & ex["easting"].isna()
    synthetic = bool(ex["synthetic"].fillna(False).any())
    meta = {
        "schema_version": "1",
        "source": src.name,
        "sha256": digest,
        "mapping": mapping.name,
        "rows": len(ex),
        "synthetic": synthetic,
        "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    table = pa.Table.from_pandas(ex, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), b"sa_extract": json.dumps(meta).encode()}
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=out.parent, prefix=".extract-", delete=False) as tmp:
        tmp_path = Path(tmp.name)
    try:
        pq.write_table(table, tmp_path, compression="zstd")
        os.replace(tmp_path, out)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
    months = ex["month"].dropna()
    return pd.DataFrame(
        [
            {
                "source": str(src),
                "mapping": mapping.name,
                "out_path": str(out),
                "rows": len(ex),
                "first_month": months.min() if len(months) else None,
                "last_month": months.max() if len(months) else None,
                "rows_no_location": int(no_loc.sum()),
                "domestic_abuse": int(ex["domestic_abuse"].fillna(False).sum()),
                "synthetic": synthetic,
                "sha256": digest,
            }
        ]
    )
