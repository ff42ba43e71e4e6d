import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sa_lib.charts.concentration import plot_lorenz
from sa_lib.choices import choices_table, clear_choices
from sa_lib.stats import concentration as c


def frame(counts):
    return pd.DataFrame({"place": [f"p{i}" for i in range(len(counts))], "count": counts})


def mad_gini(x):
    """Independent Gini: mean absolute difference / (2 * mean)."""
    x = np.asarray(x, dtype=float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())


# ---- Lorenz ---------------------------------------------------------------


def test_lorenz_hand_example_and_origin():
    out = c.lorenz(frame([1, 3, 0, 4]))
    # ranked 4, 3, 1, 0 of 8 crimes
    assert out["cum_share_places"].tolist() == [0, 0.25, 0.5, 0.75, 1.0]
    assert out["cum_share_crime"].tolist() == pytest.approx([0, 0.5, 0.875, 1.0, 1.0])
    assert out["place"].tolist() == [None, 3, 1, 0, 2]
    assert out["count"].tolist() == [0, 4, 3, 1, 0]
    # 8 crimes >= 4 places: the line of maximal equality is the diagonal
    assert out["max_equality"].tolist() == pytest.approx(out["cum_share_places"].tolist())


def test_lorenz_max_equality_when_sparse():
    out = c.lorenz(frame([2, 0, 0, 0]))  # 2 crimes, 4 places
    assert out["max_equality"].tolist() == pytest.approx([0, 0.5, 1, 1, 1])


def test_lorenz_does_not_change_input():
    df = frame([1, 3, 0])
    before = df.copy()
    c.lorenz(df)
    c.concentration_summary(df)
    pd.testing.assert_frame_equal(df, before)


# ---- Gini -----------------------------------------------------------------


def test_all_crime_in_one_place():
    df = frame([10] + [0] * 9)
    assert c.gini(df) == pytest.approx(0.9)  # 1 - 1/n
    assert c.gini(df, unbiased=True) == pytest.approx(1.0)
    # 10 crimes, 10 places: not sparse, generalised = standard
    assert c.gini_generalised(df) == pytest.approx(0.9)


def test_all_crime_in_one_place_sparse():
    df = frame([4] + [0] * 19)  # N = 4 crimes, n = 20 places
    assert c.gini(df) == pytest.approx(1 - 1 / 20)
    assert c.gini_generalised(df) == pytest.approx(1 - 1 / 4)
    assert c.gini_generalised(df, unbiased=True) == pytest.approx(1.0)


def test_perfect_equality_is_zero():
    assert c.gini(frame([7, 7, 7, 7])) == pytest.approx(0.0)
    assert c.gini_generalised(frame([7, 7, 7, 7])) == pytest.approx(0.0)


def test_generalised_is_zero_when_each_crime_at_a_different_place():
    # 3 crimes at 3 of 12 places is as even as 3 crimes can be.
    df = frame([1, 1, 1] + [0] * 9)
    assert c.gini(df) == pytest.approx(1 - 3 / 12)  # the standard Gini calls it concentrated
    assert c.gini_generalised(df) == pytest.approx(0.0)


@pytest.mark.parametrize(
    "counts, g, g_gen",
    [
        # Examples documented in Bernasco & Steenbeek's lorenzgini R package (gini.R)
        ([10, 8, 2] + [0] * 7, 0.78, 0.78),
        ([5, 2, 1] + [0] * 7, 0.80, 0.75),
        ([10] + [0] * 99, 0.99, 0.90),  # package gives G; G' = 1 - 1/N by hand
    ],
)
def test_published_package_examples(counts, g, g_gen):
    df = frame(counts)
    assert c.gini(df) == pytest.approx(g)
    assert c.gini_generalised(df) == pytest.approx(g_gen)


def test_gini_matches_mean_absolute_difference_and_formula():
    rng = np.random.default_rng(1)
    x = rng.poisson(0.6, size=200)
    df = frame(x)
    assert c.gini(df) == pytest.approx(mad_gini(x))
    n, total = len(x), x.sum()
    assert total < n
    expected = 1 - (n / total) * (1 - mad_gini(x))
    assert c.gini_generalised(df) == pytest.approx(expected)


def test_gini_does_not_depend_on_order():
    assert c.gini(frame([0, 5, 1, 2])) == pytest.approx(c.gini(frame([5, 2, 1, 0])))


# ---- top share ------------------------------------------------------------


def test_top_share_hand_cases():
    df = frame([1, 6, 1, 2])  # ranked 6, 2, 1, 1 of 10
    assert c.top_share(df, pct=25) == pytest.approx(0.6)  # 1 place
    assert c.top_share(df, pct=50) == pytest.approx(0.8)  # 2 places
    # 60% of 4 places = 2.4 places: 6 + 2 + 0.4 * 1
    assert c.top_share(df, pct=60) == pytest.approx(0.84)
    assert c.top_share(df, pct=60, method="floor") == pytest.approx(0.8)
    assert c.top_share(df, pct=60, method="ceil") == pytest.approx(0.9)
    assert c.top_share(df, pct=100) == pytest.approx(1.0)


def test_top_share_ties_do_not_matter():
    a = c.top_share(frame([5, 3, 3, 3, 1]), pct=40)
    b = c.top_share(frame([3, 1, 3, 5, 3]), pct=40)
    assert a == b == pytest.approx(8 / 15)


def test_places_for_share():
    df = frame([1, 6, 1, 2])
    assert c.places_for_share(df, share=0.5) == 1
    assert c.places_for_share(df, share=0.6) == 1  # exactly 60% reached
    assert c.places_for_share(df, share=0.61) == 2


def test_summary_says_which_gini_applies():
    clear_choices()
    s = c.concentration_summary(frame([3, 1, 1] + [0] * 7))
    row = s.iloc[0]
    assert row["n_places"] == 10 and row["n_crimes"] == 5
    assert row["places_with_crime"] == 3
    assert bool(row["sparse"]) and row["recommended"] == "gini_generalised"
    # G: Lorenz area 0.11 -> 0.78; G' = 1 - 2 * 0.22
    assert row["gini"] == pytest.approx(0.78)
    assert row["gini_generalised"] == pytest.approx(0.56)
    assert row["share_top_10pct"] == pytest.approx(0.6)
    assert row["share_top_5pct"] == pytest.approx(0.3)  # half of the top place
    assert row["places_for_50pct"] == 1
    assert row["pct_places_for_50pct"] == pytest.approx(10.0)
    assert "generalised" in row["note"]
    assert "Concentration: Gini used" in choices_table()["choice"].tolist()

    dense = c.concentration_summary(frame([5, 5, 2]))
    assert dense.loc[0, "recommended"] == "gini"
    assert dense.loc[0, "gini"] == dense.loc[0, "gini_generalised"]


def test_plot_lorenz_returns_figure():
    fig = plot_lorenz(frame([3, 1, 1] + [0] * 7))
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "Maximal equality given the data" in labels


# ---- errors (one broken fixture per message) -------------------------------


def test_error_missing_column():
    with pytest.raises(ValueError, match=r"missing required column\(s\): 'n'"):
        c.gini(frame([1, 2]), "n")


def test_error_empty():
    with pytest.raises(ValueError, match=r"empty \(0 rows\)"):
        c.lorenz(frame([]))


def test_error_missing_count():
    with pytest.raises(ValueError, match=r"missing value\(s\); the first is at row 1"):
        c.gini(frame([1, np.nan, 2]))


def test_error_negative_count():
    with pytest.raises(ValueError, match=r"must not be negative; found -1"):
        c.gini(frame([1, -1]))


def test_error_non_numeric_count():
    with pytest.raises(ValueError, match=r"must be numeric.*First bad value 'x'"):
        c.gini(frame(["1", "x"]))


def test_error_all_zero():
    with pytest.raises(ValueError, match="sums to 0"):
        c.gini(frame([0, 0, 0]))


def test_error_bad_pct():
    with pytest.raises(ValueError, match="pct must be a percentage"):
        c.top_share(frame([1, 2]), pct=0)


def test_error_bad_method():
    with pytest.raises(ValueError, match="method='round' is not a valid choice"):
        c.top_share(frame([1, 2]), pct=10, method="round")


def test_error_unbiased_needs_two_places():
    with pytest.raises(ValueError, match="unbiased=True needs at least 2 places"):
        c.gini(frame([3]), unbiased=True)


def test_error_unbiased_generalised_needs_two_crimes():
    with pytest.raises(ValueError, match=r"m / \(m - 1\)"):
        c.gini_generalised(frame([1, 0, 0]), unbiased=True)


def test_warns_on_non_whole_counts_for_generalised():
    with pytest.warns(UserWarning, match="non-whole values"):
        c.gini_generalised(frame([0.5, 0.2, 0.0]))
