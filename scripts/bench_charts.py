"""Per-chart CPU before and after issue 24's chart work, interleaved in one process.

A grid-cell map (3,000 cells, ward outlines) and a line chart, each built and saved as
before (geopandas patches, ``print_figure(bbox_inches="tight")``) and as now
(``hotspot_maps._fill``, ``charts.png.png_bytes`` under ``quiet_geopandas``): the
median CPU seconds of 4 runs each. Run: ``.venv/bin/python scripts/bench_charts.py``.
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
    from IPython.core.pylabtools import print_figure
    from shapely.geometry import box

    from sa_lib import style
    from sa_lib.charts.hotspot_maps import _fill
    from sa_lib.charts.png import png_bytes, quiet_geopandas

    style.apply()
    rng = np.random.default_rng(0)
    grid = [box(x, y, x + 500, y + 500) for x in range(0, 30000, 500) for y in range(0, 25000, 500)]
    cells = gpd.GeoDataFrame(geometry=grid, crs=27700)
    big = [
        box(x, y, x + 5000, y + 5000) for x in range(0, 30000, 5000) for y in range(0, 25000, 5000)
    ]
    wards = gpd.GeoDataFrame(geometry=big, crs=27700)
    palette = np.array(["#dddddd", "#1b9e77", "#d95f02", "#7570b3"])
    cols = palette[rng.integers(0, 4, len(cells))]

    def map_chart(fast: bool) -> bytes:
        fig, ax = plt.subplots(figsize=(8, 7))
        if fast:
            with quiet_geopandas():
                _fill(ax, cells, cols)
                wards.boundary.plot(ax=ax, color="#555555", linewidth=0.5, zorder=4)
        else:
            cells.plot(ax=ax, color=list(cols), linewidth=0, zorder=2)
            wards.boundary.plot(ax=ax, color="#555555", linewidth=0.5, zorder=4)
        ax.set_title("Crimes per cell")
        ax.set_axis_off()
        fig.tight_layout()
        data = png_bytes(fig) if fast else print_figure(fig, "png", bbox_inches="tight")
        plt.close(fig)
        return data

    def line_chart(fast: bool) -> bytes:
        fig, ax = plt.subplots(figsize=(7, 4))
        for k in range(4):
            ax.plot(rng.random(24), label=f"series {k}")
        ax.set_title("Monthly")
        ax.legend()
        fig.tight_layout()
        data = png_bytes(fig) if fast else print_figure(fig, "png", bbox_inches="tight")
        plt.close(fig)
        return data

    charts = {"map": map_chart, "line chart": line_chart}
    for f in charts.values():  # warm up (imports, font cache)
        f(False), f(True)
    times: dict = {(k, fast): [] for k in charts for fast in (False, True)}
    for _ in range(4):
        for (k, fast), v in times.items():
            c0 = time.process_time()
            charts[k](fast)
            v.append(time.process_time() - c0)
    for k in charts:
        old, new = np.median(times[(k, False)]), np.median(times[(k, True)])
        print(f"{k:12s} before {old:.3f} CPU-s, now {new:.3f} CPU-s ({new / old:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
