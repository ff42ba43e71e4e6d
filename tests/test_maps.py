import re

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from shapely.geometry import box

from sa_lib.charts.maps import add_scale_bar, choropleth
from sa_lib.choices import choices_table, clear_choices


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def areas(values, x0=520000, y0=270000, size=1000):
    n = len(values)
    return gpd.GeoDataFrame(
        {"name": [f"Ward {i}" for i in range(n)], "rate": values},
        geometry=[box(x0 + i * size, y0, x0 + (i + 1) * size, y0 + size) for i in range(n)],
        crs=27700,
    )


def legend_labels(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def legend_hatches(fig):
    return [h.get_hatch() for h in fig.axes[0].get_legend().legend_handles]


def test_choropleth_k_classes_and_input_unchanged():
    g = areas([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    before = g.copy()
    fig = choropleth(g, "rate", label_col="name", k=5, title="Rates", legend_title="per 1,000")
    assert isinstance(fig, Figure)
    labels = legend_labels(fig)
    assert len(labels) == 5
    assert labels[0] == "1.0 to 2.8"  # quintiles of 1..10: first upper bound 2.8
    assert labels[-1].endswith("to 10.0")
    assert fig.axes[0].get_legend().get_title().get_text() == "per 1,000"
    assert fig.axes[0].get_title(loc="left") == "Rates"
    assert all(h is None for h in legend_hatches(fig))  # no "not shown" entry
    names = {t.get_text() for t in fig.axes[0].texts}
    assert {f"Ward {i}" for i in range(10)} <= names
    pd.testing.assert_frame_equal(pd.DataFrame(g), pd.DataFrame(before))
    assert "_cls" not in g.columns


def test_choropleth_not_shown_entry_for_missing_values():
    g = areas([1.0, 2.0, np.nan, 4.0, 5.0, np.nan])
    fig = choropleth(g, "rate", k=2)
    labels = legend_labels(fig)
    assert len(labels) == 3
    assert labels[-1] == "not shown / no data"
    assert legend_hatches(fig)[-1] == "///"
    assert legend_hatches(fig)[0] is None


def test_no_missing_values_no_not_shown_entry():
    fig = choropleth(areas([1.0, 2.0, 3.0]), "rate", k=3)
    assert "not shown / no data" not in legend_labels(fig)


def test_k_reduced_to_distinct_values_and_recorded():
    clear_choices()
    fig = choropleth(areas([2.0, 2.0, 5.0, 5.0]), "rate", k=5)
    assert len(legend_labels(fig)) == 2
    t = choices_table().set_index("choice")
    assert t.loc["map classes for rate", "value"] == "2"
    clear_choices()


@pytest.mark.filterwarnings("ignore:Numba not installed")
@pytest.mark.parametrize("scheme", ["fisher_jenks", "equal_interval"])
def test_other_schemes(scheme):
    fig = choropleth(areas([1.0, 2.0, 3.0, 10.0, 11.0, 12.0]), "rate", scheme=scheme, k=2)
    assert len(legend_labels(fig)) == 2


def test_wgs84_input_is_projected_and_boundary_drawn():
    g = areas([1.0, 2.0, 3.0]).to_crs(4326)
    outline = gpd.GeoDataFrame(geometry=[g.to_crs(27700).union_all()], crs=27700)
    fig = choropleth(g, "rate", k=3, boundary=outline)
    x0, x1 = fig.axes[0].get_xlim()
    assert x0 > 500000 and x1 < 540000  # British National Grid metres
    assert g.crs.to_epsg() == 4326


def test_scale_bar_label_is_round():
    fig = choropleth(areas([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]), "rate", k=2)
    label = [t.get_text() for t in fig.axes[0].texts if re.fullmatch(r"[\d.]+ k?m", t.get_text())]
    assert len(label) == 1
    value = float(label[0].split()[0])
    assert value in {1, 2, 5, 10, 20, 50, 100, 200, 500}


@pytest.mark.parametrize(
    ("width", "label"),
    [(10000, "2 km"), (700, "100 m"), (4000, "1 km"), (25000, "5 km"), (3600, "500 m")],
)
def test_add_scale_bar(width, label):
    fig, ax = plt.subplots()
    ax.set_xlim(0, width)
    ax.set_ylim(0, width)
    assert add_scale_bar(ax) == label
    assert any(t.get_text() == label for t in ax.texts)


def test_choropleth_errors():
    g = areas([1.0, 2.0])
    with pytest.raises(ValueError, match="scheme"):
        choropleth(g, "rate", scheme="jenks")
    with pytest.raises(ValueError, match="nope"):
        choropleth(g, "rate", label_col="nope")
    with pytest.raises(ValueError, match="name"):
        choropleth(g, "name")  # not numeric
    with pytest.raises(ValueError, match="gdf"):
        choropleth(pd.DataFrame({"rate": [1.0]}), "rate")


def test_svg_choropleth_tooltips_classes_and_offline():
    import geopandas as gpd
    from shapely.geometry import box

    from sa_lib.charts.svg_maps import svg_choropleth
    from sa_lib.pack.export import external_resources

    g = gpd.GeoDataFrame(
        {"name": ["A", "B", "C"], "rate": [1.0, 2.0, float("nan")], "tip": ["12", "30", "<10"]},
        geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(2000, 0, 3000, 1000)],
        crs=27700,
    )
    svg = svg_choropleth(
        g, "rate", label_col="name", tooltip_cols={"Crimes": "tip"}, k=2, title="T"
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<title>") == 3
    assert "<title>C\nCrimes: &lt;10</title>" in svg
    assert svg.count('class="sa-area" fill="url(#sa-hatch)"') == 1 and "not shown / no data" in svg
    assert "1.0 to 1.5" in svg and "1.5 to 2.0" in svg  # two quantile classes
    assert ">1 km<" in svg or ">500 m<" in svg  # a round scale bar
    assert external_resources(svg) == []
    with pytest.raises(ValueError, match="missing required column.*'nope'"):
        svg_choropleth(g, "rate", label_col="name", tooltip_cols={"X": "nope"})


def test_place_labels_never_overlap_and_say_where_they_moved():
    from sa_lib.spatial.map_layout import place_labels

    rng = __import__("numpy").random.default_rng(1)
    items = [
        (float(x), float(y), f"Ward number {i} & District", float(100 - i))
        for i, (x, y) in enumerate(rng.uniform(0, 200, size=(25, 2)))
    ]
    labs = place_labels(items)
    assert sorted(lab["name"] for lab in labs) == sorted(t[2] for t in items)
    named = [lab for lab in labs if lab["number"] is None]
    for i, a in enumerate(named):
        for b in named[i + 1 :]:
            A, B = a["box"], b["box"]
            assert A[2] <= B[0] or B[2] <= A[0] or A[3] <= B[1] or B[3] <= A[1], (a, b)
    moved = [lab for lab in named if lab["leader"] is not None]
    assert moved  # crowded points: some labels moved, each with a leader line to its point
    assert all(len(lab["lines"]) == 2 for lab in named)  # long names wrap
