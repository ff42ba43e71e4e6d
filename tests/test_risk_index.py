"""Tests for sa_lib.stats.risk_index: hand-checked standardisation, weights, missing values."""

from __future__ import annotations

import matplotlib.figure
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sa_lib.charts.risk_index import plot_indicator_heatmap, plot_stability
from sa_lib.choices import choices_table, clear_choices
from sa_lib.stats.risk_index import (
    compare_previous,
    composite_index,
    priority_wards,
    rank_stability,
)


@pytest.fixture
def three() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ward_code": ["A", "B", "C"],
            "ward_name": ["Alpha", "Beta", "Gamma"],
            "x": [1.0, 2.0, 3.0],
            "y": [3.0, 1.0, 2.0],
        }
    )


def test_zscore_by_hand(three):
    before = three.copy()
    out = composite_index(three, ["x", "y"], method="zscore", missing="mean")
    pd.testing.assert_frame_equal(three, before)
    # x: mean 2, sd 1 -> -1, 0, 1; y: mean 2, sd 1 -> 1, -1, 0.
    assert out["x_std"].tolist() == [-1.0, 0.0, 1.0]
    assert out["y_std"].tolist() == [1.0, -1.0, 0.0]
    assert out["index"].tolist() == pytest.approx([0.0, -0.5, 0.5])
    assert out["rank"].tolist() == [2, 3, 1]
    assert out["n_missing"].tolist() == [0, 0, 0]


def test_zscore_matches_scipy():
    df = pd.DataFrame({"ward_code": list("ABCD"), "x": [2.0, 4.0, 9.0, 1.0]})
    out = composite_index(df, ["x"], method="zscore")
    np.testing.assert_allclose(out["x_std"], stats.zscore([2.0, 4.0, 9.0, 1.0], ddof=1))


def test_percentile_by_hand_with_ties():
    df = pd.DataFrame({"ward_code": list("ABCD"), "x": [10.0, 20.0, 20.0, 40.0]})
    out = composite_index(df, ["x"], method="percentile")
    # ranks 1, 2.5, 2.5, 4 -> 100 * (r - 1) / 3
    assert out["x_std"].tolist() == [0.0, 50.0, 50.0, 100.0]
    assert out["rank"].tolist() == [4, 2, 2, 1]


def test_weights_normalised_and_recorded(three):
    clear_choices()
    out = composite_index(three, ["x", "y"], weights={"x": 3, "y": 1})
    # 0.75 * z_x + 0.25 * z_y
    assert out["index"].tolist() == pytest.approx([-0.5, -0.25, 0.75])
    assert out["rank"].tolist() == [3, 2, 1]
    assert out.attrs["risk_index"]["weights"] == {"x": 0.75, "y": 0.25}
    rec = choices_table().set_index("choice")
    assert rec.loc["risk index weights", "value"] == "x=0.75, y=0.25"
    assert "normalised" in rec.loc["risk index weights", "reason"]
    same = composite_index(three, ["x", "y"], weights=[0.75, 0.25])
    assert same["index"].tolist() == pytest.approx(out["index"].tolist())


def test_equal_weights_recorded(three):
    clear_choices()
    composite_index(three, ["x", "y"])
    rec = choices_table().set_index("choice")
    assert rec.loc["risk index weights", "value"] == "equal"
    assert rec.loc["risk index direction", "value"] == "higher is worse for every indicator"


def test_higher_is_worse_false_flips(three):
    out = composite_index(three, ["x", "y"], higher_is_worse={"y": False})
    assert out["y_std"].tolist() == [-1.0, 1.0, 0.0]
    pct = composite_index(three, ["x", "y"], method="percentile", higher_is_worse={"y": False})
    assert pct["y_std"].tolist() == [0.0, 100.0, 50.0]


@pytest.fixture
def gappy() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ward_code": ["A", "B", "C", "D"],
            "x": [1.0, 2.0, 3.0, np.nan],
            "y": [4.0, 5.0, 6.0, 9.0],
        }
    )


def test_missing_mean(gappy):
    out = composite_index(gappy, ["x", "y"], missing="mean")
    assert out["x_std"].tolist() == [-1.0, 0.0, 1.0, 0.0]
    zy = stats.zscore([4.0, 5.0, 6.0, 9.0], ddof=1)
    np.testing.assert_allclose(out["y_std"], zy)
    np.testing.assert_allclose(out["index"], (np.array([-1.0, 0.0, 1.0, 0.0]) + zy) / 2)
    assert out["n_missing"].tolist() == [0, 0, 0, 1]


def test_missing_zero():
    df = pd.DataFrame({"ward_code": list("ABC"), "x": [2.0, 4.0, np.nan]})
    out = composite_index(df, ["x"], missing="zero")
    # treated as 2, 4, 0: mean 2, sd 2
    assert out["x_std"].tolist() == [0.0, 1.0, -1.0]
    assert out["n_missing"].tolist() == [0, 0, 1]


def test_missing_drop(gappy):
    with pytest.warns(UserWarning, match="1 area.*left out.*'D'"):
        out = composite_index(gappy, ["x", "y"], missing="drop")
    # Standardised over A-C only: both -1, 0, 1.
    assert out["y_std"].tolist()[:3] == [-1.0, 0.0, 1.0]
    assert np.isnan(out["y_std"].iloc[3]) and np.isnan(out["index"].iloc[3])
    assert out["rank"].tolist()[:3] == [3, 2, 1] and pd.isna(out["rank"].iloc[3])


def test_missing_reweight(gappy):
    out = composite_index(gappy, ["x", "y"], weights={"x": 0.5, "y": 0.5}, missing="reweight")
    zy = stats.zscore([4.0, 5.0, 6.0, 9.0], ddof=1)
    assert np.isnan(out["x_std"].iloc[3])
    # D has only y: its weight is rescaled to 1.
    assert out["index"].iloc[3] == pytest.approx(zy[3])
    assert out["index"].iloc[0] == pytest.approx((-1 + zy[0]) / 2)
    assert out["rank"].iloc[3] == 1


def test_priority_wards(three):
    out = composite_index(three, ["x", "y"])
    top = priority_wards(out, 2)
    assert top["ward_code"].tolist() == ["C", "A"]
    assert top.columns.tolist() == ["ward_code", "ward_name", "index", "rank"]


def test_priority_wards_ties_warn():
    idx = pd.DataFrame({"ward_code": list("ABC"), "index": [1.0, 1.0, 0.0], "rank": [1, 1, 3]})
    with pytest.warns(UserWarning, match="2 areas are listed for top_n=1"):
        top = priority_wards(idx, 1, name_col=None)
    assert top["ward_code"].tolist() == ["A", "B"]


@pytest.fixture
def five() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ward_code": list("ABCDE"),
            "ward_name": ["Top", "Mid1", "Mid2", "Mid3", "Bottom"],
            "x": [100.0, 6.0, 4.0, 5.0, -100.0],
            "y": [100.0, 4.0, 6.0, 5.0, -100.0],
        }
    )


def test_rank_stability_extremes_and_seed(five):
    a = rank_stability(five, ["x", "y"], top_n=2, seed=42, n_sims=300)
    b = rank_stability(five, ["x", "y"], top_n=2, seed=42, n_sims=300)
    pd.testing.assert_frame_equal(a, b)
    s = a.set_index("ward_code")
    assert s.loc["A", "p_top_n"] == 1.0 and s.loc["A", "median_rank"] == 1
    assert s.loc["E", "p_top_n"] == 0.0 and s.loc["E", "rank_5th"] == 5
    # B and C swap places depending on the weights: both sometimes in the top 2.
    assert 0 < s.loc["B", "p_top_n"] < 1 and 0 < s.loc["C", "p_top_n"] < 1
    assert s.loc["B", "p_top_n"] + s.loc["C", "p_top_n"] + s.loc["D", "p_top_n"] == pytest.approx(
        1.0
    )
    assert a.columns.tolist() == [
        "ward_code",
        "ward_name",
        "rank",
        "p_top_n",
        "median_rank",
        "rank_5th",
        "rank_95th",
    ]
    c = rank_stability(five, ["x", "y"], top_n=2, seed=7, n_sims=300)
    assert not np.allclose(c["p_top_n"], a["p_top_n"])


def test_rank_stability_no_perturbation_is_base_rank(five):
    s = rank_stability(five, ["x", "y"], top_n=2, seed=0, n_sims=20, perturbation=0.0)
    assert s["median_rank"].tolist() == s["rank"].astype(float).tolist()


def test_compare_previous_codes():
    cur = pd.DataFrame({"ward_code": ["A", "B"], "rank": [1, 2]})
    prev = pd.DataFrame({"ward_code": ["C", "A"], "rank": [1, 2]})
    out = compare_previous(cur, prev)
    assert out[["ward_code", "status"]].values.tolist() == [
        ["A", "continuing"],
        ["B", "new"],
        ["C", "dropped"],
    ]
    assert out["current_rank"].tolist() == [1, 2, pd.NA]
    assert out["previous_rank"].tolist() == [2, pd.NA, 1]


def test_compare_previous_names_from_csv(tmp_path, five):
    path = tmp_path / "previous.csv"
    path.write_text("ward_name\nmid2\nBottom\n")
    out = compare_previous(["A", "C"], path, wards=five)
    assert out.values.tolist() == [
        ["C", "Mid2", "continuing"],
        ["A", "Top", "new"],
        ["E", "Bottom", "dropped"],
    ]


def test_compare_previous_unknown_wards_listed(tmp_path, five):
    path = tmp_path / "previous.csv"
    path.write_text("ward_name\nTop\nNowhere\nOld Ward\n")
    with pytest.raises(ValueError, match="2 ward.*not wards of this CSP: 'Nowhere', 'Old Ward'"):
        compare_previous(["A"], path, wards=five)


def test_compare_previous_missing_file_and_column(tmp_path, five):
    with pytest.raises(ValueError, match="no such file"):
        compare_previous(["A"], tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="previous needs a 'ward_code' or 'ward_name' column"):
        compare_previous(["A"], pd.DataFrame({"ward": ["A"]}), wards=five)


def test_plots(five):
    out = composite_index(five, ["x", "y"])
    fig = plot_indicator_heatmap(out, priority_wards(out, 1), ["x", "y"])
    assert isinstance(fig, matplotlib.figure.Figure)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Top"]
    fig2 = plot_stability(rank_stability(five, ["x", "y"], top_n=2, seed=1, n_sims=50))
    assert isinstance(fig2, matplotlib.figure.Figure)
    with pytest.raises(ValueError, match="wards not in index_df.*'Z'"):
        plot_indicator_heatmap(out, ["A", "Z"], ["x", "y"])


# ---- one broken fixture per error -------------------------------------------------------


def test_unknown_weight_names_listed(three):
    with pytest.raises(ValueError, match="not in indicators: 'z', 'w'"):
        composite_index(three, ["x", "y"], weights={"x": 1, "y": 1, "z": 1, "w": 2})


def test_weight_missing_for_indicator(three):
    with pytest.raises(ValueError, match="no weight for 'y'"):
        composite_index(three, ["x", "y"], weights={"x": 1})


def test_negative_weight_refused(three):
    with pytest.raises(ValueError, match=r"weights\['y'\] = -1.*not negative"):
        composite_index(three, ["x", "y"], weights={"x": 1, "y": -1})


def test_weights_wrong_length_and_all_zero(three):
    with pytest.raises(ValueError, match="weights has 3 value"):
        composite_index(three, ["x", "y"], weights=[1, 1, 1])
    with pytest.raises(ValueError, match="weights are all 0"):
        composite_index(three, ["x", "y"], weights=[0, 0])


def test_bad_method_and_missing(three):
    with pytest.raises(ValueError, match="method='rank' is not a valid choice"):
        composite_index(three, ["x"], method="rank")
    with pytest.raises(ValueError, match="missing='median' is not a valid choice"):
        composite_index(three, ["x"], missing="median")


def test_unknown_indicator_column(three):
    with pytest.raises(ValueError, match="missing required column.*'z'"):
        composite_index(three, ["x", "z"])


def test_non_numeric_indicator(three):
    bad = three.assign(x=["1", "two", "3"])
    with pytest.raises(ValueError, match=r"df\['x'\] must be numeric.*'two'"):
        composite_index(bad, ["x"])


def test_duplicate_area(three):
    bad = three.assign(ward_code=["A", "B", "A"])
    with pytest.raises(ValueError, match="'A' appears again at row 2"):
        composite_index(bad, ["x"])


def test_bad_higher_is_worse(three):
    with pytest.raises(ValueError, match="higher_is_worse names indicator.*'q'"):
        composite_index(three, ["x"], higher_is_worse={"q": False})


def test_bad_perturbation_and_seed(five):
    with pytest.raises(ValueError, match="perturbation must be a number in"):
        rank_stability(five, ["x"], top_n=1, seed=1, perturbation=1.5)
    with pytest.raises(ValueError, match="seed must be a whole number"):
        rank_stability(five, ["x"], top_n=1, seed=None)
