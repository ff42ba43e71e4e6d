"""Tests for the CSE theme's banded charts (sa_lib.themes.cse_charts)."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from sa_lib.stats.risk_index import composite_index
from sa_lib.themes import cse_charts as cc
from sa_lib.themes import cse_report as cr


# The same hand-checkable fixtures as test_cse_report.py.
@pytest.fixture
def wards() -> pd.DataFrame:
    return pd.DataFrame({"ward_code": ["W1", "W2", "W3"], "ward_name": ["Ash", "Birch", "Cedar"]})


@pytest.fixture
def ind() -> pd.DataFrame:
    # Hand-checkable: 500 / 1,000 / 2,000 children; cse_crimes 2, 4, 4 ->
    # rates 4, 4, 2 per 1,000; HMOs 10, 20, 60 over 1,000 / 2,000 / 3,000 residents -> 10 each.
    return pd.DataFrame(
        {
            "ward_code": ["W2", "W1", "W3"],
            "ward_name": ["b", "a", "c"],
            "population": [2000, 1000, 3000],
            "population_0_15": [1000, 500, 2000],
            "cse_crimes": [4, 2, 4],
            "hmo_count": [20, 10, 60],
            "imd_share_deciles_1_5": [0.5, 1.0, 0.0],
            "synthetic": [True, True, True],
        }
    )


def _index(ind, wards):
    d = cr.load_indicators(ind, wards)
    s = cr.index_settings({}, d.columns)
    rates = cr.indicator_rates(d, s["indicators"])
    return d, s, rates, composite_index(rates, **s)


def test_plot_banded_trend_axis_shows_bands_only():
    d = pd.DataFrame(
        {"quarter": ["2025Q1", "2025Q2"], "quarter_start": [0, 0], "x": [7, 16], "y": [12, 31]}
    )
    fig = cc.plot_banded_trend(cr.quarterly_bands(d, ["x", "y"], 10), {"X": "x", "Y": "y"})
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["<10", "10-14", "15-19", "20-29", "30-49"]
    assert all(not re.fullmatch(r"\d+", t) for t in ticks)


def test_profile_heatmap_has_no_numbers(ind, wards):
    _, s, _, idx = _index(ind, wards)
    fig = cc.plot_profile_heatmap(idx, ["W1", "W3"], s["indicators"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert len(texts) == 2 * len(s["indicators"])
    assert not any(re.search(r"\d", t) for t in texts)
    with pytest.raises(ValueError, match="'W9'"):
        cc.plot_profile_heatmap(idx, ["W9"], s["indicators"])


def test_index_map_outlines_priority(ind, wards):
    _, _, _, idx = _index(ind, wards)
    g = gpd.GeoDataFrame(
        wards, geometry=[box(i * 1000, 0, (i + 1) * 1000, 1000) for i in range(3)], crs=27700
    )
    fig = cc.plot_index_map(g, idx, ["W1"], k=3)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[-1] == "priority ward"
    assert not any(re.fullmatch(r"\d+", t.get_text()) for t in fig.axes[0].texts)
