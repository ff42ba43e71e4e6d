"""Parameters files: load, validate and type them before any notebook runs.

A parameters file is YAML, one per assessment run (``parameters/*.yaml``).
:func:`load_params` reads it and returns a typed, frozen
:class:`~sa_lib.pack.params_model.Params` (sections and theme options are pydantic
models: :mod:`sa_lib.pack.params_model`, :mod:`sa_lib.pack.params_themes`), with
every input path resolved once (``params.paths``). Every key is checked: an unknown
key, a wrong type, a bad period, a missing file or an unknown LAD code raises
:class:`ParameterError`, which lists every problem found (not just the first), each
with its full key, the value given, what is valid and the fix. papermill on its own
only warns.

A theme notebook with its own options gets a section named after it (``hotspots:``,
``violence:`` ...): add an options model in :mod:`sa_lib.pack.params_themes`.

Examples
--------
>>> from sa_lib.pack.params import load_params  # doctest: +SKIP
>>> p = load_params("parameters/huntingdonshire_2025q4.yaml")  # doctest: +SKIP
>>> p.period, p.statistics.alpha, p.paths.store.name  # doctest: +SKIP
('2025-Q4', 0.05, 'processed')
"""

from __future__ import annotations

import copy
import json
import os
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sa_lib import config
from sa_lib.data.periods import parse_period
from sa_lib.pack.params_base import Section
from sa_lib.pack.params_docs import schema_markdown
from sa_lib.pack.params_errors import messages
from sa_lib.pack.params_model import (
    NATIONAL_KEYS,
    SLUG_RE,
    TARGET_RANGES,
    THEME_MODELS,
    Disclosure,
    Params,
    resolve_path,
)
from sa_lib.pack.params_text import FILE_TEXT_COLUMNS, csv_text_problems, text_length_problems
from sa_lib.validation import YAML_MAX_BYTES, read_bounded_yaml, short_repr

__all__ = [
    "ParameterError",
    "Params",
    "load_params",
    "validate_params",
    "apply_overrides",
    "THEME_OPTIONS",
    "SCHEMA",
    "theme_disclosure",
    "published_disclosure",
    "SENSITIVE_THEMES",
    "SENSITIVE_MIN_THRESHOLD",
    "PUBLISHED_THEMES",
    "SLUG_RE",
    "NATIONAL_KEYS",
    "TARGET_RANGES",
    "period_coverage",
    "csp_forces",
    "schema_markdown",
]

#: Non-sensitive themes whose tables are all police.uk counts (figures a place profile
#: draws from a force extract use :meth:`sa_lib.pack.context.Context.extract_disclosure`).
PUBLISHED_THEMES = {"overview", "hotspots", "place_profile"}
#: Themes that are sensitive: never below the default threshold, always secondary suppression.
SENSITIVE_THEMES = {"domestic_abuse", "cse"}
#: The lowest threshold a sensitive theme may use (the default's).
SENSITIVE_MIN_THRESHOLD = 10

#: The run-wide keys of a parameters file (name -> pydantic FieldInfo), in reference order.
SCHEMA = {k: f for k, f in Params.model_fields.items() if k not in THEME_MODELS}
#: Each theme's own options (name -> FieldInfo; every theme also takes ``disclosure``).
THEME_OPTIONS = {
    theme: {k: f for k, f in model.model_fields.items() if k != "disclosure"}
    for theme, model in THEME_MODELS.items()
}


class ParameterError(ValueError):
    """The parameters file is invalid; ``problems`` lists each problem."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        body = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the parameters:\n{body}")


def _without(raw: dict, locs: list[tuple]) -> dict:
    """A copy of ``raw`` without the values at ``locs`` (a list item drops its whole list)."""
    out = copy.deepcopy(raw)
    for loc in locs:
        loc = tuple(loc[: next((i for i, x in enumerate(loc) if isinstance(x, int)), len(loc))])
        node = out
        for part in loc[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if loc and isinstance(node, dict):
            node.pop(loc[-1], None)
    return out


def validate_params(raw: Any, path: str = "<parameters>", *, check_store: bool = True) -> Params:
    """Validate a parameters mapping and return the typed :class:`Params`.

    Checks keys, types, ranges and choices (the models); the period; that every
    listed theme has a notebook; that input files exist; the sensitive-theme
    disclosure floor; the LAD codes against the boundaries available; the
    population and deprivation files' coverage; and (``check_store``) that the
    store holds the period's months. Every problem is collected before raising.

    Raises
    ------
    ParameterError
        Listing every problem found.

    Examples
    --------
    >>> validate_params({"period": "2025-Q4"}, check_store=False)
    Traceback (most recent call last):
    ...
    sa_lib.pack.params.ParameterError: <parameters>: 3 problem(s) in the parameters:
      - missing required key 'csp': the Community Safety Partnership.
      - missing required key 'themes': theme notebooks to run, in order.
      - missing required key 'data': input files (relative to the project root, or absolute).
    """
    if not isinstance(raw, dict):
        raise ParameterError(
            path, [f"the file must be a mapping of keys, got {type(raw).__name__}."]
        )
    problems: list[str] = []
    model: Params | None = None
    try:
        model = Params.model_validate(raw)
        view: Any = model
    except ValidationError as e:
        problems = messages(e, Params)
        view = _without(raw, [err["loc"] for err in e.errors(include_url=False)])
    problems += text_length_problems(Params, raw)
    problems += _sensitive_floor_problems(view)
    problems += _lad_problems(view)
    problems += _partnership_problems(view)
    if model is not None:
        problems += _theme_input_problems(model)
    if model is not None and not problems:
        problems += _lsoa_file_coverage(model) + _scoring_problems(model)
        problems += _file_text_problems(model)
    if model is not None and check_store and not problems:
        problems += _store_problems(model) + _force_counts_problems(model)
    if problems:
        raise ParameterError(path, problems)
    return model


def _file_text_problems(model: Params) -> list[str]:
    """Text of the events and annotations files (shown on pages) over its length cap."""
    out = []
    for key, columns in FILE_TEXT_COLUMNS.items():
        path = getattr(model.paths, key, None)
        if path is not None and path != "national" and Path(path).is_file():
            out += csv_text_problems(path, columns, f"data.{key}")
    return out


def _scoring_problems(model: Params) -> list[str]:
    """The scoring file (``summary.scoring``) read and checked as the summary will read it."""
    scoring = getattr(model.paths, "scoring", None)
    if scoring is None:
        return []
    from sa_lib.stats.priority import load_scoring

    try:
        load_scoring(scoring)
    except (OSError, ValueError) as e:
        return [f"summary.scoring: {' '.join(str(e).split())[:600]}"]
    return []


#: Themes that cannot run at all without one input: (data key, what it is, how to get it).
THEME_INPUTS = {
    "domestic_abuse": (
        "extract",
        "a force extract with domestic-abuse flags",
        "`sa ingest-extract --mapping MAPPING.yaml EXTRACT.csv`, then set data.extract",
    ),
    "cse": (
        "cse_indicators",
        "the partners' ward indicators file",
        "set data.cse_indicators to the partners' ward indicators CSV",
    ),
}


def _theme_input_problems(params: Params) -> list[str]:
    """A listed theme whose one essential input is not given is refused before any notebook runs.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> p = NS(themes=["overview", "domestic_abuse"], data=NS(extract=None, cse_indicators=None))
    >>> _theme_input_problems(p)[0][:70]
    "theme 'domestic_abuse' needs a force extract with domestic-abuse flags"
    """
    out = []
    for theme, (key, what, fix) in THEME_INPUTS.items():
        if theme in params.themes and getattr(params.data, key, None) is None:
            out.append(
                f"theme {theme!r} needs {what} (data.{key}), which is not set. Fix: {fix}; "
                f"or remove {theme} from themes."
            )
    return out


def _plain(p: Any) -> Any:
    """The typed parameters (or a section) as plain dicts; anything else as it is."""
    return p.to_dict() if isinstance(p, Section) else p


def _lad_problems(p: Any) -> list[str]:
    """Each LAD code must be a district of the national lookup, or of the boundaries folder."""
    csp, data = _plain(p).get("csp") or {}, _plain(p).get("data") or {}
    lads = csp.get("lad_codes") if hasattr(csp, "get") else None
    if not hasattr(data, "get"):
        return []
    if not isinstance(lads, list):
        return []
    boundaries = data.get("boundaries") or "national"
    if not isinstance(boundaries, str):
        return []
    if not lads:
        return ["csp.lad_codes is empty; give at least one LAD code, e.g. [E07000011]."]
    if boundaries == "national":
        from sa_lib.data.national import lad_lookup

        known = set(lad_lookup()["lad_code"])
        return [
            f"csp.lad_codes: unknown LAD code {short_repr(code)}: not a local authority district "
            f"(December 2024) in England or Wales. Fix: run `sa csps` for the codes, or "
            f"`sa init FILE --csp NAME`."
            for code in lads
            if code not in known
        ]
    folder = p.paths.boundaries if isinstance(p, Params) else resolve_path(boundaries)
    if not folder.exists():
        return []
    from sa_lib.data.geography import available_lads

    have = available_lads(folder)
    return [
        f"csp.lad_codes: unknown LAD code {short_repr(code)}: no boundaries for it in "
        f"{short_repr(boundaries, 200)}. Valid codes there: {', '.join(have) or 'none'}."
        for code in lads
        if code not in have
    ]


def _partnership_problems(p: Any) -> list[str]:
    """A CSP's LADs must not belong to another current partnership (each would count them)."""
    csp = _plain(p).get("csp") or {}
    name, lads = (csp.get("name"), csp.get("lad_codes")) if hasattr(csp, "get") else (None, None)
    if not isinstance(name, str) or not isinstance(lads, list):
        return []
    from sa_lib.data.national import partnership_problems

    return partnership_problems(name, lads)


def _store_problems(params: Params) -> list[str]:
    """The store must hold the months the report needs, for the CSP's own force(s)."""
    cov = period_coverage(params)
    if cov["problem"]:
        return [cov["problem"]]
    from sa_lib.data.store import unreadable_partitions

    period = parse_period(params.period)
    problems = [
        f"data.store: partition {bad['path']} (month {bad['month']}) cannot be read: "
        f"{bad['error']}. Fix: re-ingest that month from its data.police.uk file "
        f"(`sa ingest PATH`), which rewrites the partition."
        for bad in unreadable_partitions(params.paths.store, last_month=period.months[-1])
    ]
    if not problems:
        from sa_lib.data.coverage import CoverageError, partition_problems

        try:
            problems = partition_problems(
                params.paths.store, forces=csp_forces(params), last_month=period.months[-1]
            )
        except CoverageError as e:
            problems = [f"data.store: {e}"]
    return problems or _extract_content_problems(params)


def _force_counts_problems(params: Params) -> list[str]:
    """``data.force_counts`` must hold every month of the period: a rate over a quarter from
    two months' counts would compare the CSP with too few of the force's crimes."""
    path = params.paths.force_counts
    if path is None or not path.is_file():
        return []
    import pandas as pd

    from sa_lib.data.coverage import month_ranges

    try:
        held = set(pd.read_csv(path, usecols=["month"], dtype=str)["month"])
    except (ValueError, OSError) as e:
        return [f"data.force_counts={short_repr(params.data.force_counts)}: {str(e)[:300]}"]
    period = parse_period(params.period)
    miss = [m for m in period.months if m not in held]
    if not miss:
        return []
    return [
        f"data.force_counts={short_repr(params.data.force_counts)} has no counts for "
        f"{month_ranges(miss)} of period {params.period}; it covers "
        f"{month_ranges(held) if held else 'no month'}. Fix: `sa init FILE --csp NAME --period "
        f"{params.period}` writes them from the store when it holds the whole force, or remove "
        f"data.force_counts (the wider-area comparison is then shown as not available)."
    ]


def _extract_content_problems(params: Params) -> list[str]:
    """Load data.extract as a run would, so personal data or a schema error shows at `sa check`."""
    value, path = params.data.extract, params.paths.extract
    if value is None or value == "synthetic" or not path.is_file():
        return []
    from sa_lib.data.personal_data import PersonalDataError
    from sa_lib.pack.context import load_extract_once

    try:
        # Once per process and file: a run's themes and CSPs then take it from the cache.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ex = load_extract_once(path)
    except PersonalDataError as e:
        cols = [ln.strip(" -") for ln in str(e).splitlines() if ln.startswith("  - column")]
        return [
            f"data.extract={short_repr(value)} holds personal data: {'; '.join(cols)}. Fix: ask "
            f"the force to remove or pseudonymise these columns, then ingest the new file."
        ]
    except ValueError as e:
        msg = " ".join(str(e).split())
        return [f"data.extract={short_repr(value)}: {msg[:600]}"]
    return _extract_period_problems(params, ex)


def _extract_period_problems(params: Params, ex) -> list[str]:
    """An extract that lacks a month of the period would read as a month of no crimes
    (issue 19: a quarter missing its last two months read "69% lower than a year
    earlier, a significant change"): refused, naming what the extract holds."""
    from sa_lib.data.coverage import month_ranges

    if "month" not in ex:
        return []
    held = sorted(ex["month"].dropna().astype(str).unique())
    period = parse_period(params.period)
    miss = [m for m in period.months if m not in set(held)]
    if not miss:
        return []
    return [
        f"data.extract={short_repr(params.data.extract)} does not hold every month of period "
        f"{params.period}: it lacks {month_ranges(miss)} (it holds "
        f"{month_ranges(held) if held else 'no months'}), so the period's extract figures "
        "would count missing months as months with no crimes. Fix: choose a period the "
        "extract covers, ingest an extract that covers this one, or remove data.extract "
        "(and the domestic_abuse theme, which needs it)."
    ]


def csp_forces(params: Params | dict) -> list[str] | None:
    """The police.uk force slug(s) of the CSP's LADs, or None when the LADs are not in the
    national lookup (then any force's months count)."""
    from sa_lib.data.national import forces_for_lads

    forces = forces_for_lads((_plain(params).get("csp") or {}).get("lad_codes") or [])
    return forces or None


def period_coverage(params: Params | dict) -> dict:
    """Which of the report's periods the CSP's own force holds in the store.

    Returns
    -------
    dict
        ``forces`` (slugs or None), ``held`` (months held), ``periods`` (key -> Period),
        ``missing`` (key -> months not held, for each period not fully held; targets'
        years appear as ``target <crime type> <year>``), ``warnings`` (one plain sentence
        per missing comparison) and ``problem`` (an error for a missing current period,
        listing what the force holds, else None).
    """
    from sa_lib.data.coverage import month_ranges
    from sa_lib.data.periods import calendar_year, comparison_periods
    from sa_lib.data.store import store_months

    raw = _plain(params)
    period = parse_period(raw["period"])
    periods = comparison_periods(period, raw.get("baseline_year"))
    if isinstance(params, Params):
        store = params.paths.store
    else:  # a plain dict of parameters
        store = resolve_path((raw.get("data") or {}).get("store", "data/processed"))
    forces = csp_forces(params)
    held = store_months(store, forces=forces)
    who = f"the {', '.join(forces)} force's data" if forces else "the store"
    out = {"forces": forces, "held": held, "periods": periods, "missing": {}, "warnings": []}
    out["problem"] = None
    if not held:
        out["problem"] = (
            f"data.store: {store} holds no police.uk street data for "
            f"{', '.join(forces) if forces else 'any force'}. Run `sa ingest PATH...` on that "
            f"force's data.police.uk files first (for the sample: `sa ingest data/sample/police_uk`)."
        )
        return out
    have = set(held)
    checks = dict(periods)
    for t in raw.get("targets") or []:
        for k in ("baseline_year", "target_year"):
            y = t.get(k)
            if isinstance(y, int) and y <= period.end.year:
                checks[f"target {t.get('crime_type')} {y}"] = calendar_year(y)
    for key, per in checks.items():
        miss = [m for m in per.months if m not in have and m <= period.months[-1]]
        if not miss:
            continue
        out["missing"][key] = miss
        if key == "current":
            out["problem"] = (
                f"period {raw['period']} needs months {month_ranges(miss)}, which {who} in the "
                f"store do not hold. It holds {month_ranges(held)}. Fix: choose a period in that "
                f"range, or `sa ingest` the missing months."
            )
        else:
            out["warnings"].append(
                f"{key.replace('_', ' ')} ({per.label}) is not available: {who} in the store "
                f"lack {month_ranges(miss)}; that comparison is shown as not available."
            )
    return out


def _lsoa_file_coverage(p: Params) -> list[str]:
    """Check the population and deprivation files cover every LSOA of the CSP (by code)."""
    import pandas as pd

    data = p.data.to_dict()
    lads = p.csp.lad_codes
    try:
        if data.get("boundaries") == "national":
            from sa_lib.data.national import lsoa_lookup

            look = lsoa_lookup()
            codes = sorted(look.loc[look["lad_code"].isin(lads), "lsoa21_code"])
        else:
            import geopandas as gpd

            codes = []
            for lad in lads:
                f = p.paths.boundaries / "lsoa21" / f"{lad}.geojson"
                codes += gpd.read_file(f, ignore_geometry=True)["LSOA21CD"].astype(str).tolist()
            codes = sorted(codes)
    except Exception:  # noqa: BLE001 - the geography's own errors are reported at run time
        return []
    problems = []
    pop = data.get("population")
    if pop and pop != "national":
        have = set(pd.read_csv(p.paths.population, usecols=["lsoa21_code"])["lsoa21_code"])
        miss = [c for c in codes if c not in have]
        if miss:
            problems.append(
                f"data.population: {pop} has no population for {len(miss)} of the CSP's "
                f"{len(codes)} LSOAs, the first {miss[0]}. Fix: use a Census 2021 file that "
                f"covers the CSP, or 'national' (all of England and Wales, shipped)."
            )
    dep = data.get("deprivation")
    if dep == "national":
        from sa_lib.data.national import deprivation

        have = set(deprivation(codes)["lsoa21_code"])
        miss = [c for c in codes if c not in have]
        if miss:
            problems.append(
                f"data.deprivation: the national reference has no deprivation index for LSOA "
                f"{miss[0]} ({len(miss)} missing). Fix: rebuild data/national with "
                f"scripts/build_national.py, or remove data.deprivation."
            )
    elif dep:
        from sa_lib.data.geography import load_deprivation
        from sa_lib.data.national import change_lookup

        have11 = set(load_deprivation(p.paths.deprivation)["lsoa11_code"])
        ch = change_lookup()
        ch = ch[ch["lsoa21_code"].isin(codes)]
        ok = set(ch.loc[ch["lsoa11_code"].isin(have11), "lsoa21_code"])
        miss = [c for c in codes if c not in ok]
        if miss:
            problems.append(
                f"data.deprivation: {dep} covers none of the LSOA 2011 areas of LSOA {miss[0]} "
                f"({len(miss)} of the CSP's {len(codes)} LSOAs uncovered). Fix: use a deprivation "
                f"file for the CSP's country (IoD for England), or 'national' (IoD 2025 / WIMD 2019)."
            )
    return problems


def apply_overrides(raw: dict, overrides: dict | None) -> dict:
    """A copy of raw parameters with ``overrides`` applied: ``{"key.sub": value}`` or nested dicts.

    ``None`` values are skipped, so a notebook parameter left at ``None`` keeps the
    file's value. The result is validated like the file itself.

    Examples
    --------
    >>> apply_overrides({"period": "2025-Q4", "hotspots": {"shape": "square"}},
    ...                 {"hotspots.shape": "hex", "period": None})
    {'period': '2025-Q4', 'hotspots': {'shape': 'hex'}}
    """
    import copy

    out = copy.deepcopy(raw)
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if not isinstance(key, str) or not key:
            raise ValueError(
                f"overrides: key {key!r} is not a parameter name. Fix: use names such as "
                "'period' or 'place_profile.area'."
            )
        *parents, last = key.split(".")
        node = out
        for part in parents:
            if node.get(part) is None:
                node[part] = {}
            if not isinstance(node[part], dict):
                raise ValueError(
                    f"overrides: {key!r} goes inside {part!r}, which is not a section "
                    f"(its value is {node[part]!r}). Fix: override {part!r} itself."
                )
            node = node[part]
        node[last] = copy.deepcopy(value)
    return out


def load_params(
    path: str | os.PathLike[str], *, check_store: bool = True, overrides: dict | None = None
) -> Params:
    """Read a YAML parameters file, apply ``overrides`` (see :func:`apply_overrides`),
    validate it (see :func:`validate_params`) and return the typed :class:`Params`.

    The one place a run's paths are resolved: the file itself (``params.source``) and
    every ``data.*`` input (``params.paths``), relative to the project root.
    """
    p = resolve_path(path)
    if not p.exists():
        have = sorted(x.name for x in config.PARAMETERS_DIR.glob("*.yaml"))
        raise ParameterError(
            str(path),
            [f"file not found. Parameters files in parameters/: {', '.join(have) or 'none'}."],
        )
    # Every theme of every CSP of a run loads its file: validated once while nothing it
    # names changed (the file, its inputs, the store's partitions); warnings are raised again.
    key = (str(p), _content_sig(p), json.dumps(overrides, sort_keys=True, default=str))
    key += (check_store,)
    hit = _LOADED.get(key)
    if hit is None or hit[2] != _inputs_sig(hit[0]):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            params = _load_params(p, path, check_store, overrides)
        hit = _LOADED[key] = (params, list(caught), _inputs_sig(params))
        while len(_LOADED) > _LOADED_KEPT:
            _LOADED.popitem(last=False)
    else:
        _LOADED.move_to_end(key)
    for w in hit[1]:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return hit[0]


#: Parameters files validated in this process (see :func:`load_params`).
_LOADED: OrderedDict = OrderedDict()
_LOADED_KEPT = 8


def _stat_sig(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def _content_sig(path: Path) -> str | None:
    """The file's content hash (its modification time is too coarse for a quick rewrite)."""
    import hashlib

    try:
        with open(path, "rb") as fh:
            return hashlib.sha256(fh.read(YAML_MAX_BYTES + 1)).hexdigest()
    except OSError:
        return None


def _inputs_sig(params: Params) -> tuple:
    """What a validation read besides the file: each input path's and the store's state."""
    paths = params.paths
    sigs = [
        (k, _stat_sig(v)) for k in params.data.to_dict() if isinstance(v := getattr(paths, k), Path)
    ]
    store = paths.store
    for sub in ("coverage.json", "ingest_log.json"):
        sigs.append((sub, _stat_sig(store / sub)))
    sigs += [(str(f), _stat_sig(f)) for f in sorted(store.glob("*/*/*.parquet"))]
    return tuple(sigs)


def _load_params(p: Path, path, check_store: bool, overrides: dict | None) -> Params:
    """:func:`load_params` without its cache."""
    try:
        raw = read_bounded_yaml(p, what="parameters file")
    except ValueError as e:
        raise ParameterError(str(path), [str(e).split(": ", 1)[-1]]) from e
    if raw is None:
        raise ParameterError(str(path), ["the file is empty."])
    if overrides:
        raw = apply_overrides(raw, overrides)
    params = validate_params(raw, str(path), check_store=check_store)
    params._source = p
    return params


def theme_disclosure(params: Params | dict, theme: str) -> dict:
    """Disclosure settings for a theme: its own section's, else the defaults.

    Sensitive themes (domestic abuse, CSE) default to the strictest setting:
    secondary suppression on, and a threshold no lower than the default's. With
    ``disclosure.published_counts: show`` (the default) the police.uk-only themes
    (:data:`PUBLISHED_THEMES`) show published counts: see :func:`published_disclosure`.
    """
    params = _plain(params)
    base = dict(params.get("disclosure") or Disclosure().to_dict())
    own = ((params.get(theme) or {}).get("disclosure")) or {}
    explicit = {k: v for k, v in own.items() if v is not None}
    out = {**base, **explicit}
    if theme in SENSITIVE_THEMES:
        # Never below the default, whatever the run-wide or theme setting says
        # (validate_params refuses a lower one; this is the second line of defence).
        out["secondary"] = True
        out["threshold"] = max(out["threshold"], SENSITIVE_MIN_THRESHOLD)
    return out


def _sensitive_floor_problems(p: Any) -> list[str]:
    """Problems for a sensitive theme whose effective threshold or secondary setting is weaker."""
    p = _plain(p)
    problems = []
    listed = p.get("themes") if isinstance(p.get("themes"), list) else []
    run = p.get("disclosure") or {}
    for theme in sorted(SENSITIVE_THEMES):
        own = (p.get(theme) or {}).get("disclosure") or {}
        t_own = own.get("threshold")
        if isinstance(t_own, int) and 1 <= t_own < SENSITIVE_MIN_THRESHOLD:
            problems.append(
                f"{theme}.disclosure.threshold={t_own} is below {SENSITIVE_MIN_THRESHOLD}, the "
                f"floor for a sensitive theme. Fix: set {theme}.disclosure.threshold to at least "
                f"{SENSITIVE_MIN_THRESHOLD} (or remove it)."
            )
        if own.get("secondary") is False:
            problems.append(
                f"{theme}.disclosure.secondary=false is not allowed: a sensitive theme always "
                f"uses secondary suppression. Fix: remove {theme}.disclosure.secondary."
            )
        t_run = run.get("threshold")
        if (
            theme in listed
            and t_own is None
            and isinstance(t_run, int)
            and 1 <= t_run < SENSITIVE_MIN_THRESHOLD
        ):
            problems.append(
                f"disclosure.threshold={t_run} would lower the sensitive theme {theme} below "
                f"{SENSITIVE_MIN_THRESHOLD}. Fix: set disclosure.threshold to at least "
                f"{SENSITIVE_MIN_THRESHOLD}, or give {theme}.disclosure.threshold: "
                f"{SENSITIVE_MIN_THRESHOLD} for the sensitive theme."
            )
        if theme in listed and own.get("secondary") is None and run.get("secondary") is False:
            problems.append(
                f"disclosure.secondary=false would turn off secondary suppression for the "
                f"sensitive theme {theme}. Fix: set {theme}.disclosure.secondary: true (or leave "
                f"disclosure.secondary on)."
            )
    return problems + _run_wide_floor_problems(p, listed, run)


def _run_wide_floor_problems(p: dict, listed: list, run: dict) -> list[str]:
    """A run-wide threshold below the floor is refused whenever a sensitive theme or a
    force extract is in the run: extract-derived figures (homicides, child victims on the
    violence page) and sensitive pages must never be shown below it."""
    t_run = run.get("threshold") if hasattr(run, "get") else None
    if not isinstance(t_run, int) or not 1 <= t_run < SENSITIVE_MIN_THRESHOLD:
        return []
    data = p.get("data") if hasattr(p.get("data"), "get") else {}
    why = [t for t in sorted(SENSITIVE_THEMES) if t in listed]
    if data.get("extract") is not None:
        why.append("a force extract (data.extract)")
    if not why:
        return []
    return [
        f"disclosure.threshold={t_run} is below {SENSITIVE_MIN_THRESHOLD}, the floor while "
        f"the run holds {' and '.join(why)}: small counts of people could be identified. Fix: "
        f"set disclosure.threshold to at least {SENSITIVE_MIN_THRESHOLD} (use "
        f"disclosure.published_counts to show police.uk's own published counts)."
    ]


def published_disclosure(settings: dict, theme: str) -> dict:
    """The disclosure settings a theme's police.uk tables use under ``disclosure.published_counts``.

    With ``show`` (the default), a theme in :data:`PUBLISHED_THEMES` shows the counts
    police.uk already publishes street by street (threshold 1, no secondary
    suppression) and says so; ``strict`` keeps its own settings for figures from a
    force extract. Sensitive themes and ``suppress`` keep ``settings`` unchanged.

    Examples
    --------
    >>> s = {"threshold": 10, "secondary": True, "suppress_zero": False, "published_counts": "show"}
    >>> published_disclosure(s, "overview")["threshold"], published_disclosure(s, "cse")["threshold"]
    (1, 10)
    """
    out = dict(settings)
    out["strict"] = {k: settings[k] for k in ("threshold", "secondary", "suppress_zero")}
    out["published"] = (
        settings.get("published_counts", "show") == "show"
        and theme in PUBLISHED_THEMES
        and theme not in SENSITIVE_THEMES
    )
    if out["published"]:
        out.update(threshold=1, secondary=False, suppress_zero=False)
    return out
