"""Build tests/fixtures/essex_2018/: a small slice of Essex 2018 for the ``sa run-all`` test.

Reads ``../shared/data`` (real OGL data, see its README) and writes, for the 14
CSPs of the Essex police force area:

- ``police_uk/2018-0M/2018-0M-essex-street.csv.gz``: a 1-in-10 sample (fixed seed) of the
  real Essex street rows for January to June 2018, header and columns unchanged
  (LSOA 2011 codes, as police.uk published them then);
- ``boundaries/lsoa21/<LAD>.geojson``: the super-generalised LSOA 2021 polygons
  (``national/lsoa21_boundaries_bsc.parquet``), simplified to 25 m;
- ``boundaries/ward25/<LAD>.geojson``: wards as the dissolve of their LSOAs by the
  official LSOA21 -> ward 2024 best-fit lookup (2024 wards in the ``ward25`` layout);
- ``boundaries/lsoa11/<LAD>.geojson``: *derived* LSOA 2011 polygons, each the union
  of the LSOA21 polygons the official LSOA11 -> LSOA21 lookup maps it to (exact for
  unchanged and split LSOAs; a merged LSOA11 takes its whole LSOA21);
- ``population.csv.gz`` and ``deprivation.csv.gz``: the Census 2021 age bands and
  IoD 2019 File 2 rows of these LSOAs, values unchanged;
- ``csp_lookup.csv``: the 14 rows of the ONS LAD -> CSP -> PFA (December 2024) lookup.

Run from the project root: ``.venv/bin/python scripts/build_essex_fixture.py``.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "tests" / "fixtures" / "essex_2018"
MONTHS = [f"2018-0{m}" for m in range(1, 7)]
SAMPLE_EVERY = 10
SEED = 2018


def main() -> None:
    nat = SHARED / "national"
    lookup = pd.read_csv(nat / "lad24_csp24_pfa24_lookup.csv")
    essex = lookup[lookup["pfa24_name"] == "Essex"].sort_values("ltla24_code")
    lads = essex["ltla24_code"].tolist()
    OUT.mkdir(parents=True, exist_ok=True)
    essex.to_csv(OUT / "csp_lookup.csv", index=False)

    wards = pd.read_csv(nat / "lsoa21_ward24_lad24_lookup.csv.gz")
    wards = wards[wards["ltla24_code"].isin(lads)]
    lsoa21 = gpd.read_parquet(nat / "lsoa21_boundaries_bsc.parquet")
    lsoa21 = lsoa21[lsoa21["lsoa21_code"].isin(wards["lsoa21_code"])].to_crs(27700)
    lsoa21["geometry"] = lsoa21.geometry.simplify(25, preserve_topology=True)
    lsoa21 = lsoa21.merge(wards, on=["lsoa21_code", "lsoa21_name"])
    m11 = pd.read_csv(nat / "lsoa11_lsoa21_lad22_lookup.csv.gz")
    m11 = m11[m11["lsoa21_code"].isin(lsoa21["lsoa21_code"])]

    for sub in ("lsoa21", "lsoa11", "ward25"):
        (OUT / "boundaries" / sub).mkdir(parents=True, exist_ok=True)
    for lad in lads:
        g = lsoa21[lsoa21["ltla24_code"] == lad]
        a = g.rename(columns={"lsoa21_code": "LSOA21CD", "lsoa21_name": "LSOA21NM"})
        a[["LSOA21CD", "LSOA21NM", "geometry"]].to_crs(4326).to_file(
            OUT / "boundaries" / "lsoa21" / f"{lad}.geojson",
            driver="GeoJSON",
            COORDINATE_PRECISION=5,
        )
        w = g.dissolve(by=["ward24_code", "ward24_name"], as_index=False)
        w = w.rename(columns={"ward24_code": "WD25CD", "ward24_name": "WD25NM"})
        w["LAD25CD"] = lad
        w[["WD25CD", "WD25NM", "LAD25CD", "geometry"]].to_crs(4326).to_file(
            OUT / "boundaries" / "ward25" / f"{lad}.geojson",
            driver="GeoJSON",
            COORDINATE_PRECISION=5,
        )
        m = m11[m11["lsoa21_code"].isin(g["lsoa21_code"])].merge(
            g[["lsoa21_code", "geometry"]], on="lsoa21_code"
        )
        e = gpd.GeoDataFrame(m, geometry="geometry", crs=27700).dissolve(
            by=["lsoa11_code", "lsoa11_name"], as_index=False
        )
        e = e.rename(columns={"lsoa11_code": "LSOA11CD", "lsoa11_name": "LSOA11NM"})
        e[["LSOA11CD", "LSOA11NM", "geometry"]].to_crs(4326).to_file(
            OUT / "boundaries" / "lsoa11" / f"{lad}.geojson",
            driver="GeoJSON",
            COORDINATE_PRECISION=5,
        )

    pop = pd.read_csv(SHARED / "population" / "census2021_lsoa21_age_bands.csv")
    pop[pop["lsoa21_code"].isin(lsoa21["lsoa21_code"])].to_csv(
        OUT / "population.csv.gz", index=False
    )
    dep = pd.read_csv(SHARED / "deprivation" / "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz")
    dep[dep["LSOA code (2011)"].isin(m11["lsoa11_code"])].to_csv(
        OUT / "deprivation.csv.gz", index=False
    )

    src = SHARED / "police_uk_essex_2018"
    for month in MONTHS:
        f = src / month / f"{month}-essex-street.csv.gz"
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        df = df.sample(n=len(df) // SAMPLE_EVERY, random_state=SEED).sort_index()
        out = OUT / "police_uk" / month / f.name
        out.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(out, "wt", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False)
        print(f"{month}: {len(df):,} rows")


if __name__ == "__main__":
    main()
