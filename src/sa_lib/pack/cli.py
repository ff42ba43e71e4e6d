"""The ``sa`` command: ingest police.uk data, check parameters, run packs.

Run ``sa --help`` or ``sa COMMAND --help``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import textwrap

from sa_lib import __version__, config

EXIT_CODES = textwrap.dedent(
    """\
    exit codes:
      0    success
      1    unexpected internal error (a bug: please report it)
      2    invalid parameters or command line (nothing was run)
      3    a theme notebook failed (the last good pack is kept; see outputs/<pack>.failed/);
           for run-all: at least one CSP failed (the others are built)
      4    input data error (e.g. a malformed police.uk file; nothing was ingested)
      5    output not writable: read-only folder, full disk, or a folder sa did not
           create in the way (the message names the path and the fix; the last good
           pack is kept)
      6    sa doctor: the installed packages differ from requirements.lock
      130  interrupted (the last good pack is kept)
    """
)

EPILOG = (
    textwrap.dedent(
        """\
    typical use:
      sa ingest ~/Downloads/2025-12.zip          # data.police.uk archive(s), zips or folders
      sa csps --force essex                       # CSP names, codes, LADs
      sa init parameters/my_csp_2025q4.yaml --csp Basildon --period 2025-Q4
      sa check parameters/my_csp_2025q4.yaml      # validate without running
      sa run parameters/my_csp_2025q4.yaml        # build outputs/<csp>_<period>/
      sa run-all template.yaml --force essex      # every CSP of a force, on a Dask cluster

    """
    )
    + EXIT_CODES
)


def _cmd_ingest(args) -> int:
    # Records, not a DataFrame: the command loads pyarrow but never pandas (issue 24).
    from sa_lib.data.coverage import CoverageError
    from sa_lib.data.ingest import IngestError, StoreWriteError, ingest_records
    from sa_lib.data.store_writer import EXIT_STORE_WRITE

    store = config.resolve(args.store)
    try:
        rows, recovered = ingest_records(
            args.paths,
            store,
            progress=not args.quiet,
            replace=args.replace,
            keep_bad=args.keep_bad,
            max_file_bytes=int(args.max_file_mb * 1024 * 1024),
        )
    except (IngestError, CoverageError) as e:
        print(f"sa ingest: error: {e}\nNothing was written to {store}.", file=sys.stderr)
        return 4
    except StoreWriteError as e:
        print(f"sa ingest: error: {e.strerror or e}", file=sys.stderr)
        return EXIT_STORE_WRITE
    for note in recovered:
        print(f"Note: {note}.")
    print(f"Ingested into {store}:")
    for line in _ingest_summary_lines(rows):
        print(line)
    return 0


def _ingest_summary_lines(rows: list[dict]) -> list[str]:
    """The ``sa ingest`` report: one line per kind, then the months replaced.

    Examples
    --------
    >>> r = dict(kind="street", force="essex", rows_no_location=1, rows_bad_location=0,
    ...          rows_duplicate=0, rows_shared_id=0)
    >>> _ingest_summary_lines([{**r, "month": "2018-01", "rows": 10, "rows_before": None},
    ...                        {**r, "month": "2018-02", "rows": 9, "rows_before": 8}])
    ... # doctest: +NORMALIZE_WHITESPACE
    ['  street             2 month(s) 2018-01..2018-02: 19 rows (2 with no location, kept)',
     'Replaced 1 month(s) already in the store; 0 with the same row count.',
     '  street           essex 2018-02: 8 -> 9 rows (+1)']
    """
    out = []
    for kind in sorted({r["kind"] for r in rows}):
        rs = [r for r in rows if r["kind"] == kind]
        n = {c: sum(r[c] for r in rs) for c in _SUMMED}
        months = [r["month"] for r in rs]
        extra = ""
        if n["rows_bad_location"]:
            extra += f"; {n['rows_bad_location']:,} with a bad location kept with none"
        if n["rows_duplicate"]:
            extra += (
                f"; {n['rows_duplicate']:,} row(s) identical in every field to another kept as one"
            )
        if n["rows_shared_id"]:
            extra += (
                f"; {n['rows_shared_id']:,} row(s) sharing a Crime ID but differing kept as records"
            )
        out.append(
            f"  {kind:16s} {len(rs):3d} month(s) {min(months)}..{max(months)}: {n['rows']:,} rows "
            f"({n['rows_no_location']:,} with no location, kept{extra})"
        )
    replaced = [r for r in rows if r["rows_before"] is not None]
    changed = [r for r in replaced if r["rows"] != r["rows_before"]]
    if replaced:
        out.append(
            f"Replaced {len(replaced)} month(s) already in the store; "
            f"{len(replaced) - len(changed)} with the same row count."
        )
    for r in changed:
        change = int(r["rows"]) - int(r["rows_before"])
        out.append(
            f"  {r['kind']:16s} {r['force']} {r['month']}: {int(r['rows_before']):,} -> "
            f"{int(r['rows']):,} rows ({change:+,})"
        )
    return out


_SUMMED = ("rows", "rows_no_location", "rows_bad_location", "rows_duplicate", "rows_shared_id")


def _cmd_ingest_extract(args) -> int:
    from sa_lib.data.extract_mapping import ingest_extract

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


def _cmd_csps(args) -> int:
    from sa_lib.data.national import NationalReferenceError, csp_table

    try:
        t = csp_table(force=args.force)
    except NationalReferenceError as e:
        print(f"sa csps: {e}", file=sys.stderr)
        return 2
    print(f"{'code':10s}  {'CSP':36s}  {'force':20s}  LAD code(s)")
    for r in t.itertuples(index=False):
        print(f"{r.csp_code:10s}  {r.csp_name[:36]:36s}  {r.force[:20]:20s}  {r.lad_codes}")
    print(f"{len(t)} CSP(s). Use a name or code: `sa init FILE --csp CODE --period 2025-Q4`.")
    return 0


def _cmd_init_csp(args, out) -> int:
    from sa_lib.data.national import NationalReferenceError
    from sa_lib.pack.params import ParameterError, load_params
    from sa_lib.pack.scaffold import scaffold_params

    fc_path = out.with_name(f"{out.stem}_force_counts.csv")
    try:
        text, info = scaffold_params(
            args.csp, args.period, store=args.store, force_counts_path=fc_path
        )
    except (NationalReferenceError, ValueError) as e:
        print(f"sa init: {e}", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    if info["force_counts"] is not None:
        info["force_counts"].to_csv(fc_path, index=False)
    out.write_text(text, encoding="utf-8")
    print(
        f"Wrote {args.params} for {info['csp_name']} ({info['csp_code']}; "
        f"{', '.join(info['lad_codes'])}; {', '.join(info['forces'])}), period {args.period}.\n"
        f"  the store holds {info['held']} for {', '.join(info['forces'])}"
    )
    if info["force_counts"] is not None:
        print(f"  force-wide counts from the store: {fc_path}")
    elif info["force_counts_note"]:
        print(f"  no force-wide counts: {info['force_counts_note']}")
    try:
        load_params(out, check_store=False)
    except ParameterError as e:
        print(f"It needs attention before it runs:\n{e}", file=sys.stderr)
        return 2
    print(f"It validates. Next: `sa check {args.params}`, then `sa run {args.params}`.")
    return 0


def _cmd_init(args) -> int:
    from sa_lib.pack.params import ParameterError, load_params

    out = config.resolve(args.params)
    if out.exists() and not args.force:
        print(f"sa init: {args.params} exists; pass --force to overwrite it.", file=sys.stderr)
        return 2
    if args.csp:
        return _cmd_init_csp(args, out)
    if not args.name or not args.lad:
        print(
            "sa init: give --csp NAME_OR_CODE (see `sa csps`), or --name and --lad for a custom "
            "set of districts.",
            file=sys.stderr,
        )
        return 2
    text = _custom_params_text(args)
    codes = ", ".join(args.lad)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"Wrote {args.params} for {args.name} ({codes}), period {args.period}.")
    try:
        load_params(out, check_store=False)
    except ParameterError as e:
        print(f"It needs attention before it runs:\n{e}", file=sys.stderr)
        return 2
    print(
        "It validates. Next: `sa ingest` your force's data.police.uk files, set data.force_counts "
        "and comparison.peers if you have them, add a force extract for the violence detail, "
        "domestic abuse and CSE themes, then `sa check` and `sa run`."
    )
    return 0


def _custom_params_text(args) -> str:
    """The sample parameters rewritten for ``sa init --name --lad`` (a custom set of districts).

    The sample's place, peers, synthetic inputs, priorities and author are the sample's,
    so they are commented out or emptied for the analyst to fill in.
    """
    import re

    text = (config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text(encoding="utf-8")
    slug = re.sub(r"[^a-z0-9]+", "_", args.name.lower()).strip("_")
    codes = ", ".join(args.lad)
    text = re.sub(
        r"^# .*\n",
        f"# {args.name} CSP: written by `sa init`; check every value, then `sa check`.\n",
        text,
        count=1,
    )
    text = re.sub(
        r"^title: .*$",
        f"title: {args.name} Community Safety Partnership strategic assessment",
        text,
        flags=re.M,
    )
    text = re.sub(r"^  name: .*$", f"  name: {args.name}", text, count=1, flags=re.M)
    text = re.sub(r"^  slug: .*$", f"  slug: {slug}", text, count=1, flags=re.M)
    text = re.sub(r"^  lad_codes: .*$", f"  lad_codes: [{codes}]", text, count=1, flags=re.M)
    text = re.sub(r"^period: \S+", f"period: '{args.period}'", text, count=1, flags=re.M)
    # Without a boundaries folder, the national reference covers any LAD in England and Wales.
    national = None if args.boundaries else "national"
    for key, value in (
        ("boundaries", args.boundaries or national),
        ("population", args.population or national),
        ("deprivation", args.deprivation or national),
    ):
        if value:
            text = re.sub(rf"^  {key}: .*$", f"  {key}: {value}", text, count=1, flags=re.M)
    # The sample's place, peers and synthetic inputs do not fit another CSP: its synthetic
    # extract and partner files cover Huntingdonshire only, so they are commented out and
    # the themes that need them (domestic abuse, CSE) are left for the analyst to add.
    for key in (
        "extract",
        "licensed_premises",
        "ambulance",
        "cse_indicators",
        "cse_quarterly",
        "previous_priority_wards",
        "force_counts",
        "force_outcomes",
    ):
        text = re.sub(rf"^  {key}: ", f"  # {key}: ", text, count=1, flags=re.M)
    text = re.sub(
        r"^themes:\n(?:  - .*\n)+",
        "themes:        # add domestic_abuse and cse once data.extract and the CSE inputs are set\n"
        "  - overview\n  - hotspots\n  - place_profile\n  - violence\n",
        text,
        count=1,
        flags=re.M,
    )
    text = re.sub(r"^  peers: .*$", "  peers: []", text, count=1, flags=re.M)
    # The sample's current priorities and document author are the sample's, not this CSP's.
    text = re.sub(
        r"^priorities:\n(?:  .*\n)+",
        "priorities: []   # the partnership's current priorities: {name, crime_type, reduction_pct, "
        "baseline_year, target_year}\n",
        text,
        count=1,
        flags=re.M,
    )
    text = re.sub(r"^  author: .*$", "  author: null", text, count=1, flags=re.M)
    text = re.sub(r"^  distribution: .*$", "  distribution: []", text, count=1, flags=re.M)
    text = re.sub(
        r"^  area: .*$",
        "  area: null               # null = the ward with most crime",
        text,
        count=1,
        flags=re.M,
    )
    return text


def _cmd_check(args) -> int:
    from sa_lib.data.periods import comparison_periods, parse_period
    from sa_lib.pack.params import ParameterError, load_params

    try:
        p = load_params(args.params, check_store=not args.no_store)
    except ParameterError as e:
        print(f"sa check: {e}", file=sys.stderr)
        return 2
    if args.csp_lookup and _lookup_refused(args.csp_lookup):
        return 2
    periods = comparison_periods(parse_period(p.period), p.baseline_year)
    if not args.no_store:
        from sa_lib.pack.params import period_coverage

        for w in period_coverage(p)["warnings"]:
            print(f"sa check: warning: {w}", file=sys.stderr)
    _warn_lock_drift("sa check")
    print(f"{args.params}: OK")
    print(f"  CSP: {p.csp.name} ({', '.join(p.csp.lad_codes)})")
    print("  periods: " + "; ".join(f"{k} {v.label}" for k, v in periods.items()))
    print(f"  themes: {', '.join(p.themes)}")
    return 0


def _lookup_refused(lookup: str) -> bool:
    """Print why a run-all lookup is refused (unreadable, or CSPs sharing a LAD); True if so."""
    from sa_lib.pack.csps import csp_table, lookup_problems

    try:
        problems = lookup_problems(csp_table(lookup), f"the --csp-lookup file {lookup}")
    except ValueError as e:
        problems = [str(e)]
    for line in problems:
        print(f"sa check: {line}", file=sys.stderr)
    return bool(problems)


def _warn_lock_drift(prog: str) -> list[str]:
    """Print one warning when the installed packages differ from the lock; return the drift."""
    from sa_lib.pack.environment import LOCK_NAME, lock_drift

    drift = lock_drift()
    if drift:
        print(
            f"{prog}: warning: the environment differs from {LOCK_NAME} in {len(drift)} "
            f"package(s), e.g. {drift[0]}; a pack built now may not match one built from "
            "the lock (details: `sa doctor`; fix: `make setup`)",
            file=sys.stderr,
        )
    return drift


def _cmd_doctor(args) -> int:
    import platform

    from sa_lib.pack.environment import LOCK_NAME, installed, lock_sha256

    sha = lock_sha256()
    print(f"Python {platform.python_version()}, {len(installed())} distributions installed")
    print(f"{LOCK_NAME}: sha256 {sha}" if sha else f"{LOCK_NAME}: not found")
    drift = _warn_lock_drift("sa doctor")
    for line in drift:
        print(f"  {line}")
    if drift:
        return 6
    print(f"The environment matches {LOCK_NAME}.")
    return 0


def _cmd_run(args) -> int:
    from sa_lib.pack.params import ParameterError
    from sa_lib.pack.runner import EXIT, OutputError, PackBusyError, run_pack

    try:
        res = run_pack(
            args.params,
            out_root=args.out,
            workers=args.workers,
            progress=not args.quiet,
            themes=args.theme,
            scheduler=args.scheduler,
            notebooks=not args.no_notebooks,
        )
    except ParameterError as e:
        print(f"sa run: {e}\nNothing was run.", file=sys.stderr)
        return 2
    except OutputError as e:
        print(f"sa run: error: {e}", file=sys.stderr)
        return EXIT["output"]
    except PackBusyError as e:
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


def _cmd_run_all(args) -> int:
    from sa_lib.pack.fanout import run_all
    from sa_lib.pack.params import ParameterError

    try:
        res = run_all(
            args.template,
            args.period,
            force=args.force,
            csps=args.csp,
            themes=args.theme,
            out_root=args.out,
            scheduler=args.scheduler,
            n_workers=args.workers,
            lookup=args.csp_lookup,
            rebuild=args.rebuild,
            progress=not args.quiet,
            notebooks=args.notebooks,
        )
    except ParameterError as e:
        print(f"sa run-all: {e}\nNothing was run.", file=sys.stderr)
        return 2
    print(
        f"{len(res.built)} pack(s) built, {len(res.up_to_date)} up to date, "
        f"{len(res.failures)} failed, in {res.seconds:.0f} s on {res.workers} worker(s)."
    )
    print(f"National index: {res.index}")
    if res.failures:
        width = max(len(f["csp_name"]) for f in res.failures)
        print(f"\nFailed ({len(res.failures)}); a rerun redoes only these:", file=sys.stderr)
        print(f"  {'CSP':{width}s}  reason", file=sys.stderr)
        for f in res.failures:
            print(f"  {f['csp_name']:{width}s}  {f.get('error', '')}", file=sys.stderr)
    return res.exit_code


def _cmd_themes(args) -> int:
    for nb in sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")):
        print(nb.stem)
    return 0


#: Commands whose run needs only their own parser (``sa ingest`` builds no other: issue 24).
_SETUP_COMMANDS = ("ingest", "ingest-extract")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``sa`` parser; for ``command`` ``ingest`` or ``ingest-extract``, with those alone."""
    ap = argparse.ArgumentParser(
        prog="sa",
        description="sa-workbench: strategic assessments for Community Safety Partnerships from "
        "data.police.uk and partner data.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("--version", action="version", version=f"sa-workbench {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")

    _add_setup_commands(sub)
    if command not in _SETUP_COMMANDS:
        _add_project_commands(sub)
        _add_run_commands(sub)
    return ap


def _add_setup_commands(sub) -> None:
    """``sa ingest`` and ``sa ingest-extract``."""
    p = sub.add_parser(
        "ingest",
        help="read data.police.uk files (zips, YYYY-MM/ folders or CSVs) into the store",
        description="Validate and ingest data.police.uk street, outcomes and stop-and-search files. "
        "Every file is checked before anything is written, and all months switch in together; "
        "re-ingesting a month replaces it (markedly fewer rows need --replace).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", help="zip archives, folders or monthly CSV files")
    p.add_argument(
        "--store", default="data/processed", help="store folder (default: data/processed)"
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="accept a month with markedly fewer rows than the stored one, or a file whose rows "
        "are another force's than its name says",
    )
    p.add_argument(
        "--keep-bad",
        action="store_true",
        help="keep rows with an invalid coordinate or LSOA code as rows with no location "
        "(counted) instead of stopping",
    )
    p.add_argument(
        "--max-file-mb",
        type=float,
        default=512,
        help="refuse a monthly file larger than this once unzipped (default: 512)",
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


def _add_project_commands(sub) -> None:
    """``sa init``, ``sa csps`` and ``sa check``."""
    p = sub.add_parser(
        "init",
        help="write a starting parameters file for another CSP (then edit and `sa check` it)",
        description="Copy the sample parameters file for another CSP: name, LAD code(s), period and, "
        "optionally, the boundaries / population / deprivation paths. Every other key keeps the "
        "sample's value and comments; the file is validated as written.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("params", help="where to write it, e.g. parameters/fenland_2025q4.yaml")
    p.add_argument(
        "--csp",
        help="a CSP's name or code (see `sa csps`): LADs, force, peers and the national "
        "reference geography are filled in",
    )
    p.add_argument("--name", help="with --lad: the name of a custom set of districts")
    p.add_argument(
        "--lad", action="append", help="LAD code (repeat for a multi-district CSP); with --name"
    )
    p.add_argument(
        "--period",
        required=True,
        help="'2025-Q4', '2025', 'FY2025/26', '2018-07' or '12m-2025-12'",
    )
    p.add_argument(
        "--store", default="data/processed", help="the store (decides baseline and targets)"
    )
    p.add_argument("--boundaries", help="boundaries folder ({lsoa21,lsoa11,ward25}/<LAD>.geojson)")
    p.add_argument("--population", help="Census 2021 LSOA21 age-band CSV")
    p.add_argument("--deprivation", help="IoD2019 File 1 or 2")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser(
        "csps",
        help="list the Community Safety Partnerships of England and Wales (codes, LADs, force)",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--force", help="only this police force's CSPs, e.g. essex")
    p.set_defaults(func=_cmd_csps)

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
    p.add_argument(
        "--csp-lookup",
        default=None,
        help="also check a `sa run-all` LAD -> CSP -> police force lookup CSV: refused when "
        "two of its CSPs share a LAD",
    )
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser(
        "doctor",
        help="compare the installed packages with requirements.lock",
        description="List every package whose installed version differs from the lock, is "
        "missing, or is not in the lock. Exit 0 when the environment matches, 6 when not.",
    )
    p.set_defaults(func=_cmd_doctor)


def _positive_int(text: str) -> int:
    """``--workers``: a whole number from 1 to 256 (argparse turns the error into exit 2)."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 256:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of workers from 1 to 256")
    return n


def _add_insecure(p) -> None:
    p.add_argument(
        "--insecure",
        action="store_true",
        help="allow --scheduler tcp:// to another host (unencrypted, unauthenticated)",
    )


def _check_cluster(args) -> None:
    """Refuse a scheduler address before anything runs (SchedulerError, exit 2)."""
    if getattr(args, "scheduler", None):
        from sa_lib.pack.executor import allow_insecure, check_scheduler

        check_scheduler(args.scheduler, insecure=args.insecure)
        if args.insecure:
            allow_insecure(args.scheduler)


def _add_run_commands(sub) -> None:
    """``sa run``, ``sa run-all`` and ``sa themes``."""
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
        "--workers",
        type=_positive_int,
        default=None,
        help="notebooks run at once (default: run.workers)",
    )
    p.add_argument("--theme", action="append", help="run only this theme (repeatable)")
    p.add_argument(
        "--scheduler",
        help="run the themes on an existing Dask scheduler, e.g. tls://HOST:8786 "
        "(default: a local cluster of --workers processes)",
    )
    _add_insecure(p)
    p.add_argument(
        "--no-notebooks",
        action="store_true",
        help="build each theme without a kernel (same pages; no executed notebooks kept)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "run-all",
        help="build a pack for every CSP (or a force's, or those named) from one template, on Dask",
        description="Fill a template parameters file in for each CSP (name, LAD codes, title, "
        "period), build each CSP's pack on a Dask cluster (a local one with one worker per core "
        "unless --scheduler is given), then write the national index with every CSP's headline "
        "rate and a funnel plot. Packs already built from the same inputs are not rebuilt; a failed "
        "CSP does not stop the others (exit code 3, with a table of failures).",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("template", help="template parameters YAML (shared settings for every CSP)")
    p.add_argument("--period", help="'2025-Q4', '2025' or 'FY2025/26' (default: the template's)")
    p.add_argument(
        "--force", help="only this police force's CSPs, by its police.uk file name (e.g. essex)"
    )
    p.add_argument("--csp", action="append", help="only this CSP, by name or code (repeatable)")
    p.add_argument("--theme", action="append", help="run only this theme (repeatable)")
    p.add_argument("--out", default=None, help="output root (default: outputs/)")
    p.add_argument(
        "--scheduler", help="address of an existing Dask scheduler, e.g. tls://HOST:8786"
    )
    _add_insecure(p)
    p.add_argument(
        "--workers",
        type=_positive_int,
        default=None,
        help="local cluster workers (default: one per core)",
    )
    p.add_argument(
        "--csp-lookup", default=None, help="LAD -> CSP -> police force lookup CSV (ONS layout)"
    )
    p.add_argument("--rebuild", action="store_true", help="rebuild packs that are up to date")
    p.add_argument(
        "--notebooks",
        action="store_true",
        help="run each theme's notebook in a kernel and keep the executed notebooks "
        "(default: build without a kernel; the pages are the same)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_run_all)

    p = sub.add_parser("themes", help="list the theme notebooks available")
    p.set_defaults(func=_cmd_themes)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["ingest"] and "numpy" not in sys.modules:
        # numpy (which pyarrow loads) starts a BLAS thread per core, which spins for a
        # while: about 0.06 CPU-s, a tenth of ingesting a force's year. Ingest uses no BLAS.
        # Only before numpy loads (a fresh `sa ingest`), so no caller's children inherit it.
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    ap = build_parser(argv[0] if argv else None)
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
        _check_cluster(args)
        return args.func(args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as e:
        # A SchedulerError comes from the executor, so it is loaded; `sa ingest` never loads it.
        executor = sys.modules.get("sa_lib.pack.executor")
        if executor is None or not isinstance(e, executor.SchedulerError):
            raise
        print(f"sa {args.command}: error: {e}\nNothing was published.", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
