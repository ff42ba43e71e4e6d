import geopandas as gpd
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from shapely.geometry import box

from sa_lib.charts.hotspot_maps import (
    CSP_COLOURS,
    GI_COLOURS,
    add_scale_bar,
    plot_cell_counts,
    plot_change,
    plot_emerging,
    plot_hotspots,
    plot_kde,
)
from sa_lib.style import COLD, HOT, NEUTRAL

matplotlib.use("Agg")
CRS = "EPSG:27700"
GI_ORDER = [
    "Hot spot 99%",
    "Hot spot 95%",
    "Hot spot 90%",
    "Not significant",
    "Cold spot 90%",
    "Cold spot 95%",
    "Cold spot 99%",
]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _cells(column, values, size=1000):
    geoms = [box(i * size, 0, (i + 1) * size, size) for i in range(len(values))]
    return gpd.GeoDataFrame(
        {"cell_id": range(len(values)), column: values}, geometry=geoms, crs=CRS
    )


def _boundary(n, size=1000):
    return gpd.GeoDataFrame({"name": ["CSP"]}, geometry=[box(0, 0, n * size, size)], crs=CRS)


def _wards(n, size=1000):
    half = n * size / 2
    return gpd.GeoDataFrame(
        {"WD25NM": ["West ward", "East ward"]},
        geometry=[box(0, 0, half, size), box(half, 0, n * size, size)],
        crs=CRS,
    )


def _legend_labels(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def _texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_plot_hotspots_legend_scale_bar_axes_off_and_input_unchanged():
    cells = _cells("gi_label", ["Hot spot 99%", "Not significant", "Cold spot 95%", "Hot spot 90%"])
    boundary, wards = _boundary(4), _wards(4)
    before = (cells.copy(), boundary.copy(), wards.copy())
    fig = plot_hotspots(cells, boundary, wards, ward_name_col="WD25NM", title="Burglary 2024")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert _legend_labels(fig) == GI_ORDER
    assert not ax.axison
    assert ax.get_title(loc="left") == "Burglary 2024"
    texts = _texts(fig)
    # map is 4 km wide (+3% padding each side): a quarter is ~1.06 km -> 1 km bar
    assert "1 km" in texts
    assert "N" in texts  # north arrow
    assert "West ward" in texts and "East ward" in texts
    assert cells.equals(before[0]) and boundary.equals(before[1]) and wards.equals(before[2])


def test_hotspot_colours_are_the_colour_blind_safe_style():
    assert GI_COLOURS["Hot spot 99%"] == HOT
    assert GI_COLOURS["Cold spot 99%"] == COLD
    assert GI_COLOURS["Not significant"] == NEUTRAL
    cells = _cells("gi_label", ["Hot spot 99%", "Cold spot 99%"])
    fig = plot_hotspots(cells, _boundary(2))
    faces = [to_hex(c) for c in fig.axes[0].collections[0].get_facecolors()]
    assert faces == [HOT.lower(), COLD.lower()]
    # lighter tints for lower confidence: hot 90% is lighter (higher RGB sum) than 99%
    rgb = {k: np.array(matplotlib.colors.to_rgb(v)).sum() for k, v in GI_COLOURS.items()}
    assert rgb["Hot spot 99%"] < rgb["Hot spot 95%"] < rgb["Hot spot 90%"]
    assert rgb["Cold spot 99%"] < rgb["Cold spot 95%"] < rgb["Cold spot 90%"]


def test_plot_hotspots_rejects_unknown_labels():
    cells = _cells("gi_label", ["Hot spot 99%", "hot"])
    with pytest.raises(ValueError, match=r"not a Gi\* class: 'hot' at row 1"):
        plot_hotspots(cells, _boundary(2))
    with pytest.raises(ValueError, match=r"grid_gdf is missing required column\(s\): 'gi_bin'"):
        plot_hotspots(cells, _boundary(2), column="gi_bin")


def test_scale_bar_lengths():
    fig, ax = plt.subplots()
    ax.set_xlim(0, 40000)
    ax.set_ylim(0, 40000)
    assert add_scale_bar(ax) == "10 km"  # 0.25 * 40 km
    fig, ax = plt.subplots()
    ax.set_xlim(0, 3000)
    ax.set_ylim(0, 3000)
    assert add_scale_bar(ax) == "500 m"  # 0.25 * 3 km = 750 m -> 500 m


def test_plot_kde_classes_and_units():
    values = [0.0, 0.001, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    cells = _cells("kde", values).assign(kde_bandwidth_m=300.0)
    before = cells.copy()
    fig = plot_kde(cells, _boundary(len(values)), k=2, scheme="equal_interval")
    labels = _legend_labels(fig)
    # below 1% of the 10 per km2 peak (0.1) -> grey; the rest in 2 equal intervals 1-5.5-10
    assert labels == ["Below 1% of peak", "0.10 – 5.50 per km²", "5.50 – 10.0 per km²"]
    assert fig.axes[0].get_legend().get_title().get_text() == "Density (bandwidth 300 m)"
    faces = [to_hex(c) for c in fig.axes[0].collections[0].get_facecolors()]
    assert faces[0] == faces[1] == NEUTRAL.lower()
    assert faces[2] == faces[6] != faces[7] == faces[11]  # 1..5 low class, 6..10 high class
    assert not fig.axes[0].axison
    assert cells.equals(before)


def test_plot_kde_errors():
    with pytest.raises(ValueError, match="some density above 0"):
        plot_kde(_cells("kde", [0.0, 0.0]), _boundary(2))
    with pytest.raises(ValueError, match="scheme='jenks' is not a valid choice"):
        plot_kde(_cells("kde", [0.0, 1.0]), _boundary(2), scheme="jenks")


def test_plot_emerging_csp_legend_and_colours():
    cells = _cells("csp_category", ["Sustaining", "Emerging", "Preventing", "No pattern"])
    fig = plot_emerging(cells, _boundary(4), _wards(4), ward_name_col="WD25NM")
    assert _legend_labels(fig) == ["Sustaining", "Emerging", "Preventing", "No pattern"]
    faces = [to_hex(c) for c in fig.axes[0].collections[0].get_facecolors()]
    assert faces == [CSP_COLOURS[c].lower() for c in cells["csp_category"]]
    assert len(set(faces)) == 4
    assert any(t.endswith(" km") for t in _texts(fig))


def test_plot_emerging_ehsa_lists_present_categories_in_order():
    cats = ["No pattern detected", "Persistent hot spot", "New hot spot", "Sporadic cold spot"]
    cells = _cells("ehsa_category", cats)
    fig = plot_emerging(cells, _boundary(4), column="ehsa_category")
    assert _legend_labels(fig) == [
        "New hot spot",
        "Persistent hot spot",
        "Sporadic cold spot",
        "No pattern detected",
    ]
    faces = {
        c: to_hex(f) for c, f in zip(cats, fig.axes[0].collections[0].get_facecolors(), strict=True)
    }
    assert faces["No pattern detected"] == NEUTRAL.lower()
    assert faces["New hot spot"] != faces["Persistent hot spot"]
    r, g, b = matplotlib.colors.to_rgb(faces["Sporadic cold spot"])
    assert b > r  # cold spots in blue


def test_plot_emerging_errors():
    cells = _cells("csp_category", ["Sustaining", "Hot"])
    with pytest.raises(ValueError, match="unknown category 'Hot' at row 1"):
        plot_emerging(cells, _boundary(2))
    with pytest.raises(ValueError, match="column='gi_label' is not a valid choice"):
        plot_emerging(cells, _boundary(2), column="gi_label")
    with pytest.raises(ValueError, match=r"wards_gdf is missing required column\(s\): 'NAME'"):
        plot_emerging(
            _cells("csp_category", ["Sustaining"]), _boundary(1), _wards(1), ward_name_col="NAME"
        )


def test_layers_in_other_crs_are_drawn_in_bng():
    x0, y0 = 524000, 271000
    cells = gpd.GeoDataFrame(
        {"gi_label": ["Hot spot 95%", "Not significant"]},
        geometry=[box(x0, y0, x0 + 1000, y0 + 1000), box(x0 + 1000, y0, x0 + 2000, y0 + 1000)],
        crs=CRS,
    )
    boundary = cells.to_crs(4326)
    fig = plot_hotspots(cells, boundary)
    xmin, xmax = fig.axes[0].get_xlim()
    assert 523000 < xmin < 524000 and 526000 < xmax < 527000


def test_north_arrow_and_scale_bar_are_the_maps_module_ones():
    from sa_lib.charts import hotspot_maps, maps

    assert hotspot_maps.add_north_arrow is maps.add_north_arrow
    assert hotspot_maps.add_scale_bar is maps.add_scale_bar


def test_plot_cell_counts_bands_never_show_a_count_below_the_threshold():
    # 0 -> None; 1..9 -> one band; 10..40 split in two quantile bands (median of 10,20,30,40 = 25)
    cells = _cells("count", [0, 1, 9, 10, 20, 30, 40])
    before = cells.copy()
    fig = plot_cell_counts(cells, _boundary(7), threshold=10, k=2)
    assert _legend_labels(fig) == ["None", "Fewer than 10", "10 to 25", "26 to 40"]
    faces = [to_hex(c) for c in fig.axes[0].collections[0].get_facecolors()]
    assert faces[0] == NEUTRAL.lower()
    assert faces[1] == faces[2] != faces[3]
    assert faces[3] == faces[4] != faces[5] == faces[6]
    assert "N" in _texts(fig)
    assert cells.equals(before)


def test_plot_cell_counts_all_below_threshold_and_bad_counts():
    fig = plot_cell_counts(_cells("count", [0, 2, 3]), _boundary(3), threshold=5)
    assert _legend_labels(fig) == ["None", "Fewer than 5"]
    with pytest.raises(ValueError, match=r"non-negative counts; found -1 at row 1"):
        plot_cell_counts(_cells("count", [0, -1, 3]), _boundary(3))


def test_plot_change_three_classes_with_names():
    w = _wards(2).assign(change_class=["Significant increase", "Significant decrease"])
    fig = plot_change(w, _boundary(2), name_col="WD25NM", title="Change")
    assert _legend_labels(fig) == [
        "Significant increase",
        "No significant change",
        "Significant decrease",
    ]
    faces = [to_hex(c) for c in fig.axes[0].collections[0].get_facecolors()]
    assert faces == [HOT.lower(), COLD.lower()]
    assert {"West ward", "East ward"} <= set(_texts(fig))
    with pytest.raises(ValueError, match=r"unknown class 'up' at row 0"):
        plot_change(w.assign(change_class=["up", "Significant decrease"]), _boundary(2))


def test_preventing_is_hatched_so_it_differs_from_no_pattern_without_colour():
    from sa_lib.charts.hotspot_maps import CSP_HATCHES, _patches

    patches = {
        p.get_label(): p
        for p in _patches(
            {"Preventing": "#CC79A7", "No pattern": "#DDDDDD"},
            ["Preventing", "No pattern"],
            CSP_HATCHES,
        )
    }
    assert patches["Preventing"].get_hatch() and not patches["No pattern"].get_hatch()
