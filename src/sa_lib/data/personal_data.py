"""Refuse personal data in a force extract: by column name and by content.

Names, addresses, dates of birth, contact details and national identifiers are
**refused at ingest**, by column name and by content (full postcodes, house-number
street addresses, e-mail addresses, phone numbers, names in id columns, dates in
age columns). Under UK GDPR (Article 5(1)(c), data minimisation) and the Data
Protection Act 2018 a strategic assessment may only process the personal data it
needs; it needs pseudonymised ids, age bands and LSOAs, never identities. The
extract must be pseudonymised by the force before it reaches the workbench.

Examples
--------
>>> import pandas as pd
>>> from sa_lib.data.personal_data import find_personal_data
>>> find_personal_data(pd.DataFrame({"Victim Name": ["x"]}))["column"].tolist()
['Victim Name']
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sa_lib.data.extract import SCHEMA
from sa_lib.validation import require_dataframe

if TYPE_CHECKING:
    from sa_lib.data.extract_mapping import ExtractMapping

__all__ = ["PersonalDataError", "find_personal_data", "refuse_personal_data"]

# Mapped date and number columns are parsed and checked by the schema, not scanned here.
_DATE_COLS = tuple(c.name for c in SCHEMA if c.dtype in ("datetime", "date"))
_NUM_COLS = tuple(c.name for c in SCHEMA if c.dtype in ("float", "int"))

_WHY = (
    "Why: the workbench must not hold personal data it does not need. UK GDPR Article "
    "5(1)(c) (data minimisation) and the Data Protection Act 2018 allow a strategic "
    "assessment only what it needs: pseudonymised references and victim ids, age bands, "
    "sex, and location to street or LSOA level. Names, addresses, dates of birth and contact "
    "details identify people and are never needed. The extract must be pseudonymised before "
    "it reaches the workbench.\n"
    "Fix: ask the force's data owner to remove or pseudonymise these columns in the export "
    "(names -> pseudonymised id, date of birth -> age band, address -> LSOA or street "
    "name), then ingest the new file. Nothing was read further or written."
)


class PersonalDataError(ValueError):
    """The extract holds personal data (names, addresses, dates of birth...): refused."""


_PERSON_WORDS = {
    "victim",
    "offender",
    "suspect",
    "witness",
    "person",
    "persons",
    "reporter",
    "informant",
    "complainant",
    "officer",
    "aggrieved",
    "accused",
    "subject",
    "driver",
    "parent",
    "guardian",
    "owner",
    "contact",
    "caller",
    "nominal",
    "ip",
    "injured",
    "client",
    "patient",
    "person's",
}
_NAME_TOKENS = {
    "forename",
    "forenames",
    "surname",
    "surnames",
    "firstname",
    "lastname",
    "fullname",
    "givenname",
    "familyname",
    "maidenname",
    "middlename",
    "nickname",
    "alias",
}
_NAME_PHRASES = ("first name", "last name", "full name", "given name", "family name")
_NAME_PHRASES += ("maiden name", "middle name", "christian name")
_ADDRESS_PHRASES = ("address", "addr", "house number", "house name", "home street", "flat number")
_DOB_PHRASES = ("date of birth", "birth date", "birthdate", "birth day", "birthday", "born")
_DOB_TOKENS = {"dob", "d o b"}
_CONTACT_TOKENS = {"phone", "telephone", "tel", "mobile", "landline", "email", "e mail", "fax"}
_ID_PHRASES = (
    "national insurance",
    "ni number",
    "nino",
    "nhs number",
    "passport",
    "driving licence",
    "driver licence",
    "pnc id",
    "cro number",
)

_POSTCODE_RE = r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}\b"
_EMAIL_RE = r"[\w.+-]+@[\w-]+\.[\w.-]+"
_PHONE_RE = (
    r"(?<![\d/])(?:\+44 ?\(?0?\)? ?|0)(?:7\d{3}|1\d{3}|2\d{2,3}|3\d{3}) ?\d{3} ?\d{3,4}(?![\d/])"
)
_STREET_RE = (
    r"(?i)^\s*(?:flat\s+\w+,?\s*)?\d+[a-z]?,?\s+[a-z][a-z' -]*\s"
    r"(?:road|rd|street|st|lane|ln|close|avenue|ave|way|drive|dr|court|ct|crescent|place|"
    r"gardens|terrace|grove|walk|row|square|hill|mews|green|park)\b"
)
_PERSON_NAME_RE = r"^[A-Z][a-z]+(?:[ -][A-Z][a-z']+)+$"
_DATE_RE = r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}"


def _words(col: str) -> str:
    return " " + re.sub(r"[^a-z0-9']+", " ", re.sub(r"([a-z])([A-Z])", r"\1 \2", col).lower()) + " "


def _name_reason(col: str) -> str | None:
    w = _words(col)
    toks = set(w.split())
    squashed = w.replace(" ", "")
    if toks & _NAME_TOKENS or any(t in squashed for t in ("forename", "surname")):
        return "a person's name (column name)"
    if any(f" {ph} " in w for ph in _NAME_PHRASES):
        return "a person's name (column name)"
    if toks & {"name", "names"} and (toks <= {"name", "names"} or toks & _PERSON_WORDS):
        return "a person's name (column name)"
    if any(f" {ph}" in w for ph in _DOB_PHRASES) or toks & _DOB_TOKENS or " d o b " in w:
        return "a date of birth (column name); give an age band instead"
    if "email" in squashed or toks & _CONTACT_TOKENS:
        return "contact details (column name)"
    if any(f" {ph}" in w for ph in _ADDRESS_PHRASES) or "address" in squashed:
        return "an address (column name); give the LSOA or a street-level location instead"
    if toks & {"postcode", "postcodes"} or " post code " in w:
        return "a postcode (column name); give the LSOA instead"
    if any(f" {ph} " in w for ph in _ID_PHRASES):
        return "a national identifier (column name)"
    return None


def find_personal_data(raw: pd.DataFrame, mapping: ExtractMapping | None = None) -> pd.DataFrame:
    """List the columns of a raw extract that hold personal data, by name and by content.

    Parameters
    ----------
    raw : DataFrame
        The force's columns (as read by :func:`read_extract_csv`).
    mapping : ExtractMapping, optional
        Used to know which columns are ids, ages, dates or numbers.

    Returns
    -------
    DataFrame
        ``column``, ``reason``, ``first_row`` (position of the first offending value,
        or None for a name match). Empty when nothing was found. Values are never shown.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"Ref": ["A1"], "Victim Name": ["x"], "Victim Age Band": ["18-24"]})
    >>> find_personal_data(raw)[["column", "reason"]].values.tolist()
    [['Victim Name', "a person's name (column name)"]]
    """
    require_dataframe(raw, "raw")
    by_source = {v: k for k, v in (mapping.columns if mapping else {}).items()}
    hits = []
    for col in raw.columns:
        reason = _name_reason(str(col))
        if reason:
            hits.append({"column": col, "reason": reason, "first_row": None})
            continue
        target = by_source.get(col)
        if target in _DATE_COLS or target in _NUM_COLS:
            continue
        s = raw[col]
        if not (pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s)):
            continue
        t = s.astype("string").fillna("")
        checks = [
            (_POSTCODE_RE, "a full postcode (content); give the LSOA or postcode sector instead"),
            (_EMAIL_RE, "an e-mail address (content)"),
            (_PHONE_RE, "a phone number (content)"),
            (_STREET_RE, "a house-number street address (content); give the street only"),
        ]
        if target in ("victim_id", "crime_ref"):
            checks.append((_PERSON_NAME_RE, "a person's name in an id column (content)"))
        if target in ("victim_age_band", "offender_age_band"):
            checks.append((_DATE_RE, "dates (of birth?) in an age column (content)"))
        for rx, why in checks:
            m = t.str.contains(rx, regex=True).fillna(False).to_numpy(dtype=bool)
            if m.any():
                hits.append({"column": col, "reason": why, "first_row": int(np.argmax(m))})
                break
    return pd.DataFrame(hits, columns=["column", "reason", "first_row"])


def refuse_personal_data(
    raw: pd.DataFrame, *, source: str = "extract", mapping: ExtractMapping | None = None
) -> None:
    """Raise :class:`PersonalDataError` if the raw extract holds personal data.

    The message lists each column and why (never the values), cites UK GDPR data
    minimisation, and says how to fix the export. Listing a column under the
    mapping's ``drop:`` does not help: the file itself must not contain it.
    """
    hits = find_personal_data(raw, mapping)
    if hits.empty:
        return
    first = raw.attrs.get("first_line", 2)
    lines = []
    for h in hits.itertuples(index=False):
        where = "" if h.first_row is None else f" (first at CSV line {first + int(h.first_row)})"
        lines.append(f"  - column {h.column!r}: {h.reason}{where}")
    raise PersonalDataError(
        f"{source}: refused: the extract holds personal data.\n" + "\n".join(lines) + f"\n{_WHY}"
    )
