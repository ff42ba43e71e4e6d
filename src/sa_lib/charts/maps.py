"""Static maps that partners can read offline: choropleths with names, north arrow and scale bar.

No basemap tiles (nothing is fetched from the internet); colour-blind-safe
sequential palette; classed legends (quantiles or Fisher-Jenks natural breaks
from ``mapclassify``) so readers compare classes, not shades.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> g = gpd.GeoDataFrame({"name": ["A", "B"], "rate": [1.0, 2.0]},
...                      geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=27700)
>>> fig = choropleth(g, "rate", label_col="name", k=2)
>>> fig.axes[0].get_legend() is not None
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

from sa_lib.charts.geodraw import draw_outline, draw_polygons
from sa_lib.choices import record_choice
from sa_lib.spatial.map_layout import nice_length, place_labels
from sa_lib.style import SEQUENTIAL_CMAP
from sa_lib.validation import require_choice, require_columns, require_geodataframe, require_numeric

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "choropleth",
    "add_north_arrow",
    "add_scale_bar",
    "label_areas",
    "place_area_names",
    "MAP_FIGSIZE",
    "MAP_TEXT",
]

#: The size every map is drawn at (inches). Printed on A4, a map is scaled to fit the
#: page width and the print stylesheet's map height (``img.sa-map``, furniture.css);
#: drawn at this size, with the text sizes below, no map text prints under 7 pt
#: (tests/test_map_print.py works it out from the figures, not from pixels).
MAP_FIGSIZE: tuple[float, float] = (6.4, 5.4)
#: Map text sizes in points at MAP_FIGSIZE: area names, legend entries and title,
#: notes, the scale bar and the north arrow.
MAP_TEXT: dict[str, float] = {
    "label": 8.5,
    "legend": 8.5,
    "legend_title": 9.5,
    "note": 8.5,
    "scale": 9.0,
    "north": 11.0,
}


def add_north_arrow(ax, x: float = 0.95, y: float = 0.93) -> None:
    """Draw a simple north arrow in axes coordinates (British National Grid north is up)."""
    ax.annotate(
        "N",
        xy=(x, y),
        xytext=(x, y - 0.09),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=MAP_TEXT["north"],
        fontweight="bold",
        arrowprops={"facecolor": "black", "width": 3, "headwidth": 9, "headlength": 9},
    )


def add_scale_bar(ax, fraction: float = 0.25) -> str:
    """Draw a scale bar (metres in a projected CRS) at the bottom left; return its label."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length((x1 - x0) * fraction)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + length], [by, by], color="black", lw=3, solid_capstyle="butt")
    ax.text(
        bx + length / 2,
        by + (y1 - y0) * 0.015,
        label,
        ha="center",
        va="bottom",
        fontsize=MAP_TEXT["scale"],
    )
    return label


def label_areas(
    ax, gdf: gpd.GeoDataFrame, label_col: str, fontsize: float = MAP_TEXT["label"]
) -> None:
    """Write each area's name at a point inside it, with a white halo for legibility."""
    import matplotlib.patheffects as pe

    for _, row in gdf.iterrows():
        pt = row.geometry.representative_point()
        ax.text(
            pt.x,
            pt.y,
            str(row[label_col]),
            ha="center",
            va="center",
            fontsize=fontsize,
            path_effects=[pe.withStroke(linewidth=2, foreground="white")],
        )


def place_area_names(
    ax, gdf: gpd.GeoDataFrame, label_col: str, fontsize: float = MAP_TEXT["label"]
) -> list[str]:
    """Name each area at a point inside it, with no two names overlapping.

    Call it last, once the map's extent and layout are final: names are placed in
    the figure's own units by :func:`sa_lib.spatial.map_layout.place_labels` (largest
    areas first; a name that does not fit at its point moves nearby, joined by a
    leader line; one that fits nowhere becomes a number, keyed under the map). Returns
    the key's lines ("3: Name").

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"n": ["Alpha", "Beta"]},
    ...                      geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700)
    >>> fig, ax = plt.subplots(); _ = ax.set_xlim(0, 20); _ = ax.set_ylim(0, 10)
    >>> place_area_names(ax, g, "n"), sorted(t.get_text() for t in ax.texts)
    ([], ['Alpha', 'Beta'])
    """
    import matplotlib.patheffects as pe

    fig = ax.figure
    px = fig.dpi / 72  # display units per point
    height = fig.bbox.height
    to_data = ax.transData.inverted()
    pts = gdf.geometry.representative_point()
    disp = ax.transData.transform(np.c_[pts.x.to_numpy(), pts.y.to_numpy()])
    items = [
        (float(x), float(height - y), str(name), float(area))
        for (x, y), name, area in zip(disp, gdf[label_col], gdf.geometry.area, strict=True)
    ]
    line_h = (
        1.2 * fontsize * px
    )  # DejaVu Sans: about 0.6 em a character, measured with a margin below
    halo = [pe.withStroke(linewidth=2.5, foreground="white")]

    def data(x, y):
        return to_data.transform((x, height - y))

    key = []
    for lab in place_labels(items, char_w=0.64 * fontsize * px, line_h=line_h):
        if lab["number"] is not None:
            key.append(f"{lab['number']}: {lab['name']}")
        if lab["leader"] is not None:
            (x0, y0), (x1, y1) = lab["leader"]
            (a, b), (c, d) = data(x0, y0), data(x1, y1)
            ax.plot([a, c], [b, d], color="#333333", linewidth=0.6, zorder=6)
        for j, line in enumerate(lab["lines"]):
            x, y = data(lab["x"], lab["y"] + j * line_h)
            ax.text(
                x, y, line, fontsize=fontsize, ha="center", va="baseline", color="#222222",
                path_effects=halo, zorder=7,
            )  # fmt: skip
    if key:
        # Under the map and under any note at the figure's foot (the PNG is cropped to fit).
        rows = ["    ".join(key[i : i + 4]) for i in range(0, len(key), 4)]
        fig.text(0.01, 0.0, "\n".join(rows), fontsize=fontsize, ha="left", va="top")
    return key


def choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    label_col: str | None = None,
    boundary: gpd.GeoDataFrame | None = None,
    scheme: str = "quantiles",
    k: int = 5,
    title: str | None = None,
    legend_title: str | None = None,
    fmt: str = "{:.1f}",
    cmap: str = SEQUENTIAL_CMAP,
    figsize: tuple[float, float] = MAP_FIGSIZE,
) -> Figure:
    """Classed choropleth map with area names, a north arrow, a scale bar and a legend.

    Parameters
    ----------
    gdf : GeoDataFrame
        Areas in a projected CRS (EPSG:27700), with ``column`` numeric.
    column : str
        The value to map (e.g. a rate per 1,000).
    label_col : str, optional
        Column of names written on the map.
    boundary : GeoDataFrame, optional
        An outline drawn on top (the CSP boundary).
    scheme : {"quantiles", "fisher_jenks", "equal_interval"}
        Classification; the classes and their bounds are listed in the legend.
    k : int
        Number of classes (reduced if there are fewer distinct values).
    fmt : str
        Format of class bounds in the legend.

    Returns
    -------
    Figure
    """
    import mapclassify
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    require_geodataframe(gdf, "gdf")
    require_numeric(gdf, column, arg="gdf")
    if label_col:
        require_columns(gdf, [label_col], arg="gdf")
    require_choice(scheme, ["quantiles", "fisher_jenks", "equal_interval"], arg="scheme")
    g = gdf.copy()
    if not g.crs.is_projected:
        g = g.to_crs(27700)
    vals = g[column].astype("float64")
    valid = vals.notna()
    k_eff = int(min(k, max(1, vals[valid].nunique())))
    if k_eff != k:
        record_choice(
            f"map classes for {column}", k_eff, f"only {vals[valid].nunique()} distinct values"
        )
    classifier = {
        "quantiles": mapclassify.Quantiles,
        "fisher_jenks": mapclassify.FisherJenks,
        "equal_interval": mapclassify.EqualInterval,
    }[scheme]
    fig, ax = plt.subplots(figsize=figsize)
    colors = plt.get_cmap(cmap)(np.linspace(0.1, 0.95, k_eff))
    handles = []
    if valid.any():
        cls = classifier(vals[valid].to_numpy(), k=k_eff)
        bins = cls.bins
        yb = cls.yb
        g.loc[valid, "_cls"] = yb
        lower = vals[valid].min()
        for i in range(len(bins)):
            part = g[valid & (g["_cls"] == i)]
            if not part.empty:
                draw_polygons(ax, part, color=colors[i], edgecolor="white", linewidth=0.6)
            lo = lower if i == 0 else bins[i - 1]
            handles.append(
                Patch(
                    facecolor=colors[i],
                    edgecolor="0.5",
                    label=f"{fmt.format(lo)} to {fmt.format(bins[i])}",
                )
            )
    if (~valid).any():
        draw_polygons(ax, g[~valid], color="white", edgecolor="0.6", hatch="///", linewidth=0.6)
        handles.append(
            Patch(facecolor="white", edgecolor="0.6", hatch="///", label="not shown / no data")
        )
    if boundary is not None:
        draw_outline(ax, boundary.to_crs(g.crs), cache=True, color="black", linewidth=1.2)
    ax.set_axis_off()
    ax.set_aspect("equal")
    add_north_arrow(ax)
    add_scale_bar(ax)
    ax.legend(
        handles=handles,
        title=legend_title or column,
        loc="lower right",
        fontsize=MAP_TEXT["legend"],
        title_fontsize=MAP_TEXT["legend_title"],
        frameon=True,
    )
    if title:
        ax.set_title(title, loc="left")
    fig.tight_layout()
    if label_col:
        place_area_names(ax, g, label_col)
    return fig


def add_points(
    ax,
    points: gpd.GeoDataFrame,
    label: str,
    *,
    color: str = "black",
    marker: str = "^",
    size: float = 14,
) -> None:
    """Overlay context points (e.g. licensed premises) on a map and add them to its legend.

    Use only for places, never for record-level crime locations.
    """
    require_geodataframe(points, "points")
    ax.scatter(
        points.geometry.x,
        points.geometry.y,
        s=size,
        marker=marker,
        facecolor="white",
        edgecolor=color,
        linewidth=0.8,
        zorder=5,
        label=label,
    )
    handles, labels = ax.get_legend_handles_labels()
    old = ax.get_legend()
    if old is not None:
        handles = list(old.legend_handles) + [
            h for h, lab in zip(handles, labels, strict=True) if lab == label
        ]
        labels = [t.get_text() for t in old.get_texts()] + [label]
        ax.legend(
            handles=handles,
            labels=labels,
            loc=old._loc,
            fontsize=MAP_TEXT["legend"],
            title=old.get_title().get_text(),
            title_fontsize=MAP_TEXT["legend_title"],
        )
    else:
        ax.legend(fontsize=MAP_TEXT["legend"])
