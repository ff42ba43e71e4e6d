"""Tests for sa_lib.stats.rates against scipy, statsmodels and hand-worked examples."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from sa_lib.choices import choices_table, clear_choices
from sa_lib.stats.rates import (
    byar_ci,
    exact_poisson_ci,
    poisson_ci,
    proportion_ci,
    rate_ci,
    wilson_ci,
)

Z95 = 1.959963984540054


def test_byar_worked_example_count_56():
    # By hand, O = 56, z = 1.96:
    #   lower = 56 * (1 - 1/504 - 1.96/(3*sqrt 56))**3 = 56 * 0.91071**3 = 42.30
    #   upper = 57 * (1 - 1/513 + 1.96/(3*sqrt 57))**3 = 57 * 1.08458**3 = 72.72
    lo_hand = 56 * (1 - 1 / 504 - Z95 / (3 * math.sqrt(56))) ** 3
    hi_hand = 57 * (1 - 1 / 513 + Z95 / (3 * math.sqrt(57))) ** 3
    assert lo_hand == pytest.approx(42.30, abs=0.005)
    assert hi_hand == pytest.approx(72.72, abs=0.005)
    lo, hi = byar_ci(56)
    assert float(lo) == pytest.approx(lo_hand, rel=1e-12)
    assert float(hi) == pytest.approx(hi_hand, rel=1e-12)
    # Per 1,000 with a population of 10,000: 5.60 (4.23 to 7.27).
    out = rate_ci(pd.DataFrame({"count": [56], "population": [10_000]}), per=1000)
    assert out[["rate", "rate_lower", "rate_upper"]].iloc[0].tolist() == pytest.approx(
        [5.6, lo_hand / 10, hi_hand / 10]
    )
    assert out["ci_method"].iloc[0] == "byar"


@pytest.mark.parametrize("count", [1, 3, 9])
def test_exact_matches_chi_square_formula(count):
    lo, hi = exact_poisson_ci(count, 0.95)
    assert float(lo) == pytest.approx(stats.chi2.ppf(0.025, 2 * count) / 2, rel=1e-12)
    assert float(hi) == pytest.approx(stats.chi2.ppf(0.975, 2 * count + 2) / 2, rel=1e-12)


def test_exact_equals_gamma_quantiles_independently():
    # The exact Poisson limits are also gamma quantiles: Gamma(O) and Gamma(O + 1).
    lo, hi = exact_poisson_ci(7, 0.9)
    assert float(lo) == pytest.approx(stats.gamma.ppf(0.05, 7), rel=1e-9)
    assert float(hi) == pytest.approx(stats.gamma.ppf(0.95, 8), rel=1e-9)


@pytest.mark.parametrize("count", [100, 500, 2000])
def test_byar_close_to_exact_for_large_counts(count):
    b_lo, b_hi = byar_ci(count)
    e_lo = stats.chi2.ppf(0.025, 2 * count) / 2
    e_hi = stats.chi2.ppf(0.975, 2 * count + 2) / 2
    assert float(b_lo) == pytest.approx(e_lo, rel=2e-3)
    assert float(b_hi) == pytest.approx(e_hi, rel=2e-3)


def test_switch_at_ten_and_zero_count():
    lo, hi = poisson_ci([0, 9, 10])
    # Zero count: lower 0, upper = chi2.ppf(0.975, 2) / 2 = -ln(0.025) = 3.689.
    assert lo[0] == 0.0
    assert hi[0] == pytest.approx(-math.log(0.025), rel=1e-12)
    assert lo[1] == pytest.approx(stats.chi2.ppf(0.025, 18) / 2)
    assert lo[2] == pytest.approx(float(byar_ci(10)[0]))
    out = rate_ci(pd.DataFrame({"count": [0, 9, 10], "population": [1000.0] * 3}), per=100)
    assert out["ci_method"].tolist() == ["exact", "exact", "byar"]
    assert out["rate_lower"].iloc[0] == 0.0
    assert out["rate_upper"].iloc[0] == pytest.approx(-math.log(0.025) / 10)


def test_conf_level_changes_width():
    df = pd.DataFrame({"count": [40], "population": [1000]})
    r99 = rate_ci(df, conf_level=0.99).iloc[0]
    r90 = rate_ci(df, conf_level=0.90).iloc[0]
    assert r99["rate_lower"] < r90["rate_lower"] < r90["rate"] < r90["rate_upper"]
    assert r90["rate_upper"] < r99["rate_upper"]
    z99 = stats.norm.ppf(0.995)
    assert r99["rate_lower"] == pytest.approx(
        40 * (1 - 1 / 360 - z99 / (3 * math.sqrt(40))) ** 3, rel=1e-12
    )


def test_one_month_single_row():
    out = rate_ci(pd.DataFrame({"count": [12], "population": [3000]}), per=1000)
    assert out["rate"].iloc[0] == pytest.approx(4.0)


def test_missing_or_zero_population_gives_nan_and_warning_naming_rows():
    df = pd.DataFrame(
        {"count": [5, 6, 7], "population": [1000.0, np.nan, 0.0]}, index=["a", "b", "c"]
    )
    with pytest.warns(UserWarning, match=r"2 row\(s\) \('b', 'c'\)"):
        out = rate_ci(df)
    assert out["rate"].iloc[0] == pytest.approx(5.0)
    assert out[["rate", "rate_lower", "rate_upper"]].iloc[1:].isna().all().all()
    assert pd.isna(out["ci_method"].iloc[1])


def test_input_unchanged_and_default_recorded():
    clear_choices()
    df = pd.DataFrame({"count": [5, 50], "population": [1000, 2000]})
    copy = df.copy()
    rate_ci(df)
    pd.testing.assert_frame_equal(df, copy)
    assert "rate confidence interval" in choices_table()["choice"].tolist()


def test_wilson_against_statsmodels():
    x = np.array([0, 1, 5, 10, 37])
    n = np.array([10, 20, 10, 10, 120])
    lo, hi = wilson_ci(x, n, 0.95)
    sm_lo, sm_hi = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert lo == pytest.approx(sm_lo, abs=1e-12)
    assert hi == pytest.approx(sm_hi, abs=1e-12)


def test_wilson_hand_example():
    # x = 0, n = 10: lower 0, upper = (z²/2n + z*sqrt(z²/4n²)) / (1 + z²/n) = z²/n / (1 + z²/n)
    z2n = Z95**2 / 10
    lo, hi = wilson_ci(0, 10)
    assert float(lo) == 0.0
    assert float(hi) == pytest.approx(z2n / (1 + z2n), rel=1e-12)


def test_proportion_ci_dataframe():
    df = pd.DataFrame({"repeat": [3, 0, 2], "victims": [10, 5, 0]})
    with pytest.warns(UserWarning, match="victims"):
        out = proportion_ci(df, "repeat", "victims")
    assert out["proportion"].iloc[:2].tolist() == pytest.approx([0.3, 0.0])
    sm_lo, sm_hi = proportion_confint(3, 10, alpha=0.05, method="wilson")
    assert out["proportion_lower"].iloc[0] == pytest.approx(sm_lo)
    assert out["proportion_upper"].iloc[0] == pytest.approx(sm_hi)
    assert out[["proportion", "proportion_lower", "proportion_upper"]].iloc[2].isna().all()
    assert "proportion" not in df.columns


def test_error_negative_count():
    df = pd.DataFrame({"count": [3, -2], "population": [100, 100]})
    with pytest.raises(ValueError, match=r"df\['count'\] must not be negative; found -2 at row 1"):
        rate_ci(df)


def test_error_negative_population():
    df = pd.DataFrame({"count": [3], "population": [-100]})
    with pytest.raises(ValueError, match=r"df\['population'\] must not be negative"):
        rate_ci(df)


def test_error_missing_count():
    df = pd.DataFrame({"count": [np.nan], "population": [100]})
    with pytest.raises(ValueError, match=r"df\['count'\] has 1 missing value"):
        rate_ci(df)


def test_error_missing_column():
    with pytest.raises(ValueError, match="missing required column.*'population'"):
        rate_ci(pd.DataFrame({"count": [1]}))


def test_error_text_population():
    df = pd.DataFrame({"count": [1], "population": ["lots"]})
    with pytest.raises(ValueError, match=r"must be numeric.*'lots'"):
        rate_ci(df)


def test_error_bad_per():
    with pytest.raises(ValueError, match="per must be a positive number"):
        rate_ci(pd.DataFrame({"count": [1], "population": [10]}), per=0)


def test_error_bad_conf_level():
    with pytest.raises(ValueError, match="conf_level must be a number strictly between 0 and 1"):
        rate_ci(pd.DataFrame({"count": [1], "population": [10]}), conf_level=95)


def test_error_numerator_above_denominator():
    df = pd.DataFrame({"x": [1, 12], "n": [10, 10]})
    with pytest.raises(ValueError, match=r"larger than df\['n'\].*row 1: 12.0 > 10.0"):
        proportion_ci(df, "x", "n")
