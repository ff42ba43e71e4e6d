"""Tests for sa_lib.stats.trend against hand arithmetic and independent scipy calculations."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import optimize, stats

from sa_lib.charts.trend import plot_target
from sa_lib.choices import choices_table, clear_choices
from sa_lib.stats.trend import (
    baseline_change,
    mann_kendall,
    poisson_trend,
    target_tracking,
)

matplotlib.use("Agg")


def _monthly(counts, start="2020-01-01"):
    return pd.DataFrame(
        {"date": pd.date_range(start, periods=len(counts), freq="MS"), "count": counts}
    )


# ------------------------------------------------------------------ Mann-Kendall


@pytest.mark.filterwarnings("ignore:series has only")
def test_mann_kendall_hand_example_no_ties():
    # x = 1, 3, 2, 4: pairs (1,3)+ (1,2)+ (1,4)+ (3,2)- (3,4)+ (2,4)+  ->  S = 5 - 1 = 4.
    # Var S = n(n-1)(2n+5)/18 = 4*3*13/18 = 8.667;  Z = (4 - 1)/sqrt(8.667) = 1.019.
    # Pairwise slopes 2, 0.5, 1, -1, 0.5, 2 -> median (0.5 + 1)/2 = 0.75.
    r = mann_kendall([1, 3, 2, 4])
    assert r.s == 4
    assert r.var_s == pytest.approx(156 / 18)
    assert r.z == pytest.approx(3 / np.sqrt(156 / 18))
    assert r.p_value == pytest.approx(2 * (1 - stats.norm.cdf(3 / np.sqrt(156 / 18))))
    assert r.sens_slope == pytest.approx(0.75)
    assert r.tau == pytest.approx(4 / 6)
    assert r.trend == "no trend" and not r.significant


@pytest.mark.filterwarnings("ignore:series has only")
def test_mann_kendall_tie_correction():
    # x = 1, 2, 2, 3: S = 5 (the tied pair scores 0). One tie group of size 2:
    # Var S = (4*3*13 - 2*1*9)/18 = 138/18.
    r = mann_kendall([1, 2, 2, 3])
    assert r.s == 5
    assert r.var_s == pytest.approx(138 / 18)


def test_mann_kendall_matches_kendalltau_and_theilslopes_without_ties():
    rng = np.random.default_rng(1)
    x = np.arange(30) * 0.3 + rng.normal(0, 2, 30)
    assert len(np.unique(x)) == 30
    r = mann_kendall(x)
    t = np.arange(30)
    assert r.tau == pytest.approx(stats.kendalltau(t, x).statistic, rel=1e-12)
    assert r.sens_slope == pytest.approx(stats.theilslopes(x, t).slope, rel=1e-12)
    var = 30 * 29 * 65 / 18
    assert r.p_value == pytest.approx(2 * stats.norm.sf((abs(r.s) - 1) / np.sqrt(var)))
    assert r.trend == "increasing"


def test_mann_kendall_decreasing_and_flat():
    assert mann_kendall(list(range(20, 0, -1))).trend == "decreasing"
    flat = mann_kendall([5] * 12)
    assert flat.s == 0 and flat.z == 0 and flat.p_value == pytest.approx(1.0)


def test_mann_kendall_errors():
    with pytest.raises(ValueError, match="missing value.*position 1"):
        mann_kendall([1, np.nan, 3, 4])
    with pytest.raises(ValueError, match="needs at least 3"):
        mann_kendall([1, 2])
    with pytest.raises(ValueError, match="series must be numeric"):
        mann_kendall(["a", "b", "c"])
    with pytest.raises(ValueError, match="alpha must be"):
        mann_kendall([1, 2, 3], alpha=0)


# ------------------------------------------------------------------ Poisson trend


def _poisson_mle_slope(y, t):
    """Independent Poisson MLE of log E[y] = a + b t by direct optimisation."""

    def nll(p):
        eta = p[0] + p[1] * t
        return np.sum(np.exp(eta) - y * eta)

    start = np.array([np.log(y.mean()), 0.0])
    return optimize.minimize(nll, start, method="BFGS", options={"gtol": 1e-10}).x[1]


def test_poisson_trend_slope_matches_independent_mle():
    y = np.array([40, 35, 44, 38, 41, 47, 39, 45, 50, 42, 48, 52, 46, 51, 55, 49, 53, 58,
                  50, 56, 60, 54, 59, 63], dtype=float)  # fmt: skip
    r = poisson_trend(_monthly(y), seasonal=False)
    b = _poisson_mle_slope(y, np.arange(24) / 12)
    assert r.pct_change_per_year == pytest.approx(100 * (np.exp(b) - 1), rel=1e-5)
    assert r.direction == "increasing"
    assert r.pct_lower < r.pct_change_per_year < r.pct_upper
    assert not r.seasonal
    assert r.n_months == 24


def test_poisson_trend_recovers_known_growth_with_seasonality():
    t = np.arange(48)
    season = np.array([1.0, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.2, 1.0, 0.9, 0.8, 0.8])
    y = np.round(10_000 * 1.1 ** (t / 12) * season[t % 12])
    r = poisson_trend(_monthly(y), seasonal=True)
    assert r.seasonal
    assert r.pct_change_per_year == pytest.approx(10.0, abs=0.05)
    # The month-of-year term reproduces the seasonal peak (July = 1.3 x trend).
    assert r.fitted["fitted"].iloc[6] == pytest.approx(y[6], rel=1e-3)
    flat = poisson_trend(_monthly(y), seasonal=False)
    assert abs(flat.fitted["fitted"].iloc[6] - y[6]) / y[6] > 0.1


def test_poisson_trend_flat_series_no_clear_trend():
    y = np.array([20, 24, 19, 23, 21, 22, 18, 25, 20, 23, 22, 21] * 3, dtype=float)
    r = poisson_trend(_monthly(y), seasonal=False)
    assert r.direction == "no clear trend"
    assert not r.significant
    assert r.pct_lower < 0 < r.pct_upper


def test_poisson_trend_short_series_drops_seasonality_and_records_choice():
    clear_choices()
    r = poisson_trend(_monthly([10, 12, 11, 14, 13, 15, 14, 16, 18, 17, 19, 20]), seasonal=True)
    assert not r.seasonal
    table = choices_table()
    row = table[table["choice"] == "Poisson trend seasonality"]
    assert len(row) == 1 and "12 months" in row["reason"].item()


def test_poisson_trend_overdispersion_widens_interval():
    y = np.array([10, 40, 12, 45, 15, 50, 11, 44, 18, 52, 14, 48] * 2, dtype=float)
    quasi = poisson_trend(_monthly(y), seasonal=False, overdispersion=True)
    plain = poisson_trend(_monthly(y), seasonal=False, overdispersion=False)
    assert quasi.dispersion > 1 and plain.dispersion == 1.0
    assert quasi.pct_change_per_year == pytest.approx(plain.pct_change_per_year)
    assert quasi.pct_upper - quasi.pct_lower > plain.pct_upper - plain.pct_lower
    # Quasi-Poisson standard error = Poisson standard error * sqrt(Pearson X2 / df).
    x2 = plain.model.pearson_chi2 / plain.model.df_resid
    assert quasi.model.bse[1] == pytest.approx(plain.model.bse[1] * np.sqrt(x2))


def test_quasi_poisson_model_is_exactly_the_refit_with_the_dispersion():
    """The model is fitted once and its covariance scaled unless a refit would stop earlier.

    Either way the results must be those of ``GLM.fit(scale=dispersion)`` to the bit: the
    published intervals and p-values, and the seasonal F test, read them. Series with a
    month of zeros (a diverging month-of-year term) make the refit stop a step earlier.
    """
    import statsmodels.api as sm

    from sa_lib.stats import trend

    rng = np.random.default_rng(24)
    reused = refitted = 0
    for i in range(40):
        n = [12, 24, 36][i % 3]
        mu = rng.uniform(2, 400) * rng.gamma(2 + i % 5, 1 / (2 + i % 5), n)
        y = rng.poisson(mu).astype(float)
        if i % 4 == 0:
            y[::12] = 0  # every January empty
        r = poisson_trend(_monthly(y))
        m = trend._monthly(_monthly(y), "date", "count")
        ordinals = m["month"].array.asi8
        X = trend._design(ordinals, int(ordinals[0]), r.seasonal, r._months_of_year)
        model = sm.GLM(y, X, family=sm.families.Poisson())
        first = model.fit()
        if first.df_resid <= 0:
            continue
        refit = model.fit(scale=r.dispersion)
        assert np.array_equal(r.model.params, refit.params), i
        assert np.array_equal(r.model.bse, refit.bse), i
        assert r.model.deviance == refit.deviance and r.model.pearson_chi2 == refit.pearson_chi2
        assert np.array_equal(r.fitted["fitted"].to_numpy(), refit.fittedvalues), i
        if trend._stops_where(model, first, r.dispersion):
            reused += 1
        else:
            refitted += 1
    assert reused > 10 and refitted > 0, (reused, refitted)


def test_poisson_trend_input_unchanged_and_unsorted_ok():
    df = _monthly([10, 12, 11, 14, 13, 15, 14, 16, 18, 17, 19, 20]).iloc[::-1]
    copy = df.copy()
    r = poisson_trend(df, seasonal=False)
    pd.testing.assert_frame_equal(df, copy)
    assert r.fitted["date"].is_monotonic_increasing
    assert r.direction == "increasing"


def test_poisson_trend_errors():
    with pytest.raises(ValueError, match="missing required column.*'count'"):
        poisson_trend(pd.DataFrame({"date": ["2020-01-01"]}))
    df = _monthly([1, 2, 3])
    df.loc[2, "date"] = df.loc[1, "date"]
    with pytest.raises(ValueError, match="more than one row for month 2020-02"):
        poisson_trend(df)
    with pytest.raises(ValueError, match="must not be negative"):
        poisson_trend(_monthly([1, -2, 3]))
    with pytest.raises(ValueError, match="needs at least 3"):
        poisson_trend(_monthly([1, 2]))


# ------------------------------------------------------------------ baseline change


def test_baseline_change_sums_years_and_tests():
    df = _monthly([10] * 12 + [12] * 12 + [15] * 12)  # 2020, 2021, 2022
    out = baseline_change(df, 2020, 2022, method="exact")
    row = out.iloc[0]
    assert (row["count_before"], row["count_after"]) == (120, 180)
    assert row["p_value"] == pytest.approx(stats.binomtest(180, 300, 0.5).pvalue)
    assert row["change_label"] == "significant increase"


def test_baseline_change_part_year_uses_months_as_exposure():
    df = _monthly([10] * 12 + [10] * 6)  # 2020 full, 2021 Jan-Jun
    with pytest.warns(UserWarning, match="only 6 month"):
        row = baseline_change(df, 2020, 2021, method="exact").iloc[0]
    assert row["rate_ratio"] == pytest.approx(1.0)
    assert row["p_value"] == pytest.approx(stats.binomtest(60, 180, 6 / 18).pvalue)


def test_baseline_change_financial_year_and_groups():
    # April 2020 - March 2021 is financial year 2020; April 2021 - March 2022 is 2021.
    a = _monthly([5] * 12 + [20] * 12, start="2020-04-01").assign(crime="burglary")
    b = _monthly([7] * 24, start="2020-04-01").assign(crime="robbery")
    out = baseline_change(
        pd.concat([a, b]), 2020, 2021, by="crime", year_start_month=4, method="exact"
    )
    assert out["crime"].tolist() == ["burglary", "robbery"]
    assert out["count_before"].tolist() == [60, 84]
    assert out["count_after"].tolist() == [240, 84]
    assert out["change_label"].tolist() == ["significant increase", "no change"]


def test_baseline_change_default_year_recorded_and_error():
    clear_choices()
    out = baseline_change(_monthly([10] * 24), 2020, method="exact")
    assert out["compare_year"].item() == 2021
    assert "comparison year" in choices_table()["choice"].tolist()
    with pytest.raises(ValueError, match="no months in the baseline year 2015"):
        baseline_change(_monthly([10] * 24), 2015, 2021)
    with pytest.raises(ValueError, match="year_start_month must be 1-12"):
        baseline_change(_monthly([10] * 24), 2020, 2021, year_start_month=13)


# ------------------------------------------------------------------ targets


def _declining():
    # Exactly 10% a year down (to rounding): the 2023 total is 0.9**3 = 0.729 of 2020's.
    t = np.arange(36)
    return _monthly(np.round(10_000 * 0.9 ** (t / 12)))


def test_target_tracking_on_and_off_track_by_hand():
    df = _declining()
    baseline = df["count"].iloc[:12].sum()
    on = target_tracking(df, 2020, 25, 2023, seasonal=False)
    assert on.baseline_value == baseline
    assert on.target_value == pytest.approx(0.75 * baseline)
    assert on.projected_value == pytest.approx(0.729 * baseline, rel=1e-3)
    assert on.status == "on track"
    assert on.projected_lower < on.projected_value < on.projected_upper
    off = target_tracking(df, 2020, 30, 2023, seasonal=False)
    assert off.status == "off track"  # 27.1% projected < 30% needed
    assert off.projected_pct_change == pytest.approx(-27.1, abs=0.1)
    assert on.months_observed_in_target_year == 0


def test_target_projection_series_for_chart():
    r = target_tracking(_declining(), 2020, 25, 2023, seasonal=False)
    p = r.projection
    assert list(p.columns) == [
        "date", "observed", "fitted", "fitted_lower", "fitted_upper", "is_projection"
    ]  # fmt: skip
    assert len(p) == 48  # Jan 2020 to Dec 2023
    assert p["is_projection"].sum() == 12
    assert p.loc[p["is_projection"], "observed"].isna().all()
    assert p.loc[p["is_projection"], "fitted"].sum() == pytest.approx(r.projected_value)


def test_target_year_already_observed_uses_actual():
    df = _monthly([100] * 12 + [80] * 12)
    r = target_tracking(df, 2020, 10, 2021, seasonal=False)
    assert r.projected_value == 960
    assert r.projected_lower == r.projected_upper == 960
    assert r.status == "on track"  # 960 <= 1080
    assert r.months_observed_in_target_year == 12


def test_target_increase_target():
    # A target to raise reporting by 10%: on track when the projection is at least that.
    df = _monthly([100] * 12 + [80] * 12)
    assert target_tracking(df, 2020, -10, 2021, seasonal=False).status == "off track"


def test_target_errors():
    df = _declining()
    with pytest.raises(ValueError, match="target_pct_reduction must be a number below 100"):
        target_tracking(df, 2020, 120, 2023)
    with pytest.raises(ValueError, match="is before baseline_year"):
        target_tracking(df, 2020, 10, 2019)
    with pytest.raises(ValueError, match="no months in baseline_year 2010"):
        target_tracking(df, 2010, 10, 2023)


def test_plot_target_returns_figure():
    r = target_tracking(_declining(), 2020, 25, 2023, seasonal=False)
    fig = plot_target(r, title="Burglary target")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_title() == "Burglary target"
    labels = ax.get_legend_handles_labels()[1]
    assert {"Recorded", "Trend", "Projection", "Baseline", "Target"} <= set(labels)
    plt.close(fig)
    with pytest.raises(ValueError, match="TargetResult"):
        plot_target(_declining())


# ------------------------------------------------- issue 12: t-based quasi-Poisson inference

_REF = __import__("json").loads(
    (
        __import__("pathlib").Path(__file__).parent
        / "fixtures"
        / "reference"
        / "glm_reference.json"
    ).read_text()
)


def _drugs():
    d = _REF["drugs_trend"]
    months = pd.date_range(d["start"], periods=len(d["counts"]), freq="MS")
    return pd.DataFrame({"date": months, "count": d["counts"]}), d


def test_quasi_poisson_trend_uses_t_with_the_residual_df():
    # The sample's Drugs series: 24 months, trend + 11 month terms -> 11 residual df.
    # Reference: hand-written IRLS + scipy t (tests/fixtures/reference/make_glm_reference.py).
    df, ref = _drugs()
    r = poisson_trend(df)
    assert r.reference == "t(11)" and r.df_resid == ref["df_resid"] == 11
    assert r.dispersion == pytest.approx(ref["dispersion"], rel=1e-7)
    assert r.pct_change_per_year == pytest.approx(ref["pct_change_per_year"], rel=1e-7)
    assert r.pct_lower == pytest.approx(ref["pct_lower"], abs=1e-4)
    assert r.pct_upper == pytest.approx(ref["pct_upper"], abs=1e-4)
    assert r.p_value == pytest.approx(ref["p_value"], rel=1e-5)
    # The audit's numbers: p = 0.066, CI -2.7% to +109%, so no significant trend.
    assert round(r.p_value, 3) == 0.066 and round(r.pct_lower, 1) == -2.7
    assert not r.significant and r.direction == "no clear trend"


def test_seasonal_term_is_tested_with_f():
    df, ref = _drugs()
    r = poisson_trend(df)
    assert r.seasonality_p_value == pytest.approx(ref["seasonality_p_value"], rel=1e-6)
    assert np.isnan(poisson_trend(df, seasonal=False).seasonality_p_value)


def test_prediction_bands_use_t():
    # target_tracking's monthly bands for the months after the data.
    df, ref = _drugs()
    res = target_tracking(df, 2024, 10, 2026)
    fut = res.projection[res.projection["is_projection"]].head(6)
    assert fut["fitted"].to_numpy() == pytest.approx(ref["future_fitted"], rel=1e-7)
    assert fut["fitted_lower"].to_numpy() == pytest.approx(ref["future_lower"], rel=1e-5)
    assert fut["fitted_upper"].to_numpy() == pytest.approx(ref["future_upper"], rel=1e-5)


def test_plain_poisson_keeps_the_normal_reference():
    df, _ = _drugs()
    r = poisson_trend(df, overdispersion=False)
    assert r.reference == "normal" and r.dispersion == 1.0
    b, se = r.model.params[1], r.model.bse[1]
    assert r.p_value == pytest.approx(2 * stats.norm.sf(abs(b / se)))
