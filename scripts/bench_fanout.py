"""Fan-out benchmark (issue 24): CPU seconds per pack, by theme and step, kernel vs no kernel.

``sa run-all`` over a force's CSPs, measured in CPU seconds (user + system of each
worker process and its kernel, from :func:`sa_lib.pack.fanout.build_csp`), so the
figures hold on a loaded machine; wall times (packs per minute, the speed-up from 1
to 2 workers) are printed with the load average they ran under.

Runs, on the same store, template, CSPs and themes:

1. the kernel path (``--notebooks``: each theme's notebook in the worker's warm kernel)
   on 1 worker;
2. the kernel-free path (the default) on 1 worker, then on 2.

Then the projection for the 314 CSPs of England and Wales on 2 cores, with its
assumptions. Run alone (``python scripts/bench_fanout.py --force essex``) or from
``scripts/benchmark.py``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

#: The default themes the 30-minute target is for (the issue's six).
DEFAULT_THEMES = ["summary", "overview", "hotspots", "place_profile", "violence", "outcomes"]
#: CSPs in England and Wales (the national lookup).
N_CSPS = 314
#: The target: every default theme for 314 CSPs in 30 minutes on 2 cores.
TARGET_MIN, TARGET_CPU_PER_PACK = 30, 11
#: Figures before this work (issue 24, measured on this machine, kernel path).
PREVIOUS = {
    "essex": "356 CPU-s for 14 packs (25 a pack), 2 workers 1.6x one",
    "cambridgeshire": "222 CPU-s for 6 packs (37 a pack)",
}
#: CPU-s a pack without a kernel before the chart and violence work (issue 24, first round).
PREVIOUS_DIRECT = {"essex": 7.1, "cambridgeshire": 13.8}


def default_data_root() -> Path:
    """``../shared/data`` beside the checkout, or beside the main checkout of a git worktree."""
    for base in (ROOT.parent, ROOT.parent.parent):
        if (base / "shared" / "data").is_dir():
            return base / "shared" / "data"
    return ROOT.parent / "shared" / "data"


def _row(name: str, value: float, unit: str, target: float | None = None) -> str:
    ok = "" if target is None else ("PASS" if value <= target else "FAIL")
    tgt = "" if target is None else f"target <= {target:g} {unit}"
    return f"{name:55s} {value:10.2f} {unit:6s} {tgt:20s} {ok}"


def force_setup(
    force: str, tmp: Path, data_root: Path, themes: list[str]
) -> tuple[Path, Path | None]:
    """Ingest the force's police.uk files into a store under ``tmp``; return (template, lookup).

    ``essex``: the Essex 2018 files (``data_root/police_uk_essex_2018``, else the test
    slice) with the fixture's boundaries; ``cambridgeshire``: the 2024-25 files
    (``data_root/police_uk``) on the national reference geography.
    """
    from sa_lib import config
    from sa_lib.data.ingest import ingest

    store = tmp / f"{force}_store"
    if force == "essex":
        fixture = ROOT / "tests" / "fixtures" / "essex_2018"
        full = data_root / "police_uk_essex_2018"
        ingest([full if full.is_dir() else fixture / "police_uk"], store)
        tpl = yaml.safe_load((fixture / "template.yaml").read_text())
        lookup = fixture / "csp_lookup.csv"
        for k in ("boundaries", "population", "deprivation"):
            tpl["data"][k] = str(ROOT / tpl["data"][k])
    else:
        ingest([data_root / "police_uk"], store)
        tpl = yaml.safe_load((config.PARAMETERS_DIR / "huntingdonshire_2025q4.yaml").read_text())
        for k in ("boundaries", "population", "deprivation"):
            tpl["data"][k] = "national"
        # The sample's own files and SYNTHETIC extracts cover Huntingdonshire only.
        for k in ("force_counts", "force_outcomes", "licensed_premises", "ambulance", "extract"):
            tpl["data"].pop(k, None)
        lookup = None
    tpl["data"]["store"] = str(store)
    tpl["themes"] = themes
    path = tmp / f"{force}_template.yaml"
    path.write_text(yaml.safe_dump(tpl))
    return path, lookup


def _run(template, force, lookup, out, workers, notebooks, csps):
    from sa_lib.pack.fanout import run_all

    load0 = os.getloadavg()[0]
    res = run_all(
        template,
        force=force,
        csps=csps,
        out_root=out,
        n_workers=workers,
        lookup=lookup,
        progress=False,
        notebooks=notebooks,
        rebuild=True,
    )
    if res.failures:
        raise RuntimeError(f"{len(res.failures)} pack(s) failed: {res.failures[0]['error']}")
    return {"res": res, "load": (load0 + os.getloadavg()[0]) / 2}


def _steps(built: list[dict], themes: list[str]) -> list[str]:
    """CPU seconds by theme and step (kernel-free path), medians over the packs."""
    lines = ["  CPU-s per pack by theme and step (no kernel; median over packs):"]
    lines.append(f"    {'theme':16s} {'build':>7s} {'render':>7s} {'export':>7s} {'total':>7s}")
    for t in themes:
        rows = [x for b in built for x in b["themes"] if x["theme"] == t]
        med = {
            k: statistics.median(r.get(f"{k}_cpu_seconds") or 0 for r in rows)
            for k in ("build", "render", "export")
        }
        lines.append(
            f"    {t:16s} {med['build']:7.2f} {med['render']:7.2f} {med['export']:7.2f} "
            f"{sum(med.values()):7.2f}"
        )
    per_theme = sum(
        x.get(f"{k}_cpu_seconds") or 0
        for b in built
        for x in b["themes"]
        for k in ("build", "render", "export")
    )
    pack_cpu = sum(b["cpu_seconds"] for b in built)
    lines.append(
        f"    pack files (index, workbook, manifest, headline): "
        f"{(pack_cpu - per_theme) / len(built):.2f} CPU-s a pack"
    )
    return lines


def _warm_and_cold(built: list[dict]) -> tuple[float, float]:
    """The median CPU-s of a warm pack, and what a worker's first pack costs more.

    A worker's first pack is its costliest (it pays the imports and its first context).
    """
    by_pid: dict = {}
    for b in built:
        by_pid.setdefault(b["pid"], []).append(b["cpu_seconds"])
    firsts = [max(v) for v in by_pid.values()]
    rest = [c for v in by_pid.values() for c in sorted(v)[:-1]] or firsts
    warm = statistics.median(rest)
    return warm, max(0.0, statistics.mean(firsts) - warm)


def bench_fanout(
    force: str,
    tmp: Path,
    data_root: Path,
    themes: list[str],
    n_csps: int | None,
    kernel: bool = True,
) -> tuple[list[str], bool]:
    """Measure the fan-out over ``force`` (see the module docstring); return (lines, failed).

    ``kernel=False`` leaves out the kernel-path run (the default path is measured alone).
    """
    from sa_lib.pack.fanout import plan_packs

    template, lookup = force_setup(force, tmp, data_root, themes)
    specs, _ = plan_packs(template, None, force=force, out_root=tmp / "plan", lookup=lookup)
    csps = [s["csp_name"] for s in specs][:n_csps] if n_csps else None
    n = len(csps or specs)
    lines = [f"fan-out: {force}, {n} CSP(s), themes {', '.join(themes)}"]
    lines.append(f"  before (kernel path, issue 24): {PREVIOUS.get(force, 'not measured')}")
    runs = {}
    plan = [("kernel", 1, True)] if kernel else []
    for label, workers, notebooks in (
        *plan,
        ("direct", 1, False),
        ("direct", 2, False),
    ):
        r = _run(
            template,
            force,
            lookup,
            tmp / f"out-{label}-{workers}",
            workers,
            notebooks,
            csps,
        )
        runs[(label, workers)] = r
        res = r["res"]
        cpu = [b["cpu_seconds"] for b in res.built]
        lines.append(
            _row(
                f"  {'kernel (--notebooks)' if notebooks else 'no kernel (default)'}, "
                f"{workers} worker(s): CPU-s per pack, mean",
                statistics.mean(cpu),
                "CPU-s",
                TARGET_CPU_PER_PACK if not notebooks else None,
            )
            + f" (total {sum(cpu):.0f}; wall {res.seconds:.0f} s, {n / res.seconds * 60:.1f} "
            f"packs/min, load {r['load']:.1f})"
        )
    rss = max(b.get("max_rss_mb") or 0 for r in runs.values() for b in r["res"].built)
    lines.append(_row("  peak memory of a worker process (max RSS)", rss, "MB"))
    d1 = statistics.mean(b["cpu_seconds"] for b in runs[("direct", 1)]["res"].built)
    if ("kernel", 1) in runs:
        k1 = statistics.mean(b["cpu_seconds"] for b in runs[("kernel", 1)]["res"].built)
        lines.append(_row("  CPU per pack, kernel / no kernel (same packs)", k1 / d1, "x"))
    if force in PREVIOUS_DIRECT:
        lines.append(
            f"  no kernel, 1 worker: {d1:.2f} CPU-s a pack now, {PREVIOUS_DIRECT[force]:.1f} "
            f"before the chart and violence work ({d1 / PREVIOUS_DIRECT[force]:.2f}x)"
        )
    w1, w2 = runs[("direct", 1)]["res"].seconds, runs[("direct", 2)]["res"].seconds
    load2 = runs[("direct", 2)]["load"]
    lines.append(
        _row(f"  speed-up 1 -> 2 workers (wall, no kernel; load {load2:.1f})", w1 / w2, "x")
    )
    lines += _steps(runs[("direct", 1)]["res"].built, themes)
    warm, cold = _warm_and_cold(runs[("direct", 1)]["res"].built)
    lines.append(
        f"  no kernel, 1 worker: a warm pack {warm:.2f} CPU-s (median); a worker's first pack "
        f"costs {cold:.2f} CPU-s more (imports, first context)"
    )
    cpu_bound = (N_CSPS * warm + 2 * cold) / 2 / 60
    lines.append(
        _row(
            f"  projection: {N_CSPS} CSPs on 2 idle cores (CPU-bound)", cpu_bound, "min", TARGET_MIN
        )
    )
    measured = N_CSPS / (n / w2) / 60
    lines.append(
        _row(
            f"  projection: {N_CSPS} CSPs at this run's 2-worker rate (load {load2:.1f})",
            measured,
            "min",
        )
    )
    lines.append(
        f"  assumptions: every CSP costs this force's warm pack ({warm:.1f} CPU-s) and each of "
        f"the 2 workers pays one first pack; the store's size adds little (issue 24: Leeds "
        f"1.23x a small district, a 43-force store 1.06x); 2 idle cores each running one "
        f"single-threaded worker (the work is CPU-bound: the 1-worker run's CPU is "
        f"{sum(b['cpu_seconds'] for b in runs[('direct', 1)]['res'].built) / w1:.0%} of its "
        f"wall at load {runs[('direct', 1)]['load']:.1f}); the national index and the "
        f"cluster's start (seconds) left out. The rate line is what this machine gave under "
        f"its load at the time, not a property of the code."
    )
    failed = d1 > TARGET_CPU_PER_PACK or cpu_bound > TARGET_MIN
    return lines, failed


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--force", choices=["essex", "cambridgeshire"], action="append")
    ap.add_argument("--data-root", default=str(default_data_root()))
    ap.add_argument("--theme", action="append", help=f"default: {', '.join(DEFAULT_THEMES)}")
    ap.add_argument("--csps", type=int, default=None, help="only the first N CSPs of the force")
    ap.add_argument(
        "--no-kernel-run", action="store_true", help="leave out the kernel path (--notebooks) run"
    )
    args = ap.parse_args()
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for force in args.force or ["essex"]:
            lines, bad = bench_fanout(
                force,
                Path(tmp) / force,
                Path(args.data_root),
                args.theme or DEFAULT_THEMES,
                args.csps,
                kernel=not args.no_kernel_run,
            )
            print("\n".join(lines), flush=True)
            failed |= bad
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
