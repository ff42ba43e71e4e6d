"""The Community Safety Partnerships of England and Wales, and which to run.

One table, read from the ONS "LAD to CSP to PFA (December 2024)" lookup: each CSP
with its local authority district code(s) and its police force, and the force's
name as police.uk spells it in its file names (``essex``, ``metropolitan``,
``avon-and-somerset``). ``sa run-all`` selects from it with ``--force`` and ``--csp``.

Examples
--------
>>> import pandas as pd
>>> lk = pd.DataFrame({"ltla24_code": ["E07000011", "E07000008"],
...     "ltla24_name": ["Huntingdonshire", "Cambridge"], "csp24_code": ["E22000010", "E22000011"],
...     "csp24_name": ["Huntingdonshire", "Cambridge"], "pfa24_code": ["E23000023"] * 2,
...     "pfa24_name": ["Cambridgeshire"] * 2})
>>> t = csp_table(lk)
>>> t[["csp_name", "slug", "lad_codes", "force_slug"]].to_dict("records")[0]
{'csp_name': 'Cambridge', 'slug': 'cambridge', 'lad_codes': ['E07000008'], 'force_slug': 'cambridgeshire'}
>>> select_csps(t, csps=["Huntingdonshire"])["csp_code"].tolist()
['E22000010']
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from sa_lib.validation import require_columns

__all__ = [
    "DEFAULT_LOOKUP",
    "force_slug",
    "csp_slug",
    "csp_table",
    "select_csps",
    "overlap_problems",
    "lookup_problems",
]

#: The default lookup: ``None`` means the national reference shipped in the project
#: (:func:`sa_lib.data.national.lad_lookup`, LAD 2024 -> CSP 2024 -> police force area 2024),
#: so ``sa run-all`` works from a fresh clone. A path names an ONS lookup CSV instead.
DEFAULT_LOOKUP: Path | None = None

LOOKUP_COLUMNS = ["ltla24_code", "csp24_code", "csp24_name", "pfa24_code", "pfa24_name"]

#: Force names whose police.uk file-name slug is not their name in lower case with hyphens.
_FORCE_SLUGS = {
    "Metropolitan Police": "metropolitan",
    "London, City of": "city-of-london",
    "City of London": "city-of-london",
}


def force_slug(pfa_name: str) -> str:
    """The police.uk file-name slug of a police force area.

    Examples
    --------
    >>> force_slug("Avon and Somerset"), force_slug("Metropolitan Police"), force_slug("Essex")
    ('avon-and-somerset', 'metropolitan', 'essex')
    """
    if pfa_name in _FORCE_SLUGS:
        return _FORCE_SLUGS[pfa_name]
    return re.sub(r"[^a-z0-9]+", "-", pfa_name.lower().replace("&", "and")).strip("-")


def csp_slug(name: str) -> str:
    """A CSP's pack slug: its name in lower case, words joined by ``_``.

    Examples
    --------
    >>> csp_slug("Southend-on-Sea"), csp_slug("Bristol, City of")
    ('southend_on_sea', 'bristol_city_of')
    """
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _current(lookup: pd.DataFrame) -> pd.DataFrame:
    """The lookup with one current CSP per LAD (:func:`sa_lib.data.national.current_partnerships`)."""
    from sa_lib.data.national import current_partnerships

    names = {"ltla24_code": "lad_code", "ltla24_name": "lad_name"}
    names.update(csp24_code="csp_code", csp24_name="csp_name")
    std = lookup.rename(columns=names)
    if "lad_name" not in std:
        std["lad_name"] = std["lad_code"]
    return current_partnerships(std).rename(columns={v: k for k, v in names.items()})


def csp_table(lookup: pd.DataFrame | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """One row per CSP: ``csp_code``, ``csp_name``, ``slug``, ``lad_codes`` (list), ``force``,
    ``force_slug``; sorted by force then CSP name.

    Parameters
    ----------
    lookup : DataFrame or path, optional
        The LAD -> CSP -> PFA lookup: a DataFrame or CSV path with the ONS columns; by
        default the national reference shipped in ``data/national``.
    """
    if lookup is None:
        lookup = DEFAULT_LOOKUP
    if lookup is None:
        from sa_lib.data.national import lad_lookup

        lk = lad_lookup()
        lookup = pd.DataFrame(
            {
                "ltla24_code": lk["lad_code"],
                "ltla24_name": lk["lad_name"],
                "csp24_code": lk["csp_code"],
                "csp24_name": lk["csp_name"],
                "pfa24_code": lk["pfa_code"],
                "pfa24_name": lk["pfa_name"],
            }
        )
    if not isinstance(lookup, pd.DataFrame):
        path = Path(lookup)
        if not path.is_file():
            raise ValueError(
                f"lookup: {path} not found. Fix: give the ONS LAD -> CSP -> PFA lookup CSV "
                f"(columns {', '.join(LOOKUP_COLUMNS)})."
            )
        lookup = pd.read_csv(path, dtype=str)
    require_columns(
        lookup, LOOKUP_COLUMNS, arg="lookup", fix="use the ONS LAD to CSP to PFA lookup"
    )
    lookup = _current(lookup)
    g = (
        lookup.sort_values("ltla24_code")
        .groupby(["csp24_code", "csp24_name", "pfa24_name"], as_index=False)["ltla24_code"]
        .agg(list)
    )
    out = pd.DataFrame(
        {
            "csp_code": g["csp24_code"],
            "csp_name": g["csp24_name"],
            "slug": g["csp24_name"].map(csp_slug),
            "lad_codes": g["ltla24_code"],
            "force": g["pfa24_name"],
            "force_slug": g["pfa24_name"].map(force_slug),
        }
    )
    return out.sort_values(["force", "csp_name"]).reset_index(drop=True)


def select_csps(
    table: pd.DataFrame, *, force: str | None = None, csps: list[str] | None = None
) -> pd.DataFrame:
    """The CSPs to run: all, one force's (``force`` slug) and/or those named (name, slug or code).

    Raises
    ------
    ValueError
        For a force or CSP not in the table, naming the valid choices.
    """
    out = table
    if force is not None:
        slugs = sorted(table["force_slug"].unique())
        if force not in slugs:
            raise ValueError(
                f"--force {force!r} is not a police force's file-name slug. Valid choices: "
                f"{', '.join(slugs)}."
            )
        out = out[out["force_slug"] == force]
    if csps:
        keys = {
            **{n.lower(): n for n in table["csp_name"]},
            **dict(zip(table["slug"], table["csp_name"], strict=True)),
            **dict(zip(table["csp_code"].str.lower(), table["csp_name"], strict=True)),
        }
        unknown = [c for c in csps if c.lower() not in keys]
        if unknown:
            raise ValueError(
                f"--csp {unknown[0]!r} is not a CSP (give its name, slug or E22/W22 code). "
                f"CSPs include: {', '.join(table['csp_name'].head(8))}..."
            )
        names = {keys[c.lower()] for c in csps}
        out = out[out["csp_name"].isin(names)]
        if out.empty:
            raise ValueError(f"--csp {', '.join(csps)}: none of these is in --force {force!r}.")
    return out.reset_index(drop=True)


def overlap_problems(table: pd.DataFrame, where: str = "the CSP lookup") -> list[str]:
    """One refusal per LAD that two or more of ``table``'s CSPs share (each would count it).

    ``table`` is :func:`csp_table`'s (or a selection of it); ``where`` names the lookup in
    the message. Legacy rows of the reorganised councils are resolved before this
    (:func:`sa_lib.data.national.current_partnerships`); any other shared LAD is refused.

    Examples
    --------
    >>> t = pd.DataFrame({"csp_name": ["North", "South"], "lad_codes": [["E07000011"],
    ...     ["E07000011", "E07000010"]]})
    >>> overlap_problems(t, "x.csv")[0][:70]
    'LAD E07000011 (Huntingdonshire) belongs to 2 CSPs in x.csv: North, Sou'
    """
    from sa_lib.data.national import lad_lookup, lad_overlaps, overlap_message

    d = table[["csp_name", "lad_codes"]].explode("lad_codes")
    d = d.rename(columns={"lad_codes": "lad_code"}).dropna(subset=["lad_code"])
    names = lad_lookup().set_index("lad_code")["lad_name"]
    d["lad_name"] = d["lad_code"].map(names).fillna(d["lad_code"])
    return [overlap_message(o, where) for o in lad_overlaps(d)]


def lookup_problems(table: pd.DataFrame, where: str = "the CSP lookup") -> list[str]:
    """Why a run over ``table``'s CSPs is refused: a LAD two of them share
    (:func:`overlap_problems`), or a CSP named after a current partnership that takes another
    one's LAD (:func:`sa_lib.data.national.partnership_problems`, as `sa check` does per file).

    Examples
    --------
    >>> t = pd.DataFrame({"csp_name": ["Huntingdonshire"], "lad_codes": [["E07000010"]]})
    >>> lookup_problems(t)[0][:60]
    'Huntingdonshire: csp.lad_codes: LAD E07000010 (Fenland) belo'
    """
    from sa_lib.data.national import partnership_problems

    out = overlap_problems(table, where)
    for row in table.to_dict("records"):
        out += [
            f"{row['csp_name']}: {msg}"
            for msg in partnership_problems(row["csp_name"], row["lad_codes"])
        ]
    return out
