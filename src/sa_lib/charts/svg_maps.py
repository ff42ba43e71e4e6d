"""Interactive choropleths as inline SVG: hover an area for its figures.

No JavaScript, web fonts or map tiles, so they work offline in any browser and print
as crisp vectors. Labels are placed by :func:`sa_lib.spatial.map_layout.place_labels`.

Examples
--------
>>> import geopandas as gpd
>>> from shapely.geometry import box
>>> g = gpd.GeoDataFrame({"name": ["A", "B"], "rate": [1.0, 2.0]},
...                      geometry=[box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000)], crs=27700)
>>> svg_choropleth(g, "rate", label_col="name", k=2).count("<title>")
2
"""

from __future__ import annotations

import html as _h

import geopandas as gpd
import numpy as np

from sa_lib.spatial.map_layout import nice_length, place_labels
from sa_lib.style import SEQUENTIAL_CMAP
from sa_lib.validation import require_columns, require_geodataframe, require_numeric

__all__ = ["svg_choropleth", "SVG_TEXT"]

#: Text sizes in SVG units (CSS px on a screen showing the map 760 px wide): area names,
#: legend, title and the key of numbered names. Printed on A4 the map is scaled to the
#: print stylesheet's size (``svg.sa-svgmap``, furniture.css); at these sizes no map text
#: prints under 7 pt (tests/test_map_print.py works it out from the SVG, not from pixels).
SVG_TEXT: dict[str, int] = {"label": 15, "legend": 15, "title": 16, "key": 15}
#: Spacing of the legend rows and of the lines of a label, in SVG units.
_ROW = SVG_TEXT["legend"] + 6
_LINE = SVG_TEXT["label"] + 1


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


def _classes(vals, k: int, fmt: str):
    """Quantile classes of ``vals``: which rows are valid, the class colours, each row's class (-1: none) and the legend."""
    import mapclassify
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    vals = vals.astype("float64")
    valid = vals.notna()
    k_eff = int(min(k, max(1, vals[valid].nunique())))
    colours = [
        mcolors.to_hex(c) for c in plt.get_cmap(SEQUENTIAL_CMAP)(np.linspace(0.1, 0.95, k_eff))
    ]
    cls = np.full(len(vals), -1)
    legend = []
    if valid.any():
        q = mapclassify.Quantiles(vals[valid].to_numpy(), k=k_eff)
        cls[valid.to_numpy()] = q.yb
        lo = vals[valid].min()
        for i, b in enumerate(q.bins):
            legend.append(
                (colours[i], f"{fmt.format(lo if i == 0 else q.bins[i - 1])} to {fmt.format(b)}")
            )
    return valid, colours, cls, legend


def _add_labels(parts: list[str], g, label_col: str, tx, width: int, height: int) -> None:
    """Area names placed without overlaps; those that fit nowhere are numbered and keyed under the map."""
    items = []
    for _, row in g.iterrows():
        pt = row.geometry.representative_point()
        x, y = tx(pt.x, pt.y)
        items.append((x, y, str(row[label_col]), float(row.geometry.area)))
    key = []
    for lab in place_labels(items, char_w=0.56 * SVG_TEXT["label"], line_h=_LINE):
        if lab["number"] is not None:
            key.append(f"{lab['number']}: {lab['name']}")
        if lab["leader"] is not None:
            (x0, y0), (x1, y1) = lab["leader"]
            parts.append(
                f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#333" stroke-width="0.8"/>'
            )
        spans = "".join(
            f'<tspan x="{lab["x"]:.1f}" dy="{0 if j == 0 else _LINE}">{_h.escape(t)}</tspan>'
            for j, t in enumerate(lab["lines"])
        )
        # A name that fits nowhere is a number keyed under the map: a ward number, not a count.
        mark = "" if lab["number"] is None else ' data-sa-not-count=""'
        parts.append(
            f'<text class="sa-lab"{mark} x="{lab["x"]:.1f}" y="{lab["y"]:.1f}" text-anchor="middle">{spans}</text>'
        )
    if key:
        # Names that fit nowhere on the map are numbered there and listed under it.
        per_row = 3
        for j in range(0, len(key), per_row):
            row_text = "   ".join(key[j : j + per_row])
            parts.append(
                f'<text x="4" y="{height + 56 + _LINE * (j // per_row)}" style="font:{SVG_TEXT["key"]}px sans-serif">{_h.escape(row_text)}</text>'
            )
        extra = _LINE * ((len(key) + per_row - 1) // per_row) + 20
        parts[0] = parts[0].replace(
            f'viewBox="0 0 {width} {height + 40}"', f'viewBox="0 0 {width} {height + 40 + extra}"'
        )


def _add_furniture(
    parts: list[str],
    legend,
    valid,
    heading: str,
    width: int,
    height: int,
    length_m: float,
    scale: float,
) -> None:
    """Legend, north arrow and scale bar."""
    # Legend, north arrow and scale bar.
    font = f"font:{SVG_TEXT['legend']}px sans-serif"
    lx = width - max(200, int(0.6 * SVG_TEXT["legend"] * len(heading)) + 8)
    ly = height - _ROW * (len(legend) + 2)
    parts.append(
        f'<text x="{lx}" y="{ly}" style="font:bold {SVG_TEXT["legend"]}px sans-serif">{_h.escape(heading)}</text>'
    )
    for j, (c, lab) in enumerate(legend):
        yy = ly + 8 + _ROW * j
        parts.append(
            f'<rect x="{lx}" y="{yy}" width="16" height="14" fill="{c}"/><text x="{lx + 22}" y="{yy + 12}" style="{font}">{_h.escape(lab)}</text>'
        )
    if (~valid).any():
        yy = ly + 8 + _ROW * len(legend)
        parts.append(
            f'<rect x="{lx}" y="{yy}" width="16" height="14" fill="url(#sa-hatch)" stroke="#999"/><text x="{lx + 22}" y="{yy + 12}" style="{font}">not shown / no data</text>'
        )
    parts.append(
        f'<g transform="translate({width - 30},20)"><path d="M0,0 L7,20 L0,15 L-7,20 Z" fill="#000"/>'
        '<text x="0" y="36" text-anchor="middle" style="font:bold 16px sans-serif">N</text></g>'
    )
    length = nice_length(length_m)
    px = length * scale
    lab = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    parts.append(
        f'<g transform="translate(12,{height - 14})"><rect width="{px:.1f}" height="4" fill="#000"/>'
        f'<text x="{px / 2:.1f}" y="-4" text-anchor="middle" style="{font}">{lab}</text></g>'
    )


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

    valid, colours, cls, legend = _classes(g[column].astype("float64"), k, fmt)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sa-svgmap" role="img" viewBox="0 0 {width} {height + 40}" '
        f'width="100%" style="max-width:{width}px" aria-label="{_h.escape(title or column)}">',
        '<defs><pattern id="sa-hatch" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<path d="M0,6 L6,0" stroke="#999" stroke-width="1"/></pattern></defs>',
        "<style>.sa-area{stroke:#fff;stroke-width:1}.sa-area:hover{stroke:#000;stroke-width:2.5}"
        f".sa-lab{{font:{SVG_TEXT['label']}px sans-serif;pointer-events:none;paint-order:stroke;stroke:#fff;stroke-width:3px}}</style>",
    ]
    if title:
        parts.append(
            f'<text x="4" y="{height + 32}" style="font:bold {SVG_TEXT["title"]}px sans-serif">{_h.escape(title)}</text>'
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
    _add_labels(parts, g, label_col, tx, width, height)

    _add_furniture(
        parts, legend, valid, legend_title or column, width, height, (maxx - minx) * 0.25, scale
    )

    parts.append("</svg>")
    return "".join(parts)
