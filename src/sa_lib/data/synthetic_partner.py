"""SYNTHETIC licensed premises and ambulance call-outs for a CSP (partner data).

Everything made here is **synthetic**: made up, seeded and reproducible, for
developing and demonstrating the workbench without real partner data. Every output
carries ``synthetic = True``; reports that use it must say so. The synthetic
crime extract is made by :mod:`sa_lib.data.synthetic`, which also exports these.

Licensed premises are points around the town centres of Huntingdon, St Neots,
St Ives and Ramsey (and a few village pubs), snapped to the densest police.uk
violence point near each nominal centre when street rows are given. Ambulance
assault call-outs per LSOA and month are Poisson-gamma draws around a mean driven
by the synthetic violence with injury (NTE counts weigh more), a population
base and deprivation: correlated with, not equal to, violence with injury.
Illustrative; not calibrated to a published ambulance rate.

Examples
--------
>>> sorted(TOWNS)[:2]
['Brampton', 'Buckden']
>>> import numpy as np
>>> _pick(np.random.default_rng(0), {"pub": 1.0}, 2).tolist()
['pub', 'pub']
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from sa_lib.choices import record_choice
from sa_lib.data.extract_schema import VSO
from sa_lib.data.geography import BNG, CSPGeography
from sa_lib.validation import require_columns, require_int

__all__ = ["TOWNS", "generate_licensed_premises", "generate_ambulance"]

#: Nominal town centres (lon, lat), number of premises, and spread (m). Approximate.
TOWNS: dict[str, tuple[float, float, int, float]] = {
    "Huntingdon": (-0.1831, 52.3307, 32, 250.0),
    "St Neots": (-0.2699, 52.2283, 40, 280.0),
    "St Ives": (-0.0738, 52.3233, 32, 230.0),
    "Ramsey": (-0.1064, 52.4499, 12, 180.0),
    "Godmanchester": (-0.1752, 52.3196, 5, 200.0),
    "Eaton Socon": (-0.2885, 52.2165, 5, 250.0),
    "Yaxley": (-0.2600, 52.5125, 5, 250.0),
    "Sawtry": (-0.2810, 52.4390, 4, 200.0),
    "Kimbolton": (-0.3905, 52.2965, 4, 150.0),
    "Buckden": (-0.2490, 52.2940, 4, 150.0),
    "Somersham": (0.0005, 52.3813, 3, 150.0),
    "Brampton": (-0.2240, 52.3200, 3, 200.0),
}
_MAIN_TOWNS = ("Huntingdon", "St Neots", "St Ives", "Ramsey")


def _to_bng(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    tr = Transformer.from_crs("EPSG:4326", BNG, always_xy=True)
    x, y = tr.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def _to_wgs(x, y) -> tuple[np.ndarray, np.ndarray]:
    tr = Transformer.from_crs(BNG, "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


def _pick(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    keys = list(table)
    p = np.array([table[k] for k in keys], float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def generate_licensed_premises(
    geo: CSPGeography, seed: int, street_rows: pd.DataFrame | None = None
) -> gpd.GeoDataFrame:
    """Make SYNTHETIC licensed-premises points around the CSP's town centres.

    Parameters
    ----------
    geo : CSPGeography
        The CSP (points are kept inside its boundary).
    seed : int
        Seed for ``numpy.random.default_rng``.
    street_rows : DataFrame, optional
        police.uk street rows (``crime_type``, ``longitude``, ``latitude``). When
        given, each nominal town centre in :data:`TOWNS` moves to the police.uk
        point with most violence within 800 m of it (the busiest street).

    Returns
    -------
    GeoDataFrame
        EPSG:27700, one row per premises: ``premises_id``, ``town``, ``premises_type``
        (pub, bar, restaurant, nightclub, hotel), ``late_licence`` (bool), ``easting``,
        ``northing``, ``longitude``, ``latitude``, ``lsoa21_code``, ``synthetic``
        (True), ``geometry``.

    Examples
    --------
    >>> lp = generate_licensed_premises(geo, seed=1)  # doctest: +SKIP
    >>> lp.groupby("town").size()["St Neots"]  # doctest: +SKIP
    40
    """
    require_int(seed, arg="seed", minimum=0)
    rng = np.random.default_rng([seed, 1])
    names = list(TOWNS)
    cx, cy = _to_bng([TOWNS[t][0] for t in names], [TOWNS[t][1] for t in names])
    if street_rows is not None:
        require_columns(street_rows, ["crime_type", "longitude", "latitude"], arg="street_rows")
        v = street_rows[(street_rows["crime_type"] == VSO) & street_rows["longitude"].notna()]
        pts = v.groupby(["longitude", "latitude"]).size().rename("n").reset_index()
        px, py = _to_bng(pts["longitude"], pts["latitude"])
        for i in range(len(names)):
            d = np.hypot(px - cx[i], py - cy[i])
            near = d <= 800
            if near.any():
                j = np.flatnonzero(near)[np.argmax(pts["n"].to_numpy()[near])]
                cx[i], cy[i] = px[j], py[j]
        record_choice(
            "synthetic town centres",
            "busiest police.uk violence point within 800 m of each nominal centre",
            "places synthetic licensed premises where the real violence concentrates",
        )
    boundary = geo.boundary.geometry.iloc[0]
    rows = []
    for i, town in enumerate(names):
        n, spread = TOWNS[town][2], TOWNS[town][3]
        main = town in _MAIN_TOWNS
        k = 0
        while k < n:
            sd = spread * (0.5 if (main and rng.random() < 0.6) else 1.0)
            x, y = cx[i] + rng.normal(0, sd), cy[i] + rng.normal(0, sd)
            if not boundary.contains(gpd.points_from_xy([x], [y])[0]):
                continue
            if main:
                kind = _pick(
                    rng,
                    {
                        "pub": 0.42,
                        "bar": 0.17,
                        "restaurant": 0.30,
                        "nightclub": 0.04,
                        "hotel": 0.07,
                    },
                    1,
                )[0]
            else:
                kind = _pick(rng, {"pub": 0.75, "restaurant": 0.20, "hotel": 0.05}, 1)[0]
            p_late = {"nightclub": 1.0, "bar": 0.8, "pub": 0.5, "hotel": 0.3}.get(kind, 0.05)
            rows.append((town, kind, bool(rng.random() < p_late), round(x, 1), round(y, 1)))
            k += 1
    df = pd.DataFrame(
        rows, columns=["town", "premises_type", "late_licence", "easting", "northing"]
    )
    df.insert(0, "premises_id", [f"SYN-LP-{i + 1:03d}" for i in range(len(df))])
    lon, lat = _to_wgs(df["easting"], df["northing"])
    df["longitude"], df["latitude"] = np.round(lon, 6), np.round(lat, 6)
    g = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["easting"], df["northing"]), crs=BNG)
    j = gpd.sjoin(g, geo.lsoas[["lsoa21_code", "geometry"]], how="left", predicate="within")
    g["lsoa21_code"] = j.loc[~j.index.duplicated(), "lsoa21_code"].astype("string")
    g["synthetic"] = True
    cols = ["premises_id", "town", "premises_type", "late_licence", "easting", "northing"]
    cols += ["longitude", "latitude", "lsoa21_code", "synthetic", "geometry"]
    return g[cols]


def generate_ambulance(extract: pd.DataFrame, geo: CSPGeography, seed: int) -> pd.DataFrame:
    """Make SYNTHETIC monthly ambulance assault call-outs per LSOA.

    The mean for an LSOA-month is ``0.35 x violence with injury + 0.35 x NTE violence
    with injury + 0.06 x population/1000 x deprivation factor`` (factor 1.0 in the
    least deprived decile rising to 1.5 in the most), and the count is a
    Poisson-gamma (negative binomial, shape 4) draw: correlated with, never equal
    to, the extract's violence with injury. Illustrative only.

    Parameters
    ----------
    extract : DataFrame
        A synthetic (or real) extract with ``lsoa_code``, ``month``, ``offence_subgroup``,
        ``night_time_economy``.
    geo : CSPGeography
    seed : int

    Returns
    -------
    DataFrame
        One row per LSOA x month in the extract's month range: ``lsoa21_code``,
        ``ward_code``, ``month``, ``assault_callouts``, ``synthetic`` (True).
    """
    require_columns(
        extract,
        ["lsoa_code", "month", "offence_subgroup", "night_time_economy"],
        arg="extract",
        fix="pass the output of generate_extract or sa_lib.data.extract.load_extract",
    )
    require_int(seed, arg="seed", minimum=0)
    if not extract["month"].notna().any():
        raise ValueError("extract has no months. Fix: pass a non-empty extract.")
    rng = np.random.default_rng([seed, 2])
    months = pd.period_range(extract["month"].min(), extract["month"].max(), freq="M")
    months = [str(m) for m in months]
    lsoas = geo.lsoas.sort_values("lsoa21_code")
    grid = pd.MultiIndex.from_product(
        [lsoas["lsoa21_code"].tolist(), months], names=["lsoa21_code", "month"]
    )
    vwi = extract["offence_subgroup"] == "Violence with injury"
    counts = extract[vwi].groupby(["lsoa_code", "month"]).size()
    nte = extract[vwi & extract["night_time_economy"].fillna(False).astype(bool)]
    nte_counts = nte.groupby(["lsoa_code", "month"]).size()
    counts.index.names = nte_counts.index.names = ["lsoa21_code", "month"]
    df = pd.DataFrame(index=grid).reset_index()
    key = pd.MultiIndex.from_frame(df[["lsoa21_code", "month"]])
    df["vwi"] = counts.reindex(key, fill_value=0).to_numpy()
    df["nte"] = nte_counts.reindex(key, fill_value=0).to_numpy()
    info = lsoas.set_index("lsoa21_code")
    pop = df["lsoa21_code"].map(info["population"]).fillna(0).to_numpy(float)
    decile = df["lsoa21_code"].map(info["imd_decile"]) if "imd_decile" in info else None
    dep = 1.0 if decile is None else 1.0 + 0.5 * (10 - decile.fillna(5).to_numpy(float)) / 9
    mean = 0.35 * df["vwi"] + 0.35 * df["nte"] + 0.06 * pop / 1000 * dep
    lam = mean.to_numpy(float) * rng.gamma(4.0, 1 / 4.0, size=len(df))
    df["assault_callouts"] = rng.poisson(lam).astype("int64")
    df["ward_code"] = df["lsoa21_code"].map(info["ward_code"]).astype("string")
    df["synthetic"] = True
    record_choice(
        "synthetic ambulance call-outs",
        f"seed {seed}",
        "SYNTHETIC: negative binomial around 0.35 x violence with injury (+0.35 x NTE) plus a "
        "population and deprivation base",
    )
    return df[["lsoa21_code", "ward_code", "month", "assault_callouts", "synthetic"]]


#: Monthly rate per 1,000 residents of each SYNTHETIC partner indicator, and its level.
PARTNER_RATES: dict[str, tuple[float, str]] = {
    "fire_deliberate": (0.06, "lsoa"),
    "council_asb_cases": (0.35, "ward"),
    "hate_crime_reports": (0.03, "district"),
    "probation_caseload": (2.1, "district"),
    "youth_offending_caseload": (0.25, "district"),
    "treatment_starts": (0.16, "district"),
}


def generate_partner_indicators(
    areas: pd.DataFrame, lad_code: str, months: list[str], seed: int, ambulance=None
) -> pd.DataFrame:
    """SYNTHETIC partner indicators over a CSP's real LSOAs, in the partner schema.

    Parameters
    ----------
    areas : DataFrame
        ``lsoa_code``, ``ward_code``, ``population`` (one row per LSOA).
    lad_code : str
        The district's code, for district-level indicators.
    months : list of str
        ``YYYY-MM`` months.
    seed : int
        numpy ``default_rng`` seed: the same seed gives the same rows.
    ambulance : DataFrame, optional
        The synthetic ambulance call-outs (``lsoa21_code``, ``month``,
        ``assault_callouts``), carried over as ``ambulance_assault``.

    Returns
    -------
    DataFrame
        ``area_type``, ``area_code``, ``month``, ``indicator``, ``count``, ``synthetic``
        (True on every row). Deliberate fires peak in spring and summer; every LSOA has
        its own gamma-distributed level, so some places carry more than others.

    Examples
    --------
    >>> a = pd.DataFrame({"lsoa_code": ["E01000001"], "ward_code": ["E05000001"],
    ...                   "population": [1500]})
    >>> df = generate_partner_indicators(a, "E07000011", ["2025-01"], seed=1)
    >>> sorted(df["area_type"].unique()), bool(df["synthetic"].all())
    (['district', 'lsoa', 'ward'], True)
    """
    rng = np.random.default_rng(seed)
    level = rng.gamma(2.0, 0.5, len(areas))
    rows = []
    for ind, (rate, where) in PARTNER_RATES.items():
        for k, month in enumerate(months):
            season = 1 + (
                0.5 * np.sin((int(month[5:]) - 3) / 12 * 2 * np.pi)
                if ind == "fire_deliberate"
                else 0
            )
            trend = 1 + 0.01 * k
            mean = areas["population"].to_numpy(float) / 1000 * rate * level * season * trend
            counts = rng.poisson(mean)
            frame = pd.DataFrame(
                {"lsoa": areas["lsoa_code"], "ward": areas["ward_code"], "n": counts}
            )
            if where == "lsoa":
                grouped = frame.groupby("lsoa")["n"].sum()
            elif where == "ward":
                grouped = frame.groupby("ward")["n"].sum()
            else:
                grouped = pd.Series({lad_code: int(counts.sum())})
            rows += [
                {
                    "area_type": where,
                    "area_code": code,
                    "month": month,
                    "indicator": ind,
                    "count": int(n),
                }
                for code, n in grouped.items()
            ]
    if ambulance is not None:
        amb = ambulance[ambulance["month"].isin(months)]
        rows += [
            {"area_type": "lsoa", "area_code": r.lsoa21_code, "month": r.month,
             "indicator": "ambulance_assault", "count": int(r.assault_callouts)}
            for r in amb.itertuples(index=False)
        ]  # fmt: skip
    return pd.DataFrame(rows).assign(synthetic=True)
