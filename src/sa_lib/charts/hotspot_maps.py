"""Static hot-spot maps that partners can read: Gi* classes, KDE and emerging hot spots.

Every map shows the CSP boundary, optional ward outlines with names, a north
arrow and a scale bar (:func:`sa_lib.charts.maps.add_north_arrow`,
:func:`sa_lib.charts.maps.add_scale_bar`) and a legend of named classes; axes are off and there are no
basemap tiles (nothing is downloaded). Colours are colour-blind safe: hot spots in
vermillion (:data:`sa_lib.style.HOT`), cold spots in blue
(:data:`sa_lib.style.COLD`), "not significant" in light grey
(:data:`sa_lib.style.NEUTRAL`), densities in viridis. Layers are drawn in
EPSG:27700, so the scale bar is true. Functions return a Figure and never show it.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> cells = gpd.GeoDataFrame({"gi_label": ["Hot spot 99%", "Not significant"]},
...     geometry=[box(0, 0, 500, 500), box(500, 0, 1000, 500)], crs="EPSG:27700")
>>> area = gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 500)], crs="EPSG:27700")
>>> fig = plot_hotspots(cells, area, title="Burglary hot spots")
>>> fig.axes[0].get_legend().get_title().get_text()
'Gi* hot spots (confidence)'
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np

from sa_lib.charts.geodraw import draw_outline, draw_polygons, union_outline
from sa_lib.charts.maps import (
    MAP_FIGSIZE,
    MAP_TEXT,
    add_north_arrow,
    add_scale_bar,
    place_area_names,
)
from sa_lib.spatial.emerging import CSP_CATEGORIES, EHSA_CATEGORIES, SIMPLE_CATEGORIES
from sa_lib.spatial.hotspots import GI_LABELS
from sa_lib.style import COLD, HOT, NEUTRAL, SEQUENTIAL_CMAP
from sa_lib.validation import (
    require_choice,
    require_columns,
    require_geodataframe,
    require_int,
    require_numeric,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

__all__ = [
    "GI_COLOURS",
    "CSP_COLOURS",
    "plot_hotspots",
    "plot_kde",
    "plot_emerging",
    "plot_cell_counts",
    "plot_change",
    "CHANGE_COLOURS",
]


def _tint(colour: str, share: float) -> str:
    """Mix ``colour`` with white: share 1 = the colour, 0 = white."""
    from matplotlib.colors import to_hex, to_rgb

    rgb = np.array(to_rgb(colour))
    return to_hex(1 - share * (1 - rgb))


#: ``gi_label`` -> colour, in legend order (hot to cold).
GI_COLOURS: dict[str, str] = {
    GI_LABELS[3]: HOT,
    GI_LABELS[2]: _tint(HOT, 0.65),
    GI_LABELS[1]: _tint(HOT, 0.35),
    GI_LABELS[0]: NEUTRAL,
    GI_LABELS[-1]: _tint(COLD, 0.35),
    GI_LABELS[-2]: _tint(COLD, 0.65),
    GI_LABELS[-3]: COLD,
}
#: ``csp_category`` -> colour (Okabe-Ito vermillion, orange, reddish purple; grey).
CSP_COLOURS: dict[str, str] = {
    "Sustaining": HOT,
    "Emerging": "#E69F00",
    "Preventing": "#CC79A7",
    "No pattern": NEUTRAL,
}
#: ``csp_category`` -> hatching, so classes differ without colour (colour-vision deficiency):
#: Preventing is hatched, Emerging dotted; Sustaining solid and No pattern plain grey.
CSP_HATCHES: dict[str, str] = {"Preventing": "////", "Emerging": ".."}
_HOT_CMAP, _COLD_CMAP = "Oranges", "Blues"


def _family_colours(categories: list[str]) -> dict[str, str]:
    """Hot categories in oranges, cold in blues (spread over those given), others grey."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    hot = [c for c in categories if "hot" in c and "cold" not in c]
    cold = [c for c in categories if "cold" in c and "hot" not in c]
    out = {c: NEUTRAL for c in categories}
    for group, cmap in ((hot, _HOT_CMAP), (cold, _COLD_CMAP)):
        shades = plt.get_cmap(cmap)(np.linspace(0.95, 0.35, max(len(group), 1)))
        out.update({c: to_hex(s) for c, s in zip(group, shades, strict=False)})
    if "mixed hot/cold spot" in out:
        out["mixed hot/cold spot"] = "#CC79A7"
    return out


def _prepare(gdf: gpd.GeoDataFrame | None, arg: str) -> gpd.GeoDataFrame | None:
    if gdf is None:
        return None
    require_geodataframe(gdf, arg)
    return gdf if gdf.crs.to_epsg() == 27700 else gdf.to_crs("EPSG:27700")


def _fill(ax, cells: gpd.GeoDataFrame, colours) -> None:
    """Fill each cell with its colour, as ``cells.plot(ax=ax, color=colours, linewidth=0,
    zorder=2)`` draws it.

    Grid cells are simple polygons: their outlines are read in one vectorised call and
    drawn as one collection, where geopandas builds a patch per cell (most of a grid
    map's cost). Any other geometry is left to geopandas.
    """
    import shapely
    from matplotlib.collections import PolyCollection

    geoms = cells.geometry.to_numpy()
    simple = len(geoms) > 0 and bool(
        np.all(shapely.get_type_id(geoms) == 3)
        and np.all(shapely.get_num_interior_rings(geoms) == 0)
    )
    if not simple:
        draw_polygons(ax, cells, color=list(colours), linewidth=0, zorder=2)
        return
    xy, idx = shapely.get_coordinates(shapely.get_exterior_ring(geoms), return_index=True)
    verts = np.split(xy, np.flatnonzero(np.diff(idx)) + 1)
    colours = list(colours)
    coll = PolyCollection(verts, facecolors=colours, edgecolors=colours, linewidths=0, zorder=2)
    ax.add_collection(coll, autolim=True)
    ax.autoscale_view()
    ax.set_aspect("equal")


def _finish(
    fig: Figure,
    ax,
    boundary: gpd.GeoDataFrame,
    wards: gpd.GeoDataFrame | None,
    ward_name_col: str | None,
    title: str,
    handles: list[Patch],
    legend_title: str,
    note: str | None,
) -> Figure:
    if wards is not None:
        draw_outline(ax, wards, cache=True, color="#555555", linewidth=0.5, zorder=4)
    # Dissolve first, so a boundary given as LSOAs draws only the CSP's outline.
    outline = gpd.GeoSeries([union_outline(boundary)], crs=boundary.crs)
    draw_outline(ax, outline, cache=True, color="black", linewidth=1.3, zorder=5)
    xmin, ymin, xmax, ymax = boundary.total_bounds
    pad = 0.03 * max(xmax - xmin, ymax - ymin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal")
    ax.set_axis_off()
    add_north_arrow(ax)
    add_scale_bar(ax)
    ax.legend(
        handles=handles,
        title=legend_title,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        frameon=False,
        fontsize=MAP_TEXT["legend"],
        title_fontsize=MAP_TEXT["legend_title"],
    )
    ax.set_title(title, loc="left")
    if note:
        fig.text(
            0.01, 0.01, note, fontsize=MAP_TEXT["note"], color="#555555", ha="left", va="bottom"
        )
    fig.tight_layout()
    if wards is not None and ward_name_col is not None:
        # Last: names are placed in the figure's units, so the layout must be final.
        place_area_names(ax, wards, ward_name_col)
    return fig


def _require_classes(gdf, column: str, allowed, arg: str, what: str, fix: str) -> None:
    """Raise ValueError naming the first value of ``gdf[column]`` not in ``allowed``."""
    bad = ~gdf[column].isin(list(allowed))
    if bad.any():
        row = gdf.index[int(np.argmax(bad.to_numpy()))]
        raise ValueError(
            f"{arg}[{column!r}] has {what} {gdf[column].loc[row]!r} at row {row!r}. Expected one "
            f"of {', '.join(repr(c) for c in allowed)}.\nFix: {fix}"
        )


def _classed_map(
    gdf,
    column,
    colours,
    labels,
    boundary_gdf,
    outline_gdf,
    name_col,
    title,
    legend_title,
    note,
    figsize,
    arg,
    hatches=None,
):
    """Fill each area with its class colour (and hatching), then add outlines, names, legend,
    north arrow and scale."""
    import matplotlib.pyplot as plt

    cells = _prepare(gdf, arg)
    fig, ax = plt.subplots(figsize=figsize)
    _fill(ax, cells, cells[column].map(colours).to_list())
    for cat, hatch in (hatches or {}).items():
        sub = cells[cells[column] == cat]
        if len(sub):
            draw_polygons(
                ax,
                sub,
                facecolor="none",
                edgecolor="#333333",
                hatch=hatch,
                linewidth=0.3,
                zorder=2.5,
            )
    outline = cells if outline_gdf is gdf else _prepare(outline_gdf, "wards_gdf")
    return _finish(
        fig,
        ax,
        _prepare(boundary_gdf, "boundary_gdf"),
        outline,
        name_col,
        title,
        _patches(colours, labels, hatches),
        legend_title,
        note,
    )


def _check_common(grid_gdf, boundary_gdf, wards_gdf, ward_name_col, column, title):
    require_geodataframe(grid_gdf, "grid_gdf")
    require_columns(grid_gdf, [column], arg="grid_gdf")
    require_geodataframe(boundary_gdf, "boundary_gdf")
    if wards_gdf is not None and ward_name_col is not None:
        require_columns(wards_gdf, [ward_name_col], arg="wards_gdf")
    if not isinstance(title, str):
        raise ValueError(f"title must be text, got {type(title).__name__}.")


def _patches(
    colours: dict[str, str], labels: list[str], hatches: dict[str, str] | None = None
) -> list[Patch]:
    from matplotlib.patches import Patch

    hatches = hatches or {}
    return [
        Patch(
            facecolor=colours[c],
            edgecolor="#333333" if c in hatches else "#888888",
            linewidth=0.4,
            hatch=hatches.get(c),
            label=c,
        )
        for c in labels
    ]


def plot_hotspots(
    grid_gdf: gpd.GeoDataFrame,
    boundary_gdf: gpd.GeoDataFrame,
    wards_gdf: gpd.GeoDataFrame | None = None,
    column: str = "gi_label",
    title: str = "Hot spots (Getis-Ord Gi*)",
    *,
    ward_name_col: str | None = None,
    note: str | None = None,
    figsize: tuple[float, float] = MAP_FIGSIZE,
) -> Figure:
    """Map Gi* hot and cold spots (output of :func:`sa_lib.spatial.hotspots.gi_star`).

    Parameters
    ----------
    grid_gdf : GeoDataFrame
        Cells or areas with a ``gi_label`` column ("Hot spot 99%" ... "Cold spot 99%").
    boundary_gdf : GeoDataFrame
        The CSP boundary (any CRS; drawn in EPSG:27700).
    wards_gdf : GeoDataFrame, optional
        Ward boundaries to outline; names are drawn from ``ward_name_col``.
    column : str, default "gi_label"
        Column with the Gi* class labels.
    title : str
        Map title.
    ward_name_col : str, optional
        Column of ``wards_gdf`` with names (e.g. "WD25NM").
    note : str, optional
        Small source / copyright text at the foot of the figure.
    figsize : (float, float)
        Figure size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        The legend always lists all seven classes (hot 99/95/90%, not significant,
        cold 90/95/99%) so maps are comparable.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame({"gi_label": ["Cold spot 95%", "Not significant"]},
    ...     geometry=[box(0, 0, 500, 500), box(500, 0, 1000, 500)], crs="EPSG:27700")
    >>> fig = plot_hotspots(cells, cells)
    >>> len(fig.axes[0].get_legend().get_texts())
    7
    """
    _check_common(grid_gdf, boundary_gdf, wards_gdf, ward_name_col, column, title)
    _require_classes(
        grid_gdf,
        column,
        GI_COLOURS,
        "grid_gdf",
        "a value that is not a Gi* class:",
        "pass the output of gi_star().",
    )
    return _classed_map(
        grid_gdf,
        column,
        GI_COLOURS,
        list(GI_COLOURS),
        boundary_gdf,
        wards_gdf,
        ward_name_col,
        title,
        "Gi* hot spots (confidence)",
        note,
        figsize,
        "grid_gdf",
    )


def plot_kde(
    grid_gdf: gpd.GeoDataFrame,
    boundary_gdf: gpd.GeoDataFrame,
    wards_gdf: gpd.GeoDataFrame | None = None,
    column: str = "kde",
    title: str = "Crime density (kernel density estimate)",
    *,
    scheme: str = "quantiles",
    k: int = 5,
    ward_name_col: str | None = None,
    note: str | None = None,
    figsize: tuple[float, float] = MAP_FIGSIZE,
) -> Figure:
    """Map kernel density (output of :func:`sa_lib.spatial.kde.kde_grid`) in named classes.

    Cells below 1% of the peak density form a grey "Below 1% of peak" class (the
    quartic kernel is exactly zero far from any point); the rest are split into
    ``k`` classes by ``scheme`` (mapclassify) and coloured with viridis. Legend
    labels give each class's range in points per km².

    Parameters
    ----------
    grid_gdf : GeoDataFrame
        Cells with a non-negative ``kde`` column.
    boundary_gdf, wards_gdf, ward_name_col, title, note, figsize
        As :func:`plot_hotspots`.
    column : str, default "kde"
        Density column.
    scheme : {"quantiles", "fisher_jenks", "equal_interval"}
        Classification of the non-negligible densities.
    k : int, default 5
        Number of classes (fewer when there are fewer distinct values).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame({"kde": [0.0, 1.0, 2.0, 3.0]},
    ...     geometry=[box(i * 100, 0, i * 100 + 100, 100) for i in range(4)], crs="EPSG:27700")
    >>> fig = plot_kde(cells, cells, k=3)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][0]
    'Below 1% of peak'
    """
    import mapclassify
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    _check_common(grid_gdf, boundary_gdf, wards_gdf, ward_name_col, column, title)
    require_numeric(grid_gdf, column, arg="grid_gdf")
    require_choice(scheme, ["quantiles", "fisher_jenks", "equal_interval"], arg="scheme")
    require_int(k, arg="k", minimum=2)
    values = grid_gdf[column].to_numpy(dtype=float)
    if not np.isfinite(values).all() or values.max() <= 0:
        raise ValueError(
            f"grid_gdf[{column!r}] must be finite with some density above 0; got a maximum of "
            f"{np.nanmax(values)!r}.\nFix: pass the output of kde_grid()."
        )
    floor = 0.01 * values.max()
    sig = values >= floor
    n_distinct = len(np.unique(values[sig]))
    k_use = max(1, min(k, n_distinct))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mapclassify warns about duplicate breaks
        if scheme == "quantiles":
            cls = mapclassify.Quantiles(values[sig], k=k_use)
        elif scheme == "fisher_jenks":
            cls = mapclassify.FisherJenks(values[sig], k=k_use)
        else:
            cls = mapclassify.EqualInterval(values[sig], k=k_use)
    bins = np.unique(cls.bins)
    lower = np.r_[floor, bins[:-1]]
    colours = [to_hex(c) for c in plt.get_cmap(SEQUENTIAL_CMAP)(np.linspace(0.15, 1, len(bins)))]
    fmt = _number_format(bins)
    labels = ["Below 1% of peak"] + [
        f"{fmt(lo)} – {fmt(hi)} per km²" for lo, hi in zip(lower, bins, strict=True)
    ]
    palette = {labels[0]: NEUTRAL} | dict(zip(labels[1:], colours, strict=True))
    idx = np.searchsorted(bins, values, side="left").clip(max=len(bins) - 1)
    cell_colours = np.where(sig, np.array(colours)[idx], NEUTRAL)
    grid = _prepare(grid_gdf, "grid_gdf")
    fig, ax = plt.subplots(figsize=figsize)
    _fill(ax, grid, cell_colours)
    bw = ""
    if "kde_bandwidth_m" in grid_gdf.columns:
        bw = f" (bandwidth {float(grid_gdf['kde_bandwidth_m'].iloc[0]):,.0f} m)"
    return _finish(
        fig,
        ax,
        _prepare(boundary_gdf, "boundary_gdf"),
        _prepare(wards_gdf, "wards_gdf"),
        ward_name_col,
        title,
        _patches(palette, labels),
        f"Density{bw}",
        note,
    )


def _number_format(bins: np.ndarray):
    """Format each break with about 2-3 significant figures (527, 24.1, 4.62)."""

    def fmt(v: float) -> str:
        if abs(v) >= 100:
            return f"{v:,.0f}"
        return f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}"

    return fmt


def plot_emerging(
    grid_gdf: gpd.GeoDataFrame,
    boundary_gdf: gpd.GeoDataFrame,
    wards_gdf: gpd.GeoDataFrame | None = None,
    column: str = "csp_category",
    title: str = "Emerging hot spots",
    *,
    ward_name_col: str | None = None,
    note: str | None = None,
    figsize: tuple[float, float] = MAP_FIGSIZE,
) -> Figure:
    """Map emerging hot-spot categories (output of :func:`sa_lib.spatial.emerging.emerging_hotspots`).

    Parameters
    ----------
    grid_gdf : GeoDataFrame
        Cells with ``csp_category``, ``ehsa_category`` or ``simple_category``.
    column : {"csp_category", "ehsa_category", "simple_category"}
        Which classification to map. For ``csp_category`` the legend always lists
        Sustaining, Emerging, Preventing and No pattern; for the other two it lists
        the categories present (in their standard order), hot ones in oranges and
        cold ones in blues.
    boundary_gdf, wards_gdf, ward_name_col, title, note, figsize
        As :func:`plot_hotspots`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame({"csp_category": ["Emerging", "No pattern"]},
    ...     geometry=[box(0, 0, 500, 500), box(500, 0, 1000, 500)], crs="EPSG:27700")
    >>> fig = plot_emerging(cells, cells)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['Sustaining', 'Emerging', 'Preventing', 'No pattern']
    """
    require_choice(column, ["csp_category", "ehsa_category", "simple_category"], arg="column")
    _check_common(grid_gdf, boundary_gdf, wards_gdf, ward_name_col, column, title)
    allowed = {
        "csp_category": CSP_CATEGORIES,
        "ehsa_category": EHSA_CATEGORIES,
        "simple_category": SIMPLE_CATEGORIES,
    }[column]
    _require_classes(
        grid_gdf,
        column,
        allowed,
        "grid_gdf",
        "an unknown category",
        "pass the output of emerging_hotspots().",
    )
    hatches = None
    if column == "csp_category":
        colours = CSP_COLOURS
        labels = list(CSP_COLOURS)
        legend_title = "CSP priority"
        hatches = CSP_HATCHES
    else:
        present = set(grid_gdf[column])
        labels = [c for c in allowed if c in present]
        # Shades spread over the categories present, so neighbouring classes differ.
        colours = _family_colours(labels)
        legend_title = (
            "Emerging hot spot analysis" if column == "ehsa_category" else "Hot-spot pattern"
        )
    return _classed_map(
        grid_gdf,
        column,
        colours,
        labels,
        boundary_gdf,
        wards_gdf,
        ward_name_col,
        title,
        legend_title,
        note,
        figsize,
        "grid_gdf",
        hatches,
    )


def plot_cell_counts(
    grid_gdf: gpd.GeoDataFrame,
    boundary_gdf: gpd.GeoDataFrame,
    wards_gdf: gpd.GeoDataFrame | None = None,
    column: str = "count",
    title: str = "Crimes per grid cell",
    *,
    threshold: int = 10,
    k: int = 4,
    ward_name_col: str | None = None,
    note: str | None = None,
    figsize: tuple[float, float] = MAP_FIGSIZE,
) -> Figure:
    """Map counts per cell in bands that never show a count below the disclosure threshold.

    Cells with no crimes are grey, cells with 1 to ``threshold - 1`` form one band
    ("Fewer than 10"), and the cells at or above the threshold are split into up
    to ``k`` quantile bands labelled with whole-number ranges ("10 to 24"), so the
    map reveals nothing a suppressed table would hide.

    Parameters
    ----------
    grid_gdf : GeoDataFrame
        Cells with a non-negative whole-number ``column`` (from
        :func:`sa_lib.spatial.grids.count_points`).
    threshold : int, default 10
        Disclosure threshold (``ctx.disclosure.threshold``).
    k : int, default 4
        Bands above the threshold (fewer when there are fewer distinct counts).
    boundary_gdf, wards_gdf, ward_name_col, title, note, figsize
        As :func:`plot_hotspots`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> cells = gpd.GeoDataFrame({"count": [0, 3, 12, 40]},
    ...     geometry=[box(i * 100, 0, i * 100 + 100, 100) for i in range(4)], crs="EPSG:27700")
    >>> fig = plot_cell_counts(cells, cells, k=2)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['None', 'Fewer than 10', '10 to 26', '27 to 40']
    """
    import mapclassify
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    _check_common(grid_gdf, boundary_gdf, wards_gdf, ward_name_col, column, title)
    require_numeric(grid_gdf, column, arg="grid_gdf")
    require_int(threshold, arg="threshold", minimum=1)
    require_int(k, arg="k", minimum=1)
    values = grid_gdf[column].to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        row = grid_gdf.index[int(np.argmax(~np.isfinite(values) | (values < 0)))]
        raise ValueError(
            f"grid_gdf[{column!r}] must hold non-negative counts; found "
            f"{values[grid_gdf.index.get_loc(row)]:g} at row {row!r}.\nFix: pass the output of count_points()."
        )
    labels = ["None", f"Fewer than {threshold}"]
    colours = [NEUTRAL, "#F0F0C0"]
    cls = np.where(values == 0, 0, 1)
    big = values >= threshold
    if big.any():
        distinct = np.unique(values[big])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bins = np.unique(
                mapclassify.Quantiles(values[big], k=max(1, min(k, len(distinct)))).bins
            )
        bins = np.unique(np.floor(bins))
        lower = np.r_[threshold, bins[:-1] + 1]
        ramp = plt.get_cmap(SEQUENTIAL_CMAP)(np.linspace(0.85, 0.05, len(bins)))
        for lo, hi, c in zip(lower, bins, ramp, strict=True):
            labels.append(f"{lo:,.0f} to {hi:,.0f}" if hi > lo else f"{hi:,.0f}")
            colours.append(to_hex(c))
        cls = np.where(big, 2 + np.searchsorted(bins, values, side="left"), cls)
    palette = np.array(colours)
    grid = _prepare(grid_gdf, "grid_gdf")
    fig, ax = plt.subplots(figsize=figsize)
    _fill(ax, grid, palette[cls])
    return _finish(
        fig,
        ax,
        _prepare(boundary_gdf, "boundary_gdf"),
        _prepare(wards_gdf, "wards_gdf"),
        ward_name_col,
        title,
        _patches(dict(zip(labels, colours, strict=True)), labels),
        "Crimes per cell",
        note,
    )


#: ``change_class`` (from :func:`sa_lib.spatial.hotspots.compare_areas_change`) -> colour.
CHANGE_COLOURS: dict[str, str] = {
    "Significant increase": HOT,
    "No significant change": NEUTRAL,
    "Significant decrease": COLD,
}


def plot_change(
    areas_gdf: gpd.GeoDataFrame,
    boundary_gdf: gpd.GeoDataFrame,
    column: str = "change_class",
    title: str = "Change between periods",
    *,
    name_col: str | None = None,
    note: str | None = None,
    figsize: tuple[float, float] = MAP_FIGSIZE,
) -> Figure:
    """Map tested change per area (output of :func:`sa_lib.spatial.hotspots.compare_areas_change`).

    Areas are coloured by class only (significant increase / no significant
    change / significant decrease), outlined and labelled by name; no counts are
    drawn.

    Parameters
    ----------
    areas_gdf : GeoDataFrame
        Areas (e.g. wards) with ``column`` holding one of :data:`CHANGE_COLOURS`.
    name_col : str, optional
        Column of names written on the map.
    boundary_gdf, title, note, figsize
        As :func:`plot_hotspots`.

    Returns
    -------
    matplotlib.figure.Figure
        The legend always lists all three classes.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> w = gpd.GeoDataFrame({"name": ["A", "B"],
    ...     "change_class": ["Significant increase", "No significant change"]},
    ...     geometry=[box(0, 0, 500, 500), box(500, 0, 1000, 500)], crs="EPSG:27700")
    >>> fig = plot_change(w, w, name_col="name")
    >>> len(fig.axes[0].get_legend().get_texts())
    3
    """
    _check_common(areas_gdf, boundary_gdf, areas_gdf, name_col, column, title)
    _require_classes(
        areas_gdf,
        column,
        CHANGE_COLOURS,
        "areas_gdf",
        "an unknown class",
        "pass the output of compare_areas_change().",
    )
    return _classed_map(
        areas_gdf,
        column,
        CHANGE_COLOURS,
        list(CHANGE_COLOURS),
        boundary_gdf,
        areas_gdf if name_col is not None else None,
        name_col,
        title,
        "Change (tested)",
        note,
        figsize,
        "areas_gdf",
    )
