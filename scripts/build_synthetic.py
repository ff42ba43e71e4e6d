"""Build the SYNTHETIC extract, licensed premises and ambulance files for the sample CSP.

Writes ``data/sample/synthetic/`` from the shipped real police.uk sample
(Huntingdonshire, E07000011) with a fixed seed, so the files are reproducible:
running this again gives byte-identical output.

Usage::

    python scripts/build_synthetic.py [--seed 2025] [--out data/sample/synthetic]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from sa_lib import config
from sa_lib.data.extract import SCHEMA_DOC, VSO
from sa_lib.data.geography import build_geography
from sa_lib.data.ingest import ingest
from sa_lib.data.store import load_street
from sa_lib.data.synthetic import (
    DA_SHARE,
    SUBGROUP_SHARES,
    generate_ambulance,
    generate_extract,
    generate_licensed_premises,
    synthetic_summary,
)

LAD = "E07000011"
SEED = 2025
GZ = {"method": "gzip", "mtime": 0}


def build(seed: int = SEED, out: Path | None = None) -> dict[str, Path]:
    """Generate and write the synthetic files; return their paths."""
    out = Path(out) if out is not None else config.SAMPLE_DIR / "synthetic"
    s = config.SAMPLE_DIR
    geo = build_geography(
        [LAD],
        s / "boundaries",
        s / "population" / "census2021_lsoa21_age_bands.csv.gz",
        s / "deprivation" / "iod2019_lsoa11.csv.gz",
    )
    with tempfile.TemporaryDirectory() as store:
        ingest([s / "police_uk"], store)
        rows = load_street(store, lsoa_codes=geo.lsoas["lsoa21_code"])
    lp = generate_licensed_premises(geo, seed, street_rows=rows)
    ext = generate_extract(rows, geo, seed, lp)
    amb = generate_ambulance(ext, geo, seed)

    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "extract": out / "extract_synthetic.csv.gz",
        "premises": out / "licensed_premises_synthetic.csv",
        "ambulance": out / "ambulance_assault_callouts_synthetic.csv",
        "readme": out / "README.md",
    }
    ext.drop(columns="source_line").to_csv(
        paths["extract"], index=False, compression=GZ, date_format="%Y-%m-%dT%H:%M:%S"
    )
    pd.DataFrame(lp.drop(columns="geometry")).to_csv(paths["premises"], index=False)
    amb.to_csv(paths["ambulance"], index=False)
    paths["readme"].write_text(_readme(seed, rows, ext, lp, amb), encoding="utf-8")
    return paths


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%" if 0 < x < 0.01 else f"{100 * x:.1f}%"


def _readme(seed, rows, ext, lp, amb) -> str:
    s = synthetic_summary(ext)
    n_vso = int((rows["crime_type"] == VSO).sum())
    subs = "\n".join(
        f"| {g} | {_pct(SUBGROUP_SHARES[g])} | {_pct(s.get(f'subgroup_share_{g}', 0.0))} |"
        for g in SUBGROUP_SHARES
    )
    towns = lp.groupby("town").size().sort_values(ascending=False)
    town_txt = ", ".join(f"{t} {n}" for t, n in towns.items())
    vwi = ext[ext["offence_subgroup"] == "Violence with injury"].groupby(["lsoa_code", "month"])
    v = vwi.size().reindex(pd.MultiIndex.from_frame(amb[["lsoa21_code", "month"]]), fill_value=0)
    corr = float(pd.Series(v.to_numpy()).corr(amb["assault_callouts"].reset_index(drop=True)))
    return f"""# SYNTHETIC data for the sample CSP (Huntingdonshire, {LAD})

**Everything in this folder is SYNTHETIC: made up by a program, not real crimes,
victims, premises or ambulance call-outs.** Every file has a `synthetic` column
that is `True` on every row, and every report page that uses these files must
say that it uses synthetic data. Do not quote any figure from here as a fact
about Huntingdonshire.

The files exist so the workbench's record-level themes (violence, domestic abuse,
CSE, night-time economy) can be developed and demonstrated without a real force
extract, which must never enter git.

Built by `python scripts/build_synthetic.py --seed {seed}` from the real police.uk
street rows in `data/sample/police_uk/` with `sa_lib.data.synthetic` (numpy
`default_rng`, seed **{seed}**); the same seed gives byte-identical files.

| file | rows | what |
|---|---|---|
| `extract_synthetic.csv.gz` | {len(ext):,} | record-level crime extract in the workbench extract schema (below) |
| `licensed_premises_synthetic.csv` | {len(lp)} | licensed-premises points |
| `ambulance_assault_callouts_synthetic.csv` | {len(amb):,} | monthly ambulance assault call-outs per LSOA21 |

## The extract

One row for each police.uk street row of "Violence and sexual offences",
"Criminal damage and arson" and "Public order" located in the CSP's LSOAs
({rows["month"].min()} to {rows["month"].max()}), so the counts per LSOA x month x
crime type **equal police.uk's** ({n_vso:,} violence and sexual offences).
Location, street and last outcome come from the police.uk row; the rest is
drawn at random (see `src/sa_lib/data/synthetic.py` and `docs/extract_schema.md`
for the sources of each proportion):

| violence and sexual offences subgroup | target (approx. ONS share) | this file |
|---|---|---|
{subs}

- Domestic-abuse flagged: {_pct(s["da_share_vso"])} of violence and sexual offences
  (target about one third: ONS *Domestic abuse in England and Wales overview*),
  {_pct(s["da_share_other"])} of criminal damage and public order (target about
  {_pct(DA_SHARE["Public order"])}). DA victims female: {_pct(s["female_share_da"])}.
- Repeat victims: {_pct(s["repeat_share_da"])} of DA crimes and
  {_pct(s["repeat_share_other"])} of other crimes with a victim have a victim with an
  earlier crime of the same kind in the previous 12 months.
- Night-time economy: violence with injury per Friday/Saturday night (21:00-03:59) is
  {s["vwi_fri_sat_night_ratio"]:.2f} times that per Monday-Thursday night.
- `month` is the police.uk month, the month of `recorded_date`. Stalking and
  harassment have a from/to window; about a quarter of sexual offences are
  non-recent (committed years before they were recorded).

Load it with `sa_lib.data.extract.load_extract("data/sample/synthetic/extract_synthetic.csv.gz")`
or ingest it like a force extract:
`sa ingest-extract --mapping config/extract_mappings/workbench.yaml data/sample/synthetic/extract_synthetic.csv.gz`.

## Licensed premises

Points around the town centres ({town_txt}); each centre snapped to the busiest
police.uk violence point within 800 m of its nominal position. Columns:
`premises_id, town, premises_type, late_licence, easting, northing, longitude,
latitude, lsoa21_code, synthetic`. Premises types: pub, bar, restaurant,
nightclub, hotel; `late_licence` marks those open after midnight (used for the
night-time-economy flag: non-DA violence within 250 m at night).

## Ambulance assault call-outs

`lsoa21_code, ward_code, month, assault_callouts, synthetic` for every LSOA x
month. Negative-binomial draws around 0.35 x violence with injury + 0.35 x NTE
violence with injury + a population and deprivation base: correlated with the
extract's violence with injury (Pearson r = {corr:.2f} over LSOA-months) but not
equal to it. Illustrative, not calibrated to a published ambulance rate.

## Extract schema

{SCHEMA_DOC}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    for name, p in build(a.seed, a.out).items():
        print(f"{name}: {p} ({p.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
