"""Rebuild the compact national reference in ``data/national/`` from ``../shared/data``.

Reads the ONS / MHCLG / Welsh Government files in ``../shared/data/national/`` and
the Census 2021 population in ``../shared/data/population/`` and writes compact
Parquet tables plus ``data/national/PROVENANCE.json`` (source, publisher,
vintage, licence and SHA-256 of every source and output file)::

    .venv/bin/python scripts/build_national.py [--shared ../shared/data]

Outputs (all keyed by official codes, values unchanged except where noted):

- ``lsoa21_boundaries.parquet``: LSOA 2021 polygons, England and Wales (BSC), EPSG:27700,
  coordinates rounded to 1 m (format only).
- ``lsoa21_ward_lad.parquet``: the official LSOA21 -> ward 2024 -> LAD 2024 best-fit lookup.
- ``lad_csp_pfa.parquet``: LAD 2024 -> CSP 2024 -> police force area, with the police.uk
  force slug (derived from the force area's name).
- ``lsoa11_lsoa21.parquet``: the ONS LSOA11 -> LSOA21 lookup with change codes.
- ``deprivation_lsoa21.parquet``: IoD 2025 (England, on LSOA21) and WIMD 2019 (Wales,
  LSOA11 mapped to LSOA21: unchanged and split LSOAs inherit their LSOA11's values;
  a merged or irregular LSOA21 takes the values of its most populous LSOA11, Census 2011),
  each row labelled with its index and year.
- ``population_lsoa21.parquet``: Census 2021 usual residents by LSOA21 and age band.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "national"
OGL = "Open Government Licence v3.0"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def force_slug(pfa_name: str) -> str:
    """The data.police.uk force slug for a police force area name."""
    special = {"Metropolitan Police": "metropolitan", "London, City of": "city-of-london"}
    if pfa_name in special:
        return special[pfa_name]
    s = pfa_name.lower().replace("&", "and")
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    args = ap.parse_args()
    nat = Path(args.shared) / "national"
    popdir = Path(args.shared) / "population"
    OUT.mkdir(parents=True, exist_ok=True)
    sources = {
        "lsoa21_boundaries_bsc.parquet": (
            "ONS Open Geography Portal",
            "LSOA (Dec 2021) Boundaries EW BSC V4",
        ),
        "lsoa21_ward24_lad24_lookup.csv.gz": (
            "ONS Open Geography Portal",
            "LSOA21 to Ward24 to LAD24 best-fit lookup (EW)",
        ),
        "lad24_csp24_pfa24_lookup.csv": (
            "ONS Open Geography Portal",
            "LAD to CSP to PFA (Dec 2024)",
        ),
        "lsoa11_lsoa21_lad22_lookup.csv.gz": (
            "ONS Open Geography Portal",
            "LSOA11 to LSOA21 to LAD22 lookup (EW), change codes U/S/M/X",
        ),
        "imd2025_england_lsoa21.csv.gz": ("MHCLG", "English Indices of Deprivation 2025 (LSOA21)"),
        "wimd2019_wales_lsoa11.csv.gz": (
            "Welsh Government",
            "Welsh Index of Multiple Deprivation 2019",
        ),
    }
    pop_sources = {
        "census2021_lsoa21_age_bands.csv": ("ONS", "Census 2021 usual residents by LSOA21 and age"),
        "census2011_lsoa11_population.csv": ("ONS", "Census 2011 usual residents by LSOA11"),
    }

    g = gpd.read_parquet(nat / "lsoa21_boundaries_bsc.parquet").to_crs(27700)
    g = g[["lsoa21_code", "lsoa21_name", "geometry"]].sort_values("lsoa21_code")
    g["geometry"] = shapely.set_precision(g.geometry.values, 1.0)
    g.reset_index(drop=True).to_parquet(OUT / "lsoa21_boundaries.parquet", compression="zstd")

    w = pd.read_csv(nat / "lsoa21_ward24_lad24_lookup.csv.gz", dtype=str)
    w = w.rename(
        columns={
            "ward24_code": "ward_code",
            "ward24_name": "ward_name",
            "ltla24_code": "lad_code",
            "ltla24_name": "lad_name",
        }
    )[["lsoa21_code", "ward_code", "ward_name", "lad_code", "lad_name"]]
    w.sort_values("lsoa21_code").to_parquet(
        OUT / "lsoa21_ward_lad.parquet", index=False, compression="zstd"
    )

    c = pd.read_csv(nat / "lad24_csp24_pfa24_lookup.csv", dtype=str).rename(
        columns={
            "ltla24_code": "lad_code",
            "ltla24_name": "lad_name",
            "csp24_code": "csp_code",
            "csp24_name": "csp_name",
            "pfa24_code": "pfa_code",
            "pfa24_name": "pfa_name",
        }
    )
    c["force"] = c["pfa_name"].map(force_slug)
    c.sort_values(["pfa_name", "csp_name", "lad_code"]).to_parquet(
        OUT / "lad_csp_pfa.parquet", index=False, compression="zstd"
    )

    ch = pd.read_csv(nat / "lsoa11_lsoa21_lad22_lookup.csv.gz", dtype=str).rename(
        columns={"ltla22_code": "lad22_code"}
    )[["lsoa11_code", "lsoa21_code", "change_code", "lad22_code"]]
    ch.sort_values(["lsoa11_code", "lsoa21_code"]).to_parquet(
        OUT / "lsoa11_lsoa21.parquet", index=False, compression="zstd"
    )

    def dep(df: pd.DataFrame, index: str, year: int, n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "lsoa21_code": df["lsoa21_code"],
                "imd_rank": df["IMD_rank"].astype("int64"),
                "imd_decile": df["IMD_decile"].astype("int64"),
                "crime_rank": df["Crime_rank"].astype("int64"),
                "crime_decile": df["Crime_decile"].astype("int64"),
                "deprivation_index": index,
                "deprivation_year": year,
                "deprivation_n_areas": n,
                "deprivation_source_lsoa": df["source_lsoa"],
            }
        )

    eng = pd.read_csv(nat / "imd2025_england_lsoa21.csv.gz", dtype={"lsoa21_code": str})
    eng["source_lsoa"] = eng["lsoa21_code"]
    wal = pd.read_csv(nat / "wimd2019_wales_lsoa11.csv.gz", dtype={"lsoa11_code": str})
    # Columns: ... "LSOA Code", ..., "Persons" (all usual residents), "Persons" (households) ...
    pop11 = pd.read_csv(popdir / "census2011_lsoa11_population.csv", thousands=",")
    p11 = pop11.set_index("LSOA Code")["Persons"]
    wch = ch[ch["lsoa21_code"].str.startswith("W")].copy()
    wch["pop11"] = wch["lsoa11_code"].map(p11).fillna(0)
    # Most populous LSOA11 per LSOA21 (ties broken by code): for merged/irregular LSOAs.
    best = wch.sort_values(["lsoa21_code", "pop11", "lsoa11_code"], ascending=[True, False, True])
    best = best.drop_duplicates("lsoa21_code")[["lsoa21_code", "lsoa11_code"]]
    wal = best.merge(wal, on="lsoa11_code", how="inner").rename(
        columns={"lsoa11_code": "source_lsoa"}
    )
    d = pd.concat(
        [
            dep(eng, "English Indices of Deprivation", 2025, len(eng)),
            dep(wal, "Welsh Index of Multiple Deprivation", 2019, 1909),
        ],
        ignore_index=True,
    )
    d.sort_values("lsoa21_code").to_parquet(
        OUT / "deprivation_lsoa21.parquet", index=False, compression="zstd"
    )

    pop = pd.read_csv(popdir / "census2021_lsoa21_age_bands.csv", dtype={"lsoa21_code": str})
    pop = pop[["lsoa21_code", "age_group", "usual_residents"]]
    pop["usual_residents"] = pop["usual_residents"].astype("int64")
    pop.sort_values(["lsoa21_code", "age_group"]).to_parquet(
        OUT / "population_lsoa21.parquet", index=False, compression="zstd"
    )

    prov = {"licence": OGL, "attribution": ATTRIBUTION, "sources": [], "outputs": []}
    for name, (publisher, title) in sources.items():
        prov["sources"].append(
            {
                "file": f"national/{name}",
                "title": title,
                "publisher": publisher,
                "licence": OGL,
                "sha256": sha256(nat / name),
            }
        )
    for name, (publisher, title) in pop_sources.items():
        prov["sources"].append(
            {
                "file": f"population/{name}",
                "title": title,
                "publisher": publisher,
                "licence": OGL,
                "sha256": sha256(popdir / name),
            }
        )
    for f in sorted(OUT.glob("*.parquet")):
        prov["outputs"].append({"file": f.name, "bytes": f.stat().st_size, "sha256": sha256(f)})
    (OUT / "PROVENANCE.json").write_text(json.dumps(prov, indent=1) + "\n")
    total = sum(o["bytes"] for o in prov["outputs"])
    print(f"wrote {len(prov['outputs'])} files to {OUT}, {total / 1e6:.1f} MB")


ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v3.0. "
    "Contains OS data (c) Crown copyright and database right. English Indices of Deprivation "
    "2025, MHCLG; Welsh Index of Multiple Deprivation 2019, Welsh Government; both OGL v3.0."
)

if __name__ == "__main__":
    main()
