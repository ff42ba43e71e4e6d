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

With ``--run-all``, the check is made on the packs themselves: the files are
ingested into a scratch store, and for every month and quarter the store holds
(any of its months) ``sa run-all --period P --force essex`` (no kernel, the
default) builds every Essex CSP's pack with every default theme from a template
written by ``sa init --csp``. Each cell is recorded as *built* (every theme ok),
*refused* (``sa check`` on the CSP's parameters refused it: the reason), *failed*
(the error) or *COUNT* (the pack's crime and ASB counts by type, read from the
overview's published CSV, differ from the independent count). ``--write`` puts
the table in a Markdown file (``docs/essex_matrix.md``).

Usage (the data are in ../shared/data, see its README)::

    .venv/bin/python scripts/check_essex.py                      # counts, all CSPs x periods
    .venv/bin/python scripts/check_essex.py --themes --csp Maldon --period 2018-Q1
    nice -n 10 .venv/bin/python scripts/check_essex.py --run-all --write docs/essex_matrix.md

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


def independent_counts(root: Path, by_type: bool = False) -> Counter:
    """(district name, month) -> rows, from the raw files, without the library.

    With ``by_type``, (district name, month, crime type) -> rows.
    """
    out: Counter = Counter()
    pat = re.compile(r"^(.*) \d{3}[A-Z]$")
    for f in sorted(root.glob("*/*-street.csv.gz")):
        with gzip.open(f, "rt", encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                m = pat.match(row["LSOA name"] or "")
                if m:
                    key = (m.group(1), row["Month"])
                    out[(*key, row["Crime type"]) if by_type else key] += 1
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


# ---------------------------------------------------------------- --run-all: the packs themselves

ALL_CRIME = "All crime (excluding ASB)"
ASB = "Anti-social behaviour"


def held_periods(months: list[str]) -> list[str]:
    """Every month the store holds, then every quarter holding any of them."""
    quarters = sorted({f"{m[:4]}-Q{(int(m[5:]) - 1) // 3 + 1}" for m in months})
    return [*months, *quarters]


def pack_counts(pack: Path) -> dict[str, int] | None:
    """The period's count by crime type (and all crime) from the overview's published CSV."""
    files = sorted((pack / "data").glob("overview_*_crime_and_asb_by_type*.csv"))
    if not files:
        return None
    with open(files[0], encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    start = next(i for i, r in enumerate(rows) if r and r[0] == "Crime type")
    out = {}
    for r in rows[start + 1 :]:
        if not r or not r[0] or r[0].startswith("#"):
            continue
        value = r[1].replace(",", "")
        out[r[0]] = int(value) if value.isdigit() else value
    return out


def count_mismatches(got: dict, names: list[str], months: list[str], counts: Counter) -> list:
    """[(crime type, pack, independent)] where the pack's count differs from the raw files."""
    want: Counter = Counter()
    for (district, month, ctype), n in counts.items():
        if district in names and month in months:
            want[ctype] += n
    want[ALL_CRIME] = sum(n for t, n in want.items() if t != ASB)
    keys = sorted(set(want) | (set(got) - {ALL_CRIME}) | {ALL_CRIME})
    return [(k, got.get(k, 0), want.get(k, 0)) for k in keys if got.get(k, 0) != want.get(k, 0)]


def _theme_errors(pack: Path) -> str:
    """The failed themes named in a pack's manifest ("" when every theme is ok)."""
    import json

    try:
        man = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return f"no manifest: {e}"
    bad = [t for t in man.get("themes", []) if t.get("status") != "ok"]
    return "; ".join(f"{t.get('theme')}: {t.get('error_summary', t.get('status'))}" for t in bad)


def run_all_period(period: str, csps: list[str], store: Path, work: Path, counts, client):
    """One ``sa run-all --period`` over ``csps``: {csp name: (status, detail)}."""
    from sa_lib.data.national import lad_lookup
    from sa_lib.data.periods import parse_period
    from sa_lib.pack.fanout import plan_packs, run_all
    from sa_lib.pack.params import ParameterError, load_params
    from sa_lib.pack.scaffold import scaffold_params

    per = parse_period(period)
    template = work / f"template_{per.slug}.yaml"
    template.write_text(scaffold_params(csps[0], period, store=store)[0])
    out = work / "packs"
    specs, _ = plan_packs(template, period, force="essex", csps=csps, out_root=out)
    cells, todo = {}, []
    for spec in specs:  # `sa check` on each CSP's parameters, as run-all wrote them
        try:
            load_params(spec["params_path"])
            todo.append(spec["csp_name"])
        except ParameterError as e:
            reason = " ".join(ln.strip().removeprefix("- ") for ln in str(e).split("\n")[1:])
            reason = reason.strip() or str(e)
            cells[spec["csp_name"]] = ("refused", reason)
    if not todo:
        return cells
    res = run_all(
        template,
        period,
        force="essex",
        csps=todo,
        out_root=out,
        client=client,
        progress=False,
        rebuild=True,
    )
    failed = {f["csp_name"]: f.get("error", "") for f in res.failures}
    lads = lad_lookup().drop_duplicates("lad_code").set_index("lad_code")
    by_name = {s["csp_name"]: s for s in specs}
    for name in todo:
        pack = out / by_name[name]["name"]
        if name in failed:
            cells[name] = ("failed", failed[name] or _theme_errors(pack))
            continue
        err = _theme_errors(pack)
        if err:
            cells[name] = ("failed", err)
            continue
        got = pack_counts(pack)
        if got is None:
            cells[name] = ("failed", "no crime-by-type table in the overview's CSVs")
            continue
        codes = [c for c in lads.index if lads.loc[c, "csp_name"] == name]
        names = [lads.loc[c, "lad_name"] for c in codes]
        bad = count_mismatches(got, names, per.months, counts)
        if bad:
            cells[name] = ("COUNT", "; ".join(f"{k}: pack {a} != raw {b}" for k, a, b in bad))
        else:
            cells[name] = ("built", f"{got[ALL_CRIME]:,} crimes, {got.get(ASB, 0):,} ASB")
    return cells


def write_table(
    path: Path, rows: list[tuple], command: str, seconds: float, partial: str = ""
) -> None:
    """The matrix as Markdown: a summary, then one row per CSP x period."""
    n = Counter(r[2] for r in rows)
    lines = [
        "# Essex 2018: every CSP x month and quarter, every default theme (issue 19)",
        "",
        "Made by (from the repository root, with `../shared/data` beside it):",
        "",
        f"    {command}",
        "",
        "Each cell is one `sa run-all --period P --force essex` pack (no kernel, the default)",
        "from a template written by `sa init --csp`, with every default theme. *built*: every",
        "theme built and the pack's crime and ASB counts by type (the overview's published",
        "CSV) equal an independent count of the raw police.uk rows made with the `csv` module;",
        "*refused*: `sa check` refused the CSP's parameters (the reason); *failed*: the error;",
        "*COUNT*: a count differs.",
        "",
        f"**{len(rows)} cells: {n['built']} built, {n['refused']} refused by `sa check`, "
        f"{n['failed']} failed, {n['COUNT']} count mismatches** ({seconds / 60:.0f} min"
        f"{partial}).",
        "",
        "| CSP | Period | Result | Detail |",
        "|---|---|---|---|",
    ]
    for csp, period, status, detail in rows:
        lines.append(f"| {csp} | {period} | {status} | {detail.replace('|', '/')} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main_run_all(args, csps: list[str]) -> int:
    """``--run-all``: every held period x CSP through ``sa run-all``; 1 on any failure."""
    from sa_lib.data.ingest import ingest
    from sa_lib.data.store import store_months
    from sa_lib.pack.executor import dask_client

    t0 = time.perf_counter()
    counts = independent_counts(ESSEX, by_type=True)
    with tempfile.TemporaryDirectory(prefix="essex_matrix_") as d:
        work = Path(args.work or d)
        store = work / "store"
        if not store.is_dir():
            ingest([ESSEX], store)
        periods = args.period or held_periods(store_months(store, forces=["essex"]))
        rows = []
        # One cluster for every period (as one run-all per period on a standing scheduler).
        with dask_client(args.workers, None) as client:
            for period in periods:
                cells = run_all_period(period, csps, store, work, counts, client)
                for csp in csps:
                    status, detail = cells.get(csp, ("failed", "not run"))
                    rows.append((csp, period, status, detail))
                    print(f"{status:8s} {csp:16s} {period:8s} {detail[:200]}", flush=True)
                if args.write:  # after every period, so a long run leaves its table so far
                    done = (
                        f"; {len(rows)} cells so far, still running"
                        if period != periods[-1]
                        else ""
                    )
                    write_table(
                        Path(args.write), rows, _command(args), time.perf_counter() - t0, done
                    )
    secs = time.perf_counter() - t0
    n = Counter(r[2] for r in rows)
    print(f"{len(rows)} cell(s): {dict(n)}, {secs:.0f} s")
    return 1 if n["failed"] or n["COUNT"] else 0


def _command(args) -> str:
    return f"nice -n 10 .venv/bin/python scripts/check_essex.py {argv_text(args)}"


def argv_text(args) -> str:
    """The command-line options that made this run (for the table's header)."""
    parts = ["--run-all"]
    parts += [f"--csp '{c}'" for c in args.csp or []]
    parts += [f"--period {p}" for p in args.period or []]
    parts += [f"--workers {args.workers}"] if args.workers else []
    parts += [f"--write {args.write}"] if args.write else []
    return " ".join(parts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csp", action="append", help="only this CSP (repeatable)")
    ap.add_argument("--period", action="append", help="only this period (repeatable)")
    ap.add_argument("--themes", action="store_true", help="also build every default theme")
    ap.add_argument("--run-all", action="store_true", help="build the packs with sa run-all")
    ap.add_argument("--write", help="--run-all: write the table to this Markdown file")
    ap.add_argument("--work", help="--run-all: keep the store and packs in this folder")
    ap.add_argument("--workers", type=int, default=1, help="--run-all: Dask workers")
    args = ap.parse_args(argv)
    if not ESSEX.is_dir():
        print(f"{ESSEX} not found: this check needs ../shared/data", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    from sa_lib.data.ingest import ingest
    from sa_lib.data.national import csp_table

    csps = args.csp or csp_table(force="essex")["csp_name"].tolist()
    if args.run_all:
        return main_run_all(args, csps)
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
