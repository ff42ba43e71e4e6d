import math

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy import stats

from sa_lib.charts import comparison as cmp_charts
from sa_lib.choices import choices_table, clear_choices
from sa_lib.stats import comparison as cmp


def pois_cdf(r, lam):
    """Poisson CDF by direct summation (independent of scipy)."""
    if r < 0:
        return 0.0
    return sum(math.exp(k * math.log(lam) - lam - math.lgamma(k + 1)) for k in range(int(r) + 1))


def spiegelhalter_limit(p, lam):
    """Spiegelhalter (2005) interpolated Poisson quantile, by brute force."""
    r = 0
    while pois_cdf(r, lam) < p:
        r += 1
    f_r, f_prev = pois_cdf(r, lam), pois_cdf(r - 1, lam)
    return max(0.0, r - (f_r - p) / (f_r - f_prev))  # a rate limit cannot go below 0


@pytest.fixture
def areas():
    return pd.DataFrame(
        {
            "area": ["Huntingdonshire", "Cambridge", "Fenland", "Force"],
            "count": [300, 210, 95, 2000],
            "population": [10_000, 10_000, 5_000, 100_000],
        }
    )


# ---- funnel limits -----------------------------------------------------------


def test_funnel_limits_raw_quantiles_match_scipy():
    pops = np.array([500, 2_000, 10_000, 180_000])
    lim = cmp.funnel_limits(12.5, pops, per=1000, interpolate=False)
    lam = pops * 12.5 / 1000
    assert lim["expected"].tolist() == pytest.approx(lam)
    for level, name in ((0.95, "95"), (0.998, "99_8")):
        a = (1 - level) / 2
        assert lim[f"lower_{name}"].to_numpy() == pytest.approx(
            stats.poisson.ppf(a, lam) / pops * 1000
        )
        assert lim[f"upper_{name}"].to_numpy() == pytest.approx(
            stats.poisson.ppf(1 - a, lam) / pops * 1000
        )


def test_funnel_limits_interpolated_match_brute_force():
    pops = [300, 1_000, 4_000]
    lim = cmp.funnel_limits(8.0, pops, per=1000)
    for i, pop in enumerate(pops):
        lam = pop * 8.0 / 1000
        for level, name in ((0.95, "95"), (0.998, "99_8")):
            a = (1 - level) / 2
            lo = spiegelhalter_limit(a, lam) / pop * 1000
            hi = spiegelhalter_limit(1 - a, lam) / pop * 1000
            assert lim.loc[i, f"lower_{name}"] == pytest.approx(lo, rel=1e-9)
            assert lim.loc[i, f"upper_{name}"] == pytest.approx(hi, rel=1e-9)
            # interpolated limit lies between the neighbouring whole counts
            r_hi = stats.poisson.ppf(1 - a, lam)
            assert r_hi - 1 <= lim.loc[i, f"upper_{name}"] * pop / 1000 <= r_hi


def test_funnel_limits_approach_normal_for_large_counts():
    lim = cmp.funnel_limits(20.0, [1_000_000], per=1000, levels=(0.95,))
    lam = 20_000
    assert lim.loc[0, "upper_95"] * 1000 == pytest.approx(lam + 1.96 * math.sqrt(lam), rel=1e-3)
    assert lim.loc[0, "lower_95"] * 1000 == pytest.approx(lam - 1.96 * math.sqrt(lam), rel=1e-3)


# ---- compare_areas -------------------------------------------------------------


def test_compare_areas_clearly_above_against_named_reference(areas):
    before = areas.copy()
    out = cmp.compare_areas(areas, reference="Force", per=1000)
    pd.testing.assert_frame_equal(areas, before)
    # Force: 2000 / 100000 * 1000 = 20 per 1,000
    assert out["reference_rate"].tolist() == [20.0] * 4
    assert out["rate"].tolist() == pytest.approx([30.0, 21.0, 19.0, 20.0])
    assert out["expected"].tolist() == pytest.approx([200, 200, 100, 2000])
    # Byar lower limit for 300, by hand: 300 * (1 - 1/2700 - 1.96/(3*sqrt(300)))^3 / 10
    z = stats.norm.ppf(0.975)
    lower = 300 * (1 - 1 / 2700 - z / (3 * math.sqrt(300))) ** 3 / 10
    assert out.loc[0, "rate_lower"] == pytest.approx(lower)
    assert lower > 20  # so it is clearly above
    assert out["comparison"].tolist() == ["above", "similar", "similar", "reference"]
    assert math.isnan(out.loc[3, "p_value"])
    # exact p for 300 vs 200 expected: 2 * P(X >= 300), summing the upper tail directly
    p = 2 * sum(math.exp(k * math.log(200) - 200 - math.lgamma(k + 1)) for k in range(300, 700))
    assert out.loc[0, "p_value"] == pytest.approx(p, rel=1e-6, abs=1e-300)


def test_compare_areas_below_and_number_reference():
    df = pd.DataFrame({"area": ["A"], "count": [40], "population": [10_000]})
    out = cmp.compare_areas(df, reference=8.0, per=1000)  # 4 per 1,000 vs 8
    assert out.loc[0, "comparison"] == "below"


def test_ci_decision_agrees_with_exact_test_for_small_counts():
    # counts below 10 use the exact interval, which excludes the reference exactly when
    # the doubled one-sided exact p-value is below 0.05
    df = pd.DataFrame(
        {"area": [f"a{k}" for k in range(10)], "count": range(10), "population": [1_000] * 10}
    )
    out = cmp.compare_areas(df, reference=3.0, per=1000)
    sig = out["comparison"] != "similar"
    assert (sig == (out["p_value"] < 0.05)).all()
    assert out.loc[9, "comparison"] == "above" and out.loc[0, "comparison"] == "similar"


def test_pooled_reference_is_recorded(areas):
    clear_choices()
    peers = areas.iloc[:3]
    out = cmp.compare_areas(peers)
    assert out.loc[0, "reference_rate"] == pytest.approx(605 / 25_000 * 1000)
    assert "Comparison reference" in choices_table()["choice"].tolist()


# ---- plots --------------------------------------------------------------------------


def test_plot_funnel_highlights_area(areas):
    fig = cmp_charts.plot_funnel(areas, reference="Force", highlight="Huntingdonshire")
    assert isinstance(fig, Figure)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "Huntingdonshire" in texts
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "95.0% limits" in labels and "99.8% limits" in labels


def test_plot_rates_with_ci(areas):
    out = cmp.compare_areas(areas, reference="Force")
    fig = cmp_charts.plot_rates_with_ci(out, highlight="Huntingdonshire", per=1000)
    assert isinstance(fig, Figure)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[-1] == "Huntingdonshire"  # highest rate at the top


# ---- errors (one broken fixture per message) -------------------------------------------


def test_error_missing_column(areas):
    with pytest.raises(ValueError, match=r"missing required column\(s\): 'pop'"):
        cmp.compare_areas(areas, population_col="pop")


def test_error_zero_population(areas):
    bad = areas.assign(population=[10_000, 0, 5_000, 100_000])
    with pytest.raises(ValueError, match=r"is 0 at row 1 \('Cambridge'\)"):
        cmp.compare_areas(bad)


def test_error_unknown_reference(areas):
    with pytest.raises(ValueError, match="reference='England' must name exactly one row"):
        cmp.compare_areas(areas, reference="England")


def test_error_bad_reference_rate(areas):
    with pytest.raises(ValueError, match="reference rate must be a positive number"):
        cmp.compare_areas(areas, reference=-1.0)


def test_error_column_clash(areas):
    with pytest.raises(ValueError, match="already has column\\(s\\) 'rate'"):
        cmp.compare_areas(areas.assign(rate=1.0))


def test_error_bad_conf_level(areas):
    with pytest.raises(ValueError, match="conf_level must be a number strictly between 0 and 1"):
        cmp.compare_areas(areas, conf_level=95)


def test_error_funnel_bad_population():
    with pytest.raises(ValueError, match="populations must be a non-empty list of positive"):
        cmp.funnel_limits(10.0, [1000, 0])


def test_error_funnel_bad_level():
    with pytest.raises(ValueError, match="levels must be a number strictly between 0 and 1"):
        cmp.funnel_limits(10.0, [1000], levels=(95,))


def test_error_funnel_bad_rate():
    with pytest.raises(ValueError, match="reference_rate must be a positive number"):
        cmp.funnel_limits(0, [1000])


def test_error_highlight_not_found(areas):
    with pytest.raises(ValueError, match="highlight='Nowhere' is not in"):
        cmp_charts.plot_funnel(areas, reference="Force", highlight="Nowhere")


def test_error_interval_wrong_way_round():
    df = pd.DataFrame({"area": ["A"], "rate": [5.0], "rate_lower": [6.0], "rate_upper": [4.0]})
    with pytest.raises(ValueError, match="does not contain the rate"):
        cmp_charts.plot_rates_with_ci(df)


def _force_counts():
    return pd.DataFrame(
        {
            "lad_code": ["A", "A", "B", "B", "(no location)", "(outside force area)"],
            "lad_name": [
                "Ayton",
                "Ayton",
                "Beeby",
                "Beeby",
                "(no location)",
                "(outside force area)",
            ],
            "month": ["2025-01", "2025-02", "2025-01", "2025-01", "2025-01", "2025-01"],
            "crime_type": [
                "Robbery",
                "Robbery",
                "Robbery",
                "Anti-social behaviour",
                "Robbery",
                "Robbery",
            ],
            "count": [4, 3, 6, 50, 5, 2],
            "population": [1000, 1000, 3000, 3000, None, None],
        }
    )


def test_wider_area_counts_sums_lads_and_leaves_out_unplaced_rows_and_asb():
    from sa_lib.stats.comparison import wider_area_counts

    out = wider_area_counts(_force_counts(), ["2025-01", "2025-02"], wider_area_name="Force")
    got = out.set_index("area")[["count", "population"]].to_dict("index")
    # Ayton 4 + 3; Beeby 6 (ASB left out); no-location and outside rows belong to neither.
    assert got == {
        "Ayton": {"count": 7, "population": 1000},
        "Beeby": {"count": 6, "population": 3000},
        "Force": {"count": 13, "population": 4000},
    }
    only_a = wider_area_counts(_force_counts(), ["2025-01"], areas=["A"])
    assert only_a["area"].tolist() == ["Ayton", "Force area"]
    assert only_a["count"].tolist() == [4, 10]


def test_wider_area_counts_error_names_the_range():
    from sa_lib.stats.comparison import wider_area_counts

    with pytest.raises(ValueError, match="covers 2025-01 to 2025-02"):
        wider_area_counts(_force_counts(), ["2030-01"])


def test_load_force_counts_missing_column(tmp_path):
    from sa_lib.stats.comparison import load_force_counts

    p = tmp_path / "fc.csv"
    _force_counts().drop(columns="population").to_csv(p, index=False)
    with pytest.raises(ValueError, match="missing required column.*'population'"):
        load_force_counts(p)
    with pytest.raises(ValueError, match="does not exist"):
        load_force_counts(tmp_path / "nope.csv")


# ------------------------------------------ issue 12: overdispersion-adjusted funnel limits

_FUNNEL = __import__("json").loads(
    (
        __import__("pathlib").Path(__file__).parent
        / "fixtures"
        / "reference"
        / "funnel_reference.json"
    ).read_text()
)


def _funnel_areas():
    return pd.DataFrame(_FUNNEL["areas"])


def test_overdispersion_matches_the_independent_calculation():
    # tests/fixtures/reference/make_funnel_reference.py: plain-Python Spiegelhalter (2005).
    from sa_lib.stats.comparison import funnel_overdispersion

    d = funnel_overdispersion(_funnel_areas(), reference=_FUNNEL["reference_rate"])
    assert d.n_areas == 20
    assert np.allclose(d.z, _FUNNEL["z"], rtol=1e-12)
    assert d.phi == pytest.approx(_FUNNEL["phi"], rel=1e-12)
    assert d.tau2 == pytest.approx(_FUNNEL["tau2"], rel=1e-12)
    assert d.phi > 1 and d.p_value < 0.05  # these counts are over-dispersed


@pytest.mark.parametrize("method", ["multiplicative", "additive"])
def test_adjusted_funnel_limits_match_the_independent_calculation(method):
    from sa_lib.stats.comparison import funnel_limits, funnel_overdispersion

    d = funnel_overdispersion(_funnel_areas(), reference=_FUNNEL["reference_rate"], method=method)
    ref = pd.DataFrame(_FUNNEL["limits"])
    lim = funnel_limits(
        _FUNNEL["reference_rate"], ref["population"], levels=(0.95, 0.998), dispersion=d
    )
    for name in ("95", "99_8"):
        for side in ("lower", "upper"):
            assert np.allclose(lim[f"{side}_{name}"], ref[f"{method}_{side}_{name}"], rtol=1e-12)
    # Adjusted limits are wider than the Poisson ones.
    plain = funnel_limits(_FUNNEL["reference_rate"], ref["population"], levels=(0.95, 0.998))
    assert (lim["upper_99_8"] > plain["upper_99_8"]).all()
    assert (lim["lower_99_8"] < plain["lower_99_8"]).all()


def test_no_extra_variation_gives_poisson_width_and_says_so():
    from sa_lib.stats.comparison import funnel_overdispersion

    # Counts exactly at the expected value: phi = 0, tau2 = 0.
    df = pd.DataFrame({"area": list("ABCDEFGHIJ"), "count": [600] * 10, "population": [1e4] * 10})
    d = funnel_overdispersion(df, reference=60.0, method="additive")
    assert d.phi == pytest.approx(0.0) and d.tau2 == 0.0
    assert "equal Poisson limits" in d.describe()
    with pytest.raises(ValueError, match="method='sideways' is not a valid choice"):
        funnel_overdispersion(df, reference=60.0, method="sideways")


def test_funnel_labels_every_point_and_keeps_its_legend_outside():
    import matplotlib.pyplot as plt
    import pandas as pd

    from sa_lib.charts.comparison import plot_funnel

    df = pd.DataFrame(
        {
            "area": ["A", "B", "C", "Whole"],
            "count": [120, 300, 90, 510],
            "population": [40_000, 180_835, 30_000, 250_835],
        }
    )
    fig = plot_funnel(df, reference="Whole", highlight="B", xlabel="Residents")
    ax = fig.axes[0]
    labels = {t.get_text() for t in ax.texts}
    assert {"A", "B", "C"} <= labels
    assert ax.get_xlabel() == "Residents"
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1 - 1  # right of the plotting area
    assert "180,000" in [t.get_text() for t in ax.get_xticklabels()] or any(
        "," in t.get_text() for t in ax.get_xticklabels()
    )
    plt.close(fig)
