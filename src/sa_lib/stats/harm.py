"""Harm weighting: counts times a per-crime-type weight, with the weights' source on record.

A harm-weighted count gives each crime a weight for its seriousness, e.g. the
ONS Crime Severity Score (CSS, weights from sentencing) or the Cambridge Crime
Harm Index (CCHI, days of imprisonment from sentencing guidelines). Both are
published per Home Office offence code, not per police.uk crime type, so using
them with police.uk data needs a stated mapping from the 14 broad police.uk
types to offence codes (e.g. a volume-weighted mean of the codes within each
type), and the result is an approximation.

**Default weights** are shipped in ``data/harm/`` (:func:`default_weights`, path in
:data:`DEFAULT_WEIGHTS_PATH`): the Cambridge Crime Harm Index (2026 update) by
police.uk category, each the count-weighted mean of its Home Office offence
subgroups' median CCHI days (national counts 2024/25; see ``data/harm/README.md``
for the derivation, licence and caveats). Anti-social behaviour is not a
notifiable offence and has no CCHI score (:data:`NO_SCORE`): report it separately.

An analyst's own table overrides the default: copy
``resources/harm_weights_template.csv`` (path in :data:`TEMPLATE_PATH`; one row per
police.uk crime type, columns ``crime_type, weight, source, mapping``), fill in
every weight with its source (publication, edition, table) and, where a police.uk
type is mapped from offence codes, the mapping; then load it with
:func:`load_weights`. A file keyed by ``offence_code`` instead of ``crime_type``
works the same way.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.stats.harm import harm_weighted
>>> crimes = pd.DataFrame({"crime_type": ["Burglary", "Drugs"], "count": [3, 4]})
>>> w = {"Burglary": 2.0, "Drugs": 0.5}
>>> harm_weighted(crimes, w)["harm"].tolist()
[6.0, 2.0]
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from sa_lib import config
from sa_lib import validation as v
from sa_lib.choices import record_choice
from sa_lib.data.counts import POLICE_UK_TYPES

__all__ = [
    "POLICE_UK_CRIME_TYPES",
    "TEMPLATE_PATH",
    "DEFAULT_WEIGHTS_PATH",
    "DEFAULT_CITATION",
    "NO_SCORE",
    "default_weights",
    "weights_template",
    "load_weights",
    "harm_weighted",
]

#: The 14 crime types used by data.police.uk street-level crime files.
POLICE_UK_CRIME_TYPES: tuple[str, ...] = tuple(POLICE_UK_TYPES)

#: Template weights file (empty weights; fill in a copy, never this file).
TEMPLATE_PATH: Path = Path(__file__).resolve().parent / "resources" / "harm_weights_template.csv"

#: The shipped default weights (CCHI 2026 days per crime, by police.uk category).
DEFAULT_WEIGHTS_PATH: Path = config.HARM_DIR / "cchi2026_police_uk_categories.csv"

#: How to cite the default weights wherever they are shown.
DEFAULT_CITATION = (
    "Cambridge Crime Harm Index (2026 update), Cambridge Centre for Evidence-Based Policing"
)

#: Categories with no harm score in the default weights, and why.
NO_SCORE: dict[str, str] = {
    "Anti-social behaviour": "not a notifiable offence, so it has no Cambridge Crime Harm Index score"
}

_KEYS = ("crime_type", "offence_code")
_ADDED = ("weight", "harm", "harm_share", "crime_rate", "harm_rate")


def weights_template() -> pd.DataFrame:
    """Return the (empty) harm-weights template as a new DataFrame.

    Returns
    -------
    DataFrame
        Columns ``crime_type`` (the 14 police.uk types), ``weight`` (empty),
        ``source`` and ``mapping`` (empty). Fill it in and save it as CSV, then
        load it with :func:`load_weights`.

    Examples
    --------
    >>> t = weights_template()
    >>> len(t), t["weight"].isna().all()
    (14, np.True_)
    """
    return pd.read_csv(TEMPLATE_PATH, dtype={"source": str, "mapping": str})


def _norm(values: pd.Series) -> pd.Series:
    return values.astype(str).str.strip().str.casefold()


def _key_column(weights: pd.DataFrame, key: str | None, arg: str) -> str:
    if key is not None:
        v.require_columns(weights, [key], arg=arg)
        return key
    found = [k for k in _KEYS if k in weights.columns]
    if not found:
        raise ValueError(
            f"{arg} needs a key column 'crime_type' (police.uk crime types) or 'offence_code' "
            f"(Home Office offence codes); it has: "
            f"{', '.join(repr(c) for c in weights.columns) or '(no columns)'}.\n"
            f"Fix: rename the key column, or pass key='<column>'."
        )
    if len(found) > 1:
        raise ValueError(
            f"{arg} has both 'crime_type' and 'offence_code' columns, so the key is ambiguous. "
            f"Fix: pass key='crime_type' or key='offence_code'."
        )
    return found[0]


def _check_weights(
    weights: pd.DataFrame, key: str | None, *, arg: str, where: str = ""
) -> tuple[pd.DataFrame, str]:
    """Validate a weights table; return a clean copy and its key column."""
    v.require_dataframe(weights, arg)
    key = _key_column(weights, key, arg)
    v.require_columns(weights, ["weight"], arg=arg, fix="add a numeric 'weight' column.")
    v.require_not_empty(weights, arg=arg, fix="add one row per crime type with its weight.")
    w = weights.copy()
    v.require_no_missing(
        w, key, arg=arg, fix=f"give every row a {key}, or delete rows without one."
    )
    blank = w["weight"].isna() | (w["weight"].astype(str).str.strip() == "")
    if blank.any():
        label = v.first_bad_row(w, blank)
        raise ValueError(
            f"{arg}{where} has {int(blank.sum())} blank weight(s); the first is for "
            f"{w.loc[label, key]!r} at row {label!r}. "
            f"Fix: fill in every weight with its source (e.g. the ONS Crime Severity Score or "
            f"Cambridge Crime Harm Index, edition and table, and the offence-code mapping for "
            f"police.uk types), or delete rows for crime types you do not use."
        )
    if not pd.api.types.is_numeric_dtype(w["weight"]) or pd.api.types.is_bool_dtype(w["weight"]):
        coerced = pd.to_numeric(w["weight"], errors="coerce")
        bad = coerced.isna()
        if bad.any():
            label = v.first_bad_row(w, bad)
            raise ValueError(
                f"{arg}{where}['weight'] must be numeric; found {w.loc[label, 'weight']!r} for "
                f"{w.loc[label, key]!r} at row {label!r}.\n"
                f"Fix: write weights as plain numbers (no units or thousands separators)."
            )
        w["weight"] = coerced
    w["weight"] = w["weight"].astype(float)
    bad = w["weight"] < 0
    if bad.any():
        label = v.first_bad_row(w, bad)
        raise ValueError(
            f"{arg}{where}['weight'] must not be negative; found {w.loc[label, 'weight']:g} for "
            f"{w.loc[label, key]!r} at row {label!r}.\n"
            f"Fix: harm weights are severities (>= 0); check the value against its source."
        )
    bad = ~np.isfinite(w["weight"])
    if bad.any():
        label = v.first_bad_row(w, bad)
        raise ValueError(
            f"{arg}{where}['weight'] must be finite; found {w.loc[label, 'weight']!r} for "
            f"{w.loc[label, key]!r} at row {label!r}. Fix: check the value against its source."
        )
    dup = _norm(w[key]).duplicated(keep=False)
    if dup.any():
        label = v.first_bad_row(w, dup)
        raise ValueError(
            f"{arg}{where} lists {w.loc[label, key]!r} (row {label!r}) more than once "
            f"(keys are matched ignoring case and spaces at the ends), so its weight is "
            f"ambiguous. Fix: keep one row per {key}."
        )
    return w, key


def load_weights(
    path: str | Path, *, key: str | None = None, require_source: bool = True
) -> pd.DataFrame:
    """Read and validate a harm-weights CSV.

    Parameters
    ----------
    path : str or Path
        CSV with a key column (``crime_type`` or ``offence_code``), ``weight``,
        ``source`` and optionally ``mapping`` (how offence-code weights were
        mapped to the key). Start from :data:`TEMPLATE_PATH`.
    key : str, optional
        Key column name; found automatically if it is ``crime_type`` or
        ``offence_code``.
    require_source : bool, default True
        Refuse rows whose ``source`` is blank, so every weight in a report can
        be traced. ``False`` warns instead.

    Returns
    -------
    DataFrame
        The key column, ``weight`` (float), ``source`` and ``mapping`` (text,
        ``""`` where absent), one row per key. The file name and sources are
        recorded with :func:`sa_lib.choices.record_choice` for the report's
        "Methods and assumptions" table.

    Examples
    --------
    >>> import tempfile, os
    >>> f = os.path.join(tempfile.mkdtemp(), "w.csv")
    >>> _ = open(f, "w").write("crime_type,weight,source\\nBurglary,2,My table 1\\n")
    >>> load_weights(f)[["crime_type", "weight"]].values.tolist()
    [['Burglary', 2.0]]
    """
    p = Path(path)
    if not p.is_file():
        raise ValueError(
            f"path={str(path)!r}: no such harm-weights file.\n"
            f"Fix: copy the template {TEMPLATE_PATH} , fill in each weight with its source, and "
            f"pass the copy's path."
        )
    raw = pd.read_csv(p, dtype={"source": str, "mapping": str}, skipinitialspace=True)
    for k in _KEYS:
        if k in raw.columns:
            raw[k] = raw[k].astype("string").str.strip().astype(object)
    w, key = _check_weights(raw, key, arg="weights file", where=f" {p.name}")
    for col in ("source", "mapping"):
        if col not in w.columns:
            w[col] = ""
        w[col] = w[col].fillna("").astype(str).str.strip()
    blank = w["source"] == ""
    if blank.any():
        label = v.first_bad_row(w, blank)
        msg = (
            f"weights file {p.name} has {int(blank.sum())} weight(s) with no source; the first is "
            f"{w.loc[label, key]!r} at row {label!r}."
        )
        if require_source:
            raise ValueError(
                msg + "\nFix: add a 'source' column citing where each weight comes from "
                "(publication, edition, table, and mapping), or pass require_source=False."
            )
        v.warn(msg + " The report will not be able to say where these weights come from.")
    sources = "; ".join(sorted(set(w["source"]) - {""})) or "not stated"
    record_choice(
        "Harm weights",
        p.name,
        f"{len(w)} weights by {key}; sources: {sources}",
        source="parameters",
    )
    return w[[key, "weight", "source", "mapping"]].reset_index(drop=True)


def default_weights() -> pd.DataFrame:
    """The shipped default harm weights: CCHI 2026 days per crime by police.uk category.

    Returns
    -------
    DataFrame
        As :func:`load_weights`: ``crime_type``, ``weight`` (days of imprisonment at
        the sentencing-guideline starting point), ``source`` and ``mapping``; 13 rows
        (every police.uk type but anti-social behaviour, see :data:`NO_SCORE`).

    Examples
    --------
    >>> w = default_weights().set_index("crime_type")["weight"]
    >>> float(w["Robbery"]), "Anti-social behaviour" in w.index
    (365.0, False)
    """
    if not DEFAULT_WEIGHTS_PATH.is_file():
        raise ValueError(
            f"The shipped harm weights {DEFAULT_WEIGHTS_PATH} are missing. Fix: restore data/harm/ "
            f"from git (python scripts/build_harm.py rebuilds the derived table)."
        )
    return load_weights(DEFAULT_WEIGHTS_PATH)


def _as_weights_frame(weights: object, key: str | None, type_col: str) -> tuple[pd.DataFrame, str]:
    if isinstance(weights, pd.Series):
        weights = weights.to_dict()
    if isinstance(weights, Mapping):
        k = key or type_col
        frame = pd.DataFrame({k: list(weights.keys()), "weight": list(weights.values())})
        return _check_weights(frame, k, arg="weights")
    if isinstance(weights, pd.DataFrame):
        return _check_weights(weights, key, arg="weights")
    raise ValueError(
        f"weights must be a DataFrame (from sa_lib.stats.harm.load_weights), a dict or a Series "
        f"mapping crime type to weight; got {type(weights).__name__}.\n"
        f"Fix: weights = sa_lib.stats.harm.load_weights('<your filled-in copy of the template>.csv')."
    )


def harm_weighted(
    df: pd.DataFrame,
    weights: pd.DataFrame | Mapping[str, float] | pd.Series,
    type_col: str = "crime_type",
    count_col: str = "count",
    *,
    population_col: str | None = None,
    per: float = 1000,
    key: str | None = None,
    on_unknown: str = "error",
) -> pd.DataFrame:
    """Add harm (count × weight) and, given a population, crime and harm rates.

    Parameters
    ----------
    df : DataFrame
        One row per crime type (per area, month...), with counts.
    weights : DataFrame, dict or Series
        Required: the output of :func:`default_weights` or :func:`load_weights`,
        or a mapping from crime type (or offence code) to weight.
    type_col : str, default "crime_type"
        Column of ``df`` holding the crime type (or offence code). Matched to the
        weights' key ignoring case and spaces at the ends.
    count_col : str, default "count"
        Column of non-negative counts.
    population_col : str, optional
        Column of populations (residents, households...). If given, rates are added.
    per : float, default 1000
        Rates are per this many of the population.
    key : str, optional
        Key column of a weights DataFrame if not ``crime_type``/``offence_code``.
    on_unknown : {"error", "drop"}, default "error"
        What to do with rows whose crime type has no weight: raise listing them,
        or drop them with a warning (this understates total harm).

    Returns
    -------
    DataFrame
        A copy of ``df`` (rows with unknown types removed if ``on_unknown="drop"``)
        with added columns ``weight``, ``harm`` (``count × weight``),
        ``harm_share`` (share of the total harm in the frame) and, with
        ``population_col``, ``crime_rate`` and ``harm_rate`` (per ``per``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"crime_type": ["Robbery"], "count": [2], "pop": [4000]})
    >>> harm_weighted(d, {"Robbery": 5}, population_col="pop")[["harm", "harm_rate"]].values
    array([[10. ,  2.5]])
    """
    v.require_columns(df, [type_col, count_col], arg="df")
    v.require_choice(on_unknown, ["error", "drop"], arg="on_unknown")
    v.require_positive(per, arg="per")
    v.require_no_missing(
        df, type_col, arg="df", fix="label every row with its crime type, or drop unlabelled rows."
    )
    v.require_no_missing(df, count_col, arg="df", fix="fill missing counts with 0 if none.")
    v.require_non_negative(df, count_col, arg="df")
    if population_col is not None:
        v.require_population(df, population_col, arg="df")
    clash = [c for c in _ADDED if c in df.columns]
    if clash:
        raise ValueError(
            f"df already has column(s) {', '.join(repr(c) for c in clash)} that harm_weighted "
            f"adds. Fix: rename or drop them first, e.g. df.rename(columns={{{clash[0]!r}: "
            f"'{clash[0]}_in'}})."
        )
    w, wkey = _as_weights_frame(weights, key, type_col)
    lookup = dict(zip(_norm(w[wkey]), w["weight"], strict=True))

    out = df.copy()
    norm = _norm(out[type_col])
    unknown = ~norm.isin(lookup.keys())
    if unknown.any():
        names = list(dict.fromkeys(out.loc[unknown, type_col].astype(str)))
        label = v.first_bad_row(out, unknown)
        listed = ", ".join(repr(n) for n in names)
        if on_unknown == "error":
            raise ValueError(
                f"df[{type_col!r}] has {len(names)} crime type(s) with no harm weight: {listed} "
                f"(first at row {label!r}).\nFix: add a row for each to the weights file with "
                f"its weight and source, or pass on_unknown='drop' to leave them out (this "
                f"understates harm)."
            )
        v.warn(
            f"Dropped {int(unknown.sum())} row(s) whose crime type has no harm weight: {listed}. "
            "Total harm is understated by their share."
        )
        record_choice("Harm: crime types without a weight", listed, "dropped (on_unknown='drop')")
        out = out.loc[~unknown].copy()
        norm = norm.loc[~unknown]
    out["weight"] = norm.map(lookup).astype(float)
    out["harm"] = out[count_col].astype(float) * out["weight"]
    total = out["harm"].sum()
    out["harm_share"] = out["harm"] / total if total > 0 else np.nan
    if population_col is not None:
        pop = out[population_col].astype(float)
        out["crime_rate"] = out[count_col].astype(float) / pop * per
        out["harm_rate"] = out["harm"] / pop * per
    return out
