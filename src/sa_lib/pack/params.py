"""Parameters files: load, fill defaults, and validate before any notebook runs.

A parameters file is YAML, one per assessment run (``parameters/*.yaml``). Every
key is checked: an unknown key, a wrong type, a bad period, a missing file or an
unknown LAD code raises :class:`ParameterError`, which lists every problem found
(not just the first) with the valid choices. papermill on its own only warns.

Theme notebooks can add their own section (``hotspots:``, ``violence:`` ...):
register its keys in :data:`THEME_OPTIONS`.

Examples
--------
>>> from sa_lib.pack.params import load_params  # doctest: +SKIP
>>> p = load_params("parameters/huntingdonshire_2025q4.yaml")  # doctest: +SKIP
>>> p["period"], p["statistics"]["alpha"]  # doctest: +SKIP
('2025-Q4', 0.05)
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from typing import Any

from sa_lib import config
from sa_lib.data.periods import PERIOD_FORMS, parse_period
from sa_lib.validation import read_bounded_yaml, short_repr

__all__ = [
    "ParameterError",
    "load_params",
    "validate_params",
    "THEME_OPTIONS",
    "SCHEMA",
    "theme_disclosure",
    "SENSITIVE_THEMES",
    "SENSITIVE_MIN_THRESHOLD",
    "SLUG_RE",
    "period_coverage",
    "csp_forces",
]

#: A CSP slug: lower-case letters, digits, '_' and '-' (it names a folder under outputs/).
SLUG_RE = r"[a-z0-9][a-z0-9_-]{0,63}"


class ParameterError(ValueError):
    """The parameters file is invalid; ``problems`` lists each problem."""

    def __init__(self, path: str, problems: list[str]):
        self.path = path
        self.problems = problems
        body = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the parameters:\n{body}")


@dataclass
class F:
    """One parameter: its type(s), whether required, default, choices and a help text."""

    types: tuple[type, ...]
    required: bool = False
    default: Any = None
    choices: tuple | None = None
    help: str = ""
    kind: str = ""  # "path", "path?" (optional path), "lad_list", "period", "year", "theme_list"
    children: dict[str, F] | None = field(default=None)
    #: Inclusive (minimum, maximum) of a number; None on a side means unbounded.
    range: tuple[float | None, float | None] | None = None
    #: Regular expression (fullmatch) a text value must match, and its plain description.
    pattern: tuple[str, str] | None = None


def _section(children: dict[str, F], help: str = "", required: bool = False) -> F:
    return F((dict,), required=required, default=None, help=help, children=children)


DISCLOSURE = {
    "threshold": F((int,), default=10, range=(1, 1000), help="counts below this are shown as '<N'"),
    "secondary": F(
        (bool,), default=True, help="secondary suppression so totals cannot reveal a cell"
    ),
    "suppress_zero": F((bool,), default=False, help="also suppress zeros"),
    "published_counts": F(
        (str,),
        default="show",
        choices=("show", "suppress"),
        help="'show': themes built only on police.uk data (overview, hot spots, place profile) "
        "show the counts police.uk already publishes street by street, unsuppressed; sensitive "
        "themes and every figure from a force extract keep the threshold and secondary "
        "suppression. 'suppress': the threshold applies everywhere",
    ),
}

#: Non-sensitive themes whose tables are all police.uk counts (figures a place profile
#: draws from a force extract use :meth:`sa_lib.pack.context.Context.extract_disclosure`).
PUBLISHED_THEMES = {"overview", "hotspots", "place_profile"}

#: Per-theme option sections. A theme adds its keys here.
THEME_OPTIONS: dict[str, dict[str, F]] = {
    "domestic_abuse": {
        "repeat_window_days": F(
            (int,),
            default=365,
            range=(1, 3650),
            help="look-back window (days) for a repeat victim",
        ),
        "event_correction": F(
            (str,),
            default="holm",
            choices=("none", "holm", "bonferroni", "fdr_bh"),
            help="correction across events",
        ),
    },
    "cse": {
        "indicators": F(
            (list,), default=None, help="indicator columns in the index (default: all in the file)"
        ),
        "weights": F(
            (dict,),
            default=None,
            help="weight per indicator, each 0 to 1,000 (default: equal); normalised to sum 1",
        ),
        "method": F(
            (str,), default="zscore", choices=("zscore", "percentile"), help="standardisation"
        ),
        "missing": F(
            (str,),
            default="reweight",
            choices=("mean", "zero", "drop", "reweight"),
            help="treatment of missing indicators",
        ),
        "top_n": F((int,), default=5, range=(1, 100), help="number of priority wards"),
        "n_sims": F(
            (int,),
            default=1000,
            range=(1, 100_000),
            help="Monte Carlo weight perturbations for rank stability",
        ),
        "perturbation": F(
            (float,),
            default=0.25,
            range=(0, 0.99),
            help="relative weight perturbation (uniform +/-)",
        ),
    },
    "violence": {
        "nte_distance_m": F(
            (int, float),
            default=100,
            range=(1, 5000),
            help="distance (m) from licensed premises counted as 'near'",
        ),
        "cell_size": F(
            (int,),
            default=None,
            range=(10, 10_000),
            help="hotspot grid cell size (m); null = automatic",
        ),
    },
    "overview": {
        "major_types": F(
            (list,),
            default=None,
            help="crime types given a trend chart each (default: the six largest)",
        ),
        "top_wards": F((int,), default=10, range=(1, 500), help="wards shown in the ranked table"),
    },
    "hotspots": {
        "crime_types": F(
            (list,),
            default=None,
            help="crime types analysed (default: all crime excluding ASB; 'All crime' allowed)",
        ),
        "cell_size": F(
            (float,),
            default=None,
            range=(10, 10_000),
            help="grid cell size in metres (default: auto)",
        ),
        "shape": F((str,), default="square", choices=("square", "hex"), help="grid cell shape"),
        "bandwidth": F(
            (float,),
            default=None,
            range=(10, 50_000),
            help="KDE bandwidth in metres (default: auto)",
        ),
        "p_value": F(
            (str,),
            default="analytical",
            choices=("analytical", "permutation"),
            help="Gi* p-values (permutation uses statistics.permutations and seed)",
        ),
        "emerging_freq": F(
            (str,),
            default="month",
            choices=("month", "quarter"),
            help="time step of the emerging hot-spot analysis",
        ),
        "min_count": F(
            (int,),
            default=20,
            range=(0, 1_000_000),
            help="crimes a cell needs over the emerging window before it can be 'Preventing'",
        ),
        "emerging_time_step": F(
            (int,),
            default=1,
            help="Gi* neighbourhood time step of the emerging analysis: periods back included "
            "(1 as ArcGIS; 0 = spatial only)",
        ),
        "change_from": F(
            (str,),
            default="last_year",
            choices=("last_year", "previous"),
            help="period the ward change is measured from",
        ),
    },
    "place_profile": {
        "area": F(
            (dict,),
            default=None,
            help="{type: ward|lsoas|polygon, value: ...} (default: the ward with most crime)",
        ),
    },
    "summary": {
        "scoring": F(
            (str,),
            default=None,
            help="priority scoring rules YAML (default: config/priority_scoring.yaml)",
        ),
        "method": F(
            (str,),
            default=None,
            choices=("morile", "grid"),
            help="scoring method (default: the scoring file's)",
        ),
        "findings": F((int,), default=6, help="key findings on the front page (5-7)"),
        "min_flags": F((int,), default=2, help="flags a ward needs to be a candidate issue"),
    },
    "wards": {
        "min_count": F(
            (int,), default=50, help="district crimes a type needs to be a ward-flag indicator"
        ),
        "top_share": F((float,), default=0.2, help="top fraction of wards for a flag"),
        "min_flags": F((int,), default=2, help="flags a ward needs for a profile"),
    },
}

#: Themes that are sensitive: never below the default threshold, always secondary suppression.
SENSITIVE_THEMES = {"domestic_abuse", "cse"}
#: The lowest threshold a sensitive theme may use (the default's).
SENSITIVE_MIN_THRESHOLD = 10

SCHEMA: dict[str, F] = {
    "title": F(
        (str,), default=None, help="report title (default: '<CSP> Community Safety Partnership')"
    ),
    "csp": _section(
        {
            "name": F((str,), required=True, help="the CSP's name, e.g. Huntingdonshire"),
            "slug": F(
                (str,),
                default=None,
                pattern=(SLUG_RE, "lower-case letters, digits, '_' and '-' only (at most 64)"),
                help="short id for the output folder outputs/<slug>_<period>/ (default: from name)",
            ),
            "lad_codes": F(
                (list,), required=True, kind="lad_list", help="local authority district code(s)"
            ),
        },
        help="the Community Safety Partnership",
        required=True,
    ),
    "period": F(
        (str, int), required=True, kind="period", help=f"the assessment period: {PERIOD_FORMS}"
    ),
    "baseline_year": F(
        (int,),
        default=None,
        kind="year",
        range=(2010, 2100),
        help="calendar year for long-term comparison",
    ),
    "themes": F((list,), required=True, kind="theme_list", help="theme notebooks to run, in order"),
    "data": _section(
        {
            "store": F(
                (str,), default="data/processed", kind="store", help="the ingested Parquet store"
            ),
            "boundaries": F(
                (str,),
                default="national",
                kind="path",
                help="'national' (the shipped ONS reference: official best-fit wards drawn as "
                "the dissolve of their LSOAs) or a folder of {lsoa21,lsoa11,ward25}/<LAD>.geojson",
            ),
            "population": F(
                (str,),
                default="national",
                kind="path",
                help="'national' (Census 2021, shipped) or a Census 2021 LSOA21 age-band CSV",
            ),
            "deprivation": F(
                (str,),
                default=None,
                kind="path?",
                help="'national' (IoD 2025 England / WIMD 2019 Wales, shipped) or an IoD2019 "
                "File 1 or 2 (LSOA11)",
            ),
            "force_counts": F(
                (str,),
                default=None,
                kind="path?",
                help="LAD x month x crime type counts for the force",
            ),
            "force_outcomes": F(
                (str,),
                default=None,
                kind="path?",
                help="the force's crimes by LAD x month x crime type x outcome group CSV",
            ),
            "annotations": F(
                (str,),
                default="config/recording_changes.csv",
                kind="path",
                help="dated recording-practice changes",
            ),
            "harm_weights": F(
                (str,), default=None, kind="path?", help="harm weights CSV by crime type"
            ),
            "extract": F(
                (str,),
                default=None,
                kind="path?",
                help="force extract: a Parquet/CSV path from `sa ingest-extract`, or 'synthetic' "
                "for the shipped synthetic extract (labelled synthetic on every page)",
            ),
            "licensed_premises": F(
                (str,),
                default=None,
                kind="path?",
                help="licensed premises points CSV (easting, northing)",
            ),
            "events": F(
                (str,),
                default=None,
                kind="path?",
                help="events table CSV (event, start, end) for event-effect tests",
            ),
            "cse_indicators": F(
                (str,),
                default=None,
                kind="path?",
                help="ward CSE risk indicators CSV (one row per ward)",
            ),
            "cse_quarterly": F(
                (str,),
                default=None,
                kind="path?",
                help="ward x quarter CSE-flagged crimes and referrals CSV",
            ),
            "previous_priority_wards": F(
                (str,),
                default=None,
                kind="path?",
                help="the previous assessment's priority wards CSV",
            ),
            "ambulance": F(
                (str,),
                default=None,
                kind="path?",
                help="monthly ambulance assault call-outs per LSOA CSV",
            ),
        },
        help="input files (relative to the project root, or absolute)",
        required=True,
    ),
    "statistics": _section(
        {
            "alpha": F((float,), default=0.05, help="significance level, strictly between 0 and 1"),
            "conf_level": F(
                (float,),
                default=0.95,
                help="confidence level of intervals, strictly between 0 and 1",
            ),
            "correction": F(
                (str,),
                default="fdr_bh",
                choices=("none", "fdr_bh", "bonferroni"),
                help="multiple-comparison method",
            ),
            "seed": F(
                (int,),
                default=20250401,
                range=(0, 2**32 - 1),
                help="random seed for permutation tests and Monte Carlo",
            ),
            "rate_per": F(
                (int,), default=1000, choices=(1000, 10000, 100000), help="rates per N residents"
            ),
            "permutations": F(
                (int,), default=999, range=(19, 99_999), help="permutations for Gi* p-values"
            ),
        },
        help="statistical settings printed in every report",
    ),
    "disclosure": _section(
        DISCLOSURE, help="disclosure control defaults (a theme section can override)"
    ),
    "targets": F(
        (list,),
        default=[],
        help="list of {crime_type, reduction_pct (0 to 100), baseline_year, target_year "
        "(2010 to 2100, target after baseline)}",
    ),
    "priorities": F(
        (list,),
        default=[],
        help="the partnership's current priorities, reviewed on the summary: list of "
        "{name, crime_type, reduction_pct, baseline_year, target_year}",
    ),
    "document": _section(
        {
            "author": F((str,), default=None, help="author (a team, not a person's contact)"),
            "version": F((str, int, float), default=None, help="document version, e.g. '0.3'"),
            "status": F(
                (str,), default="draft", choices=("draft", "final"), help="document status"
            ),
            "protective_marking": F(
                (str,), default=None, help="protective marking, e.g. OFFICIAL or OFFICIAL-SENSITIVE"
            ),
            "distribution": F((list,), default=[], help="who the pack is for (groups)"),
        },
        help="document control shown on the summary and in every footer",
    ),
    "comparison": _section(
        {
            "peers": F((list,), default=[], help="LAD codes of peer CSPs for the funnel plot"),
            "wider_area_name": F((str,), default="force area", help="name of the wider area"),
            "funnel_overdispersion": F(
                (str,),
                default="additive",
                choices=("none", "multiplicative", "additive"),
                help="funnel-plot limits: Poisson only, or adjusted for overdispersion "
                "(Spiegelhalter 2005)",
            ),
        },
        help="comparison with the wider area and peers",
    ),
    "run": _section(
        {
            "kernel": F(
                (str,),
                default="sa-workbench",
                kind="kernel",
                help="Jupyter kernel for papermill (must be installed: `jupyter kernelspec list`)",
            ),
            "workers": F((int,), default=2, range=(1, 64), help="notebooks run in parallel"),
            "cell_timeout": F(
                (int,), default=600, range=(1, 86_400), help="seconds a cell may run"
            ),
        },
        help="how the pack runs",
    ),
}


def _type_name(types: tuple[type, ...]) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true/false",
    }
    return " or ".join(names.get(t, t.__name__) for t in types)


def _slugify(s: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def _in_range(value: float, rng: tuple) -> bool:
    lo, hi = rng
    return (lo is None or value >= lo) and (hi is None or value <= hi)


def _range_text(rng: tuple) -> str:
    lo, hi = rng
    if lo is not None and hi is not None:
        return f"between {lo:,} and {hi:,}"
    return f"at least {lo:,}" if lo is not None else f"at most {hi:,}"


def _check_section(data: Any, schema: dict[str, F], where: str, problems: list[str]) -> dict:
    out: dict[str, Any] = {}
    if not isinstance(data, dict):
        problems.append(
            f"{where or 'the file'} must be a mapping of keys, got {type(data).__name__}."
        )
        return out
    for key in data:
        if key not in schema:
            close = [k for k in schema if k.startswith(str(key)[:3])]
            hint = f" Did you mean {close[0]!r}?" if close else ""
            problems.append(
                f"unknown key {short_repr(where + str(key))}.{hint} Valid keys{' in ' + where.rstrip('.') if where else ''}: "
                f"{', '.join(schema)}."
            )
    for key, spec in schema.items():
        name = f"{where}{key}"
        if key not in data or data[key] is None:
            if spec.required:
                problems.append(f"missing required key {name!r}: {spec.help}.")
            value = copy.deepcopy(spec.default)
            if spec.children is not None:
                value = _check_section({}, spec.children, f"{name}.", problems)
            out[key] = value
            continue
        value = data[key]
        types = spec.types + ((int,) if float in spec.types else ())
        if isinstance(value, bool) and bool not in spec.types or not isinstance(value, types):
            problems.append(
                f"{name} must be {_type_name(spec.types)}, got {short_repr(value)}. "
                f"Fix: give {name} as {_type_name(spec.types)} (see docs/parameters.md)."
            )
            continue
        if spec.choices is not None and value not in spec.choices:
            problems.append(
                f"{name}={short_repr(value)} is not valid. Valid choices: "
                f"{', '.join(map(repr, spec.choices))}."
            )
            continue
        if spec.range is not None and not _in_range(value, spec.range):
            problems.append(
                f"{name}={short_repr(value)} is out of range: it must be {_range_text(spec.range)} "
                f"({spec.help}). Fix: set {name} within that range."
            )
            continue
        if spec.pattern is not None and not re.fullmatch(spec.pattern[0], value):
            problems.append(
                f"{name}={short_repr(value)} is not valid: it must match {spec.pattern[0]} "
                f"({spec.pattern[1]}). Fix: e.g. {name.rsplit('.', 1)[-1]}: "
                f"{_slugify(value)[:64] or 'my_csp'}."
            )
            continue
        if spec.children is not None:
            value = _check_section(value, spec.children, f"{name}.", problems)
        out[key] = value
    return out


def validate_params(raw: dict, path: str = "<parameters>", *, check_store: bool = True) -> dict:
    """Validate a parameters mapping and return it with defaults filled in.

    Checks keys, types and choices; the period; the LAD codes against the
    boundaries available; that every listed theme has a notebook; that input
    files exist; and (``check_store``) that the store holds the period's months.

    Raises
    ------
    ParameterError
        Listing every problem found.
    """
    problems: list[str] = []
    schema = dict(SCHEMA)
    # A theme's disclosure keys default to None ("not set"), so that theme_disclosure can
    # tell an explicit setting from an absent one, even when it equals the default.
    theme_dis = {k: F(f.types, help=f.help) for k, f in DISCLOSURE.items()}
    for theme, opts in THEME_OPTIONS.items():
        schema[theme] = _section(
            {**opts, "disclosure": _section(theme_dis)}, help=f"options for the {theme} theme"
        )
    p = _check_section(raw, schema, "", problems)
    if problems and not p:
        raise ParameterError(path, problems)

    # Period and years.
    period = None
    if p.get("period") is not None:
        try:
            period = parse_period(p["period"])
            p["period"] = str(p["period"])
        except ValueError as e:
            problems.append(str(e))
    if (
        period is not None
        and p.get("baseline_year") is not None
        and p["baseline_year"] > period.end.year
    ):
        problems.append(
            f"baseline_year={p['baseline_year']} is after the period {period.label}; choose an earlier year."
        )

    # Statistics ranges.
    stats = p.get("statistics") or {}
    for k in ("alpha", "conf_level"):
        v = stats.get(k)
        if isinstance(v, int | float) and not 0 < v < 1:
            problems.append(
                f"statistics.{k}={v!r} must be strictly between 0 and 1 (e.g. 0.05 / 0.95)."
            )
    for sec_name in THEME_OPTIONS:
        d = (p.get(sec_name) or {}).get("disclosure") or {}
        t = d.get("threshold")
        if isinstance(t, int) and not isinstance(t, bool) and not 1 <= t <= 1000:
            problems.append(
                f"{sec_name}.disclosure.threshold={t} is out of range: it must be between 1 and "
                f"1,000. Fix: set {sec_name}.disclosure.threshold within that range."
            )
    problems += _sensitive_floor_problems(p)

    # The Jupyter kernel must exist (else every notebook fails at run time).
    kernel = (p.get("run") or {}).get("kernel")
    if isinstance(kernel, str):
        have_kernels = _kernels()
        if have_kernels is not None and kernel not in have_kernels:
            problems.append(
                f"run.kernel={short_repr(kernel)}: no such Jupyter kernel is installed. Valid "
                f"kernels here: {', '.join(sorted(have_kernels)) or 'none'}. Fix: set run.kernel "
                f"to one of them (see `jupyter kernelspec list`), or install it."
            )

    step = (p.get("hotspots") or {}).get("emerging_time_step")
    if isinstance(step, int) and not 0 <= step <= 12:
        problems.append(
            f"hotspots.emerging_time_step={step!r} must be 0 (spatial only) to 12 periods; "
            f"ArcGIS's default is 1."
        )

    # Themes.
    themes = p.get("themes") or []
    available = sorted(f.stem for f in config.NOTEBOOKS_DIR.glob("*.ipynb"))
    if isinstance(themes, list):
        if not themes:
            problems.append(f"themes is empty; list at least one of: {', '.join(available)}.")
        bad_items = [t for t in themes if not isinstance(t, str)]
        if bad_items:
            problems.append(
                f"themes must list theme names (text), got {short_repr(bad_items[0])}. "
                f"Valid themes: {', '.join(available)}."
            )
            themes = [t for t in themes if isinstance(t, str)]
        for t in themes:
            if t not in available:
                problems.append(
                    f"theme {short_repr(t)} has no notebook notebooks/{str(t)[:60]}.ipynb. Valid themes: {', '.join(available)}. "
                    f"To add a theme, add its notebook and list it here."
                )
        if len(set(themes)) != len(themes):
            problems.append("themes lists a theme twice; list each once.")
    else:
        themes = []

    # Files.
    data = p.get("data") or {}
    for key, spec in SCHEMA["data"].children.items():
        v = data.get(key)
        if v is None or spec.kind == "store" or (key == "extract" and v == "synthetic"):
            continue
        if key in NATIONAL_KEYS and v == "national":
            continue
        if not config.resolve(v).exists():
            problems.append(
                f"data.{key}: file or folder not found: {short_repr(v)} (looked at "
                f"{short_repr(str(config.resolve(v)), 200)})."
            )

    problems += _extract_in_git_problems(data.get("extract"))

    # LAD codes against the boundaries present.
    csp = p.get("csp") or {}
    lads = csp.get("lad_codes")
    national_lads = isinstance(lads, list) and data.get("boundaries") == "national"
    if national_lads:
        from sa_lib.data.national import lad_lookup

        known = set(lad_lookup()["lad_code"])
        for code in lads:
            if code not in known:
                problems.append(
                    f"csp.lad_codes: unknown LAD code {code!r}: not a local authority district "
                    f"(December 2024) in England or Wales. Fix: run `sa csps` for the codes, or "
                    f"`sa init FILE --csp NAME`."
                )
        if not lads:
            problems.append("csp.lad_codes is empty; give at least one LAD code, e.g. [E07000011].")
    elif (
        isinstance(lads, list)
        and data.get("boundaries")
        and config.resolve(data["boundaries"]).exists()
    ):
        from sa_lib.data.geography import available_lads

        have = available_lads(config.resolve(data["boundaries"]))
        for code in lads:
            if code not in have:
                problems.append(
                    f"csp.lad_codes: unknown LAD code {short_repr(code)}: no boundaries for it in {short_repr(data['boundaries'], 200)}. "
                    f"Valid codes there: {', '.join(have) or 'none'}."
                )
        if not lads:
            problems.append("csp.lad_codes is empty; give at least one LAD code, e.g. [E07000011].")
    for peer in (p.get("comparison") or {}).get("peers") or []:
        if not re.fullmatch(r"[EW]0[6-9]\d{6}", str(peer)):
            problems.append(
                f"comparison.peers: {short_repr(peer)} is not a LAD code (like E07000011)."
            )
    if isinstance(csp.get("name"), str) and not csp.get("slug"):
        csp["slug"] = _slugify(csp["name"])[:64]
        if not re.fullmatch(SLUG_RE, csp["slug"]):
            problems.append(
                f"csp.name={short_repr(csp['name'])} gives no usable folder name. Fix: set "
                f"csp.slug to lower-case letters, digits, '_' and '-' (e.g. slug: my_csp)."
            )
    if not p.get("title") and csp.get("name"):
        p["title"] = f"{csp['name']} Community Safety Partnership"

    targets = p.get("targets") or []
    for i, t in enumerate(targets if isinstance(targets, list) else []):
        need = {"crime_type", "reduction_pct", "baseline_year", "target_year"}
        if not isinstance(t, dict) or set(t) != need:
            problems.append(
                f"targets[{i}] must have exactly the keys {', '.join(sorted(need))}; got {short_repr(t)}."
            )
            continue
        problems += _target_problems(i, t)
    weights = (p.get("cse") or {}).get("weights")
    for k, w in (weights or {}).items() if isinstance(weights, dict) else ():
        if isinstance(w, bool) or not isinstance(w, int | float) or not 0 <= w <= 1000:
            problems.append(
                f"cse.weights.{str(k)[:60]}={short_repr(w)} is not valid: a weight is a number "
                f"between 0 and 1,000. Fix: give a relative weight such as 1 or 2."
            )

    for i, t in enumerate(p.get("priorities") or []):
        need = {"crime_type", "reduction_pct", "baseline_year", "target_year"}
        if not isinstance(t, dict) or not need <= set(t) or not set(t) <= need | {"name"}:
            problems.append(
                f"priorities[{i}] must have the keys {', '.join(sorted(need))} (and optionally "
                f"name); got {t!r}."
            )

    if not problems and isinstance(lads, list) and lads:
        problems += _lsoa_file_coverage(p)

    # The store must hold the months the report needs, for the CSP's own force(s).
    if check_store and period is not None and not problems:
        cov = period_coverage(p)
        if cov["problem"]:
            problems.append(cov["problem"])
        if not problems:
            from sa_lib.data.store import unreadable_partitions

            store = config.resolve(data.get("store", "data/processed"))
            for bad in unreadable_partitions(store, last_month=period.months[-1]):
                problems.append(
                    f"data.store: partition {bad['path']} (month {bad['month']}) cannot be read: "
                    f"{bad['error']}. Fix: re-ingest that month from its data.police.uk file "
                    f"(`sa ingest PATH`), which rewrites the partition."
                )
        if not problems:
            problems += _extract_content_problems(data.get("extract"))
    if problems:
        raise ParameterError(path, problems)
    return p


def _extract_content_problems(value: object) -> list[str]:
    """Load data.extract as a run would, so personal data or a schema error shows at `sa check`."""
    if not isinstance(value, str) or value == "synthetic" or not config.resolve(value).is_file():
        return []
    from sa_lib.data.extract import load_extract
    from sa_lib.data.personal_data import PersonalDataError

    try:
        load_extract(config.resolve(value))
    except PersonalDataError as e:
        cols = [ln.strip(" -") for ln in str(e).splitlines() if ln.startswith("  - column")]
        return [
            f"data.extract={short_repr(value)} holds personal data: {'; '.join(cols)}. Fix: ask "
            f"the force to remove or pseudonymise these columns, then ingest the new file."
        ]
    except ValueError as e:
        msg = " ".join(str(e).split())
        return [f"data.extract={short_repr(value)}: {msg[:600]}"]
    return []


NATIONAL_KEYS = ("boundaries", "population", "deprivation")


def csp_forces(params: dict) -> list[str] | None:
    """The police.uk force slug(s) of the CSP's LADs, or None when the LADs are not in the
    national lookup (then any force's months count)."""
    from sa_lib.data.national import forces_for_lads

    forces = forces_for_lads((params.get("csp") or {}).get("lad_codes") or [])
    return forces or None


def period_coverage(params: dict) -> dict:
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

    period = parse_period(params["period"])
    periods = comparison_periods(period, params.get("baseline_year"))
    store = config.resolve((params.get("data") or {}).get("store", "data/processed"))
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
    for t in params.get("targets") or []:
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
                f"period {params['period']} needs months {month_ranges(miss)}, which {who} in the "
                f"store do not hold. It holds {month_ranges(held)}. Fix: choose a period in that "
                f"range, or `sa ingest` the missing months."
            )
        else:
            out["warnings"].append(
                f"{key.replace('_', ' ')} ({per.label}) is not available: {who} in the store "
                f"lack {month_ranges(miss)}; that comparison is shown as not available."
            )
    return out


def _lsoa_file_coverage(p: dict) -> list[str]:
    """Check the population and deprivation files cover every LSOA of the CSP (by code)."""
    import pandas as pd

    data = p.get("data") or {}
    lads = p["csp"]["lad_codes"]
    try:
        if data.get("boundaries") == "national":
            from sa_lib.data.national import lsoa_lookup

            look = lsoa_lookup()
            codes = sorted(look.loc[look["lad_code"].isin(lads), "lsoa21_code"])
        else:
            import geopandas as gpd

            codes = []
            for lad in lads:
                f = config.resolve(data["boundaries"]) / "lsoa21" / f"{lad}.geojson"
                codes += gpd.read_file(f, ignore_geometry=True)["LSOA21CD"].astype(str).tolist()
            codes = sorted(codes)
    except Exception:  # noqa: BLE001 - the geography's own errors are reported at run time
        return []
    problems = []
    pop = data.get("population")
    if pop and pop != "national":
        have = set(pd.read_csv(config.resolve(pop), usecols=["lsoa21_code"])["lsoa21_code"])
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

        have11 = set(load_deprivation(config.resolve(dep))["lsoa11_code"])
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
) -> dict:
    """Read a YAML parameters file, apply ``overrides`` (see :func:`apply_overrides`) and
    validate it (see :func:`validate_params`)."""
    p = config.resolve(path)
    if not p.exists():
        have = sorted(x.name for x in config.PARAMETERS_DIR.glob("*.yaml"))
        raise ParameterError(
            str(path),
            [f"file not found. Parameters files in parameters/: {', '.join(have) or 'none'}."],
        )
    try:
        raw = read_bounded_yaml(p, what="parameters file")
    except ValueError as e:
        raise ParameterError(str(path), [str(e).split(": ", 1)[-1]]) from e
    if raw is None:
        raise ParameterError(str(path), ["the file is empty."])
    if overrides:
        raw = apply_overrides(raw, overrides)
    return validate_params(raw, str(path), check_store=check_store)


def theme_disclosure(params: dict, theme: str) -> dict:
    """Disclosure settings for a theme: its own section's, else the defaults.

    Sensitive themes (domestic abuse, CSE) default to the strictest setting:
    secondary suppression on, and a threshold no lower than the default's. With
    ``disclosure.published_counts: show`` (the default) the police.uk-only themes
    (:data:`PUBLISHED_THEMES`) show published counts: see :func:`published_disclosure`.
    """
    base = dict(params.get("disclosure") or {k: f.default for k, f in DISCLOSURE.items()})
    own = ((params.get(theme) or {}).get("disclosure")) or {}
    explicit = {k: v for k, v in own.items() if v is not None}
    out = {**base, **explicit}
    if theme in SENSITIVE_THEMES:
        # Never below the default, whatever the run-wide or theme setting says
        # (validate_params refuses a lower one; this is the second line of defence).
        out["secondary"] = True
        out["threshold"] = max(out["threshold"], SENSITIVE_MIN_THRESHOLD)
    return out


def _sensitive_floor_problems(p: dict) -> list[str]:
    """Problems for a sensitive theme whose effective threshold or secondary setting is weaker."""
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
    return problems


def _kernels() -> set[str] | None:
    """Installed Jupyter kernel names (None if jupyter_client cannot tell)."""
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        return set(KernelSpecManager().find_kernel_specs())
    except Exception:  # noqa: BLE001 - an unusual install: the run will report it
        return None


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


def schema_markdown() -> str:
    """The parameters reference (docs/parameters.md), generated from :data:`SCHEMA` and :data:`THEME_OPTIONS`.

    Examples
    --------
    >>> "| `period` |" in schema_markdown()
    True
    """

    def default(f: F) -> str:
        if f.children is not None:
            return ""
        if f.default is None:
            return "required" if f.required else "none"
        return f"`{f.default}`"

    def rows(section: dict[str, F], prefix: str = "") -> list[str]:
        out = []
        for key, f in section.items():
            name = f"{prefix}{key}"
            choices = f" Choices: {', '.join(f'`{c}`' for c in f.choices)}." if f.choices else ""
            if f.range is not None:
                choices += f" Range: {_range_text(f.range)}."
            if f.pattern is not None:
                choices += f" Pattern: `{f.pattern[0]}` ({f.pattern[1]})."
            out.append(f"| `{name}` | {_type_name(f.types)} | {default(f)} | {f.help}.{choices} |")
            if f.children is not None:
                out += rows(f.children, prefix=f"{name}.")
        return out

    head = "| key | type | default | meaning |\n|---|---|---|---|"
    parts = [
        "# Parameters reference",
        "",
        'Generated from `sa_lib.pack.params` (do not edit by hand: `python -c "from sa_lib.pack.params '
        'import schema_markdown; print(schema_markdown())" > docs/parameters.md`). Paths are '
        "relative to the project root or absolute. `sa check FILE` validates a file against this.",
        "",
        "## Run-wide keys",
        "",
        head,
        *rows(SCHEMA),
        "",
        "## Theme sections",
        "",
        "Each theme may have a section named after it; every theme section also takes "
        "`disclosure.threshold`, `disclosure.secondary` and `disclosure.suppress_zero` to "
        "override the run-wide `disclosure` settings. Sensitive themes "
        f"({', '.join(sorted(SENSITIVE_THEMES))}) always use secondary suppression and never a "
        f"threshold below {SENSITIVE_MIN_THRESHOLD}: a lower run-wide or theme threshold, or "
        "secondary suppression turned off, is an error in `sa check`. A theme's "
        "`disclosure.threshold` is between 1 and 1,000.",
    ]
    for theme, opts in THEME_OPTIONS.items():
        parts += ["", f"### `{theme}`", "", head, *rows(opts, prefix=f"{theme}.")]
    return "\n".join(parts) + "\n"


def _extract_in_git_problems(value: object) -> list[str]:
    """A real extract named by data.extract must not be tracked by git or unignored in it.

    The shipped synthetic extract (``synthetic``, or its path) is the one exception.
    """
    if not isinstance(value, str) or value == "synthetic":
        return []
    path = config.resolve(value)
    shipped = config.SAMPLE_DIR / "synthetic" / "extract_synthetic.csv.gz"
    if not path.is_file() or path.resolve() == shipped.resolve():
        return []
    from sa_lib.data.extract_mapping import UnsafeOutputError, check_output_path

    try:
        check_output_path(path)
    except UnsafeOutputError as e:
        return [
            f"data.extract={short_repr(value)}: a force extract must not be in git. "
            f"{str(e).splitlines()[0]} Fix: move it under data/processed/ or data/raw/ "
            f"(git-ignored), or outside the repository, and point data.extract there."
        ]
    return []


#: Ranges of the numbers in each ``targets`` entry (documented in docs/parameters.md).
TARGET_RANGES = {
    "reduction_pct": (0, 100),
    "baseline_year": (2010, 2100),
    "target_year": (2010, 2100),
}


def _target_problems(i: int, t: dict) -> list[str]:
    out = []
    for key, rng in TARGET_RANGES.items():
        v = t.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float) or not _in_range(v, rng):
            out.append(
                f"targets[{i}].{key}={short_repr(v)} is out of range: it must be a number "
                f"{_range_text(rng)}. Fix: set targets[{i}].{key} within that range."
            )
    by, ty = t.get("baseline_year"), t.get("target_year")
    if not out and ty <= by:
        out.append(
            f"targets[{i}].target_year={ty} is not after targets[{i}].baseline_year={by}. "
            f"Fix: give a target year after the baseline year."
        )
    return out
