import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from sa_lib.data.quality import data_quality, missing_months, points_outside

# A 2 km square around a point in Huntingdon, in British National Grid.
CENTRE = gpd.GeoSeries([Point(-0.18, 52.33)], crs=4326).to_crs(27700).iloc[0]
BOUNDARY = gpd.GeoDataFrame(geometry=[CENTRE.buffer(1000, cap_style="square")], crs=27700)


def csp_rows():
    return pd.DataFrame(
        {
            "crime_id": ["a", "b", "a", None],
            "month": ["2025-10", "2025-10", "2025-12", "2025-12"],
            "crime_type": ["Burglary", "Drugs", "Burglary", "Anti-social behaviour"],
            # inside, inside, outside (about 22 km away), inside
            "longitude": [-0.18, -0.181, -0.5, -0.179],
            "latitude": [52.33, 52.331, 52.33, 52.329],
        }
    )


NO_LOCATION = pd.DataFrame(
    {
        "month": ["2025-10"] * 4,
        "crime_type": ["Shoplifting", "Shoplifting", "Drugs", "Other crime"],
    }
)


def test_missing_months():
    assert missing_months(["2025-10", "2025-11", "2025-12"], ["2025-12", "2025-10"]) == ["2025-11"]
    assert missing_months(["2025-10"], ["2025-10"]) == []


def test_points_outside():
    rows = csp_rows()
    before = rows.copy()
    out = points_outside(rows, BOUNDARY)
    assert out["crime_id"].tolist() == ["a"]
    assert out["longitude"].tolist() == [-0.5]
    assert "geometry" not in out.columns
    pd.testing.assert_frame_equal(rows, before)


def test_points_outside_tolerance_and_missing_coordinates():
    rows = csp_rows()
    assert len(points_outside(rows, BOUNDARY, tolerance_m=30000)) == 0
    rows.loc[2, ["longitude", "latitude"]] = None  # no coordinates: not counted as outside
    assert len(points_outside(rows, BOUNDARY)) == 0
    assert len(points_outside(rows.iloc[[2]], BOUNDARY)) == 0


def test_points_outside_errors():
    with pytest.raises(ValueError, match="latitude"):
        points_outside(pd.DataFrame({"longitude": [0.0]}), BOUNDARY)
    with pytest.raises(ValueError, match="boundary"):
        points_outside(csp_rows(), pd.DataFrame({"x": [1]}))


def test_data_quality_values():
    q = data_quality(
        csp_rows(),
        NO_LOCATION,
        BOUNDARY,
        months_expected=["2025-10", "2025-11", "2025-12"],
        months_present=["2025-10", "2025-12"],
        force_located_rows=40,
        identical_dropped=3,
    )
    assert list(q.columns) == ["check", "value", "detail"]
    got = dict(zip(q["check"], q["value"], strict=True))
    assert got == {
        "Rows with no location (force-wide)": 4,
        "Most common types with no location": 2,
        "Rows coded to the CSP's LSOAs but mapped outside its boundary": 1,
        "Months missing from the data": 1,
        "Rows repeated in every field, counted once": 3,
        "Rows sharing a crime ID with another row": 1,
    }
    detail = dict(zip(q["check"], q["detail"], strict=True))
    assert detail["Most common types with no location"].startswith("Shoplifting: 2; ")
    assert detail["Months missing from the data"] == "2025-11"
    # 4 unlocated x 4 CSP rows / 40 located force rows = 0.4; 10% on top of 4 rows.
    assert (
        "about 0 would be this CSP's (10.0% on top of its 4 located rows)"
        in detail["Rows with no location (force-wide)"]
    )


def test_data_quality_clean():
    rows = csp_rows().drop(index=2)
    q = data_quality(
        rows, NO_LOCATION.iloc[0:0], BOUNDARY, ["2025-10", "2025-12"], ["2025-10", "2025-12"]
    )
    assert q["value"].tolist() == [0, 0, 0, 0]
    assert "Most common types with no location" not in q["check"].tolist()
    assert q["detail"].iloc[2] == "none: all 2 months present"


def test_data_quality_missing_column():
    with pytest.raises(ValueError, match="longitude"):
        data_quality(pd.DataFrame({"month": [], "crime_type": []}), NO_LOCATION, BOUNDARY, [], [])


def test_no_location_estimate_needs_a_force_wide_count():
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from sa_lib.data.quality import data_quality

    boundary = gpd.GeoDataFrame(geometry=[box(-1, 52, 0, 53)], crs=4326).to_crs(27700)
    csp = pd.DataFrame(
        {
            "month": ["2025-01"] * 4,
            "crime_type": ["Drugs"] * 4,
            "longitude": [-0.5] * 4,
            "latitude": [52.5] * 4,
        }
    )
    unlocated = pd.DataFrame({"month": ["2025-01"] * 10, "crime_type": ["Drugs"] * 10})
    # A store holding only this CSP's located rows gives no basis for a share.
    for located in (None, 4):
        t = data_quality(
            csp, unlocated, boundary, ["2025-01"], ["2025-01"], force_located_rows=located
        )
        assert "cannot be estimated" in t.loc[0, "detail"]
    # Force-wide 40 located rows, 4 of them the CSP's: about 10 x 4/40 = 1 unlocated row is its.
    t = data_quality(csp, unlocated, boundary, ["2025-01"], ["2025-01"], force_located_rows=40)
    assert "about 1 would be this CSP's" in t.loc[0, "detail"]
