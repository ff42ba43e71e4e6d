"""Rebuild the shipped sample under data/sample/ from the real data in ../shared/data.

This is run by a maintainer, not by users: the sample it writes is committed, so
the project runs from a fresh clone with no ../shared. It keeps the files in
their published layout (police.uk monthly folders, GeoJSON boundaries, CSV
tables), only cut down to the sample CSP and gzip-compressed.

What it writes (for the sample CSP, Huntingdonshire E07000011, by default):

- police_uk/YYYY-MM/YYYY-MM-<force>-street.csv.gz: street rows in the CSP's LSOAs,
  plus the force's rows with no location (they cannot be placed in any CSP, and
  the data-quality section must count them), rows in their published order.
- police_uk/YYYY-MM/YYYY-MM-<force>-outcomes.csv.gz: outcomes in the CSP's LSOAs
  (and no-location outcomes).
- police_uk/YYYY-MM/YYYY-MM-<force>-stop-and-search.csv.gz: searches whose point
  lies in the CSP boundary, or with no point.
- boundaries/{lsoa21,lsoa11,ward25}/<LAD>.geojson: unchanged copies.
- population/census2021_lsoa21_age_bands.csv.gz: the force area's LSOAs only.
- deprivation/iod2019_lsoa11.csv.gz: IoD 2019 File 2 (IMD and domain ranks and
  deciles), the force area's LSOA11s only.
- force/<force>_lad_month_type.csv: counts by LAD x month x crime type for the
  whole force (for comparisons with the wider area), with LAD populations.
- force/<force>_outcome_groups.csv: the whole force's crimes by LAD x month of the
  crime x crime type x outcome group (each crime's latest published outcome, or
  'Awaiting outcome'), for comparing the CSP's outcomes with the force.

Usage::

    python scripts/build_sample.py [--shared ../shared/data] [--lad E07000011]
"""

from __future__ import annotations

import argparse
import gzip
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def _write_csv_gz(df: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the gzip bytes identical between rebuilds.
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(df.to_csv(index=False).encode("utf-8"))


def force_outcome_groups(shared: Path, force: str, force_lsoa: pd.DataFrame) -> pd.DataFrame:
    """The force's crimes by LAD x crime month x type x outcome group (months with outcome files)."""
    import sys

    sys.path.insert(0, str(ROOT / "src"))
    from sa_lib.stats.outcomes import latest_outcomes

    street, outs = [], []
    for month_dir in sorted((shared / "police_uk").iterdir()):
        m = month_dir.name
        src = month_dir / f"{m}-{force}-outcomes.csv"
        if not src.exists():
            continue
        o = pd.read_csv(src, dtype=str, keep_default_na=False)
        outs.append(
            o.rename(
                columns={"Crime ID": "crime_id", "Month": "month", "Outcome type": "outcome_type"}
            )
        )
        st = pd.read_csv(month_dir / f"{m}-{force}-street.csv", dtype=str, keep_default_na=False)
        street.append(st[st["Crime ID"] != ""])
    if not outs:
        return pd.DataFrame(columns=["lad_code", "month", "crime_type", "outcome_group", "count"])
    latest = latest_outcomes(pd.concat(outs, ignore_index=True)).set_index("crime_id")
    st = pd.concat(street, ignore_index=True)
    st = st.merge(force_lsoa, left_on="LSOA code", right_on="lsoa21_code", how="left")
    st["lad_code"] = st["lad_code"].mask(st["LSOA code"] == "", "(no location)")
    st["lad_code"] = st["lad_code"].fillna("(outside force area)")
    st["outcome_group"] = st["Crime ID"].map(latest["outcome_group"]).fillna("Awaiting outcome")
    return (
        st.groupby(["lad_code", "Month", "Crime type", "outcome_group"])
        .size()
        .rename("count")
        .reset_index()
        .rename(columns={"Month": "month", "Crime type": "crime_type"})
        .sort_values(["lad_code", "month", "crime_type", "outcome_group"])
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--lad", default="E07000011")
    ap.add_argument("--force", default="cambridgeshire")
    ap.add_argument("--out", default=str(ROOT / "data" / "sample"))
    args = ap.parse_args()
    shared, out, lad = Path(args.shared), Path(args.out), args.lad

    # Geography: copy the CSP's boundary files unchanged.
    for level in ("lsoa21", "lsoa11", "ward25"):
        dst = out / "boundaries" / level / f"{lad}.geojson"
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shared / "boundaries" / level / f"{lad}.geojson", dst)
    lsoa21 = gpd.read_file(shared / "boundaries" / "lsoa21" / f"{lad}.geojson")
    csp_lsoas = set(lsoa21["LSOA21CD"])
    boundary = lsoa21.to_crs(27700).union_all()

    # Force area LSOA21 -> LAD, from the per-LAD boundary files.
    force_lsoa = []
    for f in sorted((shared / "boundaries" / "lsoa21").glob("*.geojson")):
        g = gpd.read_file(f, columns=["LSOA21CD", "LSOA21NM"], read_geometry=False)
        # An LSOA's name is its LAD's name plus a code ("Huntingdonshire 010B").
        lad_name = g["LSOA21NM"].str.rsplit(" ", n=1).str[0].mode().iloc[0]
        force_lsoa.append(
            pd.DataFrame({"lsoa21_code": g["LSOA21CD"], "lad_code": f.stem, "lad_name": lad_name})
        )
    force_lsoa = pd.concat(force_lsoa, ignore_index=True)
    force_lsoa11 = []
    for f in sorted((shared / "boundaries" / "lsoa11").glob("*.geojson")):
        g = gpd.read_file(f, columns=["LSOA11CD"], read_geometry=False)
        force_lsoa11.extend(g["LSOA11CD"])

    # Police data, month by month, in the published layout.
    counts = []
    for month_dir in sorted((shared / "police_uk").iterdir()):
        month = month_dir.name
        for kind in ("street", "outcomes", "stop-and-search"):
            src = month_dir / f"{month}-{args.force}-{kind}.csv"
            if not src.exists():
                continue
            df = pd.read_csv(src, dtype=str, keep_default_na=False)
            if kind == "stop-and-search":
                pts = gpd.GeoDataFrame(
                    df,
                    geometry=gpd.points_from_xy(
                        pd.to_numeric(df["Longitude"], errors="coerce"),
                        pd.to_numeric(df["Latitude"], errors="coerce"),
                    ),
                    crs=4326,
                ).to_crs(27700)
                keep = pts.within(boundary) | (df["Longitude"] == "")
            else:
                keep = df["LSOA code"].isin(csp_lsoas) | (df["LSOA code"] == "")
            if kind == "street":
                c = df.merge(force_lsoa, left_on="LSOA code", right_on="lsoa21_code", how="left")
                c["lad_code"] = c["lad_code"].mask(c["LSOA code"] == "", "(no location)")
                c["lad_code"] = c["lad_code"].fillna("(outside force area)")
                counts.append(
                    c.groupby(["lad_code", "Month", "Crime type"])
                    .size()
                    .rename("count")
                    .reset_index()
                )
            _write_csv_gz(
                df[keep], out / "police_uk" / month / f"{month}-{args.force}-{kind}.csv.gz"
            )

    # Force-wide counts by LAD x month x type, with Census 2021 population per LAD.
    pop = pd.read_csv(shared / "population" / "census2021_lsoa21_age_bands.csv")
    pop_force = pop[pop["lsoa21_code"].isin(force_lsoa["lsoa21_code"])]
    _write_csv_gz(pop_force, out / "population" / "census2021_lsoa21_age_bands.csv.gz")
    lad_pop = (
        pop_force.merge(force_lsoa, on="lsoa21_code")
        .groupby("lad_code")["usual_residents"]
        .sum()
        .rename("population")
    )
    fc = pd.concat(counts, ignore_index=True).rename(
        columns={"Month": "month", "Crime type": "crime_type"}
    )
    fc = fc.merge(lad_pop, left_on="lad_code", right_index=True, how="left")
    names = force_lsoa.drop_duplicates("lad_code").set_index("lad_code")["lad_name"]
    fc.insert(1, "lad_name", fc["lad_code"].map(names).fillna(fc["lad_code"]))
    fc["population"] = fc["population"].astype("Int64")
    fc = fc.sort_values(["lad_code", "month", "crime_type"])
    (out / "force").mkdir(parents=True, exist_ok=True)
    fc.to_csv(out / "force" / f"{args.force}_lad_month_type.csv", index=False)

    force_outcome_groups(shared, args.force, force_lsoa).to_csv(
        out / "force" / f"{args.force}_outcome_groups.csv", index=False
    )

    # Deprivation: IoD2019 File 2 for the force area's LSOA11s.
    iod = pd.read_csv(
        shared / "deprivation" / "File_2_-_IoD2019_Domains_of_Deprivation.csv.gz",
        encoding="utf-8-sig",
    )
    iod = iod[iod["LSOA code (2011)"].isin(force_lsoa11)]
    _write_csv_gz(iod, out / "deprivation" / "iod2019_lsoa11.csv.gz")
    print(f"sample written to {out}")


if __name__ == "__main__":
    main()
