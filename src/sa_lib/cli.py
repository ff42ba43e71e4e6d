"""The ``sa`` command: ingest police.uk data, check parameters, run packs.

Run ``sa --help`` or ``sa COMMAND --help``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap

from sa_lib import __version__, config

EXIT_CODES = textwrap.dedent(
    """\
    exit codes:
      0    success
      1    unexpected internal error (a bug: please report it)
      2    invalid parameters or command line (nothing was run)
      3    a theme notebook failed (the last good pack is kept; see outputs/<pack>.failed/)
      4    input data error (e.g. a malformed police.uk file; nothing was ingested)
      130  interrupted (the last good pack is kept)
    """
)

EPILOG = (
    textwrap.dedent(
        """\
    typical use:
      sa ingest ~/Downloads/2025-12.zip          # data.police.uk archive(s), zips or folders
      sa check parameters/my_csp_2025q4.yaml      # validate without running
      sa run parameters/my_csp_2025q4.yaml        # build outputs/<csp>_<period>/

    """
    )
    + EXIT_CODES
)


def _cmd_ingest(args) -> int:
    from sa_lib.ingest import IngestError, ingest

    store = config.resolve(args.store)
    try:
        summary = ingest(args.paths, store, progress=not args.quiet)
    except IngestError as e:
        print(f"sa ingest: error: {e}\nNothing was written to {store}.", file=sys.stderr)
        return 4
    by = summary.groupby("kind").agg(
        files=("month", "size"),
        rows=("rows", "sum"),
        no_location=("rows_no_location", "sum"),
        first=("month", "min"),
        last=("month", "max"),
    )
    print(f"Ingested into {store}:")
    for kind, r in by.iterrows():
        print(
            f"  {kind:16s} {r['files']:3d} month(s) {r['first']}..{r['last']}: {r['rows']:,} rows "
            f"({r['no_location']:,} with no location, kept)"
        )
    return 0


def _cmd_ingest_extract(args) -> int:
    from sa_lib.extract_mapping import ingest_extract

    try:
        summary = ingest_extract(args.extract, args.mapping, args.out)
    except ValueError as e:
        print(f"sa ingest-extract: error: {e}\nNothing was written.", file=sys.stderr)
        return 4
    r = summary.iloc[0]
    print(
        f"Ingested {r['rows']:,} rows ({r['first_month']}..{r['last_month']}) from {r['source']}\n"
        f"  written to {r['out_path']} (not tracked by git)\n"
        f"  name it in the parameters as data.extract: {r['out_path']}"
    )
    return 0


def _cmd_check(args) -> int:
    from sa_lib.params import ParameterError, load_params
    from sa_lib.periods import comparison_periods, parse_period

    try:
        p = load_params(args.params, check_store=not args.no_store)
    except ParameterError as e:
        print(f"sa check: {e}", file=sys.stderr)
        return 2
    periods = comparison_periods(parse_period(p["period"]), p.get("baseline_year"))
    print(f"{args.params}: OK")
    print(f"  CSP: {p['csp']['name']} ({', '.join(p['csp']['lad_codes'])})")
    print("  periods: " + "; ".join(f"{k} {v.label}" for k, v in periods.items()))
    print(f"  themes: {', '.join(p['themes'])}")
    return 0


def _cmd_run(args) -> int:
    from sa_lib.params import ParameterError
    from sa_lib.runner import run_pack

    try:
        res = run_pack(
            args.params,
            out_root=args.out,
            workers=args.workers,
            progress=not args.quiet,
            themes=args.theme,
        )
    except ParameterError as e:
        print(f"sa run: {e}\nNothing was run.", file=sys.stderr)
        return 2
    for r in res.themes:
        mark = "ok    " if r["status"] == "ok" else "FAILED"
        line = f"  {mark} {r['theme']:16s} {r['seconds']:6.1f} s"
        if r["status"] != "ok":
            line += f"  {r.get('error_summary', '')}"
        print(line)
    if res.ok and res.out_dir.name.endswith(".partial"):
        print(f"Partial run (not the full pack): {res.out_dir / 'index.html'}")
    elif res.ok:
        print(f"Pack complete: {res.out_dir / 'index.html'}")
    elif res.exit_code == 130:
        print("Interrupted: the last good pack is unchanged.", file=sys.stderr)
    else:
        failed = [r for r in res.themes if r["status"] != "ok"]
        print(
            f"sa run: {len(failed)} theme(s) failed; the last good pack is unchanged.\n"
            f"Failed build kept for debugging: {res.out_dir} (see run.log and notebooks/*.FAILED.ipynb).",
            file=sys.stderr,
        )
        for r in failed:
            print(f"  notebooks/{r['theme']}.ipynb: {r.get('error_summary', '')}", file=sys.stderr)
    return res.exit_code


def _cmd_themes(args) -> int:
    for nb in sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")):
        print(nb.stem)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="sa",
        description="sa-workbench: strategic assessments for Community Safety Partnerships from "
        "data.police.uk and partner data.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--version", action="version", version=f"sa-workbench {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "ingest",
        help="read data.police.uk files (zips, YYYY-MM/ folders or CSVs) into the store",
        description="Validate and ingest data.police.uk street, outcomes and stop-and-search files. "
        "Every file is checked before anything is written; re-ingesting a month replaces it.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", help="zip archives, folders or monthly CSV files")
    p.add_argument(
        "--store", default="data/processed", help="store folder (default: data/processed)"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_ingest)

    p = sub.add_parser(
        "ingest-extract",
        help="map, validate and store a force's record-level extract (CSV) for the violence/DA/CSE themes",
        description="Map a force extract's own column names, date formats and flag codes onto the "
        "workbench schema (docs/extract_schema.md) with a mapping YAML, validate it, refuse personal "
        "data, and write it as Parquet outside git (default data/processed/extract/).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("extract", help="the extract CSV")
    p.add_argument(
        "--mapping",
        required=True,
        help="mapping YAML, e.g. config/extract_mappings/example_force_b.yaml",
    )
    p.add_argument(
        "--out", default=None, help="output Parquet path (must be git-ignored or outside the repo)"
    )
    p.set_defaults(func=_cmd_ingest_extract)

    p = sub.add_parser(
        "check",
        help="validate a parameters file without running anything",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("params", help="parameters YAML, e.g. parameters/huntingdonshire_2025q4.yaml")
    p.add_argument(
        "--no-store", action="store_true", help="do not check the store holds the period"
    )
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser(
        "run",
        help="run the pack described by a parameters file into outputs/<csp>_<period>/",
        description="Validate the parameters, run each theme notebook with papermill (in parallel), "
        "export partner HTML, index.html and manifest.json. The pack is swapped in only when every "
        "theme succeeded.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("params", help="parameters YAML")
    p.add_argument("--out", default=None, help="output root (default: outputs/)")
    p.add_argument(
        "--workers", type=int, default=None, help="notebooks run at once (default: run.workers)"
    )
    p.add_argument("--theme", action="append", help="run only this theme (repeatable)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("themes", help="list the theme notebooks available")
    p.set_defaults(func=_cmd_themes)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if not getattr(args, "command", None):
        ap.print_help()
        return 2
    # The console shows warnings and errors; the run's full INFO log goes to run.log.
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(console)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
