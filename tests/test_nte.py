import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from shapely.geometry import Point, box

from sa_lib.charts.nte import plot_day_hour
from sa_lib.stats import nte


def test_day_hour_table_counts_and_missing_times():
    df = pd.DataFrame(
        {
            "committed_from": pd.to_datetime(
                ["2025-01-03 23:30", "2025-01-03 23:59", "2025-01-06 08:00", None]
            )
        }
    )
    t = nte.day_hour_table(df)
    assert t.shape == (7, 24)
    assert t.loc["Fri", 23] == 2 and t.loc["Mon", 8] == 1
    assert t.to_numpy().sum() == 3
    assert t.attrs["missing_time"] == 1


def test_day_hour_table_needs_times():
    with pytest.raises(ValueError, match="missing required column.*committed_from"):
        nte.day_hour_table(pd.DataFrame({"month": ["2025-01"]}))


def test_weekend_night_share_by_hand():
    t = pd.DataFrame(0, index=nte.DAYS, columns=range(24))
    t.loc["Fri", 22] = 2  # Friday night
    t.loc["Sun", 3] = 1  # Saturday night, after midnight
    t.loc["Sun", 22] = 5  # Sunday evening is not a weekend night
    assert nte.weekend_night_share(t) == pytest.approx(3 / 8)
    assert np.isnan(nte.weekend_night_share(t * 0))


def _area_and_points():
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 1000)], crs=27700)
    pub = gpd.GeoDataFrame(geometry=[Point(500, 500)], crs=27700)
    # 20 crimes right by the pub, 10 spread elsewhere, 1 outside the area.
    pts = (
        [Point(500 + i, 500) for i in range(20)]
        + [Point(50 + 90 * i, 900) for i in range(10)]
        + [Point(5000, 5000)]
    )
    return area, pub, gpd.GeoDataFrame(geometry=pts, crs=27700)


def test_near_premises():
    _, pub, pts = _area_and_points()
    near = nte.near_premises(pts, pub, 100)
    assert near.sum() == 20


def test_premises_comparison_matches_independent_test():
    area, pub, pts = _area_and_points()
    out = nte.premises_comparison(pts, pub, area, 100)
    assert out["count"].tolist() == [20, 10]  # the point outside the area is left out
    a_near = np.pi * 100**2 / 1e6
    assert out.loc[0, "area_km2"] == pytest.approx(a_near, rel=1e-2)  # buffers are polygons
    assert out.loc[1, "area_km2"] == pytest.approx(1.0 - out.loc[0, "area_km2"], rel=1e-9)
    # Exact conditional test: given 30 crimes, near-count ~ Binomial(30, a_near / 1 km2).
    p_exp = stats.binomtest(20, 30, out.loc[0, "area_km2"] / 1.0).pvalue
    assert out.loc[0, "p_value"] == pytest.approx(p_exp, rel=1e-6)
    assert bool(out.loc[0, "significant"]) and out.loc[0, "rate_ratio"] > 10


def test_near_premises_needs_projected_crs():
    _, pub, pts = _area_and_points()
    with pytest.raises(ValueError, match="geographic CRS"):
        nte.near_premises(pts.to_crs(4326), pub, 100)
    with pytest.raises(ValueError, match="distance_m must be a positive number"):
        nte.near_premises(pts, pub, 0)


def test_plot_day_hour_greys_small_cells():
    t = pd.DataFrame(0, index=nte.DAYS, columns=range(24))
    t.loc["Sat", 1] = 3
    t.loc["Fri", 23] = 40
    fig = plot_day_hour(t, suppress_below=10)
    data = fig.axes[0].images[0].get_array()
    assert np.ma.is_masked(data[5, 1]) and data[4, 23] == 40


def test_day_hour_table_blocks_and_leaves_out_date_ranges():
    df = pd.DataFrame(
        {
            "committed_from": pd.to_datetime(
                ["2025-01-03 23:30", "2025-01-03 21:10", "2025-01-06 00:00"]
            ),
            "committed_to": pd.to_datetime([None, "2025-01-03 21:40", "2025-03-01 00:00"]),
        }
    )
    t = nte.day_hour_table(df, hours_per_block=3)
    assert list(t.columns) == [0, 3, 6, 9, 12, 15, 18, 21]
    assert t.loc["Fri", 21] == 2  # 21:10 (30-minute window is precise) and 23:30
    assert t.to_numpy().sum() == 2
    assert t.attrs["imprecise_time"] == 1  # the eight-week window is left out
    with pytest.raises(ValueError, match="must divide 24"):
        nte.day_hour_table(df, hours_per_block=5)
    with pytest.raises(ValueError, match="needs an hourly table"):
        nte.weekend_night_share(t)


def test_weekend_night_rows_are_the_rows_the_share_counts():
    rng = np.random.default_rng(3)
    start = pd.Timestamp("2025-01-06") + pd.to_timedelta(rng.integers(0, 14 * 24 * 60, 500), "min")
    hours = rng.choice([0, 0.5, 3, 30], size=500)  # some windows too long to place in time
    df = pd.DataFrame(
        {"committed_from": start, "committed_to": start + pd.to_timedelta(hours, unit="h")}
    )
    df.loc[::50, "committed_from"] = pd.NaT
    t = nte.day_hour_table(df)
    rows = nte.weekend_night_rows(df)
    assert rows.sum() == round(nte.weekend_night_share(t) * t.to_numpy().sum())
    # By hand: Friday 23:30 and Sunday 05:59 are nights; Sunday 06:00 and Friday 19:59 are not.
    hand = pd.DataFrame(
        {"committed_from": pd.to_datetime(
            ["2025-01-10 23:30", "2025-01-12 05:59", "2025-01-12 06:00", "2025-01-10 19:59"]
        )}
    )  # fmt: skip
    assert nte.weekend_night_rows(hand, window_col=None).tolist() == [True, True, False, False]


def test_premises_near_area_and_a_clear_error_when_none_is_near():
    """Issue 24 regression: premises all outside the area gave ``exposure_after ... got 0.0``."""
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 1000)], crs=27700)
    pubs = gpd.GeoDataFrame(geometry=[Point(1050, 500), Point(5000, 5000)], crs=27700)
    assert len(nte.premises_near_area(pubs, area, 100)) == 1  # 50 m outside counts
    assert len(nte.premises_near_area(pubs, area, 10)) == 0
    far = pubs.iloc[[1]]
    pts = gpd.GeoDataFrame(geometry=[Point(500, 500)], crs=27700)
    with pytest.raises(ValueError, match="no area lies within 100 m of a licensed premises"):
        nte.premises_comparison(pts, far, area, 100)
