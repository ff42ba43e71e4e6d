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
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sa_lib.data.extract_schema import COLUMNS as SCHEMA_COLUMNS
from sa_lib.data.extract_schema import SCHEMA
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

_STREET_TYPES = (
    r"road|rd|street|st|lane|ln|close|avenue|ave|way|drive|dr|court|ct|crescent|place|"
    r"gardens|terrace|grove|walk|row|square|hill|mews|green|park|view|rise|parade|boulevard"
)
# Case-insensitive throughout; spaces, dots and dashes allowed as separators.
_POSTCODE_RE = (
    r"(?i)(?<![\w-])[a-z]{1,2}\d[a-z\d]?[\s.-]*\d(?!(?:st|nd|rd|th)\b)"
    r"[abd-hjlnp-uw-z]{2}(?![\w-])"
)
_EMAIL_RE = r"[\w.+-]+@[\w-]+\.[\w.-]+"
# A phone number stands alone: digits glued to an identifier (``SYN-0284999991``, a
# pseudonymised reference) or inside a longer number are not a phone number.
_PHONE_RE = (
    r"(?<![\w/.+-])(?<![\w]-)(?:(?:\+|00)44[\s.-]?(?:\(0\)[\s.-]?)?|\(?0)"
    r"(?:1\d{2,4}|2\d{1,3}|3\d{2,3}|7\d{3}|8\d{2,3})\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}"
    r"(?![\w/]|[.-]\d)"
)
_NOT_A_STREET_WORD = (
    r"(?!(?:in|on|at|of|the|a|an|and|or|to|with|for|by|near|from|over|under|aged)\b)"
)
# A house number (or range: 12-14, 12a, 3/5) followed by up to three words and a street type.
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred"
)
_STREET_RE = (
    r"(?i)(?<![\w/.-])(?:\d{1,4}[a-z]?(?:\s*[-/&]\s*\d{1,4}[a-z]?)?"
    rf"|(?:{_NUMBER_WORDS})(?:[\s-](?:{_NUMBER_WORDS}))?),?\s+"
    rf"(?:{_NOT_A_STREET_WORD}[a-z][a-z'.-]*\s+){{1,3}}(?:{_STREET_TYPES})\b"
)
# A named house before a street: "The Old Rectory, Church Lane", "Rose Cottage, Mill Road".
_NAMED_HOUSE_RE = (
    r"(?i)\b(?:the\s+[a-z][a-z']+(?:\s+[a-z][a-z']+){0,2}|[a-z][a-z']+\s+(?:house|cottage|farm|"
    r"farmhouse|lodge|barn|mill|villa|bungalow|rectory|vicarage|manor))\s*,\s*"
    rf"(?:[a-z][a-z'.-]*\s+){{1,3}}(?:{_STREET_TYPES})\b"
)
_NI_RE = r"(?i)(?<![\w-])[a-z]{2}[\s.-]?\d{2}[\s.-]?\d{2}[\s.-]?\d{2}[\s.-]?[a-d](?![\w-])"
_DOB_CUE_RE = r"(?i)\b(?:born|d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date)\b"
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_FULL_DATE_RE = (
    r"(?i)\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|"
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?[\s-]+(?:{_MONTHS})[a-z]*\.?,?[\s-]+\d{{4}}\b|"
    rf"\b(?:{_MONTHS})[a-z]*\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
)
#: Common first names in England and Wales (unambiguous ones: no "May", "Will", "Rose").
_FIRST_NAMES = (
    "john|david|michael|james|robert|paul|peter|richard|mark|andrew|stephen|christopher|"
    "daniel|matthew|thomas|william|anthony|kevin|gary|steven|ian|simon|jason|craig|darren|"
    "lee|wayne|dean|scott|ryan|jamie|liam|connor|callum|kyle|jordan|joshua|oliver|harry|"
    "charlie|jacob|alfie|noah|oscar|leo|ethan|mohammed|muhammad|ahmed|ali|"
    "mary|susan|margaret|patricia|linda|elizabeth|sarah|karen|julie|helen|jennifer|"
    "nicola|emma|claire|lisa|michelle|rachel|rebecca|laura|amy|hannah|jessica|chloe|"
    "lauren|sophie|charlotte|emily|olivia|amelia|isla|ava|mia|ella|poppy|lily|isabella|"
    "jade|kelly|stacey|gemma|samantha|natalie|joanne|tracey|donna|dawn|wendy|deborah|"
    "priya|fatima|aisha|zara|amir|omar|hassan|tomasz|piotr|agnieszka|ioana|andrei|"
    "jane|joan|anne|ann|carol|janet|barbara|christine|angela|alison|ruth|katie|kate|"
    "beth|megan|holly|georgia|abigail|ellie|freya|evie|ruby|maisie|daisy|phoebe"
)
# A first name as a word, not a street or place ("Victoria Road", "St John's", "Queen Mary").
_FIRST_NAME_RE = (
    r"(?i)(?<!\bst\s)(?<!\bst\.\s)(?<!\bsaint\s)(?<!\bking\s)(?<!\bqueen\s)(?<!\bprince\s)"
    rf"\b(?:{_FIRST_NAMES})\b(?!'s|’s)(?![\s.-]+(?:[a-z]+\s+)?(?:{_STREET_TYPES})\b)"
    r"(?=[\s.,_-]+[a-z])"
)
_NAME_CUE_RE = (
    r"(?i)\b(?:(?:home|house|address|residence|flat|property)\s+of\s+"
    r"(?!(?:the|a|an|multiple|occupation|worship)\b)(?:[a-z][a-z'-]+\s+|[a-z]\.\s*)[a-z][a-z'-]+"
    r"|(?:mr|mrs|ms|mx|miss)\.?\s+[A-Z][a-z'-]+|dr\.\s+[a-z][a-z'-]+)"
)
# An id made of letters only (JohnSmith, SMITH-JOHN, john.smith): pseudonymised ids have digits.
_LETTERS_ID_RE = r"(?i)^[a-z][a-z'’]*(?:[\s._-]*[a-z][a-z'’]*)*$"
# A whole value shaped like a person's name ("Priya Patel"), for outcome columns.
_PERSON_NAME_RE = (
    r"^[A-Z][a-z'’]+(?:[ -][A-Z][a-z'’]+){1,2}$"
    r"|^[A-Z][A-Za-z'’-]+,\s*[A-Z][a-z'’]+(?:[ -][A-Z][a-z'’]+)?$"  # "SMITH, John"
    r"|^[A-Z]\.\s*[A-Z][a-z'’]+$"  # "J. Smith"
)
#: Words of police.uk and Home Office outcome wording (a title-case outcome is not a name).
_OUTCOME_WORDS = {
    "action",
    "another",
    "awaiting",
    "caution",
    "charged",
    "complete",
    "court",
    "community",
    "dealt",
    "formal",
    "further",
    "given",
    "investigation",
    "local",
    "no",
    "not",
    "offender",
    "organisation",
    "outcome",
    "penalty",
    "prosecute",
    "resolution",
    "result",
    "sent",
    "status",
    "suspect",
    "summonsed",
    "unable",
    "unavailable",
    "under",
    "update",
    "fine",
    "conditional",
    "discharge",
    "prison",
    "order",
    "suspended",
    "sentence",
    "warning",
}
_DATE_RE = r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}"

#: Kept free-text columns: every pattern applies, full dates included.
_FREE_TEXT = ("location", "outcome", "ho_offence_description")
_ID_COLS = ("victim_id", "crime_ref")


def _checks(target: str | None) -> list[tuple[str, str]]:
    """The content checks for a column mapped to ``target`` (None: not mapped)."""
    checks = [
        (_POSTCODE_RE, "a full postcode (content); give the LSOA or postcode sector instead"),
        (_EMAIL_RE, "an e-mail address (content)"),
        (_PHONE_RE, "a phone number (content)"),
        (_NI_RE, "a National Insurance number (content)"),
        (_STREET_RE, "a house-number street address (content); give the street only"),
        (_NAMED_HOUSE_RE, "a named house in an address (content); give the street only"),
        (_DOB_CUE_RE, "a date of birth (content); give an age band instead"),
        (_NAME_CUE_RE, "a person's name in text (content)"),
    ]
    if target in ("victim_age_band", "offender_age_band"):
        checks.append((_DATE_RE, "dates (of birth?) in an age column (content)"))
    if target in _FREE_TEXT or target in _ID_COLS or target is None:
        checks.append((_FIRST_NAME_RE, "a person's name (content)"))
    if target in _FREE_TEXT:
        checks.append((_FULL_DATE_RE, "a full date (of birth?) in a text column (content)"))
    return checks


#: Characters that hide a value from the patterns: zero-width and invisible formatting.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f"))
#: Cyrillic and Greek letters that look like Latin ones (folded before every pattern).
_HOMOGLYPHS = str.maketrans(
    "АВСЕНІЈКМОРЅТХУаеіјорсхуѕԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοριντυχ",
    "ABCEHIJKMOPSTXYaeijopcxysdqwABEZHIKMNOPTYXaopivtux",
)
#: Digits written for letters in ids ("J0hnSm1th").
_LEET = str.maketrans("0134578", "oleastb")


def normalise_text(text: str) -> str:
    """Text as the patterns read it: NFKC (full-width forms become ASCII), zero-width
    characters removed, Cyrillic and Greek look-alikes folded to Latin, and letters
    spaced one by one ("P E 2 9 ...") closed up.

    Examples
    --------
    >>> normalise_text("ＰＥ２９ ３ＢＹ"), normalise_text("PE2\u200b9 3BY"), normalise_text("Р E 2 9 3 B Y")
    ('PE29 3BY', 'PE29 3BY', 'PE293BY')
    """
    t = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_HOMOGLYPHS)
    # Single characters separated by single spaces, four or more in a row: closed up.
    return _SPACED.sub(lambda m: m.group(0).replace(" ", ""), t)


_SPACED = re.compile(r"(?<!\S)(?:\w )(?:\w ){2,}\w(?!\S)")


def _id_variants(t: pd.Series) -> pd.Series:
    """Each id with a trailing number (a birth year?) dropped, or digits read as letters."""

    def variant(v: str) -> str:
        parts = re.split(r"[\s._/-]+", v)
        if sum(c.isdigit() for c in v) > 4 or any(
            len(p) >= 6 and re.fullmatch(r"[0-9a-fA-F]+", p) for p in parts
        ):
            return v  # a number or a hex digest (a pseudonymised reference)
        stripped = re.sub(r"\d{1,4}$", "", v)
        if stripped != v and len(re.sub(r"[^A-Za-z]", "", stripped)) >= 5:
            return stripped
        # Digits inside a run of letters ("J0hnSm1th"), in a mostly-letters id.
        if re.search(r"[A-Za-z]\d[A-Za-z]", v) and len(re.sub(r"[^A-Za-z]", "", v)) >= 4:
            return v.translate(_LEET)
        return v

    return t.map(variant, na_action="ignore").astype("string")


def _letters_id(t: pd.Series) -> np.ndarray:
    """Ids made of letters only (``JohnSmith``, ``SMITH-JOHN``, and ``jsmith1985`` or
    ``J0hnSm1th`` read as letters), unless a part is a hex digest."""
    t = _id_variants(t)
    m = t.str.fullmatch(_LETTERS_ID_RE).fillna(False).to_numpy(dtype=bool)
    if m.any():
        for i in np.flatnonzero(m):
            parts = re.split(r"[\s._-]+", str(t.iloc[i]))
            if any(len(p) >= 6 and re.fullmatch(r"[a-fA-F]+", p) for p in parts):
                m[i] = False
    return m


def _name_shaped(t: pd.Series) -> np.ndarray:
    """Values shaped like a person's full name and made of no outcome words."""
    m = t.str.fullmatch(_PERSON_NAME_RE).fillna(False).to_numpy(dtype=bool)
    if m.any():
        for i in np.flatnonzero(m):
            words = set(re.split(r"[ -]", str(t.iloc[i]).lower()))
            if words & _OUTCOME_WORDS:
                m[i] = False
    return m


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
        # A mapped column's schema name; a schema-shaped file's columns are their own target.
        target = by_source.get(col) if mapping else (col if col in SCHEMA_COLUMNS else None)
        if target in _DATE_COLS or target in _NUM_COLS or target == "synthetic":
            continue
        s = raw[col]
        if not (
            pd.api.types.is_string_dtype(s)
            or pd.api.types.is_object_dtype(s)
            or isinstance(s.dtype, pd.CategoricalDtype)
        ):
            continue
        t = s.astype("string").fillna("")
        checks = [
            (lambda x, rx=rx: x.str.contains(rx, regex=True).fillna(False), why)
            for rx, why in _checks(target)
        ]
        if target in _ID_COLS:
            checks.insert(0, (_letters_id, "a person's name in an id column (content)"))
        if target == "outcome":
            checks.append((_name_shaped, "a person's name in the outcome column (content)"))
        # Each distinct value is tested once (most columns repeat a few values).
        codes, uniques = pd.factorize(t)
        # Normalised before every pattern: full-width, zero-width, look-alike letters.
        u = pd.Series([normalise_text(str(x)) for x in uniques], dtype="string")
        for test, why in checks:
            m_u = np.asarray(test(u), dtype=bool)
            if m_u.any():
                m = m_u[codes]
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
        if h.first_row is None:
            where = ""
        elif "source_line" in raw.columns and pd.notna(raw["source_line"].iloc[int(h.first_row)]):
            line = int(raw["source_line"].iloc[int(h.first_row)])
            where = f" (first at row {int(h.first_row) + 1}, source CSV line {line})"
        elif raw.attrs.get("row_kind") == "row":
            where = f" (first at row {int(h.first_row) + 1})"
        else:
            where = f" (first at CSV line {first + int(h.first_row)})"
        lines.append(f"  - column {h.column!r}: {h.reason}{where}")
    raise PersonalDataError(
        f"{source}: refused: the extract holds personal data.\n" + "\n".join(lines) + f"\n{_WHY}"
    )
