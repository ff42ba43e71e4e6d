"""Per-map CPU before and after drawing polygons as one collection, interleaved in one process.

Huntingdonshire's national geography (LSOAs, wards, the CSP as LSOAs): an LSOA
choropleth with the CSP outline, and a Gi* hot-spot map on a 250 m grid with ward
outlines and names, its cells whole squares or clipped to the district (polygons with
ragged edges, drawn by geopandas before this change). "before" draws each layer with geopandas (``GeoDataFrame.plot``, a
patch per polygon; ``.boundary.plot``; the outline dissolved on every map), "now" with
``sa_lib.charts.geodraw``. Both saved with ``charts.png.png_bytes`` under
``quiet_geopandas``. Median CPU seconds of 5 runs each.
Run: ``.venv/bin/python scripts/bench_maps.py``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main() -> int:
    import geopandas as gpd
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from shapely.geometry import box

    from sa_lib import style
    from sa_lib.charts import geodraw, hotspot_maps, maps
    from sa_lib.charts.png import png_bytes, quiet_geopandas
    from sa_lib.data.geography import build_geography

    style.apply()
    geo = build_geography(["E07000011"], "national", "national")
    lsoas = geo.lsoas.to_crs(27700)
    wards = geo.wards.to_crs(27700)
    rng = np.random.default_rng(0)
    lsoas["rate"] = rng.gamma(2.0, 10.0, len(lsoas))
    x0, y0, x1, y1 = lsoas.total_bounds
    cells = [
        box(x, y, x + 250, y + 250) for x in np.arange(x0, x1, 250) for y in np.arange(y0, y1, 250)
    ]
    grid = gpd.GeoDataFrame(geometry=cells, crs=27700)
    grid = grid[grid.intersects(lsoas.union_all())].reset_index(drop=True)
    labels = list(hotspot_maps.GI_LABELS.values())
    grid["gi_label"] = [labels[i] for i in rng.integers(0, len(labels), len(grid))]

    def old_polygons(ax, obj, **kw):
        obj.plot(ax=ax, **kw)

    def old_outline(ax, obj, cache=False, **kw):
        obj.boundary.plot(ax=ax, **kw)

    def old_union(obj):
        return obj.geometry.union_all()

    new = (geodraw.draw_polygons, geodraw.draw_outline, geodraw.union_outline)
    old = (old_polygons, old_outline, old_union)

    def use(fns):
        for mod in (maps, hotspot_maps):
            mod.draw_polygons, mod.draw_outline = fns[0], fns[1]
        hotspot_maps.union_outline = fns[2]

    def choropleth():
        return maps.choropleth(lsoas, "rate", boundary=lsoas, title="Rate")

    def hotspots():
        return hotspot_maps.plot_hotspots(grid, lsoas, wards, ward_name_col="ward_name")

    clipped = grid.copy()
    clipped["geometry"] = clipped.intersection(lsoas.union_all())

    def hotspots_clipped():
        return hotspot_maps.plot_hotspots(clipped, lsoas, wards, ward_name_col="ward_name")

    charts = {
        "LSOA choropleth": choropleth,
        "hot-spot map": hotspots,
        "hot-spot map, cells clipped to the district": hotspots_clipped,
    }
    print(f"{len(lsoas)} LSOAs, {len(wards)} wards, {len(grid)} cells")

    def run(f):
        with quiet_geopandas():
            fig = f()
            png_bytes(fig)
        plt.close(fig)

    for f in charts.values():  # warm up (imports, font cache)
        use(old), run(f), use(new), run(f)
    times: dict = {(k, v): [] for k in charts for v in ("before", "now")}
    for _ in range(5):
        for (k, v), t in times.items():
            use(old if v == "before" else new)
            c0 = time.process_time()
            run(charts[k])
            t.append(time.process_time() - c0)
    for k in charts:
        b, n = np.median(times[(k, "before")]), np.median(times[(k, "now")])
        print(f"{k:44s} before {b:.3f} CPU-s, now {n:.3f} CPU-s ({n / b:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
