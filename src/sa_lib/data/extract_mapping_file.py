"""The extract mapping file: reading and validating its YAML, for :mod:`sa_lib.data.extract_mapping`.

A mapping file says how a force's columns, date formats, flag codes and values
map onto the schema (:mod:`sa_lib.data.extract_schema`); the format is in
:mod:`sa_lib.data.extract_mapping`'s docstring. :func:`load_mapping` checks it
section by section and names the file and key of the first problem, with the fix.

Examples
--------
>>> from sa_lib import config
>>> load_mapping(config.CONFIG_DIR / "extract_mappings" / "example_force_b.yaml").columns["crime_ref"]
'Occurrence Ref'
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sa_lib.data.extract_schema import (
    COLUMNS,
    CRIME_TYPES,
    FLAGS,
    HO_OFFENCE_CODES,
    SCHEMA,
    SUBGROUPS,
)
from sa_lib.validation import read_bounded_yaml, short_repr

__all__ = ["ExtractMapping", "load_mapping"]

_DATE_COLS = tuple(c.name for c in SCHEMA if c.dtype in ("datetime", "date"))
_VALUE_COLS = tuple(c.name for c in SCHEMA if c.dtype == "category") + ("outcome",)
_MAPPABLE = tuple(c for c in COLUMNS if c != "source_line")

_TOP_KEYS = (
    "name",
    "description",
    "csv",
    "columns",
    "dates",
    "flags",
    "values",
    "age_years",
    "offence_codes",
    "constants",
    "drop",
)


@dataclass
class ExtractMapping:
    """A validated extract mapping (see the module docstring for the YAML format).

    Attributes
    ----------
    name : str
    columns : dict
        Schema column -> force column.
    dates : dict
        Schema date column -> list of strptime formats.
    flags : dict
        Flag column -> {force code: True, False or None}.
    values : dict
        Categorical schema column -> {force value: schema value}.
    age_years : list of str
        Age-band columns whose force column holds age in years.
    offence_codes : dict
        HO code -> (description, crime type, subgroup), merged over the built-in table.
    constants : dict
        Schema column -> value for every row.
    drop : list of str
        Force columns deliberately not used.
    csv : dict
        ``delimiter``, ``encoding``, ``skip_rows``.
    path : str
        Where it was read from (for messages).
    """

    name: str
    columns: dict[str, str]
    dates: dict[str, list[str]] = field(default_factory=dict)
    flags: dict[str, dict[str, bool | None]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    age_years: list[str] = field(default_factory=list)
    offence_codes: dict[str, tuple[str, str, str | None]] = field(default_factory=dict)
    constants: dict[str, object] = field(default_factory=dict)
    drop: list[str] = field(default_factory=list)
    csv: dict[str, object] = field(default_factory=dict)
    description: str = ""
    path: str = "mapping"

    def code_table(self) -> dict[str, tuple[str, str, str | None]]:
        """Return the built-in HO code table updated with this mapping's ``offence_codes``."""
        return {**HO_OFFENCE_CODES, **self.offence_codes}


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads only true/false as booleans, so Y/N/Yes/No stay text."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _suggest(word: str, choices) -> str:
    near = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" Did you mean {near[0]!r}?" if near else ""


def _mapping_error(path: str, key: str, problem: str, fix: str) -> ValueError:
    key = key if len(key) <= 80 else key[:77] + "..."
    return ValueError(f"{path}: {key}: {problem}\nFix: {fix}")


def load_mapping(path: str | os.PathLike[str]) -> ExtractMapping:
    """Read and validate an extract mapping YAML file.

    Parameters
    ----------
    path : path-like
        The mapping file (e.g. ``config/extract_mappings/example_force_b.yaml``).

    Returns
    -------
    ExtractMapping

    Raises
    ------
    ValueError
        Naming the file and key for: a missing file, bad YAML, an unknown key, a
        column that is not in the schema, a flag map whose values are not
        true/false/null, a bad date format, or an offence code lookup with an
        unknown crime type or subgroup.

    Examples
    --------
    >>> from sa_lib import config
    >>> m = load_mapping(config.CONFIG_DIR / "extract_mappings" / "example_force_b.yaml")
    >>> m.flags["domestic_abuse"]["Y"], m.dates["recorded_date"]
    (True, ['%d/%m/%Y'])
    """
    p = Path(path)
    if not p.exists():
        raise ValueError(
            f"Mapping file {p} does not exist. Fix: copy config/extract_mappings/"
            f"example_force_b.yaml and edit it for your force's columns."
        )
    # Bounded size, no aliases (a few kilobytes of nested aliases expand to gigabytes).
    doc = read_bounded_yaml(p, what="mapping file", loader=_Loader)
    ps = str(p)
    name = _name(doc, ps)
    columns = _columns(doc, ps)
    dates = _dates(doc, ps)
    flags = _flags(doc, ps)
    values = _values(doc, ps)
    age_years = _age_years(doc, ps)
    codes = _offence_codes(doc, ps)
    constants, csv = _constants_and_csv(doc, ps, columns)
    drop = doc.get("drop") or []
    return ExtractMapping(
        name=name.strip(),
        columns=columns,
        dates=dates,
        flags=flags,
        values=values,
        age_years=list(age_years),
        offence_codes=codes,
        constants=dict(constants),
        drop=[str(d) for d in drop],
        csv=dict(csv),
        description=str(doc.get("description") or ""),
        path=ps,
    )


def _name(doc: object, ps: str) -> str:
    """The top level is a mapping of known keys with a ``name``; return the name."""
    if not isinstance(doc, dict):
        raise _mapping_error(
            ps, "(top level)", "must be a mapping of keys.", "start from an example."
        )
    for k in doc:
        if k not in _TOP_KEYS:
            raise _mapping_error(
                ps,
                str(k),
                f"unknown key.{_suggest(k, _TOP_KEYS)}",
                f"valid keys: {', '.join(_TOP_KEYS)}.",
            )
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _mapping_error(ps, "name", "missing.", "add `name: <force and system>`.")
    return name


def _columns(doc: dict, ps: str) -> dict[str, str]:
    """``columns``: schema column -> the force's column, each a schema column."""
    cols = doc.get("columns")
    if not isinstance(cols, dict) or not cols:
        raise _mapping_error(
            ps, "columns", "missing or empty.", "list `schema_column: force column` pairs."
        )
    columns: dict[str, str] = {}
    for k, v in cols.items():
        if k not in _MAPPABLE:
            raise _mapping_error(
                ps,
                f"columns.{k}",
                f"not a schema column.{_suggest(k, _MAPPABLE)}",
                f"schema columns: {', '.join(_MAPPABLE)} (see docs/extract_schema.md).",
            )
        if not isinstance(v, str | int) or not str(v).strip():
            raise _mapping_error(
                ps, f"columns.{k}", "must name the force's column.", "give the header text."
            )
        columns[k] = str(v).strip()
    return columns


def _dates(doc: dict, ps: str) -> dict[str, list[str]]:
    """``dates``: date column -> strptime formats (or ISO8601)."""
    dates: dict[str, list[str]] = {}
    for k, v in (doc.get("dates") or {}).items():
        if k not in _DATE_COLS:
            raise _mapping_error(
                ps, f"dates.{k}", "not a date column.", f"date columns: {', '.join(_DATE_COLS)}."
            )
        fmts = [v] if isinstance(v, str) else v
        if not isinstance(fmts, list) or not all(isinstance(f, str) and f for f in fmts):
            raise _mapping_error(
                ps, f"dates.{k}", "must be a format string or a list of them.", "e.g. '%d/%m/%Y'."
            )
        for f in fmts:
            if f != "ISO8601" and "%" not in f:
                raise _mapping_error(
                    ps,
                    f"dates.{k}",
                    f"{short_repr(f)} is not a strptime format.",
                    "use codes such as %d/%m/%Y %H:%M, or ISO8601.",
                )
        dates[k] = fmts
    return dates


def _flags(doc: dict, ps: str) -> dict[str, dict[str, bool | None]]:
    """``flags``: flag column -> the force's codes -> true, false or null."""
    flags: dict[str, dict[str, bool | None]] = {}
    for k, v in (doc.get("flags") or {}).items():
        if k not in FLAGS:
            raise _mapping_error(
                ps, f"flags.{k}", f"not a flag.{_suggest(k, FLAGS)}", f"flags: {', '.join(FLAGS)}."
            )
        if not isinstance(v, dict) or not v:
            raise _mapping_error(
                ps, f"flags.{k}", "must map codes to true/false.", "e.g. {Y: true, N: false}."
            )
        fm: dict[str, bool | None] = {}
        for code, val in v.items():
            if val is not None and not isinstance(val, bool):
                raise _mapping_error(
                    ps,
                    f"flags.{k}.{code}",
                    f"{short_repr(val)} is not true, false or null.",
                    "map each code to true, false or null (not recorded).",
                )
            fm["" if code is None else str(code).strip()] = val
        flags[k] = fm
    return flags


def _values(doc: dict, ps: str) -> dict[str, dict[str, str]]:
    """``values``: categorical column -> the force's values -> the schema's."""
    values: dict[str, dict[str, str]] = {}
    for k, v in (doc.get("values") or {}).items():
        if k not in _VALUE_COLS:
            raise _mapping_error(
                ps,
                f"values.{k}",
                "not a categorical column.",
                f"recodable columns: {', '.join(_VALUE_COLS)}.",
            )
        if not isinstance(v, dict):
            raise _mapping_error(ps, f"values.{k}", "must be a mapping.", "e.g. {F: Female}.")
        values[k] = {
            ("" if a is None else str(a).strip()): (None if b is None else str(b))
            for a, b in v.items()
        }
    return values


def _age_years(doc: dict, ps: str) -> list[str]:
    """``age_years``: the age-band columns whose force column holds age in years."""
    age_years = doc.get("age_years") or []
    if isinstance(age_years, str):
        age_years = [age_years]
    for k in age_years:
        if k not in ("victim_age_band", "offender_age_band"):
            raise _mapping_error(
                ps,
                "age_years",
                f"{short_repr(k)} is not an age-band column.",
                "use victim_age_band and/or offender_age_band.",
            )
    return age_years


def _offence_codes(doc: dict, ps: str) -> dict[str, tuple[str, str, str | None]]:
    """``offence_codes``: HO code -> (description, crime type, subgroup)."""
    codes: dict[str, tuple[str, str, str | None]] = {}
    for code, spec in (doc.get("offence_codes") or {}).items():
        if not isinstance(spec, dict) or spec.get("crime_type") not in CRIME_TYPES:
            raise _mapping_error(
                ps,
                f"offence_codes.{code}",
                "needs crime_type: one of the police.uk crime types.",
                f"crime types: {', '.join(CRIME_TYPES)}.",
            )
        sub = spec.get("subgroup")
        if sub is not None and sub not in SUBGROUPS:
            raise _mapping_error(
                ps,
                f"offence_codes.{code}.subgroup",
                f"{short_repr(sub)} is not allowed.",
                ", ".join(SUBGROUPS),
            )
        codes[str(code).strip()] = (str(spec.get("description") or ""), spec["crime_type"], sub)
    return codes


def _constants_and_csv(doc: dict, ps: str, columns: dict[str, str]) -> tuple[dict, dict]:
    """``constants`` (schema columns not also under ``columns``) and ``csv`` options."""
    constants = doc.get("constants") or {}
    for k in constants:
        if k not in _MAPPABLE:
            raise _mapping_error(
                ps, f"constants.{k}", f"not a schema column.{_suggest(k, _MAPPABLE)}", ""
            )
        if k in columns:
            raise _mapping_error(
                ps, f"constants.{k}", "is also under columns.", "give it in one place only."
            )
    csv = doc.get("csv") or {}
    for k in csv:
        if k not in ("delimiter", "encoding", "skip_rows"):
            raise _mapping_error(
                ps, f"csv.{k}", "unknown key.", "csv keys: delimiter, encoding, skip_rows."
            )
    return constants, csv
