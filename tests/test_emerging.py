import math
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from shapely.geometry import Point, box

from sa_lib.spatial.emerging import (
    CSP_CATEGORIES,
    EHSA_CATEGORIES,
    SIMPLE_CATEGORIES,
    classify_emerging,
    emerging_hotspots,
    gi_star_by_period,
)
from sa_lib.spatial.grids import make_grid

H, C, N = "H", "C", "."  # hot, cold, not significant in a period


def _series(cells: dict[str, tuple[str, list[float] | None]]) -> pd.DataFrame:
    """Build a long Gi* table from per-cell state strings like 'HH..H' and optional z."""
    rows = []
    for cell, (states, z) in cells.items():
        for t, s in enumerate(states):
            if z is not None:
                zt = z[t]
            else:
                zt = {"H": 3.0, "C": -3.0, ".": 0.2 if t % 2 else -0.2}[s]
            p = 0.001 if s in "HC" else 0.6
            assert (s == "H") <= (zt > 0) and (s == "C") <= (zt < 0)
            rows.append({"cell_id": cell, "period": t, "gi_z": zt, "gi_p_adjusted": p})
    return pd.DataFrame(rows)


# z series for the trend-dependent categories (10 periods)
UP = [2.5 + 0.3 * t for t in range(10)]  # strictly increasing
DOWN = UP[::-1]
FLAT = [3.1, 3.5, 3.2, 3.4, 3.3, 3.3, 3.4, 3.2, 3.5, 3.1]  # S = 0 by symmetry

CASES = {
    "new_hot": ("." * 9 + "H", None),
    "consecutive_hot": ("." * 7 + "HHH", None),
    "intensifying_hot": ("H" * 10, UP),
    "persistent_hot": ("H" * 10, FLAT),
    "diminishing_hot": ("H" * 10, DOWN),
    "sporadic_hot": ("..H..H...H", None),
    "oscillating_hot": ("..C..H...H", None),
    "historical_hot": ("HHHHHHHHH.", None),
    "new_cold": ("." * 9 + "C", None),
    "consecutive_cold": ("." * 8 + "CC", None),
    "intensifying_cold": ("C" * 10, [-z for z in UP]),
    "persistent_cold": ("C" * 10, [-z for z in FLAT]),
    "diminishing_cold": ("C" * 10, [-z for z in DOWN]),
    "sporadic_cold": (".C...C...C", None),
    "oscillating_cold": ("H...C.H..C", None),
    "historical_cold": ("CCCCCCCCC.", None),
    "no_pattern": ("." * 10, None),
    "former_hot_no_ehsa": ("HHHHH.....", None),
}

EXPECTED_EHSA = {
    "new_hot": "New hot spot",
    "consecutive_hot": "Consecutive hot spot",
    "intensifying_hot": "Intensifying hot spot",
    "persistent_hot": "Persistent hot spot",
    "diminishing_hot": "Diminishing hot spot",
    "sporadic_hot": "Sporadic hot spot",
    "oscillating_hot": "Oscillating hot spot",
    "historical_hot": "Historical hot spot",
    "new_cold": "New cold spot",
    "consecutive_cold": "Consecutive cold spot",
    "intensifying_cold": "Intensifying cold spot",
    "persistent_cold": "Persistent cold spot",
    "diminishing_cold": "Diminishing cold spot",
    "sporadic_cold": "Sporadic cold spot",
    "oscillating_cold": "Oscillating cold spot",
    "historical_cold": "Historical cold spot",
    "no_pattern": "No pattern detected",
    "former_hot_no_ehsa": "No pattern detected",  # EHSA has no "former" class
}


@pytest.fixture(scope="module")
def classified():
    return classify_emerging(_series(CASES)).set_index("cell_id")


@pytest.mark.parametrize("cell", list(EXPECTED_EHSA))
def test_each_ehsa_category(classified, cell):
    assert classified.loc[cell, "ehsa_category"] == EXPECTED_EHSA[cell]


def test_every_ehsa_category_is_covered(classified):
    assert set(classified["ehsa_category"]) == set(EHSA_CATEGORIES)


def test_mann_kendall_tau_and_p_by_hand(classified):
    # strictly increasing, n = 10: S = 45, tau = 1, Var S = 10*9*25/18 = 125,
    # Z = (45 - 1) / sqrt(125), p = 2 * (1 - Phi(Z))
    row = classified.loc["intensifying_hot"]
    assert row["trend_tau"] == pytest.approx(1.0)
    assert row["trend_p"] == pytest.approx(2 * stats.norm.sf(44 / math.sqrt(125)), rel=1e-9)
    assert classified.loc["diminishing_hot", "trend_tau"] == pytest.approx(-1.0)
    assert classified.loc["persistent_hot", "trend_tau"] == pytest.approx(0.0)
    # tau-a from the pairwise signs, computed independently
    z = np.array(FLAT)
    s = sum(np.sign(z[j] - z[i]) for i in range(10) for j in range(i + 1, 10))
    assert classified.loc["persistent_hot", "trend_tau"] == pytest.approx(s / 45)


def test_counts_and_final_state(classified):
    row = classified.loc["sporadic_hot"]
    assert (row["n_periods"], row["n_hot"], row["n_cold"]) == (10, 3, 0)
    assert row["final_state"] == "hot"
    assert classified.loc["historical_cold", "final_state"] == "not significant"
    assert classified.loc["new_cold", "final_state"] == "cold"


EXPECTED_SIMPLE = {
    # recent = last 2 of 10 periods; hotspot_prop 0.1, persistent_prop 0.8, recent_prop 0.2
    "persistent_hot": "persistent hot spot",  # 10/10 >= 0.8
    "historical_hot": "persistent hot spot",  # 9/10 >= 0.8
    "consecutive_hot": "intermittent hot spot",  # older 1/8 >= 0.1, recent 2/2
    "new_hot": "emerging hot spot",  # older 0/8, recent 1/2 >= 0.2
    "former_hot_no_ehsa": "former hot spot",  # older 5/8, recent 0/2
    "sporadic_hot": "intermittent hot spot",  # older 2/8, recent 1/2: 3/10 >= 0.1
    "oscillating_hot": "mixed hot/cold spot",  # hot intermittent + cold (1/8 older) former
    "new_cold": "emerging cold spot",
    "no_pattern": "no pattern",
}


@pytest.mark.parametrize("cell", list(EXPECTED_SIMPLE))
def test_simple_category(classified, cell):
    assert classified.loc[cell, "simple_category"] == EXPECTED_SIMPLE[cell]
    assert set(classified["simple_category"]) <= set(SIMPLE_CATEGORIES)


def test_csp_categories():
    rising = [-1.0 + 0.25 * t for t in range(10)]  # ends at 1.25: never significant
    cells = dict(CASES)
    cells["rising_not_hot"] = ("." * 10, rising)
    cells["rising_cold_to_normal"] = ("CCC.......", [-3.0, -2.9, -2.8] + rising[3:])
    out = classify_emerging(_series(cells)).set_index("cell_id")["csp_category"]
    assert out["persistent_hot"] == "Sustaining"
    assert out["intensifying_hot"] == "Sustaining"
    assert out["diminishing_hot"] == "Sustaining"
    assert out["historical_hot"] == "Sustaining"
    assert out["new_hot"] == "Emerging"
    assert out["consecutive_hot"] == "Emerging"
    assert out["sporadic_hot"] == "Emerging"
    assert out["oscillating_hot"] == "Emerging"
    assert out["rising_not_hot"] == "Preventing"
    assert out["rising_cold_to_normal"] == "Preventing"
    assert out["no_pattern"] == "No pattern"
    assert out["persistent_cold"] == "No pattern"
    assert out["former_hot_no_ehsa"] == "No pattern"  # falling, not hot now
    assert set(out) <= set(CSP_CATEGORIES)


def test_alpha_decides_what_is_significant():
    s = _series({"a": ("." * 9 + "H", None)})
    s.loc[s.index[-1], "gi_p_adjusted"] = 0.03
    assert classify_emerging(s, alpha=0.05)["ehsa_category"].iloc[0] == "New hot spot"
    assert classify_emerging(s, alpha=0.01)["ehsa_category"].iloc[0] == "No pattern detected"


def test_classify_errors_and_input_unchanged():
    s = _series({"a": ("." * 9 + "H", None), "b": ("." * 10, None)})
    before = s.copy()
    classify_emerging(s)
    assert s.equals(before)
    with pytest.raises(ValueError, match=r"series is missing required column\(s\): 'gi_z'"):
        classify_emerging(s.drop(columns="gi_z"))
    with pytest.raises(ValueError, match="does not have every period for every cell.*'b'"):
        classify_emerging(s.drop(index=s.index[-1]))
    with pytest.raises(ValueError, match=r"repeated \(cell_id, period\) pair"):
        classify_emerging(pd.concat([s, s.iloc[[0]]]))
    with pytest.raises(ValueError, match="needs at least 3"):
        classify_emerging(s[s["period"] < 2])
    with pytest.warns(UserWarning, match="only 5 periods"):
        classify_emerging(s[s["period"] < 5])


# ---------------------------------------------------------------- end to end with points


def _grid():
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 600, 600)], crs="EPSG:27700")
    return make_grid(area, cell_size=100)  # 6 x 6 cells


def _points():
    """Background noise every month; a cluster in the NE corner in the last 3 months."""
    rng = np.random.default_rng(42)
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    rows = []
    for k, month in enumerate(months):
        for x, y in rng.uniform(0, 600, size=(6, 2)):
            rows.append((month, x, y))
        if k >= 9:
            for x, y in rng.uniform(400, 600, size=(25, 2)):
                rows.append((month, x, y))
    df = pd.DataFrame(rows, columns=["Month", "x", "y"])
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.x, df.y), crs="EPSG:27700")


def test_end_to_end_cluster_appearing_late_is_emerging():
    grid, pts = _grid(), _points()
    g0, p0 = grid.copy(), pts.copy()
    out = emerging_hotspots(pts, grid, "Month", alpha=0.05)
    assert grid.equals(g0) and pts.equals(p0)
    assert len(out) == 36 and out["cell_id"].tolist() == grid["cell_id"].tolist()
    by_period = out.attrs["by_period"]
    assert by_period["period"].nunique() == 12
    # per-period counts add up to the points
    assert by_period["count"].sum() == len(pts)
    ne = out[out.geometry.centroid.x.gt(500) & out.geometry.centroid.y.gt(500)].iloc[0]
    assert ne["csp_category"] == "Emerging"
    assert ne["ehsa_category"] in {"Consecutive hot spot", "New hot spot"}
    assert ne["n_hot"] >= 2
    sw = out[out.geometry.centroid.x.lt(100) & out.geometry.centroid.y.lt(100)].iloc[0]
    assert sw["n_hot"] == 0


def test_end_to_end_reproducible_with_seed():
    grid, pts = _grid(), _points()
    kw = dict(p_value="permutation", permutations=99, correction="none", alpha=0.05, time_step=0)
    a = emerging_hotspots(pts, grid, "Month", seed=11, **kw)
    b = emerging_hotspots(pts, grid, "Month", seed=11, **kw)
    c = emerging_hotspots(pts, grid, "Month", seed=12, **kw)
    cols = ["trend_tau", "trend_p", "ehsa_category", "simple_category", "csp_category"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    pd.testing.assert_frame_equal(a.attrs["by_period"], b.attrs["by_period"])
    assert not np.array_equal(a.attrs["by_period"]["gi_p"], c.attrs["by_period"]["gi_p"])


def test_quarters_and_empty_periods():
    grid, pts = _grid(), _points()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = gi_star_by_period(pts, grid, "Month", freq="quarter")
    assert sorted(out["period"].unique()) == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    # a month with no points is kept (all-zero counts: Gi* undefined -> z 0, p 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = gi_star_by_period(pts, grid, "Month", start="2023-11", end="2024-02", time_step=0)
    msgs = [str(w.message) for w in caught]
    assert any("period 2024-01: every cell has the same count (0)" in m for m in msgs)
    assert any("period 2024-02: every cell has the same count (0)" in m for m in msgs)
    feb = out[out["period"] == "2024-02"]
    assert len(feb) == 36 and (feb["count"] == 0).all() and (feb["gi_z"] == 0).all()


def test_end_to_end_errors():
    grid, pts = _grid(), _points()
    empty = pts.iloc[0:0]
    with pytest.raises(ValueError, match=r"crime type\(s\) 'Bicycle theft'"):
        emerging_hotspots(empty, grid, "Month", crime_types=["Bicycle theft"])
    with pytest.raises(ValueError, match="freq='week' is not a valid choice"):
        emerging_hotspots(pts, grid, "Month", freq="week")
    with pytest.raises(ValueError, match=r"points_gdf is missing required column\(s\): 'month'"):
        emerging_hotspots(pts, grid, "month")
    with pytest.raises(ValueError, match="no points between 2025-01 and 2025-12"):
        emerging_hotspots(pts, grid, "Month", start="2025-01", end="2025-12")
    outside = pd.concat([pts, pts.iloc[[0]].set_geometry([Point(5000, 5000)])])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        emerging_hotspots(outside, grid, "Month")
    assert any("1 of" in str(w.message) and "outside every cell" in str(w.message) for w in caught)


# --------------------------------------------------------------- issue 12: audit fixes


def test_csp_labels_follow_the_hot_spot_categories_only():
    # Defect 6: hot in 9 of 10 periods and a significant cold spot in the last is an
    # oscillating cold spot (the final period wins), so it is not "Sustaining"; a
    # diminishing cold spot (z rising towards 0) is not "Preventing".
    cells = {
        "hot_then_cold": ("HHHHHHHHHC", [3.0] * 9 + [-3.0]),
        "diminishing_cold": ("C" * 10, [-z for z in DOWN]),
    }
    out = classify_emerging(_series(cells)).set_index("cell_id")
    assert out.loc["hot_then_cold", "ehsa_category"] == "Oscillating cold spot"
    assert out.loc["hot_then_cold", "csp_category"] == "No pattern"
    assert out.loc["diminishing_cold", "ehsa_category"] == "Diminishing cold spot"
    assert (
        out.loc["diminishing_cold", "trend_tau"] > 0
        and out.loc["diminishing_cold", "trend_p"] < 0.05
    )
    assert out.loc["diminishing_cold", "csp_category"] == "No pattern"


def test_empty_neighbourhood_gets_no_trend_and_no_pattern():
    # Defect 2: with no crime in its neighbourhood, a cell's z moves only with the rest of
    # the district, so a "significant rising" trend in it means nothing.
    rising = [-1.0 + 0.25 * t for t in range(10)]
    s = _series({"empty": ("." * 10, rising), "busy": ("." * 10, rising)})
    s["neighbourhood_count"] = np.where(s["cell_id"] == "empty", 0, 5)
    out = classify_emerging(s).set_index("cell_id")
    assert out.loc["busy", "csp_category"] == "Preventing"
    row = out.loc["empty"]
    assert np.isnan(row["trend_tau"]) and np.isnan(row["trend_p"])
    assert (row["ehsa_category"], row["simple_category"], row["csp_category"]) == (
        "No pattern detected",
        "no pattern",
        "No pattern",
    )
    assert bool(row["empty_neighbourhood"]) and not bool(out.loc["busy", "empty_neighbourhood"])


def test_end_to_end_cells_far_from_any_crime_are_not_classified():
    # Crime only in the north-east corner, growing: cells whose queen neighbourhood never
    # has a crime are counted and left as "No pattern", with any time step.
    grid = _grid()
    rows = []
    for k in range(12):
        for _ in range(2 + 2 * k):
            rows.append((f"2023-{k + 1:02d}", 550.0, 550.0))
        rows.append((f"2023-{k + 1:02d}", 450.0, 550.0))
    df = pd.DataFrame(rows, columns=["Month", "x", "y"])
    pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.x, df.y), crs="EPSG:27700")
    for step in (0, 1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = emerging_hotspots(pts, grid, "Month", correction="none", time_step=step)
        cx, cy = out.geometry.centroid.x, out.geometry.centroid.y
        far = ~((cx > 300) & (cy > 400))  # not within one cell of the crime
        assert out.loc[far, "empty_neighbourhood"].all()
        assert (out.loc[far, "csp_category"] == "No pattern").all()
        assert out.loc[far, "trend_p"].isna().all()
        assert out.attrs["empty_neighbourhoods"] == int(out["empty_neighbourhood"].sum())
        assert out.attrs["empty_neighbourhoods"] == int(far.sum())


def _brute_space_time_gi(x, nbrs, k):
    """Space-time Gi* by explicit loops over bins (ArcGIS EHSA, entire-cube window)."""
    n_cells, n_t = x.shape
    vals = [x[i, t] for i in range(n_cells) for t in range(n_t)]
    n = len(vals)
    xbar = sum(vals) / n
    s = math.sqrt(sum(v * v for v in vals) / n - xbar**2)
    z = np.zeros_like(x, dtype=float)
    for i in range(n_cells):
        for t in range(n_t):
            hood = [(j, u) for j in nbrs[i] + [i] for u in range(max(0, t - k), t + 1)]
            w = len(hood)
            total = sum(x[j, u] for j, u in hood)
            z[i, t] = (total - xbar * w) / (s * math.sqrt((n * w - w * w) / (n - 1)))
    return z


def test_space_time_gi_matches_a_brute_force_calculation():
    from sa_lib.spatial.emerging import space_time_gi

    rng = np.random.default_rng(3)
    x = rng.poisson(2.0, size=(6, 8)).astype(float)
    nbrs = {0: [1], 1: [0, 2], 2: [1, 3], 3: [2, 4], 4: [3, 5], 5: [4]}  # a line of cells
    adj = np.eye(6)
    for i, js in nbrs.items():
        adj[i, js] = 1
    for k in (0, 1, 3):
        z, p = space_time_gi(x, adj, time_step=k)
        ref = _brute_space_time_gi(x, nbrs, k)
        assert np.allclose(z, ref, rtol=1e-12, atol=1e-12)
        assert np.allclose(p, 2 * stats.norm.sf(np.abs(ref)))


def test_time_step_zero_keeps_the_spatial_only_gi_star():
    from sa_lib.spatial.hotspots import gi_star

    grid, pts = _grid(), _points()
    by = gi_star_by_period(pts, grid, "Month", time_step=0, correction="none")
    one = by[by["period"] == "2023-11"].reset_index(drop=True)
    cells = grid.assign(count=one["count"].to_numpy())
    ref = gi_star(cells, "count", p_value="analytical", correction="none")
    assert np.allclose(one["gi_z"], ref["gi_z"])
    st = gi_star_by_period(pts, grid, "Month", time_step=1, correction="none")
    assert not np.allclose(st["gi_z"], by["gi_z"])  # the space-time neighbourhood differs


FIXTURES = __import__("pathlib").Path(__file__).parent / "fixtures" / "ehsa"


def test_published_ehsa_fixture_lands_in_every_category():
    # Hand-constructed z/p series (tests/fixtures/reference/make_ehsa_fixture.py), one per
    # ArcGIS category plus the audit's cases; expected categories written by construction.
    series = pd.read_csv(FIXTURES / "ehsa_series.csv")
    expected = pd.read_csv(FIXTURES / "ehsa_expected.csv").set_index("case")
    out = classify_emerging(
        series, id_col="case", p_col="gi_p", alpha=0.05, neighbourhood_col=None
    ).set_index("case")
    assert set(expected["ehsa_category"]) >= set(EHSA_CATEGORIES)
    pd.testing.assert_series_equal(
        out["ehsa_category"].sort_index(), expected["ehsa_category"].sort_index()
    )
    pd.testing.assert_series_equal(
        out["csp_category"].sort_index(), expected["csp_category"].sort_index()
    )
