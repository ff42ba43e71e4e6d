"""The national reference shipped in ``data/national/``: every CSP in England and Wales.

Compact Parquet tables rebuilt by ``scripts/build_national.py`` from the ONS,
MHCLG and Welsh Government files (provenance and SHA-256 in
``data/national/PROVENANCE.json``; Open Government Licence v3.0):

- LSOA 2021 polygons (super-generalised, EPSG:27700);
- the official LSOA21 -> ward 2024 -> LAD 2024 **best-fit** lookup;
- LAD 2024 -> CSP 2024 -> police force area (with the data.police.uk force slug);
- the ONS LSOA11 -> LSOA21 lookup with change codes (U unchanged, S split, M merged,
  X irregular);
- deprivation on LSOA21: IoD 2025 (England) and WIMD 2019 (Wales, mapped from LSOA11),
  each row labelled with its index and year;
- Census 2021 usual residents by LSOA21 and age band.

Examples
--------
>>> csp = resolve_csp("Huntingdonshire")
>>> csp["csp_code"], csp["lad_codes"], csp["forces"]
('E22000016', ['E07000011'], ['cambridgeshire'])
>>> len(csp_table(force="essex"))
14
"""

from __future__ import annotations

import difflib
from functools import lru_cache

import pandas as pd
import pyarrow.parquet as pq

from sa_lib import config

__all__ = [
    "ATTRIBUTION",
    "NationalReferenceError",
    "csp_table",
    "resolve_csp",
    "lad_lookup",
    "lsoa_lookup",
    "change_lookup",
    "lsoa21_boundaries",
    "deprivation",
    "population_long",
    "forces_for_lads",
    "current_partnerships",
    "lad_overlaps",
    "overlap_message",
    "partnership_problems",
    "REORGANISED_LADS",
]

ATTRIBUTION = (
    "Boundaries and lookups: Source: Office for National Statistics licensed under the Open "
    "Government Licence v3.0; contains OS data © Crown copyright and database right. "
    "Deprivation: English Indices of Deprivation 2025 (MHCLG) and Welsh Index of Multiple "
    "Deprivation 2019 (Welsh Government), OGL v3.0."
)


class NationalReferenceError(ValueError):
    """The national reference is missing or a name or code is not in it."""


def _path(name: str):
    p = config.NATIONAL_DIR / name
    if not p.exists():
        raise NationalReferenceError(
            f"The national reference file {p} is missing. Fix: restore data/national/ from git, "
            f"or rebuild it with `python scripts/build_national.py`."
        )
    return p


#: Welsh names of the 22 Welsh unitary authorities (ONS LAD 2024 ``LAD24NMW``), so a
#: CSP or district can be named in Welsh as well as English (``sa init --csp "Ynys Môn"``).
WELSH_NAMES = {
    "W06000001": "Ynys Môn",
    "W06000002": "Gwynedd",
    "W06000003": "Conwy",
    "W06000004": "Sir Ddinbych",
    "W06000005": "Sir y Fflint",
    "W06000006": "Wrecsam",
    "W06000008": "Ceredigion",
    "W06000009": "Sir Benfro",
    "W06000010": "Sir Gaerfyrddin",
    "W06000011": "Abertawe",
    "W06000012": "Castell-nedd Port Talbot",
    "W06000013": "Pen-y-bont ar Ogwr",
    "W06000014": "Bro Morgannwg",
    "W06000015": "Caerdydd",
    "W06000016": "Rhondda Cynon Taf",
    "W06000018": "Caerffili",
    "W06000019": "Blaenau Gwent",
    "W06000020": "Tor-faen",
    "W06000021": "Sir Fynwy",
    "W06000022": "Casnewydd",
    "W06000023": "Powys",
    "W06000024": "Merthyr Tudful",
}


def _fold(name: str) -> str:
    """A name for matching: lower case, accents and extra spaces removed ("Ynys Môn" = "ynys mon")."""
    import unicodedata

    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return " ".join(s.lower().split())


#: The councils formed by the 2019-2023 local government reorganisations that the ONS
#: "LAD to CSP to PFA (December 2024)" lookup still maps to the CSPs of the districts they
#: replaced (LAD 2024 code -> name and year formed). Only these LADs' extra rows are legacy
#: rows (:func:`current_partnerships`); any other LAD on several CSPs is an overlap.
REORGANISED_LADS = {
    "E06000058": "Bournemouth, Christchurch and Poole (2019)",
    "E07000244": "East Suffolk (2019)",
    "E06000060": "Buckinghamshire (2020)",
    "E06000061": "North Northamptonshire (2021)",
    "E06000062": "West Northamptonshire (2021)",
    "E06000063": "Cumberland (2023)",
    "E06000064": "Westmorland and Furness (2023)",
}


def current_partnerships(lk: pd.DataFrame) -> pd.DataFrame:
    """One current CSP per reorganised LAD: legacy rows of the ONS lookup resolved (a new DataFrame).

    The ONS "LAD to CSP to PFA (December 2024)" lookup maps 7 unitary councils formed by
    the 2019-2023 reorganisations (:data:`REORGANISED_LADS`: Bournemouth, Christchurch and
    Poole; Buckinghamshire; North and West Northamptonshire; Cumberland; Westmorland and
    Furness; East Suffolk) to the CSPs of the districts they replaced, so one council would
    be counted in several packs. The rule: a LAD's community safety partnership is its
    council's (Crime and Disorder Act 1998 s.5: the responsible authorities are the
    council's), so a reorganised LAD on several rows is one partnership named after the
    LAD and coded by the LAD code, and the legacy rows are dropped; a legacy CSP that also
    covers another LAD (Dorset) keeps only that LAD. The dropped names are in
    ``attrs["legacy"]`` (old CSP name -> current). Any other LAD on several CSPs is left
    as it is: an overlap the lookup's author must settle (:func:`lad_overlaps`), never
    guessed.

    Examples
    --------
    >>> lk = pd.DataFrame({"lad_code": ["E06000060", "E06000060", "B"],
    ...     "lad_name": ["Buckinghamshire", "Buckinghamshire", "Bee"],
    ...     "csp_code": ["E1", "E2", "E2"], "csp_name": ["Wycombe", "Bee", "Bee"]})
    >>> out = current_partnerships(lk)
    >>> out[["lad_code", "csp_code", "csp_name"]].values.tolist()
    [['E06000060', 'E06000060', 'Buckinghamshire'], ['B', 'E2', 'Bee']]
    >>> out.attrs["legacy"]
    {'Wycombe': 'Buckinghamshire'}
    """
    several = lk["lad_code"].duplicated(keep=False) & lk["lad_code"].isin(REORGANISED_LADS)
    legacy = {}
    if several.any():
        own = lk[several].drop_duplicates("lad_code").copy()
        for _, r in lk[several].iterrows():
            others = lk[(lk["csp_code"] == r["csp_code"]) & ~several]
            if others.empty:
                legacy[r["csp_name"]] = r["lad_name"]
        own["csp_code"] = own["lad_code"]
        own["csp_name"] = own["lad_name"]
        lk = pd.concat([lk[~several], own], ignore_index=True)
    out = lk.sort_values(["csp_code", "lad_code"]).reset_index(drop=True)
    out.attrs["legacy"] = legacy
    return out


def lad_overlaps(lk: pd.DataFrame) -> list[dict]:
    """The LADs that belong to more than one CSP in a lookup (after :func:`current_partnerships`).

    Parameters
    ----------
    lk : DataFrame
        ``lad_code``, ``csp_name`` (and ``lad_name`` if known): one row per LAD and CSP.

    Returns
    -------
    list of dict
        One per shared LAD: ``lad_code``, ``lad_name``, ``csps`` (the CSP names, sorted).
        Empty when each LAD belongs to one CSP.

    Examples
    --------
    >>> lk = pd.DataFrame({"lad_code": ["A", "A", "B"], "lad_name": ["Ay", "Ay", "Bee"],
    ...     "csp_name": ["North", "South", "South"]})
    >>> lad_overlaps(lk)
    [{'lad_code': 'A', 'lad_name': 'Ay', 'csps': ['North', 'South']}]
    """
    d = lk.drop_duplicates(["lad_code", "csp_name"])
    d = d[d["lad_code"].duplicated(keep=False)]
    out = []
    for code, g in d.groupby("lad_code", sort=True):
        name = g["lad_name"].iloc[0] if "lad_name" in g else code
        out.append({"lad_code": code, "lad_name": name, "csps": sorted(g["csp_name"])})
    return out


def overlap_message(overlap: dict, where: str) -> str:
    """One refusal sentence for a LAD on several CSPs: the LAD, the CSPs and the fix.

    Examples
    --------
    >>> m = overlap_message({"lad_code": "A", "lad_name": "Ay", "csps": ["N", "S"]}, "x.csv")
    >>> m[:60]
    'LAD A (Ay) belongs to 2 CSPs in x.csv: N, S; each would coun'
    """
    code = overlap["lad_code"]
    return (
        f"LAD {code} ({overlap['lad_name']}) belongs to {len(overlap['csps'])} CSPs in {where}: "
        f"{', '.join(overlap['csps'])}; each would count its crimes. Fix: keep one row for "
        f"{code} in {where}, under the partnership it belongs to now (see `sa csps`)."
    )


@lru_cache(maxsize=1)
def lad_lookup() -> pd.DataFrame:
    """LAD 2024 -> current CSP -> police force area: one row per LAD.

    Legacy rows are resolved to the current partnership (:func:`current_partnerships`).

    Returns
    -------
    DataFrame
        ``lad_code``, ``lad_name``, ``lad_name_cy`` (Welsh name, Welsh LADs), ``csp_code``,
        ``csp_name``, ``pfa_code``, ``pfa_name``, ``force`` (the data.police.uk force slug,
        e.g. ``"essex"``).
    """
    lk = current_partnerships(pd.read_parquet(_path("lad_csp_pfa.parquet")))
    lk["lad_name_cy"] = lk["lad_code"].map(WELSH_NAMES)
    return lk


def csp_table(force: str | None = None) -> pd.DataFrame:
    """One row per CSP: code, name, LADs and police force.

    Parameters
    ----------
    force : str, optional
        A force slug or force-area name (``"essex"``, ``"Metropolitan Police"``); only its CSPs.

    Returns
    -------
    DataFrame
        ``csp_code``, ``csp_name``, ``lad_codes`` (comma-separated), ``lad_names``,
        ``force``, ``pfa_name``; sorted by force, then CSP name.

    Raises
    ------
    NationalReferenceError
        If ``force`` matches no force, listing the valid slugs.
    """
    lk = lad_lookup()
    if force is not None:
        f = str(force).strip().lower()
        sel = lk[(lk["force"] == f) | (lk["pfa_name"].str.lower() == f)]
        if sel.empty:
            raise NationalReferenceError(
                f"force={force!r} is not a police force area in England or Wales. Valid forces: "
                f"{', '.join(sorted(lk['force'].unique()))}."
            )
        lk = sel
    out = (
        lk.sort_values("lad_code")
        .groupby(["csp_code", "csp_name", "force", "pfa_name"], as_index=False)
        .agg(lad_codes=("lad_code", ", ".join), lad_names=("lad_name", ", ".join))
    )
    cols = ["csp_code", "csp_name", "lad_codes", "lad_names", "force", "pfa_name"]
    return out[cols].sort_values(["force", "csp_name"]).reset_index(drop=True)


def resolve_csp(name_or_code: str) -> dict:
    """Find a CSP by its code (``E22000016``), its name, or one of its LADs' codes or names.

    Returns
    -------
    dict
        ``csp_code``, ``csp_name``, ``lad_codes`` (list), ``forces`` (list of slugs),
        ``pfa_names`` (list).

    Raises
    ------
    NationalReferenceError
        Naming the value and the closest CSP names.
    """
    lk = lad_lookup()
    q = str(name_or_code).strip()
    ql = _fold(q)
    hit = lk[lk["csp_code"] == q.upper()]
    if hit.empty:
        hit = lk[lk["csp_name"].map(_fold) == ql]
    if hit.empty:
        names = lk["lad_name"].map(_fold)
        welsh = lk["lad_name_cy"].fillna("").map(_fold)
        lad = lk[(lk["lad_code"] == q.upper()) | (names == ql) | (welsh == ql)]
        if not lad.empty:
            hit = lk[lk["csp_code"].isin(lad["csp_code"])]
    if hit.empty:
        legacy = {_fold(k): v for k, v in lk.attrs.get("legacy", {}).items()}
        if ql in legacy:
            raise NationalReferenceError(
                f"CSP {name_or_code!r} is a former partnership: its area is now part of "
                f"{legacy[ql]}, one council with one partnership. Fix: --csp {legacy[ql]!r}."
            )
        close = difflib.get_close_matches(q, lk["csp_name"].unique().tolist(), n=3, cutoff=0.5)
        raise NationalReferenceError(
            f"CSP {name_or_code!r} is not a Community Safety Partnership in England or Wales "
            f"(ONS, December 2024). "
            + (f"Did you mean {', '.join(map(repr, close))}? " if close else "")
            + "Fix: run `sa csps` to list them, or give a CSP code like E22000016."
        )
    if hit["csp_code"].nunique() > 1:
        raise NationalReferenceError(
            f"{name_or_code!r} matches several CSPs: {', '.join(sorted(hit['csp_name'].unique()))}. "
            f"Fix: give the CSP code (see `sa csps`)."
        )
    hit = hit.sort_values("lad_code")
    return {
        "csp_code": hit["csp_code"].iloc[0],
        "csp_name": hit["csp_name"].iloc[0],
        "lad_codes": hit["lad_code"].tolist(),
        "forces": sorted(hit["force"].unique()),
        "pfa_names": sorted(hit["pfa_name"].unique()),
    }


@lru_cache(maxsize=1)
def _folded_csp_names() -> pd.Series:
    """:func:`lad_lookup`'s CSP names folded for matching (computed once)."""
    return lad_lookup()["csp_name"].map(_fold)


def partnership_problems(name: str, lad_codes) -> list[str]:
    """Why a CSP named ``name`` may not cover ``lad_codes``: LADs of another current partnership.

    Two cases are refused (each LAD belongs to one current partnership, :func:`lad_lookup`):
    ``name`` is a current partnership's and a LAD belongs to another one; or ``name`` is a
    former partnership's (a legacy row, e.g. Wycombe) and a LAD is now its successor's
    (Buckinghamshire). A name that is neither is a custom set of districts (``sa init
    --name --lad``) and is not refused. LADs not in the national lookup are left to the
    boundaries check.

    Returns
    -------
    list of str
        One sentence per refused LAD, naming the LAD, both partnerships and the fix.

    Examples
    --------
    >>> partnership_problems("Huntingdonshire", ["E07000011"])
    []
    >>> partnership_problems("Huntingdonshire", ["E07000011", "E07000012"])[0][:87]
    'csp.lad_codes: LAD E07000012 (South Cambridgeshire) belongs to the current partnership '
    >>> partnership_problems("Wycombe", ["E06000060"])[0][:62]
    "csp.name='Wycombe' is a former partnership: LAD E06000060 (Buc"
    """
    lk = lad_lookup()
    codes = [c for c in lad_codes if isinstance(c, str)]
    held = lk[lk["lad_code"].isin(codes)]
    ql = _fold(name)
    legacy = {_fold(k): v for k, v in lk.attrs.get("legacy", {}).items()}
    if ql in legacy:
        now = held[held["csp_name"] == legacy[ql]]
        return [
            f"csp.name={name!r} is a former partnership: LAD {r.lad_code} ({r.lad_name}) now "
            f"belongs to the current partnership {r.csp_name}, so the pack would count "
            f"{r.csp_name}'s crimes under an old name. Fix: `sa init FILE --csp "
            f"{r.csp_name!r}`, or set csp.name: {r.csp_name}."
            for r in now.itertuples(index=False)
        ]
    own = lk[_folded_csp_names() == ql]
    if own.empty:
        return []
    mine = own["lad_code"].tolist()
    return [
        f"csp.lad_codes: LAD {r.lad_code} ({r.lad_name}) belongs to the current partnership "
        f"{r.csp_name}, not {own['csp_name'].iloc[0]}: both partnerships' packs would count its "
        f"crimes. Fix: remove {r.lad_code} from csp.lad_codes ({own['csp_name'].iloc[0]}'s "
        f"LAD(s): {', '.join(mine)}), or give a custom set of districts a name of its own."
        for r in held[~held["lad_code"].isin(mine)].itertuples(index=False)
    ]


def forces_for_lads(lad_codes) -> list[str]:
    """The police.uk force slug(s) whose area holds these LADs (empty for unknown LADs).

    Examples
    --------
    >>> forces_for_lads(["E07000011"])
    ['cambridgeshire']
    """
    lk = lad_lookup()
    return sorted(lk.loc[lk["lad_code"].isin(list(lad_codes)), "force"].unique())


@lru_cache(maxsize=1)
def lsoa_lookup() -> pd.DataFrame:
    """The official LSOA21 -> ward 2024 -> LAD 2024 best-fit lookup.

    Returns
    -------
    DataFrame
        ``lsoa21_code``, ``ward_code``, ``ward_name``, ``lad_code``, ``lad_name``.
    """
    return pd.read_parquet(_path("lsoa21_ward_lad.parquet"))


@lru_cache(maxsize=1)
def change_lookup() -> pd.DataFrame:
    """The ONS LSOA11 -> LSOA21 lookup.

    Returns
    -------
    DataFrame
        ``lsoa11_code``, ``lsoa21_code``, ``change_code`` (U, S, M or X), ``lad22_code``;
        one row per (LSOA11, LSOA21) pair.
    """
    return pd.read_parquet(_path("lsoa11_lsoa21.parquet"))


def lsoa21_boundaries(lsoa21_codes):
    """LSOA 2021 polygons (super-generalised) for the given codes, EPSG:27700.

    Returns
    -------
    GeoDataFrame
        ``lsoa21_code``, ``lsoa21_name``, ``geometry``.
    """
    import geopandas as gpd  # imported here: `sa csps` and `sa init` need no geometry

    codes = sorted(set(lsoa21_codes))
    table = pq.read_table(
        _path("lsoa21_boundaries.parquet"), filters=[("lsoa21_code", "in", codes)]
    )
    g = gpd.GeoDataFrame.from_arrow(table) if hasattr(gpd.GeoDataFrame, "from_arrow") else None
    if g is None:  # pragma: no cover - older geopandas
        g = gpd.read_parquet(_path("lsoa21_boundaries.parquet"))
        g = g[g["lsoa21_code"].isin(codes)]
    return gpd.GeoDataFrame(g, geometry="geometry", crs="EPSG:27700").reset_index(drop=True)


def deprivation(lsoa21_codes=None) -> pd.DataFrame:
    """Deprivation on LSOA21: IoD 2025 for England, WIMD 2019 for Wales.

    Returns
    -------
    DataFrame
        ``lsoa21_code``, ``imd_rank``, ``imd_decile``, ``crime_rank``, ``crime_decile``,
        ``deprivation_index``, ``deprivation_year``, ``deprivation_n_areas`` (ranks run
        1 = most deprived to this), ``deprivation_source_lsoa`` (the LSOA the values were
        published for: the LSOA21 itself, or for Wales the LSOA11 they come from).
    """
    d = pd.read_parquet(_path("deprivation_lsoa21.parquet"))
    if lsoa21_codes is not None:
        d = d[d["lsoa21_code"].isin(list(lsoa21_codes))]
    return d.reset_index(drop=True)


def population_long(lsoa21_codes=None) -> pd.DataFrame:
    """Census 2021 usual residents by LSOA21 and age band (long format).

    Returns
    -------
    DataFrame
        ``lsoa21_code``, ``age_group``, ``usual_residents``.
    """
    p = pd.read_parquet(_path("population_lsoa21.parquet"))
    if lsoa21_codes is not None:
        p = p[p["lsoa21_code"].isin(list(lsoa21_codes))]
    return p.reset_index(drop=True)
