"""Cut the compact Essex 2018 (LSOA 2011) test subset from ``../shared/data/police_uk_essex_2018``.

Writes ``tests/fixtures/police_uk_essex_2018_subset/YYYY-MM/YYYY-MM-essex-street.csv.gz``
in the data.police.uk layout (rows unchanged, original order): every row coded to an
LSOA 2011 in Uttlesford (a third of them in LSOAs split in 2021), every row with no
location, every row in an LSOA merged in 2021, and a fixed random 2% of the other rows
(other Essex districts and neighbouring forces' LSOAs). Police data: data.police.uk,
Open Government Licence v3.0.

    .venv/bin/python scripts/make_essex_fixture.py
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT.parent / "shared" / "data" / "police_uk_essex_2018"
OUT = ROOT / "tests" / "fixtures" / "police_uk_essex_2018_subset"
UTTLESFORD = "E07000077"


def main() -> None:
    ch = pd.read_parquet(ROOT / "data" / "national" / "lsoa11_lsoa21.parquet")
    utt = set(ch.loc[ch["lad22_code"] == UTTLESFORD, "lsoa11_code"])
    merged = set(ch.loc[ch["change_code"] == "M", "lsoa11_code"])
    rng = np.random.default_rng(20180701)
    total = 0
    for f in sorted(SRC.glob("*/*-essex-street.csv.gz")):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        code = df["LSOA code"]
        keep = code.isin(utt) | (code == "") | code.isin(merged) | (rng.random(len(df)) < 0.02)
        out = OUT / f.parent.name / f.name
        out.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(out, "wt", encoding="utf-8", newline="") as fh:
            df[keep.to_numpy()].to_csv(fh, index=False)
        total += int(keep.sum())
    print(f"wrote {total} rows to {OUT}")


if __name__ == "__main__":
    main()
