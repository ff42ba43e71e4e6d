"""Benchmarks: print speed and size figures against the project's targets.

Targets (issue: foundation):

- ingest of the whole Cambridgeshire force folder (../shared/data/police_uk,
  ~168k street rows) in 5 s or less;
- loading one CSP's slice from the store in 0.5 s or less;
- ``sa run`` for the sample pack, once set up, in 30 s or less wall time;
- the overview HTML under 3 MB.

Run with ``make benchmark`` (or ``.venv/bin/python scripts/benchmark.py``). It
uses temporary folders and never touches data/processed or outputs/. The
force-wide ingest is skipped, with a note, when ../shared/data is absent.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sa_lib import config  # noqa: E402
from sa_lib.data.geography import build_geography  # noqa: E402
from sa_lib.data.ingest import ingest  # noqa: E402
from sa_lib.data.store import load_street  # noqa: E402


def _row(
    name: str, value: float, unit: str, target: float | None, lower_is_better: bool = True
) -> str:
    ok = (
        ""
        if target is None
        else ("PASS" if (value <= target if lower_is_better else value >= target) else "FAIL")
    )
    tgt = "" if target is None else f"target {'<=' if lower_is_better else '>='} {target:g} {unit}"
    return f"{name:55s} {value:10.3f} {unit:4s} {tgt:20s} {ok}"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--shared", default=str(ROOT.parent / "shared" / "data" / "police_uk"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-pack", action="store_true", help="skip the full sa run timing")
    args = ap.parse_args()
    lines = []
    failed = False

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shared = Path(args.shared)
        if shared.is_dir():
            times = []
            for i in range(args.repeats):
                store = tmp / f"force{i}"
                t0 = time.perf_counter()
                summary = ingest([shared], store)
                times.append(time.perf_counter() - t0)
            rows = int(summary.loc[summary["kind"] == "street", "rows"].sum())
            med = statistics.median(times)
            lines.append(_row(f"ingest force folder ({rows:,} street rows), median", med, "s", 5))
            failed |= med > 5
        else:
            lines.append(f"{'ingest force folder':55s} skipped: {shared} not found")

        sample_store = tmp / "sample"
        t0 = time.perf_counter()
        ingest([config.SAMPLE_DIR / "police_uk"], sample_store)
        lines.append(_row("ingest shipped sample", time.perf_counter() - t0, "s", None))

        geo = build_geography(
            ["E07000011"],
            config.SAMPLE_DIR / "boundaries",
            config.SAMPLE_DIR / "population" / "census2021_lsoa21_age_bands.csv.gz",
            config.SAMPLE_DIR / "deprivation" / "iod2019_lsoa11.csv.gz",
        )
        codes = geo.lsoas["lsoa21_code"].tolist()
        load_store = tmp / "force0" if (tmp / "force0").exists() else sample_store
        times = []
        for _ in range(max(args.repeats, 5)):
            t0 = time.perf_counter()
            df = load_street(load_store, lsoa_codes=codes)
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        lines.append(
            _row(f"load one CSP slice from the store ({len(df):,} rows), median", med, "s", 0.5)
        )
        failed |= med > 0.5

        if not args.skip_pack:
            params = yaml.safe_load(
                (config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text()
            )
            params["data"]["store"] = str(sample_store)
            ppath = tmp / "params.yaml"
            ppath.write_text(yaml.safe_dump(params))
            out = tmp / "outputs"
            sa = Path(sys.executable).with_name("sa")
            cmd = [
                str(sa) if sa.exists() else sys.executable,
                *([] if sa.exists() else ["-m", "sa_lib.pack.cli"]),
            ]
            t0 = time.perf_counter()
            proc = subprocess.run(
                [*cmd, "run", "--quiet", str(ppath), "--out", str(out)],
                capture_output=True,
                text=True,
            )
            wall = time.perf_counter() - t0
            if proc.returncode != 0:
                print(proc.stdout, proc.stderr, file=sys.stderr)
                lines.append(
                    f"{'sa run (sample pack)':55s} FAILED with exit code {proc.returncode}"
                )
                failed = True
            else:
                lines.append(
                    _row(
                        f"sa run, sample pack ({len(params['themes'])} themes), wall", wall, "s", 30
                    )
                )
                failed |= wall > 30
                pack = next(out.glob("huntingdonshire_*"))
                for html in sorted(pack.glob("*.html")):
                    mb = html.stat().st_size / 1024 / 1024
                    target = 3 if html.stem == "overview" else None
                    lines.append(_row(f"  {html.name} size", mb, "MB", target))
                    if target:
                        failed |= mb > target

    print("sa-workbench benchmark (this machine)")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
