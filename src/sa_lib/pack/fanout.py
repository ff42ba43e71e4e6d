"""Every CSP's pack from one template, fanned out on a Dask cluster: ``sa run-all``.

A template is a parameters file whose shared settings (store, statistics,
disclosure, themes, data paths) every CSP takes; the CSP, its LAD codes, the
title and the period are filled in per CSP, and peers and the place-profile area
(which belong to one CSP) are cleared. The filled-in files are written to
``<out>/parameters/`` so each pack's parameters can be checked and re-run alone.

Each CSP is one Dask task that runs :func:`sa_lib.pack.runner.run_pack` in the
worker, its themes one after another in the worker's warm kernel
(:mod:`sa_lib.pack.warm`), so the imports and the CSP's context are paid once per
worker and CSP rather than once per theme. Scheduling, retries (a worker that
dies has its task rescheduled on another) and worker memory limits are Dask's,
on the executor ``sa run`` uses too (:mod:`sa_lib.pack.executor`): by default a
``distributed.LocalCluster`` with one single-threaded worker per core;
``scheduler="tcp://HOST:8786"`` uses an existing cluster (the store and the
output folder must then be on a path every worker sees).

A pack is published atomically by ``run_pack`` under a per-pack lock, so a killed
worker never leaves a partial pack published, and a second run at the same time
leaves a pack being built alone (reporting it as busy). A pack whose manifest
records the same fingerprint (its parameters, the store's ingest log, the input
files, the notebooks, the workbench version and git commit) is up to date and not rebuilt;
a rerun redoes only failed, missing or stale packs.

Examples
--------
>>> t = {"title": "Huntingdonshire CSP assessment", "csp": {"name": "Huntingdonshire",
...      "slug": "huntingdonshire", "lad_codes": ["E07000011"]}, "period": "2025-Q4"}
>>> p = csp_parameters(t, {"csp_name": "Fenland", "slug": "fenland", "lad_codes": ["E07000010"],
...                        "force": "Cambridgeshire"}, "2025-Q3")
>>> p["title"], p["csp"], p["period"]
('Fenland CSP assessment', {'name': 'Fenland', 'slug': 'fenland', 'lad_codes': ['E07000010']}, '2025-Q3')
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import logging
import os
import time
import uuid
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from sa_lib import __version__, config

if TYPE_CHECKING:
    from sa_lib.pack.params_model import Params

__all__ = [
    "FanoutResult",
    "csp_parameters",
    "plan_packs",
    "build_csp",
    "run_all",
]

logger = logging.getLogger("sa_lib.pack.fanout")


@dataclass
class FanoutResult:
    """What ``run_all`` did: packs built, packs already up to date, failures, the index."""

    out_root: Path
    built: list[dict] = field(default_factory=list)
    up_to_date: list[dict] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    index: Path | None = None
    seconds: float = 0.0
    workers: int = 0

    @property
    def exit_code(self) -> int:
        """0 when every pack is built or up to date, 3 when any CSP failed."""
        return 3 if self.failures else 0


def csp_parameters(template: dict, csp: dict, period: str) -> dict:
    """The template's parameters for one CSP (a new dict; the template is not changed).

    ``csp`` has ``csp_name``, ``slug``, ``lad_codes`` and ``force`` (a row of
    :func:`sa_lib.pack.csps.csp_table`).
    """
    p = copy.deepcopy(template)
    old = (p.get("csp") or {}).get("name")
    title = p.get("title") or "Community Safety Partnership strategic assessment"
    if old and old in title:
        title = title.replace(old, csp["csp_name"])
    else:
        title = f"{csp['csp_name']} {title}"
    p["title"] = title
    p["csp"] = {"name": csp["csp_name"], "slug": csp["slug"], "lad_codes": list(csp["lad_codes"])}
    p["period"] = str(period)
    comp = dict(p.get("comparison") or {})
    comp["peers"] = []
    comp["wider_area_name"] = f"{csp['force']} police force area"
    p["comparison"] = comp
    if isinstance(p.get("place_profile"), dict):
        p["place_profile"] = {**p["place_profile"], "area": None}
    return p


def _path_sig(path: Path) -> list:
    if path.is_dir():
        return [
            (f.relative_to(path).as_posix(), f.stat().st_size, f.stat().st_mtime_ns)
            for f in sorted(path.rglob("*"))
            if f.is_file()
        ]
    return [path.stat().st_size, path.stat().st_mtime_ns] if path.exists() else [None]


def _shared_fingerprint(template: Params, themes: list[str]) -> str:
    """What every CSP's pack depends on besides its own parameters (the template's inputs)."""
    from sa_lib.pack.provenance import _git_commit

    # The code that made a pack (its footer cites the commit): new code, new packs.
    h = hashlib.sha256(f"sa-workbench {__version__} {_git_commit()}".encode())
    for key, value in sorted(template.data.to_dict().items()):
        if value is None or value in ("synthetic", "national"):
            continue
        p = getattr(template.paths, key)
        if key == "store":
            log = p / "ingest_log.json"
            h.update(log.read_bytes() if log.exists() else b"no ingest log")
        else:
            h.update(json.dumps([key, _path_sig(p)], default=str).encode())
    for t in themes:
        nb = config.NOTEBOOKS_DIR / f"{t}.ipynb"
        h.update(nb.read_bytes() if nb.exists() else t.encode())
    # The scoring rules and the national reference (CSPs, LSOAs, wards, deprivation).
    scoring = (
        getattr(template.paths, "scoring", None) or config.CONFIG_DIR / "priority_scoring.yaml"
    )
    h.update(Path(scoring).read_bytes() if Path(scoring).is_file() else b"no scoring file")
    h.update(json.dumps(["national", _path_sig(config.NATIONAL_DIR)], default=str).encode())
    return h.hexdigest()


def _is_current(pack: Path, fingerprint: str) -> bool:
    try:
        man = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return man.get("status") in ("complete", "partial") and man.get("fingerprint") == fingerprint


#: The longest CSP name accepted from a lookup (the longest real one is under 60).
MAX_NAME = 100


def _check_csp_names(table, template_path) -> None:
    """Refuse, before any build, CSP names with control characters, over-long names and
    two names that share a slug (one would overwrite the other's pack)."""
    from sa_lib.pack.params import ParameterError

    problems, seen = [], {}
    for row in table.to_dict("records"):
        name = str(row["csp_name"])
        if any(ord(c) < 32 or 127 <= ord(c) < 160 or c in "\u2028\u2029" for c in name):
            problems.append(f"CSP name {name!r} holds a control character (a line break?).")
        if len(name) > MAX_NAME:
            problems.append(
                f"CSP name {name[:40]!r}... is {len(name)} characters (at most {MAX_NAME})."
            )
        if row["slug"] in seen:
            problems.append(
                f"CSP names {seen[row['slug']]!r} and {name!r} share the folder name "
                f"{row['slug']!r}, so one pack would overwrite the other."
            )
        seen.setdefault(row["slug"], name)
    if problems:
        raise ParameterError(
            str(template_path), [*problems, "Fix: correct these names in the --csp-lookup file."]
        )


def plan_packs(
    template_path: str | os.PathLike[str],
    period: str | None = None,
    *,
    force: str | None = None,
    csps: list[str] | None = None,
    themes: list[str] | None = None,
    out_root: str | os.PathLike[str] | None = None,
    lookup=None,
) -> tuple[list[dict], dict]:
    """Validate the template, select the CSPs and write their parameters files.

    Returns
    -------
    (specs, info)
        One spec per CSP (``csp_name``, ``slug``, ``force``, ``params_path``, ``name``
        (the pack folder), ``themes``, ``kernel``, ``out_root``, ``fingerprint``), and
        ``info`` with ``period_slug`` and ``period_label``.

    Raises
    ------
    sa_lib.pack.params.ParameterError
        For an invalid template, period, theme, force or CSP (nothing is written).
    """
    from sa_lib.data.periods import parse_period
    from sa_lib.pack.csps import csp_table, lookup_problems, select_csps
    from sa_lib.pack.params import ParameterError, load_params
    from sa_lib.pack.runner import pack_name

    checked = load_params(template_path, check_store=False)
    tpath = checked.source
    raw = yaml.safe_load(tpath.read_text(encoding="utf-8"))
    period = str(period or raw.get("period"))
    try:
        per = parse_period(period)
    except ValueError as e:
        raise ParameterError(str(template_path), [f"--period: {e}"]) from None
    if themes:
        unknown = [t for t in themes if t not in checked.themes]
        if unknown:
            raise ParameterError(
                str(template_path),
                [
                    f"--theme {t!r} is not in the template's themes list. Valid choices: "
                    f"{', '.join(checked.themes)}."
                    for t in unknown
                ],
            )
    try:
        table = select_csps(csp_table(lookup), force=force, csps=csps)
    except ValueError as e:
        raise ParameterError(str(template_path), [str(e)]) from None
    _check_csp_names(table, template_path)
    named = isinstance(lookup, (str, os.PathLike))
    where = f"the --csp-lookup file {Path(lookup).name}" if named else "the CSP lookup"
    shared = lookup_problems(table, where)
    if shared:
        raise ParameterError(str(template_path), shared)
    from sa_lib.pack.out_root import check_out_root

    out_root = check_out_root(Path(out_root) if out_root else config.OUTPUTS_DIR)
    params_dir = out_root / "parameters"
    params_dir.mkdir(parents=True, exist_ok=True)
    todo = [t for t in checked.themes if not themes or t in themes]
    partial = todo != list(checked.themes)
    shared = _shared_fingerprint(checked, todo)
    specs = []
    for row in table.to_dict("records"):
        p = csp_parameters(raw, row, period)
        text = (
            f"# {row['csp_name']}: written by `sa run-all` from {Path(template_path).name}.\n"
            + yaml.safe_dump(p, sort_keys=False, allow_unicode=True)
        )
        path = params_dir / f"{row['slug']}_{per.slug}.yaml"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        name = pack_name(p) + (".partial" if partial else "")
        specs.append(
            {
                "csp_name": row["csp_name"],
                "csp_code": row["csp_code"],
                "slug": row["slug"],
                "force": row["force"],
                "params_path": str(path.resolve()),
                "name": name,
                "themes": todo if partial else None,
                "kernel": checked.run.kernel,
                "out_root": str(out_root.resolve()),
                "fingerprint": hashlib.sha256((shared + text).encode()).hexdigest(),
            }
        )
    info = {
        "period_slug": per.slug,
        "period_label": per.label,
        "dispersion": checked.comparison.funnel_overdispersion,
    }
    return specs, info


def build_csp(spec: dict) -> dict:
    """Build one CSP's pack in this process (a Dask task); never raises.

    Returns a dict with ``csp_name``, ``name``, ``status`` (``ok`` or ``failed``),
    ``error``, ``seconds``, ``pid`` and ``themes`` (each theme's timings).
    """
    from sa_lib.pack.params import ParameterError
    from sa_lib.pack.runner import PackBusyError, run_pack
    from sa_lib.pack.warm import worker_kernel

    t0, cpu0 = time.perf_counter(), _tree_cpu()
    out = {"csp_name": spec["csp_name"], "name": spec["name"], "pid": os.getpid()}

    def extra(tmp: Path) -> dict:
        info = {
            "force": spec["force"],
            "csp_code": spec["csp_code"],
            "fingerprint": spec["fingerprint"],
        }
        try:
            if spec.get("notebooks", True):  # from the warm kernel's context
                text = worker_kernel(spec["kernel"]).evaluate(
                    "import json\nfrom sa_lib.pack.national_index import csp_headline",
                    f"json.dumps(csp_headline({spec['params_path']!r}))",
                )
                info["headline"] = json.loads(ast.literal_eval(text))
            else:  # the themes ran in this process: its context cache is warm
                from sa_lib.pack.national_index import csp_headline

                info["headline"] = json.loads(json.dumps(csp_headline(spec["params_path"])))
        except Exception as e:  # noqa: BLE001 - a pack without a headline is still a pack
            info["headline"] = None
            info["headline_error"] = f"{type(e).__name__}: {e}"
        return info

    try:
        res = run_pack(
            spec["params_path"],
            out_root=spec["out_root"],
            workers=1,
            progress=False,
            themes=spec["themes"],
            inline=True,
            manifest_extra=extra,
            notebooks=spec.get("notebooks", True),
        )
    except ParameterError as e:
        return {**out, "status": "failed", "error": f"invalid parameters: {e}", "themes": []}
    except PackBusyError as e:
        return {**out, "status": "failed", "error": str(e), "themes": []}
    except Exception as e:  # noqa: BLE001 - one CSP's failure is reported, not fatal to others
        return {**out, "status": "failed", "error": f"{type(e).__name__}: {e}", "themes": []}
    keys = ("theme", "status", "wall_seconds", "compute_seconds", "setup_seconds")
    keys += ("export_seconds", "overhead_seconds", "warm_kernel")
    keys += ("build_cpu_seconds", "render_cpu_seconds", "export_cpu_seconds")
    themes = [{k: r.get(k) for k in keys} for r in res.themes]
    failed = [r for r in res.themes if r["status"] != "ok"]
    return {
        **out,
        "status": "ok" if res.ok else "failed",
        "error": "; ".join(f"{r['theme']}: {r.get('error_summary', '')}" for r in failed)
        if failed
        else ("interrupted" if not res.ok else ""),
        "pack": str(res.out_dir),
        "seconds": time.perf_counter() - t0,
        # This worker's and its kernel's CPU for the pack (the index, workbook, manifest too).
        "cpu_seconds": round(_tree_cpu() - cpu0, 3),
        # The worker's peak memory so far (sizing a cluster's workers: README).
        "max_rss_mb": _peak_rss_mb(),
        "themes": themes,
    }


def _peak_rss_mb() -> int | None:
    """This process's peak resident memory in MB (None where the OS does not say)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _tree_cpu() -> float:
    """CPU seconds (user + system) of this process and its live children (a warm kernel)."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
        except psutil.Error:  # a child that has just exited
            continue
        total += t.user + t.system
    return total


def run_all(
    template_path: str | os.PathLike[str],
    period: str | None = None,
    *,
    force: str | None = None,
    csps: list[str] | None = None,
    themes: list[str] | None = None,
    out_root: str | os.PathLike[str] | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    lookup=None,
    rebuild: bool = False,
    progress: bool = True,
    client=None,
    notebooks: bool = False,
) -> FanoutResult:
    """Build every selected CSP's pack on a Dask cluster, then the national index.

    Parameters
    ----------
    template_path : path-like
        The template parameters file.
    period : str, optional
        The period for every pack (default: the template's).
    force : str, optional
        Only this police force's CSPs (police.uk file-name slug, e.g. ``"essex"``).
    csps : list of str, optional
        Only these CSPs (names, slugs or codes).
    themes : list of str, optional
        Only these of the template's themes (the packs are then partial runs).
    out_root : path-like, optional
        Output root (default ``outputs/``): one folder per pack, ``parameters/`` and ``index.html``.
    scheduler : str, optional
        Address of an existing Dask scheduler; default a local cluster.
    n_workers : int, optional
        Local cluster size (default one worker per core).
    lookup : DataFrame or path, optional
        The LAD -> CSP -> PFA lookup (default the national reference).
    rebuild : bool
        Rebuild packs that are up to date too.
    progress : bool
        Show a progress bar on stderr.
    client : distributed.Client, optional
        Use this client (tests, benchmarks) instead of starting a cluster.
    notebooks : bool
        Run each theme's notebook in the worker's warm kernel and keep the executed
        notebooks; by default each theme is built in the worker without a kernel
        (:mod:`sa_lib.pack.direct`), with the same pages, CSVs, workbook and manifest.

    Returns
    -------
    FanoutResult
    """
    from sa_lib.pack.executor import dask_client
    from sa_lib.pack.national_index import write_national_index

    t0 = time.perf_counter()
    sel = {"force": force, "csps": csps, "themes": themes, "out_root": out_root, "lookup": lookup}
    specs, info = plan_packs(template_path, period, **sel)
    root = Path(specs[0]["out_root"]) if specs else Path(out_root or config.OUTPUTS_DIR)
    result = FanoutResult(out_root=root)
    todo = [s for s in specs if rebuild or not _is_current(root / s["name"], s["fingerprint"])]
    result.up_to_date = [
        {"csp_name": s["csp_name"], "name": s["name"]} for s in specs if s not in todo
    ]
    todo = [{**s, "notebooks": notebooks} for s in todo]
    if todo:
        with nullcontext(client) if client is not None else dask_client(n_workers, scheduler) as c:
            result.workers = len(c.scheduler_info()["workers"])
            _fan_out(c, todo, result, progress)
    result.index = write_national_index(
        root,
        period_slug=info["period_slug"],
        period_label=info["period_label"],
        failures=[{"csp_name": f["csp_name"], "error": f["error"]} for f in result.failures],
        dispersion=info["dispersion"],
    )
    result.seconds = time.perf_counter() - t0
    return result


def _fan_out(client, todo: list[dict], result: FanoutResult, progress: bool) -> None:
    from sa_lib.pack.executor import run_tasks

    run_id = uuid.uuid4().hex[:8]
    by_key = {f"sa-pack-{s['name']}-{run_id}": s for s in todo}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc="CSP packs", unit="pack")
    jobs = {key: (spec,) for key, spec in by_key.items()}
    for key, res in run_tasks(client, build_csp, jobs, retries=1):
        spec = by_key[key]
        if isinstance(res, BaseException):
            res = {
                "csp_name": spec["csp_name"],
                "name": spec["name"],
                "status": "failed",
                "error": f"{type(res).__name__}: {res}",
                "themes": [],
            }
        (result.built if res["status"] == "ok" else result.failures).append(res)
        logger.info("pack %s: %s %s", res["name"], res["status"], res.get("error", ""))
        if bar:
            bar.set_postfix_str(f"{spec['slug']} {res['status']}")
            bar.update(1)
    if bar:
        bar.close()
    order = {s["name"]: i for i, s in enumerate(todo)}
    result.built.sort(key=lambda r: order[r["name"]])
    result.failures.sort(key=lambda r: order[r["name"]])
