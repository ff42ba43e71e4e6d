"""Write the SYNTHETIC CSE risk-indicator sample under data/sample/synthetic/cse/.

Run by a maintainer; the output is committed. Only the geography, populations and
deprivation are real; every count is made up by :mod:`sa_lib.data.cse_indicators` from a
fixed seed, and every row carries ``synthetic = True``.

What it writes:

- ward_indicators_<year>.csv: one row per ward, annual indicator counts.
- ward_quarterly_<first>_<last>.csv: CSE-flagged crimes and CSE referrals per ward and
  quarter (2024Q1-2025Q4).
- previous_priority_wards_<year-1>.csv: a plausible previous assessment's priority
  wards (for sa_lib.stats.risk_index.compare_previous).
- README.md: SYNTHETIC warning, seed, columns and how the data were made.

Usage::

    python scripts/build_cse_indicators.py [--seed 2025] [--lad E07000011]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy import stats

from sa_lib.data.cse_indicators import (
    INDICATORS,
    LEVEL_2024,
    SEASONAL,
    generate_cse_indicators,
    generate_cse_quarterly,
)
from sa_lib.data.geography import build_geography
from sa_lib.themes.cse_report import generate_previous_priority

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


def _readme(seed, lad, files, indicators, quarterly, previous) -> str:
    year = int(indicators["year"].iloc[0])
    spec_rows = []
    for name, s in INDICATORS.items():
        rate = indicators[name] / indicators[s["denominator"]]
        rho_obs = stats.spearmanr(rate, indicators["deprivation_z"]).statistic
        spec_rows.append(
            f"| `{name}` | {s['description']} | {s['denominator']} | {s['base_rate']:g} | "
            f"{s['b']:.2f} | {s['s']:.2f} | {s['rho']:.2f} | {s['expected_spearman']:.2f} | "
            f"{rho_obs:.2f} | {int(indicators[name].sum())} | "
            f"{int((indicators[name] < 10).sum())} |"
        )
    spec = "\n".join(spec_rows)
    q_first, q_last = quarterly["quarter"].iloc[0], quarterly["quarter"].iloc[-1]
    return f"""# SYNTHETIC CSE risk indicators: Huntingdonshire CSP ({lad})

**SYNTHETIC DATA. These counts are made up. They are not real children, crimes or
referrals, and must never be presented as findings.** They exist so that the
child sexual exploitation (CSE) theme's notebook, tables and maps can be built and
tested from a fresh clone. Every row has `synthetic = True`.

Only the ward geography, the Census 2021 populations and the IMD 2019 columns are
real (from `data/sample/boundaries`, `data/sample/population` and
`data/sample/deprivation`, via `sa_lib.data.geography.build_geography`).

Rebuild with `python scripts/build_cse_indicators.py --seed {seed} --lad {lad}`
(seed **{seed}**; the same seed gives the same files).

## Files

| file | rows | what |
|---|---|---|
| `{files[0]}` | {len(indicators)} | one row per ward: annual ({year}) indicator counts |
| `{files[1]}` | {len(quarterly)} | ward x quarter, {q_first} to {q_last}: CSE-flagged crimes and CSE referrals |
| `{files[2]}` | {len(previous)} | a plausible previous ({previous["assessment"].iloc[0]}) assessment's priority wards, for `sa_lib.stats.risk_index.compare_previous` |

## Columns

`{files[0]}`:

- `ward_code`, `ward_name`: ward (May 2025 boundaries). Real.
- `year`: year the counts describe ({year}).
- `population`, `population_0_15`: Census 2021 usual residents, all ages and aged 0-15,
  summed over the LSOAs best-fitted to the ward. Real.
- `imd_rank_mean`: population-weighted mean IMD 2019 rank of the ward's LSOAs (1 = most
  deprived LSOA in England, 32,844 = least). Real.
- `imd_share_deciles_1_5`: share of the ward's LSOAs in IMD deciles 1-5 (the more
  deprived half of England). Real.
- `deprivation_z`: minus `imd_rank_mean`, standardised over the wards (higher = more
  deprived). Derived from real data; the driver of the synthetic counts.
- one count column per indicator (table below). **Synthetic.**
- `synthetic`: always True.

`{files[1]}`: `ward_code`, `ward_name`, `quarter` (e.g. 2024Q1), `quarter_start`,
`quarter_end`, `cse_crimes`, `cse_referrals` (**synthetic**), `synthetic`.

`{files[2]}`: `ward_code`, `ward_name`, `rank` (1 = highest priority), `assessment`,
`synthetic`.

## How the counts were generated (`sa_lib.data.cse_indicators`)

For ward *w* and indicator *k*: latent log-rate `b_k * deprivation_z + s_k * e` with
`e` standard-normal noise made exactly uncorrelated with deprivation; expected count
`base_k / 1000 * denominator * exp(latent - (b_k^2 + s_k^2) / 2)`; count ~ Poisson.
`b` and `s` are chosen so that the correlation an analyst would see (Spearman's rho of
the ward rate with deprivation) is moderate, 0.5-0.6 on average over seeds, the range
typical of real area indicators; for rare indicators it varies more between seeds
because of Poisson noise.

| indicator | description | denominator | base rate per 1,000 | b | s | latent correlation | expected Spearman (mean over seeds) | Spearman in this file | total | wards under 10 |
|---|---|---|---|---|---|---|---|---|---|---|
{spec}

Many wards have fewer than 10 of an indicator: publish these tables only through the
disclosure controls (`sa_lib.stats.disclosure.suppress_table` / `band_counts`).

Quarterly file: the {year} quarters split each ward's annual count multinomially in the
seasonal pattern {list(SEASONAL)} (Q1-Q4), so they add up to the annual file exactly;
earlier quarters are Poisson around `(annual + 0.5) * k / 4 * seasonal * {LEVEL_2024}` times
a per-ward gamma factor (mean 1, sd 0.3), with `k` rescaling so the district's
expected earlier total is {LEVEL_2024} of {year}'s: a modest rise into {year}.

Previous priority wards: each count redrawn as Poisson(count + 0.5), turned into rates
per 1,000 and combined with the IMD rank in an equal-weight z-score composite index
(`sa_lib.stats.risk_index.composite_index`); the top {len(previous)} wards.
"""


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--lad", default="E07000011")
    ap.add_argument("--out", default=str(SAMPLE / "synthetic" / "cse"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    geo = build_geography(
        [args.lad],
        SAMPLE / "boundaries",
        SAMPLE / "population" / "census2021_lsoa21_age_bands.csv.gz",
        SAMPLE / "deprivation" / "iod2019_lsoa11.csv.gz",
    )
    indicators = generate_cse_indicators(geo, seed=args.seed)
    # Separate, fixed offsets keep the three files' random streams independent.
    quarterly = generate_cse_quarterly(indicators, seed=args.seed + 1)
    previous = generate_previous_priority(indicators, seed=args.seed + 2, top_n=6)

    year = int(indicators["year"].iloc[0])
    q_first = quarterly["quarter"].iloc[0][:4]
    q_last = quarterly["quarter"].iloc[-1][:4]
    files = [
        f"ward_indicators_{year}.csv",
        f"ward_quarterly_{q_first}_{q_last}.csv",
        f"previous_priority_wards_{year - 1}.csv",
    ]
    indicators.round({"deprivation_z": 4}).to_csv(out / files[0], index=False)
    quarterly.assign(
        quarter_start=quarterly["quarter_start"].dt.strftime("%Y-%m-%d"),
        quarter_end=quarterly["quarter_end"].dt.strftime("%Y-%m-%d"),
    ).to_csv(out / files[1], index=False)
    previous.to_csv(out / files[2], index=False)
    readme = _readme(args.seed, args.lad, files, indicators, quarterly, previous)
    (out / "README.md").write_text(readme, encoding="utf-8")
    total = int(np.sum([indicators[k].sum() for k in INDICATORS]))
    print(f"wrote {len(files) + 1} files to {out} ({len(indicators)} wards, {total} counts)")


if __name__ == "__main__":
    main()
