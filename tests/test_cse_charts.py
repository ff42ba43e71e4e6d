"""Tests for the CSE theme's banded charts (sa_lib.themes.cse_charts)."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box
from test_cse_report import _index

from sa_lib.themes import cse_charts as cc
from sa_lib.themes import cse_report as cr


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
