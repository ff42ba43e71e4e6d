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

import math

import geopandas as gpd
import mapclassify
import matplotlib.patheffects as pe
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sa_lib.choices import record_choice
from sa_lib.style import SEQUENTIAL_CMAP
from sa_lib.validation import require_choice, require_columns, require_geodataframe, require_numeric

__all__ = ["choropleth", "add_north_arrow", "add_scale_bar", "label_areas"]


def add_north_arrow(ax, x: float = 0.95, y: float = 0.93) -> None:
    """Draw a simple north arrow in axes coordinates (British National Grid north is up)."""
    ax.annotate(
        "N",
        xy=(x, y),
        xytext=(x, y - 0.09),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=11,
        fontweight="bold",
        arrowprops={"facecolor": "black", "width": 3, "headwidth": 9, "headlength": 9},
    )


def _nice_length(max_len: float) -> float:
    exp = 10 ** math.floor(math.log10(max_len))
    for m in (5, 2, 1):
        if m * exp <= max_len:
            return m * exp
    return exp


def add_scale_bar(ax, fraction: float = 0.25) -> str:
    """Draw a scale bar (metres in a projected CRS) at the bottom left; return its label."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = _nice_length((x1 - x0) * fraction)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bx, by = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.04
    ax.plot([bx, bx + length], [by, by], color="black", lw=3, solid_capstyle="butt")
    ax.text(bx + length / 2, by + (y1 - y0) * 0.015, label, ha="center", va="bottom", fontsize=8)
    return label


def label_areas(ax, gdf: gpd.GeoDataFrame, label_col: str, fontsize: float = 6.5) -> None:
    """Write each area's name at a point inside it, with a white halo for legibility."""
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
    figsize: tuple[float, float] = (8, 8),
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
                part.plot(ax=ax, color=colors[i], edgecolor="white", linewidth=0.6)
            lo = lower if i == 0 else bins[i - 1]
            handles.append(
                Patch(
                    facecolor=colors[i],
                    edgecolor="0.5",
                    label=f"{fmt.format(lo)} to {fmt.format(bins[i])}",
                )
            )
    if (~valid).any():
        g[~valid].plot(ax=ax, color="white", edgecolor="0.6", hatch="///", linewidth=0.6)
        handles.append(
            Patch(facecolor="white", edgecolor="0.6", hatch="///", label="not shown / no data")
        )
    if boundary is not None:
        boundary.to_crs(g.crs).boundary.plot(ax=ax, color="black", linewidth=1.2)
    if label_col:
        label_areas(ax, g, label_col)
    ax.set_axis_off()
    ax.set_aspect("equal")
    add_north_arrow(ax)
    add_scale_bar(ax)
    ax.legend(
        handles=handles,
        title=legend_title or column,
        loc="lower right",
        fontsize=8,
        title_fontsize=9,
        frameon=True,
    )
    if title:
        ax.set_title(title, loc="left")
    fig.tight_layout()
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
            fontsize=8,
            title=old.get_title().get_text(),
            title_fontsize=9,
        )
    else:
        ax.legend(fontsize=8)


def _svg_path(geom, tx) -> str:
    def ring(coords):
        pts = [tx(x, y) for x, y in coords]
        return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z"

    polys = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    parts = []
    for p in polys:
        if p.geom_type != "Polygon":
            continue
        parts.append(ring(p.exterior.coords))
        parts.extend(ring(i.coords) for i in p.interiors)
    return "".join(parts)


def svg_choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    label_col: str,
    tooltip_cols: dict[str, str] | None = None,
    boundary: gpd.GeoDataFrame | None = None,
    k: int = 5,
    fmt: str = "{:.1f}",
    title: str = "",
    legend_title: str | None = None,
    width: int = 760,
    simplify_m: float = 25.0,
) -> str:
    """An interactive choropleth as inline SVG: hover an area for its figures.

    Needs no JavaScript, web fonts or map tiles, so it works offline in any
    browser, including on locked-down laptops, and prints as crisp vectors. Areas
    are classed by quantiles (as :func:`choropleth`), named on the map, and carry a
    ``<title>`` tooltip with ``label_col`` and the ``tooltip_cols`` (already formatted
    text: pass only disclosure-safe values). A north arrow and scale bar are drawn.

    Parameters
    ----------
    gdf : GeoDataFrame
        Areas in a projected CRS (metres).
    column : str
        Numeric value to class and colour (NaN: hatched grey, "not shown").
    label_col : str
        Area names.
    tooltip_cols : dict, optional
        ``{heading: column}`` of text shown in each area's tooltip.
    simplify_m : float
        Geometry simplification tolerance in metres (keeps the page small).

    Returns
    -------
    str
        An ``<svg>`` element.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> g = gpd.GeoDataFrame({"name": ["A", "B"], "rate": [1.0, 2.0]},
    ...                      geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=27700)
    >>> svg = svg_choropleth(g, "rate", label_col="name", k=2)
    >>> svg.startswith("<svg") and svg.count("<title>") == 2
    True
    """
    import html as _h

    import matplotlib.colors as mcolors

    require_geodataframe(gdf, "gdf")
    require_numeric(gdf, column, arg="gdf")
    require_columns(gdf, [label_col, *(tooltip_cols or {}).values()], arg="gdf")
    g = gdf if gdf.crs.is_projected else gdf.to_crs(27700)
    minx, miny, maxx, maxy = g.total_bounds
    pad = 0.03 * max(maxx - minx, maxy - miny)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    scale = width / (maxx - minx)
    height = int((maxy - miny) * scale)

    def tx(x, y):
        return (x - minx) * scale, (maxy - y) * scale

    vals = g[column].astype("float64")
    valid = vals.notna()
    k_eff = int(min(k, max(1, vals[valid].nunique())))
    colours = [
        mcolors.to_hex(c) for c in plt.get_cmap(SEQUENTIAL_CMAP)(np.linspace(0.1, 0.95, k_eff))
    ]
    cls = np.full(len(g), -1)
    legend = []
    if valid.any():
        q = mapclassify.Quantiles(vals[valid].to_numpy(), k=k_eff)
        cls[valid.to_numpy()] = q.yb
        lo = vals[valid].min()
        for i, b in enumerate(q.bins):
            legend.append(
                (colours[i], f"{fmt.format(lo if i == 0 else q.bins[i - 1])} to {fmt.format(b)}")
            )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sa-svgmap" role="img" viewBox="0 0 {width} {height + 40}" '
        f'width="100%" style="max-width:{width}px" aria-label="{_h.escape(title or column)}">',
        '<defs><pattern id="sa-hatch" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<path d="M0,6 L6,0" stroke="#999" stroke-width="1"/></pattern></defs>',
        "<style>.sa-area{stroke:#fff;stroke-width:1}.sa-area:hover{stroke:#000;stroke-width:2.5}"
        ".sa-lab{font:10px sans-serif;pointer-events:none;paint-order:stroke;stroke:#fff;stroke-width:3px}</style>",
    ]
    if title:
        parts.append(
            f'<text x="4" y="{height + 32}" style="font:bold 13px sans-serif">{_h.escape(title)}</text>'
        )
    for i, (_, row) in enumerate(g.iterrows()):
        geom = row.geometry.simplify(simplify_m, preserve_topology=True)
        fill = colours[cls[i]] if cls[i] >= 0 else "url(#sa-hatch)"
        tip = [str(row[label_col])] + [f"{h}: {row[c]}" for h, c in (tooltip_cols or {}).items()]
        parts.append(
            f'<path class="sa-area" fill="{fill}" d="{_svg_path(geom, tx)}"><title>{_h.escape(chr(10).join(tip))}</title></path>'
        )
    if boundary is not None:
        b = boundary.to_crs(g.crs).union_all().simplify(simplify_m)
        parts.append(f'<path d="{_svg_path(b, tx)}" fill="none" stroke="#000" stroke-width="1.5"/>')
    items = []
    for _, row in g.iterrows():
        pt = row.geometry.representative_point()
        x, y = tx(pt.x, pt.y)
        items.append((x, y, str(row[label_col]), float(row.geometry.area)))
    key = []
    for lab in place_labels(items):
        if lab["number"] is not None:
            key.append(f"{lab['number']}: {lab['name']}")
        if lab["leader"] is not None:
            (x0, y0), (x1, y1) = lab["leader"]
            parts.append(
                f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#333" stroke-width="0.8"/>'
            )
        spans = "".join(
            f'<tspan x="{lab["x"]:.1f}" dy="{0 if j == 0 else 11}">{_h.escape(t)}</tspan>'
            for j, t in enumerate(lab["lines"])
        )
        parts.append(
            f'<text class="sa-lab" x="{lab["x"]:.1f}" y="{lab["y"]:.1f}" text-anchor="middle">{spans}</text>'
        )
    if key:
        # Names that fit nowhere on the map are numbered there and listed under it.
        per_row = 3
        for j in range(0, len(key), per_row):
            row_text = "   ".join(key[j : j + per_row])
            parts.append(
                f'<text x="4" y="{height + 52 + 14 * (j // per_row)}" style="font:11px sans-serif">{_h.escape(row_text)}</text>'
            )
        extra = 14 * ((len(key) + per_row - 1) // per_row) + 16
        parts[0] = parts[0].replace(
            f'viewBox="0 0 {width} {height + 40}"', f'viewBox="0 0 {width} {height + 40 + extra}"'
        )
    # Legend, north arrow and scale bar.
    lx, ly = width - 190, height - 18 * (len(legend) + 2)
    parts.append(
        f'<text x="{lx}" y="{ly}" style="font:bold 11px sans-serif">{_h.escape(legend_title or column)}</text>'
    )
    for j, (c, lab) in enumerate(legend):
        yy = ly + 8 + 18 * j
        parts.append(
            f'<rect x="{lx}" y="{yy}" width="14" height="12" fill="{c}"/><text x="{lx + 20}" y="{yy + 10}" style="font:11px sans-serif">{_h.escape(lab)}</text>'
        )
    if (~valid).any():
        yy = ly + 8 + 18 * len(legend)
        parts.append(
            f'<rect x="{lx}" y="{yy}" width="14" height="12" fill="url(#sa-hatch)" stroke="#999"/><text x="{lx + 20}" y="{yy + 10}" style="font:11px sans-serif">not shown / no data</text>'
        )
    parts.append(
        f'<g transform="translate({width - 30},20)"><path d="M0,0 L7,20 L0,15 L-7,20 Z" fill="#000"/>'
        '<text x="0" y="34" text-anchor="middle" style="font:bold 12px sans-serif">N</text></g>'
    )
    length = _nice_length((maxx - minx) * 0.25)
    px = length * scale
    lab = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    parts.append(
        f'<g transform="translate(12,{height - 14})"><rect width="{px:.1f}" height="4" fill="#000"/>'
        f'<text x="{px / 2:.1f}" y="-4" text-anchor="middle" style="font:11px sans-serif">{lab}</text></g>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _wrap(name: str, width: int = 16) -> list[str]:
    if len(name) <= width:
        return [name]
    for sep in (" & ", ", ", " and ", "-cum-", " "):
        if sep in name:
            i = name.find(sep, len(name) // 3)
            if i < 0:
                i = name.find(sep)
            keep = sep.strip() if sep.strip() in ("&", "and") else sep.rstrip()
            first = name[:i] + (keep if keep in (",", "-cum-") else "")
            rest = name[i + len(sep) :]
            if keep in ("&", "and"):
                rest = f"{keep} {rest}"
            return [first.strip(), rest.strip()]
    return [name]


def place_labels(
    items: list[tuple[float, float, str, float]], char_w: float = 5.6, line_h: float = 11
) -> list[dict]:
    """Place map labels so that none overlaps another (largest areas first).

    Each label tries its point, then nearby positions (joined to the point by a
    leader line); a label that fits nowhere becomes a number at its point, listed in
    a key under the map. Long names wrap onto two lines.

    Parameters
    ----------
    items : list of (x, y, name, area)
        Label anchor points in SVG coordinates, the text, and a priority (area).

    Returns
    -------
    list of dict
        ``x``, ``y`` (text anchor), ``lines``, ``name``, ``leader`` (``((x0, y0), (x1, y1))``
        or None), ``number`` (int when shown as a number) and ``box``.

    Examples
    --------
    >>> labs = place_labels([(100, 100, "Alpha", 5.0), (102, 101, "Beta", 1.0)])
    >>> [(lab["name"], lab["leader"] is not None) for lab in labs]
    [('Alpha', False), ('Beta', True)]
    >>> a, b = labs[0]["box"], labs[1]["box"]
    >>> a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
    True
    """

    def box(x, y, lines):
        w = max(len(t) for t in lines) * char_w + 4
        return (x - w / 2, y - line_h * 0.85, x + w / 2, y + line_h * (len(lines) - 1) + 3)

    def free(b, boxes):
        return all(b[2] <= o[0] or o[2] <= b[0] or b[3] <= o[1] or o[3] <= b[1] for o in boxes)

    boxes: list[tuple] = []
    out = []
    number = 0
    for x, y, name, _ in sorted(items, key=lambda t: -t[3]):
        lines = _wrap(name)
        h = line_h * len(lines)
        w = max(len(t) for t in lines) * char_w
        placed = None
        for dx, dy in [
            (0, 0), (0, -h - 2), (0, h + 2), (w * 0.6, 0), (-w * 0.6, 0),
            (w * 0.5, -h - 2), (-w * 0.5, -h - 2), (w * 0.5, h + 2), (-w * 0.5, h + 2),
            (0, -2 * h - 4), (0, 2 * h + 4),
        ]:  # fmt: skip
            b = box(x + dx, y + dy, lines)
            if free(b, boxes):
                placed = (
                    x + dx,
                    y + dy,
                    b,
                    None if dx == dy == 0 else ((x, y), (x + dx, y + dy - 3)),
                )
                break
        if placed is None:
            number += 1
            lines = [str(number)]
            b = box(x, y, lines)
            placed = (x, y, b, None)
            out.append(
                {
                    "x": x,
                    "y": y,
                    "lines": lines,
                    "name": name,
                    "leader": None,
                    "number": number,
                    "box": b,
                }
            )
        else:
            px, py, b, leader = placed
            out.append(
                {
                    "x": px,
                    "y": py,
                    "lines": lines,
                    "name": name,
                    "leader": leader,
                    "number": None,
                    "box": b,
                }
            )
        boxes.append(b)
    return out
