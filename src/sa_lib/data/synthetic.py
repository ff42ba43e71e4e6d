"""SYNTHETIC record-level extract, licensed premises and ambulance call-outs for a CSP.

Everything made here is **synthetic**: made up, seeded and reproducible, for
developing and demonstrating the workbench without real force data. Every output
carries ``synthetic = True``; reports that use it must say so.

How the synthetic extract is built
----------------------------------
It starts from the CSP's **real police.uk street rows** and makes exactly one
extract row for each police.uk row of "Violence and sexual offences", "Criminal
damage and arson" and "Public order" located in the CSP's LSOAs, so its counts per
LSOA x month x crime type **equal police.uk's**. Each row keeps the police.uk
location (snap point, "On or near" street, LSOA) and last outcome; everything else
is drawn at random:

- **Home Office subgroup** of violence and sexual offences, in proportions rounded
  from ONS, *Crime in England and Wales* (police recorded crime, year ending March
  2023 and 2024, England and Wales). Approximate published shares of "violence
  against the person plus sexual offences": violence with injury about 25%,
  violence without injury about 36%, stalking and harassment about 30%, sexual
  offences about 9% (rape about 3%, other sexual offences about 6%), homicide
  about 0.03%. These are rounded and approximate; check the current ONS release.
  Rows near late-licensed premises lean towards violence with injury (x1.8).
  Death or serious injury by unlawful driving (well under 0.1%) is left out.
- **Domestic-abuse flag**: ONS, *Domestic abuse in England and Wales overview*
  (November 2023 and 2024): police flag roughly 0.85-0.9 million crimes a year as
  domestic-abuse-related, about three quarters of them violence against the
  person, which makes **roughly one third of violence against the person**
  DA-related. Used: violence with/without injury 33%, stalking and harassment
  38% (controlling or coercive behaviour is always DA), sexual offences 15%,
  homicide 25%, and about 10% of criminal damage and of public order (all
  approximate; DA-related criminal damage and public order are a small
  published share). So the DA theme gets DA rows of other crime types too.
- **Victims**: pseudonymised ids. A DA crime's victim is, with probability 0.33,
  someone already a DA victim in the same LSOA within the previous 12 months; a
  non-DA victim, 0.07 (sexual-offence victims are never drawn as repeats, so
  their age-specific offence codes stay right; rape of a male under 16 is not
  modelled). Documented realised ranges: 20-45% of DA crimes and under
  12% of other crimes have a victim with an earlier crime within 12 months
  (SafeLives and CSEW both describe DA as the most repeated crime: roughly a
  quarter to a third of DA victims known to services are repeat victims;
  approximate). Victim sex: DA about 73% female (ONS DA overview, police data,
  approximate), sexual offences about 85-90% female, NTE violence about 70% male.
  About 40% of sexual offences have a victim under 18 (approximate, as reported
  in the CSA Centre's analyses of police data).
- **Flags**: CSE on about 15% of sexual offences against under-18s (illustrative);
  hate crime on about 2% of violence and 12% of public order (Home Office,
  *Hate crime, England and Wales*: most hate crimes are public order offences;
  approximate); alcohol on about 70% of NTE violence, 30% of DA and 20% of other
  violence (illustrative; the CSEW finds victims believed the offender under the
  influence of alcohol in roughly two in five violent incidents).
- **Times**: hour-of-week shapes, illustrative but of the published form:
  night-time-economy (NTE) violence peaks late on Friday and Saturday nights
  (counted from 06:00 so that 01:00 Saturday is Friday night); DA peaks in the
  evening with a weekend lift, mostly at a dwelling; other violence peaks in the
  late afternoon; stalking and harassment in the daytime. NTE rows are non-DA
  violence, sexual or public order offences within 250 m of a late-licensed
  premises; ``night_time_economy`` is True when such a row falls between 20:00
  and 05:59. Stalking and harassment have a from/to window of 1-17 weeks; about a
  quarter of sexual offences are non-recent (committed 1-20 years before they
  were recorded); some criminal damage has an overnight window. Recorded dates
  lag the offence by 0-6 days but stay in the police.uk month, which is the month
  of ``recorded_date``.

Licensed premises and ambulance assault call-outs are made by
:mod:`sa_lib.data.synthetic_partner` (described there) and exported from here too.

Examples
--------
>>> from sa_lib import synthetic  # doctest: +SKIP
>>> ext = synthetic.generate_extract(street_rows, geo, seed=20240101)  # doctest: +SKIP
>>> bool(ext["synthetic"].all())  # doctest: +SKIP
True
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from sa_lib.choices import record_choice
from sa_lib.data.extract import coerce_extract, validate_extract
from sa_lib.data.extract_schema import VSO
from sa_lib.data.geography import BNG, CSPGeography
from sa_lib.data.synthetic_partner import (
    TOWNS,
    _pick,
    _to_bng,
    generate_ambulance,
    generate_licensed_premises,
)
from sa_lib.validation import require_columns, require_dataframe, require_int, warn

__all__ = [
    "EXTRACT_CRIME_TYPES",
    "SUBGROUP_SHARES",
    "DA_SHARE",
    "TOWNS",
    "generate_extract",
    "generate_licensed_premises",
    "generate_ambulance",
    "synthetic_summary",
]

#: police.uk crime types copied into the synthetic extract, one row per police.uk row.
EXTRACT_CRIME_TYPES: tuple[str, ...] = (VSO, "Criminal damage and arson", "Public order")

#: Approximate ONS shares of violence and sexual offences by subgroup (see module docs).
SUBGROUP_SHARES: dict[str, float] = {
    "Homicide": 0.0003,
    "Violence with injury": 0.25,
    "Violence without injury": 0.3597,
    "Stalking and harassment": 0.30,
    "Rape": 0.03,
    "Other sexual offences": 0.06,
}

#: Approximate share flagged domestic-abuse-related, by subgroup or crime type.
DA_SHARE: dict[str, float] = {
    "Homicide": 0.25,
    "Violence with injury": 0.33,
    "Violence without injury": 0.33,
    "Stalking and harassment": 0.38,
    "Rape": 0.15,
    "Other sexual offences": 0.15,
    "Criminal damage and arson": 0.10,
    "Public order": 0.10,
}

#: Offence codes within each subgroup (see sa_lib.data.extract.HO_OFFENCE_CODES), with shares.
_CODES: dict[str, dict[str, float]] = {
    "Homicide": {"1": 0.85, "4/1": 0.15},
    "Violence with injury": {"8N": 0.92, "5D": 0.08},
    "Violence without injury": {"105A": 0.85, "104": 0.08, "3B": 0.07},
    "Stalking and harassment|DA": {"8Q": 0.35, "8L": 0.30, "8O": 0.15, "8R": 0.20},
    "Stalking and harassment": {"8L": 0.45, "8R": 0.40, "8O": 0.15},
    "Criminal damage and arson": {"58A": 0.30, "58C": 0.35, "58B": 0.10, "58D": 0.17, "56B": 0.08},
    "Public order": {"9A": 1.0},
}


_BANDS = ("0-12", "13-15", "16-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
# Victim age-band probabilities (illustrative shapes) and P(female), by profile.
_VICTIM: dict[str, tuple[tuple[float, ...], float]] = {
    "da": ((0, 0, 0.03, 0.18, 0.30, 0.24, 0.14, 0.07, 0.04), 0.73),
    "nte": ((0, 0, 0.02, 0.38, 0.32, 0.15, 0.09, 0.04, 0), 0.30),
    "general": ((0.06, 0.10, 0.06, 0.16, 0.20, 0.17, 0.13, 0.07, 0.05), 0.45),
    "sh": ((0.01, 0.06, 0.05, 0.15, 0.22, 0.20, 0.16, 0.10, 0.05), 0.60),
    "sexual": ((0.14, 0.18, 0.08, 0.20, 0.17, 0.10, 0.07, 0.03, 0.03), 0.87),
    "property": ((0, 0.01, 0.02, 0.10, 0.22, 0.22, 0.19, 0.14, 0.10), 0.50),
}
_OFFENDER = (0.02, 0.08, 0.07, 0.24, 0.28, 0.18, 0.09, 0.03, 0.01)

_LOCTYPES: dict[str, dict[str, float]] = {
    "da": {"Dwelling": 0.80, "Street or open space": 0.12, "Other": 0.08},
    "nte": {"Licensed premises": 0.45, "Street or open space": 0.55},
    "general": {
        "Street or open space": 0.40,
        "Dwelling": 0.25,
        "Shop or commercial": 0.15,
        "Education": 0.07,
        "Transport": 0.05,
        "Health": 0.03,
        "Other": 0.05,
    },
    "sh": {"Dwelling": 0.60, "Street or open space": 0.20, "Other": 0.20},
    "sexual": {
        "Dwelling": 0.45,
        "Street or open space": 0.25,
        "Other": 0.15,
        "Education": 0.05,
        "Transport": 0.05,
        "Licensed premises": 0.05,
    },
    "property": {
        "Dwelling": 0.40,
        "Street or open space": 0.35,
        "Shop or commercial": 0.15,
        "Other": 0.10,
    },
}

# Hour-of-day weights (00..23) and day-of-week weights (Mon..Sun), with the hour at
# which the "day" starts (NTE: 06:00, so 01:00 Saturday counts as Friday night).
_TIME: dict[str, tuple[tuple[float, ...], tuple[float, ...], int]] = {
    "nte": (
        (10, 10, 8, 5, 2, 0.5, 0.2, 0.2, 0.3, 0.3, 0.4, 0.5)
        + (0.7, 0.8, 0.9, 1, 1.2, 1.5, 2, 2.5, 3.5, 5, 7, 9),
        (0.5, 0.5, 0.6, 0.9, 2.6, 3.0, 1.0),
        6,
    ),
    "da": (
        (3, 2.5, 2, 1.3, 0.8, 0.6, 0.7, 1, 1.3, 1.5, 1.7, 1.8)
        + (2, 2, 2.1, 2.4, 2.7, 3.1, 3.6, 4, 4.3, 4.5, 4.3, 3.8),
        (1.0, 0.95, 0.95, 0.95, 1.1, 1.3, 1.3),
        4,
    ),
    "general": (
        (1, 0.8, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 1.8, 2, 2.2, 2.4)
        + (2.6, 2.8, 3.2, 3.8, 3.9, 3.7, 3.4, 3, 2.6, 2.2, 1.8, 1.3),
        (1.05, 1.05, 1.05, 1.05, 1.05, 1.0, 0.85),
        0,
    ),
    "sh": (
        (0.5, 0.3, 0.2, 0.1, 0.1, 0.2, 0.5, 1.2, 2.2, 3, 3.2, 3.2)
        + (3.2, 3.2, 3.2, 3.2, 3.1, 3, 2.8, 2.6, 2.3, 1.9, 1.4, 0.9),
        (1.1, 1.1, 1.1, 1.1, 1.1, 0.8, 0.8),
        0,
    ),
    "sexual": (
        (2.5, 2.3, 2, 1.3, 0.8, 0.5, 0.5, 0.8, 1.2, 1.5, 1.7, 1.8)
        + (1.9, 2, 2.2, 2.5, 2.6, 2.6, 2.7, 2.8, 2.9, 3, 3, 2.8),
        (1, 1, 1, 1, 1.2, 1.2, 1),
        6,
    ),
    "property": (
        (3, 2.5, 2, 1.5, 1, 0.8, 0.8, 1, 1.3, 1.4, 1.5, 1.6)
        + (1.7, 1.8, 2, 2.3, 2.6, 2.8, 3, 3.2, 3.4, 3.6, 3.6, 3.3),
        (1, 1, 1, 1, 1.2, 1.2, 1),
        6,
    ),
}

NTE_RADIUS_M = 250.0
_P_NTE = {
    "Violence with injury": 0.85,
    "Violence without injury": 0.55,
    "Other sexual offences": 0.20,
    "Public order": 0.50,
}
_P_REPEAT = {"da": 0.33, "other": 0.07}


def _check(rows: pd.DataFrame, geo: CSPGeography, seed: int) -> None:
    require_dataframe(rows, "police_uk_rows")
    require_columns(
        rows,
        ["month", "lsoa_code", "crime_type", "longitude", "latitude"],
        arg="police_uk_rows",
        fix="load them with sa_lib.data.store.load_street(store, lsoa_codes=geo.lsoas['lsoa21_code'])",
    )
    if not isinstance(geo, CSPGeography):
        raise ValueError(
            f"geo must be a CSPGeography (from sa_lib.data.geography.build_geography), got "
            f"{type(geo).__name__}."
        )
    require_int(seed, arg="seed", minimum=0)


def _ids(rng: np.random.Generator, n: int, prefix: str, taken: set[str] | None = None) -> list[str]:
    taken = set() if taken is None else taken
    out: list[str] = []
    while len(out) < n:
        for v in rng.integers(0, 16**10, size=n - len(out)):
            s = f"{prefix}{int(v):010x}"
            if s not in taken:
                taken.add(s)
                out.append(s)
    return out


def _sample_times(rng: np.random.Generator, months: np.ndarray, profiles: np.ndarray) -> np.ndarray:
    out = np.empty(len(months), dtype="datetime64[s]")
    keys = pd.DataFrame({"m": months, "p": profiles})
    for (m, prof), idx in sorted(keys.groupby(["m", "p"]).indices.items()):
        start = pd.Timestamp(f"{m}-01")
        hours = pd.date_range(start, start + pd.offsets.MonthBegin(1), freq="h", inclusive="left")
        hw, dw, shift = _TIME[prof]
        day = (hours - pd.Timedelta(hours=shift)).day_of_week
        w = np.asarray(hw)[hours.hour] * np.asarray(dw)[day]
        pick = rng.choice(len(hours), size=len(idx), p=w / w.sum())
        secs = rng.integers(0, 3600, size=len(idx)) // 60 * 60
        out[idx] = hours.values[pick].astype("datetime64[s]") + secs.astype("timedelta64[s]")
    return out


def _offence_codes(rng, group, da, sex, age) -> np.ndarray:
    """HO codes by subgroup; sexual-offence codes follow the victim's sex and age."""
    n = len(group)
    code = np.empty(n, dtype=object)
    for g in sorted(set(group) - {"Rape", "Other sexual offences"}):
        if g == "Stalking and harassment":
            parts = ((da, _CODES[g + "|DA"]), (~da, _CODES[g]))
        else:
            parts = ((np.ones(n, dtype=bool), _CODES[g]),)
        for m, table in parts:
            idx = np.flatnonzero((group == g) & m)
            if len(idx):
                code[idx] = _pick(rng, table, len(idx))
    male = sex == "Male"
    u16 = np.isin(age, ["0-12", "13-15"])
    u13 = age == "0-12"
    rape = group == "Rape"
    code[rape] = np.select([u16[rape], male[rape]], ["19D", "19G"], "19C")
    oth = group == "Other sexual offences"
    child_act = (u13 | (u16 & (rng.random(n) < 0.5)))[oth]
    code[oth] = np.select([child_act, male[oth]], ["22B", "17A"], "20A")
    return code


def generate_extract(
    police_uk_rows: pd.DataFrame,
    geo: CSPGeography,
    seed: int,
    licensed_premises: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Make a SYNTHETIC record-level extract that agrees with police.uk counts.

    One extract row per police.uk row of the types in :data:`EXTRACT_CRIME_TYPES`
    located in the CSP's LSOAs, so counts per LSOA x month x crime type equal
    police.uk's exactly. Subgroups, offence codes, flags, times, victims and
    offenders are drawn as described in the module docstring (with sources).

    Parameters
    ----------
    police_uk_rows : DataFrame
        police.uk street rows (``sa_lib.data.store.load_street``): ``month``, ``lsoa_code``,
        ``crime_type``, ``longitude``, ``latitude`` and optionally ``location``,
        ``last_outcome``, ``crime_id``. Rows outside the CSP's LSOAs or of other types
        are ignored.
    geo : CSPGeography
        The CSP.
    seed : int
        Seed for ``numpy.random.default_rng``; the same seed and rows give the same output.
    licensed_premises : GeoDataFrame, optional
        Points with ``late_licence``; default :func:`generate_licensed_premises` with
        the same seed and these rows.

    Returns
    -------
    DataFrame
        Every column of :data:`sa_lib.data.extract.SCHEMA` (validated), ``synthetic``
        True, sorted by ``recorded_date`` then ``committed_from``.

    Examples
    --------
    >>> ext = generate_extract(rows, geo, seed=7)  # doctest: +SKIP
    >>> ext.groupby(["lsoa_code", "month"]).size()  # equals police.uk's  # doctest: +SKIP
    """
    _check(police_uk_rows, geo, seed)
    base = _base_rows(police_uk_rows, geo)
    n = len(base)
    rng = np.random.default_rng(seed)
    x, y, near = _near_late_premises(base, geo, seed, police_uk_rows, licensed_premises)
    ctype = base["crime_type"].to_numpy(dtype=object)
    is_vso = ctype == VSO
    subgroup, group = _draw_subgroups(rng, is_vso, near, ctype)
    da, nte, profile = _draw_da_and_nte(rng, group, near)
    age, sex, sexual = _draw_victim_age_sex(rng, group, da, profile)
    c_from, c_to, recorded = _draw_times(rng, base, group, profile)
    lsoa = base["lsoa_code"].to_numpy(dtype=object)
    has_victim, victim_id = _assign_victims(rng, group, da, sexual, c_from, lsoa, age, sex)
    child, code, hate, sex, age = _draw_codes(rng, group, da, sex, age, is_vso, has_victim)
    off, cse, alcohol, nte_flag, loctype = _draw_offenders_and_flags(
        rng, da, nte, sexual, child, is_vso, c_from, profile
    )
    out = pd.DataFrame(
        {
            "crime_ref": _ids(rng, n, "SYN-"),
            "committed_from": c_from.to_numpy(),
            "committed_to": c_to.to_numpy(),
            "recorded_date": pd.to_datetime(recorded).to_numpy(),
            "month": base["month"].astype("string").to_numpy(),
            "ho_offence_code": code,
            "crime_type": ctype,
            "offence_subgroup": subgroup,
            "easting": np.round(x, 1),
            "northing": np.round(y, 1),
            "longitude": base["longitude"].to_numpy(float),
            "latitude": base["latitude"].to_numpy(float),
            "lsoa_code": lsoa,
            "location": base["location"].to_numpy(object) if "location" in base else None,
            "location_type": loctype,
            "domestic_abuse": da,
            "alcohol_related": alcohol,
            "hate_crime": hate,
            "cse": cse,
            "night_time_economy": nte_flag,
            "victim_id": victim_id,
            "victim_age_band": age,
            "victim_sex": sex,
            "offender_age_band": off,
            "outcome": (
                base["last_outcome"].astype("string").fillna("Status update unavailable")
                if "last_outcome" in base
                else "Status update unavailable"
            ),
            "synthetic": True,
        }
    )
    from sa_lib.data.extract_schema import HO_OFFENCE_CODES

    out.insert(
        6, "ho_offence_description", out["ho_offence_code"].map(lambda c: HO_OFFENCE_CODES[c][0])
    )
    out = coerce_extract(out, arg="synthetic extract")
    out = out.sort_values(
        ["recorded_date", "committed_from", "crime_ref"], kind="mergesort"
    ).reset_index(drop=True)
    validate_extract(out, arg="synthetic extract")
    record_choice(
        "synthetic extract",
        f"seed {seed}, {n} rows",
        "SYNTHETIC: one row per police.uk violence and sexual offences, criminal damage and "
        "public order row; subgroups, flags, times and victims drawn at random",
    )
    return out


def _base_rows(rows: pd.DataFrame, geo: CSPGeography) -> pd.DataFrame:
    """The police.uk rows the extract copies (located, in the CSP, of the extract's types), sorted."""
    keep = rows["crime_type"].isin(EXTRACT_CRIME_TYPES) & rows["lsoa_code"].isin(
        geo.lsoas["lsoa21_code"]
    )
    dropped = int((rows["crime_type"].isin(EXTRACT_CRIME_TYPES) & ~keep).sum())
    sort_cols = [c for c in ["month", "lsoa_code", "crime_type", "crime_id"] if c in rows.columns]
    base = rows.loc[keep].sort_values(sort_cols + ["longitude", "latitude"], kind="mergesort")
    base = base.reset_index(drop=True)
    n = len(base)
    if n == 0:
        raise ValueError(
            "police_uk_rows has no violence and sexual offences, criminal damage or public "
            "order rows in the CSP's LSOAs. Fix: load the CSP's rows with "
            "sa_lib.data.store.load_street(store, lsoa_codes=geo.lsoas['lsoa21_code'])."
        )
    if dropped:
        record_choice(
            "synthetic extract: police.uk rows left out",
            dropped,
            "no location or an LSOA outside the CSP: the extract covers located rows only",
        )
    return base


def _near_late_premises(
    base: pd.DataFrame,
    geo: CSPGeography,
    seed: int,
    rows: pd.DataFrame,
    licensed_premises: gpd.GeoDataFrame | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's British National Grid point, and whether it is near a late-licensed premises."""
    n = len(base)
    if licensed_premises is None:
        licensed_premises = generate_licensed_premises(geo, seed, street_rows=rows)
    require_columns(licensed_premises, ["late_licence", "geometry"], arg="licensed_premises")
    lp = licensed_premises.to_crs(BNG)
    lp = lp[lp["late_licence"].astype(bool)]

    x, y = _to_bng(base["longitude"], base["latitude"])
    if len(lp):
        dist, _ = cKDTree(np.c_[lp.geometry.x, lp.geometry.y]).query(np.c_[x, y])
    else:
        dist = np.full(n, np.inf)
    near = dist <= NTE_RADIUS_M
    return x, y, near


def _draw_subgroups(rng, is_vso, near, ctype) -> tuple[np.ndarray, np.ndarray]:
    """Subgroup (VSO only) and group (subgroup, else crime type) of each row."""
    n = len(ctype)
    # subgroup (VSO only); near late-licensed premises leans to violence with injury
    subgroup = np.full(n, None, dtype=object)
    names = list(SUBGROUP_SHARES)
    p0 = np.array([SUBGROUP_SHARES[k] for k in names])
    lift = np.where(np.array(names) == "Violence with injury", 1.8, 1.0)
    for flag, p in ((False, p0), (True, p0 * lift)):
        idx = np.flatnonzero(is_vso & (near == flag))
        subgroup[idx] = np.array(names, dtype=object)[
            rng.choice(len(names), size=len(idx), p=p / p.sum())
        ]
    group = np.where(is_vso, subgroup, ctype)
    return subgroup, group


def _draw_da_and_nte(rng, group, near) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Domestic-abuse and night-time-economy draws, and each row's time profile."""
    n = len(group)
    # domestic abuse, then night-time economy for non-DA rows near late-licensed premises
    p_da = np.array([DA_SHARE[g] for g in group]) * np.where(near, 0.5, 1.0)
    da = rng.random(n) < p_da
    p_nte = np.array([_P_NTE.get(g, 0.0) for g in group])
    nte = ~da & near & (rng.random(n) < p_nte)
    profile = np.select(
        [
            nte,
            da,
            np.isin(group, ["Rape", "Other sexual offences"]),
            group == "Stalking and harassment",
            np.isin(group, ["Criminal damage and arson", "Public order"]),
        ],
        ["nte", "da", "sexual", "sh", "property"],
        "general",
    ).astype(object)
    return da, nte, profile


def _draw_victim_age_sex(rng, group, da, profile) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Victims' age band and sex (and which rows are sexual offences)."""
    n = len(group)
    # victims' age and sex first: child victims decide some offence codes
    vprof = np.where(profile == "property", "property", profile)
    vprof = np.where(np.isin(group, ["Rape", "Other sexual offences"]), "sexual", vprof)
    vprof = np.where((group == "Stalking and harassment") & ~da, "sh", vprof)
    vprof = np.where(da, "da", vprof)
    age = np.empty(n, dtype=object)
    female = np.zeros(n, dtype=bool)
    for vp in sorted(set(vprof)):
        idx = np.flatnonzero(vprof == vp)
        bands, pf = _VICTIM[vp]
        p = np.asarray(bands, float)
        age[idx] = np.array(_BANDS, dtype=object)[rng.choice(len(_BANDS), len(idx), p=p / p.sum())]
        female[idx] = rng.random(len(idx)) < pf
    sexual = np.isin(group, ["Rape", "Other sexual offences"])
    under16 = np.isin(age, ["0-12", "13-15"])
    # rape of a child under 16 is coded 19D (female); male child rape is not modelled
    female |= (group == "Rape") & under16
    sex = np.where(female, "Female", "Male").astype(object)
    sex = np.where(~sexual & (rng.random(n) < 0.02), "Unknown", sex)
    return age, sex, sexual


def _draw_times(rng, base, group, profile) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Committed from/to and recorded date of each row, in its police.uk month."""
    n = len(group)
    # times: event in the police.uk month, then windows and recording lags
    event = _sample_times(rng, base["month"].to_numpy(dtype=object), profile)
    event = pd.to_datetime(event)
    month_start = pd.to_datetime(base["month"] + "-01")
    month_end = month_start + pd.offsets.MonthBegin(1) - pd.Timedelta(seconds=1)
    c_from = pd.Series(event)
    c_to = pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]")
    sh = group == "Stalking and harassment"
    w_days = rng.integers(7, 120, size=n)
    c_from = c_from.where(~sh, (c_from - pd.to_timedelta(w_days, "D")).dt.normalize())
    c_to = c_to.where(~sh, pd.Series(event))
    cd_win = (group == "Criminal damage and arson") & (rng.random(n) < 0.3)
    c_to = c_to.where(~cd_win, pd.Series(event) + pd.to_timedelta(rng.integers(2, 11, n), "h"))
    lag = rng.choice([0, 1, 2, 3, 4, 5, 6], size=n, p=[0.55, 0.25, 0.08, 0.05, 0.03, 0.02, 0.02])
    last = c_to.fillna(c_from)
    last = last.where(last <= month_end, month_end)
    c_to = c_to.where(c_to.isna() | (c_to <= month_end), month_end)
    recorded = (last.dt.normalize() + pd.to_timedelta(lag, "D")).where(
        lambda s: s <= month_end, month_end.dt.normalize()
    )
    # non-recent sexual offences: recorded in the month, committed 1-20 years earlier
    old = np.isin(group, ["Rape", "Other sexual offences"]) & (rng.random(n) < 0.25)
    if old.any():
        k = int(old.sum())
        days_in = (month_end.dt.day.to_numpy())[old]
        rec_old = month_start[old].to_numpy() + (
            (rng.random(k) * days_in).astype(int).astype("timedelta64[D]")
        )
        from_old = rec_old - (rng.integers(365, 20 * 365, k).astype("timedelta64[D]"))
        to_old = from_old + rng.integers(0, 365, k).astype("timedelta64[D]")
        recorded[old] = rec_old
        c_from[old] = from_old
        c_to[old] = np.minimum(to_old, rec_old)
    return c_from, c_to, recorded


def _assign_victims(
    rng, group, da, sexual, c_from, lsoa, age, sex
) -> tuple[np.ndarray, np.ndarray]:
    """Which rows have a victim, and their pseudonymised ids.

    A repeat victim takes the earlier victim's age and sex (written into ``age``
    and ``sex`` in place).
    """
    n = len(group)
    # victims: pseudonymised ids with repeat victimisation within 12 months
    has_victim = np.ones(n, dtype=bool)
    has_victim &= ~((group == "Public order") & ~da & (rng.random(n) < 0.5))
    has_victim &= ~((group == "Criminal damage and arson") & ~da & (rng.random(n) < 0.4))
    victim_id = np.full(n, None, dtype=object)
    order = np.lexsort((np.arange(n), c_from.to_numpy()))
    new_ids = iter(_ids(rng, n, "SV-"))
    pool: dict[tuple[str, str], list[tuple[str, np.datetime64, str, str]]] = {}
    u = rng.random(n)
    pick_u = rng.random(n)
    year = np.timedelta64(365, "D")
    times = c_from.to_numpy()
    for i in order:
        if not has_victim[i]:
            continue
        kind = "da" if da[i] else "other"
        key = (kind, lsoa[i])
        cands = [c for c in pool.get(key, []) if times[i] - c[1] <= year]
        pool[key] = cands
        if cands and not sexual[i] and u[i] < _P_REPEAT[kind]:
            vid, _, vage, vsex = cands[int(pick_u[i] * len(cands))]
            age[i], sex[i] = vage, vsex
            cands[:] = [c for c in cands if c[0] != vid]
        else:
            vid = next(new_ids)
        victim_id[i] = vid
        pool[key].append((vid, times[i], age[i], sex[i]))
    return has_victim, victim_id


def _draw_codes(rng, group, da, sex, age, is_vso, has_victim):
    """Offence codes and hate-crime flags; victim age and sex blanked where there is no victim.

    Returns ``child``, ``code``, ``hate``, ``sex``, ``age``.
    """
    n = len(group)
    under16 = np.isin(age, ["0-12", "13-15"])
    child = under16 | (age == "16-17")
    code = _offence_codes(rng, group, da, sex, age)
    hate = rng.random(n) < np.select(
        [group == "Public order", is_vso], [0.12, 0.02], 0.02
    ) * np.where(da, 0.2, 1.0)
    code = np.where(hate & (group == "Public order"), "9B", code)
    sex = np.where(has_victim, sex, None)
    age = np.where(has_victim, age, None)
    return child, code, hate, sex, age


def _draw_offenders_and_flags(rng, da, nte, sexual, child, is_vso, c_from, profile):
    """Offender age bands, CSE, alcohol and NTE flags, and location types.

    Returns ``off``, ``cse``, ``alcohol``, ``nte_flag``, ``loctype``.
    """
    n = len(da)
    # offenders: known more often in DA; some child sexual abuse by under-18s
    known = rng.random(n) < np.where(da, 0.9, 0.55)
    off = np.array(_BANDS, dtype=object)[rng.choice(len(_BANDS), n, p=_OFFENDER)]
    off = np.where(
        sexual & child & (rng.random(n) < 0.3),
        _pick(rng, {"13-15": 0.6, "16-17": 0.4}, n),
        off,
    )
    off = np.where(da & np.isin(off, ["0-12", "13-15"]), "18-24", off)
    off = np.where(known, off, None)

    cse = sexual & child & (rng.random(n) < 0.15)
    p_alc = np.select([nte, da, is_vso], [0.7, 0.3, 0.2], 0.1)
    alcohol = rng.random(n) < p_alc
    ev_hour = pd.DatetimeIndex(c_from).hour
    nte_flag = nte & ((ev_hour >= 20) | (ev_hour < 6))
    loctype = np.empty(n, dtype=object)
    for lp_ in sorted(set(profile)):
        idx = np.flatnonzero(profile == lp_)
        loctype[idx] = _pick(rng, _LOCTYPES[lp_], len(idx))
    return off, cse, alcohol, nte_flag, loctype


def synthetic_summary(extract: pd.DataFrame) -> dict[str, float]:
    """Headline shares of an extract, to check the synthetic generator against its sources.

    Returns
    -------
    dict
        ``subgroup_share_<subgroup>`` (of violence and sexual offences),
        ``da_share_vso``, ``da_share_other`` (criminal damage and public order),
        ``repeat_share_da`` and ``repeat_share_other`` (share of crimes with a victim
        whose victim had an earlier crime of the same kind (DA or not) within 365 days),
        ``vwi_fri_sat_night_ratio`` (violence with injury per Friday/Saturday night,
        21:00-03:59, over the same per Monday-Thursday night), ``female_share_da``.

    Examples
    --------
    >>> s = synthetic_summary(ext)  # doctest: +SKIP
    >>> 0.25 < s["da_share_vso"] < 0.40  # doctest: +SKIP
    True
    """
    require_columns(
        extract,
        ["crime_type", "offence_subgroup", "domestic_abuse", "victim_id", "committed_from"],
        arg="extract",
    )
    e = extract
    vso = e[e["crime_type"] == VSO]
    out: dict[str, float] = {}
    for g, share in vso["offence_subgroup"].value_counts(normalize=True).items():
        out[f"subgroup_share_{g}"] = float(share)
    out["da_share_vso"] = float(vso["domestic_abuse"].mean())
    other = e[e["crime_type"] != VSO]
    out["da_share_other"] = float(other["domestic_abuse"].mean()) if len(other) else np.nan
    for kind, m in (("da", e["domestic_abuse"]), ("other", ~e["domestic_abuse"])):
        v = e[m.fillna(False).astype(bool) & e["victim_id"].notna()].sort_values("committed_from")
        prev = v.groupby("victim_id")["committed_from"].shift()
        rep = (v["committed_from"] - prev) <= pd.Timedelta(days=365)
        out[f"repeat_share_{kind}"] = float(rep.mean()) if len(v) else np.nan
    vwi = e[e["offence_subgroup"] == "Violence with injury"]
    t = pd.DatetimeIndex(vwi["committed_from"])
    night = (t.hour >= 21) | (t.hour < 4)
    nd = (t - pd.Timedelta(hours=6)).day_of_week
    fri_sat = (night & np.isin(nd, [4, 5])).sum() / 2
    weekday = (night & np.isin(nd, [0, 1, 2, 3])).sum() / 4
    out["vwi_fri_sat_night_ratio"] = float(fri_sat / weekday) if weekday else np.inf
    da = e[e["domestic_abuse"].fillna(False).astype(bool) & e["victim_sex"].notna()]
    out["female_share_da"] = float((da["victim_sex"] == "Female").mean()) if len(da) else np.nan
    if out["da_share_vso"] > 0.5:
        warn("More than half of violence is flagged domestic abuse: check the DA flag mapping.")
    return out
