"""Build the SYNTHETIC partner-indicator example over the sample CSP's real LSOAs.

    .venv/bin/python scripts/build_partner_sample.py --seed 2025

Writes ``data/sample/synthetic/partner_indicators_synthetic.csv`` (every row
``synthetic = True``) from the real LSOA21 codes and wards of Huntingdonshire (as the
synthetic ambulance file lists them) and their Census 2021 residents, with
:func:`sa_lib.data.synthetic_partner.generate_partner_indicators`. The same seed gives
the same file.
"""

from __future__ import annotations

import argparse

import pandas as pd

from sa_lib import config

SYN = config.SAMPLE_DIR / "synthetic"


def main(argv: list[str] | None = None) -> int:
    from sa_lib.data.synthetic_partner import generate_partner_indicators

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2025)
    args = ap.parse_args(argv)
    amb = pd.read_csv(SYN / "ambulance_assault_callouts_synthetic.csv", dtype={"month": str})
    pop = pd.read_csv(config.SAMPLE_DIR / "population" / "census2021_lsoa21_age_bands.csv.gz")
    pop = pop.groupby("lsoa21_code", as_index=False)["usual_residents"].sum()
    areas = (
        amb[["lsoa21_code", "ward_code"]]
        .drop_duplicates()
        .merge(pop, on="lsoa21_code")
        .rename(columns={"lsoa21_code": "lsoa_code", "usual_residents": "population"})
        .sort_values("lsoa_code")
    )
    months = sorted(amb["month"].unique())
    df = generate_partner_indicators(areas, "E07000011", months, args.seed, ambulance=amb)
    out = SYN / "partner_indicators_synthetic.csv"
    df.to_csv(out, index=False)
    print(f"wrote {out.relative_to(config.ROOT)}: {len(df):,} rows, {df['count'].sum():,} in all")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
