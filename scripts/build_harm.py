"""Build data/harm/ (the shipped default harm weights) from the Cambridge Crime Harm Index subgroups.

Reads ``data/harm/cchi2026_prc_subgroups.csv`` (copied unchanged from
``../shared/data/harm/``; see data/harm/README.md for its provenance) and writes
``data/harm/cchi2026_police_uk_categories.csv``: one row per police.uk crime type with
``weight`` = the count-weighted mean of its Home Office subgroups' CCHI median days
(national counts, year ending March 2025), plus ``PROVENANCE.json`` with the SHA-256
of every file. Anti-social behaviour has no CCHI score and gets no row.

Usage: ``python scripts/build_harm.py [--shared ../shared/data/harm]`` (``--shared``
also checks the result against the shared derived table, to 2 decimals).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
HARM = ROOT / "data" / "harm"
SUBGROUPS = HARM / "cchi2026_prc_subgroups.csv"
OUT = HARM / "cchi2026_police_uk_categories.csv"
SOURCE = (
    "Cambridge Crime Harm Index (2026 update), Cambridge Centre for Evidence-Based Policing; "
    "Home Office police recorded crime 2024/25 counts (OGL v3.0)"
)


def derive(sub: pd.DataFrame) -> pd.DataFrame:
    """One row per police.uk category: count-weighted mean (and sensitivity mean) CCHI days."""
    rows = []
    for cat, g in sub.groupby("police_uk_category", sort=True):
        n = g["national_count_2024_25"].astype(float)
        rows.append(
            {
                "crime_type": cat,
                "weight": round(float((n * g["cchi_median_days"]).sum() / n.sum()), 2),
                "weight_from_means": round(float((n * g["cchi_mean_days"]).sum() / n.sum()), 2),
                "national_count_2024_25": int(n.sum()),
                "source": SOURCE,
                "mapping": "count-weighted mean of the CCHI 2026 median days of its Home Office "
                "offence subgroups (national counts, year ending March 2025): "
                + "; ".join(g["prc_offence_subgroup"]),
            }
        )
    return pd.DataFrame(rows)


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--shared", type=Path, default=None, help="../shared/data/harm to check against"
    )
    a = ap.parse_args()
    out = derive(pd.read_csv(SUBGROUPS))
    out.to_csv(OUT, index=False, lineterminator="\n")
    if a.shared is not None:
        ref = pd.read_csv(a.shared / "harm_weights_police_uk_categories.csv").dropna(
            subset=["cchi_days_countweighted_median"]
        )
        m = out.merge(ref, left_on="crime_type", right_on="police_uk_category")
        assert len(m) == len(out) == 13, len(m)
        assert (m["weight"] - m["cchi_days_countweighted_median"]).abs().max() < 0.01
    prov = {
        "title": "Default harm weights for the 14 police.uk categories (derived)",
        "source": "Cambridge Crime Harm Index, 2026 update, Cambridge Centre for Evidence-Based "
        "Policing, Institute of Criminology, University of Cambridge (cambridge-ebp.co.uk/chi); "
        "method: Sherman, Neyroud & Neyroud (2016), Policing 10(3):171-183, doi:10.1093/police/paw003",
        "counts": "Home Office, Police recorded crime: PFA tables (year ending March 2025), "
        "Open Government Licence v3.0",
        "transcribed_from": "github.com/isthisben/cbl-realcrime data/raw/CCHI_SOURCES.md "
        "(commit 064593d) and data/cchi_weights.csv (commit 5591939), via ../shared/data/harm/",
        "licence": "Home Office counts: OGL v3.0. CCHI values: no licence stated by the publisher; "
        "they are Sentencing Council guideline starting points (Crown copyright, OGL v3.0). "
        "Cite the CCHI wherever the weights are shown.",
        "built_by": "scripts/build_harm.py",
        "files": [{"file": f"harm/{p.name}", "sha256": _sha(p)} for p in (SUBGROUPS, OUT)],
    }
    (HARM / "PROVENANCE.json").write_text(json.dumps(prov, indent=1) + "\n")
    print(out[["crime_type", "weight", "weight_from_means"]].to_string(index=False))


if __name__ == "__main__":
    main()
