"""Benchmarks: print speed and size figures against the project's targets.

Targets (issue: foundation):

- ingest of the whole Cambridgeshire force folder (../shared/data/police_uk,
  ~168k street rows) in 5 s or less;
- ingest speed (issue 15), side by side in one run with pyarrow reading the same
  street CSVs and writing Parquet (zstd, one file per CSV), both as library calls in
  this process on the same number of threads: at least 500k street rows/s, and no
  more than 1.5x the pyarrow baseline's time;
- ingest cost (issue 24): the ``sa ingest`` command against a pyarrow script (read
  each CSV with pyarrow.csv.read_csv, write it with pyarrow.parquet.write_table,
  zstd) as whole processes on the same files, interleaved (the side that goes first
  alternates), in CPU seconds (user + system, all threads, imports included): the
  ratio of the medians at most 1.3x on the Cambridgeshire street files, on all
  three kinds, and on the synthetic national folder below; each run's own ratio is
  printed as the spread;
- peak memory of a large ingest at most 4 GB (``--memory-rows 20000000`` builds a
  synthetic multi-force folder of that many street rows from the real files, with
  the force renamed per copy, and ingests it in a child process);
- loading one CSP's slice from the store in 0.5 s or less;
- ``sa run`` for the sample pack, once set up, in 30 s or less wall time;
- the overview HTML under 3 MB;
- ``make test`` in 300 CPU-seconds or less, beside the previous figure: every run prints
  the latest recorded figure beside the one before; ``--suite`` measures a new one
  (scripts/suite_cpu.py, history in scripts/suite_cpu.json).
- ingest on a synthetic national folder (``--national-ingest-rows``, default 20 million
  street rows: copies of the Cambridgeshire street files, one synthetic force per
  copy): ``sa ingest`` and the pyarrow script as above, ``--repeats`` runs each;
  at most 1.3x. ``--only-ingest`` prints the ingest figures alone.

Targets (issue: national scale):

- per theme, wall time within 2 s of compute time (``compute`` is the notebook's
  analysis cells; ``overhead`` = wall - compute: kernel, imports, context, export);
  themes run in a warm kernel are reported apart from the first theme of a worker;
- fan-out (issue 24, scripts/bench_fanout.py): ``sa run-all`` over the Essex CSPs
  (the Essex 2018 data, <data-root>/police_uk_essex_2018, else the shipped test
  slice) and, when <data-root>/police_uk is there, the Cambridgeshire CSPs, with the
  six default themes: CPU seconds per pack (every worker process and its kernel) on
  the kernel path and without a kernel, on 1 and 2 workers, by theme and step
  (build, render, export), packs per minute and the measured speed-up, and the
  projection for 314 CSPs on 2 cores with its assumptions; at most 11 CPU-s a pack
  and 30 minutes;
- the national index and funnel for 314 CSPs in 30 s or less once the packs exist;
- an idle local cluster (scripts/bench_idle_cluster.py): CPU seconds a minute with the
  run's Dask settings (``executor.LOCAL_CLUSTER_CONFIG``) at most half of Dask's
  defaults, side by side in one run.

Targets (issue 10: any CSP), on a synthetic national store (``--national-rows``, default
20 million: the sample's real rows resampled onto every force's LSOAs, 43 forces x 24
months, written straight to Parquet partitions with coverage records):

- loading one CSP's slice (its force, its LSOAs of both vintages) in 1 s or less;
- the whole store's month coverage (every force) in 0.2 s or less;
- ``sa init --csp`` for a CSP in 3 s or less (wall time of the command).

Run with ``make benchmark`` (or ``.venv/bin/python scripts/benchmark.py``). It
uses temporary folders and never touches data/processed or outputs/. The
force-wide ingest is skipped, with a note, when ../shared/data is absent.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_fanout import DEFAULT_THEMES, default_data_root  # noqa: E402

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


#: Files read at once by both sides of the in-process comparison (ingest's default).
_WORKERS = min(4, os.cpu_count() or 1)


def _baseline(files: list[Path], out: Path) -> int:
    """pyarrow alone: read each CSV and write it as Parquet (the yardstick for ingest),
    on as many threads as ``ingest`` uses, so that wall times compare equal work."""
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)

    def one(item: tuple[int, Path]) -> int:
        t = pacsv.read_csv(item[1])
        pq.write_table(t, out / f"{item[0]}.parquet", compression="zstd")
        return t.num_rows

    with ThreadPoolExecutor(_WORKERS) as pool:
        return sum(pool.map(one, enumerate(files)))


def _library_calls(files: list[Path], tmp: Path, label: str, repeats: int):
    """Wall and CPU seconds of ``ingest`` and of the pyarrow baseline in this process, on
    the same files and the same number of threads, alternating which goes first."""
    t = {"pyarrow": [], "ingest": []}
    c = {"pyarrow": [], "ingest": []}
    rows, summary = 0, None
    for i in range(repeats):
        for side in ("pyarrow", "ingest") if i % 2 == 0 else ("ingest", "pyarrow"):
            out = tmp / f"{side}-{label}-{i}"
            t0, c0 = time.perf_counter(), time.process_time()
            if side == "pyarrow":
                rows = _baseline(files, out)
            else:
                summary = ingest(files, out, workers=_WORKERS)
            t[side].append(time.perf_counter() - t0)
            c[side].append(time.process_time() - c0)
            shutil.rmtree(out)
    return rows, summary, t["pyarrow"], t["ingest"], c["pyarrow"], c["ingest"]


def bench_ingest_vs_pyarrow(shared: Path, tmp: Path, repeats: int) -> tuple[list[str], bool]:
    """Time ``ingest`` and the pyarrow baseline on the same files, interleaved; report ratios:
    the library call in this process (issue 15), then the two commands (issue 24)."""
    lines, failed = [], False
    kinds = {
        "street": sorted(shared.glob("*/*-street.csv*")),
        "all kinds": sorted(shared.glob("*/*.csv*")),
    }
    for label, files in kinds.items():
        rows, summary, t_base, t_ing, c_base, c_ing = _library_calls(files, tmp, label, repeats)
        stored = int(summary["rows"].sum() + summary["rows_duplicate"].sum())
        assert stored == rows, (stored, rows)
        base, ing = statistics.median(t_base), statistics.median(t_ing)
        is_street = label == "street"
        lines.append(
            f"library calls in this process, {label}, {_WORKERS} threads each side, "
            f"{repeats} interleaved runs (wall medians)"
        )
        lines.append(
            _row(f"pyarrow read CSV + write Parquet, {label} ({rows:,} rows)", base, "s", None)
        )
        lines.append(_row(f"sa ingest, {label}, median of {repeats}", ing, "s", None))
        lines.append(
            _row(
                f"  ingest {label} rows per second (thousands)",
                rows / ing / 1000,
                "k/s",
                500 if is_street else None,
                lower_is_better=False,
            )
        )
        lines.append(
            _row(f"  pyarrow {label} rows per second (thousands)", rows / base / 1000, "k/s", None)
        )
        lines.append(
            _row(f"  ratio ingest / pyarrow, {label}", ing / base, "x", 1.5 if is_street else None)
        )
        lines.append(
            _row(
                f"  ratio of the best runs (least disturbed), {label}",
                min(t_ing) / min(t_base),
                "x",
                None,
            )
        )
        cb, ci = statistics.median(c_base), statistics.median(c_ing)
        lines.append(
            _row(
                f"  CPU seconds (all threads): pyarrow {cb:.2f}, ingest {ci:.2f}; ratio",
                ci / cb,
                "x",
                None,
            )
        )
        lines.append(
            _row(
                f"  {label} rows/s on 2 idle cores, CPU-bound estimate (thousands)",
                rows / (ci / 2) / 1000,
                "k/s",
                None,
            )
        )
        if is_street:
            failed |= rows / ing < 500_000 or ing / base > 1.5
        cmd_base, cmd_ing = _commands_side_by_side(files, tmp, label, repeats)
        lines += _command_lines(cmd_base, cmd_ing, f"Cambridgeshire {label}")
        failed |= statistics.median(cmd_ing) / statistics.median(cmd_base) > 1.3
    return lines, failed


_BASELINE_CMD = (
    "import sys, pyarrow.csv as c, pyarrow.parquet as q, pathlib as p\n"
    "out = p.Path(sys.argv[1]); out.mkdir(parents=True)\n"
    "for i, f in enumerate(sys.argv[2:]):\n"
    "    q.write_table(c.read_csv(f), out / f'{i}.parquet', compression='zstd')\n"
)


def _child_cpu(cmd: list[str]) -> float:
    """CPU seconds (user + system, all threads) of one child process run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed: {proc.stderr[-400:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _commands_side_by_side(
    files: list[Path], tmp: Path, label: str, repeats: int
) -> tuple[list[float], list[float]]:
    """CPU seconds of the pyarrow script and of ``sa ingest`` on the same ``files``, each
    run ``repeats`` times as a whole process (interpreter start and imports included).

    Equal work: the same files, the same machine and every core open to both (each
    uses the threads it chooses); the runs alternate, the one to go first switching
    each repeat (ABBA...), so load from other work and a warming disk cache fall on
    both sides alike. Returns (pyarrow runs, ingest runs), in order.
    """
    sa = Path(sys.executable).with_name("sa")
    names = [str(f) for f in files]
    commands = {
        "pyarrow": lambda out: [sys.executable, "-c", _BASELINE_CMD, str(out), *names],
        "ingest": lambda out: [str(sa), "ingest", "--quiet", "--store", str(out), *names],
    }
    runs: dict[str, list[float]] = {"pyarrow": [], "ingest": []}
    for i in range(repeats):
        for side in ("pyarrow", "ingest") if i % 2 == 0 else ("ingest", "pyarrow"):
            out = tmp / f"cmd-{side}-{label.split()[0]}-{i}"
            runs[side].append(_child_cpu(commands[side](out)))
            shutil.rmtree(out)
    return runs["pyarrow"], runs["ingest"]


def _command_lines(base: list[float], ing: list[float], label: str) -> list[str]:
    """The side-by-side figures: medians, their ratio (the target), and the spread."""
    b, g = statistics.median(base), statistics.median(ing)
    each = sorted(x / y for x, y in zip(ing, base, strict=True))
    return [
        f"  sa ingest vs pyarrow script, {label}: whole processes, CPU-s (user+sys, all threads), "
        f"{len(base)} interleaved runs each",
        _row(
            f"    pyarrow script, median CPU-s (runs {min(base):.2f}-{max(base):.2f})", b, "s", None
        ),
        _row(f"    sa ingest, median CPU-s (runs {min(ing):.2f}-{max(ing):.2f})", g, "s", None),
        _row(
            f"    ratio of medians (each run's ratio {each[0]:.2f}-{each[-1]:.2f})", g / b, "x", 1.3
        ),
    ]


def build_synthetic_national(shared: Path, out: Path, rows: int) -> int:
    """Copies of the real street files, one synthetic force per copy, until ``rows`` rows."""
    files = sorted(shared.glob("*/*-street.csv"))
    texts = [(f, f.read_bytes()) for f in files]
    per_copy = sum(t.count(b"\n") - 1 for _, t in texts)
    n, k = 0, 0
    while n < rows:
        k += 1
        name = f"Synthetic Force {k:03d}".encode()
        for f, t in texts:
            month = f.parent.name
            d = out / month
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{month}-synthetic-{k:03d}-street.csv").write_bytes(
                t.replace(b"Cambridgeshire Constabulary", name)
            )
        n += per_copy
    return n


def bench_national_ingest(
    shared: Path, tmp: Path, rows: int, repeats: int = 3
) -> tuple[list[str], bool]:
    """``sa ingest`` against the pyarrow script on a synthetic national folder of ``rows``
    street rows (copies of the force's files, one synthetic force per copy), as whole
    processes, interleaved, in CPU seconds (issue 24: at most 1.3x)."""
    folder = tmp / "national-ingest"
    n = build_synthetic_national(shared, folder, rows)
    files = sorted(folder.glob("*/*.csv"))
    base, ing = _commands_side_by_side(files, tmp, "national", repeats)
    shutil.rmtree(folder)
    label = f"national store ({n:,} street rows, {len(files):,} files)"
    ratio = statistics.median(ing) / statistics.median(base)
    return _command_lines(base, ing, label), ratio > 1.3


def suite_lines() -> list[str]:
    """The recorded ``make test`` CPU figures, the latest beside the one before
    (scripts/suite_cpu.json; ``--suite`` measures a new one)."""
    import suite_cpu

    return suite_cpu.lines(suite_cpu.history()[-2:])


def bench_memory(shared: Path, tmp: Path, rows: int) -> tuple[list[str], bool]:
    """Peak RSS of ``sa ingest`` of ``rows`` synthetic street rows, in a child process."""
    folder = tmp / "national"
    t0 = time.perf_counter()
    n = build_synthetic_national(shared, folder, rows)
    built = time.perf_counter() - t0
    code = (
        "import sys, time; from sa_lib.data.ingest import ingest; t0 = time.perf_counter(); "
        "s = ingest([sys.argv[1]], sys.argv[2]); "
        "print(int(s['rows'].sum()), time.perf_counter() - t0)"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [sys.executable, "-c", code, str(folder), str(tmp / "national-store")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    if proc.returncode != 0:
        return [f"{'large ingest':55s} FAILED: {proc.stderr[-500:]}"], True
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
    stored, secs = proc.stdout.split()
    lines = [
        f"{'synthetic national folder built':55s} {n:,} street rows in {built:.0f} s",
        _row(f"large ingest ({int(stored):,} rows), wall", float(secs), "s", None),
        _row("  rows per second (thousands)", int(stored) / float(secs) / 1000, "k/s", None),
        _row("  peak memory (max RSS of the child)", peak_gb, "GB", 4),
    ]
    del before
    shutil.rmtree(folder)
    return lines, peak_gb > 4


def _theme_lines(themes: list[dict], label: str) -> tuple[list[str], bool]:
    """Per-theme wall vs compute, and the mean overhead of warm and cold themes."""
    lines = [f"{label}: per theme wall / compute / overhead (s)"]
    for t in themes:
        lines.append(
            f"  {t['theme']:18s} wall {t['wall_seconds']:6.2f}  compute {t['compute_seconds']:6.2f}  "
            f"overhead {t['overhead_seconds']:5.2f}  (set-up cell {t['setup_seconds']:.2f}, export "
            f"{t['export_seconds']:.2f}, {'warm' if t['warm_kernel'] else 'cold'} kernel)"
        )
    warm = [t["overhead_seconds"] for t in themes if t["warm_kernel"]]
    cold = [t["overhead_seconds"] for t in themes if not t["warm_kernel"]]
    failed = False
    if warm:
        med = statistics.median(warm)
        lines.append(_row(f"  {label}: overhead per warm-kernel theme, median", med, "s", 2))
        failed = med > 2
        # The set-up cell of a CSP's first theme builds the CSP's context (geography and
        # store slice), which its other themes share: the theme's own overhead is the rest.
        own = statistics.median(
            t["overhead_seconds"] - t["setup_seconds"] for t in themes if t["warm_kernel"]
        )
        lines.append(
            _row(f"  {label}: same, less the set-up cell (context), median", own, "s", None)
        )
    if cold:
        lines.append(
            _row(f"  {label}: overhead of a worker's first theme (cold)", max(cold), "s", None)
        )
    return lines, failed


def _fanout_lines(tmp: Path, themes: list[str], args) -> tuple[list[str], bool]:
    """``sa run-all`` in CPU seconds (scripts/bench_fanout.py): kernel vs no kernel, 1 and 2
    workers, by theme and step, and the 314-CSP projection; then the national index."""
    import json

    from bench_fanout import bench_fanout

    from sa_lib.pack.national_index import write_national_index

    lines, failed = [], False
    data_root = Path(args.data_root)
    forces = ["essex"] + (["cambridgeshire"] if (data_root / "police_uk").is_dir() else [])
    for force in forces:
        more, bad = bench_fanout(
            force,
            tmp / f"fan-{force}",
            data_root,
            themes,
            args.fanout_csps,
            kernel=not args.fanout_no_kernel_run,
        )
        lines += more
        failed |= bad

    # The national index for 314 CSPs, from 314 manifests made from a real one.
    # Not tmp / "national": the synthetic national store of _national_benchmarks is there.
    nat = tmp / "national_index"
    nat.mkdir()
    real = next((tmp / "fan-essex" / "out-direct-2").glob("*_2018q2/manifest.json"))
    man = json.loads(real.read_text())
    for i in range(314):
        d = nat / f"csp_{i:03d}_2018q2"
        d.mkdir()
        m = dict(man)
        m["parameters"] = {"csp": {"name": f"CSP {i:03d}", "slug": f"csp_{i:03d}"}}
        h = dict(man["headline"])
        h["population"] = 40000 + 1500 * i
        h["count"] = max(10, int(h["population"] * (1.5 + (i % 7) / 10) / 1000 * h["months"] / 3))
        m["headline"] = h
        (d / "manifest.json").write_text(json.dumps(m))
    t0 = time.perf_counter()
    write_national_index(nat, period_slug="2018q2", period_label="Q2 2018")
    idx = time.perf_counter() - t0
    lines.append(_row("national index + funnel for 314 CSPs", idx, "s", 30))
    return lines, failed or idx > 30


def build_national_store(sample_store: Path, store: Path, n_rows: int) -> int:
    """A SYNTHETIC store: the sample's real street rows resampled onto every force's LSOAs."""
    import json

    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from sa_lib.data import national

    template = pa.concat_tables(
        pq.read_table(p) for p in sorted((sample_store / "street").glob("*/*.parquet"))
    )
    look = national.lsoa_lookup().merge(national.lad_lookup()[["lad_code", "force"]], on="lad_code")
    forces = sorted(look["force"].unique())
    months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)]
    per = max(1, n_rows // (len(forces) * len(months)))
    rng = np.random.default_rng(1)
    coverage = {}
    total = 0
    for force in forces:
        codes = look.loc[look["force"] == force, "lsoa21_code"].to_numpy()
        (store / "street" / force).mkdir(parents=True, exist_ok=True)
        for month in months:
            t = template.take(pa.array(rng.integers(0, template.num_rows, per)))
            lsoa = pa.array(codes[rng.integers(0, len(codes), per)], type=pa.string())
            has = pc.is_valid(t.column("lsoa_code"))
            t = t.set_column(
                t.schema.get_field_index("lsoa_code"), "lsoa_code", pc.if_else(has, lsoa, None)
            )
            t = t.set_column(
                t.schema.get_field_index("month"), "month", pa.array([month] * per, pa.string())
            )
            t = t.set_column(
                t.schema.get_field_index("force"), "force", pa.array([force] * per, pa.string())
            )
            pq.write_table(t, store / "street" / force / f"{month}.parquet", compression="zstd")
            coverage[f"street/{force}/{month}"] = {
                "source": "synthetic",
                "sha256": "synthetic",
                "rows": per,
            }
            total += per
    (store / "coverage.json").write_text(json.dumps(coverage))
    return total


def _national_benchmarks(tmp: Path, sample_store: Path, args, lines: list[str]) -> bool:
    from sa_lib.data.coverage import store_coverage
    from sa_lib.data.geography import csp_lsoa_codes

    failed = False
    store = tmp / "national"
    t0 = time.perf_counter()
    total = build_national_store(sample_store, store, args.national_rows)
    lines.append(
        _row(
            f"build synthetic 43-force store ({total:,} rows)", time.perf_counter() - t0, "s", None
        )
    )
    geo = build_geography(["E07000066"], "national", "national", "national")  # Basildon, Essex
    codes = csp_lsoa_codes(geo)
    months = [f"2025-{m:02d}" for m in range(1, 13)] + [f"2024-{m:02d}" for m in range(1, 13)]
    times = []
    for _ in range(max(args.repeats, 5)):
        t0 = time.perf_counter()
        df = load_street(store, months=months, lsoa_codes=codes, forces=["essex"])
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    lines.append(
        _row(f"load one CSP slice, national store ({len(df):,} rows), median", med, "s", 1)
    )
    failed |= med > 1
    times = []
    for _ in range(max(args.repeats, 5)):
        t0 = time.perf_counter()
        cov = store_coverage(store)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    lines.append(
        _row(f"whole-store month coverage ({len(cov):,} partitions), median", med, "s", 0.2)
    )
    failed |= med > 0.2
    sa = Path(sys.executable).with_name("sa")
    cmd = [str(sa)] if sa.exists() else [sys.executable, "-m", "sa_lib.pack.cli"]
    times = []
    for i in range(args.repeats):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [
                *cmd,
                "init",
                str(tmp / f"init{i}.yaml"),
                "--csp",
                "Basildon",
                "--period",
                "2025-Q4",
                "--store",
                str(store),
            ],
            capture_output=True,
            text=True,
        )
        times.append(time.perf_counter() - t0)
        if proc.returncode != 0:
            print(proc.stdout, proc.stderr, file=sys.stderr)
            failed = True
    med = statistics.median(times)
    lines.append(_row("sa init --csp Basildon (command wall time), median", med, "s", 3))
    failed |= med > 3
    return failed


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--shared", default=None, help="police.uk folder (default <data-root>/police_uk)"
    )
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-pack", action="store_true", help="skip the full sa run timing")
    ap.add_argument(
        "--suite",
        action="store_true",
        help="only: run `make test` and print its CPU time beside the previous figure "
        "(scripts/suite_cpu.py)",
    )
    ap.add_argument(
        "--memory-rows",
        type=int,
        default=0,
        help="also measure peak memory of ingesting this many synthetic street rows "
        "(issue 15 asks for 20000000; needs ~7 GB of temporary disk)",
    )
    ap.add_argument("--only-ingest", action="store_true", help="only the ingest figures")
    ap.add_argument(
        "--national-ingest-rows",
        type=int,
        default=20_000_000,
        help="street rows of the synthetic national folder that `sa ingest` and the pyarrow "
        "script read side by side (0 skips it; 20 million needs ~7 GB of temporary disk)",
    )
    ap.add_argument("--skip-fanout", action="store_true", help="skip the sa run-all timing")
    ap.add_argument(
        "--fanout-theme",
        action="append",
        help=f"themes for the fan-out (default: {', '.join(DEFAULT_THEMES)})",
    )
    ap.add_argument(
        "--fanout-csps", type=int, default=None, help="only the first N CSPs of each force"
    )
    ap.add_argument(
        "--fanout-no-kernel-run",
        action="store_true",
        help="leave the kernel path (--notebooks) out of the fan-out",
    )
    ap.add_argument(
        "--data-root",
        default=str(default_data_root()),
        help="folder with police_uk/ (Cambridgeshire) and police_uk_essex_2018/",
    )
    ap.add_argument(
        "--national-rows",
        type=int,
        default=20_000_000,
        help="rows in the synthetic 43-force store (0 skips the any-CSP benchmarks)",
    )
    args = ap.parse_args()
    if args.suite:
        sys.path.insert(0, str(ROOT / "scripts"))
        import suite_cpu

        return suite_cpu.main([])
    lines = []
    failed = False

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shared = Path(args.shared or Path(args.data_root) / "police_uk")
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
            more, bad = bench_ingest_vs_pyarrow(shared, tmp, max(args.repeats, 3))
            lines += more
            failed |= bad
            if args.national_ingest_rows:
                more, bad = bench_national_ingest(
                    shared, tmp, args.national_ingest_rows, args.repeats
                )
                lines += more
                failed |= bad
            if args.memory_rows:
                more, bad = bench_memory(shared, tmp, args.memory_rows)
                lines += more
                failed |= bad
        else:
            lines.append(f"{'ingest force folder':55s} skipped: {shared} not found")
        if args.only_ingest:
            print("sa-workbench benchmark (this machine)")
            print("\n".join([*lines, *suite_lines()]))
            return 1 if failed else 0

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

        if args.national_rows:
            failed |= _national_benchmarks(tmp, sample_store, args, lines)

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
                import json

                manifest = json.loads((pack / "manifest.json").read_text())
                tl, f = _theme_lines(manifest["themes"], "sa run, sample pack")
                lines += tl
                failed |= f
                for html in sorted(pack.glob("*.html")):
                    mb = html.stat().st_size / 1024 / 1024
                    target = 3 if html.stem == "overview" else None
                    lines.append(_row(f"  {html.name} size", mb, "MB", target))
                    if target:
                        failed |= mb > target

        if not args.skip_fanout:
            fl, f = _fanout_lines(tmp, args.fanout_theme or DEFAULT_THEMES, args)
            lines += fl
            failed |= f

        from bench_idle_cluster import lines as idle_cluster_lines

        il, f = idle_cluster_lines()
        lines += il
        failed |= f

    print("sa-workbench benchmark (this machine)")
    print("\n".join([*lines, *suite_lines()]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
