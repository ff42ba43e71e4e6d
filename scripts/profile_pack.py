"""Profile the packs of one force's fan-out in one process (issue 24: where a pack's CPU goes).

Plans the packs of ``--force`` from the benchmark's template (scripts/bench_fanout.py),
builds the first CSP's pack to warm the process (imports, first context), then builds
the next ``--packs`` under cProfile and prints the CPU seconds of each pack and the
functions with the most cumulative and own time.

    python scripts/profile_pack.py --force cambridgeshire --data-root ../shared/data
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
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
    ap.add_argument("--packs", type=int, default=2, help="packs profiled after the first")
    ap.add_argument("--theme", action="append")
    ap.add_argument("--top", type=int, default=45)
    ap.add_argument("--out", help="write the pstats file here")
    ap.add_argument("--workdir", help="keep the store and packs here (default: a temp folder)")
    args = ap.parse_args()
    from sa_lib.pack.fanout import build_csp, plan_packs

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.workdir or tmp)
        themes = args.theme or DEFAULT_THEMES
        template, lookup = force_setup(args.force, work, Path(args.data_root), themes)
        specs, _ = plan_packs(template, force=args.force, out_root=work / "out", lookup=lookup)
        specs = [{**s, "notebooks": False} for s in specs]
        c0 = time.process_time()
        first = build_csp(specs[0])
        print(f"first pack ({first['csp_name']}): {time.process_time() - c0:.2f} CPU-s")
        prof = cProfile.Profile(time.process_time)  # CPU, not wall, under load
        for spec in specs[1 : 1 + args.packs]:
            c0 = time.process_time()
            prof.enable()
            res = build_csp(spec)
            prof.disable()
            print(f"pack {res['csp_name']}: {res['status']} {time.process_time() - c0:.2f} CPU-s")
            for t in res["themes"]:
                steps = [t.get(f"{k}_cpu_seconds") or 0 for k in ("build", "render", "export")]
                print(f"    {t['theme']:14s} " + " ".join(f"{x:6.2f}" for x in steps))
        st = pstats.Stats(prof)
        if args.out:
            st.dump_stats(args.out)
        st.sort_stats("cumulative").print_stats(args.top)
        st.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
