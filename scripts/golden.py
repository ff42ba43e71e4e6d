"""Rebuild the sample pack and compare it with the golden fixture, or rewrite the fixture.

The golden pack is the safety net for refactors: every table cell, key finding and
index headline the sample pack publishes, in ``tests/fixtures/golden/huntingdonshire_2025q4.json``.
``tests/test_golden_pack.py`` fails on any difference. This script builds the pack
the same way (``tests/golden.py``), on the processed sample store, into a temporary
folder:

    .venv/bin/python scripts/golden.py            # list the changed cells; exit 1 if any
    .venv/bin/python scripts/golden.py --update   # rewrite the fixture from this build

A change to the fixture is deliberate: paste the list printed without ``--update``
into the commit message.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

from sa_lib import config

ROOT = Path(__file__).resolve().parents[1]


def _golden():
    # tests/golden.py, loaded by path: this script is also called golden.py.
    spec = importlib.util.spec_from_file_location("sa_golden", ROOT / "tests" / "golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true", help="rewrite the fixture from this build")
    ap.add_argument(
        "--store",
        type=Path,
        default=config.PROCESSED_DIR,
        help="the store holding the ingested sample (default: data/processed; "
        "run `make ingest-sample` first)",
    )
    ap.add_argument(
        "--keep", type=Path, help="build here and keep the pack (default: a temp folder)"
    )
    args = ap.parse_args(argv)
    golden = _golden()
    if not (args.store / "coverage.json").exists():
        print(f"no ingested sample in {args.store}: run `make ingest-sample`", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="sa_golden_") as tmp:
        work = args.keep or Path(tmp)
        t0 = time.perf_counter()
        res, _ = golden.build_sample_pack(args.store, work)
        seconds = time.perf_counter() - t0
        if not res.ok:
            failed = [
                (t["theme"], t.get("error_summary")) for t in res.themes if t["status"] != "ok"
            ]
            print(f"the sample pack did not build: {failed}", file=sys.stderr)
            return 2
        snap = golden.snapshot(res.out_dir)
    size = golden.counts(snap)
    print(f"built the sample pack in {seconds:.0f} s: {size}", file=sys.stderr)
    fixture = golden.FIXTURE
    if args.update:
        fixture.parent.mkdir(parents=True, exist_ok=True)
        text = golden.dump(snap)
        changes = golden.compare(json.loads(fixture.read_text()), snap) if fixture.exists() else []
        fixture.write_text(text, encoding="utf-8")
        print(f"wrote {fixture.relative_to(ROOT)} ({len(text.encode()):,} bytes)", file=sys.stderr)
        print("\n".join(changes))
        return 0
    if not fixture.exists():
        print(f"no fixture at {fixture}: run with --update", file=sys.stderr)
        return 2
    changes = golden.compare(json.loads(fixture.read_text(encoding="utf-8")), snap)
    print("\n".join(changes))
    print(f"{len(changes)} change(s) against the golden pack", file=sys.stderr)
    return 1 if changes else 0


if __name__ == "__main__":
    sys.exit(main())
