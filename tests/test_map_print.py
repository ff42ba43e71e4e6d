"""Maps legible at A4 (issue 21): no map text prints under 7 pt.

Worked out from the figures, not from pixels. A PNG chart is embedded at 96 dpi, so a
browser shows it at its drawn size in inches (``bbox_inches="tight"``); in print it is
scaled down to fit the A4 page width (the ``@page`` margins) and the print
stylesheet's map height (``img.sa-map``). Every text of the figure, at its font size
times that scale, must be at least ``FLOOR_PT``. The ward maps are inline SVG: their
text sizes are SVG units, and the print stylesheet's ``svg.sa-svgmap`` height (or the
page width) sets the points per unit.
"""

from __future__ import annotations

import re

import geopandas as gpd
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text
from shapely.geometry import box

from sa_lib.charts.hotspot_maps import (
    plot_cell_counts,
    plot_change,
    plot_emerging,
    plot_hotspots,
    plot_kde,
)
from sa_lib.charts.maps import add_points, choropleth
from sa_lib.charts.svg_maps import svg_choropleth
from sa_lib.pack.pages import CSS

matplotlib.use("Agg")
FLOOR_PT = 7.0
MM = 1 / 25.4  # inches
PRINT_CSS = CSS["furniture"] + CSS["report"]
CRS = "EPSG:27700"
#: Ward names as long as real ones (Huntingdonshire's longest is 33 characters).
NAMES = [
    "Huntingdon North", "St Neots Eatons", "Godmanchester & Hemingford Abbots", "Ramsey",
    "Sawtry", "Alconbury", "Buckden", "Fenstanton", "Great Staughton", "Holywell-cum-Needingworth",
    "Kimbolton", "Somersham", "St Ives South", "Warboys", "Yaxley", "Brampton",
]  # fmt: skip
NOTE = (
    "Contains OS data © Crown copyright and database right. Aggregated to grid cells; no crime "
    "locations shown."
)
#: District shapes (width, height in km): tall like Huntingdonshire, square, wide.
SHAPES = [(20, 27), (24, 24), (32, 18)]


def _css_mm(selector: str, prop: str) -> float:
    """A length in mm set for ``selector`` in the print rules (the last one wins)."""
    found = re.findall(re.escape(selector) + r"\s*\{[^}]*?" + prop + r":\s*([\d.]+)mm", PRINT_CSS)
    assert found, f"no {prop} in mm for {selector} in the print stylesheet"
    return float(found[-1])


def _printable_width_in() -> float:
    m = re.search(r"@page\s*\{\s*size:\s*A4;\s*margin:\s*([\d.]+)mm\s+([\d.]+)mm", PRINT_CSS)
    assert m, "the print stylesheet sets no A4 page margins"
    return (210 - 2 * float(m.group(2))) * MM


def _district(w_km: float, h_km: float):
    w, h = w_km * 1000, h_km * 1000
    boundary = gpd.GeoDataFrame({"name": ["CSP"]}, geometry=[box(0, 0, w, h)], crs=CRS)
    geoms, names = [], []
    for i in range(4):
        for j in range(4):
            geoms.append(box(i * w / 4, j * h / 4, (i + 1) * w / 4, (j + 1) * h / 4))
            names.append(NAMES[4 * i + j])
    wards = gpd.GeoDataFrame({"ward_name": names}, geometry=geoms, crs=CRS)
    size = 700
    cells = [
        box(x, y, x + size, y + size) for x in np.arange(0, w, size) for y in np.arange(0, h, size)
    ]
    grid = gpd.GeoDataFrame({"cell_id": range(len(cells))}, geometry=cells, crs=CRS)
    return boundary, wards, grid


def _maps(w_km, h_km):
    """Every kind of map the pages draw, with the pages' long titles, notes and legends."""
    boundary, wards, grid = _district(w_km, h_km)
    n = len(grid)
    rng = np.random.default_rng(1)
    title = "All crime (excluding ASB): Gi* hot and cold spots, Q4 2025 (Oct-Dec)"
    gi = ["Hot spot 99%", "Hot spot 95%", "Hot spot 90%", "Not significant", "Cold spot 99%"]
    common = {"ward_name_col": "ward_name", "title": title, "note": NOTE}
    hot = plot_hotspots(grid.assign(gi_label=rng.choice(gi, n)), boundary, wards, **common)
    pubs = gpd.GeoDataFrame(geometry=gpd.points_from_xy([1000, 2000], [1000, 3000]), crs=CRS)
    add_points(hot.axes[0], pubs, "Licensed premises (synthetic)")
    yield "hot spots", hot
    yield "density", plot_kde(grid.assign(kde=rng.gamma(2, 40, n)), boundary, wards, **common)
    counts = grid.assign(count=rng.poisson(6, n))
    yield "counts", plot_cell_counts(counts, boundary, wards, threshold=10, **common)
    csp = rng.choice(["Sustaining", "Emerging", "Preventing", "No pattern"], n)
    yield "emerging", plot_emerging(grid.assign(csp_category=csp), boundary, wards, **common)
    change = rng.choice(["Significant increase", "No significant change"], len(wards))
    w = wards.assign(change_class=change)
    yield "change", plot_change(w, boundary, name_col="ward_name", title=title, note=NOTE)
    yield (
        "choropleth",
        choropleth(
            wards.assign(index=rng.normal(size=len(wards))),
            "index",
            label_col="ward_name",
            boundary=boundary,
            title="CSE risk index by ward",
            legend_title="Risk index (quintiles)",
        ),
    )


def printed_text_sizes(fig) -> dict[str, float]:
    """Each text of ``fig`` -> its size in points when printed on A4 (see the module doc)."""
    fig.canvas.draw()
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())
    pad = 0.2  # print_figure's bbox_inches="tight" pads 0.1 in on each side
    scale = min(
        1.0,
        _printable_width_in() / (bbox.width + pad),
        _css_mm("img.sa-map", "max-height") * MM / (bbox.height + pad),
    )
    # The axes of a map are off: their tick and axis labels are never drawn.
    hidden = {
        id(t)
        for ax in fig.axes
        if not ax.axison
        for t in ax.xaxis.findobj(Text) + ax.yaxis.findobj(Text)
    }
    return {
        t.get_text(): t.get_fontsize() * scale
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and id(t) not in hidden
    }


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}km")
def test_every_map_prints_its_text_at_7pt_or_more_on_a4(shape):
    small = {}
    for name, fig in _maps(*shape):
        sizes = printed_text_sizes(fig)
        assert any(t in sizes for t in NAMES) or name in ("change",), (name, sorted(sizes))
        small.update({(name, t): round(pt, 1) for t, pt in sizes.items() if pt < FLOOR_PT})
        plt.close(fig)
    assert small == {}, small


def test_the_old_map_sizes_would_fail():
    """The check can fail: the maps as drawn before issue 21 (9 x 7 in, 6 pt ward names,
    printed at most 66 mm high) printed their names at about 2 pt."""
    boundary, wards, grid = _district(20, 27)
    fig = plot_hotspots(
        grid.assign(gi_label="Not significant"),
        boundary,
        wards,
        ward_name_col="ward_name",
        figsize=(9, 7),
    )
    for t in fig.axes[0].texts:
        if t.get_text() in NAMES:
            t.set_fontsize(6)
    fig.canvas.draw()
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())
    scale = min(1.0, _printable_width_in() / bbox.width, 66 * MM / bbox.height)
    assert 6 * scale < FLOOR_PT
    plt.close(fig)


def _svg_printed_pt_per_unit(svg: str) -> float:
    _, _, vb_w, vb_h = (float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    shown_w = min(
        _printable_width_in(),
        float(re.search(r"max-width:(\d+)px", svg).group(1)) / 96,
        _css_mm("svg.sa-svgmap", "max-height") * MM * vb_w / vb_h,
    )
    return shown_w * 72 / vb_w


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}km")
def test_ward_svg_map_prints_its_text_at_7pt_or_more_on_a4(shape):
    _, wards, _ = _district(*shape)
    wards = wards.assign(rate=np.arange(len(wards)) * 3.0, shown=[f"{v}" for v in range(16)])
    wards.loc[0, "rate"] = np.nan
    svg = svg_choropleth(
        wards,
        "rate",
        label_col="ward_name",
        tooltip_cols={"Crimes": "shown"},
        title="Crime rate by ward, Q4 2025 (Oct-Dec)",
        legend_title="Crimes per 1,000 residents a year",
    )
    per_unit = _svg_printed_pt_per_unit(svg)
    sizes = [float(s) for s in re.findall(r"font:(?:bold )?([\d.]+)px", svg)]
    assert len(sizes) >= 5
    assert min(sizes) * per_unit >= FLOOR_PT, (min(sizes), round(per_unit, 3))
    # Every label is inside the drawing (the legend is not cut off at the right edge).
    vb_w = float(re.search(r'viewBox="0 0 ([\d.]+)', svg).group(1))
    heading_x = float(re.search(r'<text x="([\d.]+)"[^>]*font:bold 15px[^>]*>Crimes per', svg)[1])
    assert heading_x + 0.6 * 15 * len("Crimes per 1,000 residents a year") <= vb_w + 1


def test_ward_names_that_fit_nowhere_are_numbered_and_not_read_as_counts():
    """At the larger print size more names become numbers keyed under the map; a number
    is a ward's key, not a count, so the disclosure scan must not report it."""
    from sa_lib.pack.disclosure_scan import scan_html_for_disclosure

    strips = [box(i * 300, 0, (i + 1) * 300, 12000) for i in range(30)]
    wards = gpd.GeoDataFrame(
        {"ward_name": [f"{NAMES[i % 16]} {i}" for i in range(30)], "rate": np.arange(30.0)},
        geometry=strips,
        crs=CRS,
    )
    svg = svg_choropleth(wards, "rate", label_col="ward_name")
    numbered = re.findall(r'<text class="sa-lab" data-sa-not-count=""[^>]*><tspan[^>]*>(\d+)<', svg)
    assert len(numbered) >= 3, numbered
    assert "1: " in svg  # the key under the map
    assert scan_html_for_disclosure(svg, threshold=10).empty


def test_png_map_names_do_not_overlap_and_the_key_prints_at_7pt():
    """Crowded wards: no two drawn names overlap (they did at the old 6 pt in the town
    centres); names that fit nowhere are numbered and keyed under the map, below the note,
    and the whole map still prints at 7 pt or more."""
    boundary = gpd.GeoDataFrame({"name": ["CSP"]}, geometry=[box(0, 0, 9000, 12000)], crs=CRS)
    strips = [box(i * 450, 0, (i + 1) * 450, 12000) for i in range(20)]
    wards = gpd.GeoDataFrame(
        {"ward_name": [f"{NAMES[i % 16]} {i}" for i in range(20)]}, geometry=strips, crs=CRS
    )
    size = 700
    cells = [
        box(x, y, x + size, y + size) for x in range(0, 9000, size) for y in range(0, 12000, size)
    ]
    grid = gpd.GeoDataFrame({"gi_label": ["Not significant"] * len(cells)}, geometry=cells, crs=CRS)
    fig = plot_hotspots(grid, boundary, wards, ward_name_col="ward_name", note=NOTE)
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    names = [
        t
        for t in ax.texts
        # Names, not the numbers of names that fit nowhere (set beside their point when
        # there is room, else at it).
        if t.get_text()
        and not t.get_text().isdigit()
        and t.get_text() != "N"
        and "km" not in t.get_text()
    ]
    boxes = [t.get_window_extent(renderer) for t in names]
    overlaps = [
        (names[i].get_text(), names[j].get_text())
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if boxes[i].overlaps(boxes[j])
    ]
    assert overlaps == [], overlaps[:5]
    key = [t for t in fig.texts if t.get_text().startswith("1: ")]
    assert len(key) == 1
    note = next(t for t in fig.texts if t.get_text() == NOTE)
    assert key[0].get_window_extent(renderer).y1 <= note.get_window_extent(renderer).y0 + 0.5
    small = {t: pt for t, pt in printed_text_sizes(fig).items() if pt < FLOOR_PT}
    assert small == {}, small
    plt.close(fig)
