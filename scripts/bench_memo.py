"""CPU seconds a pack with and without the per-pack memo (sa_lib.memo), interleaved in one process.

Plans the packs of ``--force`` as scripts/bench_fanout.py does, builds the first CSP's
pack to warm the process, then builds each of the next ``--packs`` CSPs twice, without
and with the memo, in turn (so both see the same load), and prints the CPU seconds of
each build and the medians.

    python scripts/bench_memo.py --force cambridgeshire --packs 3
"""

from __future__ import annotations

import argparse
import contextlib
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
    from sa_lib import memo
    from sa_lib.pack.fanout import build_csp, plan_packs

    scope = memo.pack_scope
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        template, lookup = force_setup(args.force, work, Path(args.data_root), DEFAULT_THEMES)
        specs, _ = plan_packs(template, force=args.force, out_root=work / "out", lookup=lookup)
        specs = [{**s, "notebooks": False} for s in specs]
        build_csp(specs[0])
        cpu = {"without": [], "with": []}
        for i, spec in enumerate(specs[1 : 1 + args.packs]):
            for label in ("without", "with") if i % 2 == 0 else ("with", "without"):
                memo.pack_scope = scope if label == "with" else contextlib.nullcontext
                c0 = time.process_time()
                res = build_csp({**spec, "out_root": str(work / f"out-{label}")})
                dt = time.process_time() - c0
                cpu[label].append(dt)
                print(f"{res['csp_name']:22s} {label:8s} memo: {res['status']} {dt:6.2f} CPU-s")
        memo.pack_scope = scope
        a, b = statistics.median(cpu["without"]), statistics.median(cpu["with"])
        print(f"median CPU-s a pack: without {a:.2f}, with {b:.2f} ({b / a:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
