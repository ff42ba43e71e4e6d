import numpy as np
import pandas as pd
import pytest

from sa_lib.charts.corroboration import plot_indexed
from sa_lib.stats.corroboration import divergence_test


def _months(rec, par):
    return pd.DataFrame(
        {
            "month_start": pd.date_range("2024-01-01", periods=len(rec), freq="MS"),
            "recorded": rec,
            "partner": par,
        }
    )


def test_parallel_series_do_not_diverge():
    rng = np.random.default_rng(1)
    base = 100 * 1.01 ** np.arange(24)
    m = _months(rng.poisson(base), rng.poisson(base / 2))
    r = divergence_test(m, "month_start", "recorded", "partner")
    assert not r["diverging"] and r["direction"] == "no significant divergence"
    assert r["or_lower"] < 1 < r["or_upper"]


def test_recorded_rising_alone_diverges_and_slope_matches_hand_value():
    # Recorded doubles over two years, partner flat: odds recorded:partner double in 2 years.
    rec = np.round(200 * 2 ** (np.arange(24) / 24)).astype(int)
    m = _months(rec, [200] * 24)
    r = divergence_test(m, "month_start", "recorded", "partner")
    assert r["diverging"] and r["direction"].startswith("recorded crime growing faster")
    # odds = rec/200 = 2**(t_months/24) -> per year factor sqrt(2) (time measured in days/365.25).
    assert r["odds_ratio_per_year"] == pytest.approx(np.sqrt(2), rel=0.02)


def test_errors():
    with pytest.raises(ValueError, match="at least 6"):
        divergence_test(_months([1, 2], [1, 2]), "month_start", "recorded", "partner")
    with pytest.raises(ValueError, match="must not be negative"):
        divergence_test(_months([-1] * 8, [1] * 8), "month_start", "recorded", "partner")
    with pytest.raises(ValueError, match="missing required column.*ambulance"):
        divergence_test(_months([1] * 8, [1] * 8), "month_start", "recorded", "ambulance")


def test_plot_indexed_starts_at_100():
    m = _months([10, 10, 10, 20], [5, 5, 5, 5])
    fig = plot_indexed(m, "month_start", {"Recorded": "recorded", "Ambulance": "partner"})
    y = fig.axes[0].lines[0].get_ydata()
    assert y[0] == pytest.approx(100) and y[-1] == pytest.approx(200)


def test_divergence_uses_t_with_the_residual_df():
    # Issue 12: the dispersion is estimated, so inference is t(df_resid) (R summary.glm for
    # quasibinomial). Reference: hand-written IRLS + scipy t in
    # tests/fixtures/reference/make_glm_reference.py.
    import json
    from pathlib import Path

    ref = json.loads(
        (Path(__file__).parent / "fixtures" / "reference" / "glm_reference.json").read_text()
    )["divergence"]
    m = pd.DataFrame(
        {
            "month_start": pd.to_datetime(ref["month_start"]),
            "recorded": ref["recorded"],
            "partner": ref["partner"],
        }
    )
    r = divergence_test(m, "month_start", "recorded", "partner")
    assert r["df_resid"] == ref["df_resid"]
    assert r["dispersion"] == pytest.approx(ref["dispersion"], rel=1e-6)
    assert r["odds_ratio_per_year"] == pytest.approx(ref["odds_ratio_per_year"], rel=1e-8)
    assert r["or_lower"] == pytest.approx(ref["or_lower"], rel=1e-6)
    assert r["or_upper"] == pytest.approx(ref["or_upper"], rel=1e-6)
    assert r["p_value"] == pytest.approx(ref["p_value"], rel=1e-5)
