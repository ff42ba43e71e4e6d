"""CSP geography: LSOAs, wards, best-fit lookups, population and deprivation.

A CSP is selected by its local authority district (LAD) code(s). With
``boundaries="national"`` (what ``sa init --csp`` writes) everything comes from the
national reference shipped in ``data/national`` (:mod:`sa_lib.data.national`): LSOA
2021 polygons, the official ONS LSOA21 -> ward best-fit lookup (wards drawn as the
dissolve of their LSOAs), Census 2021 population and IoD 2025 / WIMD 2019, so any CSP
in England and Wales works with no file gathered by hand. A user with finer
boundaries can instead give a folder laid out as
``<boundaries>/{lsoa21,lsoa11,ward25}/<LAD>.geojson`` (the ONS Open Geography Portal
layout shipped in ``data/sample``). Data with LSOA 2011 codes always map by the
official ONS change lookup (:mod:`sa_lib.data.vintage`).

Best-fit lookups for a boundaries folder
----------------------------------------
With a folder of boundaries, :func:`best_fit` derives the lookups from the polygons. ONS best-fits a
small unit to the large unit that holds most of it (by population-weighted
centroid). Without population-weighted centroids we use the same rule on **area**:
each small unit goes to the large unit with the largest share of its area, and
``fit_share`` records that share so poor fits (< 0.9) are visible in the report.

- LSOA21 -> ward (2025): area best fit.
- IMD 2019 (published for LSOA11) -> LSOA21: each LSOA21 takes the IMD of the
  LSOA11 holding the largest share of its area. Split LSOAs inherit their
  parent's IMD; merged ones take the larger part's.

All metric work is in British National Grid (EPSG:27700).

Examples
--------
>>> from sa_lib.data.geography import build_geography  # doctest: +SKIP
>>> geo = build_geography(["E07000011"], "data/sample/boundaries",  # doctest: +SKIP
...     "data/sample/population/census2021_lsoa21_age_bands.csv.gz",
...     "data/sample/deprivation/iod2019_lsoa11.csv.gz")
>>> len(geo.lsoas), len(geo.wards)  # doctest: +SKIP
(111, 26)
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from sa_lib.choices import record_choice
from sa_lib.data import national
from sa_lib.data.vintage import place_rows
from sa_lib.validation import require_columns, require_geodataframe, warn

__all__ = [
    "BNG",
    "LEVELS",
    "CSPGeography",
    "available_lads",
    "load_boundaries",
    "best_fit",
    "load_population",
    "load_deprivation",
    "build_geography",
    "assign_to_csp",
    "csp_lsoa_codes",
    "to_points",
    "NATIONAL",
]

BNG = "EPSG:27700"
LAD_RE = re.compile(r"^[EW]0[6-9]\d{6}$")

#: level -> (code column, name column) in the ONS boundary files, and our names.
LEVELS: dict[str, tuple[str, str, str, str]] = {
    "lsoa21": ("LSOA21CD", "LSOA21NM", "lsoa21_code", "lsoa21_name"),
    "lsoa11": ("LSOA11CD", "LSOA11NM", "lsoa11_code", "lsoa11_name"),
    "ward25": ("WD25CD", "WD25NM", "ward_code", "ward_name"),
}


def available_lads(boundaries_dir: str | os.PathLike[str]) -> list[str]:
    """Return the LAD codes that have LSOA21 boundaries in ``boundaries_dir``."""
    return sorted(p.stem for p in (Path(boundaries_dir) / "lsoa21").glob("*.geojson"))


def load_boundaries(
    boundaries_dir: str | os.PathLike[str], level: str, lad_codes: Sequence[str]
) -> gpd.GeoDataFrame:
    """Load one level of boundaries for the given LADs, in EPSG:27700.

    Parameters
    ----------
    boundaries_dir : path-like
        Folder with ``<level>/<LAD>.geojson`` files.
    level : {"lsoa21", "lsoa11", "ward25"}
    lad_codes : sequence of str
        LAD codes, e.g. ``["E07000011"]``.

    Returns
    -------
    GeoDataFrame
        Columns ``<level>_code``, ``<level>_name`` (``ward_code``, ``ward_name`` for
        wards), ``lad_code``, ``geometry``; CRS EPSG:27700.

    Raises
    ------
    ValueError
        If the level is unknown, a file is missing (listing the LADs available) or
        lacks its code column.
    """
    if level not in LEVELS:
        raise ValueError(f"level={level!r} is not valid. Valid choices: {', '.join(LEVELS)}.")
    code_col, name_col, out_code, out_name = LEVELS[level]
    frames = []
    for lad in lad_codes:
        f = Path(boundaries_dir) / level / f"{lad}.geojson"
        if not f.exists():
            have = sorted(p.stem for p in (Path(boundaries_dir) / level).glob("*.geojson"))
            raise ValueError(
                f"No {level} boundaries for LAD {lad}: {f} does not exist. "
                f"LADs available in {boundaries_dir}: {', '.join(have) or 'none'}. "
                f"Fix: add {level}/{lad}.geojson (from the ONS Open Geography Portal) or "
                f"check the LAD code."
            )
        g = gpd.read_file(f)
        require_columns(
            g, [code_col, name_col], arg=str(f), fix=f"use the ONS {level} boundary file"
        )
        _check_names(g[name_col], f, name_col)
        g = g[[code_col, name_col, "geometry"]].rename(
            columns={code_col: out_code, name_col: out_name}
        )
        g["lad_code"] = lad
        frames.append(g.to_crs(BNG))
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=BNG)


#: Control characters (C0, DEL, C1): a name carrying one is refused, not printed.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _check_names(names: pd.Series, path: Path, col: str) -> None:
    """Refuse a boundary name over the page text cap or holding a control character.

    A ward or LSOA name from a user's own boundaries file is printed on every page
    (tables, charts, findings), so it takes the 200-character cap of the parameters'
    names (:data:`sa_lib.validation.TEXT_CAP`). Refused, not truncated: a cut
    name could name another place. The error names the file, the row and the fix.

    Examples
    --------
    >>> _check_names(pd.Series(["Brampton", "x" * 201]), Path("w.geojson"), "WD25NM")
    Traceback (most recent call last):
    ...
    ValueError: w.geojson: feature 2, column WD25NM: the name is 201 characters long; the cap is 200 characters (it is shown on the pages). Fix: shorten the name in w.geojson to at most 200 characters, with no control characters.
    """
    from sa_lib.validation import TEXT_CAP

    for i, v in enumerate(names.tolist()):
        if not isinstance(v, str):
            continue
        if len(v) > TEXT_CAP:
            why = f"the name is {len(v):,} characters long; the cap is {TEXT_CAP} characters"
        elif _CONTROL.search(v):
            why = "the name holds a control character (a line break, tab or similar)"
        else:
            continue
        raise ValueError(
            f"{path}: feature {i + 1}, column {col}: {why} (it is shown on the pages). Fix: "
            f"shorten the name in {path} to at most {TEXT_CAP} characters, with no control "
            f"characters."
        )


def best_fit(
    small: gpd.GeoDataFrame, large: gpd.GeoDataFrame, small_id: str, large_id: str
) -> pd.DataFrame:
    """Best-fit each small polygon to the large polygon holding most of its area.

    Parameters
    ----------
    small, large : GeoDataFrame
        Polygons in the same projected CRS.
    small_id, large_id : str
        Their id columns.

    Returns
    -------
    DataFrame
        One row per small unit: ``small_id``, ``large_id`` (NaN if it overlaps
        nothing) and ``fit_share``, the share of its area inside that large unit.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> s = gpd.GeoDataFrame({"s": ["a"]}, geometry=[box(0, 0, 10, 10)], crs=27700)
    >>> L = gpd.GeoDataFrame({"L": ["x", "y"]}, geometry=[box(0, 0, 3, 10), box(3, 0, 10, 10)], crs=27700)
    >>> best_fit(s, L, "s", "L").values.tolist()
    [['a', 'y', 0.7]]
    """
    require_geodataframe(small, "small")
    require_geodataframe(large, "large")
    require_columns(small, [small_id], arg="small")
    require_columns(large, [large_id], arg="large")
    if small.crs != large.crs:
        large = large.to_crs(small.crs)
    a = small[[small_id, "geometry"]].copy()
    a["_area"] = a.geometry.area
    inter = gpd.overlay(a, large[[large_id, "geometry"]], how="intersection", keep_geom_type=True)
    inter["_share"] = inter.geometry.area / inter["_area"]
    best = inter.sort_values("_share", ascending=False).drop_duplicates(small_id)
    out = a[[small_id]].merge(best[[small_id, large_id, "_share"]], on=small_id, how="left")
    out = out.rename(columns={"_share": "fit_share"})
    out["fit_share"] = out["fit_share"].round(6)
    return pd.DataFrame(out)


def load_population(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Load Census 2021 usual residents by LSOA21 from the ONS age-band table.

    The file has columns ``lsoa21_code``, ``age_group``, ``usual_residents`` (long
    format, six age bands), as shipped in ``data/sample/population``.

    Returns
    -------
    DataFrame
        ``lsoa21_code``, ``population``, ``population_0_15``, ``population_16plus``.
    """
    p = Path(path)
    if not p.exists():
        raise ValueError(
            f"Population file {p} does not exist. Fix: check data.population in the parameters."
        )
    df = pd.read_csv(p, dtype={"lsoa21_code": "string", "age_group": "string"})
    require_columns(
        df,
        ["lsoa21_code", "age_group", "usual_residents"],
        arg=str(p),
        fix="use the Census 2021 LSOA age-band table (columns lsoa21_code, age_group, usual_residents)",
    )
    return _population_from_long(df)


def _population_from_long(df: pd.DataFrame) -> pd.DataFrame:
    df = df.astype({"lsoa21_code": "string", "age_group": "string"})
    child = df["age_group"].str.contains("15 years and under", regex=False)
    total = df.groupby("lsoa21_code")["usual_residents"].sum()
    kids = (
        df[child].groupby("lsoa21_code")["usual_residents"].sum().reindex(total.index, fill_value=0)
    )
    out = pd.DataFrame(
        {"population": total, "population_0_15": kids, "population_16plus": total - kids}
    ).reset_index()
    return out


def load_deprivation(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Load IMD 2019 ranks and deciles by LSOA11 (IoD2019 File 1 or File 2).

    Returns
    -------
    DataFrame
        ``lsoa11_code``, ``imd_rank``, ``imd_decile`` and, when present (File 2),
        ``crime_rank``, ``crime_decile``. Rank 1 is the most deprived of 32,844.
    """
    p = Path(path)
    if not p.exists():
        raise ValueError(
            f"Deprivation file {p} does not exist. Fix: check data.deprivation in the parameters."
        )
    df = pd.read_csv(p, encoding="utf-8-sig", thousands=",")
    want = {
        "lsoa11_code": r"^LSOA code \(2011\)",
        "imd_rank": r"^Index of Multiple Deprivation \(IMD\) Rank",
        "imd_decile": r"^Index of Multiple Deprivation \(IMD\) Decile",
        "crime_rank": r"^Crime Rank",
        "crime_decile": r"^Crime Decile",
    }
    cols = {}
    for out, pat in want.items():
        hit = [c for c in df.columns if re.match(pat, c)]
        if hit:
            cols[hit[0]] = out
    for required in ("lsoa11_code", "imd_rank", "imd_decile"):
        if required not in cols.values():
            raise ValueError(
                f"{p} has no column for {required} (looked for {want[required]!r}). "
                f"It has: {', '.join(map(repr, df.columns[:8]))}... "
                f"Fix: use IoD2019 File 1 or File 2 from MHCLG."
            )
    return df[list(cols)].rename(columns=cols)


@dataclass
class CSPGeography:
    """The geography of one CSP, all in EPSG:27700.

    Attributes
    ----------
    lad_codes : list of str
    lsoas : GeoDataFrame
        One row per LSOA21: ``lsoa21_code``, ``lsoa21_name``, ``lad_code``,
        ``ward_code``, ``ward_name``, ``ward_fit_share``, ``population``,
        ``population_0_15``, ``population_16plus``, ``imd_rank``, ``imd_decile``,
        ``imd_lsoa11_code``, ``imd_fit_share`` (and ``crime_rank``, ``crime_decile``
        where the deprivation file has them), ``geometry``.
    wards : GeoDataFrame
        ``ward_code``, ``ward_name``, ``lad_code``, ``population``, ``population_0_15``,
        ``population_16plus``, ``n_lsoas``, ``geometry``.
    boundary : GeoDataFrame
        One row: the CSP outline.
    lsoa11_to_lsoa21 : DataFrame
        The official ONS change lookup for this CSP's LSOA21s: ``lsoa11_code``,
        ``lsoa21_code``, ``change_code`` (U, S, M or X).
    """

    lad_codes: list[str]
    lsoas: gpd.GeoDataFrame
    wards: gpd.GeoDataFrame
    boundary: gpd.GeoDataFrame
    lsoa11_to_lsoa21: pd.DataFrame

    @property
    def population(self) -> int:
        """Total usual residents (Census 2021)."""
        return int(self.lsoas["population"].sum())

    @property
    def population_16plus(self) -> int:
        """Usual residents aged 16 and over (Census 2021): the domestic-abuse denominator."""
        return int(self.lsoas["population_16plus"].sum())


NATIONAL = "national"


def _is_national(value) -> bool:
    return value is not None and str(value) == NATIONAL


def _national_lsoas(lad_codes: list[str]) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """LSOA21 polygons with the official best-fit ward, and wards as their dissolve."""
    look = national.lsoa_lookup()
    sel = look[look["lad_code"].isin(lad_codes)]
    unknown = [c for c in lad_codes if c not in set(sel["lad_code"])]
    if unknown:
        raise ValueError(
            f"lad_codes: {unknown[0]!r} is not a local authority district (December 2024) in "
            f"England or Wales. Fix: run `sa csps` for the codes, or give your own boundaries "
            f"folder in data.boundaries."
        )
    polys = national.lsoa21_boundaries(sel["lsoa21_code"])
    lsoas = polys.merge(
        sel[["lsoa21_code", "lad_code", "ward_code", "ward_name"]], on="lsoa21_code", how="inner"
    )
    lsoas["ward_fit_share"] = 1.0
    lsoas = gpd.GeoDataFrame(lsoas, geometry="geometry", crs=BNG)
    wards = lsoas[["ward_code", "ward_name", "lad_code", "geometry"]].dissolve(
        by=["ward_code", "ward_name", "lad_code"], as_index=False
    )
    record_choice(
        "geography",
        "national reference (ONS LSOA 2021 super-generalised boundaries)",
        "data.boundaries is 'national': LSOAs go to wards by the official ONS LSOA21 -> ward "
        "2024 best-fit lookup, and each ward is drawn as the dissolve of its LSOAs, so maps "
        "and counts agree",
    )
    return lsoas, gpd.GeoDataFrame(wards, geometry="geometry", crs=BNG)


def _population(population_csv) -> pd.DataFrame:
    if _is_national(population_csv):
        return _population_from_long(national.population_long())
    return load_population(population_csv)


def _deprivation_national(lsoas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    d = national.deprivation(lsoas["lsoa21_code"])
    d = d.rename(columns={"deprivation_source_lsoa": "imd_lsoa11_code"})
    d["imd_fit_share"] = 1.0
    out = lsoas.merge(d, on="lsoa21_code", how="left")
    labels = sorted(
        {f"{i} {y}" for i, y in zip(d["deprivation_index"], d["deprivation_year"], strict=True)}
    )
    if len(labels) > 1:
        warn(
            f"The CSP's LSOAs use more than one deprivation index ({'; '.join(labels)}); their "
            f"ranks are not comparable and every page says so."
        )
    record_choice(
        "deprivation index",
        " and ".join(labels) or "none found",
        "from the national reference: IoD 2025 on LSOA21 for England; WIMD 2019 for Wales, "
        "published on LSOA11 and mapped to LSOA21 (split LSOAs inherit their LSOA11's rank; a "
        "merged LSOA takes its most populous LSOA11's)",
    )
    return out


def build_geography(
    lad_codes: Sequence[str],
    boundaries_dir: str | os.PathLike[str],
    population_csv: str | os.PathLike[str],
    deprivation_csv: str | os.PathLike[str] | None = None,
) -> CSPGeography:
    """Assemble a CSP's LSOAs, wards, population and IMD, with best-fit lookups.

    ``boundaries_dir``, ``population_csv`` and ``deprivation_csv`` may each be
    ``"national"`` for the national reference shipped in ``data/national``
    (:mod:`sa_lib.data.national`): official best-fit wards drawn as the dissolve of
    their LSOAs, Census 2021 population, IoD 2025 / WIMD 2019. Otherwise they are a
    per-LAD boundaries folder and files, with the area best fits of the module
    docstring. LSOA11 codes always map by the official ONS change lookup (see
    :mod:`sa_lib.data.vintage`). The rules used are recorded with
    :func:`sa_lib.choices.record_choice`.
    """
    lad_codes = list(lad_codes)
    if _is_national(boundaries_dir):
        lsoas, wards = _national_lsoas(lad_codes)
        lsoa21 = lsoas[["lsoa21_code", "lsoa21_name", "lad_code", "geometry"]]
    else:
        lsoa21 = load_boundaries(boundaries_dir, "lsoa21", lad_codes)
        wards = load_boundaries(boundaries_dir, "ward25", lad_codes)
        ward_fit = best_fit(lsoa21, wards, "lsoa21_code", "ward_code").rename(
            columns={"fit_share": "ward_fit_share"}
        )
        lsoas = lsoa21.merge(ward_fit, on="lsoa21_code", how="left")
        lsoas = lsoas.merge(wards[["ward_code", "ward_name"]], on="ward_code", how="left")
        poor = int((lsoas["ward_fit_share"] < 0.9).sum())
        record_choice(
            "geography",
            "per-LAD boundary files (data.boundaries)",
            "boundaries from the folder given in the parameters",
            source="parameters",
        )
        record_choice(
            "LSOA21 to ward lookup",
            "area best fit",
            f"each LSOA21 goes to the ward holding most of its area "
            f"(lowest share {lsoas['ward_fit_share'].min():.0%}; {poor} of {len(lsoas)} below 90%)",
        )

    pop = _population(population_csv)
    lsoas = lsoas.merge(pop, on="lsoa21_code", how="left")
    missing_pop = lsoas["population"].isna()
    if missing_pop.any():
        warn(
            f"{int(missing_pop.sum())} LSOA21(s) have no population in {population_csv}, e.g. "
            f"{lsoas.loc[missing_pop, 'lsoa21_code'].iloc[0]}; their rates will be missing."
        )

    change = national.change_lookup()
    fit11 = change[change["lsoa21_code"].isin(lsoas["lsoa21_code"])][
        ["lsoa11_code", "lsoa21_code", "change_code"]
    ].reset_index(drop=True)
    record_choice(
        "LSOA 2011 codes (police.uk before 2023)",
        "official ONS LSOA11 -> LSOA21 change lookup",
        "unchanged and merged codes map directly; a split or irregular code goes to the part "
        "holding the row's point (the nearest part if the point is outside every part), or, "
        "for a row without a point, to the part with most residents (Census 2021)",
    )
    if _is_national(deprivation_csv):
        lsoas = _deprivation_national(lsoas)
    elif deprivation_csv is not None:
        imd = load_deprivation(deprivation_csv)
        lsoa11 = load_boundaries(boundaries_dir, "lsoa11", lad_codes)
        fit21 = best_fit(lsoa21, lsoa11, "lsoa21_code", "lsoa11_code").rename(
            columns={"lsoa11_code": "imd_lsoa11_code", "fit_share": "imd_fit_share"}
        )
        fit21 = fit21.merge(
            imd, left_on="imd_lsoa11_code", right_on="lsoa11_code", how="left"
        ).drop(columns="lsoa11_code")
        lsoas = lsoas.merge(fit21, on="lsoa21_code", how="left")
        lsoas["deprivation_index"] = "English Indices of Deprivation"
        lsoas["deprivation_year"] = 2019
        record_choice(
            "IMD 2019 on LSOA21",
            "area best fit from LSOA11",
            "IMD is published for LSOA11; each LSOA21 takes the IMD of the LSOA11 holding most of its area",
        )

    ward_pop = lsoas.groupby("ward_code").agg(
        population=("population", "sum"),
        population_0_15=("population_0_15", "sum"),
        population_16plus=("population_16plus", "sum"),
        n_lsoas=("lsoa21_code", "size"),
    )
    wards = wards.merge(ward_pop, on="ward_code", how="left")
    wards["n_lsoas"] = wards["n_lsoas"].fillna(0).astype(int)
    boundary = gpd.GeoDataFrame(
        {"lad_codes": [",".join(lad_codes)]}, geometry=[lsoa21.union_all()], crs=BNG
    )
    lsoas = gpd.GeoDataFrame(lsoas, geometry="geometry", crs=BNG)
    return CSPGeography(lad_codes, lsoas, wards, boundary, fit11)


def to_points(df: pd.DataFrame, lon: str = "longitude", lat: str = "latitude") -> gpd.GeoDataFrame:
    """Return located rows of ``df`` as points in EPSG:27700 (rows with no location dropped).

    Examples
    --------
    >>> import pandas as pd
    >>> p = to_points(pd.DataFrame({"longitude": [-0.18, None], "latitude": [52.33, None]}))
    >>> len(p), p.crs.to_epsg()
    (1, 27700)
    """
    require_columns(df, [lon, lat], arg="df")
    located = df[df[lon].notna() & df[lat].notna()]
    g = gpd.GeoDataFrame(
        located.copy(), geometry=gpd.points_from_xy(located[lon], located[lat]), crs="EPSG:4326"
    )
    return g.to_crs(BNG)


def assign_to_csp(
    crimes: pd.DataFrame, geo: CSPGeography, lsoa_col: str = "lsoa_code"
) -> pd.DataFrame:
    """Keep the rows that fall in the CSP's LSOAs and attach LSOA21 and ward.

    Rows coded to LSOA 2011 (police.uk before 2023) are placed by the official ONS
    change lookup (:func:`sa_lib.data.vintage.place_rows`: unchanged and merged codes
    directly, split ones by the row's point). Rows with no LSOA, or an LSOA outside
    the CSP, are not returned: count them with :mod:`sa_lib.data.quality`.

    Returns
    -------
    DataFrame
        A new frame: the CSP's rows with ``lsoa21_code``, ``ward_code``, ``ward_name`` and
        ``placement`` (how the row was placed; see :data:`sa_lib.data.vintage.PLACEMENTS`).
    """
    require_columns(
        crimes, [lsoa_col], arg="crimes", fix="load rows with sa_lib.data.store.load_street"
    )
    src = crimes.drop(
        columns=["lsoa21_code", "ward_code", "ward_name", "placement"], errors="ignore"
    )
    if "longitude" in src and "latitude" in src:
        x, y, crs = "longitude", "latitude", "EPSG:4326"
    elif "easting" in src and "northing" in src:
        x, y, crs = "easting", "northing", BNG
    else:
        src = src.assign(_x=np.nan, _y=np.nan)
        x, y, crs = "_x", "_y", BNG
    placed = place_rows(
        src, geo.lsoa11_to_lsoa21, geo.lsoas, lsoa_col=lsoa_col, x=x, y=y, crs=crs
    ).drop(columns=["_x", "_y"], errors="ignore")
    out = placed[placed["lsoa21_code"].notna()].copy()
    look = geo.lsoas.set_index("lsoa21_code")[["ward_code", "ward_name"]]
    out["ward_code"] = out["lsoa21_code"].map(look["ward_code"]).astype("string")
    out["ward_name"] = out["lsoa21_code"].map(look["ward_name"]).astype("string")
    return out.reset_index(drop=True)


def csp_lsoa_codes(geo: CSPGeography) -> list[str]:
    """Every LSOA code, of either vintage, that places a row in this CSP (for loading)."""
    return sorted(set(geo.lsoas["lsoa21_code"]) | set(geo.lsoa11_to_lsoa21["lsoa11_code"]))


def lsoa_vintage(codes: pd.Series, geo: CSPGeography) -> pd.Series:
    """Label each code ``"lsoa21"``, ``"lsoa11"``, ``"both"`` or ``"other"`` for this CSP."""
    in21 = codes.isin(geo.lsoas["lsoa21_code"])
    in11 = codes.isin(geo.lsoa11_to_lsoa21["lsoa11_code"])
    return pd.Series(
        np.select([in21 & in11, in21, in11], ["both", "lsoa21", "lsoa11"], "other"),
        index=codes.index,
    )
