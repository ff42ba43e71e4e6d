"""Tests for sa_lib.stats.change, checked against scipy's binomial test and hand arithmetic."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sa_lib.choices import choices_table, clear_choices
from sa_lib.stats.change import compare_counts, compare_two


def _df(before, after, **extra):
    return pd.DataFrame({"count_before": before, "count_after": after, **extra})


def test_10_vs_30_is_significant_and_matches_conditional_binomial():
    out = compare_counts(_df([10], [30]), alpha=0.05, correction="none", method="exact")
    row = out.iloc[0]
    # Given 40 events in all, after ~ Binomial(40, 0.5) if the rates are equal.
    expected_p = stats.binomtest(30, 40, 0.5).pvalue
    assert row["p_value"] == pytest.approx(expected_p, rel=1e-10)
    assert expected_p < 0.05
    assert row["significant"]
    assert row["change_label"] == "significant increase"
    assert row["change"] == 20
    assert row["pct_change"] == pytest.approx(200.0)
    assert row["rate_ratio"] == pytest.approx(3.0)


def test_410_vs_459_is_not_significant():
    row = compare_counts(_df([410], [459]), alpha=0.05, correction="none", method="exact").iloc[0]
    expected_p = stats.binomtest(459, 869, 0.5).pvalue
    # Normal approximation by hand: z = (459 - 434.5) / sqrt(869 / 4) = 1.662 -> p ~ 0.097.
    assert expected_p == pytest.approx(0.097, abs=0.01)
    assert row["p_value"] == pytest.approx(expected_p, rel=1e-10)
    assert not row["significant"]
    assert row["change_label"] == "increase, not significant"
    assert row["pct_change"] == pytest.approx(100 * 49 / 410)


def test_significant_decrease_label():
    row = compare_counts(_df([30], [10]), correction="none", method="exact").iloc[0]
    assert row["change_label"] == "significant decrease"
    assert row["rate_ratio"] == pytest.approx(1 / 3)


def test_exact_interval_is_clopper_pearson_on_ratio_scale():
    row = compare_counts(_df([10], [30]), alpha=0.05, correction="none", method="exact").iloc[0]
    ci = stats.binomtest(30, 40, 0.5).proportion_ci(confidence_level=0.95, method="exact")
    assert row["rr_lower"] == pytest.approx(ci.low / (1 - ci.low), rel=1e-8)
    assert row["rr_upper"] == pytest.approx(ci.high / (1 - ci.high), rel=1e-8)
    assert row["rr_lower"] < 3.0 < row["rr_upper"]


def test_exposure_makes_unequal_periods_comparable():
    # 60 in 12 months vs 30 in 6 months: the same monthly rate (5 a month).
    row = compare_counts(
        _df([60], [30]), exposure_before=12, exposure_after=6, correction="none", method="exact"
    ).iloc[0]
    assert row["rate_ratio"] == pytest.approx(1.0)
    assert row["change_label"] == "no change"
    # Under H0 after ~ Binomial(90, 6 / 18).
    assert row["p_value"] == pytest.approx(stats.binomtest(30, 90, 6 / 18).pvalue, rel=1e-10)
    assert row["change"] == -30


def test_exposure_columns():
    df = _df([100, 100], [100, 100], pop_b=[1000.0, 1000.0], pop_a=[1000.0, 500.0])
    out = compare_counts(
        df, exposure_before="pop_b", exposure_after="pop_a", correction="none", method="exact"
    )
    assert out["rate_ratio"].tolist() == pytest.approx([1.0, 2.0])
    assert out["change_label"].tolist() == ["no change", "significant increase"]


def test_zero_before_is_new_with_no_pct():
    row = compare_counts(_df([0], [5]), correction="none", method="exact").iloc[0]
    assert row["change_label"] == "new (was 0), not significant"
    assert np.isnan(row["pct_change"])
    assert np.isinf(row["rate_ratio"])
    # 5 of 5 events in the later period: p = 2 * 0.5**5 = 0.0625.
    assert row["p_value"] == pytest.approx(0.0625)
    assert not row["significant"]
    assert np.isinf(row["rr_upper"])


def test_both_zero_not_tested():
    row = compare_counts(_df([0], [0]), correction="none", method="exact").iloc[0]
    assert row["change_label"] == "no change (both 0)"
    assert np.isnan(row["p_value"]) and np.isnan(row["pct_change"])
    assert not row["significant"]


def test_zero_after_is_decrease():
    row = compare_counts(_df([8], [0]), correction="none", method="exact").iloc[0]
    assert row["pct_change"] == pytest.approx(-100.0)
    assert row["p_value"] == pytest.approx(2 * 0.5**8)
    assert row["change_label"] == "significant decrease"
    assert row["rr_lower"] == 0.0


def test_fdr_bh_and_bonferroni_against_hand_adjustment():
    df = _df([10, 410, 30, 0], [30, 459, 10, 0])
    raw = compare_counts(df, correction="none", method="exact")["p_value"].to_numpy()
    p = raw[:3]  # the both-zero row is not tested
    bonf = compare_counts(df, correction="bonferroni", method="exact")["p_adjusted"].to_numpy()
    assert bonf[:3] == pytest.approx(np.minimum(3 * p, 1.0))
    assert np.isnan(bonf[3])
    # Benjamini-Hochberg by hand: sort p, multiply by m / rank, take running minimum from top.
    order = np.argsort(p)
    ranked = p[order] * 3 / np.arange(1, 4)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    expected = np.empty(3)
    expected[order] = np.minimum(ranked, 1.0)
    bh = compare_counts(df, correction="fdr_bh", method="exact")["p_adjusted"].to_numpy()
    assert bh[:3] == pytest.approx(expected)


def test_correction_can_remove_significance():
    # p = 0.0625 for 0 vs 5; 0 vs 6 gives p = 2 * 0.5**6 = 0.03125: significant alone,
    # but not after Bonferroni over 2 tests (0.0625 > 0.05).
    df = _df([0, 0], [6, 5])
    plain = compare_counts(df, correction="none", method="exact")
    bonf = compare_counts(df, correction="bonferroni", method="exact")
    assert plain["significant"].tolist() == [True, False]
    assert bonf["significant"].tolist() == [False, False]
    assert bonf["p_adjusted"].iloc[0] == pytest.approx(0.0625)


def test_score_method_matches_hand_score_statistic():
    # Equal exposure, score test W2A: z = (a - b) / sqrt(a + b).
    row = compare_counts(_df([410], [459]), correction="none", method="score").iloc[0]
    z = (459 - 410) / np.sqrt(869)
    assert row["p_value"] == pytest.approx(2 * stats.norm.sf(z), rel=1e-6)
    assert row["rr_lower"] < 459 / 410 < row["rr_upper"]
    zero = compare_counts(_df([0], [5]), correction="none", method="score").iloc[0]
    assert np.isfinite(zero["rr_lower"]) and np.isinf(zero["rr_upper"])


def test_score_interval_matches_statsmodels_numerical_inversion():
    from statsmodels.stats.rates import confint_poisson_2indep

    df = _df([410, 7, 60], [459, 19, 40], e_b=[1.0, 12.0, 12.0], e_a=[1.0, 12.0, 6.0])
    out = compare_counts(
        df, exposure_before="e_b", exposure_after="e_a", correction="none", method="score"
    )
    for i in range(3):
        b, a, eb, ea = df.iloc[i][["count_before", "count_after", "e_b", "e_a"]]
        lo, hi = confint_poisson_2indep(a, ea, b, eb, method="score", alpha=0.05)
        assert out["rr_lower"].iloc[i] == pytest.approx(lo, rel=1e-6)
        assert out["rr_upper"].iloc[i] == pytest.approx(hi, rel=1e-6)


def test_default_method_recorded():
    clear_choices()
    compare_counts(_df([1], [2]))
    assert "change test" in choices_table()["choice"].tolist()


def test_input_unchanged():
    df = _df([10, 20], [30, 20])
    copy = df.copy()
    out = compare_counts(df, correction="none", method="exact")
    pd.testing.assert_frame_equal(df, copy)
    assert out is not df


def test_compare_two():
    row = compare_two(410, 459)
    assert row["change_label"] == "increase, not significant"


def test_error_missing_column():
    with pytest.raises(ValueError, match="missing required column.*'count_after'"):
        compare_counts(pd.DataFrame({"count_before": [1]}))


def test_error_negative_count():
    with pytest.raises(ValueError, match=r"must not be negative; found -1 at row 1"):
        compare_counts(_df([1, -1], [2, 2]))


def test_error_missing_count():
    with pytest.raises(ValueError, match=r"missing value.*row 0"):
        compare_counts(_df([np.nan], [2.0]))


def test_error_fractional_count():
    with pytest.raises(ValueError, match=r"whole-number counts; found 2.5 at row 0"):
        compare_counts(_df([1], [2.5]))


def test_error_bad_alpha():
    with pytest.raises(ValueError, match="alpha must be a number strictly between 0 and 1"):
        compare_counts(_df([1], [2]), alpha=5)


def test_error_bad_correction():
    with pytest.raises(ValueError, match="correction='holm' is not a valid choice"):
        compare_counts(_df([1], [2]), correction="holm")


def test_error_bad_method():
    with pytest.raises(ValueError, match="method='wald' is not a valid choice"):
        compare_counts(_df([1], [2]), method="wald")


def test_error_zero_exposure_column():
    with pytest.raises(ValueError, match=r"must be greater than zero; found 0 at row 1"):
        compare_counts(_df([1, 1], [2, 2], pop=[5.0, 0.0]), exposure_before="pop")


def test_error_bad_exposure_number():
    with pytest.raises(ValueError, match="exposure_after must be a column name, a positive"):
        compare_counts(_df([1], [2]), exposure_after=-3)


def test_error_not_dataframe():
    with pytest.raises(ValueError, match="df must be a pandas DataFrame"):
        compare_counts([1, 2])


def test_new_items_carry_their_significance():
    # Issue 12, defect 5: 0 -> 3 (p = 0.25) and 0 -> 12 (p = 0.0005) must read differently.
    out = compare_counts(_df([0, 0], [3, 12]), correction="none", method="exact")
    assert out["p_value"].tolist() == pytest.approx([0.25, 2 * 0.5**12])
    assert out["change_label"].tolist() == [
        "new (was 0), not significant",
        "new (was 0), significant increase",
    ]
