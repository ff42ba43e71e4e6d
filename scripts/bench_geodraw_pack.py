"""CPU seconds a pack with maps drawn by geopandas and by ``sa_lib.charts.geodraw``,
interleaved in one process.

Plans the packs of ``--force`` as scripts/bench_fanout.py does, builds the first CSP's
pack to warm the process, then builds each of the next ``--packs`` CSPs twice, "before"
(every polygon layer by ``GeoDataFrame.plot``, outlines by ``.boundary.plot``, the CSP's
outline dissolved on every map) and "now", in turn (so both see the same load).

    python scripts/bench_geodraw_pack.py --force cambridgeshire --packs 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_fanout import DEFAULT_THEMES, default_data_root, force_setup  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--force", default="cambridgeshire", choices=["essex", "cambridgeshire"])
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--packs", type=int, default=3, help="CSPs built both ways after the first")
    args = ap.parse_args()
    from sa_lib.charts import geodraw, hotspot_maps, maps
    from sa_lib.pack.fanout import build_csp, plan_packs
    from sa_lib.themes import place_display

    def old_polygons(ax, obj, **kw):
        obj.plot(ax=ax, **kw)

    def old_outline(ax, obj, cache=False, **kw):
        obj.boundary.plot(ax=ax, **kw)

    def old_union(obj):
        return obj.geometry.union_all()

    ways = {
        "before": (old_polygons, old_outline, old_union),
        "now": (geodraw.draw_polygons, geodraw.draw_outline, geodraw.union_outline),
    }

    def use(label):
        poly, line, union = ways[label]
        for mod in (maps, hotspot_maps, place_display):
            mod.draw_polygons, mod.draw_outline = poly, line
        hotspot_maps.union_outline = union

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template, lookup = force_setup(args.force, work, Path(args.data_root), DEFAULT_THEMES)
        specs, _ = plan_packs(template, force=args.force, out_root=work / "out", lookup=lookup)
        specs = [{**s, "notebooks": False} for s in specs]
        build_csp(specs[0])
        cpu = {"before": [], "now": []}
        for i, spec in enumerate(specs[1 : 1 + args.packs]):
            for label in ("before", "now") if i % 2 == 0 else ("now", "before"):
                use(label)
                c0 = time.process_time()
                res = build_csp({**spec, "out_root": str(work / f"out-{label}")})
                dt = time.process_time() - c0
                cpu[label].append(dt)
                print(
                    f"{res['csp_name']:22s} {label:7s} {res['status']} {dt:6.2f} CPU-s", flush=True
                )
        use("now")
        a, b = statistics.median(cpu["before"]), statistics.median(cpu["now"])
        print(f"median CPU-s a pack: before {a:.2f}, now {b:.2f} ({b / a:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
