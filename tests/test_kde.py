import math

import geopandas as gpd
import numpy as np
import pytest
from scipy import stats
from shapely.geometry import Point, box

from sa_lib.choices import choices_table, clear_choices
from sa_lib.spatial.grids import make_grid
from sa_lib.spatial.kde import kde_grid, silverman_bandwidth

CRS = "EPSG:27700"


def _grid(size=2000, cell=20):
    return make_grid(gpd.GeoDataFrame(geometry=[box(0, 0, size, size)], crs=CRS), cell_size=cell)


def _pts(xy, **cols):
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_single_point_integrates_to_one(kernel):
    grid = _grid()
    out = kde_grid(_pts([[1000, 1000]]), grid, bandwidth=150, kernel=kernel)
    assert math.isclose((out["kde"] * out["area_km2"]).sum(), 1.0, abs_tol=0.01)
    assert (out["kde_bandwidth_m"] == 150).all()


def test_weighted_points_integrate_to_total_weight():
    out = kde_grid(_pts([[700, 700], [1300, 1200]], w=[2.0, 3.0]), _grid(), 150, weight="w")
    assert math.isclose((out["kde"] * out["area_km2"]).sum(), 5.0, rel_tol=0.01)


def test_quartic_value_by_hand():
    # centroid of the one cell is (0, 0); points at distance h/2 and 2h (outside)
    cell = gpd.GeoDataFrame({"cell_id": [0]}, geometry=[box(-1, -1, 1, 1)], crs=CRS)
    h = 400.0
    out = kde_grid(_pts([[200, 0], [0, 800]]), cell, bandwidth=h)
    expected = 3 / math.pi * (1 - 0.5**2) ** 2 / h**2 * 1e6  # per km2
    assert math.isclose(out["kde"].iloc[0], expected, rel_tol=1e-12)


def test_gaussian_matches_scipy_bivariate_normal():
    cell = gpd.GeoDataFrame({"cell_id": [0]}, geometry=[box(99, 49, 101, 51)], crs=CRS)
    xy = np.array([[0.0, 0.0], [300.0, 100.0], [150.0, -200.0]])
    h = 250.0
    out = kde_grid(_pts(xy), cell, bandwidth=h, kernel="gaussian")
    expected = sum(stats.multivariate_normal(mean=p, cov=h**2).pdf([100, 50]) for p in xy) * 1e6
    assert math.isclose(out["kde"].iloc[0], expected, rel_tol=1e-9)


def test_symmetric_points_give_symmetric_density():
    grid = _grid(1000, 50)  # 20 x 20 cells, ordered west->east, south->north
    out = kde_grid(_pts([[300, 500], [700, 500]]), grid, bandwidth=200)
    dens = out["kde"].to_numpy().reshape(20, 20)  # [row (y), col (x)]
    assert dens.max() > 0
    np.testing.assert_allclose(dens, dens[:, ::-1], rtol=1e-9, atol=1e-12)  # mirror in x=500
    np.testing.assert_allclose(dens, dens[::-1, :], rtol=1e-9, atol=1e-12)  # mirror in y=500


def test_silverman_bandwidth_by_hand_and_recorded():
    # four corners of a 200 m square: SD = Dm = 100*sqrt(2); sqrt(1/ln2)*Dm > SD
    xy = np.array([[400, 400], [600, 400], [600, 600], [400, 600]], dtype=float)
    expected = 0.9 * 100 * math.sqrt(2) * 4**-0.2
    assert math.isclose(silverman_bandwidth(xy), expected, rel_tol=1e-12)
    clear_choices()
    out = kde_grid(_pts(xy), _grid(1000, 50))
    assert math.isclose(out["kde_bandwidth_m"].iloc[0], round(expected, 1))
    row = choices_table().query("choice == 'KDE bandwidth (m)'")
    assert row["source"].iloc[0] == "library" and "Silverman" in row["reason"].iloc[0]


def test_silverman_uses_median_distance_when_outlier_inflates_sd():
    # 9 points at the origin-ish ring of radius 10, one far outlier at 10 km
    ang = np.linspace(0, 2 * np.pi, 9, endpoint=False)
    xy = np.vstack([np.column_stack([10 * np.cos(ang), 10 * np.sin(ang)]), [[10000, 0]]])
    centre = xy.mean(axis=0)
    d = np.hypot(*(xy - centre).T)
    sd = math.sqrt((d**2).mean())
    dm = float(np.median(d))
    # np.median averages the two middle values; the rule uses the lower weighted median
    dm_lower = float(np.sort(d)[4])
    expected = 0.9 * min(sd, math.sqrt(1 / math.log(2)) * dm_lower) * 10**-0.2
    assert math.sqrt(1 / math.log(2)) * dm < sd  # the robust term is the one used
    assert math.isclose(silverman_bandwidth(xy), expected, rel_tol=1e-12)


def test_input_not_modified_and_errors():
    grid, pts = _grid(1000, 100), _pts([[500, 500]])
    g0, p0 = grid.copy(), pts.copy()
    kde_grid(pts, grid, bandwidth=300)
    assert grid.equals(g0) and pts.equals(p0)
    with pytest.raises(ValueError, match="kernel='epanechnikov' is not a valid choice"):
        kde_grid(pts, grid, bandwidth=300, kernel="epanechnikov")
    with pytest.raises(ValueError, match="bandwidth must be a positive number"):
        kde_grid(pts, grid, bandwidth=-1)
    with pytest.raises(ValueError, match="(?s)all at the same place.*bandwidth="):
        kde_grid(pts, grid)
    empty = gpd.GeoDataFrame(geometry=[], crs=CRS)
    with pytest.raises(ValueError, match=r"crime type\(s\) 'Burglary', 'Robbery'"):
        kde_grid(empty, grid, bandwidth=300, crime_types=["Burglary", "Robbery"])


def test_small_bandwidth_warns_and_mixed_crs_reprojects():
    grid = _grid(1000, 100)
    with pytest.warns(UserWarning, match="smaller than the typical cell width"):
        kde_grid(_pts([[500, 500]]), grid, bandwidth=50)
    x0, y0 = 524000, 271000
    grid2 = make_grid(
        gpd.GeoDataFrame(geometry=[box(x0, y0, x0 + 1000, y0 + 1000)], crs=CRS), cell_size=100
    )
    wgs = gpd.GeoDataFrame(geometry=[Point(x0 + 500, y0 + 500)], crs=CRS).to_crs(4326)
    with pytest.warns(UserWarning, match="points_gdf is in EPSG:4326"):
        out = kde_grid(wgs, grid2, bandwidth=300)
    ref = kde_grid(_pts([[x0 + 500, y0 + 500]]), grid2, bandwidth=300)
    np.testing.assert_allclose(out["kde"], ref["kde"], rtol=1e-3, atol=1e-6)
