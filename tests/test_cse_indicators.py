"""Tests for the SYNTHETIC CSE indicators (sa_lib.data.cse_indicators) and the shipped files."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sa_lib import config
from sa_lib.data.cse_indicators import (
    INDICATOR_COLUMNS,
    INDICATORS,
    _latent,
    generate_cse_indicators,
    generate_cse_quarterly,
    ward_deprivation,
)
from sa_lib.data.geography import build_geography
from sa_lib.themes.cse_report import generate_previous_priority

SAMPLE = config.SAMPLE_DIR
SHIPPED = SAMPLE / "synthetic" / "cse"
SEED = 2025  # the seed scripts/build_cse_indicators.py uses by default


@pytest.fixture(scope="module")
def geo():
    return build_geography(
        ["E07000011"],
        SAMPLE / "boundaries",
        SAMPLE / "population" / "census2021_lsoa21_age_bands.csv.gz",
        SAMPLE / "deprivation" / "iod2019_lsoa11.csv.gz",
    )


@pytest.fixture(scope="module")
def indicators(geo):
    return generate_cse_indicators(geo, seed=SEED)


def test_all_wards_synthetic_and_counts(geo, indicators):
    assert len(indicators) == 26
    assert set(indicators["ward_code"]) == set(geo.wards["ward_code"])
    assert indicators["synthetic"].eq(True).all()
    for col in INDICATOR_COLUMNS:
        assert pd.api.types.is_integer_dtype(indicators[col]), col
        assert (indicators[col] >= 0).all(), col
    # Small counts are the point: the rare indicators are under 10 in most wards.
    assert (indicators["cse_crimes"] < 10).mean() > 0.5
    assert indicators["population_0_15"].sum() == geo.lsoas["population_0_15"].sum()


def test_reproducible_with_seed(geo, indicators):
    pd.testing.assert_frame_equal(generate_cse_indicators(geo, seed=SEED), indicators)
    other = generate_cse_indicators(geo, seed=SEED + 1)
    assert not other[INDICATOR_COLUMNS].equals(indicators[INDICATOR_COLUMNS])


def test_ward_deprivation_by_hand():
    lsoas = pd.DataFrame(
        {
            "ward_code": ["W1", "W1", "W2"],
            "ward_name": ["One", "One", "Two"],
            "population": [100, 300, 200],
            "population_0_15": [20, 60, 50],
            "imd_rank": [1000, 5000, 20000],
            "imd_decile": [1, 2, 7],
        }
    )
    out = ward_deprivation(SimpleNamespace(lsoas=lsoas))
    # (100 * 1000 + 300 * 5000) / 400 = 4000
    assert out["imd_rank_mean"].tolist() == [4000.0, 20000.0]
    assert out["imd_share_deciles_1_5"].tolist() == [1.0, 0.0]
    assert out["population_0_15"].tolist() == [80, 50]
    # Two wards: z = -/+ 1 / sqrt(2) with the sample sd; W1 (lower rank) more deprived.
    assert out["deprivation_z"].tolist() == pytest.approx([1 / np.sqrt(2), -1 / np.sqrt(2)])


def test_latent_correlation_is_exact():
    z = stats.zscore(np.random.default_rng(0).normal(size=26), ddof=1)
    for spec in INDICATORS.values():
        lat = _latent(z, spec["b"], spec["s"], np.random.default_rng(1))
        assert np.corrcoef(lat, z)[0, 1] == pytest.approx(spec["rho"])


def test_correlation_with_deprivation_in_stated_range(geo):
    # Stated: moderate, Spearman 0.5-0.6 on average over seeds; check 0.4-0.7 per indicator.
    rhos = {k: [] for k in INDICATORS}
    for seed in range(20):
        d = generate_cse_indicators(geo, seed=seed)
        for k, spec in INDICATORS.items():
            rate = d[k] / d[spec["denominator"]]
            rhos[k].append(stats.spearmanr(rate, -d["imd_rank_mean"]).statistic)
    for k, values in rhos.items():
        assert 0.4 <= np.mean(values) <= 0.7, (k, np.mean(values))
        assert abs(np.mean(values) - INDICATORS[k]["expected_spearman"]) < 0.12, k


def test_quarterly(indicators):
    before = indicators.copy()
    q = generate_cse_quarterly(indicators, seed=SEED + 1)
    pd.testing.assert_frame_equal(indicators, before)
    assert len(q) == 26 * 8
    assert q["quarter"].unique().tolist() == [
        f"{y}Q{i}" for y in (2024, 2025) for i in (1, 2, 3, 4)
    ]
    assert q["synthetic"].eq(True).all()
    for col in ("cse_crimes", "cse_referrals"):
        assert pd.api.types.is_integer_dtype(q[col]) and (q[col] >= 0).all()
        sums = q[q["quarter"].str.startswith("2025")].groupby("ward_code")[col].sum()
        pd.testing.assert_series_equal(
            sums, indicators.set_index("ward_code")[col], check_names=False
        )
    pd.testing.assert_frame_equal(q, generate_cse_quarterly(indicators, seed=SEED + 1))
    assert q.loc[0, "quarter_start"] == pd.Timestamp("2024-01-01")
    assert q.loc[0, "quarter_end"] == pd.Timestamp("2024-03-31")


def test_previous_priority(geo, indicators):
    prev = generate_previous_priority(indicators, seed=3, top_n=6)
    assert len(prev) == 6 and prev["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    assert set(prev["ward_code"]) <= set(geo.wards["ward_code"])
    assert prev["synthetic"].all() and (prev["assessment"] == "2024").all()
    pd.testing.assert_frame_equal(prev, generate_previous_priority(indicators, seed=3, top_n=6))


def test_shipped_files_match_generator(geo, indicators):
    ind = pd.read_csv(SHIPPED / "ward_indicators_2025.csv", dtype={"ward_code": str})
    cols = ["ward_code", "year", "population", "population_0_15", *INDICATOR_COLUMNS]
    pd.testing.assert_frame_equal(ind[cols], indicators[cols], check_dtype=False)
    assert ind["synthetic"].eq(True).all()
    q = pd.read_csv(SHIPPED / "ward_quarterly_2024_2025.csv")
    expected_q = generate_cse_quarterly(indicators, seed=SEED + 1)
    assert q[["cse_crimes", "cse_referrals"]].equals(expected_q[["cse_crimes", "cse_referrals"]])
    assert q["synthetic"].eq(True).all()
    prev = pd.read_csv(SHIPPED / "previous_priority_wards_2024.csv")
    expected_prev = generate_previous_priority(indicators, seed=SEED + 2, top_n=6)
    assert prev["ward_code"].tolist() == expected_prev["ward_code"].tolist()
    readme = (SHIPPED / "README.md").read_text()
    assert "SYNTHETIC" in readme and f"seed **{SEED}**" in readme


# ---- one broken fixture per error -------------------------------------------------------


def test_geo_without_deprivation():
    lsoas = pd.DataFrame(
        {"ward_code": ["W1"], "ward_name": ["One"], "population": [1], "population_0_15": [1]}
    )
    with pytest.raises(ValueError, match="geo.lsoas is missing required column.*'imd_rank'"):
        generate_cse_indicators(SimpleNamespace(lsoas=lsoas), seed=1)


def test_bad_seed(geo):
    with pytest.raises(ValueError, match="seed must be a whole number"):
        generate_cse_indicators(geo, seed=1.5)


def test_quarterly_needs_indicator_columns():
    with pytest.raises(ValueError, match="indicators is missing required column.*'cse_crimes'"):
        generate_cse_quarterly(pd.DataFrame({"ward_code": ["W"]}), seed=1)


def test_quarterly_bad_start(indicators):
    with pytest.raises(ValueError, match="start must be a quarter"):
        generate_cse_quarterly(indicators, seed=1, start="spring")
