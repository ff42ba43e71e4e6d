"""Period-change tests that allow for overdispersion (issue 20 item 1; issue 19 item 3).

Reference values are from R (tests/fixtures/reference/change_tests.R): the trend model's
Pearson dispersion and its chi-square test, the quasi-Poisson rate-ratio test with days
at risk as exposure, and R's exact ``poisson.test`` where the series is not over-dispersed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sa_lib.stats.change import compare_counts, compare_two
from sa_lib.stats.dispersion import series_dispersion

REF = Path(__file__).parent / "fixtures" / "reference"


@pytest.fixture(scope="module")
def series() -> pd.DataFrame:
    return pd.read_csv(REF / "change_series.csv")


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return pd.read_csv(REF / "change_tests.csv")


@pytest.mark.parametrize("name", ["poisson", "overdispersed"])
def test_series_dispersion_matches_r(series, expected, name):
    e = expected[expected["series"] == name].iloc[0]
    d = series_dispersion(series.rename(columns={name: "count"})[["date", "count"]])
    assert d["estimate"] == pytest.approx(e["dispersion_estimate"], rel=1e-6)
    assert d["df"] == e["df"]
    assert d["p_value"] == pytest.approx(e["p_overdispersion"], rel=1e-4, abs=1e-300)
    assert d["dispersion"] == pytest.approx(e["dispersion"], rel=1e-6)


@pytest.mark.parametrize("row", range(6))
def test_change_test_matches_r(expected, row):
    e = expected.iloc[row]
    out = compare_two(
        int(e["count_before"]),
        int(e["count_after"]),
        exposure_before=float(e["days_before"]),
        exposure_after=float(e["days_after"]),
        dispersion=float(e["dispersion"]),
        dispersion_df=float(e["df"]),
    )
    assert out["test"] == e["test"]
    assert out["rate_ratio"] == pytest.approx(e["rate_ratio"], rel=1e-9)
    assert out["p_value"] == pytest.approx(e["p_value"], rel=1e-6)
    if e["test"] == "quasi-Poisson":
        assert out["rr_lower"] == pytest.approx(e["rr_lower"], rel=1e-6)
        assert out["rr_upper"] == pytest.approx(e["rr_upper"], rel=1e-6)


def test_overdispersion_removes_a_false_significance(expected):
    """Exact Poisson calls the last month's rise significant; allowing for phi it is not."""
    e = expected[(expected["series"] == "overdispersed") & (expected["before_from"] == 35)].iloc[0]
    kw = dict(exposure_before=float(e["days_before"]), exposure_after=float(e["days_after"]))
    exact = compare_two(int(e["count_before"]), int(e["count_after"]), **kw)
    quasi = compare_two(
        int(e["count_before"]),
        int(e["count_after"]),
        dispersion=float(e["dispersion"]),
        dispersion_df=float(e["df"]),
        **kw,
    )
    assert bool(exact["significant"]) and not bool(quasi["significant"])
    assert exact["p_value"] == pytest.approx(e["p_poisson_exact"], rel=1e-6)


def test_february_against_january_is_compared_per_day():
    """Issue 19 Why: Feb vs Jan read as a 'significant decrease' (-10%, p = 0.030) on counts.

    Per day (28 v 31 days) the rate ratio is about 0.99 and nothing like significant.
    """
    jan, feb = 1000, 900  # 32.3 a day v 32.1 a day
    on_counts = compare_two(jan, feb)
    per_day = compare_two(jan, feb, exposure_before=31.0, exposure_after=28.0)
    assert bool(on_counts["significant"])
    assert per_day["rate_ratio"] == pytest.approx((900 / 28) / (1000 / 31))
    assert not bool(per_day["significant"]) and per_day["p_value"] > 0.5


def test_zero_count_with_overdispersion_uses_scaled_score():
    df = pd.DataFrame({"count_before": [0, 9], "count_after": [6, 0]})
    out = compare_counts(df, dispersion=4.0, dispersion_df=20.0)
    exact = compare_counts(df)
    assert (out["test"] == "quasi-Poisson").all()
    assert (out["p_value"] > exact["p_value"]).all()
    assert np.isfinite(out["rr_upper"]).any()


def test_dispersion_one_keeps_the_exact_test():
    df = pd.DataFrame({"count_before": [10, 40], "count_after": [30, 45]})
    a = compare_counts(df, dispersion=1.0, dispersion_df=20.0)
    b = compare_counts(df, method="exact")
    assert (a["test"] == "exact Poisson").all()
    np.testing.assert_allclose(a["p_value"], b["p_value"])
