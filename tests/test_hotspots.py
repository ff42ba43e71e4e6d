import math

import geopandas as gpd
import numpy as np
import pytest
from scipy import stats
from shapely.geometry import box

from sa_lib.choices import choices_table, clear_choices
from sa_lib.spatial.grids import make_grid
from sa_lib.spatial.hotspots import compare_areas_change, gi_bins, gi_star, spatial_weights

CRS = "EPSG:27700"


def _lattice(values, size=100.0):
    """Square cells on a k x k lattice; values[r][c], row 0 at the south."""
    v = np.asarray(values, dtype=float)
    k = v.shape[0]
    geoms = [
        box(c * size, r * size, (c + 1) * size, (r + 1) * size) for r in range(k) for c in range(k)
    ]
    return gpd.GeoDataFrame({"count": v.ravel()}, geometry=geoms, crs=CRS)


# 5 x 5 grid with one high cluster in the north-east corner
VALUES = [
    [0, 1, 0, 0, 1],
    [1, 0, 0, 1, 0],
    [0, 0, 1, 2, 3],
    [0, 1, 2, 9, 8],
    [1, 0, 3, 8, 10],
]


def _gi_star_numpy(values):
    """Ord & Getis (1995) Gi* z with binary queen weights including self (independent)."""
    v = np.asarray(values, dtype=float)
    k = v.shape[0]
    x = v.ravel()
    n = x.size
    xbar = x.mean()
    s = math.sqrt((x**2).mean() - xbar**2)
    z = np.empty(n)
    for r in range(k):
        for c in range(k):
            nb = [
                v[rr, cc]
                for rr in range(max(0, r - 1), min(k, r + 2))
                for cc in range(max(0, c - 1), min(k, c + 2))
            ]
            wi = len(nb)  # sum of weights = sum of squared weights (binary)
            num = sum(nb) - xbar * wi
            den = s * math.sqrt((n * wi - wi**2) / (n - 1))
            z[r * k + c] = num / den
    return z


def test_gi_z_matches_independent_formula_queen_and_distance():
    expected = _gi_star_numpy(VALUES)
    g = _lattice(VALUES)
    out_q = gi_star(g, "count", weights="queen", p_value="analytical", correction="none")
    np.testing.assert_allclose(out_q["gi_z"], expected, rtol=1e-10)
    # a distance band of 1.5 cells is the same neighbourhood (diagonal = 1.41 cells)
    out_d = gi_star(g, "count", weights="distance", threshold=150, p_value="analytical")
    np.testing.assert_allclose(out_d["gi_z"], expected, rtol=1e-10)
    # the four hottest cells are the north-east 2 x 2 block
    assert set(np.argsort(-out_q["gi_z"].to_numpy())[:4]) == {18, 19, 23, 24}


def test_gi_z_hand_arithmetic_for_one_cell():
    # 3 x 3 grid, all zero except 9 in the middle: for the corner cell (0,0),
    # sum_j w x = 9, W = 4, n = 9, xbar = 1, S = sqrt(81/9 - 1) = sqrt(8)
    # z = (9 - 4) / (sqrt(8) * sqrt((36 - 16) / 8)) = 5 / sqrt(20)
    vals = [[0, 0, 0], [0, 9, 0], [0, 0, 0]]
    # the middle cell's neighbourhood is the whole grid: variance 0, no test
    with pytest.warns(UserWarning, match=r"undefined for 1 cell.*position 4"):
        out = gi_star(_lattice(vals), p_value="analytical", correction="fdr_bh")
    assert math.isclose(out["gi_z"].iloc[0], 5 / math.sqrt(20), rel_tol=1e-12)
    assert np.isnan(out["gi_z"].iloc[4]) and np.isnan(out["gi_p_adjusted"].iloc[4])
    assert out["gi_bin"].iloc[4] == 0
    # BH over the 8 testable cells only: 4 corners share p_c, 4 edges p_e > p_c, so
    # every adjusted p is min(p_c * 8 / 4, p_e * 8 / 8) = p_e (it would be p_e * 9 / 8 if
    # the untestable cell were counted)
    p_c, p_e = out["gi_p"].iloc[0], out["gi_p"].iloc[1]
    assert p_c < p_e < 2 * p_c
    np.testing.assert_allclose(out["gi_p_adjusted"].drop(4), p_e, rtol=1e-12)


def test_analytical_p_two_sided_and_fdr_by_hand():
    out = gi_star(_lattice(VALUES), p_value="analytical", correction="fdr_bh")
    np.testing.assert_allclose(out["gi_p"], 2 * stats.norm.sf(np.abs(out["gi_z"])), rtol=1e-12)
    # Benjamini-Hochberg by hand: p_(i) * n / i, then a running minimum from the top
    p = out["gi_p"].to_numpy()
    n = len(p)
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    adj_sorted = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1)
    adj = np.empty(n)
    adj[order] = adj_sorted
    np.testing.assert_allclose(out["gi_p_adjusted"], adj, rtol=1e-12)


def test_bins_and_labels():
    assert gi_bins([3.0, -2.1, 1.7, 0.3, -1.0], [0.004, 0.03, 0.08, 0.7, 0.01]).tolist() == [
        3,
        -2,
        1,
        0,
        -3,
    ]
    assert gi_bins([1.7, 2.5], [0.08, 0.01], alpha=0.05).tolist() == [0, 3]
    out = gi_star(_lattice(VALUES), p_value="analytical", correction="none", alpha=0.10)
    z, p = out["gi_z"].to_numpy(), out["gi_p_adjusted"].to_numpy()
    # bins follow the z thresholds 1.645 / 1.96 / 2.576 for two-sided p
    az = np.abs(z)
    level = (az >= 1.6449).astype(int) + (az >= 1.9600) + (az >= 2.5758)
    np.testing.assert_array_equal(out["gi_bin"], np.sign(z) * level)
    assert set(out["gi_label"]) <= {
        "Hot spot 99%",
        "Hot spot 95%",
        "Hot spot 90%",
        "Not significant",
        "Cold spot 90%",
        "Cold spot 95%",
        "Cold spot 99%",
    }
    assert (out.loc[out["gi_bin"] == 3, "gi_label"] == "Hot spot 99%").all()
    assert (p[out["gi_bin"] == 3] <= 0.01).all()


def test_permutation_reproducible_with_seed():
    g = _lattice(VALUES)
    a = gi_star(g, p_value="permutation", permutations=99, seed=7, correction="none")
    b = gi_star(g, p_value="permutation", permutations=99, seed=7, correction="none")
    c = gi_star(g, p_value="permutation", permutations=99, seed=8, correction="none")
    np.testing.assert_array_equal(a["gi_p"], b["gi_p"])
    assert not np.array_equal(a["gi_p"], c["gi_p"])
    # p-values live on the permutation lattice: 2 * (k + 1) / 100, capped at 1
    k = a["gi_p"].to_numpy() * 100 / 2 - 1
    np.testing.assert_allclose(k[a["gi_p"] < 1], np.round(k[a["gi_p"] < 1]), atol=1e-6)
    # the cluster centre beats every permutation
    assert a["gi_p"].iloc[18] == pytest.approx(2 / 100)


def test_permutation_p_counts_ties_on_both_sides():
    # 6 x 6 grid: 10s in the south-west 2 x 2 block, zeros elsewhere. The far corner
    # (row 5, col 5) and its 3 neighbours are all 0 (the minimum possible), so it is not
    # "extremely low" unless zeros are rare. Exactly: P(3 random others all 0) with 4
    # tens among the 35 others = C(31, 3) / C(35, 3); two-sided p = 2 * that (capped at 1).
    vals = np.zeros((6, 6))
    vals[:2, :2] = 10
    out = gi_star(
        _lattice(vals), p_value="permutation", permutations=199, seed=3, correction="none"
    )
    p_low = math.comb(31, 3) / math.comb(35, 3)
    assert p_low > 0.5
    assert out["gi_p"].iloc[35] == pytest.approx(1.0)
    assert out["gi_bin"].iloc[35] == 0
    # an interior zero cell with 8 zero neighbours: P(all 8 zero) = C(31,8)/C(35,8) ~ 0.33
    p8 = math.comb(31, 8) / math.comb(35, 8)
    assert out["gi_p"].iloc[4 * 6 + 4] == pytest.approx(2 * p8, abs=0.1)
    assert (out["gi_bin"] < 0).sum() == 0
    assert (out.loc[[0, 1, 6, 7], "gi_bin"] > 0).all()


def test_default_is_analytical_and_recorded_and_permutation_floor_warns():
    clear_choices()
    g = _lattice(VALUES)
    out = gi_star(g)
    np.testing.assert_allclose(out["gi_p"], 2 * stats.norm.sf(np.abs(out["gi_z"])))
    row = choices_table().query("choice == 'Gi* significance'")
    assert row["source"].iloc[0] == "library" and "analytical" in row["value"].iloc[0]
    # 25 cells, 19 permutations: p floor 0.1, and 0.1 * 25 > alpha -> warning with a number
    with pytest.warns(UserWarning, match=r"smallest possible p-value is 0\.1000.*about 500 perm"):
        gi_star(g, p_value="permutation", permutations=19, seed=1)


def test_input_not_modified_and_columns():
    g = _lattice(VALUES)
    before = g.copy()
    out = gi_star(g, p_value="permutation", permutations=99, seed=1, correction="none")
    assert g.equals(before)
    assert [c for c in out.columns if c.startswith("gi_")] == [
        "gi_z",
        "gi_p",
        "gi_p_adjusted",
        "gi_bin",
        "gi_label",
    ]


def test_weights_on_made_grid():
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 500, 500)], crs=CRS)
    w = spatial_weights(make_grid(area, cell_size=100))
    assert w.cardinalities[0] == 3  # corner
    assert w.cardinalities[12] == 8  # centre
    assert w.cardinalities[2] == 5  # edge


def test_errors():
    g = _lattice(VALUES)
    with pytest.raises(ValueError, match=r"gdf is missing required column\(s\): 'n'"):
        gi_star(g, "n")
    flat = g.assign(count=2.0)
    with pytest.raises(ValueError, match="same value .2. in every row"):
        gi_star(flat)
    with pytest.raises(ValueError, match="geographic CRS"):
        gi_star(g.to_crs(4326))
    with pytest.raises(ValueError, match="p_value='exact' is not a valid choice"):
        gi_star(g, p_value="exact")
    with pytest.raises(ValueError, match="correction='BH' is not a valid choice"):
        gi_star(g, correction="BH")
    with pytest.raises(ValueError, match="alpha must be a number strictly between 0 and 1"):
        gi_star(g, alpha=5)
    missing = g.astype({"count": float})
    missing.loc[3, "count"] = np.nan
    with pytest.raises(ValueError, match=r"missing value\(s\); the first is at row 3"):
        gi_star(missing)


def test_island_warns():
    geoms = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), box(10, 10, 11, 11)]
    g = gpd.GeoDataFrame({"count": [1, 5, 2, 0]}, geometry=geoms, crs=CRS)
    with pytest.warns(UserWarning, match=r"1 of 4 .*no neighbours \(the first is row 3\)"):
        gi_star(g, p_value="analytical")


def test_compare_areas_change_uses_exact_poisson_and_fdr():
    df = gpd.GeoDataFrame(
        {"ward": ["a", "b", "c", "d"], "before": [10, 40, 5, 0], "after": [12, 80, 5, 6]},
        geometry=[box(i, 0, i + 1, 1) for i in range(4)],
        crs=CRS,
    )
    before = df.copy()
    out = compare_areas_change(
        df, "before", "after", alpha=0.05, correction="fdr_bh", method="exact"
    )
    assert isinstance(out, gpd.GeoDataFrame) and out.crs == df.crs
    assert df.equals(before)
    # independent: exact conditional test = two-sided binomial test of after | total, p = 1/2
    p = np.array(
        [
            stats.binomtest(a, a + b, 0.5).pvalue
            for a, b in zip(df["after"], df["before"], strict=True)
        ]
    )
    np.testing.assert_allclose(out["p_value"], p, rtol=1e-9)
    order = np.argsort(p)
    ranked = p[order] * 4 / np.arange(1, 5)
    adj = np.empty(4)
    adj[order] = np.minimum.accumulate(ranked[::-1])[::-1].clip(max=1)
    np.testing.assert_allclose(out["p_adjusted"], adj, rtol=1e-9)
    expected = np.where(
        adj < 0.05,
        np.where(df["after"] > df["before"], "Significant increase", "Significant decrease"),
        "No significant change",
    )
    assert out["change_class"].tolist() == expected.tolist()
    assert out.loc[1, "change_class"] == "Significant increase"
    with pytest.raises(ValueError, match="correction='holm' is not a valid choice"):
        compare_areas_change(df, "before", "after", correction="holm")
