import math
import warnings

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon, box

from sa_lib.choices import choices_table, clear_choices
from sa_lib.spatial.grids import auto_cell_size, count_points, make_grid, points_outside


def _area(w=1000, h=500, crs="EPSG:27700"):
    return gpd.GeoDataFrame({"name": ["csp"]}, geometry=[box(0, 0, w, h)], crs=crs)


def test_square_grid_counts_and_area_by_hand():
    g = make_grid(_area(1000, 500), cell_size=100)
    assert len(g) == 10 * 5
    assert list(g.columns) == ["cell_id", "area_km2", "geometry"]
    assert g.crs.to_epsg() == 27700
    assert g["cell_id"].tolist() == list(range(50))
    assert np.allclose(g["area_km2"], 0.01)
    # ordered west to east, then south to north
    first, second, eleventh = g.geometry.iloc[0], g.geometry.iloc[1], g.geometry.iloc[10]
    assert first.bounds == (0, 0, 100, 100)
    assert second.bounds == (100, 0, 200, 100)
    assert eleventh.bounds == (0, 100, 100, 200)


def test_grid_is_clipped_to_boundary_and_unclipped_keeps_whole_cells():
    # A right triangle: half of the 1000 m square.
    tri = gpd.GeoDataFrame(geometry=[Polygon([(0, 0), (1000, 0), (0, 1000)])], crs="EPSG:27700")
    clipped = make_grid(tri, cell_size=100)
    assert math.isclose(clipped["area_km2"].sum(), 0.5, rel_tol=1e-9)
    # 45 whole cells below the diagonal + 10 half cells on it
    assert len(clipped) == 55
    whole = make_grid(tri, cell_size=100, clip=False)
    assert len(whole) == 55
    assert math.isclose(whole["area_km2"].sum(), 0.55, rel_tol=1e-9)


def test_hex_grid_covers_area_and_cell_area():
    g = make_grid(_area(2000, 2000), cell_size=200, shape="hex")
    assert math.isclose(g["area_km2"].sum(), 4.0, rel_tol=1e-9)
    # a hexagon of flat-to-flat width s has area sqrt(3)/2 s^2
    assert math.isclose(g["area_km2"].max(), math.sqrt(3) / 2 * 200**2 / 1e6, rel_tol=1e-6)
    assert g.geometry.is_valid.all()


def test_auto_cell_size_is_sfhotspot_rule_and_recorded():
    clear_choices()
    # shorter side 37,543 m / 50 = 750.9 -> rounded down to 700
    area = _area(40000, 37543)
    assert auto_cell_size(area) == 700
    g = make_grid(area)
    table = choices_table()
    row = table[table["choice"] == "grid cell size (m)"]
    assert row["value"].iloc[0] == "700"
    assert "50" in row["reason"].iloc[0]
    assert math.isclose(g.geometry.iloc[0].area, 700**2)
    # small areas round to 10 m: 1200 / 50 = 24 -> 20
    assert auto_cell_size(_area(3000, 1200)) == 20


def test_geographic_boundary_is_reprojected_with_warning():
    wgs = _area().to_crs("EPSG:4326")
    with pytest.warns(UserWarning, match="EPSG:4326.*reprojecting it to EPSG:27700"):
        g = make_grid(wgs, cell_size=100)
    assert g.crs.to_epsg() == 27700
    assert math.isclose(g["area_km2"].sum(), 0.5, rel_tol=1e-3)


def test_cell_size_larger_than_area_errors_with_suggestion():
    with pytest.raises(
        ValueError, match=r"(?s)cell_size=5000 m is larger than the area.*e\.g\. 10 "
    ):
        make_grid(_area(1000, 500), cell_size=5000)


def test_too_many_cells_errors_with_suggested_size():
    with pytest.raises(ValueError, match=r"about [\d,]+ cells.*limit is 200,000") as e:
        make_grid(_area(50000, 50000), cell_size=50)
    # suggestion must actually fit: 50 km x 50 km / 200,000 -> at least 112 m -> 120
    assert "at least 120 m" in str(e.value)
    make_grid(_area(5000, 5000), cell_size=120)  # a suggested-size grid works


def test_bad_shape_and_input_unchanged():
    area = _area()
    before = area.copy()
    with pytest.raises(ValueError, match="shape='circle' is not a valid choice"):
        make_grid(area, cell_size=100, shape="circle")
    make_grid(area, cell_size=100)
    assert area.equals(before)


def _two_polys():
    return gpd.GeoDataFrame(
        {"WD25CD": ["E1", "E2"]},
        geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)],
        crs="EPSG:27700",
    )


def test_count_points_by_hand_with_weights_and_shared_edge():
    polys = _two_polys()
    pts = gpd.GeoDataFrame(
        {"harm": [1.0, 2.0, 4.0, 8.0]},
        geometry=[Point(1, 1), Point(9, 9), Point(10, 5), Point(15, 5)],
        crs="EPSG:27700",
    )
    before_pts, before_polys = pts.copy(), polys.copy()
    out = count_points(pts, polys, "WD25CD", weight="harm")
    # (10, 5) sits on the shared edge: counted once, in the first polygon
    assert out["count"].tolist() == [3, 1]
    assert out["weight_sum"].tolist() == [7.0, 8.0]
    assert out["WD25CD"].tolist() == ["E1", "E2"]
    assert out.attrs["points_outside"] == 0
    assert pts.equals(before_pts) and polys.equals(before_polys)
    assert "count" not in polys.columns


def test_points_outside_are_counted_and_warned():
    pts = gpd.GeoDataFrame(geometry=[Point(5, 5), Point(50, 50), Point(-1, 3)], crs="EPSG:27700")
    with pytest.warns(UserWarning, match=r"2 of 3 point\(s\).*outside every polygon"):
        out = count_points(pts, _two_polys(), "WD25CD")
    assert out["count"].sum() == 1
    assert out.attrs["points_outside"] == 2
    assert points_outside(pts, _two_polys()) == 2


def test_mixed_crs_points_are_reprojected_naming_both():
    # realistic BNG coordinates (Huntingdon), so the round trip through WGS84 is exact enough
    x0, y0 = 524000, 271000
    polys = _two_polys().translate(x0, y0)
    polys = gpd.GeoDataFrame({"WD25CD": ["E1", "E2"]}, geometry=polys, crs="EPSG:27700")
    pts = gpd.GeoDataFrame(
        geometry=[Point(x0 + 5, y0 + 5), Point(x0 + 15, y0 + 5)], crs="EPSG:27700"
    ).to_crs(4326)
    with pytest.warns(UserWarning, match="points_gdf is EPSG:4326, polygons_gdf is EPSG:27700"):
        out = count_points(pts, polys, "WD25CD")
    assert out["count"].tolist() == [1, 1]


def test_empty_crime_type_selection_names_the_types():
    empty = gpd.GeoDataFrame(geometry=[], crs="EPSG:27700")
    with pytest.raises(ValueError, match=r"no points \(0 rows\) for crime type\(s\) 'Arson'"):
        count_points(empty, _two_polys(), "WD25CD", crime_types=["Arson"])
    with pytest.raises(ValueError, match=r"has no points \(0 rows\)"):
        count_points(empty, _two_polys(), "WD25CD")


def test_count_points_validation_messages():
    pts = gpd.GeoDataFrame(geometry=[Point(5, 5)], crs="EPSG:27700")
    with pytest.raises(ValueError, match=r"polygons_gdf is missing required column\(s\): 'id'"):
        count_points(pts, _two_polys(), "id")
    dup = gpd.GeoDataFrame(
        {"id": ["a", "a"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:27700"
    )
    with pytest.raises(ValueError, match=r"must be unique; 'a' is repeated at row 1"):
        count_points(pts, dup, "id")
    lines = gpd.GeoDataFrame(geometry=[Point(1, 1), box(0, 0, 1, 1)], crs="EPSG:27700")
    with pytest.raises(ValueError, match="only Point geometries; found Polygon at row 1"):
        count_points(lines, _two_polys(), "WD25CD")


def test_grid_counts_agree_with_floor_arithmetic():
    rng = np.random.default_rng(1)
    xy = rng.uniform(0.5, 999.5, size=(300, 2))
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:27700")
    grid = make_grid(_area(1000, 1000), cell_size=250)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = count_points(pts, grid, "cell_id")
    col = np.floor(xy[:, 0] / 250).astype(int)
    row = np.floor(xy[:, 1] / 250).astype(int)
    expected = np.bincount(row * 4 + col, minlength=16)
    assert out["count"].tolist() == expected.tolist()


def test_square_lattice_is_built_cell_by_cell_west_to_east_then_south_to_north():
    """The vectorised lattice equals boxes made one at a time, in cell_id order."""
    from shapely.geometry import box

    from sa_lib.spatial.grids import _square_cells

    size = 250.0
    cells = _square_cells(523_110.0, 261_040.0, 524_300.0, 261_900.0, size)
    xs = 523_000.0 + size * np.arange(6)  # floor(523110 / 250) * 250 = 523000; 6 columns
    ys = 261_000.0 + size * np.arange(4)  # floor(261040 / 250) * 250 = 261000; 4 rows
    expected = [box(x, y, x + size, y + size) for y in ys for x in xs]
    assert [c.wkb for c in cells] == [e.wkb for e in expected]
