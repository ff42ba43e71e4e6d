"""Check every Essex CSP x month and quarter of the full Essex 2018 files (issue 19).

For each CSP and period: write its parameters with ``sa init --csp`` (national
geography, the default themes), run ``sa check`` (``load_params``), then either
record the refusal and its reason, or open the context and compare the CSP's
police.uk rows in the period (crime and ASB) with an **independent count** made
here from the raw CSV files with the ``csv`` module: rows whose ``LSOA name``
starts with one of the CSP's district names (police.uk names every LSOA
"<district> <nnn><letter>", and Essex's district boundaries did not change
between the 2011 and 2021 LSOAs). With ``--themes``, every default theme's
``build(ctx)`` is also run (no kernel) and any exception is a failure.

Usage (the data are in ../shared/data, see its README)::

    .venv/bin/python scripts/check_essex.py                      # counts, all CSPs x periods
    .venv/bin/python scripts/check_essex.py --themes --csp Maldon --period 2018-Q1

Exit code 0 when every cell built (or was refused with a reason) and every count
matched; 1 otherwise. Prints one line per cell and a summary.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib
import re
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from pathlib import Path

from sa_lib import config

SHARED = next(
    (
        p
        for p in (
            config.ROOT.parent / "shared" / "data",
            config.ROOT.parents[1] / "shared" / "data",
        )
        if p.is_dir()
    ),
    config.ROOT.parent / "shared" / "data",
)
ESSEX = SHARED / "police_uk_essex_2018"
MONTHS = [f"2018-{m:02d}" for m in range(1, 8)]
PERIODS = [*MONTHS, "2018-Q1", "2018-Q2", "2018-Q3"]
BUILDERS = {
    "summary": "summary_report",
    "overview": "overview",
    "hotspots": "hotspots_build",
    "place_profile": "place_build",
    "violence": "violence",
    "outcomes": "outcomes_report",
    "wards": "wards_report",
}


def independent_counts(root: Path) -> Counter:
    """(district name, month) -> rows, from the raw files, without the library."""
    out: Counter = Counter()
    pat = re.compile(r"^(.*) \d{3}[A-Z]$")
    for f in sorted(root.glob("*/*-street.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                m = pat.match(row["LSOA name"] or "")
                if m:
                    out[(m.group(1), row["Month"])] += 1
    return out


def one_cell(csp: str, period: str, store: Path, tmp: Path, counts: Counter, themes: bool):
    """(status, detail) for one CSP x period."""
    from sa_lib.data.national import lad_lookup
    from sa_lib.data.periods import parse_period
    from sa_lib.pack.context import open_context
    from sa_lib.pack.params import ParameterError, load_params
    from sa_lib.pack.scaffold import scaffold_params

    text, info = scaffold_params(csp, period, store=store)
    path = tmp / f"{info['csp_name'].replace(' ', '_')}_{period}.yaml"
    path.write_text(text)
    try:
        load_params(path)
    except ParameterError as e:
        return "refused", str(e).splitlines()[-1].strip()[:160]
    ctx = open_context(path, "overview")
    got = len(ctx.in_period("current"))
    lads = lad_lookup().drop_duplicates("lad_code").set_index("lad_code")["lad_name"]
    names = [lads[c] for c in info["lad_codes"]]
    want = sum(counts[(n, m)] for n in names for m in parse_period(period).months)
    if got != want:
        return "COUNT", f"library {got:,} != independent {want:,}"
    if themes:
        with open(path) as fh:
            listed = [ln.strip()[2:] for ln in fh if ln.startswith("  - ")]
        for t in [t for t in listed if t in BUILDERS]:
            mod = importlib.import_module(f"sa_lib.themes.{BUILDERS[t]}")
            mod.build(open_context(path, t))
    return "ok", f"{got:,} rows" + (" (every default theme built)" if themes else "")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csp", action="append", help="only this CSP (repeatable)")
    ap.add_argument("--period", action="append", help="only this period (repeatable)")
    ap.add_argument("--themes", action="store_true", help="also build every default theme")
    args = ap.parse_args(argv)
    if not ESSEX.is_dir():
        print(f"{ESSEX} not found: this check needs ../shared/data", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    from sa_lib.data.ingest import ingest
    from sa_lib.data.national import csp_table

    csps = args.csp or csp_table(force="essex")["csp_name"].tolist()
    periods = args.period or PERIODS
    t0 = time.perf_counter()
    counts = independent_counts(ESSEX)
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        store = tmp / "store"
        ingest([ESSEX], store)
        for csp in csps:
            for period in periods:
                try:
                    status, detail = one_cell(csp, period, store, tmp, counts, args.themes)
                except Exception as e:  # a crash is a failure: report it and go on
                    status = "CRASH"
                    where = traceback.extract_tb(e.__traceback__)[-1]
                    detail = f"{type(e).__name__}: {str(e)[:160]} ({where.filename}:{where.lineno})"
                bad += status in ("COUNT", "CRASH")
                print(f"{status:8s} {csp:16s} {period:8s} {detail}", flush=True)
    n = len(csps) * len(periods)
    print(f"{n} cell(s), {bad} failure(s), {time.perf_counter() - t0:.0f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
