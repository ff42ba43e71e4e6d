"""SYNTHETIC ward-level child sexual exploitation (CSE) risk indicators, for demonstration.

Partners' CSE indicators (missing episodes, exclusions, children in care, referrals)
are not open data, so the sample CSP ships a **synthetic** set made here. Only the
geography, populations and deprivation are real (ONS Census 2021 and IoD 2019 via
:func:`sa_lib.data.geography.build_geography`); every count is made up, and every row
carries ``synthetic = True``. Never present these numbers as findings.

How the counts are made
-----------------------
For ward ``w`` and indicator ``k`` (spec in :data:`INDICATORS`)::

    d_w        = deprivation z-score: minus the ward's population-weighted mean IMD 2019
                 rank, standardised over the wards (higher = more deprived)
    latent_wk  = b_k * d_w + s_k * e_wk
    lambda_wk  = base_k / 1000 * denominator_w * exp(latent_wk - (b_k^2 + s_k^2) / 2)
    count_wk   ~ Poisson(lambda_wk)

``denominator`` is the ward's children aged 0-15 (houses in multiple occupation: all
residents), ``base_k`` a realistic annual rate per 1,000, and ``e_wk`` standard-normal
noise made exactly uncorrelated with ``d`` (residualised and rescaled), so the latent
log-rate has correlation exactly ``b_k / sqrt(b_k^2 + s_k^2)`` with deprivation. The
``exp(-(b^2+s^2)/2)`` term keeps the average rate at ``base_k``.

**Correlation with deprivation.** ``b_k`` and ``s_k`` are chosen per indicator so that
the *observed* correlation that an analyst would see, Spearman's rho between the ward
rate (count / denominator) and deprivation, is moderate: 0.50-0.60 on average over
seeds (``expected_spearman`` in :data:`INDICATORS`, from 200 simulations on the sample
CSP's 26 wards), the 0.4-0.7 range typical of real area indicators. Rare indicators
(teenage conceptions, CSE-flagged crimes: a handful per ward) need a stronger latent
association (up to 0.92) for that, because Poisson noise dilutes it, and vary more
from seed to seed (roughly 0.25-0.75). Real indicators also cluster: here they are
correlated with each other only through deprivation.
Many wards have fewer than 10 of some indicators: that is why the tables need
disclosure control (:mod:`sa_lib.stats.disclosure`).

Examples
--------
>>> from sa_lib.data.cse_indicators import INDICATORS
>>> INDICATORS["cse_crimes"]["denominator"]
'population_0_15'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sa_lib.choices import record_choice
from sa_lib.validation import require_columns, require_dataframe, require_int

__all__ = [
    "INDICATORS",
    "INDICATOR_COLUMNS",
    "QUARTERLY_INDICATORS",
    "SEASONAL",
    "ward_deprivation",
    "generate_cse_indicators",
    "generate_cse_quarterly",
]

#: name -> description, denominator column, base annual rate per 1,000, slope b on the
#: deprivation z-score, noise sd s (latent correlation ``rho`` = b / sqrt(b^2 + s^2)) and
#: the average observed Spearman correlation of the rate with deprivation (simulated).
INDICATORS: dict[str, dict] = {
    "missing_episodes": {
        "description": "Missing-from-home or missing-from-care episodes of children",
        "denominator": "population_0_15",
        "base_rate": 12.0,
        "b": 0.35,
        "s": 0.30,
        "expected_spearman": 0.56,
    },
    "school_exclusions": {
        "description": "Suspensions and permanent exclusions of pupils living in the ward",
        "denominator": "population_0_15",
        "base_rate": 35.0,
        "b": 0.30,
        "s": 0.35,
        "expected_spearman": 0.56,
    },
    "children_in_care": {
        "description": "Children looked after (snapshot at 31 March) from the ward",
        "denominator": "population_0_15",
        "base_rate": 4.5,
        "b": 0.50,
        "s": 0.30,
        "expected_spearman": 0.60,
    },
    "hmo_count": {
        "description": "Licensed houses in multiple occupation",
        "denominator": "population",
        "base_rate": 1.5,
        "b": 0.40,
        "s": 0.30,
        "expected_spearman": 0.59,
    },
    "drug_referrals": {
        "description": "Drug-related referrals of young people (youth and substance-misuse services)",
        "denominator": "population_0_15",
        "base_rate": 2.5,
        "b": 0.60,
        "s": 0.25,
        "expected_spearman": 0.58,
    },
    "teenage_conceptions": {
        "description": "Conceptions to women aged under 18",
        "denominator": "population_0_15",
        "base_rate": 1.2,
        "b": 0.70,
        "s": 0.30,
        "expected_spearman": 0.51,
    },
    "cse_referrals": {
        "description": "Referrals to children's social care with CSE as a factor",
        "denominator": "population_0_15",
        "base_rate": 2.0,
        "b": 0.60,
        "s": 0.25,
        "expected_spearman": 0.54,
    },
    "cse_crimes": {
        "description": "Police recorded crimes flagged as child sexual exploitation",
        "denominator": "population_0_15",
        "base_rate": 1.0,
        "b": 0.70,
        "s": 0.30,
        "expected_spearman": 0.50,
    },
}
for _spec in INDICATORS.values():
    _spec["rho"] = _spec["b"] / float(np.hypot(_spec["b"], _spec["s"]))
INDICATOR_COLUMNS: list[str] = list(INDICATORS)
QUARTERLY_INDICATORS: tuple[str, ...] = ("cse_crimes", "cse_referrals")
#: Relative quarterly pattern (Q1..Q4) used to split annual counts.
SEASONAL: tuple[float, ...] = (0.95, 1.0, 1.1, 0.95)
#: 2024 level relative to 2025 in the quarterly series (a modest rise into 2025).
LEVEL_2024 = 0.85


def ward_deprivation(geo) -> pd.DataFrame:
    """Real ward deprivation and population from a :class:`CSPGeography`.

    Parameters
    ----------
    geo : CSPGeography
        From :func:`sa_lib.data.geography.build_geography` with a deprivation file.

    Returns
    -------
    DataFrame
        One row per ward, sorted by code: ``ward_code``, ``ward_name``, ``population``,
        ``population_0_15``, ``imd_rank_mean`` (population-weighted mean IMD 2019 rank of
        the ward's LSOAs; 1 = most deprived in England), ``imd_share_deciles_1_5`` (share
        of the ward's LSOAs in IMD deciles 1-5, the more deprived half of England) and
        ``deprivation_z`` (minus ``imd_rank_mean``, standardised over the wards, sample sd).
    """
    lsoas = getattr(geo, "lsoas", None)
    require_dataframe(lsoas, "geo.lsoas")
    require_columns(
        lsoas,
        ["ward_code", "ward_name", "population", "population_0_15", "imd_rank", "imd_decile"],
        arg="geo.lsoas",
        fix="build the geography with a deprivation file (build_geography(..., deprivation_csv))",
    )
    d = pd.DataFrame(lsoas.drop(columns="geometry", errors="ignore"))
    d = d.dropna(subset=["ward_code"])
    rows = []
    for (code, name), g in d.groupby(["ward_code", "ward_name"], sort=True):
        w = g["population"].fillna(0).to_numpy(dtype=float)
        ranks = g["imd_rank"].to_numpy(dtype=float)
        ok = ~np.isnan(ranks)
        rank_mean = (
            float(np.average(ranks[ok], weights=w[ok])) if ok.any() and w[ok].sum() > 0 else np.nan
        )
        rows.append(
            {
                "ward_code": code,
                "ward_name": name,
                "population": int(g["population"].sum()),
                "population_0_15": int(g["population_0_15"].sum()),
                "imd_rank_mean": round(rank_mean, 1),
                "imd_share_deciles_1_5": round(float((g["imd_decile"] <= 5).mean()), 3),
            }
        )
    out = pd.DataFrame(rows)
    dep = -out["imd_rank_mean"]
    out["deprivation_z"] = (dep - dep.mean()) / dep.std(ddof=1)
    return out


def _latent(z: np.ndarray, b: float, s: float, rng: np.random.Generator) -> np.ndarray:
    """``b z + s e`` with ``e`` standard normal, exactly uncorrelated with ``z``, sd 1."""
    e = rng.standard_normal(len(z))
    zc = z - z.mean()
    e = e - e.mean()
    e = e - zc * (e @ zc) / (zc @ zc)
    e = e / e.std(ddof=1)
    return b * z + s * e


def generate_cse_indicators(geo, seed: int, year: int = 2025) -> pd.DataFrame:
    """SYNTHETIC annual CSE risk indicators per ward (see the module docstring).

    Parameters
    ----------
    geo : CSPGeography
        The CSP's geography, with deprivation.
    seed : int
        Random seed: the same seed gives the same data.
    year : int, default 2025
        Year the counts are labelled with.

    Returns
    -------
    DataFrame
        One row per ward: the columns of :func:`ward_deprivation` (real), ``year``,
        the counts in :data:`INDICATOR_COLUMNS` (synthetic, non-negative int) and
        ``synthetic`` (True).

    Examples
    --------
    >>> from sa_lib.data.geography import build_geography  # doctest: +SKIP
    >>> geo = build_geography(["E07000011"], "data/sample/boundaries",  # doctest: +SKIP
    ...     "data/sample/population/census2021_lsoa21_age_bands.csv.gz",
    ...     "data/sample/deprivation/iod2019_lsoa11.csv.gz")
    >>> generate_cse_indicators(geo, seed=2025)["synthetic"].all()  # doctest: +SKIP
    np.True_
    """
    require_int(seed, arg="seed", minimum=0)
    require_int(year, arg="year")
    out = ward_deprivation(geo)
    rng = np.random.default_rng(seed)
    z = out["deprivation_z"].to_numpy(dtype=float)
    out.insert(2, "year", year)
    for name, spec in INDICATORS.items():
        latent = _latent(z, spec["b"], spec["s"], rng)
        denom = out[spec["denominator"]].to_numpy(dtype=float)
        lam = (
            spec["base_rate"]
            / 1000
            * denom
            * np.exp(latent - (spec["b"] ** 2 + spec["s"] ** 2) / 2)
        )
        out[name] = rng.poisson(lam).astype(int)
    out["synthetic"] = True
    record_choice(
        "synthetic CSE indicators",
        f"seed {seed}",
        "SYNTHETIC counts: Poisson around base rates, log-rate correlated with deprivation",
        source="parameters",
    )
    return out


def generate_cse_quarterly(
    indicators: pd.DataFrame, seed: int, start: str = "2024Q1", n_quarters: int = 8
) -> pd.DataFrame:
    """SYNTHETIC quarterly CSE-flagged crimes and CSE referrals per ward.

    The quarters in the indicators' ``year`` split each ward's annual count
    multinomially with the :data:`SEASONAL` pattern, so they add up to it exactly. Other
    quarters are Poisson with mean ``(annual + 0.5) * k / 4 * seasonal * level * g``, where
    ``k = total / (total + 0.5 * n_wards)`` keeps the district's expected total at
    ``level`` times this year's, and
    ``level`` is :data:`LEVEL_2024` for earlier years and 1 for later ones, and ``g`` is
    gamma noise (mean 1, sd 0.3) per ward.

    Parameters
    ----------
    indicators : DataFrame
        From :func:`generate_cse_indicators`. Not changed.
    seed : int
        Random seed.
    start : str, default "2024Q1"
        First quarter.
    n_quarters : int, default 8
        Number of quarters (2024Q1-2025Q4 by default).

    Returns
    -------
    DataFrame
        One row per ward x quarter: ``ward_code``, ``ward_name``, ``quarter`` (e.g.
        "2024Q1"), ``quarter_start``, ``quarter_end`` (dates), ``cse_crimes``,
        ``cse_referrals`` and ``synthetic`` (True).

    Examples
    --------
    >>> import pandas as pd
    >>> ind = pd.DataFrame({"ward_code": ["W1"], "ward_name": ["One"], "year": [2025],
    ...                     "cse_crimes": [4], "cse_referrals": [7]})
    >>> q = generate_cse_quarterly(ind, seed=1)
    >>> len(q), int(q.loc[q["quarter"].str.startswith("2025"), "cse_crimes"].sum())
    (8, 4)
    """
    require_columns(
        indicators,
        ["ward_code", "ward_name", "year", *QUARTERLY_INDICATORS],
        arg="indicators",
        fix="pass the output of generate_cse_indicators(...)",
    )
    require_int(seed, arg="seed", minimum=0)
    require_int(n_quarters, arg="n_quarters", minimum=1)
    try:
        first = pd.Period(start, freq="Q")
    except ValueError as e:
        raise ValueError(f"start must be a quarter such as '2024Q1', got {start!r}.") from e
    quarters = pd.period_range(first, periods=n_quarters, freq="Q")
    year = int(indicators["year"].iloc[0])
    season = np.array(SEASONAL)
    rng = np.random.default_rng(seed)
    # The +0.5 keeps wards with no events this year possible earlier; rescale so the
    # district's expected earlier total is LEVEL_2024 x this year's, as documented.
    n_wards = len(indicators)
    shrink = {
        name: (tot / (tot + 0.5 * n_wards) if tot > 0 else 1.0)
        for name in QUARTERLY_INDICATORS
        for tot in [float(indicators[name].sum())]
    }
    parts = []
    for _, ward in indicators.iterrows():
        block = pd.DataFrame(
            {
                "ward_code": ward["ward_code"],
                "ward_name": ward["ward_name"],
                "quarter": [str(q) for q in quarters],
                "quarter_start": [q.start_time.normalize() for q in quarters],
                "quarter_end": [q.end_time.normalize() for q in quarters],
            }
        )
        for name in QUARTERLY_INDICATORS:
            annual = int(ward[name])
            g = rng.gamma(shape=1 / 0.09, scale=0.09)
            vals = np.zeros(len(quarters), dtype=int)
            in_year = np.array([q.year == year for q in quarters])
            for i, q in enumerate(quarters):
                if not in_year[i]:
                    level = LEVEL_2024 if q.year < year else 1.0
                    mean = (annual + 0.5) * shrink[name] / 4 * season[q.quarter - 1] * level * g
                    vals[i] = rng.poisson(mean)
            if in_year.any():
                qs = [q.quarter for q in quarters[in_year]]
                p = season[np.array(qs) - 1]
                share = int(round(annual * in_year.sum() / 4)) if in_year.sum() < 4 else annual
                vals[in_year] = rng.multinomial(share, p / p.sum())
            block[name] = vals
        parts.append(block)
    out = pd.concat(parts, ignore_index=True)
    out["synthetic"] = True
    return out
