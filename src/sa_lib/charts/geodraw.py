"""Polygons and outlines drawn as one matplotlib collection, read from shapely in bulk.

``GeoDataFrame.plot`` builds a ``PathPatch`` per polygon from its rings in Python (a
pack draws thousands); here every ring's coordinates are read in one vectorised call and
each geometry becomes one compound path (exterior and holes, as geopandas draws it) of a
single collection, with the same colours, edges, z-order, aspect and data limits.
Outlines (a polygon's boundary) are its lines as one ``LineCollection``, as
``gdf.boundary.plot`` draws them. The outline of a CSP or its wards, drawn on several
maps of a pack, is kept per process (a few geometries, bounded).

>>> import geopandas as gpd
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> from shapely.geometry import box
>>> g = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1).difference(box(0.4, 0.4, 0.6, 0.6))])
>>> fig, ax = plt.subplots()
>>> coll = draw_polygons(ax, g, facecolor="red", edgecolor="white", linewidth=0.6)
>>> [len(p.vertices) for p in coll.get_paths()]
[10]
>>> len(draw_outline(ax, g, color="black", linewidth=1.2).get_segments())
2
>>> plt.close(fig)
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import numpy as np

_CACHE_MAX = 16
_ring_cache: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()


def _geoms(obj) -> np.ndarray:
    geo = getattr(obj, "geometry", obj)
    return np.asarray(getattr(geo, "values", geo), dtype=object)


def _rings(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring's coordinates: ``(xy, ring of each vertex, geometry of each ring)``,
    rings in geopandas' order (each part's exterior, then its holes)."""
    import shapely

    # Normalised first, as geopandas does: exteriors clockwise, holes anticlockwise.
    parts, part_geom = shapely.get_parts(shapely.normalize(geoms), return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, vert_ring = shapely.get_coordinates(rings, return_index=True)
    return xy, vert_ring, part_geom[ring_part]


def _boundary_lines(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The boundaries' line coordinates ``(xy, line of each vertex)``, in the order
    ``GeoSeries.boundary.plot`` draws them (GEOS' boundary, normalised, split into its parts)."""
    import shapely

    lines = shapely.get_parts(shapely.normalize(shapely.boundary(geoms)))
    return shapely.get_coordinates(lines, return_index=True)


def _cached_lines(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import shapely

    key = hashlib.blake2b(b"".join(shapely.to_wkb(geoms)), digest_size=16).hexdigest()
    hit = _ring_cache.get(key)
    if hit is not None:
        _ring_cache.move_to_end(key)
        return hit
    out = _boundary_lines(geoms)
    _ring_cache[key] = out
    while len(_ring_cache) > _CACHE_MAX:
        _ring_cache.popitem(last=False)
    return out


_union_cache: OrderedDict[str, object] = OrderedDict()


def union_outline(obj):
    """``obj.geometry.union_all()``, kept per process for the last few geometries given
    (a CSP's boundary as LSOAs is dissolved once for every map of its pack)."""
    import shapely

    geoms = _geoms(obj)
    key = hashlib.blake2b(b"".join(shapely.to_wkb(geoms)), digest_size=16).hexdigest()
    hit = _union_cache.get(key)
    if hit is not None:
        _union_cache.move_to_end(key)
        return hit
    out = obj.geometry.union_all()
    _union_cache[key] = out
    while len(_union_cache) > _CACHE_MAX:
        _union_cache.popitem(last=False)
    return out


def _equal_aspect(ax, obj) -> None:
    crs = getattr(obj, "crs", None)
    if crs is None or not crs.is_geographic:
        ax.set_aspect("equal")
    else:  # as geopandas: the latitude's stretch
        y = np.mean(obj.total_bounds[[1, 3]])
        ax.set_aspect(1 / np.cos(y * np.pi / 180))


def draw_polygons(ax, obj, *, facecolor=None, color=None, zorder=None, **kwargs):
    """Draw (Multi)Polygons as ``obj.plot(ax=ax, color=..., **kwargs)`` draws them.

    ``color`` (or ``facecolor``) is one colour or one per geometry; other keywords
    (``edgecolor``, ``linewidth``, ``hatch``, ``alpha``) go to the collection.
    Returns the collection (None when there is nothing to draw).
    """
    import shapely
    from matplotlib.collections import PathCollection
    from matplotlib.path import Path

    geoms = _geoms(obj)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if color is not None:
        facecolor = color
    if facecolor is not None and not isinstance(facecolor, str) and len(facecolor) == len(geoms):
        arr = (
            np.asarray(facecolor, dtype=object)
            if not isinstance(facecolor, np.ndarray)
            else facecolor
        )
        facecolor = list(arr[keep]) if arr.dtype == object else arr[keep]
    geoms = geoms[keep]
    if len(geoms) == 0:
        return None
    _equal_aspect(ax, obj)
    xy, vert_ring, ring_geom = _rings(geoms)
    # Each ring: MOVETO, LINETO..., CLOSEPOLY on its last (repeated) vertex.
    codes = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
    starts = np.r_[0, np.flatnonzero(np.diff(vert_ring)) + 1]
    codes[starts] = Path.MOVETO
    codes[np.r_[starts[1:] - 1, len(xy) - 1]] = Path.CLOSEPOLY
    vert_geom = ring_geom[vert_ring]
    bounds = np.r_[0, np.flatnonzero(np.diff(vert_geom)) + 1, len(xy)].tolist()
    # The codes are valid by construction: skip Path's checks where matplotlib allows.
    make = getattr(Path, "_fast_from_codes_and_verts", None) or (lambda v, c: Path(v, c))
    xy = np.ascontiguousarray(xy, dtype=float)
    paths = [make(xy[a:b], codes[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    kw = dict(kwargs)
    if zorder is not None:
        kw["zorder"] = zorder
    coll = PathCollection(paths, facecolor=facecolor, **kw)
    ax.add_collection(coll, autolim=True)
    ax.autoscale_view()
    return coll


def draw_outline(ax, obj, *, cache: bool = False, **kwargs):
    """Draw polygons' boundaries as ``obj.boundary.plot(ax=ax, **kwargs)`` draws them.

    ``cache``: keep the rings per process (a CSP's outline or wards, drawn on several
    maps of a pack). Returns the ``LineCollection`` (None when there is nothing to draw).
    """
    import shapely
    from matplotlib.collections import LineCollection

    geoms = _geoms(obj)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) == 0:
        return None
    _equal_aspect(ax, obj)
    xy, vert_ring = _cached_lines(geoms) if cache else _boundary_lines(geoms)
    cuts = np.flatnonzero(np.diff(vert_ring)) + 1
    coll = LineCollection(np.split(xy[:, :2], cuts), **kwargs)
    ax.add_collection(coll, autolim=True)
    ax.autoscale_view()
    return coll
