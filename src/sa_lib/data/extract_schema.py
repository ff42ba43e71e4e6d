"""The record-level crime extract schema as data: one :class:`Column` per column.

:data:`SCHEMA` is the typed table spec every force extract is mapped onto (by
:mod:`sa_lib.data.extract_mapping`) and checked against (by
:mod:`sa_lib.data.extract`): each column's dtype, whether it is required, its
allowed values or pattern, and a description. The value lists (crime types,
subgroups, age bands, sexes, location types, flags) and the default Home Office
offence-code lookup live here too. :func:`schema_markdown` renders the spec as
the Markdown table in ``docs/extract_schema.md``.

Examples
--------
>>> REQUIRED[:2]
('crime_ref', 'committed_from')
>>> age_to_band(pd.Series([19])).tolist()
['18-24']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sa_lib.data.counts import POLICE_UK_TYPES

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
    "schema_table",
    "schema_markdown",
    "SCHEMA_DOC",
]

SCHEMA_VERSION = "1"

#: police.uk crime types (street-level file, since 2013).
CRIME_TYPES: tuple[str, ...] = tuple(POLICE_UK_TYPES)
VSO = "Violence and sexual offences"

#: ONS offence subgroups of violence against the person and sexual offences, as in
#: ONS "Crime in England and Wales" police recorded crime tables. Only for VSO rows.
SUBGROUPS: tuple[str, ...] = (
    "Homicide",
    "Death or serious injury caused by unlawful driving",
    "Violence with injury",
    "Violence without injury",
    "Stalking and harassment",
    "Rape",
    "Other sexual offences",
)

#: Age bands for victims and offenders. Under-13, 13-15 and 16-17 are separate because
#: sexual-offence classifications and the CSE and domestic-abuse (16+) definitions turn on them.
AGE_BANDS: tuple[str, ...] = (
    "0-12",
    "13-15",
    "16-17",
    "18-24",
    "25-34",
    "35-44",
    "45-54",
    "55-64",
    "65+",
)
SEXES: tuple[str, ...] = ("Female", "Male", "Unknown")
LOCATION_TYPES: tuple[str, ...] = (
    "Dwelling",
    "Licensed premises",
    "Street or open space",
    "Shop or commercial",
    "Transport",
    "Education",
    "Health",
    "Other",
)
FLAGS: tuple[str, ...] = (
    "domestic_abuse",
    "alcohol_related",
    "hate_crime",
    "cse",
    "night_time_economy",
)

#: Indicative Home Office Counting Rules (HOCR) classification codes used by the
#: synthetic extract and as the default code -> police.uk type lookup in mappings.
#: code -> (description, police.uk crime type, ONS subgroup or None). Codes follow the
#: HOCR "class/subclass" style (e.g. 8N, 105A, 4/1); check them against the version your
#: force uses and extend or override them in the mapping file (``offence_codes:``).
HO_OFFENCE_CODES: dict[str, tuple[str, str, str | None]] = {
    "1": ("Murder", VSO, "Homicide"),
    "4/1": ("Manslaughter", VSO, "Homicide"),
    "5D": ("Assault with intent to cause serious harm", VSO, "Violence with injury"),
    "8N": ("Assault with injury", VSO, "Violence with injury"),
    "105A": ("Assault without injury", VSO, "Violence without injury"),
    "104": ("Assault without injury on a constable", VSO, "Violence without injury"),
    "3B": ("Threats to kill", VSO, "Violence without injury"),
    "8L": ("Harassment", VSO, "Stalking and harassment"),
    "8O": ("Stalking", VSO, "Stalking and harassment"),
    "8Q": ("Controlling or coercive behaviour", VSO, "Stalking and harassment"),
    "8R": ("Malicious communications", VSO, "Stalking and harassment"),
    "19C": ("Rape of a female aged 16 and over", VSO, "Rape"),
    "19D": ("Rape of a female aged under 16", VSO, "Rape"),
    "19G": ("Rape of a male aged 16 and over", VSO, "Rape"),
    "20A": ("Sexual assault on a female aged 13 and over", VSO, "Other sexual offences"),
    "17A": ("Sexual assault on a male aged 13 and over", VSO, "Other sexual offences"),
    "22B": ("Sexual activity involving a child under 16", VSO, "Other sexual offences"),
    "56B": ("Arson not endangering life", "Criminal damage and arson", None),
    "58A": ("Criminal damage to a dwelling", "Criminal damage and arson", None),
    "58B": (
        "Criminal damage to a building other than a dwelling",
        "Criminal damage and arson",
        None,
    ),
    "58C": ("Criminal damage to a vehicle", "Criminal damage and arson", None),
    "58D": ("Other criminal damage", "Criminal damage and arson", None),
    "9A": ("Public fear, alarm or distress", "Public order", None),
    "9B": (
        "Racially or religiously aggravated public fear, alarm or distress",
        "Public order",
        None,
    ),
}

_CODE_RE = r"^[0-9A-Z]{1,4}([/.][0-9A-Z]{1,3})?$"
_LSOA_RE = r"^[EW]01\d{6}$"
_MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"


@dataclass(frozen=True)
class Column:
    """One column of the extract schema.

    Attributes
    ----------
    name : str
        Canonical column name.
    dtype : {"string", "datetime", "date", "bool", "float", "category", "int"}
    required : bool
        Must be present and (except ``bool`` flags, see ``nullable``) never missing.
    description : str
        What it holds; shown in the schema table.
    allowed : tuple of str, optional
        Allowed values (``category``).
    pattern : str, optional
        Regular expression every non-missing value must match (``string``).
    bounds : (float, float), optional
        Inclusive range for ``float`` columns.
    nullable : bool
        Whether a required column may hold missing values.
    """

    name: str
    dtype: str
    required: bool
    description: str
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    bounds: tuple[float, float] | None = None
    nullable: bool = False


SCHEMA: tuple[Column, ...] = (
    Column(
        "crime_ref",
        "string",
        True,
        "Pseudonymised crime or incident reference, unique per row (never the force's own "
        "crime number).",
        pattern=r"^\S+$",
    ),
    Column(
        "committed_from",
        "datetime",
        True,
        "Date-time committed, or the start of the window when the exact time is not known "
        "(UK local time).",
    ),
    Column(
        "committed_to",
        "datetime",
        False,
        "End of the committed window; missing when the time is known exactly.",
    ),
    Column("recorded_date", "date", True, "Date the crime was recorded by the police."),
    Column(
        "month",
        "string",
        True,
        "police.uk month (YYYY-MM) the row counts in: the month of recorded_date "
        "(derived if not given).",
        pattern=_MONTH_RE,
    ),
    Column(
        "ho_offence_code",
        "string",
        True,
        "Home Office Counting Rules offence classification code, e.g. 8N, 105A, 4/1.",
        pattern=_CODE_RE,
    ),
    Column("ho_offence_description", "string", False, "Home Office offence description."),
    Column(
        "crime_type",
        "category",
        True,
        "police.uk crime type (derived from ho_offence_code when the mapping says so).",
        allowed=CRIME_TYPES,
    ),
    Column(
        "offence_subgroup",
        "category",
        False,
        "ONS subgroup of violence and sexual offences; missing for other crime types.",
        allowed=SUBGROUPS,
    ),
    Column(
        "easting",
        "float",
        False,
        "British National Grid easting (m), EPSG:27700.",
        bounds=(0, 700_000),
    ),
    Column(
        "northing",
        "float",
        False,
        "British National Grid northing (m), EPSG:27700.",
        bounds=(0, 1_300_000),
    ),
    Column("longitude", "float", False, "WGS84 longitude.", bounds=(-8.7, 2.0)),
    Column("latitude", "float", False, "WGS84 latitude.", bounds=(49.8, 61.0)),
    Column(
        "lsoa_code",
        "string",
        False,
        "LSOA code (2021, or 2011 for older rows; see sa_lib.data.geography.assign_to_csp).",
        pattern=_LSOA_RE,
    ),
    Column(
        "location",
        "string",
        False,
        "Street-level place description, police.uk style ('On or near High Street'); "
        "no house number or full postcode.",
    ),
    Column("location_type", "category", False, "Type of place.", allowed=LOCATION_TYPES),
    Column(
        "domestic_abuse",
        "bool",
        True,
        "Domestic abuse flag (Home Office definition, victim 16+ and personally connected).",
    ),
    Column(
        "alcohol_related",
        "bool",
        False,
        "Alcohol-related flag; missing if the force does not record it.",
    ),
    Column("hate_crime", "bool", False, "Hate crime flag (any monitored strand)."),
    Column("cse", "bool", False, "Child sexual exploitation flag."),
    Column("night_time_economy", "bool", False, "Night-time economy flag."),
    Column(
        "victim_id",
        "string",
        False,
        "Pseudonymised victim id, stable across the extract (for repeat victimisation); "
        "missing for crimes with no identified victim.",
        pattern=r"^\S+$",
    ),
    Column("victim_age_band", "category", False, "Victim age band at the offence.", AGE_BANDS),
    Column("victim_sex", "category", False, "Victim sex.", SEXES),
    Column(
        "offender_age_band",
        "category",
        False,
        "Suspect or offender age band, where known.",
        AGE_BANDS,
    ),
    Column(
        "outcome", "string", False, "Latest outcome (Home Office outcome or police.uk wording)."
    ),
    Column("synthetic", "bool", False, "True for SYNTHETIC rows (made up, not real crimes)."),
    Column("source_line", "int", False, "Line of the row in the source CSV (added at ingest)."),
)

COLUMNS: tuple[str, ...] = tuple(c.name for c in SCHEMA)
REQUIRED: tuple[str, ...] = tuple(c.name for c in SCHEMA if c.required)


def age_to_band(age: pd.Series) -> pd.Series:
    """Band ages in whole years into :data:`AGE_BANDS` (missing stays missing).

    Examples
    --------
    >>> import pandas as pd
    >>> age_to_band(pd.Series([5, 15, 17, 30, 70, None])).tolist()
    ['0-12', '13-15', '16-17', '25-34', '65+', <NA>]
    """
    a = pd.to_numeric(age, errors="coerce")
    edges = [-np.inf, 13, 16, 18, 25, 35, 45, 55, 65, np.inf]
    out = pd.cut(a, edges, right=False, labels=list(AGE_BANDS))
    return out.astype("string")


def schema_table() -> pd.DataFrame:
    """Return the schema as a DataFrame: name, dtype, required, allowed, description.

    Examples
    --------
    >>> t = schema_table()
    >>> t.loc[t["name"] == "crime_type", "required"].item()
    True
    """
    rows = []
    for c in SCHEMA:
        if c.allowed is not None:
            allowed = "; ".join(c.allowed)
        elif c.pattern is not None:
            allowed = f"pattern {c.pattern}"
        elif c.bounds is not None:
            allowed = f"{c.bounds[0]:g} to {c.bounds[1]:g}"
        elif c.dtype == "bool":
            allowed = "True; False; missing = not recorded" if not c.required else "True; False"
        else:
            allowed = ""
        rows.append(
            {
                "name": c.name,
                "dtype": c.dtype,
                "required": c.required,
                "allowed": allowed,
                "description": c.description,
            }
        )
    return pd.DataFrame(rows)


def schema_markdown() -> str:
    """Render the schema as a Markdown table (as in ``docs/extract_schema.md``).

    Examples
    --------
    >>> schema_markdown().splitlines()[0]
    '| column | dtype | required | allowed values | description |'
    """
    lines = [
        "| column | dtype | required | allowed values | description |",
        "|---|---|---|---|---|",
    ]
    for r in schema_table().itertuples(index=False):
        allowed = r.allowed.replace("|", "\\|")
        lines.append(
            f"| `{r.name}` | {r.dtype} | {'yes' if r.required else 'no'} | {allowed} | "
            f"{r.description} |"
        )
    return "\n".join(lines)


#: The schema table in Markdown (for docs and the report's data annex).
SCHEMA_DOC: str = schema_markdown()
